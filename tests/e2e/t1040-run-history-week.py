#!/usr/bin/python3
"""t1040: a week of runs against the stand-in Graph builds the history,
and the digests say what it knows on the right days.

The demo tenant, with Zoë's calendar replaced by six weeks of meetings:
a standup with Ömer every working day, a 1:1 with Priya every Tuesday,
Yui once on 5 November and again on the 26th, Pat Kim (never met before)
on Wednesday the 25th, opted-out Marcus (hidden) on Monday the 30th.
`digest history backfill --days 28` on Monday the 23rd reads the past
four weeks; then `--now` moves day by day (Monday to Friday), each day a
preview (never records) and a run (records the day it fetched).

- the first morning already has context (backfill), a fresh store none;
- "often": Ömer about 5 times a week, Priya about once;
- "first meeting with Pat Kim" on the 25th only; none for Yui (met on the
  5th), none naming Marcus (hidden);
- "people you meet most" in Monday the 30th's digest only (Friday's run),
  Ömer first, each with a tip;
- a day recorded twice (re-run, preview) counts once; retention ([history]
  days = 30) deletes older days; `history forget` removes a person;
- a normal run makes no more Graph requests with the history than without;
- failures: bad --days, unknown subcommand or user, Graph 429 and 401
  during a backfill.
"""
import glob
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import date, datetime, timedelta

from digesttest import BIN, Scratch, check, finish, set_key, text
from graphtest import DEMO, USERS, GraphServer, env, graph_config, \
    skip_unless_binary

skip_unless_binary(BIN)

ZOE_ID = "5a1c3e7d-2b94-4f6a-8c0e-91d7b3a2f4e1"
ZOE, OMER, PRIYA, YUI = (USERS["zoe"], USERS["omer"], USERS["priya"],
                         USERS["yui"])
PAT = "pat.kim@fabrikam.com"
MARCUS = USERS["marcus"]
NAMES = {ZOE: "Zoë Martin", OMER: "Ömer Yılmaz", PRIYA: "Priya Raman",
         YUI: "中村 結衣", PAT: "Pat Kim", MARCUS: "Marcus Lee"}
seq = [0]


def event(subject, day, hour, people):
    """A meeting Zoë organizes on day (a date) at hour UTC, 30 minutes."""
    seq[0] += 1
    start = datetime(day.year, day.month, day.day, hour)
    fmt = "%Y-%m-%dT%H:%M:%S.0000000"

    def who(a):
        return {"type": "required",
                "status": {"response": "accepted",
                           "time": "2026-10-01T00:00:00Z"},
                "emailAddress": {"name": NAMES[a], "address": a}}
    return {
        "id": f"AAMkHIST{seq[0]:06d}=", "subject": subject,
        "importance": "normal", "sensitivity": "normal", "isAllDay": False,
        "isCancelled": False, "isOrganizer": True,
        "responseStatus": {"response": "organizer",
                           "time": "0001-01-01T00:00:00Z"},
        "showAs": "busy", "type": "singleInstance", "seriesMasterId": None,
        "start": {"dateTime": start.strftime(fmt), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(minutes=30)).strftime(fmt),
                "timeZone": "UTC"},
        "location": {"displayName": "", "locationType": "default"},
        "attendees": [who(a) for a in people],
        "organizer": {"emailAddress": {"name": NAMES[ZOE], "address": ZOE}},
        "isOnlineMeeting": False, "onlineMeetingProvider": "unknown",
        "onlineMeeting": None,
    }


def zoe_calendar():
    events, d = [], date(2026, 10, 12)
    while d <= date(2026, 12, 4):
        if d.weekday() < 5:
            events.append(event("Standup", d, 17, [OMER]))
        if d.weekday() == 1:
            events.append(event("1:1 Priya", d, 19, [PRIYA]))
        d += timedelta(days=1)
    events.append(event("APAC sync", date(2026, 11, 5), 20, [YUI]))
    events.append(event("APAC sync", date(2026, 11, 26), 20, [YUI]))
    events.append(event("Fabrikam intro", date(2026, 11, 25), 21, [PAT]))
    events.append(event("Budget", date(2026, 11, 30), 21, [MARCUS]))
    return events


def tenant():
    """The demo tenant with Zoë's calendar replaced."""
    d = tempfile.mkdtemp(prefix="hist-tenant-")
    shutil.rmtree(d)
    shutil.copytree(DEMO, d)
    for f in glob.glob(os.path.join(d, "users", ZOE_ID, "calendarView*")):
        os.unlink(f)
    with open(os.path.join(d, "users", ZOE_ID, "calendarView.json"), "w",
              encoding="utf-8") as f:
        json.dump({"value": zoe_calendar()}, f)
    return d


def now(day):
    return f"2026-11-{day:02d}T10:00:00Z"


def preview(s, day, who=ZOE):
    r = s.run("--now", now(day), "preview", "--user", who, "--format",
              "json", env=env())
    try:
        return r, json.loads(text(r.stdout))
    except ValueError:
        return r, {}


