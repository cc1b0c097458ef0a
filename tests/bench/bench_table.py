"""Turns bench.py's measurements into the table of docs/performance.md's targets (Markdown): one row per
measure, with its target, iamfs's value, the reference measured in the same run,
the ratio and whether the target is met, then notes on how each was counted."""


def _s(x):
    if x != x:  # NaN
        return "—"
    return "%.3f s" % x if x >= 0.1 else "%.1f ms" % (x * 1000)


def _x(r):
    return "%.2f×" % r


def _met(ok):
    return "yes" if ok else "**no**"


def _calls(counts):
    return ", ".join("%s %d" % (k, v) for k, v in sorted(counts.items())) or "none"


def _size(n):
    return "{:,}".format(n)


def _cold_rows(res, size, first, rows):
    c = res["cold:%d" % size]
    if first:
        ratio = c["time"] / c["ref_time"]
        rows.append(("P1", "cold mount (empty cache) + `grep -r` + `cat` of every file, %s roles"
                     % _size(size), "≤ 1.5 s; ≤ 0.75× the aws export",
                     _s(c["time"]), "%s (aws GAAD export)" % _s(c["ref_time"]), _x(ratio),
                     _met(c["time"] <= 1.5 and ratio <= 0.75)))
        rows.append(("P1", "of which: ready / first `grep -r` / `cat` of every file / the "
                     "second `grep -r`", "—", "%s / %s / %s / %s" % (
                         _s(c["ready"]), _s(c["grep"]), _s(c["cat"]), _s(c["grep2"])),
                     "—", "—", "—"))
        rows.append(("P1", "IAM calls of that cold run, %s roles" % _size(size), "≤ 4",
                     str(c["calls"]), "%d (aws export)" % c["ref_calls"], "—",
                     _met(c["calls"] <= 4)))
    else:
        rows.append(("P2", "the same cold run at %s roles" % _size(size), "≤ 6 s",
                     _s(c["time"]), "—", "—", _met(c["time"] <= 6.0)))
        rows.append(("P2", "IAM calls, %s roles" % _size(size), "≤ 8", str(c["calls"]), "—",
                     "—", _met(c["calls"] <= 8)))
        rows.append(("P2", "daemon peak RSS (VmHWM), %s roles" % _size(size), "≤ 60 MB",
                     "%.1f MiB" % (c["hwm"] / 1024.0), "—", "—", _met(c["hwm"] <= 60 * 1024)))


def _warm_rows(res, size, rows):
    w = res["warm"]
    spec = (("P4", "rw", "grep -r", "warm `grep -r` (UTF-8 locale), read-write mount", 2.5),
            ("P4", "rw", "grep -r, LC_ALL=C", "warm `LC_ALL=C grep -r`, read-write mount", 2.5),
            ("P4", "ro", "grep -r", "warm `grep -r`, `--read-only` mount", 1.2),
            ("P5", "rw", "find", "warm `find .`", 1.1),
            ("P5", "rw", "ls -lR", "warm `ls -lR`", 1.1),
            ("P5", "rw", "ls -l", "warm `ls -l` of the root", 1.1),
            ("P6", "rw", "cat all", "warm `cat` of every file", 1.5),
            ("P6", "rw", "git diff", "warm `git diff --no-index` (mount vs tmpfs copy)", 2.0))
    for pid, mode, key, label, limit in spec:
        mine, ref = w[mode][key]
        rows.append((pid, "%s, %s roles" % (label, _size(size)), "≤ %.1f× tmpfs" % limit,
                     _s(mine), "%s (tmpfs)" % _s(ref), _x(mine / ref),
                     _met(mine / ref <= limit)))
        if key == "ls -lR":
            nf, nl = sum(w["repeat"]["find"].values()), sum(w["repeat"]["ls -lR"].values())
            nl += sum(w["repeat"].get("ls -l", {}).values())
            met = _met(nf == 0 and nl == 0)
            others = [k for k in ("find", "ls -lR") for op in w["repeat"][k] if op != "STATFS"]
            if nf + nl and not others:
                met += " (only STATFS: fts's fstatfs of the start folder, which FUSE never caches)"
            rows.append(("P5", "FUSE requests of a repeat within the TTL (`find` / `ls -lR` + `ls -l`)",
                         "0", "%d / %d" % (nf, nl), "—", "—", met))
    rows.append(("P6", "IAM calls during all warm runs", "0", str(w["warm_calls"]), "—", "—",
                 _met(w["warm_calls"] == 0)))


