"""IAM is eventually consistent: a trust policy naming a principal created seconds
ago can be refused with MalformedPolicyDocument "Invalid principal in policy: ...".
A trust save retries that answer (and only that one) with backoff for 10 s in all,
through the mounted daemon against moto behind the counting proxy, whose status
fault answers as IAM would and then lets the call through.
"""
import errno
import json
import time

from saverig import (ROLE, TARGETS, account, errors_text, mounts, rejected_files,  # noqa: F401
                     rendered, snapshot, trust, write_and_close, writes_of)

TRUST, UPDATE = TARGETS["trust"][0], TARGETS["trust"][1]
NEW = "arn:aws:iam::123456789012:role/created-seconds-ago"
UNKNOWN = 'Invalid principal in policy: "AWS":"%s"' % NEW
ALLOW = r"MalformedPolicyDocument"


def new_trust():
    doc = trust("lambda.amazonaws.com")
    doc["Statement"][0]["Principal"] = {"AWS": NEW}
    return doc


def refuse(proxy, message, count):
    proxy.fault(UPDATE, "status", count=count, status=400, code="MalformedPolicyDocument",
                message=message)


def test_unknown_principal_twice_then_saved(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    m.read(TRUST)
    proxy.reset()
    refuse(proxy, UNKNOWN, 2)
    doc = new_trust()
    assert write_and_close(m.p(TRUST), rendered(doc), timeout=30) == 0
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == doc
    assert writes_of(proxy.counts()) == {UPDATE: 3}, proxy.counts()
    assert proxy.upstream_counts().get(UPDATE) == 1
    assert errors_text(m) == ""
    assert m.read(TRUST) == rendered(doc)


def test_unknown_principal_for_good_is_refused_after_10_s(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=ALLOW)
    m.read(TRUST)
    snap = snapshot(iam)
    proxy.reset()
    refuse(proxy, UNKNOWN, -1)
    data = rendered(new_trust())
    start = time.monotonic()
    assert write_and_close(m.p(TRUST), data, timeout=30) == errno.EINVAL
    took = time.monotonic() - start
    assert 9.5 <= took <= 15, took
    calls = writes_of(proxy.counts())[UPDATE]
    assert 5 <= calls <= 10, proxy.counts()
    line = [x for x in errors_text(m).splitlines() if TRUST in x][-1]
    assert "EINVAL" in line and "MalformedPolicyDocument" in line, line
    assert UNKNOWN in line and "retried for 10 s" in line, line
    assert data in rejected_files(m).values()
    assert snapshot(iam) == snap


def test_other_malformed_answer_is_refused_at_once(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=ALLOW)
    m.read(TRUST)
    snap = snapshot(iam)
    proxy.reset()
    refuse(proxy, "Invalid policy: Statement must not be empty", -1)
    data = rendered(new_trust())
    start = time.monotonic()
    assert write_and_close(m.p(TRUST), data, timeout=30) == errno.EINVAL
    assert time.monotonic() - start < 5
    assert writes_of(proxy.counts()) == {UPDATE: 1}, proxy.counts()
    line = [x for x in errors_text(m).splitlines() if TRUST in x][-1]
    assert "Statement must not be empty" in line and "retried" not in line, line
    assert data in rejected_files(m).values()
    assert snapshot(iam) == snap
    assert json.loads(m.read(TRUST)) == snap["roles"][ROLE]["trust"]
