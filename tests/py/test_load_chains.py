"""The cold load's two listing chains, ListRoles (Description and
MaxSessionDuration, which GAAD lacks) and GAAD, run at once on two connections:
the proxy's request times show them overlap; every role.json is the same bytes
whichever chain ends first and carries IAM's Description and MaxSessionDuration;
a failing ListRoles still fails the load with its own error, a failing GAAD
fails it with GAAD's without waiting for ListRoles' whole chain, and a denied
GAAD still falls back to the per-role scan."""
import json
import os
import time

import pytest

import mount as mnt
from saverig import mounts  # noqa: F401 (fixture)

GAAD = "GetAccountAuthorizationDetails"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
ROLES = 9
HOLD_MS = 800  # how long the delayed chain's first answer is held


def seed(iam):
    """ROLES roles: every third without a description, durations 3600-7200 s."""
    for i in range(ROLES):
        kw = {"MaxSessionDuration": 3600 + 900 * (i % 5)}
        if i % 3:
            kw["Description"] = "role number %d" % i
        iam.create_role(RoleName="chain-%02d" % i, AssumeRolePolicyDocument=TRUST, **kw)


@pytest.fixture
def peer(moto, proxy):
    """A clean account seeded by seed(), GAAD paged 2 entities at a time (5 pages)."""
    moto.reset()
    iam = moto.client()
    seed(iam)
    proxy.reset()
    proxy.config(latency_ms=0, gaad_page_size=2)
    yield iam, proxy
    proxy.reset()
    proxy.config(gaad_page_size=1000)


def role_jsons(m):
    return {n: m.read(n, "role.json") for n in sorted(os.listdir(m.path)) if n != ".iamfs"}


def span(times, action):
    """(first arrival, last answer) of action's requests."""
    mine = [t for t in times if t["action"] == action]
    assert mine, (action, times)
    return min(t["arrived"] for t in mine), max(t["answered"] for t in mine)


def check_extras(iam, docs):
    assert len(docs) == ROLES
    for name, data in docs.items():
        want = iam.get_role(RoleName=name)["Role"]
        got = json.loads(data)
        assert got.get("Description") == want.get("Description"), name
        assert got["MaxSessionDuration"] == want["MaxSessionDuration"], name


@pytest.mark.parametrize("slow", ["ListRoles", GAAD])
def test_chains_overlap_and_agree(peer, mounts, tmp_path, slow):  # noqa: F811
    """slow's first answer is held: with ListRoles slow every GAAD role is
    rendered before the table and waits for it; with GAAD slow the table is
    there first. Both give every role its extras, and the same bytes."""
    iam, proxy = peer
    ref = mounts(proxy.url, name="ref")
    before = role_jsons(ref)
    check_extras(iam, before)
    proxy.reset()
    proxy.fault(slow, "delay", delay_ms=HOLD_MS, count=1)
    m = mounts(proxy.url, name="held", cache_dir=str(tmp_path / "held-cache"))
    times = proxy.times()
    lr, gaad = span(times, "ListRoles"), span(times, GAAD)
    # Each chain's first request was sent before the other chain's last answer.
    assert gaad[0] < lr[1] and lr[0] < gaad[1], (lr, gaad)
    counts = proxy.counts()
    # A held GAAD request is answered unpaged by the proxy: one page.
    assert counts[GAAD] >= (5 if slow == "ListRoles" else 1), counts
    assert counts["ListRoles"] == 1, counts
    assert role_jsons(m) == before


def test_failing_list_roles_fails_the_load(peer, tmp_path):
    iam, proxy = peer
    proxy.fault("ListRoles", "denied", count=-1)
    m = mnt.Mount(proxy.url, tmp_path, ttl=3600)
    try:
        with pytest.raises(RuntimeError) as e:
            m.start(timeout=60)
    finally:
        m.stop()
    assert "iamfs: ListRoles was denied: " in str(e.value), str(e.value)
    assert "iam:ListRoles" in str(e.value), str(e.value)
    # GAAD ran beside it, and stopped at the page in flight when ListRoles failed.
    assert proxy.counts().get(GAAD, 0) <= 5


def test_failing_gaad_fails_the_load_without_waiting_for_list_roles(peer, tmp_path):
    iam, proxy = peer
    proxy.fault("ListRoles", "delay", delay_ms=HOLD_MS, count=1)
    proxy.fault(GAAD, "status", status=400, code="ValidationError",
                message="made to fail", count=-1)
    m = mnt.Mount(proxy.url, tmp_path, ttl=3600)
    t0 = time.monotonic()
    try:
        with pytest.raises(RuntimeError) as e:
            m.start(timeout=60)
    finally:
        m.stop()
    took = time.monotonic() - t0
    assert "GetAccountAuthorizationDetails failed: ValidationError: made to fail" \
        in str(e.value), str(e.value)
    assert took < 10, took
    assert proxy.counts()["ListRoles"] == 1


def test_denied_gaad_falls_back_to_the_scan(peer, mounts):  # noqa: F811
    iam, proxy = peer
    proxy.fault("ListRoles", "delay", delay_ms=HOLD_MS, count=1)
    proxy.fault(GAAD, "denied", count=-1)
    m = mounts(proxy.url, allow="per-role calls")
    check_extras(iam, role_jsons(m))
    counts = proxy.counts()
    # One ListRoles beside GAAD, one for the scan; then the scan's calls.
    assert counts["ListRoles"] == 2 and counts[GAAD] == 1, counts
    assert counts["ListRolePolicies"] == ROLES, counts