def _p7_rows(res, size, rows):
    for key, label in (("p7", "IAM reachable"), ("p7off", "IAM unreachable (proxy offline)")):
        med, worst, names = res[key]
        ok = med <= 0.2 and names == size + 1
        rows.append(("P7", "remount with the disk cache, %s roles: first `ls` of the root, %s"
                     % (_size(size), label), "≤ 200 ms", "%s (worst %s; %d entries)"
                     % (_s(med), _s(worst), names), "—", "—", _met(ok)))


def _p9_rows(res, args, rows):
    base = res["base_rss"]
    for size in args.sizes:
        rss = res["cold:%d" % size]["rss"]
        per = (rss - base) / float(size)
        rows.append(("P9", "daemon RSS per role after a warm `grep -r`, %s roles" % _size(size),
                     "≤ 6 KiB", "%.2f KiB (%d KiB − %d KiB base)" % (per, rss, base), "—", "—",
                     _met(per <= 6.0)))


def _anon_rows(res, args, rows):
    """RssAnon per role (the base mount's taken off) after a cold load and after a
    remount from the disk copy, each followed by `grep -r`; VmRSS beside it."""
    base = res["base"]
    for size in args.sizes:
        for key, label in (("cold", "a cold load"), ("remount", "a remount from the disk copy")):
            mem = res["%s:%d" % (key, size)]["mem"]
            per = (mem["RssAnon"] - base["RssAnon"]) / float(size)
            rss = (mem["VmRSS"] - base["VmRSS"]) / float(size)
            rows.append(("P2/P9", "RssAnon per role after %s + `grep -r`, %s roles (%s fixture)"
                         % (label, _size(size), args.fixture), "≤ 2 KiB",
                         "%.2f KiB (%d − %d KiB); VmRSS %.2f KiB/role, peak %.1f MiB"
                         % (per, mem["RssAnon"], base["RssAnon"], rss, mem["VmHWM"] / 1024.0),
                         "—", "—", _met(per <= 2.0)))


def _table(rows):
    out = ["| # | measure | target | iamfs | reference | ratio | met? |",
           "|---|---|---|---|---|---|---|"]
    return out + ["| %s |" % " | ".join(r) for r in rows]


def render_memory(res, args):
    """The --memory run's table: RssAnon rows and the IAM calls of each cold load."""
    rows = []
    _anon_rows(res, args, rows)
    for size in args.sizes:
        c = res["cold:%d" % size]
        rows.append(("P2", "peak RSS (VmHWM) of the cold load, %s roles" % _size(size),
                     "≤ 60 MB", "%.1f MiB" % (c["hwm"] / 1024.0), "—", "—",
                     _met(c["hwm"] <= 60 * 1024)))
        rows.append(("P2", "IAM calls of the cold load + `grep -r`, %s roles" % _size(size),
                     "—", "%d (%s)" % (c["calls"], _calls(c["counts"])), "—", "—", "—"))
    out = _table(rows)
    out += ["", "Notes:", "", "- Base (0-role mount after `grep -r`): VmRSS %d KiB, RssAnon %d "
            "KiB. No timings: --memory runs one cold load and one remount a size."
            % (res["base"]["VmRSS"], res["base"]["RssAnon"])]
    return "\n".join(out) + "\n"


