"""The C IAM client (through tests/tools/iamtool) against moto with signature and
permission checking on. Every call of aws/iam.h runs with static keys, with STS
temporary credentials from the environment, and through a role_arn +
source_profile profile; results are compared with what boto3 reads from moto.
Also: a wrong secret, a user without permission, and ListRoles paging."""
import json
import os
import subprocess
import uuid

import pytest

import rig

IAMTOOL = os.path.join(rig.TOOLS, "iamtool")
ACCOUNT = rig.MOTO_ACCOUNT
TOOL_TIMEOUT = 120


def doc(stmt_action="s3:GetObject", resource="*"):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": stmt_action,
                                      "Resource": resource}]})


def trust(principal):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Principal": principal,
                                      "Action": "sts:AssumeRole"}]})


def clean_env(tmp_path):
    """An environment with no AWS settings of the caller's: empty shared files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    cfg = tmp_path / "empty-config"
    cfg.write_text("")
    env.update({"AWS_CONFIG_FILE": str(cfg), "AWS_SHARED_CREDENTIALS_FILE": str(cfg),
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1"})
    return env


def run_tool(url, env, action, *kv, options=()):
    """Runs iamtool; returns (exit status, stdout JSON, stderr calls JSON)."""
    cmd = [IAMTOOL, "--endpoint-url", url, "--sts-endpoint-url", url, *options, action]
    cmd += ["%s=%s" % (k, v) for k, v in kv]
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=TOOL_TIMEOUT, text=True)
    assert p.returncode in (0, 1), p.stderr
    out = json.loads(p.stdout) if p.stdout.strip() else None
    calls = None
    for line in p.stderr.splitlines():
        if line.startswith('{"calls"'):
            calls = json.loads(line)["calls"]
    return p.returncode, out, calls


def ok(url, env, action, *kv, options=()):
    rc, out, _ = run_tool(url, env, action, *kv, options=options)
    assert rc == 0, out
    return out


@pytest.fixture(scope="module")
def account(moto_auth):
    """Admin boto3 client, plus a role to assume with full permissions."""
    server, (key, secret) = moto_auth
    iam = server.client(key=key, secret=secret)
    assumable = "iamtool-assumable"
    # moto matches a trust policy's AWS principal against the caller's exact ARN
    # (not the account root as IAM does), so both are named.
    iam.create_role(RoleName=assumable, AssumeRolePolicyDocument=trust(
        {"AWS": ["arn:aws:iam::%s:root" % ACCOUNT, "arn:aws:iam::%s:user/admin" % ACCOUNT]}))
    iam.put_role_policy(RoleName=assumable, PolicyName="all", PolicyDocument=rig.ADMIN_POLICY)
    return {"server": server, "key": key, "secret": secret, "iam": iam,
            "assumable_arn": "arn:aws:iam::%s:role/%s" % (ACCOUNT, assumable)}


def creds_env(account, mode, tmp_path):
    """(environment, extra options, boto3 credentials kwargs) for a credential mode."""
    env = clean_env(tmp_path)
    server = account["server"]
    if mode == "static":
        env.update({"AWS_ACCESS_KEY_ID": account["key"],
                    "AWS_SECRET_ACCESS_KEY": account["secret"]})
        return env, (), {"key": account["key"], "secret": account["secret"]}
    if mode == "session-env":
        sts = server.client("sts", key=account["key"], secret=account["secret"])
        c = sts.assume_role(RoleArn=account["assumable_arn"],
                            RoleSessionName="iamtool-env")["Credentials"]
        env.update({"AWS_ACCESS_KEY_ID": c["AccessKeyId"],
                    "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                    "AWS_SESSION_TOKEN": c["SessionToken"]})
        return env, (), {"key": c["AccessKeyId"], "secret": c["SecretAccessKey"],
                         "token": c["SessionToken"]}
    assert mode == "profile-assume"
    cfg = tmp_path / "config"
    cfg.write_text("[profile assumer]\nrole_arn = %s\nsource_profile = src\n"
                   "role_session_name = iamtool-profile\nregion = us-east-1\n"
                   % account["assumable_arn"])
    cred = tmp_path / "credentials"
    cred.write_text("[src]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (account["key"], account["secret"]))
    env.update({"AWS_CONFIG_FILE": str(cfg), "AWS_SHARED_CREDENTIALS_FILE": str(cred)})
    return env, ("--profile", "assumer"), None


MODES = ["static", "session-env", "profile-assume"]


@pytest.fixture(params=MODES)
def setup(request, account, tmp_path):
    """A fresh role with an inline policy, a customer managed policy (2 versions)
    and an AWS managed policy attached, and the tool's environment for one mode."""
    mode = request.param
    iam = account["iam"]
    tag = uuid.uuid4().hex[:8]
    role = "r-%s-%s" % (mode, tag)
    iam.create_role(RoleName=role, Path="/team/", Description="role for %s" % mode,
                    MaxSessionDuration=7200, Tags=[{"Key": "team", "Value": "blue"}],
                    AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    iam.put_role_policy(RoleName=role, PolicyName="inline1", PolicyDocument=doc())
    pol = iam.create_policy(PolicyName="p-%s-%s" % (mode, tag), PolicyDocument=doc("s3:*"),
                            Description="managed")["Policy"]
    iam.create_policy_version(PolicyArn=pol["Arn"], PolicyDocument=doc("s3:List*"),
                              SetAsDefault=True)
    iam.attach_role_policy(RoleName=role, PolicyArn=pol["Arn"])
    # moto_auth does not load AWS managed policies: a second customer managed
    # one under a path stands in for the second attachment.
    pol2 = iam.create_policy(PolicyName="q-%s-%s" % (mode, tag), Path="/svc/",
                             PolicyDocument=doc("sqs:*"))["Policy"]
    iam.attach_role_policy(RoleName=role, PolicyArn=pol2["Arn"])
    env, opts, _ = creds_env(account, mode, tmp_path)
    return {"mode": mode, "role": role, "policy_arn": pol["Arn"], "policy2_arn": pol2["Arn"],
            "env": env, "opts": opts, "url": account["server"].url, "iam": iam}


def call(s, action, *kv, options=()):
    return ok(s["url"], s["env"], action, *kv, options=tuple(s["opts"]) + tuple(options))


def test_caller_identity(setup, account):
    out = call(setup, "GetCallerIdentity")
    assert out["Account"] == ACCOUNT
    if setup["mode"] == "static":
        assert out["Arn"] == "arn:aws:iam::%s:user/admin" % ACCOUNT
    else:
        assert out["Arn"].startswith("arn:aws:sts::%s:assumed-role/iamtool-assumable/"
                                     % ACCOUNT)


def test_get_role_matches_boto3(setup):
    got = call(setup, "GetRole", ("RoleName", setup["role"]))["Role"]
    want = setup["iam"].get_role(RoleName=setup["role"])["Role"]
    for k in ("RoleName", "RoleId", "Arn", "Path", "Description", "MaxSessionDuration"):
        assert got[k] == want[k], k
    assert json.loads(got["AssumeRolePolicyDocument"]) == want["AssumeRolePolicyDocument"]
    assert got["Tags"] == want["Tags"]
    assert got["CreateDate"][:19] == want["CreateDate"].strftime("%Y-%m-%dT%H:%M:%S")


def test_list_roles_matches_boto3(setup):
    got = {r["RoleName"]: r for r in call(setup, "ListRoles")["Roles"]}
    want = {r["RoleName"]: r
            for page in setup["iam"].get_paginator("list_roles").paginate()
            for r in page["Roles"]}
    assert set(got) == set(want)
    mine = got[setup["role"]]
    assert mine["Arn"] == want[setup["role"]]["Arn"]
    assert mine["RoleId"] == want[setup["role"]]["RoleId"]
    assert json.loads(mine["AssumeRolePolicyDocument"]) == \
        want[setup["role"]]["AssumeRolePolicyDocument"]


def test_inline_policy_calls(setup):
    role, iam = setup["role"], setup["iam"]
    assert call(setup, "ListRolePolicies", ("RoleName", role))["PolicyNames"] == ["inline1"]
    got = call(setup, "GetRolePolicy", ("RoleName", role), ("PolicyName", "inline1"))
    want = iam.get_role_policy(RoleName=role, PolicyName="inline1")
    assert got["PolicyName"] == "inline1"
    assert json.loads(got["PolicyDocument"]) == want["PolicyDocument"]
    # A document with characters that need encoding: spaces, '+', '&', '=', Latin-1.
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "A1", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
         "Resource": "arn:aws:s3:::b/a b+c&d=e/caf\u00e9/*"}]}, indent=4)
    call(setup, "PutRolePolicy", ("RoleName", role), ("PolicyName", "second"),
         ("PolicyDocument", text))
    back = iam.get_role_policy(RoleName=role, PolicyName="second")["PolicyDocument"]
    assert back == json.loads(text)
    got = call(setup, "GetRolePolicy", ("RoleName", role), ("PolicyName", "second"))
    assert json.loads(got["PolicyDocument"]) == json.loads(text)
    names = call(setup, "ListRolePolicies", ("RoleName", role))["PolicyNames"]
    assert sorted(names) == ["inline1", "second"]
    call(setup, "DeleteRolePolicy", ("RoleName", role), ("PolicyName", "second"))
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["inline1"]


