"""The tree's stable bytes put to work with git and rsync: contrib/iamfs-snapshot
keeps a git history of an account (a change made in IAM becomes a commit whose
diff is exactly that change; no change, no commit), and "review, then apply":
a copy edited in git and copied back with `rsync -rc` writes only the changed
files, one IAM call each."""
import json
import os
import re
import subprocess

from saverig import (DOOMED, OLD_SERVICE, NEW_SERVICE, ROLE, WORKERS, account,  # noqa: F401
                     mounts, policy, rendered, trust, writes_of)
import rig

SNAPSHOT = os.path.join(rig.ROOT, "contrib", "iamfs-snapshot")


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)


def git(repo, *args):
    r = run(["git", "-C", str(repo)] + list(args))
    assert r.returncode == 0, r.stderr
    return r.stdout


def snapshot(m, repo):
    r = run([SNAPSHOT, m.path, str(repo)])
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def tree_files(root, skip):
    """{relative path: bytes} under root, leaving out the top-level names in skip."""
    out = {}
    for top, dirs, files in os.walk(root):
        if top == str(root):
            dirs[:] = [d for d in dirs if d not in skip]
        for f in files:
            with open(os.path.join(top, f), "rb") as fh:
                out[os.path.relpath(os.path.join(top, f), root)] = fh.read()
    return out


def test_snapshot_commits_exactly_what_changed_in_iam(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url)
    repo = tmp_path / "history"
    assert snapshot(m, repo).startswith("iamfs-snapshot: committed ")
    assert tree_files(repo, {".git"}) == tree_files(m.path, {".iamfs"})
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    # The trust policy changes in IAM (not through the mount): the snapshot refreshes.
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust(NEW_SERVICE)))
    proxy.reset()
    out = snapshot(m, repo)
    assert out.startswith("iamfs-snapshot: committed ") and "(1 files changed)" in out
    counts = proxy.counts()
    assert writes_of(counts) == {}, counts
    assert counts.get("GetAccountAuthorizationDetails", 0) >= 1, counts
    path = ROLE + "/trust.json"
    assert git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split() == [path]
    assert git(repo, "show", "HEAD~1:" + path).encode() == rendered(trust(OLD_SERVICE))
    assert git(repo, "show", "HEAD:" + path).encode() == rendered(trust(NEW_SERVICE))
    message = git(repo, "log", "-1", "--format=%B")
    status = m.status()
    account_id = status.split("account: ")[1].split("\n")[0]
    caller = status.split("caller: ")[1].split("\n")[0]
    assert message.startswith("iamfs snapshot of account %s at " % account_id)
    assert "\naccount: %s\n" % account_id in message
    assert "\ncaller: %s\n" % caller in message
    assert "\ntime: 20" in message and "\nM\t%s\n" % path in message
    # "Who changed this trust policy, and when?"
    log = git(repo, "log", "-p", "--format=%H %s", "--", path)
    assert log.count("iamfs snapshot of account") == 2
    assert re.search(r'^-\s+"Service": "%s"$' % re.escape(OLD_SERVICE), log, re.M), log
    assert re.search(r'^\+\s+"Service": "%s"$' % re.escape(NEW_SERVICE), log, re.M), log
    # Nothing changed: no commit.
    head = git(repo, "rev-parse", "HEAD")
    assert snapshot(m, repo) == "iamfs-snapshot: no change\n"
    assert git(repo, "rev-parse", "HEAD") == head
    # A new inline policy and a deleted role.
    iam.put_role_policy(RoleName=WORKERS[0], PolicyName="extra",
                        PolicyDocument=json.dumps(policy(["sqs:SendMessage"])))
    iam.delete_role_policy(RoleName=DOOMED, PolicyName="logs")
    iam.delete_role(RoleName=DOOMED)
    snapshot(m, repo)
    changes = git(repo, "diff", "--no-renames", "--name-status", "HEAD~1", "HEAD").splitlines()
    assert changes == ["D\t%s/inline/logs.json" % DOOMED, "D\t%s/role.json" % DOOMED,
                       "D\t%s/trust.json" % DOOMED, "A\t%s/inline/extra.json" % WORKERS[0]]
    assert not (repo / DOOMED).exists()
    assert tree_files(repo, {".git"}) == tree_files(m.path, {".iamfs"})


