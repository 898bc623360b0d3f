"""digest preview on the demo tenant, checked field by field against the
recorded fixtures: the digest model of DESIGN.md for the ready users (their
zone, their meetings of 2026-11-24 in their own offset, who is in each
room and how they were matched), the skipped users and their reasons, and
the text, HTML and MIME previews where calendar text is untrusted.

The expected meetings are derived here from the fixture files themselves
(cancelled and declined events dropped, the local day of each user's zone,
all-day events as dates), and the scenarios of fixtures/demo/README.md are
hard-coded: both must agree with the binary."""
import datetime
import email
import email.policy
import glob
import json
import re
import os
import zoneinfo

from digesttest import SRC, Scratch, check, finish, text

FIX = os.path.join(SRC, "fixtures", "demo")
DATE = "2026-11-24"
WINDOWS = {  # the demo's Windows zone names and what they must become
    "Pacific Standard Time": "America/Los_Angeles",
    "W. Europe Standard Time": "Europe/Berlin",
    "Tokyo Standard Time": "Asia/Tokyo",
    "India Standard Time": "Asia/Kolkata",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "Nepal Standard Time": "Asia/Kathmandu",
    "Eastern Standard Time": "America/New_York",
}
READY = ["zoe.martin", "omer.yilmaz", "yui.nakamura", "oliver.bennett", "priya.raman"]
SKIPPED = {
    "bikash.shrestha": "out_of_office",
    "marcus.lee": "opted_out",
    "hannah.schmidt": "no_meetings",
    "rainier": "room_mailbox",
}
SECRET = "Final interview at Fabrikam"


def addr(local):
    return f"{local}@contoso.com"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ---- the recording ----

users = {}
for page in [os.path.join(FIX, "users.json")] + glob.glob(os.path.join(FIX, "users.skiptoken-*.json")):
    for u in load(page)["value"]:
        if u.get("mail"):
            users[u["mail"].lower()] = u


def mailbox(mail):
    return load(os.path.join(FIX, "users", users[mail]["id"], "mailboxSettings.json"))


def events(mail):
    out = []
    for page in sorted(glob.glob(os.path.join(FIX, "users", users[mail]["id"], "calendarView*.json"))):
        out += load(page)["value"]
    return out


def zone_name(mail):
    """The mailbox zone, else (a custom zone ICU cannot know) the
    working-hours zone, as the planner falls back."""
    mb = mailbox(mail)
    if mb["timeZone"] in WINDOWS:
        return WINDOWS[mb["timeZone"]]
    return WINDOWS[mb["workingHours"]["timeZone"]["name"]]


def utc(dt):
    return datetime.datetime.fromisoformat(dt["dateTime"][:19]).replace(tzinfo=datetime.timezone.utc)


def expected_meetings(mail, date=DATE):
    """The user's meetings of date as the planner must pick them: (sort key,
    event, start, end) in the digest's order."""
    zone = zoneinfo.ZoneInfo(zone_name(mail))
    day = datetime.date.fromisoformat(date)
    day_start = datetime.datetime.combine(day, datetime.time(), zone)
    day_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)
    picked = []
    for ev in events(mail):
        if ev.get("isCancelled") or (ev.get("responseStatus") or {}).get("response") == "declined":
            continue
        if ev.get("showAs") == "oof":  # the user's own absence, not a meeting
            continue
        if ev["isAllDay"]:
            first = datetime.date.fromisoformat(ev["start"]["dateTime"][:10])
            end = datetime.date.fromisoformat(ev["end"]["dateTime"][:10])
            if not first <= day < end:
                continue
            start, stop = day_start, day_end
        else:
            start, stop = utc(ev["start"]), utc(ev["end"])
            if not (start < day_end and (stop > day_start or start >= day_start)):
                continue
            start, stop = start.astimezone(zone), stop.astimezone(zone)
        key = (not ev["isAllDay"], start.timestamp(), (ev.get("subject") or "").encode(), ev["id"].encode())
        picked.append((key, ev, start.isoformat(), stop.isoformat()))
    return [p[1:] for p in sorted(picked, key=lambda p: p[0])]


# ---- the binary ----

s = Scratch()


def preview(user, fmt="json", *extra):
    r = s.run("preview", "--user", user, "--format", fmt, *extra)
    return r.returncode, r.stdout, text(r.stderr)


