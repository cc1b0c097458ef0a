"""The dispatch loop asks idle CPUs to poll while requests come in a burst.

While a reader sends requests one after another, the daemon holds its CPU
latency request (PM QoS, /dev/cpu_dma_latency) at 0, so the reader's CPU polls
instead of halting while it waits for each answer; it lets the request go when
the loop sleeps. The daemon's -d log says when it holds and lets go (the
device itself reads back only the lowest request of the whole machine, which
another daemon may hold). A daemon that may not open the device says so once
in its log and serves as before; --no-cpu-latency never opens it.
"""
import os
import struct
import time

from saverig import TARGETS, account, mounts, wait_until  # noqa: F401

TRUST = TARGETS["trust"][0]
DEVICE = "/dev/cpu_dma_latency"
HELD = "cpu latency: held at 0"
LET_GO = "cpu latency: let go"


def holds_device(pid):
    """Whether the daemon has the PM QoS device open."""
    fds = "/proc/%d/fd" % pid
    for fd in os.listdir(fds):
        try:
            if os.readlink(os.path.join(fds, fd)) == DEVICE:
                return True
        except OSError:
            pass
    return False


def latency_lines(m):
    return [line for line in m.stderr().splitlines() if "cpu latency:" in line]


def burst(path, until, seconds=10.0):
    """Opens and reads path again and again (each open is an OPEN the reader
    waits for, each close a RELEASE it does not) until until() or seconds;
    returns whether until() became true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for _ in range(20):
            with open(path, "rb") as f:
                assert f.read()
        if until():
            return True
    return False


def test_a_burst_holds_the_cpu_latency_limit_and_idle_lets_it_go(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, args=["-d"])
    if not os.access(DEVICE, os.W_OK):
        # Not root and no rule shares the device: said once, served as before.
        assert "idle CPUs are not asked to poll" in m.stderr()
        assert not holds_device(m.proc.pid)
        assert burst(m.p(TRUST), lambda: True)
        assert latency_lines(m) == []
        return
    assert holds_device(m.proc.pid)
    # While a burst runs the device reads back 0 (the lowest request of all).
    fd = os.open(DEVICE, os.O_RDONLY)  # an open adds a request at the default: no limit
    try:
        assert burst(m.p(TRUST), lambda: struct.unpack("i", os.pread(fd, 4, 0))[0] == 0)
    finally:
        os.close(fd)
    # The daemon's own log: it held the limit during the burst, and once the
    # requests stop its last word is that it let it go.
    assert any(HELD in line for line in latency_lines(m))
    wait_until(lambda: LET_GO in latency_lines(m)[-1], timeout=5, interval=0.05)


def read_plain(path):
    """open, read, close and nothing else (Python's open() also asks isatty,
    which on a FUSE file is an IOCTL the reader waits for)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 1 << 16)
    finally:
        os.close(fd)


def test_a_lone_open_asks_nothing(account, mounts):
    """An open that finds the loop asleep, and the RELEASE after it that the
    reader does not wait for, leave the limit alone."""
    iam, proxy = account
    m = mounts(proxy.url, args=["-d"])
    assert read_plain(m.p(TRUST))  # the first open: the kernel looks the file up
    time.sleep(0.1)
    before = len(latency_lines(m))
    for _ in range(3):
        assert read_plain(m.p(TRUST))
        time.sleep(0.1)  # far beyond the loop's 200 µs: each open finds it asleep
    assert latency_lines(m)[before:] == []
    assert m.fuse_ops()["OPEN"] >= 4


def test_no_cpu_latency_never_opens_the_device(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, args=["-d", "--no-cpu-latency"])
    assert burst(m.p(TRUST), lambda: False, seconds=0.5) is False
    assert not holds_device(m.proc.pid)
    assert latency_lines(m) == []
    assert "idle CPUs are not asked to poll" not in m.stderr()
