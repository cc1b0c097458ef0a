"""The first open of a policy file for reading puts its bytes in the kernel's
page cache before the open is answered, so the reads after it send no READ.

mincore(2) on a mapping of the file tells whether its page is in the page
cache without reading it: right after the first open it is. Many readers on a
fresh mount at once, writers among them, all finish (a store that waited on a
page a READ holds would hang the mount), and every reader sees the right bytes.
"""
import ctypes
import mmap
import os
import threading

from saverig import (ROLE, TARGETS, WORKERS, account, mounts, policy,  # noqa: F401
                     rendered, wait_until)
from test_save_failures import write_and_close

LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
TRUST = TARGETS["trust"][0]
INLINE = TARGETS["inline"][0]


def resident(path):
    """Whether the first page of path is in the page cache, asked without reading it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        # Private and writable only so ctypes can take its address; never touched.
        m = mmap.mmap(fd, size, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
        try:
            vec = ctypes.create_string_buffer(1)
            addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
            assert LIBC.mincore(ctypes.c_void_p(addr), ctypes.c_size_t(size), vec) == 0, \
                os.strerror(ctypes.get_errno())
            del addr
            return bool(vec.raw[0] & 1)
        finally:
            m.close()
    finally:
        os.close(fd)


def test_first_open_fills_the_page_cache(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    # A fresh mount: the first open of each file stores its bytes.
    assert resident(m.p(TRUST))
    assert resident(m.p(INLINE))
    assert m.read(TRUST) == m.read(TRUST)
    # After a save the kernel's pages are dropped; the saved bytes are read back.
    data = rendered(policy(["s3:PutObject"]))
    assert write_and_close(m.p(INLINE), data) == 0
    assert m.read(INLINE) == data


def test_many_first_readers_and_writers_at_once(account, mounts):
    """Eight readers walk the same files in different orders on a fresh mount
    while a writer saves two of them: nobody hangs, no read fails, every read of
    a file nobody writes gives the bytes it has, and the saves land."""
    iam, proxy = account
    m = mounts(proxy.url)
    trusts = [m.p(w, "trust.json") for w in WORKERS]
    written = [m.p(w, "inline", "logs.json") for w in WORKERS[:2]]
    paths = trusts + [m.p(w, "inline", "logs.json") for w in WORKERS]
    data = rendered(policy(["logs:CreateLogStream"]))
    seen, errors = {}, []

    def reader(k):
        try:
            for i in range(len(paths)):
                p = paths[(i * 3 + k) % len(paths)]
                with open(p, "rb") as f:
                    got = f.read()
                if p in trusts:
                    seen.setdefault(p, set()).add(got)
        except OSError as e:
            errors.append((k, repr(e)))

    def writer():
        for p in written:
            if write_and_close(p, data) != 0:
                errors.append(("writer", p))

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(8)]
    threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a reader or the writer hung"
    assert errors == []
    assert sorted(seen) == sorted(trusts)
    for p in trusts:
        assert seen[p] == {m.read(*os.path.relpath(p, m.path).split("/"))}, p
    for p in written:
        assert open(p, "rb").read() == data
