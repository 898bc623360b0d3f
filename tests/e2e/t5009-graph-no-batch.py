#!/usr/bin/python3
"""t5009: a Graph-like server without JSON batching.

Graph takes $batch; a compatible server (a proxy, a test double, an
older gateway) may answer the envelope itself with 404, 400, 405 or 501.
The run must not fail every user for it:

- each refusal status: one warning naming $batch and the status, every
  request sent again on its own, and the same users ready as against a
  server that batches;
- after the first refusal no new envelope is sent (only those already in
  flight may be refused too: never more than a batching run sends);
- requests on their own keep four times `--jobs` in flight (Graph carries
  out four items of a batch at a time), never more, so a run without
  batches keeps its pace: with `--jobs 1` more than one and at most four;
- an answer inside a batch (a 404 for one mailbox) is that request's
  failure alone, not a refusal of batching.
"""
import re

from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import (USERS, GraphServer, env, graph_config, ready_users,
                       skip_unless_binary)

skip_unless_binary(BIN)


def dry_run(srv, s, *args):
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", *args, env=env())
    return r.returncode, text(r.stderr)


srv = GraphServer()
s = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env())
    check(r.returncode == 0, "users sync exits 0", text(r.stderr))
    srv.control("reset-stats")
    rc, err = dry_run(srv, s)
    batched = srv.stats()
    want = ready_users(err)
    check(rc == 0 and len(want) >= 3 and batched["batches"] >= 1,
          "against a server that batches: ready users, in batches",
          f"rc={rc} ready={want} batches={batched['batches']}")
    check("$batch" not in err, "no word of $batch when batches are served",
          err[-800:])

    for status in (404, 400, 405, 501):
        srv.configure(batch_refused=status)
        srv.control("reset-stats")
        rc, err = dry_run(srv, s)
        st = srv.stats()
        check(rc == 0, f"$batch refused with {status}: the run exits 0",
              err[-1500:])
        check(ready_users(err) == want,
              f"$batch refused with {status}: the same users are ready",
              f"{ready_users(err)} vs {want}")
        warn = re.findall(rf"\$batch answered HTTP {status}", err)
        check(len(warn) == 1, f"$batch refused with {status}: one warning "
              "naming the status", err[-1500:])
        refused = st["status"].get(str(status), 0)
        check(1 <= refused <= batched["batches"] and
              st["batch_items"] == 0 and
              st["top_level_requests"] >= batched["requests"],
              f"$batch refused with {status}: one envelope refused, then "
              "every request on its own",
              {k: st[k] for k in ("status", "batch_items",
                                  "top_level_requests")}
              | {"batches when served": batched["batches"]})

    # One job: one batch in flight, or up to four requests on their own.
    # The latency makes the requests of the run overlap.
    srv.configure(batch_refused=404, latency_ms=60)
    srv.control("reset-stats")
    rc, err = dry_run(srv, s, "--jobs", "1")
    st = srv.stats()
    check(rc == 0 and ready_users(err) == want and
          2 <= st["max_inflight_total"] <= 4,
          "$batch refused, --jobs 1: between two and four requests in "
          "flight", f"rc={rc} peak={st['max_inflight_total']} "
          + err[-800:])
    srv.configure(latency_ms=0)

    # A 404 inside a batch is one mailbox's, not the envelope's.
    yui = USERS["yui"]
    srv.configure(batch_refused=0, mailbox_404=[yui])
    srv.control("reset-stats")
    rc, err = dry_run(srv, s)
    st = srv.stats()
    check(rc == 1 and yui not in ready_users(err) and
          "$batch answered" not in err and st["batch_items"] > 0,
          "a 404 for one mailbox inside a batch: that user fails, batching "
          "goes on", f"rc={rc} batch_items={st['batch_items']} "
          + err[-800:])
finally:
    srv.stop()
    s.cleanup()

finish()
