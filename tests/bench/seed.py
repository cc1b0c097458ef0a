#!/usr/bin/env python3
"""Seeds moto with one of the benchmark's account shapes (docs/performance.md):

- large (the default): 50 customer managed policies of 1-3 KB, and roles each
  with a trust policy of 150-500 B, 1-2 inline policies of 1-3 KB and 2 of the
  50 managed policies attached;
- small, closer to most real accounts: 20 customer managed policies of
  0.3-2 KB, and roles each with a trust policy of 200-600 B, a description and
  0-2 tags (role.json about 400 B), 0-2 inline policies of 0.3-2 KB and 1-3
  attached policies drawn from the 20 and from AWS_MANAGED (AWS managed ones
  moto has when started with MOTO_IAM_LOAD_MANAGED_POLICIES=true).

Roles are numbered; seed(url, stop, start) creates roles start..stop-1, so a
run can grow the account from 1,000 to 5,000 roles without starting over.
Everything is derived from the role number, so the same number always gets the
same documents. ~8 boto3 clients in threads talk to moto directly (no proxy).

Usage: seed.py [--fixture small|large] MOTO_URL ROLES [START]
"""
import argparse
import concurrent.futures
import json
import random
import sys
import threading
import time

THREADS = 8
ATTEMPTS = 6
ACCOUNT = "123456789012"
SERVICES = ("lambda", "ec2", "ecs-tasks", "glue", "states", "codebuild", "events",
            "sagemaker", "batch", "firehose", "apigateway", "elasticmapreduce")
ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject",
           "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan",
           "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sns:Publish",
           "logs:CreateLogStream", "logs:PutLogEvents", "kms:Decrypt", "kms:Encrypt",
           "kms:GenerateDataKey", "secretsmanager:GetSecretValue", "ssm:GetParameter",
           "ssm:GetParametersByPath", "lambda:InvokeFunction", "states:StartExecution",
           "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "cloudwatch:PutMetricData",
           "xray:PutTraceSegments", "events:PutEvents", "kinesis:PutRecord")
RESOURCE_KINDS = ("arn:aws:s3:::bucket-{n}-{k}/*", "arn:aws:s3:::bucket-{n}-{k}",
                  "arn:aws:dynamodb:us-east-1:%s:table/table-{n}-{k}" % ACCOUNT,
                  "arn:aws:sqs:us-east-1:%s:queue-{n}-{k}" % ACCOUNT,
                  "arn:aws:sns:us-east-1:%s:topic-{n}-{k}" % ACCOUNT,
                  "arn:aws:kms:us-east-1:%s:key/{n:08d}-{k:04d}-4000-8000-00000000abcd" % ACCOUNT,
                  "arn:aws:logs:us-east-1:%s:log-group:/app/{n}/{k}:*" % ACCOUNT)


def compact(obj):
    """The size IAM counts: the document without whitespace."""
    return len(json.dumps(obj, separators=(",", ":")))


def doc(statements):
    return {"Version": "2012-10-17", "Statement": statements}


