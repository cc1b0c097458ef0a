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

from saverig import (account, errors_text, kill_daemon, mounts, rejected_files,  # noqa: F401
                     rendered, snapshot, trust, wait_until, write_and_close, writes_of)

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
REFUSALS = r"(refused|EINVAL|EEXIST|EROFS|EntityAlreadyExists|MalformedPolicyDocument)"


def status_lines(m, key):
    return [x.split(": ", 1)[1] for x in m.status().splitlines() if x.startswith(key + ": ")]


def create_writes(proxy):
    return writes_of(proxy.counts()).get("CreateRole", 0)


def put(path, data):
    """cp-like: open(O_WRONLY|O_CREAT|O_TRUNC), write, close; returns close's errno."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, data)
    try:
        os.close(fd)
        return 0
    except OSError as e:
        return e.errno


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
    os.rmdir(m.p(NEW))
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
    assert os.stat(m.p(NEW, "role.json")).st_mode & 0o777 == 0o644
    assert writes_of(proxy.counts()) == {}
    m.stop()
    m2 = mounts(proxy.url, allow=REFUSALS, cache_dir=cache, name="again")
    assert {NEW, "second-pending"} <= set(os.listdir(m2.path))
    assert m2.read(NEW, "role.json") == data
    assert os.listdir(m2.p("second-pending")) == []
    assert status_lines(m2, "pending roles") == ["2"]


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
