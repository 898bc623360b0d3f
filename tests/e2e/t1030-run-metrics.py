#!/usr/bin/python3
"""[metrics] textfile: every run (not a dry run) replaces the file with
the Prometheus text format, which `promtool check metrics` accepts; it
counts users by outcome and skip reason, the queue left and the SMTP
replies by class; a failed run keeps the time of the last successful
one; a folder that does not exist is reported without changing the exit
status."""
import os
import re
import shutil
import subprocess

from digesttest import DEMO_NOW, SRC, Scratch, check, finish, set_key, text
from graphtest import GraphServer, env, graph_config
from smtpserver import Server, check_prerequisites

check_prerequisites()
PROMTOOL = shutil.which("promtool")
if not PROMTOOL:
    print("# promtool not installed (Debian package prometheus): "
          "the format is not checked by it")


def read_metrics(path):
    """{name or name{labels}: value} of a textfile."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            key, value = line.rstrip("\n").rsplit(" ", 1)
            out[key] = float(value)
    return out


def promtool_ok(path, title):
    if not PROMTOOL:
        return
    with open(path, "rb") as f:
        r = subprocess.run([PROMTOOL, "check", "metrics"], stdin=f, capture_output=True)
    check(r.returncode == 0, title, text(r.stdout + r.stderr))


def summary(stderr):
    """(sent, skipped, failed) of the run's summary line."""
    err = text(stderr)

    def count(word):
        m = re.search(rf"(\d+) (?:digests? )?{word}", err)
        return int(m.group(1)) if m else 0
    return count("sent"), count("skipped"), count("failed")


if PROMTOOL:
    rules = os.path.join(SRC, "dist", "prometheus", "digest.rules.yml")
    r = subprocess.run([PROMTOOL, "check", "rules", rules], capture_output=True)
    check(r.returncode == 0, "promtool check rules accepts the alert rules",
          text(r.stdout + r.stderr))

# Maildir delivery through the queue: a run, then a re-run of the day.
s = Scratch(delivery__kind='"maildir"')
prom = s.path("prom", "digest.prom")
os.mkdir(s.path("prom"))
s.write_config(set_key(open(s.config, encoding="utf-8").read().replace(
    "# path = \"/var/mail/digest\"", f"path = \"{s.path('Maildir')}\""),
    "metrics", "textfile", f'"{prom}"'))

r = s.run("run", "--dry-run")
check(r.returncode == 0 and not os.path.exists(prom),
      "a dry run writes no metrics", text(r.stderr)[-300:])

r = s.run("run")
check(r.returncode == 0 and os.path.exists(prom), "a run writes the textfile",
      text(r.stderr)[-300:])
promtool_ok(prom, "promtool check metrics accepts the file")
m = read_metrics(prom)
sent, skipped, failed = summary(r.stderr)
check(m.get('digest_last_run_digests{outcome="sent"}') == sent > 0
      and m.get('digest_last_run_digests{outcome="skipped"}') == skipped
      and m.get('digest_last_run_digests{outcome="failed"}') == failed == 0,
      "users by outcome match the run's summary", (m, sent, skipped))
reasons = {k: v for k, v in m.items() if k.startswith("digest_last_run_skipped_digests")}
check(sum(reasons.values()) == skipped
      and 'digest_last_run_skipped_digests{reason="out_of_office"}' in reasons,
      "skipped users by reason add up", reasons)
check(m.get("digest_queue_depth") == 0, "nothing is left in the queue", m)
check(m.get("digest_last_run_success") == 1
      and m.get("digest_last_success_timestamp_seconds") == m.get("digest_last_run_timestamp_seconds"),
      "a successful run is the last success", m)
check(0 <= m.get("digest_last_run_duration_seconds", -1) < 600, "the duration is set", m)
mode = os.stat(prom).st_mode & 0o777
check(mode == 0o644, "the file is readable by the collector's user", oct(mode))
check(os.listdir(s.path("prom")) == ["digest.prom"], "no temporary file is left",
      os.listdir(s.path("prom")))
