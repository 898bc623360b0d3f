#!/usr/bin/python3
"""graph_bench: the morning run for a large tenant, against the stand-in
Graph (tests/graph_server.py) with Graph-like latency.

It generates a tenant of --users users (1,000 by default) across seven
time zones, each with a few meetings on 2026-11-24 and a roster of them
all, starts the stand-in with --latency-ms (20 by default) on every
request and $batch item, then runs

    digest --now 2026-11-23T10:00:00Z users sync
    /usr/bin/time -v digest --now 2026-11-23T10:00:00Z run --dry-run

and prints wall time, Graph requests, batches, 429s, the peak number of
requests in flight for one mailbox, the run's peak RSS and the CPU the
stand-in itself spent meanwhile (on a small machine it shares the cores
with the run, so the wall time is bounded by both). A benchmark,
not a test: it asserts nothing, but says when the run failed.

    /usr/bin/python3 bench/graph_bench.py [--users N] [--latency-ms MS]
        [--fail-429 RATE] [--batch-parallelism N] [--jobs N]
        [--bin build/digest]
        [--peer-jobs N] [--json]

See bench/README.md.
"""
import argparse
import json
import os
import re
import shutil
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

NOW = "2026-11-23T10:00:00Z"
DATE = "2026-11-24"
TIME = "/usr/bin/time"
PYTHON = "/usr/bin/python3"
PEER = os.path.join(SRC, "..", "shared", "bench", "peer.py")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=20.0)
    p.add_argument("--fail-429", type=float, default=0.0, metavar="RATE")
    p.add_argument("--retry-after", default="1")
    p.add_argument("--batch-parallelism", type=int, default=0, metavar="N",
                   help="the stand-in runs $batch items N at a time, as "
                   "Graph's Outlook service does with 4 (0: all at once)")
    p.add_argument("--batch-refused", type=int, default=0, metavar="STATUS",
                   help="the stand-in answers POST /$batch with STATUS, as a "
                   "Graph-compatible server without batches does (0: it "
                   "takes batches)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=None,
                   help="passed to digest run --jobs")
    # absolute: the runs start in scratch folders
    p.add_argument("--bin", type=os.path.abspath, default=os.environ.get(
        "DIGEST_BIN", os.path.join(SRC, "build", "digest")))
    p.add_argument("--perf", metavar="FILE",
                   help="also record a profile of the run with perf record")
    p.add_argument("--perf-call-graph", default="fp", metavar="MODE",
                   help="perf record --call-graph MODE: fp (default; build "
                   "with -fno-omit-frame-pointer) or dwarf (stacks through "
                   "the libraries too, larger files)")
    p.add_argument("--peer-jobs", type=int, default=None, metavar="N",
                   help="after the run, time the Python peer (--peer) with "
                   "--jobs N --null on the same stand-in")
    p.add_argument("--peer", default=PEER)
    p.add_argument("--json", action="store_true",
                   help="print the results as one JSON object")
    p.add_argument("--keep", action="store_true",
                   help="keep the scratch folder (config, database, logs)")
    return p.parse_args(argv)


def time_v(field, text):
    m = re.search(rf"^\s*{re.escape(field)}: (.*)$", text, re.M)
    return m.group(1).strip() if m else None


def cpu_of(pid):
    """The CPU seconds (user + system) process pid has used so far: the
    stand-in shares the machine's cores with the run it serves."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_since(pid, before):
    now = cpu_of(pid)
    return None if now is None or before is None else round(now - before, 2)


def seconds(clock):
    """/usr/bin/time's "h:mm:ss" or "m:ss.ss" to seconds."""
    if not clock:
        return None
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return total