def test_update_assume_role_policy(setup):
    new = trust({"Service": ["ec2.amazonaws.com", "states.amazonaws.com"]})
    call(setup, "UpdateAssumeRolePolicy", ("RoleName", setup["role"]), ("PolicyDocument", new))
    got = setup["iam"].get_role(RoleName=setup["role"])["Role"]["AssumeRolePolicyDocument"]
    assert got == json.loads(new)


def test_attached_and_managed_policy_calls(setup):
    role, arn, iam = setup["role"], setup["policy_arn"], setup["iam"]
    att = call(setup, "ListAttachedRolePolicies", ("RoleName", role))["AttachedPolicies"]
    want = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert sorted(att, key=lambda a: a["PolicyArn"]) == \
        sorted(want, key=lambda a: a["PolicyArn"])
    pol = call(setup, "GetPolicy", ("PolicyArn", arn))["Policy"]
    wpol = iam.get_policy(PolicyArn=arn)["Policy"]
    for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount",
              "IsAttachable"):
        assert pol[k] == wpol[k], k
    assert pol["DefaultVersionId"] == "v2"
    ver = call(setup, "GetPolicyVersion", ("PolicyArn", arn), ("VersionId", "v2"))
    assert json.loads(ver["PolicyVersion"]["Document"]) == json.loads(doc("s3:List*"))
    assert ver["PolicyVersion"]["IsDefaultVersion"] is True
    vers = call(setup, "ListPolicyVersions", ("PolicyArn", arn))["Versions"]
    assert sorted((v["VersionId"], v["IsDefaultVersion"]) for v in vers) == \
        [("v1", False), ("v2", True)]
    new = call(setup, "CreatePolicyVersion", ("PolicyArn", arn),
               ("PolicyDocument", doc("s3:Put*")), ("SetAsDefault", "true"))["PolicyVersion"]
    assert new["VersionId"] == "v3" and new["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    call(setup, "DeletePolicyVersion", ("PolicyArn", arn), ("VersionId", "v1"))
    left = [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]]
    assert sorted(left) == ["v2", "v3"]


