"""Starting and stopping the iamfs daemon for pytest suites.

Mount runs build/iamfs in the foreground (-f) against an IAM endpoint (moto,
usually through tests/proxy.py), with throwaway credentials and a private
HOME, and waits (bounded) until .iamfs/status can be read. stop() always
unmounts (fusermount3 -u, lazily -uz when busy) and stops the daemon; its
stderr is kept so a test can fail on errors or sanitizer reports.
"""
import collections
import os
import re
import subprocess
import time

import rig

# Lines of daemon stderr that fail a test: our own error lines ("iamfs <time> error: ...",
# "iamfs: ..."), and any sanitizer report. (libfuse's -d trace has "error: -2" lines.)
BAD_STDERR = re.compile(r"(^iamfs \S+ error: |^iamfs: |^==\d+==|AddressSanitizer|"
                        r"LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)", re.M)


def iamfs_env(endpoint_url, home, extra=None):
    """The daemon's environment: only what the tests choose, no real AWS settings.
    extra adds variables; a value of None removes one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.path.join(home, "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "aws-credentials"),
        "HOME": home,
        "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
    })
    env.pop("XDG_CACHE_HOME", None)
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run_iamfs(args, env, timeout=60):
    """Runs iamfs to completion (startup failures); returns CompletedProcess (text)."""
    return subprocess.run([rig.IAMFS] + list(args), env=env, capture_output=True, text=True,
                          timeout=timeout)


def unmount(path, timeout=15):
    """fusermount3 -u, then lazily (-uz) when that fails. True when something was mounted."""
    if not os.path.ismount(path):
        return False
    r = subprocess.run(["fusermount3", "-u", path], capture_output=True, timeout=timeout)
    if r.returncode != 0:
        subprocess.run(["fusermount3", "-uz", path], capture_output=True, timeout=timeout)
    return True


class Mount:
    """One iamfs mount. start() returns self; stop() always unmounts and stops it."""

    def __init__(self, endpoint_url, workdir, args=(), cache_dir=None, ttl=None, env=None,
                 name="mnt"):
        self.workdir = str(workdir)
        self.path = os.path.join(self.workdir, name)
        self.home = os.path.join(self.workdir, "home")
        self.cache_dir = cache_dir or os.path.join(self.workdir, "cache")
        self.endpoint_url = endpoint_url
        self.args = list(args)
        if ttl is not None:
            self.args += ["--ttl", str(ttl)]
        self.extra_env = env or {}
        self.proc = None
        self.stderr_path = None
        self.returncode = None

    def start(self, timeout=60):
        os.makedirs(self.path, exist_ok=True)
        os.makedirs(self.home, exist_ok=True)
        n = 0
        while True:
            self.stderr_path = os.path.join(self.workdir, "iamfs-%d.stderr" % n)
            if not os.path.exists(self.stderr_path):
                break
            n += 1
        err = open(self.stderr_path, "wb")
        cmd = [rig.IAMFS, "-f", "--cache-dir", self.cache_dir] + self.args + [self.path]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err,
                                     env=iamfs_env(self.endpoint_url, self.home, self.extra_env))
        err.close()
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, timeout):
        status = os.path.join(self.path, ".iamfs", "status")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("iamfs exited with %s: %s"
                                   % (self.proc.returncode, self.stderr()))
            if os.path.ismount(self.path):
                try:
                    with open(status, "rb") as f:
                        # Ready once the AWS managed documents fetched ahead of
                        # reads are in too, so a test's call counts start after them.
                        if b"\nprefetch: " not in f.read():
                            return
                except OSError:
                    pass
            time.sleep(0.05)
        raise TimeoutError("iamfs did not serve %s within %ss" % (status, timeout))

    def stderr(self):
        if not self.stderr_path or not os.path.exists(self.stderr_path):
            return ""
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def bad_stderr(self):
        """The lines of daemon stderr that report errors or sanitizer findings."""
        return [line for line in self.stderr().splitlines() if BAD_STDERR.search(line)]

    def fuse_ops(self):
        """Counter of FUSE requests by opcode, from the -d trace on stderr."""
        return collections.Counter(re.findall(r"opcode: (\w+) \(\d+\)", self.stderr()))

    def p(self, *parts):
        return os.path.join(self.path, *parts)

    def read(self, *parts):
        with open(self.p(*parts), "rb") as f:
            return f.read()

    def status(self):
        return self.read(".iamfs", "status").decode()

    def refresh(self):
        with open(self.p(".iamfs", "refresh"), "w") as f:
            f.write("1\n")

    def stop(self, timeout=20):
        """Unmounts and waits for the daemon; returns its exit status."""
        if self.proc is None:
            return self.returncode
        try:
            unmount(self.path)
        finally:
            try:
                self.returncode = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                rig.stop_process(self.proc)
                unmount(self.path)
                self.returncode = self.proc.returncode
            self.proc = None
        return self.returncode
