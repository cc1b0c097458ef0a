"""The FUSE side of saving, beyond the editor suites: editor helper files do
everything a local file does (write, chmod, utimens, fsync, symlinks,
renames, listing) in memory and never reach IAM; renaming a policy file away
keeps IAM's policy; a refused save is not sent again by a later close; the
fixed parts of the tree refuse changes with EPERM; .iamfs/errors and
.iamfs/rejected/ are honest files; mtimes move only with content.
"""
import errno
import json
import os
import stat

import pytest

from saverig import (ROLE, TARGETS, account, mounts, remote_doc, rendered,  # noqa: F401
                     trust, writes_of)

TRUST = TARGETS["trust"][0]
REFUSALS = r"(refus|EINVAL|EPERM)"


def test_helper_files_live_in_memory(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    proxy.reset()
    for folder in (m.p(ROLE), m.p(ROLE, "inline"), m.p(ROLE, "attached")):
        swp = os.path.join(folder, ".trust.json.swp")
        fd = os.open(swp, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        try:
            assert os.write(fd, b"b0VIM 9.0") == 9
            os.pwrite(fd, b"!", 20)
            os.fsync(fd)
            assert os.pread(fd, 64, 0) == b"b0VIM 9.0" + b"\0" * 11 + b"!"
        finally:
            os.close(fd)
        assert os.stat(swp).st_size == 21
        os.chmod(swp, 0o640)
        os.utime(swp, (1000000000, 1000000000))
        st = os.stat(swp)
        assert stat.S_IMODE(st.st_mode) == 0o640 and st.st_mtime == 1000000000
        # No extended attributes anywhere: the kernel is told once (ENOSYS) and
        # answers EOPNOTSUPP itself from then on.
        for fn in (lambda: os.setxattr(swp, "user.vim", b"swap"),
                   lambda: os.getxattr(swp, "user.vim"), lambda: os.listxattr(swp),
                   lambda: os.removexattr(swp, "user.vim")):
            for _ in range(2):
                with pytest.raises(OSError) as e:
                    fn()
                assert e.value.errno == errno.EOPNOTSUPP
        lock = os.path.join(folder, ".#trust.json")
        os.symlink("root@host.1234:1700000000", lock)
        assert os.readlink(lock) == "root@host.1234:1700000000"
        assert os.path.islink(lock)
        assert {".trust.json.swp", ".#trust.json"} <= set(os.listdir(folder))
        os.rename(swp, os.path.join(folder, "#trust.json#"))
        assert os.path.exists(os.path.join(folder, "#trust.json#"))
        assert not os.path.exists(swp)
        # vim's probe: create, chown to itself, unlink.
        probe = os.path.join(folder, "4913")
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o644)
        os.fchown(fd, os.getuid(), os.getgid())
        os.close(fd)
        os.unlink(probe)
        for name in ("#trust.json#", ".#trust.json"):
            os.unlink(os.path.join(folder, name))
        assert not {"#trust.json#", ".#trust.json", "4913"} & set(os.listdir(folder))
    assert sorted(os.listdir(m.p(ROLE))) == ["attached", "inline", "role.json", "trust.json"]
    assert proxy.counts().get("_total", 0) == 0


def test_helpers_vanish_at_unmount(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url, name="a", cache_dir=str(tmp_path / "c"))
    with open(m.p(ROLE, "notes.tmp"), "wb") as f:
        f.write(b"scratch")
    assert m.read(ROLE, "notes.tmp") == b"scratch"
    m.stop()
    m2 = mounts(proxy.url, name="b", cache_dir=str(tmp_path / "c"))
    proxy.reset()
    assert not os.path.exists(m2.p(ROLE, "notes.tmp"))
    assert writes_of(proxy.counts()) == {}


def test_rename_away_keeps_the_policy(account, mounts):
    """mv trust.json trust.json~ sends nothing; the name still serves IAM's policy
    and a new file under it is saved by its close."""
    iam, proxy = account
    m = mounts(proxy.url)
    proxy.reset()
    before = m.read(TRUST)
    os.rename(m.p(TRUST), m.p(ROLE, "trust.json~"))
    assert m.read(ROLE, "trust.json~") == before
    assert m.read(TRUST) == before
    assert proxy.counts().get("_total", 0) == 0
    new = rendered(trust("states.us-east-1.amazonaws.com"))
    fd = os.open(m.p(TRUST), os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
    os.write(fd, new)
    os.close(fd)
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 1}
    assert m.read(TRUST) == new
    assert os.stat(m.p(TRUST)).st_size == len(new)
    assert m.read(ROLE, "trust.json~") == before
    os.unlink(m.p(ROLE, "trust.json~"))
    assert remote_doc(iam, "trust") == json.loads(new)
    # An inline policy renamed away is not deleted either.
    os.rename(m.p(ROLE, "inline", "s3-read.json"), m.p(ROLE, "inline", "s3-read.json~"))
    assert "s3-read" in iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 1}


