"""Saving role.json: Description and MaxSessionDuration become one UpdateRole,
Tags become UntagRole/TagRole for exactly the keys that changed, a permissions
boundary PutRolePermissionsBoundary/DeleteRolePermissionsBoundary; a save that
changes nothing sends nothing. Read-only fields are refused with EPERM naming
the field, bad values with EINVAL, before any call. A failure in the middle
says which calls landed and the file shows IAM's state; a lost answer is
settled by GetRole, never sent twice. --dry-run and --read-only, vim and sed -i.
Each test edits its own role of one module-wide mount; IAM is read with boto3
straight from moto, calls are counted by the proxy.
"""
import errno
import json

import pytest

import editors
import mount as mnt
from saverig import (DOOMED, ROLE, SANITIZER, WORKERS, errors_text,  # noqa: F401
                     kill_while_held, mounts, reads_of, rejected_files, seed, wait_until,
                     write_and_close, writes_of)

BOUNDARY = "role-boundary"
KEYS = ["RoleName", "Arn", "RoleId", "Path", "CreateDate", "Description", "MaxSessionDuration",
        "PermissionsBoundary", "Tags", "AttachedPolicies"]
EDIT, TAGS, BOUND, FIXED, MIDDLE, STALE, VIM, SED = WORKERS
BAD = ROLE  # bad values are refused against the guide's role (then a daemon is killed)
HOLD_MS = 3000


def boundary_arn():
    return "arn:aws:iam::123456789012:policy/" + BOUNDARY


@pytest.fixture(scope="module")
def rig(moto, _proxy_server, tmp_path_factory):
    moto.reset()
    iam = moto.client()
    seed(iam)
    iam.create_policy(PolicyName=BOUNDARY, PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    iam.tag_role(RoleName=TAGS, Tags=[{"Key": "team", "Value": "core"},
                                      {"Key": "env", "Value": "dev"},
                                      {"Key": "old", "Value": "x"}])
    for role in (VIM, SED, MIDDLE, STALE):
        iam.update_role(RoleName=role, Description="first words")
    proxy = _proxy_server
    proxy.reset()
    proxy.config(latency_ms=0)
    m = mnt.Mount(proxy.url, tmp_path_factory.mktemp("rolejson"), ttl=3600).start()
    yield iam, proxy, m
    m.stop()
    proxy.reset()
    assert not [x for x in m.stderr().splitlines() if SANITIZER.search(x)], m.stderr()


def doc_of(m, role):
    return json.loads(m.read(role, "role.json"))


def save(m, role, value):
    """Writes value as role.json (json.dumps, the user's own layout): close's errno."""
    return write_and_close(m.p(role, "role.json"), json.dumps(value).encode())


def tags_of(iam, role):
    return {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role)["Tags"]}


def errors_since(m, before):
    return errors_text(m).splitlines()[before:]


def test_description_and_session_are_one_update_role(rig):
    iam, proxy, m = rig
    value = doc_of(m, EDIT)
    value["Description"] = "Runs the state machine"
    value["MaxSessionDuration"] = 7200
    proxy.reset()
    assert save(m, EDIT, value) == 0
    counts = proxy.counts()
    assert writes_of(counts) == {"UpdateRole": 1}, counts
    assert counts.get("GetRole") == 1 and reads_of(counts) == 1, counts
    role = iam.get_role(RoleName=EDIT)["Role"]
    assert role["Description"] == "Runs the state machine"
    assert role["MaxSessionDuration"] == 7200
    # The file reads back as iamfs renders role.json, not as written.
    text = m.read(EDIT, "role.json")
    shown = json.loads(text)
    assert shown == value
    assert list(shown) == [k for k in KEYS if k in shown]
    assert text == (json.dumps(shown, indent=4) + "\n").encode()
    # Description left out: cleared.
    del value["Description"]
    proxy.reset()
    assert save(m, EDIT, value) == 0
    assert writes_of(proxy.counts()) == {"UpdateRole": 1}
    assert not iam.get_role(RoleName=EDIT)["Role"].get("Description")
    assert "Description" not in doc_of(m, EDIT)
    value["Description"] = "Runs the state machine"
    assert save(m, EDIT, value) == 0, errors_text(m)


