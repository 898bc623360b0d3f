#!/usr/bin/python3
"""history_bench: what the history costs a real morning run, side by side.

Against the stand-in Graph (tests/graph_server.py --generate N, with
Graph-like latency), two stores of the same synced tenant run the same
real `digest run` (delivery to a maildir, so every digest is queued and
the history is recorded):

  off  [history] days = 0: no history read or written
  on   [history] days = 90, with 60 past days of history per reader
       already in the store (8 people a day, drawn from the tenant), so
       every digest reads a full history and the run records its day

Each round copies the two prepared stores afresh and runs them one after
the other, alternating which goes first; the report gives the median of
the rounds: user+sys CPU (and per user), peak RSS, wall time, and the
Graph requests each run made. It also times one `digest history backfill
--days 28` on the "on" store. A benchmark, not a test.

    /usr/bin/python3 bench/history_bench.py [--users N] [--rounds R]
        [--latency-ms MS] [--bin build/digest] [--json]
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import sqlite3
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
from digesttest import Scratch, set_key, toml_str  # noqa: E402
from graphtest import GraphServer, env, graph_config  # noqa: E402

NOW = "2026-11-23T10:00:00Z"
TIME = "/usr/bin/time"


def time_v(field, text):
    m = re.search(rf"^\s*{re.escape(field)}: (.*)$", text, re.M)
    return m.group(1).strip() if m else None


def configure(s, srv, days):
    graph_config(s, srv)
    with open(s.config, encoding="utf-8") as f:
        t = f.read()
    t = set_key(t, "history", "days", str(days))
    t = set_key(t, "delivery", "kind", toml_str("maildir"))
    t = set_key(t, "delivery", "path", toml_str(s.path("Maildir")))
    s.write_config(t)


def seed(db_path, days=60, per_day=8, seed_=1):
    """days of history before 2026-11-23 for every user with a mail."""
    rng = random.Random(seed_)
    db = sqlite3.connect(db_path)
    mails = [m for (m,) in db.execute("SELECT lower(mail) FROM users")]
    rows, day_rows = [], []
    for reader in mails:
        for d in range(1, days + 1):
            date = (datetime.date(2026, 11, 23) -
                    datetime.timedelta(days=d)).isoformat()
            day_rows.append((reader, date, 0))
            for p in rng.sample(mails, min(per_day, len(mails))):
                if p != reader:
                    rows.append((reader, date, p, rng.randint(1, 3)))
    db.executemany("INSERT OR IGNORE INTO history_days(reader, date, "
                   "recorded_at) VALUES (?,?,?)",
                   day_rows)
    db.executemany("INSERT OR IGNORE INTO history(reader, date, person, "
                   "meetings) VALUES (?,?,?,?)", rows)
    db.commit()
    db.close()
    return len(rows)


def run_once(bin_, s, srv, e):
    srv.control("reset-stats")
    cmd = [TIME, "-v", bin_, "--config", s.config, "--now", NOW, "run"]
    full = dict(os.environ)
    full.update(e)
    t0 = time.time()
    r = subprocess.run(cmd, cwd=s.dir, env=full, capture_output=True,
                       timeout=3600)
    wall = time.time() - t0
    err = r.stderr.decode("utf-8", "replace")
    cpu = float(time_v("User time (seconds)", err) or 0) + \
        float(time_v("System time (seconds)", err) or 0)
    return {"exit": r.returncode, "wall_s": wall, "cpu_s": cpu,
            "rss_kb": int(time_v("Maximum resident set size (kbytes)", err)
                          or 0),
            "requests": srv.stats()["requests"],
            "sent": len(re.findall(r": sent", err)),
            "tail": "\n".join(err.splitlines()[-6:])}


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--latency-ms", type=float, default=20.0)
    # absolute: the runs start in scratch folders
    p.add_argument("--bin", type=os.path.abspath, default=os.environ.get(
        "DIGEST_BIN", os.path.join(SRC, "build", "digest")))
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    os.environ["DIGEST_BIN"] = digesttest.BIN = args.bin
    work = tempfile.mkdtemp(prefix="history-bench-")
    roster = os.path.join(work, "roster.csv")
    srv = GraphServer("--write-roster", roster, "--latency-ms",
                      args.latency_ms, generate=args.users)
    e = env()
    scratch = {k: Scratch(roster__file=toml_str(roster))
               for k in ("off", "on")}
    result = {"users": args.users, "rounds": args.rounds}
    try:
        for k, days in (("off", 0), ("on", 90)):
            configure(scratch[k], srv, days)
            r = scratch[k].run("--now", NOW, "users", "sync", env=e,
                               timeout=3600)
            if r.returncode:
                sys.exit(r.stderr.decode()[-1500:])
        result["history_rows_seeded"] = seed(scratch["on"].path(
            "digest.db"))
        pristine = {k: os.path.join(work, k + ".db") for k in scratch}
        for k, s in scratch.items():
            shutil.copy(s.path("digest.db"), pristine[k])
        runs = {"off": [], "on": []}
        for i in range(args.rounds):
            order = ["off", "on"] if i % 2 == 0 else ["on", "off"]
            for k in order:
                s = scratch[k]
                for f in os.listdir(s.dir):
                    if f.startswith("digest.db"):
                        os.unlink(s.path(f))
                shutil.rmtree(s.path("Maildir"), ignore_errors=True)
                shutil.copy(pristine[k], s.path("digest.db"))
                runs[k].append(run_once(args.bin, s, srv, e))
        for k, v in runs.items():
            result[k] = {
                "exit": [x["exit"] for x in v],
                "sent": v[-1]["sent"],
                "cpu_s_median": round(statistics.median(
                    x["cpu_s"] for x in v), 3),
                "cpu_ms_per_user": round(1000 * statistics.median(
                    x["cpu_s"] for x in v) / args.users, 3),
                "rss_kb_median": int(statistics.median(
                    x["rss_kb"] for x in v)),
                "wall_s_median": round(statistics.median(
                    x["wall_s"] for x in v), 2),
                "graph_requests": sorted({x["requests"] for x in v}),
            }
            if any(x["exit"] for x in v):
                result[k]["tail"] = v[-1]["tail"]
        s = scratch["on"]
        srv.control("reset-stats")
        t0 = time.time()
        r = s.run("--now", NOW, "history", "backfill", "--days", "28",
                  env=e, timeout=3600)
        result["backfill"] = {
            "exit": r.returncode, "wall_s": round(time.time() - t0, 2),
            "graph_requests": srv.stats()["requests"],
            "batches": srv.stats()["batches"]}
    finally:
        srv.stop()
        for s in scratch.values():
            s.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
