"""A mount of several accounts: five member accounts of a moto organization,
each reached through its own profile (role_arn + source_profile: AssumeRole
into OrganizationAccountAccessRole) and each holding different roles. One moto
and one counting proxy for the module; the main mount is shared by the tests
that only read, the others mount their own with a fresh cache folder."""
import json
import os
import subprocess
import threading

import pytest

import mount as mnt
import rig
from saverig import bounded, wait_until, write_and_close

N = 5
ROLE = "OrganizationAccountAccessRole"
PROFILES = ["acct%d" % i for i in range(N)]


def trust(service):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def roles_of(i):
    """Account i's own roles (different in each), plus "shared" in every one."""
    return ["app-%d-%d" % (i, n) for n in range(i + 1)] + ["shared"]


class Org:
    """The organization: member account ids and a boto3 IAM client into each."""

    def __init__(self, moto):
        self.moto = moto
        org = moto.client("organizations")
        org.create_organization(FeatureSet="ALL")
        self.ids = []
        for i in range(N):
            r = org.create_account(Email="a%d@example.com" % i, AccountName="team %d" % i)
            self.ids.append(r["CreateAccountStatus"]["AccountId"])
        for i in range(N):
            iam = self.iam(i)
            for name in roles_of(i):
                iam.create_role(RoleName=name,
                                AssumeRolePolicyDocument=json.dumps(trust("ec2.amazonaws.com")))

    def iam(self, i):
        c = self.moto.client("sts").assume_role(
            RoleArn="arn:aws:iam::%s:role/%s" % (self.ids[i], ROLE),
            RoleSessionName="test-setup")["Credentials"]
        return self.moto.client("iam", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                token=c["SessionToken"])

    def write_profiles(self, home):
        os.makedirs(home, exist_ok=True)
        with open(os.path.join(home, "aws-credentials"), "w") as f:
            f.write("[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
        with open(os.path.join(home, "aws-config"), "w") as f:
            for i, name in enumerate(PROFILES):
                f.write("[profile %s]\nrole_arn = arn:aws:iam::%s:role/%s\n"
                        "source_profile = base\nregion = us-east-1\n\n"
                        % (name, self.ids[i], ROLE))


class MultiMount(mnt.Mount):
    """A mount of several accounts: ready when MOUNT/.iamfs/accounts reads."""

    def __init__(self, org, endpoint_url, workdir, args=(), **kw):
        super().__init__(endpoint_url, workdir, args=args, **kw)
        org.write_profiles(self.home)

    def wait_ready(self, timeout):
        path = os.path.join(self.path, ".iamfs", "accounts")
        wait_until(lambda: os.path.ismount(self.path) and open(path).read(), timeout,
                   what="the mount of several accounts serving")

    def accounts(self):
        """{folder: (id, name, state, last load, why)} from .iamfs/accounts."""
        lines = self.read(".iamfs", "accounts").decode().splitlines()
        assert lines[0] == "id\tname\tfolder\tstate\tlast load\twhy"
        out = {}
        for line in lines[1:]:
            f = line.split("\t")
            out[f[2]] = (f[0], f[1], f[3], f[4], f[5])
        return out


@pytest.fixture(scope="module")
def peer(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("org-peer"))
    server = rig.Moto().start(logdir)
    proxy = None
    try:
        proxy = rig.Proxy(server.url).start(logdir)
        org = Org(server)
        yield server, proxy, org
    finally:
        if proxy:
            proxy.stop()
        server.stop()


@pytest.fixture(scope="module")
def main_mount(peer, tmp_path_factory):
    _, proxy, org = peer
    proxy.reset()
    m = MultiMount(org, proxy.url, tmp_path_factory.mktemp("org-main"),
                   args=["--profiles", ",".join(PROFILES), "--ttl", "3600"]).start()
    try:
        yield m
    finally:
        m.stop()
        assert not m.bad_stderr(), m.stderr()


def assumed_keys(proxy):
    """The per-key records of keys that are not the base key (one per account)."""
    return {k: v for k, v in proxy.keys().items() if k != "testing"}


def test_root_listing_makes_no_call(peer, main_mount):
    _, proxy, _ = peer
    proxy.reset()
    names = sorted(os.listdir(main_mount.path))
    assert names == sorted(PROFILES + [".iamfs"])
    for name in PROFILES:
        assert os.path.isdir(main_mount.p(name))  # stat of the folder: opens nothing
    subprocess.run(["ls", "-la", main_mount.path], check=True, capture_output=True, timeout=20)
    states = main_mount.accounts()
    assert {f: s[2] for f, s in states.items()} == {p: "not loaded" for p in PROFILES}
    assert proxy.counts()["_total"] == 0


def test_accounts_file_says_which_account_loaded(peer, main_mount):
    _, _, org = peer
    assert sorted(os.listdir(main_mount.p("acct2"))) == sorted([".iamfs", ROLE] + roles_of(2))
    states = main_mount.accounts()
    assert states["acct2"][0] == org.ids[2]
    assert states["acct2"][1] == "acct2"
    assert states["acct2"][2] == "online"
    assert states["acct2"][3].endswith("Z")
    assert states["acct1"][2] == "not loaded" and states["acct1"][0] == "-"
    status = main_mount.read("acct2", ".iamfs", "status").decode()
    assert "account: %s" % org.ids[2] in status


def test_grep_across_accounts_finds_each_accounts_roles(peer, main_mount):
    _, proxy, org = peer
    proxy.reset()
    r = bounded(lambda: subprocess.run(["grep", "-rl", "ec2.amazonaws.com", main_mount.path],
                                       capture_output=True, text=True, timeout=60), 60, "grep")
    found = set(os.path.relpath(p, main_mount.path) for p in r.stdout.splitlines())
    want = set("%s/%s/trust.json" % (PROFILES[i], name) for i in range(N) for name in roles_of(i))
    assert found == want
    # Each account not loaded before cost one AssumeRole, then one chain of reads.
    keys = assumed_keys(proxy)
    assert len(keys) == N - 1
    for rec in keys.values():
        calls = {a: n for a, n in rec.items() if not a.startswith("_")}
        assert calls == {"GetCallerIdentity": 1, "GetAccountAuthorizationDetails": 1,
                         "ListRoles": 1}, calls
    assert proxy.keys()["testing"] == {**proxy.keys()["testing"], "AssumeRole": N - 1}
    assert {s[2] for s in main_mount.accounts().values()} == {"online"}
    assert {s[0] for s in main_mount.accounts().values()} == set(org.ids)


def test_a_save_lands_in_its_own_account_only(peer, main_mount):
    _, _, org = peer
    path = main_mount.p("acct1", "shared", "trust.json")
    doc = json.loads(main_mount.read("acct1", "shared", "trust.json"))
    doc["Statement"][0]["Principal"]["Service"] = "lambda.amazonaws.com"
    write_and_close(path, json.dumps(doc, indent=2).encode())
    for i in range(N):
        got = org.iam(i).get_role(RoleName="shared")["Role"]["AssumeRolePolicyDocument"]
        service = got["Statement"][0]["Principal"]["Service"]
        assert service == ("lambda.amazonaws.com" if i == 1 else "ec2.amazonaws.com"), i
    assert b"lambda" not in main_mount.read("acct0", "shared", "trust.json")


def test_rename_across_accounts_is_exdev(main_mount):
    with pytest.raises(OSError) as e:
        os.rename(main_mount.p("acct0", "shared", "trust.json"),
                  main_mount.p("acct1", "shared", "trust2.json"))
    assert e.value.errno == 18  # EXDEV
    with pytest.raises(OSError):
        os.mkdir(main_mount.p("newaccount"))


def test_denied_account_shows_an_empty_folder_and_why(peer, tmp_path):
    _, proxy, org = peer
    proxy.reset()
    proxy.fault("AssumeRole", "denied", count=-1, match=org.ids[3])
    m = MultiMount(org, proxy.url, tmp_path, args=["--profiles", "acct3,acct4"]).start()
    try:
        assert os.listdir(m.p("acct3")) == [".iamfs"]
        assert sorted(os.listdir(m.p("acct4"))) == sorted([".iamfs", ROLE] + roles_of(4))
        status = m.read("acct3", ".iamfs", "status").decode()
        assert "state: empty" in status, status
        assert "last load failed: GetCallerIdentity was denied" in status, status
        assert "AssumeRole" in status, status
        states = m.accounts()
        assert states["acct3"][2] == "denied" and states["acct3"][4], states
        assert states["acct4"][2] == "online"
        # A refresh once AssumeRole is allowed again loads it.
        proxy.clear_faults()
        m.refresh_path = m.p("acct3", ".iamfs", "refresh")
        with open(m.refresh_path, "w") as f:
            f.write("1\n")
        assert sorted(os.listdir(m.p("acct3"))) == sorted([".iamfs", ROLE] + roles_of(3))
        assert m.accounts()["acct3"][2] == "online"
    finally:
        m.stop()
    assert not m.bad_stderr(), m.stderr()


def test_remount_serves_every_account_from_disk(peer, main_mount, tmp_path):
    _, proxy, _ = peer
    main_mount.stop()  # its cache folder holds every account now (grep above)
    proxy.reset()
    proxy.fault("*", "denied", count=-1)
    m = MultiMount(peer[2], proxy.url, main_mount.workdir, args=["--profiles",
                                                                 ",".join(PROFILES)],
                   cache_dir=main_mount.cache_dir).start()
    try:
        r = subprocess.run(["grep", "-rl", "ec2.amazonaws.com", m.path], capture_output=True,
                           text=True, timeout=60)
        assert len(r.stdout.splitlines()) == sum(len(roles_of(i)) for i in range(N)) - 1
        assert b"lambda" in m.read("acct1", "shared", "trust.json")
    finally:
        m.stop()
        proxy.clear_faults()
    assert not m.bad_stderr(), m.stderr()
    main_mount.start()


def test_max_loads_one_loads_accounts_one_after_the_other(peer, tmp_path):
    _, proxy, org = peer
    proxy.reset()
    proxy.config(latency_ms=150)
    m = MultiMount(org, proxy.url, tmp_path, args=["--profiles", "acct0,acct1",
                                                   "--max-loads", "1"]).start()
    try:
        out = {}

        def ls(name):
            out[name] = os.listdir(m.p(name))

        threads = [threading.Thread(target=ls, args=(n,)) for n in ("acct0", "acct1")]
        for t in threads:
            t.start()
        # The loads wait on loader threads: the mount answers meanwhile.
        seen = wait_until(lambda: "loading" in [v[2] for v in m.accounts().values()], 10,
                          interval=0.01, what="an account shown loading")
        assert seen
        for t in threads:
            t.join(30)
        assert set(out["acct0"]) >= set(roles_of(0)) and set(out["acct1"]) >= set(roles_of(1))
        spans = sorted((v["_first"], v["_last"]) for v in assumed_keys(proxy).values())
        assert len(spans) == 2
        assert spans[0][1] <= spans[1][0], spans  # the second began after the first ended
    finally:
        proxy.config(latency_ms=0)
        m.stop()
    assert not m.bad_stderr(), m.stderr()


@pytest.fixture(scope="module")
def org_mount(peer, tmp_path_factory):
    """--org as the management account (moto's default credentials)."""
    _, proxy, org = peer
    proxy.reset()
    m = MultiMount(org, proxy.url, tmp_path_factory.mktemp("org-org"),
                   args=["--org", "--ttl", "3600"]).start()
    try:
        yield m
    finally:
        m.stop()
        assert not m.bad_stderr(), m.stderr()


def test_org_lists_every_account_without_a_call(peer, org_mount):
    _, proxy, org = peer
    proxy.reset()
    names = sorted(os.listdir(org_mount.path))
    assert names == sorted([".iamfs", "master"] + ["team %d" % i for i in range(N)])
    states = org_mount.accounts()
    assert {f: (s[0], s[2]) for f, s in states.items() if f != "master"} == {
        "team %d" % i: (org.ids[i], "not loaded") for i in range(N)}
    assert proxy.counts()["_total"] == 0


def test_org_grep_reaches_each_account_through_assume_role(peer, org_mount):
    _, proxy, org = peer
    proxy.reset()
    r = subprocess.run(["grep", "-rl", "ec2.amazonaws.com"] +
                       [org_mount.p("team %d" % i) for i in range(N)],
                       capture_output=True, text=True, timeout=60)
    found = set(os.path.relpath(p, org_mount.path) for p in r.stdout.splitlines())
    assert found == set("team %d/%s/trust.json" % (i, name)
                        for i in range(N) for name in roles_of(i)
                        if (i, name) != (1, "shared"))
    # AssumeRole, then the load's reads: the account and caller are known, so
    # no GetCallerIdentity.
    keys = assumed_keys(proxy)
    assert len(keys) == N
    for rec in keys.values():
        calls = {a: n for a, n in rec.items() if not a.startswith("_")}
        assert calls == {"GetAccountAuthorizationDetails": 1, "ListRoles": 1}, calls
    assert proxy.counts()["AssumeRole"] == N
    assert "GetCallerIdentity" not in proxy.counts()
    status = org_mount.read("team 2", ".iamfs", "status").decode()
    assert "account: %s\n" % org.ids[2] in status
    assert "caller: arn:aws:sts::%s:assumed-role/%s/iamfs\n" % (org.ids[2], ROLE) in status
    assert {org_mount.accounts()["team %d" % i][2] for i in range(N)} == {"online"}


def test_org_denied_account_and_remount_without_organizations(peer, org_mount):
    _, proxy, org = peer
    org_mount.stop()
    proxy.reset()
    # Organizations unreachable: the list kept at the last mount; team 0 is served
    # from its disk copy though AssumeRole into it is refused now.
    proxy.fault("ListAccounts", "denied", count=-1)
    proxy.fault("AssumeRole", "denied", count=-1, match=org.ids[0])
    org_mount.start()
    try:
        assert "team 0" in os.listdir(org_mount.path)
        assert sorted(os.listdir(org_mount.p("team 0"))) == sorted(
            [".iamfs", ROLE] + roles_of(0))
        wait_until(lambda: org_mount.accounts()["team 0"][2] == "denied", 20,
                   what="team 0 denied after its revalidation")
        assert "AssumeRole" in org_mount.accounts()["team 0"][4]
        assert "using the list kept from the last mount" in org_mount.stderr()
    finally:
        proxy.clear_faults()


def test_all_profiles_mounts_every_profile_lazily(peer, tmp_path):
    _, proxy, org = peer
    proxy.reset()
    m = MultiMount(org, proxy.url, tmp_path, args=["--all-profiles"]).start()
    try:
        assert sorted(os.listdir(m.path)) == sorted([".iamfs", "base"] + PROFILES)
        assert proxy.counts()["_total"] == 0
        assert sorted(os.listdir(m.p("acct4"))) == sorted([".iamfs", ROLE] + roles_of(4))
        assert m.accounts()["acct4"][0] == org.ids[4]
    finally:
        m.stop()
    assert not m.bad_stderr(), m.stderr()


def test_idle_account_releases_its_cache_and_opens_again_from_disk(peer, tmp_path):
    _, proxy, org = peer
    proxy.reset()
    # --ttl 1: an account nobody uses for 3 s closes its cache.
    m = MultiMount(org, proxy.url, tmp_path, args=["--profiles", "acct1,acct2",
                                                   "--ttl", "1"]).start()
    try:
        before = os.stat(m.p("acct1", "app-1-0")).st_ino
        assert m.accounts()["acct1"][2] == "online"
        wait_until(lambda: m.accounts()["acct1"][2] == "not loaded", 15,
                   what="acct1 released after three idle TTLs")
        assert "account acct1: idle, released" in m.stderr()
        gaad = proxy.counts().get("GetAccountAuthorizationDetails", 0)
        # Looked into again: opened from its disk copy, same inode numbers.
        assert sorted(os.listdir(m.p("acct1"))) == sorted([".iamfs", ROLE] + roles_of(1))
        assert os.stat(m.p("acct1", "app-1-0")).st_ino == before
        assert proxy.counts().get("GetAccountAuthorizationDetails", 0) <= gaad + 1
    finally:
        m.stop()
    assert not m.bad_stderr(), m.stderr()
