"""The dispatch loop asks idle CPUs to poll while requests come in a burst.

While a reader sends requests one after another, the daemon holds the
system's CPU latency limit (PM QoS, /dev/cpu_dma_latency) at 0, so the
reader's CPU polls instead of halting while it waits for each answer; it lets
the limit go when the loop sleeps. The device reads back the limit in force.
A daemon that may not open the device says so once in its log and serves as
before; --no-cpu-latency never opens it.
"""
import os
import struct
import threading
import time

from saverig import TARGETS, account, mounts  # noqa: F401

TRUST = TARGETS["trust"][0]
DEVICE = "/dev/cpu_dma_latency"


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


def limit_during_burst(path, seconds=5.0):
    """Opens and reads path in a loop on a thread (each open is an OPEN request
    on a read-write mount) and reads the limit in force meanwhile; returns the
    smallest value seen, stopping at 0 or after seconds."""
    stop = threading.Event()
    opened = []

    def reader():
        while not stop.is_set():
            with open(path, "rb") as f:
                f.read()
            opened.append(1)

    t = threading.Thread(target=reader)
    t.start()
    lowest = None
    try:
        fd = os.open(DEVICE, os.O_RDONLY)  # an open for reading asks no limit
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                v = struct.unpack("i", os.pread(fd, 4, 0))[0]
                lowest = v if lowest is None else min(lowest, v)
                if v == 0:
                    break
                time.sleep(0.001)
        finally:
            os.close(fd)
    finally:
        stop.set()
        t.join(timeout=30)
    assert not t.is_alive()
    assert opened, "the reader never opened the file"
    return lowest


def test_a_burst_of_requests_holds_the_cpu_latency_limit(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    if not os.access(DEVICE, os.W_OK):
        # Not root and no rule shares the device: said once, served as before.
        assert "idle CPUs are not asked to poll" in m.stderr()
        assert not holds_device(m.proc.pid)
        assert m.read(TRUST)
        return
    assert holds_device(m.proc.pid)
    assert limit_during_burst(m.p(TRUST)) == 0


def test_no_cpu_latency_never_opens_the_device(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, args=["--no-cpu-latency"])
    for _ in range(200):
        with open(m.p(TRUST), "rb") as f:
            assert f.read()
    assert not holds_device(m.proc.pid)
    assert "idle CPUs are not asked to poll" not in m.stderr()