def test_snapshot_refuses_what_is_not_a_mount(tmp_path):
    (tmp_path / "plain").mkdir()
    r = run([SNAPSHOT, str(tmp_path / "plain"), str(tmp_path / "repo")])
    assert r.returncode == 1 and "is not an iamfs mount" in r.stderr
    assert not (tmp_path / "repo").exists()
    r = run([SNAPSHOT, str(tmp_path / "plain")])
    assert r.returncode == 2 and r.stderr.startswith("usage:")


def test_review_then_apply_with_rsync(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url)
    copy = tmp_path / "copy"
    r = run(["rsync", "-a", "--exclude=.iamfs", m.path + "/", str(copy) + "/"])
    assert r.returncode == 0, r.stderr
    git(copy, "init", "-q")
    git(copy, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(copy, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    # Edit two files in the copy; review the diff.
    trust_path = copy / ROLE / "trust.json"
    trust_path.write_bytes(trust_path.read_bytes().replace(OLD_SERVICE.encode(),
                                                           NEW_SERVICE.encode()))
    inline_path = copy / WORKERS[1] / "inline" / "logs.json"
    inline_path.write_bytes(rendered(policy(["logs:PutLogEvents", "logs:CreateLogStream"])))
    new_inline = copy / WORKERS[2] / "inline" / "queue.json"
    new_inline.write_bytes(rendered(policy(["sqs:SendMessage"])))
    assert sorted(git(copy, "diff", "--name-only").split()) == sorted(
        [ROLE + "/trust.json", WORKERS[1] + "/inline/logs.json"])
    assert git(copy, "status", "--porcelain").splitlines()[-1] == \
        "?? %s/inline/queue.json" % WORKERS[2]
    # Apply: only the changed files are written, one call each.
    proxy.reset()
    apply = ["rsync", "-rc", "--exclude=.iamfs", "--exclude=.git", str(copy) + "/", m.path + "/"]
    r = run(apply + ["--itemize-changes"])
    assert r.returncode == 0, r.stderr
    sent = sorted(line.split(None, 1)[1] for line in r.stdout.splitlines()
                  if line.startswith(">f"))
    assert sent == sorted([ROLE + "/trust.json", WORKERS[1] + "/inline/logs.json",
                           WORKERS[2] + "/inline/queue.json"])
    counts = proxy.counts()
    assert writes_of(counts) == {"UpdateAssumeRolePolicy": 1, "PutRolePolicy": 2}, counts
    assert iam.get_role_policy(RoleName=WORKERS[2], PolicyName="queue")["PolicyDocument"] == \
        policy(["sqs:SendMessage"])
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == trust(NEW_SERVICE)
    assert iam.get_role_policy(RoleName=WORKERS[1], PolicyName="logs")["PolicyDocument"] == \
        policy(["logs:PutLogEvents", "logs:CreateLogStream"])
    assert tree_files(m.path, {".iamfs"}) == tree_files(copy, {".git"})
    # Applying again changes nothing and calls nothing.
    proxy.reset()
    r = run(apply + ["--itemize-changes"])
    assert r.returncode == 0 and not [l for l in r.stdout.splitlines() if l.startswith(">f")]
    assert writes_of(proxy.counts()) == {}


def test_snapshot_of_a_read_only_mount(account, mounts, tmp_path):
    """fstab's example mounts read-only: the snapshot's refresh still works there."""
    iam, proxy = account
    m = mounts(proxy.url, args=["--read-only"])
    repo = tmp_path / "history"
    snapshot(m, repo)
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust(NEW_SERVICE)))
    snapshot(m, repo)
    assert git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split() == [ROLE + "/trust.json"]
    assert writes_of(proxy.counts()) == {}
