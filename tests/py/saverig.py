"""What the saving suites share: a seeded account, the mounts fixture that
fails a test on daemon stderr errors (refusals a test expects may be allowed by
pattern; sanitizer reports never are), IAM snapshots read with boto3 straight
from moto, and checks on the proxy's per-Action counts (one save = one write
call and at most one read). Test modules import the fixtures from here.
"""
import json
import os
import re
import signal
import subprocess
import threading
import time

import pytest

import mount as mnt

ROLE = "states-lambda-role"
CUST = "cust-ec2"
WORKERS = ["worker-%d" % i for i in range(8)]
DOOMED = "doomed-role"
# The Step Functions guide's example edit: swf.amazonaws.com -> states.us-east-1....
OLD_SERVICE = "swf.amazonaws.com"
NEW_SERVICE = "states.us-east-1.amazonaws.com"

# kind -> (path inside the mount, the write call, text replaced, replacement)
TARGETS = {
    "trust": (ROLE + "/trust.json", "UpdateAssumeRolePolicy", OLD_SERVICE, NEW_SERVICE),
    "inline": (ROLE + "/inline/s3-read.json", "PutRolePolicy", "s3:GetObject", "s3:PutObject"),
    "attached": (ROLE + "/attached/" + CUST + ".json", "CreatePolicyVersion",
                 "ec2:DescribeInstances", "ec2:GetConsoleOutput"),
}
READ_PREFIXES = ("Get", "List")
SANITIZER = re.compile(r"(^==\d+==|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
                       r"runtime error:)", re.M)


def trust(service):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def policy(actions, resource="*"):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": actions, "Resource": resource}]}


def rendered(value):
    """The bytes a policy file serves (README, Reading): 4-space indent, IAM's key order, UTF-8, one newline."""
    return (json.dumps(value, indent=4, ensure_ascii=False) + "\n").encode()


def seed(iam):
    """The account every saving test starts from (moto reset first)."""
    arn = iam.create_policy(PolicyName=CUST, PolicyDocument=json.dumps(
        policy(["ec2:DescribeInstances"])))["Policy"]["Arn"]
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust(OLD_SERVICE)))
    iam.put_role_policy(RoleName=ROLE, PolicyName="s3-read", PolicyDocument=json.dumps(
        policy(["s3:GetObject", "s3:ListBucket"])))
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn)
    for name in WORKERS + [DOOMED]:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
            trust("lambda.amazonaws.com")))
        iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=json.dumps(
            policy(["logs:PutLogEvents"])))
    return arn


def cust_arn():
    return "arn:aws:iam::123456789012:policy/" + CUST


