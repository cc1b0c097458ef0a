"""Our SigV4 signing and form encoding against botocore, the oracle.

Generates at least 10,000 random Query requests (seeded; the seed is printed,
set IAMFS_SIGV4_SEED to replay one), runs them all through ONE sigv4tool
process, and checks for each that our body equals urllib.parse.urlencode and
our Authorization header equals botocore's SigV4Auth. For a subset the
canonical request and string to sign are compared too, so a mismatch points
at its stage.
"""
import datetime
import json
import os
import random
import subprocess
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

import rig

N_REQUESTS = 10_000
STAGE_EVERY = 10  # compare canonical request and string to sign for every 10th
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
TOOL = os.path.join(rig.TOOLS, "sigv4tool")

# (host, region, service): the three partitions' IAM and STS endpoints.
PARTITION_TARGETS = [
    ("iam.amazonaws.com", "us-east-1", "iam"),
    ("iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "iam"),
    ("iam.us-gov.amazonaws.com", "us-gov-west-1", "iam"),
    ("sts.us-east-1.amazonaws.com", "us-east-1", "sts"),
    ("sts.eu-west-1.amazonaws.com", "eu-west-1", "sts"),
    ("sts.ap-southeast-2.amazonaws.com", "ap-southeast-2", "sts"),
    ("sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "sts"),
    ("sts.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", "sts"),
    ("sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", "sts"),
    ("sts.us-gov-east-1.amazonaws.com", "us-gov-east-1", "sts"),
]
# URLs the tool parses itself (endpoint_parse_url), checked against botocore's Host rules.
URL_TARGETS = [
    ("https://IAM.amazonaws.com:443/", "us-east-1", "iam"),
    ("https://iam.amazonaws.com", "us-east-1", "iam"),
    ("http://127.0.0.1:80/", "us-east-1", "iam"),
    ("https://localhost:8443/", "us-east-1", "sts"),
    ("http://Moto.Local:5000/iam/", "us-east-1", "iam"),
]

# Characters that stress the encoder: form-syntax, reserved, Latin-1, 2-, 3- and 4-byte UTF-8.
SPECIALS = " +/=&~%?#:;,@!$'()*[]{}\"<>\\^`|\t\n\r-_."
LATIN1 = "".join(chr(c) for c in range(0xA0, 0x100))
MULTIBYTE = "€ĀŁΩЖאع中文日本語한국어😀🚀𝄞🦄\u2028\ufeff"


def random_text(rng, max_len):
    n = rng.randint(0, max_len)
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        SPECIALS,
        LATIN1,
        MULTIBYTE,
        "".join(chr(c) for c in range(1, 0x80)),
    ]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(n))


def policy_document(rng, target_len):
    """A policy-like JSON document of about target_len characters."""
    statements = []
    doc = {"Version": "2012-10-17", "Statement": statements}
    while len(json.dumps(doc, indent=rng.choice([None, 4]))) < target_len:
        statements.append({
            "Sid": "S%d" % len(statements),
            "Effect": rng.choice(["Allow", "Deny"]),
            "Action": ["s3:GetObject", "iam:PassRole", "sts:AssumeRole"][: rng.randint(1, 3)],
            "Resource": "arn:aws:s3:::bucket-%d/%s*" % (rng.randint(0, 999),
                                                     random_text(rng, 12)),
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": random_text(rng, 20)}},
        })
    return json.dumps(doc, indent=rng.choice([None, 4]), ensure_ascii=rng.random() < 0.5)


def random_params(rng):
    action = rng.choice(["PutRolePolicy", "UpdateAssumeRolePolicy", "CreatePolicyVersion",
                         "GetAccountAuthorizationDetails", "AssumeRole", "ListRoles"])
    params = [("Action", action), ("Version", "2010-05-08")]
    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.15:
            value = ""
        elif kind < 0.30:
            value = policy_document(rng, rng.randint(100, 10_000))
        else:
            value = random_text(rng, rng.choice([5, 40, 300]))
        name = rng.choice(["RoleName", "PolicyName", "PolicyDocument", "Marker", "Filter.member.1",
                           "Tags.member.1.Value", "X y", "ünï", random_text(rng, 8) or "N"])
        params.append((name, value))
    return params


