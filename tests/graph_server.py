#!/usr/bin/python3
"""A stand-in Microsoft Graph v1.0 and identity platform, on 127.0.0.1 only.

It serves the REAL wire shapes documented in ../shared/notes/graph.md, so
that the `graph` source meets it exactly as it would meet Graph:

  POST /{tenant}/oauth2/v2.0/token       client_credentials, refresh_token
                                         (rotating), device_code
  POST /{tenant}/oauth2/v2.0/devicecode  device authorization
  GET  /v1.0/users  /users/{id|mail}  /me
  GET  /v1.0/users/{id|mail}/mailboxSettings[/{property}]  (and /me/...)
  GET  /v1.0/users/{id|mail}/calendarView (and /calendar/calendarView, /me)
  GET  /v1.0/groups[?$filter=mail eq '...']  /groups/{id}/transitiveMembers
  POST /v1.0/$batch                      up to 20 requests, answered in a
                                         shuffled order, run concurrently

Data: --tenant-dir loads a recording laid out like fixtures/demo (see its
README) and serves it live: the window, $top, $skip, $select and Prefer:
outlook.timezone are applied to the recorded events. --generate N makes a
synthetic tenant instead (deterministic with --seed), for the benchmark.

It prints "PORT <n>" on stdout once it listens and serves until SIGTERM,
then writes its statistics (JSON) to --stats. The same statistics, and
fault injection changed at run time, are under /_control/ (not /v1.0):

  GET  /_control/stats          counters, peaks, tokens seen and issued
  POST /_control/config         {"fail_429": 0.2, "latency_ms": 20, ...}
                                ("fault_streak_max": n: one request meets
                                at most n injected faults in a row)
  POST /_control/revoke         {"user": "a@x", "code": 700082}: refresh
                                (and access) tokens of a user are refused
  POST /_control/expire-tokens  every access token issued so far expires
  POST /_control/reset-stats    zero the counters (tokens stay valid)

Hostile answers: the setting raw_calendar maps a mailbox (mail, any case)
to a file whose bytes are served verbatim as that mailbox's calendarView,
directly or as its $batch item's body (spliced into the batch text
unparsed): invalid UTF-8, nesting too deep, NULs, 50 MB, anything.

A delegated token reads only what its scopes allow, as on Graph: its own
calendar (Calendars.Read), mailbox settings (MailboxSettings.Read), /me
(User.Read); other users need User.ReadBasic.All, groups
GroupMember.Read.All; else 403 (--lenient-scopes turns this off).

Statistics count every Graph request (top-level and $batch items, not the
$batch envelope), batches, 429/503/401 answers, retries that came sooner
than the Retry-After they were given, and the peak number of requests in
flight for one mailbox (the user in the path; /me is the token's user; a
top-level request counts for its whole duration, a batch item while it is
processed). Every Authorization header value seen and every token issued
is recorded, so a test can look for them in a program's output.

Use Debian's /usr/bin/python3; nothing outside the standard library.
"""

import argparse
import base64
import concurrent.futures
import csv
import datetime as dt
import hashlib
import json
import os
import random
import re
import secrets
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, unquote_plus, urlsplit, parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
DEFAULT_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
DEFAULT_CLIENT_ID = "4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
DEFAULT_SECRET = "Qx8~test.Secret+with/odd=chars_0"
JSON_TYPE = ("application/json;odata.metadata=minimal;odata.streaming=true;"
             "IEEE754Compatible=false;charset=utf-8")
AAD_JSON = "application/json; charset=utf-8"

# CLDR windowsZones.xml, territory 001 (the zones a tenant commonly uses).
WINDOWS_ZONES = {
    "Dateline Standard Time": "Etc/GMT+12",
    "UTC-11": "Etc/GMT+11",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Alaskan Standard Time": "America/Anchorage",
    "Pacific Standard Time": "America/Los_Angeles",
    "US Mountain Standard Time": "America/Phoenix",
    "Mountain Standard Time": "America/Denver",
    "Central America Standard Time": "America/Guatemala",
    "Central Standard Time": "America/Chicago",
    "Central Standard Time (Mexico)": "America/Mexico_City",
    "Canada Central Standard Time": "America/Regina",
    "SA Pacific Standard Time": "America/Bogota",
    "Eastern Standard Time": "America/New_York",
    "Atlantic Standard Time": "America/Halifax",
    "Pacific SA Standard Time": "America/Santiago",
    "Newfoundland Standard Time": "America/St_Johns",
    "E. South America Standard Time": "America/Sao_Paulo",
    "Argentina Standard Time": "America/Buenos_Aires",
    "UTC": "Etc/UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "Morocco Standard Time": "Africa/Casablanca",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "W. Central Africa Standard Time": "Africa/Lagos",
    "GTB Standard Time": "Europe/Bucharest",
    "Egypt Standard Time": "Africa/Cairo",
    "South Africa Standard Time": "Africa/Johannesburg",
    "FLE Standard Time": "Europe/Kiev",
    "Israel Standard Time": "Asia/Jerusalem",
    "E. Europe Standard Time": "Europe/Chisinau",
    "Turkey Standard Time": "Europe/Istanbul",
    "Arab Standard Time": "Asia/Riyadh",
    "Russian Standard Time": "Europe/Moscow",
    "E. Africa Standard Time": "Africa/Nairobi",
    "Iran Standard Time": "Asia/Tehran",
    "Arabian Standard Time": "Asia/Dubai",
    "Afghanistan Standard Time": "Asia/Kabul",
    "West Asia Standard Time": "Asia/Tashkent",
    "Pakistan Standard Time": "Asia/Karachi",
    "India Standard Time": "Asia/Calcutta",
    "Sri Lanka Standard Time": "Asia/Colombo",
    "Nepal Standard Time": "Asia/Kathmandu",
    "Bangladesh Standard Time": "Asia/Dhaka",
    "Myanmar Standard Time": "Asia/Rangoon",
    "SE Asia Standard Time": "Asia/Bangkok",
    "China Standard Time": "Asia/Shanghai",
    "Singapore Standard Time": "Asia/Singapore",
    "W. Australia Standard Time": "Australia/Perth",
    "Taipei Standard Time": "Asia/Taipei",
    "Tokyo Standard Time": "Asia/Tokyo",
    "Korea Standard Time": "Asia/Seoul",
    "Cen. Australia Standard Time": "Australia/Adelaide",
    "AUS Central Standard Time": "Australia/Darwin",
    "E. Australia Standard Time": "Australia/Brisbane",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "West Pacific Standard Time": "Pacific/Port_Moresby",
    "New Zealand Standard Time": "Pacific/Auckland",
    "Tonga Standard Time": "Pacific/Tongatapu",
    "Samoa Standard Time": "Pacific/Apia",
    "Line Islands Standard Time": "Pacific/Kiritimati",
}
_WINDOWS_BY_LOWER = {k.lower(): v for k, v in WINDOWS_ZONES.items()}

EVENT_PROPERTIES = [
    "allowNewTimeProposals", "attendees", "body", "bodyPreview",
    "categories", "changeKey", "createdDateTime", "end", "hasAttachments",
    "hideAttendees", "iCalUId", "id", "importance", "isAllDay",
    "isCancelled", "isDraft", "isOnlineMeeting", "isOrganizer",
    "isReminderOn", "lastModifiedDateTime", "location", "locations",
    "onlineMeeting", "onlineMeetingProvider", "onlineMeetingUrl",
    "organizer", "originalEndTimeZone", "originalStart",
    "originalStartTimeZone", "recurrence", "reminderMinutesBeforeStart",
    "responseRequested", "responseStatus", "sensitivity", "seriesMasterId",
    "showAs", "start", "subject", "transactionId", "type", "webLink",
]
USER_PROPERTIES = [
    "accountEnabled", "businessPhones", "department", "displayName",
    "givenName", "id", "jobTitle", "mail", "mailNickname", "mobilePhone",
    "officeLocation", "onPremisesSyncEnabled", "preferredLanguage",
    "proxyAddresses", "surname", "userPrincipalName", "userType",
]
USER_DEFAULT = [
    "businessPhones", "displayName", "givenName", "jobTitle", "mail",
    "mobilePhone", "officeLocation", "preferredLanguage", "surname",
    "userPrincipalName", "id",
]
GROUP_PROPERTIES = [
    "id", "displayName", "description", "mail", "mailNickname",
    "mailEnabled", "securityEnabled", "groupTypes", "proxyAddresses",
    "visibility", "createdDateTime",
]
MEMBER_PROPERTIES = sorted(set(USER_PROPERTIES) | set(GROUP_PROPERTIES))

# What a delegated token needs for each kind of request (any one scope),
# and how Graph refuses it otherwise. App tokens (.default) have them all.
_OUTLOOK_DENIED = (403, "ErrorAccessDenied",
                   "Access is denied. Check credentials and try again.")
_DIRECTORY_DENIED = (403, "Authorization_RequestDenied",
                     "Insufficient privileges to complete the operation.")
DELEGATED_SCOPES = {
    "calendar": ({"calendars.readbasic", "calendars.read",
                  "calendars.readwrite", "calendars.read.shared",
                  "calendars.readwrite.shared"}, _OUTLOOK_DENIED),
    "mailbox": ({"mailboxsettings.read", "mailboxsettings.readwrite"},
                _OUTLOOK_DENIED),
    "me": ({"user.read", "user.readwrite", "user.readbasic.all",
            "user.read.all", "user.readwrite.all", "directory.read.all"},
           _DIRECTORY_DENIED),
    "users": ({"user.readbasic.all", "user.read.all", "user.readwrite.all",
               "directory.read.all"}, _DIRECTORY_DENIED),
    "groups": ({"groupmember.read.all", "group.read.all",
                "group.readwrite.all", "directory.read.all"},
               _DIRECTORY_DENIED),
}


# --------------------------------------------------------------------------
# Small helpers


def now_utc():
    return dt.datetime.now(dt.timezone.utc)


def graph_date():
    return now_utc().strftime("%Y-%m-%dT%H:%M:%S")


def fmt_graph_dt(d):
    """Wall-clock time as Graph writes dateTimeTimeZone.dateTime."""
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000"


def zone_for(name):
    """A Windows or IANA zone name (any letter case for Windows names) to
    a ZoneInfo; None when Graph would not know it."""
    if not name:
        return None
    if name.lower() in _WINDOWS_BY_LOWER:
        return ZoneInfo(_WINDOWS_BY_LOWER[name.lower()])
    if name.lower() in ("utc", "tzone://microsoft/utc", "etc/utc", "gmt"):
        return ZoneInfo("Etc/UTC")
    if "/" not in name or ".." in name or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


_DT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?$")


def parse_window_value(value):
    """startDateTime/endDateTime: ISO 8601; the offset in the value
    counts, none means UTC. None when Graph would refuse it."""
    m = _DT_RE.match(value)
    if not m:
        return None
    y, mo, d, h, mi, s, _frac, off = m.groups()
    try:
        base = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0),
                           int(s or 0))
    except ValueError:
        return None
    tz = dt.timezone.utc
    if off and off != "Z":
        sign = 1 if off[0] == "+" else -1
        digits = off[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]),
                                             minutes=int(digits[2:])))
    return base.replace(tzinfo=tz).astimezone(dt.timezone.utc)


