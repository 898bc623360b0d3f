#!/usr/bin/python3
"""Write fixtures/demo/: a small Contoso tenant recorded from Graph v1.0.

The JSON files are the product (the embedded demo and many tests read
them); this script only keeps them consistent: one meeting appears in the
calendar of every tenant user it involves, with per-mailbox ids, ids are
stable across runs, and pages and nextLinks follow Graph's rules. Edit the
tables below and run it again:

    /usr/bin/python3 scripts/gen-demo-fixtures.py [fixtures/demo]

The recording: 2026-11-23T10:00:00Z (a Monday), calendarView window
2026-11-23T00:00Z .. 2026-11-26T00:00Z, Prefer: outlook.timezone="UTC",
pages of 10 events, /users pages of 6.
"""

import base64
import csv
import datetime as dt
import hashlib
import json
import os
import sys
import urllib.parse
import zoneinfo

GRAPH = "https://graph.microsoft.com/v1.0"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
WINDOW = ("2026-11-23T00:00:00Z", "2026-11-26T00:00:00Z")
EVENT_SELECT = ("id,subject,importance,sensitivity,isAllDay,isCancelled,"
                "isOrganizer,responseStatus,showAs,type,seriesMasterId,"
                "iCalUId,webLink,start,end,location,attendees,organizer,"
                "isOnlineMeeting,onlineMeetingProvider,onlineMeeting")
USER_SELECT = "id,mail,displayName,userPrincipalName,proxyAddresses"
PAGE = 10
USERS_PAGE = 6
NOT_ANSWERED = "0001-01-01T00:00:00Z"

IANA = {
    "Pacific Standard Time": "America/Los_Angeles",
    "Eastern Standard Time": "America/New_York",
    "W. Europe Standard Time": "Europe/Berlin",
    "India Standard Time": "Asia/Kolkata",
    "Nepal Standard Time": "Asia/Kathmandu",
    "Tokyo Standard Time": "Asia/Tokyo",
    "AUS Eastern Standard Time": "Australia/Sydney",
}

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]

# key: (id, display name, mail, extra smtp aliases, zone, locale, settings)
USERS = [
    ("zoe", "5a1c3e7d-2b94-4f6a-8c0e-91d7b3a2f4e1", "Zoë Martin",
     "zoe.martin@contoso.com", ["zoe@contoso.com"],
     "Pacific Standard Time", ("en-US", "English (United States)"), {}),
    ("omer", "b7e2d9f4-1a3c-4e5b-8d6f-0c2a4e6b8d1f", "Ömer Yılmaz",
     "omer.yilmaz@contoso.com", ["omer@contoso.com"],
     "W. Europe Standard Time", ("de-DE", "Deutsch (Deutschland)"), {}),
    ("yui", "c3d5e7f9-4b6a-4c8e-9f1a-3b5d7f9a1c2e", "中村 結衣",
     "yui.nakamura@contoso.com", ["yui@contoso.com"],
     "Tokyo Standard Time", ("ja-JP", "日本語 (日本)"), {}),
    ("priya", "d4e6f8a0-5c7b-4d9f-8a2b-4c6e8a0b2d3f", "Priya Raman",
     "priya.raman@contoso.com", [],
     "India Standard Time", ("en-IN", "English (India)"), {}),
    ("oliver", "e5f7a9b1-6d8c-4e0a-9b3c-5d7f9b1c3e4a", "Oliver Bennett",
     "oliver.bennett@contoso.com", [],
     "AUS Eastern Standard Time", ("en-AU", "English (Australia)"), {}),
    ("bikash", "f6a8b0c2-7e9d-4f1b-8c4d-6e8a0c2d4f5b", "Bikash Shrestha",
     "bikash.shrestha@contoso.com", [],
     "Nepal Standard Time", ("en-US", "English (United States)"),
     {"oof": ("2026-11-23T12:00:00", "2026-11-26T18:15:00")}),
    ("dana", "0a7b9c1d-8f0e-4a2c-9d5e-7f9b1d3e5a6c", "Dana Whitfield",
     "dana.whitfield@contoso.com", [],
     "Eastern Standard Time", ("en-US", "English (United States)"),
     {"days": ["wednesday", "thursday", "friday"]}),
    ("marcus", "1b8c0d2e-9a1f-4b3d-8e6f-8a0c2e4f6b7d", "Marcus Lee",
     "marcus.lee@contoso.com", ["mlee@contoso.com"],
     "Eastern Standard Time", ("en-US", "English (United States)"), {}),
    # Her mailbox zone is a custom one ICU cannot know: the planner falls
    # back to her working-hours zone.
    ("hannah", "2c9d1e3f-0b2a-4c4e-9f7a-9b1d3f5a7c8e", "Hannah Schmidt",
     "hannah.schmidt@contoso.com", [],
     "W. Europe Standard Time", ("de-DE", "Deutsch (Deutschland)"),
     {"zone": "Customized Time Zone"}),
    # A room mailbox: a user with a mailbox and a calendar full of other
    # people's meetings, and no reader (userPurpose "room").
    ("room", "4e1f3a5b-2d4c-4e6a-9b8c-1d3f5b7d9e0a",
     "Rainier (Bldg 4, 12 seats)", "rainier@contoso.com", [],
     "Pacific Standard Time", ("en-US", "English (United States)"),
     {"purpose": "room"}),
    # A service account: in /users, but no mail and no mailbox.
    ("svc", "3d0e2f4a-1c3b-4d5f-8a8b-0c2e4a6b8d9f",
     "Calendar Sync (service)", None, [], None, None, {}),
]
U = {u[0]: u for u in USERS}