def lines(model):
    """(first-meeting names per meeting, {email: times}, people_most)."""
    first, often = [], {}
    for m in model.get("meetings", []):
        if m.get("first_meeting"):
            first.append(m["first_meeting"]["names"])
        for o in m.get("often") or []:
            often[o["email"]] = o["times"]
    return first, often, model.get("people_most")


def rows(s, sql, *args):
    db = sqlite3.connect(s.path("digest.db"))
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def history_config(s, srv, days=30):
    graph_config(s, srv)
    with open(s.config, encoding="utf-8") as f:
        t = f.read()
    s.write_config(set_key(t, "history", "days", str(days)))


folder = tenant()
srv = GraphServer("--tenant-dir", folder)
s, fresh, off = Scratch(), Scratch(), Scratch()
try:
    for sc, days in ((s, 30), (fresh, 30), (off, 0)):
        history_config(sc, srv, days)
        r = sc.run("--now", now(23), "users", "sync", env=env())
        check(r.returncode == 0, "users sync exits 0", text(r.stderr))

    # -- failures first: nothing may be recorded by them ---------------
    for args, why in [(["--days", "0"], "--days 0"),
                      (["--days", "abc"], "--days abc"),
                      (["--days", "31"], "--days over [history] days"),
                      ([], "no --days")]:
        r = s.run("--now", now(23), "history", "backfill", *args, env=env())
        check(r.returncode == 2, f"history backfill with {why}: exit 2",
              (r.returncode, text(r.stderr)))
    r = s.run("history", "frob")
    check(r.returncode == 2 and "backfill" in text(r.stderr),
          "an unknown history subcommand: exit 2, naming the two", r)
    r = s.run("history", "forget")
    check(r.returncode == 2, "history forget without --user: exit 2")
    check(rows(s, "SELECT count(*) FROM history_days") == [(0,)],
          "the refused calls recorded nothing")
    r = s.run("--now", now(23), "history", "backfill", "--days", "7",
              "--user", "nobody@contoso.com", env=env())
    check(r.returncode == 1 and "nobody@contoso.com" in text(r.stderr),
          "backfill --user of nobody in the tenant: exit 1, naming them",
          (r.returncode, text(r.stderr)[-600:]))

    # -- a fresh store knows nobody ------------------------------------
    r, m = preview(fresh, 23)
    first, often, most = lines(m)
    check(r.returncode == 0 and not first and not often and not most,
          "without history: no first meeting, no frequency, no section",
          (first, often, most, text(r.stderr)[-500:]))

    # -- backfill, under throttling and an expiring token --------------
    # At most 3 of the client's 6 attempts of one request are refused:
    # else one in 1,400 requests would fail by chance, and the test with it.
    srv.configure(fail_429=0.3, retry_after="1", expire_token_after=2,
                  fault_streak_max=3)
    srv.control("reset-stats")
    r = s.run("--now", now(23), "history", "backfill", "--days", "28",
              env=env(), timeout=300)
    st = srv.stats()
    srv.configure(fail_429=0.0, expire_token_after=None,
                  fault_streak_max=None)
    check(r.returncode == 0, "backfill exits 0 through 429s and 401s",
          text(r.stderr)[-1500:])
    check(st["throttled_429"] >= 1 and st["early_retries"] == 0,
          f"it met {st['throttled_429']} x 429 and waited each Retry-After")
    check(st["unauthorized_401"] >= 1,
          f"it met {st['unauthorized_401']} x 401 and signed in again")
    check(st["batches"] >= 1, "it fetched through $batch, as a run does",
          st["batches"])
    got = rows(s, "SELECT min(date), max(date), count(*) FROM history_days "
               "WHERE reader = ?", ZOE)
    check(got == [("2026-10-26", "2026-11-22", 28)],
          "Zoë's 28 past days are recorded, up to yesterday", got)
    got = rows(s, "SELECT sum(meetings) FROM history WHERE reader = ? "
               "AND person = ?", ZOE, OMER)
    check(got == [(20,)], "20 standups with Ömer in four weeks", got)
    check(not rows(s, "SELECT * FROM history WHERE person LIKE '%fabrikam%'"
                   " OR person LIKE 'rainier%'"),
          "nobody outside the tenant and no room is recorded")
    got = rows(s, "SELECT count(*) FROM pragma_table_info('history')")
    check(got == [(4,)], "the history keeps reader, date, person, "
          "meetings: nothing else", got)

    # -- a week of mornings --------------------------------------------
    seen = {}
    for day in (23, 24, 25, 26, 27):
        r, m = preview(s, day)
        check(r.returncode == 0 and m.get("status") == "ready",
              f"the 11-{day} preview is ready", text(r.stderr)[-500:])
        seen[day] = (m.get("date"),) + lines(m)
        srv.control("reset-stats")
        r = s.run("--now", now(day), "run", "--user", ZOE, env=env())
        check(r.returncode == 0, f"the 11-{day} run exits 0",
              text(r.stderr)[-800:])
        if day == 23:
            with_history = srv.stats()["requests"]
            r = off.run("--now", now(23), "run", "--user", ZOE, env=env())
            srv.control("reset-stats")
            r = off.run("--now", now(23), "run", "--user", ZOE, env=env())
            without = srv.stats()["requests"]
            check(with_history == without,
                  f"a run makes as many Graph requests with the history "
                  f"as without ({with_history} and {without})")

    d, first, often, most = seen[23]
    check(d == "2026-11-24" and often.get(OMER) == 5 and
          often.get(PRIYA) == 1,
          "the first morning (backfill): Ömer about 5 times a week, Priya "
          "about once", often)
    check(not first and not most, "Tuesday: no first meeting, no weekly "
          "section", (first, most))
    d, first, often, most = seen[24]
    check(d == "2026-11-25" and first == ["Pat Kim"],
          "Wednesday the 25th: first meeting with Pat Kim", first)
    d, first, often, most = seen[25]
    check(d == "2026-11-26" and not first,
          "Thursday the 26th: Yui (met on the 5th) is no first meeting",
          first)
    d, first, often, most = seen[27]
    check(d == "2026-11-30" and not any("Marcus" in f for f in first),
          "Monday the 30th: Marcus (opted out, hidden) is never named",
          first)
    people = (most or {}).get("people", [])
    check(d == "2026-11-30" and people and people[0]["email"] == OMER
          and len(people) <= 3 and all(p.get("tip") for p in people),
          "Monday the 30th (Friday's run): people you meet most, Ömer "
          "first, each with a tip", most)
    check(not any(seen[k][3] for k in (23, 24, 25, 26)),
          "the weekly section shows on no other day")

    r = s.run("--now", now(27), "preview", "--user", ZOE, env=env())
    out = text(r.stdout)
    check("People you meet most (last 4 weeks):" in out and
          "You meet Ömer Yılmaz about 5 times a week." in out,
          "the text part words them", out[:3000])
    r = s.run("--now", now(24), "preview", "--user", ZOE, "--locale", "de",
              env=env())
    check("Erstes Treffen mit Pat Kim." in text(r.stdout),
          "in German too", text(r.stdout)[:2000])

    # -- privacy: a profile hidden by the person's own choice ----------
    r = s.run("prefs", "--user", PAT, "--profile", "hidden")
    check(r.returncode == 0, "Pat hides his profile", text(r.stderr))
    r, m = preview(s, 24)
    first, often, most = lines(m)
    check(r.returncode == 0 and not first and "Pat Kim" not in json.dumps(
        [x.get("first_meeting") for x in m.get("meetings", [])]),
          "then no first-meeting line names him", first)
    r = s.run("about", "--user", PAT)
    check(r.returncode == 0 and "none names you" in text(r.stdout),
          "digest about tells him no relationship line names him",
          text(r.stdout)[-600:])
    r = s.run("about", "--user", OMER)
    check(r.returncode == 0 and "First meeting with Ömer Yılmaz." in
          text(r.stdout) and "People you meet most" in text(r.stdout),
          "digest about lists the relationship lines that may name Ömer",
          text(r.stdout)[-800:])

    # -- counts once, retention, forget --------------------------------
    before = rows(s, "SELECT sum(meetings) FROM history WHERE reader = ?",
                  ZOE)
    s.run("--now", now(27), "run", "--user", ZOE, env=env())
    preview(s, 27)
    check(rows(s, "SELECT sum(meetings) FROM history WHERE reader = ?",
               ZOE) == before,
          "a re-run and a preview of a recorded day count nothing twice")
    got = rows(s, "SELECT min(date) FROM history_days")
    check(got == [("2026-10-28",)],
          "retention: [history] days = 30 deleted the days before "
          "2026-10-28 on the 27th", got)
    check(not rows(s, "SELECT * FROM history WHERE date < '2026-10-28'"),
          "no person row is older either")

    r = s.run("history", "forget", "--user", "Omer.Yilmaz@contoso.com")
    check(r.returncode == 0 and "forgotten" in text(r.stderr),
          "history forget exits 0 and says so", text(r.stderr))
    check(rows(s, "SELECT count(*) FROM history WHERE reader = ?1 OR "
               "person = ?1", OMER) == [(0,)] and
          rows(s, "SELECT count(*) FROM history_days WHERE reader = ?",
               OMER) == [(0,)],
          "Ömer is gone, as reader and as person met")
    check(rows(s, "SELECT count(*) FROM history WHERE person = ?",
               PRIYA) != [(0,)], "the others stay")
    r = s.run("history", "forget", "--user", OMER)
    check(r.returncode == 0 and "nothing kept" in text(r.stderr),
          "forgetting again: exit 0, nothing kept", text(r.stderr))
finally:
    srv.stop()
    for sc in (s, fresh, off):
        sc.cleanup()
    shutil.rmtree(folder, ignore_errors=True)

finish()
