#!/usr/bin/python3
"""t5004: delegated mode ([graph] auth = "delegated").

`digest connect` signs a user in with the device-code flow (stdin closed:
nothing to type, the code is shown and the program polls), and stores the
refresh token sealed. `run --dry-run` then works for the connected users.
Refresh tokens rotate: each refresh gives a new one and the stand-in
refuses the old, so the program must store the new one every time. A
refresh refused with invalid_grant marks that user "needs reconnect", and
the run goes on for the others; connecting again clears it.
"""
import sqlite3
import time

from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import (CLIENT_ID, TOKEN_KEY_ENV, USERS, GraphServer, env,
                       graph_config, dry_run_outcomes, json_diff,
                       preview_json, ready_users, skip_unless_binary)

skip_unless_binary(BIN)
ZOE, OMER, YUI = USERS["zoe"], USERS["omer"], USERS["yui"]


def tokens_table(scratch):
    try:
        db = sqlite3.connect(scratch.path("digest.db"))
        rows = db.execute("SELECT user, needs_reconnect, sealed FROM tokens"
                          ).fetchall()
        db.close()
        return {u.lower(): (n, bytes(sealed)) for u, n, sealed in rows}
    except sqlite3.Error as e:
        return {"error": repr(e)}


def connect(scratch, srv, who, timeout=90):
    srv.configure(device_user=who)
    t0 = time.time()
    r = scratch.run("--now", DEMO_NOW, "connect", env=env(), stdin=b"",
                    timeout=timeout)
    return r, time.time() - t0


