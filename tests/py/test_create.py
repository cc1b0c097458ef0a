"""Creating a role from a shell: mkdir at the root makes a pending folder (kept in
the cache folder, nothing sent), its role.json holds the settings the role is
created with (validated, kept locally), and writing its trust.json is one
CreateRole. Through the mounted daemon against moto behind the counting proxy;
IAM is read back with boto3 straight from moto.
"""
import errno
import json
import os
import shutil
import subprocess
import time

import pytest

from saverig import (account, errors_text, kill_while_held, mounts,  # noqa: F401
                     rejected_files, rendered, snapshot, trust, wait_until, write_and_close,
                     writes_of)

NEW = "states-new-role"
BOUNDARY = "arn:aws:iam::aws:policy/PowerUserAccess"
SETTINGS = {
    "Path": "/service-role/",
    "Description": "made through the mount",
    "MaxSessionDuration": 7200,
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                            "PermissionsBoundaryArn": BOUNDARY},
    "Tags": [{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "dev"}],
}
HOLD_MS = 4000
REFUSALS = r"(refused|EINVAL|EEXIST|EROFS|EntityAlreadyExists|MalformedPolicyDocument)"


def status_lines(m, key):
    return [x.split(": ", 1)[1] for x in m.status().splitlines() if x.startswith(key + ": ")]


def create_writes(proxy):
    return writes_of(proxy.counts()).get("CreateRole", 0)


def put(path, data):
    """cp-like: open(O_WRONLY|O_CREAT|O_TRUNC), write, close; returns close's errno."""
    return write_and_close(path, data, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC)


