#!/usr/bin/python3
"""smtp_bench: a real morning run (messages sent) for a large tenant,
over the stand-in Graph and a relay that answers each message late.

It generates a tenant of --users users (1,000 by default; the tenant of
graph_bench.py), starts the stand-in Graph with --latency-ms (20) and
tests/smtp_server.py (aiosmtpd) with --delay (0.05 s before answering
each message, an ordinary relay across a network), syncs the users, then
times

    /usr/bin/time -v digest --now 2026-11-23T10:00:00Z run

with [smtp] connections = --connections (8), and, for comparison, the
Python peer (../shared/bench/peer.py: requests, jinja2, smtplib, one
connection per thread) with --jobs --connections --smtp on the same two
servers, alternating the two programs for --rounds rounds. Each run gets
a fresh relay and database. It prints wall time, CPU, peak RSS, the time
from the start to the first message at the relay, messages per second,
and checks the relay's spool: every ready digest delivered exactly once.
A benchmark, not a test.

    /usr/bin/python3 bench/smtp_bench.py [--users N] [--connections N]
        [--smtp-delay S] [--rounds N] [--no-peer] [--json]

See bench/README.md.
"""
import argparse
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
os.environ.setdefault("DIGEST_SRC", SRC)

import digesttest  # noqa: E402
from digesttest import Scratch, toml_str  # noqa: E402
from graphtest import (CLIENT_ID, SECRET, TENANT, GraphServer,  # noqa: E402
                       env, graph_config)
from smtpserver import Server  # noqa: E402

NOW = "2026-11-23T10:00:00Z"
DATE = "2026-11-24"
TIME = "/usr/bin/time"
PYTHON = "/usr/bin/python3"
PEER = os.path.join(SRC, "..", "shared", "bench", "peer.py")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=20.0,
                   help="added to every Graph request")
    p.add_argument("--smtp-delay", type=float, default=0.05,
                   help="seconds the relay waits before answering DATA")
    p.add_argument("--connections", type=int, default=8,
                   help="[smtp] connections, and the peer's --jobs")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-peer", action="store_true",
                   help="time digest only")
    p.add_argument("--peer", default=PEER)
    # absolute: the runs start in scratch folders
    p.add_argument("--bin", type=os.path.abspath, default=os.environ.get(
        "DIGEST_BIN", os.path.join(SRC, "build", "digest")))
    p.add_argument("--json", action="store_true")
    return p.parse_args(argv)


def time_v(field, text):
    m = re.search(r"^\s*" + re.escape(field) + r":\s*(.+)$", text, re.M)
    return m.group(1).strip() if m else None


def median_ms(values):
    return round(statistics.median(values) * 1000, 1) if values else None


def connection_figures(msgs):
    """
    How long a connection stood idle between the relay's answer to one
    message and the RCPT of its next one (the sender's turn: taking the
    verdict, handing out the next message), in the first second after the
    first message and after it, and how long the relay took from RCPT to
    the end of DATA (its own share, with the transfer).
    """
    timed = [m for m in msgs if m.get("rcpt_at") and m.get("answered_at")]
    if not timed:
        return {}
    start = min(m["rcpt_at"] for m in timed)
    by_session = collections.defaultdict(list)
    for m in timed:
        by_session[m["session"]].append(m)
    early, late = [], []
    for ms in by_session.values():
        ms.sort(key=lambda m: m["rcpt_at"])
        for prev, nxt in zip(ms, ms[1:]):
            gap = nxt["rcpt_at"] - prev["answered_at"]
            (early if prev["answered_at"] - start < 1 else late).append(gap)
    return {
        "idle_first_second_ms": median_ms(early),
        "idle_after_ms": median_ms(late),
        "rcpt_to_data_ms": median_ms([m["received_at"] - m["rcpt_at"]
                                      for m in timed]),
    }


def spool_figures(relay, t0, wall):
    """What the relay received: counts, duplicates, first message, rate."""
    pairs = relay.messages()
    msgs = [meta for _, meta in pairs]
    sizes = [len(body) for body, _ in pairs]
    counts = collections.Counter(m["rcpt_tos"][0].lower() for m in msgs)
    times = sorted(m["received_at"] for m in msgs)
    span = times[-1] - times[0] if len(times) > 1 else 0
    figures = {
        "messages": len(msgs),
        "recipients": len(counts),
        "duplicates": sum(n - 1 for n in counts.values()),
        "first_message_s": round(times[0] - t0, 2) if times else None,
        "messages_per_s": round(len(msgs) / span, 1) if span else None,
        "messages_per_s_overall": round(len(msgs) / wall, 1) if wall else None,
        "relay_sessions": relay.counter("sessions"),
        "message_kib": round(sum(sizes) / len(sizes) / 1024, 1)
        if sizes else None,
    }
    figures.update(connection_figures(msgs))
    return figures, counts


