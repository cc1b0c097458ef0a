"""The acceptance test: the AWS Step Functions guide done from a shell on the
mount, then checked with the aws CLI. Create `states-lambda-role` (mkdir, a
role.json with its description, `cp` of a trust policy naming
swf.amazonaws.com), attach AWSLambdaRole with `touch`, then change the trust
to states.us-east-1.amazonaws.com with vim. Every IAM call is counted by the
proxy: exactly one CreateRole, one AttachRolePolicy and one
UpdateAssumeRolePolicy are written, and nothing else is.
"""
import json
import os
import shutil
import subprocess

import editors
from saverig import (NEW_SERVICE, OLD_SERVICE, ROLE, mounts, rendered, trust,  # noqa: F401
                     writes_of)

LAMBDA_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
DESCRIPTION = "Allows Step Functions to call AWS Lambda on your behalf"


def sh(script, cwd, home):
    """Runs a shell script (bash -e) as a user would type it; returns its stdout."""
    r = subprocess.run(["bash", "-ec", script], cwd=cwd, env=editors.editor_env(home),
                       capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, (script, r.stdout, r.stderr)
    return r.stdout.decode()


def aws(server, *args):
    """The aws CLI against moto itself (not counted by the proxy); its JSON answer."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    r = subprocess.run([shutil.which("aws") or "aws", "iam"] + list(args) +
                       ["--endpoint-url", server.url, "--output", "json"],
                       env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_step_functions_guide_from_a_shell(managed_peer, mounts, tmp_path):
    server, proxy = managed_peer
    server.reset()
    m = mounts(proxy.url)
    home = m.home
    work = tmp_path / "work"
    work.mkdir()
    (work / "swf-trust.json").write_bytes(rendered(trust(OLD_SERVICE)))
    proxy.reset()

    sh("mkdir %s" % m.p(ROLE), work, home)
    sh("printf '{\"Description\": \"%s\"}\\n' > %s" % (DESCRIPTION, m.p(ROLE, "role.json")),
       work, home)
    assert writes_of(proxy.counts()) == {}, "a pending role sends nothing"
    sh("cp swf-trust.json %s" % m.p(ROLE, "trust.json"), work, home)
    sh("touch %s" % m.p(ROLE, "attached", "AWSLambdaRole.json"), work, home)
    r = editors.vim_ex(m.p(ROLE, "trust.json"), OLD_SERVICE, NEW_SERVICE, home)
    assert r.returncode == 0, r.stderr

    assert writes_of(proxy.counts()) == {
        "CreateRole": 1, "AttachRolePolicy": 1, "UpdateAssumeRolePolicy": 1}, proxy.counts()

    role = aws(server, "get-role", "--role-name", ROLE)["Role"]
    assert role["AssumeRolePolicyDocument"] == trust(NEW_SERVICE)
    assert role["Description"] == DESCRIPTION
    attached = aws(server, "list-attached-role-policies", "--role-name", ROLE)
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [LAMBDA_ROLE]

    # The tree shows what IAM holds: the attached policy's document, role.json's list.
    version = aws(server, "get-policy", "--policy-arn", LAMBDA_ROLE)["Policy"]["DefaultVersionId"]
    doc = aws(server, "get-policy-version", "--policy-arn", LAMBDA_ROLE, "--version-id",
              version)["PolicyVersion"]["Document"]
    assert json.loads(m.read(ROLE, "attached", "AWSLambdaRole.json")) == doc
    shown = json.loads(m.read(ROLE, "role.json"))
    assert shown["AttachedPolicies"] == [LAMBDA_ROLE]
    assert shown["Description"] == DESCRIPTION
    assert json.loads(m.read(ROLE, "trust.json")) == trust(NEW_SERVICE)
    assert sorted(os.listdir(m.p(ROLE))) == ["attached", "inline", "role.json", "trust.json"]
    assert m.read(".iamfs", "errors") == b""
