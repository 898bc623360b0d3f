#!/usr/bin/python3
"""t5006: hostile answers from a stand-in Graph that serves raw bytes
(tests/graph_server.py, setting raw_calendar). One reader's calendar in
invalid UTF-8 or nested too deep fails only that reader, though it came
in the same $batch as the others; an event that cannot be read is left
out with a warning naming it, and the reader still gets the rest; a
look-alike join URL is shown as text with its host, never as a link;
bidi controls and zero-width characters are gone; SIGTERM
during a slow fetch stops `run` and `preview` within 5 s, exit 143.
"""
import json
import os
import signal
import subprocess
import time

from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import (GraphServer, dry_run_outcomes, env, graph_config,
                       preview_json, ready_users, skip_unless_binary)

skip_unless_binary(BIN)

VICTIM = "oliver.bennett@contoso.com"
VICTIM_ID = "e5f7a9b1-6d8c-4e0a-9b3c-5d7f9b1c3e4a"
SRC = os.environ.get("DIGEST_SRC", ".")


def fixture_calendar(uid=VICTIM_ID):
    with open(os.path.join(SRC, "fixtures/demo/users", uid,
                           "calendarView.json")) as f:
        return json.load(f)


def write(s, name, data):
    path = os.path.join(s.dir, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


srv = GraphServer("--latency-ms", "2")
s = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env(), timeout=120)
    check(r.returncode == 0, "users sync exits 0", text(r.stderr)[-800:])
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env(), timeout=120)
    clean = dry_run_outcomes(text(r.stderr))
    want = ready_users(text(r.stderr))
    check(r.returncode == 0 and VICTIM in want,
          "without hostile answers every reader is ready", clean)

    # -- one bad sub-answer fails only its mailbox ---------------------
    cal = json.dumps(fixture_calendar(), separators=(",", ":")).encode()
    deep = b'{"value":[{"id":"x","subject":' + b"[" * 40 + b"]" * 40 + \
        b"}]}"
    for what, raw in [
            ("invalid UTF-8", cal.replace(b'"subject":"', b'"subject":"\xc3\x28',
                                          1)),
            ("nesting too deep", deep)]:
        srv.configure(raw_calendar={VICTIM: write(s, "raw.json", raw)})
        r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env(),
                  timeout=120)
        got = dry_run_outcomes(text(r.stderr))
        check(f"{VICTIM} 2026-11-24: failed" in text(r.stderr) and
              VICTIM not in got,
              f"{what}: the reader whose calendar it is fails",
              text(r.stderr)[-1500:])
        check(ready_users(text(r.stderr)) == [u for u in want
                                              if u != VICTIM],
              f"{what}: every other reader of the same $batch is ready",
              (got, text(r.stderr)[-1500:]))
        check(r.returncode == 1, f"{what}: run exits 1", r.returncode)

    # -- an event that cannot be read is left out ----------------------
    cal = fixture_calendar()
    cal["value"][1]["subject"] = "Budget\u0000review"
    cal["value"][2]["end"]["timeZone"] = ""
    bad_ids = [cal["value"][1]["id"], cal["value"][2]["id"]]
    srv.configure(raw_calendar={VICTIM: write(s, "raw.json",
                                              json.dumps(cal))})
    r, model = preview_json(s, VICTIM, env())
    check(r.returncode == 0 and model and model["status"] == "ready",
          "events that cannot be read: preview still gives the digest",
          text(r.stderr)[-800:])
    ids = [m["id"] for m in (model or {}).get("meetings", [])]
    check(not set(bad_ids) & set(ids) and ids,
          "the two bad events are left out, the others kept", ids)
    err = text(r.stderr)
    check(all(i[:12] in err for i in bad_ids) and "left out" in err,
          "the warning names each event left out", err[-800:])

    # -- a look-alike join URL is no link; bidi controls are gone -----
    cal = fixture_calendar()
    evil = "https://teams.microsoft.com.evil.example/l/meetup-join/1"
    userinfo = "https://teams.microsoft.com@evil.example/l/meetup-join/2"
    cal["value"][1]["onlineMeeting"] = {"joinUrl": evil}
    cal["value"][1]["subject"] = "Budget \u202egnp.exe\u202c review"
    cal["value"][2]["onlineMeeting"] = {"joinUrl": userinfo}
    cal["value"][2]["location"] = {"displayName": "Room\u200b 4\u2066B"}
    srv.configure(raw_calendar={VICTIM: write(s, "raw.json",
                                              json.dumps(cal))})
    outs = {}
    for fmt in ("json", "text", "html"):
        r = s.run("--now", DEMO_NOW, "preview", "--user", VICTIM,
                  "--format", fmt, env=env(), timeout=120)
        check(r.returncode == 0, f"preview --format {fmt} exits 0",
              text(r.stderr)[-600:])
        outs[fmt] = text(r.stdout)
    model = json.loads(outs["json"] or "{}")
    joins = [m.get("join_url") for m in model.get("meetings", [])]
    check(evil not in joins and userinfo not in joins,
          "a look-alike join URL is never the meeting's join link", joins)
    check('href="https://teams.microsoft.com.evil' not in outs["html"] and
          'href="https://teams.microsoft.com@' not in outs["html"],
          "the HTML part has no link to a look-alike host",
          outs["html"][:300])
    check("(evil.example)" in outs["text"] and
          "(teams.microsoft.com.evil.example)" in outs["text"],
          "the text part shows each look-alike URL with its real host",
          outs["text"][:1500])
    hidden = ["\u202e", "\u202c", "\u2066", "\u200b"]
    check(all(h not in outs[f] for h in hidden for f in outs) and
          "Budget gnp.exe review" in outs["text"],
          "bidi controls and zero-width characters are gone from every "
          "format", [f for f in outs if any(h in outs[f] for h in hidden)])
    srv.configure(raw_calendar={})

    # -- SIGTERM during a fetch ----------------------------------------
    srv.configure(latency_ms=20000)
    for cmd in (["run", "--dry-run"],
                ["preview", "--user", VICTIM, "--format", "json"]):
        p = subprocess.Popen([BIN, "--config", s.config, "--now", DEMO_NOW]
                             + cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE,
                             env=dict(os.environ, **env()), cwd=s.dir)
        time.sleep(1.5)
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        took = time.monotonic() - t0
        check(took < 5, f"{cmd[0]}: SIGTERM during a fetch stops it "
              f"within 5 s ({took:.1f} s)", text(err)[-600:])
        check(p.returncode == 143, f"{cmd[0]}: the exit status says it was "
              "stopped (143)", (p.returncode, text(err)[-600:]))
        check("stopped" in text(err), f"{cmd[0]}: it says it stopped",
              text(err)[-600:])
    srv.configure(latency_ms=2)
finally:
    srv.stop()
    s.cleanup()
finish()
