"""The credentials chain end to end, through tests/tools/credtool, against moto's
STS and tiny local servers written here (IMDSv2 with a token check, the ECS
container endpoint with an authorization token). botocore, run with the same
environment and files, is the oracle for which source wins."""
import calendar
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import rig

CREDTOOL = os.path.join(rig.TOOLS, "credtool")
ACCOUNT = rig.MOTO_ACCOUNT
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
FUTURE = "2031-05-06T07:08:09Z"
FUTURE_EPOCH = calendar.timegm((2031, 5, 6, 7, 8, 9, 0, 0, 0))


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


# --- tiny servers -------------------------------------------------------------

class Server:
    """A ThreadingHTTPServer on 127.0.0.1 running handler in a thread; stop() always."""

    def __init__(self, handler):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.seen = []
        self.httpd.authorizations = []
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def seen(self):
        return self.httpd.seen

    @property
    def authorizations(self):
        return self.httpd.authorizations

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


IMDS_TOKEN = "imds-session-token-123"
IMDS_CREDS = {"Code": "Success", "LastUpdated": "2030-01-01T00:00:00Z", "Type": "AWS-HMAC",
              "AccessKeyId": "ASIAIMDSEXAMPLE0001", "SecretAccessKey": "imds-secret",
              "Token": "imds-token", "Expiration": FUTURE}


class Imds(Quiet):
    """IMDSv2: a PUT with a TTL header gives a token; every GET must carry it."""

    def do_PUT(self):
        self.server.seen.append(("PUT", self.path, dict(self.headers)))
        if self.path != "/latest/api/token" or \
                not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(400, "bad token request", "text/plain")
        self.reply(200, IMDS_TOKEN, "text/plain")

    def do_GET(self):
        self.server.seen.append(("GET", self.path, dict(self.headers)))
        if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
            return self.reply(401, "", "text/plain")
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self.reply(200, "imds-role", "text/plain")
        if self.path == "/latest/meta-data/iam/security-credentials/imds-role":
            return self.reply(200, json.dumps(IMDS_CREDS))
        self.reply(404, "", "text/plain")


class ImdsV1(Quiet):
    """An old metadata service: no token API (405), GETs without a token."""

    def do_PUT(self):
        self.server.seen.append(("PUT", self.path, dict(self.headers)))
        self.reply(405, "", "text/plain")

    def do_GET(self):
        self.server.seen.append(("GET", self.path, dict(self.headers)))
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self.reply(200, "old-role\n", "text/plain")
        if self.path == "/latest/meta-data/iam/security-credentials/old-role":
            return self.reply(200, json.dumps(IMDS_CREDS))
        self.reply(404, "", "text/plain")


ECS_CREDS = {"AccessKeyId": "ASIAECSEXAMPLE00001", "SecretAccessKey": "ecs-secret",
             "Token": "ecs-token", "Expiration": FUTURE,
             "RoleArn": "arn:aws:iam::%s:role/task" % ACCOUNT}


class Ecs(Quiet):
    """The container endpoint: /creds with Authorization equal to server.auth."""

    def do_GET(self):
        self.server.seen.append(("GET", self.path, dict(self.headers)))
        if self.headers.get("Authorization") != getattr(self.server, "auth", None):
            return self.reply(403, json.dumps({"message": "bad token"}))
        if self.path != "/creds":
            return self.reply(404, "{}")
        self.reply(200, json.dumps(ECS_CREDS))


