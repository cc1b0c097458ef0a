"""Saves that must be refused, through the mounted daemon against moto behind
the counting proxy: local validation (invalid JSON, a character IAM refuses,
an oversize document), IAM's refusals (MalformedPolicyDocument, AccessDenied,
NoSuchEntity, the 5-version limit), a conflict with a change made in IAM, and
throttling or an endpoint that stays down. Each gives the writing program the
errno of the README's Errors table, adds a line to .iamfs/errors, keeps the bytes under
.iamfs/rejected/ and leaves IAM as it was. Also: vim reports a refused save and
keeps its buffer; --read-only refuses every change; --dry-run sends nothing.
"""
import errno
import json
import os
import re

import pytest

import editors
from saverig import (DOOMED, ROLE, TARGETS, account, bounded, cust_arn, errors_text,  # noqa: F401
                     mounts, policy, reads_of, rejected_files, remote_doc, rendered,
                     snapshot, trust, wait_until, write_and_close, writes_of)

TRUST = TARGETS["trust"][0]


def oversize_trust():
    """A valid trust policy over IAM's 2,048 non-whitespace characters."""
    doc = trust("lambda.amazonaws.com")
    doc["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": ["1" * 12] * 200}}
    return rendered(doc)




def check_refused(m, iam, snap, rel, data, want_errno, code=None):
    """The refusal left its trace: a line naming the file (and IAM's code), the bytes
    under rejected/, and IAM unchanged."""
    lines = [line for line in errors_text(m).splitlines() if rel in line]
    assert lines, errors_text(m)
    assert errno.errorcode[want_errno] in lines[-1], lines
    if code:
        assert code in lines[-1], lines
    assert data in rejected_files(m).values(), sorted(rejected_files(m))
    assert snapshot(iam) == snap
    return lines[-1]


def case_invalid_json(m, iam, proxy):
    good = m.read(TRUST)
    return TRUST, good.replace(b'"Effect"', b'"Effect', 1), errno.EINVAL, None


def case_bad_character(m, iam, proxy):
    good = m.read(TRUST)
    return TRUST, good.replace(b"sts:AssumeRole", "sts:AssumeRole\u2019".encode()), errno.EINVAL, None


def case_oversize(m, iam, proxy):
    return TRUST, oversize_trust(), errno.EFBIG, None


def case_oversize_inline(m, iam, proxy):
    """Inline policies of one role share 10,240 characters."""
    doc = policy(["s3:GetObject"], ["arn:aws:s3:::%s/*" % ("b" * 40 + str(i)) for i in range(260)])
    return ROLE + "/inline/s3-read.json", rendered(doc), errno.EFBIG, None


def case_oversize_attached(m, iam, proxy):
    """A managed policy version holds 6,144 characters."""
    doc = policy(["ec2:DescribeInstances"],
                 ["arn:aws:ec2:::instance/%s" % ("i" * 40 + str(i)) for i in range(130)])
    return TARGETS["attached"][0], rendered(doc), errno.EFBIG, None


def case_malformed(m, iam, proxy):
    doc = trust("lambda.amazonaws.com")
    doc["Statement"][0]["Effect"] = "Maybe"   # passes local checks, moto refuses it
    return TRUST, rendered(doc), errno.EINVAL, "MalformedPolicyDocument"


def case_denied(m, iam, proxy):
    proxy.fault("UpdateAssumeRolePolicy", "denied", count=-1)
    return TRUST, rendered(trust("lambda.amazonaws.com")), errno.EACCES, "AccessDenied"


def case_no_such_entity(m, iam, proxy):
    m.read(DOOMED, "trust.json")
    iam.delete_role_policy(RoleName=DOOMED, PolicyName="logs")
    iam.delete_role(RoleName=DOOMED)
    return DOOMED + "/trust.json", rendered(trust("ecs.amazonaws.com")), errno.ENOENT, \
        "NoSuchEntity"


