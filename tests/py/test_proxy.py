"""Tests of tests/proxy.py, the counting, paging, latency and fault-injecting
proxy in front of moto that the IAM client, filesystem and benchmark suites
use. boto3 and raw http.client requests (SigV4-signed with botocore, so moto
routes them to IAM) go through the proxy; counts are checked against what
was sent, and moto's own log confirms how often it was asked."""
import http.client
import importlib.util
import json
import math
import os
import re
import socket
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

import rig

NS = "{https://iam.amazonaws.com/doc/2010-05-08/}"
GAAD = "GetAccountAuthorizationDetails"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
S3_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def signed(port, params, key="testing", secret="testing"):
    """(headers, body) of an IAM Query request signed for 127.0.0.1:port."""
    from urllib.parse import urlencode
    body = urlencode(dict(params, Version="2010-05-08"))
    req = AWSRequest(method="POST", url="http://127.0.0.1:%d/" % port, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret), "iam", "us-east-1").add_auth(req)
    return dict(req.headers), body


def raw(port, params, conn=None):
    """One signed request; returns (status, headers dict lowercased, body)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers, body = signed(port, params)
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        if own:
            conn.close()


def error_code(data):
    root = ET.fromstring(data)
    err = root.find(NS + "Error")
    return err.find(NS + "Code").text, err.find(NS + "Message").text


def moto_requests(moto):
    with open(moto.log_path, "rb") as f:
        return f.read().count(b'"POST / HTTP/1.1"')


@pytest.fixture
def account(moto):
    """A clean moto account with 10 roles and 4 customer managed policies."""
    moto.reset()
    iam = moto.client()
    arns = [iam.create_policy(PolicyName="cmp%d" % i, PolicyDocument=S3_ALL)["Policy"]["Arn"]
            for i in range(4)]
    for i in range(10):
        iam.create_role(RoleName="role%02d" % i, AssumeRolePolicyDocument=TRUST)
        iam.put_role_policy(RoleName="role%02d" % i, PolicyName="inline", PolicyDocument=S3_ALL)
        iam.attach_role_policy(RoleName="role%02d" % i, PolicyArn=arns[i % 4])
    return {"roles": {"role%02d" % i for i in range(10)}, "policies": set(arns)}


# --- forwarding and counting -------------------------------------------------

def test_forwards_and_counts_per_action(moto, proxy):
    moto.reset()
    iam = proxy.client()
    iam.create_role(RoleName="a", AssumeRolePolicyDocument=TRUST)
    iam.create_role(RoleName="b", AssumeRolePolicyDocument=TRUST, Description="bee")
    assert iam.get_role(RoleName="b")["Role"]["Description"] == "bee"
    assert sorted(r["RoleName"] for r in iam.list_roles()["Roles"]) == ["a", "b"]
    with pytest.raises(ClientError) as err:
        iam.get_role(RoleName="missing")
    assert err.value.response["Error"]["Code"] == "NoSuchEntity"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    want = {"CreateRole": 2, "GetRole": 2, "ListRoles": 1, "_total": 5}
    assert proxy.counts() == want
    assert proxy.upstream_counts() == want
    # The writes really reached moto.
    assert moto.client().get_role(RoleName="a")["Role"]["RoleName"] == "a"


def test_reset_zeroes_counts(moto, proxy):
    moto.reset()
    proxy.client().list_roles()
    assert proxy.counts() == {"ListRoles": 1, "_total": 1}
    proxy.reset()
    assert proxy.counts() == {"_total": 0}
    assert proxy.upstream_counts() == {"_total": 0}


def test_action_from_query_string_is_counted(moto, proxy):
    moto.reset()
    headers, _ = signed(proxy.port, {})
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    try:
        conn.request("GET", "/?Action=ListRoles&Version=2010-05-08", headers=headers)
        resp = conn.getresponse()
        resp.read()
    finally:
        conn.close()
    assert proxy.counts() == {"ListRoles": 1, "_total": 1}


def test_parallel_clients_are_all_counted(moto, proxy):
    moto.reset()
    moto.client().create_role(RoleName="p", AssumeRolePolicyDocument=TRUST)
    errors = []

    def worker():
        try:
            iam = proxy.client()
            for _ in range(10):
                iam.get_role(RoleName="p")
        except Exception as exc:  # reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert proxy.counts() == {"GetRole": 60, "_total": 60}


def test_upstream_failure_is_a_502(tmp_path):
    dead = rig.free_port()  # nothing listens there
    proxy = rig.Proxy("http://127.0.0.1:%d" % dead).start(str(tmp_path))
    try:
        status, headers, body = raw(proxy.port, {"Action": "ListRoles"})
        assert status == 502
        assert int(headers["content-length"]) == len(body)
        assert b"upstream 127.0.0.1:%d failed for POST ListRoles" % dead in body
        assert proxy.counts() == {"ListRoles": 1, "_total": 1}
    finally:
        proxy.stop()


def test_silent_upstream_is_a_502_after_the_timeout(tmp_path):
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = "http://127.0.0.1:%d" % silent.getsockname()[1]
        proxy = rig.Proxy(url, upstream_timeout=0.5).start(str(tmp_path))
        try:
            started = time.monotonic()
            status, _, body = raw(proxy.port, {"Action": "ListRoles"})
            assert status == 502 and b"timed out" in body
            assert 0.5 <= time.monotonic() - started < 5.0
        finally:
            proxy.stop()


# --- GAAD paging ---------------------------------------------------------------

def collect_gaad(iam, **kw):
    """Follows a GAAD chain by hand; returns the list of pages. The bound only
    stops a chain that never ends: session-wide servers hold hundreds of
    entities from other suites."""
    pages = [iam.get_account_authorization_details(**kw)]
    while pages[-1]["IsTruncated"]:
        assert len(pages) < 5000
        pages.append(iam.get_account_authorization_details(Marker=pages[-1]["Marker"], **kw))
    return pages


def page_entities(page):
    return ([("role", r["RoleName"]) for r in page["RoleDetailList"]]
            + [("policy", p["Arn"]) for p in page["Policies"]]
            + [("user", u["UserName"]) for u in page["UserDetailList"]]
            + [("group", g["GroupName"]) for g in page["GroupDetailList"]])


def test_gaad_pages_every_entity_once_and_asks_moto_once(moto, proxy, account):
    proxy.config(gaad_page_size=3)
    before = moto_requests(moto)
    pages = collect_gaad(proxy.client())
    assert len(pages) == math.ceil(14 / 3)
    entities = [e for p in pages for e in page_entities(p)]
    assert [len(page_entities(p)) for p in pages] == [3, 3, 3, 3, 2]
    assert len(entities) == len(set(entities)) == 14
    assert {n for k, n in entities if k == "role"} == account["roles"]
    assert {n for k, n in entities if k == "policy"} == account["policies"]
    # Roles come first, then the policies; the content survived re-serializing.
    assert [k for k, _ in entities] == ["role"] * 10 + ["policy"] * 4
    role = pages[0]["RoleDetailList"][0]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    assert role["RolePolicyList"][0]["PolicyName"] == "inline"
    assert len(role["AttachedManagedPolicies"]) == 1
    for p in pages[:-1]:
        assert p["IsTruncated"] is True and p["Marker"].startswith("pxy1/")
    assert pages[-1]["IsTruncated"] is False and "Marker" not in pages[-1]
    assert proxy.counts() == {GAAD: 5, "_total": 5}
    assert proxy.upstream_counts() == {GAAD: 1, "_total": 1}
    assert moto_requests(moto) - before == 1


def test_gaad_max_items_below_page_size_and_paginator(moto, proxy, account):
    proxy.config(gaad_page_size=3)
    iam = proxy.client()
    pages = collect_gaad(iam, MaxItems=2)
    assert [len(page_entities(p)) for p in pages] == [2] * 7
    # MaxItems above the configured size is cut to it; boto3's paginator agrees.
    paginator = iam.get_paginator("get_account_authorization_details")
    paged = list(paginator.paginate(PaginationConfig={"PageSize": 1000}))
    assert [len(page_entities(p)) for p in paged] == [3, 3, 3, 3, 2]
    assert proxy.counts() == {GAAD: 12, "_total": 12}
    assert proxy.upstream_counts() == {GAAD: 2, "_total": 2}


def test_gaad_default_page_is_everything(moto, proxy, account):
    pages = collect_gaad(proxy.client())
    assert len(pages) == 1 and len(page_entities(pages[0])) == 14


def test_gaad_filter_is_passed_to_moto(moto, proxy, account):
    proxy.config(gaad_page_size=4)
    pages = collect_gaad(proxy.client(), Filter=["Role"])
    assert [len(page_entities(p)) for p in pages] == [4, 4, 2]
    assert {k for p in pages for k, _ in page_entities(p)} == {"role"}


def test_gaad_raw_shape_and_namespace(moto, proxy, account):
    proxy.config(gaad_page_size=3)
    status, headers, body = raw(proxy.port, {"Action": GAAD, "MaxItems": "1000"})
    assert status == 200 and headers["content-type"] == "text/xml"
    assert int(headers["content-length"]) == len(body)
    root = ET.fromstring(body)
    assert root.tag == NS + GAAD + "Response"
    result = root.find(NS + GAAD + "Result")
    assert [c.tag[len(NS):] for c in result] == [
        "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies",
        "IsTruncated", "Marker"]
    assert len(result.findall(NS + "RoleDetailList/" + NS + "member")) == 3
    assert result.find(NS + "IsTruncated").text == "true"
    assert root.find(NS + "ResponseMetadata/" + NS + "RequestId").text


def test_gaad_marker_can_be_asked_again(moto, proxy, account):
    proxy.config(gaad_page_size=3)
    iam = proxy.client()
    first = iam.get_account_authorization_details()
    a = iam.get_account_authorization_details(Marker=first["Marker"])
    b = iam.get_account_authorization_details(Marker=first["Marker"])
    assert page_entities(a) == page_entities(b) and a["Marker"] == b["Marker"]
    assert proxy.upstream_counts()[GAAD] == 1


def test_gaad_marker_must_be_url_encoded(moto, proxy, account):
    proxy.config(gaad_page_size=3)
    marker = proxy.client().get_account_authorization_details()["Marker"]
    assert "+" in marker and "/" in marker and marker.endswith("=")
    form = "Action=%s&Version=2010-05-08&Marker=" % GAAD
    results = []
    for text in (marker, urllib.parse.quote(marker, safe="")):
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        try:
            conn.request("POST", "/", body=form + text, headers={
                "Content-Type": "application/x-www-form-urlencoded"})
            resp = conn.getresponse()
            results.append((resp.status, resp.read()))
        finally:
            conn.close()
    assert results[0][0] == 400 and error_code(results[0][1])[0] == "ValidationError"
    assert results[1][0] == 200 and b"<RoleName>" in results[1][1]


def test_gaad_unknown_marker_is_a_validation_error(moto, proxy, account):
    iam = proxy.client()
    for marker in ("nonsense", "pxy1/0000000000000000+3=", "pxy1/x+y=", "pxy1/ab+1="):
        with pytest.raises(ClientError) as err:
            iam.get_account_authorization_details(Marker=marker)
        assert err.value.response["Error"]["Code"] == "ValidationError"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert proxy.counts() == {GAAD: 4, "_total": 4}
    assert proxy.upstream_counts() == {"_total": 0}


def test_gaad_keeps_only_a_few_chains(moto, proxy, account):
    proxy.config(gaad_page_size=3)
    iam = proxy.client()
    markers = [iam.get_account_authorization_details()["Marker"] for _ in range(5)]
    assert proxy.settings()["chains"] == 4
    with pytest.raises(ClientError) as err:
        iam.get_account_authorization_details(Marker=markers[0])
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert iam.get_account_authorization_details(Marker=markers[4])["IsTruncated"] is True


def test_gaad_bad_max_items(moto, proxy, account):
    for value in ("0", "1001", "x"):
        status, _, body = raw(proxy.port, {"Action": GAAD, "MaxItems": value})
        assert status == 400 and error_code(body)[0] == "ValidationError"


def load_proxy_module():
    """tests/proxy_gaad.py, where the proxy's GAAD paging lives."""
    spec = importlib.util.spec_from_file_location(
        "iamfs_test_proxy_gaad", os.path.join(os.path.dirname(rig.PROXY), "proxy_gaad.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


GAAD_DOC = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
    '<GetAccountAuthorizationDetailsResult>'
    '<UserDetailList><member><UserName>\u00e9l\u00e8ve</UserName></member></UserDetailList>'
    '<GroupDetailList><member/></GroupDetailList>'
    '<RoleDetailList><member><RoleName>r\u00fc1</RoleName><RolePolicyList><member>'
    '<PolicyName>in</PolicyName><PolicyDocument>%7B%7D</PolicyDocument></member>'
    '</RolePolicyList></member><member><RoleName>r2</RoleName>'
    '<AssumeRolePolicyDocument>{"a": "&lt;&amp;&gt;"}</AssumeRolePolicyDocument></member>'
    '</RoleDetailList>'
    '<Policies><member><Arn>arn:aws:iam::123456789012:policy/p</Arn></member></Policies>'
    '<IsTruncated>false</IsTruncated></GetAccountAuthorizationDetailsResult>'
    '<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>'
    '</GetAccountAuthorizationDetailsResponse>').encode("utf-8")


def test_gaad_chain_cuts_members_verbatim():
    mod = load_proxy_module()
    chain = mod.GaadChain.parse(GAAD_DOC)
    assert chain.ns == "https://iam.amazonaws.com/doc/2010-05-08/"
    assert [name for name, _ in chain.entities] == [
        "RoleDetailList", "RoleDetailList", "Policies", "UserDetailList", "GroupDetailList"]
    assert chain.entities[0][1].decode("utf-8").startswith("<member><RoleName>r\u00fc1<")
    assert chain.entities[0][1].endswith(b"</RolePolicyList></member>")
    assert chain.entities[1][1] == (
        b'<member><RoleName>r2</RoleName><AssumeRolePolicyDocument>{"a": "&lt;&amp;&gt;"}'
        b'</AssumeRolePolicyDocument></member>')
    assert chain.entities[4][1] == b"<member/>"
    # Pages parse as XML in the same namespace and carry what they should.
    first = ET.fromstring(chain.page(0, 2, "pxy1/c+2="))
    assert first.find(NS + GAAD + "Result/" + NS + "Marker").text == "pxy1/c+2="
    roles = first.findall(NS + GAAD + "Result/" + NS + "RoleDetailList/" + NS + "member")
    assert [r.find(NS + "RoleName").text for r in roles] == ["r\u00fc1", "r2"]
    assert roles[1].find(NS + "AssumeRolePolicyDocument").text == '{"a": "<&>"}'
    last = ET.fromstring(chain.page(2, 3, None))
    result = last.find(NS + GAAD + "Result")
    assert result.find(NS + "IsTruncated").text == "false"
    assert result.find(NS + "Marker") is None
    assert result.find(NS + "UserDetailList/" + NS + "member/" + NS + "UserName").text == \
        "\u00e9l\u00e8ve"
    assert len(result.findall(NS + "GroupDetailList/" + NS + "member")) == 1
    assert len(result.findall(NS + "RoleDetailList/" + NS + "member")) == 0


@pytest.mark.parametrize("doc", [
    b"",
    b"not xml",
    b"<GetAccountAuthorizationDetailsResponse><Unclosed>",
    b"<ListRolesResponse xmlns='x'><ListRolesResult/></ListRolesResponse>",
    b"<GetAccountAuthorizationDetailsResponse xmlns='x' xmlns:p='y'>"
    b"<GetAccountAuthorizationDetailsResult/></GetAccountAuthorizationDetailsResponse>",
])
def test_gaad_chain_refuses_what_it_cannot_page(doc):
    assert load_proxy_module().GaadChain.parse(doc) is None


# --- faults --------------------------------------------------------------------

def test_fault_throttle(moto, proxy):
    moto.reset()
    moto.client().create_role(RoleName="t", AssumeRolePolicyDocument=TRUST)
    proxy.fault("GetRole", "throttle")
    iam = proxy.client()
    with pytest.raises(ClientError) as err:
        iam.get_role(RoleName="t")
    assert err.value.response["Error"]["Code"] == "Throttling"
    assert err.value.response["Error"]["Message"] == "Rate exceeded"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert iam.get_role(RoleName="t")["Role"]["RoleName"] == "t"
    assert proxy.counts() == {"GetRole": 2, "_total": 2}
    assert proxy.upstream_counts() == {"GetRole": 1, "_total": 1}


def test_fault_status_applies_to_count_requests_of_any_action(moto, proxy):
    moto.reset()
    proxy.fault("*", "status", count=2, status=503)
    iam = proxy.client()
    for call in (iam.list_roles, iam.list_policies):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "ServiceFailure"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert iam.list_roles()["Roles"] == []
    assert proxy.counts() == {"ListRoles": 2, "ListPolicies": 1, "_total": 3}
    assert proxy.settings()["faults"] == []


def test_fault_status_default_is_503_and_custom_status(moto, proxy):
    proxy.fault("ListRoles", "status")
    proxy.fault("ListRoles", "status", status=500)
    assert raw(proxy.port, {"Action": "ListRoles"})[0] == 503
    status, _, body = raw(proxy.port, {"Action": "ListRoles"})
    assert status == 500 and error_code(body)[0] == "ServiceFailure"


def test_fault_status_with_iam_code_and_message(moto, proxy):
    moto.reset()
    msg = "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/new\""
    proxy.fault("ListRoles", "status", count=2, status=400, code="MalformedPolicyDocument",
                message=msg)
    iam = proxy.client()
    for _ in range(2):
        with pytest.raises(ClientError) as err:
            iam.list_roles()
        assert err.value.response["Error"]["Code"] == "MalformedPolicyDocument"
        assert err.value.response["Error"]["Message"] == msg
        assert err.value.response["Error"]["Type"] == "Sender"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert iam.list_roles()["Roles"] == []
    assert proxy.counts() == {"ListRoles": 3, "_total": 3}
    assert proxy.upstream_counts() == {"ListRoles": 1, "_total": 1}


def test_fault_drop_closes_without_answer(moto, proxy):
    moto.reset()
    proxy.fault("ListRoles", "drop")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        raw(proxy.port, {"Action": "ListRoles"})
    proxy.fault("ListRoles", "drop")
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        proxy.client().list_roles()
    assert proxy.client().list_roles()["Roles"] == []
    assert proxy.counts() == {"ListRoles": 3, "_total": 3}


def test_fault_denied_names_the_action(moto, proxy):
    proxy.fault("ListRoles", "denied")
    with pytest.raises(ClientError) as err:
        proxy.client().list_roles()
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "iam:ListRoles" in err.value.response["Error"]["Message"]


def test_fault_until_cleared_and_other_actions_untouched(moto, proxy):
    moto.reset()
    proxy.fault("GetRole", "throttle", count=-1)
    iam = proxy.client()
    for _ in range(3):
        with pytest.raises(ClientError):
            iam.get_role(RoleName="x")
        assert iam.list_roles()["Roles"] == []
    assert [f["action"] for f in proxy.settings()["faults"]] == ["GetRole"]
    proxy.clear_faults()
    with pytest.raises(ClientError) as err:
        iam.get_role(RoleName="x")
    assert err.value.response["Error"]["Code"] == "NoSuchEntity"
    assert proxy.counts() == {"GetRole": 4, "ListRoles": 3, "_total": 7}


def test_fault_on_a_gaad_page(moto, proxy, account):
    proxy.config(gaad_page_size=5)
    iam = proxy.client()
    first = iam.get_account_authorization_details()
    proxy.fault(GAAD, "throttle")
    with pytest.raises(ClientError):
        iam.get_account_authorization_details(Marker=first["Marker"])
    again = iam.get_account_authorization_details(Marker=first["Marker"])
    assert len(page_entities(again)) == 5
    assert proxy.counts() == {GAAD: 3, "_total": 3}


def raw_socket(port, params):
    """One signed request on a bare socket; returns every byte the proxy sent
    before it closed, or the exception the socket raised."""
    headers, body = signed(port, params)
    head = "POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in headers.items())
    head += "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head.encode() + body.encode())
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return got
                got += chunk
        except OSError as exc:
            return exc


def role_names(moto):
    return [r["RoleName"] for r in moto.client().list_roles()["Roles"]]


def create_role_params(name):
    return {"Action": "CreateRole", "RoleName": name, "AssumeRolePolicyDocument": TRUST}


@pytest.mark.parametrize("kind", ["throttle", "status", "drop", "reset", "truncate", "short"])
def test_fault_after_applies_the_call_then_faults_the_answer(moto, proxy, kind):
    moto.reset()
    proxy.fault("CreateRole", kind, when="after")
    got = raw_socket(proxy.port, create_role_params("applied"))
    assert role_names(moto) == ["applied"]
    assert proxy.upstream_counts()["CreateRole"] == 1
    if kind == "drop":
        assert got == b""
    elif kind == "reset":
        assert isinstance(got, ConnectionResetError) or got == b"", got
    else:
        assert got.startswith(b"HTTP/1.1 "), got
        head, _, body = got.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
        if kind == "truncate":
            assert 0 < len(body) < length and b"CreateRoleResponse" in body
        elif kind == "short":
            assert len(body) == length and b"CreateRoleResponse" in body
            assert not body.rstrip().endswith(b"</CreateRoleResponse>")
        else:
            assert b"<Code>" in body and b"CreateRoleResponse" not in body


@pytest.mark.parametrize("kind", ["throttle", "status", "drop", "reset", "truncate", "short"])
def test_fault_before_never_reaches_moto(moto, proxy, kind):
    moto.reset()
    proxy.fault("CreateRole", kind)
    got = raw_socket(proxy.port, create_role_params("never"))
    assert role_names(moto) == []
    assert "CreateRole" not in proxy.upstream_counts()
    if kind in ("truncate", "short"):
        head, _, body = got.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
        assert b"Throttling"[:3] in body or len(body) < length
        assert (len(body) < length) == (kind == "truncate")
    elif kind == "reset":
        assert isinstance(got, ConnectionResetError) or got == b"", got


def test_fault_truncate_and_short_keep(moto, proxy):
    proxy.fault("ListRoles", "short", when="after", keep=10)
    status, _, body = raw(proxy.port, {"Action": "ListRoles"})
    assert status == 200 and len(body) == 10
    proxy.fault("ListRoles", "truncate", when="after", keep=10)
    with pytest.raises(http.client.IncompleteRead):
        raw(proxy.port, {"Action": "ListRoles"})


@pytest.mark.parametrize("when", ["before", "after"])
def test_fault_delay_holds_then_answers(moto, proxy, when):
    moto.reset()
    proxy.fault("ListRoles", "delay", when=when, delay_ms=400)
    started = time.monotonic()
    status, _, body = raw(proxy.port, {"Action": "ListRoles"})
    assert status == 200 and b"ListRolesResponse" in body
    assert time.monotonic() - started >= 0.4
    assert proxy.upstream_counts()["ListRoles"] == 1


def test_fault_rewrite_body_and_pattern(moto, proxy):
    moto.reset()
    moto.client().create_role(RoleName="t", AssumeRolePolicyDocument=TRUST)
    proxy.fault("GetRole", "rewrite", body="<nonsense/>")
    status, _, body = raw(proxy.port, {"Action": "GetRole", "RoleName": "t"})
    assert status == 200 and body == b"<nonsense/>"
    proxy.fault("GetRole", "rewrite", pattern="<RoleName>t</RoleName>",
                replace="<RoleName>u</RoleName>")
    assert proxy.client().get_role(RoleName="t")["Role"]["RoleName"] == "u"
    assert proxy.upstream_counts()["GetRole"] == 2


def test_reset_clears_faults_and_offline(moto, proxy):
    proxy.fault("*", "drop", count=-1)
    proxy.offline(True)
    proxy.reset()
    settings = proxy.settings()
    assert settings["faults"] == [] and settings["offline"] is False
    assert raw(proxy.port, {"Action": "ListRoles"})[0] == 200


@pytest.mark.parametrize("path,body", [
    ("/_proxy/fault", {"action": "GetRole", "kind": "explode"}),
    ("/_proxy/fault", {"kind": "drop"}),
    ("/_proxy/fault", {"action": "GetRole", "kind": "drop", "count": 0}),
    ("/_proxy/fault", {"action": "GetRole", "kind": "status", "status": 99}),
    ("/_proxy/fault", {"action": "GetRole", "kind": "status", "code": 7}),
    ("/_proxy/fault", {"action": "GetRole", "kind": "drop", "when": "later"}),
    ("/_proxy/fault", {"action": "GetRole", "kind": "delay", "delay_ms": -5}),
    ("/_proxy/fault", {"action": "GetRole", "kind": "short", "keep": "half"}),
    ("/_proxy/fault", {"action": "GetRole", "kind": "rewrite"}),
    ("/_proxy/fault", {"action": "GetRole", "kind": "rewrite", "pattern": "("}),
    ("/_proxy/config", {"latency_ms": -1}),
    ("/_proxy/config", {"gaad_page_size": "ten"}),
    ("/_proxy/offline", {"offline": "yes"}),
    ("/_proxy/reset", [1]),
])
def test_control_rejects_bad_bodies(proxy, path, body):
    req = urllib.request.Request(proxy.url + path, data=json.dumps(body).encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 400
    assert json.loads(err.value.read())["error"]
    assert proxy.settings()["faults"] == []


def test_control_unknown_path_is_404(proxy):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(proxy.url + "/_proxy/nothing", timeout=10)
    assert err.value.code == 404
    assert proxy.counts() == {"_total": 0}


# --- offline, latency, connections ----------------------------------------------

def test_offline_drops_at_once_and_counts_separately(moto, proxy):
    moto.reset()
    proxy.config(latency_ms=2000)
    proxy.offline(True)
    started = time.monotonic()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        raw(proxy.port, {"Action": "ListRoles"})
    assert time.monotonic() - started < 1.0
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        proxy.client().get_role(RoleName="x")
    assert proxy.counts() == {"_dropped": 2, "_total": 0}
    proxy.offline(False)
    proxy.config(latency_ms=0)
    assert proxy.client().list_roles()["Roles"] == []
    assert proxy.counts() == {"ListRoles": 1, "_dropped": 2, "_total": 1}


def test_latency_is_added_to_forwarded_requests_only(moto, proxy):
    moto.reset()
    iam = proxy.client()
    iam.list_roles()  # warm the client up outside the measurement
    proxy.config(latency_ms=300)
    started = time.monotonic()
    iam.list_roles()
    slow = time.monotonic() - started
    assert 0.3 <= slow < 3.0
    started = time.monotonic()
    proxy.counts()
    assert time.monotonic() - started < 0.25
    # Faulted answers are delayed too, like a real slow endpoint.
    proxy.fault("ListRoles", "throttle")
    started = time.monotonic()
    with pytest.raises(ClientError):
        iam.list_roles()
    assert 0.3 <= time.monotonic() - started < 3.0


def test_latency_from_the_command_line(moto, tmp_path):
    proxy = rig.Proxy(moto.url, latency_ms=200).start(str(tmp_path))
    try:
        started = time.monotonic()
        assert raw(proxy.port, {"Action": "ListRoles"})[0] == 200
        assert 0.2 <= time.monotonic() - started < 3.0
        assert proxy.settings()["latency_ms"] == 200
    finally:
        proxy.stop()


def test_keep_alive_two_requests_on_one_connection(moto, proxy):
    moto.reset()
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    try:
        status, headers, body = raw(proxy.port, {"Action": "ListRoles"}, conn=conn)
        assert status == 200 and headers["connection"] == "keep-alive"
        assert int(headers["content-length"]) == len(body)
        sock = conn.sock
        assert sock is not None
        status, headers, _ = raw(proxy.port, {"Action": "ListPolicies"}, conn=conn)
        assert status == 200 and conn.sock is sock
    finally:
        conn.close()
    assert proxy.counts() == {"ListRoles": 1, "ListPolicies": 1, "_total": 2}


def test_no_nagle_stall_on_keep_alive(proxy):
    """Many small answers on one connection: none waits for a delayed ACK
    (~40 ms), which would happen if headers and body went out in two writes
    without TCP_NODELAY."""
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    times = []
    try:
        for _ in range(30):
            started = time.monotonic()
            conn.request("POST", "/_proxy/config", body=b'{"latency_ms": 0}',
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            assert resp.status == 200 and resp.read() == b'{"ok": true}'
            times.append(time.monotonic() - started)
    finally:
        conn.close()
    assert statistics.median(times) < 0.02


def test_client_asking_close_gets_close(moto, proxy):
    headers, body = signed(proxy.port, {"Action": "ListRoles"})
    headers["Connection"] = "close"
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200 and resp.getheader("Connection") == "close"
    finally:
        conn.close()


# --- signatures, process life ---------------------------------------------------

def test_signature_checked_moto_accepts_requests_signed_for_the_proxy(moto_auth, tmp_path):
    server, (key, secret) = moto_auth
    proxy = rig.Proxy(server.url, gaad_page_size=2).start(str(tmp_path))
    try:
        iam = proxy.client(key=key, secret=secret)
        iam.create_role(RoleName="signed", AssumeRolePolicyDocument=TRUST)
        assert iam.get_role(RoleName="signed")["Role"]["RoleName"] == "signed"
        assert any(page_entities(p) for p in collect_gaad(iam))
        with pytest.raises(ClientError) as err:
            proxy.client(key=key, secret="wrong" + secret).list_roles()
        assert err.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
        assert proxy.counts()["CreateRole"] == 1 and proxy.counts()["ListRoles"] == 1
    finally:
        proxy.stop()


def test_runs_in_the_moto_python_and_stops_cleanly(moto, tmp_path):
    proxy = rig.Proxy(moto.url, python=rig.moto_python()).start(str(tmp_path))
    try:
        assert raw(proxy.port, {"Action": "ListRoles"})[0] == 200
        assert proxy.counts() == {"ListRoles": 1, "_total": 1}
        # An idle keep-alive connection must not hold up shutdown.
        idle = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        idle.request("GET", "/_proxy/counts")
        idle.getresponse().read()
        started = time.monotonic()
        proxy.stop()
        assert proxy.proc.returncode == 0
        assert time.monotonic() - started < 5.0
        idle.close()
    finally:
        proxy.stop()
    with open(proxy.log_path) as f:
        assert f.read().startswith("listening on %d\n" % proxy.port)


def test_stops_cleanly_on_sigint(moto, tmp_path):
    import signal
    proxy = rig.Proxy(moto.url).start(str(tmp_path))
    try:
        proxy.proc.send_signal(signal.SIGINT)
        assert proxy.proc.wait(timeout=10) == 0
    finally:
        proxy.stop()


def test_expect_100_continue_is_answered_and_not_forwarded(moto, proxy):
    moto.reset()
    headers, body = signed(proxy.port, {"Action": "ListRoles"})
    headers["Expect"] = "100-continue"
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        head = "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % proxy.port + "".join(
            "%s: %s\r\n" % kv for kv in headers.items()) + "Content-Length: %d\r\n\r\n" % len(body)
        s.sendall(head.encode())
        f = s.makefile("rb")
        assert f.readline().startswith(b"HTTP/1.1 100 ")
        assert f.readline() == b"\r\n"
        s.sendall(body.encode())
        status = f.readline()
        lines = iter(f.readline, b"\r\n")
        length = [int(v) for k, _, v in (ln.partition(b":") for ln in lines)
                  if k.lower() == b"content-length"][0]
        assert status.startswith(b"HTTP/1.1 200 "), status + f.read(length)
    assert proxy.counts() == {"ListRoles": 1, "_total": 1}


def test_chunked_request_body_is_refused(proxy):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    try:
        conn.request("POST", "/", body=iter([b"Action=ListRoles"]),
                     headers={"Transfer-Encoding": "chunked"})
        resp = conn.getresponse()
        assert resp.status == 411 and b"chunked" in resp.read()
        assert resp.getheader("Connection") == "close"
    finally:
        conn.close()
    assert proxy.counts() == {"_total": 0}


class Recorder:
    """A tiny upstream that records each request and answers like moto does
    (Connection: close), to check exactly what the proxy forwards."""

    def __init__(self):
        import http.server
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen.append((self.command, self.path, dict(self.headers), body))
                out = b"<Echo>%d</Echo>" % len(body)
                self.send_response(207)
                self.send_header("Content-Type", "text/xml")
                self.send_header("X-Upstream", "yes")
                self.send_header("Content-Length", str(len(out)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def test_forwarding_is_faithful(tmp_path):
    upstream = Recorder()
    proxy = None
    try:
        proxy = rig.Proxy(upstream.url).start(str(tmp_path))
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        body = b"Action=PutRolePolicy&PolicyDocument=%7B%22a%22%3A1%7D&X=" + b"y" * 5000
        conn.request("POST", "/some/path?q=1&r=%20", body=body, headers={
            "Host": "iam.example.test:4443", "Content-Type": "application/x-www-form-urlencoded",
            "X-Amz-Date": "20260101T000000Z", "Authorization": "AWS4-HMAC-SHA256 opaque",
            "Connection": "keep-alive, X-Hop", "X-Hop": "1", "Keep-Alive": "timeout=5",
            "Proxy-Authorization": "Basic secret", "X-Custom": "kept"})
        resp = conn.getresponse()
        data = resp.read()
        assert resp.status == 207 and data == b"<Echo>%d</Echo>" % len(body)
        assert resp.getheader("X-Upstream") == "yes"
        assert resp.getheader("Connection") == "keep-alive"
        assert resp.getheader("Content-Length") == str(len(data))
        conn.request("GET", "/?Action=ListRoles", headers={"Host": "h"})
        assert conn.getresponse().read() == b"<Echo>0</Echo>"
        conn.close()
        (method, path, headers, got), (method2, path2, headers2, _) = upstream.seen
        assert (method, path, got) == ("POST", "/some/path?q=1&r=%20", body)
        assert headers["Host"] == "iam.example.test:4443"
        assert headers["Authorization"] == "AWS4-HMAC-SHA256 opaque"
        assert headers["X-Amz-Date"] == "20260101T000000Z"
        assert headers["X-Custom"] == "kept"
        assert headers["Content-Length"] == str(len(body))
        for hop in ("Connection", "X-Hop", "Keep-Alive", "Proxy-Authorization", "Expect"):
            assert hop not in headers
        assert (method2, path2, headers2["Host"]) == ("GET", "/?Action=ListRoles", "h")
        assert proxy.counts() == {"PutRolePolicy": 1, "ListRoles": 1, "_total": 2}
    finally:
        if proxy:
            proxy.stop()
        upstream.stop()
