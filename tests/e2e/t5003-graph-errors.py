#!/usr/bin/python3
"""t5003: Graph failures the operator must be able to act on.

- A mailbox without REST (404 MailboxNotEnabledForRESTAPI): preview names
  the user and the code and exits non-zero; a run processes the others
  and exits 1.
- An access token that expires (401): one new token, the request again,
  success; a token refused every time: a clear failure, not a loop.
- A wrong client secret: AADSTS7000215 said plainly, exit non-zero, the
  secret never printed, and not asked again for every user.
- A missing secret variable, an unknown tenant, Graph unreachable: each
  a clear message naming what to fix.
"""
import re
import socket
import time

from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import (READY, SECRET, SECRET_ENV, USERS, GraphServer, env,
                       graph_config, dry_run_outcomes, ready_users,
                       skip_unless_binary)

skip_unless_binary(BIN)
YUI = USERS["yui"]


def totals(err):
    m = re.search(r"(\d+) failed", err)
    return int(m.group(1)) if m else None


# -- a mailbox without REST ----------------------------------------------
srv = GraphServer()
s = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env())
    check(r.returncode == 0, "users sync exits 0", text(r.stderr))
    srv.configure(mailbox_404=[YUI])
    r = s.run("--now", DEMO_NOW, "preview", "--user", YUI, "--format",
              "json", env=env())
    err = text(r.stderr)
    check(r.returncode != 0, "preview of a mailbox without REST exits "
          f"non-zero ({r.returncode})", err)
    check(YUI in err and "MailboxNotEnabledForRESTAPI" in err,
          "the error names the user and MailboxNotEnabledForRESTAPI", err)
    check(r.stdout == b"", "nothing on stdout", text(r.stdout)[:300])
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env())
    err = text(r.stderr)
    check(r.returncode == 1, f"run: exit 1, some users failed "
          f"({r.returncode})", err[-1500:])
    others = sorted(USERS[n] for n in READY if n != "yui")
    check(ready_users(err) == others,
          "run: the other four ready users are still processed",
          ready_users(err))
    yui_line = dry_run_outcomes(err).get(YUI, "")
    check("MailboxNotEnabledForRESTAPI" in yui_line or
          re.search(rf"^.*{re.escape(YUI)}.*MailboxNotEnabledForRESTAPI",
                    err, re.M),
          "run: Yui's line says why she failed", err[-1500:])
    check(totals(err) == 1, "run: the totals count one failure", err[-300:])
finally:
    srv.stop()
    s.cleanup()

# -- tokens that expire ---------------------------------------------------
srv = GraphServer("--expire-token-after", "3")
s = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env())
    check(r.returncode == 0, "users sync exits 0 although tokens expire "
          "after 3 uses", text(r.stderr))
    srv.control("reset-stats")
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env())
    stats = srv.stats()
    check(r.returncode == 0 and len(ready_users(text(r.stderr))) == 5,
          "run: exit 0, every ready user done across expiring tokens",
          text(r.stderr)[-1500:])
    got401 = stats["unauthorized_401"]
    asked = stats["token_requests"].get("client_credentials", 0)
    check(got401 >= 1 and asked >= 2,
          f"the run met expired tokens ({got401} x 401) and asked for new "
          f"ones ({asked})")
    check(asked <= got401 + 1,
          "one new token per 401 at most, none asked for nothing",
          (asked, got401))
finally:
    srv.stop()
    s.cleanup()

srv = GraphServer("--expire-token-after", "0")
s = Scratch()
try:
    graph_config(s, srv)
    t0 = time.time()
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env(), timeout=120)
    took = time.time() - t0
    err = text(r.stderr)
    stats = srv.stats()
    asked = stats["token_requests"].get("client_credentials", 0)
    check(r.returncode != 0, "a token refused every time: users sync "
          f"fails ({r.returncode})", err)
    check("InvalidAuthenticationToken" in err or "401" in err,
          "the error says the token was refused", err)
    check(asked == 2 and took < 60,
          f"one new token, a few tries, then give up ({asked} tokens, "
          f"{took:.1f} s)")
finally:
    srv.stop()
    s.cleanup()

# -- a wrong client secret --------------------------------------------------
WRONG = "wr0ng~Secret+Value/xyz"
srv = GraphServer()
s = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env(secret=WRONG))
    out, err = text(r.stdout), text(r.stderr)
    check(r.returncode != 0, f"a wrong secret: users sync fails "
          f"({r.returncode})", err)
    check("AADSTS7000215" in err, "the error carries AADSTS7000215", err)
    check(WRONG not in out + err and SECRET not in out + err,
          "the secret is never printed", err)
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env())
    check(r.returncode == 0, "with the right secret it syncs",
          text(r.stderr))
    srv.control("reset-stats")
    r = s.run("--now", DEMO_NOW, "run", "--dry-run", env=env(secret=WRONG))
    err = text(r.stderr)
    stats = srv.stats()
    check(r.returncode != 0 and "AADSTS7000215" in err and WRONG not in err,
          "run with a wrong secret: fails with AADSTS7000215, secret "
          "unprinted", err[-1500:])
    check(stats["token_requests"].get("client_credentials", 0) <= 2,
          "a refused secret is not tried again for every user",
          stats["token_requests"])
    check(stats["requests"] == 0,
          "no Graph request goes out without a token", stats["status"])
finally:
    srv.stop()
    s.cleanup()

# -- configuration the operator must fix -----------------------------------
srv = GraphServer()
s = Scratch()
try:
    graph_config(s, srv)
    r = s.run("--now", DEMO_NOW, "users", "sync", env={SECRET_ENV: ""})
    err = text(r.stderr)
    check(r.returncode == 2 and SECRET_ENV in err,
          "the secret's variable empty: exit 2 naming it", err)
    graph_config(s, srv, extra={("graph", "tenant"): '"contoso-nope"'})
    r = s.run("--now", DEMO_NOW, "users", "sync", env=env())
    err = text(r.stderr)
    check(r.returncode != 0 and "AADSTS90002" in err,
          "an unknown tenant: AADSTS90002 said plainly", err)
finally:
    srv.stop()

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
closed = sock.getsockname()[1]
sock.close()
s2 = Scratch()
try:
    class Closed:
        base_url = f"http://127.0.0.1:{closed}/v1.0"
        login_url = f"http://127.0.0.1:{closed}"
    graph_config(s2, Closed)
    t0 = time.time()
    r = s2.run("--now", DEMO_NOW, "users", "sync", env=env(), timeout=120)
    err = text(r.stderr)
    check(r.returncode != 0 and f"127.0.0.1:{closed}" in err,
          "Graph unreachable: fails naming the address", err)
    check(time.time() - t0 < 60, "and gives up in reasonable time")
finally:
    s.cleanup()
    s2.cleanup()

finish()