def case_throttled(m, iam, proxy):
    proxy.fault("UpdateAssumeRolePolicy", "throttle", count=-1)
    return TRUST, rendered(trust("lambda.amazonaws.com")), errno.EAGAIN, "Throttl"


def case_offline(m, iam, proxy):
    proxy.offline(True)
    return TRUST, rendered(trust("lambda.amazonaws.com")), errno.EIO, None


CASES = {
    "invalid-json": (case_invalid_json, False),
    "bad-character": (case_bad_character, False),
    "oversize": (case_oversize, False),
    "oversize-inline": (case_oversize_inline, False),
    "oversize-attached": (case_oversize_attached, False),
    "malformed": (case_malformed, True),
    "access-denied": (case_denied, True),
    "no-such-entity": (case_no_such_entity, True),
    "throttled": (case_throttled, True),
    "endpoint-down": (case_offline, True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_save(account, mounts, case):
    iam, proxy = account
    m = mounts(proxy.url)
    make, sends = CASES[case]
    proxy.reset()
    rel, data, want, code = make(m, iam, proxy)
    snap = snapshot(iam)
    assert write_and_close(m.p(rel), data) == want
    counts = proxy.counts()
    if not sends:
        assert counts["_total"] == 0, counts
    proxy.reset()
    line = check_refused(m, iam, snap, rel, data, want, code)
    # What and where: local refusals name the line and column or the limit; IAM's
    # refusals carry IAM's request id.
    if case in ("invalid-json", "bad-character"):
        assert re.search(r"line \d+, column \d+", line), line
    elif case.startswith("oversize"):
        assert re.search(r"(2,?048|10,?240|6,?144)", line), line
    elif code:
        assert "request id" in line, line


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_save_shell_program(account, mounts, tmp_path, case):
    """cp reports the errno of its close and exits non-zero."""
    iam, proxy = account
    m = mounts(proxy.url)
    rel, data, want, code = CASES[case][0](m, iam, proxy)
    snap = snapshot(iam)
    src = tmp_path / "bad.json"
    src.write_bytes(data)
    r = editors.run(["cp", str(src), m.p(rel)], m.home)
    assert r.returncode == 1
    assert os.strerror(want) in r.stderr.decode(), r.stderr
    check_refused(m, iam, snap, rel, data, want, code)


def test_fsync_returns_the_outcome(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    data = m.read(TRUST).replace(b"{", b"[", 1)
    snap = snapshot(iam)
    proxy.reset()
    fd = os.open(m.p(TRUST), os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, data)
        with pytest.raises(OSError) as e:
            os.fsync(fd)
        assert e.value.errno == errno.EINVAL
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
    assert proxy.counts()["_total"] == 0
    check_refused(m, iam, snap, TRUST, data, errno.EINVAL)


def test_conflict_is_estale(account, mounts):
    """The policy changed in IAM after this mount served it: the save is refused."""
    iam, proxy = account
    m = mounts(proxy.url)
    before = m.read(TRUST)
    other = trust("events.amazonaws.com")
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(other))
    snap = snapshot(iam)
    proxy.reset()
    data = before.replace(b"swf.amazonaws.com", b"states.us-east-1.amazonaws.com")
    assert write_and_close(m.p(TRUST), data) == errno.ESTALE
    assert writes_of(proxy.counts()) == {}
    assert reads_of(proxy.counts()) <= 1
    check_refused(m, iam, snap, TRUST, data, errno.ESTALE)
    assert remote_doc(iam, "trust") == other


def fill_versions(iam):
    for action in ("ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"):
        iam.create_policy_version(PolicyArn=cust_arn(), SetAsDefault=False,
                                  PolicyDocument=json.dumps(policy([action])))
    iam.create_policy_version(PolicyArn=cust_arn(), SetAsDefault=True,
                              PolicyDocument=json.dumps(policy(["ec2:DescribeInstances"])))
    vers = iam.list_policy_versions(PolicyArn=cust_arn())["Versions"]
    assert len(vers) == 5
    return vers


def test_version_limit_is_edquot(account, mounts):
    iam, proxy = account
    fill_versions(iam)
    m = mounts(proxy.url)
    rel, _, old, new = TARGETS["attached"]
    data = m.read(rel).replace(old.encode(), new.encode())
    snap = snapshot(iam)
    proxy.reset()
    assert write_and_close(m.p(rel), data) == errno.EDQUOT
    assert writes_of(proxy.counts()) == {}
    check_refused(m, iam, snap, rel, data, errno.EDQUOT)
    assert "prune-versions" in errors_text(m)


def test_prune_versions_makes_room(account, mounts):
    iam, proxy = account
    vers = fill_versions(iam)
    oldest = sorted((v for v in vers if not v["IsDefaultVersion"]),
                    key=lambda v: (v["CreateDate"], v["VersionId"]))[0]["VersionId"]
    m = mounts(proxy.url, args=["--prune-versions"])
    rel, _, old, new = TARGETS["attached"]
    data = m.read(rel).replace(old.encode(), new.encode())
    proxy.reset()
    assert write_and_close(m.p(rel), data) == 0
    assert writes_of(proxy.counts()) == {"DeletePolicyVersion": 1, "CreatePolicyVersion": 1}
    after = iam.list_policy_versions(PolicyArn=cust_arn())["Versions"]
    assert len(after) == 5
    assert oldest not in [v["VersionId"] for v in after]
    assert remote_doc(iam, "attached") == json.loads(data)
    assert m.read(rel) == data


@pytest.mark.parametrize("refusal", ["AccessDenied", "invalid-json"])
def test_vim_reports_refusal_and_keeps_buffer(account, mounts, tmp_path, refusal):
    """AccessDenied on the write, or an edit that breaks the JSON: interactive vim
    shows a write error, its buffer still holds the edit (written elsewhere with
    :w), and nothing is lost."""
    iam, proxy = account
    m = mounts(proxy.url)
    rel, action, old, new = TARGETS["trust"]
    if refusal == "invalid-json":
        old, new = '"Effect"', '"Effect'
    before = m.read(rel)
    snap = snapshot(iam)
    proxy.reset()
    if refusal == "AccessDenied":
        proxy.fault(action, "denied", count=-1)
    keep = str(tmp_path / "kept.json")
    t = editors.Tmux(str(tmp_path), m.home)
    try:
        t.start("vim --clean -c 'set backupskip=' " + editors.shell_quote(m.p(rel)))
        t.wait_screen(lambda s: old in s)
        t.text(":%s/\\V" + old + "/" + new + "/")
        t.keys("Enter")
        t.wait_screen(lambda s: new in s)
        t.text(":w")
        t.keys("Enter")
        screen = t.wait_screen(lambda s: any(x in s for x in (
            "E667", "E512", "E514", "E212", "E949", "write error", "Fsync failed")), 60)
        assert t.alive()
        t.keys("Enter")
        t.text(":w! " + keep)
        t.keys("Enter")
        wait_until(lambda: os.path.exists(keep) and os.path.getsize(keep) > 0, 20,
                   what="vim wrote its buffer to " + keep + "\n" + screen)
        t.text(":q!")
        t.keys("Enter")
        t.wait_exit()
    finally:
        t.stop()
    want = before.replace(old.encode(), new.encode())
    with open(keep, "rb") as f:
        assert f.read() == want
    if refusal == "AccessDenied":
        assert writes_of(proxy.counts()).get(action, 0) >= 1
        assert "AccessDenied" in errors_text(m)
    else:
        assert proxy.counts()["_total"] == 0
        assert "EINVAL" in errors_text(m)
    assert snapshot(iam) == snap
    assert want in rejected_files(m).values()
    # The name still serves the policy; the role keeps its trust policy.
    assert json.loads(m.read(rel)) == json.loads(before)


def write_whole(path, mode, data):
    with open(path, mode) as f:
        f.write(data)


def test_read_only_refuses_every_change(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url, args=["--read-only"])
    snap = snapshot(iam)
    proxy.reset()
    inline = m.p(ROLE, "inline", "s3-read.json")
    attempts = [
        lambda: write_whole(m.p(TRUST), "wb", b"{}"),
        lambda: write_whole(inline, "r+b", b"{}"),
        lambda: open(m.p(ROLE, "inline", "new.json"), "w"),
        lambda: open(m.p(ROLE, ".trust.json.swp"), "w"),
        lambda: os.unlink(inline),
        lambda: os.rename(inline, m.p(ROLE, "inline", "moved.json")),
        lambda: os.truncate(m.p(TRUST), 0),
        lambda: os.mkdir(m.p(ROLE, "sub")),
        lambda: os.symlink("x", m.p(ROLE, ".#trust.json")),
    ]
    for i, attempt in enumerate(attempts):
        with pytest.raises(OSError) as e:
            attempt()
        assert e.value.errno == errno.EROFS, i
    out = editors.sed_i(m.p(TRUST), "swf", "states", m.home)
    assert out.returncode != 0
    assert proxy.counts()["_total"] == 0
    assert snapshot(iam) == snap


def test_dry_run_sends_nothing(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url, args=["--dry-run"])
    rel, action, old, new = TARGETS["trust"]
    before = m.read(rel)
    snap = snapshot(iam)
    proxy.reset()
    data = before.replace(old.encode(), new.encode())
    assert write_and_close(m.p(rel), data) == 0
    assert writes_of(proxy.counts()) == {}
    assert snapshot(iam) == snap
    wait_until(lambda: m.read(rel) == before, 10, what="the file returns to IAM's content")
    assert action in m.status()
    # Validation still runs: a bad document is refused at once.
    assert write_and_close(m.p(rel), b"{ nope") == errno.EINVAL
    assert writes_of(proxy.counts()) == {}


def test_failed_save_is_not_retried_silently(account, mounts):
    """After a refusal the file still serves IAM's document and a later good save works."""
    iam, proxy = account
    m = mounts(proxy.url)
    rel, action, old, new = TARGETS["trust"]
    before = m.read(rel)
    proxy.reset()
    assert write_and_close(m.p(rel), b"{") == errno.EINVAL
    data = before.replace(old.encode(), new.encode())
    assert write_and_close(m.p(rel), data) == 0
    assert writes_of(proxy.counts()) == {action: 1}
    assert m.read(rel) == data


def test_delete_refused_for_trust_role_json_and_folder(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    snap = snapshot(iam)
    proxy.reset()
    for fn in (lambda: os.unlink(m.p(TRUST)), lambda: os.unlink(m.p(ROLE, "role.json")),
               lambda: os.rmdir(m.p(DOOMED))):
        with pytest.raises(OSError) as e:
            fn()
        assert e.value.errno in (errno.EPERM, errno.ENOTEMPTY)
    assert proxy.counts()["_total"] == 0
    assert snapshot(iam) == snap


def test_aws_managed_is_read_only(managed_peer, mounts):
    """An AWS managed policy file is 0444 and a save to it is EPERM, sending nothing."""
    server, proxy = managed_peer
    server.reset()
    iam = server.client()
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust("lambda.amazonaws.com")))
    iam.attach_role_policy(RoleName=ROLE,
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaRole")
    m = mounts(proxy.url)
    path = m.p(ROLE, "attached", "AWSLambdaRole.json")
    before = m.read(ROLE, "attached", "AWSLambdaRole.json")
    assert os.stat(path).st_mode & 0o777 == 0o444
    proxy.reset()
    with pytest.raises(OSError) as e:
        with open(path, "wb") as f:
            f.write(before.replace(b"lambda:InvokeFunction", b"lambda:GetFunction"))
    assert e.value.errno in (errno.EPERM, errno.EACCES)
    assert writes_of(proxy.counts()) == {}
    assert m.read(ROLE, "attached", "AWSLambdaRole.json") == before
