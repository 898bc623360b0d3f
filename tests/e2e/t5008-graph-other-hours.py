#!/usr/bin/python3
"""t5008: other people's hours and the reader's conflicts, against the
stand-in Graph.

The demo tenant, with a day of meetings for Hannah (Berlin; her digest is
German): an evening "Global sync" with Bikash (Kathmandu, UTC+05:45),
Oliver (Sydney, UTC+11:00), Ömer (Berlin) and Zoë (Los Angeles), two
accepted meetings at once, a tentative one that overlaps nothing that
counts, and three and a half hours of meetings without a break.

- The run names, in the meeting, the three for whom it falls outside their
  working hours (local time, city, Wednesday for Oliver), not Zoë, for
  whom it is morning; it costs no Graph request beyond each user's own
  mailbox settings, and it keeps each user's week in table work_hours.
- A preview later uses the stored weeks (it fetches Hannah's mailbox
  only); a fresh database, where no run stored them, gives no line.
- Ömer hides his profile: his line goes, the others stay; `digest about`
  says his hours are never mentioned and shows Bikash's line.
- The overlap and the long run are one line each at the top.
"""
import email
import email.policy
import json
import mailbox
import os
import shutil
import sqlite3
import tempfile

from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import (DEMO, USERS, GraphServer, env, graph_config,
                       preview_json, skip_unless_binary)

skip_unless_binary(BIN)

HANNAH_ID = "2c9d1e3f-0b2a-4c4e-9f7a-9b1d3f5a7c8e"


def person(name, address, response="accepted"):
    return {"type": "required",
            "status": {"response": response,
                       "time": "2026-11-16T09:00:00Z"},
            "emailAddress": {"name": name, "address": address}}


def event(n, subject, start, end, response, organizer, attendees):
    return {
        "id": f"AAMkAGhours{n:02d}AAA=",
        "subject": subject, "importance": "normal",
        "sensitivity": "normal", "isAllDay": False, "isCancelled": False,
        "isOrganizer": response == "organizer",
        "responseStatus": {"response": response,
                           "time": "2026-11-16T09:00:00Z"},
        "showAs": "busy", "type": "singleInstance", "seriesMasterId": None,
        "start": {"dateTime": start + ":00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": end + ":00.0000000", "timeZone": "UTC"},
        "location": {"displayName": ""},
        "attendees": attendees,
        "organizer": {"emailAddress": organizer},
        "isOnlineMeeting": False, "onlineMeetingProvider": "unknown",
        "onlineMeeting": None,
    }


HANNAH = {"name": "Hannah Schmidt", "address": USERS["hannah"]}
OMER = person("Ömer Yılmaz", USERS["omer"])
D = "2026-11-24T"
EVENTS = [
    event(1, "Budget check", D + "08:00", D + "09:00", "accepted",
          {"name": "Ömer Yılmaz", "address": USERS["omer"]},
          [person("Hannah Schmidt", USERS["hannah"])]),
    event(2, "Vendor call", D + "08:30", D + "09:30", "accepted",
          {"name": "Sam Taylor", "address": "sam.taylor@litware.com"},
          [person("Hannah Schmidt", USERS["hannah"])]),
    event(3, "Sprint planning", D + "10:00", D + "11:00", "organizer",
          HANNAH, [OMER]),
    event(4, "Design review", D + "11:00", D + "12:00", "organizer",
          HANNAH, [OMER]),
    event(5, "Brown bag", D + "12:00", D + "13:00", "tentativelyAccepted",
          {"name": "Ömer Yılmaz", "address": USERS["omer"]},
          [person("Hannah Schmidt", USERS["hannah"], "tentativelyAccepted")]),
    event(6, "Roadmap", D + "12:05", D + "13:30", "organizer", HANNAH,
          [OMER]),
    event(7, "Global sync", D + "17:00", D + "17:30", "organizer", HANNAH,
          [person("Bikash Shrestha", USERS["bikash"], "none"),
           person("Oliver Bennett", USERS["oliver"]), OMER,
           person("Zoë Martin", USERS["zoe"])]),
]


def tenant():
    """The demo tenant with Hannah's day of meetings."""
    d = tempfile.mkdtemp(prefix="tenant-hours-")
    dst = os.path.join(d, "demo")
    shutil.copytree(DEMO, dst)
    cv = os.path.join(dst, "users", HANNAH_ID, "calendarView.json")
    with open(cv, "w", encoding="utf-8") as f:
        json.dump({"@odata.context": "https://graph.microsoft.com/v1.0/"
                   f"$metadata#users('{HANNAH_ID}')/calendarView",
                   "value": EVENTS}, f, ensure_ascii=False, indent=2)
    return d, dst


def meeting(model, subject):
    for m in (model or {}).get("meetings", []):
        if m.get("subject") == subject:
            return m
    return {}


def names(m):
    return [a.get("name") for a in m.get("after_hours", [])]


def settings_asked(stats):
    """Mailbox settings requests per mailbox (the path's user key)."""
    out = {}
    for e in stats.get("log", []):
        url = e.get("url", "").split("?")[0]
        if url.endswith("/mailboxSettings"):
            key = url.split("/users/")[1].split("/")[0].lower()
            out[key] = out.get(key, 0) + 1
    return out


def text_part(mbox_bytes, address):
    path = tempfile.mktemp(suffix=".mbox")
    with open(path, "wb") as f:
        f.write(mbox_bytes)
    found = ""
    for msg in mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(
            f, policy=email.policy.default)):
        if address in str(msg["To"]).lower():
            found = msg.get_body(preferencelist=("plain",)).get_content()
    os.unlink(path)
    return found