def test_non_default_version_and_path(setup):
    arn, iam = setup["policy_arn"], setup["iam"]
    ver = call(setup, "GetPolicyVersion", ("PolicyArn", arn), ("VersionId", "v1"))
    want = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert ver["PolicyVersion"]["IsDefaultVersion"] is False
    assert json.loads(ver["PolicyVersion"]["Document"]) == want["Document"]
    pol = call(setup, "GetPolicy", ("PolicyArn", setup["policy2_arn"]))["Policy"]
    assert pol["Path"] == "/svc/" and pol["DefaultVersionId"] == "v1"
    assert pol["AttachmentCount"] == 1


def test_gaad_matches_boto3(setup):
    out = call(setup, "GetAccountAuthorizationDetails", ("Filter", "Role,LocalManagedPolicy"))
    want = setup["iam"].get_account_authorization_details(Filter=["Role", "LocalManagedPolicy"])
    roles = {r["RoleName"]: r for r in out["RoleDetailList"]}
    assert set(roles) == {r["RoleName"] for r in want["RoleDetailList"]}
    mine = roles[setup["role"]]
    assert [p["PolicyName"] for p in mine["RolePolicyList"]] == ["inline1"]
    assert json.loads(mine["RolePolicyList"][0]["PolicyDocument"]) == json.loads(doc())
    assert {a["PolicyArn"] for a in mine["AttachedManagedPolicies"]} == \
        {setup["policy_arn"], setup["policy2_arn"]}
    assert {t["Key"]: t["Value"] for t in mine["Tags"]} == {"team": "blue"}
    pols = {p["Arn"]: p for p in out["Policies"]}
    assert set(pols) == {p["Arn"] for p in want["Policies"]}
    mp = pols[setup["policy_arn"]]
    default = [v for v in mp["PolicyVersionList"] if v["IsDefaultVersion"]]
    assert len(default) == 1 and json.loads(default[0]["Document"]) == json.loads(doc("s3:List*"))


