"""Saves whose outcome the daemon cannot see at once: IAM applied the write but
its answer was lost or cut (the proxy's "after" faults), and saves still
waiting for a free saver when the daemon is killed. A write that may have landed
is never sent again blindly, a save that landed is a success (never EIO, never
kept under rejected/), and a save is journaled as soon as it is accepted.
"""
import errno
import json
import os
import signal
import subprocess
import time

import mount as mnt
from saverig import (DOOMED, ROLE, TARGETS, WORKERS, account, cust_arn, errors_text,  # noqa: F401
                     kill_daemon, mounts, rejected_files, remote_doc, rendered, trust,
                     wait_until, write_and_close)

import pytest


def version_ids(iam):
    return {v["VersionId"] for v in iam.list_policy_versions(PolicyArn=cust_arn())["Versions"]}


def edited(m, rel, sid):
    """The file's current value with a Sid added to its first statement."""
    value = json.loads(m.read(rel))
    value["Statement"][0]["Sid"] = sid
    return value, rendered(value)


@pytest.mark.parametrize("fault", ["drop", "reset", "truncate", "status"])
def test_create_policy_version_is_not_resent_when_its_answer_is_lost(account, mounts, fault):
    """IAM made the version; the answer never arrived intact. One save, one version."""
    iam, proxy = account
    rel = TARGETS["attached"][0]
    m = mounts(proxy.url)
    value, data = edited(m, rel, "Lost" + fault)
    before = version_ids(iam)
    proxy.fault("CreatePolicyVersion", fault, when="after", status=500)
    rc = write_and_close(m.p(rel), data, timeout=30)
    assert len(version_ids(iam) - before) == 1, version_ids(iam)
    assert remote_doc(iam, "attached") == value
    assert rc == 0
    assert proxy.upstream_counts()["CreatePolicyVersion"] == 1


@pytest.mark.parametrize("kind", ["trust", "inline", "attached"])
@pytest.mark.parametrize("fault", ["short", "status-forever", "drop-forever"])
def test_a_save_that_landed_is_reported_saved(account, mounts, kind, fault):
    """The write reached IAM, the answers say otherwise: close returns 0, the file
    shows the saved bytes, nothing under rejected/, no errors line."""
    iam, proxy = account
    rel, action = TARGETS[kind][:2]
    m = mounts(proxy.url)
    value, data = edited(m, rel, "Landed")
    if fault == "short":
        proxy.fault(action, "short", when="after")
    else:
        proxy.fault(action, fault.split("-")[0], when="after", count=-1, status=500)
    rc = write_and_close(m.p(rel), data, timeout=30)
    proxy.clear_faults()
    assert remote_doc(iam, kind) == value
    assert rc == 0, errno.errorcode.get(rc, rc)
    assert m.read(rel) == data
    assert rejected_files(m) == {}
    assert rel not in errors_text(m)


def test_a_save_that_did_not_land_is_refused_and_kept(account, mounts):
    """The write never reached IAM and every resend fails too: the usual refusal."""
    iam, proxy = account
    rel, action = TARGETS["attached"][:2]
    m = mounts(proxy.url)
    old = remote_doc(iam, "attached")
    value, data = edited(m, rel, "Never")
    before = version_ids(iam)
    proxy.fault(action, "drop", count=-1)
    rc = write_and_close(m.p(rel), data, timeout=30)
    proxy.clear_faults()
    assert rc == errno.EIO
    assert remote_doc(iam, "attached") == old and version_ids(iam) == before
    assert data in rejected_files(m).values()
    assert rel in errors_text(m)


@pytest.mark.parametrize("fault", ["drop", "short", "status"])
def test_an_rm_that_landed_is_reported_done(account, mounts, fault):
    """DeleteRolePolicy reached IAM and its answer was lost: rm succeeds, once."""
    iam, proxy = account
    m = mounts(proxy.url, args=["--allow-delete"])
    path = m.p(ROLE, "inline", "s3-read.json")
    assert os.path.exists(path)
    proxy.fault("DeleteRolePolicy", fault, when="after", count=-1, status=500)
    os.unlink(path)
    proxy.clear_faults()
    assert "s3-read" not in iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
    assert proxy.upstream_counts()["DeleteRolePolicy"] == 1
    assert not os.path.exists(path)
    assert rejected_files(m) == {}
    assert "s3-read" not in errors_text(m)


def test_an_rm_that_did_not_land_is_refused(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=r"refused", args=["--allow-delete"])
    path = m.p(ROLE, "inline", "s3-read.json")
    before = m.read(ROLE, "inline", "s3-read.json")
    proxy.fault("DeleteRolePolicy", "drop", count=-1)
    with pytest.raises(OSError) as e:
        os.unlink(path)
    proxy.clear_faults()
    assert e.value.errno == errno.EIO
    assert "s3-read" in iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
    assert m.read(ROLE, "inline", "s3-read.json") == before
    assert "inline/s3-read.json" in errors_text(m)




HOLD_MS = 1500


def test_saves_waiting_for_a_saver_are_journaled(account, mounts, tmp_path):
    """Ten shells write ten roles' trust.json at once; four savers take four, the
    rest wait. SIGKILL: after a remount every edit is in IAM or reported and kept."""
    iam, proxy = account
    roles = WORKERS + [ROLE, DOOMED]
    m = mounts(proxy.url)
    wanted = {}
    for i, role in enumerate(roles):
        m.read(role, "trust.json")
        wanted[role] = rendered(trust("svc%d.amazonaws.com" % i))
        (tmp_path / ("doc%d.json" % i)).write_bytes(wanted[role])
    proxy.reset()
    proxy.config(latency_ms=HOLD_MS)
    # Prints "closing" once its bytes are written: only those saves were handed over.
    script = ("import sys; f = open(sys.argv[2], 'wb'); f.write(open(sys.argv[1], 'rb').read()); "
              "print('closing', flush=True); f.close()")
    writers = [subprocess.Popen(["/usr/bin/python3", "-c", script,
                                 str(tmp_path / ("doc%d.json" % i)), m.p(role, "trust.json")],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
               for i, role in enumerate(roles)]
    try:
        wait_until(lambda: proxy.counts()["_total"] >= 4, 30, what="four saves under way")
        time.sleep(1.0)
        kill_daemon(m)
        handed = [role for role, w in zip(roles, writers)
                  if w.communicate(timeout=20)[0].startswith(b"closing")]
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
                w.wait(timeout=10)
    proxy.config(latency_ms=0)
    time.sleep(HOLD_MS / 1000 + 1)  # the held requests reach moto
    m2 = mounts(proxy.url, cache_dir=m.cache_dir, name="again")

    def outcome(role):
        if json.loads(wanted[role]) == iam.get_role(RoleName=role)["Role"][
                "AssumeRolePolicyDocument"]:
            return "in IAM"
        lines = [x for x in errors_text(m2).splitlines() if role + "/trust.json" in x]
        if lines and wanted[role] in rejected_files(m2).values():
            return "reported"
        return None

    last = {}

    def all_settled():
        last.update({role: outcome(role) for role in handed})
        return dict(last) if all(last.values()) else None
    deadline = time.monotonic() + 30
    while not all_settled() and time.monotonic() < deadline:
        time.sleep(0.2)
    got = dict(last)
    assert len(handed) >= 6 and all(got.values()), got
    # Most saves were still waiting for a saver when the daemon died.
    assert list(got.values()).count("reported") >= 4, got
