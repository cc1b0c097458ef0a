#!/usr/bin/env python3
"""The iamfs benchmark: one run measures the targets of docs/performance.md, P1-P10 side by side
with their references (the AWS CLI's GAAD export, a boto3 per-role scan, a tmpfs
copy of the tree) in the same run, through tests/proxy.py with 50 ms per request,
and prints the table (Markdown) to stdout and tests/bench/results/latest.md.

Usage: /usr/bin/python3 tests/bench/bench.py [--roles 1000,5000] [--runs 7] [--quick]
       [--build DIR] [--idle S] [--fixture large|small] [--memory] [--cold-only]

--fixture picks the account shape (tests/bench/seed.py: large documents, the
default, or the small ones most real accounts hold). --memory measures only the
daemon's memory (VmRSS, VmHWM, RssAnon after a cold load and after a remount
from the disk copy, each followed by `grep -r`) and the IAM calls, no timings.
--cold-only measures only cold mounts up to ready and where their time goes
(tests/bench/bench_cold.py); there --build may name several folders, compared
in interleaved runs.

Warm measures interleave mount and tmpfs runs and compare medians; cold ones
start a fresh daemon on an empty --cache-dir after dropping the kernel's caches.
Every mount is unmounted and every process stopped in finally blocks; every wait
is bounded. Needs root (drop_caches, FUSE), the aws CLI and boto3.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STS_ACTIONS = ("GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity")
GAAD = "GetAccountAuthorizationDetails"
NO_MATCH = "arn:aws:iam::999999999999:role/not-there"  # grep must read every byte
CMD_TIMEOUT = 600
WARM_TTL = 600
# struct fuse_in_header's opcodes (linux/fuse.h), for naming counted requests.
FUSE_OPS = {1: "LOOKUP", 2: "FORGET", 3: "GETATTR", 4: "SETATTR", 14: "OPEN", 15: "READ",
            16: "WRITE", 17: "STATFS", 18: "RELEASE", 20: "FSYNC", 22: "GETXATTR",
            23: "LISTXATTR", 25: "FLUSH", 27: "OPENDIR", 28: "READDIR", 29: "RELEASEDIR",
            34: "ACCESS", 36: "INTERRUPT", 42: "BATCH_FORGET", 44: "READDIRPLUS", 46: "LSEEK",
            52: "STATX"}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--roles", default="1000,5000",
                    help="comma-separated account sizes (the smallest gets P1/P3-P6, P10)")
    ap.add_argument("--runs", type=int, default=7, help="runs per measure (median)")
    ap.add_argument("--quick", action="store_true", help="200 roles, 3 runs, 5 s idle")
    ap.add_argument("--build", default=os.environ.get("IAMFS_BUILD", os.path.join(ROOT, "build")),
                    help="build folder holding iamfs (default: build/ or $IAMFS_BUILD)")
    ap.add_argument("--idle", type=float, default=30.0, help="P10 idle seconds")
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--fixture", choices=("large", "small"), default="large",
                    help="account shape (tests/bench/seed.py)")
    ap.add_argument("--memory", action="store_true",
                    help="only memory and call counts: one cold load and one remount a size")
    ap.add_argument("--cold-only", action="store_true",
                    help="only the cold mount's time to ready (--build A,B compares builds)")
    ap.add_argument("--strace", action="store_true",
                    help="with --cold-only: one more mount a size under strace (disk write)")
    args = ap.parse_args(argv)
    if args.quick:
        args.roles, args.runs, args.idle = "200", 3, 5.0
    args.builds = [os.path.abspath(b) for b in args.build.split(",") if b]
    args.build = args.builds[0]
    args.sizes = sorted({int(x) for x in args.roles.split(",") if x.strip()})
    if not args.sizes or args.sizes[0] <= 0 or args.runs < 1:
        ap.error("--roles needs positive sizes and --runs at least 1")
    return args


ARGS = parse_args(sys.argv[1:])
os.environ["IAMFS_BUILD"] = os.path.abspath(ARGS.build)
sys.path.insert(0, os.path.join(ROOT, "tests", "py"))
sys.path.insert(0, HERE)
import bench_cold  # noqa: E402
import bench_table  # noqa: E402
import mount  # noqa: E402
import rig  # noqa: E402
import seed  # noqa: E402


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


MEM_KEYS = ("VmRSS", "VmHWM", "RssAnon", "RssFile")


def proc_status_kb(pid, keys):
    """{key: KiB} of /proc/PID/status lines such as "VmRSS:  1234 kB"."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key = line.split(":", 1)[0]
            if key in keys:
                out[key] = int(line.split()[1])
    missing = set(keys) - set(out)
    if missing:
        raise KeyError(", ".join(sorted(missing)))
    return out