ROOM = ("Rainier (Bldg 4, 12 seats)", "rainier@contoso.com")
PEOPLE = {
    "pat": ("Pat Kim", "pat.kim@fabrikam.com"),
    "jordan": ("Jordan Ellis", "jordan.ellis@fabrikam.com"),
    "sam": ("Sam Taylor", "sam.taylor@litware.com"),
    "casey": ("Casey Morgan", "casey.morgan@northwind.example"),
    "mallory": ("Mallory Quinn", "mallory@evil.example"),
    "img": ("<img src=x onerror=alert(1)>", "guest@evil.example"),
    "platform": ("Platform Team", "platform-team@contoso.com"),
    "leads": ("Platform Leads", "platform-leads@contoso.com"),
    # Invited in other letter case than Graph stores the group's mail.
    "apac": ("APAC Team", "APAC-Team@Contoso.com"),
    # Ömer by his secondary alias, upper-cased by someone's address book.
    "OMER": ("Ömer Yılmaz", "OMER@CONTOSO.COM"),
}

GROUPS = [
    ("platform", "7e4f1a2b-3c5d-4e6f-8a9b-0c1d2e3f4a5b", "Platform Team",
     "platform-team@contoso.com", [], False,
     ["omer", "yui", "zoe", "#leads", "priya", "hannah", "@pat"]),
    ("leads", "8f5a2b3c-4d6e-4f7a-9b0c-1d2e3f4a5b6c", "Platform Leads",
     "platform-leads@contoso.com", [], True, ["zoe", "priya"]),
    ("apac", "9a6b3c4d-5e7f-4a8b-8c1d-2e3f4a5b6c7d", "APAC Team",
     "apac-team@contoso.com", ["Unified"], False,
     ["yui", "priya", "oliver", "bikash"]),
]

ROSTER = [
    ("zoe.martin@contoso.com", "Zoë Martin", "Engineering Manager",
     "zoe@contoso.com", "false", "I", "3"),
    ("omer.yilmaz@contoso.com", "Ömer Yılmaz", "Staff Engineer",
     "omer@contoso.com", "false", "C", "5"),
    ("yui.nakamura@contoso.com", "中村 結衣", "Product Designer",
     "yui@contoso.com;nakamura@contoso.com", "false", "S", "9"),
    ("priya.raman@contoso.com", "Priya Raman", "Data Scientist",
     "", "false", "D", ""),
    ("oliver.bennett@contoso.com", "Oliver Bennett", "Sales Director, APAC",
     "", "false", "I", "7"),
    ("bikash.shrestha@contoso.com", "Bikash Shrestha",
     "Site Reliability Engineer", "", "false", "", "6"),
    ("dana.whitfield@contoso.com", "Dana Whitfield", "Legal Counsel",
     "", "false", "C", "1"),
    ("marcus.lee@contoso.com", "Marcus Lee", "Director, Finance",
     "mlee@contoso.com", "true", "D", "8"),
    ("hannah.schmidt@contoso.com", "Hannah Schmidt", "Engineering Lead",
     "", "false", "S", "2"),
    ("pat.kim@fabrikam.com", "Pat Kim", "Partner Manager (Fabrikam)",
     "", "false", "S", "2"),
]


