"""Run discipline and real-inbox features: one run at a time (exit 3
naming the holder's pid); SIGTERM finishes the message in flight and
stops; send_at in each user's zone; maildir delivery; one-click
unsubscribe headers and the unsubscribe command."""
import email
import email.policy
import os
import re
import signal
import subprocess
import time
import urllib.parse

from digesttest import BIN, Scratch, check, finish, set_key, text
from smtpserver import Server, check_prerequisites

check_prerequisites()
s0 = Scratch()
ready = sorted(a.lower() for a in re.findall(
    r"^digest: (\S+) \S+: ready", text(s0.run("run", "--dry-run").stderr), re.M))


def smtp(port, **kw):
    return Scratch(delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                   smtp__port=str(port), smtp__tls='"none"', **kw)


# One run at a time.
with Server(s0.dir, "--delay", "1") as srv:
    s = smtp(srv.port)
    p = subprocess.Popen([BIN, "--config", s.config, "run"], cwd=s.dir,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)
    r = s.run("run")
    check(r.returncode == 3, "a second run while one holds the lock exits 3", text(r.stderr))
    check(f"pid {p.pid}" in text(r.stderr), "the message names the holder's pid", text(r.stderr))
    # SIGTERM: the message in flight is finished, the rest stays queued;
    # the exit status says it was stopped (128 + 15).
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    sent_before = len(srv.messages())
    check(p.returncode == 143 and 1 <= sent_before < len(ready),
          "SIGTERM finishes the message in flight and stops", (p.returncode, sent_before, text(err)))
    r = s.run("run")
    got = sorted(m["rcpt_tos"][0].lower() for _, m in srv.messages())
    check(r.returncode == 0 and got == ready,
          "the next run sends the rest, nothing twice", (got, text(r.stderr)))
    s.cleanup()

# send_at = "07:00" in each user's zone: at 10:00Z it is 02:00 in Los
# Angeles (waits) and 19:00 in Tokyo (sends).
with Server(s0.dir) as srv:
    s = smtp(srv.port, digest__send_at='"07:00"')
    r = s.run("run")
    err = text(r.stderr)
    check(re.search(r"zoe\.martin@contoso\.com \S+: waiting", err),
          "send_at: a user before 07:00 local waits", err)
    got = {m["rcpt_tos"][0].lower() for _, m in srv.messages()}
    check("yui.nakamura@contoso.com" in got and "zoe.martin@contoso.com" not in got,
          "send_at: a user past 07:00 local is sent, one before is not", got)
    r = s.run("--now", "2026-11-23T16:00:00Z", "run", "--user", "zoe.martin@contoso.com")
    got = [m["rcpt_tos"][0].lower() for _, m in srv.messages()]
    check(got.count("zoe.martin@contoso.com") == 1,
          "send_at: a later run reaches the user at 08:00 local", text(r.stderr))
    s.cleanup()

# Maildir delivery.
s = Scratch(delivery__kind='"maildir"')
maildir = s.path("Maildir")
s.write_config(set_key(open(s.config).read(), "delivery", "path", f'"{maildir}"'))
r = s.run("run")
files = sorted(os.listdir(os.path.join(maildir, "new"))) if os.path.isdir(os.path.join(maildir, "new")) else []
check(r.returncode == 0 and len(files) == len(ready), "maildir: one file per digest in new/",
      (files, text(r.stderr)))
check(os.path.isdir(os.path.join(maildir, "tmp")) and not os.listdir(os.path.join(maildir, "tmp")),
      "maildir: nothing left in tmp/")
r = s.run("run")
check(len(os.listdir(os.path.join(maildir, "new"))) == len(ready), "maildir: a re-run adds nothing")
s.cleanup()

# One-click unsubscribe (RFC 8058).
key = os.urandom(32).hex()
with Server(s0.dir) as srv:
    s = smtp(srv.port, digest__unsubscribe_url='"https://digest.example.com/u?t={token}"',
             digest__unsubscribe_key_env='"DIGEST_TEST_UNSUB_KEY"')
    env = {"DIGEST_TEST_UNSUB_KEY": key}
    r = s.run("run", env=env)
    msgs = [email.message_from_bytes(b, policy=email.policy.default) for b, _ in srv.messages()]
    check(msgs and all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in msgs),
          "every digest carries List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    zoe = [m for m in msgs if m["To"].addresses[0].addr_spec.lower() == "zoe.martin@contoso.com"][0]
    url = re.sub(r"\s+", "", str(zoe["List-Unsubscribe"])).strip("<>")
    check(url.startswith("https://digest.example.com/u?t="), "List-Unsubscribe holds the https URL", url)
    token = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["t"][0]
    r = s.run("unsubscribe", token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], env=env)
    check(r.returncode == 2 and "not valid" in text(r.stderr), "a tampered token is refused", text(r.stderr))
    r = s.run("unsubscribe", token, env=env)
    check(r.returncode == 0 and "zoe.martin@contoso.com" in text(r.stderr),
          "the token unsubscribes the user it was made for", text(r.stderr))
    r = s.run("run", "--date", "2026-11-24", "--user", "zoe.martin@contoso.com", env=env)
    r = s.run("preview", "--user", "zoe.martin@contoso.com", "--format", "json", env=env)
    check('"opted_out"' in text(r.stdout), "an unsubscribed user is skipped as opted_out",
          text(r.stdout)[:300])
    s.cleanup()

s0.cleanup()
finish()