def random_token(rng):
    r = rng.random()
    if r < 0.45:
        return None
    if r < 0.5:
        return "  tok  with   runs\tof  space  "  # trimmed and collapsed in canonical headers
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(16, 900)))


def random_request(rng):
    pick = rng.random()
    req = {}
    if pick < 0.7:
        host, region, service = rng.choice(PARTITION_TARGETS)
        req.update(host=host, path="/")
        url = "https://%s/" % host
    elif pick < 0.9:
        port = rng.randint(1024, 65535)
        region = rng.choice(["us-east-1", "cn-north-1", "us-gov-west-1", "eu-central-1"])
        service = rng.choice(["iam", "sts"])
        path = rng.choice(["/", "/", "/moto/", "/a-b_c.d~e/"])
        req.update(host="127.0.0.1:%d" % port, path=path)
        url = "http://127.0.0.1:%d%s" % (port, path)
    else:
        url, region, service = rng.choice(URL_TARGETS)
        req.update(url=url)
    t = rng.randint(1_300_000_000, 2_500_000_000)
    amz_date = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    secret_pool = alnum + "abcdefghijklmnopqrstuvwxyz+/" + (LATIN1 if rng.random() < 0.05 else "")
    req.update(
        params=random_params(rng), region=region, service=service, amz_date=amz_date,
        key=rng.choice(["AKIA", "ASIA"]) + "".join(rng.choice(alnum) for _ in range(16)),
        secret="".join(rng.choice(secret_pool) for _ in range(rng.choice([40, 40, 40, 70]))),
        token=random_token(rng))
    return req, url


def botocore_sign(req, url, body):
    """botocore's Authorization, canonical request and string to sign for req."""
    creds = botocore.credentials.Credentials(req["key"], req["secret"], req["token"])
    auth = botocore.auth.SigV4Auth(creds, req["service"], req["region"])
    request = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body,
                                             headers={"Content-Type": CONTENT_TYPE})
    fixed = datetime.datetime.strptime(req["amz_date"], "%Y%m%dT%H%M%SZ")

    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    # add_auth reads the clock through the module's datetime: pin it to amz_date.
    with mock.patch.object(botocore.auth, "datetime",
                           types.SimpleNamespace(datetime=FixedDatetime)):
        auth.add_auth(request)
    authorization = request.headers["Authorization"]
    assert request.headers["X-Amz-Date"] == req["amz_date"]
    del request.headers["Authorization"]
    canonical = auth.canonical_request(request)
    return authorization, canonical, auth.string_to_sign(request, canonical)


