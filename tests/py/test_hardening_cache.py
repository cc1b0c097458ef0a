"""The cache folder is trusted only when it is ours: a --cache-dir or account
folder owned by another uid, writable by others, or replaced by a symlink makes
the mount refuse with one sentence before it detaches; a symlink planted at any
name the daemon writes inside the cache (temporary files of the disk copy, the
index, the journal and the rejected files, and errors.log) is never followed, so
the file it points at is left as it was.
"""
import errno
import json
import os
import shutil
import stat
import time

import pytest

import mount as mnt
import rig
from saverig import (ROLE, TARGETS, account, bounded, mounts, remote_doc, wait_until,  # noqa: F401
                     write_and_close)

NOBODY = 65534
VICTIM_BYTES = b"a file outside the cache that must stay as it is\n"


def one_line(r):
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("iamfs: ") and lines[0].endswith("."), lines[0]
    return lines[0]


def refused(proxy, tmp_path, cache):
    """Runs a mount (daemonizing unless refused) that must exit non-zero with one
    sentence before detaching; returns the sentence."""
    target = tmp_path / "refused-mnt"
    target.mkdir(exist_ok=True)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    try:
        r = mnt.run_iamfs(["--cache-dir", str(cache), str(target)],
                          mnt.iamfs_env(proxy.url, str(home)))
        assert r.returncode != 0, "the mount was accepted: %s" % r.stderr
        assert not os.path.ismount(str(target))
        return one_line(r)
    finally:
        mnt.unmount(str(target))


def account_folder_name(proxy, mounts, tmp_path):
    """The account folder's name for this endpoint, learnt from a throwaway mount."""
    learn = tmp_path / "learn-cache"
    m = mounts(proxy.url, cache_dir=str(learn), name="learn")
    m.stop()
    with open(learn / "index.json") as f:
        entries = json.load(f)["entries"]
    assert len(entries) == 1, entries
    return entries[0]["folder"]


@pytest.mark.parametrize("how", ["other-owner", "writable", "writable-parent"])
def test_cache_dir_not_ours_is_refused(account, tmp_path, how):
    iam, proxy = account
    cache = tmp_path / "shared" / "cache"
    cache.mkdir(parents=True)
    os.chmod(cache, 0o700)
    shown = cache
    if how == "other-owner":
        os.chown(cache, NOBODY, NOBODY)
    elif how == "writable":
        os.chmod(cache, 0o777)
    else:
        os.chmod(cache.parent, 0o777)
        shown = cache.parent
    before = os.stat(shown)
    line = refused(proxy, tmp_path, cache)
    assert str(shown) in line, line
    assert ("chown" if how == "other-owner" else "chmod go-w") in line, line
    after = os.stat(shown)
    assert (after.st_uid, after.st_mode) == (before.st_uid, before.st_mode)
    assert os.listdir(cache) == []


@pytest.mark.parametrize("how", ["other-owner", "writable", "symlink"])
@pytest.mark.parametrize("when", ["first-mount", "remount"])
def test_account_folder_not_ours_is_refused(account, mounts, tmp_path, when, how):
    iam, proxy = account
    name = account_folder_name(proxy, mounts, tmp_path)
    cache = tmp_path / "cache"
    m = mounts(proxy.url, cache_dir=str(cache))
    m.stop()
    folder = cache / name
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    if when == "first-mount":
        os.unlink(cache / "index.json")
        shutil.rmtree(folder)
        folder.mkdir()
    if how == "other-owner":
        os.chown(folder, NOBODY, NOBODY)
    elif how == "writable":
        os.chmod(folder, 0o777)
    else:
        elsewhere = tmp_path / "elsewhere"
        shutil.copytree(folder, elsewhere)
        shutil.rmtree(folder)
        os.symlink(elsewhere, folder)
        kept = {p: os.stat(os.path.join(elsewhere, p)).st_mtime_ns
                for p in os.listdir(elsewhere)}
    line = refused(proxy, tmp_path, cache)
    assert str(folder) in line, line
    assert {"other-owner": "chown", "writable": "chmod go-w", "symlink": "symlink"}[how] in line
    if how == "symlink":
        assert {p: os.stat(os.path.join(elsewhere, p)).st_mtime_ns
                for p in os.listdir(elsewhere)} == kept