def proc_kb(pid, key):
    return proc_status_kb(pid, (key,))[key]


def proc_mem(pid):
    """The daemon's memory in KiB: VmRSS, VmHWM (peak), RssAnon (heap, stacks:
    what a mount really costs) and RssFile (mapped files: page cache, reclaimable)."""
    return proc_status_kb(pid, MEM_KEYS)


def iam_calls(counts):
    """Requests to IAM (STS and the proxy's own keys left out)."""
    return sum(n for k, n in counts.items() if not k.startswith("_") and k not in STS_ACTIONS)


def status_calls(text):
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^calls (\w+): (\d+)$", text, re.M) if m.group(1) != "total"}


def fmt_s(x):
    return "%.3f s" % x if x >= 0.1 else "%.1f ms" % (x * 1000)


class StatusMount(mount.Mount):
    """Ready when .iamfs/status reads, as mount.Mount, but polled every 2 ms
    (not 50) so the cold runs' times are not rounded up."""

    def wait_ready(self, timeout):
        status = os.path.join(self.path, ".iamfs", "status")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("iamfs exited with %s: %s" % (self.proc.returncode,
                                                                 self.stderr()))
            try:
                with open(status, "rb") as f:
                    f.read()
                if os.path.ismount(self.path):
                    return
            except OSError:
                pass
            time.sleep(0.002)
        raise TimeoutError("iamfs did not serve %s within %ss" % (status, timeout))


