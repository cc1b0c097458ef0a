"""Regenerates the moto_*.xml fixtures: starts a moto server, builds a small
account (a role with a path, tags, a boundary, inline and attached policies, a
customer managed policy with 3 versions) and saves the raw body of every answer
the parsers read. Run with the Python that has moto and boto3:

    cd tests/unit/data && python3 capture_moto.py

moto stamps fresh ids and dates on every run, so the unit tests that read
these files must be updated when they are regenerated.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "py"))
import rig  # noqa: E402

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
INLINE = {"Version": "2012-10-17", "Statement": [{"Sid": "Logs", "Effect": "Allow",
          "Action": ["logs:CreateLogGroup", "logs:PutLogEvents"], "Resource": "*"}]}


def doc(n):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-%d/*" % n}]}


class Recorder:
    """Keeps the raw body of the last answer of every client it is hooked on."""

    def __init__(self):
        self.body = None
        self.status = None

    def hook(self, client):
        client.meta.events.register("after-call.*.*", self.after_call)
        return client

    def after_call(self, http_response, **kwargs):
        self.body = http_response.content
        self.status = http_response.status_code

    def save(self, name, call, *args, **kwargs):
        try:
            call(*args, **kwargs)
        except Exception as e:  # error answers are fixtures too
            print("%s: %s" % (name, type(e).__name__))
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(self.body)
        print("%s: HTTP %s, %d bytes" % (name, self.status, len(self.body)))


def build_account(iam):
    iam.create_policy(PolicyName="boundary", Path="/", PolicyDocument=json.dumps(doc(0)))
    acct = rig.MOTO_ACCOUNT
    boundary = "arn:aws:iam::%s:policy/boundary" % acct
    iam.create_role(RoleName="app-role", Path="/service/app/",
                    AssumeRolePolicyDocument=json.dumps(TRUST),
                    Description="Application role", MaxSessionDuration=7200,
                    PermissionsBoundary=boundary,
                    Tags=[{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "prod"}])
    for name in ("alpha", "beta", "gamma"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="app-role", PolicyName="logs", PolicyDocument=json.dumps(INLINE))
    pol = iam.create_policy(PolicyName="data-access", Path="/team/",
                            PolicyDocument=json.dumps(doc(1)), Description="Data access")
    arn = pol["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc(2)), SetAsDefault=False)
    iam.attach_role_policy(RoleName="app-role", PolicyArn=arn)
    iam.attach_role_policy(RoleName="app-role",
                           PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    return arn


def capture(m):
    rec = Recorder()
    iam = rec.hook(m.client())
    sts = rec.hook(m.client("sts"))
    arn = build_account(iam)
    rec.save("moto_create_policy_version.xml", iam.create_policy_version, PolicyArn=arn,
             PolicyDocument=json.dumps(doc(3)), SetAsDefault=True)
    rec.save("moto_list_roles_page1.xml", iam.list_roles, MaxItems=2)
    marker = iam.list_roles(MaxItems=2)["Marker"]
    rec.save("moto_list_roles_page2.xml", iam.list_roles, MaxItems=2, Marker=marker)
    rec.save("moto_list_roles_path.xml", iam.list_roles, PathPrefix="/service/")
    rec.save("moto_get_role.xml", iam.get_role, RoleName="app-role")
    rec.save("moto_list_role_policies.xml", iam.list_role_policies, RoleName="app-role")
    rec.save("moto_list_role_policies_empty.xml", iam.list_role_policies, RoleName="alpha")
    rec.save("moto_get_role_policy.xml", iam.get_role_policy, RoleName="app-role",
             PolicyName="logs")
    rec.save("moto_list_attached_role_policies.xml", iam.list_attached_role_policies,
             RoleName="app-role")
    rec.save("moto_get_policy.xml", iam.get_policy, PolicyArn=arn)
    rec.save("moto_get_policy_version.xml", iam.get_policy_version, PolicyArn=arn,
             VersionId="v3")
    rec.save("moto_list_policy_versions.xml", iam.list_policy_versions, PolicyArn=arn)
    rec.save("moto_gaad.xml", iam.get_account_authorization_details,
             Filter=["Role", "LocalManagedPolicy"])
    rec.save("moto_account_summary.xml", iam.get_account_summary)
    rec.save("moto_update_assume_role_policy.xml", iam.update_assume_role_policy,
             RoleName="alpha", PolicyDocument=json.dumps(TRUST))
    rec.save("moto_put_role_policy.xml", iam.put_role_policy, RoleName="alpha",
             PolicyName="tmp", PolicyDocument=json.dumps(INLINE))
    rec.save("moto_delete_role_policy.xml", iam.delete_role_policy, RoleName="alpha",
             PolicyName="tmp")
    rec.save("moto_delete_policy_version.xml", iam.delete_policy_version, PolicyArn=arn,
             VersionId="v1")
    rec.save("moto_get_caller_identity.xml", sts.get_caller_identity)
    rec.save("moto_assume_role.xml", sts.assume_role,
             RoleArn="arn:aws:iam::%s:role/service/app/app-role" % rig.MOTO_ACCOUNT,
             RoleSessionName="iamfs-test")
    rec.save("moto_assume_role_web_identity.xml", sts.assume_role_with_web_identity,
             RoleArn="arn:aws:iam::%s:role/alpha" % rig.MOTO_ACCOUNT,
             RoleSessionName="web", WebIdentityToken="token-from-idp")
    rec.save("moto_err_no_such_entity.xml", iam.get_role, RoleName="missing")
    rec.save("moto_err_malformed_policy.xml", iam.put_role_policy, RoleName="alpha",
             PolicyName="bad", PolicyDocument="{not json")
    capture_auth_errors(m, rec)


def capture_auth_errors(m, rec):
    key, secret = m.enable_auth()
    bad = rec.hook(m.client(key=key, secret="wrong" + secret))
    rec.save("moto_err_signature.xml", bad.list_roles)
    iam = m.client(key=key, secret=secret)
    iam.create_user(UserName="weak")
    weak_key = iam.create_access_key(UserName="weak")["AccessKey"]
    weak = rec.hook(m.client(key=weak_key["AccessKeyId"], secret=weak_key["SecretAccessKey"]))
    rec.save("moto_err_access_denied.xml", weak.list_roles)
    sts_bad = rec.hook(m.client("sts", key=key, secret="wrong" + secret))
    rec.save("moto_err_sts_signature.xml", sts_bad.get_caller_identity)


def main():
    m = rig.Moto(extra_env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}).start()
    try:
        capture(m)
    finally:
        m.stop()


if __name__ == "__main__":
    main()
