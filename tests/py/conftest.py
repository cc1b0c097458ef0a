"""Fixtures shared by every pytest suite. Peers are real processes started by
tests/py/rig.py; every fixture stops what it started."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rig  # noqa: E402


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    """One moto server for the session, signature checking off. Tests that need
    a clean account call moto.reset()."""
    server = rig.Moto().start(str(tmp_path_factory.mktemp("moto")))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_auth(tmp_path_factory):
    """A second moto server with signature and permission checking on.
    Yields (server, (admin key id, admin secret))."""
    server = rig.Moto().start(str(tmp_path_factory.mktemp("moto-auth")))
    try:
        keys = server.enable_auth()
        yield server, keys
    finally:
        server.stop()


@pytest.fixture(scope="module")
def managed_peer(tmp_path_factory):
    """A moto with AWS managed policies loaded, behind its own counting proxy
    (one per module). Yields (server, proxy)."""
    logdir = str(tmp_path_factory.mktemp("managed-peer"))
    server = rig.Moto(extra_env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}).start(logdir)
    proxy = None
    try:
        proxy = rig.Proxy(server.url).start(logdir)
        yield server, proxy
    finally:
        if proxy:
            proxy.stop()
        server.stop()


@pytest.fixture(scope="session")
def _proxy_server(moto, tmp_path_factory):
    server = rig.Proxy(moto.url).start(str(tmp_path_factory.mktemp("proxy")))
    yield server
    server.stop()


@pytest.fixture
def proxy(_proxy_server, tmp_path_factory):
    """tests/proxy.py in front of the session `moto` (rig.Proxy). One process per
    session; every test gets it reset: counts zero, no faults, online, latency 0,
    GAAD page size 1000 (restarted on a new port if a test stopped it). moto's
    own state is not reset: call moto.reset() for a clean account."""
    server = _proxy_server
    if not server.running():
        server.start(str(tmp_path_factory.mktemp("proxy")))
    server.reset()
    server.config(latency_ms=0, gaad_page_size=1000)
    yield server
