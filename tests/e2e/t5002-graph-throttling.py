#!/usr/bin/python3
"""t5002: throttled Graph. With 20% of the requests (top-level and $batch
items alike) answered 429 with Retry-After, and then with 503s, a whole
`run --dry-run` still produces every ready user's digest (the same users
as without faults), waits as long as each Retry-After says, and never has
more than 4 requests in flight for one mailbox (Outlook's per-mailbox
concurrency limit, graph.md section 4).
"""
from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import (GraphServer, env, graph_config, ready_users,
                       skip_unless_binary)

skip_unless_binary(BIN)


def full_run(*server_args):
    """users sync then run --dry-run against a fresh stand-in; returns
    (sync result, run result, stats of the run)."""
    srv = GraphServer(*server_args)
    s = Scratch()
    try:
        graph_config(s, srv)
        sync = s.run("--now", DEMO_NOW, "users", "sync", env=env(),
                     timeout=300)
        run = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env(),
                    timeout=300)
        return sync, run, srv.stats()
    finally:
        srv.stop()
        s.cleanup()


sync, run, clean = full_run("--latency-ms", "5")
want = ready_users(text(run.stderr))
check(sync.returncode == 0 and run.returncode == 0 and len(want) == 5,
      "without faults: sync and run exit 0, five users ready",
      text(run.stderr)[-1500:])
check(clean["max_inflight_per_mailbox"] <= 4,
      "without faults: at most 4 requests in flight for one mailbox",
      clean["inflight_peaks"])

for what, args in [
        ("429", ["--fail-429", "0.2", "--retry-after", "1"]),
        ("503", ["--fail-503", "0.2", "--retry-after", "1"])]:
    # 3 faults in a row at most: the client tries 6 times, and a request
    # refused 6 times by chance (1 in 15,000) would fail the test.
    args = args + ["--fault-streak-max", "3"]
    sync, run, stats = full_run("--seed", "11", "--latency-ms", "5", *args)
    err = text(run.stderr)
    check(sync.returncode == 0, f"{what}s: users sync still exits 0",
          text(sync.stderr)[-1500:])
    check(run.returncode == 0, f"{what}s: run --dry-run exits 0",
          err[-1500:])
    check(ready_users(err) == want,
          f"{what}s: every ready user's digest is still made",
          (ready_users(err), want))
    sent = stats["throttled_429"] if what == "429" else \
        stats["unavailable_503"]
    check(sent >= 2, f"the stand-in did answer {what} ({sent} times)",
          stats["status"])
    check(stats["early_retries"] == 0,
          f"{what}s: no request retried before its Retry-After was over",
          stats["early_retry_examples"])
    check(stats["max_inflight_per_mailbox"] <= 4,
          f"{what}s: never more than 4 requests in flight for one mailbox "
          f"(peak {stats['max_inflight_per_mailbox']} for "
          f"{stats['max_inflight_mailbox']})", stats["inflight_peaks"])
    check(stats["requests"] <= 3 * clean["requests"] + 20,
          f"{what}s: retries stay bounded ({stats['requests']} requests, "
          f"{clean['requests']} without faults)")

finish()