def parse_graph_dt(obj):
    """dateTimeTimeZone -> (naive wall time, zone name)."""
    s = obj["dateTime"]
    d = dt.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")
    return d, obj.get("timeZone") or "UTC"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def split_prefer(values):
    """Prefer header values (RFC 7240) -> {lower name: value}; values keep
    their case, quotes removed."""
    prefs = {}
    for v in values:
        for item in re.findall(r'(?:[^,"]|"[^"]*")+', v):
            item = item.strip()
            if not item:
                continue
            name, _, val = item.partition("=")
            val = val.strip()
            if len(val) >= 2 and val[0] == '"' and val[-1] == '"':
                val = val[1:-1]
            prefs[name.strip().lower()] = val
    return prefs


def odata_quote_unescape(s):
    return s.replace("''", "'")


# --------------------------------------------------------------------------
# Errors


class RawBody(bytes):
    """An answer served verbatim: hostile bytes no JSON encoder would
    write."""


def splice_raw(answer):
    """The $batch answer as bytes, each RawBody item body put in as is;
    the answer unchanged when it holds none."""
    raws = []
    for r in answer["responses"]:
        if isinstance(r["body"], RawBody):
            raws.append(bytes(r["body"]))
            r["body"] = f"\u0000raw{len(raws) - 1}\u0000"
    if not raws:
        return answer
    data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    for i, raw in enumerate(raws):
        data = data.replace(f'"\\u0000raw{i}\\u0000"'.encode(), raw)
    return data


