"""bench.py --cold-only: only the cold mount, up to the moment it is ready, for
one or more builds (--build A,B: runs interleaved, the order alternating), with
where the time went from the proxy's request times (GET /_proxy/times, the
same monotonic clock as ours): the daemon's start-up before its first request,
GetCallerIdentity, the two listing chains (ListRoles, GAAD), and the time from
the last answer to the mount being ready (building the view, the disk copy,
the mount). Prints one line per build and size, and saves results/cold.json."""
import json
import os
import re
import shutil
import statistics
import time

import rig

GAAD = "GetAccountAuthorizationDetails"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def span(times, action, t0):
    """(first arrival, last answer) of action's requests, in seconds after t0."""
    mine = [t for t in times if t["action"] == action]
    if not mine:
        return None
    return (min(t["arrived"] for t in mine) - t0, max(t["answered"] for t in mine) - t0)


def gaps(times, action):
    """Seconds between one answer of action's chain and its next request: the
    client's own time (parsing, rendering) between pages."""
    mine = sorted((t for t in times if t["action"] == action), key=lambda t: t["arrived"])
    return sum(max(0.0, b["arrived"] - a["answered"]) for a, b in zip(mine, mine[1:]))


def proxy_log(bench):
    """The proxy's log lines (--log-requests) since the last call: moto's time for
    the whole GAAD and the proxy's parse of it, and the proxy's own time (moto's
    included, the added latency not) summed per Action."""
    with open(bench.proxy.log_path, errors="replace") as f:
        f.seek(getattr(bench, "proxy_log_at", 0))
        text = f.read()
        bench.proxy_log_at = f.tell()
    out = {"proxy_ms": {}}
    m = re.search(r"GAAD chain \w+: (\d+) entities, (\d+) bytes; upstream ([\d.]+) ms, "
                  r"parse ([\d.]+) ms", text)
    if m:
        out["gaad_bytes"] = int(m.group(2))
        out["moto_gaad"] = float(m.group(3)) / 1000
        out["proxy_parse"] = float(m.group(4)) / 1000
    for action, ms in re.findall(r"POST (\w+) -> \d+ in ([\d.]+) ms", text):
        out["proxy_ms"][action] = out["proxy_ms"].get(action, 0) + float(ms)
    return out