def model(user, *extra):
    rc, out, err = preview(user, "json", *extra)
    check(rc == 0, f"preview --format json --user {user} {' '.join(extra)} exits 0", err)
    try:
        return json.loads(out)
    except ValueError as e:
        check(False, f"preview of {user} prints JSON", repr(e))
        return {"meetings": []}


def meeting(m, subject):
    found = [x for x in m["meetings"] if x.get("subject") == subject]
    check(len(found) == 1, f"{m['user']['email']} has one meeting '{subject}'",
          [x.get("subject") for x in m["meetings"]])
    return found[0] if found else {"attendees": []}


def attendee(mt, email_addr):
    found = [a for a in mt["attendees"] if a["email"] == email_addr]
    check(len(found) == 1, f"'{mt.get('subject')}' lists {email_addr} once",
          [a["email"] for a in mt["attendees"]])
    return found[0] if found else {}


models = {}

# ---- every ready user, field by field against the recording ----

for local in READY:
    mail = addr(local)
    m = models[local] = model(mail)
    u = users[mail]
    tz = zone_name(mail)
    check(m.get("user", {}).get("email") == mail, f"{local}: user.email", m.get("user"))
    check(m.get("user", {}).get("name") == u["displayName"], f"{local}: user.name is the displayName",
          m.get("user"))
    check(m.get("user", {}).get("timezone") == tz, f"{local}: user.timezone is {tz}", m.get("user"))
    check(m.get("date") == DATE, f"{local}: date is {DATE}", m.get("date"))
    check(m.get("status") == "ready" and "skip_reason" in m and m["skip_reason"] is None,
          f"{local}: status ready, skip_reason null", (m.get("status"), m.get("skip_reason")))

    want = expected_meetings(mail)
    got = m["meetings"]
    check([ev["id"] for ev, _, _ in want] == [x["id"] for x in got],
          f"{local}: the meeting ids of the 24th, in order",
          ([ev.get("subject") for ev, _, _ in want], [x.get("subject") for x in got]))
    for (ev, start, end), x in zip(want, got):
        shown = "a private meeting" if x["private"] else repr(ev.get("subject"))
        label = f"{local}: {shown}"
        private = ev.get("sensitivity") in ("private", "confidential")
        check(x["private"] is private and x["all_day"] is ev["isAllDay"],
              f"{label}: private {private}, all_day {ev['isAllDay']}", (x["private"], x["all_day"]))
        check((x["start"], x["end"]) == (start, end), f"{label}: start and end in the user's offset",
              ((x["start"], x["end"]), (start, end)))
        if private:
            continue
        # One-line fields: control characters (a CR/LF in a hostile
        # invitation) are shown as spaces, never as line breaks.
        subject = re.sub(r"[\x00-\x1f\x7f]", " ", ev["subject"]) if ev.get("subject") else None
        check(x.get("subject") == subject, f"{label}: subject", x.get("subject"))
        loc = (ev.get("location") or {}).get("displayName") or None
        check(x.get("location") == loc, f"{label}: location", (x.get("location"), loc))
        join = (ev.get("onlineMeeting") or {}).get("joinUrl")
        check(x.get("join_url") == join, f"{label}: join_url", (x.get("join_url"), join))
        emails = [a["email"].lower() for a in x["attendees"]]
        check(mail not in emails, f"{label}: the user is not among the attendees", emails)
        check(len(set(emails)) == len(emails), f"{label}: each attendee once", emails)
        rooms = [a["emailAddress"]["address"].lower() for a in ev["attendees"] if a["type"] == "resource"]
        check(not set(rooms) & set(emails), f"{label}: no room among the attendees", rooms)
        for a in x["attendees"]:
            check(isinstance(a["matched"], bool) and isinstance(a["tips"], list)
                  and (a["via"] in ("direct", "alias", "group") if a["matched"] else a["via"] is None),
                  f"{label}: {a['email']} has matched, via and tips as DESIGN.md says", a)
            if not a["matched"]:
                check(a["tips"] == [], f"{label}: {a['email']} without a profile has no tips", a["tips"])

zoe, omer, yui, oliver, priya = (models[k] for k in READY)

# ---- the scenarios of the demo tenant ----

