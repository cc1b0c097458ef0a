#!/usr/bin/env python3
"""Test proxy in front of moto: forwards IAM requests, counts them per Action (the
operation of X-Amz-Target for JSON-protocol calls such as Organizations), adds
latency, injects faults and pages GetAccountAuthorizationDetails (moto ignores
MaxItems; this proxy asks moto once per Marker chain and serves pages
from that one answer). Standard library only, so it runs in any Python 3.

Usage: proxy.py --upstream http://127.0.0.1:MOTOPORT --port P [--latency-ms N]
                [--gaad-page-size N] [--upstream-timeout S] [--log-requests]

Control paths (JSON in and out; never delayed, counted or faulted):
  GET  /_proxy/counts           {"Action": n, ..., "_total": n}: every request a client
                                sent past the proxy while online (faulted, paged, failed
                                ones too), plus "_dropped": n once offline dropped any
                                (those are in neither an Action nor "_total")
  GET  /_proxy/upstream-counts  the same for requests the proxy sent to the upstream
  GET  /_proxy/times            [{"action", "arrived", "answered"}, ...]: the last 10000
                                requests past the proxy while online, in the order they
                                were answered, with the proxy's monotonic clock (seconds)
                                when each arrived and when its answer was written
  GET  /_proxy/config           {"latency_ms", "gaad_page_size", "offline", "faults", "chains"}
  GET  /_proxy/keys             {"ACCESS KEY ID": {"Action": n, ..., "_first": t, "_last": t}}:
                                the requests each signing key sent (one key per account
                                with assumed credentials), with the monotonic seconds the
                                first began and the last ended
  POST /_proxy/reset            zero counts, clear faults, offline off (config stays)
  POST /_proxy/config           {"latency_ms": N, "gaad_page_size": N}, either optional
  POST /_proxy/fault            {"action": "GetRole" | "*", "kind": KIND, "count": N (-1: until
                                cleared), "when": "before" | "after", and per kind "status",
                                "code"/"message", "delay_ms", "keep", "body",
                                "pattern"/"replace", and for any kind "key" (only requests
                                signed with that access key id) and "match" (only requests
                                whose URL-decoded body matches that regex)}
  POST /_proxy/clear-faults
  POST /_proxy/offline          {"offline": true | false}
Fault kinds: throttle (400 Throttling), status (an error answer with "status",
default 503, and IAM's "code" and "message", default ServiceFailure and a note
naming the proxy: {"kind": "status", "status": 400, "code":
"MalformedPolicyDocument", "message": "Invalid principal in policy: ..."} is
IAM refusing a call; a status below 500 is a Sender error), denied (403 AccessDenied), drop (the connection is closed with no
answer), reset (TCP RST: SO_LINGER 0), delay (the answer is held "delay_ms",
default 500, then sent), truncate (headers with the full Content-Length, then
only "keep" bytes of the body, default half, then close), short (a complete
answer whose body is cut to "keep" bytes, Content-Length matching), rewrite (the
upstream answer's body replaced by "body", or "pattern" replaced by "replace"
with re.sub). "when": "before" (default) answers without reaching moto (truncate
and short then cut a Throttling answer; delay holds the request before
forwarding it); "after" forwards the request, moto applies it, and then the
fault is applied to moto's answer: the client loses or gets a cut or wrong
answer to a call that did happen. rewrite always forwards.
Faults queue in order; a request takes the first one that matches it. GAAD Markers
look like "pxy1/CHAIN+OFFSET=" (like AWS's base64 ones, they need URL-encoding
in a form: a client that forgets gets a ValidationError); the last 4 chains are kept. tests/py/rig.py (Proxy)
wraps all of this.
"""
import argparse
import collections
import http.client
import http.server
import json
import re
import secrets
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

from proxy_gaad import GAAD, GaadChain, request_id

# Marker of the page at OFFSET of chain CHAIN; "/", "+" and "=" as in AWS's markers.
MARKER_FORMAT = "pxy1/%s+%d="
MARKER_RE = re.compile(r"pxy1/([0-9a-f]{16})\+([1-9][0-9]{0,9})=\Z")
MAX_CHAINS = 4
MAX_TIMES = 10000
MAX_BODY = 32 << 20
CONNECT_TIMEOUT = 3.0  # seconds; the upstream is on this machine
DEFAULT_PAGE_SIZE = 1000
FAULT_KINDS = ("throttle", "status", "drop", "denied", "reset", "delay", "truncate", "short",
               "rewrite")