def cpu_s(pid):
    """The process's user + system CPU seconds so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one(bench, build, size):
    """One cold mount of build; the timeline of its requests."""
    rig.IAMFS = os.path.join(build, "iamfs")
    cache = bench.cache_dir()
    bench.drop_caches()
    bench.proxy.reset()
    t0 = time.monotonic()
    m = bench.mount(cache_dir=cache, cls=bench.status_mount)
    ready = time.monotonic() - t0
    try:
        st = m.status()
        cpu = cpu_s(m.proc.pid)
    finally:
        bench.unmount(m)
    shutil.rmtree(cache, ignore_errors=True)
    if "roles: %d\n" % size not in st:
        raise RuntimeError("the mount does not show %d roles:\n%s" % (size, st))
    times = bench.proxy.times()
    counts = {k: v for k, v in bench.proxy.counts().items() if not k.startswith("_")}
    last = max(t["answered"] for t in times) - t0
    out = {"ready": ready, "counts": counts, "first": min(t["arrived"] for t in times) - t0,
           "after_last": ready - last, "cpu": cpu}
    out.update(proxy_log(bench))
    for action in ("GetCallerIdentity", "ListRoles", GAAD):
        out[action] = span(times, action, t0)
    gaad = sorted((t for t in times if t["action"] == GAAD), key=lambda t: t["arrived"])
    out["gaad_first_page"] = gaad[0]["answered"] - gaad[0]["arrived"] if gaad else None
    out["gaad_gaps"] = gaps(times, GAAD)
    out["list_gaps"] = gaps(times, "ListRoles")
    return out


TRACED = "recvfrom,openat,fsync,renameat,mount"


def strace_timeline(bench, build, size):
    """One more cold mount of build with the daemon under strace: seconds from its
    last answer read to the disk copy's temporary file, from there to the copy's
    rename (the write and its fsync) and from there to mount(2)."""
    wrap = os.path.join(bench.work, "strace-bin")
    log = os.path.join(bench.work, "strace-%d.log" % size)
    os.makedirs(wrap, exist_ok=True)
    with open(os.path.join(wrap, "iamfs"), "w") as f:
        f.write('#!/bin/sh\nexec strace -f -ttt -o %s -e trace=%s %s "$@"\n'
                % (log, TRACED, os.path.join(build, "iamfs")))
    os.chmod(os.path.join(wrap, "iamfs"), 0o755)
    run = one(bench, wrap, size)
    ev = []
    with open(log) as f:
        for ln in f:
            m = re.match(r"\d+\s+([\d.]+) (\w+)\((.*)", ln)
            if m and "resumed" not in ln:
                ev.append((float(m.group(1)), m.group(2), m.group(3)))
    tmp = next(t for t, call, a in ev if call == "openat" and ".tmp." in a and "index" not in a)
    recv = max(t for t, call, _ in ev if call == "recvfrom" and t < tmp)
    ren = next(t for t, call, a in ev if call == "renameat" and t > tmp)
    mnt = next(t for t, call, _ in ev if call == "mount")
    return {"ready": run["ready"], "build": tmp - recv, "disk_write": ren - tmp,
            "to_mount": mnt - ren}


def summary(runs):
    med = statistics.median
    s = {"ready": med(r["ready"] for r in runs), "min": min(r["ready"] for r in runs),
         "max": max(r["ready"] for r in runs), "first": med(r["first"] for r in runs),
         "after_last": med(r["after_last"] for r in runs), "counts": runs[-1]["counts"],
         "gaad_first_page": med(r["gaad_first_page"] for r in runs),
         "gaad_gaps": med(r["gaad_gaps"] for r in runs),
         "list_gaps": med(r["list_gaps"] for r in runs), "cpu": med(r["cpu"] for r in runs),
         "moto_gaad": med(r.get("moto_gaad", 0) for r in runs),
         "proxy_parse": med(r.get("proxy_parse", 0) for r in runs),
         "proxy_ms": {a: med(r["proxy_ms"].get(a, 0) for r in runs) / 1000
                      for a in runs[-1]["proxy_ms"]}}
    for action in ("GetCallerIdentity", "ListRoles", GAAD):
        s[action] = [med(r[action][i] for r in runs) for i in (0, 1)]
    return s


def line(build, size, s):
    c = s["counts"]
    return ("%s @ %d roles: ready %.3f s (%.3f-%.3f); first request at %.3f; GCI %.3f-%.3f; "
            "ListRoles %.3f-%.3f (%d, %.3f s between pages); GAAD %.3f-%.3f (%d, first page "
            "%.3f s, %.3f s between pages); last answer to ready %.3f s; daemon CPU %.3f s; "
            "moto's GAAD %.3f s, proxy's parse of it %.3f s; proxy time per action "
            "(moto's included) %s" % (
                build, size, s["ready"], s["min"], s["max"], s["first"],
                s["GetCallerIdentity"][0], s["GetCallerIdentity"][1], s["ListRoles"][0],
                s["ListRoles"][1], c.get("ListRoles", 0), s["list_gaps"], s[GAAD][0], s[GAAD][1],
                c.get(GAAD, 0), s["gaad_first_page"], s["gaad_gaps"], s["after_last"], s["cpu"],
                s["moto_gaad"], s["proxy_parse"],
                ", ".join("%s %.3f s" % kv for kv in sorted(s["proxy_ms"].items()))))


def run(bench, builds):
    """Every size: moto's own GAAD time, then runs x builds cold mounts."""
    res, text = {"load_before": loadavg()}, []
    for size in bench.args.sizes:
        bench.seed_to(size)
        res["moto:%d" % size] = bench.moto_gaad_time()
        text.append("moto answers the whole GAAD at %d roles in %.3f s" % (
            size, res["moto:%d" % size]))
        runs = {b: [] for b in builds}
        for i in range(bench.args.runs):
            for b in builds if i % 2 == 0 else builds[::-1]:
                runs[b].append(one(bench, b, size))
        for b in builds:
            res["%s:%d" % (b, size)] = {"summary": summary(runs[b]), "runs": runs[b]}
            text.append(line(b, size, res["%s:%d" % (b, size)]["summary"]))
        if bench.args.strace:
            st = res["strace:%d" % size] = strace_timeline(bench, builds[0], size)
            text.append("under strace (%s @ %d roles, ready %.3f s): last answer read to the "
                        "disk copy's temporary file %.3f s, its write and fsync %.3f s, rename "
                        "to mount(2) %.3f s" % (builds[0], size, st["ready"], st["build"],
                                                 st["disk_write"], st["to_mount"]))
    res["load_after"] = loadavg()
    text.append("load average before %s, after %s" % (res["load_before"], res["load_after"]))
    os.makedirs(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"),
                exist_ok=True)
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "cold.json"),
              "w") as f:
        json.dump(res, f, indent=1)
    return "\n".join(text) + "\n"