def write_wrapper(tmp_path, victim, links):
    """An executable that plants links (paths with {pid}) to victim for its own pid,
    then execs iamfs under that same pid."""
    plan = {"exe": rig.IAMFS, "victim": str(victim), "links": [str(p) for p in links]}
    path = tmp_path / "plant-then-exec"
    path.write_text("#!/usr/bin/python3\n"
                    "import os, sys\n"
                    "plan = %r\n"
                    "for p in plan['links']:\n"
                    "    os.symlink(plan['victim'], p.format(pid=os.getpid()))\n"
                    "os.execv(plan['exe'], [plan['exe']] + sys.argv[1:])\n" % plan)
    os.chmod(path, 0o700)
    return str(path)


def plant(victim, paths):
    for p in paths:
        if not os.path.lexists(p):
            os.symlink(victim, p)




def test_planted_symlinks_are_never_followed(account, mounts, tmp_path, monkeypatch):
    iam, proxy = account
    name = account_folder_name(proxy, mounts, tmp_path)
    victim = tmp_path / "victim"
    victim.write_bytes(VICTIM_BYTES)
    cache = tmp_path / "cache"
    folder = cache / name
    for d in (cache, folder, folder / "journal", folder / "rejected"):
        d.mkdir(mode=0o700)
    numbered = range(40)
    # Before the daemon runs, under its coming pid: the first load's temporary files
    # (index and disk copy) and the errors log.
    startup = [cache / ".index.json.tmp.{pid}", folder / ".view.json.tmp.{pid}",
               folder / "errors.log"]
    startup += [cache / (".index.json.tmp.{pid}.%d" % n) for n in numbered]
    startup += [folder / (".view.json.tmp.{pid}.%d" % n) for n in numbered]
    monkeypatch.setattr(rig, "IAMFS", write_wrapper(tmp_path, victim, startup))
    m = mounts(proxy.url, cache_dir=str(cache),
               allow=r"errors\.log|refused save|save refused")
    monkeypatch.undo()
    pid = m.proc.pid
    # The journal and rejected folders drop leftovers at open: plant there now.
    later = [folder / "journal" / (".tmp-%d-%d" % (pid, i)) for i in range(1, 6)]
    later += [folder / "journal" / (".tmp-%d-%d-%d" % (pid, i, n))
              for i in range(1, 6) for n in numbered]
    later += [folder / "rejected" / (".tmp-%d-%d" % (pid, n)) for n in numbered]
    later += [folder / (".errors.log.tmp-%d" % pid)]
    later += [folder / (".errors.log.tmp-%d-%d" % (pid, n)) for n in numbered]
    plant(victim, later)
    view = folder / "view.json"
    view_mtime = os.stat(view).st_mtime_ns
    rel, action, old, new = TARGETS["trust"]
    data = m.read(rel).replace(old.encode(), new.encode())
    assert write_and_close(m.p(rel), data) == 0
    assert new in json.dumps(remote_doc(iam, "trust"))
    bad = m.p(ROLE, "inline", "s3-read.json")
    assert write_and_close(bad, b"{ not json") == errno.EINVAL
    wait_until(lambda: os.stat(view).st_mtime_ns != view_mtime, 20,
               what="the disk copy rewritten after the save")
    time.sleep(0.2)
    assert victim.read_bytes() == VICTIM_BYTES
    for p in startup + later:
        p = str(p).format(pid=pid)
        assert not os.path.lexists(p) or os.readlink(p) == str(victim), p
    for p in (cache / "index.json", view):
        assert stat.S_ISREG(os.lstat(p).st_mode), p
    assert os.path.islink(folder / "errors.log")
