"""A save lands on the role and policy its name names, once, and only when the
user saved: right after a rename across roles, while readers open and close the
file between a writer's truncate and its close, under a shell redirection
(dup2 then close flushes before the first write), and after a document with a
NUL escape. Each test reproduces a defect an adversarial run found.
"""
import errno
import json
import os
import subprocess
import threading

import pytest

from saverig import (WORKERS, account, errors_text, mounts, rejected_files,  # noqa: F401
                     rendered, trust, wait_until, writes_of)

A, B = WORKERS[0], WORKERS[1]
REFUSED = r"save (of .* )?refused"


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)


def trust_of(iam, role):
    return iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]


def inline_of(iam, role, name="logs"):
    return iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]


@pytest.mark.parametrize("kind", ["trust", "inline"])
def test_rename_across_roles_then_save_lands_on_the_named_role(account, mounts, kind):
    iam, proxy = account
    m = mounts(proxy.url)
    rel = "trust.json" if kind == "trust" else "inline/logs.json"
    get = trust_of if kind == "trust" else inline_of
    before_a = get(iam, A)
    moved = trust("moved.amazonaws.com") if kind == "trust" else {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    later = trust("later.amazonaws.com") if kind == "trust" else {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]}
    # Both names known to the kernel first, as after an ls or a cat.
    assert json.loads(m.read(A, rel)) == before_a
    assert m.read(B, rel)
    write_file(m.p(A, rel), rendered(moved))
    os.rename(m.p(A, rel), m.p(B, rel))
    assert get(iam, B) == moved
    # Right after the rename: the name B/... saves to B, never to A.
    write_file(m.p(B, rel), rendered(later))
    assert get(iam, B) == later
    assert get(iam, A) == moved, "A keeps what it held before the rename"
    assert os.stat(m.p(A, rel)).st_ino != os.stat(m.p(B, rel)).st_ino
    assert json.loads(m.read(A, rel)) == moved
    assert json.loads(m.read(B, rel)) == later
    assert writes_of(proxy.counts()) == {
        ("UpdateAssumeRolePolicy" if kind == "trust" else "PutRolePolicy"): 3}


def test_reader_between_truncate_and_close_never_fails_the_writer(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    path = m.p(A, "trust.json")
    for i in range(12):
        doc = trust("svc%d.amazonaws.com" % i)
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        try:
            # Another process reads the file and closes it meanwhile.
            with open(path, "rb") as r:
                r.read()
            os.write(fd, rendered(doc))
        finally:
            os.close(fd)
        assert trust_of(iam, A) == doc, "save %d" % i
    assert errors_text(m) == ""
    assert rejected_files(m) == {}
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 12}


def test_reader_during_a_writer_loop_with_grep(account, mounts):
    """Writers loop on two roles while grep -r reads everything: no false ESTALE."""
    iam, proxy = account
    m = mounts(proxy.url)
    stop = threading.Event()
    failures = []

    def grep_loop():
        while not stop.is_set():
            subprocess.run(["grep", "-r", "-q", "nothing-matches-this", m.path],
                           capture_output=True, timeout=30)

    t = threading.Thread(target=grep_loop, daemon=True)
    t.start()
    try:
        for i in range(15):
            for role in (A, B):
                try:
                    write_file(m.p(role, "trust.json"),
                               rendered(trust("s%d.amazonaws.com" % i)))
                except OSError as e:
                    failures.append((role, i, e.errno))
    finally:
        stop.set()
        t.join(30)
    assert failures == []
    assert trust_of(iam, A) == trust("s14.amazonaws.com")
    assert errors_text(m) == ""


def test_shell_redirection_saves_once_without_a_false_refusal(account, mounts, tmp_path):
    iam, proxy = account
    m = mounts(proxy.url)
    src = tmp_path / "new.json"
    src.write_bytes(rendered(trust("states.us-east-1.amazonaws.com")))
    subprocess.run(["bash", "-c", 'cat "$1" > "$2"', "-", str(src), m.p(A, "trust.json")],
                   check=True, timeout=30)
    assert trust_of(iam, A) == trust("states.us-east-1.amazonaws.com")
    assert errors_text(m) == ""
    assert rejected_files(m) == {}
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 1}
    assert m.bad_stderr() == []


def test_emptying_a_file_with_a_redirection_is_still_refused(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSED)
    before = trust_of(iam, A)
    subprocess.run(["bash", "-c", ': > "$1"', "-", m.p(A, "trust.json")], timeout=30)
    # The refusal is recorded when the last descriptor closes (no close reports it).
    lines = wait_until(lambda: errors_text(m).strip(), what="an errors line")
    assert "trust.json" in lines and "empty" in lines
    assert len(lines.splitlines()) == 1
    kept = rejected_files(m)
    assert list(kept.values()) == [b""]
    assert trust_of(iam, A) == before
    assert writes_of(proxy.counts()) == {}


def test_a_nul_escape_is_refused_and_the_next_save_is_not_stale(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url, allow=REFUSED)
    path = m.p(A, "trust.json")
    before = trust_of(iam, A)
    bad = rendered(trust("nul.amazonaws.com")).replace(b"nul.amazonaws.com",
                                                       b"nul\\u0000.amazonaws.com")
    with pytest.raises(OSError) as e:
        write_file(path, bad)
    assert e.value.errno == errno.EINVAL
    assert "\\u0000" in errors_text(m) or "U+0000" in errors_text(m)
    assert trust_of(iam, A) == before
    write_file(path, rendered(trust("after.amazonaws.com")))
    assert trust_of(iam, A) == trust("after.amazonaws.com")


def test_writes_to_a_file_renamed_away_stay_local(account, mounts):
    """mv trust.json trust.json.bak, then write the backup: IAM is not touched, and
    the name trust.json still saves to the role."""
    iam, proxy = account
    m = mounts(proxy.url)
    before = trust_of(iam, A)
    path, bak = m.p(A, "trust.json"), m.p(A, "trust.json.bak")
    assert json.loads(m.read(A, "trust.json")) == before
    os.rename(path, bak)
    scratch = rendered(trust("backup-only.amazonaws.com"))  # a valid policy: still local
    write_file(bak, scratch)
    assert open(bak, "rb").read() == scratch
    assert trust_of(iam, A) == before
    assert json.loads(m.read(A, "trust.json")) == before
    assert os.stat(path).st_ino != os.stat(bak).st_ino
    write_file(path, rendered(trust("after.amazonaws.com")))
    assert trust_of(iam, A) == trust("after.amazonaws.com")
    assert open(bak, "rb").read() == scratch
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 1}