def utc(s):
    return dt.datetime.fromisoformat(s).replace(tzinfo=dt.timezone.utc)


# A meeting: start/end in UTC ("2026-11-24T16:00") or, all-day, dates.
# who: organizer key; att: [(key, type, response)]; cal: extra tenant
# calendars holding it (organizer and tenant attendees always do, except a
# cancelled meeting, which leaves the organizer's calendar).
MEETINGS = []


def meeting(key, subject, start, end, org, att=(), **kw):
    MEETINGS.append(dict(key=key, subject=subject, start=start, end=end,
                         org=org, att=list(att), **kw))


def series(key, subject, times, org, att, **kw):
    for i, (s, e) in enumerate(times):
        meeting(f"{key}-{i}", subject, s, e, org, att, series=key, **kw)


A, N, T, D = "accepted", "none", "tentativelyAccepted", "declined"

# The recurring standup: one occurrence a day, 09:00 Pacific.
series("standup", "Team standup",
       [("2026-11-23T17:00", "2026-11-23T17:15"),
        ("2026-11-24T17:00", "2026-11-24T17:15"),
        ("2026-11-25T17:00", "2026-11-25T17:15")],
       "zoe", [("omer", "required", A), ("marcus", "required", A),
               ("dana", "optional", T)], teams=True)

# ---- Tuesday 24th, local, of the ready users ---------------------------
meeting("oneonone", "1:1 Zoë / Ömer", "2026-11-24T16:00", "2026-11-24T16:30",
        "zoe", [("OMER", "required", A)], cal=["omer"], teams=True)
meeting("fabrikam", "Fabrikam partnership sync", "2026-11-24T18:00",
        "2026-11-24T19:00", "zoe",
        [("pat", "required", A), ("jordan", "required", N),
         ("marcus", "required", A), ("omer", "optional", T)], teams=True)
meeting("archreview", "Platform architecture review", "2026-11-24T21:00",
        "2026-11-24T22:30", "zoe",
        [("platform", "required", N), ("room", "resource", A)],
        cal=["omer"], room=True)
meeting("hostile", "Hi\r\nBcc: x@evil.example", "2026-11-24T22:30",
        "2026-11-24T23:00", "mallory",
        [("zoe", "required", N), ("img", "required", N)],
        location="<b>Room</b> \"Lobby\"")
meeting("budget", "Budget review with Finance", "2026-11-24T23:00",
        "2026-11-25T00:00", "marcus",
        [("zoe", "required", A), ("dana", "required", A)])
meeting("onboarding", "Design review: onboarding flow", "2026-11-25T00:00",
        "2026-11-25T01:00", "yui", [("zoe", "required", A)], teams=True)
meeting("apac", "APAC pipeline review", "2026-11-24T00:00",
        "2026-11-24T00:30", "oliver",
        [("zoe", "required", A), ("yui", "required", A),
         ("apac", "optional", N)], teams=True)
meeting("critique", "Design critique: mobile checkout", "2026-11-24T02:00",
        "2026-11-24T03:00", "yui",
        [("priya", "required", A), ("oliver", "optional", A)])
meeting("codereview", "Code review: ingestion pipeline", "2026-11-24T10:00",
        "2026-11-24T10:30", "priya", [("omer", "required", A)], teams=True)
meeting("postmortem", "Incident postmortem: checkout latency",
        "2026-11-24T06:30", "2026-11-24T07:30", "priya",
        [("bikash", "required", N), ("oliver", "required", A)])
meeting("officehours", "Data platform office hours", "2026-11-24T09:00",
        "2026-11-24T09:45", "priya", [("leads", "optional", N)])
meeting("tokyosync", "Tokyo office sync", "2026-11-24T05:00",
        "2026-11-24T05:30", "yui", [("bikash", "required", N)])
meeting("sprint", "デザインスプリント 2日目", "2026-11-24T00:00",
        "2026-11-25T00:00", "yui", [], all_day=True, show_as="busy")
# Sydney 23:30-00:30: starts on the 24th, ends on the 25th.
meeting("northwind", "Customer call: Northwind (US West)",
        "2026-11-24T12:30", "2026-11-24T13:30", "oliver",
        [("casey", "required", A), ("dana", "optional", A)], teams=True)
meeting("boardprep", "Board prep", "2026-11-24T15:00", "2026-11-24T16:00",
        "marcus", [("dana", "required", A)])

