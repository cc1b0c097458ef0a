"""The mounted filesystem against moto through the counting proxy: the tree
and its bytes equal what boto3 reads, sizes, modes, owners and mtimes, paging
through a 1,200-role account, offline reads from memory and from the disk
cache, remote changes seen after --ttl and right after .iamfs/refresh, the
exact IAM call count of a cold mount, silence when idle, refused changes, and
one-line startup errors. Every test unmounts what it mounted and fails when
the daemon's stderr shows errors or sanitizer reports.
"""
import concurrent.futures
import datetime
import errno
import json
import os
import signal
import stat
import subprocess
import threading
import time

import pytest

import mount as mnt
import rig
from saverig import wait_until

LATIN = "caf\u00e9 \u00fcber na\u00efve \u00a9 \u00ff"
AWS_LAMBDA_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
AWS_READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
LONG_NAME = "r" * 60 + "-64c"


def trust(service, extra_condition=None):
    st = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if extra_condition:
        st["Condition"] = extra_condition
    return {"Version": "2012-10-17", "Statement": [st]}


def policy(action, resource="*", sid=None):
    st = {"Effect": "Allow", "Action": action, "Resource": resource}
    if sid:
        st = dict({"Sid": sid}, **st)
    return {"Version": "2012-10-17", "Statement": [st]}


@pytest.fixture
def peer(managed_peer):
    """A clean account, zeroed counts, no faults, online."""
    server, proxy = managed_peer
    server.reset()
    proxy.reset()
    proxy.config(latency_ms=0, gaad_page_size=1000)
    yield server, proxy
    proxy.reset()


@pytest.fixture
def mounts(tmp_path):
    """mounts(endpoint, **Mount kwargs) starts a mount; all are stopped at the end,
    and the test fails when a daemon exited non-zero or logged errors."""
    started = []

    def make(endpoint, workdir=None, **kw):
        m = mnt.Mount(endpoint, workdir or tmp_path, **kw)
        started.append(m)
        return m.start()

    yield make
    problems = []
    for m in started:
        rc = m.stop()
        if rc not in (0, None):
            problems.append("%s: exit status %s" % (m.path, rc))
        problems += ["%s: %s" % (m.path, line) for line in m.bad_stderr()]
    assert not problems, "\n".join(problems)


def seed_basic(iam):
    """A small account: paths, Latin-1 text, a 64-character name, inline,
    customer managed and AWS managed policies, a role with nothing attached."""
    cust = iam.create_policy(PolicyName="cust-ec2", PolicyDocument=json.dumps(policy("ec2:*")),
                             Description="customer")["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=cust, PolicyDocument=json.dumps(policy(["ec2:Describe*"])),
                              SetAsDefault=True)
    iam.create_role(RoleName="plain",
                    AssumeRolePolicyDocument=json.dumps(trust("lambda.amazonaws.com")))
    iam.put_role_policy(RoleName="plain", PolicyName="s3-read",
                        PolicyDocument=json.dumps(policy(["s3:GetObject", "s3:ListBucket"])))
    iam.attach_role_policy(RoleName="plain", PolicyArn=AWS_LAMBDA_ROLE)
    iam.attach_role_policy(RoleName="plain", PolicyArn=cust)
    iam.create_role(RoleName="with-path", Path="/team/a/", Description="Latin-1: " + LATIN,
                    MaxSessionDuration=7200, Tags=[{"Key": "team", "Value": "web"}],
                    AssumeRolePolicyDocument=json.dumps(trust("ec2.amazonaws.com")))
    iam.attach_role_policy(RoleName="with-path", PolicyArn=AWS_LAMBDA_ROLE)
    iam.attach_role_policy(RoleName="with-path", PolicyArn=AWS_READ_ONLY)
    cond = {"StringEquals": {"aws:PrincipalTag/team": LATIN}}
    iam.create_role(RoleName=LONG_NAME, AssumeRolePolicyDocument=json.dumps(
        trust("ecs-tasks.amazonaws.com", cond)))
    iam.put_role_policy(RoleName=LONG_NAME, PolicyName="latin.policy",
                        PolicyDocument=json.dumps(
                            policy("s3:*", "arn:aws:s3:::b", LATIN.replace(" ", ""))))
    iam.put_role_policy(RoleName=LONG_NAME, PolicyName="second",
                        PolicyDocument=json.dumps(policy("sqs:*")))
    iam.create_role(RoleName="empty-role",
                    AssumeRolePolicyDocument=json.dumps(trust("swf.amazonaws.com")))
    return cust


