"""Saves never block the rest of the filesystem: eight roles saved at once while
grep -r reads the whole tree all land, and while one save waits on IAM (the
proxy adds 2 s to every request) ls and cat of other roles answer at once.
"""
import concurrent.futures
import json
import subprocess
import threading
import time

from saverig import (WORKERS, account, bounded, mounts, rendered, trust,  # noqa: F401
                     wait_until, writes_of)


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_eight_saves_while_grep_runs(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    proxy.reset()
    proxy.config(latency_ms=50)
    docs = {name: rendered(trust("svc-%s.amazonaws.com" % name)) for name in WORKERS}
    stop = threading.Event()
    greps = []

    def grep_loop():
        while not stop.is_set():
            r = subprocess.run(["grep", "-r", "-c", "sts:AssumeRole", m.path],
                               capture_output=True, timeout=60)
            greps.append(r.returncode)

    g = threading.Thread(target=grep_loop)
    g.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futs = [pool.submit(write_file, m.p(n, "trust.json"), d) for n, d in docs.items()]
            done, pending = concurrent.futures.wait(futs, timeout=60)
            assert not pending, "saves still blocked after 60 s"
            for f in done:
                f.result()
    finally:
        stop.set()
        g.join(timeout=90)
    assert not g.is_alive()
    assert greps and all(rc == 0 for rc in greps), greps
    for name, d in docs.items():
        assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == json.loads(d)
        assert m.read(name, "trust.json") == d
    assert writes_of(proxy.counts()) == {"UpdateAssumeRolePolicy": 8}


def test_ls_and_cat_answer_while_a_save_waits(account, mounts):
    iam, proxy = account
    m = mounts(proxy.url)
    proxy.reset()
    proxy.config(latency_ms=2000)
    data = rendered(trust("states.us-east-1.amazonaws.com"))
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", bounded(
        lambda: write_file(m.p(WORKERS[0], "trust.json"), data), 30, "the slow save")))
    t.start()
    try:
        wait_until(lambda: proxy.counts()["_total"] >= 1, 10, what="the save reached the proxy")
        checks = [["ls", "-l", m.p(WORKERS[5])], ["cat", m.p(WORKERS[6], "trust.json")],
                  ["cat", m.p(WORKERS[7], "inline", "logs.json")], ["ls", m.path],
                  ["cat", m.p(".iamfs", "status")]]
        for cmd in checks:
            t0 = time.monotonic()
            r = subprocess.run(cmd, capture_output=True, timeout=10)
            took = time.monotonic() - t0
            assert r.returncode == 0, (cmd, r.stderr)
            assert took < 1.0, "%s took %.2f s while a save waited on IAM" % (cmd, took)
        assert t.is_alive(), "the save did not wait on IAM: the test measured nothing"
    finally:
        t.join(timeout=40)
    assert not t.is_alive()
    assert iam.get_role(RoleName=WORKERS[0])["Role"]["AssumeRolePolicyDocument"] == \
        json.loads(data)
