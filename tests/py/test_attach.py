"""Attaching managed policies through attached/: touch of a new name (resolved
to this account's customer managed policy, else the AWS managed one, with the
AWS managed list kept a day in the cache folder), ln -s of an ARN, and a new
document written (CreatePolicy then AttachRolePolicy, or EEXIST), each refusal
with its errno, errors line and rejected bytes; --read-only, --dry-run, the
attached-policy limit and lost answers, against moto with AWS managed policies
loaded, through the counting proxy."""
import errno
import json
import os
import subprocess

import pytest

from saverig import (errors_text, kill_daemon, mounts, policy, rejected_files,  # noqa: F401
                     rendered, trust, wait_until, write_and_close, writes_of)

LAMBDA_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
XRAY_ARN = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
ACCOUNT = "123456789012"
TEAM_DOC = policy(["s3:GetObject"])
LIMIT_MSG = "Cannot exceed quota for PolicyPerRole: 10"


def local_arn(name):
    return "arn:aws:iam::%s:policy/%s" % (ACCOUNT, name)


@pytest.fixture(scope="module")
def world(managed_peer):
    """moto with AWS managed policies loaded, reset once for the module (a reset
    reloads 1,485 policies: seconds), with one customer managed policy "team-read"
    that no role attaches. Each test makes roles of its own."""
    server, proxy = managed_peer
    server.reset()
    iam = server.client()
    iam.create_policy(PolicyName="team-read", PolicyDocument=json.dumps(TEAM_DOC))
    yield proxy, iam


@pytest.fixture
def peer(world, request):
    """(proxy, iam, main, other, third): three new roles named after the test."""
    proxy, iam = world
    base = request.node.name.replace("test_", "")[:40].replace("_", "-")
    names = [base + "-main", base + "-other", base + "-third"]
    for i, name in enumerate(names):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
            trust("swf.amazonaws.com" if i == 0 else "lambda.amazonaws.com")))
    proxy.reset()
    yield (proxy, iam, *names)
    proxy.reset()