def test_account_summary_matches_boto3(setup):
    got = call(setup, "GetAccountSummary")["SummaryMap"]
    want = setup["iam"].get_account_summary()["SummaryMap"]
    assert got == want


def test_counts_every_request(setup):
    out = call(setup, "GetRole", ("RoleName", setup["role"]), options=("--counts",))
    assert out["calls"]["GetRole"] == 1


def test_wrong_secret_is_signature_mismatch(account, tmp_path):
    from botocore.exceptions import ClientError
    env = clean_env(tmp_path)
    env.update({"AWS_ACCESS_KEY_ID": account["key"], "AWS_SECRET_ACCESS_KEY": "not-the-secret"})
    rc, out, calls = run_tool(account["server"].url, env, "GetRole",
                              ("RoleName", "iamtool-assumable"))
    assert rc == 1
    with pytest.raises(ClientError) as ei:
        account["server"].client(key=account["key"], secret="not-the-secret").get_role(
            RoleName="iamtool-assumable")
    assert out["error"] == "SignatureDoesNotMatch"
    assert out["message"] == ei.value.response["Error"]["Message"]
    assert "signature" in out["message"].lower()
    assert out["http_status"] == 403
    assert out["errno"] == "EKEYEXPIRED"
    assert out["attempts"] == 1 and calls == {"GetRole": 1}


