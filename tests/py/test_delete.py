"""Deleting through the tree, only when the mount allows it (--allow-delete):
without the option every removal that would reach IAM is EPERM, recorded naming
the option, and sends nothing; with it rm of an inline policy is
DeleteRolePolicy, rm of an attached one DetachRolePolicy (the managed policy
stays), and rm -r of a role folder removes its policies, takes the role out of
its instance profiles and deletes it, each call counted by the proxy and checked
with boto3 straight from moto. What a removal takes out of IAM is kept under
.iamfs/removed/, also across a remount; --dry-run simulates, --read-only refuses.
"""
import errno
import json
import os
import subprocess

import pytest

from saverig import (CUST, DOOMED, ROLE, account, cust_arn, errors_text,  # noqa: F401
                     kill_daemon, mounts, policy, snapshot, trust, wait_until, writes_of)

ALLOW = ["--allow-delete"]
PROFILE = "doomed-profile"


def removed_files(m):
    """{name: bytes} of .iamfs/removed/."""
    d = m.p(".iamfs", "removed")
    out = {}
    for name in os.listdir(d):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


def one(files, suffix):
    """The one kept file whose name ends with suffix: (name, bytes)."""
    hits = [(n, b) for n, b in files.items() if n.endswith(suffix)]
    assert len(hits) == 1, (suffix, sorted(files))
    return hits[0]


def rm_r(path):
    return subprocess.run(["rm", "-rf", path], capture_output=True, text=True, timeout=60)


def in_profile(iam, role):
    """Puts role in the instance profile PROFILE (made here)."""
    iam.create_instance_profile(InstanceProfileName=PROFILE)
    iam.add_role_to_instance_profile(InstanceProfileName=PROFILE, RoleName=role)


def bare(iam):
    """A role "bare" with a trust policy and nothing else."""
    iam.create_role(RoleName="bare", AssumeRolePolicyDocument=json.dumps(
        trust("ec2.amazonaws.com")))


def doom(iam):
    """DOOMED gets an attached policy and an instance profile beside its inline one."""
    iam.attach_role_policy(RoleName=DOOMED, PolicyArn=cust_arn())
    in_profile(iam, DOOMED)


def role_names(iam):
    return {r["RoleName"] for r in iam.list_roles()["Roles"]}


