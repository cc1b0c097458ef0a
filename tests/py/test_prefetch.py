"""AWS managed policy documents fetched ahead of the first read: once a
single-account mount is ready, every AWS managed policy attached to a role is
fetched in the background (GetPolicy + GetPolicyVersion each, a few at once),
so reading them makes no call; a remount from the disk copy fetches none; a
prefetch IAM refuses leaves the mount ready, logs one line, adds nothing to
.iamfs/errors, and the read that needs the document reports as it always did.
Against moto with AWS managed policies loaded, through the counting proxy."""
import errno
import json
import os
import re

import pytest

import mount as mnt
from saverig import bounded, errors_text, mounts, trust, wait_until  # noqa: F401

POLICY = "arn:aws:iam::aws:policy/"
# role -> the AWS managed policies it attaches (some shared between roles)
ROLES = {
    "pf-lambda": ["service-role/AWSLambdaRole", "service-role/AWSLambdaBasicExecutionRole"],
    "pf-xray": ["AWSXRayDaemonWriteAccess", "service-role/AWSLambdaRole"],
    "pf-reader": ["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "CloudWatchLogsReadOnlyAccess"],
    "pf-none": [],
}
ARNS = sorted({POLICY + p for ps in ROLES.values() for p in ps})
PREFETCH_LINE = re.compile(r"fetching AWS managed policy documents ahead of reads: "
                           r"(\d+) of (\d+) failed")


@pytest.fixture(scope="module")
def world(managed_peer):
    """moto with AWS managed policies loaded, reset once for the module, and the
    roles of ROLES; yields (proxy, {arn: the document IAM serves}, iam)."""
    server, proxy = managed_peer
    server.reset()
    iam = server.client()
    for role, pols in ROLES.items():
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(
            trust("lambda.amazonaws.com")))
        for p in pols:
            iam.attach_role_policy(RoleName=role, PolicyArn=POLICY + p)
    docs = {}
    for arn in ARNS:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        docs[arn] = iam.get_policy_version(PolicyArn=arn,
                                           VersionId=version)["PolicyVersion"]["Document"]
    proxy.reset()
    yield proxy, docs, iam
    proxy.reset()


def attached_files():
    """(role, file name, arn) of every attached AWS managed policy file."""
    return [(role, p.rsplit("/", 1)[-1] + ".json", POLICY + p)
            for role, ps in ROLES.items() for p in ps]


def prefetched(proxy):
    """Each ARN's GetPolicyVersion has been answered (the proxy counts on arrival; the
    document is in the table a moment later, which the reads below wait for)."""
    counts = proxy.counts()
    return counts.get("GetPolicyVersion", 0) >= len(ARNS) and counts


def test_ready_mount_fetches_every_attached_aws_managed_document(world, mounts):
    proxy, docs, _ = world
    proxy.reset()
    m = mounts(proxy.url)
    counts = wait_until(lambda: prefetched(proxy), timeout=20, what="the prefetch")
    assert counts["GetPolicy"] == len(ARNS) and counts["GetPolicyVersion"] == len(ARNS), counts
    # Every attached AWS managed document is served with no further call (a read
    # of one whose answer is still on its way waits for that fetch, never sends).
    proxy.reset()
    for role, name, arn in attached_files():
        assert json.loads(m.read(role, "attached", name)) == docs[arn]
    assert proxy.counts().get("_total", 0) == 0, proxy.counts()
    assert not PREFETCH_LINE.search(m.stderr())
    m.stop()
    # A remount serves the disk copy, which holds them: no GetPolicy, not even
    # after the revalidation (.iamfs/refresh waits for it; a prefetch would start
    # when it publishes).
    proxy.reset()
    again = mounts(proxy.url, name="again")
    again.refresh()
    for role, name, arn in attached_files():
        assert json.loads(again.read(role, "attached", name)) == docs[arn]
    counts = proxy.counts()
    assert counts.get("GetAccountAuthorizationDetails", 0) >= 1, counts
    assert "GetPolicy" not in counts and "GetPolicyVersion" not in counts, counts


def test_read_only_dry_run_mount_prefetches_too(world, mounts):
    proxy, docs, _ = world
    proxy.reset()
    m = mounts(proxy.url, args=["--read-only", "--dry-run"])
    counts = wait_until(lambda: prefetched(proxy), timeout=20, what="the prefetch")
    assert counts["GetPolicy"] == len(ARNS), counts
    role, name, arn = attached_files()[0]
    proxy.reset()
    assert json.loads(m.read(role, "attached", name)) == docs[arn]
    assert proxy.counts().get("_total", 0) == 0, proxy.counts()


def test_no_prefetch_fetches_on_the_first_read_only(world, mounts):
    proxy, docs, _ = world
    proxy.reset()
    m = mounts(proxy.url, args=["--no-prefetch"])
    m.refresh()  # a published load: no prefetch starts after it either
    assert "GetPolicy" not in proxy.counts(), proxy.counts()
    role, name, arn = attached_files()[0]
    assert json.loads(m.read(role, "attached", name)) == docs[arn]
    counts = proxy.counts()
    assert counts["GetPolicy"] == 1 and counts["GetPolicyVersion"] == 1, counts


