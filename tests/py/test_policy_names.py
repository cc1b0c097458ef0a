"""Refusals seen through the control folder, and the names a policy folder
accepts: .iamfs/rejected/ lists a refusal made after it was first listed, and
a policy-looking name IAM cannot accept in inline/ or attached/ is refused at
create or rename time with a message instead of becoming an in-memory helper
file.
"""
import errno
import os

from saverig import (ROLE, TARGETS, account, errors_text, mounts,  # noqa: F401
                     rejected_files)
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
