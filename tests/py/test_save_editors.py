"""Saving with real programs through the mounted daemon, against moto behind the
counting proxy: vim (ex mode with backupcopy auto/yes/no and swap files on, and
interactive in tmux), nano in tmux, emacs in batch mode with backups, sed -i, cp,
tee, shell >, rsync, mv of a temp file and a truncate-then-write save, on
trust.json, an inline policy and a customer managed attached policy. Each save
must put the new document in IAM with exactly one write call (and at most one
read), read back byte for byte, and send none of the editor's helper files.
Also: creating an inline policy with cp, rm of one, and a same-value save.
"""
import errno
import json
import os

import pytest

import editors
from saverig import (ROLE, TARGETS, account, assert_one_save, cust_arn,  # noqa: F401
                     expect_snapshot_after, mounts, policy, remote_doc, rendered, snapshot,
                     strip_versions, writes_of)

SAVERS = sorted(editors.SAVERS)


@pytest.mark.parametrize("kind", sorted(TARGETS))
@pytest.mark.parametrize("saver", SAVERS)
def test_save_makes_one_call(account, mounts, tmp_path, saver, kind):
    iam, proxy = account
    rel, action, old, new = TARGETS[kind]
    m = mounts(proxy.url)
    path = m.p(rel)
    before = m.read(rel)
    assert old.encode() in before
    snap = snapshot(iam)
    proxy.reset()
    out, data = editors.save_with(saver, path, before, old, new, str(tmp_path), m.home)
    assert out.returncode == 0, (out.stdout, out.stderr)
    counts = proxy.counts()
    assert_one_save(counts, action)
    new_value = json.loads(data)
    assert remote_doc(iam, kind) == new_value
    # Reads back byte for byte, through a fresh open and through stat.
    assert m.read(rel) == data
    assert os.stat(path).st_size == len(data)
    # Nothing else changed in IAM: no helper file became a policy, no role lost one.
    after = snapshot(iam)
    assert strip_versions(after) == strip_versions(expect_snapshot_after(snap, kind, new_value))
    if kind == "attached":
        vers = after["policies"]["cust-ec2"]
        assert len(vers) == len(snap["policies"]["cust-ec2"]) + 1
        assert [v[2] for v in vers if v[1]] == [new_value]
    else:
        assert after["policies"] == snap["policies"]
    # The role folder still lists the policy files; the save sent nothing more.
    assert "trust.json" in os.listdir(m.p(ROLE))
    assert "s3-read.json" in os.listdir(m.p(ROLE, "inline"))
    assert writes_of(proxy.counts()) == {action: 1}


def test_vim_backup_file_is_local_and_remote_policy_kept(account, mounts, tmp_path):
    """backupcopy=no with 'backup': vim renames trust.json to trust.json~ and writes
    a new trust.json; the renamed-away name is a local file and the role keeps its trust."""
    iam, proxy = account
    rel, action, old, new = TARGETS["trust"]
    m = mounts(proxy.url)
    before = m.read(rel)
    proxy.reset()
    out = editors.vim_ex(m.p(rel), old, new, m.home, "no", backup=True)
    assert out.returncode == 0, out.stderr
    assert_one_save(proxy.counts(), action)
    assert m.read(ROLE, "trust.json~") == before
    assert m.read(rel) == before.replace(old.encode(), new.encode())
    os.unlink(m.p(ROLE, "trust.json~"))
    assert writes_of(proxy.counts()) == {action: 1}
    assert remote_doc(iam, "trust") == json.loads(m.read(rel))


def test_create_inline_with_cp_then_rm(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url, args=["--allow-delete"])
    doc = rendered(policy(["sqs:SendMessage"]))
    src = tmp_path / "new.json"
    src.write_bytes(doc)
    proxy.reset()
    r = editors.run(["cp", str(src), m.p(ROLE, "inline", "queue-send.json")], m.home)
    assert r.returncode == 0, r.stderr
    assert_one_save(proxy.counts(), "PutRolePolicy")
    got = iam.get_role_policy(RoleName=ROLE, PolicyName="queue-send")["PolicyDocument"]
    assert got == json.loads(doc)
    assert m.read(ROLE, "inline", "queue-send.json") == doc
    assert sorted(iam.list_role_policies(RoleName=ROLE)["PolicyNames"]) == ["queue-send",
                                                                            "s3-read"]
    proxy.reset()
    r = editors.run(["rm", m.p(ROLE, "inline", "queue-send.json")], m.home)
    assert r.returncode == 0, r.stderr
    assert writes_of(proxy.counts()) == {"DeleteRolePolicy": 1}
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["s3-read"]
    assert "queue-send.json" not in os.listdir(m.p(ROLE, "inline"))


