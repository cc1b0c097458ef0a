"""Retries of the C IAM client (tests/tools/iamtool) through tests/proxy.py in
front of moto: throttling, 5xx and dropped connections are retried inside the
time budget; validation errors are not; GAAD pages are followed to the end.
The proxy counts every request the client sent."""
import json
import os
import subprocess
import time
import uuid

import pytest

import rig

IAMTOOL = os.path.join(rig.TOOLS, "iamtool")
TOOL_TIMEOUT = 60
# Process start, credential lookup and answer parsing on top of the budget.
SLACK_S = 2.5


def trust():
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]})


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    empty = tmp_path / "empty"
    empty.write_text("")
    e.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
              "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": str(empty),
              "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_EC2_METADATA_DISABLED": "true"})
    return e


@pytest.fixture
def role(moto):
    name = "retry-%s" % uuid.uuid4().hex[:8]
    moto.client().create_role(RoleName=name, AssumeRolePolicyDocument=trust())
    return name


def run_tool(proxy, env, action, *kv, options=()):
    """Runs iamtool against the proxy: (exit status, stdout JSON, calls, seconds)."""
    cmd = [IAMTOOL, "--endpoint-url", proxy.url, *options, action]
    cmd += ["%s=%s" % (k, v) for k, v in kv]
    start = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=TOOL_TIMEOUT, text=True)
    elapsed = time.monotonic() - start
    assert p.returncode in (0, 1), p.stderr
    calls = None
    for line in p.stderr.splitlines():
        if line.startswith('{"calls"'):
            calls = json.loads(line)["calls"]
    return p.returncode, json.loads(p.stdout), calls, elapsed


def test_two_throttles_then_success(proxy, env, role):
    proxy.fault("GetRole", "throttle", count=2)
    rc, out, calls, _ = run_tool(proxy, env, "GetRole", ("RoleName", role))
    assert rc == 0, out
    assert out["Role"]["RoleName"] == role
    assert proxy.counts()["GetRole"] == 3
    assert calls == {"GetRole": 3}


def test_persistent_throttling_is_eagain_within_budget(proxy, env, role):
    proxy.fault("GetRole", "throttle", count=-1)
    budget_ms = 1500
    rc, out, calls, elapsed = run_tool(proxy, env, "GetRole", ("RoleName", role),
                                       options=("--budget-ms", str(budget_ms),
                                                "--max-attempts", "20"))
    assert rc == 1
    assert out["error"] == "Throttling" and out["errno"] == "EAGAIN"
    assert out["http_status"] == 400
    sent = proxy.counts()["GetRole"]
    assert sent == out["attempts"] == calls["GetRole"]
    assert 2 <= sent < 20, "backoff must space the attempts out"
    assert elapsed < budget_ms / 1000 + SLACK_S


def test_max_attempts_from_environment(proxy, env, role):
    proxy.fault("GetRole", "throttle", count=-1)
    env["AWS_MAX_ATTEMPTS"] = "2"
    rc, out, _, _ = run_tool(proxy, env, "GetRole", ("RoleName", role),
                             options=("--budget-ms", "10000"))
    assert rc == 1 and out["errno"] == "EAGAIN"
    assert proxy.counts()["GetRole"] == 2 and out["attempts"] == 2


def test_dropped_connection_is_retried(proxy, env, role):
    proxy.fault("GetRole", "drop", count=1)
    rc, out, calls, _ = run_tool(proxy, env, "GetRole", ("RoleName", role))
    assert rc == 0, out
    assert out["Role"]["RoleName"] == role
    assert proxy.counts()["GetRole"] == 2
    assert calls == {"GetRole": 2}


def test_5xx_is_retried(proxy, env, role):
    proxy.fault("GetRole", "status", count=2, status=503)
    rc, out, calls, _ = run_tool(proxy, env, "GetRole", ("RoleName", role))
    assert rc == 0, out
    assert proxy.counts()["GetRole"] == 3
    assert calls == {"GetRole": 3}


def test_persistent_5xx_is_eio(proxy, env, role):
    proxy.fault("GetRole", "status", count=-1, status=500)
    rc, out, _, elapsed = run_tool(proxy, env, "GetRole", ("RoleName", role),
                                   options=("--budget-ms", "1000", "--max-attempts", "3"))
    assert rc == 1
    assert out["errno"] == "EIO" and out["http_status"] == 500
    assert proxy.counts()["GetRole"] == 3
    assert elapsed < 1.0 + SLACK_S


def test_offline_is_eio_within_budget(proxy, env, role):
    proxy.offline(True)
    rc, out, _, elapsed = run_tool(proxy, env, "GetRole", ("RoleName", role),
                                   options=("--budget-ms", "1000"))
    assert rc == 1
    assert out["errno"] == "EIO" and out["http_status"] == 0
    assert out["error"] == "ConnectionError"
    assert out["attempts"] >= 2
    assert elapsed < 1.0 + SLACK_S


def test_validation_error_is_not_retried(proxy, env, role):
    rc, out, calls, _ = run_tool(proxy, env, "PutRolePolicy", ("RoleName", role),
                                 ("PolicyName", "bad"),
                                 ("PolicyDocument", '{"Version": "2012-10-17"}'))
    assert rc == 1
    assert out["error"] == "MalformedPolicyDocument" and out["errno"] == "EINVAL"
    assert out["http_status"] == 400 and out["attempts"] == 1
    assert proxy.counts()["PutRolePolicy"] == 1
    assert calls == {"PutRolePolicy": 1}


def test_access_denied_is_not_retried(proxy, env, role):
    proxy.fault("GetRole", "denied", count=-1)
    rc, out, _, _ = run_tool(proxy, env, "GetRole", ("RoleName", role))
    assert rc == 1
    assert out["error"] == "AccessDenied" and out["errno"] == "EACCES"
    assert proxy.counts()["GetRole"] == 1


def test_gaad_paging_through_proxy(proxy, moto, env):
    moto.reset()
    iam = moto.client()
    names = ["gaad-%02d" % i for i in range(11)]
    for n in names:
        iam.create_role(RoleName=n, AssumeRolePolicyDocument=trust())
        iam.put_role_policy(RoleName=n, PolicyName="p", PolicyDocument=rig.ADMIN_POLICY)
    proxy.config(gaad_page_size=3)
    rc, out, calls, _ = run_tool(proxy, env, "GetAccountAuthorizationDetails",
                                 ("Filter", "Role"), options=("--page-size", "3"))
    assert rc == 0, out
    got = [r["RoleName"] for r in out["RoleDetailList"]]
    assert sorted(got) == names, "every role exactly once"
    assert all(r["RolePolicyList"][0]["PolicyName"] == "p" for r in out["RoleDetailList"])
    assert out["Pages"] == 4
    assert proxy.counts()["GetAccountAuthorizationDetails"] == 4
    assert calls == {"GetAccountAuthorizationDetails": 4}


def test_gaad_throttled_page_is_retried(proxy, moto, env):
    moto.reset()
    iam = moto.client()
    for i in range(7):
        iam.create_role(RoleName="gt-%d" % i, AssumeRolePolicyDocument=trust())
    proxy.config(gaad_page_size=3)
    proxy.fault("GetAccountAuthorizationDetails", "throttle", count=1)
    rc, out, _, _ = run_tool(proxy, env, "GetAccountAuthorizationDetails",
                             ("Filter", "Role"), options=("--page-size", "3"))
    assert rc == 0, out
    assert sorted(r["RoleName"] for r in out["RoleDetailList"]) == \
        ["gt-%d" % i for i in range(7)]
    assert proxy.counts()["GetAccountAuthorizationDetails"] == 4