# Ömer's special cases.
meeting("guild", "Canceled: Architecture guild", "2026-11-24T09:00",
        "2026-11-24T10:00", "hannah", [("omer", "required", A)],
        cancelled=True, show_as="free")
meeting("interview", "Final interview at Fabrikam: CTO offer, "
        "do not tell Zoë", "2026-11-24T11:00", "2026-11-24T12:00", "omer",
        [("jordan", "required", A), ("pat", "required", A)],
        sensitivity="private", location="Fabrikam HQ, München")
meeting("litware", "Vendor demo: Litware", "2026-11-24T13:00",
        "2026-11-24T14:00", "sam", [("omer", "required", D)],
        show_as="free", teams=True)

# Zoë's own day: not meetings with others, still on the calendar.
meeting("commute", "School run", "2026-11-24T15:00", "2026-11-24T16:00",
        "zoe", [], sensitivity="personal", show_as="oof")
meeting("lunch", "Lunch", "2026-11-24T20:00", "2026-11-24T20:45", "zoe", [])
meeting("freeze", "Release freeze", "2026-11-24T00:00", "2026-11-25T00:00",
        "zoe", [], all_day=True, show_as="free")
meeting("q1", "Q1 targets: Oliver / Zoë", "2026-11-25T02:00",
        "2026-11-25T02:30", "oliver", [("zoe", "required", A)])

# Bikash's trek: a multi-day all-day event while his replies are on.
meeting("trek", "Out of office: Annapurna trek", "2026-11-24T00:00",
        "2026-11-27T00:00", "bikash", [], all_day=True, show_as="oof")

# ---- neighbouring days (the planner must drop them) ---------------------
meeting("hiring", "Hiring sync", "2026-11-23T18:00", "2026-11-23T18:30",
        "zoe", [("marcus", "required", A)])
meeting("prep", "Fabrikam prep", "2026-11-23T19:00", "2026-11-23T19:30",
        "zoe", [("omer", "required", A)], teams=True)
meeting("roadmap", "Roadmap pre-read", "2026-11-23T23:30",
        "2026-11-24T00:00", "zoe", [("dana", "required", A)])
meeting("dinner", "Dinner with Fabrikam", "2026-11-24T02:00",
        "2026-11-24T04:00", "pat",
        [("zoe", "required", A), ("jordan", "required", A)],
        location="Canlis, Seattle")
meeting("interview-sre", "Interview: Senior SRE candidate",
        "2026-11-23T16:00", "2026-11-23T17:00", "zoe",
        [("marcus", "optional", A)])
meeting("debrief", "Hiring debrief", "2026-11-25T18:00", "2026-11-25T18:30",
        "zoe", [("marcus", "required", A)])
meeting("planning", "Platform planning", "2026-11-25T19:00",
        "2026-11-25T20:00", "omer", [("zoe", "required", A)], teams=True)
meeting("demo", "Sprint demo", "2026-11-25T23:00", "2026-11-26T00:00",
        "zoe", [("platform", "optional", N)], teams=True)
meeting("pairing", "Pairing: schema migration", "2026-11-23T14:00",
        "2026-11-23T15:00", "hannah", [("omer", "required", A)])
meeting("guild2", "Architecture guild (moved)", "2026-11-25T09:00",
        "2026-11-25T10:00", "hannah", [("omer", "required", A)])
meeting("weekly", "Weekly planning", "2026-11-23T01:00", "2026-11-23T02:00",
        "yui", [("priya", "required", A)])
meeting("okr", "Quarterly OKR review", "2026-11-25T06:00",
        "2026-11-25T07:00", "priya", [("yui", "required", A)])
meeting("teamlunch", "Team lunch", "2026-11-23T01:00", "2026-11-23T02:30",
        "oliver", [], location="Barangaroo")
meeting("forecast", "Pipeline forecast", "2026-11-24T23:00",
        "2026-11-25T00:00", "oliver", [("yui", "optional", N)])
meeting("stammtisch", "Deutsch-Stammtisch", "2026-11-25T17:30",
        "2026-11-25T18:30", "hannah", [("omer", "optional", T)])

meeting("coffee", "Coffee chat: Hannah / Zoë", "2026-11-25T17:15",
        "2026-11-25T17:45", "hannah", [("zoe", "required", A)], teams=True)
meeting("budgetprep", "Budget prep", "2026-11-23T17:30", "2026-11-23T18:00",
        "zoe", [])
