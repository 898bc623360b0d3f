#!/usr/bin/python3
"""scale_bench: the morning run at tenant scale, one size after another.

For each size in --users (1,000, 5,000 and 100,000 by default) it starts
the stand-in Graph (tests/graph_server.py --generate N, --latency-ms on
every request and $batch item) with a roster of every user, syncs the
users (not timed), and times

    /usr/bin/time -v digest --now 2026-11-23T10:00:00Z run [--dry-run]

With --mode dry (the default) nothing is sent. With --mode real the
digests go over SMTP to tests/smtp_server.py (aiosmtpd), which answers
each message after --smtp-delay seconds, through [smtp] connections =
--connections; the relay's spool is then checked: every digest the run
says it sent arrived exactly once.

Per size it prints: wall time, CPU ms per user, peak RSS (/usr/bin/time's
"Maximum resident set size"), the time from the start to the first
digest (dry: the first "ready" line on stderr; real: the first message at
the relay), and digests per second (over the whole run, and from the
first to the last), and the run's resident memory (VmRSS, sampled each
second) when a tenth and half of the digests were done, and last seen
before it ended: a run whose memory grows with the users done shows it
there. A benchmark, not a test.

    /usr/bin/python3 bench/scale_bench.py [--users 1000,5000,100000]
        [--mode dry|real] [--latency-ms 20] [--smtp-delay 0.05]
        [--connections 8] [--jobs N] [--bin build/digest] [--json]

See bench/README.md.
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
os.environ.setdefault("DIGEST_SRC", SRC)

import digesttest  # noqa: E402
from digesttest import Scratch, toml_str  # noqa: E402
from graphtest import GraphServer, env, graph_config  # noqa: E402
from smtpserver import Server  # noqa: E402

NOW = "2026-11-23T10:00:00Z"
TIME = "/usr/bin/time"
FIRST = re.compile(r"^digest: \S+ \S+: (ready|sent)")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", default="1000,5000,100000",
                   help="sizes, comma-separated")
    p.add_argument("--mode", choices=["dry", "real"], default="dry")
    p.add_argument("--latency-ms", type=float, default=20.0)
    p.add_argument("--smtp-delay", type=float, default=0.05)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--seed", type=int, default=1)
    # absolute: the runs start in scratch folders
    p.add_argument("--bin", type=os.path.abspath, default=os.environ.get(
        "DIGEST_BIN", os.path.join(SRC, "build", "digest")))
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    a.sizes = [int(x) for x in a.users.split(",") if x.strip()]
    return a


def time_v(field, text):
    m = re.search(r"^\s*" + re.escape(field) + r":\s*(.+)$", text, re.M)
    return m.group(1).strip() if m else None


def rss_kib(pid):
    """VmRSS of pid in KiB, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            m = re.search(r"^VmRSS:\s*(\d+)", f.read(), re.M)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def child_of(pid):
    """The first child of pid (digest under /usr/bin/time), or None."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children",
                  encoding="ascii") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def timed_run(cmd, cwd, environ):
    """Run cmd; return (exit, wall, stderr, seconds to the first digest,
    start, RSS samples [(seconds, KiB, digests so far)])."""
    first = []
    lines = []
    done = [0]
    samples = []
    t0 = time.time()
    proc = subprocess.Popen(cmd, cwd=cwd, env=environ,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)

    def read():
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace")
            if FIRST.match(line):
                if not first:
                    first.append(time.time() - t0)
                done[0] += 1
            lines.append(line)

    def sample():
        # digest's VmRSS every second: the peak says how high, the
        # samples whether it grows with the users done
        pid = None
        while proc.poll() is None:
            pid = pid or child_of(proc.pid)
            kib = rss_kib(pid) if pid else None
            if kib:
                samples.append((round(time.time() - t0, 1), kib, done[0]))
            time.sleep(1)

    reader = threading.Thread(target=read)
    sampler = threading.Thread(target=sample)
    reader.start()
    sampler.start()
    code = proc.wait()
    wall = time.time() - t0
    reader.join()
    sampler.join()
    return (code, wall, "".join(lines), (first[0] if first else None), t0,
            samples)


def rss_at(samples, share, total):
    """VmRSS (MiB) at the first sample with share of total digests done."""
    for _, kib, done in samples:
        if total and done >= share * total:
            return round(kib / 1024, 1)
    return None


def relay_figures(relay, t0):
    msgs = [meta for _, meta in relay.messages()]
    counts = collections.Counter(m["rcpt_tos"][0].lower() for m in msgs)
    times = sorted(m["received_at"] for m in msgs)
    return {
        "relay_messages": len(msgs),
        "duplicates": sum(n - 1 for n in counts.values()),
        "first_message_s": round(times[0] - t0, 2) if times else None,
        "span_s": times[-1] - times[0] if len(times) > 1 else 0,
    }, counts


def one_size(args, n, work):
    roster = os.path.join(work, f"roster-{n}.csv")
    srv = GraphServer("--seed", args.seed, "--write-roster", roster,
                      "--latency-ms", args.latency_ms, generate=n,
                      start_timeout=max(30, n // 200))
    relay = None
    out = {"users": n, "mode": args.mode}
    keys = {"roster__file": toml_str(roster)}
    try:
        if args.mode == "real":
            relay = Server(work, "--delay", str(args.smtp_delay))
            keys.update(delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                        smtp__port=str(relay.port), smtp__tls='"none"',
                        smtp__connections=str(args.connections))
        s = Scratch(**keys)
        try:
            graph_config(s, srv)
            e = env()
            sync = s.run("--now", NOW, "users", "sync", env=e,
                         timeout=7200)
            out["sync_exit"] = sync.returncode
            cmd = [TIME, "-v", args.bin, "--config", s.config, "--now", NOW,
                   "run"]
            if args.mode == "dry":
                cmd.append("--dry-run")
            if args.jobs:
                cmd += ["--jobs", str(args.jobs)]
            full = dict(os.environ)
            full.update(e)
            code, wall, err, first, t0, samples = timed_run(cmd, s.dir,
                                                            full)
        finally:
            s.cleanup()
        cpu = float(time_v("User time (seconds)", err) or 0) + \
            float(time_v("System time (seconds)", err) or 0)
        rss = time_v("Maximum resident set size (kbytes)", err)
        done = len(re.findall(r"^digest: \S+ \S+: (?:ready|sent)", err,
                              re.M))
        out.update({
            "exit": code,
            "wall_s": round(wall, 2),
            "cpu_ms_per_user": round(cpu * 1000 / n, 2),
            "peak_rss_mib": round(int(rss) / 1024, 1) if rss else None,
            "digests": done,
            "skipped": len(re.findall(r"^digest: \S+ \S+: skipped", err,
                                      re.M)),
            "failed": len(re.findall(r"^digest: \S+ \S+: failed", err,
                                     re.M)),
            "first_digest_s": round(first, 2) if first is not None else None,
            "digests_per_s": round(done / wall, 1) if wall else None,
            # RSS when a tenth and half of the digests were done, and last seen
            "rss_10pct_mib": rss_at(samples, 0.1, done),
            "rss_50pct_mib": rss_at(samples, 0.5, done),
            "rss_last_mib": round(samples[-1][1] / 1024, 1)
            if samples else None,
        })
        if relay:
            fig, counts = relay_figures(relay, t0)
            sent = {a.lower() for a in re.findall(
                r"^digest: (\S+) \S+: sent", err, re.M)}
            out.update(fig)
            out["first_digest_s"] = fig["first_message_s"]
            out["exactly_once"] = bool(sent) and set(counts) == sent and \
                fig["duplicates"] == 0
            if fig["span_s"]:
                out["digests_per_s_flowing"] = round(
                    fig["relay_messages"] / fig["span_s"], 1)
            del out["span_s"]
        if code or out.get("sync_exit"):
            out["stderr_tail"] = "\n".join(err.splitlines()[-12:])
    finally:
        if relay:
            relay.stop()
        srv.stop()
    return out


def report(args, rows):
    print(f"scale_bench: mode {args.mode}, Graph +{args.latency_ms:g} ms"
          + (f", relay answers after {args.smtp_delay * 1000:g} ms, "
             f"{args.connections} connections" if args.mode == "real"
             else ""))
    cols = ["users", "exit", "wall_s", "cpu_ms_per_user", "peak_rss_mib",
            "first_digest_s", "digests_per_s", "rss_10pct_mib",
            "rss_50pct_mib", "rss_last_mib", "digests", "skipped",
            "failed"]
    if args.mode == "real":
        cols += ["duplicates", "exactly_once"]
    print("  ".join(f"{c:>15}" for c in cols))
    for r in rows:
        print("  ".join(f"{str(r.get(c)):>15}" for c in cols))
    for r in rows:
        if r.get("stderr_tail"):
            print(f"{r['users']} users failed:\n{r['stderr_tail']}")


def main(argv):
    args = parse_args(argv)
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"scale_bench: {args.bin} is not built")
    if not os.access(TIME, os.X_OK):
        sys.exit(f"scale_bench: {TIME} is missing (apt-get install time)")
    # digesttest read DIGEST_BIN when it was imported: point it here.
    os.environ["DIGEST_BIN"] = digesttest.BIN = args.bin
    work = tempfile.mkdtemp(prefix="scale-bench-")
    rows = []
    try:
        for n in args.sizes:
            rows.append(one_size(args, n, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        report(args, rows)
    return 0 if all(r.get("exit") == 0 and not r.get("sync_exit")
                    for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