def snapshot(iam):
    """Everything a save could touch, as moto holds it: {role: {trust, inline{}, attached[]},
    "policies": {name: [(version, default, document)]}}."""
    out = {"roles": {}, "policies": {}}
    for page in iam.get_paginator("list_roles").paginate():
        for r in page["Roles"]:
            name = r["RoleName"]
            role = iam.get_role(RoleName=name)["Role"]
            inline = {}
            for pname in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                inline[pname] = iam.get_role_policy(RoleName=name,
                                                    PolicyName=pname)["PolicyDocument"]
            att = sorted(a["PolicyArn"] for a in
                         iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"])
            out["roles"][name] = {"trust": role["AssumeRolePolicyDocument"], "inline": inline,
                                  "attached": att}
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for p in page["Policies"]:
            vers = []
            for v in iam.list_policy_versions(PolicyArn=p["Arn"])["Versions"]:
                doc = iam.get_policy_version(PolicyArn=p["Arn"],
                                             VersionId=v["VersionId"])["PolicyVersion"]
                vers.append((v["VersionId"], v["IsDefaultVersion"], doc["Document"]))
            out["policies"][p["PolicyName"]] = sorted(vers)
    return out


def remote_doc(iam, kind, role=ROLE):
    """The document IAM holds now for a TARGETS kind."""
    if kind == "trust":
        return iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    if kind == "inline":
        return iam.get_role_policy(RoleName=role, PolicyName="s3-read")["PolicyDocument"]
    pol = iam.get_policy(PolicyArn=cust_arn())["Policy"]
    return iam.get_policy_version(PolicyArn=cust_arn(),
                                  VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]


def expect_snapshot_after(before, kind, new_value, role=ROLE):
    """before with only the saved document replaced (a new default version for attached)."""
    want = json.loads(json.dumps(before))
    if kind == "trust":
        want["roles"][role]["trust"] = new_value
    elif kind == "inline":
        want["roles"][role]["inline"]["s3-read"] = new_value
    return want


def strip_versions(snap):
    """The snapshot without policy version lists (compared separately)."""
    return {"roles": snap["roles"], "policies": sorted(snap["policies"])}


def writes_of(counts):
    return {a: n for a, n in counts.items()
            if not a.startswith("_") and not a.startswith(READ_PREFIXES)}


def reads_of(counts):
    return sum(n for a, n in counts.items() if a.startswith(READ_PREFIXES))


def assert_one_save(counts, action):
    """Exactly one write call, the right one, and at most one read (the conflict check)."""
    assert writes_of(counts) == {action: 1}, counts
    assert reads_of(counts) <= 1, counts


def wait_until(fn, timeout=20.0, interval=0.05, what="condition"):
    """Polls fn until it returns a true value; returns it, or fails after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except OSError as e:
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(interval)
    pytest.fail("%s not met within %.0fs (last: %r)" % (what, timeout, last))


def bounded(fn, timeout, what="call"):
    """Runs fn in a thread; returns its result or raises what it raised; fails the test
    when it has not returned after timeout seconds (the mount's teardown unblocks it)."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: B902 - handed to the caller
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        pytest.fail("%s still blocked after %.0fs" % (what, timeout))
    if "error" in box:
        raise box["error"]
    return box.get("value")


def write_and_close(path, data, timeout=60, flags=os.O_WRONLY | os.O_TRUNC):
    """open(flags, 0644), write data (None: nothing), close: returns the errno of close
    (0 when it worked)."""
    fd = os.open(path, flags, 0o644)
    try:
        if data is not None:
            os.write(fd, data)
    except OSError:
        os.close(fd)
        raise

    def close():
        try:
            os.close(fd)
            return 0
        except OSError as e:
            return e.errno
    return bounded(close, timeout, "close of " + path)


def kill_daemon(m):
    """SIGKILL the daemon of mount m and lazily unmount what it leaves behind."""
    m.killed = True
    os.kill(m.proc.pid, signal.SIGKILL)
    m.proc.wait(timeout=10)
    subprocess.run(["fusermount3", "-uz", m.path], capture_output=True, timeout=15)
    assert not mnt.unmount(m.path)


def kill_while_held(m, proxy, argv, action, hold_ms):
    """Runs the writer argv into mount m with every call held hold_ms by proxy and
    SIGKILLs the daemon once action (None: any call) reached the proxy; the writer
    is reaped and calls flow again. Returns the writer's exit code."""
    proxy.config(latency_ms=hold_ms)
    writer = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: proxy.counts().get(action or "_total", 0) >= 1,
                   hold_ms / 1000 * 3 + 10, what="%s reached the proxy" % (action or "a call"))
        kill_daemon(m)
        writer.wait(timeout=20)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(timeout=10)
        proxy.config(latency_ms=0)
    return writer.returncode


def errors_text(m):
    return m.read(".iamfs", "errors").decode("utf-8", "replace")


def rejected_files(m):
    """{name: bytes} of .iamfs/rejected/."""
    d = m.p(".iamfs", "rejected")
    out = {}
    for name in os.listdir(d):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


@pytest.fixture
def account(moto, proxy):
    """A clean moto account seeded by seed(); yields (boto3 iam on moto, proxy)."""
    moto.reset()
    iam = moto.client()
    seed(iam)
    proxy.reset()
    yield iam, proxy
    proxy.reset()
    proxy.config(latency_ms=0)


@pytest.fixture
def mounts(tmp_path):
    """mounts(endpoint, allow=None, **Mount kwargs) starts a mount (ttl 3600 unless
    given); all are stopped at the end. The test fails when a daemon exited
    non-zero or its stderr has a sanitizer report, or an " error: " line that the
    allow pattern (the refusals the test provokes) does not match."""
    started = []

    def make(endpoint, allow=None, **kw):
        kw.setdefault("ttl", 3600)
        name = kw.pop("name", "mnt%d" % len(started))
        m = mnt.Mount(endpoint, kw.pop("workdir", tmp_path), name=name, **kw)
        m.allow = re.compile(allow) if allow else None
        m.killed = False
        started.append(m)
        return m.start()

    yield make
    problems = []
    for m in started:
        rc = m.stop()
        if rc not in (0, None) and not m.killed:
            problems.append("%s: exit status %s" % (m.path, rc))
        for line in m.stderr().splitlines():
            if SANITIZER.search(line):
                problems.append("%s: %s" % (m.path, line))
            elif mnt.BAD_STDERR.search(line) and not (m.allow and m.allow.search(line)):
                problems.append("%s: %s" % (m.path, line))
    assert not problems, "\n".join(problems)
