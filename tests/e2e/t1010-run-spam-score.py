"""The demo digests, with one-click unsubscribe links on, as Debian's
SpamAssassin scores them with local tests only (`spamassassin -L -t`):
each stays at or below 1.0 point, and none trips the rules the digest
once did (hidden low-contrast preheader, "stop these emails" footer).
Skipped when spamassassin is not installed."""
import mailbox
import os
import re
import shutil
import subprocess
import sys

from digesttest import DEMO_NOW, Scratch, check, finish, text

LIMIT = 1.0
FORMER = ["HTML_FONT_LOW_CONTRAST", "END_FUTURE_EMAILS"]

if not shutil.which("spamassassin"):
    print("skip: spamassassin is not installed (apt-get install spamassassin)")
    sys.exit(77)

s = Scratch(digest__unsubscribe_url='"https://digest.example.com/u?t={token}"',
            digest__unsubscribe_key_env='"DIGEST_TEST_UNSUB_KEY"')
env = {"DIGEST_TEST_UNSUB_KEY": os.urandom(32).hex()}
r = s.run("--now", DEMO_NOW, "run", env=env)
check(r.returncode == 0, "run on the demo tenant exits 0", text(r.stderr))
path = s.path("out.mbox")
with open(path, "wb") as f:
    f.write(r.stdout)
messages = [m.as_bytes() for m in mailbox.mbox(path)]
check(len(messages) >= 3, f"the demo gives digests to score ({len(messages)})")

# One spamassassin for the whole mbox: its start-up is most of the time.
sa = subprocess.run(["spamassassin", "-L", "-t", "--mbox"], input=r.stdout,
                    capture_output=True, timeout=300)
reports = text(sa.stdout).split("Content analysis details:")[1:]
check(len(reports) == len(messages), "spamassassin reports on every digest",
      text(sa.stderr)[-500:])

for raw, report in zip(messages, reports):
    to = re.search(rb"^To: .*<([^>]+)>", raw, re.M)
    who = to.group(1).decode() if to else "?"
    check(b"List-Unsubscribe:" in raw, f"{who}: the digest carries an unsubscribe link")
    details = report[:report.find("\n\n", report.find("----"))]
    m = re.match(r"\s+\((-?[\d.]+) points", report)
    check(m is not None, f"{who}: spamassassin reports a score", details)
    if not m:
        continue
    score = float(m.group(1))
    check(score <= LIMIT, f"{who}: scores {score} <= {LIMIT}", details)
    for rule in FORMER:
        check(rule not in details, f"{who}: does not trip {rule}", details)

s.cleanup()
finish()
