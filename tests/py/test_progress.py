"""Progress of a long load: on a terminal, a cold mount draws one line (roles,
GAAD pages, seconds, the chain in flight) that is redrawn in place and erased
when the mount is ready; with stderr not a terminal nothing is written; while a
revalidation runs, .iamfs/status has a "loading:" line with the same counts.
The account is made slow with the proxy (latency, small GAAD pages)."""
import json
import os
import re
import subprocess
import threading

import pytest

import mount as mnt
import ptyrun
import rig
from saverig import mounts, trust, wait_until  # noqa: F401

ROLES = 30
PAGE = 5  # GAAD entities a page: 30 roles are 6 pages or more
LINE = re.compile(rb"iamfs: loading the account: (\d+) roles, (\d+) pages, (\d+)\.(\d)s "
                  rb"\(([A-Za-z -]+)\)")
ERASE = b"\r\x1b[K"


@pytest.fixture(scope="module")
def big_account(moto):
    moto.reset()
    iam = moto.client()
    for i in range(ROLES):
        iam.create_role(RoleName="role-%02d" % i,
                        AssumeRolePolicyDocument=json.dumps(trust("lambda.amazonaws.com")))
    yield iam
    moto.reset()


@pytest.fixture
def slow(big_account, proxy):
    proxy.config(latency_ms=100, gaad_page_size=PAGE)
    yield proxy
    proxy.config(latency_ms=0, gaad_page_size=1000)


def daemon_args(tmp_path):
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    (tmp_path / "home").mkdir()
    return [rig.IAMFS, "--cache-dir", str(tmp_path / "cache"), str(mountpoint)], str(mountpoint)


def unmount_daemon(path):
    """Unmounts a daemonized iamfs (not our child) and waits until it is gone."""
    mnt.unmount(path)
    wait_until(lambda: not os.path.ismount(path), timeout=20, what="unmounted")


def test_cold_mount_on_a_terminal_shows_progress_then_erases_it(slow, tmp_path):
    argv, path = daemon_args(tmp_path)
    env = mnt.iamfs_env(slow.url, str(tmp_path / "home"))
    term = ptyrun.Pty(argv, env=env)
    try:
        assert term.wait(timeout=60) == 0, term.out
    finally:
        term.close()
    try:
        assert os.path.ismount(path)
        assert len([n for n in os.listdir(path) if n.startswith("role-")]) == ROLES
    finally:
        unmount_daemon(path)
    out = term.out
    # Every draw starts by erasing the line; the last write erases it, and nothing else
    # (no newline, no message) is left on the terminal.
    frames = out.split(ERASE)
    assert frames[0] == b"" and frames[-1] == b"", out
    drawn = [LINE.fullmatch(f) for f in frames[1:-1] if f]
    assert drawn and all(drawn), out
    roles = [int(m.group(1)) for m in drawn]
    pages = [int(m.group(2)) for m in drawn]
    tenths = [int(m.group(3)) * 10 + int(m.group(4)) for m in drawn]
    stages = [m.group(5).decode() for m in drawn]
    assert roles == sorted(roles) and pages == sorted(pages) and tenths == sorted(tenths)
    assert max(roles) == ROLES and max(pages) >= ROLES // PAGE
    assert "GetAccountAuthorizationDetails" in stages
    assert tenths[-1] >= 5  # 6+ pages at 100 ms each: the clock moved


def test_no_progress_when_stderr_is_not_a_terminal(slow, tmp_path):
    argv, path = daemon_args(tmp_path)
    env = mnt.iamfs_env(slow.url, str(tmp_path / "home"))
    try:
        r = subprocess.run(argv, env=env, capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr
        assert r.stderr == b"" and r.stdout == b""
        assert os.path.ismount(path)
        assert slow.counts().get("GetAccountAuthorizationDetails", 0) >= ROLES // PAGE
    finally:
        unmount_daemon(path)


def test_status_has_a_loading_line_while_a_revalidation_runs(big_account, proxy, mounts):
    m = mounts(proxy.url)
    assert "\nloading:" not in m.status()
    proxy.config(latency_ms=100, gaad_page_size=PAGE)
    done = threading.Event()
    errors = []

    def refresh():
        try:
            m.refresh()
        except OSError as e:
            errors.append(e)
        finally:
            done.set()

    t = threading.Thread(target=refresh)
    t.start()
    seen = []
    try:
        while not done.wait(0.05) and len(seen) < 2000:
            line = re.search(r"^loading: .*$", m.status(), re.M)
            if line:
                seen.append(line.group(0))
    finally:
        t.join(timeout=60)
    assert not t.is_alive() and not errors
    assert seen, "no loading: line while the refresh ran"
    fmt = re.compile(r"loading: (\d+) roles, (\d+) pages, (\d+)s \(([A-Za-z -]+)\)")
    parsed = [fmt.fullmatch(s) for s in seen]
    assert all(parsed), seen
    pages = [int(p.group(2)) for p in parsed]
    assert pages == sorted(pages) and max(pages) >= 1, seen
    assert any(p.group(4) == "GetAccountAuthorizationDetails" for p in parsed), seen
    assert "\nloading:" not in m.status()
    assert "roles: %d\n" % ROLES in m.status()