def expected_tree(iam):
    """{relative path: (json value, kind, mtime or None)} as boto3 reads moto, and the roles."""
    files, roles = {}, {}
    for page in iam.get_paginator("list_roles").paginate():
        for r in page["Roles"]:
            roles[r["RoleName"]] = r
    for name in roles:
        role = iam.get_role(RoleName=name)["Role"]
        roles[name] = role
        files[name + "/trust.json"] = (role["AssumeRolePolicyDocument"], "trust", None)
        for pname in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            doc = iam.get_role_policy(RoleName=name, PolicyName=pname)["PolicyDocument"]
            files["%s/inline/%s.json" % (name, pname)] = (doc, "inline", None)
        for att in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            pol = iam.get_policy(PolicyArn=att["PolicyArn"])["Policy"]
            ver = iam.get_policy_version(PolicyArn=att["PolicyArn"],
                                         VersionId=pol["DefaultVersionId"])["PolicyVersion"]
            kind = "aws" if att["PolicyArn"].startswith("arn:aws:iam::aws:") else "cust"
            files["%s/attached/%s.json" % (name, att["PolicyName"])] = (
                ver["Document"], kind, int(ver["CreateDate"].timestamp()))
    return files, roles


def rendered(value):
    """The bytes the README's Reading section promises: 4-space indent, IAM's key order, UTF-8, one newline."""
    return (json.dumps(value, indent=4, ensure_ascii=False) + "\n").encode()


def walk_files(root):
    """{relative path: bytes} of every file outside .iamfs."""
    out = {}
    for d, dirs, names in os.walk(root):
        if d == root:
            dirs[:] = [x for x in dirs if x != ".iamfs"]
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def stat_tree(root):
    """{relative path: (mode, size, mtime)} of every node outside .iamfs."""
    out = {}
    for d, dirs, names in os.walk(root):
        if d == root:
            dirs[:] = [x for x in dirs if x != ".iamfs"]
        for n in dirs + names:
            st = os.stat(os.path.join(d, n))
            out[os.path.relpath(os.path.join(d, n), root)] = (st.st_mode, st.st_size, st.st_mtime)
    return out


def test_tree_equals_boto3(peer, mounts):
    server, proxy = peer
    iam = server.client()
    seed_basic(iam)
    files, roles = expected_tree(iam)
    m = mounts(proxy.url)
    assert sorted(os.listdir(m.path)) == sorted(list(roles) + [".iamfs"])
    got = walk_files(m.path)
    expect_paths = set(files) | {r + "/role.json" for r in roles}
    assert set(got) == expect_paths
    for path, (value, kind, _) in files.items():
        data = got[path]
        assert json.loads(data.decode("utf-8")) == value, path
        assert data == rendered(json.loads(data.decode("utf-8"))), path
        assert m.read(path) == data, path
        assert os.stat(m.p(path)).st_size == len(data), path
    for name, role in roles.items():
        rj = json.loads(got[name + "/role.json"].decode("utf-8"))
        for key in ("RoleName", "Arn", "RoleId", "Path", "MaxSessionDuration"):
            assert rj[key] == role[key], (name, key)
        assert rj.get("Description") == role.get("Description"), name
        created = datetime.datetime.fromisoformat(rj["CreateDate"].replace("Z", "+00:00"))
        assert abs((created - role["CreateDate"]).total_seconds()) < 1.0
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        assert sorted(rj.get("AttachedPolicies", [])) == sorted(a["PolicyArn"] for a in attached)
    status = m.status()
    for want in ("123456789012", "arn:aws:sts::123456789012:", proxy.url,
                 "roles: %d" % len(roles), "GetAccountAuthorizationDetails"):
        assert want in status, (want, status)
    # The Latin-1 text arrives as UTF-8 and the 64-character name works.
    assert LATIN in got["with-path/role.json"].decode("utf-8")
    assert LATIN.encode("utf-8") in got[LONG_NAME + "/trust.json"]
    assert len(LONG_NAME) == 64


