#!/usr/bin/python3
"""t5000: the stand-in Graph (tests/graph_server.py) itself, by hand.

The other t50xx tests trust it to answer as Graph does (graph.md); this
one checks that it does, without the digest binary: tokens and their
errors, /users paging by $skiptoken, calendarView windows, paging by $skip,
$select and Prefer: outlook.timezone, groups, $batch (limits, shuffled
answers, items run at the same time), injected 429/503, expired and
rotated tokens, the device-code flow, and the statistics it keeps.
"""
import base64
import datetime as dt
import json
import os
import shutil
import tempfile
import threading
import time
import urllib.parse

from digesttest import check, finish
from graphtest import CLIENT_ID, DEMO, SECRET, TENANT, USERS, GraphServer

ZOE_ID = "5a1c3e7d-2b94-4f6a-8c0e-91d7b3a2f4e1"
PLATFORM_TEAM = "7e4f1a2b-3c5d-4e6f-8a9b-0c1d2e3f4a5b"
PST = 'outlook.timezone="Pacific Standard Time"'


def fixture_events(user_id):
    """Every recorded event of a user, all pages, in recorded order."""
    base = os.path.join(DEMO, "users", user_id)
    out = []
    for name in sorted(os.listdir(base),
                       key=lambda n: (len(n), n)):
        if name.startswith("calendarView"):
            with open(os.path.join(base, name), encoding="utf-8") as f:
                out += json.load(f)["value"]
    return out


def utc(s):
    return dt.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=dt.timezone.utc)


def expected_zoe_day():
    """Zoë's events that overlap her 24th (08:00Z..08:00Z next day); an
    all-day event counts by its date, midnight in her zone."""
    w0, w1 = utc("2026-11-24T08:00:00"), utc("2026-11-25T08:00:00")
    ids = []
    for e in fixture_events(ZOE_ID):
        s, en = utc(e["start"]["dateTime"]), utc(e["end"]["dateTime"])
        if e["isAllDay"]:
            s, en = s + dt.timedelta(hours=8), en + dt.timedelta(hours=8)
        if s < w1 and en > w0:
            ids.append((s, e["id"]))
    return [i for _, i in sorted(ids, key=lambda x: x[0])]


def cv(user, start, end, extra=""):
    q = "startDateTime=" + urllib.parse.quote(start, safe="") + \
        "&endDateTime=" + urllib.parse.quote(end, safe="") + extra
    return f"/users/{urllib.parse.quote(user, safe='')}/calendarView?{q}"