def attached(iam, role):
    return sorted(a["PolicyArn"] for a in
                  iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"])


def close_errno(path, data=None):
    """Creates path (O_EXCL), writes data (None: nothing), closes: the errno of close."""
    return write_and_close(path, data, flags=os.O_WRONLY | os.O_CREAT | os.O_EXCL)


def role_json(m, role):
    return json.loads(m.read(role, "role.json"))


def touch(m, role, name):
    r = subprocess.run(["touch", m.p(role, "attached", name + ".json")],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stderr


def aws_list_file(cache):
    found = [os.path.join(d, f) for d, _, files in os.walk(cache) for f in files
             if f == "aws-policies"]
    assert len(found) == 1, found
    return found[0]


def test_touch_attaches_aws_managed(peer, mounts, tmp_path):
    """One AttachRolePolicy and one ListPolicies chain (2 pages of 1,000); the file
    then serves the policy's document and role.json lists the ARN at once; a
    second touch, and one after a remount, resolve from the list kept on disk."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    cache = str(tmp_path / "cache")
    m = mounts(proxy.url, cache_dir=cache)
    role_before = role_json(m, ROLE)
    proxy.reset()
    assert touch(m, ROLE, "AWSLambdaRole") == (0, "")
    counts = proxy.counts()
    assert writes_of(counts) == {"AttachRolePolicy": 1}, counts
    assert counts.get("ListPolicies") == 2, counts  # one chain: 1,485 policies, 1,000 a page
    assert counts["_total"] == 3, counts
    assert attached(iam, ROLE) == [LAMBDA_ARN]
    assert role_json(m, ROLE)["AttachedPolicies"] == [LAMBDA_ARN]
    assert {k: v for k, v in role_json(m, ROLE).items() if k != "AttachedPolicies"} == \
        {k: v for k, v in role_before.items() if k != "AttachedPolicies"}
    doc = m.read(ROLE, "attached", "AWSLambdaRole.json")
    assert b"lambda:InvokeFunction" in doc
    st = os.lstat(m.p(ROLE, "attached", "AWSLambdaRole.json"))
    assert st.st_mode & 0o170777 == 0o100444 and st.st_size == len(doc)
    assert os.listdir(m.p(ROLE, "attached")) == ["AWSLambdaRole.json"]
    listed = aws_list_file(cache)
    assert os.stat(listed).st_mode & 0o777 == 0o600
    proxy.reset()
    assert touch(m, OTHER, "AWSLambdaRole") == (0, "")
    assert proxy.counts() == {"AttachRolePolicy": 1, "_total": 1}
    assert attached(iam, OTHER) == [LAMBDA_ARN]
    m.stop()
    m2 = mounts(proxy.url, cache_dir=cache)
    # Customer managed names come from the revalidation a remount starts at once.
    wait_until(lambda: "\nloads: 1\n" in m2.status(), what="the first load")
    proxy.reset()
    assert touch(m2, THIRD, "AWSLambdaRole") == (0, "")
    counts = proxy.counts()
    assert counts == {"AttachRolePolicy": 1, "_total": 1}, counts
    assert "AWSLambdaRole.json" in os.listdir(m2.p(THIRD, "attached"))
    assert attached(iam, THIRD) == [LAMBDA_ARN]


def test_aws_list_older_than_a_day_is_fetched_again(peer, mounts, tmp_path):
    """The list's age is the time written in it: a day old, it is fetched again."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    cache = str(tmp_path / "cache")
    m = mounts(proxy.url, cache_dir=cache)
    assert touch(m, ROLE, "AWSLambdaRole") == (0, "")
    m.stop()
    path = aws_list_file(cache)
    with open(path) as f:
        lines = f.read().split("\n")
    lines[1] = str(int(lines[1]) - 86400)
    with open(path, "w") as f:
        f.write("\n".join(lines))
    m2 = mounts(proxy.url, cache_dir=cache)
    proxy.reset()
    assert touch(m2, THIRD, "AWSLambdaRole") == (0, "")
    counts = proxy.counts()
    assert counts.get("ListPolicies") == 2 and writes_of(counts) == {"AttachRolePolicy": 1}


def test_touch_customer_managed(peer, mounts):
    """A name of this account's policy attaches it, and its document is served."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    proxy.reset()
    assert close_errno(m.p(ROLE, "attached", "team-read.json")) == 0
    assert writes_of(proxy.counts()) == {"AttachRolePolicy": 1}
    assert attached(iam, ROLE) == [local_arn("team-read")]
    assert m.read(ROLE, "attached", "team-read.json") == rendered(TEAM_DOC)
    assert os.stat(m.p(ROLE, "attached", "team-read.json")).st_mode & 0o777 == 0o644
    assert role_json(m, ROLE)["AttachedPolicies"] == [local_arn("team-read")]


def test_link_by_arn(peer, mounts):
    """ln -s ARN attaches it; the name then is the usual regular file."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    proxy.reset()
    r = subprocess.run(["ln", "-s", LAMBDA_ARN, m.p(ROLE, "attached", "AWSLambdaRole.json")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert proxy.counts() == {"AttachRolePolicy": 1, "_total": 1}
    assert attached(iam, ROLE) == [LAMBDA_ARN]
    st = os.lstat(m.p(ROLE, "attached", "AWSLambdaRole.json"))
    assert st.st_mode & 0o170000 == 0o100000
    assert b"lambda:InvokeFunction" in m.read(ROLE, "attached", "AWSLambdaRole.json")
    os.symlink(local_arn("team-read"), m.p(OTHER, "attached", "team-read.json"))
    assert m.read(OTHER, "attached", "team-read.json") == rendered(TEAM_DOC)
    assert attached(iam, OTHER) == [local_arn("team-read")]


def test_link_refusals(peer, mounts):
    """A name that is not the ARN's last part, or an ARN that is not a managed
    policy's: EINVAL, nothing sent, the reason in .iamfs/errors."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    proxy.reset()
    for arn, name in ((LAMBDA_ARN, "Lambda"),
                      ("arn:aws:iam::%s:role/%s" % (ACCOUNT, ROLE), ROLE),
                      ("AWSLambdaRole", "AWSLambdaRole")):
        with pytest.raises(OSError) as e:
            os.symlink(arn, m.p(ROLE, "attached", name + ".json"))
        assert e.value.errno == errno.EINVAL
        assert not os.path.lexists(m.p(ROLE, "attached", name + ".json"))
    assert proxy.counts()["_total"] == 0
    text = errors_text(m)
    assert "the ARN's policy name is \"AWSLambdaRole\" but the file is named " \
        "\"Lambda.json\"" in text
    assert "is not a managed policy's ARN" in text and "is not an ARN" in text
    assert attached(iam, ROLE) == []


def test_unknown_name_is_enoent(peer, mounts):
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    proxy.reset()
    path = m.p(ROLE, "attached", "NoSuchPolicy.json")
    assert close_errno(path) == errno.ENOENT
    assert not os.path.exists(path)
    assert writes_of(proxy.counts()) == {}
    assert 'no managed policy is named "NoSuchPolicy"' in errors_text(m)
    assert "no managed policy is named" in m.stderr()
    code, err = touch(m, ROLE, "NoSuchPolicy")
    assert code == 1 and "No such file or directory" in err


def test_ambiguous_name_is_einval(peer, mounts):
    """A name in both scopes: EINVAL, and the message gives the ARN form."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    iam.create_policy(PolicyName="AWSXRayDaemonWriteAccess",
                      PolicyDocument=json.dumps(TEAM_DOC))
    m = mounts(proxy.url)
    proxy.reset()
    assert close_errno(m.p(ROLE, "attached", "AWSXRayDaemonWriteAccess.json")) == errno.EINVAL
    assert writes_of(proxy.counts()) == {}
    text = errors_text(m)
    assert local_arn("AWSXRayDaemonWriteAccess") in text and XRAY_ARN in text
    assert "ln -s ARN attached/AWSXRayDaemonWriteAccess.json" in text
    os.symlink(XRAY_ARN, m.p(ROLE, "attached", "AWSXRayDaemonWriteAccess.json"))
    assert attached(iam, ROLE) == [XRAY_ARN]


def test_new_document_creates_and_attaches(peer, mounts):
    """A document written to a new name: CreatePolicy then AttachRolePolicy, and
    the file reads back as written; cat > through a shell does the same."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    doc = json.dumps(policy(["sqs:SendMessage"]), indent=2).encode()
    proxy.reset()
    assert close_errno(m.p(ROLE, "attached", "queue-send.json"), doc) == 0
    assert writes_of(proxy.counts()) == {"CreatePolicy": 1, "AttachRolePolicy": 1}
    assert attached(iam, ROLE) == [local_arn("queue-send")]
    pol = iam.get_policy(PolicyArn=local_arn("queue-send"))["Policy"]
    got = iam.get_policy_version(PolicyArn=local_arn("queue-send"),
                                 VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
    assert got == policy(["sqs:SendMessage"])
    assert m.read(ROLE, "attached", "queue-send.json") == doc
    assert role_json(m, ROLE)["AttachedPolicies"] == [local_arn("queue-send")]
    src = m.p(OTHER, "x.tmp")  # a helper file: the shell redirects its bytes
    with open(src, "wb") as f:
        f.write(json.dumps(policy(["sns:Publish"])).encode())
    proxy.reset()
    r = subprocess.run(["bash", "-c", 'cat "$1" > "$2"', "sh", src,
                        m.p(OTHER, "attached", "topic-pub.json")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert writes_of(proxy.counts()) == {"CreatePolicy": 1, "AttachRolePolicy": 1}
    assert attached(iam, OTHER) == [local_arn("topic-pub")]
    assert "topic-pub" not in errors_text(m)
    with open(src, "wb") as f:  # rsync and atomic-save editors: a rename onto the name
        f.write(json.dumps(policy(["sns:Subscribe"])).encode())
    proxy.reset()
    os.rename(src, m.p(THIRD, "attached", "topic-sub.json"))
    assert writes_of(proxy.counts()) == {"CreatePolicy": 1, "AttachRolePolicy": 1}
    assert attached(iam, THIRD) == [local_arn("topic-sub")]
    assert json.loads(m.read(THIRD, "attached", "topic-sub.json")) == policy(["sns:Subscribe"])


def test_same_document_only_attaches(peer, mounts):
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    proxy.reset()
    doc = json.dumps(TEAM_DOC).encode()
    assert close_errno(m.p(ROLE, "attached", "team-read.json"), doc) == 0
    assert writes_of(proxy.counts()) == {"AttachRolePolicy": 1}
    assert attached(iam, ROLE) == [local_arn("team-read")]
    assert m.read(ROLE, "attached", "team-read.json") == rendered(TEAM_DOC)


def test_other_document_is_eexist(peer, mounts):
    """Another document under an existing name (customer or AWS managed): EEXIST,
    nothing sent, the bytes kept under rejected/."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    proxy.reset()
    doc = json.dumps(policy(["s3:DeleteObject"])).encode()
    assert close_errno(m.p(ROLE, "attached", "team-read.json"), doc) == errno.EEXIST
    assert close_errno(m.p(ROLE, "attached", "AWSLambdaRole.json"), doc) == errno.EEXIST
    assert writes_of(proxy.counts()) == {}
    assert attached(iam, ROLE) == []
    kept = rejected_files(m)
    assert sorted(kept.values()) == [doc, doc], kept
    text = errors_text(m)
    assert "already exists with another document" in text
    assert "is an AWS managed policy" in text
    assert os.listdir(m.p(ROLE, "attached")) == []


def test_attached_policy_limit_is_edquot(peer, mounts):
    """moto sets no limit on attached policies: the proxy answers IAM's LimitExceeded."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    touch(m, OTHER, "AWSLambdaRole")  # the AWS managed list is known from here on
    proxy.reset()
    proxy.fault("AttachRolePolicy", "status", status=409, code="LimitExceeded",
                message=LIMIT_MSG)
    assert close_errno(m.p(ROLE, "attached", "team-read.json")) == errno.EDQUOT
    assert proxy.counts()["AttachRolePolicy"] == 1
    assert attached(iam, ROLE) == []
    text = errors_text(m)
    assert LIMIT_MSG in text and "detach one first" in text
    assert not os.path.exists(m.p(ROLE, "attached", "team-read.json"))


def test_read_only_refuses(peer, mounts):
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url, args=["--read-only"])
    proxy.reset()
    for fn in (lambda: os.close(os.open(m.p(ROLE, "attached", "AWSLambdaRole.json"),
                                        os.O_WRONLY | os.O_CREAT, 0o644)),
               lambda: os.symlink(LAMBDA_ARN, m.p(ROLE, "attached", "AWSLambdaRole.json"))):
        with pytest.raises(OSError) as e:
            fn()
        assert e.value.errno == errno.EROFS
    assert proxy.counts()["_total"] == 0


def test_dry_run_logs_and_sends_nothing(peer, mounts):
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url, args=["--dry-run"])
    proxy.reset()
    assert close_errno(m.p(ROLE, "attached", "AWSLambdaRole.json")) == 0
    doc = json.dumps(policy(["sqs:SendMessage"])).encode()
    assert close_errno(m.p(ROLE, "attached", "queue-dry.json"), doc) == 0
    os.symlink(local_arn("team-read"), m.p(ROLE, "attached", "team-read.json"))
    assert writes_of(proxy.counts()) == {}
    assert attached(iam, ROLE) == []
    assert os.listdir(m.p(ROLE, "attached")) == []
    log = m.stderr()
    assert "would call AttachRolePolicy on %s" % LAMBDA_ARN in log
    assert "would call CreatePolicy queue-dry then AttachRolePolicy on %s" % \
        local_arn("queue-dry") in log
    status = m.status()
    assert "dry-run calls AttachRolePolicy: 3" in status
    assert "dry-run calls CreatePolicy: 1" in status


def test_lost_answer_to_attach_is_settled(peer, mounts):
    """AttachRolePolicy landed but its answer was dropped: ListAttachedRolePolicies
    shows it, so it is not sent again."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    touch(m, OTHER, "AWSLambdaRole")
    proxy.reset()
    proxy.fault("AttachRolePolicy", "drop", when="after")
    assert close_errno(m.p(ROLE, "attached", "AWSLambdaRole.json")) == 0
    counts = proxy.counts()
    assert counts["AttachRolePolicy"] == 1 and counts["ListAttachedRolePolicies"] == 1, counts
    assert attached(iam, ROLE) == [LAMBDA_ARN]
    assert b"lambda:InvokeFunction" in m.read(ROLE, "attached", "AWSLambdaRole.json")


def test_lost_answer_to_create_policy_is_settled(peer, mounts):
    """CreatePolicy landed but its answer was dropped: GetPolicy of the ARN it would
    have finds our document, so it is never sent twice; the attach follows."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    m = mounts(proxy.url)
    touch(m, OTHER, "AWSLambdaRole")
    doc = json.dumps(policy(["sqs:SendMessage"])).encode()
    proxy.reset()
    proxy.fault("CreatePolicy", "drop", when="after")
    assert close_errno(m.p(ROLE, "attached", "queue-send-2.json"), doc) == 0
    counts = proxy.counts()
    assert writes_of(counts) == {"CreatePolicy": 1, "AttachRolePolicy": 1}, counts
    assert counts["GetPolicy"] == 1, counts
    assert attached(iam, ROLE) == [local_arn("queue-send-2")]
    assert m.read(ROLE, "attached", "queue-send-2.json") == doc
    proxy.reset()
    proxy.fault("CreatePolicy", "drop", when="before")
    other = json.dumps(policy(["sqs:DeleteMessage"])).encode()
    assert close_errno(m.p(OTHER, "attached", "queue-del.json"), other) == 0
    counts = proxy.counts()
    assert counts["CreatePolicy"] == 2 and counts["AttachRolePolicy"] == 1, counts
    assert attached(iam, OTHER) == sorted([LAMBDA_ARN, local_arn("queue-del")])


def test_killed_mid_attach_is_reported_at_the_next_mount(peer, mounts, tmp_path):
    """Both attaches are journaled before their call; the daemon dies while IAM's
    answers are held. The next mount finds one still attached (it reached IAM) and
    reports the other, detached meanwhile, as an interrupted attach."""
    proxy, iam, ROLE, OTHER, THIRD = peer
    cache = str(tmp_path / "cache")
    m = mounts(proxy.url, cache_dir=cache)
    touch(m, THIRD, "AWSLambdaRole")  # the AWS managed list is known from here on
    proxy.reset()
    proxy.fault("AttachRolePolicy", "delay", count=2, when="after", delay_ms=20000)
    writers = [subprocess.Popen(["touch", m.p(r, "attached", "AWSLambdaRole.json")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for r in (ROLE, OTHER)]
    try:
        wait_until(lambda: proxy.upstream_counts().get("AttachRolePolicy", 0) >= 2, 30,
                   what="both attaches reached moto")
        kill_daemon(m)
    finally:
        for w in writers:
            w.kill()
            w.wait(timeout=10)
    iam.detach_role_policy(RoleName=OTHER, PolicyArn=LAMBDA_ARN)
    proxy.reset()
    m2 = mounts(proxy.url, cache_dir=cache)
    text = wait_until(lambda: "interrupted attach" in errors_text(m2) and errors_text(m2),
                      what="the interrupted attach reported")
    assert "%s/attached/AWSLambdaRole.json" % OTHER in text and ROLE + "/" not in text
    wait_until(lambda: "reached IAM" in m2.stderr(), what="the landed attach noticed")
    assert os.listdir(m2.p(ROLE, "attached")) == ["AWSLambdaRole.json"]
    assert os.listdir(m2.p(OTHER, "attached")) == []
