"""TLS is always verified by the C HTTP client (tests/tools/iamtool against a
local HTTPS server with a throwaway self-signed certificate): an unknown CA is
refused, AWS_CA_BUNDLE makes the same server trusted, and a certificate for
another name is refused even when its CA is trusted."""
import http.server
import json
import os
import ssl
import subprocess
import threading

import pytest

import rig

IAMTOOL = os.path.join(rig.TOOLS, "iamtool")
GET_ROLE = (
    b'<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>'
    b"<Path>/</Path><RoleName>tls-role</RoleName><RoleId>AROATLS</RoleId>"
    b"<Arn>arn:aws:iam::123456789012:role/tls-role</Arn>"
    b"<CreateDate>2024-01-01T00:00:00Z</CreateDate>"
    b"<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>"
    b"</Role></GetRoleResult><ResponseMetadata><RequestId>tls-1</RequestId>"
    b"</ResponseMetadata></GetRoleResponse>")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(GET_ROLE)))
        self.end_headers()
        self.wfile.write(GET_ROLE)

    def log_message(self, *args):
        pass


def make_cert(tmp_path, name, san):
    key, cert = tmp_path / (name + ".key"), tmp_path / (name + ".pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=iamfs-test",
                    "-addext", "subjectAltName=" + san],
                   check=True, capture_output=True, timeout=60)
    return str(key), str(cert)


@pytest.fixture
def https_server(tmp_path, request):
    san = getattr(request, "param", "IP:127.0.0.1")
    key, cert = make_cert(tmp_path, "srv", san)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield "https://127.0.0.1:%d/" % srv.server_address[1], cert
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(timeout=10)


def run_tool(url, tmp_path, ca=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    empty = tmp_path / "empty"
    empty.write_text("")
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": str(empty),
                "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_EC2_METADATA_DISABLED": "true",
                "SSL_CERT_FILE": str(empty), "CURL_CA_BUNDLE": str(empty)})
    if ca:
        env["AWS_CA_BUNDLE"] = ca
    p = subprocess.run([IAMTOOL, "--endpoint-url", url, "--max-attempts", "1", "GetRole",
                        "RoleName=tls-role"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)


def test_unknown_ca_is_refused(https_server, tmp_path):
    url, _ = https_server
    rc, out = run_tool(url, tmp_path)
    assert rc == 1
    assert out["error"] == "ConnectionError" and out["errno"] == "EIO"
    assert out["http_status"] == 0
    assert "certificate" in out["message"].lower()


def test_ca_bundle_is_honoured(https_server, tmp_path):
    url, cert = https_server
    rc, out = run_tool(url, tmp_path, ca=cert)
    assert rc == 0, out
    assert out["Role"]["RoleName"] == "tls-role"
    assert out["Role"]["AssumeRolePolicyDocument"] == "{}"


@pytest.mark.parametrize("https_server", ["DNS:iam.example.com"], indirect=True)
def test_wrong_host_name_is_refused(https_server, tmp_path):
    url, cert = https_server
    rc, out = run_tool(url, tmp_path, ca=cert)
    assert rc == 1
    assert out["error"] == "ConnectionError"
    assert out["http_status"] == 0
    assert "subject name" in out["message"] or "match" in out["message"], out["message"]