def test_user_without_permission_is_eacces(account, tmp_path):
    from botocore.exceptions import ClientError
    iam = account["iam"]
    user = "nobody-%s" % uuid.uuid4().hex[:6]
    iam.create_user(UserName=user)
    k = iam.create_access_key(UserName=user)["AccessKey"]
    env = clean_env(tmp_path)
    env.update({"AWS_ACCESS_KEY_ID": k["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": k["SecretAccessKey"]})
    rc, out, _ = run_tool(account["server"].url, env, "GetRole",
                          ("RoleName", "iamtool-assumable"))
    assert rc == 1
    with pytest.raises(ClientError) as ei:
        account["server"].client(key=k["AccessKeyId"], secret=k["SecretAccessKey"]).get_role(
            RoleName="iamtool-assumable")
    assert out["error"] == "AccessDenied"
    assert out["message"] == ei.value.response["Error"]["Message"]
    assert out["http_status"] == 403
    assert out["errno"] == "EACCES"


def test_missing_role_is_enoent(account, tmp_path):
    env, _, _ = creds_env(account, "static", tmp_path)
    rc, out, _ = run_tool(account["server"].url, env, "GetRole", ("RoleName", "no-such-role"))
    assert rc == 1
    assert out["error"] == "NoSuchEntity" and out["errno"] == "ENOENT"
    assert out["http_status"] == 404 and out["attempts"] == 1


def test_malformed_policy_is_einval_not_retried(account, tmp_path):
    env, _, _ = creds_env(account, "static", tmp_path)
    rc, out, calls = run_tool(account["server"].url, env, "PutRolePolicy",
                              ("RoleName", "iamtool-assumable"), ("PolicyName", "bad"),
                              ("PolicyDocument", '{"Version": "2012-10-17"}'))
    assert rc == 1
    assert out["error"] == "MalformedPolicyDocument" and out["errno"] == "EINVAL"
    assert calls == {"PutRolePolicy": 1}


def test_list_roles_pages(account, tmp_path):
    iam = account["iam"]
    prefix = "/bulk%s/" % uuid.uuid4().hex[:6]
    names = ["bulk-%03d-%s" % (i, prefix.strip("/")) for i in range(260)]
    for n in names:
        iam.create_role(RoleName=n, Path=prefix,
                        AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    want = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate()
            for r in page["Roles"]]
    env, _, _ = creds_env(account, "static", tmp_path)
    out = ok(account["server"].url, env, "ListRoles", options=("--page-size", "100", "--counts"))
    got = [r["RoleName"] for r in out["Roles"]]
    assert len(got) == len(set(got)), "a role listed twice"
    assert sorted(got) == sorted(want)
    assert set(names) <= set(got)
    assert len(want) > 250
    assert out["calls"]["ListRoles"] == (len(want) + 99) // 100
    assert out["calls"]["ListRoles"] >= 3


# ---- the calls of a role's life (aws/iam_lifecycle.c), with static keys ----

@pytest.fixture
def life(account, tmp_path):
    """A fresh role (tagged, no boundary) and a customer managed policy, and the
    tool's environment with the admin's static keys."""
    iam = account["iam"]
    tag = uuid.uuid4().hex[:8]
    role = "life-%s" % tag
    iam.create_role(RoleName=role, Tags=[{"Key": "team", "Value": "blue"},
                                         {"Key": "env", "Value": "dev"}],
                    AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    pol = iam.create_policy(PolicyName="lp-%s" % tag, PolicyDocument=doc())["Policy"]
    env, opts, _ = creds_env(account, "static", tmp_path)
    return {"role": role, "tag": tag, "policy_arn": pol["Arn"], "env": env, "opts": opts,
            "url": account["server"].url, "iam": iam}


def test_create_role_matches_boto3(life):
    iam, name = life["iam"], "made-%s" % life["tag"]
    text = trust({"Service": ["ec2.amazonaws.com", "states.amazonaws.com"]})
    got = call(life, "CreateRole", ("RoleName", name), ("AssumeRolePolicyDocument", text),
               ("Path", "/made/"), ("Description", "made by iamtool"),
               ("MaxSessionDuration", "7200"), ("PermissionsBoundary", life["policy_arn"]),
               ("Tags", "team=red,cost center=a&b=c,empty="))["Role"]
    want = iam.get_role(RoleName=name)["Role"]
    for k in ("RoleName", "RoleId", "Arn", "Path", "Description", "MaxSessionDuration"):
        assert got[k] == want[k], k
    assert json.loads(got["AssumeRolePolicyDocument"]) == want["AssumeRolePolicyDocument"]
    assert want["PermissionsBoundary"]["PermissionsBoundaryArn"] == life["policy_arn"]
    assert got["PermissionsBoundary"]["PermissionsBoundaryArn"] == life["policy_arn"]
    assert {t["Key"]: t["Value"] for t in want["Tags"]} == \
        {"team": "red", "cost center": "a&b=c", "empty": ""}
    rc, out, calls = run_tool(life["url"], life["env"], "CreateRole", ("RoleName", name),
                              ("AssumeRolePolicyDocument", text))
    assert rc == 1 and out["error"] == "EntityAlreadyExists" and out["errno"] == "EEXIST"
    assert calls == {"CreateRole": 1}


def test_delete_role(life):
    call(life, "DeleteRole", ("RoleName", life["role"]))
    assert life["role"] not in {r["RoleName"] for r in life["iam"].list_roles()["Roles"]}
    rc, out, _ = run_tool(life["url"], life["env"], "DeleteRole", ("RoleName", life["role"]))
    assert rc == 1 and out["errno"] == "ENOENT"


def test_list_instance_profiles_for_role(life):
    iam, role = life["iam"], life["role"]
    assert call(life, "ListInstanceProfilesForRole",
                ("RoleName", role))["InstanceProfileNames"] == []
    names = ["ip-%d-%s" % (i, life["tag"]) for i in range(2)]
    for n in names:
        iam.create_instance_profile(InstanceProfileName=n)
        iam.add_role_to_instance_profile(InstanceProfileName=n, RoleName=role)
    got = call(life, "ListInstanceProfilesForRole", ("RoleName", role))["InstanceProfileNames"]
    want = [p["InstanceProfileName"]
            for p in iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]]
    assert sorted(got) == sorted(want) == sorted(names)


def test_remove_role_from_instance_profile(life):
    iam, role, name = life["iam"], life["role"], "ip-%s" % life["tag"]
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
    rc, out, calls = run_tool(life["url"], life["env"], "DeleteRole", ("RoleName", role))
    assert rc == 1 and out["error"] == "DeleteConflict" and out["errno"] == "EBUSY"
    assert calls == {"DeleteRole": 1}
    call(life, "RemoveRoleFromInstanceProfile", ("InstanceProfileName", name),
         ("RoleName", role))
    assert iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"] == []
    call(life, "DeleteRole", ("RoleName", role))


def test_attach_role_policy(life):
    call(life, "AttachRolePolicy", ("RoleName", life["role"]),
         ("PolicyArn", life["policy_arn"]))
    att = life["iam"].list_attached_role_policies(RoleName=life["role"])["AttachedPolicies"]
    assert [a["PolicyArn"] for a in att] == [life["policy_arn"]]


def test_detach_role_policy(life):
    iam = life["iam"]
    iam.attach_role_policy(RoleName=life["role"], PolicyArn=life["policy_arn"])
    call(life, "DetachRolePolicy", ("RoleName", life["role"]),
         ("PolicyArn", life["policy_arn"]))
    assert iam.list_attached_role_policies(RoleName=life["role"])["AttachedPolicies"] == []


def test_create_policy_matches_boto3(life):
    got = call(life, "CreatePolicy", ("PolicyName", "cp-%s" % life["tag"]),
               ("PolicyDocument", doc("sqs:*")), ("Path", "/made/"))["Policy"]
    want = life["iam"].get_policy(PolicyArn=got["Arn"])["Policy"]
    for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "IsAttachable"):
        assert got[k] == want[k], k
    assert got["Path"] == "/made/" and got["DefaultVersionId"] == "v1"
    body = life["iam"].get_policy_version(PolicyArn=got["Arn"], VersionId="v1")
    assert body["PolicyVersion"]["Document"] == json.loads(doc("sqs:*"))