def test_a_save_changing_nothing_sends_nothing(rig):
    iam, proxy, m = rig
    before = m.read(EDIT, "role.json")
    value = json.loads(before)
    editable = {k: value[k] for k in ("Description", "MaxSessionDuration") if k in value}
    proxy.reset()
    # The same values in another layout, then only the editable fields: no call at all.
    assert save(m, EDIT, value) == 0
    assert save(m, EDIT, editable) == 0
    assert proxy.counts().get("_total", 0) == 0
    assert m.read(EDIT, "role.json") == before
    assert "saves no-op: " in m.status()


def test_tags_send_only_what_changed(rig):
    iam, proxy, m = rig
    value = doc_of(m, TAGS)
    assert {t["Key"]: t["Value"] for t in value["Tags"]} == {"team": "core", "env": "dev",
                                                              "old": "x"}
    value["Tags"] = [{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "dev"},
                     {"Key": "new", "Value": ""}]
    proxy.reset()
    assert save(m, TAGS, value) == 0
    assert writes_of(proxy.counts()) == {"UntagRole": 1, "TagRole": 1}
    assert tags_of(iam, TAGS) == {"team": "data", "env": "dev", "new": ""}
    # Only an addition: TagRole alone; only a removal: UntagRole alone.
    value["Tags"].append({"Key": "cost-center", "Value": "42"})
    proxy.reset()
    assert save(m, TAGS, value) == 0
    assert writes_of(proxy.counts()) == {"TagRole": 1}
    value["Tags"] = value["Tags"][1:]
    proxy.reset()
    assert save(m, TAGS, value) == 0
    assert writes_of(proxy.counts()) == {"UntagRole": 1}
    assert tags_of(iam, TAGS) == {"env": "dev", "new": "", "cost-center": "42"}
    assert doc_of(m, TAGS)["Tags"] == value["Tags"]