meeting("inbox", "Inbox zero", "2026-11-23T15:00", "2026-11-23T16:00", "zoe",
        [], show_as="tentative")

# Focus blocks (Pacific working hours) fill Zoë's calendar to 32 events:
# four pages of ten.
for i, (s, e) in enumerate([("2026-11-23T19:30", "2026-11-23T20:30"),
                            ("2026-11-23T21:00", "2026-11-23T23:00"),
                            ("2026-11-24T19:00", "2026-11-24T20:00"),
                            ("2026-11-25T16:00", "2026-11-25T17:00"),
                            ("2026-11-25T20:00", "2026-11-25T21:00"),
                            ("2026-11-25T21:00", "2026-11-25T23:00")]):
    meeting(f"focus-{i}", "Focus time", s, e, "zoe", [], show_as="busy")


def b64id(*parts, n=60):
    h = b""
    i = 0
    while len(h) < n:
        h += hashlib.sha256(repr((parts, i)).encode()).digest()
        i += 1
    return (base64.b64encode(h[:n]).decode().replace("/", "-")
            .replace("+", "_"))


def event_id(owner, key):
    return "AAMkAG" + b64id("event", owner, key) + "AAA="


def address_of(key):
    if key in U:
        return {"name": U[key][2], "address": U[key][3]}
    return {"name": PEOPLE[key][0], "address": PEOPLE[key][1]}


def answered(resp, m):
    if resp in (N, "notResponded", "organizer"):
        return NOT_ANSWERED
    t = utc(m["start"]) - dt.timedelta(days=9, hours=3,
                                       minutes=len(m["subject"]))
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def dtz(s):
    return {"dateTime": s + ":00.0000000", "timeZone": "UTC"}


def location(m):
    if m.get("room"):
        return {"displayName": ROOM[0], "locationType": "conferenceRoom",
                "uniqueId": ROOM[1], "uniqueIdType": "directory",
                "address": {"street": "4 Contoso Way", "city": "Redmond",
                            "state": "WA", "countryOrRegion": "United States",
                            "postalCode": "98052"},
                "coordinates": {}}
    if m.get("location"):
        return {"displayName": m["location"], "locationType": "default",
                "uniqueId": m["location"], "uniqueIdType": "private",
                "address": {}, "coordinates": {}}
    if m.get("teams"):
        return {"displayName": "Microsoft Teams Meeting",
                "locationType": "default",
                "uniqueId": "Microsoft Teams Meeting",
                "uniqueIdType": "private"}
    return {"displayName": "", "locationType": "default",
            "uniqueIdType": "unknown", "address": {}, "coordinates": {}}


def online(m):
    if not m.get("teams"):
        return None
    org = U.get(m["org"])
    oid = org[1] if org else "00000000-0000-0000-0000-000000000000"
    thread = b64id("thread", m["key"], n=36).rstrip("=").replace("+", "")
    ctx = urllib.parse.quote(json.dumps({"Tid": TENANT, "Oid": oid},
                                        separators=(",", ":")), safe="")
    url = ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_" +
           thread + "%40thread.v2/0?context=" + ctx.lower()
           .replace("%22tid%22", "%22Tid%22")
           .replace("%22oid%22", "%22Oid%22"))
    return {"joinUrl": url, "conferenceId": str(int(hashlib.sha256(
                m["key"].encode()).hexdigest()[:8], 16) % 10**9),
            "tollNumber": "+1 323-555-0166"}


