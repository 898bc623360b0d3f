"""A person's own choices, from the preferences page of `digest serve` (a
real HTTP client) and from `digest prefs`, change what `run` does: a pause
skips them with the reason "paused", weekdays not chosen are skipped with
"day_not_chosen" and chosen ones replace the mailbox's working days, their
send time replaces [digest] send_at; `digest status` shows the choices.
A profile hidden from the page disappears from a colleague's preview, and
`digest about` prints exactly the block a colleague's digest shows."""
import re

from digesttest import DEMO_NOW, check, finish
from servetest import USER, Site

COLLEAGUE = "omer.yilmaz@contoso.com"   # in several of Zoë's meetings
DATE = "2026-11-24"                      # Zoë's tomorrow, a Tuesday


def run_line(site, user, *extra):
    r = site.digest("--now", DEMO_NOW, "run", "--dry-run", "--user", user, *extra)
    lines = [l for l in r.stderr.decode().splitlines() if user in l and DATE in l]
    return r.returncode, (lines[-1] if lines else r.stderr.decode()[-400:])


def omer_block(preview_text):
    """Ömer's entry in Zoë's text digest: the name line and what follows."""
    lines = preview_text.splitlines()
    for i, l in enumerate(lines):
        if l.startswith("Ömer Yılmaz"):
            out = [l]
            for m in lines[i + 1:]:
                if not m.strip() or m.startswith("---") or m.startswith("Also invited"):
                    break
                out.append(m)
            return "\n".join(out)
    return None


site = Site()
try:
    _, prefs_link = site.links()
    site.start()

    st, _, page = site.request("GET", prefs_link)
    check(st == 200 and 'name="pause_until"' in page and 'name="day"' in page and
          'name="send_at"' in page and 'name="locale"' in page and 'name="profile"' in page,
          "the footer's link opens the preferences page with its form", page[-500:])
    check("What colleagues' digests say about you" in page and "Zoë Martin" in page,
          "the page shows what colleagues' digests say about the person")
    check(site.status_of() == ("ready", None), "showing the page changes nothing")

    st, _, page = site.post_form(prefs_link, [("action", "save"), ("pause_until", "2026-11-30")])
    check(st == 200 and "Saved" in page and 'value="2026-11-30"' in page,
          "the page saves a pause", (st, page[-700:]))
    check(site.status_of() == ("skipped", "paused"), "the preview says paused", site.status_of())
    rc, line = run_line(site, USER)
    check(rc == 0 and "skipped (paused)" in line, "run skips a paused user with the reason", line)
    r = site.digest("status")
    check("paused until 2026-11-30" in r.stdout.decode(), "digest status shows the pause",
          r.stdout.decode())

    st, _, page = site.post_form(prefs_link, [("action", "save"), ("pause_until", "31/12/2026")])
    check(st == 400 and site.status_of() == ("skipped", "paused"),
          "a bad date is refused with 400 and changes nothing", st)

    r = site.digest("prefs", "--user", USER, "--pause-until", "", "--days", "mon,wed")
    check(r.returncode == 0 and "days mon,wed" in r.stdout.decode(),
          "digest prefs clears the pause and sets weekdays", r.stdout.decode() + r.stderr.decode())
    rc, line = run_line(site, USER)
    check("skipped (day_not_chosen)" in line, "run skips a weekday the user did not choose", line)
    site.digest("prefs", "--user", USER, "--days", "tue")
    rc, line = run_line(site, USER)
    check("skipped" not in line and "waiting" not in line,
          "run sends on a weekday the user chose", line)

    # Zoë is in Los Angeles: DEMO_NOW is 02:00 there.
    site.digest("prefs", "--user", USER, "--days", "", "--send-at", "09:30")
    rc, line = run_line(site, USER)
    check("waiting (sends at 09:30" in line, "before the user's own send time, run waits", line)
    site.digest("prefs", "--user", USER, "--send-at", "01:30")
    rc, line = run_line(site, USER)
    check("waiting" not in line and "skipped" not in line,
          "after the user's own send time, run sends", line)
    r = site.digest("prefs", "--user", USER, "--send-at", "25:00")
    check(r.returncode == 2, "digest prefs refuses a bad time with exit 2", r.returncode)

    before = site.digest("preview", "--user", USER, "--format", "text").stdout.decode()
    block = omer_block(before)
    check(block and "  - " in block, "a colleague's digest shows Ömer's profile and tips", before[:400])
    r = site.digest("about", "--user", COLLEAGUE)
    about = r.stdout.decode()
    check(r.returncode == 0 and block and block in about,
          "digest about prints exactly the block a colleague's digest shows", about)
    # the group lines follow the profile: tips are picked per meeting, so
    # the profile part shows the general ones
    tail = about.split("In the meetings of the day", 1)[-1]
    groups = [l[4:] for l in tail.splitlines() if l.startswith("  - ")]
    own = site.digest("preview", "--user", COLLEAGUE, "--format", "text").stdout.decode()
    check(groups and all(g in own for g in groups),
          "its group lines are those of Ömer's own meetings of the day",
          (groups, about))
    r = site.digest("about", "--user", COLLEAGUE, "--format", "json")
    check(r.returncode == 0 and '"hidden": false' in r.stdout.decode() and
          '"tips"' in r.stdout.decode(), "digest about --format json gives the model",
          r.stdout.decode()[:300])

    _, omer_prefs = site.links(COLLEAGUE)
    st, _, page = site.post_form(omer_prefs, [("action", "save"), ("profile", "hidden")])
    check(st == 200 and "Saved" in page and "your profile is hidden" in page,
          "a person hides their own profile from the page", page[-800:])
    after = site.digest("preview", "--user", USER, "--format", "text").stdout.decode()
    check(omer_block(after) is None and block.splitlines()[0] not in after,
          "the hidden profile disappears from the colleague's preview", after[:600])
    check("Also invited, no profile" in after,
          "Ömer is still counted among the invited, as anyone without a profile")
    about = site.digest("about", "--user", COLLEAGUE).stdout.decode()
    check("hidden" in about and block not in about,
          "digest about says the profile is hidden", about)
    site.digest("prefs", "--user", COLLEAGUE, "--profile", "roster")
    again = site.digest("preview", "--user", USER, "--format", "text").stdout.decode()
    check(omer_block(again) == block, "undoing the choice shows the profile again")
finally:
    site.cleanup()
finish()
