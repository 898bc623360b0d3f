#!/usr/bin/python3
"""t5007: a 50 MB calendar (15,000 meetings on one day, 10 attendees
each, long subjects) from a stand-in Graph gives a digest under 5 MB:
meetings past the first 40 and attendees past the first 40 are counted,
not shown, and one-line fields are cut (README, "Limits").
"""
import copy
import json
import os

from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import GraphServer, env, graph_config, skip_unless_binary

skip_unless_binary(BIN)

VICTIM = "oliver.bennett@contoso.com"
VICTIM_ID = "e5f7a9b1-6d8c-4e0a-9b3c-5d7f9b1c3e4a"
SRC = os.environ.get("DIGEST_SRC", ".")

with open(os.path.join(SRC, "fixtures/demo/users", VICTIM_ID,
                       "calendarView.json")) as f:
    cal = json.load(f)
model_event = cal["value"][1]          # on the target day
events = []
for i in range(15000):
    ev = copy.deepcopy(model_event)
    ev["id"] = f"AAMk-flood-{i:05d}"
    ev["subject"] = f"Flood {i} " + "x" * 400
    # the colleagues of the real meeting stay: with no profile in it, a
    # day is skipped (send_when = "profiles")
    ev["attendees"] = model_event.get("attendees", []) + [
        {"type": "required", "status": {"response": "none"},
         "emailAddress": {"name": f"Guest {i}.{k} " + "y" * 40,
                          "address": f"guest{i}.{k}@outside.example"}}
        for k in range(10)]
    events.append(ev)
cal["value"] = events
cal.pop("@odata.nextLink", None)
raw = json.dumps(cal, separators=(",", ":")).encode()
check(50e6 < len(raw) < 64 << 20, f"the calendar is over 50 MB, under the "
      f"64 MB a single answer may have ({len(raw) / 1e6:.0f} MB)")

srv = GraphServer("--latency-ms", "1")
s = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env(), timeout=120)
    check(r.returncode == 0, "users sync exits 0", text(r.stderr)[-800:])
    path = os.path.join(s.dir, "huge.json")
    with open(path, "wb") as f:
        f.write(raw)
    srv.configure(raw_calendar={VICTIM: path})
    r = s.run("--now", DEMO_NOW, "preview", "--user", VICTIM, "--format",
              "mime", env=env(), timeout=600)
    check(r.returncode == 0, "preview of the flooded calendar exits 0",
          text(r.stderr)[-800:])
    size = len(r.stdout)
    check(0 < size < 5 * 1000 * 1000,
          f"the message is under 5 MB ({size / 1e6:.2f} MB)")
    r = s.run("--now", DEMO_NOW, "preview", "--user", VICTIM, "--format",
              "text", env=env(), timeout=600)
    out = text(r.stdout)
    check("14960 more meetings" in out,
          "the text says how many meetings are not shown", out[-600:])
    check("x" * 400 not in out and "\u2026" in out,
          "long subjects are cut with an ellipsis")
finally:
    srv.stop()
    s.cleanup()
finish()