def test_same_value_save_sends_nothing(account, mounts, tmp_path):
    """Re-indented but equal JSON: no call at all, and the close succeeds."""
    iam, proxy = account
    rel = TARGETS["trust"][0]
    m = mounts(proxy.url)
    value = json.loads(m.read(rel))
    proxy.reset()
    compact = json.dumps(value).encode()
    with open(m.p(rel), "wb") as f:
        f.write(compact)
    assert proxy.counts()["_total"] == 0
    assert m.read(rel) == compact
    assert remote_doc(iam, "trust") == value


def test_attached_new_default_version(account, mounts, tmp_path):
    """A customer managed policy save makes a new default version; the old one stays."""
    iam, proxy = account
    rel, action, old, new = TARGETS["attached"]
    m = mounts(proxy.url)
    before = m.read(rel)
    proxy.reset()
    with open(m.p(rel), "wb") as f:
        f.write(before.replace(old.encode(), new.encode()))
    assert_one_save(proxy.counts(), action)
    vers = iam.list_policy_versions(PolicyArn=cust_arn())["Versions"]
    assert len(vers) == 2
    default = [v["VersionId"] for v in vers if v["IsDefaultVersion"]]
    assert default == ["v2"]


@pytest.mark.parametrize("folder", ["", "inline", "attached"])
def test_helper_files_stay_local(account, mounts, folder):
    """Editor helper files (emacs lock link and autosave, vim swap, a backup, a temp
    file): create, write, chmod, utimens, fsync, rename, symlink and unlink all
    work (xattrs: EOPNOTSUPP, as on every file), and nothing reaches IAM."""
    iam, proxy = account
    m = mounts(proxy.url)
    d = m.p(ROLE, folder) if folder else m.p(ROLE)
    base = sorted(os.listdir(d))
    snap = snapshot(iam)
    proxy.reset()
    lock = os.path.join(d, ".#trust.json")
    os.symlink("root@host.4242:1700000000", lock)
    assert os.readlink(lock) == "root@host.4242:1700000000"
    auto = os.path.join(d, "#trust.json#")
    with open(auto, "wb") as f:
        f.write(b'{"partial": ')
        f.flush()
        os.fsync(f.fileno())
    os.chmod(auto, 0o600)
    assert os.stat(auto).st_mode & 0o777 == 0o600
    os.utime(auto, (1700000000, 1700000000))
    assert int(os.stat(auto).st_mtime) == 1700000000
    with pytest.raises(OSError) as e:
        os.setxattr(auto, "user.iamfs-test", b"x")
    assert e.value.errno == errno.EOPNOTSUPP
    swp = os.path.join(d, ".trust.json.swp")
    with open(swp, "wb") as f:
        f.write(b"\0" * 4096)
    os.rename(auto, os.path.join(d, "trust.json.tmp"))
    with open(os.path.join(d, "trust.json.tmp"), "rb") as f:
        assert f.read() == b'{"partial": '
    listed = set(os.listdir(d))
    assert {".#trust.json", ".trust.json.swp", "trust.json.tmp"} <= listed
    for name in (".#trust.json", ".trust.json.swp", "trust.json.tmp"):
        os.unlink(os.path.join(d, name))
    assert sorted(os.listdir(d)) == base
    assert proxy.counts()["_total"] == 0
    assert snapshot(iam) == snap


def test_open_reader_sees_saved_bytes(account, mounts):
    """A file held open from before the save reads the new bytes after it (kernel caches)."""
    iam, proxy = account
    rel, action, old, new = TARGETS["trust"]
    m = mounts(proxy.url)
    reader = open(m.p(rel), "rb")
    try:
        before = reader.read()
        data = before.replace(old.encode(), new.encode())
        with open(m.p(rel), "wb") as f:
            f.write(data)
        assert os.pread(reader.fileno(), len(data) + 10, 0) == data
        assert os.fstat(reader.fileno()).st_size == len(data)
    finally:
        reader.close()
    assert m.read(rel) == data
    assert writes_of(proxy.counts()) == {action: 1}