tdir, tpath = tenant()
srv = GraphServer(tenant_dir=tpath)
s = Scratch()
fresh = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env())
    check(r.returncode == 0, "users sync exits 0", text(r.stderr))
    before = settings_asked(srv.stats())
    r = s.run("--now", DEMO_NOW, "run", env=env())
    check(r.returncode == 0, "the run exits 0", text(r.stderr)[-2000:])
    asked = settings_asked(srv.stats())
    per_box = {k: asked.get(k, 0) - before.get(k, 0) for k in asked}
    check(per_box and max(per_box.values()) == 1,
          "the run asks each mailbox's settings once, no more for "
          "attendees", per_box)

    body = text_part(r.stdout, USERS["hannah"])
    check("22:45 für Bikash (Kathmandu): außerhalb der Arbeitszeit." in body,
          "Hannah's German digest: 22:45 for Bikash in Kathmandu "
          "(UTC+05:45), outside his hours", body[-1500:])
    check("04:00 am Mittwoch für Oliver (Sydney)" in body,
          "04:00 on Wednesday for Oliver in Sydney", body[-1500:])
    check("18:00 für Ömer (Berlin)" in body, "18:00 for Ömer in Berlin")
    check("für Zoë" not in body,
          "no line for Zoë: 09:00 in Los Angeles is within her hours")
    check(body.count("Tipp: kurz halten") == 1, "the tip comes once")
    check("Überschneidung: 09:00–10:00 Uhr Budget check und "
          "09:30–10:30 Uhr Vendor call, beide zugesagt." in body,
          "the overlap of two accepted meetings is one line", body[:1500])
    conflict_lines = [ln for ln in body.splitlines()
                      if ln.startswith("Überschneidung")
                      or "ohne Pause" in ln]
    check(len(conflict_lines) == 2 and
          not any("Brown bag" in ln for ln in conflict_lines),
          "the tentative Brown bag is in no conflict line", conflict_lines)
    check("11:00–14:30 Uhr: 3 Termine direkt hintereinander, 3 Std. 30 Min. "
          "ohne Pause." in body, "three and a half hours without a break",
          body[:1500])

    db = sqlite3.connect(s.path("digest.db"))
    rows = dict(db.execute("SELECT mail, time_zone FROM work_hours"))
    db.close()
    check(rows.get(USERS["bikash"]) == "Nepal Standard Time" and
          rows.get(USERS["oliver"]) == "AUS Eastern Standard Time",
          "the run kept each user's zone in work_hours", rows)

    # A preview reads only Hannah's mailbox: the others are stored.
    before = settings_asked(srv.stats())
    rp, model = preview_json(s, USERS["hannah"], env())
    asked = settings_asked(srv.stats())
    new = {k: asked.get(k, 0) - before.get(k, 0) for k in asked
           if asked.get(k, 0) != before.get(k, 0)}
    check(rp.returncode == 0 and len(new) == 1,
          "the preview asks one mailbox's settings, Hannah's", new)
    sync = meeting(model, "Global sync")
    check(names(sync) == ["Bikash", "Oliver", "Ömer"],
          "the preview names Bikash, Oliver and Ömer from the stored weeks",
          sync.get("after_hours"))
    by = {a["name"]: a for a in sync.get("after_hours", [])}
    b = by.get("Bikash", {})
    check(b.get("zone") == "Asia/Kathmandu" and b.get("local_time") == "22:45"
          and not b.get("day_off") and not b.get("local_day"),
          "Bikash: Asia/Kathmandu, 22:45 the same day", b)
    o = by.get("Oliver", {})
    check(o.get("local_day") == "Mittwoch" and o.get("city") == "Sydney",
          "Oliver: Wednesday in Sydney", o)
    check(sync.get("outside_hours") is True and
          not meeting(model, "Roadmap").get("after_hours"),
          "only the evening meeting has lines")
    check(len(model.get("overlaps", [])) == 1 and
          len(model.get("long_runs", [])) == 1 and
          model["long_runs"][0].get("count") == 3 and
          model.get("conflicts") is True,
          "the model: one overlap, one long run of three meetings",
          {k: model.get(k) for k in ("overlaps", "long_runs")})

    # Ömer hides his profile: he is never named in these lines.
    r = s.run("prefs", "--user", USERS["omer"], "--profile", "hidden")
    check(r.returncode == 0, "prefs --profile hidden works", text(r.stderr))
    _, model = preview_json(s, USERS["hannah"], env())
    check(names(meeting(model, "Global sync")) == ["Bikash", "Oliver"],
          "a hidden profile gets no hours line",
          meeting(model, "Global sync").get("after_hours"))
    r = s.run("about", "--user", USERS["omer"])
    check("never mentioned" in text(r.stdout),
          "about: Ömer's hours are never mentioned", text(r.stdout))
    r = s.run("about", "--user", USERS["bikash"])
    out = text(r.stdout)
    check("08:00 – 17:00 (Kathmandu)" in out and
          "for Bikash (Kathmandu), outside their working hours" in out,
          "about: Bikash's working hours and the line colleagues read", out)

    # A database no run has filled: no line (no Graph request for them).
    graph_config(fresh, srv)
    fresh.run("--now", DEMO_NOW, "users", "sync", env=env())
    _, model = preview_json(fresh, USERS["hannah"], env())
    check(model and not names(meeting(model, "Global sync")) and
          model.get("conflicts") is True,
          "before any run stored the weeks: conflicts, no hours lines",
          meeting(model or {}, "Global sync").get("after_hours"))
finally:
    srv.stop()
    s.cleanup()
    fresh.cleanup()
    shutil.rmtree(tdir, ignore_errors=True)
finish()