def test_permissions_boundary_set_and_removed(rig):
    iam, proxy, m = rig
    value = doc_of(m, BOUND)
    assert "PermissionsBoundary" not in value
    value["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                    "PermissionsBoundaryArn": boundary_arn()}
    proxy.reset()
    assert save(m, BOUND, value) == 0
    assert writes_of(proxy.counts()) == {"PutRolePermissionsBoundary": 1}
    pb = iam.get_role(RoleName=BOUND)["Role"]["PermissionsBoundary"]
    assert pb["PermissionsBoundaryArn"] == boundary_arn()
    assert doc_of(m, BOUND)["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary_arn()
    # The bare ARN is the same boundary: nothing to send.
    value["PermissionsBoundary"] = boundary_arn()
    proxy.reset()
    assert save(m, BOUND, value) == 0
    assert proxy.counts().get("_total", 0) == 0
    del value["PermissionsBoundary"]
    assert save(m, BOUND, value) == 0
    assert writes_of(proxy.counts()) == {"DeleteRolePermissionsBoundary": 1}
    assert "PermissionsBoundary" not in iam.get_role(RoleName=BOUND)["Role"]
    assert "PermissionsBoundary" not in doc_of(m, BOUND)


@pytest.mark.parametrize("field,new", [
    ("RoleName", "renamed"),
    ("Arn", "arn:aws:iam::123456789012:role/renamed"),
    ("RoleId", "AROAOTHERID"),
    ("Path", "/moved/"),
    ("CreateDate", "2001-01-01T00:00:00Z"),
    ("AttachedPolicies", ["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
])
def test_read_only_fields_are_refused(rig, field, new):
    iam, proxy, m = rig
    before = m.read(FIXED, "role.json")
    value = json.loads(before)
    value[field] = new
    value["Description"] = "would change too"
    data = json.dumps(value).encode()
    n = errors_text(m).count("\n")
    proxy.reset()
    assert write_and_close(m.p(FIXED, "role.json"), data) == errno.EPERM
    assert proxy.counts().get("_total", 0) == 0
    lines = errors_since(m, n)
    assert len(lines) == 1 and FIXED + "/role.json" in lines[0], lines
    assert "EPERM" in lines[0] and '"%s" cannot be changed' % field in lines[0], lines
    assert data in rejected_files(m).values()
    assert m.read(FIXED, "role.json") == before
    assert "Description" not in iam.get_role(RoleName=FIXED)["Role"]


@pytest.mark.parametrize("change,says", [
    ({"MaxSessionDuration": 600}, "MaxSessionDuration"),
    ({"MaxSessionDuration": 3600.5}, "MaxSessionDuration"),
    ({"Description": "x" * 1001}, "Description"),
    ({"Description": "emoji \U0001F600"}, "Description"),
    ({"Tags": [{"Key": "a!", "Value": "b"}]}, "Tags"),
    ({"Tags": [{"Key": "k%d" % i, "Value": ""} for i in range(51)]}, "Tags"),
    ({"PermissionsBoundary": "arn:aws:iam::123456789012:role/not-a-policy"},
     "PermissionsBoundary"),
    ({"Colour": "blue"}, '"Colour"'),
    (None, "line 1, column"),
])
def test_bad_values_are_refused(rig, change, says):
    iam, proxy, m = rig
    value = doc_of(m, BAD)
    if change is None:
        data = b'{"Description": "x",}'
    else:
        value.update(change)
        data = json.dumps(value).encode()
    n = errors_text(m).count("\n")
    proxy.reset()
    assert write_and_close(m.p(BAD, "role.json"), data) == errno.EINVAL
    assert proxy.counts().get("_total", 0) == 0
    lines = errors_since(m, n)
    assert len(lines) == 1 and "EINVAL" in lines[0] and says in lines[0], lines
    assert data in rejected_files(m).values()


def test_failure_in_the_middle_says_what_landed(rig):
    iam, proxy, m = rig
    value = doc_of(m, MIDDLE)
    value["Description"] = "second words"
    value["Tags"] = [{"Key": "stage", "Value": "prod"}]
    value["PermissionsBoundary"] = boundary_arn()
    data = json.dumps(value).encode()
    n = errors_text(m).count("\n")
    proxy.reset()
    proxy.fault("TagRole", "status", status=400, code="InvalidInput", message="injected")
    assert write_and_close(m.p(MIDDLE, "role.json"), data) == errno.EINVAL
    counts = proxy.counts()
    assert writes_of(counts) == {"UpdateRole": 1, "TagRole": 1}, counts
    assert counts.get("GetRole") == 2, counts  # the conflict check, then IAM's state
    lines = errors_since(m, n)
    assert len(lines) == 1, lines
    assert "TagRole" in lines[0] and "done before it: UpdateRole" in lines[0], lines
    assert "not sent: PutRolePermissionsBoundary" in lines[0], lines
    assert "InvalidInput" in lines[0]
    assert data in rejected_files(m).values()
    role = iam.get_role(RoleName=MIDDLE)["Role"]
    assert role["Description"] == "second words"
    assert "PermissionsBoundary" not in role and tags_of(iam, MIDDLE) == {}
    shown = doc_of(m, MIDDLE)
    assert shown["Description"] == "second words"
    assert "Tags" not in shown and "PermissionsBoundary" not in shown
    # The same save again sends only what is still missing.
    proxy.reset()
    assert write_and_close(m.p(MIDDLE, "role.json"), data) == 0
    assert writes_of(proxy.counts()) == {"TagRole": 1, "PutRolePermissionsBoundary": 1}
    assert tags_of(iam, MIDDLE) == {"stage": "prod"}


def test_a_lost_answer_is_settled_by_get_role_not_sent_twice(rig):
    """DeleteRolePermissionsBoundary is not resent by the client (not idempotent): its
    answer lost after moto applied it, GetRole shows it landed."""
    iam, proxy, m = rig
    value = doc_of(m, MIDDLE)
    assert value["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary_arn()
    del value["PermissionsBoundary"]
    n = errors_text(m).count("\n")
    proxy.reset()
    proxy.fault("DeleteRolePermissionsBoundary", "drop", when="after")
    assert write_and_close(m.p(MIDDLE, "role.json"), json.dumps(value).encode()) == 0
    counts = proxy.counts()
    assert writes_of(counts) == {"DeleteRolePermissionsBoundary": 1}, counts
    assert counts.get("GetRole") == 2, counts
    assert "PermissionsBoundary" not in iam.get_role(RoleName=MIDDLE)["Role"]
    assert "PermissionsBoundary" not in doc_of(m, MIDDLE)
    assert errors_since(m, n) == []


def test_a_role_changed_in_iam_is_a_conflict(rig):
    iam, proxy, m = rig
    value = doc_of(m, STALE)
    iam.update_role(RoleName=STALE, Description="changed elsewhere")
    value["Tags"] = [{"Key": "k", "Value": "v"}]
    proxy.reset()
    assert save(m, STALE, value) == errno.ESTALE
    counts = proxy.counts()
    assert writes_of(counts) == {} and counts.get("GetRole") == 1, counts
    assert doc_of(m, STALE)["Description"] == "changed elsewhere"
    assert tags_of(iam, STALE) == {}


@pytest.mark.parametrize("saver", ["vim", "sed"])
def test_editors_save_role_json(rig, saver):
    iam, proxy, m = rig
    role = VIM if saver == "vim" else SED
    path = m.p(role, "role.json")
    proxy.reset()
    if saver == "vim":
        out = editors.vim_ex(path, "first words", "edited with vim", m.home)
    else:
        out = editors.sed_i(path, "first words", "edited with vim", m.home)
    assert out.returncode == 0, out.stderr
    assert writes_of(proxy.counts()) == {"UpdateRole": 1}
    assert iam.get_role(RoleName=role)["Role"]["Description"] == "edited with vim"
    assert doc_of(m, role)["Description"] == "edited with vim"


def test_dry_run_lists_the_calls_and_sends_nothing(rig, mounts):
    iam, proxy, _ = rig
    m = mounts(proxy.url, args=["--dry-run"])
    before = m.read(DOOMED, "role.json")
    value = json.loads(before)
    value["Description"] = "dry"
    value["Tags"] = [{"Key": "k", "Value": "v"}]
    proxy.reset()
    assert save(m, DOOMED, value) == 0
    assert writes_of(proxy.counts()) == {}
    wait_until(lambda: m.read(DOOMED, "role.json") == before, 10,
               what="role.json returns to IAM's content")
    status = m.status()
    assert "dry-run calls UpdateRole: 1" in status and "dry-run calls TagRole: 1" in status
    assert "Description" not in iam.get_role(RoleName=DOOMED)["Role"]
    assert "dry-run: would call UpdateRole, TagRole for %s/role.json" % DOOMED in m.stderr()
    # Validation still runs.
    assert save(m, DOOMED, {"MaxSessionDuration": 1}) == errno.EINVAL


def test_read_only_mount_refuses_role_json(rig, mounts):
    iam, proxy, _ = rig
    m = mounts(proxy.url, args=["--read-only"])
    proxy.reset()
    with pytest.raises(OSError) as e:
        with open(m.p(DOOMED, "role.json"), "wb") as f:
            f.write(b"{}")
    assert e.value.errno == errno.EROFS
    assert proxy.counts().get("_total", 0) == 0


@pytest.mark.parametrize("moment", ["during-read", "during-write"])
def test_sigkill_mid_save_loses_nothing(rig, mounts, tmp_path, moment):
    """The save is journaled before GetRole: killed while GetRole is held it is reported
    at the next mount with its bytes kept; killed while UpdateRole is held (which then
    reaches IAM) the next mount finds it in IAM and reports nothing."""
    iam, proxy, _ = rig
    m = mounts(proxy.url, allow=r"refused|interrupted")
    value = doc_of(m, BAD)
    value["Description"] = "interrupted " + moment
    data = json.dumps(value).encode()
    src = tmp_path / "role.json"
    src.write_bytes(data)
    proxy.reset()
    held = "UpdateRole" if moment == "during-write" else "GetRole"
    assert kill_while_held(m, proxy, ["cp", str(src), m.p(BAD, "role.json")], held, HOLD_MS) != 0
    wait_until(lambda: proxy.upstream_counts().get(held, 0) >= 1, HOLD_MS / 1000 + 10,
               what="the held call reached moto")
    if moment == "during-write":
        wait_until(lambda: iam.get_role(RoleName=BAD)["Role"].get("Description") ==
                   value["Description"], 10, what="moto applied the held UpdateRole")
    m2 = mounts(proxy.url, cache_dir=m.cache_dir, name="again", allow=r"interrupted")
    if moment == "during-write":
        wait_until(lambda: "interrupted saves that reached IAM: 1" in m2.status(), 30,
                   what="the journaled save found in IAM")
        assert doc_of(m2, BAD)["Description"] == value["Description"]
        assert "interrupted" not in errors_text(m2)
    else:
        line = wait_until(lambda: [x for x in errors_text(m2).splitlines()
                                   if BAD + "/role.json" in x and "interrupted" in x],
                          30, what="the interrupted save reported")
        assert len(line) == 1, line
        assert data in rejected_files(m2).values()
        assert "Description" not in iam.get_role(RoleName=BAD)["Role"]