first = m

r = s.run("run")
m = read_metrics(prom)
check(m.get('digest_last_run_skipped_digests{reason="already_sent"}') == sent
      and m.get('digest_last_run_digests{outcome="sent"}') == 0,
      "a re-run of the day counts the digests already sent", m)
check(m.get("digest_last_run_timestamp_seconds") >= first["digest_last_run_timestamp_seconds"],
      "each run replaces the file")
s.cleanup()

# SMTP, every message refused with 451: the run fails, the queue stays,
# the 4xx replies are counted, the last success is kept.
s0 = Scratch()
with Server(s0.dir, "--fail-rate", "1.0", "--fail-code", "451") as srv:
    s = Scratch(delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                smtp__port=str(srv.port), smtp__tls='"none"')
    prom = s.path("digest.prom")
    s.write_config(set_key(open(s.config, encoding="utf-8").read(),
                           "metrics", "textfile", f'"{prom}"'))
    with open(prom, "w", encoding="utf-8") as f:
        f.write("# TYPE digest_last_success_timestamp_seconds gauge\n"
                "digest_last_success_timestamp_seconds 1790000000.5\n")
    r = s.run("run")
    check(r.returncode == 1, "a run whose mail is all deferred exits 1", text(r.stderr)[-300:])
    promtool_ok(prom, "promtool accepts the file of a failed run")
    m = read_metrics(prom)
    queued = m.get("digest_queue_depth", 0)
    check(queued > 0 and m.get('digest_last_run_smtp_replies{class="4xx"}') == queued
          and m.get('digest_last_run_smtp_replies{class="2xx"}') == 0,
          "each deferred message is a 4xx reply, and stays in the queue", m)
    check(m.get("digest_last_run_success") == 0
          and m.get("digest_last_success_timestamp_seconds") == 1790000000.5,
          "a failed run keeps the time of the last success", m)
    s.cleanup()
s0.cleanup()

# Microsoft Graph: its requests and throttled answers are counted.
srv = GraphServer("--fail-429", "0.2", "--retry-after", "1", "--seed", "4")
s = Scratch()
try:
    graph_config(s, srv)
    prom = s.path("digest.prom")
    s.write_config(set_key(open(s.config, encoding="utf-8").read(),
                           "metrics", "textfile", f'"{prom}"'))
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env())
    r = s.run("--now", DEMO_NOW, "run", env=env())
    check(r.returncode == 0, "a Graph run goes through", text(r.stderr)[-400:])
    m = read_metrics(prom)
    check(m.get("digest_last_run_graph_requests", 0) >= 8
          and m.get("digest_last_run_graph_throttled", 0) >= 1,
          "Graph requests and throttled answers are counted", m)
finally:
    srv.stop()
    s.cleanup()

# A folder that does not exist: said on stderr, the run's status stands.
s = Scratch()
s.write_config(set_key(open(s.config, encoding="utf-8").read(), "metrics", "textfile",
                       f'"{s.path("nowhere", "digest.prom")}"'))
s.write_config(open(s.config, encoding="utf-8").read().replace(
    'kind = "stdout"', f'kind = "maildir"\npath = "{s.path("Maildir")}"', 1))
r = s.run("run")
err = text(r.stderr)
check(r.returncode == 0 and "[metrics] textfile" in err and "nowhere" in err,
      "an unwritable textfile is named, and the run still exits 0", err[-400:])
r = s.run("check")
out = text(r.stdout)
check(r.returncode == 2 and "FAIL  metrics textfile" in out and "nowhere" in out,
      "check names the textfile's missing folder", out)
os.mkdir(s.path("nowhere"))
r = s.run("check")
check(r.returncode == 0 and "ok    metrics textfile" in text(r.stdout),
      "check passes once the folder exists", text(r.stdout))
s.cleanup()

finish()