FAULT_WHEN = ("before", "after")
# Headers that belong to one connection, never forwarded (RFC 9110 7.6.1), plus
# the ones this proxy recomputes or has already acted on.
HOP_BY_HOP = frozenset((
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "trailers", "transfer-encoding", "upgrade", "proxy-connection", "expect", "content-length",
))


def error_xml(code, message, sender=True):
    """An IAM Query-protocol ErrorResponse, as IAM and moto write it."""
    ns = "https://iam.amazonaws.com/doc/2010-05-08/"
    root = ET.Element("ErrorResponse", xmlns=ns)
    err = ET.SubElement(root, "Error")
    ET.SubElement(err, "Type").text = "Sender" if sender else "Receiver"
    ET.SubElement(err, "Code").text = code
    ET.SubElement(err, "Message").text = message
    ET.SubElement(root, "RequestId").text = request_id()
    return ET.tostring(root, encoding="unicode").encode("utf-8")


def target_action(headers):
    """The operation of a JSON-protocol request (X-Amz-Target: "Service.Operation"), or ""."""
    return (headers.get("X-Amz-Target") or "").rpartition(".")[2]


def signing_key(headers):
    """The access key id of a SigV4 Authorization header, or None."""
    match = re.search(r"Credential=([A-Za-z0-9]+)/", headers.get("Authorization") or "")
    return match.group(1) if match else None


def form_params(headers, path, body):
    """The request's parameters: the form body when it is one, else the query."""
    ctype = (headers.get("Content-Type") or "").lower()
    if body and ctype.startswith("application/x-www-form-urlencoded"):
        text = body.decode("utf-8", "replace")
    else:
        text = urllib.parse.urlsplit(path).query
    return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))


class State:
    """Everything the control paths change; one lock, never held across I/O."""

    def __init__(self, latency_ms, page_size):
        self.lock = threading.Lock()
        self.latency_ms = latency_ms
        self.page_size = page_size
        self.offline = False
        self.faults = []  # dicts: action, kind, count (-1 = forever), status
        self.counts = collections.Counter()
        self.upstream = collections.Counter()
        self.dropped = 0
        self.chains = collections.OrderedDict()  # chain id -> GaadChain, LRU order
        self.times = collections.deque(maxlen=MAX_TIMES)  # see /_proxy/times
        self.keys = {}  # access key id -> {"Action": n, "_first": t, "_last": t}

    def admit(self, action, key=None, text=""):
        """Counts one forwarded request and takes the fault it meets, if any.
        Returns (offline, latency_ms, fault or None, page size)."""
        with self.lock:
            if self.offline:
                self.dropped += 1
                return True, 0, None, self.page_size
            self.counts["_total"] += 1
            if action:
                self.counts[action] += 1
            if key:
                rec = self.keys.setdefault(key, {"_first": time.monotonic()})
                rec[action] = rec.get(action, 0) + 1
            return (False, self.latency_ms, self._take_fault(action, key, text),
                    self.page_size)

    def key_done(self, key):
        with self.lock:
            if key in self.keys:
                self.keys[key]["_last"] = time.monotonic()

    def _take_fault(self, action, key=None, text=""):
        for i, fault in enumerate(self.faults):
            if fault["action"] not in ("*", action):
                continue
            if fault.get("key") and fault["key"] != key:
                continue
            if fault.get("match") and not re.search(fault["match"], text):
                continue
            if fault["count"] > 0:
                fault["count"] -= 1
                if fault["count"] == 0:
                    del self.faults[i]
            return dict(fault)
        return None

    def count_upstream(self, action):
        with self.lock:
            self.upstream["_total"] += 1
            if action:
                self.upstream[action] += 1

    def snapshot(self, which):
        with self.lock:
            if which == "upstream":
                out = dict(self.upstream)
            else:
                out = dict(self.counts)
                if self.dropped:
                    out["_dropped"] = self.dropped
            out.setdefault("_total", 0)
            return out

    def record_time(self, action, arrived):
        with self.lock:
            self.times.append({"action": action, "arrived": arrived,
                               "answered": time.monotonic()})

    def times_view(self):
        with self.lock:
            return list(self.times)

    def config_view(self):
        with self.lock:
            return {"latency_ms": self.latency_ms, "gaad_page_size": self.page_size,
                    "offline": self.offline, "faults": [dict(f) for f in self.faults],
                    "chains": len(self.chains)}

    def reset(self):
        with self.lock:
            self.counts.clear()
            self.upstream.clear()
            self.dropped = 0
            self.times.clear()
            self.faults.clear()
            self.offline = False
            self.keys.clear()

    def store_chain(self, chain):
        cid = secrets.token_hex(8)
        with self.lock:
            self.chains[cid] = chain
            while len(self.chains) > MAX_CHAINS:
                self.chains.popitem(last=False)
        return cid

    def find_chain(self, marker):
        """Returns (chain id, chain, offset) for one of our markers, else None."""
        match = MARKER_RE.match(marker)
        if match is None:
            return None
        cid, offset = match.group(1), int(match.group(2))
        with self.lock:
            chain = self.chains.get(cid)
            if chain is None:
                return None
            self.chains.move_to_end(cid)
        if offset >= len(chain.entities):
            return None
        return cid, chain, offset


