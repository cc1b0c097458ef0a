"""Shared test rig: paths, free ports, bounded waits, and the moto server.

Every suite starts real peers through this module so that they are started,
waited for and stopped the same way. moto runs in its own Python (the one that
has it: $IAMFS_MOTO_PYTHON, else `python3` on PATH); pytest and boto3 run in
Debian's Python.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("IAMFS_BUILD", os.path.join(ROOT, "build"))
TOOLS = os.path.join(BUILD, "tests")
IAMFS = os.path.join(BUILD, "iamfs")

# The account moto uses for every request.
MOTO_ACCOUNT = "123456789012"
ADMIN_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20.0, proc=None):
    """Waits until 127.0.0.1:port accepts a connection, at most timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("process exited with %s before listening" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("nothing listens on port %d after %.0fs" % (port, timeout))


def moto_python():
    exe = os.environ.get("IAMFS_MOTO_PYTHON")
    if exe:
        return exe
    for cand in ("python3", sys.executable):
        path = shutil.which(cand) or cand
        try:
            subprocess.run([path, "-c", "import moto.server"], check=True,
                           capture_output=True, timeout=60)
            return path
        except (OSError, subprocess.SubprocessError):
            continue
    raise RuntimeError("no Python with moto[server]; set IAMFS_MOTO_PYTHON")


def stop_process(proc, timeout=10.0):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


class Moto:
    """A moto server on 127.0.0.1; start() returns self, stop() always stops it."""

    def __init__(self, extra_env=None):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.extra_env = extra_env or {}
        self.log_path = None

    def start(self, logdir=None):
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1"})
        env.update(self.extra_env)
        logdir = logdir or "/tmp"
        self.log_path = os.path.join(logdir, "moto-%d.log" % self.port)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [moto_python(), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        log.close()
        wait_port(self.port, timeout=60, proc=self.proc)
        return self

    def stop(self):
        stop_process(self.proc)

    def post(self, path, body=b"", content_type="application/json"):
        req = urllib.request.Request(self.url + path, data=body, method="POST",
                                     headers={"Content-Type": content_type})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()

    def reset(self):
        """Forgets every resource (auth checking stays as it is)."""
        self.post("/moto-api/reset")

    def client(self, service="iam", key="testing", secret="testing", token=None):
        import boto3
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            aws_session_token=token)

    def enable_auth(self):
        """Creates an admin user with a key, then switches signature and
        permission checking on (POST /moto-api/reset-auth with body 0, after
        an admin key exists). Returns (key id, secret)."""
        iam = self.client()
        iam.create_user(UserName="admin")
        iam.put_user_policy(UserName="admin", PolicyName="admin", PolicyDocument=ADMIN_POLICY)
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        self.post("/moto-api/reset-auth", b"0", content_type="text/plain")
        return key["AccessKeyId"], key["SecretAccessKey"]


PROXY = os.path.join(ROOT, "tests", "proxy.py")


class Proxy:
    """tests/proxy.py in front of an upstream (moto): counts requests per
    Action, adds latency, injects faults, pages GAAD. start() returns self with
    .url/.port; stop() always stops it. Control calls raise on any non-200."""

    def __init__(self, upstream_url, latency_ms=0, gaad_page_size=None, log_requests=False,
                 python=None, upstream_timeout=None):
        self.upstream_timeout = upstream_timeout
        self.python = python or sys.executable or "/usr/bin/python3"
        self.upstream_url = upstream_url
        self.latency_ms = latency_ms
        self.gaad_page_size = gaad_page_size
        self.log_requests = log_requests
        self.port = None
        self.url = None
        self.proc = None
        self.log_path = None

    def start(self, logdir=None):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        cmd = [self.python, PROXY, "--upstream", self.upstream_url,
               "--port", str(self.port), "--latency-ms", str(self.latency_ms)]
        if self.gaad_page_size is not None:
            cmd += ["--gaad-page-size", str(self.gaad_page_size)]
        if self.log_requests:
            cmd.append("--log-requests")
        if self.upstream_timeout is not None:
            cmd += ["--upstream-timeout", str(self.upstream_timeout)]
        self.log_path = os.path.join(logdir or "/tmp", "proxy-%d.log" % self.port)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        try:
            wait_port(self.port, timeout=20, proc=self.proc)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        stop_process(self.proc)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _call(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data,
                                     method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    def counts(self):
        """{"Action": n, ..., "_total": n} of requests clients sent (faulted,
        paged and failed ones included); "_dropped": n while offline dropped any."""
        return self._call("/_proxy/counts")

    def keys(self):
        """{"ACCESS KEY ID": {"Action": n, ..., "_first": t, "_last": t}}: the
        requests each signing key sent, first start and last end (monotonic)."""
        return self._call("/_proxy/keys")

    def upstream_counts(self):
        """The same, for the requests the proxy itself sent to the upstream."""
        return self._call("/_proxy/upstream-counts")

    def times(self):
        """[{"action", "arrived", "answered"}, ...] of the requests since the last
        reset, in the order they were answered (the proxy's monotonic seconds)."""
        return self._call("/_proxy/times")

    def settings(self):
        """{"latency_ms", "gaad_page_size", "offline", "faults", "chains"}."""
        return self._call("/_proxy/config")

    def reset(self):
        """Zeroes counts, clears faults, turns offline off (config stays)."""
        self._call("/_proxy/reset", {})

    def config(self, **kw):
        """config(latency_ms=50, gaad_page_size=1000); either key optional."""
        self._call("/_proxy/config", kw)

    def fault(self, action, kind, count=1, status=None, when=None, **extra):
        """The next `count` requests for action ("*" = any) fail as kind (-1 = until
        cleared): throttle, status (HTTP status, default 503; code= and message=
        make it IAM's answer, e.g. status=400, code="MalformedPolicyDocument"), drop,
        denied, reset,
        delay (delay_ms=), truncate or short (keep= bytes of the body), rewrite
        (body=, or pattern= and replace=). when="after" lets moto apply the call
        first and faults its answer; "before" (the default) never reaches moto."""
        body = {"action": action, "kind": kind, "count": count}
        if status is not None:
            body["status"] = status
        if when is not None:
            body["when"] = when
        body.update(extra)
        self._call("/_proxy/fault", body)

    def clear_faults(self):
        self._call("/_proxy/clear-faults", {})

    def offline(self, on=True):
        self._call("/_proxy/offline", {"offline": bool(on)})

    def client(self, service="iam", key="testing", secret="testing", token=None, **config):
        """A boto3 client whose endpoint is this proxy (no retries unless asked)."""
        import boto3
        from botocore.config import Config
        config.setdefault("retries", {"total_max_attempts": 1, "mode": "standard"})
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            aws_session_token=token, config=Config(**config))
