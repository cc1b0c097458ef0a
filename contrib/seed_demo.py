#!/usr/bin/env python3
"""Seeds an IAM emulator (moto) with the demo account: a dozen roles of the
kinds people meet in real accounts. The Step Functions guide's
states-lambda-role is not among them: the demo's hints create it from a shell.
Usage: seed_demo.py ENDPOINT_URL

Needs boto3 (the Python that runs moto has it). Idempotent per fresh emulator.
"""
import json
import sys

import boto3

ACCOUNT = "123456789012"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust(*services):
    principal = services[0] if len(services) == 1 else list(services)
    return doc({"Effect": "Allow", "Principal": {"Service": principal},
                "Action": "sts:AssumeRole"})


def aws_policy(name, path="/"):
    return "arn:aws:iam::aws:policy%s%s" % (path, name)


ROLES = [
    dict(name="lambda-basic-execution", trust=service_trust("lambda.amazonaws.com"),
         attached=[aws_policy("AWSLambdaBasicExecutionRole", "/service-role/")]),
    dict(name="ecs-task-execution", trust=service_trust("ecs-tasks.amazonaws.com"),
         attached=[aws_policy("AmazonECSTaskExecutionRolePolicy", "/service-role/")]),
    dict(name="web-server", path="/app/", trust=service_trust("ec2.amazonaws.com"),
         inline={"read-assets": doc({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                                     "Resource": ["arn:aws:s3:::example-assets",
                                                  "arn:aws:s3:::example-assets/*"]})},
         tags={"team": "web", "env": "prod"}),
    dict(name="cross-account-auditor",
         trust=doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": "auditor-7f3a9c"}}}),
         description="Assumed by the auditors' account with an external id",
         attached=[aws_policy("SecurityAudit")], max_session=7200),
    dict(name="github-actions-deploy",
         trust=doc({"Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/"
                                               "token.actions.githubusercontent.com" % ACCOUNT},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example/app:*"}}}),
         customer=["deploy-artifacts"]),
    dict(name="etl-glue-job", path="/data/", trust=service_trust("glue.amazonaws.com"),
         customer=["etl-bucket-access"],
         inline={"write-logs": doc({"Effect": "Allow", "Action": ["logs:CreateLogStream",
                                                                  "logs:PutLogEvents"],
                                    "Resource": "arn:aws:logs:*:*:log-group:/aws-glue/*"})}),
    dict(name="billing-readonly", path="/finance/",
         trust=doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                    "Action": "sts:AssumeRole"}),
         description="Rôle de lecture pour la comptabilité (lecture seule)",
         customer=["billing-view"]),
    dict(name="break-glass-admin",
         trust=doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                    "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
         description="Emergency access; MFA required", max_session=3600,
         attached=[aws_policy("AdministratorAccess")],
         boundary="deploy-artifacts", tags={"owner": "security", "review": "quarterly"}),
    dict(name="codebuild-service-role", path="/service-role/",
         trust=service_trust("codebuild.amazonaws.com"),
         inline={"codebuild-base": doc(
             {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                                            "logs:PutLogEvents"], "Resource": "*"},
             {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
              "Resource": "arn:aws:s3:::codepipeline-us-east-1-*"})}),
    dict(name="AWSReservedSSO_ReadOnly_0123456789abcdef",
         path="/aws-reserved/sso.amazonaws.com/",
         trust=doc({"Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::%s:saml-provider/"
                                               "AWSSSO_0123456789abcdef_DO_NOT_DELETE" % ACCOUNT},
                    "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                    "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}),
         attached=[aws_policy("ReadOnlyAccess")]),
    dict(name="cognito-authenticated",
         trust=doc({"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"cognito-identity.amazonaws.com:aud":
                                         "us-east-1:11111111-2222-3333-4444-555555555555"},
                        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr":
                                                   "authenticated"}}}),
         inline={"mobile-sync": doc({"Effect": "Allow", "Action": ["dynamodb:GetItem",
                                                                   "dynamodb:PutItem"],
                                     "Resource": "arn:aws:dynamodb:us-east-1:%s:table/sync" % ACCOUNT})}),
]

CUSTOMER = {
    "deploy-artifacts": [doc({"Effect": "Allow", "Action": ["s3:PutObject"],
                              "Resource": "arn:aws:s3:::example-deploy/*"})],
    "etl-bucket-access": [doc({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                               "Resource": "arn:aws:s3:::example-etl/*"})],
    # Three versions: the newest is the default.
    "billing-view": [
        doc({"Effect": "Allow", "Action": "ce:GetCostAndUsage", "Resource": "*"}),
        doc({"Effect": "Allow", "Action": ["ce:GetCostAndUsage", "ce:GetCostForecast"],
             "Resource": "*"}),
        doc({"Effect": "Allow", "Action": ["ce:Get*", "budgets:ViewBudget"], "Resource": "*"}),
    ],
}


def seed(endpoint):
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    arns = {}
    for name, versions in CUSTOMER.items():
        arn = iam.create_policy(PolicyName=name, PolicyDocument=versions[0])["Policy"]["Arn"]
        for v in versions[1:]:
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=v, SetAsDefault=True)
        arns[name] = arn
    for r in ROLES:
        kw = dict(RoleName=r["name"], Path=r.get("path", "/"), AssumeRolePolicyDocument=r["trust"])
        if "description" in r:
            kw["Description"] = r["description"]
        if "max_session" in r:
            kw["MaxSessionDuration"] = r["max_session"]
        if "tags" in r:
            kw["Tags"] = [{"Key": k, "Value": v} for k, v in r["tags"].items()]
        if "boundary" in r:
            kw["PermissionsBoundary"] = arns[r["boundary"]]
        iam.create_role(**kw)
        for pname, pdoc in r.get("inline", {}).items():
            iam.put_role_policy(RoleName=r["name"], PolicyName=pname, PolicyDocument=pdoc)
        for arn in r.get("attached", []):
            iam.attach_role_policy(RoleName=r["name"], PolicyArn=arn)
        for cname in r.get("customer", []):
            iam.attach_role_policy(RoleName=r["name"], PolicyArn=arns[cname])
    return len(ROLES)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: seed_demo.py ENDPOINT_URL")
    print("seeded %d roles" % seed(sys.argv[1]))