def main(argv):
    args = parse_args(argv)
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"graph_bench: {args.bin} is not built "
                 "(cmake -S . -B build && cmake --build build -j2)")
    if not os.access(TIME, os.X_OK):
        sys.exit(f"graph_bench: {TIME} is missing (apt-get install time)")
    # digesttest read DIGEST_BIN when it was imported: point it here.
    os.environ["DIGEST_BIN"] = digesttest.BIN = args.bin

    work = tempfile.mkdtemp(prefix="graph-bench-")
    roster = os.path.join(work, "roster.csv")
    t0 = time.time()
    srv = GraphServer("--seed", args.seed, "--write-roster", roster,
                      "--latency-ms", args.latency_ms,
                      "--fail-429", args.fail_429,
                      "--retry-after", args.retry_after,
                      "--batch-parallelism", args.batch_parallelism,
                      "--batch-refused", args.batch_refused,
                      generate=args.users)
    started = time.time() - t0
    s = Scratch(roster__file=toml_str(roster))
    result = {"users": args.users, "latency_ms": args.latency_ms,
              "fail_429": args.fail_429,
              "batch_parallelism": args.batch_parallelism,
              "batch_refused": args.batch_refused,
              "server_start_s": round(started, 2)}
    try:
        graph_config(s, srv)
        e = env()
        t0 = time.time()
        sync = s.run("--now", NOW, "users", "sync", env=e, timeout=3600)
        result["sync_wall_s"] = round(time.time() - t0, 2)
        result["sync_exit"] = sync.returncode
        sync_stats = srv.stats()
        result["sync_requests"] = sync_stats["requests"]
        srv.control("reset-stats")

        cmd = [TIME, "-v"]
        if args.perf:
            cmd += ["perf", "record", "--call-graph", args.perf_call_graph,
                    "-o",
                    os.path.abspath(args.perf), "--"]
        cmd += [args.bin, "--config", s.config, "--now", NOW,
                "run", "--dry-run"]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        full_env = dict(os.environ)
        full_env.update(e)
        t0, srv_cpu = time.time(), cpu_of(srv.proc.pid)
        run = subprocess.run(cmd, cwd=s.dir, env=full_env,
                             capture_output=True, timeout=3600)
        wall = time.time() - t0
        result["server_cpu_s"] = cpu_since(srv.proc.pid, srv_cpu)
        err = run.stderr.decode("utf-8", "replace")
        stats = srv.stats()
        rss = time_v("Maximum resident set size (kbytes)", err)
        result.update({
            "run_exit": run.returncode,
            "run_wall_s": round(wall, 2),
            "run_elapsed_time_v_s": seconds(
                time_v("Elapsed (wall clock) time (h:mm:ss or m:ss)", err)),
            "run_user_cpu_s": float(time_v("User time (seconds)", err)
                                    or 0),
            "run_sys_cpu_s": float(time_v("System time (seconds)", err)
                                   or 0),
            "peak_rss_kb": int(rss) if rss else None,
            "minor_faults": int(time_v("Minor (reclaiming a frame) page "
                                       "faults", err) or 0),
            "context_switches": (
                int(time_v("Voluntary context switches", err) or 0) +
                int(time_v("Involuntary context switches", err) or 0)),
            "requests": stats["requests"],
            "top_level_requests": stats["top_level_requests"],
            "batch_items": stats["batch_items"],
            "batches": stats["batches"],
            "throttled_429": stats["throttled_429"],
            "early_retries": stats["early_retries"],
            "token_requests": sum(stats["token_requests"].values()),
            "max_inflight_per_mailbox": stats["max_inflight_per_mailbox"],
            "max_inflight_total": stats["max_inflight_total"],
            "ready": len(re.findall(r": ready", err)),
            "skipped": len(re.findall(r": skipped", err)),
            "failed": len(re.findall(r": failed", err)),
        })
        if args.peer_jobs:
            srv.control("reset-stats")
            result.update(run_peer(args, srv, roster))
        if run.returncode not in (0,) or sync.returncode:
            tail = "\n".join(err.splitlines()[-15:])
            result["stderr_tail"] = (sync.stderr.decode("utf-8", "replace")
                                     [-1500:] if sync.returncode else tail)
    finally:
        srv.stop(keep=args.keep)
        if args.keep:
            result["scratch"] = s.dir
            result["server_log"] = srv.log_path
        else:
            s.cleanup()
            shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(result, indent=1))
    else:
        report(result)
    return 0 if result.get("run_exit") == 0 and not result.get(
        "sync_exit") else 1


