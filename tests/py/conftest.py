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
