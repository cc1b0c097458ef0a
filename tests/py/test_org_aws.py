"""The aws/ side of the organization mount against moto, through tests/tools/iamtool:
Organizations ListAccounts (endpoint from AWS_ENDPOINT_URL_ORGANIZATIONS) and
assumed-role clients whose IAM calls land in the member account.

What moto does (and these tests rely on): organizations.create_account makes a member
account holding a role OrganizationAccountAccessRole that trusts the management
account's root but has no policy; IAM calls made with credentials from AssumeRole
into arn:aws:iam::<member>:role/... land in that member's IAM. With permission
checking off, moto lets any AssumeRole through (even of a role that does not
exist), so this module runs its own moto with checking on: the member roles get
an admin inline policy while checking is still off, then an admin user and a user
without any policy are the callers. Organizations state is per moto process, hence
the module's own server."""
import json
import os
import subprocess

import pytest

import rig

IAMTOOL = os.path.join(rig.TOOLS, "iamtool")
ORG_ROLE = "OrganizationAccountAccessRole"
TOOL_TIMEOUT = 60


def trust_root(account):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % account},
        "Action": "sts:AssumeRole"}]})


def member_iam(server, account):
    """boto3 IAM of a member account, through the organization role."""
    creds = server.client("sts").assume_role(
        RoleArn="arn:aws:iam::%s:role/%s" % (account, ORG_ROLE),
        RoleSessionName="seed")["Credentials"]
    return server.client("iam", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                         token=creds["SessionToken"])


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """A moto of its own: an organization with three members, each with a role of its
    own name; then permission checking on. Yields a dict of what was made."""
    server = rig.Moto().start(str(tmp_path_factory.mktemp("moto-org")))
    try:
        client = server.client("organizations")
        client.create_organization(FeatureSet="ALL")
        members = []
        for i in range(3):
            st = client.create_account(AccountName="member-%d" % i,
                                       Email="member-%d@example.com" % i)
            members.append(st["CreateAccountStatus"]["AccountId"])
        for i, account in enumerate(members):
            iam = member_iam(server, account)
            iam.put_role_policy(RoleName=ORG_ROLE, PolicyName="admin",
                                PolicyDocument=rig.ADMIN_POLICY)
            iam.create_role(RoleName="only-in-member-%d" % i,
                            AssumeRolePolicyDocument=trust_root(account))
        iam = server.client()
        iam.create_user(UserName="nobody")
        nobody = iam.create_access_key(UserName="nobody")["AccessKey"]
        listed = client.list_accounts()["Accounts"]
        key, secret = server.enable_auth()
        yield {"server": server, "members": members, "admin": (key, secret),
               "nobody": (nobody["AccessKeyId"], nobody["SecretAccessKey"]), "listed": listed}
    finally:
        server.stop()


def tool(org, keys, action, *kv, tmp_path):
    """Runs iamtool with static keys; Organizations only through its own variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    empty = tmp_path / "empty"
    empty.write_text("")
    url = org["server"].url
    env.update({"AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1],
                "AWS_CONFIG_FILE": str(empty), "AWS_SHARED_CREDENTIALS_FILE": str(empty),
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "eu-west-1",
                "AWS_ENDPOINT_URL_ORGANIZATIONS": url})
    cmd = [IAMTOOL, "--endpoint-url", url, "--sts-endpoint-url", url, action]
    cmd += ["%s=%s" % pair for pair in kv]
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=TOOL_TIMEOUT, text=True)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)


def role_arn(account):
    return "arn:aws:iam::%s:role/%s" % (account, ORG_ROLE)


def test_list_accounts_matches_boto3(org, tmp_path):
    rc, out = tool(org, org["admin"], "ListAccounts", tmp_path=tmp_path)
    assert rc == 0, out
    want = [{"Id": a["Id"], "Name": a["Name"], "Status": a["Status"]} for a in org["listed"]]
    assert out["Accounts"] == want
    assert len(want) == 4 and {a["Id"] for a in want} >= set(org["members"])


def test_assumed_client_lands_in_the_member(org, tmp_path):
    for i, account in enumerate(org["members"]):
        rc, out = tool(org, org["admin"], "AssumedListRoles", ("RoleArn", role_arn(account)),
                       ("ExternalId", "ext-%d" % i), tmp_path=tmp_path)
        assert rc == 0, out
        assert out["Account"] == account
        assert out["Arn"] == "arn:aws:sts::%s:assumed-role/%s/iamfs" % (account, ORG_ROLE)
        assert sorted(out["RoleNames"]) == sorted([ORG_ROLE, "only-in-member-%d" % i])
        assert out["assumed_calls"] == {"GetCallerIdentity": 1, "ListRoles": 1}


def test_without_permission(org, tmp_path):
    rc, out = tool(org, org["nobody"], "ListAccounts", tmp_path=tmp_path)
    assert rc == 1 and out["errno"] == "EACCES"
    assert out["message"].startswith(
        "these credentials cannot list the organization's accounts (AccessDenied: ")
    arn = role_arn(org["members"][0])
    rc, out = tool(org, org["nobody"], "AssumedListRoles", ("RoleArn", arn), tmp_path=tmp_path)
    assert rc == 1 and out["errno"] == "EACCES" and out["error"] == "AccessDenied"
    assert out["message"].startswith("cannot assume role %s: " % arn)
    assert org["nobody"][1] not in out["message"]