check(len(zoe["meetings"]) == 11, "Zoë has 11 meetings on the 24th (of 31 events over 4 pages)",
      len(zoe["meetings"]))
check(zoe["meetings"][0]["start"] == "2026-11-24T00:00:00-08:00", "Zoë's times carry -08:00",
      zoe["meetings"][0]["start"])
freeze = meeting(zoe, "Release freeze")
check(freeze.get("all_day") is True and freeze.get("start") == "2026-11-24T00:00:00-08:00"
      and freeze.get("end") == "2026-11-25T00:00:00-08:00",
      "the all-day Release freeze spans Zoë's whole local day", freeze)
check(zoe["meetings"][0].get("subject") == "Release freeze", "an all-day event comes first")
check(not [x for x in zoe["meetings"] if x.get("subject") == "School run"],
      "Zoë's School run (showAs oof, 07:00-08:00) is an absence, not a meeting")

# The 1:1 invites OMER@CONTOSO.COM: Ömer's secondary alias, in capitals.
one = meeting(zoe, "1:1 Zoë / Ömer")
a = attendee(one, "omer.yilmaz@contoso.com")
check(a.get("matched") is True and a.get("via") == "alias" and a.get("name") == "Ömer Yılmaz"
      and len(a.get("tips", [])) > 0,
      "an attendee invited under an alias in other case is matched via alias, with tips", a)

review = meeting(zoe, "Platform architecture review")
members = {"omer.yilmaz", "yui.nakamura", "priya.raman", "hannah.schmidt"}
for local in sorted(members):
    a = attendee(review, addr(local))
    check(a.get("matched") is True and a.get("via") == "group" and a.get("group") == "Platform Team",
          f"{local}, a member of platform-team@, is matched via group 'Platform Team'", a)
a = attendee(review, "pat.kim@fabrikam.com")
check(a.get("via") == "group" and a.get("external") is True,
      "Pat Kim, an external contact in the list, is matched via group and external", a)
emails = {a["email"] for a in review["attendees"]}
check(not {"rainier@contoso.com", "platform-team@contoso.com", "platform-leads@contoso.com",
           "zoe.martin@contoso.com"} & emails,
      "the room, the lists themselves and Zoë are not attendees", emails)

sync = meeting(zoe, "Fabrikam partnership sync")
pat = attendee(sync, "pat.kim@fabrikam.com")
check(pat.get("matched") is True and pat.get("via") == "direct" and pat.get("external") is True
      and pat.get("tips"), "Pat Kim is an external roster person with tips", pat)
jordan = attendee(sync, "jordan.ellis@fabrikam.com")
check(jordan.get("matched") is False and jordan.get("via") is None and jordan.get("external") is True
      and jordan.get("tips") == [] and jordan.get("name") == "Jordan Ellis",
      "Jordan Ellis, an external nobody knows, is kept unmatched and external", jordan)
marcus = attendee(sync, "marcus.lee@contoso.com")
check(marcus.get("matched") is False and marcus.get("tips") == [] and marcus.get("via") is None,
      "opted-out Marcus is shown without a profile or tips", marcus)
check(sync.get("join_url", "").startswith("https://teams.microsoft.com/"), "the Teams link is kept",
      sync.get("join_url"))

hostile = [x for x in zoe["meetings"] if "Bcc:" in (x.get("subject") or "")]
check(len(hostile) == 1 and any(a["name"] == "<img src=x onerror=alert(1)>" for a in hostile[0]["attendees"]),
      "the hostile invitation is in the model as written (JSON is not HTML)", hostile)

# Ömer: a private meeting, a cancelled one, a declined one.
private = [x for x in omer["meetings"] if x["private"]]
check(len(private) == 1, "Ömer has one private meeting", [x.get("subject") for x in omer["meetings"]])
for x in private:
    check(x.get("subject") is None and x.get("location") is None and x.get("join_url") is None
          and x.get("organizer") is None and x["attendees"] == [],
          "the private meeting has no subject, place, link, organizer or attendees", x)
    check(x["start"] == "2026-11-24T12:00:00+01:00", "the private meeting keeps its time", x["start"])
dump = json.dumps(omer, ensure_ascii=False)
check(SECRET not in dump and "CTO offer" not in dump, "the private subject is nowhere in Ömer's model")
dropped = [ev for ev in events("omer.yilmaz@contoso.com")
           if ev.get("isCancelled") or ev["responseStatus"]["response"] == "declined"]
