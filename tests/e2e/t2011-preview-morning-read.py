"""The demo's digests are a morning-sized read: each HTML part stays under
100 KB (Gmail clips at 102 KB), no tip sentence comes twice in a digest, a
person gets at most three tips, and Zoë's 12-entry day fits in five phone
screens (375 px wide, 667 px high) as headless Chromium lays it out. The
screen check is skipped, with a message, when chromium is not installed."""
import json
import os
import re
import shutil
import subprocess
import tempfile

from digesttest import Scratch, check, finish, text

READY = ["zoe.martin", "omer.yilmaz", "yui.nakamura", "oliver.bennett", "priya.raman"]
SCREEN_W, SCREEN_H, SCREENS = 375, 667, 5

s = Scratch()


def preview(user, fmt):
    r = s.run("preview", "--user", f"{user}@contoso.com", "--format", fmt)
    check(r.returncode == 0, f"preview --format {fmt} of {user} exits 0", text(r.stderr))
    return r.stdout


for user in READY:
    html = preview(user, "html")
    check(len(html) < 100 * 1024, f"{user}: the HTML part is under 100 KB ({len(html)} bytes)")
    model = json.loads(preview(user, "json"))
    shown = []
    for m in model["meetings"]:
        for a in m["attendees"]:
            check(len(a["tips"]) <= 3, f"{user}: {a['email']} gets at most three tips",
                  a["tips"])
            if not a.get("tips_above"):
                shown += a["tips"]
    check(len(shown) == len(set(shown)), f"{user}: no tip sentence twice in the digest", shown)
    body = text(preview(user, "text"))
    bullets = re.findall(r"^  - (.*)$", body, re.M)
    check(len(bullets) == len(set(bullets)), f"{user}: no tip line twice in the text part",
          bullets)

zoe = json.loads(preview("zoe.martin", "json"))
check(len(zoe["meetings"]) + len(zoe["away"]) == 12,
      "Zoë's day has 12 entries (11 meetings and a part-day absence)",
      [m.get("subject") for m in zoe["meetings"]])
check(zoe["holds"] and zoe["main_count"] < len(zoe["meetings"]),
      "Zoë's holds (lunch, focus time, the all-day freeze) collapse into one line",
      zoe["holds"])

chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("# skip: chromium is not installed, the five-screen check is not run "
          "(apt-get install chromium)")
else:
    tmp = tempfile.mkdtemp(prefix="digest-screens-")
    with open(os.path.join(tmp, "digest.html"), "wb") as f:
        f.write(preview("zoe.martin", "html"))
    # Chromium's window has a minimum width; a 375 px frame is the phone.
    with open(os.path.join(tmp, "frame.html"), "w") as f:
        f.write(f'<!DOCTYPE html><html><body style="margin:0">'
                f'<iframe id="f" scrolling="no" src="digest.html" '
                f'style="width:{SCREEN_W}px;height:{SCREEN_H}px;border:0"></iframe>'
                '<script>document.getElementById("f").onload=function(){'
                'var d=this.contentDocument.documentElement;'
                'document.body.setAttribute("data-h",d.scrollHeight);};</script>'
                '</body></html>')
    r = subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--allow-file-access-from-files", "--window-size=800,900",
                        "--virtual-time-budget=5000", "--dump-dom",
                        "file://" + os.path.join(tmp, "frame.html")],
                       capture_output=True, timeout=120)
    m = re.search(rb'data-h="(\d+)"', r.stdout)
    check(m is not None, "chromium lays out Zoë's digest", text(r.stderr)[-500:])
    if m:
        height = int(m.group(1))
        check(height <= SCREENS * SCREEN_H,
              f"Zoë's digest is {height} px high at {SCREEN_W} px: "
              f"{height / SCREEN_H:.2f} screens of {SCREEN_H} px, at most {SCREENS}")
    shutil.rmtree(tmp, ignore_errors=True)

s.cleanup()
finish()