def test_modes_owner_mtimes_and_remount(peer, mounts, tmp_path):
    server, proxy = peer
    iam = server.client()
    seed_basic(iam)
    files, roles = expected_tree(iam)
    m = mounts(proxy.url, workdir=tmp_path / "a")
    uid, gid = os.getuid(), os.getgid()
    for path in [""] + [os.path.relpath(os.path.join(d, n), m.path)
                        for d, dirs, names in os.walk(m.path) for n in dirs + names]:
        st = os.stat(m.p(path) if path else m.path)
        assert (st.st_uid, st.st_gid) == (uid, gid), path
        if stat.S_ISDIR(st.st_mode):
            assert stat.S_IMODE(st.st_mode) == 0o755, path
            assert st.st_nlink >= 2, path
            continue
        assert st.st_nlink == 1, path
        want = 0o644
        if path in (".iamfs/status", ".iamfs/errors"):
            want = 0o444
        elif path in files and files[path][1] == "aws":
            want = 0o444
        assert stat.S_IMODE(st.st_mode) == want, path
    assert os.stat(m.path).st_nlink == 2 + len(roles) + 1
    for name, role in roles.items():
        assert int(os.stat(m.p(name)).st_mtime) == int(role["CreateDate"].timestamp()), name
        assert os.stat(m.p(name)).st_nlink == 4
    for path, (_, kind, mtime) in files.items():
        if mtime is not None:
            assert int(os.stat(m.p(path)).st_mtime) == mtime, path
    before = stat_tree(m.path)
    assert stat_tree(m.path) == before
    # A second mount of the same account (same cache folder) shows the same tree.
    m.stop()
    m2 = mounts(proxy.url, workdir=tmp_path / "a", cache_dir=m.cache_dir, name="mnt2")
    assert stat_tree(m2.path) == before
    # A mount with a fresh cache also agrees on sizes and on every mtime IAM defines.
    m3 = mounts(proxy.url, workdir=tmp_path / "b")
    fresh = stat_tree(m3.path)
    assert {k: v[:2] for k, v in fresh.items()} == {k: v[:2] for k, v in before.items()}
    for name in roles:
        assert fresh[name][2] == before[name][2]
    for path, (_, _, mtime) in files.items():
        if mtime is not None:
            assert fresh[path][2] == before[path][2]


def test_structural_changes_are_refused(peer, mounts):
    """Folders are not made inside a role folder (a new role is a mkdir at the
    root: test_create.py), roles are not removed through the tree, and a role's
    trust policy and role.json cannot be deleted (README, Saving). Saves themselves
    are covered by the test_save_* suites."""
    server, proxy = peer
    seed_basic(server.client())
    m = mounts(proxy.url)
    cases = [
        (lambda: os.mkdir(m.p("plain", "new-folder")), errno.EPERM),
        (lambda: os.unlink(m.p("plain", "trust.json")), errno.EPERM),
        (lambda: os.unlink(m.p("plain", "role.json")), errno.EPERM),
        (lambda: os.rmdir(m.p("plain")), errno.EPERM),
    ]
    for fn, want in cases:
        with pytest.raises(OSError) as e:
            fn()
        assert e.value.errno == want
    assert os.path.exists(m.p("plain", "trust.json"))
    assert os.path.exists(m.p("plain", "role.json"))
    assert os.listdir(m.p(".iamfs", "rejected")) == []
    # The three removals are recorded, naming the option that would allow them.
    errors = m.read(".iamfs", "errors").decode().splitlines()
    assert len(errors) == 3 and all("--allow-delete" in line for line in errors), errors
    for action in ("PutRolePolicy", "UpdateAssumeRolePolicy", "DeleteRolePolicy", "DeleteRole"):
        assert proxy.counts().get(action, 0) == 0


