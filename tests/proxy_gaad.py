"""GAAD paging for tests/proxy.py: moto answers GetAccountAuthorizationDetails
whole; the proxy cuts that one answer into entities (GaadScan, with expat, so
each entity stays moto's own bytes) and serves pages of it (GaadChain)."""

import secrets
import xml.parsers.expat
from xml.sax.saxutils import escape, quoteattr

GAAD = "GetAccountAuthorizationDetails"
# The four lists of a GAAD answer, in the order entities are paged (roles first).
GAAD_LISTS = ("RoleDetailList", "Policies", "UserDetailList", "GroupDetailList")
# The order the lists are written in a page, as AWS writes them.
GAAD_LIST_ORDER = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def request_id():
    return secrets.token_hex(16)



class GaadScan:
    """Finds where each entity (a <member> of one of the four GAAD lists) starts
    and ends in moto's answer, with expat, so entities are kept as moto's own
    bytes: no tree is built and nothing is re-serialized (5,000 roles: ~0.2 s)."""

    def __init__(self, data):
        self.data = data
        self.ns = None
        self.path = []
        self.start = 0
        self.spans = {name: [] for name in GAAD_LISTS}
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartElementHandler = self.on_start
        self.parser.EndElementHandler = self.on_end

    def run(self):
        """Returns (namespace, {list name: [bytes of each member]}) or None."""
        try:
            self.parser.Parse(self.data, True)
        except xml.parsers.expat.ExpatError:
            return None
        if self.ns is None:
            return None
        return self.ns, {name: [self.data[a:b] for a, b in spans]
                         for name, spans in self.spans.items()}

    def on_start(self, name, attrs):
        self.path.append(name)
        if len(self.path) == 1 and name == GAAD + "Response":
            # Members are cut out verbatim, so they may only rely on the
            # default namespace, which the page root declares again.
            if not any(key.startswith("xmlns:") for key in attrs):
                self.ns = attrs.get("xmlns", "")
        elif len(self.path) == 4 and self.path[1] == GAAD + "Result" and \
                self.path[2] in self.spans:
            self.start = self.parser.CurrentByteIndex

    def on_end(self, name):
        if len(self.path) == 4 and self.path[1] == GAAD + "Result" and self.path[2] in self.spans:
            # At an end tag the index is where "</name>" starts; after an
            # empty-element tag "<name/>" it is just past it.
            at = self.parser.CurrentByteIndex
            close = b"</" + name.encode("utf-8")
            nxt = self.data[at + len(close):at + len(close) + 1]
            if self.data.startswith(close, at) and nxt in (b">", b" ", b"\t", b"\r", b"\n"):
                end = self.data.index(b">", at) + 1
            else:
                end = at
            self.spans[self.path[2]].append((self.start, end))
        self.path.pop()


class GaadChain:
    """One full GAAD answer from moto, cut into entities (roles, then policies,
    users, groups), each kept as moto's bytes of one <member>; serving a page is
    a join. Immutable once made, so threads share it without a lock."""

    def __init__(self, ns, entities):
        self.ns = ns
        self.entities = entities  # list of (list name, bytes of one <member>)

    @classmethod
    def parse(cls, data):
        """Returns a chain, or None when data is not a GAAD answer we can page."""
        found = GaadScan(data).run()
        if found is None:
            return None
        ns, members = found
        return cls(ns, [(name, xml) for name in GAAD_LISTS for xml in members[name]])

    def page(self, offset, size, marker):
        """The XML of entities [offset, offset+size); marker is the next page's
        Marker or None on the last page."""
        part = self.entities[offset:offset + size]
        out = [b"<%sResponse xmlns=%s><%sResult>" % (
            GAAD.encode(), quoteattr(self.ns).encode("utf-8"), GAAD.encode())]
        for name in GAAD_LIST_ORDER:
            members = [xml for lname, xml in part if lname == name]
            if not members:
                out.append(b"<%s/>" % name.encode())
                continue
            out.append(b"<%s>" % name.encode())
            out.extend(members)
            out.append(b"</%s>" % name.encode())
        out.append(b"<IsTruncated>%s</IsTruncated>" % (b"true" if marker else b"false"))
        if marker:
            out.append(b"<Marker>%s</Marker>" % escape(marker).encode("utf-8"))
        out.append(b"</%sResult><ResponseMetadata><RequestId>%s</RequestId>"
                   b"</ResponseMetadata></%sResponse>" % (
                       GAAD.encode(), request_id().encode(), GAAD.encode()))
        return b"".join(out)