def parse_int(value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError("expected an integer in [%d, %d], got %r" % (lo, hi, value))
    return value


def gaad_page_size(params, configured):
    """min(MaxItems, configured), or None when MaxItems is not in [1, 1000]."""
    text = params.get("MaxItems", "1000")
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        return None
    return min(int(text), configured)


def apply_config(state, body):
    latency = body.get("latency_ms")
    size = body.get("gaad_page_size")
    latency = None if latency is None else parse_int(latency, 0, 600000)
    size = None if size is None else parse_int(size, 1, 1 << 30)
    with state.lock:
        if latency is not None:
            state.latency_ms = latency
        if size is not None:
            state.page_size = size


def add_fault(state, body):
    action = body.get("action")
    if not isinstance(action, str) or not action:
        raise ValueError("fault needs an action (an IAM Action name or \"*\")")
    kind = body.get("kind")
    if kind not in FAULT_KINDS:
        raise ValueError("fault kind must be one of %s" % ", ".join(FAULT_KINDS))
    count = parse_int(body.get("count", 1), -1, 1 << 30)
    if count == 0:
        raise ValueError("count must be -1 (until cleared) or at least 1")
    status = body.get("status")
    status = 503 if status is None else parse_int(status, 100, 599)
    when = body.get("when", "before")
    if when not in FAULT_WHEN:
        raise ValueError("when must be one of %s" % ", ".join(FAULT_WHEN))
    if kind == "rewrite":
        when = "after"
    fault = {"action": action, "kind": kind, "count": count, "status": status, "when": when}
    fault.update(fault_extras(kind, body))
    for name in ("key", "match"):
        if body.get(name) is not None:
            if not isinstance(body[name], str):
                raise ValueError("%s must be a string" % name)
            fault[name] = body[name]
    if fault.get("match"):
        try:
            re.compile(fault["match"])
        except re.error as exc:
            raise ValueError("bad match: %s" % exc)
    with state.lock:
        state.faults.append(fault)


def fault_extras(kind, body):
    """The settings of the kinds that take some, checked."""
    out = {}
    if kind == "status":
        for key in ("code", "message"):
            if not isinstance(body.get(key, ""), str):
                raise ValueError("%s must be a string" % key)
        out["code"], out["message"] = body.get("code") or None, body.get("message")
    if kind == "delay":
        out["delay_ms"] = parse_int(body.get("delay_ms", 500), 0, 600000)
    if kind in ("truncate", "short"):
        keep = body.get("keep")
        out["keep"] = None if keep is None else parse_int(keep, 0, MAX_BODY)
    if kind == "rewrite":
        text, pattern = body.get("body"), body.get("pattern")
        if (text is None) == (pattern is None):
            raise ValueError("rewrite needs either body or pattern (with replace)")
        if text is not None and not isinstance(text, str):
            raise ValueError("body must be a string")
        if pattern is not None:
            if not isinstance(pattern, str) or not isinstance(body.get("replace", ""), str):
                raise ValueError("pattern and replace must be strings")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError("bad pattern: %s" % exc)
            out["pattern"], out["replace"] = pattern, body.get("replace", "")
        else:
            out["body"] = text
    return out


def set_offline(state, body):
    offline = body.get("offline")
    if not isinstance(offline, bool):
        raise ValueError("offline must be true or false")
    with state.lock:
        state.offline = offline


def clear_faults(state, _body):
    with state.lock:
        state.faults.clear()


CONTROL_POST = {
    "/_proxy/reset": lambda state, _body: state.reset(),
    "/_proxy/config": apply_config,
    "/_proxy/fault": add_fault,
    "/_proxy/clear-faults": clear_faults,
    "/_proxy/offline": set_offline,
}


class Handler(http.server.BaseHTTPRequestHandler):
    """One thread per client connection, HTTP/1.1 keep-alive. Every answer is
    written with one sendall (headers and body together) on a TCP_NODELAY
    socket, so neither Nagle nor delayed ACKs add latency."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 300  # an idle keep-alive connection is closed after this

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, fmt, *args):
        sys.stderr.write("proxy: %s %s\n" % (self.address_string(), fmt % args))

    def dispatch(self):
        body = self.read_body()
        if body is None:
            return
        if urllib.parse.urlsplit(self.path).path.startswith("/_proxy/"):
            self.control(body)
        else:
            self.proxied(body)

    def read_body(self):
        """The request body, or None after answering a request we cannot take."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self.send_text(411, "proxy: chunked request bodies are not supported\n")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self.send_text(413, "proxy: bad or too large Content-Length\n")
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            self.close_connection = True
            return None
        return body

    def send_bytes(self, status, headers, body):
        """Writes one whole answer in one write. headers: list of (name, value)."""
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Status"
        lines = ["HTTP/1.1 %d %s" % (status, reason)]
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                lines.append("%s: %s" % (name, value))
        lines.append("Content-Length: %d" % len(body))
        lines.append("Connection: %s" % ("close" if self.close_connection else "keep-alive"))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if self.command == "HEAD":
            body = b""
        try:
            self.wfile.write(head + body)
        except OSError:
            self.close_connection = True

    def send_text(self, status, text):
        self.send_bytes(status, [("Content-Type", "text/plain; charset=utf-8")],
                        text.encode("utf-8"))

    def send_json(self, status, obj):
        self.send_bytes(status, [("Content-Type", "application/json")],
                        json.dumps(obj, sort_keys=True).encode("utf-8"))

    def send_xml(self, status, data):
        self.send_bytes(status, [("Content-Type", "text/xml"),
                                 ("x-amzn-RequestId", request_id())], data)

    def control(self, body):
        state = self.server.state
        path = urllib.parse.urlsplit(self.path).path
        if self.command == "GET" and path == "/_proxy/counts":
            return self.send_json(200, state.snapshot("client"))
        if self.command == "GET" and path == "/_proxy/upstream-counts":
            return self.send_json(200, state.snapshot("upstream"))
        if self.command == "GET" and path == "/_proxy/times":
            return self.send_json(200, state.times_view())
        if self.command == "GET" and path == "/_proxy/config":
            return self.send_json(200, state.config_view())
        if self.command == "GET" and path == "/_proxy/keys":
            with state.lock:
                keys = {k: dict(v) for k, v in state.keys.items()}
            return self.send_json(200, keys)
        op = CONTROL_POST.get(path)
        if op is None or self.command != "POST":
            return self.send_json(404, {"error": "no control path %s %s" % (self.command, path)})
        try:
            args = json.loads(body.decode("utf-8")) if body.strip() else {}
            if not isinstance(args, dict):
                raise ValueError("body must be a JSON object")
            op(state, args)
        except ValueError as exc:
            return self.send_json(400, {"error": str(exc)})
        self.send_json(200, {"ok": True})

    def proxied(self, body):
        params = form_params(self.headers, self.path, body)
        action = params.get("Action") or target_action(self.headers)
        arrived = time.monotonic()
        key = signing_key(self.headers)
        text = urllib.parse.unquote_plus(body.decode("utf-8", "replace"))
        offline, latency_ms, fault, page_size = self.server.state.admit(action, key, text)
        if offline:
            self.drop()
            return
        if latency_ms:
            time.sleep(latency_ms / 1000.0)
        started = time.monotonic()
        if fault is not None and fault["when"] == "after":
            status = self.fault_after(fault, body, action)
        elif fault is not None:
            status = self.answer_fault(fault, body, action)
        elif action == GAAD:
            status = self.gaad(body, params, page_size)
        else:
            status = self.relay(body, action)
        self.server.state.record_time(action, arrived)
        self.server.state.key_done(key)
        if self.server.log_requests:
            self.log_message("%s %s -> %s in %.1f ms (+%d ms latency)", self.command,
                             action or self.path, status,
                             (time.monotonic() - started) * 1000, latency_ms)

    def drop(self):
        """Closes the connection without an answer (the client sees EOF)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def reset(self):
        """Aborts the connection with a TCP RST (SO_LINGER on, timeout 0)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def send_cut(self, status, headers, data, fault):
        """truncate: the full Content-Length, part of the body, then close. short:
        a complete answer of the body cut short."""
        keep = fault.get("keep")
        keep = len(data) // 2 if keep is None else min(keep, len(data))
        if fault["kind"] == "short":
            self.send_bytes(status, headers, data[:keep])
            return "short %d" % status
        self.close_connection = True
        lines = ["HTTP/1.1 %d %s" % (status, http.HTTPStatus(status).phrase)]
        lines += ["%s: %s" % (n, v) for n, v in headers if n.lower() not in HOP_BY_HOP]
        lines += ["Content-Length: %d" % len(data), "Connection: close"]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        try:
            self.wfile.write(head + data[:keep])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return "truncated %d" % status

    def fault_after(self, fault, body, action):
        """Forwards the request (moto applies it), then faults moto's answer."""
        kind = fault["kind"]
        if kind == "delay":
            status, headers, data = self.upstream(body, action)
            time.sleep(fault["delay_ms"] / 1000.0)
            self.send_bytes(status, headers, data)
            return status
        if kind in ("truncate", "short", "rewrite"):
            status, headers, data = self.upstream(body, action)
            if kind == "rewrite":
                data = rewrite_body(fault, data)
                self.send_bytes(status, headers, data)
                return "rewritten %d" % status
            return self.send_cut(status, headers, data, fault)
        self.upstream(body, action)
        return self.answer_fault(fault, body, action)

    def answer_fault(self, fault, body, action):
        kind = fault["kind"]
        if kind == "drop":
            self.drop()
            return "dropped"
        if kind == "reset":
            self.reset()
            return "reset"
        if kind == "delay":
            time.sleep(fault["delay_ms"] / 1000.0)
            return self.relay(body, action)
        if kind in ("truncate", "short"):
            return self.send_cut(400, [("Content-Type", "text/xml"),
                                       ("x-amzn-RequestId", request_id())],
                                 error_xml("Throttling", "Rate exceeded"), fault)
        if kind == "throttle":
            self.send_xml(400, error_xml("Throttling", "Rate exceeded"))
            return 400
        if kind == "denied":
            msg = ("User: arn:aws:iam::123456789012:user/proxy is not authorized to perform: "
                   "iam:%s (denied by the test proxy)" % (action or "*"))
            self.send_xml(403, error_xml("AccessDenied", msg))
            return 403
        msg = fault["message"]
        if msg is None:
            msg = "The test proxy injected a service failure (HTTP %d)" % fault["status"]
        self.send_xml(fault["status"], error_xml(fault["code"] or "ServiceFailure", msg,
                                                 sender=fault["status"] < 500))
        return fault["status"]

    def upstream(self, body, action):
        """Sends this request to moto on a fresh connection. Returns (status,
        headers, body); an upstream failure becomes a 502 answer."""
        host, port, timeout = self.server.upstream_addr
        target = self.path
        if not target.startswith("/"):
            parts = urllib.parse.urlsplit(target)
            target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        self.server.state.count_upstream(action)
        conn = http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT)
        try:
            conn.connect()
            conn.sock.settimeout(timeout)
            conn.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            dropped = {t.strip().lower() for t in (self.headers.get("Connection") or "").split(",")}
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP and name.lower() not in dropped:
                    conn.putheader(name, value)
            if "Host" not in self.headers:
                conn.putheader("Host", "%s:%d" % (host, port))
            if body or self.command in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        except (OSError, http.client.HTTPException) as exc:
            text = "proxy: upstream %s:%d failed for %s %s: %s: %s\n" % (
                host, port, self.command, action or target, type(exc).__name__, exc)
            return 502, [("Content-Type", "text/plain; charset=utf-8")], text.encode("utf-8")
        finally:
            conn.close()

    def relay(self, body, action):
        status, headers, data = self.upstream(body, action)
        self.send_bytes(status, headers, data)
        return status

    def gaad(self, body, params, page_size):
        """Pages GAAD: the first request (no Marker) asks moto for everything and
        keeps it as a chain; requests with our Marker are served from the chain."""
        state = self.server.state
        size = gaad_page_size(params, page_size)
        if size is None:
            self.send_xml(400, error_xml("ValidationError",
                                         "MaxItems must be an integer between 1 and 1000"))
            return 400
        marker = params.get("Marker")
        if marker is not None:
            found = state.find_chain(marker)
            if found is None:
                self.send_xml(400, error_xml("ValidationError", "Invalid Marker: %s" % marker))
                return 400
            cid, chain, offset = found
        else:
            started = time.monotonic()
            status, headers, data = self.upstream(body, GAAD)
            asked = time.monotonic()
            chain = GaadChain.parse(data) if status == 200 else None
            if chain is None:
                self.send_bytes(status, headers, data)
                return status
            cid, offset = state.store_chain(chain), 0
            if self.server.log_requests:
                self.log_message("GAAD chain %s: %d entities, %d bytes; upstream %.1f ms, "
                                 "parse %.1f ms", cid, len(chain.entities), len(data),
                                 (asked - started) * 1000, (time.monotonic() - asked) * 1000)
        end = offset + size
        nxt = MARKER_FORMAT % (cid, end) if end < len(chain.entities) else None
        self.send_xml(200, chain.page(offset, size, nxt))
        return 200


