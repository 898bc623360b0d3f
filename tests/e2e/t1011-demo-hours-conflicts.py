#!/usr/bin/python3
"""t1011: the demo shows each kind of line about time at least once:
other people's hours (a meeting outside an attendee's working hours, on
their clock, with their city and the tip) and the reader's conflicts (an
overlap of accepted meetings, a long run without a break), in the text
and the HTML part. The demo's first run learns every user's hours from
the mailbox settings it reads anyway: no second run is needed."""
import email
import email.policy
import mailbox

from digesttest import Scratch, check, finish, text

s = Scratch()
r = s.run("run")
check(r.returncode == 0, "run on the demo tenant exits 0", text(r.stderr))
path = s.path("out.mbox")
with open(path, "wb") as f:
    f.write(r.stdout)
parts = {}
for m in mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(
        f, policy=email.policy.default)):
    who = m["To"].addresses[0].addr_spec.lower()
    parts[who] = (m.get_body(preferencelist=("plain",)).get_content(),
                  m.get_body(preferencelist=("html",)).get_content())

priya_text, priya_html = parts.get("priya.raman@contoso.com", ("", ""))
check("5:30 pm for Oliver (Sydney), outside their working hours." in priya_text,
      "Priya's postmortem is 17:30 for Oliver in Sydney", priya_text)
check("Tip: keep it short, record it" in priya_text,
      "with the tip to keep it short", priya_text)
check("Overlap: 2:30 – 3:15 pm Data platform office hours and 3:00 – 4:00 pm "
      "Fabrikam data-sharing review, both accepted." in priya_text,
      "an overlap of two accepted meetings", priya_text[:1500])
check("12:00 – 4:00 pm: 5 meetings back to back, 4 h without a break."
      in priya_text, "a run of four hours without a break", priya_text[:1500])
check("for Oliver (Sydney), outside their working hours" in priya_html and
      "Overlap:" in priya_html and "without a break" in priya_html,
      "the HTML part says the same")

zoe_text = parts.get("zoe.martin@contoso.com", ("", ""))[0]
check("for Dana (New York), not one of their working days." in zoe_text,
      "Zoë's digest: Tuesday is none of Dana's working days", zoe_text[-3000:])
check("for Marcus" not in zoe_text,
      "Marcus (opted out, hidden) is never named in an hours line")
finish()