def trust_policy(rng, n, lo=150, hi=500):
    """A service or account trust of lo..hi B (compact)."""
    target = rng.randint(lo, hi)
    services = ["%s.amazonaws.com" % rng.choice(SERVICES)]
    stmt = {"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}
    policy = doc([stmt])
    extra = 0
    while compact(policy) < target:
        extra += 1
        if extra == 1:
            stmt["Condition"] = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        elif extra == 2:
            stmt["Condition"]["ArnLike"] = {
                "aws:SourceArn": "arn:aws:lambda:us-east-1:%s:function:fn-%d" % (ACCOUNT, n)}
        else:
            name = "%s.amazonaws.com" % SERVICES[(n + extra) % len(SERVICES)]
            if name in services:
                break
            services.append(name)
    if compact(policy) > hi:
        services.pop()
    return policy


def permission_policy(rng, n, k, lo, hi):
    """A permissions policy of lo..hi bytes (compact), statements of actions on resources."""
    target = rng.randint(lo, hi)
    stmts = []
    policy = doc(stmts)
    while True:
        stmt = {"Sid": "S%d%d" % (k, len(stmts)), "Effect": "Allow",
                "Action": sorted(rng.sample(ACTIONS, rng.randint(2, 6))),
                "Resource": [kind.format(n=n, k=k * 10 + len(stmts))
                             for kind in rng.sample(RESOURCE_KINDS, rng.randint(1, 3))]}
        stmts.append(stmt)
        size = compact(policy)
        if size >= target:
            break
    # Trim the last statement's resources until the document fits the range.
    while compact(policy) > hi and len(stmts[-1]["Resource"]) > 1:
        stmts[-1]["Resource"].pop()
    while compact(policy) > hi and len(stmts[-1]["Action"]) > 1:
        stmts[-1]["Action"].pop()
    if compact(policy) > hi:
        stmts.pop()
    return policy


# AWS managed policies moto knows (MOTO_IAM_LOAD_MANAGED_POLICIES=true), 0.1-1.5 KB
# each, the kind many roles of a real account attach.
AWS_MANAGED = tuple("arn:aws:iam::aws:policy/" + p for p in (
    "service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole",
    "service-role/AmazonECSTaskExecutionRolePolicy", "service-role/AWSGlueServiceRole",
    "AmazonS3ReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess", "CloudWatchLogsFullAccess",
    "AmazonSSMManagedInstanceCore", "AWSXRayDaemonWriteAccess",
    "AmazonEC2ContainerRegistryReadOnly"))
TEAMS = ("payments", "search", "ingest", "billing", "identity", "analytics", "platform", "web")


class Fixture:
    """One account shape: how many customer managed policies (and their size), and
    role_spec(n) -> (name, trust, {inline name: doc}, [attached ARNs], create_role
    extras). needs_aws_managed: moto must load the AWS managed policies."""

    def __init__(self, name, managed, managed_size, role_spec, needs_aws_managed):
        self.name, self.managed, self.managed_size = name, managed, managed_size
        self.role_spec, self.needs_aws_managed = role_spec, needs_aws_managed


def managed_name(i):
    return "bench-managed-%02d" % i


def managed_arn(i):
    return "arn:aws:iam::%s:policy/%s" % (ACCOUNT, managed_name(i))


def role_name(n):
    return "bench-role-%05d" % n


def _rng(n):
    return random.Random(n * 7919 + 17)


def large_role(n):
    rng = _rng(n)
    inline = {}
    for k in range(rng.randint(1, 2)):
        inline["inline-%d" % k] = permission_policy(rng, n, k, 1024, 3072)
    attached = [managed_arn(i) for i in rng.sample(range(LARGE.managed), 2)]
    return (role_name(n), trust_policy(rng, n), inline, attached,
            {"Description": "benchmark role %d" % n})


def small_role(n):
    rng = _rng(n)
    team = rng.choice(TEAMS)
    extras = {"Description": "Runs the %s %s jobs of the %s team (role %d)" % (
        rng.choice(SERVICES), rng.choice(("nightly", "hourly", "on-demand")), team, n)}
    tags = [{"Key": "team", "Value": team}, {"Key": "env", "Value": rng.choice(("prod", "dev"))}]
    tags = tags[:rng.randint(0, 2)]
    if tags:
        extras["Tags"] = tags
    inline = {}
    for k in range(rng.randint(0, 2)):
        inline["inline-%d" % k] = permission_policy(rng, n, k, 300, 2048)
    pool = [managed_arn(i) for i in range(SMALL.managed)] + list(AWS_MANAGED)
    # AWS managed ones are drawn about half the time: the pool's tail, weighted.
    weights = [1] * SMALL.managed + [2] * len(AWS_MANAGED)
    attached, want = [], rng.randint(1, 3)
    while len(attached) < want:
        arn = rng.choices(pool, weights)[0]
        if arn not in attached:
            attached.append(arn)
    return role_name(n), trust_policy(rng, n, 200, 600), inline, attached, extras


LARGE = Fixture("large", 50, (1024, 3072), large_role, False)
SMALL = Fixture("small", 20, (300, 2048), small_role, True)
FIXTURES = {f.name: f for f in (LARGE, SMALL)}


_local = threading.local()
_make_lock = threading.Lock()  # botocore's client creation is not thread-safe


def _client(url):
    iam = getattr(_local, "iam", None)
    if iam is None:
        import boto3
        from botocore.config import Config
        with _make_lock:
            iam = boto3.session.Session().client("iam", endpoint_url=url, region_name="us-east-1",
                aws_access_key_id="testing", aws_secret_access_key="testing",
                config=Config(retries={"max_attempts": 5, "mode": "standard"},
                              max_pool_connections=2))
        _local.iam = iam
    return iam


def _call(iam, method, **kw):
    """One IAM call, tried again when moto's server fails under concurrent writes
    (it answers an HTML 500 page that botocore cannot parse, so botocore's own
    retries do not see it). A create that already went through counts as done."""
    for attempt in range(ATTEMPTS):
        try:
            return getattr(iam, method)(**kw)
        except iam.exceptions.EntityAlreadyExistsException:
            if attempt == 0:
                raise
            return None
        except Exception:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def _create_managed(url, fixture, i):
    rng = random.Random(100000 + i)
    body = permission_policy(rng, 90000 + i, 0, *fixture.managed_size)
    _call(_client(url), "create_policy", PolicyName=managed_name(i),
          PolicyDocument=json.dumps(body), Description="benchmark managed policy %d" % i)


def _create_role(url, fixture, n):
    iam = _client(url)
    name, trust, inline, attached, extras = fixture.role_spec(n)
    _call(iam, "create_role", RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
          **extras)
    for pname, body in inline.items():
        _call(iam, "put_role_policy", RoleName=name, PolicyName=pname,
              PolicyDocument=json.dumps(body))
    for arn in attached:
        _call(iam, "attach_role_policy", RoleName=name, PolicyArn=arn)


def seed(url, stop, start=0, threads=THREADS, fixture=LARGE):
    """Creates the fixture's customer managed policies when start == 0, then roles
    start..stop-1. Returns the seconds it took. Raises the first failure. A
    fixture that needs_aws_managed needs a moto started with
    MOTO_IAM_LOAD_MANAGED_POLICIES=true."""
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        if start == 0:
            list(pool.map(lambda i: _create_managed(url, fixture, i), range(fixture.managed)))
        list(pool.map(lambda n: _create_role(url, fixture, n), range(start, stop),
                      chunksize=16))
    return time.monotonic() - t0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixture", choices=sorted(FIXTURES), default=LARGE.name)
    ap.add_argument("url")
    ap.add_argument("roles", type=int)
    ap.add_argument("start", type=int, nargs="?", default=0)
    args = ap.parse_args(argv[1:])
    took = seed(args.url, args.roles, args.start, fixture=FIXTURES[args.fixture])
    print("seeded %s roles %d..%d in %.1f s" % (args.fixture, args.start, args.roles - 1, took))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