class GraphError(Exception):
    def __init__(self, status, code, message, headers=None, inner=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.inner = inner or {}

    def body(self, client_request_id=None):
        rid = str(uuid.uuid4())
        inner = {"date": graph_date(), "request-id": rid,
                 "client-request-id": client_request_id or rid}
        inner.update(self.inner)
        return {"error": {"code": self.code, "message": self.message,
                          "innerError": inner}}


def bad_request(message, code="BadRequest"):
    return GraphError(400, code, message)


class AADError(Exception):
    def __init__(self, status, error, aadsts, text):
        super().__init__(text)
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.text = text

    def body(self):
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = now_utc().strftime("%Y-%m-%d %H:%M:%SZ")
        desc = (f"AADSTS{self.aadsts}: {self.text}\r\nTrace ID: {trace}\r\n"
                f"Correlation ID: {corr}\r\nTimestamp: {stamp}")
        return {"error": self.error, "error_description": desc,
                "error_codes": [self.aadsts], "timestamp": stamp,
                "trace_id": trace, "correlation_id": corr,
                "error_uri": "https://login.microsoftonline.com/error?code="
                             f"{self.aadsts}"}


class OAuthPending(Exception):
    """Device flow answers that are not AADSTS failures of the client."""

    def __init__(self, error, aadsts, text):
        super().__init__(text)
        self.as_aad = AADError(400, error, aadsts, text)


# --------------------------------------------------------------------------
# The tenant


class Tenant:
    def __init__(self):
        self.users = []          # user dicts, Graph properties
        self.by_key = {}         # lower id/mail/upn/smtp alias -> user
        self.mailbox = {}        # user id -> mailboxSettings dict
        self.events = {}         # user id -> [event], UTC, sorted
        self.groups = []
        self.group_by_id = {}
        self.members = {}        # group id -> [directory objects]

    # -- loading ------------------------------------------------------

    def add_user(self, u):
        self.users.append(u)
        for key in [u.get("id"), u.get("mail"), u.get("userPrincipalName")]:
            if key:
                self.by_key.setdefault(key.lower(), u)
        for p in u.get("proxyAddresses") or []:
            if p.lower().startswith("smtp:"):
                self.by_key.setdefault(p[5:].lower(), u)

    def add_group(self, g, members):
        self.groups.append(g)
        self.group_by_id[g["id"].lower()] = g
        self.members[g["id"]] = members

    def finish(self):
        for uid, evs in self.events.items():
            evs.sort(key=lambda e: (e["_start_utc"], e["_end_utc"]))

    @staticmethod
    def _read_pages(first):
        """A recorded collection: the first file and every page its
        nextLinks name (fixtures/demo/README.md)."""
        stem = os.path.splitext(first)[0]
        items, seen, path = [], set(), first
        while path and path not in seen:
            seen.add(path)
            with open(path, encoding="utf-8") as f:
                page = json.load(f)
            items += page.get("value", [])
            link = page.get("@odata.nextLink")
            path = None
            if not link:
                break
            q = dict(parse_qsl(urlsplit(link).query))
            if "$skip" in q:
                path = f"{stem}.skip-{q['$skip']}.json"
            elif "$skiptoken" in q:
                path = f"{stem}.skiptoken-{q['$skiptoken']}.json"
            if not path or not os.path.exists(path):
                raise SystemExit(f"graph_server: {link} names no page "
                                 f"in the recording ({path})")
        return items

    def load_dir(self, folder):
        for u in self._read_pages(os.path.join(folder, "users.json")):
            self.add_user(u)
        for u in self.users:
            base = os.path.join(folder, "users", u["id"])
            ms = os.path.join(base, "mailboxSettings.json")
            if os.path.exists(ms):
                with open(ms, encoding="utf-8") as f:
                    self.mailbox[u["id"]] = json.load(f)
            cv = os.path.join(base, "calendarView.json")
            evs = self._read_pages(cv) if os.path.exists(cv) else []
            self.events[u["id"]] = [self.prepare_event(e) for e in evs]
        gpath = os.path.join(folder, "groups.json")
        if os.path.exists(gpath):
            for g in self._read_pages(gpath):
                mpath = os.path.join(folder, "groups", g["id"],
                                     "transitiveMembers.json")
                members = (self._read_pages(mpath)
                           if os.path.exists(mpath) else [])
                self.add_group(g, members)
        self.finish()

    @staticmethod
    def prepare_event(e):
        """Keep the recorded event; add its instants (UTC) or, for an
        all-day event, its floating dates."""
        e = dict(e)
        s, sz = parse_graph_dt(e["start"])
        en, ez = parse_graph_dt(e["end"])
        if e.get("isAllDay"):
            e["_all_day"] = (s.date(), en.date())
            e["_start_utc"] = dt.datetime.combine(
                s.date(), dt.time(), dt.timezone.utc)
            e["_end_utc"] = dt.datetime.combine(
                en.date(), dt.time(), dt.timezone.utc)
        else:
            zs, ze = zone_for(sz), zone_for(ez)
            if zs is None or ze is None:
                raise SystemExit(f"graph_server: event {e.get('id')}: "
                                 f"unknown zone {sz!r}/{ez!r}")
            e["_all_day"] = None
            e["_start_utc"] = s.replace(tzinfo=zs).astimezone(dt.timezone.utc)
            e["_end_utc"] = en.replace(tzinfo=ze).astimezone(dt.timezone.utc)
        return e

    # -- lookups ------------------------------------------------------

    def user(self, key):
        return self.by_key.get(key.lower())

    def mailbox_zone(self, u):
        ms = self.mailbox.get(u["id"]) or {}
        return zone_for(ms.get("timeZone")) or ZoneInfo("Etc/UTC")


class Generator:
    FIRST = ["Ana", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace", "Hiro",
             "Ines", "Jonas", "Kavya", "Liam", "Mei", "Noah", "Olga",
             "Pablo", "Qian", "Rosa", "Sven", "Tara", "Uma", "Viktor",
             "Wen", "Ximena", "Yusuf", "Zara"]
    LAST = ["Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer",
            "García", "Haddad", "Ito", "Jensen", "Kowalski", "López",
            "Müller", "Nair", "Okafor", "Park", "Quinn", "Rossi", "Sato",
            "Tanaka", "Urban", "Varga", "Wong", "Yilmaz", "Zhou"]
    ZONES = ["Pacific Standard Time", "Eastern Standard Time",
             "GMT Standard Time", "W. Europe Standard Time",
             "India Standard Time", "Tokyo Standard Time",
             "AUS Eastern Standard Time"]
    SUBJECTS = ["Weekly sync", "Design review", "1:1", "Planning",
                "Customer call", "Retro", "Hiring loop", "Budget check-in",
                "Roadmap", "Incident review", "Demo prep", "Coffee chat"]
    DISC = ["D", "I", "S", "C"]

    def __init__(self, tenant, n, seed, day):
        self.t = tenant
        self.n = n
        self.rng = random.Random(seed)
        self.day = day
        self.roster = []

    def uid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def event_id(self):
        return "AAMkAG" + b64url(self.rng.getrandbits(360).to_bytes(45, "big"))

    @staticmethod
    def ascii(s):
        table = str.maketrans("éíáóúüçñ", "eiaouucn")
        return s.lower().translate(table)

    def run(self):
        t, rng = self.t, self.rng
        for i in range(self.n):
            first = self.FIRST[i % len(self.FIRST)]
            last = self.LAST[(i // len(self.FIRST)) % len(self.LAST)]
            mail = f"{self.ascii(first)}.{self.ascii(last)}{i}@contoso.com"
            alias = f"{self.ascii(first)}{i}@contoso.com"
            u = {"id": self.uid(), "displayName": f"{first} {last}",
                 "givenName": first, "surname": last, "mail": mail,
                 "userPrincipalName": mail,
                 "proxyAddresses": [f"SMTP:{mail}", f"smtp:{alias}",
                                    f"SIP:{mail}"]}
            t.add_user(u)
            zone = self.ZONES[i % len(self.ZONES)]
            days = ["monday", "tuesday", "wednesday", "thursday", "friday"]
            if rng.random() < 0.04:
                days.remove("tuesday")
            oof = rng.random() < 0.03
            start_oof = dt.datetime.combine(self.day, dt.time(0)) - \
                dt.timedelta(days=1)
            t.mailbox[u["id"]] = {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata"
                                  f"#users('{u['id']}')/mailboxSettings",
                "archiveFolder": "AAMkAG" + b64url(rng.randbytes(30)),
                "timeZone": zone,
                "delegateMeetingMessageDeliveryOptions":
                    "sendToDelegateOnly",
                "dateFormat": "M/d/yyyy", "timeFormat": "h:mm tt",
                "userPurpose": "user",
                "automaticRepliesSetting": {
                    "status": "scheduled" if oof else "disabled",
                    "externalAudience": "all" if oof else "none",
                    "internalReplyMessage": "", "externalReplyMessage": "",
                    "scheduledStartDateTime": {
                        "dateTime": fmt_graph_dt(start_oof),
                        "timeZone": "UTC"},
                    "scheduledEndDateTime": {
                        "dateTime": fmt_graph_dt(
                            start_oof + dt.timedelta(days=4)),
                        "timeZone": "UTC"}},
                "language": {"locale": "en-US",
                             "displayName": "English (United States)"},
                "workingHours": {
                    "daysOfWeek": days, "startTime": "08:00:00.0000000",
                    "endTime": "17:00:00.0000000",
                    "timeZone": {"name": zone}}}
            t.events[u["id"]] = []
            self.roster.append({
                "email": mail, "name": f"{first} {last}",
                "title": rng.choice(["Engineer", "Designer", "Manager",
                                     "Analyst", "Director, Sales"]),
                "aliases": alias, "opt_out": "false",
                "disc": rng.choice(self.DISC + [""]),
                "enneagram": str(rng.randint(1, 9))})
        groups = []
        for k in range(max(1, self.n // 25)):
            g = {"id": self.uid(), "mail": f"team-{k:03d}@contoso.com",
                 "displayName": f"Team {k:03d}", "groupTypes": [],
                 "mailEnabled": True, "securityEnabled": False}
            members = rng.sample(t.users, min(len(t.users),
                                              rng.randint(6, 14)))
            t.add_group(g, [{"@odata.type": "#microsoft.graph.user",
                             "id": m["id"], "displayName": m["displayName"],
                             "mail": m["mail"],
                             "userPrincipalName": m["userPrincipalName"]}
                            for m in members])
            groups.append(g)
        for i, u in enumerate(t.users):
            zone = zone_for(t.mailbox[u["id"]]["timeZone"])
            for _ in range(rng.randint(2, 4)):
                self.meeting(u, zone, groups, self.day)
            for off in (-1, 1):
                self.meeting(u, zone, groups,
                             self.day + dt.timedelta(days=off), solo=True)
            if rng.random() < 0.1:
                self.all_day(u)

    def attendee(self, kind, name, address, response="accepted"):
        return {"type": kind,
                "status": {"response": response,
                           "time": "2026-11-10T09:00:00Z"},
                "emailAddress": {"name": name, "address": address}}

    def meeting(self, org, zone, groups, day, solo=False):
        rng, t = self.rng, self.t
        slot = rng.randint(18, 32)  # 09:00 .. 16:00 local, half hours
        start = dt.datetime.combine(day, dt.time(slot // 2, 30 * (slot % 2)),
                                    zone)
        end = start + dt.timedelta(minutes=rng.choice([30, 30, 60, 45]))
        people = [] if solo else rng.sample(
            t.users, min(len(t.users), rng.randint(1, 4)))
        people = [p for p in people if p is not org]
        atts = [self.attendee("required", p["displayName"], p["mail"])
                for p in people]
        if not solo and rng.random() < 0.2:
            g = rng.choice(groups)
            atts.append(self.attendee("optional", g["displayName"],
                                      g["mail"].upper()
                                      if rng.random() < 0.3 else g["mail"],
                                      "none"))
        if not solo and rng.random() < 0.15:
            n = rng.randint(1, 200)
            atts.append(self.attendee("required", f"Guest {n}",
                                      f"guest{n}@fabrikam.example",
                                      "tentativelyAccepted"))
        room = None
        if not solo and rng.random() < 0.1:
            room = f"room-{rng.randint(1, 20)}@contoso.com"
            atts.append(self.attendee("resource", room, room))
        online = not solo and rng.random() < 0.5
        uid_ical = "040000008200E00074C5B7101A82E008" + \
            rng.getrandbits(128).to_bytes(16, "big").hex().upper()
        base = {
            "subject": rng.choice(self.SUBJECTS),
            "importance": "normal", "sensitivity":
                "private" if rng.random() < 0.03 else "normal",
            "isAllDay": False, "isCancelled": False,
            "showAs": "busy", "type": "singleInstance",
            "seriesMasterId": None, "iCalUId": uid_ical,
            "isOnlineMeeting": online,
            "onlineMeetingProvider": "teamsForBusiness" if online
            else "unknown",
            "start": {"dateTime": fmt_graph_dt(
                start.astimezone(dt.timezone.utc)), "timeZone": "UTC"},
            "end": {"dateTime": fmt_graph_dt(
                end.astimezone(dt.timezone.utc)), "timeZone": "UTC"},
            "location": ({"displayName": room, "locationType":
                          "conferenceRoom", "uniqueId": room,
                          "uniqueIdType": "directory",
                          "locationEmailAddress": room} if room else
                         {"displayName": "", "locationType": "default",
                          "uniqueIdType": "unknown", "address": {},
                          "coordinates": {}}),
            "attendees": atts,
            "organizer": {"emailAddress": {"name": org["displayName"],
                                           "address": org["mail"]}},
            "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/"
                              "meetup-join/19%3ameeting_" +
                              uid_ical[-16:] + "%40thread.v2/0"}
            if online else None,
        }
        for who in [org] + people:
            e = dict(base)
            e["id"] = self.event_id()
            e["@odata.etag"] = 'W/"' + b64url(rng.randbytes(21)) + '"'
            e["isOrganizer"] = who is org
            e["responseStatus"] = {
                "response": "organizer" if who is org else "accepted",
                "time": "0001-01-01T00:00:00Z" if who is org
                else "2026-11-10T09:00:00Z"}
            e["webLink"] = ("https://outlook.office365.com/owa/?itemid=" +
                            quote(e["id"], safe="") +
                            "&exvsurl=1&path=/calendar/item")
            self.t.events[who["id"]].append(Tenant.prepare_event(e))

    def all_day(self, u):
        rng = self.rng
        e = {"id": self.event_id(), "subject": "Focus day",
             "importance": "normal", "sensitivity": "normal",
             "isAllDay": True, "isCancelled": False, "isOrganizer": True,
             "responseStatus": {"response": "organizer",
                                "time": "0001-01-01T00:00:00Z"},
             "showAs": "free", "type": "singleInstance",
             "seriesMasterId": None, "iCalUId": "040000008200E00074C5B710" +
             rng.getrandbits(64).to_bytes(8, "big").hex().upper(),
             "webLink": "https://outlook.office365.com/owa/",
             "isOnlineMeeting": False, "onlineMeetingProvider": "unknown",
             "start": {"dateTime": self.day.isoformat() + "T00:00:00.0000000",
                       "timeZone": "UTC"},
             "end": {"dateTime": (self.day + dt.timedelta(days=1)).isoformat()
                     + "T00:00:00.0000000", "timeZone": "UTC"},
             "location": {"displayName": "", "locationType": "default",
                          "uniqueIdType": "unknown"},
             "attendees": [],
             "organizer": {"emailAddress": {"name": u["displayName"],
                                            "address": u["mail"]}},
             "onlineMeeting": None}
        self.t.events[u["id"]].append(Tenant.prepare_event(e))

    def write_roster(self, path):
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, ["email", "name", "title", "aliases",
                                   "opt_out", "disc", "enneagram"])
            w.writeheader()
            w.writerows(self.roster)


# --------------------------------------------------------------------------
# Fault injection settings, statistics, tokens


class Settings:
    FIELDS = {
        "latency_ms": float, "fail_429": float, "fail_503": float,
        "retry_after": str, "expire_token_after": int,
        "mailbox_404": list, "page_size": int, "max_page_size": int,
        "device_user": str, "device_pending": int, "device_slow_down": bool,
        "device_outcome": str, "device_interval": int,
        "mailbox_concurrency": int, "batch_parallelism": int,
        "token_lifetime": int, "empty_last_page": bool,
        "lenient_scopes": bool, "raw_calendar": dict,
        "batch_refused": int, "fault_streak_max": int,
    }

    def __init__(self, args):
        self.lock = threading.Lock()
        for name in self.FIELDS:
            setattr(self, name, getattr(args, name, None))
        self.mailbox_404 = [a.lower() for a in (args.mailbox_404 or [])]
        self.raw_calendar = {}

    def update(self, changes):
        with self.lock:
            for k, v in changes.items():
                if k not in self.FIELDS:
                    raise ValueError(f"unknown setting {k!r}; known: "
                                     + ", ".join(sorted(self.FIELDS)))
                if k == "raw_calendar":
                    v = {m.lower(): f for m, f in (v or {}).items()}
                elif k == "mailbox_404":
                    v = [a.lower() for a in (v.split(",") if isinstance(
                        v, str) else v) if a]
                elif v is not None:
                    v = self.FIELDS[k](v)
                setattr(self, k, v)

    def snapshot(self):
        with self.lock:
            return {k: getattr(self, k) for k in self.FIELDS}


class Stats:
    LOG_CAP = 20000

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = 0
            self.top_level = 0
            self.batch_items = 0
            self.batches = 0
            self.max_batch_size = 0
            self.status = {}
            self.inflight = {}
            self.peaks = {}
            self.inflight_total = 0
            self.peak_total = 0
            self.throttled = {}      # request key -> (time, retry_after)
            self.early_retries = []
            self.token_requests = {}
            self.token_errors = {}
            self.refresh_grants = []
            self.devicecode_requests = []
            self.scopes = []
            self.log = []
            self.log_dropped = 0
            self.auth_headers = set()
            self.pages = {}          # mailbox -> calendarView requests
            self.started = time.time()

    def enter(self, mailbox):
        with self.lock:
            self.inflight_total += 1
            self.peak_total = max(self.peak_total, self.inflight_total)
            if mailbox:
                n = self.inflight.get(mailbox, 0) + 1
                self.inflight[mailbox] = n
                self.peaks[mailbox] = max(self.peaks.get(mailbox, 0), n)
                return n
            return 0

    def leave(self, mailbox):
        with self.lock:
            self.inflight_total -= 1
            if mailbox:
                self.inflight[mailbox] -= 1

    def count_status(self, status):
        with self.lock:
            key = str(status)
            self.status[key] = self.status.get(key, 0) + 1

    def count(self, entry):
        with self.lock:
            self.requests += 1
            if entry["batch"]:
                self.batch_items += 1
            else:
                self.top_level += 1
            key = str(entry["status"])
            self.status[key] = self.status.get(key, 0) + 1
            if entry.get("calendar_view"):
                self.pages.setdefault(entry["mailbox"] or "?", []).append(
                    {"url": entry["url"], "prefer": entry["prefer"],
                     "status": entry["status"]})
            if len(self.log) < self.LOG_CAP:
                self.log.append(entry)
            else:
                self.log_dropped += 1

    def retry_check(self, key):
        """Record a retry that came before its Retry-After was over."""
        with self.lock:
            prev = self.throttled.pop(key, None)
        if prev is None:
            return
        t0, wait = prev
        waited = time.time() - t0
        if waited + 0.05 < wait:
            with self.lock:
                self.early_retries.append(
                    {"url": key[1], "waited": round(waited, 3),
                     "retry_after": wait})

    def throttle(self, key, wait):
        with self.lock:
            self.throttled[key] = (time.time(), wait)

    def bump(self, table, key):
        with self.lock:
            table[key] = table.get(key, 0) + 1

    def snapshot(self, auth):
        with self.lock:
            peak_box = max(self.peaks, key=self.peaks.get) \
                if self.peaks else None
            out = {
                "requests": self.requests,
                "top_level_requests": self.top_level,
                "batch_items": self.batch_items,
                "batches": self.batches,
                "max_batch_size": self.max_batch_size,
                "status": dict(self.status),
                "throttled_429": self.status.get("429", 0),
                "unavailable_503": self.status.get("503", 0),
                "unauthorized_401": self.status.get("401", 0),
                "max_inflight_per_mailbox": self.peaks.get(peak_box, 0)
                if peak_box else 0,
                "max_inflight_mailbox": peak_box,
                "inflight_peaks": dict(self.peaks),
                "max_inflight_total": self.peak_total,
                "early_retries": len(self.early_retries),
                "early_retry_examples": self.early_retries[:20],
                "token_requests": dict(self.token_requests),
                "token_errors": dict(self.token_errors),
                "refresh_grants": list(self.refresh_grants),
                "devicecode_requests": list(self.devicecode_requests),
                "scopes": list(self.scopes),
                "calendar_view": {k: list(v) for k, v in self.pages.items()},
                "auth_headers": sorted(self.auth_headers),
                "log": list(self.log),
                "log_dropped": self.log_dropped,
                "seconds": round(time.time() - self.started, 3),
            }
        out.update(auth.snapshot())
        return out


class Auth:
    """Tokens: access tokens (app or delegated), refresh tokens that
    rotate on each use, device codes."""

    def __init__(self, args, settings, tenant, stats):
        self.args = args
        self.settings = settings
        self.tenant = tenant
        self.stats = stats
        self.lock = threading.Lock()
        self.access = {}    # token -> info
        self.refresh = {}   # token -> info
        self.devices = {}   # device_code -> info
        self.issued_access = []
        self.issued_refresh = []
        self.issued_id_tokens = []

    def snapshot(self):
        with self.lock:
            return {
                "access_tokens_issued": list(self.issued_access),
                "refresh_tokens_issued": list(self.issued_refresh),
                "id_tokens_issued": list(self.issued_id_tokens),
                "refresh_tokens": [
                    {"token": t, "user": i["user"], "state": i["state"],
                     "uses": i["uses"]} for t, i in self.refresh.items()],
                "device_codes": [
                    {"device_code": c, "user_code": i["user_code"],
                     "user": i["user"], "polls": i["polls"],
                     "too_fast_polls": i["too_fast"], "state": i["state"]}
                    for c, i in self.devices.items()],
            }

    # -- issuing ------------------------------------------------------

    def _new_access(self, kind, user, scope):
        tok = "eyJ0eXAiOiJKV1QiLCJub25jZSI6" + secrets.token_urlsafe(48)
        info = {"kind": kind, "user": user, "scope": scope, "uses": 0,
                "expires": time.time() + self.settings.token_lifetime,
                "revoked": False, "expired": False}
        self.access[tok] = info
        self.issued_access.append(tok)
        return tok

    def _new_refresh(self, user, scope, family):
        tok = "0.AXkA" + secrets.token_urlsafe(96)
        self.refresh[tok] = {"user": user, "scope": scope, "state": "valid",
                             "uses": 0, "family": family,
                             "revoked_code": None}
        self.issued_refresh.append(tok)
        return tok

    def _id_token(self, user, login_base):
        now = int(time.time())
        claims = {"aud": self.args.client_id,
                  "iss": f"{login_base}/{self.args.tenant}/v2.0",
                  "iat": now, "nbf": now, "exp": now + 3600,
                  "name": user["displayName"], "oid": user["id"],
                  "preferred_username": user["userPrincipalName"],
                  "sub": b64url(hashlib.sha256(user["id"].encode())
                                .digest()),
                  "tid": self.args.tenant, "ver": "2.0"}
        tok = ".".join([
            b64url(json.dumps({"typ": "JWT", "alg": "RS256",
                               "kid": "stand-in"}).encode()),
            b64url(json.dumps(claims).encode()),
            b64url(secrets.token_bytes(64))])
        self.issued_id_tokens.append(tok)
        return tok

    def delegated_tokens(self, user, scope, login_base, family=None):
        scopes = scope.split()
        lower = [s.lower() for s in scopes]
        shown = " ".join(s.split("/")[-1] for s in scopes
                         if s.lower() != "offline_access")
        body = {"token_type": "Bearer", "scope": shown,
                "expires_in": self.settings.token_lifetime,
                "ext_expires_in": self.settings.token_lifetime,
                "access_token": self._new_access("delegated", user["id"],
                                                 scope)}
        if "offline_access" in lower:
            body["refresh_token"] = self._new_refresh(
                user["id"], scope, family or str(uuid.uuid4()))
        if "openid" in lower:
            body["id_token"] = self._id_token(user, login_base)
        return body

    # -- checks -------------------------------------------------------

    def check_bearer(self, header):
        """The token info of a valid Authorization header, or raise the
        401 Graph gives."""
        if header:
            with self.stats.lock:
                self.stats.auth_headers.add(header)
        www = {"WWW-Authenticate":
               'Bearer realm="", authorization_uri="https://login.'
               'microsoftonline.com/common/oauth2/authorize", client_id="'
               + GRAPH_APP_ID + '"'}
        if not header:
            raise GraphError(401, "InvalidAuthenticationToken",
                             "Access token is empty.", www)
        scheme, _, tok = header.partition(" ")
        if scheme.lower() != "bearer" or not tok.strip():
            raise GraphError(401, "InvalidAuthenticationToken",
                             "Access token validation failure. Invalid "
                             "audience.", www)
        tok = tok.strip()
        limit = self.settings.expire_token_after
        with self.lock:
            info = self.access.get(tok)
            if info is None:
                raise GraphError(401, "InvalidAuthenticationToken",
                                 "CompactToken parsing failed with error "
                                 "code: 80049217", www)
            if info["revoked"]:
                raise GraphError(401, "InvalidAuthenticationToken",
                                 "Continuous access evaluation resulted in "
                                 "challenge with result: InteractionRequired "
                                 "and code: TokenIssuedBeforeRevocation"
                                 "Timestamp", www)
            info["uses"] += 1
            if (info["expired"] or time.time() > info["expires"] or
                    (limit is not None and info["uses"] > limit)):
                info["expired"] = True
                raise GraphError(401, "InvalidAuthenticationToken",
                                 "Lifetime validation failed, the token is "
                                 "expired.", www)
            return dict(info)

    def expire_all(self):
        with self.lock:
            for info in self.access.values():
                info["expired"] = True

    def revoke(self, user, code):
        with self.lock:
            n = 0
            for info in self.refresh.values():
                if info["user"] == user["id"] and info["state"] == "valid":
                    info["state"] = "revoked"
                    info["revoked_code"] = code
                    n += 1
            for info in self.access.values():
                if info["user"] == user["id"]:
                    info["revoked"] = True
            return n


# --------------------------------------------------------------------------
# Graph: one request in, (status, headers, body) out. Used for top-level
# requests and $batch items alike.


class Request:
    def __init__(self, method, target, headers, token, base):
        self.method = method
        self.target = target          # path?query, relative to /v1.0
        split = urlsplit(target)
        self.path = split.path
        self.raw_query = split.query
        # Graph decodes '+' in a query as a space, like a form would.
        self.query = {}
        for part in split.query.split("&") if split.query else []:
            k, _, v = part.partition("=")
            self.query[unquote_plus(k).lower()] = unquote_plus(v)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.prefer_values = [v for k, v in headers.items()
                              if k.lower() == "prefer"]
        self.token = token
        self.base = base              # http://127.0.0.1:port/v1.0
        self.segments = [unquote(s) for s in self.path.split("/") if s]

    def q(self, name):
        return self.query.get(name.lower())


class Graph:
    def __init__(self, tenant, settings, stats, auth, rng):
        self.t = tenant
        self.settings = settings
        self.stats = stats
        self.auth = auth
        self.rng = rng
        self.rng_lock = threading.Lock()
        self.streaks = {}  # request key: faults in a row, under rng_lock
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=256)

    def chance(self, p):
        if not p:
            return False
        with self.rng_lock:
            return self.rng.random() < p

    def may_fault(self, key):
        """False when this request met fault_streak_max injected faults
        in a row: a test that wants a run through random 429s, not one
        request refused past the client's attempts by chance."""
        limit = self.settings.fault_streak_max
        if limit is None:
            return True
        with self.rng_lock:
            if self.streaks.get(key, 0) < limit:
                return True
            del self.streaks[key]
            return False

    def faulted(self, key, yes):
        with self.rng_lock:
            if yes:
                self.streaks[key] = self.streaks.get(key, 0) + 1
            else:
                self.streaks.pop(key, None)

    # -- which mailbox a request is for -------------------------------

    def mailbox_of(self, req):
        seg = req.segments
        if not seg:
            return None
        if seg[0].lower() == "me":
            if req.token and req.token.get("user"):
                u = self.t.user(req.token["user"])
                return u["mail"].lower() if u and u.get("mail") else \
                    req.token["user"]
            return None
        if seg[0].lower() == "users" and len(seg) >= 3:
            u = self.t.user(seg[1])
            if u:
                return (u.get("mail") or u["id"]).lower()
            return seg[1].lower()
        return None

    # -- the run of one request ---------------------------------------

    def handle(self, req):
        """Latency, faults and dispatch for one Graph request; returns
        (status, headers, body). The caller has checked the token and
        counts the request in flight."""
        s = self.settings
        key = (req.method, self.request_key(req))
        self.stats.retry_check(key)
        if s.latency_ms:
            time.sleep(s.latency_ms / 1000.0)
        crid = req.headers.get("client-request-id")
        fault = self.may_fault(key)
        try:
            if fault and self.chance(s.fail_429):
                self.faulted(key, True)
                ra = s.retry_after
                self.stats.throttle(key, float(ra) if ra else 0.0)
                raise GraphError(
                    429, "TooManyRequests", "Please retry again later.",
                    {"Retry-After": ra} if ra else {},
                    {"code": "429", "message": "Please retry after",
                     "status": "429"})
            if fault and self.chance(s.fail_503):
                self.faulted(key, True)
                ra = s.retry_after
                self.stats.throttle(key, float(ra) if ra else 0.0)
                raise GraphError(
                    503, "ServiceNotAvailable",
                    "The service is temporarily unavailable. Please try "
                    "again later.",
                    {"Retry-After": ra} if ra else {})
            self.faulted(key, False)
            status, headers, body = self.dispatch(req)
        except GraphError as e:
            status, headers, body = e.status, dict(e.headers), e.body(crid)
        return status, headers, body

    @staticmethod
    def request_key(req):
        q = sorted((k, v) for k, v in req.query.items())
        return req.path.rstrip("/").lower() + "?" + "&".join(
            f"{k}={v}" for k, v in q)

    def need(self, req, what):
        """Refuse a delegated token without a scope for what, as Graph
        does (403)."""
        tok = req.token or {}
        if tok.get("kind") != "delegated" or self.settings.lenient_scopes:
            return
        granted = {x.split("/")[-1].lower()
                   for x in (tok.get("scope") or "").split()}
        wanted, (status, code, message) = DELEGATED_SCOPES[what]
        if not granted & wanted:
            raise GraphError(status, code, message)

    def dispatch(self, req):
        seg = req.segments
        if req.method != "GET":
            raise GraphError(405, "Request_BadRequest",
                             f"Specified HTTP method is not allowed for the "
                             f"request target.")
        if not seg:
            raise bad_request("Invalid request.")
        head = seg[0].lower()
        rest = [x for x in seg[1:]]
        if head == "me":
            u = self.token_user(req)
            return self.user_paths(req, u, u["id"], rest)
        if head == "users":
            if not rest:
                self.need(req, "users")
                return self.list_users(req)
            key, rest = rest[0], rest[1:]
            u = self.t.user(key)
            return self.user_paths(req, u, key, rest)
        if head == "groups":
            self.need(req, "groups")
            return self.group_paths(req, rest)
        raise bad_request(f"Resource not found for the segment '{seg[0]}'.",
                          "BadRequest")

    def token_user(self, req):
        tok = req.token or {}
        if tok.get("kind") != "delegated":
            raise bad_request("/me request is only valid with delegated "
                              "authentication flow.")
        u = self.t.user(tok["user"])
        if u is None:
            raise GraphError(404, "Request_ResourceNotFound",
                             "The signed-in user does not exist.")
        return u

    def user_paths(self, req, u, key, rest):
        tok = req.token or {}
        if not rest:
            self.need(req, "me" if u and tok.get("user") == u["id"]
                      else "users")
            if u is None:
                raise GraphError(404, "Request_ResourceNotFound",
                                 f"Resource '{key}' does not exist or one "
                                 f"of its queried reference-property "
                                 f"objects are not present.")
            return 200, {}, self.one_user(req, u, key)
        what = rest[0].lower()
        if what == "calendar" and len(rest) == 2 and \
                rest[1].lower() == "calendarview":
            what, rest = "calendarview", rest[1:]
        if what not in ("mailboxsettings", "calendarview"):
            raise bad_request(f"Resource not found for the segment "
                              f"'{rest[0]}'.")
        self.need(req, "mailbox" if what == "mailboxsettings"
                  else "calendar")
        if u is None:
            raise GraphError(404, "ErrorInvalidUser",
                             f"The requested user '{key}' is invalid.")
        if tok.get("kind") == "delegated" and tok.get("user") != u["id"]:
            raise GraphError(403, "ErrorAccessDenied",
                             "Access is denied. Check credentials and try "
                             "again.")
        if self.no_rest(u):
            raise GraphError(404, "MailboxNotEnabledForRESTAPI",
                             "The mailbox is either inactive, soft-deleted, "
                             "or is hosted on-premise.")
        if what == "mailboxsettings":
            return self.mailbox_settings(req, u, key, rest[1:])
        if len(rest) != 1:
            raise bad_request("Resource not found for the segment "
                              f"'{rest[1]}'.")
        return self.calendar_view(req, u, key)

    def no_rest(self, u):
        if u["id"] not in self.t.mailbox:
            return True
        keys = {u["id"].lower(), (u.get("mail") or "").lower(),
                (u.get("userPrincipalName") or "").lower()}
        keys |= {p[5:].lower() for p in u.get("proxyAddresses") or []
                 if p.lower().startswith("smtp:")}
        return bool(keys & set(self.settings.mailbox_404))

    # -- query options ------------------------------------------------

    @staticmethod
    def select(req, allowed, type_name):
        raw = req.q("$select")
        if raw is None:
            return None
        canon = {p.lower(): p for p in allowed}
        out = []
        for name in [x.strip() for x in raw.split(",") if x.strip()]:
            if name.lower() not in canon:
                raise bad_request(f"Could not find a property named "
                                  f"'{name}' on type "
                                  f"'microsoft.graph.{type_name}'.",
                                  "BadRequest" if type_name == "event"
                                  else "Request_BadRequest")
            out.append(canon[name.lower()])
        return out

    @staticmethod
    def top(req, lo, hi, what):
        raw = req.q("$top")
        if raw is None:
            return None
        if not re.fullmatch(r"\d+", raw.strip()):
            raise bad_request(f"Invalid $top value '{raw}'.",
                              "Request_BadRequest" if what != "event"
                              else "BadRequest")
        n = int(raw)
        if n < lo or (hi and n > hi):
            if what == "event":
                raise bad_request(f"Invalid page size specified: '{n}'. "
                                  f"Must be greater than zero.")
            raise GraphError(400, "Request_BadRequest",
                             f"Invalid page size specified: '{n}'. Must be "
                             f"between {lo} and {hi} inclusive.")
        return n

    def page_size(self, req, requested, default):
        n = requested
        if n is None:
            prefs = split_prefer(req.prefer_values)
            mps = prefs.get("odata.maxpagesize")
            if mps and mps.isdigit() and int(mps) > 0:
                n = int(mps)
        if n is None:
            n = default
        cap = self.settings.max_page_size
        if cap:
            n = min(n, cap)
        return n

    def link(self, req, path, params):
        """An absolute nextLink as Graph writes one: percent-encoded, '$'
        of system options as %24, lower-case hex after the value's own
        escapes."""
        parts = []
        for k, v in params:
            kk = k.replace("$", "%24")
            vv = quote(v, safe="").replace("%3A", "%3a").replace(
                "%2B", "%2b").replace("%2C", "%2c")
            parts.append(f"{kk}={vv}")
        return f"{req.base}{path}?" + "&".join(parts)

    @staticmethod
    def project(obj, fields, keep=("@odata.type", "@odata.etag")):
        if fields is None:
            return {k: v for k, v in obj.items() if not k.startswith("_")}
        out = {k: obj[k] for k in keep if k in obj}
        for f in fields:
            if f in obj:
                out[f] = obj[f]
            elif f != "id":
                out[f] = None
        if "id" in obj:
            out["id"] = obj["id"]
        return out

    def skiptoken_encode(self, offset):
        return "RFNwdAIAAQAAA" + b64url(f"o:{offset}:{secrets.token_hex(4)}"
                                        .encode())

    @staticmethod
    def skiptoken_decode(tok):
        try:
            if not tok.startswith("RFNwdAIAAQAAA"):
                raise ValueError
            raw = tok[len("RFNwdAIAAQAAA"):]
            raw += "=" * (-len(raw) % 4)
            text = base64.urlsafe_b64decode(raw).decode()
            kind, off, _ = text.split(":")
            if kind != "o":
                raise ValueError
            return int(off)
        except (ValueError, UnicodeDecodeError):
            raise GraphError(400, "Request_BadRequest",
                             f"The specified page token value has expired "
                             f"or is invalid: '{tok}'.")

    def directory_page(self, req, items, path, context, default=100):
        """Page a directory collection with $top and $skiptoken."""
        top = self.top(req, 1, 999, "directory")
        size = self.page_size(req, top, default)
        off = 0
        if req.q("$skiptoken") is not None:
            off = self.skiptoken_decode(req.q("$skiptoken"))
        page = items[off:off + size]
        body = {"@odata.context": context}
        if off + size < len(items) or (self.settings.empty_last_page and
                                       off + size == len(items)):
            params = [(k, v) for k, v in self.ordered_params(req)
                      if k.lower() != "$skiptoken"]
            params.append(("$skiptoken", self.skiptoken_encode(off + size)))
            body["@odata.nextLink"] = self.link(req, path, params)
        body["value"] = page
        return body

    @staticmethod
    def ordered_params(req):
        out = []
        for part in req.raw_query.split("&") if req.raw_query else []:
            k, _, v = part.partition("=")
            out.append((unquote_plus(k), unquote_plus(v)))
        return out

    # -- users and groups ---------------------------------------------

    def user_view(self, u):
        v = {p: None for p in USER_PROPERTIES}
        v["businessPhones"] = []
        v["accountEnabled"] = True
        v["userType"] = "Member"
        name = u.get("displayName") or ""
        if " " in name:
            v["givenName"], v["surname"] = name.split(" ", 1)
        v["mailNickname"] = (u.get("userPrincipalName") or "").split("@")[0]
        v.update(u)
        return v

    def filter_users(self, req, items, type_name):
        raw = req.q("$filter")
        if raw is None:
            return items
        m = re.fullmatch(r"\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*", raw, re.I)
        if m:
            prop, val = m.group(1), odata_quote_unescape(m.group(2))
            props = {"mail": "mail", "userprincipalname":
                     "userPrincipalName", "id": "id",
                     "displayname": "displayName"}
            if prop.lower() in props:
                p = props[prop.lower()]
                if p == "displayName":
                    return [x for x in items if x.get(p) == val]
                return [x for x in items
                        if (x.get(p) or "").lower() == val.lower()]
        m = re.fullmatch(r"\s*proxyAddresses/any\((\w+):\s*\1\s+eq\s+"
                         r"'((?:[^']|'')*)'\)\s*", raw, re.I)
        if m:
            val = odata_quote_unescape(m.group(2)).lower()
            return [x for x in items
                    if val in [p.lower() for p in x.get("proxyAddresses")
                               or []]]
        raise GraphError(400, "Request_UnsupportedQuery",
                         f"Unsupported or invalid query filter clause "
                         f"specified for property of resource "
                         f"'{type_name}'.")

    def list_users(self, req):
        fields = self.select(req, USER_PROPERTIES, "user") or USER_DEFAULT
        items = self.filter_users(req, self.t.users, "User")
        view = [self.project(self.user_view(u), fields) for u in items]
        ctx = (f"{req.base}/$metadata#users"
               + (f"({req.q('$select')})" if req.q("$select") else ""))
        return 200, {}, self.directory_page(req, view, "/users", ctx)

    def one_user(self, req, u, key):
        fields = self.select(req, USER_PROPERTIES, "user") or USER_DEFAULT
        body = {"@odata.context": f"{req.base}/$metadata#users/$entity"}
        body.update(self.project(self.user_view(u), fields))
        return body

    def group_view(self, g):
        v = {p: None for p in GROUP_PROPERTIES}
        v["groupTypes"] = []
        v["proxyAddresses"] = [f"SMTP:{g['mail']}"] if g.get("mail") else []
        v.update(g)
        return v

    def group_paths(self, req, rest):
        if not rest:
            fields = self.select(req, GROUP_PROPERTIES, "group")
            items = self.filter_users(req, [self.group_view(g)
                                            for g in self.t.groups], "Group")
            view = [self.project(g, fields) for g in items]
            ctx = f"{req.base}/$metadata#groups"
            return 200, {}, self.directory_page(req, view, "/groups", ctx)
        g = self.t.group_by_id.get(rest[0].lower())
        if g is None:
            raise GraphError(404, "Request_ResourceNotFound",
                             f"Resource '{rest[0]}' does not exist or one of "
                             f"its queried reference-property objects are "
                             f"not present.")
        if len(rest) == 1:
            fields = self.select(req, GROUP_PROPERTIES, "group")
            body = {"@odata.context": f"{req.base}/$metadata#groups/$entity"}
            body.update(self.project(self.group_view(g), fields))
            return 200, {}, body
        if len(rest) == 2 and rest[1].lower() in ("transitivemembers",
                                                  "members"):
            fields = self.select(req, MEMBER_PROPERTIES, "directoryObject")
            members = self.t.members.get(g["id"], [])
            if rest[1].lower() == "members":
                members = self.direct_members(g)
            view = [self.project(m, fields) for m in members]
            ctx = f"{req.base}/$metadata#directoryObjects"
            return 200, {}, self.directory_page(
                req, view, f"/groups/{g['id']}/{rest[1]}", ctx)
        raise bad_request(f"Resource not found for the segment "
                          f"'{rest[1]}'.")

    def direct_members(self, g):
        """members: transitive members minus those of nested groups."""
        members = self.t.members.get(g["id"], [])
        nested = set()
        for m in members:
            if m.get("@odata.type") == "#microsoft.graph.group":
                nested |= {x["id"] for x in self.t.members.get(m["id"], [])}
        return [m for m in members if m["id"] not in nested or
                m.get("@odata.type") == "#microsoft.graph.group"]

    # -- mailbox settings ---------------------------------------------

    def mailbox_settings(self, req, u, key, rest):
        ms = self.t.mailbox[u["id"]]
        ctx = f"{req.base}/$metadata#users('{quote(key, safe='')}')" \
              "/mailboxSettings"
        if rest:
            canon = {k.lower(): k for k in ms if not k.startswith("@")}
            prop = canon.get(rest[0].lower())
            if prop is None or len(rest) > 1:
                raise bad_request(f"Resource not found for the segment "
                                  f"'{rest[0]}'.")
            val = ms[prop]
            if isinstance(val, dict):
                body = {"@odata.context": f"{ctx}/{prop}"}
                body.update(val)
                return 200, {}, body
            return 200, {}, {"@odata.context": f"{ctx}/{prop}",
                             "value": val}
        allowed = [k for k in ms if not k.startswith("@")]
        fields = self.select(req, allowed + ["userPurpose"],
                             "mailboxSettings")
        body = {"@odata.context": ctx + (f"({req.q('$select')})"
                                         if fields else "")}
        for k, v in ms.items():
            if k.startswith("@"):
                continue
            if fields is None or k in fields:
                body[k] = v
        return 200, {}, body

    # -- calendarView -------------------------------------------------

    def window(self, req):
        msg = ("This request requires a time window specified by the query "
               "string parameters StartDateTime and EndDateTime.")
        raw_s, raw_e = req.q("startDateTime"), req.q("endDateTime")
        if raw_s is None or raw_e is None:
            raise GraphError(400, "ErrorInvalidParameter", msg)
        out = []
        for name, raw in (("StartDateTime", raw_s), ("EndDateTime", raw_e)):
            v = parse_window_value(raw)
            if v is None:
                raise GraphError(400, "ErrorInvalidParameter",
                                 f"The value '{raw}' of parameter '{name}' "
                                 f"is invalid.")
            out.append(v)
        if out[1] < out[0]:
            raise GraphError(400, "ErrorInvalidParameter",
                             "The parameter 'EndDateTime' must be later than "
                             "'StartDateTime'.")
        return out

    def overlaps(self, e, start, end, zone):
        if e["_all_day"]:
            d0, d1 = e["_all_day"]
            s = dt.datetime.combine(d0, dt.time(), zone)
            en = dt.datetime.combine(d1, dt.time(), zone)
        else:
            s, en = e["_start_utc"], e["_end_utc"]
        if s == en:
            return start <= s < end
        return s < end and en > start

    def render_event(self, e, zone, zone_label):
        out = {k: v for k, v in e.items() if not k.startswith("_")}
        if e["_all_day"]:
            d0, d1 = e["_all_day"]
            out["start"] = {"dateTime": d0.isoformat() + "T00:00:00.0000000",
                            "timeZone": zone_label}
            out["end"] = {"dateTime": d1.isoformat() + "T00:00:00.0000000",
                          "timeZone": zone_label}
        else:
            out["start"] = {"dateTime": fmt_graph_dt(
                e["_start_utc"].astimezone(zone)), "timeZone": zone_label}
            out["end"] = {"dateTime": fmt_graph_dt(
                e["_end_utc"].astimezone(zone)), "timeZone": zone_label}
        return out

    def calendar_view(self, req, u, key):
        raw = self.settings.raw_calendar.get(
            (u.get("mail") or u["id"]).lower())
        if raw:
            with open(raw, "rb") as f:
                return 200, {}, RawBody(f.read())
        start, end = self.window(req)
        fields = self.select(req, EVENT_PROPERTIES, "event")
        top = self.top(req, 1, 0, "event")
        size = self.page_size(req, top, self.settings.page_size)
        skip = 0
        if req.q("$skip") is not None:
            if not re.fullmatch(r"\d+", req.q("$skip")):
                raise bad_request(f"Invalid $skip value '{req.q('$skip')}'.")
            skip = int(req.q("$skip"))
        prefs = split_prefer(req.prefer_values)
        headers = {}
        applied = []
        zone, label = ZoneInfo("Etc/UTC"), "UTC"
        want = prefs.get("outlook.timezone")
        if want is not None:
            z = zone_for(want)
            if z is not None:
                zone, label = z, want
                applied.append(f'outlook.timezone="{want}"')
        if prefs.get("outlook.body-content-type", "").lower() in ("text",
                                                                   "html"):
            applied.append('outlook.body-content-type="%s"'
                           % prefs["outlook.body-content-type"].lower())
        if applied:
            headers["Preference-Applied"] = ", ".join(applied)
        mzone = self.t.mailbox_zone(u)
        events = [e for e in self.t.events.get(u["id"], [])
                  if self.overlaps(e, start, end, mzone)]
        order = req.q("$orderby")
        if order:
            m = re.fullmatch(r"\s*(start|end)/dateTime(?:\s+(asc|desc))?\s*",
                             order, re.I)
            if m:
                k = "_start_utc" if m.group(1).lower() == "start" \
                    else "_end_utc"
                events.sort(key=lambda e: e[k],
                            reverse=(m.group(2) or "").lower() == "desc")
            elif order.strip().lower() != "subject":
                raise bad_request(f"The query specified in the URI is not "
                                  f"valid. Could not find a property named "
                                  f"'{order}'.")
            else:
                events.sort(key=lambda e: e.get("subject") or "")
        page = events[skip:skip + size]
        sel = f"({','.join(fields)})" if fields else ""
        body = {"@odata.context":
                f"{req.base}/$metadata#users('{quote(key, safe='')}')"
                f"/calendarView{sel}"}
        if skip + size < len(events) or (self.settings.empty_last_page and
                                         page and skip + size == len(events)):
            params = [(k, v) for k, v in self.ordered_params(req)
                      if k.lower() != "$skip"]
            params.append(("$skip", str(skip + size)))
            path = "/" + "/".join(quote(s, safe="") for s in req.segments)
            body["@odata.nextLink"] = self.link(req, path, params)
        body["value"] = [self.project(self.render_event(e, zone, label),
                                      fields, keep=("@odata.etag",))
                         for e in page]
        return 200, headers, body

    # -- $batch -------------------------------------------------------

    def batch(self, body, token, base):
        """The $batch envelope: 400 when malformed, else 200 with every
        item's own answer, in a shuffled order."""
        if not isinstance(body, dict) or not isinstance(
                body.get("requests"), list):
            raise bad_request("Invalid batch payload format.")
        reqs = body["requests"]
        if not reqs:
            raise bad_request("Invalid batch payload format.")
        if len(reqs) > 20:
            raise bad_request("Number of batch request steps exceeds the "
                              "maximum value of 20.")
        ids = set()
        for r in reqs:
            if not isinstance(r, dict) or not isinstance(r.get("id"), str) \
                    or not r.get("id") or not isinstance(r.get("method"),
                                                         str) \
                    or not isinstance(r.get("url"), str):
                raise bad_request("Invalid batch payload format: every "
                                  "request needs id, method and url.")
            if r["id"].lower() in ids:
                raise bad_request("Batch request step ids must be unique.")
            ids.add(r["id"].lower())
            if r.get("headers") is not None and not isinstance(
                    r["headers"], dict):
                raise bad_request("Invalid batch payload format: headers "
                                  "must be an object.")
        with self.stats.lock:
            self.stats.batches += 1
            self.stats.max_batch_size = max(self.stats.max_batch_size,
                                            len(reqs))
        sequential = any(r.get("dependsOn") for r in reqs)
        if sequential:
            results, failed = [], set()
            for r in reqs:
                deps = r.get("dependsOn") or []
                if any(d.lower() in failed for d in deps):
                    res = (r["id"], 424, {"Content-Type": JSON_TYPE},
                           GraphError(424, "FailedDependency",
                                      "Failed dependency.").body())
                else:
                    res = self.batch_item(r, token, base)
                if not 200 <= res[1] < 300:
                    failed.add(r["id"].lower())
                results.append(res)
        else:
            par = max(1, self.settings.batch_parallelism or len(reqs))
            results = []
            for i in range(0, len(reqs), par):
                futs = [self.pool.submit(self.batch_item, r, token, base)
                        for r in reqs[i:i + par]]
                results += [f.result() for f in futs]
        with self.rng_lock:
            self.rng.shuffle(results)
        out = {"responses": [{"id": i, "status": st, "headers": h,
                              "body": b} for i, st, h, b in results]}
        return splice_raw(out)

    def batch_item(self, r, token, base):
        url = r["url"]
        headers = r.get("headers") or {}
        entry_url = url
        if re.match(r"^[a-z]+://", url, re.I):
            err = bad_request("Invalid request URL: a batch request's url "
                              "must be relative, e.g. /users/{id}.")
            return r["id"], 400, {"Content-Type": JSON_TYPE}, err.body()
        if not url.startswith("/"):
            url = "/" + url
        if re.match(r"^/(v1\.0|beta)(/|$)", url):
            err = bad_request("Invalid request URL: a batch request's url "
                              "is relative to the version, without "
                              "/v1.0 or /beta.")
            return r["id"], 400, {"Content-Type": JSON_TYPE}, err.body()
        req = Request(r["method"].upper(), url, headers, token, base)
        mailbox = self.mailbox_of(req)
        n = self.stats.enter(mailbox)
        try:
            limit = self.settings.mailbox_concurrency
            if limit and n > limit:
                time.sleep((self.settings.latency_ms or 0) / 1000.0)
                err = GraphError(429, "ApplicationThrottled",
                                 "Application is over its MailboxConcurrency "
                                 "limit.",
                                 {"Retry-After": self.settings.retry_after})
                status, h, body = 429, err.headers, err.body()
            elif r["method"].upper() != "GET":
                err = GraphError(405, "Request_BadRequest",
                                 "Specified HTTP method is not allowed for "
                                 "the request target.")
                status, h, body = 405, {}, err.body()
            else:
                status, h, body = self.handle(req)
        finally:
            self.stats.leave(mailbox)
        prefer = split_prefer(req.prefer_values).get("outlook.timezone")
        self.stats.count({"t": round(time.time(), 3), "method": req.method,
                          "url": entry_url, "mailbox": mailbox,
                          "status": status, "batch": True, "prefer": prefer,
                          "token_kind": (token or {}).get("kind"),
                          "calendar_view": "calendarview" in
                          req.path.lower()})
        out_h = {"Content-Type": JSON_TYPE, "Cache-Control": "private"}
        out_h.update({k: str(v) for k, v in h.items()})
        return r["id"], status, out_h, body


# --------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.ctx.args.verbose:
            sys.stderr.write("graph_server: %s\n" % (fmt % args))

    # -- plumbing -----------------------------------------------------

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, headers=None, ctype=JSON_TYPE):
        if isinstance(body, (dict, list)):
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = body or b""
        rid = str(uuid.uuid4())
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("request-id", rid)
            self.send_header("client-request-id",
                             self.headers.get("client-request-id") or rid)
            self.send_header("OData-Version", "4.0")
            for k, v in (headers or {}).items():
                self.send_header(k, str(v))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def base_url(self):
        host = self.headers.get("Host") or \
            f"127.0.0.1:{self.server.server_address[1]}"
        return f"http://{host}"

    # -- methods ------------------------------------------------------

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PATCH(self):
        self.route("PATCH")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method):
        body = self.read_body() if method in ("POST", "PATCH", "PUT") \
            else b""
        path = urlsplit(self.path).path
        try:
            if path.startswith("/_control/"):
                return self.control(method, path, body)
            if path == "/v1.0" or path.startswith("/v1.0/"):
                return self.graph(method, body)
            m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/(token|devicecode)",
                             path)
            if m:
                return self.identity(method, unquote(m.group(1)),
                                     m.group(2), body)
            if path == "/devicelogin":
                return self.devicelogin()
            self.reply(404, GraphError(404, "NotFound", "Not found.").body())
        except Exception as e:  # a bug here must not hang the client
            import traceback
            traceback.print_exc()
            self.reply(500, GraphError(500, "generalException",
                                       f"stand-in failure: {e}").body())

    # -- Graph --------------------------------------------------------

    def graph(self, method, raw):
        ctx = self.server.ctx
        target = self.path[len("/v1.0"):] or "/"
        base = self.base_url() + "/v1.0"
        headers = {k: v for k, v in self.headers.items()}
        prefer_values = self.headers.get_all("Prefer") or []
        crid = self.headers.get("client-request-id")
        is_batch = urlsplit(target).path.rstrip("/").lower() == "/$batch"
        req = Request(method, target, headers, None, base)
        req.prefer_values = prefer_values
        try:
            token = ctx.auth.check_bearer(self.headers.get("Authorization"))
        except GraphError as e:
            if not is_batch:
                ctx.stats.count(self.entry(req, ctx.graph.mailbox_of(req),
                                           e.status, prefer_values, None))
            else:
                # A refused envelope is no request, but its 401 counts:
                # the client rightly asks for a new token after it.
                ctx.stats.count_status(e.status)
            return self.reply(e.status, e.body(crid), e.headers)
        req.token = token
        if is_batch:
            return self.graph_batch(method, raw, token, base, crid)
        # Leave the mailbox and count before the answer goes out: once
        # the client has it, it may send the next request at once.
        mailbox = ctx.graph.mailbox_of(req)
        n = ctx.stats.enter(mailbox)
        status, h, body = 500, {}, None
        try:
            limit = ctx.settings.mailbox_concurrency
            if limit and n > limit:
                err = GraphError(429, "ApplicationThrottled",
                                 "Application is over its MailboxConcurrency "
                                 "limit.",
                                 {"Retry-After": ctx.settings.retry_after})
                status, h, body = 429, err.headers, err.body(crid)
            else:
                status, h, body = ctx.graph.handle(req)
        finally:
            ctx.stats.leave(mailbox)
            ctx.stats.count(self.entry(req, mailbox, status, prefer_values,
                                       token))
        self.reply(status, body, h)

    def entry(self, req, mailbox, status, prefer_values, token):
        return {"t": round(time.time(), 3), "method": req.method,
                "url": req.target, "mailbox": mailbox, "status": status,
                "batch": False,
                "prefer": split_prefer(prefer_values).get("outlook.timezone"),
                "token_kind": (token or {}).get("kind"),
                "calendar_view": "calendarview" in req.path.lower()}

    def graph_batch(self, method, raw, token, base, crid):
        ctx = self.server.ctx
        refused = ctx.settings.batch_refused
        if refused:
            # A Graph-like server without JSON batching: the envelope is
            # refused whole, as an unknown segment would be.
            ctx.stats.count_status(refused)
            err = GraphError(refused, "Request_ResourceNotFound"
                             if refused == 404 else "BadRequest",
                             "Resource not found for the segment '$batch'.")
            return self.reply(refused, err.body(crid))
        if method != "POST":
            err = GraphError(405, "Request_BadRequest",
                             "Specified HTTP method is not allowed for the "
                             "request target.")
            return self.reply(405, err.body(crid))
        ctype = (self.headers.get("Content-Type") or "").lower()
        if not ctype.startswith("application/json"):
            err = bad_request("Invalid Content-Type header: a batch needs "
                              "application/json.")
            return self.reply(400, err.body(crid))
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            err = bad_request("Unable to read JSON request payload.")
            return self.reply(400, err.body(crid))
        try:
            out = ctx.graph.batch(body, token, base)
        except GraphError as e:
            return self.reply(e.status, e.body(crid), e.headers)
        self.reply(200, out)

    # -- identity platform -------------------------------------------

    def identity(self, method, tenant, what, raw):
        ctx = self.server.ctx
        args = ctx.args
        if method != "POST":
            return self.aad(AADError(405, "invalid_request", 900561,
                                     "The endpoint only accepts POST "
                                     "requests."))
        if ctx.settings.latency_ms:
            time.sleep(ctx.settings.latency_ms / 1000.0)
        ctype = (self.headers.get("Content-Type") or "").lower()
        form = dict(parse_qsl(raw.decode("utf-8", "replace"),
                              keep_blank_values=True))
        grant = form.get("grant_type", "devicecode" if what == "devicecode"
                         else "")
        ctx.stats.bump(ctx.stats.token_requests,
                       grant if what == "token" else "devicecode")
        try:
            if not ctype.startswith("application/x-www-form-urlencoded"):
                raise AADError(400, "invalid_request", 900144,
                               "The request body must contain the following "
                               "parameter: 'grant_type'.")
            if tenant.lower() not in (args.tenant.lower(),
                                      args.tenant_domain.lower()):
                raise AADError(400, "invalid_request", 90002,
                               f"Tenant '{tenant}' not found. Check to make "
                               f"sure you have the correct tenant ID and "
                               f"are signing into the correct cloud.")
            basic_id, basic_secret = self.basic_auth()
            client_id = form.get("client_id") or basic_id
            if not client_id:
                raise AADError(400, "invalid_request", 900144,
                               "The request body must contain the following "
                               "parameter: 'client_id'.")
            if client_id != args.client_id:
                raise AADError(400, "unauthorized_client", 700016,
                               f"Application with identifier '{client_id}' "
                               f"was not found in the directory 'Contoso'. "
                               f"This can happen if the application has not "
                               f"been installed by the administrator of the "
                               f"tenant or consented to by any user in the "
                               f"tenant. You may have sent your "
                               f"authentication request to the wrong tenant.")
            secret = form.get("client_secret", basic_secret)
            if form.get("scope"):
                with ctx.stats.lock:
                    ctx.stats.scopes.append({"grant": grant,
                                             "scope": form["scope"]})
            if what == "devicecode":
                body = self.devicecode(form)
            elif grant == "client_credentials":
                body = self.client_credentials(form, secret)
            elif grant == "refresh_token":
                body = self.refresh_grant(form, secret)
            elif grant == "urn:ietf:params:oauth:grant-type:device_code":
                body = self.device_grant(form, secret)
            elif not grant:
                raise AADError(400, "invalid_request", 900144,
                               "The request body must contain the following "
                               "parameter: 'grant_type'.")
            else:
                raise AADError(400, "unsupported_grant_type", 70003,
                               f"The app requested an unsupported grant "
                               f"type '{grant}'.")
        except OAuthPending as p:
            return self.aad(p.as_aad, count=False)
        except AADError as e:
            return self.aad(e)
        self.reply(200, body, {"Cache-Control": "no-store, no-cache",
                               "Pragma": "no-cache"}, AAD_JSON)

    def aad(self, e, count=True):
        ctx = self.server.ctx
        if count:
            ctx.stats.bump(ctx.stats.token_errors,
                           f"{e.error}/AADSTS{e.aadsts}")
        self.reply(e.status, e.body(), {"Cache-Control": "no-store, no-cache"},
                   AAD_JSON)

    def basic_auth(self):
        h = self.headers.get("Authorization") or ""
        if h.lower().startswith("basic "):
            try:
                dec = base64.b64decode(h[6:].strip()).decode()
                i, _, s = dec.partition(":")
                return unquote_plus(i), unquote_plus(s)
            except (ValueError, UnicodeDecodeError):
                pass
        return None, None

    def login_base(self):
        return self.base_url()

    def client_credentials(self, form, secret):
        ctx = self.server.ctx
        if secret is None or secret == "":
            raise AADError(401, "invalid_client", 7000218,
                           "The request body must contain the following "
                           "parameter: 'client_assertion' or "
                           "'client_secret'.")
        if secret != ctx.args.client_secret:
            raise AADError(401, "invalid_client", 7000215,
                           "Invalid client secret provided. Ensure the "
                           "secret being sent in the request is the client "
                           "secret value, not the client secret ID, for a "
                           f"secret added to app '{ctx.args.client_id}'.")
        scope = form.get("scope", "")
        scopes = scope.split()
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            raise AADError(400, "invalid_scope", 1002012,
                           f"The provided value for scope {scope} is not "
                           f"valid. Client credential flows must have a "
                           f"scope value with /.default suffixed to the "
                           f"resource identifier (application ID URI).")
        with ctx.auth.lock:
            tok = ctx.auth._new_access("app", None, scope)
        return {"token_type": "Bearer",
                "expires_in": ctx.settings.token_lifetime,
                "ext_expires_in": ctx.settings.token_lifetime,
                "access_token": tok}

    @staticmethod
    def no_secret_for_public(secret):
        if secret:
            raise AADError(401, "invalid_client", 700025,
                           "Client is public so neither 'client_assertion' "
                           "nor 'client_secret' should be presented.")

    def refresh_grant(self, form, secret):
        ctx = self.server.ctx
        self.no_secret_for_public(secret)
        rt = form.get("refresh_token")
        if not rt:
            raise AADError(400, "invalid_request", 900144,
                           "The request body must contain the following "
                           "parameter: 'refresh_token'.")
        with ctx.auth.lock:
            info = ctx.auth.refresh.get(rt)
            record = {"user": None, "result": None,
                      "index": ctx.auth.issued_refresh.index(rt)
                      if rt in ctx.auth.refresh else None,
                      "t": round(time.time(), 3)}
            try:
                if info is None:
                    raise AADError(400, "invalid_grant", 9002313,
                                   "Invalid request. Request is malformed "
                                   "or invalid.")
                record["user"] = info["user"]
                info["uses"] += 1
                if info["state"] == "rotated":
                    raise AADError(400, "invalid_grant", 70000,
                                   "Provided grant is invalid or malformed. "
                                   "The refresh token was already redeemed "
                                   "and replaced by a newer one.")
                if info["state"] == "revoked":
                    code = info["revoked_code"] or 700082
                    text = {
                        700082: "The refresh token has expired due to "
                                "inactivity. The token was issued on "
                                "2026-08-01T00:00:00.0000000Z and was "
                                "inactive for 90.00:00:00.",
                        50173: "The provided grant has expired due to it "
                               "being revoked, a fresh auth token is "
                               "needed. The user might have changed or "
                               "reset their password.",
                        70008: "The provided authorization code or refresh "
                               "token has expired due to inactivity. Send "
                               "a new interactive authorization request for "
                               "this user and resource.",
                    }.get(code, "The refresh token was revoked.")
                    raise AADError(400, "invalid_grant", code, text)
                info["state"] = "rotated"
                user = ctx.tenant.user(info["user"])
                body = ctx.auth.delegated_tokens(
                    user, form.get("scope") or info["scope"],
                    self.login_base(), info["family"])
                if "refresh_token" not in body:
                    # a refresh grant keeps offline access of the original
                    body["refresh_token"] = ctx.auth._new_refresh(
                        user["id"], info["scope"], info["family"])
                record["result"] = "ok"
                record["new_index"] = ctx.auth.issued_refresh.index(
                    body["refresh_token"])
                return body
            except AADError as e:
                record["result"] = f"{e.error}/AADSTS{e.aadsts}"
                raise
            finally:
                with ctx.stats.lock:
                    ctx.stats.refresh_grants.append(record)

    def devicecode(self, form):
        ctx = self.server.ctx
        scope = form.get("scope", "")
        if not scope.strip():
            raise AADError(400, "invalid_request", 900144,
                           "The request body must contain the following "
                           "parameter: 'scope'.")
        code = "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrA" + \
            secrets.token_urlsafe(64)
        user_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                            for _ in range(9))
        s = ctx.settings
        with ctx.auth.lock:
            ctx.auth.devices[code] = {
                "user_code": user_code, "scope": scope,
                "user": s.device_user, "polls": 0, "too_fast": 0,
                "last": time.time(), "state": "pending",
                "pending_left": s.device_pending,
                "slow_down": s.device_slow_down,
                "outcome": s.device_outcome,
                "interval": s.device_interval,
                "expires": time.time() + ctx.args.device_expires_in}
        with ctx.stats.lock:
            ctx.stats.devicecode_requests.append(
                {"scope": scope, "user_code": user_code})
        uri = self.base_url() + "/devicelogin"
        return {"user_code": user_code, "device_code": code,
                "verification_uri": uri,
                "expires_in": ctx.args.device_expires_in,
                "interval": s.device_interval,
                "message": f"To sign in, use a web browser to open the page "
                           f"{uri} and enter the code {user_code} to "
                           f"authenticate."}

    def device_grant(self, form, secret):
        ctx = self.server.ctx
        self.no_secret_for_public(secret)
        code = form.get("device_code")
        with ctx.auth.lock:
            d = ctx.auth.devices.get(code or "")
            if d is None:
                raise AADError(400, "invalid_grant", 70000,
                               "Provided grant is invalid or malformed.")
            now = time.time()
            d["polls"] += 1
            if d["polls"] > 1 and now - d["last"] < d["interval"] * 0.8:
                d["too_fast"] += 1
            d["last"] = now
            if d["state"] == "done":
                raise AADError(400, "invalid_grant", 54005,
                               "OAuth2 Authorization code was already "
                               "redeemed, please retry with a new valid "
                               "code or use an existing refresh token.")
            if now > d["expires"] or d["outcome"] == "expire":
                d["state"] = "expired"
                raise OAuthPending("expired_token", 70020,
                                   "The provided value for the input "
                                   "parameter 'device_code' is not valid. "
                                   "This device code has expired.")
            if d["pending_left"] > 0:
                d["pending_left"] -= 1
                raise OAuthPending("authorization_pending", 70016,
                                   "OAuth 2.0 device flow error. "
                                   "Authorization is pending. Continue "
                                   "polling.")
            if d["slow_down"]:
                d["slow_down"] = False
                d["interval"] += 5 if ctx.args.real_slow_down else 0
                raise OAuthPending("slow_down", 70016,
                                   "OAuth 2.0 device flow error. Polling "
                                   "too fast: slow down.")
            if d["outcome"] == "decline":
                d["state"] = "declined"
                raise OAuthPending("authorization_declined", 70000,
                                   "The user declined the sign-in request.")
            user = ctx.tenant.user(d["user"] or "")
            if user is None:
                raise AADError(400, "invalid_grant", 50034,
                               f"The user account {d['user']} does not exist "
                               f"in the directory.")
            d["state"] = "done"
            d["user"] = user["mail"]
            return ctx.auth.delegated_tokens(user, d["scope"],
                                             self.login_base())

    def devicelogin(self):
        self.reply(200, "<!doctype html><title>Device login</title><p>The "
                   "stand-in approves device codes by itself after "
                   "--device-pending polls.</p>", ctype="text/html")

    # -- control ------------------------------------------------------

    def control(self, method, path, raw):
        ctx = self.server.ctx
        what = path[len("/_control/"):].strip("/")
        try:
            data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except ValueError:
            return self.reply(400, {"error": "body is not JSON"},
                              ctype="application/json")
        if what == "stats" and method == "GET":
            return self.reply(200, ctx.stats.snapshot(ctx.auth),
                              ctype="application/json")
        if what == "config" and method == "GET":
            return self.reply(200, ctx.settings.snapshot(),
                              ctype="application/json")
        if method != "POST":
            return self.reply(405, {"error": "POST expected"},
                              ctype="application/json")
        if what == "config":
            try:
                ctx.settings.update(data)
            except (ValueError, TypeError) as e:
                return self.reply(400, {"error": str(e)},
                                  ctype="application/json")
            return self.reply(200, ctx.settings.snapshot(),
                              ctype="application/json")
        if what == "revoke":
            u = ctx.tenant.user(data.get("user", ""))
            if u is None:
                return self.reply(404, {"error": "no such user"},
                                  ctype="application/json")
            n = ctx.auth.revoke(u, int(data.get("code", 700082)))
            return self.reply(200, {"revoked": n}, ctype="application/json")
        if what == "expire-tokens":
            ctx.auth.expire_all()
            return self.reply(200, {"ok": True}, ctype="application/json")
        if what == "reset-stats":
            ctx.stats.reset()
            return self.reply(200, {"ok": True}, ctype="application/json")
        return self.reply(404, {"error": f"no control {what!r}"},
                          ctype="application/json")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