def recorder_for(target):
    """A handler forwarding POSTs to target (Host header kept, so signatures still
    verify) and recording each form body."""

    class Recorder(Quiet):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.server.seen.append(dict(urllib.parse.parse_qsl(body.decode())))
            self.server.authorizations.append(self.headers.get("Authorization", ""))
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("content-length", "connection")}
            req = urllib.request.Request(target + self.path, data=body, method="POST",
                                         headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    self.reply(r.status, r.read(), r.headers.get("Content-Type", "text/xml"))
            except urllib.error.HTTPError as e:
                self.reply(e.code, e.read(), e.headers.get("Content-Type", "text/xml"))

    return Recorder


@pytest.fixture
def server():
    started = []

    def start(handler):
        s = Server(handler)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


# --- running credtool and the oracle -------------------------------------------

@pytest.fixture
def home(tmp_path):
    """An empty HOME and a base environment with no credentials and no IMDS."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "AWS_EC2_METADATA_DISABLED": "true", "LC_ALL": "C.UTF-8"}
    return tmp_path, env


def write(path, text):
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(str(path), "w") as f:
        f.write(text)
    return str(path)


def credtool(env, *args):
    p = subprocess.run([CREDTOOL, *args], env=env, capture_output=True, text=True, timeout=60)
    lines = p.stdout.strip().splitlines()
    assert lines, "credtool printed nothing; stderr: %s" % p.stderr
    out = json.loads(lines[-1])
    assert (p.returncode == 0) == ("error" not in out), p.stderr
    assert p.returncode in (0, 1) and "Sanitizer" not in p.stderr, p.stderr
    return out, p.stderr


ORACLE = """
import json, sys, botocore.session
s = botocore.session.Session(profile=sys.argv[1] or None)
try:
    c = s.get_credentials()
except Exception as e:
    print(json.dumps({"error": type(e).__name__})); sys.exit(0)
# This botocore may predate AWS_ENDPOINT_URL_STS: do not make it call STS.
print(json.dumps(None if c is None else {"source": c.method,
                 "access_key_id": None if c.method.startswith("assume-role")
                 else c.get_frozen_credentials().access_key}))
"""


def botocore_says(env, profile=None):
    p = subprocess.run([sys.executable, "-c", ORACLE, profile or ""], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


# --- sources end to end ---------------------------------------------------------

def test_env_keys_call_sts(moto, home):
    _, env = home
    env.update({"AWS_ACCESS_KEY_ID": "AKIAENVEXAMPLE00001", "AWS_SECRET_ACCESS_KEY": "x",
                "AWS_REGION": "eu-west-1"})
    out, _ = credtool(env, "--sts-endpoint-url", moto.url, "--call")
    assert out["source"] == "env"
    assert out["access_key_id"] == "AKIAENVEXAMPLE00001"
    assert out["has_token"] is False and out["expiration"] == 0
    assert out["region"] == "eu-west-1"
    assert out["account"] == ACCOUNT
    assert out["arn"].startswith("arn:aws:")


def test_shared_file_profile_and_secret_never_printed(moto, home):
    tmp, env = home
    write(tmp / ".aws" / "credentials",
          "[dev]\naws_access_key_id = AKIAFILEEXAMPLE0001\n"
          "aws_secret_access_key = very-secret-value\naws_session_token = tok-value\n")
    write(tmp / ".aws" / "config", "[profile dev]\nregion = ap-southeast-2\n")
    env["AWS_ENDPOINT_URL_STS"] = moto.url
    out, err = credtool(env, "--profile", "dev", "--call")
    assert out["source"] == "shared-credentials-file"
    assert out["access_key_id"] == "AKIAFILEEXAMPLE0001"
    assert out["has_token"] is True
    assert out["region"] == "ap-southeast-2" and out["profile"] == "dev"
    assert out["account"] == ACCOUNT
    whole = json.dumps(out) + err
    assert "very-secret-value" not in whole and "tok-value" not in whole


def test_credential_process(moto, home):
    tmp, env = home
    exp = int(time.time()) + 3600
    script = write(tmp / "bin" / "creds.sh",
                   "#!/bin/sh\necho 'process says hello on stderr' >&2\n"
                   "printf '%%s' '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCEXAMPLE0001\", "
                   "\"SecretAccessKey\": \"p-secret\", \"SessionToken\": \"p-token\", "
                   "\"Expiration\": \"%s\"}'\n" % iso(exp))
    os.chmod(script, 0o755)
    write(tmp / ".aws" / "config",
          "[profile proc]\ncredential_process = %s --with 'an argument'\nregion = us-east-2\n"
          % script)
    out, err = credtool(env, "--profile", "proc", "--sts-endpoint-url", moto.url, "--call")
    assert out["source"] == "custom-process"
    assert out["access_key_id"] == "ASIAPROCEXAMPLE0001"
    assert out["has_token"] is True and out["expiration"] == exp
    assert out["account"] == ACCOUNT
    assert "process says hello on stderr" in err


def test_credential_process_failure_is_reported(home):
    tmp, env = home
    write(tmp / ".aws" / "config", "[default]\ncredential_process = sh -c 'exit 4'\n")
    out, _ = credtool(env)
    assert out["errno"] == 5 and "exit status 4" in out["message"]


def test_web_identity_env(moto, home):
    tmp, env = home
    moto.client().create_role(RoleName="web-role", AssumeRolePolicyDocument=TRUST)
    token = write(tmp / "token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.\n")
    env.update({"AWS_WEB_IDENTITY_TOKEN_FILE": token,
                "AWS_ROLE_ARN": "arn:aws:iam::%s:role/web-role" % ACCOUNT,
                "AWS_ROLE_SESSION_NAME": "web-session", "AWS_ENDPOINT_URL_STS": moto.url})
    out, _ = credtool(env, "--call")
    assert out["source"] == "assume-role-with-web-identity"
    assert out["access_key_id"].startswith("ASIA") and out["has_token"] is True
    assert out["expiration"] > time.time() + 600
    assert out["arn"] == "arn:aws:sts::%s:assumed-role/web-role/web-session" % ACCOUNT


def test_web_identity_profile_keys(moto, home):
    tmp, env = home
    token = write(tmp / "token", "header.payload.sig")
    write(tmp / ".aws" / "config",
          "[profile w]\nweb_identity_token_file = %s\nrole_arn = arn:aws:iam::%s:role/w\n"
          "role_session_name = from-profile\n" % (token, ACCOUNT))
    env["AWS_ENDPOINT_URL"] = moto.url
    out, _ = credtool(env, "--profile", "w", "--call")
    assert out["source"] == "assume-role-with-web-identity"
    assert out["arn"].endswith(":assumed-role/w/from-profile")


def test_assume_role_chain_with_external_id(moto_auth, home, server):
    """base keys -> AssumeRole r1 (external id, session name, duration) -> AssumeRole
    r2 with r1's temporary credentials, against moto with signature checking on."""
    moto, (key, secret) = moto_auth
    tmp, env = home
    iam = moto.client(key=key, secret=secret)
    for name in ("chain-r1", "chain-r2"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
        iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=rig.ADMIN_POLICY)
    rec = server(recorder_for(moto.url))
    write(tmp / ".aws" / "credentials",
          "[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (key, secret))
    write(tmp / ".aws" / "config",
          "[profile r1]\nrole_arn = arn:aws:iam::%s:role/chain-r1\nsource_profile = base\n"
          "external_id = ext-42\nrole_session_name = sess-one\nduration_seconds = 1800\n"
          "[profile r2]\nrole_arn = arn:aws:iam::%s:role/chain-r2\nsource_profile = r1\n"
          "region = eu-north-1\n" % (ACCOUNT, ACCOUNT))
    env["AWS_ENDPOINT_URL_STS"] = rec.url
    out, err = credtool(env, "--profile", "r2", "--call")
    assert out.get("source") == "assume-role", (out, err)
    assert out["access_key_id"].startswith("ASIA") and out["has_token"] is True
    assert out["region"] == "eu-north-1"
    assert ":assumed-role/chain-r2/iamfs-" in out["arn"]
    calls = [c for c in rec.seen if c.get("Action") == "AssumeRole"]
    assert [c["RoleArn"].rsplit("/", 1)[1] for c in calls] == ["chain-r1", "chain-r2"]
    assert calls[0]["ExternalId"] == "ext-42" and calls[0]["RoleSessionName"] == "sess-one"
    assert calls[0]["DurationSeconds"] == "1800"
    assert "ExternalId" not in calls[1]
    assert calls[1]["RoleSessionName"].startswith("iamfs-")
    assert int(calls[1]["RoleSessionName"][6:]) == pytest.approx(time.time(), abs=120)


def test_assume_role_loop_and_bad_source(home):
    tmp, env = home
    write(tmp / ".aws" / "config",
          "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
          "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
          "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = nowhere\n")
    out, _ = credtool(env, "--profile", "a")
    assert out["errno"] == 22 and "loop" in out["message"]
    out, _ = credtool(env, "--profile", "c")
    assert out["errno"] == 22 and "source_profile 'nowhere'" in out["message"]


def test_container_credentials(moto, home, server):
    tmp, env = home
    ecs = server(Ecs)
    ecs.httpd.auth = "Bearer container-token"
    env.update({"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.url + "/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer container-token",
                "AWS_ENDPOINT_URL_STS": moto.url})
    out, _ = credtool(env, "--call")
    assert out["source"] == "container-role"
    assert out["access_key_id"] == ECS_CREDS["AccessKeyId"]
    assert out["expiration"] == FUTURE_EPOCH and out["has_token"] is True
    assert out["account"] == ACCOUNT
    assert ecs.seen[0][2]["Authorization"] == "Bearer container-token"

    # The token file wins over the variable and is read at each fetch.
    ecs.httpd.auth = "from-file"
    env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = write(tmp / "ecs-token", "from-file\n")
    out, _ = credtool(env)
    assert out["access_key_id"] == ECS_CREDS["AccessKeyId"]

    ecs.httpd.auth = "something else"
    out, _ = credtool(env)
    assert out["errno"] == 13 and "HTTP 403" in out["message"]


def test_container_full_uri_must_be_local_or_https(home):
    _, env = home
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://example.com/creds"
    out, _ = credtool(env)
    assert out["errno"] == 22 and "FULL_URI" in out["message"]


def test_imds_v2(moto, home, server):
    _, env = home
    imds = server(Imds)
    del env["AWS_EC2_METADATA_DISABLED"]
    env.update({"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url + "/",
                "AWS_ENDPOINT_URL_STS": moto.url})
    out, _ = credtool(env, "--call")
    assert out["source"] == "iam-role"
    assert out["access_key_id"] == IMDS_CREDS["AccessKeyId"]
    assert out["expiration"] == FUTURE_EPOCH
    assert out["account"] == ACCOUNT
    assert [(m, p) for m, p, _ in imds.seen] == [
        ("PUT", "/latest/api/token"),
        ("GET", "/latest/meta-data/iam/security-credentials/"),
        ("GET", "/latest/meta-data/iam/security-credentials/imds-role")]
    assert imds.seen[0][2]["X-aws-ec2-metadata-token-ttl-seconds"] == "21600"


def test_imds_unreachable_fails_fast_as_no_credentials(home):
    tmp, env = home
    del env["AWS_EC2_METADATA_DISABLED"]
    env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:%d" % rig.free_port()
    start = time.monotonic()
    out, _ = credtool(env)
    assert time.monotonic() - start < 5
    assert out["errno"] == 2
    assert out["message"] == (
        "no AWS credentials found for profile 'default' (looked in the environment, "
        "%s/.aws/credentials, %s/.aws/config, container and instance metadata)" % (tmp, tmp))


def test_no_credentials_at_all(home):
    tmp, env = home
    out, err = credtool(env)
    assert out["error"] == "NoCredentials" and out["errno"] == 2
    assert "no AWS credentials found for profile 'default'" in out["message"]
    assert "%s/.aws/credentials" % tmp in err
    assert botocore_says(env) is None


def test_missing_profile(home):
    tmp, env = home
    write(tmp / ".aws" / "config", "[profile other]\nregion = us-east-1\n")
    # A profile named explicitly must exist, even "default" (as botocore has it).
    for name, how in (("ghost", "option"), ("ghost", "env"), ("default", "env")):
        e = dict(env, AWS_PROFILE=name) if how == "env" else env
        out, _ = credtool(e, *(["--profile", name] if how == "option" else []))
        assert out["errno"] == 22
        assert out["message"].startswith("profile '%s' not found in %s/.aws/config"
                                         % (name, tmp))
        assert botocore_says(e, name if how == "option" else None) == \
            {"error": "ProfileNotFound"}


# --- precedence, with botocore as the oracle -------------------------------------

CONFIG = """[default]
aws_access_key_id = AKIACONFIGDEFAULT001
aws_secret_access_key = s
[profile both]
aws_access_key_id = AKIACONFIGBOTH000001
aws_secret_access_key = s
[profile cfgonly]
aws_access_key_id = AKIACONFIGONLY000001
aws_secret_access_key = s
[profile proc]
credential_process = {proc}
aws_access_key_id = AKIACONFIGPROC000001
aws_secret_access_key = s
[profile role]
role_arn = arn:aws:iam::123456789012:role/prec
source_profile = both
[profile empty]
region = us-west-2
"""

CREDENTIALS = """[default]
aws_access_key_id = AKIACREDDEFAULT00001
aws_secret_access_key = s
[both]
aws_access_key_id = AKIACREDBOTH00000001
aws_secret_access_key = s
[role]
aws_access_key_id = AKIACREDROLE00000001
aws_secret_access_key = s
"""

ENV_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAENVKEYS000000001", "AWS_SECRET_ACCESS_KEY": "s"}


@pytest.mark.parametrize("profile,extra,with_files,source", [
    (None, ENV_KEYS, True, "env"),
    ("both", ENV_KEYS, True, "shared-credentials-file"),       # --profile drops env keys
    (None, dict(ENV_KEYS, AWS_PROFILE="both"), True, "env"),     # AWS_PROFILE does not
    (None, {"AWS_PROFILE": "both"}, True, "shared-credentials-file"),
    ("cfgonly", {}, True, "config-file"),
    ("proc", {}, True, "custom-process"),                        # process before config keys
    ("role", {}, True, "assume-role"),                           # role_arn before static keys
    (None, {}, True, "shared-credentials-file"),
    ("empty", "ecs", True, "container-role"),
    (None, "ecs+imds", False, "container-role"),                 # container before IMDS
    (None, "imds", False, "iam-role"),
])
def test_precedence_matches_botocore(moto, home, server, profile, extra, with_files, source):
    tmp, env = home
    proc = write(tmp / "proc.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": "
                 "\"AKIAPROCESS000000001\", \"SecretAccessKey\": \"s\"}'\n")
    os.chmod(proc, 0o755)
    if with_files:
        write(tmp / ".aws" / "config", CONFIG.format(proc=proc))
        write(tmp / ".aws" / "credentials", CREDENTIALS)
    env["AWS_ENDPOINT_URL_STS"] = moto.url
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    if isinstance(extra, dict):
        env.update(extra)
    else:
        if "ecs" in extra:
            ecs = server(Ecs)
            ecs.httpd.auth = None
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.url + "/creds"
        if "imds" in extra:
            imds = server(Imds)
            del env["AWS_EC2_METADATA_DISABLED"]
            env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url
    ours, err = credtool(env, *(["--profile", profile] if profile else []))
    theirs = botocore_says(env, profile)
    assert ours["source"] == source, err
    assert theirs["source"] == source
    if source != "assume-role":
        assert ours["access_key_id"] == theirs["access_key_id"]
    else:
        assert ours["access_key_id"].startswith("ASIA")


@pytest.mark.parametrize("credential_source", ["Environment", "EcsContainer",
                                               "Ec2InstanceMetadata"])
def test_assume_role_from_credential_source(moto, home, server, credential_source):
    tmp, env = home
    rec = server(recorder_for(moto.url))
    write(tmp / ".aws" / "config",
          "[profile cs]\nrole_arn = arn:aws:iam::%s:role/cs-role\ncredential_source = %s\n"
          % (ACCOUNT, credential_source))
    env["AWS_ENDPOINT_URL_STS"] = rec.url
    want_key = {"Environment": "AKIAENVKEYS000000001", "EcsContainer": ECS_CREDS["AccessKeyId"],
                "Ec2InstanceMetadata": IMDS_CREDS["AccessKeyId"]}[credential_source]
    if credential_source == "Environment":
        env.update(ENV_KEYS)
    elif credential_source == "EcsContainer":
        ecs = server(Ecs)
        ecs.httpd.auth = None
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.url + "/creds"
    else:
        imds = server(Imds)
        del env["AWS_EC2_METADATA_DISABLED"]
        # The profile key works like AWS_EC2_METADATA_SERVICE_ENDPOINT.
        with open(str(tmp / ".aws" / "config"), "a") as f:
            f.write("ec2_metadata_service_endpoint = %s\n" % imds.url)
    out, err = credtool(env, "--profile", "cs", "--call")
    assert out.get("source") == "assume-role", (out, err)
    assert out["arn"].startswith("arn:aws:sts::%s:assumed-role/cs-role/iamfs-" % ACCOUNT)
    # moto does not check signatures here: read the key id the AssumeRole was signed with.
    assert [c["Action"] for c in rec.seen] == ["AssumeRole", "GetCallerIdentity"]
    assert want_key in rec.authorizations[0]


def test_imds_without_token_api_falls_back_to_v1(home, server):
    _, env = home
    imds = server(ImdsV1)
    del env["AWS_EC2_METADATA_DISABLED"]
    env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url
    out, _ = credtool(env)
    assert out["source"] == "iam-role"
    assert out["access_key_id"] == IMDS_CREDS["AccessKeyId"]
    assert [m for m, _, _ in imds.seen] == ["PUT", "GET", "GET"]
    assert all("X-aws-ec2-metadata-token" not in h for _, _, h in imds.seen[1:])
