"""iamfs against a hostile IAM/STS peer (tests/py/hostile.py): answers that
would make a listing lie (IsTruncated without a Marker), loop (a repeating
Marker) or balloon (many tiny elements), and identifiers that must not become
paths, file names or status lines unchecked."""
import errno
import os
import re
import threading
import time

import pytest

import hostile
import mount


@pytest.fixture
def peer():
    h = hostile.Hostile()
    try:
        yield h
    finally:
        h.stop()


def start(peer, tmp_path, **kw):
    return mount.Mount(peer.url, tmp_path, ttl=3600, **kw).start(timeout=60)


def roles(m):
    return sorted(n for n in os.listdir(m.path) if n != ".iamfs")


def refresh_fails(m, timeout=60):
    """Asks for a refresh (one unbuffered write, so one chain) and waits at most
    timeout seconds; returns the errno it failed with, None when it succeeded,
    "timeout" when it had not returned by then."""
    out = ["timeout"]

    def write():
        fd = os.open(m.p(".iamfs", "refresh"), os.O_WRONLY)
        try:
            os.write(fd, b"1\n")
            out[0] = None
        except OSError as e:
            out[0] = e.errno
        finally:
            os.close(fd)

    t = threading.Thread(target=write, daemon=True)
    t.start()
    t.join(timeout)
    return out[0]


def vm_hwm_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        kb = int(re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M).group(1))
    return kb / 1024


@pytest.mark.parametrize("action", ["GetAccountAuthorizationDetails", "ListRoles"])
def test_truncated_without_marker_fails_the_cold_mount(peer, tmp_path, action):
    peer.mode[action] = "no_marker"
    m = mount.Mount(peer.url, tmp_path, ttl=3600)
    try:
        with pytest.raises(RuntimeError) as e:
            m.start(timeout=60)
        assert "without a Marker" in str(e.value)
    finally:
        m.stop()
    assert peer.count(action) == 1


def test_truncated_without_marker_keeps_the_previous_view(peer, tmp_path):
    m = start(peer, tmp_path)
    try:
        assert len(roles(m)) == 12
        peer.mode["GetAccountAuthorizationDetails"] = "no_marker"
        assert refresh_fails(m) == errno.EIO
        st = m.status()
        # IAM answered, badly: the load failed, the mount is not offline.
        assert "state: online\n" in st
        assert "last load failed: GetAccountAuthorizationDetails failed: " \
               "MalformedResponse: GetAccountAuthorizationDetails answered IsTruncated=true " \
               "without a Marker after 1 pages" in st
        assert "failed loads: 1\n" in st
        assert len(roles(m)) == 12
    finally:
        m.stop()


def test_repeating_marker_stops_at_once(peer, tmp_path):
    m = start(peer, tmp_path)
    try:
        peer.mode["GetAccountAuthorizationDetails"] = "repeat"
        before = peer.count("GetAccountAuthorizationDetails")
        t0 = time.monotonic()
        assert refresh_fails(m, timeout=20) == errno.EIO
        took = time.monotonic() - t0
        calls = peer.count("GetAccountAuthorizationDetails") - before
        assert calls == 2, calls  # the first page, then the page repeating its Marker
        print("repeating Marker: %d calls, %.2f s" % (calls, took))
        assert took < 10, took
        assert "a Marker it had already given" in m.status()
        assert len(roles(m)) == 12
    finally:
        m.stop()


def test_tiny_elements_bound_the_parse(peer, tmp_path):
    m = start(peer, tmp_path)
    try:
        peer.mode["GetAccountAuthorizationDetails"] = "tiny"
        peer.tiny_bytes = 60 << 20
        assert refresh_fails(m, timeout=120) == errno.EINVAL
        hwm = vm_hwm_mb(m.proc.pid)
        print("daemon VmHWM %.0f MB" % hwm)
        assert hwm < 400, "daemon peak RSS %.0f MB" % hwm
        assert "unexpected GetAccountAuthorizationDetails answer: too large" in m.status()
        assert len(roles(m)) == 12
    finally:
        m.stop()


def test_account_id_must_be_12_digits(peer, tmp_path):
    peer.account = "../escaped"
    m = mount.Mount(peer.url, tmp_path, ttl=3600)
    try:
        with pytest.raises(RuntimeError) as e:
            m.start(timeout=60)
        assert 'an account id that is not 12 digits: "../escaped"' in str(e.value)
    finally:
        m.stop()
    assert not [n for n in os.listdir(tmp_path) if n.startswith("escaped")]
    assert peer.count("GetAccountAuthorizationDetails") == 0


def test_caller_arn_cannot_forge_a_status_line(peer, tmp_path):
    peer.caller_arn = "arn:aws:sts::123456789012:user/x\nstate: forged\t"
    m = start(peer, tmp_path)
    try:
        lines = m.status().splitlines()
        assert "state: forged" not in lines
        assert "caller: arn:aws:sts::123456789012:user/x\\nstate: forged\\t" in lines
        assert "state: online" in lines
    finally:
        m.stop()


def test_names_that_cannot_be_files_are_named_not_dropped(peer, tmp_path):
    peer.roles = [
        {"name": "ok-role", "inline": ["good", "bad/../x"]},
        {"name": ".iamfs"},
        {"name": ".."},
        {"name": "evil\nname"},
        {"name": "../../up"},
        {"name": "pathless", "path": "no-slash"},
    ]
    m = start(peer, tmp_path)
    try:
        assert roles(m) == ["ok-role"]
        assert os.listdir(m.p("ok-role", "inline")) == ["good.json"]
        assert sorted(os.listdir(m.p(".iamfs"))) == ["errors", "refresh", "rejected", "removed",
                                                  "status"]
        lines = m.status().splitlines()
        shown = [line for line in lines if line.startswith("not shown: ")]
        assert len(shown) == 1, lines
        line = shown[0]
        assert line.startswith("not shown: 6: ")
        for part in ('inline policy "bad/../x" of role "ok-role" is not a valid IAM policy name',
                     'role ".iamfs" collides with the control folder .iamfs',
                     'role ".." cannot be a folder name',
                     'role "evil\\nname" is not a valid IAM role name',
                     'role "../../up" is not a valid IAM role name',
                     'role "pathless" has a path that is not a valid IAM path'):
            assert part in line
        assert "6 roles or policies from IAM are not shown: " in m.stderr()
        assert "role.json" in os.listdir(m.p("ok-role"))
    finally:
        m.stop()
    assert not os.path.exists(os.path.join(tmp_path, "up"))