def test_list_policies_matches_boto3(life):
    iam, prefix = life["iam"], "/lp%s/" % life["tag"]
    for i in range(5):
        iam.create_policy(PolicyName="lp-%d-%s" % (i, life["tag"]), Path=prefix,
                          PolicyDocument=doc())
    out = call(life, "ListPolicies", ("Scope", "Local"), ("PathPrefix", prefix),
               options=("--page-size", "2", "--counts"))
    want = [p for page in iam.get_paginator("list_policies").paginate(
        Scope="Local", PathPrefix=prefix) for p in page["Policies"]]
    assert [(p["PolicyName"], p["Arn"], p["Path"], p["DefaultVersionId"])
            for p in out["Policies"]] == \
        [(p["PolicyName"], p["Arn"], p["Path"], p["DefaultVersionId"]) for p in want]
    assert len(want) == 5 and out["calls"]["ListPolicies"] == 3
    local = {p["Arn"] for p in call(life, "ListPolicies", ("Scope", "Local"))["Policies"]}
    assert life["policy_arn"] in local
    assert call(life, "ListPolicies", ("Scope", "AWS"), ("PathPrefix", prefix))["Policies"] == []


def test_update_role(life):
    iam, role = life["iam"], life["role"]
    call(life, "UpdateRole", ("RoleName", role), ("Description", "now described"))
    got = iam.get_role(RoleName=role)["Role"]
    assert got["Description"] == "now described" and got["MaxSessionDuration"] == 3600
    # moto clears Description when an UpdateRole leaves it out (IAM keeps it), so
    # only the field sent is compared.
    call(life, "UpdateRole", ("RoleName", role), ("MaxSessionDuration", "10800"))
    assert iam.get_role(RoleName=role)["Role"]["MaxSessionDuration"] == 10800
    rc, out, calls = run_tool(life["url"], life["env"], "UpdateRole", ("RoleName", role))
    assert rc == 1 and out["error"] == "InvalidInput" and out["errno"] == "EINVAL"
    assert not calls


def test_tag_role(life):
    call(life, "TagRole", ("RoleName", life["role"]), ("Tags", "team=red,owner=a b+c"))
    tags = life["iam"].list_role_tags(RoleName=life["role"])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"team": "red", "env": "dev",
                                                     "owner": "a b+c"}


def test_untag_role(life):
    call(life, "UntagRole", ("RoleName", life["role"]), ("TagKeys", "team,env"))
    assert life["iam"].list_role_tags(RoleName=life["role"])["Tags"] == []


def test_put_role_permissions_boundary(life):
    call(life, "PutRolePermissionsBoundary", ("RoleName", life["role"]),
         ("PermissionsBoundary", life["policy_arn"]))
    got = life["iam"].get_role(RoleName=life["role"])["Role"]
    assert got["PermissionsBoundary"]["PermissionsBoundaryArn"] == life["policy_arn"]


def test_delete_role_permissions_boundary(life):
    iam = life["iam"]
    iam.put_role_permissions_boundary(RoleName=life["role"],
                                      PermissionsBoundary=life["policy_arn"])
    call(life, "DeleteRolePermissionsBoundary", ("RoleName", life["role"]))
    assert "PermissionsBoundary" not in iam.get_role(RoleName=life["role"])["Role"]