def test_every_delete_is_refused_without_the_option(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    snap = snapshot(iam)
    helper = m.p(ROLE, ".trust.json.swp")
    with open(helper, "wb") as f:
        f.write(b"swap")
    proxy.reset()
    attempts = {
        "inline/s3-read.json": lambda: os.unlink(m.p(ROLE, "inline", "s3-read.json")),
        "attached/%s.json" % CUST: lambda: os.unlink(m.p(ROLE, "attached", CUST + ".json")),
        "trust.json": lambda: os.unlink(m.p(ROLE, "trust.json")),
        "role.json": lambda: os.unlink(m.p(ROLE, "role.json")),
        "inline": lambda: os.rmdir(m.p(ROLE, "inline")),
        "": lambda: os.rmdir(m.p(ROLE)),
    }
    for path, attempt in attempts.items():
        with pytest.raises(OSError) as e:
            attempt()
        assert e.value.errno == errno.EPERM, path
    out = rm_r(m.p(DOOMED))
    assert out.returncode != 0
    assert "Operation not permitted" in out.stderr
    # Helper files are still the editor's to remove.
    os.unlink(helper)
    assert proxy.counts()["_total"] == 0, proxy.counts()
    assert snapshot(iam) == snap
    lines = errors_text(m).splitlines()
    for path in attempts:
        assert any(("%s/%s EPERM" % (ROLE, path)) in l and "--allow-delete" in l
                   for l in lines), (path, lines)
    assert any(DOOMED in l and "--allow-delete" in l for l in lines), lines
    assert "--allow-delete" in m.stderr()
    assert os.listdir(m.p(".iamfs", "removed")) == []
    assert sorted(os.listdir(m.p(DOOMED))) == ["attached", "inline", "role.json", "trust.json"]
    assert os.listdir(m.p(DOOMED, "inline")) == ["logs.json"]


def test_rm_inline_and_attached(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, args=ALLOW)
    inline_doc = m.read(ROLE, "inline", "s3-read.json")
    assert cust_arn() in m.read(ROLE, "role.json").decode()
    assert "deletes allowed" in m.status()
    proxy.reset()
    os.unlink(m.p(ROLE, "inline", "s3-read.json"))
    assert writes_of(proxy.counts()) == {"DeleteRolePolicy": 1}
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == []
    proxy.reset()
    os.unlink(m.p(ROLE, "attached", CUST + ".json"))
    assert writes_of(proxy.counts()) == {"DetachRolePolicy": 1}
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    # The managed policy itself stays in IAM.
    assert iam.get_policy(PolicyArn=cust_arn())["Policy"]["PolicyName"] == CUST
    assert os.listdir(m.p(ROLE, "inline")) == []
    assert os.listdir(m.p(ROLE, "attached")) == []
    role_json = json.loads(m.read(ROLE, "role.json"))
    assert cust_arn() not in json.dumps(role_json)
    files = removed_files(m)
    assert one(files, "-%s-inline-s3-read.json" % ROLE)[1] == inline_doc
    assert one(files, "-%s-detached-%s.txt" % (ROLE, CUST))[1] == (cust_arn() + "\n").encode()
    assert errors_text(m) == ""
    # Removing what is already gone: ENOENT, nothing sent.
    proxy.reset()
    with pytest.raises(FileNotFoundError):
        os.unlink(m.p(ROLE, "inline", "s3-read.json"))
    assert writes_of(proxy.counts()) == {}


def test_rm_r_deletes_the_role_with_exactly_the_calls_needed(account, mounts):
    iam, proxy = account
    doom(iam)
    m = mounts(proxy.url, args=ALLOW)
    trust_doc = m.read(DOOMED, "trust.json")
    role_doc = m.read(DOOMED, "role.json")
    proxy.reset()
    out = rm_r(m.p(DOOMED))
    assert out.returncode == 0, out.stderr
    assert writes_of(proxy.counts()) == {
        "DeleteRolePolicy": 1, "DetachRolePolicy": 1, "RemoveRoleFromInstanceProfile": 1,
        "DeleteRole": 1}, proxy.counts()
    assert DOOMED not in role_names(iam)
    assert iam.get_instance_profile(InstanceProfileName=PROFILE)["InstanceProfile"]["Roles"] == []
    assert iam.get_policy(PolicyArn=cust_arn())["Policy"]["PolicyName"] == CUST
    assert DOOMED not in os.listdir(m.path)
    assert not os.path.exists(m.p(DOOMED))
    files = removed_files(m)
    assert json.loads(one(files, "-%s-inline-logs.json" % DOOMED)[1]) == policy(
        ["logs:PutLogEvents"])
    assert one(files, "-%s-detached-%s.txt" % (DOOMED, CUST))[1] == (cust_arn() + "\n").encode()
    assert one(files, "-%s-trust.json" % DOOMED)[1] == trust_doc
    assert one(files, "-%s-instance-profiles.txt" % DOOMED)[1] == (PROFILE + "\n").encode()
    # role.json as the role was when deleted: its policies were removed file by file
    # (each kept above), so it lists none.
    kept_role = json.loads(one(files, "-%s-role.json" % DOOMED)[1])
    assert kept_role == dict(json.loads(role_doc), AttachedPolicies=[])
    assert errors_text(m) == ""
    assert "removed files: 5" in m.status()
    # Kept across a remount, readable, never sent.
    m.stop()
    again = mounts(proxy.url, cache_dir=m.cache_dir, name="again")
    assert removed_files(again) == files
    # Put back by hand: the role from its kept trust policy.
    iam.create_role(RoleName=DOOMED, AssumeRolePolicyDocument=files[one(files, "-trust.json")[0]]
                    .decode())
    assert DOOMED in role_names(iam)


def test_trust_and_role_json_hidden_until_the_role_goes(account, mounts):
    """rm of trust.json and role.json sends nothing and hides them for this role; a
    later lookup is ENOENT until the role is deleted or the mount refreshed."""
    iam, proxy = account
    m = mounts(proxy.url, args=ALLOW)
    proxy.reset()
    os.unlink(m.p(ROLE, "trust.json"))
    os.unlink(m.p(ROLE, "role.json"))
    assert proxy.counts()["_total"] == 0
    assert sorted(os.listdir(m.p(ROLE))) == ["attached", "inline"]
    with pytest.raises(FileNotFoundError):
        m.read(ROLE, "trust.json")
    # A role with policies left is not deleted: ENOTEMPTY, nothing sent.
    with pytest.raises(OSError) as e:
        os.rmdir(m.p(ROLE))
    assert e.value.errno == errno.ENOTEMPTY
    with pytest.raises(OSError) as e:
        os.rmdir(m.p(ROLE, "inline"))
    assert e.value.errno == errno.ENOTEMPTY
    assert writes_of(proxy.counts()) == {}
    assert ROLE in role_names(iam)
    assert "still has 1 inline and 1 attached" in errors_text(m)
    m.refresh()
    assert sorted(os.listdir(m.p(ROLE))) == ["attached", "inline", "role.json", "trust.json"]
    assert json.loads(m.read(ROLE, "trust.json")) == trust("swf.amazonaws.com")


def test_policies_attached_elsewhere_meanwhile_are_enotempty(account, mounts):
    """IAM's DeleteConflict (a policy attached behind the mount's back) is ENOTEMPTY
    and the errors line says what landed before it."""
    iam, proxy = account
    in_profile(iam, DOOMED)
    m = mounts(proxy.url, args=ALLOW, allow=r"refused")
    os.unlink(m.p(DOOMED, "inline", "logs.json"))
    iam.attach_role_policy(RoleName=DOOMED, PolicyArn=cust_arn())  # the view does not know
    proxy.reset()
    with pytest.raises(OSError) as e:
        os.rmdir(m.p(DOOMED))
    assert e.value.errno == errno.ENOTEMPTY
    assert writes_of(proxy.counts()) == {"RemoveRoleFromInstanceProfile": 1, "DeleteRole": 1}
    assert DOOMED in role_names(iam)
    lines = errors_text(m).splitlines()
    line = [l for l in lines if "DeleteConflict" in l][-1]
    assert "%s/ ENOTEMPTY DeleteConflict" % DOOMED in line, line
    assert "landed before it: RemoveRoleFromInstanceProfile " + PROFILE in line, line
    # And the removals of the role's files that landed earlier in this mount.
    assert "removed before it in this mount: inline/logs.json" in lines[-1], lines
    assert os.path.isdir(m.p(DOOMED))


def test_a_failure_in_the_middle_of_rm_r_is_reported(account, mounts):
    iam, proxy = account
    doom(iam)
    m = mounts(proxy.url, args=ALLOW, allow=r"refused")
    proxy.reset()
    proxy.fault("DetachRolePolicy", "denied", count=-1)
    out = rm_r(m.p(DOOMED))
    proxy.clear_faults()
    assert out.returncode != 0
    assert "Permission denied" in out.stderr, out.stderr
    counts = writes_of(proxy.counts())
    # What landed: the inline policy; not: the detach, the instance profile, the role.
    assert counts.get("DeleteRolePolicy") == 1 and counts.get("DetachRolePolicy") == 1
    assert "DeleteRole" not in counts and "RemoveRoleFromInstanceProfile" not in counts
    assert iam.list_role_policies(RoleName=DOOMED)["PolicyNames"] == []
    assert [a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName=DOOMED)[
        "AttachedPolicies"]] == [cust_arn()]
    assert DOOMED in role_names(iam)
    errors = errors_text(m)
    failed = [l for l in errors.splitlines() if "attached/%s.json EACCES" % CUST in l]
    assert failed and "DetachRolePolicy" in failed[0], errors
    assert "removed before it in this mount: inline/logs.json" in errors, errors
    files = removed_files(m)
    one(files, "-%s-inline-logs.json" % DOOMED)
    assert os.listdir(m.p(DOOMED, "attached")) == [CUST + ".json"]


