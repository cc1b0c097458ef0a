#!/usr/bin/env python3
"""P8 of docs/performance.md, one save: a vim-style save (real vim --clean in ex mode, and the
same system calls timed alone: 4913 probe, rename to trust.json~, write, fsync,
close), a cp save and a same-value save through the mounted daemon, against
`aws iam update-assume-role-policy` and boto3 making the same IAM calls, in the
same run, interleaved, through tests/proxy.py with 50 ms per request. Calls are
counted by the proxy. Prints a Markdown table and writes tests/bench/results/save.md.

Usage: /usr/bin/python3 tests/bench/bench_save.py [--runs 7] [--build DIR] [--latency-ms 50]

Every mount is unmounted and every process stopped in finally blocks; every wait
is bounded. Needs FUSE, vim, the aws CLI and boto3.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ROLE = "bench-save-role"
SERVICES = ("swf.amazonaws.com", "states.us-east-1.amazonaws.com")
CMD_TIMEOUT = 120


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="interleaved runs per measure (>= 7)")
    ap.add_argument("--build", default=os.environ.get("IAMFS_BUILD", os.path.join(ROOT, "build")))
    ap.add_argument("--latency-ms", type=int, default=50)
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    return args


ARGS = parse_args(sys.argv[1:])
os.environ["IAMFS_BUILD"] = os.path.abspath(ARGS.build)
sys.path.insert(0, os.path.join(ROOT, "tests", "py"))
import mount  # noqa: E402
import rig  # noqa: E402


def log(msg):
    print("[bench-save %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def trust(service):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def rendered(value):
    return (json.dumps(value, indent=4) + "\n").encode()


def iam_calls(counts):
    return {a: n for a, n in counts.items() if not a.startswith("_")}


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(cmd, env=None):
    r = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=CMD_TIMEOUT)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (cmd[0], r.returncode,
                                                    r.stderr.decode(errors="replace")[-500:]))


class Bench:
    def __init__(self, work, moto, proxy, m):
        self.work, self.moto, self.proxy, self.m = work, moto, proxy, m
        self.iam = proxy.client()
        self.flip = 0
        self.res = {}
        self.calls = {}
        self.home = os.path.join(work, "home")
        os.makedirs(self.home, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update({"HOME": self.home, "AWS_ACCESS_KEY_ID": "testing",
                         "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                         "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
                         "AWS_CONFIG_FILE": os.path.join(self.home, "none"),
                         "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.home, "none")})

    def next_doc(self, path):
        """The other service's trust policy than the one in path: each save changes it."""
        with open(path, "rb") as f:
            cur = f.read().decode()
        return rendered(trust(SERVICES[1] if SERVICES[0] in cur else SERVICES[0]))

    def measure(self, name, fn):
        self.proxy.reset()
        secs = fn()
        counts = iam_calls(self.proxy.counts())
        self.res.setdefault(name, []).append(secs)
        self.calls.setdefault(name, []).append(counts)

    def path(self):
        return self.m.p(ROLE, "trust.json")

    def local_path(self):
        """The same file on the local disk (/dev/shm when there is one): the reference
        for what the programs themselves cost."""
        folder = os.path.join("/dev/shm" if os.path.isdir("/dev/shm") else self.work,
                              "iamfs-bench-save-%d" % os.getpid(), ROLE)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "trust.json")
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(rendered(trust(SERVICES[0])))
        return path

    def vim_syscalls(self, path=None):
        """vim's save with backupcopy=auto in a writable folder, without vim's startup."""
        path = path or self.path()
        data = self.next_doc(path)
        folder = os.path.dirname(path)
        probe, backup = os.path.join(folder, "4913"), path + "~"

        def save():
            fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o644)
            os.close(fd)
            os.unlink(probe)
            os.rename(path, backup)
            fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o644)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.unlink(backup)
        return timed(save)

    def cp_save(self, path=None):
        src = os.path.join(self.work, "cp-src.json")
        with open(src, "wb") as f:
            f.write(self.next_doc(path or self.path()))
        return timed(lambda: run(["cp", src, path or self.path()]))

    def vim_process(self, path=None):
        path = path or self.path()
        with open(path) as f:
            cur = f.read()
        old = [s for s in SERVICES if s in cur][0]
        new = SERVICES[1] if old == SERVICES[0] else SERVICES[0]
        return timed(lambda: run(["vim", "--clean", "-N", "-E", "-s", "-c", "set swapfile",
                                  "-c", "set backupskip=", "-c", "%s/\\V" + old + "/" + new + "/",
                                  "-c", "wq", path], env=self.env))

    def same_value(self):
        value = json.loads(self.m.read(ROLE, "trust.json"))
        src = os.path.join(self.work, "same.json")
        with open(src, "wb") as f:
            f.write(json.dumps(value).encode())
        return timed(lambda: run(["cp", src, self.path()]))

    def aws_cli(self):
        doc = json.dumps(trust(SERVICES[self.flip ^ 1]))
        self.flip ^= 1
        return timed(lambda: run(["aws", "iam", "update-assume-role-policy", "--endpoint-url",
                                  self.proxy.url, "--role-name", ROLE, "--policy-document", doc],
                                 env=self.env))

    def boto3_calls(self):
        """The calls a trust save makes (one conflict read, one write), from boto3."""
        doc = json.dumps(trust(SERVICES[self.flip ^ 1]))
        self.flip ^= 1

        def calls():
            self.iam.get_role(RoleName=ROLE)
            self.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=doc)
        secs = timed(calls)
        # The mount last served the other document: refresh so its next save is not stale.
        self.m.refresh()
        return secs

    def run_all(self, runs):
        local = self.local_path()
        order = [("boto3", self.boto3_calls), ("vim", self.vim_process),
                 ("vim-local", lambda: self.vim_process(local)),
                 ("vimsys", self.vim_syscalls), ("vimsys-local", lambda: self.vim_syscalls(local)),
                 ("cp", self.cp_save), ("cp-local", lambda: self.cp_save(local)),
                 ("same", self.same_value), ("aws", self.aws_cli)]
        self.boto3_calls()  # warm connections on both sides
        for i in range(runs):
            for name, fn in order:
                if name == "aws":
                    self.measure(name, fn)
                    self.m.refresh()
                else:
                    self.measure(name, fn)
            log("run %d/%d done" % (i + 1, runs))


