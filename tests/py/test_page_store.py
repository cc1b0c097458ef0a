"""A listing stores its files' bytes in the kernel's page cache (README, Design,
"Opening files"): the first read of a listed file needs no READ, so the kernel
never drops the file's atime and a later stat needs no GETATTR; what is read is
exactly the document, before and after a save through the mount. Requests are
counted from libfuse's -d trace."""
import json
import os
import subprocess

from test_mount import AWS_LAMBDA_ROLE, AWS_READ_ONLY, mounts, peer, read_raw, seed_basic  # noqa: F401


def listed(m):
    """Lists every role folder (READDIRPLUS introduces the files); returns the
    files under the roles, as relative paths."""
    roles = sorted(n for n in os.listdir(m.path) if n != ".iamfs")
    files = []
    for r in roles:
        subprocess.run(["ls", "-lR", m.p(r)], check=True, capture_output=True, timeout=30)
        for d, _, names in os.walk(m.p(r)):
            files += [os.path.relpath(os.path.join(d, n), m.path) for n in names]
    return sorted(files)


def test_listed_files_are_read_without_read_requests(peer, mounts):
    server, proxy = peer
    seed_basic(server.client())
    m = mounts(proxy.url, args=["-d"])
    files = listed(m)
    # AWS managed documents are listed before they are fetched: not stored.
    aws = {a.rsplit("/", 1)[1] + ".json" for a in (AWS_LAMBDA_ROLE, AWS_READ_ONLY)}
    managed = [f for f in files if "/attached/" in f and os.path.basename(f) in aws]
    assert len(managed) == 3
    before = m.fuse_ops()
    first = {f: read_raw(m.p(f)) for f in files}
    reads = m.fuse_ops() - before
    assert reads["OPEN"] == len(files), dict(reads)
    assert reads["READ"] <= len(managed), dict(reads)
    for f, b in first.items():
        assert json.loads(b), f  # whole documents, not pages of zeros
    before = m.fuse_ops()
    for f in files:
        os.stat(m.p(f))
    stats = m.fuse_ops() - before
    # Only the AWS managed files were read with READ (which drops their atime).
    assert stats["GETATTR"] <= len(managed), dict(stats)
    assert {f: read_raw(m.p(f)) for f in files} == first


def test_stored_bytes_follow_a_save(peer, mounts, tmp_path):
    server, proxy = peer
    seed_basic(server.client())
    m = mounts(proxy.url, args=["-d"])
    listed(m)
    path = m.p("plain", "inline", "s3-read.json")
    old = json.loads(read_raw(path))
    new = dict(old, Statement=[dict(old["Statement"][0], Action=["s3:PutObject"])])
    with open(path, "w") as f:
        json.dump(new, f)
    saved = ("s3:PutObject", ["s3:PutObject"])
    assert json.loads(read_raw(path))["Statement"][0]["Action"] in saved
    # A folder listed after the save stores the saved bytes.
    os.makedirs(tmp_path / "second")
    m2 = mounts(proxy.url, workdir=str(tmp_path / "second"), args=["-d"])
    listed(m2)
    before = m2.fuse_ops()
    doc = json.loads(read_raw(m2.p("plain", "inline", "s3-read.json")))
    assert doc["Statement"][0]["Action"] in saved
    assert (m2.fuse_ops() - before)["READ"] == 0