def event_for(owner, m):
    is_org = m["org"] == owner
    if is_org:
        resp = "organizer"
    else:
        # Invited through a group: tentative until answered.
        resp = next((r for k, _, r in m["att"]
                     if k == owner or (k == "OMER" and owner == "omer")), T)
    eid = event_id(owner, m["key"])
    ical = "040000008200E00074C5B7101A82E00800000000" + hashlib.sha256(
        m["key"].split("-")[0].encode()).hexdigest()[:56].upper()
    ev = {
        "@odata.etag": 'W/"' + b64id("etag", owner, m["key"], n=21) + '"',
        "id": eid,
        "subject": m["subject"],
        "importance": "normal",
        "sensitivity": m.get("sensitivity", "normal"),
        "isAllDay": bool(m.get("all_day")),
        "isCancelled": bool(m.get("cancelled")),
        "isOrganizer": is_org,
        "responseStatus": {"response": resp, "time": answered(resp, m)},
        "showAs": m.get("show_as", "free" if resp == D else
                        "tentative" if resp == T else "busy"),
        "type": "occurrence" if m.get("series") else "singleInstance",
        "seriesMasterId": ("AAMkAG" + b64id("master", owner, m["series"]) +
                           "AAA=") if m.get("series") else None,
        "iCalUId": ical,
        "webLink": ("https://outlook.office365.com/owa/?itemid=" +
                    urllib.parse.quote(eid, safe="") +
                    "&exvsurl=1&path=/calendar/item"),
        "isOnlineMeeting": bool(m.get("teams")),
        "onlineMeetingProvider": ("teamsForBusiness" if m.get("teams")
                                  else "unknown"),
        "start": dtz(m["start"]),
        "end": dtz(m["end"]),
        "location": location(m),
        "attendees": [{"type": t, "status": {"response": r,
                                             "time": answered(r, m)},
                       "emailAddress": address_of(k)}
                      for k, t, r in m["att"]],
        "organizer": {"emailAddress": address_of(m["org"])},
        "onlineMeeting": online(m),
    }
    return ev


def calendars(m):
    owners = [] if m.get("cancelled") else [m["org"]]
    owners += [k for k, _, _ in m["att"] if k in U]
    owners += ["omer" for k, _, _ in m["att"] if k == "OMER"]
    owners += m.get("cal", [])
    return [o for o in dict.fromkeys(owners) if o in U]


def write(root, rel, obj):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def user_json(u):
    key, uid, name, mail, aliases, *_ = u
    proxies = []
    if mail:
        proxies = ["SMTP:" + mail] + ["smtp:" + a for a in aliases]
        proxies.append("SIP:" + mail)
    return {"id": uid, "displayName": name, "mail": mail,
            "userPrincipalName": mail or "svc-calsync@contoso.onmicrosoft.com",
            "proxyAddresses": proxies}


def write_users(root):
    ctx = GRAPH + "/$metadata#users(" + USER_SELECT + ")"
    first = [user_json(u) for u in USERS[:USERS_PAGE]]
    rest = [user_json(u) for u in USERS[USERS_PAGE:]]
    token = "RFNwdAIAAQAAACg6" + b64id("skiptoken", n=42).replace(
        "-", "A").replace("+", "B").rstrip("=")
    link = (GRAPH + "/users?$select=" + USER_SELECT + "&$top=" +
            str(USERS_PAGE) + "&$skiptoken=" + token)
    write(root, "users.json", {"@odata.context": ctx, "@odata.nextLink": link,
                               "value": first})
    write(root, f"users.skiptoken-{token}.json",
          {"@odata.context": ctx, "value": rest})


def write_mailbox(root, u):
    key, uid, name, mail, aliases, zone, lang, extra = u
    if not mail:
        return
    oof = extra.get("oof")
    if oof:
        status, start, end = "scheduled", oof[0], oof[1]
        text = ("<html><body><p>I am trekking in Nepal until 27 November "
                "with no connection.</p></body></html>")
    else:
        status, start, end = "disabled", "2026-11-23T10:00:00", \
            "2026-11-24T10:00:00"
        text = ""
    write(root, f"users/{uid}/mailboxSettings.json", {
        "@odata.context": (GRAPH + "/$metadata#users('" + uid +
                           "')/mailboxSettings"),
        "archiveFolder": "AAMkAG" + b64id("archive", key, n=30) + "AAA=",
        "timeZone": extra.get("zone", zone),
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
        "dateFormat": {"de-DE": "dd.MM.yyyy", "ja-JP": "yyyy/MM/dd",
                       "en-IN": "dd-MM-yyyy", "en-AU": "d/MM/yyyy"}
        .get(lang[0], "M/d/yyyy"),
        "timeFormat": "h:mm tt" if lang[0] == "en-US" else "HH:mm",
        "userPurpose": extra.get("purpose", "user"),
        "automaticRepliesSetting": {
            "status": status,
            "externalAudience": "all" if oof else "none",
            "internalReplyMessage": text,
            "externalReplyMessage": text,
            "scheduledStartDateTime": {"dateTime": start + ".0000000",
                                       "timeZone": "UTC"},
            "scheduledEndDateTime": {"dateTime": end + ".0000000",
                                     "timeZone": "UTC"},
        },
        "language": {"locale": lang[0], "displayName": lang[1]},
        "workingHours": {
            "daysOfWeek": extra.get("days", WEEKDAYS),
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": zone},
        },
    })