def test_refused_prefetch_is_one_log_line_and_reads_report_as_before(world, mounts):
    proxy, docs, _ = world
    proxy.reset()
    proxy.fault("GetPolicy", "status", count=-1, status=403, code="AccessDenied",
                message="not allowed to read policies")
    try:
        m = mounts(proxy.url)
        assert "roles: %d" % len(ROLES) in m.status()
        line = wait_until(lambda: PREFETCH_LINE.search(m.stderr()), timeout=20,
                          what="the prefetch's log line")
        assert line.group(1) == line.group(2) == str(len(ARNS)), line.group(0)
        assert len(PREFETCH_LINE.findall(m.stderr())) == 1
        assert "AccessDenied" in line.string[line.start():].splitlines()[0]
        assert errors_text(m) == ""
        # The read fetches again and reports as a read always has: EACCES and
        # its own log line naming the file, still nothing in .iamfs/errors.
        role, name, arn = attached_files()[0]
        calls = proxy.counts()["GetPolicy"]
        with pytest.raises(OSError) as e:
            m.read(role, "attached", name)
        assert e.value.errno == errno.EACCES
        assert proxy.counts()["GetPolicy"] == calls + 1
        assert "reading %s/attached/%s: GetPolicy/GetPolicyVersion of %s failed" % (
            role, name, arn) in m.stderr()
        assert errors_text(m) == ""
    finally:
        proxy.clear_faults()
    assert json.loads(m.read(role, "attached", name)) == docs[arn]
    assert len(PREFETCH_LINE.findall(m.stderr())) == 1


def test_revalidation_with_a_new_attachment_prefetches_it_and_a_read_waits(world, mounts):
    """A refresh that brings a new AWS managed attachment starts its prefetch; while
    its GetPolicy is held, .iamfs/status says so, and a read of the file waits for
    that fetch rather than sending its own."""
    proxy, _, iam = world
    new = POLICY + "AWSDenyAll"
    m = mounts(proxy.url)
    iam.attach_role_policy(RoleName="pf-none", PolicyArn=new)
    try:
        proxy.reset()
        proxy.fault("GetPolicy", "delay", delay_ms=1500)
        m.refresh()  # returns once the new view is published: the prefetch has started
        assert "prefetch: 1 AWS managed documents left" in m.status()
        doc = json.loads(bounded(lambda: m.read("pf-none", "attached", "AWSDenyAll.json"),
                                 30, "the read of a document being prefetched"))
        version = iam.get_policy(PolicyArn=new)["Policy"]["DefaultVersionId"]
        assert doc == iam.get_policy_version(PolicyArn=new,
                                             VersionId=version)["PolicyVersion"]["Document"]
        counts = proxy.counts()
        assert counts["GetPolicy"] == 1 and counts["GetPolicyVersion"] == 1, counts
        wait_until(lambda: "prefetch:" not in m.status(), timeout=20, what="the prefetch's end")
    finally:
        proxy.clear_faults()
        iam.detach_role_policy(RoleName="pf-none", PolicyArn=new)


class ProfilesMount(mnt.Mount):
    """A mount of two profiles of the same account: ready when .iamfs/accounts reads."""

    def start(self, timeout=60):
        os.makedirs(self.home, exist_ok=True)
        with open(os.path.join(self.home, "aws-credentials"), "w") as f:
            f.write("[p1]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
                    "[p2]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
        return super().start(timeout)

    def wait_ready(self, timeout):
        path = os.path.join(self.path, ".iamfs", "accounts")
        wait_until(lambda: os.path.ismount(self.path) and open(path).read(), timeout,
                   what="the mount of several accounts serving")


def test_a_mount_of_several_accounts_never_prefetches(world, mounts, tmp_path):
    """Each account's calls stay its load's: no GetPolicy, even once every file but
    the AWS managed ones has been read."""
    proxy, docs, _ = world
    proxy.reset()
    m = ProfilesMount(proxy.url, tmp_path, args=["--profiles", "p1,p2", "--ttl", "3600"],
                      env={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None},
                      name="multi").start()
    try:
        for acct in ("p1", "p2"):
            for role in ROLES:
                assert json.loads(m.read(acct, role, "trust.json"))["Statement"]
        counts = proxy.counts()
        assert counts.get("GetAccountAuthorizationDetails", 0) >= 2, counts
        assert "GetPolicy" not in counts and "GetPolicyVersion" not in counts, counts
        role, name, arn = attached_files()[0]
        assert json.loads(m.read("p1", role, "attached", name)) == docs[arn]
        assert proxy.counts()["GetPolicy"] == 1
    finally:
        m.stop()
    assert not m.bad_stderr(), m.stderr()