subjects = {ev["subject"] for ev in dropped}
check({"Canceled: Architecture guild", "Vendor demo: Litware"} <= subjects,
      "the recording has Ömer's cancelled guild and declined demo", subjects)
ids = {x["id"] for x in omer["meetings"]}
check(not ids & {ev["id"] for ev in dropped} and not subjects & {x.get("subject") for x in omer["meetings"]},
      "cancelled and declined meetings are not in Ömer's digest", subjects)
mine = meeting(omer, "1:1 Zoë / Ömer")
check([a["email"] for a in mine["attendees"]] == ["zoe.martin@contoso.com"],
      "Ömer's copy of the 1:1 (listing him as OMER@CONTOSO.COM) shows only Zoë",
      [a["email"] for a in mine["attendees"]])
check(all(x["start"].endswith("+01:00") for x in omer["meetings"]), "Ömer's times carry +01:00")

# Yui: an all-day event, a group invited in other letter case.
sprint = meeting(yui, "デザインスプリント 2日目")
check(sprint.get("all_day") is True and sprint.get("start") == "2026-11-24T00:00:00+09:00"
      and sprint.get("end") == "2026-11-25T00:00:00+09:00",
      "Yui's all-day sprint day spans her local day in +09:00", sprint)
apac = meeting(yui, "APAC pipeline review")
for local in ["priya.raman", "bikash.shrestha"]:
    a = attendee(apac, addr(local))
    check(a.get("via") == "group" and a.get("group") == "APAC Team",
          f"{local} comes through APAC-Team@Contoso.com (other case) via group", a)
a = attendee(apac, "oliver.bennett@contoso.com")
check(a.get("via") == "direct", "the organizer Oliver is an attendee, direct", a)
check("yui.nakamura@contoso.com" not in {a["email"] for a in apac["attendees"]},
      "Yui, a member of the list, is not her own attendee")

# Oliver: a call crossing his local midnight.
call = meeting(oliver, "Customer call: Northwind (US West)")
check(call.get("start") == "2026-11-24T23:30:00+11:00" and call.get("end") == "2026-11-25T00:30:00+11:00",
      "the Northwind call crosses Oliver's midnight, in +11:00", (call.get("start"), call.get("end")))
casey = attendee(call, "casey.morgan@northwind.example")
check(casey.get("matched") is False and casey.get("external") is True, "Casey Morgan is external", casey)

# Priya: a nested group.
hours = meeting(priya, "Data platform office hours")
a = attendee(hours, "zoe.martin@contoso.com")
check(a.get("via") == "group" and a.get("group") == "Platform Leads",
      "platform-leads@ (a security group) is expanded", a)
check(all(x["start"].endswith("+05:30") for x in priya["meetings"]), "Priya's times carry +05:30")

# ---- the private subject never leaks into another format ----

rc, out, err = preview(addr("omer.yilmaz"), "text")
check(rc == 0 and "Privater Termin" in text(out) and SECRET not in text(out),
      "Ömer's text preview (German: his mailbox is de-DE) says 'Privater Termin' and not its subject", err)
rc, out, err = preview(addr("omer.yilmaz"), "html")
check(rc == 0 and "Privater Termin" in text(out) and SECRET not in text(out) and "CTO" not in text(out),
      "Ömer's HTML preview does not show the private subject", err)