srv = GraphServer("--device-pending", "2", "--device-slow-down")
s = Scratch()
try:
    graph_config(s, srv, auth="delegated")

    # -- connect: the device-code flow ---------------------------------
    r, took = connect(s, srv, ZOE)
    out = text(r.stdout) + text(r.stderr)
    stats = srv.stats()
    codes = stats["devicecode_requests"]
    check(r.returncode == 0, f"connect exits 0 ({took:.1f} s)", out)
    check(codes and codes[-1]["user_code"] in out and
          srv.login_url + "/devicelogin" in out,
          "connect shows the user code and where to enter it", out)
    check(codes and "offline_access" in codes[-1]["scope"].split(),
          "connect asks for offline_access (else no refresh token)",
          codes[-1:])
    dev = stats["device_codes"][-1] if stats["device_codes"] else {}
    check(dev.get("state") == "done" and dev.get("too_fast_polls") == 0,
          "it polled until signed in, never faster than the interval, "
          "slowing down when told", dev)
    rows = tokens_table(s)
    issued = stats["refresh_tokens_issued"]
    check(ZOE in rows and rows[ZOE][0] == 0,
          "Zoë's token is stored, not marked for reconnect", rows.keys())
    check(issued and all(t.encode() not in rows.get(ZOE, (0, b""))[1]
                         for t in issued),
          "the stored refresh token is sealed, not in clear")
    for who in (OMER, YUI):
        srv.configure(device_slow_down=False)
        r, _ = connect(s, srv, who)
        check(r.returncode == 0, f"connect {who}", text(r.stderr))
    check(set(tokens_table(s)) >= {ZOE, OMER, YUI},
          "three users connected", tokens_table(s).keys())

    # -- run, with rotating refresh tokens -------------------------------
    srv.control("expire-tokens")
    srv.control("reset-stats")
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env())
    err = text(r.stderr)
    stats = srv.stats()
    check(r.returncode == 0 and ready_users(err) == sorted([ZOE, OMER,
                                                            YUI]),
          "run --dry-run: exit 0, the three connected users ready",
          err[-1500:])
    check(all(e["token_kind"] == "delegated" for e in stats["log"]),
          "every Graph call used the user's delegated token")
    run1 = stats["refresh_grants"]
    check(len(run1) >= 3 and all(g["result"] == "ok" for g in run1),
          "each user's refresh token was redeemed", run1)
    first_rts = [t["token"] for t in stats["refresh_tokens"]
                 if t["state"] == "rotated"]
    if first_rts:
        st, _, body = srv.token_form({
            "client_id": CLIENT_ID, "grant_type": "refresh_token",
            "refresh_token": first_rts[0]})
        check(st == 400 and body.get("error") == "invalid_grant",
              "the stand-in refuses a refresh token once rotated", body)

    srv.control("expire-tokens")
    srv.control("reset-stats")
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env())
    err = text(r.stderr)
    stats = srv.stats()
    run2 = stats["refresh_grants"]
    newest = {g.get("new_index") for g in run1}
    check(r.returncode == 0 and ready_users(err) == sorted([ZOE, OMER,
                                                            YUI]),
          "a second run works: the program kept the rotated tokens",
          err[-1500:])
    check(run2 and all(g["result"] == "ok" and g["index"] in newest
                       for g in run2),
          "the second run presented the tokens the first one was given",
          (run2, newest))

    # -- the same digest as app-only, lists aside ---------------------------
    # A delegated token reads groups only with GroupMember.Read.All (admin
    # consent): expanding platform-team@ is optional here, but leaving it
    # unexpanded must be said, not silent.
    ref = Scratch()
    _, want = preview_json(ref, ZOE)
    r, got = preview_json(s, ZOE, env())
    ref.cleanup()
    check(r.returncode == 0 and got is not None and want is not None,
          "Zoë's delegated preview exits 0 with JSON", text(r.stderr)[-1500:])
    got, want = got or {"meetings": []}, want or {"meetings": []}

    def people(model, vias=("direct", "alias")):
        return [(m.get("id"), m.get("subject"), m.get("start"), m.get("end"),
                 sorted((a.get("email"), a.get("via"))
                        for a in m.get("attendees", [])
                        if a.get("via") in vias))
                for m in model.get("meetings", [])]
    check(people(got) == people(want),
          "her delegated preview has the fixtures' meetings, times and "
          "directly matched attendees (OMER@ by alias)",
          json_diff(people(got), people(want)))
    expanded = people(got, ("group",)) == people(want, ("group",))
    warned = any(w in text(r.stderr)
                 for w in ("platform-team@contoso.com", "GroupMember.Read"))
    check(expanded or warned,
          "platform-team@ is expanded, or stderr says lists are not",
          text(r.stderr)[-800:])
    denied = [e["url"] for e in srv.stats()["log"] if e["status"] == 403]
    check(not denied, "no request was refused for a scope the sign-in did "
          "not ask for", denied)

    # -- invalid_grant: needs reconnect ------------------------------------
    srv.control("revoke", {"user": OMER, "code": 700082})
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env())
    err = text(r.stderr)
    check(r.returncode == 1, f"a revoked user: run exits 1 "
          f"({r.returncode})", err[-1500:])
    check(ready_users(err) == sorted([ZOE, YUI]),
          "the others are still processed", ready_users(err))
    line = dry_run_outcomes(err).get(OMER, "")
    check("reconnect" in line.lower() or any(
        OMER in x and "reconnect" in x.lower() for x in err.splitlines()),
          "Ömer is reported as needing to reconnect", err[-1500:])
    rows = tokens_table(s)
    check(rows.get(OMER, (0,))[0] == 1,
          "the store marks Ömer needs_reconnect", rows.get(OMER))
    r = s.run("--now", DEMO_NOW, "status", env=env())
    st_out = text(r.stdout)
    check(any(OMER in x and "reconnect" in x.lower()
              for x in st_out.splitlines()),
          "digest status shows Ömer needs reconnect", st_out)

    r, _ = connect(s, srv, OMER)
    check(r.returncode == 0 and tokens_table(s).get(OMER, (1,))[0] == 0,
          "connecting again clears needs reconnect", text(r.stderr))
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env())
    check(r.returncode == 0 and OMER in ready_users(text(r.stderr)),
          "and Ömer's digest is made again", text(r.stderr)[-1500:])

    # -- connect refused ---------------------------------------------------
    srv.configure(device_outcome="decline", device_pending=0)
    r, _ = connect(s, srv, YUI)
    err = text(r.stdout) + text(r.stderr)
    check(r.returncode != 0 and "declined" in err.lower(),
          "a declined sign-in: connect fails and says so", err)
    srv.configure(device_outcome="approve")
    r = s.run("--now", DEMO_NOW, "connect", env={TOKEN_KEY_ENV: ""},
              stdin=b"")
    check(r.returncode == 2 and TOKEN_KEY_ENV in text(r.stderr),
          "connect without the token key: exit 2 naming its variable",
          text(r.stderr))
finally:
    srv.stop()
    s.cleanup()

finish()