def test_refused_save_is_not_resent_by_close(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    proxy.reset()
    before = m.read(TRUST)
    fd = os.open(m.p(TRUST), os.O_RDWR)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, b"{ not json")
        with pytest.raises(OSError) as e:
            os.fsync(fd)
        assert e.value.errno == errno.EINVAL
        # The open file keeps its bytes for the program that has it open.
        assert os.pread(fd, 100, 0) == b"{ not json"
    finally:
        os.close(fd)  # no new write: nothing to send, nothing refused again
    assert proxy.counts().get("_total", 0) == 0
    assert m.read(TRUST) == before
    assert os.stat(m.p(TRUST)).st_size == len(before)
    errors = m.read(".iamfs", "errors")
    assert os.stat(m.p(".iamfs", "errors")).st_size == len(errors)
    assert len([line for line in errors.splitlines() if b"trust.json" in line]) == 1
    rejected = os.listdir(m.p(".iamfs", "rejected"))
    assert len(rejected) == 1
    path = m.p(".iamfs", "rejected", rejected[0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert m.read(".iamfs", "rejected", rejected[0]) == b"{ not json"
    assert os.stat(path).st_size == len(b"{ not json")


def test_fixed_parts_refuse_changes(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url)
    proxy.reset()
    src = m.p(ROLE, "new.tmp")
    with open(src, "wb") as f:
        f.write(b"{}")
    cases = [
        (lambda: os.unlink(m.p(ROLE, "attached", "cust-ec2.json")), errno.EPERM),
        (lambda: os.mkdir(m.p(ROLE, "sub")), errno.EPERM),
        (lambda: os.rename(m.p(ROLE, "inline"), m.p(ROLE, "x")), errno.EPERM),
        (lambda: open(m.p("4913"), "w"), errno.EPERM),
        (lambda: os.link(src, m.p(ROLE, "hard.tmp")), errno.EPERM),
        (lambda: os.setxattr(m.p(TRUST), "user.x", b"1"), errno.EOPNOTSUPP),
        (lambda: os.getxattr(m.p(TRUST), "user.x"), errno.EOPNOTSUPP),
        (lambda: os.listxattr(m.p(TRUST)), errno.EOPNOTSUPP),
        (lambda: os.symlink("arn:aws:iam::aws:policy/Other",
                            m.p(ROLE, "attached", "not-attached.json")), errno.EINVAL),
    ]
    for i, (fn, want) in enumerate(cases):
        with pytest.raises(OSError) as e:
            fn()
        assert e.value.errno == want, i
    assert writes_of(proxy.counts()) == {}


def test_mtime_moves_only_with_content(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    proxy.reset()
    st = os.stat(m.p(TRUST))
    os.utime(m.p(TRUST), (1, 1))  # accepted, left as it is
    assert os.stat(m.p(TRUST)).st_mtime == st.st_mtime
    m.refresh()
    assert os.stat(m.p(TRUST)).st_mtime == st.st_mtime
    data = m.read(TRUST).replace(b"swf.amazonaws.com", b"states.us-east-1.amazonaws.com")
    with open(m.p(TRUST), "r+b") as f:
        f.truncate(0)
        f.write(data)
    after = os.stat(m.p(TRUST))
    assert after.st_size == len(data)
    assert after.st_mtime >= st.st_mtime
    m.refresh()
    again = os.stat(m.p(TRUST))
    assert (again.st_mtime, again.st_size) == (after.st_mtime, after.st_size)
    assert m.read(TRUST) == data


def test_truncate_by_path_is_a_save(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    proxy.reset()
    size = os.stat(m.p(TRUST)).st_size
    os.truncate(m.p(TRUST), size)  # same size: nothing to save
    assert proxy.counts().get("_total", 0) == 0
    with pytest.raises(OSError) as e:
        os.truncate(m.p(TRUST), 0)
    assert e.value.errno == errno.EINVAL
    assert writes_of(proxy.counts()) == {}
    assert os.stat(m.p(TRUST)).st_size == size


def test_open_reader_sees_saved_bytes(account, mounts):
    """A file held open from before a save reads the new bytes after it."""
    iam, proxy = account
    m = mounts(proxy.url)
    reader = open(m.p(TRUST), "rb")
    try:
        before = reader.read()
        data = before.replace(b"swf.amazonaws.com", b"states.us-east-1.amazonaws.com")
        with open(m.p(TRUST), "wb") as f:
            f.write(data)
        assert os.pread(reader.fileno(), len(data) + 10, 0) == data
        assert os.fstat(reader.fileno()).st_size == len(data)
    finally:
        reader.close()
    assert m.read(TRUST) == data


def test_created_file_without_a_write_is_not_saved(account, mounts):
    """touch of a new inline policy sends nothing and leaves no file behind; statfs
    shows room for helper files."""
    iam, proxy = account
    m = mounts(proxy.url)
    proxy.reset()
    path = m.p(ROLE, "inline", "empty.json")
    open(path, "wb").close()
    assert proxy.counts().get("_total", 0) == 0
    assert "empty.json" not in os.listdir(m.p(ROLE, "inline"))
    assert not os.path.exists(path)
    sv = os.statvfs(m.p(ROLE))
    assert sv.f_bavail > 0 and sv.f_favail > 0


@pytest.mark.parametrize("backupcopy", ["auto", "no"])
def test_vim_rename_save_of_shorter_text(account, mounts, backupcopy):
    """vim's rename-then-write save opens the name O_WRONLY|O_CREAT without O_TRUNC:
    the new file starts empty, so a shorter text leaves no tail of the old one."""
    import editors
    iam, proxy = account
    m = mounts(proxy.url)
    before = m.read(TRUST)
    proxy.reset()
    out = editors.vim_ex(m.p(TRUST), "swf.amazonaws.com", "s3.amazonaws.com", m.home,
                         backupcopy)
    assert out.returncode == 0, out.stderr
    want = before.replace(b"swf.amazonaws.com", b"s3.amazonaws.com")
    assert m.read(TRUST) == want
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 1}
    assert remote_doc(iam, "trust") == json.loads(want)
    # The mark is spent: a later in-place edit starts from the file's bytes.
    with open(m.p(TRUST), "r+b") as f:
        f.seek(0)
        f.write(b"{")
    assert m.read(TRUST) == want


def test_conflict_with_a_change_seen_after_reading(account, mounts):
    """Read, then IAM changes and this mount's refresh learns it: a save of the
    bytes read is a conflict (ESTALE); after reading again the save goes through."""
    iam, proxy = account
    m = mounts(proxy.url, allow=r"(refus|ESTALE|conflict|changed in IAM)")
    before = m.read(TRUST)
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(
        trust("events.amazonaws.com")))
    m.refresh()
    proxy.reset()
    data = before.replace(b"swf.amazonaws.com", b"states.us-east-1.amazonaws.com")
    fd = os.open(m.p(TRUST), os.O_WRONLY | os.O_TRUNC)
    os.write(fd, data)
    with pytest.raises(OSError) as e:
        os.close(fd)
    assert e.value.errno == errno.ESTALE
    assert writes_of(proxy.counts()) == {}
    assert b"events.amazonaws.com" in m.read(TRUST)
    with open(m.p(TRUST), "wb") as f:
        f.write(data)
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 1}
    assert remote_doc(iam, "trust") == json.loads(data)