def test_a_role_in_an_instance_profile_leaves_it_first(account, mounts):
    iam, proxy = account
    bare(iam)
    in_profile(iam, "bare")
    m = mounts(proxy.url, args=ALLOW)
    proxy.reset()
    os.rmdir(m.p("bare"))
    assert writes_of(proxy.counts()) == {"RemoveRoleFromInstanceProfile": 1, "DeleteRole": 1}
    assert proxy.counts()["ListInstanceProfilesForRole"] == 1
    assert "bare" not in role_names(iam)
    assert iam.get_instance_profile(InstanceProfileName=PROFILE)["InstanceProfile"]["Roles"] == []


def test_a_service_linked_role_is_refused(account, mounts):
    iam, proxy = account
    name = "AWSServiceRoleForECS"
    iam.create_role(RoleName=name, Path="/aws-service-role/ecs.amazonaws.com/",
                    AssumeRolePolicyDocument=json.dumps(trust("ecs.amazonaws.com")))
    m = mounts(proxy.url, args=ALLOW, allow=r"refused")
    proxy.reset()
    with pytest.raises(OSError) as e:
        os.rmdir(m.p(name))
    assert e.value.errno == errno.EPERM
    assert proxy.counts()["_total"] == 0
    assert name in role_names(iam)
    assert "service-linked" in errors_text(m)
    assert os.path.isdir(m.p(name))