srv = GraphServer("--seed", "7", "--device-user", USERS["omer"])
try:
    # -- the token endpoint --------------------------------------------
    tok = srv.app_token()
    check(len(tok) > 40, "client_credentials gives an access token")
    st, _, body = srv.token_form({
        "client_id": CLIENT_ID, "client_secret": "wrong",
        "scope": "https://graph.microsoft.com/.default",
        "grant_type": "client_credentials"})
    check(st == 401 and body.get("error") == "invalid_client"
          and body.get("error_codes") == [7000215]
          and body["error_description"].startswith("AADSTS7000215: Invalid "
                                                    "client secret")
          and "Trace ID:" in body["error_description"],
          "a wrong client secret: 401 invalid_client AADSTS7000215", body)
    st, _, body = srv.token_form({
        "client_id": CLIENT_ID, "scope": "https://graph.microsoft.com/"
        ".default", "grant_type": "client_credentials"})
    check(st == 401 and body.get("error_codes") == [7000218],
          "no client secret: AADSTS7000218", body)
    st, _, body = srv.token_form({
        "client_id": CLIENT_ID, "client_secret": SECRET,
        "scope": "Calendars.Read", "grant_type": "client_credentials"})
    check(st == 400 and body.get("error") == "invalid_scope",
          "client credentials without /.default: invalid_scope", body)
    st, _, body = srv.token_form({
        "client_id": CLIENT_ID, "client_secret": SECRET,
        "scope": "https://graph.microsoft.com/.default",
        "grant_type": "client_credentials"}, tenant="nope")
    check(st == 400 and body.get("error_codes") == [90002],
          "an unknown tenant: AADSTS90002", body)
    st, _, body = srv.token_form({
        "client_id": "11111111-0000-0000-0000-000000000000",
        "client_secret": SECRET, "scope": "https://graph.microsoft.com/"
        ".default", "grant_type": "client_credentials"})
    check(st == 400 and body.get("error") == "unauthorized_client"
          and body.get("error_codes") == [700016],
          "an unknown client id: unauthorized_client AADSTS700016", body)
    basic = base64.b64encode(
        f"{CLIENT_ID}:{urllib.parse.quote_plus(SECRET)}".encode()).decode()
    st, _, body = srv.http(
        "POST", f"/{TENANT}/oauth2/v2.0/token",
        form={"scope": "https://graph.microsoft.com/.default",
              "grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + basic})
    check(st == 200 and "access_token" in body,
          "the client secret may come as HTTP Basic", body)

    # -- Graph without a valid token -----------------------------------
    st, h, body = srv.http("GET", "/v1.0/users")
    check(st == 401 and body["error"]["code"] == "InvalidAuthenticationToken"
          and "WWW-Authenticate" in h and
          set(body["error"]["innerError"]) >= {"date", "request-id",
                                               "client-request-id"},
          "no Authorization: 401 InvalidAuthenticationToken, Graph's "
          "error shape", body)
    st, _, body = srv.get("/users", "not-a-token")
    check(st == 401 and "CompactToken" in body["error"]["message"],
          "an unknown token: 401", body)

    # -- users ---------------------------------------------------------
    st, _, body = srv.get("/users", tok)
    check(st == 200 and len(body["value"]) == 11
          and "@odata.nextLink" not in body,
          "/users: one page of 11 by default (100 a page)",
          len(body.get("value", [])))
    check("proxyAddresses" not in body["value"][0]
          and "givenName" in body["value"][0],
          "/users without $select: the default properties only "
          "(no proxyAddresses)", body["value"][0])
    pages, items = srv.get_all(
        "/users?$select=id,mail,displayName,userPrincipalName,proxyAddresses"
        "&$top=4", tok)
    check([len(p["value"]) for p in pages] == [4, 4, 3]
          and len({u["id"] for u in items}) == 11,
          "/users $top=4: pages of 4, 4, 3 following the nextLinks",
          [len(p["value"]) for p in pages])
    link = pages[0]["@odata.nextLink"]
    check(link.startswith(srv.base_url + "/users?") and
          "%24skiptoken=" in link and "%24top=4" in link,
          "the users nextLink is absolute, keeps $top, uses $skiptoken",
          link)
    check(items[0]["proxyAddresses"][0] == "SMTP:zoe.martin@contoso.com",
          "$select=proxyAddresses returns them", items[0])
    for top, what in (("1000", "1000"), ("0", "0")):
        st, _, body = srv.get(f"/users?$top={top}", tok)
        check(st == 400 and "between 1 and 999" in body["error"]["message"],
              f"/users $top={what}: 400 naming the bounds", body)
    st, _, body = srv.get("/users?$select=id,shoeSize", tok)
    check(st == 400 and "shoeSize" in body["error"]["message"],
          "an unknown $select property: 400 naming it", body)
    st, _, body = srv.get("/users?$filter=" + urllib.parse.quote(
        "proxyAddresses/any(x:x eq 'smtp:OMER@contoso.com')"), tok)
    check(st == 200 and [u["mail"] for u in body["value"]]
          == [USERS["omer"]], "/users $filter on proxyAddresses finds an "
          "alias, any letter case", body)
    st, _, body = srv.get("/users?$skiptoken=garbage", tok)
    check(st == 400, "a forged $skiptoken: 400", body)
    st, _, body = srv.get("/me", tok)
    check(st == 400 and "delegated" in body["error"]["message"],
          "/me with an app token: 400", body)
    st, _, body = srv.get("/users/zoe@contoso.com?$select=id,mail", tok)
    check(st == 200 and body.get("id") == ZOE_ID,
          "/users/{alias} finds the user", body)

    # -- mailboxSettings -----------------------------------------------
    for key in (ZOE_ID, USERS["zoe"], "ZOE@contoso.com"):
        st, _, body = srv.get(f"/users/{urllib.parse.quote(key)}"
                              "/mailboxSettings", tok)
        check(st == 200 and body.get("timeZone") == "Pacific Standard Time"
              and "workingHours" in body,
              f"mailboxSettings by {key}", body)
    st, _, body = srv.get(f"/users/{ZOE_ID}/mailboxSettings/timeZone", tok)
    check(st == 200 and body.get("value") == "Pacific Standard Time",
          "mailboxSettings/timeZone is {value: ...}", body)
    st, _, body = srv.get(f"/users/{ZOE_ID}/mailboxSettings"
                          "?$select=timeZone,language", tok)
    check(st == 200 and set(k for k in body if not k.startswith("@"))
          == {"timeZone", "language"}, "mailboxSettings $select", body)
    st, _, body = srv.get("/users/svc-calsync%40contoso.onmicrosoft.com"
                          "/mailboxSettings", tok)
    check(st == 404 and body["error"]["code"] ==
          "MailboxNotEnabledForRESTAPI",
          "a user without a mailbox: 404 MailboxNotEnabledForRESTAPI", body)
    st, _, body = srv.get("/users/nobody%40contoso.com/calendarView"
                          "?startDateTime=2026-11-24T00:00:00Z"
                          "&endDateTime=2026-11-25T00:00:00Z", tok)
    check(st == 404 and body["error"]["code"] == "ErrorInvalidUser"
          and "nobody@contoso.com" in body["error"]["message"],
          "an unknown user: 404 ErrorInvalidUser naming it", body)
    st, _, body = srv.get("/users/platform-team%40contoso.com"
                          "/mailboxSettings", tok)
    check(st == 404 and body["error"]["code"] == "ErrorInvalidUser",
          "a distribution list has no mailbox: ErrorInvalidUser", body)

    # -- calendarView: the window --------------------------------------
    st, _, body = srv.get(f"/users/{ZOE_ID}/calendarView", tok)
    check(st == 400 and body["error"]["code"] == "ErrorInvalidParameter"
          and "StartDateTime and EndDateTime" in body["error"]["message"],
          "calendarView without a window: 400 ErrorInvalidParameter", body)
    st, _, body = srv.get(f"/users/{ZOE_ID}/calendarView?startDateTime="
                          "2026-11-24T08:00:00Z", tok)
    check(st == 400, "calendarView without endDateTime: 400", body)
    st, _, body = srv.get(f"/users/{ZOE_ID}/calendarView?startDateTime="
                          "2026-11-24T13:30:00+05:30&endDateTime="
                          "2026-11-25T08:00:00Z", tok)
    check(st == 400 and "StartDateTime" in body["error"]["message"]
          and "2026-11-24T13:30:00 05:30" in body["error"]["message"],
          "an unescaped '+' in an offset is a space: 400 as on Graph", body)
    want = expected_zoe_day()
    pages, items = srv.get_all(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                                  "2026-11-25T08:00:00Z"), tok)
    check([e["id"] for e in items] == want and len(want) >= 11,
          f"Zoë's 24th: the {len(want)} events overlapping the window, "
          "in order", ([e["subject"] for e in items], len(want)))
    check([len(p["value"]) for p in pages] == [10, len(want) - 10],
          "calendarView pages of 10 by default",
          [len(p["value"]) for p in pages])
    link = pages[0].get("@odata.nextLink", "")
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
    check(q.get("$skip") == "10" and q.get("startDateTime") ==
          "2026-11-24T08:00:00Z" and "%24skip=10" in link
          and link.startswith(srv.base_url),
          "the calendarView nextLink keeps the window and uses $skip", link)
    same = srv.get_all(cv(ZOE_ID, "2026-11-24T00:00:00-08:00",
                          "2026-11-25T00:00:00-08:00"), tok)[1]
    check([e["id"] for e in same] == want,
          "an escaped offset (-08:00) names the same window")
    same = srv.get_all(cv(ZOE_ID, "2026-11-24T08:00:00",
                          "2026-11-25T08:00:00"), tok)[1]
    check([e["id"] for e in same] == want,
          "a value without offset is UTC")
    pages, items = srv.get_all(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                                  "2026-11-25T08:00:00Z", "&$top=5"), tok)
    check([len(p["value"]) for p in pages] == [5, 5, len(want) - 10],
          "$top=5 makes pages of 5", [len(p["value"]) for p in pages])
    srv.configure(empty_last_page=True)
    pages, items = srv.get_all(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                                  "2026-11-25T08:00:00Z", "&$top=6"), tok)
    srv.configure(empty_last_page=False)
    check([len(p["value"]) for p in pages] == [6, 6, 0] and
          [e["id"] for e in items] == want,
          "empty_last_page: a full last page links to an empty one",
          [len(p["value"]) for p in pages])
    # School run: 15:00Z-16:00Z. A window that only touches it leaves it.
    school = [e for e in fixture_events(ZOE_ID)
              if e["subject"] == "School run"][0]
    s0 = school["start"]["dateTime"][:19] + "Z"
    e0 = school["end"]["dateTime"][:19] + "Z"
    ids = [e["id"] for e in srv.get_all(cv(ZOE_ID, e0,
                                           "2026-11-24T23:00:00Z"), tok)[1]]
    check(school["id"] not in ids, "an event ending at the window's start "
          "is left out")
    ids = [e["id"] for e in srv.get_all(cv(ZOE_ID, "2026-11-24T09:00:00Z",
                                           s0), tok)[1]]
    check(school["id"] not in ids, "an event starting at the window's end "
          "is left out")
    ids = [e["id"] for e in srv.get_all(cv(ZOE_ID, "2026-11-24T15:30:00Z",
                                           "2026-11-24T15:31:00Z"), tok)[1]]
    check(school["id"] in ids, "an event overlapping a one-minute window "
          "is in")
    bikash = srv.get_all(cv(USERS["bikash"], "2026-11-25T18:15:00Z",
                            "2026-11-26T18:15:00Z"), tok)[1]
    check(any(e["isAllDay"] and e["subject"].startswith("Out of office")
              for e in bikash),
          "a multi-day all-day event is in every day it spans",
          [e["subject"] for e in bikash])
    yui = srv.get_all(cv(USERS["yui"], "2026-11-23T15:00:00Z",
                         "2026-11-24T15:00:00Z"), tok)[1]
    yui_next = srv.get_all(cv(USERS["yui"], "2026-11-24T15:00:00Z",
                              "2026-11-25T15:00:00Z"), tok)[1]
    check(any(e["isAllDay"] for e in yui) and
          not any(e["isAllDay"] for e in yui_next),
          "an all-day event is midnight to midnight in the mailbox's zone "
          "(Tokyo): in its day, not the next")

    # -- calendarView: $select and Prefer ------------------------------
    st, h, body = srv.get(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                             "2026-11-25T08:00:00Z",
                             "&$select=subject,start,end,isAllDay"),
                          tok, {"Prefer": PST})
    first = body["value"]
    check(h.get("Preference-Applied") == 'outlook.timezone="Pacific '
          'Standard Time"', "Prefer: outlook.timezone is confirmed by "
          "Preference-Applied", dict(h))
    check(set(first[1]) == {"@odata.etag", "id", "subject", "start", "end",
                            "isAllDay"},
          "$select keeps the named properties, id and @odata.etag",
          sorted(first[1]))
    by_id = {e["id"]: e for e in first}
    sr = by_id.get(school["id"])
    check(sr and sr["start"] == {"dateTime": "2026-11-24T07:00:00.0000000",
                                 "timeZone": "Pacific Standard Time"},
          "times are converted to the preferred zone (15:00Z is 07:00 "
          "PST), 7 fractional digits, the zone named", sr)
    allday = [e for e in first if e["isAllDay"]]
    check(allday and allday[0]["start"]["dateTime"] ==
          "2026-11-24T00:00:00.0000000" and allday[0]["end"]["dateTime"] ==
          "2026-11-25T00:00:00.0000000" and allday[0]["start"]["timeZone"]
          == "Pacific Standard Time",
          "an all-day event stays midnight to midnight in any zone", allday)
    st, h, body = srv.get(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                             "2026-11-25T08:00:00Z"), tok,
                          {"Prefer": 'outlook.timezone="Asia/Tokyo"'})
    sr = {e["id"]: e for e in body["value"]}.get(school["id"])
    check(sr and sr["start"]["dateTime"] == "2026-11-25T00:00:00.0000000"
          and h.get("Preference-Applied") == 'outlook.timezone="Asia/Tokyo"',
          "an IANA zone name is honoured too", sr)
    st, h, body = srv.get(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                             "2026-11-25T08:00:00Z"), tok,
                          {"Prefer": 'outlook.body-content-type="text", '
                           'outlook.timezone="Tokyo Standard Time"'})
    check("Tokyo Standard Time" in (h.get("Preference-Applied") or "") and
          body["value"][0]["start"]["timeZone"] == "Tokyo Standard Time",
          "several preferences in one Prefer header", dict(h))
    st, h, body = srv.get(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                             "2026-11-25T08:00:00Z"), tok,
                          {"Prefer": 'outlook.timezone="Mars/Olympus"'})
    check(st == 200 and body["value"][1]["start"]["timeZone"] == "UTC"
          and not h.get("Preference-Applied"),
          "an unknown zone: UTC, nothing applied", dict(h))
    st, h, body = srv.get(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                             "2026-11-25T08:00:00Z"), tok)
    check(body["value"][1]["start"]["timeZone"] == "UTC",
          "without Prefer, times are UTC")
    st, _, body = srv.get(cv(ZOE_ID, "2026-11-24T08:00:00Z",
                             "2026-11-25T08:00:00Z", "&$select=nope"), tok)
    check(st == 400, "calendarView $select of an unknown property: 400")

    # -- groups --------------------------------------------------------
    st, _, body = srv.get("/groups?$filter=" + urllib.parse.quote(
        "mail eq 'APAC-Team@Contoso.com'") + "&$select=id,mail,groupTypes",
        tok)
    check(st == 200 and len(body["value"]) == 1 and
          body["value"][0]["groupTypes"] == ["Unified"],
          "groups $filter=mail eq ... ignores letter case", body)
    st, _, body = srv.get("/groups?$filter=" + urllib.parse.quote(
        "mail eq 'o''brien@contoso.com'"), tok)
    check(st == 200 and body["value"] == [],
          "a quote doubled inside a filter literal is one quote", body)
    st, _, body = srv.get("/groups?$filter=" + urllib.parse.quote(
        "mail eq 'o'brien@contoso.com'"), tok)
    check(st == 400, "an unescaped quote in a filter literal: 400", body)
    pages, members = srv.get_all(f"/groups/{PLATFORM_TEAM}/transitiveMembers"
                                 "?$select=id,mail&$top=3", tok)
    check([len(p["value"]) for p in pages] == [3, 3, 1] and
          all("@odata.type" in m for m in members) and
          "#microsoft.graph.orgContact" in {m["@odata.type"]
                                            for m in members},
          "transitiveMembers: paged, @odata.type kept under $select",
          [len(p["value"]) for p in pages])
    st, _, body = srv.get("/groups/00000000-0000-0000-0000-000000000000"
                          "/transitiveMembers", tok)
    check(st == 404 and body["error"]["code"] == "Request_ResourceNotFound",
          "an unknown group: 404 Request_ResourceNotFound", body)

    # -- $batch --------------------------------------------------------
    win = ("startDateTime=2026-11-24T08:00:00Z&endDateTime="
           "2026-11-25T08:00:00Z")
    reqs = [{"id": "cv", "method": "GET",
             "url": f"/users/{ZOE_ID}/calendarView?{win}&$top=3",
             "headers": {"Prefer": PST}},
            {"id": "ms", "method": "GET",
             "url": f"/users/{USERS['yui']}/mailboxSettings"},
            {"id": "svc", "method": "GET",
             "url": "/users/svc-calsync@contoso.onmicrosoft.com"
                    "/mailboxSettings"},
            {"id": "abs", "method": "GET",
             "url": srv.base_url + "/users"},
            {"id": "ver", "method": "GET", "url": "/v1.0/users"}]
    st, _, body = srv.batch(tok, reqs)
    got = {r["id"]: r for r in body.get("responses", [])}
    check(st == 200 and set(got) == {"cv", "ms", "svc", "abs", "ver"},
          "$batch: 200 with one answer per id", body)
    cvr = got.get("cv", {})
    check(cvr.get("status") == 200 and len(cvr["body"]["value"]) == 3 and
          cvr["body"]["@odata.nextLink"].startswith(srv.base_url) and
          cvr["headers"].get("Preference-Applied") ==
          'outlook.timezone="Pacific Standard Time"' and
          cvr["body"]["value"][0]["start"]["timeZone"] ==
          "Pacific Standard Time",
          "a batch item honours its own Prefer header; its nextLink is "
          "absolute", cvr)
    check(got.get("ms", {}).get("status") == 200 and
          got["ms"]["body"].get("timeZone") == "Tokyo Standard Time",
          "a batch item reads mailboxSettings", got.get("ms"))
    check(got.get("svc", {}).get("status") == 404 and
          got["svc"]["body"]["error"]["code"] ==
          "MailboxNotEnabledForRESTAPI",
          "a failed item fails alone, inside a 200 batch", got.get("svc"))
    check(got.get("abs", {}).get("status") == 400 and
          got.get("ver", {}).get("status") == 400,
          "absolute or /v1.0-prefixed item urls: 400 for that item")
    many = [{"id": str(i), "method": "GET",
             "url": f"/users/{ZOE_ID}/mailboxSettings/timeZone"}
            for i in range(21)]
    st, _, body = srv.batch(tok, many)
    check(st == 400 and "20" in body["error"]["message"],
          "a batch of 21: 400 naming the limit", body)
    st, _, body = srv.batch(tok, [dict(many[0]), dict(many[0])])
    check(st == 400, "duplicate ids in a batch: 400", body)
    st, _, body = srv.http("POST", "/v1.0/$batch", {"requests": many[:2]})
    check(st == 401, "a batch without a token: 401 for the whole batch")
    shuffled = False
    for _ in range(5):
        st, _, body = srv.batch(tok, many[:20])
        order = [r["id"] for r in body["responses"]]
        if st == 200 and sorted(order, key=int) == [str(i) for i in
                                                     range(20)]:
            shuffled = shuffled or order != [str(i) for i in range(20)]
    check(shuffled, "batch answers come in a shuffled order")

    # items run at the same time, and count in flight per mailbox
    srv.control("reset-stats")
    srv.configure(latency_ms=300)
    t0 = time.time()
    st, _, body = srv.batch(tok, [
        {"id": str(i), "method": "GET",
         "url": f"/users/{ZOE_ID}/mailboxSettings"} for i in range(6)] + [
        {"id": "y", "method": "GET",
         "url": f"/users/{USERS['yui']}/mailboxSettings"}])
    took = time.time() - t0
    stats = srv.stats()
    check(st == 200 and took < 1.5, "batch items are processed "
          f"concurrently (7 x 300 ms in {took:.2f} s)")
    check(stats["max_inflight_per_mailbox"] == 6 and
          stats["max_inflight_mailbox"] == USERS["zoe"] and
          stats["inflight_peaks"].get(USERS["yui"]) == 1,
          "stats: 6 items for one mailbox were in flight at once, "
          "by mail whatever the path said", stats["inflight_peaks"])
    check(stats["batches"] == 1 and stats["batch_items"] == 7 and
          stats["requests"] == 7 and stats["top_level_requests"] == 0,
          "stats count batch items as requests, the envelope as a batch",
          {k: stats[k] for k in ("batches", "batch_items", "requests")})
    srv.control("reset-stats")
    threads = [threading.Thread(target=srv.get, args=(
        f"/users/{USERS['oliver']}/mailboxSettings", tok))
        for _ in range(5)]
    threads.append(threading.Thread(target=srv.get, args=("/users", tok)))
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    stats = srv.stats()
    check(stats["inflight_peaks"] == {USERS["oliver"]: 5},
          "top-level requests count in flight for their whole duration; "
          "/users counts for no mailbox", stats["inflight_peaks"])
    srv.configure(latency_ms=0)

    # -- injected faults -----------------------------------------------
    srv.control("reset-stats")
    srv.configure(fail_429=1.0, retry_after="2")
    st, h, body = srv.get(f"/users/{ZOE_ID}/mailboxSettings", tok)
    check(st == 429 and h.get("Retry-After") == "2" and
          body["error"]["code"] == "TooManyRequests",
          "fail_429: 429 TooManyRequests with Retry-After", (st, body))
    st, h, body = srv.get(f"/users/{ZOE_ID}/mailboxSettings", tok)
    st, _, body = srv.batch(tok, [
        {"id": p, "method": "GET",
         "url": f"/users/{ZOE_ID}/mailboxSettings/{p}"}
        for p in ("timeZone", "language", "workingHours")])
    check(st == 200 and all(r["status"] == 429 and
                            r["headers"].get("Retry-After") == "2"
                            for r in body["responses"]),
          "in a batch, each item is throttled with its own Retry-After",
          body)
    stats = srv.stats()
    check(stats["throttled_429"] == 5 and stats["early_retries"] == 1,
          "stats count 429s and retries sooner than Retry-After",
          {k: stats[k] for k in ("throttled_429", "early_retries")})
    srv.configure(fail_429=0.5, retry_after="0")
    codes = [srv.get(f"/users/{ZOE_ID}/mailboxSettings/timeZone", tok)[0]
             for _ in range(200)]
    n429 = codes.count(429)
    check(60 <= n429 <= 140 and set(codes) == {200, 429},
          f"fail_429=0.5 throttles about half ({n429} of 200)")
    srv.configure(fail_429=1.0, fault_streak_max=2)
    codes = [srv.get(f"/users/{ZOE_ID}/mailboxSettings/timeZone", tok)[0]
             for _ in range(6)]
    other = srv.get(f"/users/{ZOE_ID}/mailboxSettings/language", tok)[0]
    check(codes == [429, 429, 200, 429, 429, 200] and other == 429,
          "fault_streak_max=2: a request is refused twice in a row at "
          "most, each request on its own", (codes, other))
    srv.configure(fail_429=0.0, fail_503=1.0, retry_after="1",
                  fault_streak_max=None)
    st, h, body = srv.get(f"/users/{ZOE_ID}/mailboxSettings", tok)
    check(st == 503 and body["error"]["code"] == "ServiceNotAvailable"
          and h.get("Retry-After") == "1",
          "fail_503: 503 ServiceNotAvailable", body)
    srv.configure(fail_503=0.0, mailbox_404=USERS["yui"])
    st, _, body = srv.get(cv("yui@contoso.com", "2026-11-23T15:00:00Z",
                             "2026-11-24T15:00:00Z"), tok)
    check(st == 404 and body["error"]["code"] ==
          "MailboxNotEnabledForRESTAPI" and "soft-deleted" in
          body["error"]["message"],
          "mailbox_404 applies to the mailbox by any of its addresses",
          body)
    srv.configure(mailbox_404=[])

    # -- expiring tokens -------------------------------------------------
    srv.configure(expire_token_after=2)
    t2 = srv.app_token()
    codes = [srv.get("/users?$top=1", t2)[0] for _ in range(3)]
    st, _, body = srv.get("/users?$top=1", t2)
    check(codes == [200, 200, 401] and "expired" in
          body["error"]["message"],
          "expire_token_after=2: the third use is 401, token expired",
          (codes, body))
    srv.configure(expire_token_after=None)
    t3 = srv.app_token()
    srv.control("expire-tokens")
    check(srv.get("/users?$top=1", t3)[0] == 401,
          "/_control/expire-tokens expires every token issued")

    # -- the device-code flow and rotating refresh tokens --------------
    srv.configure(device_pending=2, device_slow_down=True)
    scope = ("https://graph.microsoft.com/Calendars.Read "
             "https://graph.microsoft.com/MailboxSettings.Read "
             "User.Read offline_access openid profile")
    st, _, dc = srv.http("POST", f"/{TENANT}/oauth2/v2.0/devicecode",
                         form={"client_id": CLIENT_ID, "scope": scope})
    check(st == 200 and {"device_code", "user_code", "verification_uri",
                         "expires_in", "interval", "message"} <= set(dc)
          and dc["interval"] == 1 and dc["user_code"] in dc["message"],
          "devicecode: the v2 fields, interval 1", dc)
    poll = {"client_id": CLIENT_ID, "device_code": dc.get("device_code"),
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code"}
    answers = []
    for _ in range(5):
        st, _, body = srv.token_form(poll)
        answers.append(body.get("error") or "tokens")
        if st == 200:
            tokens = body
            break
        time.sleep(1)
    check(answers == ["authorization_pending", "authorization_pending",
                      "slow_down", "tokens"],
          "polls: pending, pending, slow_down, then tokens", answers)
    check({"access_token", "refresh_token", "id_token"} <= set(tokens)
          and "offline_access" not in tokens["scope"],
          "device tokens carry a refresh token and an id token", tokens)
    claims = json.loads(base64.urlsafe_b64decode(
        tokens["id_token"].split(".")[1] + "=="))
    check(claims.get("preferred_username") == USERS["omer"],
          "the id token names --device-user", claims)
    st, _, body = srv.token_form(poll)
    check(st == 400 and body.get("error") == "invalid_grant",
          "a redeemed device code is refused")
    dtok = tokens["access_token"]
    st, _, me = srv.get("/me?$select=id,mail", dtok)
    check(st == 200 and me.get("mail") == USERS["omer"],
          "/me is the signed-in user", me)
    st, _, body = srv.get("/me/calendarView?" + win, dtok)
    check(st == 200 and "value" in body, "/me/calendarView works", body)
    st, _, body = srv.get(f"/users/{USERS['omer']}/calendar/calendarView?"
                          + win, dtok)
    check(st == 200, "so does /users/{self}/calendar/calendarView", body)
    st, _, body = srv.get(f"/users/{ZOE_ID}/calendarView?" + win, dtok)
    check(st == 403 and body["error"]["code"] == "ErrorAccessDenied",
          "a delegated token reading another calendar: 403", body)
    st, _, body = srv.get("/groups?$filter=" + urllib.parse.quote(
        "mail eq 'apac-team@contoso.com'"), dtok)
    check(st == 403 and body["error"]["code"] ==
          "Authorization_RequestDenied",
          "a delegated token without GroupMember.Read.All cannot read "
          "groups: 403 Authorization_RequestDenied", body)
    st, _, body = srv.get("/users?$select=id,mail", dtok)
    check(st == 403, "nor list users without User.ReadBasic.All", body)
    rt1 = tokens["refresh_token"]
    rform = {"client_id": CLIENT_ID, "grant_type": "refresh_token",
             "refresh_token": rt1, "scope": scope}
    st, _, body = srv.token_form(dict(rform, client_secret=SECRET))
    check(st == 401 and body.get("error_codes") == [700025],
          "a public client sending a secret: AADSTS700025", body)
    st, _, r2 = srv.token_form(rform)
    check(st == 200 and r2.get("refresh_token") not in (None, rt1),
          "a refresh gives a new refresh token", r2)
    st, _, body = srv.token_form(rform)
    check(st == 400 and body.get("error") == "invalid_grant" and
          body["error_description"].startswith("AADSTS70000"),
          "the old refresh token is refused once rotated", body)
    st, _, r3 = srv.token_form(dict(rform, refresh_token=r2["refresh_token"]))
    check(st == 200, "the new one works", r3)
    srv.control("revoke", {"user": USERS["omer"], "code": 700082})
    st, _, body = srv.token_form(dict(rform,
                                      refresh_token=r3["refresh_token"]))
    check(st == 400 and body.get("error_codes") == [700082],
          "a revoked user's refresh token: invalid_grant AADSTS700082", body)
    check(srv.get("/me", r3["access_token"])[0] == 401,
          "a revoked user's access token: 401")
    srv.configure(device_outcome="decline", device_slow_down=False,
                  device_pending=0)
    st, _, dc2 = srv.http("POST", f"/{TENANT}/oauth2/v2.0/devicecode",
                          form={"client_id": CLIENT_ID, "scope": scope})
    st, _, body = srv.token_form(dict(poll, device_code=dc2["device_code"]))
    check(st == 400 and body.get("error") == "authorization_declined",
          "device_outcome=decline: authorization_declined", body)
    srv.configure(device_outcome="approve")

    stats = srv.stats()
    check(stats["refresh_tokens_issued"][:1] == [rt1] and
          r2["refresh_token"] in stats["refresh_tokens_issued"],
          "stats list every refresh token issued")
    check("Bearer " + dtok in stats["auth_headers"] and
          dtok in stats["access_tokens_issued"],
          "stats list every Authorization value seen and token issued")
    dev = [d for d in stats["device_codes"]
           if d["device_code"] == dc["device_code"]][0]
    check(dev["polls"] == 5 and dev["too_fast_polls"] == 1,
          "stats count device polls, and those faster than the interval",
          dev)
finally:
    final = srv.stop()

check(srv.proc.returncode == 0 and final is not None and
      final.get("requests", 0) > 0,
      "SIGTERM: exit 0, statistics written", srv.log[-2000:])
check("Traceback" not in srv.log, "no stand-in failure", srv.log[-3000:])

# -- a generated tenant --------------------------------------------------
tmp = tempfile.mkdtemp(prefix="graph-roster-")
roster = os.path.join(tmp, "roster.csv")
gen = GraphServer("--seed", "3", "--write-roster", roster, generate=60)
gen2 = GraphServer("--seed", "3", generate=60)
try:
    tok = gen.app_token()
    users = gen.get_all("/users?$select=id,mail,proxyAddresses&$top=999",
                        tok)[1]
    check(len(users) == 60, "--generate 60 makes 60 users", len(users))
    zones, ready = set(), 0
    mails = {u["mail"].lower() for u in users}
    internal = 0
    for u in users[:20]:
        ms = gen.get(f"/users/{u['id']}/mailboxSettings", tok)[2]
        zones.add(ms["timeZone"])
    check(len(zones) >= 4, f"users span {len(zones)} Windows zones",
          sorted(zones))
    u = users[0]
    evs = gen.get_all(cv(u["id"], "2026-11-23T00:00:00Z",
                         "2026-11-26T00:00:00Z", "&$top=100"), tok)[1]
    check(len(evs) >= 4, "a generated user has meetings", len(evs))
    for e in evs:
        internal += sum(1 for a in e["attendees"]
                        if a["emailAddress"]["address"].lower() in mails)
    check(internal >= 1, "attendees are drawn from the tenant's users")
    tok2 = gen2.app_token()
    users2 = gen2.get_all("/users?$select=id,mail&$top=999", tok2)[1]
    evs2 = gen2.get_all(cv(u["id"], "2026-11-23T00:00:00Z",
                           "2026-11-26T00:00:00Z", "&$top=100"), tok2)[1]
    check([x["id"] for x in users2] == [x["id"] for x in users] and
          [e["id"] for e in evs2] == [e["id"] for e in evs],
          "the same --seed makes the same tenant")
    with open(roster, encoding="utf-8") as f:
        lines = f.read().splitlines()
    check(lines[0].startswith("email,") and len(lines) == 61,
          "--write-roster writes every generated user", lines[:2])
finally:
    gen.stop()
    gen2.stop()
    shutil.rmtree(tmp, ignore_errors=True)

finish()