class Context:
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0,
                   help="TCP port on 127.0.0.1; 0 picks a free one")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--tenant-dir", help="a recorded tenant "
                     "(fixtures/demo layout)")
    src.add_argument("--generate", type=int, metavar="N",
                     help="N synthetic users with meetings on --day")
    p.add_argument("--day", default="2026-11-24",
                   help="--generate: the day of the meetings")
    p.add_argument("--write-roster", metavar="FILE",
                   help="--generate: write a roster CSV of the users")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tenant", default=DEFAULT_TENANT,
                   help="the tenant id the token endpoint accepts")
    p.add_argument("--tenant-domain", default="contoso.onmicrosoft.com",
                   help="the tenant's domain, accepted in its place")
    p.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    p.add_argument("--client-secret", default=DEFAULT_SECRET)
    p.add_argument("--latency-ms", type=float, default=0.0,
                   help="added to every Graph request and batch item")
    p.add_argument("--fail-429", type=float, default=0.0, metavar="RATE",
                   help="share of Graph requests answered 429")
    p.add_argument("--fail-503", type=float, default=0.0, metavar="RATE",
                   help="share of Graph requests answered 503")
    p.add_argument("--fault-streak-max", type=int, default=None,
                   metavar="N", help="one request meets at most N injected "
                   "429s or 503s in a row")
    p.add_argument("--retry-after", default="1", metavar="S",
                   help="Retry-After value sent with 429 and 503 (verbatim; "
                        "may be fractional; empty: no header)")
    p.add_argument("--expire-token-after", type=int, default=None,
                   metavar="N", help="an access token is refused (401) "
                   "after N uses; 0: at once")
    p.add_argument("--token-lifetime", type=int, default=3599,
                   help="access token lifetime, seconds")
    p.add_argument("--mailbox-404", type=lambda s: [a for a in s.split(",")
                                                     if a],
                   default=[], metavar="A@X,...",
                   help="these mailboxes answer MailboxNotEnabledForRESTAPI")
    p.add_argument("--page-size", type=int, default=10,
                   help="calendarView page size without $top")
    p.add_argument("--max-page-size", type=int, default=0,
                   help="cap every page at this size, whatever $top says "
                        "(Graph may ignore a requested page size)")
    p.add_argument("--empty-last-page", action="store_true",
                   help="a full last page still carries a nextLink, to an "
                        "empty page")
    p.add_argument("--mailbox-concurrency", type=int, default=0,
                   metavar="N", help="answer 429 ApplicationThrottled past N "
                   "requests in flight for one mailbox (0: off; the peak is "
                   "counted either way)")
    p.add_argument("--batch-parallelism", type=int, default=0, metavar="N",
                   help="$batch items run N at a time (0: all at once; "
                        "Graph's Outlook service takes 4)")
    p.add_argument("--batch-refused", type=int, default=0, metavar="STATUS",
                   help="answer every POST /$batch with this HTTP status, "
                        "as a server without JSON batching would (0: "
                        "batches are served)")
    p.add_argument("--lenient-scopes", action="store_true",
                   help="let a delegated token read anything; by default "
                        "it needs a scope for each kind of request "
                        "(Calendars.Read, MailboxSettings.Read, User.Read, "
                        "GroupMember.Read.All...), else 403 as on Graph")
    p.add_argument("--device-user", default=None, metavar="EMAIL",
                   help="whom a device code signs in")
    p.add_argument("--device-pending", type=int, default=2, metavar="K",
                   help="polls answered authorization_pending before the "
                        "code is approved")
    p.add_argument("--device-slow-down", action="store_true",
                   help="answer slow_down once, after the pending polls")
    p.add_argument("--real-slow-down", action="store_true",
                   help="slow_down adds 5 s to the expected interval")
    p.add_argument("--device-outcome", default="approve",
                   choices=["approve", "decline", "expire"])
    p.add_argument("--device-interval", type=int, default=1)
    p.add_argument("--device-expires-in", type=int, default=900)
    p.add_argument("--stats", metavar="FILE",
                   help="write the statistics here on SIGTERM")
    p.add_argument("--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    tenant = Tenant()
    if args.tenant_dir:
        tenant.load_dir(args.tenant_dir)
    else:
        gen = Generator(tenant, args.generate, args.seed,
                        dt.date.fromisoformat(args.day))
        gen.run()
        tenant.finish()
        if args.write_roster:
            gen.write_roster(args.write_roster)
    if args.device_user is None:
        first = next((u for u in tenant.users if u.get("mail")
                      and u["id"] in tenant.mailbox), None)
        args.device_user = first["mail"] if first else ""
    ctx = Context()
    ctx.args = args
    ctx.tenant = tenant
    ctx.settings = Settings(args)
    ctx.stats = Stats()
    ctx.auth = Auth(args, ctx.settings, tenant, ctx.stats)
    ctx.graph = Graph(tenant, ctx.settings, ctx.stats, ctx.auth,
                      random.Random(args.seed))
    httpd = Server(("127.0.0.1", args.port), Handler)
    httpd.ctx = ctx
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    print(f"PORT {httpd.server_address[1]}", flush=True)
    while not stop.wait(0.5):
        pass
    httpd.shutdown()
    httpd.server_close()
    if args.stats:
        tmp = args.stats + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(ctx.stats.snapshot(ctx.auth), f, ensure_ascii=False,
                      indent=1)
        os.replace(tmp, args.stats)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
