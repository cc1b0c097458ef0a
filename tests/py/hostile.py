"""A small hostile IAM/STS peer for the suites (stdlib only).

It answers GetCallerIdentity, ListRoles and GetAccountAuthorizationDetails with
canned XML built from its attributes, pages GAAD and ListRoles at `page` roles
an answer, counts calls by Action, and can be told to misbehave per action:

  "no_marker"  IsTruncated=true without a Marker
  "repeat"     IsTruncated=true with the same Marker on every page
  "tiny"       an answer of `tiny_bytes` bytes of empty <member/> elements

Runs in a thread of the test process; stop() closes it (bounded).
"""
import http.server
import threading
import urllib.parse
from xml.sax.saxutils import escape

TRUST = ('%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect'
         '%22%3A%20%22Allow%22%2C%20%22Principal%22%3A%20%7B%22Service%22%3A%20%22lambda.'
         'amazonaws.com%22%7D%2C%20%22Action%22%3A%20%22sts%3AAssumeRole%22%7D%5D%7D')
INLINE = ('%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect'
          '%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22s3%3AGetObject%22%2C%20%22Resource'
          '%22%3A%20%22%2A%22%7D%5D%7D')
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


def role_xml(name, path="/", inline=(), account="123456789012"):
    pols = "".join("<member><PolicyName>%s</PolicyName><PolicyDocument>%s</PolicyDocument>"
                   "</member>" % (escape(p), INLINE) for p in inline)
    return ("<member><Path>%s</Path><RoleName>%s</RoleName><RoleId>AROA%012d</RoleId>"
            "<Arn>arn:aws:iam::%s:role%s%s</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate>"
            "<AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument>"
            "<RolePolicyList>%s</RolePolicyList><AttachedManagedPolicies/><Tags/>"
            "<MaxSessionDuration>3600</MaxSessionDuration></member>"
            % (escape(path), escape(name), abs(hash(name)) % 10 ** 12, account, escape(path),
               escape(name), TRUST, pols))


class Hostile:
    def __init__(self):
        self.account = "123456789012"
        self.caller_arn = "arn:aws:sts::123456789012:user/hostile"
        self.roles = [{"name": "role-%02d" % i} for i in range(12)]
        self.page = 4
        self.mode = {}  # action -> misbehaviour
        self.tiny_bytes = 60 << 20
        self.calls = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)
                body = outer.answer({k: v[0] for k, v in form.items()})
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def count(self, action):
        with self.lock:
            return self.calls.get(action, 0)

    def answer(self, form):
        action = form.get("Action", "")
        with self.lock:
            self.calls[action] = self.calls.get(action, 0) + 1
        if action == "GetCallerIdentity":
            return ("<GetCallerIdentityResponse><GetCallerIdentityResult><UserId>AIDAHOSTILE"
                    "</UserId><Account>%s</Account><Arn>%s</Arn></GetCallerIdentityResult>"
                    "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
                    "</GetCallerIdentityResponse>"
                    % (escape(self.account), escape(self.caller_arn))).encode()
        if action in ("ListRoles", "GetAccountAuthorizationDetails"):
            return self.listing(action, form.get("Marker"))
        return ("<ErrorResponse><Error><Code>InvalidAction</Code><Message>%s</Message></Error>"
                "</ErrorResponse>" % escape(action)).encode()

    def listing(self, action, marker):
        mode = self.mode.get(action)
        key = "Roles" if action == "ListRoles" else "RoleDetailList"
        if mode == "tiny":
            head = "<%sResponse xmlns=\"%s\"><%sResult><%s>" % (action, IAM_NS, action, key)
            tail = "</%s><IsTruncated>false</IsTruncated></%sResult></%sResponse>" % (
                key, action, action)
            n = (self.tiny_bytes - len(head) - len(tail)) // 9
            return (head + "<member/>" * n + tail).encode()
        start = int(marker) if marker and marker.isdigit() else 0
        chunk = self.roles[start:start + self.page]
        more = start + self.page < len(self.roles)
        items = "".join(role_xml(r["name"], r.get("path", "/"), r.get("inline", ()),
                                 self.account) for r in chunk)
        if mode == "no_marker" and more:
            paging = "<IsTruncated>true</IsTruncated>"
        elif mode == "repeat":
            paging = "<IsTruncated>true</IsTruncated><Marker>%d</Marker>" % self.page
        elif more:
            paging = "<IsTruncated>true</IsTruncated><Marker>%d</Marker>" % (start + self.page)
        else:
            paging = "<IsTruncated>false</IsTruncated>"
        extra = "<Policies/>" if action == "GetAccountAuthorizationDetails" else ""
        return ("<%sResponse xmlns=\"%s\"><%sResult><%s>%s</%s>%s%s</%sResult>"
                "<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></%sResponse>"
                % (action, IAM_NS, action, key, items, key, extra, paging, action,
                   action)).encode()