def write_calendar(root, u):
    key, uid = u[0], u[1]
    if not u[3]:
        return []
    evs = [event_for(key, m) for m in MEETINGS if key in calendars(m)]
    evs.sort(key=lambda e: (e["start"]["dateTime"], e["subject"]))
    base = f"users/{uid}/calendarView"
    ctx = (GRAPH + "/$metadata#users('" + uid + "')/calendarView(" +
           EVENT_SELECT + ")")
    query = ("?startDateTime=" + urllib.parse.quote(WINDOW[0], safe="") +
             "&endDateTime=" + urllib.parse.quote(WINDOW[1], safe="") +
             "&$select=" + EVENT_SELECT + "&$top=" + str(PAGE))
    for skip in range(0, max(len(evs), 1), PAGE):
        page = {"@odata.context": ctx}
        if skip + PAGE < len(evs):
            page["@odata.nextLink"] = (GRAPH + "/" + base + query +
                                       "&$skip=" + str(skip + PAGE))
        page["value"] = evs[skip:skip + PAGE]
        name = base + (f".skip-{skip}" if skip else "") + ".json"
        write(root, name, page)
    return evs


def member_json(m):
    if m.startswith("#"):
        g = next(g for g in GROUPS if g[0] == m[1:])
        return {"@odata.type": "#microsoft.graph.group", "id": g[1],
                "displayName": g[2], "mail": g[3],
                "userPrincipalName": None}
    if m.startswith("@"):
        name, mail = PEOPLE[m[1:]]
        return {"@odata.type": "#microsoft.graph.orgContact",
                "id": "6e1f" + hashlib.sha256(mail.encode()).hexdigest()[:4] +
                "-5d3c-4b2a-9e8f-7a6b5c4d3e2f",
                "displayName": name, "mail": mail}
    u = U[m]
    return {"@odata.type": "#microsoft.graph.user", "id": u[1],
            "displayName": u[2], "mail": u[3], "userPrincipalName": u[3]}


def flatten(key):
    out = []
    for m in next(g for g in GROUPS if g[0] == key)[6]:
        out.append(m)
        if m.startswith("#"):
            out += [x for x in flatten(m[1:]) if x not in out]
    return list(dict.fromkeys(out))


def write_groups(root):
    write(root, "groups.json", {
        "@odata.context": (GRAPH + "/$metadata#groups(id,mail,displayName,"
                           "groupTypes,mailEnabled,securityEnabled)"),
        "value": [{"id": g[1], "mail": g[3], "displayName": g[2],
                   "groupTypes": g[4], "mailEnabled": True,
                   "securityEnabled": g[5]} for g in GROUPS]})
    for g in GROUPS:
        write(root, f"groups/{g[1]}/transitiveMembers.json", {
            "@odata.context": (GRAPH + "/$metadata#directoryObjects(id,"
                               "displayName,mail,userPrincipalName)"),
            "value": [member_json(m) for m in flatten(g[0])]})


def write_roster(root):
    with open(os.path.join(root, "roster.csv"), "w", encoding="utf-8",
              newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["email", "name", "title", "aliases", "opt_out", "disc",
                    "enneagram"])
        w.writerows(ROSTER)


def report(evs_by_user):
    """Print each user's events on their local 24th, to eyeball."""
    for u in USERS:
        if not u[3]:
            continue
        tz = zoneinfo.ZoneInfo(IANA[u[5]])
        day = []
        for e in evs_by_user[u[0]]:
            s = utc(e["start"]["dateTime"][:19])
            en = utc(e["end"]["dateTime"][:19])
            if e["isAllDay"]:
                hit = s.date() <= dt.date(2026, 11, 24) < en.date()
            else:
                lo = dt.datetime(2026, 11, 24, tzinfo=tz)
                hit = s < lo + dt.timedelta(days=1) and en > lo
            if hit:
                day.append(s.astimezone(tz).strftime("%H:%M") + " " +
                           repr(e["subject"])[:40])
        print(f"{u[0]:7} {len(evs_by_user[u[0]]):2} events; 24th local: "
              + "; ".join(day), file=sys.stderr)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "fixtures/demo"
    write_users(root)
    evs = {}
    for u in USERS:
        write_mailbox(root, u)
        evs[u[0]] = write_calendar(root, u)
    write_groups(root)
    write_roster(root)
    report(evs)


if __name__ == "__main__":
    main()