def test_dry_run_simulates_every_delete(account, mounts):
    iam, proxy = account
    doom(iam)
    m = mounts(proxy.url, args=ALLOW + ["--dry-run"])
    snap = snapshot(iam)
    proxy.reset()
    out = rm_r(m.p(DOOMED))
    assert out.returncode == 0, out.stderr
    assert writes_of(proxy.counts()) == {}
    assert snapshot(iam) == snap
    # The files come back: nothing was removed.
    wait_until(lambda: os.path.exists(m.p(DOOMED, "inline", "logs.json")) and os.path.exists(
        m.p(DOOMED, "attached", CUST + ".json")), 10, what="the files come back")
    assert sorted(os.listdir(m.p(DOOMED))) == ["attached", "inline", "role.json", "trust.json"]
    status = m.status()
    for action in ("DeleteRolePolicy", "DetachRolePolicy", "DeleteRole"):
        assert "dry-run calls %s: 1" % action in status, status
    assert "would call DeleteRolePolicy" in m.stderr()
    assert "would call ListInstanceProfilesForRole" in m.stderr()
    assert os.listdir(m.p(".iamfs", "removed")) == []


def test_read_only_refuses_every_delete_first(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, args=ALLOW + ["--read-only"])
    proxy.reset()
    for attempt in (lambda: os.unlink(m.p(ROLE, "inline", "s3-read.json")),
                    lambda: os.unlink(m.p(ROLE, "attached", CUST + ".json")),
                    lambda: os.unlink(m.p(ROLE, "trust.json")),
                    lambda: os.rmdir(m.p(ROLE, "inline")),
                    lambda: os.rmdir(m.p(DOOMED))):
        with pytest.raises(OSError) as e:
            attempt()
        assert e.value.errno == errno.EROFS
    assert proxy.counts()["_total"] == 0
    assert errors_text(m) == ""


@pytest.mark.parametrize("fault", ["drop", "status"])
def test_a_detach_whose_answer_was_lost_is_settled_by_a_read(account, mounts, fault):
    """DetachRolePolicy reached IAM and its answer was lost: the read shows the policy
    no longer attached, so rm succeeds, with one call sent."""
    iam, proxy = account
    m = mounts(proxy.url, args=ALLOW)
    path = m.p(ROLE, "attached", CUST + ".json")
    assert os.path.exists(path)
    proxy.reset()
    proxy.fault("DetachRolePolicy", fault, when="after", count=-1, status=500)
    os.unlink(path)
    proxy.clear_faults()
    assert proxy.upstream_counts()["DetachRolePolicy"] == 1
    assert proxy.counts()["ListAttachedRolePolicies"] >= 1
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    assert not os.path.exists(path)
    assert errors_text(m) == ""


def test_a_detach_that_did_not_land_is_refused(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, args=ALLOW, allow=r"refused")
    path = m.p(ROLE, "attached", CUST + ".json")
    proxy.reset()
    proxy.fault("DetachRolePolicy", "drop", count=-1)
    with pytest.raises(OSError) as e:
        os.unlink(path)
    proxy.clear_faults()
    assert e.value.errno == errno.EIO
    assert proxy.upstream_counts().get("DetachRolePolicy", 0) == 0
    assert [a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName=ROLE)[
        "AttachedPolicies"]] == [cust_arn()]
    assert os.path.exists(path)
    assert "attached/%s.json EIO" % CUST in errors_text(m)


def test_already_detached_elsewhere_counts_as_done(account, mounts):
    """NoSuchEntity on DetachRolePolicy: what the rm wanted is already true."""
    iam, proxy = account
    m = mounts(proxy.url, args=ALLOW)
    path = m.p(ROLE, "attached", CUST + ".json")
    assert os.path.exists(path)
    iam.detach_role_policy(RoleName=ROLE, PolicyArn=cust_arn())  # the view does not know
    proxy.reset()
    os.unlink(path)
    assert writes_of(proxy.counts()) == {"DetachRolePolicy": 1}
    assert not os.path.exists(path)
    assert errors_text(m) == ""