def test_mkdir_makes_an_empty_pending_folder(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    proxy.reset()
    os.mkdir(m.p(NEW))
    assert NEW in os.listdir(m.path)
    st = os.stat(m.p(NEW))
    assert st.st_mode & 0o777 == 0o755 and os.path.isdir(m.p(NEW))
    assert os.listdir(m.p(NEW)) == []
    assert not os.path.exists(m.p(NEW, "trust.json"))
    assert not os.path.exists(m.p(NEW, "inline"))
    with pytest.raises(FileNotFoundError):
        os.listdir(m.p(NEW, "attached"))
    assert status_lines(m, "pending roles") == ["1"]
    assert status_lines(m, "pending role") == [NEW]
    assert writes_of(proxy.counts()) == {}
    assert NEW not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    # mkdir anywhere else stays refused.
    with pytest.raises(PermissionError):
        os.mkdir(m.p(NEW, "sub"))
    with pytest.raises(PermissionError):
        os.mkdir(m.p("states-lambda-role", "inline", "sub"))


@pytest.mark.parametrize("name", ["bad name", "x" * 65, "caf\u00e9", "a:b"])
def test_mkdir_bad_name_is_einval_with_an_errors_line(account, mounts, name):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    with pytest.raises(OSError) as e:
        os.mkdir(m.p(name))
    assert e.value.errno == errno.EINVAL
    line = errors_text(m).splitlines()[-1]
    assert "EINVAL" in line and "role name" in line, line
    assert status_lines(m, "pending roles") == ["0"]


def test_mkdir_case_clash_is_eexist(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    for name in ("States-Lambda-Role", "STATES-LAMBDA-ROLE"):
        with pytest.raises(FileExistsError):
            os.mkdir(m.p(name))
    os.mkdir(m.p(NEW))
    with pytest.raises(FileExistsError):
        os.mkdir(m.p(NEW.upper()))
    assert "EEXIST" in errors_text(m).splitlines()[-1]
    assert status_lines(m, "pending role") == [NEW]


def test_read_only_refuses_mkdir(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, args=["--read-only"])
    with pytest.raises(OSError) as e:
        os.mkdir(m.p(NEW))
    assert e.value.errno == errno.EROFS


def test_rmdir_drops_a_pending_folder(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    assert put(m.p(NEW, "role.json"), rendered({"Description": "soon gone"})) == 0
    with open(m.p(NEW, ".trust.json.swp"), "wb") as f:  # an editor's helper file
        f.write(b"swap")
    with pytest.raises(OSError) as e:
        os.rmdir(m.p(NEW))
    assert e.value.errno == errno.ENOTEMPTY
    os.unlink(m.p(NEW, ".trust.json.swp"))
    os.rmdir(m.p(NEW))
    assert NEW not in os.listdir(m.path)
    assert status_lines(m, "pending roles") == ["0"]
    # rm -r works file by file: a pending folder's role.json is local, so it goes too
    os.mkdir(m.p(NEW))
    assert put(m.p(NEW, "role.json"), rendered({"Description": "soon gone"})) == 0
    r = subprocess.run(["rm", "-r", m.p(NEW)], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert NEW not in os.listdir(m.path)
    assert status_lines(m, "pending roles") == ["0"]
    # a role IAM has is not a pending folder: rmdir keeps refusing it
    with pytest.raises(PermissionError):
        os.rmdir(m.p("states-lambda-role"))
    assert writes_of(proxy.counts()) == {}


def test_role_json_is_kept_locally_and_survives_a_remount(account, mounts, tmp_path):
    iam, proxy = account
    cache = str(tmp_path / "cache-remount")
    m = mounts(proxy.url, allow=REFUSALS, cache_dir=cache)
    os.mkdir(m.p(NEW))
    os.mkdir(m.p("second-pending"))
    data = rendered(SETTINGS)
    assert put(m.p(NEW, "role.json"), data) == 0
    assert m.read(NEW, "role.json") == data
    assert sorted(os.listdir(m.p(NEW))) == ["role.json"]
    # Editors that rename onto the name, and cp over it, are saves like the first.
    changed = dict(SETTINGS, Description="renamed onto")
    tmp = m.p(NEW, ".role.json.tmp")
    with open(tmp, "wb") as f:
        f.write(rendered(changed))
    os.rename(tmp, m.p(NEW, "role.json"))
    assert json.loads(m.read(NEW, "role.json")) == changed
    src = tmp_path / "settings.json"
    src.write_bytes(data)
    r = subprocess.run(["cp", str(src), m.p(NEW, "role.json")], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert os.stat(m.p(NEW, "role.json")).st_mode & 0o777 == 0o644
    assert writes_of(proxy.counts()) == {}
    m.stop()
    m2 = mounts(proxy.url, allow=REFUSALS, cache_dir=cache, name="again")
    assert {NEW, "second-pending"} <= set(os.listdir(m2.path))
    assert m2.read(NEW, "role.json") == data
    assert os.listdir(m2.p("second-pending")) == []
    assert status_lines(m2, "pending roles") == ["2"]
    assert int(status_lines(m2, "roles")[0]) == len(iam.list_roles()["Roles"])


@pytest.mark.parametrize("doc,word", [
    ({"Description": "x", "Colour": "blue"}, "Colour"),
    ({"Arn": "arn:aws:iam::123456789012:role/x"}, "Arn"),
    ({"RoleName": NEW}, "RoleName"),
    ({"MaxSessionDuration": 60}, "MaxSessionDuration"),
    ("{not json", "line"),
])
def test_bad_role_json_is_einval_and_kept(account, mounts, doc, word):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    data = doc.encode() if isinstance(doc, str) else rendered(doc)
    assert put(m.p(NEW, "role.json"), data) == errno.EINVAL
    line = errors_text(m).splitlines()[-1]
    assert "EINVAL" in line and "role.json" in line and word in line, line
    assert data in rejected_files(m).values()
    assert not os.path.exists(m.p(NEW, "role.json"))


def trust_of(iam, name):
    return iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]


def test_cp_of_trust_creates_the_role_with_its_role_json(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    assert put(m.p(NEW, "role.json"), rendered(SETTINGS)) == 0
    src = tmp_path / "swf-trust.json"
    doc = trust("swf.amazonaws.com")
    src.write_bytes(rendered(doc))
    proxy.reset()
    r = subprocess.run(["cp", str(src), m.p(NEW, "trust.json")], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert writes_of(proxy.counts()) == {"CreateRole": 1}, proxy.counts()
    role = iam.get_role(RoleName=NEW)["Role"]
    assert role["AssumeRolePolicyDocument"] == doc
    assert role["Path"] == SETTINGS["Path"]
    assert role["Description"] == SETTINGS["Description"]
    assert role["MaxSessionDuration"] == SETTINGS["MaxSessionDuration"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
    tags = iam.list_role_tags(RoleName=NEW)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "data")]
    # The folder is a normal role now.
    assert sorted(os.listdir(m.p(NEW))) == ["attached", "inline", "role.json", "trust.json"]
    assert m.read(NEW, "trust.json") == rendered(doc)
    shown = json.loads(m.read(NEW, "role.json"))
    assert shown["RoleName"] == NEW and shown["Arn"] == role["Arn"]
    assert shown["Path"] == SETTINGS["Path"]
    assert shown["MaxSessionDuration"] == SETTINGS["MaxSessionDuration"]
    assert os.stat(m.p(NEW, "role.json")).st_mode & 0o777 == 0o644  # edited as any role's
    assert os.listdir(m.p(NEW, "inline")) == [] and os.listdir(m.p(NEW, "attached")) == []
    assert status_lines(m, "pending roles") == ["0"]
    assert errors_text(m) == ""
    # Saving its trust again is the usual UpdateAssumeRolePolicy.
    proxy.reset()
    doc2 = trust("states.us-east-1.amazonaws.com")
    assert write_and_close(m.p(NEW, "trust.json"), rendered(doc2)) == 0
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 1}, proxy.counts()
    assert trust_of(iam, NEW) == doc2


def vim_new(path, src, home):
    return subprocess.run(["vim", "--clean", "-N", "-E", "-s", "-c", "set swapfile",
                           "-c", "0r " + src, "-c", "wq", path],
                          env={"HOME": home, "PATH": os.environ["PATH"], "TERM": "xterm"},
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60)


@pytest.mark.parametrize("how", ["redirect", "vim", "mv", "python"])
def test_each_way_of_writing_trust_creates_once(account, mounts, tmp_path, how):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    doc = trust("lambda.amazonaws.com")
    src = tmp_path / "src.json"
    src.write_bytes(rendered(doc))
    dst = m.p(NEW, "trust.json")
    proxy.reset()
    if how == "redirect":
        r = subprocess.run(["sh", "-c", 'cat "$1" > "$2"', "sh", str(src), dst], timeout=60)
    elif how == "vim":
        if not shutil.which("vim"):
            pytest.fail("vim is not installed")
        r = vim_new(dst, str(src), m.home)
    elif how == "mv":
        tmp = m.p(NEW, ".trust.json.tmp")
        shutil.copyfile(str(src), tmp)
        r = subprocess.run(["mv", "-f", tmp, dst], timeout=60)
    else:
        r = subprocess.CompletedProcess([], put(dst, rendered(doc)))
    assert r.returncode == 0, r
    assert writes_of(proxy.counts()) == {"CreateRole": 1}, proxy.counts()
    assert trust_of(iam, NEW) == doc
    assert json.loads(m.read(NEW, "trust.json")) == doc
    assert "inline" in os.listdir(m.p(NEW))


def test_entity_already_exists_leaves_the_folder_pending(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    # Created elsewhere after the mkdir (the mount has not reloaded yet).
    iam.create_role(RoleName=NEW, AssumeRolePolicyDocument=json.dumps(trust("ec2.amazonaws.com")))
    data = rendered(trust("lambda.amazonaws.com"))
    proxy.reset()
    assert put(m.p(NEW, "trust.json"), data) == errno.EEXIST
    assert writes_of(proxy.counts()) == {"CreateRole": 1}, proxy.counts()
    line = errors_text(m).splitlines()[-1]
    assert "EEXIST" in line and "EntityAlreadyExists" in line, line
    assert data in rejected_files(m).values()
    assert status_lines(m, "pending role") == [NEW]
    assert trust_of(iam, NEW) == trust("ec2.amazonaws.com")
    # The next load shows IAM's role, and the pending folder gives way, recorded.
    m.refresh()
    assert json.loads(m.read(NEW, "trust.json")) == trust("ec2.amazonaws.com")
    assert status_lines(m, "pending roles") == ["0"]
    assert "now exists in IAM" in errors_text(m)


def test_refused_trust_is_einval_and_sends_nothing(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    proxy.reset()
    assert put(m.p(NEW, "trust.json"), b'{"Version": "2012-10-17"}\n') == errno.EINVAL
    assert writes_of(proxy.counts()) == {}
    assert status_lines(m, "pending role") == [NEW]
    assert b'{"Version": "2012-10-17"}\n' in rejected_files(m).values()


def test_malformed_answer_is_einval_and_folder_stays_pending(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    proxy.reset()
    proxy.fault("CreateRole", "status", count=1, status=400, code="MalformedPolicyDocument",
                message="Invalid policy: Statement must not be empty")
    data = rendered(trust("lambda.amazonaws.com"))
    assert put(m.p(NEW, "trust.json"), data) == errno.EINVAL
    assert writes_of(proxy.counts()) == {"CreateRole": 1}
    line = errors_text(m).splitlines()[-1]
    assert "CreateRole" in line and "retried" not in line, line
    assert data in rejected_files(m).values()
    assert status_lines(m, "pending role") == [NEW]
    assert not os.path.exists(m.p(NEW, "trust.json"))


def test_dry_run_simulates_create_role(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS, args=["--dry-run"])
    os.mkdir(m.p(NEW))
    assert put(m.p(NEW, "role.json"), rendered(SETTINGS)) == 0
    proxy.reset()
    assert put(m.p(NEW, "trust.json"), rendered(trust("lambda.amazonaws.com"))) == 0
    assert writes_of(proxy.counts()) == {}
    assert status_lines(m, "dry-run calls CreateRole") == ["1"]
    assert status_lines(m, "pending role") == [NEW]
    assert not os.path.exists(m.p(NEW, "trust.json"))
    assert "would call CreateRole for " + NEW in m.stderr()
    assert NEW not in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def test_invalid_principal_is_retried_then_created(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    proxy.reset()
    proxy.fault("CreateRole", "status", count=2, status=400, code="MalformedPolicyDocument",
                message='Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/x"')
    doc = trust("lambda.amazonaws.com")
    assert put(m.p(NEW, "trust.json"), rendered(doc)) == 0
    assert writes_of(proxy.counts()) == {"CreateRole": 3}, proxy.counts()
    assert proxy.upstream_counts().get("CreateRole") == 1
    assert trust_of(iam, NEW) == doc
    assert errors_text(m) == ""


def test_invalid_principal_for_good_says_it_was_retried(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    proxy.reset()
    msg = 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/x"'
    proxy.fault("CreateRole", "status", count=-1, status=400, code="MalformedPolicyDocument",
                message=msg)
    data = rendered(trust("lambda.amazonaws.com"))
    start = time.monotonic()
    assert put(m.p(NEW, "trust.json"), data) == errno.EINVAL
    assert 9.5 <= time.monotonic() - start <= 15
    line = errors_text(m).splitlines()[-1]
    assert "CreateRole" in line and msg in line and "retried for 10 s" in line, line
    assert data in rejected_files(m).values()
    assert status_lines(m, "pending role") == [NEW]


def test_lost_answer_is_settled_as_one_role(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSALS)
    os.mkdir(m.p(NEW))
    proxy.reset()
    proxy.fault("CreateRole", "drop", count=1, when="after")
    doc = trust("lambda.amazonaws.com")
    assert put(m.p(NEW, "trust.json"), doc and rendered(doc)) == 0
    assert writes_of(proxy.counts()) == {"CreateRole": 1}, proxy.counts()
    assert proxy.upstream_counts().get("CreateRole") == 1
    assert trust_of(iam, NEW) == doc
    assert errors_text(m) == ""
    assert "inline" in os.listdir(m.p(NEW))
    assert status_lines(m, "pending roles") == ["0"]


@pytest.mark.parametrize("outcome", ["landed", "lost"])
def test_killed_mid_create_is_settled_at_next_mount(account, mounts, tmp_path, outcome):
    """SIGKILL while CreateRole is held in flight: the next mount finds the role in
    IAM (the folder is the role, nothing reported) or, when it is not there, reports
    the interrupted create with its bytes and keeps the folder pending."""
    iam, proxy = account
    cache = str(tmp_path / "cache-killed")
    m = mounts(proxy.url, allow=REFUSALS, cache_dir=cache)
    os.mkdir(m.p(NEW))
    doc = trust("lambda.amazonaws.com")
    src = tmp_path / "new.json"
    src.write_bytes(rendered(doc))
    proxy.reset()
    kill_while_held(m, proxy, ["cp", str(src), m.p(NEW, "trust.json")], "CreateRole", HOLD_MS)
    wait_until(lambda: NEW in [r["RoleName"] for r in iam.list_roles()["Roles"]],
               HOLD_MS / 1000 + 10, what="the held CreateRole reached moto")
    if outcome == "lost":
        iam.delete_role(RoleName=NEW)
    m2 = mounts(proxy.url, allow=REFUSALS, cache_dir=cache, name="after-kill")
    if outcome == "landed":
        wait_until(lambda: "inline" in os.listdir(m2.p(NEW)), 30, what="the folder is the role")
        assert json.loads(m2.read(NEW, "trust.json")) == doc
        assert status_lines(m2, "pending roles") == ["0"]
        assert errors_text(m2) == ""
        wait_until(lambda: status_lines(m2, "interrupted saves that reached IAM") == ["1"], 30,
                   what="the create counted as landed")
    else:
        wait_until(lambda: "interrupted" in errors_text(m2), 30, what="the create reported")
        line = [x for x in errors_text(m2).splitlines() if "interrupted" in x][-1]
        assert NEW + "/trust.json" in line, line
        assert rendered(doc) in rejected_files(m2).values()
        assert status_lines(m2, "pending role") == [NEW]