rc, out, err = preview(addr("omer.yilmaz"), "mime")
msg = email.message_from_bytes(out, policy=email.policy.default)
bodies = [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
check(rc == 0 and len(bodies) == 2 and all(SECRET not in b and "CTO offer" not in b for b in bodies)
      and SECRET not in str(msg["Subject"]),
      "Ömer's MIME preview, decoded, does not hold the private subject", err)

# ---- hostile calendar text in HTML ----

rc, out, err = preview(addr("zoe.martin"), "html")
html = text(out)
check(rc == 0, "Zoë's HTML preview exits 0", err)
check("<img src=x onerror" not in html and "<b>Room</b>" not in html,
      "the hostile invitation's markup never comes out raw")
check("&lt;b&gt;Room&lt;/b&gt; &quot;Lobby&quot;" in html and "Bcc: x@evil.example" in html,
      "the hostile invitation's text is shown, escaped")
rc, out, err = preview(addr("zoe.martin"), "mime")
msg = email.message_from_bytes(out, policy=email.policy.default)
check(rc == 0 and msg["Bcc"] is None and len(msg.get_all("Subject")) == 1,
      "Zoë's MIME preview has one Subject and no Bcc header", msg.items())

# ---- skipped users ----

for local, reason in SKIPPED.items():
    m = model(addr(local))
    check(m.get("status") == "skipped" and m.get("skip_reason") == reason and m.get("meetings") == [],
          f"{local} is skipped: {reason}", (m.get("status"), m.get("skip_reason")))
    tz = zone_name(addr(local))
    check(m.get("user", {}).get("email") == addr(local) and m.get("date") == DATE
          and m.get("user", {}).get("timezone") == tz,
          f"{local}'s skipped model still names the user, the zone ({tz}) and the date", m.get("user"))
    for fmt in ["text", "html", "mime"]:
        rc, out, err = preview(addr(local), fmt)
        check(rc != 0 and out == b"" and reason in err and addr(local) in err,
              f"preview --format {fmt} of {local} fails, naming the reason", (rc, err))

# Dana works Wednesday to Friday: on Monday there is nothing to send.
m = model(addr("dana.whitfield"))
check(m.get("status") == "skipped" and m.get("skip_reason") == "not_working_day"
      and m.get("date") == "2026-11-23",
      "Dana, off on Mondays, is skipped as not_working_day with Monday's date",
      (m.get("status"), m.get("skip_reason"), m.get("date")))
m = model(addr("dana.whitfield"), "--date", "2026-11-25")
check(m.get("status") == "ready" and m.get("date") == "2026-11-25",
      "--date picks her Wednesday", (m.get("status"), m.get("date")))
m = model(addr("hannah.schmidt"))
check(m.get("user", {}).get("timezone") == "Europe/Berlin",
      "Hannah's 'Customized Time Zone' falls back to her working-hours zone", m.get("user"))

# ---- options ----

m = model(addr("zoe.martin"), "--date", "2026-11-25")
check(m.get("date") == "2026-11-25", "--date 2026-11-25 changes the date", m.get("date"))
want = [ev["id"] for ev, _, _ in expected_meetings("zoe.martin@contoso.com", "2026-11-25")]
check([x["id"] for x in m["meetings"]] == want and want,
      "--date 2026-11-25 gives the meetings of the 25th", [x.get("subject") for x in m["meetings"]])
check(all(x["start"].startswith("2026-11-25") for x in m["meetings"]),
      "every meeting of --date 2026-11-25 starts on the 25th")

m = model(addr("zoe.martin").upper())
check(m.get("user", {}).get("email") == addr("zoe.martin"), "--user matches in other letter case",
      m.get("user"))

rc, out, err = preview("nobody@contoso.com", "json")
check(rc == 1 and out == b"" and "nobody@contoso.com" in err,
      "an unknown user exits 1 and names the address", (rc, err))

# The hostile subject's CR/LF never starts a line of its own in the text.
r = s.run("preview", "--user", "zoe.martin@contoso.com", "--format", "text")
lines = r.stdout.decode("utf-8", "replace").split("\n")
check(r.returncode == 0 and not any(l.startswith("Bcc:") for l in lines)
      and any("Hi  Bcc: x@evil.example" in l for l in lines),
      "a CR/LF in a subject is shown as spaces in the text part, not a new line")

# A person in several meetings gets the full tips once, then "tips above".
r = s.run("preview", "--user", "zoe.martin@contoso.com", "--format", "json")
seen = [a for mt in json.loads(r.stdout)["meetings"] for a in mt["attendees"]
        if a["email"] == "omer.yilmaz@contoso.com"]
check(len(seen) >= 2 and "tips_above" not in seen[0] and all(a.get("tips_above") for a in seen[1:])
      and all(a["tips"] for a in seen),
      "a repeated attendee is marked tips_above after the first meeting; the model keeps the tips",
      [(a.get("tips_above"), len(a["tips"])) for a in seen])
r = s.run("preview", "--user", "zoe.martin@contoso.com", "--format", "text")
check(r.stdout.decode().count("so \u00d6mer can check the details") == 1,
      "the text part shows a person's tips once a day")

s.cleanup()
finish()
