"""Revalidation under load and how .iamfs/status words a load that failed:
saves made while a chain is in flight no longer throw the chain away (a
refresh lands while saves continue), a throttled chain is reported as
throttling and counted as a failed load, and "offline" means IAM could not be
reached, never "read-only" while saves work.
"""
import errno
import json
import os
import re
import time

import pytest

from saverig import (ROLE, TARGETS, account, mounts, policy, rendered,  # noqa: F401
                     wait_until)
from test_save_failures import write_and_close

INLINE = TARGETS["inline"][0]
TRUST = TARGETS["trust"][0]
GAAD = "GetAccountAuthorizationDetails"


def status_field(m, key):
    found = re.search(r"^%s: (.*)$" % re.escape(key), m.status(), re.M)
    assert found, m.status()
    return found.group(1)


def refresh_errno(m):
    """One write to .iamfs/refresh (unbuffered: exactly one chain); its errno."""
    fd = os.open(m.p(".iamfs", "refresh"), os.O_WRONLY)
    try:
        os.write(fd, b"1\n")
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def test_refresh_lands_under_sustained_saves(account, mounts):
    """Saves back to back at --ttl 1 while files are read: every chain sees a
    save published meanwhile, and at least one revalidation must still land,
    keeping the saves' own documents."""
    iam, proxy = account
    proxy.config(latency_ms=40)
    m = mounts(proxy.url, ttl=1)
    loads0 = int(status_field(m, "loads"))
    deadline = time.monotonic() + 12
    i = 0
    while time.monotonic() < deadline:
        i += 1
        data = rendered(policy(["s3:GetObject"], "arn:aws:s3:::bucket-%d/*" % i))
        assert write_and_close(m.p(INLINE), data) == 0
        m.read(TRUST)
        assert m.read(INLINE) == data
        if int(status_field(m, "loads")) > loads0 + 1 and i > 20:
            break
    chains = proxy.counts()[GAAD]
    assert int(status_field(m, "loads")) > loads0, (chains, m.status())
    # The last save survives every revalidation that landed after it.
    time.sleep(1.5)
    m.read(TRUST)
    wait_until(lambda: "refresh: in progress" not in m.status(), 20, what="the chain ends")
    assert m.read(INLINE) == data
    assert int(status_field(m, "failed loads")) == 0


def test_throttled_load_is_reported_as_throttling(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=r"refresh")
    proxy.reset()
    proxy.fault(GAAD, "throttle", count=-1)
    assert refresh_errno(m) == errno.EAGAIN
    st = m.status()
    assert "Throttling: Rate exceeded" in st, st
    assert "overtaking" not in st, st
    assert status_field(m, "failed loads") == "1", st
    assert status_field(m, "state") == "online", st
    # One chain, not three: a throttled chain is not an overtaken one.
    assert proxy.counts()["GetCallerIdentity"] == 1, proxy.counts()
    proxy.clear_faults()
    assert refresh_errno(m) == 0
    st = m.status()
    assert "Throttling" not in st, st
    assert status_field(m, "failed loads") == "1", st


def test_offline_wording_is_true(account, mounts):
    """Loads cannot reach IAM (GAAD's connection drops), saves still can: the
    state says offline and why, never read-only, and a save that reached IAM
    puts the state back to online while the failed load stays reported."""
    iam, proxy = account
    m = mounts(proxy.url, allow=r"refresh")
    proxy.fault(GAAD, "drop", count=-1)
    assert refresh_errno(m) == errno.EIO
    state = status_field(m, "state")
    assert state.startswith("offline: cannot reach IAM"), m.status()
    assert "read-only" not in m.status()
    data = m.read(TRUST).replace(b"swf.amazonaws.com", b"states.us-east-1.amazonaws.com")
    assert write_and_close(m.p(TRUST), data) == 0
    assert status_field(m, "state") == "online", m.status()
    assert "cannot reach IAM" in status_field(m, "last load failed")
    assert status_field(m, "failed loads") == "1"


def test_refresh_that_changes_nothing_keeps_the_view(account, mounts):
    """A revalidation that finds IAM as the view already holds it keeps that view
    (same serial: nothing for the kernel to drop, no second copy of it in
    memory); one that finds a change publishes a new view."""
    iam, proxy = account
    m = mounts(proxy.url, allow=r"refresh")
    wait_until(lambda: "refresh: in progress" not in m.status(), 20, what="the load ends")
    serial = int(status_field(m, "view serial"))
    loads = int(status_field(m, "loads"))
    before = m.read(TRUST)
    assert refresh_errno(m) == 0
    assert int(status_field(m, "loads")) == loads + 1, m.status()
    assert int(status_field(m, "view serial")) == serial, m.status()
    assert m.read(TRUST) == before
    doc = policy(["s3:ListBucket"], "arn:aws:s3:::kept-view")
    iam.put_role_policy(RoleName=ROLE, PolicyName="kept-view", PolicyDocument=json.dumps(doc))
    assert refresh_errno(m) == 0
    assert int(status_field(m, "view serial")) == serial + 1, m.status()
    assert m.read(ROLE, "inline", "kept-view.json") == rendered(doc)
