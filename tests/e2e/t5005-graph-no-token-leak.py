#!/usr/bin/python3
"""t5005: no credential ever reaches the program's output.

Every command of both modes is run against the stand-in, debug logging on
(DIGEST_DEBUG=1) and along the error paths where a careless client would
print a request or a token response: expiring tokens, 429s, a mailbox
without REST, a wrong secret, a revoked refresh token. Then no bearer
token the stand-in saw in an Authorization header, no access or refresh
token it issued, no device code, no client secret and no token key may
appear in any stdout or stderr, in `digest status`, or in clear in the
database file.
"""
from digesttest import BIN, DEMO_NOW, Scratch, check, finish, text
from graphtest import (SECRET, TOKEN_KEY, USERS, GraphServer, env,
                       graph_config, leaks, secrets_seen,
                       skip_unless_binary)

skip_unless_binary(BIN)
WRONG = "wr0ng~Secret+Value/xyz"
DEBUG = {"DIGEST_DEBUG": "1"}
outputs = {}
stats_all = []


def record(name, r):
    outputs[name + " stdout"] = r.stdout
    outputs[name + " stderr"] = r.stderr
    return r


# -- app-only -----------------------------------------------------------
srv = GraphServer("--expire-token-after", "4", "--fail-429", "0.1",
                  "--retry-after", "1", "--seed", "3")
s = Scratch()
try:
    graph_config(s, srv)
    e = env(**DEBUG)
    record("sync", s.run("--now", DEMO_NOW, "users", "sync", env=e))
    srv.configure(mailbox_404=[USERS["priya"]])
    r = record("run", s.run("--now", DEMO_NOW, "run", "--dry-run", env=e))
    check(r.returncode in (0, 1) and b"ready" in r.stderr,
          "app-only run went through (with faults)", text(r.stderr)[-800:])
    record("preview", s.run("--now", DEMO_NOW, "preview", "--user",
                            USERS["zoe"], "--format", "json", env=e))
    record("preview-404", s.run("--now", DEMO_NOW, "preview", "--user",
                                USERS["priya"], env=e))
    record("status", s.run("--now", DEMO_NOW, "status", env=e))
    record("check", s.run("--now", DEMO_NOW, "check", env=e))
    record("wrong-secret", s.run("--now", DEMO_NOW, "users", "sync",
                                 env=env(secret=WRONG, **DEBUG)))
    for suffix in ("", "-wal"):
        try:
            with open(s.path("digest.db" + suffix), "rb") as f:
                outputs["app database" + suffix] = f.read()
        except FileNotFoundError:
            pass
finally:
    stats_all.append(srv.stop())
    s.cleanup()

# -- delegated ----------------------------------------------------------
srv = GraphServer("--device-pending", "1", "--expire-token-after", "3")
s = Scratch()
try:
    graph_config(s, srv, auth="delegated")
    e = env(**DEBUG)
    for who in (USERS["zoe"], USERS["omer"]):
        srv.configure(device_user=who)
        r = record("connect " + who, s.run("--now", DEMO_NOW, "connect",
                                           env=e, stdin=b"", timeout=90))
        check(r.returncode == 0, f"connect {who}", text(r.stderr)[-800:])
    r = record("delegated run", s.run("--now", DEMO_NOW, "run",
                                      "--dry-run", env=e))
    check(r.returncode == 0, "delegated run went through",
          text(r.stderr)[-800:])
    srv.control("revoke", {"user": USERS["omer"]})
    record("revoked run", s.run("--now", DEMO_NOW, "run", "--dry-run",
                                env=e))
    record("delegated status", s.run("--now", DEMO_NOW, "status", env=e))
    record("delegated check", s.run("--now", DEMO_NOW, "check", env=e))
    for suffix in ("", "-wal"):
        try:
            with open(s.path("digest.db" + suffix), "rb") as f:
                outputs["delegated database" + suffix] = f.read()
        except FileNotFoundError:
            pass
finally:
    stats_all.append(srv.stop())
    s.cleanup()

found = set()
for st in stats_all:
    if st:
        found |= secrets_seen(st)
check(len(found) >= 6, f"the stand-in saw and issued tokens ({len(found)})")
secret_values = found | {SECRET, WRONG, TOKEN_KEY}
hits = leaks(outputs, secret_values)
check(not hits, "no token, code, secret or key in any output or in clear "
      "in the database", hits)

finish()
