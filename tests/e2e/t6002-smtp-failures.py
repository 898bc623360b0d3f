"""SMTP failures: a wrong password, an untrusted certificate and a 550
each give a clear error naming the server's reply, exit 1, and the queue
keeps the messages; a server refusing 30% with 451 is worn down by
repeated runs, each message delivered exactly once."""
import collections
import json
import re

from digesttest import Scratch, check, finish, text
from smtpserver import Server, check_prerequisites, make_ca

check_prerequisites()
ENV = {"DIGEST_TEST_SMTP_PW": "right-password"}


def smtp_scratch(port, ca=None, password_env="DIGEST_TEST_SMTP_PW", tls="starttls"):
    kw = dict(delivery__kind='"smtp"', smtp__host='"127.0.0.1"', smtp__port=str(port),
              smtp__tls=f'"{tls}"')
    if password_env:
        kw.update(smtp__username='"digest"', smtp__password_env=f'"{password_env}"')
    if ca:
        kw["smtp__ca_file"] = f'"{ca}/ca.pem"'
    return Scratch(**kw)


def status(s):
    r = s.run("status", "--format", "json")
    return {row["user"].lower(): row for row in json.loads(r.stdout)} if r.returncode == 0 else {}


s0 = Scratch()
ca = make_ca(s0.dir)
tls = ["--tls", "starttls", "--cert", f"{ca}/server.pem", "--key", f"{ca}/server.key"]
ready = sorted(a.lower() for a in re.findall(
    r"^digest: (\S+) \S+: ready", text(s0.run("run", "--dry-run").stderr), re.M))

# A wrong password: 535 named, exit 1, every message stays queued.
with Server(s0.dir, *tls, "--auth", "digest:right-password") as srv:
    s = smtp_scratch(srv.port, ca)
    r = s.run("run", env={"DIGEST_TEST_SMTP_PW": "wrong-password"})
    err = text(r.stderr)
    check(r.returncode == 1, "a wrong password exits 1", err)
    check("535" in err and f"127.0.0.1:{srv.port}" in err,
          "the error names the server and its 535 reply", err)
    check("wrong-password" not in err, "the password is not printed")
    check(not srv.messages(), "nothing was delivered")
    st = status(s)
    check(all(st.get(u, {}).get("outcome") == "queued" for u in ready),
          "status shows every digest still queued", st)
    r = s.run("--now", "2026-11-23T12:00:00Z", "run", "--date", "2026-11-24", env=ENV)
    check(r.returncode == 0 and len(srv.messages()) == len(ready),
          "with the right password a later run delivers them all", text(r.stderr))
    s.cleanup()

# An untrusted certificate (no ca_file): refused, queued, exit 1.
with Server(s0.dir, *tls) as srv:
    s = smtp_scratch(srv.port, ca=None, password_env=None)
    r = s.run("run")
    err = text(r.stderr)
    check(r.returncode == 1 and "certificate" in err and "127.0.0.1" in err,
          "an untrusted certificate is refused with a message naming it, exit 1", err)
    check(not srv.messages(), "nothing goes to an untrusted server")
    st = status(s)
    check(all(st.get(u, {}).get("outcome") == "queued" for u in ready),
          "the messages stay queued", st)
    s.cleanup()

# 550 for one recipient: that user fails with the reply, the others go.
victim = ready[0]
with Server(s0.dir, "--reject-rcpt", f"{victim}:550") as srv:
    s = smtp_scratch(srv.port, password_env=None, tls="none")
    r = s.run("run")
    err = text(r.stderr)
    check(r.returncode == 1, "a 550 exits 1", err)
    check(re.search(rf"{re.escape(victim)} \S+: failed: .*550", err, re.I),
          "the failure names the user and the server's 550 reply", err)
    got = sorted(m["rcpt_tos"][0].lower() for _, m in srv.messages())
    check(got == ready[1:], "the other users are delivered", got)
    st = status(s)
    check(st.get(victim, {}).get("outcome") == "failed" and "550" in (
        (st.get(victim, {}).get("reason") or "") + (st.get(victim, {}).get("last_reply") or "")),
        "status shows the failure with the reply", st.get(victim))
    r = s.run("--now", "2026-11-23T13:00:00Z", "run", "--date", "2026-11-24")
    check(len(srv.messages()) == len(ready) - 1, "a failed message is not retried by a re-run")
    s.cleanup()

# 30% refused with 451: repeated runs deliver each message exactly once.
with Server(s0.dir, "--fail-rate", "0.3", "--fail-code", "451", "--seed", "7") as srv:
    s = smtp_scratch(srv.port, password_env=None, tls="none")
    codes = []
    for hour in range(10, 34):
        now = f"2026-11-{23 + (hour // 24)}T{hour % 24:02d}:00:00Z"
        r = s.run("--now", now, "run", "--date", "2026-11-24")
        codes.append(r.returncode)
        if len(srv.messages()) == len(ready):
            break
    counts = collections.Counter(m["rcpt_tos"][0].lower() for _, m in srv.messages())
    check(sorted(counts) == ready and set(counts.values()) == {1},
          "under 30% 451s repeated runs deliver every digest exactly once", (counts, codes))
    check(1 in codes, "a run with a 451 exits 1 (the message waits for a later run)", codes)
    s.cleanup()

s0.cleanup()
finish()
