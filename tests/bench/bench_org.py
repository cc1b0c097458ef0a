#!/usr/bin/env python3
"""The organization benchmark: ACCOUNTS member accounts of ROLES roles each in a
moto organization, mounted with --org through tests/proxy.py at 50 ms a request.

Measures, and prints as Markdown (also to tests/bench/results/org-latest.md):
- cold: an org-wide `grep -rl` (every account of ListAccounts: the members and
  the management account) over a fresh cache folder (every account loads,
  at most --max-loads at once), its time, and the calls each account cost as
  the proxy saw them per signing key (goal: AssumeRole + GAAD pages + ListRoles
  pages, nothing more);
- warm: `grep -r` over every account's roles against a tmpfs copy of the same
  tree, interleaved runs, medians and their ratio;
- the daemon's RssAnon after the warm runs, per role;
- remount: a new daemon on the same cache folder, from its start to the first
  listing of every account folder (each served from its disk copy).

Usage: /usr/bin/python3 tests/bench/bench_org.py [--accounts 20] [--roles 250]
       [--runs 5] [--latency-ms 50] [--max-loads 8] [--build DIR]

Every mount is unmounted and every process stopped in finally blocks; every
wait is bounded. Needs FUSE and boto3 (dropping the kernel's caches before the
cold run needs root; without it the run says so).
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "py"))
import rig  # noqa: E402

ROLE = "OrganizationAccountAccessRole"
NO_MATCH = "arn:aws:iam::999999999999:role/not-there"  # grep reads every byte
TIMEOUT = 900


def log(msg):
    sys.stderr.write("bench_org: %s\n" % msg)
    sys.stderr.flush()


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=20)
    ap.add_argument("--roles", type=int, default=250)
    ap.add_argument("--runs", type=int, default=5, help="warm runs of each side (median)")
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--max-loads", type=int, default=8)
    ap.add_argument("--build", default=os.environ.get("IAMFS_BUILD", os.path.join(ROOT, "build")))
    return ap.parse_args(argv)


def trust(i):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "svc%d.amazonaws.com" % (i % 13)},
        "Action": "sts:AssumeRole"}]})


def inline(i):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "kms:Decrypt"],
        "Resource": ["arn:aws:s3:::bucket-%d/*" % j for j in range(i % 7 + 3)]}]})


def seed(moto, nacc, nroles):
    """Creates the organization and its accounts; returns their ids."""
    org = moto.client("organizations")
    org.create_organization(FeatureSet="ALL")
    ids = [org.create_account(Email="b%d@example.com" % a, AccountName="team-%02d" % a)
           ["CreateAccountStatus"]["AccountId"] for a in range(nacc)]

    def one(a):
        c = moto.client("sts").assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (ids[a], ROLE),
                                           RoleSessionName="bench-seed")["Credentials"]
        iam = moto.client("iam", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                          token=c["SessionToken"])
        for i in range(nroles):
            name = "a%02d-role-%04d" % (a, i)
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(i))
            iam.put_role_policy(RoleName=name, PolicyName="p%d" % i, PolicyDocument=inline(i))

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(one, range(nacc)))
    return ids


class Daemon:
    """iamfs --org in the foreground on mnt with cache folder cache."""

    def __init__(self, args, proxy_url, work, cache):
        self.iamfs = os.path.join(args.build, "iamfs")
        self.mnt = os.path.join(work, "mnt")
        self.home = os.path.join(work, "home")
        self.cache = cache
        self.url = proxy_url
        self.max_loads = args.max_loads
        self.proc = None
        os.makedirs(self.mnt, exist_ok=True)
        os.makedirs(self.home, exist_ok=True)

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_ENDPOINT_URL": self.url, "HOME": self.home,
                    "AWS_CONFIG_FILE": os.path.join(self.home, "none"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.home, "none")})
        self.err = open(os.path.join(os.path.dirname(self.mnt), "iamfs.stderr"), "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [self.iamfs, "-f", "--org", "--ttl", "3600", "--max-loads", str(self.max_loads),
             "--cache-dir", self.cache, self.mnt], stdout=subprocess.DEVNULL, stderr=self.err,
            env=env)
        deadline = t0 + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("iamfs exited with %s" % self.proc.returncode)
            try:
                if os.path.ismount(self.mnt):
                    with open(os.path.join(self.mnt, ".iamfs", "accounts")) as f:
                        f.read()
                    return t0
            except OSError:
                pass
            time.sleep(0.005)
        raise TimeoutError("iamfs did not serve within 60 s")

    def folders(self):
        return sorted(n for n in os.listdir(self.mnt) if n != ".iamfs")

    def stop(self):
        if self.proc is None:
            return
        subprocess.run(["fusermount3", "-u", self.mnt], capture_output=True, timeout=30)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            rig.stop_process(self.proc)
            subprocess.run(["fusermount3", "-uz", self.mnt], capture_output=True, timeout=30)
        self.proc = None
        self.err.close()


def drop_caches():
    try:
        subprocess.run(["sync"], timeout=60)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def timed(cmd, cwd=None, ok=(0, 1)):
    t = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=TIMEOUT)
    if r.returncode not in ok:
        raise RuntimeError("%s failed: %s" % (cmd, r.stderr[-500:]))
    return time.monotonic() - t


def rss_anon_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def per_account_calls(proxy):
    """{key: {Action: n}} for the assumed keys (one per account), and AssumeRole total."""
    keys = proxy.keys()
    calls = {k: {a: n for a, n in v.items() if not a.startswith("_")}
             for k, v in keys.items() if k != "testing"}
    return calls, keys.get("testing", {}).get("AssumeRole", 0)


def cold(args, d, proxy):
    dropped = drop_caches()
    proxy.reset()
    d.start()
    t = timed(["grep", "-rl", NO_MATCH] + [os.path.join(d.mnt, f) for f in d.folders()])
    calls, assumes = per_account_calls(proxy)
    return {"time": t, "dropped": dropped, "calls": calls, "assume": assumes}


def warm(args, d, shm):
    dirs = [os.path.join(d.mnt, f) for f in d.folders()]
    for f in d.folders():
        shutil.copytree(os.path.join(d.mnt, f), os.path.join(shm, f),
                        ignore=shutil.ignore_patterns(".iamfs"))
    copies = [os.path.join(shm, f) for f in d.folders()]
    cmd_m = ["grep", "-r", "--exclude-dir=.iamfs", NO_MATCH] + dirs
    cmd_t = ["grep", "-r", NO_MATCH] + copies
    timed(cmd_m)
    a, b = [], []
    for _ in range(args.runs):
        a.append(timed(cmd_m))
        b.append(timed(cmd_t))
    return statistics.median(a), statistics.median(b), rss_anon_kb(d.proc.pid)


def remount(args, d):
    t0 = d.start()
    for f in d.folders():
        os.listdir(os.path.join(d.mnt, f))
    return time.monotonic() - t0


def report(args, res):
    n = args.accounts * args.roles
    calls = res["cold"]["calls"]
    shapes = {}
    for c in calls.values():
        key = ", ".join("%s %d" % (a, c[a]) for a in sorted(c))
        shapes[key] = shapes.get(key, 0) + 1
    lines = ["# iamfs --org: %d accounts x %d roles, %d ms a request, --max-loads %d"
             % (args.accounts, args.roles, args.latency_ms, args.max_loads), "",
             "| measure | value |", "|---|---|",
             "| cold org-wide grep -rl | %.2f s%s |" % (res["cold"]["time"], "" if
                                                        res["cold"]["dropped"] else
                                                        " (kernel caches not dropped)"),
             "| AssumeRole calls | %d for %d accounts (the members and the management "
             "account) |" % (res["cold"]["assume"], len(calls))]
    for shape, k in sorted(shapes.items()):
        lines.append("| calls per account (%d accounts) | %s |" % (k, shape))
    lines += ["| warm grep -r, mount | %.3f s |" % res["warm"][0],
              "| warm grep -r, tmpfs copy | %.3f s |" % res["warm"][1],
              "| warm ratio (goal <= 2.5) | %.2f |" % (res["warm"][0] / res["warm"][1]),
              "| RssAnon after the warm runs | %d KiB, %.2f KiB a role |"
              % (res["warm"][2], res["warm"][2] / n),
              "| remount to the first listing of all accounts (goal <= 1 s) | %.3f s |"
              % res["remount"]]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    out = os.path.join(HERE, "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "org-latest.md"), "w") as f:
        f.write(text)


def main(argv=None):
    args = parse_args(argv)
    work = tempfile.mkdtemp(prefix="bench-org-")
    shm = tempfile.mkdtemp(prefix="bench-org-", dir="/dev/shm")
    moto = proxy = d = None
    res = {}
    try:
        moto = rig.Moto().start(work)
        log("seeding %d accounts x %d roles" % (args.accounts, args.roles))
        seed(moto, args.accounts, args.roles)
        proxy = rig.Proxy(moto.url, latency_ms=args.latency_ms).start(work)
        d = Daemon(args, proxy.url, work, os.path.join(work, "cache"))
        res["cold"] = cold(args, d, proxy)
        log("cold grep %.2f s" % res["cold"]["time"])
        res["warm"] = warm(args, d, shm)
        log("warm mount %.3f s, tmpfs %.3f s" % res["warm"][:2])
        d.stop()
        res["remount"] = remount(args, d)
        d.stop()
        report(args, res)
    finally:
        if d:
            d.stop()
        if proxy:
            proxy.stop()
        if moto:
            moto.stop()
        shutil.rmtree(shm, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