def run_tool(requests):
    assert os.access(TOOL, os.X_OK), "build sigv4tool first: %s" % TOOL
    data = "".join(json.dumps(r) + "\n" for r in requests).encode()
    proc = subprocess.Popen([TOOL], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(data, timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err.decode(errors="replace")
    lines = out.decode("utf-8").splitlines()
    assert len(lines) == len(requests)
    return [json.loads(line) for line in lines]


def test_sigv4_matches_botocore():
    seed = int(os.environ.get("IAMFS_SIGV4_SEED", time.time_ns() % 2**32))
    print("sigv4 botocore comparison seed=%d (replay: IAMFS_SIGV4_SEED=%d)" % (seed, seed))
    rng = random.Random(seed)
    cases = [random_request(rng) for _ in range(N_REQUESTS)]
    started = time.monotonic()
    ours = run_tool([req for req, _ in cases])
    tool_seconds = time.monotonic() - started

    mismatches = []
    stats = {"token": 0, "long": 0, "multibyte4": 0, "url": 0, "staged": 0}
    for i, ((req, url), got) in enumerate(zip(cases, ours)):
        assert "error" not in got, (i, req, got)
        body = urllib.parse.urlencode(req["params"])
        want_auth, want_canon, want_sts = botocore_sign(req, url, body.encode())
        problems = []
        if got["body"] != body:
            problems.append("body")
        if got["authorization"] != want_auth:
            problems.append("authorization")
        if i % STAGE_EVERY == 0 or problems:
            stats["staged"] += 1
            if got["canonical"] != want_canon:
                problems.append("canonical")
            if got["string_to_sign"] != want_sts:
                problems.append("string_to_sign")
        if problems:
            mismatches.append((i, problems, req, got, want_canon, want_auth))
        stats["token"] += req["token"] is not None
        stats["long"] += len(body) > 5000
        stats["multibyte4"] += any(ord(c) > 0xFFFF for _, v in req["params"] for c in v)
        stats["url"] += "url" in req
    print("sigv4: %d requests, %d mismatches, tool %.2fs, %s"
          % (len(cases), len(mismatches), tool_seconds, stats))
    for i, problems, req, got, want_canon, want_auth in mismatches[:3]:
        print("MISMATCH #%d %s\n request=%r\n ours=%r\n botocore canonical=%r\n botocore auth=%r"
              % (i, problems, req, got, want_canon, want_auth))
    assert len(cases) >= 10_000
    assert not mismatches
    # The generator really covered what the comparison is meant to cover.
    assert stats["token"] > 1000 and stats["long"] > 100
    assert stats["multibyte4"] > 100 and stats["url"] > 100


@pytest.mark.parametrize("url", ["ftp://iam.amazonaws.com/", "https://user:pw@iam.amazonaws.com/",
                                 "https://iam.amazonaws.com:99999/", "https:///",
                                 "https://iam.amazonaws.com/" + "a" * 3000])
def test_sigv4tool_rejects_bad_urls(url):
    req = {"params": [["Action", "ListRoles"]], "url": url, "region": "us-east-1",
           "service": "iam", "amz_date": "20260101T000000Z", "key": "AKID", "secret": "s",
           "token": None}
    got = run_tool([req])
    assert got == [{"error": -22}]


def moto_call(server, keys, params, secret=None):
    """Signs params with sigv4tool and POSTs them to moto; returns (status, body text)."""
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    req = {"params": params, "url": server.url + "/", "region": "us-east-1", "service": "iam",
           "amz_date": amz_date, "key": keys[0], "secret": secret or keys[1], "token": None}
    (got,) = run_tool([req])
    assert got["body"] == urllib.parse.urlencode(params)
    headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Date": amz_date,
               "Authorization": got["authorization"]}
    request = urllib.request.Request(server.url + "/", data=got["body"].encode(), method="POST",
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_moto_accepts_our_signatures(moto_auth):
    """moto with signature checking on accepts what we sign, including awkward
    documents, and refuses a request signed with the wrong secret."""
    server, keys = moto_auth
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {
            "aws:PrincipalTag/x": "a b+c/d=e&f~g%h caf\u00e9 \u00ff"}}}]}, indent=4)
    role = "sigv4-role+=,.@-_"
    status, text = moto_call(server, keys, [
        ("Action", "CreateRole"), ("Version", "2010-05-08"), ("RoleName", role),
        ("AssumeRolePolicyDocument", trust), ("Description", "with spaces & symbols ~%")])
    assert status == 200, text
    policy = policy_document(random.Random(7), 8000).replace("S0", "S0 \u00e9+%")
    status, text = moto_call(server, keys, [
        ("Action", "PutRolePolicy"), ("Version", "2010-05-08"), ("RoleName", role),
        ("PolicyName", "inline+policy"), ("PolicyDocument", policy)])
    assert status == 200, text
    iam = server.client(key=keys[0], secret=keys[1])
    got = iam.get_role_policy(RoleName=role, PolicyName="inline+policy")["PolicyDocument"]
    assert got == json.loads(policy)
    status, text = moto_call(server, keys, [("Action", "ListRoles"), ("Version", "2010-05-08")],
                             secret="wrong" + keys[1][5:])
    assert status == 403 and "SignatureDoesNotMatch" in text, (status, text)