class RootMount(mount.Mount):
    """A mount that is ready when `ls` of the root lists roles (P7), not when
    .iamfs/status reads; records how long that took after the daemon started."""

    def start(self, timeout=60):
        self.t0 = time.monotonic()
        return super().start(timeout)

    def wait_ready(self, timeout):
        deadline = self.t0 + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("iamfs exited with %s: %s" % (self.proc.returncode,
                                                                 self.stderr()))
            try:
                names = os.listdir(self.path)
            except OSError:
                names = []
            if any(n != ".iamfs" for n in names):
                self.ready = time.monotonic() - self.t0
                self.names = len(names)
                return
            time.sleep(0.001)
        raise TimeoutError("no roles listed in %s within %ss" % (self.path, timeout))


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="iamfs-bench-")
        self.moto = None
        self.proxy = None
        self.live = []  # mounts to stop in the end
        self.shm = []  # tmpfs copies to remove in the end
        self.res = {}
        self.notes = []
        self.seeded = 0
        self.ncache = 0
        self.fixture = seed.FIXTURES[args.fixture]
        self.status_mount = StatusMount

    # ---- plumbing -------------------------------------------------------
    def drop_caches(self):
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")

    def cache_dir(self):
        self.ncache += 1
        return os.path.join(self.work, "cache-%d" % self.ncache)

    def mount(self, cache_dir=None, args=(), ttl=None, cls=mount.Mount):
        m = cls(self.proxy.url, self.work, args=args, cache_dir=cache_dir or self.cache_dir(),
                ttl=ttl)
        self.live.append(m)
        return m.start(timeout=120)

    def wait_refreshed(self, m, timeout=60):
        """Waits (bounded) until the mount's background load or revalidation is
        over, so warm runs do not race it."""
        deadline = time.monotonic() + timeout
        while "refresh: in progress" in m.status():
            if time.monotonic() > deadline:
                raise TimeoutError("%s still refreshing after %ss" % (m.path, timeout))
            time.sleep(0.05)

    def unmount(self, m):
        try:
            m.stop()
        finally:
            bad = m.bad_stderr()
            if bad:
                self.notes.append("daemon stderr: " + "; ".join(bad[:3]))
            if m in self.live:
                self.live.remove(m)

    def run(self, cmd, cwd, ok=(0,)):
        """Runs a shell command in cwd; returns seconds. Fails on an unexpected status."""
        t = time.monotonic()
        r = subprocess.run(cmd, cwd=cwd, shell=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=CMD_TIMEOUT)
        took = time.monotonic() - t
        if r.returncode not in ok:
            raise RuntimeError("%s in %s exited %d: %s" % (cmd, cwd, r.returncode,
                                                           r.stderr.decode()[-500:]))
        return took

    def moto_gaad_time(self):
        """Seconds moto itself takes to answer one whole GAAD (Role and
        LocalManagedPolicy), asked directly: the floor under every cold load."""
        body = urllib.parse.urlencode({
            "Action": GAAD, "Version": "2010-05-08", "Filter.member.1": "Role",
            "Filter.member.2": "LocalManagedPolicy"}).encode()
        # moto routes an unsigned request by the credential scope's service.
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
                                    "iam/aws4_request, SignedHeaders=host, Signature=00"}
        times = []
        for _ in range(3):
            req = urllib.request.Request(self.moto.url + "/", data=body, headers=headers,
                                         method="POST")
            t = time.monotonic()
            with urllib.request.urlopen(req, timeout=CMD_TIMEOUT) as r:
                data = r.read()
            times.append(time.monotonic() - t)
            if b"<RoleDetailList>" not in data:
                raise RuntimeError("moto did not answer GAAD: %r" % data[:200])
        return median(times)

    def seed_to(self, n):
        if n > self.seeded:
            log("seeding %s roles %d..%d into moto" % (self.fixture.name, self.seeded, n - 1))
            took = seed.seed(self.moto.url, n, self.seeded, fixture=self.fixture)
            log("seeded in %.1f s" % took)
            self.seeded = n

    # The commands every tree is measured with, run with cwd = the tree's root.
    # .iamfs is left out: the tmpfs copy has no control folder.
    GREP = "grep -r --exclude-dir=.iamfs -F '%s' ." % NO_MATCH
    FIND = "find . -path ./.iamfs -prune -o -print"
    LSLR = "ls -lR ."
    GREP_C = "LC_ALL=C " + GREP  # as scripts usually run it: grep's own per-byte work is less
    LSL = "ls -l ."
    CAT = "find . -path ./.iamfs -prune -o -type f -print0 | xargs -0 -r cat > /dev/null"
    # The same files counted, to check that the tmpfs copy holds the same bytes.
    CAT_BYTES = "find . -path ./.iamfs -prune -o -type f -print0 | xargs -0 -r cat | wc -c"

    # ---- P1/P2: cold ----------------------------------------------------
    def cold_run(self, size):
        cache = self.cache_dir()
        self.drop_caches()
        self.proxy.reset()
        t0 = time.monotonic()
        m = self.mount(cache_dir=cache, cls=StatusMount)
        ready = time.monotonic() - t0
        try:
            grep = self.run(self.GREP, m.path, ok=(1,))
            cat = self.run(self.CAT, m.path)
            total = time.monotonic() - t0
            counts = self.proxy.counts()
            st = m.status()
            grep2 = self.run(self.GREP, m.path, ok=(1,))  # the second grep -r; for P9 too
            mem = proc_mem(m.proc.pid)
            roles = re.search(r"^roles: (\d+)$", st, re.M)
        finally:
            self.unmount(m)
        if not roles or int(roles.group(1)) != size:
            raise RuntimeError("the mount shows %s roles, expected %d" % (
                roles.group(1) if roles else "?", size))
        mine = status_calls(st)
        theirs = {k: v for k, v in counts.items() if not k.startswith("_")}
        return {"time": total, "ready": ready, "grep": grep, "cat": cat, "grep2": grep2,
                "calls": iam_calls(counts), "counts": theirs,
                "agree": mine == theirs, "status_calls": mine, "rss": mem["VmRSS"],
                "hwm": mem["VmHWM"], "mem": mem, "cache": cache}

    def aws_export(self):
        env = mount.iamfs_env(self.proxy.url, os.path.join(self.work, "home"))
        env.update({"AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""})
        out_path = os.path.join(self.work, "gaad-export.json")
        self.drop_caches()
        self.proxy.reset()
        t = time.monotonic()
        err_path = os.path.join(self.work, "gaad-export.stderr")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            p = subprocess.Popen(["aws", "iam", "get-account-authorization-details", "--filter",
                                  "Role", "LocalManagedPolicy", "--output", "json"],
                                 stdout=out, stderr=err, env=env)
        status, maxrss = wait_rusage(p, CMD_TIMEOUT)
        took = time.monotonic() - t
        if status != 0:
            with open(err_path, errors="replace") as f:
                raise RuntimeError("aws export failed: %s" % f.read()[-500:])
        with open(out_path) as f:
            nroles = len(json.load(f)["RoleDetailList"])
        return {"time": took, "calls": iam_calls(self.proxy.counts()), "roles": nroles,
                "maxrss": maxrss}

    def cold(self, size, with_reference):
        runs, refs = [], []
        for i in range(self.args.runs):
            log("cold run %d/%d at %d roles" % (i + 1, self.args.runs, size))
            runs.append(self.cold_run(size))
            if with_reference:
                refs.append(self.aws_export())
                if refs[-1]["roles"] != size:
                    raise RuntimeError("aws export saw %d roles" % refs[-1]["roles"])
        for r in runs[:-1]:
            shutil.rmtree(r["cache"], ignore_errors=True)
        out = {"time": median([r["time"] for r in runs]),
               "ready": median([r["ready"] for r in runs]),
               "grep": median([r["grep"] for r in runs]),
               "cat": median([r["cat"] for r in runs]),
               "grep2": median([r["grep2"] for r in runs]),
               "calls": max(r["calls"] for r in runs), "counts": runs[-1]["counts"],
               "agree": all(r["agree"] for r in runs),
               "disagree": [(r["counts"], r["status_calls"]) for r in runs if not r["agree"]],
               "hwm": max(r["hwm"] for r in runs), "rss": median([r["rss"] for r in runs]),
               "mem": {k: median([r["mem"][k] for r in runs]) for k in MEM_KEYS},
               "cache": runs[-1]["cache"]}
        if refs:
            out["ref_time"] = median([r["time"] for r in refs])
            out["ref_calls"] = max(r["calls"] for r in refs)
            out["ref_rss"] = max(r["maxrss"] for r in refs)
        return out

    # ---- P3 -------------------------------------------------------------
    def boto3_scan(self):
        """What a boto3 user writes to read every role's documents: ListRoles,
        then per role its inline policies and attachments, and each attached
        managed policy's default version once. Latency is switched off (only
        the count matters; 3,000+ calls at 50 ms would take minutes)."""
        self.proxy.reset()
        self.proxy.config(latency_ms=0)
        try:
            iam = self.proxy.client(retries={"total_max_attempts": 3, "mode": "standard"})
            seen, docs = set(), 0
            for page in iam.get_paginator("list_roles").paginate():
                for role in page["Roles"]:
                    name = role["RoleName"]
                    for pp in iam.get_paginator("list_role_policies").paginate(RoleName=name):
                        for pol in pp["PolicyNames"]:
                            iam.get_role_policy(RoleName=name, PolicyName=pol)
                            docs += 1
                    for ap in iam.get_paginator("list_attached_role_policies").paginate(
                            RoleName=name):
                        for att in ap["AttachedPolicies"]:
                            arn = att["PolicyArn"]
                            if arn in seen:
                                continue
                            seen.add(arn)
                            ver = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                            iam.get_policy_version(PolicyArn=arn, VersionId=ver)
            return iam_calls(self.proxy.counts())
        finally:
            self.proxy.config(latency_ms=self.args.latency_ms)

    # ---- P4-P6, P9, P10: warm ------------------------------------------
    def tmpfs_copy(self, src):
        dst = tempfile.mkdtemp(prefix="iamfs-bench-", dir="/dev/shm")
        self.shm.append(dst)
        names = sorted(n for n in os.listdir(src) if n != ".iamfs")
        for i in range(0, len(names), 500):
            subprocess.run(["cp", "-a", "--"] + [os.path.join(src, n) for n in names[i:i + 500]]
                           + [dst], check=True, timeout=CMD_TIMEOUT)
        return dst

    def interleave(self, pairs):
        """pairs: {measure: (mount cmd, its cwd, tmpfs cmd, its cwd, ok codes)}. Runs
        mount, tmpfs, mount, ... for each measure; returns {measure: (median mount,
        median tmpfs)}."""
        out = {}
        for name, (mcmd, mdir, tcmd, tdir, ok) in pairs.items():
            self.run(mcmd, mdir, ok)  # one untimed warm-up on each side
            self.run(tcmd, tdir, ok)
            a, b = [], []
            for _ in range(self.args.runs):
                a.append(self.run(mcmd, mdir, ok))
                b.append(self.run(tcmd, tdir, ok))
            out[name] = (median(a), median(b))
            log("%-10s mount %s  tmpfs %s  ratio %.2f" % (name, fmt_s(out[name][0]),
                                                           fmt_s(out[name][1]),
                                                           out[name][0] / out[name][1]))
        return out

    def fuse_fds(self, pid):
        fds = []
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == "/dev/fuse":
                    fds.append(int(fd))
            except OSError:
                pass
        return fds

    def count_fuse_requests(self, m, cmd, ok=(0,)):
        """FUSE requests the daemon receives while cmd runs: its successful
        reads (or splices) of /dev/fuse, counted with strace, {opcode: n}."""
        fds = self.fuse_fds(m.proc.pid)
        out = os.path.join(self.work, "strace-%d.txt" % time.monotonic_ns())
        st = subprocess.Popen(["strace", "-f", "-qq", "-xx", "-s", "16", "-e",
                               "trace=read,readv,splice", "-o", out, "-p", str(m.proc.pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            tasks = os.listdir("/proc/%d/task" % m.proc.pid)
            while not all(proc_kb_str(m.proc.pid, t, "TracerPid") != "0" for t in tasks):
                if time.monotonic() > deadline or st.poll() is not None:
                    raise RuntimeError("strace did not attach to the daemon")
                time.sleep(0.01)
            self.run(cmd, m.path, ok)
        finally:
            st.send_signal(signal.SIGINT)
            try:
                st.wait(timeout=10)
            except subprocess.TimeoutExpired:
                st.kill()
                st.wait(timeout=10)
        ops = _count_reads(out, fds)
        os.unlink(out)
        return ops

    def fuse_counter(self, st):
        mm = re.search(r"^(?:fuse )?requests(?: total)?: (\d+)$", st, re.M)
        return int(mm.group(1)) if mm else None

    def warm(self, size):
        """P4-P6, P9, P10 idle. The mount's TTL is WARM_TTL so every run is within
        one TTL on a loaded machine too (revalidation is P10's measure)."""
        res = {}
        m = self.mount(ttl=WARM_TTL)
        try:
            self.wait_refreshed(m)
            log("warm phase at %d roles: copying the tree to tmpfs" % size)
            for cmd in (self.GREP, self.CAT, self.FIND, self.LSLR):
                self.run(cmd, m.path, (0, 1))
            a = self.tmpfs_copy(m.path)
            b = tempfile.mkdtemp(prefix="iamfs-bench-", dir="/dev/shm")
            self.shm.append(b)
            subprocess.run(["cp", "-a", a + "/.", b], check=True, timeout=CMD_TIMEOUT)
            nbytes = [subprocess.run(self.CAT_BYTES, cwd=d, shell=True, capture_output=True,
                                     check=True, timeout=CMD_TIMEOUT).stdout.strip()
                      for d in (m.path, a)]
            if nbytes[0] != nbytes[1]:
                raise RuntimeError("the tmpfs copy holds %s bytes, the mount %s" % tuple(nbytes))
            before = self.proxy.counts()
            diff = "git diff --no-index %s %s"
            res["rw"] = self.interleave({
                "grep -r": (self.GREP, m.path, self.GREP, a, (1,)),
                "grep -r, LC_ALL=C": (self.GREP_C, m.path, self.GREP_C, a, (1,)),
                "find": (self.FIND, m.path, self.FIND, a, (0,)),
                "ls -lR": (self.LSLR, m.path, self.LSLR, a, (0,)),
                "ls -l": (self.LSL, m.path, self.LSL, a, (0,)),
                "cat all": (self.CAT, m.path, self.CAT, a, (0,)),
                # the mount against copy a, and copy b against copy a; the mount
                # side also shows .iamfs as an added folder (a few small files).
                "git diff": (diff % (a, m.path), "/", diff % (a, b), "/", (0, 1)),
            })
            after = self.proxy.counts()
            res["warm_calls"] = iam_calls(after) - iam_calls(before)
            st = m.status()
            res["counter"] = self.fuse_counter(st)
            res["repeat"] = {}
            for name, cmd in (("find", self.FIND), ("ls -lR", self.LSLR), ("grep -r", self.GREP),
                              ("cat all", self.CAT), ("ls -l", self.LSL)):
                ok = (1,) if cmd == self.GREP else (0,)
                self.run(cmd, m.path, ok)
                res["repeat"][name] = self.count_fuse_requests(m, cmd, ok)
            self.run(self.GREP, m.path, (1,))
            res["rss"] = proc_kb(m.proc.pid, "VmRSS")
            log("P10: idle mount for %.0f s" % self.args.idle)
            c0 = self.proxy.counts()["_total"]
            time.sleep(self.args.idle)
            res["idle_calls"] = self.proxy.counts()["_total"] - c0
            cache = m.cache_dir
        finally:
            self.unmount(m)
        m = self.mount(cache_dir=cache, args=["--read-only"], ttl=WARM_TTL)
        try:
            self.wait_refreshed(m)
            self.run(self.GREP, m.path, (1,))
            res["ro"] = self.interleave({"grep -r": (self.GREP, m.path, self.GREP, a, (1,))})
            res["repeat"]["grep -r, --read-only"] = self.count_fuse_requests(m, self.GREP, (1,))
        finally:
            self.unmount(m)
        res["ttl"] = self.revalidation(cache)
        return res

    def revalidation(self, cache, ttl=5, seconds=12.0):
        """P10: --ttl 5, read every file in a loop; GAAD chains started (GAAD
        requests without a Marker, i.e. the ones the proxy sends upstream)."""
        m = self.mount(cache_dir=cache, ttl=ttl)
        try:
            self.run(self.CAT, m.path)
            self.wait_refreshed(m)
            self.proxy.reset()
            t = time.monotonic()
            loops = 0
            while time.monotonic() - t < seconds:
                self.run(self.CAT, m.path)
                loops += 1
            took = time.monotonic() - t
            chains = self.proxy.upstream_counts().get(GAAD, 0)
            calls = self.proxy.counts()
        finally:
            self.unmount(m)
        limit = int(took // ttl) + 1
        return {"chains": chains, "limit": limit, "loops": loops, "seconds": took,
                "calls": {k: v for k, v in calls.items() if not k.startswith("_")}}

    # ---- P7 -------------------------------------------------------------
    def remount(self, cache, offline):
        times, names = [], 0
        for _ in range(self.args.runs):
            self.proxy.reset()
            if offline:
                self.proxy.offline(True)
            self.drop_caches()
            m = self.mount(cache_dir=cache, cls=RootMount)
            try:
                times.append(m.ready)
                names = len(os.listdir(m.path))
            finally:
                self.unmount(m)
                self.proxy.reset()
        return median(times), max(times), names

    def baseline_mem(self):
        """A 0-role mount's memory after two `grep -r`: what is not the account's."""
        m = self.mount()
        try:
            self.run(self.GREP, m.path, (1,))
            self.run(self.GREP, m.path, (1,))
            return proc_mem(m.proc.pid)
        finally:
            self.unmount(m)

    def remount_mem(self, cache):
        """Memory of a remount from the cold run's disk copy once its background
        revalidation is over and `grep -r` has read every file twice."""
        self.proxy.reset()
        m = self.mount(cache_dir=cache, ttl=WARM_TTL)
        try:
            self.wait_refreshed(m)
            self.run(self.GREP, m.path, (1,))
            self.run(self.GREP, m.path, (1,))
            return {"mem": proc_mem(m.proc.pid), "calls": iam_calls(self.proxy.counts())}
        finally:
            self.unmount(m)

    def memory(self, size):
        """The --memory run at one size: one cold load and one remount."""
        self.res["cold:%d" % size] = c = self.cold_run(size)
        self.res["remount:%d" % size] = self.remount_mem(c["cache"])
        log("memory at %d roles: cold RssAnon %d KiB, remount RssAnon %d KiB" % (
            size, c["mem"]["RssAnon"], self.res["remount:%d" % size]["mem"]["RssAnon"]))

    # ---- the run --------------------------------------------------------
    def go(self):
        a = self.args
        env = {"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"} if self.fixture.needs_aws_managed else {}
        self.moto = rig.Moto(extra_env=env).start(self.work)
        self.proxy = rig.Proxy(self.moto.url, latency_ms=a.latency_ms, gaad_page_size=1000,
                               log_requests=a.cold_only).start(self.work)
        if a.cold_only:
            return bench_cold.run(self, a.builds)
        self.res["base"] = self.baseline_mem()
        self.res["base_rss"] = self.res["base"]["VmRSS"]
        log("0-role mount RSS %d KiB, RssAnon %d KiB" % (self.res["base_rss"],
                                                        self.res["base"]["RssAnon"]))
        if a.memory:
            for size in a.sizes:
                self.seed_to(size)
                self.memory(size)
            return self.table()
        small, big = a.sizes[0], a.sizes[-1]
        for size in a.sizes:
            self.seed_to(size)
            self.res["moto:%d" % size] = self.moto_gaad_time()
            log("moto answers GAAD at %d roles in %s"
                % (size, fmt_s(self.res["moto:%d" % size])))
            self.res["cold:%d" % size] = self.cold(size, with_reference=(size == small))
            c = self.res["cold:%d" % size]
            log("cold %d roles: %s, %d IAM calls, peak %d KiB" % (size, fmt_s(c["time"]),
                                                                   c["calls"], c["hwm"]))
            if size == small:
                log("P3: boto3 per-role scan")
                self.res["scan"] = self.boto3_scan()
                self.res["warm"] = self.warm(size)
            if size == big:
                log("P7: remounts with the disk cache at %d roles" % size)
                self.res["p7"] = self.remount(c["cache"], offline=False)
                self.res["p7off"] = self.remount(c["cache"], offline=True)
            self.res["remount:%d" % size] = self.remount_mem(c["cache"])
        return self.table()

    def close(self):
        for m in list(self.live):
            try:
                self.unmount(m)
            except Exception as exc:  # keep stopping the rest
                log("unmount %s: %s" % (m.path, exc))
                mount.unmount(m.path)
        for d in self.shm:
            shutil.rmtree(d, ignore_errors=True)
        if self.proxy:
            self.proxy.stop()
        if self.moto:
            self.moto.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    # ---- the table ------------------------------------------------------
    def table(self):
        """Saves the raw measurements (results/latest.json) first, so a failure
        to render loses nothing, then renders the table."""
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        with open(os.path.join(HERE, "results", "latest.json"), "w") as f:
            json.dump({"res": self.res, "notes": self.notes, "sizes": self.args.sizes,
                       "runs": self.args.runs, "idle": self.args.idle,
                       "fixture": self.args.fixture}, f, indent=1, default=str)
        if self.args.memory:
            return bench_table.render_memory(self.res, self.args)
        return bench_table.render(self.res, self.args, self.notes)


def wait_rusage(p, timeout):
    """Waits (bounded) for Popen p; returns (exit status, its peak RSS in KiB)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return p.returncode, ru.ru_maxrss
        if time.monotonic() > deadline:
            p.kill()
            p.wait(timeout=10)
            raise TimeoutError("%s ran over %ss" % (p.args, timeout))
        time.sleep(0.002)


def _opcode(rest):
    """The FUSE opcode in a read's buffer as `strace -xx` prints it ("\\x50\\x00..."),
    with the node id for requests about one node that a warm repeat should not send."""
    m = re.match(r'\s*"((?:\\x[0-9a-f]{2}){16})', rest)
    if not m:
        return "?"
    raw = bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-f]{2})", m.group(1)))
    op = int.from_bytes(raw[4:8], "little")
    name = FUSE_OPS.get(op, "op%d" % op)
    if name in ("GETATTR", "LOOKUP", "OPENDIR", "READDIR", "READDIRPLUS"):
        node = int.from_bytes(raw[8:16], "little")
        name += "(root)" if node == 1 else "(node %d)" % node
    return name


def _count_reads(path, fds):
    """Successful read/readv/splice calls on one of fds in an `strace -f -xx` log,
    by FUSE opcode, following calls strace split into "<unfinished ...>" and
    "resumed". Returns {opcode name: n}."""
    call = re.compile(r"^(\d+)\s+(?:read|readv|splice)\((\d+),(.*)$")
    resumed = re.compile(r"^(\d+)\s+<\.\.\. (?:read|readv|splice) resumed>(.*)$")
    result = re.compile(r"\)\s+=\s+(\d+)")
    pending, ops = {}, {}
    with open(path) as f:
        for line in f:
            m = call.match(line)
            if m:
                fd, rest = int(m.group(2)), m.group(3)
                if rest.rstrip().endswith("<unfinished ...>"):
                    pending[m.group(1)] = fd
                    continue
            else:
                m = resumed.match(line)
                if not m or m.group(1) not in pending:
                    continue
                fd, rest = pending.pop(m.group(1)), m.group(2)
            r = result.search(rest)
            if fd in fds and r and int(r.group(1)) > 0:
                name = _opcode(rest)
                ops[name] = ops.get(name, 0) + 1
    return ops


def proc_kb_str(pid, tid, key):
    try:
        with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split()[1]
    except OSError:
        return "gone"
    return "0"


def main():
    if os.geteuid() != 0:
        print("bench.py needs root (drop_caches)", file=sys.stderr)
        return 2
    if not os.access(rig.IAMFS, os.X_OK):
        print("no daemon at %s: build it first" % rig.IAMFS, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    b = Bench(ARGS)
    started = time.monotonic()
    try:
        text = b.go()
    finally:
        b.close()
    head = "# iamfs benchmark, %s\n\n%s; %d cores; kernel %s; iamfs %s; %s fixture; " \
           "%d runs per median; proxy latency %d ms; run took %.0f s.\n\n" % (
               datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), platform.node(),
               os.cpu_count(), platform.release(), git_head(), ARGS.fixture, ARGS.runs,
               ARGS.latency_ms, time.monotonic() - started)
    text = head + text
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.md"), "w") as f:
        f.write(text)
    print(text)
    return 0


def git_head():
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                       text=True, timeout=10)
    return r.stdout.strip() or "?"


if __name__ == "__main__":
    sys.exit(main())
