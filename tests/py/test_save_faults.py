"""The fault matrix of saving: every proxy fault (throttle, 5xx, drop, reset,
delay, truncate, short), before the call reached moto or after moto applied it,
on the write call or on the conflict read, for trust, inline and managed files.
Each save ends in bounded time; IAM (read with boto3 straight from moto) holding
the new document means the close returned 0 and nothing was kept or logged;
otherwise a specific errno, the bytes under rejected/ and an errors line. A
managed save adds exactly one version when it landed, none when not.
"""
import errno
import json
import time

import pytest

import mount as mnt
from saverig import (TARGETS, cust_arn, errors_text, rejected_files, remote_doc,  # noqa: F401
                     rendered, seed, write_and_close)

KINDS = ["throttle", "status", "drop", "reset", "delay", "truncate", "short"]
READS = {"trust": "GetRole", "inline": "GetRolePolicy", "attached": "ListPolicyVersions"}


@pytest.fixture(scope="module")
def rigged(moto, _proxy_server, tmp_path_factory):
    moto.reset()
    iam = moto.client()
    seed(iam)
    proxy = _proxy_server
    proxy.reset()
    proxy.config(latency_ms=0)
    m = mnt.Mount(proxy.url, tmp_path_factory.mktemp("faults"), ttl=3600).start()
    yield iam, proxy, m
    m.stop()
    proxy.reset()


def versions(iam):
    return {v["VersionId"]: v for v in iam.list_policy_versions(PolicyArn=cust_arn())["Versions"]}


@pytest.mark.parametrize("file_kind", ["trust", "inline", "attached"])
@pytest.mark.parametrize("call", ["write", "read"])
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("fault", KINDS)
def test_fault_matrix(rigged, file_kind, call, when, fault):
    iam, proxy, m = rigged
    rel, action = TARGETS[file_kind][:2]
    if file_kind == "attached":
        for vid, v in versions(iam).items():
            if not v["IsDefaultVersion"]:
                iam.delete_policy_version(PolicyArn=cust_arn(), VersionId=vid)
    value = json.loads(m.read(rel))
    value["Statement"][0]["Sid"] = "".join(x.capitalize() for x in (fault, when, call))
    data = rendered(value)
    before_versions = set(versions(iam)) if file_kind == "attached" else set()
    before_errors = errors_text(m).count("\n")
    proxy.fault(action if call == "write" else READS[file_kind], fault, when=when,
                status=500, delay_ms=300)
    started = time.monotonic()
    rc = write_and_close(m.p(rel), data, timeout=30)
    elapsed = time.monotonic() - started
    proxy.clear_faults()
    assert elapsed < 15, elapsed
    held = remote_doc(iam, file_kind) == value
    new_errors = errors_text(m).splitlines()[before_errors:]
    if held:
        assert rc == 0, errno.errorcode.get(rc, rc)
        assert data not in rejected_files(m).values()
        assert not [x for x in new_errors if rel in x], new_errors
    else:
        assert rc in (errno.EIO, errno.EAGAIN, errno.EINVAL), rc
        assert data in rejected_files(m).values()
        assert [x for x in new_errors if rel in x]
    if file_kind == "attached":
        assert len(set(versions(iam)) - before_versions) == (1 if held else 0)