def med(xs):
    return statistics.median(xs)


def ms(x):
    return "%.1f ms" % (x * 1000)


def max_calls(lst):
    return max(sum(c.values()) for c in lst)


def calls_text(lst):
    merged = {}
    for c in lst:
        for a, n in c.items():
            merged[a] = max(merged.get(a, 0), n)
    return ", ".join("%s %d" % kv for kv in sorted(merged.items())) or "none"


def table(b, args, took):
    r, c = b.res, b.calls
    base = med(r["boto3"])
    aws = med(r["aws"])
    rows = []

    def yes(ok):
        return "yes" if ok else "**no**"

    for name, label in (("vimsys", "vim-style save (4913 probe, rename to ~, write, fsync, close)"),
                        ("cp", "`cp` save"), ("vim", "real `vim --clean -E -s` edit + `:wq`")):
        local = med(r[name + "-local"])
        over = med(r[name]) - local - base
        n = max_calls(c[name])
        rows.append("| P8 | %s: time over the program's own cost and the same IAM calls | ≤ 5 ms "
                    "| %s (%s − %s on /dev/shm − %s) | %s (boto3 GetRole + UpdateAssumeRolePolicy)"
                    " | — | %s |"
                    % (label, ms(over), ms(med(r[name])), ms(local), ms(base), ms(base),
                       yes(over <= 0.005) if name != "vim" else
                       "— (vim's own run-to-run spread is larger than the target; the "
                       "vim-style row times the same system calls)"))
        rows.append("| P8 | %s: IAM calls per save | ≤ 2 | %d (%s) | — | — | %s |"
                    % (label, n, calls_text(c[name]), yes(n <= 2)))
        ratio = med(r[name]) / aws
        rows.append("| P8 | %s vs `aws iam update-assume-role-policy` | ≤ 0.2× | %s | %s | %.2f× | %s |"
                    % (label, ms(med(r[name])), ms(aws), ratio, yes(ratio <= 0.2)))
    n = max_calls(c["same"])
    rows.append("| P8 | save of the same JSON value (`cp`): IAM calls | 0 | %d (%s) | — | — | %s |"
                % (n, ms(med(r["same"])), yes(n == 0)))
    head = ["# iamfs save benchmark (P8), %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "",
            "%s; %d cores; kernel %s; %d interleaved runs per median; proxy latency %d ms; "
            "run took %.0f s." % (platform.node() or "host", os.cpu_count() or 0,
                                  platform.release(), args.runs, args.latency_ms, took),
            "",
            "| # | measure | target | iamfs | reference | ratio | met? |",
            "|---|---|---|---|---|---|---|"]
    notes = ["", "Notes:", "",
             "- Each run, in order: boto3 GetRole + UpdateAssumeRolePolicy (the calls a trust "
             "save makes, on a warm keep-alive connection), a real vim edit (mount, then the "
             "same file on /dev/shm), the vim-style system calls alone (mount, /dev/shm), a "
             "`cp` save (mount, /dev/shm), a same-value `cp` save, and `aws iam "
             "update-assume-role-policy`; medians over the runs. The overhead is the save's "
             "median minus the same program on /dev/shm minus the boto3 calls. Calls are "
             "counted by the proxy per measured step (max over runs).",
             "- `aws` CLI calls: %s (median %s)." % (calls_text(c["aws"]), ms(aws)),
             "- Raw medians: " + ", ".join("%s %s" % (k, ms(med(v))) for k, v in sorted(r.items()))
             + "."]
    return "\n".join(head + rows + notes) + "\n"


def main():
    args = ARGS
    t0 = time.monotonic()
    work = tempfile.mkdtemp(prefix="iamfs-bench-save-")
    moto = proxy = m = None
    try:
        moto = rig.Moto().start(work)
        iam = moto.client()
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust(SERVICES[0])))
        proxy = rig.Proxy(moto.url, latency_ms=args.latency_ms).start(work)
        m = mount.Mount(proxy.url, work, ttl=3600).start()
        b = Bench(work, moto, proxy, m)
        b.run_all(args.runs)
        text = table(b, args, time.monotonic() - t0)
        bad = m.bad_stderr()
        if bad:
            text += "- daemon stderr: " + " / ".join(bad[:5]) + "\n"
    finally:
        shutil.rmtree("/dev/shm/iamfs-bench-save-%d" % os.getpid(), ignore_errors=True)
        if m:
            m.stop()
        if proxy:
            proxy.stop()
        if moto:
            moto.stop()
    print(text)
    out = os.path.join(HERE, "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "save.md"), "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
