"""Honest accounting: every user a run touches is named with its state,
and the run exits 1 while a digest that was due is undelivered. A dry
run says "ready", never "sent". SIGTERM finishes what is in flight,
names what is left and exits non-zero (143). An untrusted certificate or a TLS mode
the server does not speak stops delivery for the run like a refused
AUTH, naming the setting to fix and every user left untried."""
import collections
import re
import signal
import subprocess
import time

from digesttest import BIN, Scratch, check, finish, text
from smtpserver import Server, check_prerequisites, make_ca

check_prerequisites()

s0 = Scratch()
ca = make_ca(s0.dir)
tls = ["--tls", "starttls", "--cert", f"{ca}/server.pem", "--key", f"{ca}/server.key"]
r = s0.run("run", "--dry-run")
err = text(r.stderr)
ready = sorted(a.lower() for a in re.findall(r"^digest: (\S+) \S+: ready", err, re.M))
check(r.returncode == 0 and len(ready) >= 4, "a dry run exits 0 with ready users", err)
summary = err.strip().splitlines()[-1]
check(re.match(rf"digest: {len(ready)} digests ready \(dry run, nothing sent\), ", summary),
      "the dry run's summary says ready, with the plural", summary)
check(" sent," not in summary.replace("nothing sent", ""),
      "the dry run's summary never says N sent", summary)


def smtp_scratch(port, **kw):
    kw.setdefault("tls", '"none"')
    return Scratch(delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                   smtp__port=str(port), **{f"smtp__{k}": v for k, v in kw.items()})


def named(err, what):
    return {a.lower() for a in re.findall(rf"^digest: (?:\w+: )?(\S+) \S+: {what}", err, re.M)}


def stopped_run(title, srv, setting, **kw):
    """A run that meets a configuration error: stopped, named, exit 1."""
    s = smtp_scratch(srv.port, **kw)
    r = s.run("run", env={"DIGEST_TEST_SMTP_PW": "wrong"})
    err = text(r.stderr)
    stopped = named(err, "not sent, delivery stopped")
    untried = named(err, "not tried, stays queued")
    check(r.returncode == 1, f"{title}: exit 1", err)
    check(setting in err, f"{title}: the message names {setting}", err)
    check(not srv.messages(), f"{title}: nothing is delivered")
    check(stopped and len(stopped) <= 4,
          f"{title}: only the messages in flight meet the error", stopped)
    check(stopped | untried == set(ready) and not stopped & untried,
          f"{title}: every other user is named as never tried", (stopped, untried))
    check(re.search(rf"^digest: 0 digests sent, .*, {len(untried) + len(stopped)} not tried$",
                    err, re.M), f"{title}: the summary counts them as not tried",
          err.strip().splitlines()[-1])
    s.cleanup()


# An untrusted certificate (no ca_file): a configuration error.
with Server(s0.dir, *tls) as srv:
    stopped_run("an untrusted certificate", srv, "[smtp] ca_file", tls='"starttls"')

# STARTTLS required, the server offers none.
with Server(s0.dir) as srv:
    stopped_run("a server without STARTTLS", srv, "[smtp] tls", tls='"starttls"')

# Implicit TLS against a plain server.
with Server(s0.dir) as srv:
    stopped_run("implicit TLS to a plain port", srv, "[smtp] tls", tls='"implicit"')

# A refused AUTH: the same, naming the users never tried.
with Server(s0.dir, *tls, "--auth", "digest:right") as srv:
    stopped_run("a refused AUTH", srv, "[smtp] username", tls='"starttls"',
                username='"digest"', password_env='"DIGEST_TEST_SMTP_PW"',
                ca_file=f'"{ca}/ca.pem"')

# SIGTERM while messages are in flight: they finish, the rest is named.
with Server(s0.dir, "--delay", "1.0") as srv:
    s = smtp_scratch(srv.port, connections="1")
    p = subprocess.Popen([BIN, "--config", s.config, "run"], cwd=s.dir,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while time.time() < deadline and not srv.messages():
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    _, e = p.communicate(timeout=60)
    err = text(e)
    sent = named(err, "sent")
    untried = named(err, "not tried, stays queued")
    got = collections.Counter(m["rcpt_tos"][0].lower() for _, m in srv.messages())
    # 128 + SIGTERM, as a shell reports it: never 0 while mail is left.
    check(p.returncode == 143, "SIGTERM with digests left exits non-zero (143)",
          (p.returncode, err))
    check(sent and set(got) == sent, "the message in flight finishes and is recorded",
          (sent, got))
    check(untried and sent | untried == set(ready),
          "every digest left behind is named as not tried", (sent, untried))
    r = s.run("run")
    got = collections.Counter(m["rcpt_tos"][0].lower() for _, m in srv.messages())
    check(r.returncode == 0 and sorted(got) == ready and set(got.values()) == {1},
          "the next run delivers the rest, each exactly once", (got, text(r.stderr)))
    s.cleanup()

s0.cleanup()
finish()