def render(res, args, notes):
    small, big = args.sizes[0], args.sizes[-1]
    rows = []
    _cold_rows(res, small, True, rows)
    if big != small:
        _cold_rows(res, big, False, rows)
    c = res["cold:%d" % small]
    scan = res["scan"]
    fewer = scan / float(max(c["calls"], 1))
    rows.append(("P3", "IAM calls vs a boto3 per-role scan, %s roles" % _size(small),
                 "≥ 500× fewer", str(c["calls"]), "%d (boto3 scan)" % scan,
                 "%.0f× fewer" % fewer, _met(fewer >= 500)))
    _warm_rows(res, small, rows)
    _p7_rows(res, big, rows)
    rows.append(("P8", "one save", "≤ 5 ms over its IAM calls; ≤ 2 calls; 0 for same value",
                 "in `bench_save.py`'s table", "—", "—", "—"))
    _p9_rows(res, args, rows)
    w = res["warm"]
    rows.append(("P10", "idle mount for %.0f s: IAM calls" % args.idle, "0",
                 str(w["idle_calls"]), "—", "—", _met(w["idle_calls"] == 0)))
    t = w["ttl"]
    rows.append(("P10", "`--ttl 5`, every file read in a loop for %.1f s (%d passes): GAAD "
                 "chains started" % (t["seconds"], t["loops"]), "≤ 1 per TTL (≤ %d)" % t["limit"],
                 str(t["chains"]), "—", "—", _met(t["chains"] <= t["limit"])))
    _anon_rows(res, args, rows)
    out = _table(rows)
    out.append("")
    out += ["Notes:", ""] + ["- " + n for n in _notes(res, args, notes)]
    return "\n".join(out) + "\n"


def _notes(res, args, extra):
    small = args.sizes[0]
    n = []
    for size in args.sizes:
        c = res["cold:%d" % size]
        agree = "agree" if c["agree"] else "**disagree** %s" % c["disagree"]
        n.append("cold, %s roles: mount ready (.iamfs/status readable) after %s, then "
                 "`grep -r` %s, `cat` of every file %s (medians); requests seen by the proxy: "
                 "%s; `.iamfs/status` counts %s with the proxy's. "
                 "moto alone takes %s to produce the whole GAAD answer (asked directly, no "
                 "proxy): a floor under both iamfs's cold load and the aws export."
                 % (_size(size), _s(c["ready"]), _s(c["grep"]), _s(c["cat"]),
                    _calls(c["counts"]), agree,
                    _s(res["moto:%d" % size])))
    n.append("Cold = empty `--cache-dir`, fresh daemon, `sync; echo 3 > /proc/sys/vm/drop_caches`"
             " before every run (also before every aws export). Times are medians of %d runs; "
             "IAM call counts are the maximum over the runs, counted by the proxy; STS "
             "GetCallerIdentity is listed but not counted as an IAM call." % args.runs)
    n.append("Reference for P1: `aws iam get-account-authorization-details --filter Role "
             "LocalManagedPolicy --output json` (aws-cli v1, same content as the mount) "
             "through the same proxy, interleaved with the cold mounts. Peak RSS: aws export "
             "%.0f MiB, iamfs %.1f MiB (VmHWM), at %s roles."
             % (res["cold:%d" % small]["ref_rss"] / 1024.0,
                res["cold:%d" % small]["hwm"] / 1024.0, _size(small)))
    n.append("P3: ListRoles pages, then per role ListRolePolicies + GetRolePolicy each + "
             "ListAttachedRolePolicies, and GetPolicy + GetPolicyVersion once per attached "
             "managed policy; run with the proxy's latency off (only the count is compared).")
    w = res["warm"]
    how = ("`.iamfs/status` counter" if w["counter"] is not None else
           "strace of the daemon's reads of /dev/fuse (`.iamfs/status` has no FUSE request "
           "counter)")
    n.append("P4-P6: %s roles; the tmpfs copy is `cp -a` of the mounted tree into /dev/shm in "
             "this run; mount and tmpfs runs interleaved, one untimed warm-up each, median of "
             "%d each. grep searches a string that is in no file, so every byte is read. "
             "P5 repeat counted by %s. Warm mounts use `--ttl 600` so all their runs fall "
             "within one TTL (the warm phase takes over 60 s); revalidation is P10's row."
             % (_size(small), args.runs, how))
    n.append("FUSE requests of one warm repeat (within the TTL), by opcode: "
             + "; ".join("%s: %s" % (k, _calls(v)) for k, v in w["repeat"].items()) + ".")
    n.append("P9: 0-role mount's VmRSS after `grep -r` = %d KiB (the base)." % res["base_rss"])
    t = res["warm"]["ttl"]
    n.append("P10: chains = GAAD requests without a Marker (the proxy's upstream GAAD count); "
             "all requests in the loop: %s." % _calls(t["calls"]))
    n.append("P8 (saving) is measured by `tests/bench/bench_save.py`, in its own table.")
    return n + list(extra)
