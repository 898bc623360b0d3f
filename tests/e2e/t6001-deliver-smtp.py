"""digest run with SMTP delivery against a real SMTP server (aiosmtpd,
STARTTLS with a test CA, AUTH): each ready user gets exactly one digest,
each parses without defects; a re-run sends nothing more; resend sends
exactly one more; status shows each user's outcome."""
import email
import email.policy
import json
import os
import re

from digesttest import Scratch, check, finish, text
from smtpserver import Server, check_prerequisites, make_ca

check_prerequisites()
PASSWORD = "pw-" + os.urandom(6).hex()
ENV = {"DIGEST_TEST_SMTP_PW": PASSWORD}


def smtp_scratch(port, ca, connections):
    return Scratch(delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                   smtp__port=str(port), smtp__tls='"starttls"',
                   smtp__username='"digest"',
                   smtp__password_env='"DIGEST_TEST_SMTP_PW"',
                   smtp__ca_file=f'"{ca}/ca.pem"',
                   smtp__connections=str(connections))


def parse_all(server):
    out = []
    for body, meta in server.messages():
        msg = email.message_from_bytes(body, policy=email.policy.strict)
        out.append((msg, meta))
    return out


s0 = Scratch()
ca = make_ca(s0.dir)
expected = sorted(a.lower() for a in re.findall(
    r"^digest: (\S+) \S+: ready", text(s0.run("run", "--dry-run").stderr), re.M))
check(len(expected) >= 3, "the demo tenant has at least 3 ready users", expected)

for mech, conns in [("PLAIN", 1), ("LOGIN", 2)]:
    with Server(s0.dir, "--tls", "starttls", "--cert", f"{ca}/server.pem",
                "--key", f"{ca}/server.key", "--auth", f"digest:{PASSWORD}",
                "--auth-mech", mech) as srv:
        s = smtp_scratch(srv.port, ca, conns)
        r = s.run("run", env=ENV)
        err = text(r.stderr)
        check(r.returncode == 0, f"run over STARTTLS + AUTH {mech} exits 0", err)
        msgs = parse_all(srv)
        rcpts = sorted(m["rcpt_tos"][0].lower() for _, m in msgs)
        check(rcpts == expected, f"each ready user gets exactly one digest ({mech})",
              (rcpts, expected))
        for msg, meta in msgs:
            defects = list(msg.defects) + [d for p in msg.walk() for d in p.defects]
            check(not defects, f"{meta['rcpt_tos'][0]}: no defects", defects)
            check(meta["tls"] and meta["auth"], f"{meta['rcpt_tos'][0]}: sent over TLS with AUTH",
                  meta)
            check(msg["Auto-Submitted"] == "auto-generated",
                  f"{meta['rcpt_tos'][0]}: Auto-Submitted: auto-generated")
            check(msg["X-Auto-Response-Suppress"] == "OOF, AutoReply"
                  and msg["Precedence"] == "bulk",
                  f"{meta['rcpt_tos'][0]}: Exchange and vacation replies are "
                  "suppressed too", (msg["X-Auto-Response-Suppress"], msg["Precedence"]))
            types = [p.get_content_type() for p in msg.walk()]
            check("text/plain" in types and "text/html" in types,
                  f"{meta['rcpt_tos'][0]}: text and HTML parts", types)
        check(PASSWORD not in err and PASSWORD not in text(r.stdout),
              "the SMTP password is never printed")
        check(1 <= srv.counter("sessions") <= conns,
              f"[smtp] connections = {conns}: at most {conns} reused connections serve "
              f"the {len(expected)} messages", srv.counter("sessions"))

        # A re-run of the same day sends nothing more.
        r = s.run("run", env=ENV)
        check(r.returncode == 0 and len(srv.messages()) == len(expected),
              "a re-run of the same date sends nothing", text(r.stderr))
        check("already_sent" in text(r.stderr), "a re-run says the digests were already sent",
              text(r.stderr))

        # resend sends exactly one more, with a new Message-ID.
        first = expected[0]
        r = s.run("resend", "--user", first, env=ENV)
        msgs2 = parse_all(srv)
        check(r.returncode == 0 and len(msgs2) == len(expected) + 1,
              "resend sends exactly one more copy", text(r.stderr))
        ids = [m["Message-ID"] for m, meta in msgs2 if meta["rcpt_tos"][0].lower() == first]
        check(len(ids) == 2 and ids[0] != ids[1], "the resent copy has its own Message-ID", ids)
        r = s.run("run", env=ENV)
        check(len(srv.messages()) == len(expected) + 1, "a run after resend sends nothing more")

        # status: one row per user, sent or skipped with a reason.
        r = s.run("status", "--format", "json")
        rows = json.loads(r.stdout) if r.returncode == 0 else []
        by_user = {row["user"].lower(): row for row in rows}
        check(all(by_user.get(u, {}).get("outcome") == "sent" for u in expected),
              "status says sent for every ready user", rows)
        reasons = {row["reason"] for row in rows if row["outcome"] == "skipped"}
        check({"out_of_office", "opted_out", "no_meetings", "room_mailbox"} <= reasons,
              "status gives the skip reasons", reasons)
        # Off on Monday: skipped under Monday's date, the day of the run.
        r = s.run("status", "--date", "2026-11-23", "--format", "json")
        rows = json.loads(r.stdout) if r.returncode == 0 else []
        check([(row["user"], row["reason"]) for row in rows]
              == [("dana.whitfield@contoso.com", "not_working_day")],
              "status --date of the run's day shows who was off that day", rows)
        r = s.run("status")
        check(r.returncode == 0 and first in text(r.stdout) and "sent" in text(r.stdout),
              "status prints a table", text(r.stdout))
        s.cleanup()

s0.cleanup()
finish()