def run_peer(args, srv, roster):
    """The peer's dry run (--null: rendered, not written) on srv."""
    cmd = [TIME, "-v", PYTHON, args.peer, "--graph", srv.base_url,
           "--login", srv.login_url, "--roster", roster, "--date", DATE,
           "--jobs", str(args.peer_jobs), "--tenant", TENANT,
           "--client-id", CLIENT_ID, "--secret", SECRET, "--null"]
    t0, srv_cpu = time.time(), cpu_of(srv.proc.pid)
    run = subprocess.run(cmd, capture_output=True, timeout=3600)
    wall = time.time() - t0
    err = run.stderr.decode("utf-8", "replace")
    return {"peer_jobs": args.peer_jobs, "peer_exit": run.returncode,
            "peer_server_cpu_s": cpu_since(srv.proc.pid, srv_cpu),
            "peer_wall_s": round(wall, 2),
            "peer_cpu_s": round(float(time_v("User time (seconds)", err)
                                      or 0) +
                                float(time_v("System time (seconds)", err)
                                      or 0), 2)}


def report(r):
    def line(label, value, unit=""):
        print(f"{label:<34} {value}{unit}")

    par = r["batch_parallelism"]
    refused = r.get("batch_refused")
    batches = (f"$batch refused with {refused}" if refused else
               "$batch items " + (f"{par} at a time" if par else
                                  "all at once"))
    print(f"graph_bench: {r['users']} users, {r['latency_ms']:g} ms per "
          f"request, {r['fail_429'] * 100:g}% 429s, {batches}")
    line("users sync: wall time", r.get("sync_wall_s"), " s")
    line("users sync: exit status", r.get("sync_exit"))
    line("users sync: Graph requests", r.get("sync_requests"))
    line("run --dry-run: wall time", r.get("run_wall_s"), " s")
    line("run --dry-run: exit status", r.get("run_exit"))
    line("run --dry-run: CPU user/sys",
         f"{r.get('run_user_cpu_s')} / {r.get('run_sys_cpu_s')}", " s")
    cpu = (r.get("run_user_cpu_s") or 0) + (r.get("run_sys_cpu_s") or 0)
    line("run --dry-run: CPU per user",
         f"{cpu * 1000 / max(r['users'], 1):.2f}", " ms")
    line("run --dry-run: peak RSS",
         f"{(r.get('peak_rss_kb') or 0) / 1024:.1f}", " MiB")
    line("run --dry-run: page faults / context switches",
         f"{r.get('minor_faults')} / {r.get('context_switches')}")
    line("stand-in Graph: CPU in the run", r.get("server_cpu_s"), " s")
    line("digests ready / skipped / failed",
         f"{r.get('ready')} / {r.get('skipped')} / {r.get('failed')}")
    line("Graph requests (incl. batch items)", r.get("requests"))
    line("  top-level / batch items",
         f"{r.get('top_level_requests')} / {r.get('batch_items')}")
    line("batches", r.get("batches"))
    line("429 answers", r.get("throttled_429"))
    line("retries before Retry-After", r.get("early_retries"))
    line("token requests", r.get("token_requests"))
    line("peak in flight, one mailbox", r.get("max_inflight_per_mailbox"))
    line("peak in flight, all", r.get("max_inflight_total"))
    if "peer_wall_s" in r:
        line(f"peer --jobs {r['peer_jobs']}: wall time",
             r["peer_wall_s"], " s")
        line(f"peer --jobs {r['peer_jobs']}: exit status", r["peer_exit"])
        line(f"peer --jobs {r['peer_jobs']}: CPU", r["peer_cpu_s"], " s")
        line("stand-in Graph: CPU in the peer's run",
             r.get("peer_server_cpu_s"), " s")
        line("digest wall / peer wall",
             f"{r['run_wall_s'] / max(r['peer_wall_s'], 0.01):.2f}")
    if r.get("stderr_tail"):
        print("\nthe run failed; the end of its stderr:\n" + r["stderr_tail"])
    if r.get("scratch"):
        print(f"\nkept: {r['scratch']} (server log {r['server_log']})")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
