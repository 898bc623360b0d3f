"""Parallel SMTP delivery: [smtp] connections messages in flight over
reused connections; a 421 that closes one connection defers only its
message (shown with its next try, exit 1) while the others go, and a
`digest retry` sends it at once; max_per_minute spaces the messages; Date is
when the message left, not the planning clock."""
import collections
import email
import email.policy
import email.utils
import re
import time

from digesttest import Scratch, check, finish, text
from smtpserver import Server, check_prerequisites

check_prerequisites()


def smtp_scratch(port, **kw):
    return Scratch(delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                   smtp__port=str(port), smtp__tls='"none"',
                   **{f"smtp__{k}": str(v) for k, v in kw.items()})


s0 = Scratch()
ready = sorted(a.lower() for a in re.findall(
    r"^digest: (\S+) \S+: ready", text(s0.run("run", "--dry-run").stderr), re.M))
check(len(ready) >= 4, "the demo tenant has at least 4 ready users", ready)

# The second connection answers 421 and hangs up; the others go on.
with Server(s0.dir, "--delay", "0.3", "--close-session", "2") as srv:
    s = smtp_scratch(srv.port, connections=3)
    r = s.run("run")
    err = text(r.stderr)
    got = sorted(m["rcpt_tos"][0].lower() for _, m in srv.messages())
    deferred = re.findall(r"^digest: (?:warning: )?(\S+) \S+: deferred \(next try (\S+)\): "
                          r"(.*)$",
                          err, re.M)
    check(r.returncode == 1, "a message deferred by a 421 makes the run exit 1", err)
    check(len(deferred) == 1 and "421" in deferred[0][2],
          "the one message that met the 421 is shown deferred, with the reply", err)
    check(deferred and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", deferred[0][1]),
          "the deferred line gives the time of the next try", deferred)
    check(len(got) == len(ready) - 1 and deferred and deferred[0][0].lower() not in got,
          "every other digest is delivered over the other connections", (got, err))
    check(srv.counter("sessions") <= 4,
          "at most [smtp] connections connections, plus one to replace the closed one",
          srv.counter("sessions"))
    check(re.search(r"^digest: \d+ digests sent, \d+ skipped, 0 waiting, 1 deferred, "
                    r"0 failed$", err, re.M),
          "the summary counts the deferred message apart from failures", err[-300:])

    # A re-run before the next try still shows it, and still exits 1.
    r = s.run("run")
    err2 = text(r.stderr)
    check(r.returncode == 1 and re.search(r": deferred \(next try ", err2),
          "a run before the next try shows the message deferred and exits 1", err2)
    check(len(srv.messages()) == len(ready) - 1, "and does not send it early")

    # retry --user someone else: nothing of theirs is deferred.
    victim = deferred[0][0].lower() if deferred else ""
    other = next(u for u in ready if u != victim)
    r = s.run("retry", "--user", other)
    check(r.returncode == 0 and "nothing to retry" in text(r.stderr)
          and len(srv.messages()) == len(ready) - 1,
          "retry --user of a user with nothing deferred sends nothing, exit 0",
          text(r.stderr))

    # retry sends it now, without waiting for the backoff.
    r = s.run("retry", "--user", victim.upper())
    counts = collections.Counter(m["rcpt_tos"][0].lower() for _, m in srv.messages())
    check(r.returncode == 0 and re.search(rf"{re.escape(victim)} \S+: sent", text(r.stderr)),
          "retry --user sends the deferred message now, exit 0", text(r.stderr))
    check(sorted(counts) == ready and set(counts.values()) == {1},
          "every digest has arrived exactly once", counts)
    r = s.run("--now", "2026-11-23T12:00:00Z", "run", "--date", "2026-11-24")
    check(r.returncode == 0 and len(srv.messages()) == len(ready),
          "a later run sends nothing more", text(r.stderr))
    r = s.run("retry")
    check(r.returncode == 0 and len(srv.messages()) == len(ready),
          "a retry with nothing deferred sends nothing and exits 0", text(r.stderr))

    # Date: when the message left (the real clock), not --now.
    body, _ = srv.messages()[-1]
    msg = email.message_from_bytes(body, policy=email.policy.strict)
    when = email.utils.parsedate_to_datetime(msg["Date"]).timestamp()
    check(abs(when - time.time()) < 300,
          "Date is the time the message was handed over, not the planning clock",
          msg["Date"])
    check(msg["Date"].endswith("+0000"), "Date is written in UTC", msg["Date"])
    s.cleanup()

# max_per_minute = 120: one start every 0.5 s, whatever the connections.
with Server(s0.dir) as srv:
    s = smtp_scratch(srv.port, connections=4, max_per_minute=120)
    r = s.run("run")
    times = sorted(m["received_at"] for _, m in srv.messages())
    gaps = [b - a for a, b in zip(times, times[1:])]
    check(r.returncode == 0 and len(times) == len(ready),
          "with max_per_minute every digest is delivered", text(r.stderr))
    # Starts are spaced; arrivals add jitter of their own (a connection
    # set up slowly), so the span is checked, with a little slack.
    span = times[-1] - times[0] if times else 0
    check(span >= 0.5 * len(gaps) - 0.3,
          "max_per_minute = 120 spaces the messages by half a second",
          (span, gaps))
    s.cleanup()

# Without it, four connections send at once.
with Server(s0.dir, "--delay", "0.5") as srv:
    s = smtp_scratch(srv.port, connections=4)
    r = s.run("run")
    times = sorted(m["received_at"] for _, m in srv.messages())
    check(r.returncode == 0 and len(times) == len(ready),
          "four connections deliver every digest", text(r.stderr))
    # The server answers each message 0.5 s after it arrives: several
    # arriving before the first answer means they were in flight at once.
    early = [t for t in times if t < times[0] + 0.5] if times else []
    check(len(early) >= 2, "messages are in flight at once", times)
    check(2 <= srv.counter("sessions") <= 4, "over two to four connections",
          srv.counter("sessions"))
    s.cleanup()

s0.cleanup()
finish()
