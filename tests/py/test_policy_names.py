"""Refusals seen through the control folder, and the names a policy folder
accepts: .iamfs/rejected/ lists a refusal made after it was first listed, and
a policy-looking name IAM cannot accept in inline/ or attached/ is refused at
create or rename time with a message instead of becoming an in-memory helper
file.
"""
import errno
import os
import subprocess

import pytest

from saverig import (ROLE, TARGETS, account, errors_text, mounts, policy,  # noqa: F401
                     rejected_files, rendered)
from test_save_failures import write_and_close

TRUST = TARGETS["trust"][0]


def test_rejected_listing_shows_later_refusals(account, mounts):
    """The kernel caches folder listings for --ttl: a refusal recorded after the
    first listing must still appear in the next one, and read back."""
    iam, proxy = account
    m = mounts(proxy.url, allow=r"refused")
    rej = m.p(".iamfs", "rejected")
    assert os.listdir(rej) == []
    for i in range(2):
        data = b"{ not json %d" % i
        assert write_and_close(m.p(TRUST), data) == errno.EINVAL
        names = os.listdir(rej)
        assert len(names) == i + 1, names
        assert data in rejected_files(m).values()
        lines = [line for line in errors_text(m).splitlines() if TRUST in line]
        assert len(lines) == i + 1, lines


BAD_NAMES = ["my policy.json", "p" * 129 + ".json", "\u00e4.json", "X.JSON", "x.Json"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=["space", "129-chars", "non-ascii", "upper",
                                                "mixed-case"])
def test_bad_policy_name_is_refused(account, mounts, name):
    """echo '{}' > inline/<name>: refused with EINVAL and a message, nothing kept
    in memory, nothing sent."""
    iam, proxy = account
    m = mounts(proxy.url, allow=r"refused")
    proxy.reset()
    r = subprocess.run(["sh", "-c", "echo '{}' > \"$0\"", m.p(ROLE, "inline", name)],
                       capture_output=True, timeout=30)
    assert r.returncode != 0
    assert os.strerror(errno.EINVAL) in r.stderr.decode(), r.stderr
    with pytest.raises(OSError) as e:
        os.open(m.p(ROLE, "attached", name), os.O_WRONLY | os.O_CREAT, 0o644)
    assert e.value.errno == errno.EINVAL
    assert name not in os.listdir(m.p(ROLE, "inline"))
    assert not os.path.exists(m.p(ROLE, "inline", name))
    assert proxy.counts()["_total"] == 0, proxy.counts()
    lines = [line for line in errors_text(m).splitlines() if "not a policy name" in line]
    assert len(lines) == 2, errors_text(m)
    assert "EINVAL" in lines[0] and "inline/" in lines[0]
    assert "refused" in m.stderr() and "not a policy name" in m.stderr()


def test_rename_onto_bad_policy_name_keeps_the_bytes(account, mounts):
    """A temp file renamed onto a name IAM cannot take: EINVAL, the bytes kept under
    rejected/, the temp file still there."""
    iam, proxy = account
    m = mounts(proxy.url, allow=r"refused")
    tmp = m.p(ROLE, "inline", "new.json.tmp")
    data = rendered(policy(["s3:GetObject"]))
    with open(tmp, "wb") as f:
        f.write(data)
    proxy.reset()
    with pytest.raises(OSError) as e:
        os.rename(tmp, m.p(ROLE, "inline", "New Policy.json"))
    assert e.value.errno == errno.EINVAL
    assert os.path.exists(tmp)
    assert "New Policy.json" not in os.listdir(m.p(ROLE, "inline"))
    assert data in rejected_files(m).values()
    assert proxy.counts()["_total"] == 0, proxy.counts()
    # Editors' helpers that end in .json stay helpers.
    for helper in (".#New Policy.json", ".hidden name.json"):
        with open(m.p(ROLE, "inline", helper), "wb") as f:
            f.write(b"x")
        os.unlink(m.p(ROLE, "inline", helper))