def run_digest(args, srv, work, roster, rnd):
    relay = Server(work, "--delay", str(args.smtp_delay))
    s = Scratch(roster__file=toml_str(roster),
                delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                smtp__port=str(relay.port), smtp__tls='"none"',
                smtp__connections=str(args.connections))
    out = {"program": "digest", "round": rnd}
    try:
        graph_config(s, srv)
        e = env()
        sync = s.run("--now", NOW, "users", "sync", env=e, timeout=3600)
        out["sync_exit"] = sync.returncode
        full_env = dict(os.environ)
        full_env.update(e)
        cmd = [TIME, "-v", args.bin, "--config", s.config, "--now", NOW,
               "run"]
        t0 = time.time()
        run = subprocess.run(cmd, cwd=s.dir, env=full_env,
                             capture_output=True, timeout=3600)
        wall = time.time() - t0
        err = run.stderr.decode("utf-8", "replace")
        rss = time_v("Maximum resident set size (kbytes)", err)
        figures, counts = spool_figures(relay, t0, wall)
        sent = {a.lower() for a in re.findall(r"^digest: (\S+) \S+: sent",
                                              err, re.M)}
        out.update(figures)
        out.update({
            "exit": run.returncode,
            "wall_s": round(wall, 2),
            "cpu_s": round(float(time_v("User time (seconds)", err) or 0)
                           + float(time_v("System time (seconds)", err)
                                   or 0), 2),
            "peak_rss_mib": round(int(rss) / 1024, 1) if rss else None,
            "sent_lines": len(sent),
            "exactly_once": bool(sent) and set(counts) == sent
            and out.get("duplicates") == 0,
            "summary": next((l for l in reversed(err.splitlines())
                             if re.match(r"digest: \d+ digests? sent", l)),
                            ""),
        })
        if run.returncode:
            out["stderr_tail"] = "\n".join(err.splitlines()[-12:])
    finally:
        relay.stop()
        s.cleanup()
    return out


def run_peer(args, srv, work, roster, rnd):
    relay = Server(work, "--delay", str(args.smtp_delay))
    cmd = [TIME, "-v", PYTHON, args.peer, "--graph", srv.base_url,
           "--login", srv.login_url, "--roster", roster, "--date", DATE,
           "--jobs", str(args.connections), "--tenant", TENANT,
           "--client-id", CLIENT_ID, "--secret", SECRET,
           "--smtp", f"127.0.0.1:{relay.port}"]
    out = {"program": "peer", "round": rnd}
    try:
        t0 = time.time()
        run = subprocess.run(cmd, capture_output=True, timeout=3600)
        wall = time.time() - t0
        err = run.stderr.decode("utf-8", "replace")
        rss = time_v("Maximum resident set size (kbytes)", err)
        figures, _ = spool_figures(relay, t0, wall)
        out.update(figures)
        out.update({
            "exit": run.returncode,
            "wall_s": round(wall, 2),
            "cpu_s": round(float(time_v("User time (seconds)", err) or 0)
                           + float(time_v("System time (seconds)", err)
                                   or 0), 2),
            "peak_rss_mib": round(int(rss) / 1024, 1) if rss else None,
        })
        if run.returncode:
            out["stderr_tail"] = "\n".join(err.splitlines()[-12:])
    finally:
        relay.stop()
    return out


def report(args, runs):
    print(f"smtp_bench: {args.users} users, Graph +{args.latency_ms:g} ms, "
          f"relay answers after {args.smtp_delay * 1000:g} ms, "
          f"{args.connections} connections")
    cols = ["program", "round", "exit", "wall_s", "cpu_s", "peak_rss_mib",
            "messages", "duplicates", "first_message_s", "messages_per_s",
            "relay_sessions", "message_kib"]
    print("  ".join(f"{c:>15}" for c in cols))
    for r in runs:
        print("  ".join(f"{str(r.get(c)):>15}" for c in cols))
    for r in runs:
        if r["program"] == "digest":
            print(f"digest round {r['round']}: every digest exactly once: "
                  f"{r['exactly_once']} ({r['sent_lines']} sent lines); "
                  f"{r['summary']}")
        if r.get("rcpt_to_data_ms") is not None:
            ms = {k: "none" if r[k] is None else f"{r[k]} ms"
                  for k in ("idle_first_second_ms", "idle_after_ms")}
            print(f"{r['program']} round {r['round']}: a connection waited "
                  f"{ms['idle_first_second_ms']} (median) between the "
                  f"relay's answer and its next message in the first "
                  f"second, {ms['idle_after_ms']} after; RCPT to the end "
                  f"of DATA took {r['rcpt_to_data_ms']} ms")
        if r.get("stderr_tail"):
            print(f"{r['program']} round {r['round']} failed:\n"
                  + r["stderr_tail"])
    d = [r["wall_s"] for r in runs if r["program"] == "digest"]
    p = [r["wall_s"] for r in runs if r["program"] == "peer"]
    if d and p:
        print(f"wall time digest / peer: {min(d)} s / {min(p)} s "
              f"(ratio {min(d) / min(p):.2f}, best of {len(d)})")


def main(argv):
    args = parse_args(argv)
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"smtp_bench: {args.bin} is not built")
    if not os.access(TIME, os.X_OK):
        sys.exit(f"smtp_bench: {TIME} is missing (apt-get install time)")
    peer = not args.no_peer and os.path.exists(args.peer)
    if not args.no_peer and not peer:
        print(f"smtp_bench: no peer at {args.peer}: timing digest only",
              file=sys.stderr)
    # digesttest read DIGEST_BIN when it was imported: point it here.
    os.environ["DIGEST_BIN"] = digesttest.BIN = args.bin
    work = tempfile.mkdtemp(prefix="smtp-bench-")
    roster = os.path.join(work, "roster.csv")
    srv = GraphServer("--seed", args.seed, "--write-roster", roster,
                      "--latency-ms", args.latency_ms,
                      generate=args.users)
    runs = []
    try:
        for rnd in range(1, args.rounds + 1):
            runs.append(run_digest(args, srv, work, roster, rnd))
            if peer:
                runs.append(run_peer(args, srv, work, roster, rnd))
    finally:
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(runs, indent=1))
    else:
        report(args, runs)
    return 0 if all(r["exit"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