def test_read_only_mount(peer, mounts):
    server, proxy = peer
    seed_basic(server.client())
    normal = mounts(proxy.url, name="rw")
    expected = walk_files(normal.path)
    ro = mounts(proxy.url, args=["--read-only"], name="ro", cache_dir=normal.cache_dir + "-ro")
    assert walk_files(ro.path) == expected
    assert walk_files(ro.path) == expected
    for path, data in expected.items():
        st = os.stat(ro.p(path))
        assert st.st_size == len(data)
        assert stat.S_IMODE(st.st_mode) == 0o444, path
    # No attributes on a read-only mount: the kernel is told once (ENOSYS) and
    # answers EOPNOTSUPP itself from then on, so ls -l costs no round trip.
    for _ in range(2):
        with pytest.raises(OSError) as e:
            os.getxattr(ro.p("plain", "trust.json"), "user.comment")
        assert e.value.errno == errno.EOPNOTSUPP
    with pytest.raises(OSError) as e:
        open(ro.p("plain", "trust.json"), "w")
    assert e.value.errno == errno.EROFS
    with pytest.raises(OSError) as e:
        with open(ro.p("plain", "inline", "s3-read.json"), "a") as f:
            f.write("x")
    assert e.value.errno == errno.EROFS
    with pytest.raises(OSError) as e:
        os.unlink(ro.p("plain", "trust.json"))
    assert e.value.errno == errno.EROFS
    assert walk_files(ro.path) == expected
    assert "read-only" in ro.status()
    # status is regenerated even without OPEN round trips.
    calls = lambda text: [l for l in text.splitlines() if l.startswith("calls total")]
    first = ro.status()
    ro.refresh()
    second = ro.status()
    assert calls(first) != calls(second)


def seed_many(iam, n):
    doc = json.dumps(trust("lambda.amazonaws.com"))

    def make(i):
        # moto's server sometimes answers 500 under concurrent writes: try again.
        for attempt in range(5):
            try:
                iam.create_role(RoleName="bulk-%04d" % i, AssumeRolePolicyDocument=doc)
                return
            except iam.exceptions.EntityAlreadyExistsException:
                return
            except Exception:
                if attempt == 4:
                    raise
                time.sleep(0.05)

    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        list(ex.map(make, range(n)))
    names = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate()
             for r in page["Roles"]]
    assert len(names) == n


def test_1200_roles_pages(peer, mounts, managed_peer):
    server, proxy = peer
    import boto3
    from botocore.config import Config
    iam = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing",
                       config=Config(max_pool_connections=16))
    seed_many(iam, 1200)
    iam.put_role_policy(RoleName="bulk-0007", PolicyName="p",
                        PolicyDocument=json.dumps(policy("s3:*")))
    proxy.reset()
    m = mounts(proxy.url)
    counts = proxy.counts()
    assert counts.get("GetAccountAuthorizationDetails") == 2
    assert counts.get("ListRoles") == 2
    names = os.listdir(m.path)
    assert len(names) == 1201
    assert sorted(names)[1:] == ["bulk-%04d" % i for i in range(1200)]
    for i in (0, 7, 999, 1000, 1199):
        name = "bulk-%04d" % i
        doc = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        assert json.loads(m.read(name, "trust.json")) == doc
    assert json.loads(m.read("bulk-0007", "inline", "p.json")) == policy("s3:*")
    assert os.listdir(m.p("bulk-1199", "inline")) == []
    assert "roles: 1200" in m.status()