def rewrite_body(fault, data):
    if "body" in fault:
        return fault["body"].encode("utf-8")
    text = data.decode("utf-8", "replace")
    return re.sub(fault["pattern"], fault["replace"], text).encode("utf-8")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, state, upstream_addr, log_requests):
        self.state = state
        self.upstream_addr = upstream_addr
        self.log_requests = log_requests
        super().__init__(addr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS lookup; skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        sys.stderr.write("proxy: connection %s: %s: %s\n" % (
            client_address, type(exc).__name__, exc))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--upstream", required=True, help="moto's URL, http://127.0.0.1:PORT")
    p.add_argument("--port", type=int, required=True, help="port to listen on (0: any)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--gaad-page-size", type=int, default=DEFAULT_PAGE_SIZE)
    p.add_argument("--upstream-timeout", type=float, default=60.0,
                   help="seconds an upstream answer may pause (a 5,000-role GAAD is slow)")
    p.add_argument("--log-requests", action="store_true", help="one stderr line per request")
    args = p.parse_args(argv)
    url = urllib.parse.urlsplit(args.upstream)
    if url.scheme != "http" or not url.hostname:
        p.error("--upstream must be http://HOST:PORT")
    if args.latency_ms < 0 or args.gaad_page_size < 1:
        p.error("--latency-ms must be >= 0 and --gaad-page-size >= 1")
    args.upstream_addr = (url.hostname, url.port or 80, args.upstream_timeout)
    return args


def main(argv=None):
    args = parse_args(argv)
    state = State(args.latency_ms, args.gaad_page_size)
    server = Server((args.host, args.port), state, args.upstream_addr, args.log_requests)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.start()
    print("listening on %d" % server.server_address[1], flush=True)
    while not stop.wait(1.0):
        pass
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