def test_an_aws_managed_policy_is_detached_never_deleted(managed_peer, mounts):
    server, proxy = managed_peer
    server.reset()
    iam = server.client()
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(
        trust("states.amazonaws.com")))
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn)
    m = mounts(proxy.url, args=ALLOW)
    proxy.reset()
    os.unlink(m.p(ROLE, "attached", "AWSLambdaRole.json"))
    assert writes_of(proxy.counts()) == {"DetachRolePolicy": 1}
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "AWSLambdaRole"
    files = removed_files(m)
    assert one(files, "-%s-detached-AWSLambdaRole.txt" % ROLE)[1] == (arn + "\n").encode()


@pytest.mark.parametrize("undone", [False, True])
@pytest.mark.parametrize("what", ["detach", "role"])
def test_a_daemon_killed_mid_removal_loses_nothing(account, mounts, what, undone):
    """A removal is journaled before its call: after SIGKILL and a remount it is
    either in IAM (the entry is gone, nothing reported) or, when IAM does not show
    it (undone here behind the daemon's back), reported as an interrupted removal."""
    iam, proxy = account
    if what == "role":
        bare(iam)
    action, rel, kept = {
        "detach": ("DetachRolePolicy", (ROLE, "attached", CUST + ".json"),
                   "-%s-detached-%s.txt" % (ROLE, CUST)),
        "role": ("DeleteRole", ("bare",), "-bare-trust.json"),
    }[what]
    m = mounts(proxy.url, args=ALLOW)
    path = m.p(*rel)
    assert os.path.exists(path)
    proxy.reset()
    proxy.fault(action, "delay", delay_ms=3000, count=-1)
    cmd = ["rm", "-f", path] if what == "detach" else ["rmdir", path]
    rm = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: proxy.counts().get(action, 0) >= 1, 20,
                   what=action + " reached the proxy")
        kill_daemon(m)
        rm.wait(timeout=20)
    finally:
        if rm.poll() is None:
            rm.kill()
            rm.wait(timeout=10)
    proxy.clear_faults()
    wait_until(lambda: proxy.upstream_counts().get(action, 0) >= 1, 20,
               what="the held call reached moto")
    one(removed_files_in(m.cache_dir), kept)
    if undone and what == "detach":
        iam.attach_role_policy(RoleName=ROLE, PolicyArn=cust_arn())
    elif undone:
        bare(iam)
    m2 = mounts(proxy.url, cache_dir=m.cache_dir, name="again", args=ALLOW, allow=r"interrupted")
    if undone:
        wait_until(lambda: "interrupted removal" in errors_text(m2), 20,
                   what="the interrupted removal is reported")
        assert os.path.exists(m2.p(*rel))
    else:
        wait_until(lambda: not os.path.exists(m2.p(*rel)), 20, what="the landed removal shows")
        assert "interrupted" not in errors_text(m2)
    one(removed_files(m2), kept)


def removed_files_in(cache_dir):
    """{name: bytes} of the removed/ folder of the one account folder in cache_dir."""
    out = {}
    for root, dirs, files in os.walk(cache_dir):
        if os.path.basename(root) == "removed":
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    out[name] = f.read()
    return out


@pytest.mark.parametrize("action", ["RemoveRoleFromInstanceProfile", "DeleteRole"])
def test_lost_answers_of_a_role_deletion_are_settled_by_a_read(account, mounts, action):
    """The call reached IAM and its answer was lost: a read (the profile's listing,
    GetRole answering NoSuchEntity) shows it landed, so rmdir succeeds, each call
    sent once."""
    iam, proxy = account
    bare(iam)
    in_profile(iam, "bare")
    m = mounts(proxy.url, args=ALLOW)
    proxy.reset()
    proxy.fault(action, "drop", when="after", count=-1)
    os.rmdir(m.p("bare"))
    proxy.clear_faults()
    up = proxy.upstream_counts()
    assert up["RemoveRoleFromInstanceProfile"] == 1 and up["DeleteRole"] == 1, up
    assert "bare" not in role_names(iam)
    assert not os.path.exists(m.p("bare"))
    assert errors_text(m) == ""
