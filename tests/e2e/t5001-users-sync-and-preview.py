#!/usr/bin/python3
"""t5001: the graph source against the stand-in Graph serving the demo
tenant gives the same digests as the fixtures source reading it.

`digest users sync` reads every /users page; then `digest preview --user X
--format json` for each demo user must print the very model the fixtures
source prints: same meetings, times with the user's offset, attendees,
via (direct, alias, group), tips. The stand-in caps pages at 4 items, so
every collection (users, Zoë's day, a group's members) takes several
pages, and a full last page still links to an empty one (graph.md: "a
page of results may contain zero or more results"). Also checked on the
requests the program made: nothing refused, each calendarView page re-sent
its Prefer header (nextLink does not carry it), never more than 4
requests in flight for one mailbox.
"""
import sqlite3

from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import (READY, USERS, GraphServer, env, graph_config,
                       json_diff, preview_json, ready_users,
                       skip_unless_binary)

skip_unless_binary(BIN)


def meeting(model, subject):
    for m in model.get("meetings", []):
        if m.get("subject") == subject:
            return m
    return None


srv = GraphServer("--max-page-size", "4", "--empty-last-page")
ref = Scratch()
s = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env())
    check(r.returncode == 0, "users sync exits 0", text(r.stderr))
    stats = srv.stats()
    users_calls = [e for e in stats["log"]
                   if e["url"].split("?")[0].rstrip("/") == "/users"]
    check(len(users_calls) >= 3,
          "users sync follows every /users nextLink (3 pages of 4)",
          [e["url"] for e in users_calls])
    try:
        db = sqlite3.connect(s.path("digest.db"))
        stored = sorted(m.lower() for (m,) in
                        db.execute("SELECT mail FROM users"))
        db.close()
    except sqlite3.Error as e:
        stored = repr(e)
    check(stored == sorted(USERS.values()),
          "the ten users with a mail (the room too) are stored, the service account "
          "without one is not", stored)

    for name in ["zoe", "omer", "yui", "priya", "oliver", "bikash", "dana",
                 "hannah"]:
        who = USERS[name]
        rr, want = preview_json(ref, who)
        rg, got = preview_json(s, who, env())
        check(rr.returncode == 0 and want is not None,
              f"{name}: the fixtures preview works", text(rr.stderr))
        check(rg.returncode == 0 and got is not None,
              f"{name}: the graph preview exits 0 and prints JSON",
              text(rg.stderr)[-1500:])
        if want is None or got is None:
            continue
        d = json_diff(got, want)
        check(d is None, f"{name}: the graph preview is the fixtures "
              f"preview ({want['user'].get('timezone')}, "
              f"{want.get('status')})", d)

    _, zoe = preview_json(s, USERS["zoe"], env())
    zoe = zoe or {}
    check(zoe.get("status") == "ready" and
          zoe.get("user", {}).get("timezone") == "America/Los_Angeles"
          and len(zoe.get("meetings", [])) >= 10,
          "Zoë: ready, in Los Angeles, her whole day over several pages",
          len(zoe.get("meetings", [])))
    starts = [m.get("start", "") for m in zoe.get("meetings", [])]
    check(starts and all(x.endswith("-08:00") for x in starts),
          "Zoë's times carry her offset, -08:00", starts)
    one = meeting(zoe, "1:1 Zoë / Ömer") or {}
    omer = [a for a in one.get("attendees", [])
            if a.get("email", "").lower() == USERS["omer"]]
    check(omer and omer[0].get("via") == "alias" and omer[0].get("matched")
          and omer[0].get("tips"),
          "OMER@CONTOSO.COM (an alias in capitals) is Ömer, via alias, "
          "with tips", one.get("attendees"))
    arch = meeting(zoe, "Platform architecture review") or {}
    vias = {a.get("email", "").lower(): a.get("via")
            for a in arch.get("attendees", [])}
    check(all(vias.get(USERS[n]) == "group"
              for n in ("omer", "yui", "priya", "hannah")) and
          vias.get("pat.kim@fabrikam.com") == "group",
          "the members of the distribution list platform-team@, an "
          "external contact among them, come via group", vias)
    check(not any("rainier" in e for e in vias),
          "the room rainier@ is left out", vias)

    _, yui = preview_json(s, USERS["yui"], env())
    check((yui or {}).get("user", {}).get("timezone") in ("Asia/Tokyo",)
          and all(m.get("start", "").endswith("+09:00")
                  for m in (yui or {}).get("meetings", [])),
          "Yui's times carry +09:00", (yui or {}).get("meetings"))
    _, priya = preview_json(s, USERS["priya"], env())
    check(all(m.get("start", "").endswith("+05:30")
              for m in (priya or {}).get("meetings", [])) and
          (priya or {}).get("meetings"),
          "Priya's times carry +05:30 (India)")

    stats = srv.stats()
    zoe_pages = stats["calendar_view"].get(USERS["zoe"], [])
    check(len(zoe_pages) >= 3,
          "Zoë's calendarView took at least 3 pages of 4",
          [p["url"] for p in zoe_pages])
    prefers = {p["prefer"] for p in zoe_pages}
    check(len(prefers) == 1,
          "every page of Zoë's calendarView carried the same Prefer "
          "outlook.timezone (a nextLink does not carry headers)", prefers)
    refused = {st: n for st, n in stats["status"].items()
               if st.startswith("4") or st.startswith("5")}
    check(not refused, "the stand-in refused no request of the program",
          [(e["status"], e["url"]) for e in stats["log"]
           if e["status"] >= 400][:10])
    check(stats["max_inflight_per_mailbox"] <= 4,
          "never more than 4 requests in flight for one mailbox",
          stats["inflight_peaks"])

    # a run over the live tenant: the same users ready as the fixtures
    rr = ref.run("--now", DEMO_NOW, "run", "--dry-run")
    rg = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env())
    want_ready = ready_users(text(rr.stderr))
    check(want_ready == sorted(USERS[n] for n in READY),
          "the fixtures run finds the five ready users", want_ready)
    check(rg.returncode == 0 and ready_users(text(rg.stderr)) == want_ready,
          "run --dry-run over Graph: exit 0, the same users ready",
          text(rg.stderr)[-1500:])
finally:
    srv.stop()
    ref.cleanup()
    s.cleanup()

finish()
