#!/usr/bin/python3
"""Write fixtures/demo-past: the four weeks before the demo tenant's clock.

The demo tenant (fixtures/demo) records one morning. Relationship context
("first meeting with Pat", "you meet Ömer about 5 times a week", the
weekly "people you meet most") needs the weeks before it, so `make demo`
first runs `digest history backfill --days 28` over this recording: the
same users, mailbox settings and groups (copied from fixtures/demo), and
calendars with the weeks 2026-10-26 to 2026-11-20 made by the tables
below (a standup, 1:1s, a weekly sync, one design review). Only the
attendees matter to the history; subjects are there because Graph has
them.

Usage: /usr/bin/python3 scripts/gen-demo-past.py fixtures/demo fixtures/demo-past
"""
import json
import os
import shutil
import sys
from datetime import date, datetime, timedelta

ZOE = "zoe.martin@contoso.com"
OMER = "omer.yilmaz@contoso.com"
PRIYA = "priya.raman@contoso.com"
DANA = "dana.whitfield@contoso.com"
MARCUS = "marcus.lee@contoso.com"
YUI = "yui.nakamura@contoso.com"
FIRST, LAST = date(2026, 10, 26), date(2026, 11, 20)


README = """# The demo tenant's past four weeks

Written by `scripts/gen-demo-past.py` (edit its tables, not these files):
the users, mailbox settings and groups of `fixtures/demo`, and calendars
holding the weeks 2026-10-26 to 2026-11-20 before the demo's morning
(Monday 2026-11-23): a team standup of Zoë with Ömer and Marcus (Dana too,
Wednesday to Friday), Zoë's 1:1 with Priya on Tuesdays, Dana's finance sync
with Priya and Ömer on Thursdays, one design review of Zoë with Yui.

`make demo` reads it with `digest history backfill --days 28` (a config
whose `[source] path` is this folder, the same database), so that the
demo's digests have relationship context: Ömer and Dana met often, Pat
Kim, Hannah and Oliver met for the first time, and Dana's Wednesday
(`preview --date 2026-11-25`, her first working day) the weekly "people
you meet most".
"""


def meetings():
    """(subject, day, UTC hour, organizer, attendees), Monday=0."""
    out, d = [], FIRST
    while d <= LAST:
        wd = d.weekday()
        if wd < 5:
            people = [OMER, MARCUS] + ([DANA] if wd >= 2 else [])
            out.append(("Team standup", d, 17, ZOE, people))
        if wd == 1:
            out.append(("1:1 Zoë / Priya", d, 19, ZOE, [PRIYA]))
        if wd == 3:
            out.append(("Finance sync", d, 16, DANA, [PRIYA, OMER]))
        d += timedelta(days=1)
    out.append(("Design review: search", date(2026, 11, 12), 20, ZOE,
                [YUI]))
    return out


def event(n, subject, day, hour, organizer, attendees, names):
    fmt = "%Y-%m-%dT%H:%M:%S.0000000"
    start = datetime(day.year, day.month, day.day, hour)

    def who(a):
        return {"type": "required",
                "status": {"response": "accepted",
                           "time": "2026-10-01T00:00:00Z"},
                "emailAddress": {"name": names[a], "address": a}}
    return {
        "id": f"AAMkPAST{n:05d}=", "subject": subject,
        "importance": "normal", "sensitivity": "normal", "isAllDay": False,
        "isCancelled": False, "isOrganizer": False,
        "responseStatus": {"response": "accepted",
                           "time": "2026-10-01T00:00:00Z"},
        "showAs": "busy", "type": "singleInstance", "seriesMasterId": None,
        "start": {"dateTime": start.strftime(fmt), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(minutes=30)).strftime(fmt),
                "timeZone": "UTC"},
        "location": {"displayName": "", "locationType": "default"},
        "attendees": [who(a) for a in attendees],
        "organizer": {"emailAddress": {"name": names[organizer],
                                       "address": organizer}},
        "isOnlineMeeting": False, "onlineMeetingProvider": "unknown",
        "onlineMeeting": None,
    }


def users_of(demo):
    out = []
    for f in sorted(os.listdir(demo)):
        if f.startswith("users") and f.endswith(".json"):
            with open(os.path.join(demo, f), encoding="utf-8") as fh:
                out += json.load(fh)["value"]
    return out


def main(demo, past):
    shutil.rmtree(past, ignore_errors=True)
    os.makedirs(os.path.join(past, "users"))
    for f in os.listdir(demo):
        if f.startswith("users") and f.endswith(".json") or \
                f == "groups.json":
            shutil.copy(os.path.join(demo, f), past)
    shutil.copytree(os.path.join(demo, "groups"),
                    os.path.join(past, "groups"))
    users = [u for u in users_of(demo) if u.get("mail")]
    names = {u["mail"]: u["displayName"] for u in users}
    cal = {u["mail"]: [] for u in users}
    for n, (subj, day, hour, org, att) in enumerate(meetings()):
        ev = event(n, subj, day, hour, org, att, names)
        for who in [org] + att:
            mine = dict(ev, isOrganizer=who == org)
            cal[who].append(mine)
    for u in users:
        src = os.path.join(demo, "users", u["id"], "mailboxSettings.json")
        if not os.path.exists(src):
            continue
        d = os.path.join(past, "users", u["id"])
        os.makedirs(d)
        shutil.copy(src, d)
        with open(os.path.join(d, "calendarView.json"), "w",
                  encoding="utf-8") as fh:
            json.dump({"value": cal[u["mail"]]}, fh, ensure_ascii=False,
                      indent=1)
            fh.write("\n")
    with open(os.path.join(past, "README.md"), "w", encoding="utf-8") as fh:
        fh.write(README)
    print(f"wrote {past}: {sum(len(v) for v in cal.values())} events, "
          f"{FIRST} to {LAST}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