def test_cold_grep_call_count_and_idle(peer, mounts):
    server, proxy = peer
    iam = server.client()
    seed_basic(iam)
    aws_arns = set()
    for name in ("plain", "with-path", LONG_NAME, "empty-role"):
        for a in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            if a["PolicyArn"].startswith("arn:aws:iam::aws:"):
                aws_arns.add(a["PolicyArn"])
    assert len(aws_arns) == 2
    proxy.config(gaad_page_size=2)
    proxy.reset()
    m = mounts(proxy.url)
    r = subprocess.run(["grep", "-r", "-c", "Statement", m.path], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "AWSLambdaRole.json:1" in r.stdout
    counts = proxy.counts()
    assert counts["GetAccountAuthorizationDetails"] >= 3
    assert counts["ListRoles"] == 1
    assert counts["GetCallerIdentity"] == 1
    assert counts.get("GetPolicy") == len(aws_arns)
    assert counts.get("GetPolicyVersion") == len(aws_arns)
    assert counts["_total"] == (counts["GetAccountAuthorizationDetails"] + counts["ListRoles"]
                                + counts["GetCallerIdentity"] + 2 * len(aws_arns))
    # Warm: the same walk again costs nothing, and an idle mount stays silent.
    proxy.reset()
    subprocess.run(["grep", "-r", "-q", "nothing-matches-this", m.path], timeout=60)
    walk_files(m.path)
    cpu = daemon_cpu_seconds(m.proc.pid)
    time.sleep(3)
    assert proxy.counts().get("_total", 0) == 0
    # The dispatch thread polls only briefly after a request, then sleeps: an idle
    # daemon uses no CPU (a loop that kept polling would use the whole 3 s).
    assert daemon_cpu_seconds(m.proc.pid) - cpu < 0.3


def daemon_cpu_seconds(pid):
    """utime + stime of the daemon, every thread, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_offline_reads_memory_and_disk(peer, mounts, tmp_path):
    server, proxy = peer
    seed_basic(server.client())
    m = mounts(proxy.url, ttl=1)
    online = walk_files(m.path)
    assert "state: online" in m.status()
    proxy.offline(True)

    def offline_seen():
        walk_files(m.path)
        return "offline" in m.status()

    wait_until(offline_seen, timeout=30, interval=0.5)
    assert walk_files(m.path) == online
    # An explicit refresh cannot succeed and says so.
    with pytest.raises(OSError):
        m.refresh()
    assert walk_files(m.path) == online
    m.stop()
    # A new mount while IAM is unreachable serves the disk copy.
    m2 = mounts(proxy.url, ttl=1, cache_dir=m.cache_dir, name="mnt2")
    assert walk_files(m2.path) == online
    assert "offline" in m2.status()
    proxy.offline(False)
    wait_until(lambda: "state: online" in m2.status(), timeout=30, interval=0.5)


def test_remote_changes_after_ttl(peer, mounts):
    server, proxy = peer
    iam = server.client()
    seed_basic(iam)
    m = mounts(proxy.url, ttl=1)
    assert json.loads(m.read("plain", "inline", "s3-read.json")) == \
        policy(["s3:GetObject", "s3:ListBucket"])
    names = set(os.listdir(m.path))
    iam.put_role_policy(RoleName="plain", PolicyName="s3-read",
                        PolicyDocument=json.dumps(policy("s3:PutObject")))
    iam.create_role(RoleName="added-later",
                    AssumeRolePolicyDocument=json.dumps(trust("sns.amazonaws.com")))
    iam.delete_role(RoleName="empty-role")
    wait_until(lambda: json.loads(m.read("plain", "inline", "s3-read.json"))
               == policy("s3:PutObject"))
    wait_until(lambda: set(os.listdir(m.path)) == (names | {"added-later"}) - {"empty-role"})
    wait_until(lambda: not os.path.exists(m.p("empty-role")))
    assert json.loads(m.read("added-later", "trust.json")) == trust("sns.amazonaws.com")
    data = m.read("plain", "inline", "s3-read.json")
    assert os.stat(m.p("plain", "inline", "s3-read.json")).st_size == len(data)


def test_refresh_shows_changes_at_once(peer, mounts):
    server, proxy = peer
    iam = server.client()
    seed_basic(iam)
    m = mounts(proxy.url, ttl=3600)
    before = walk_files(m.path)
    names = set(os.listdir(m.path))
    assert not os.path.exists(m.p("added-now"))  # a negative entry the kernel may keep
    iam.put_role_policy(RoleName="plain", PolicyName="s3-read",
                        PolicyDocument=json.dumps(policy("s3:DeleteObject")))
    iam.put_role_policy(RoleName="empty-role", PolicyName="fresh",
                        PolicyDocument=json.dumps(policy("sqs:*")))
    iam.update_assume_role_policy(RoleName="with-path",
                                  PolicyDocument=json.dumps(trust("glue.amazonaws.com")))
    iam.create_role(RoleName="added-now",
                    AssumeRolePolicyDocument=json.dumps(trust("sns.amazonaws.com")))
    iam.delete_role_policy(RoleName=LONG_NAME, PolicyName="second")
    iam.delete_role_policy(RoleName=LONG_NAME, PolicyName="latin.policy")
    iam.delete_role(RoleName=LONG_NAME)
    # Before the refresh the kernel keeps serving what it has.
    assert m.read("plain", "inline", "s3-read.json") == before["plain/inline/s3-read.json"]
    m.refresh()
    assert set(os.listdir(m.path)) == (names | {"added-now"}) - {LONG_NAME}
    assert not os.path.exists(m.p(LONG_NAME))
    assert os.path.isdir(m.p("added-now"))
    assert json.loads(m.read("plain", "inline", "s3-read.json")) == policy("s3:DeleteObject")
    data = m.read("plain", "inline", "s3-read.json")
    assert os.stat(m.p("plain", "inline", "s3-read.json")).st_size == len(data)
    assert os.listdir(m.p("empty-role", "inline")) == ["fresh.json"]
    assert json.loads(m.read("empty-role", "inline", "fresh.json")) == policy("sqs:*")
    assert json.loads(m.read("with-path", "trust.json")) == trust("glue.amazonaws.com")


def one_line(r):
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("iamfs: ") and lines[0].endswith("."), lines[0]
    return lines[0]


def test_startup_errors(peer, tmp_path):
    server, proxy = peer
    home = str(tmp_path / "home")
    os.makedirs(home)
    target = tmp_path / "mnt"
    target.mkdir()
    env = mnt.iamfs_env(proxy.url, home)
    cache = ["--cache-dir", str(tmp_path / "cache")]

    r = mnt.run_iamfs(["--bogus", str(target)], env)
    assert r.returncode != 0
    assert "--bogus" in one_line(r)
    r = mnt.run_iamfs(["-o", "no_such_fuse_option", str(target)], env)
    assert r.returncode != 0 and "no_such_fuse_option" in one_line(r)
    r = mnt.run_iamfs(["--ttl", "soon", str(target)], env)
    assert r.returncode != 0 and "--ttl" in one_line(r)
    r = mnt.run_iamfs(cache, env)
    assert r.returncode != 0 and "mount point" in one_line(r)
    r = mnt.run_iamfs(cache + [str(tmp_path / "missing")], env)
    assert r.returncode != 0 and "missing" in one_line(r)
    (target / "file").write_text("x")
    r = mnt.run_iamfs(cache + [str(target)], env)
    assert r.returncode != 0 and "not empty" in one_line(r)
    os.unlink(target / "file")
    dead = "http://127.0.0.1:%d" % rig.free_port()
    r = mnt.run_iamfs(cache + [str(target)], mnt.iamfs_env(dead, home), timeout=90)
    assert r.returncode != 0
    one_line(r)
    nokeys = mnt.iamfs_env(proxy.url, home,
                           {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None})
    r = mnt.run_iamfs(cache + [str(target)], nokeys)
    assert r.returncode != 0
    one_line(r)
    assert not os.path.ismount(str(target))
    r = mnt.run_iamfs(["--version"], env)
    assert r.returncode == 0 and r.stdout.startswith("iamfs ")
    r = mnt.run_iamfs(["--help"], env)
    assert r.returncode == 0 and "--read-only" in r.stdout


def test_sigterm_unmounts_cleanly(peer, mounts):
    server, proxy = peer
    seed_basic(server.client())
    m = mounts(proxy.url)
    assert m.read("plain", "trust.json")
    m.proc.send_signal(signal.SIGTERM)
    assert m.proc.wait(timeout=20) == 0
    assert not os.path.ismount(m.path)


def daemon_pids(path):
    """Pids of iamfs processes serving path (found through /proc)."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0] == rig.IAMFS.encode() and path.encode() in argv:
            pids.append(int(pid))
    return pids


def test_daemonizes_and_exits_on_unmount(peer, tmp_path):
    server, proxy = peer
    seed_basic(server.client())
    home = str(tmp_path / "home")
    os.makedirs(home)
    path = str(tmp_path / "mnt")
    os.makedirs(path)
    args = ["--cache-dir", str(tmp_path / "cache"), path]
    try:
        r = mnt.run_iamfs(args, mnt.iamfs_env(proxy.url, home))
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""
        assert os.path.ismount(path)
        assert json.loads(open(os.path.join(path, "plain", "trust.json"), "rb").read()) \
            == trust("lambda.amazonaws.com")
        assert len(daemon_pids(path)) == 1
    finally:
        mnt.unmount(path)
        deadline = time.monotonic() + 20
        while daemon_pids(path) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = daemon_pids(path)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert not left, "the daemon did not exit after the unmount"


def test_cold_fetch_does_not_block_other_requests(peer, mounts):
    server, proxy = peer
    seed_basic(server.client())
    m = mounts(proxy.url, args=["--no-prefetch"])  # the read itself fetches
    proxy.config(latency_ms=1500)
    proxy.reset()
    got = []
    reader = threading.Thread(
        target=lambda: got.append(m.read("plain", "attached", "AWSLambdaRole.json")))
    reader.start()
    try:
        wait_until(lambda: proxy.counts().get("GetPolicy", 0) >= 1, timeout=10, interval=0.02)
        # While a worker waits on IAM, the dispatch thread keeps answering.
        t0 = time.monotonic()
        assert json.loads(m.read(LONG_NAME, "inline", "second.json")) == policy("sqs:*")
        assert os.listdir(m.p("with-path", "attached")) != []
        assert os.stat(m.p("empty-role", "role.json")).st_size > 0
        assert time.monotonic() - t0 < 1.0
        assert not got
    finally:
        reader.join(timeout=60)
    assert got and json.loads(got[0])["Statement"][0]["Action"] == ["lambda:InvokeFunction"]
    assert proxy.counts().get("GetPolicy") == 1


def test_fstab_form_source_and_o_options(peer, mounts, tmp_path):
    """mount.fuse3 runs `iamfs SOURCE MOUNTPOINT -o OPTIONS` for an /etc/fstab line:
    the source names the profile."""
    server, proxy = peer
    seed_basic(server.client())
    home = tmp_path / "home"
    home.mkdir()
    (home / "aws-credentials").write_text(
        "[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    fstab_opts = "rw,nosuid,nodev,noatime,ttl=7,read_only,default_permissions"
    m = mounts(proxy.url, args=["ops", "-o", fstab_opts],
               env={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None})
    status = m.status()
    assert "ttl: 7s" in status and "read-only" in status and "profile: ops" in status
    assert json.loads(m.read("plain", "trust.json")) == trust("lambda.amazonaws.com")
    with pytest.raises(OSError) as e:
        open(m.p("plain", "trust.json"), "w")
    assert e.value.errno == errno.EROFS


def test_failed_managed_fetch_is_an_errno_then_recovers(peer, mounts):
    server, proxy = peer
    seed_basic(server.client())
    m = mounts(proxy.url, args=["--no-prefetch"])  # the read itself fetches
    proxy.fault("GetPolicy", "denied", count=-1)
    with pytest.raises(OSError) as e:
        m.read("plain", "attached", "AWSLambdaRole.json")
    assert e.value.errno == errno.EACCES
    assert "AWSLambdaRole.json" in os.listdir(m.p("plain", "attached"))
    proxy.clear_faults()
    doc = json.loads(m.read("plain", "attached", "AWSLambdaRole.json"))
    assert doc["Statement"][0]["Action"] == ["lambda:InvokeFunction"]
    assert "plain/attached/AWSLambdaRole.json" in m.stderr()


def read_raw(path):
    """Reads a file with bare open/read/close (no fstat or isatty ioctl)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while True:
            b = os.read(fd, 65536)
            if not b:
                return b"".join(chunks)
            chunks.append(b)
    finally:
        os.close(fd)


@pytest.mark.parametrize("mode", [[], ["--read-only"]], ids=["read-write", "read-only"])
def test_warm_tree_is_served_by_the_kernel(peer, mounts, mode):
    """The kernel caches as the README's Design section says: no OPENDIR,
    listings, entries and pages cached, no FLUSH; with
    --read-only not even OPEN. Counted from libfuse's -d trace. (The kernel
    revalidates a folder's attributes after each listing, for atime.)"""
    server, proxy = peer
    seed_basic(server.client())
    m = mounts(proxy.url, args=["-d"] + mode)
    roles = [n for n in os.listdir(m.path) if n != ".iamfs"]
    files = sorted(walk_files(m.path))
    ndirs = 3 * len(roles)

    def walk():
        for r in roles:
            subprocess.run(["ls", "-lR", m.p(r)], check=True, capture_output=True, timeout=30)
        return {f: read_raw(m.p(f)) for f in files}

    first = walk()
    assert walk() == first
    before = m.fuse_ops()
    assert before["OPENDIR"] <= 1 and before["FLUSH"] <= (1 if mode else 0)
    assert walk() == first
    warm = m.fuse_ops() - before
    for op in ("OPENDIR", "READDIR", "READDIRPLUS", "LOOKUP", "READ", "FLUSH"):
        assert warm[op] == 0, (op, dict(warm))
    assert warm["GETATTR"] <= ndirs, dict(warm)
    assert warm["OPEN"] == (0 if mode else len(files)), dict(warm)
