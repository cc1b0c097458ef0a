"""Core dumps hold no credentials: the daemon keeps its secret access key and
session token in pages marked MADV_DONTDUMP (the "dd" VmFlag in smaps), in
OpenSSL's secure heap, and makes itself non-dumpable (checked by the unit test
test_secret, since a root test cannot observe another root process's flag).
"""
import re

from saverig import account, mounts  # noqa: F401

SECRET = "iamfsSecretMarker0123456789abcdefXYZ/+k"
TOKEN = "iamfsTokenMarker" + "Q" * 48


def regions(pid):
    """[(start, end, flags)] of the process's mappings, from smaps."""
    out, cur = [], None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            if m:
                cur = [int(m.group(1), 16), int(m.group(2), 16), m.group(3), ""]
                out.append(cur)
            elif line.startswith("VmFlags:") and cur:
                cur[3] = line.split(":", 1)[1].split()
    return out


def found_in(pid, needle, want_dd):
    """Whether needle is in a readable mapping whose dd flag is want_dd."""
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        for start, end, perms, flags in regions(pid):
            if perms[0] != "r" or ("dd" in flags) != want_dd or end - start > (1 << 28):
                continue
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    return True
            except OSError:
                continue
    return False


def test_credentials_live_in_pages_left_out_of_core_dumps(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, env={"AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN})
    assert m.read(".iamfs", "status")
    pid = m.proc.pid
    assert any("dd" in flags for _, _, _, flags in regions(pid))
    assert found_in(pid, SECRET.encode(), True)
    assert found_in(pid, TOKEN.encode(), True)
