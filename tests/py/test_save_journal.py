"""A daemon killed with SIGKILL in the middle of a save loses nothing: the save
is journaled in the cache folder before any call, so after a remount with the
same --cache-dir the edit is either in IAM or reported in .iamfs/errors with its
bytes kept under .iamfs/rejected/. The proxy's latency holds the save's request
in flight (during the conflict read, or during the write call itself) while the
daemon is killed.
"""
import json
import os
import signal

import pytest

import mount as mnt
from saverig import (TARGETS, account, errors_text, kill_while_held,  # noqa: F401
                     mounts, rejected_files, remote_doc, wait_until)

HOLD_MS = 4000




@pytest.mark.parametrize("moment", ["during-read", "during-write"])
@pytest.mark.parametrize("kind", ["trust", "inline", "attached"])
def test_sigkill_mid_save_loses_nothing(account, mounts, tmp_path, kind, moment):
    iam, proxy = account
    rel, action, old, new = TARGETS[kind]
    m = mounts(proxy.url)
    before = m.read(rel)
    data = before.replace(old.encode(), new.encode())
    src = tmp_path / "new.json"
    src.write_bytes(data)
    proxy.reset()
    held = action if moment == "during-write" else None
    assert kill_while_held(m, proxy, ["cp", str(src), m.p(rel)], held, HOLD_MS) != 0
    if moment != "during-write":
        assert proxy.counts().get(action, 0) == 0  # killed while the first read was held
    if moment == "during-write":
        # Let the held request reach moto, so the remount sees the edit in IAM.
        wait_until(lambda: proxy.upstream_counts().get(action, 0) >= 1, HOLD_MS / 1000 + 10,
                   what="the held write reached moto")
        wait_until(lambda: remote_doc(iam, kind) == json.loads(data), 10,
                   what="moto applied the held write")
    else:
        wait_until(lambda: proxy.upstream_counts()["_total"] >= 1, HOLD_MS / 1000 + 10,
                   what="the held read reached moto")
    m2 = mounts(proxy.url, cache_dir=m.cache_dir, name="again")

    def settled():
        if remote_doc(iam, kind) == json.loads(data):
            return "in IAM"
        lines = [x for x in errors_text(m2).splitlines() if rel in x]
        if lines and data in rejected_files(m2).values():
            return "reported"
        return None
    outcome = wait_until(settled, 30, what="the edit is in IAM or reported and kept")
    if moment == "during-read":
        assert outcome == "reported"
        assert "interrupted" in errors_text(m2)
    else:
        assert outcome == "in IAM"
        wait_until(lambda: json.loads(m2.read(rel)) == json.loads(data), 30,
                   what="the remounted file shows the saved document")
    # The report survives a second remount; the journal holds nothing more.
    text = errors_text(m2)
    m2.stop()
    m3 = mounts(proxy.url, cache_dir=m.cache_dir, name="third")
    assert errors_text(m3) == text


def test_sigkill_mid_delete(account, mounts, tmp_path):
    """rm of an inline policy, daemon killed while DeleteRolePolicy is in flight: after
    the remount the policy is gone from IAM and from the tree, or the delete is reported."""
    iam, proxy = account
    rel = TARGETS["inline"][0]
    m = mounts(proxy.url, args=["--allow-delete"])
    m.read(rel)
    proxy.reset()
    kill_while_held(m, proxy, ["rm", m.p(rel)], "DeleteRolePolicy", HOLD_MS)
    wait_until(lambda: proxy.upstream_counts().get("DeleteRolePolicy", 0) >= 1,
               HOLD_MS / 1000 + 10, what="the held delete reached moto")
    wait_until(lambda: "s3-read" not in iam.list_role_policies(RoleName="states-lambda-role")[
        "PolicyNames"], 10, what="moto applied the held delete")
    m2 = mounts(proxy.url, cache_dir=m.cache_dir, name="again")
    wait_until(lambda: not os.path.exists(m2.p(rel)), 30,
               what="the remounted tree no longer lists the deleted policy")
    assert "interrupted" not in errors_text(m2)
