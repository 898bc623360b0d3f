"""digest run on the demo tenant with stdout delivery: an mbox of every
ready user's digest on stdout, each a well-formed MIME message, and one
summary line per user on stderr."""
import email
import email.policy
import mailbox
import os
import re

from digesttest import Scratch, check, finish, text

s = Scratch()
r = s.run("run")
out, err = r.stdout, text(r.stderr)
check(r.returncode == 0, "run on the demo tenant exits 0", err)

# stdout is an mbox: split it with Python's own mbox reader.
path = s.path("out.mbox")
with open(path, "wb") as f:
    f.write(out)
box = mailbox.mbox(path)
raw = [m.as_bytes() for m in box]
check(len(raw) >= 3, f"the mbox holds at least 3 digests ({len(raw)})")
check(out.startswith(b"From "), "stdout starts with an mbox From_ line", out[:80])

recipients = []
for i, msg_bytes in enumerate(raw):
    for policy_name, policy in [("strict", email.policy.strict), ("default", email.policy.default)]:
        try:
            msg = email.message_from_bytes(msg_bytes, policy=policy)
        except Exception as e:  # strict raises on defects
            check(False, f"digest {i} parses under policy {policy_name}", repr(e))
            continue
        defects = list(msg.defects)
        for part in msg.walk():
            defects += list(part.defects)
        check(not defects, f"digest {i} has no defects under policy {policy_name}", defects)
    msg = email.message_from_bytes(msg_bytes, policy=email.policy.default)
    types = [p.get_content_type() for p in msg.walk()]
    check(msg.get_content_type() == "multipart/alternative",
          f"digest {i} is multipart/alternative", types)
    check("text/plain" in types and "text/html" in types,
          f"digest {i} has text/plain and text/html parts", types)
    check(re.match(r"^<[^<>@\s]+@[^<>@\s]+>$", str(msg["Message-ID"] or "")),
          f"digest {i} has a Message-ID", msg["Message-ID"])
    check(msg["Date"] is not None and msg["From"] is not None and msg["Subject"],
          f"digest {i} has Date, From and Subject")
    recipients.append(msg["To"].addresses[0].addr_spec.lower())
    for line in msg_bytes.split(b"\n"):
        if len(line) > 998:
            check(False, f"digest {i} has no line over 998 octets", len(line))
            break

check(len(set(recipients)) == len(recipients), "each recipient gets one digest", recipients)

# One line per user on stderr: sent, or skipped with a reason.
sent = re.findall(r"^digest: (\S+) \S+: sent", err, re.M)
skipped = dict(re.findall(r"^digest: (\S+) \S+: skipped \((\w+)\)", err, re.M))
check(sorted(a.lower() for a in sent) == sorted(recipients),
      "stderr names every user who was sent a digest", (sent, recipients))
for reason in ["out_of_office", "not_working_day", "opted_out", "no_meetings", "room_mailbox"]:
    check(reason in skipped.values(), f"a user is skipped for {reason}", skipped)
check(skipped.get("rainier@contoso.com") == "room_mailbox",
      "the room mailbox gets no digest", skipped)
check(re.search(r"^digest: dana\.whitfield@contoso\.com 2026-11-23: skipped \(not_working_day\)",
                err, re.M),
      "Dana, who works Wednesday to Friday, gets nothing on Monday", err)

# A Friday run covers Monday, the next working day.
r = s.run("--now", "2026-11-20T16:00:00Z", "run")
check(r.returncode == 0 and re.search(r"^digest: zoe\.martin@contoso\.com 2026-11-23: sent",
                                      text(r.stderr), re.M),
      "a Friday run covers Monday", text(r.stderr))

# A Saturday run sends nothing to Monday-to-Friday readers.
r = s.run("--now", "2026-11-28T10:00:00Z", "run")
sat = dict(re.findall(r"^digest: (\S+) \S+: skipped \((\w+)\)", text(r.stderr), re.M))
check(r.returncode == 0 and r.stdout == b"", "a Saturday run sends nothing", text(r.stderr))
check(sat.get("zoe.martin@contoso.com") == "not_working_day"
      and sat.get("dana.whitfield@contoso.com") == "not_working_day",
      "on Saturday the readers are skipped as not_working_day", sat)
check(re.search(r"^digest: \d+ digests? sent, \d+ skipped, 0 waiting, 0 deferred, 0 failed$",
                err, re.M),
      "stderr ends with the run's totals", err[-300:])
check(b"digest:" not in out, "no log line leaks into stdout")

# --user narrows the run; a user unknown to the tenant fails the run (exit 1).
first = recipients[0]
r = s.run("run", "--user", first.upper())
check(r.returncode == 0 and r.stdout.count(b"\nFrom ") + r.stdout.startswith(b"From ") == 1,
      "--user (in other letter case) narrows the run to that user", text(r.stderr))
r = s.run("run", "--user", "nobody@nowhere.example")
check(r.returncode == 1 and "nobody@nowhere.example" in text(r.stderr),
      "--user naming nobody fails with exit 1 and names the address", text(r.stderr))

# --date moves the day: on a day without recorded meetings everyone is skipped.
r = s.run("run", "--date", "2026-12-01")
check(r.returncode == 0 and r.stdout == b"", "a day with no recorded meetings sends nothing",
      text(r.stderr))

# --dry-run renders but delivers nothing.
r = s.run("run", "--dry-run")
check(r.returncode == 0 and r.stdout == b"" and "ready (dry run)" in text(r.stderr),
      "--dry-run delivers nothing and says so", text(r.stderr))

s.cleanup()
finish()
