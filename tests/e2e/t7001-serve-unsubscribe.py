"""digest serve answers a digest's unsubscribe link with a real HTTP
client: GET shows a page and changes nothing, the RFC 8058 one-click POST
(url-encoded or multipart) unsubscribes at once and the next run and
preview say so, the page's form subscribes again, forms without their
form token or from another origin change nothing, and every link that
does not open (changed, garbage, missing, expired, another key) gets the
same 400 page. A rotated key keeps old links working. Its log names no
token and no address."""
import re

from digesttest import check, finish
from servetest import KEY, OTHER_KEY, USER, Site

site = Site()
try:
    unsub, prefs = site.links()
    check("/unsubscribe?token=" in unsub and USER.split("@")[0] not in unsub,
          "a digest's unsubscribe link carries an opaque token", unsub)
    check(unsub != prefs, "the preferences link has a token of its own")
    site.start()

    st, h, body = site.request("GET", "/healthz")
    check(st == 200 and body == "ok\n", "/healthz answers ok", (st, body))

    st, h, page = site.request("GET", unsub)
    check(st == 200 and "<form method=\"post\"" in page and ">Unsubscribe</button>" in page,
          "GET shows a page with a button that POSTs", (st, page[:300]))
    check("<script" not in page.lower() and h.get("Content-Type", "").startswith("text/html"),
          "the page is HTML without JavaScript")
    check("default-src 'none'" in h.get("Content-Security-Policy", "") and
          h.get("Referrer-Policy") == "no-referrer" and h.get("Cache-Control") == "no-store",
          "the page forbids scripts, referrers and caching", h)
    st, _, _ = site.request("HEAD", unsub)
    check(st == 200, "HEAD is answered too", st)
    check(site.status_of() == ("ready", None), "GET and HEAD unsubscribe nobody",
          site.status_of())

    st, _, page = site.one_click(unsub)
    check(st == 200, "the one-click POST is answered 200", (st, page[:200]))
    check(site.status_of() == ("skipped", "opted_out"),
          "after the one-click POST the preview says opted out", site.status_of())
    r = site.digest("run", "--dry-run")
    check(re.search(rf"{re.escape(USER)} \S+: skipped \(opted_out\)", r.stderr.decode()),
          "the next run skips the user as opted out", r.stderr.decode()[-800:])

    st, _, page = site.request("GET", unsub)
    check(st == 200 and "You are unsubscribed" in page and ">Subscribe again</button>" in page,
          "once unsubscribed the page offers to subscribe again", page[-900:])

    st, _, page = site.post_form(unsub, [("action", "subscribe")], form="")
    check(st == 403 and site.status_of()[0] == "skipped",
          "a form without its form token changes nothing", (st, site.status_of()))
    st, _, page = site.post_form(unsub, [("action", "subscribe")], origin="https://evil.example")
    check(st == 403 and site.status_of()[0] == "skipped",
          "a form posted from another origin changes nothing", (st, site.status_of()))
    st, _, page = site.post_form(unsub, [("action", "subscribe")])
    check(st == 200 and "subscribed again" in page and site.status_of() == ("ready", None),
          "the page's form subscribes again", (st, page[-600:], site.status_of()))

    boundary = "---FormBoundaryjWmhtjORrn"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
                 f"\r\nOne-Click\r\n--{boundary}--\r\n")
    st, _, _ = site.request("POST", unsub, body=multipart,
                            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    check(st == 200 and site.status_of() == ("skipped", "opted_out"),
          "the one-click POST also works as multipart/form-data (RFC 8058's example)",
          (st, site.status_of()))
    r = site.digest("subscribe", "--user", USER.upper())
    check(r.returncode == 0 and site.status_of() == ("ready", None),
          "digest subscribe --user undoes an unsubscribe", r.stderr.decode())

    token = unsub.split("token=")[1]
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    base = unsub.split("?")[0]
    answers = {
        "a changed token": site.request("GET", base + "?token=" + flipped),
        "a garbage token": site.request("GET", base + "?token=hello"),
        "no token": site.request("GET", base),
        "a changed token, posted": site.one_click(base + "?token=" + flipped),
    }
    for what, (st, _, body) in answers.items():
        check(st == 400, f"{what} is refused with 400", st)
    bodies = {body for _, _, body in answers.values()}
    check(len(bodies) == 1 and "does not work" in bodies.pop(),
          "every refused link gets the very same page")
    check(site.status_of() == ("ready", None), "a refused link unsubscribes nobody")
    log = site.serve_log()
    site.stop()

    check(token not in log and "@" not in log and "serve: POST link 200" in log,
          "the server's log names no token and no address", log[-600:])

    site.start("--now", "2030-01-01T00:00:00Z")
    st, _, body = site.request("GET", unsub)
    check(st == 400 and body == answers["no token"][2],
          "an expired link gets the same 400 page", st)
    site.stop()

    site.env = {"DIGEST_UNSUBSCRIBE_KEY": OTHER_KEY}
    site.start()
    st, _, _ = site.request("GET", unsub)
    check(st == 400, "a link made with another key is refused", st)
    site.stop()

    site.s.write_config(open(site.s.config, encoding="utf-8").read().replace(
        'unsubscribe_key_env = "DIGEST_UNSUBSCRIBE_KEY"',
        'unsubscribe_key_env = "DIGEST_UNSUBSCRIBE_KEY"\n'
        'unsubscribe_key_previous_env = "DIGEST_UNSUBSCRIBE_KEY_OLD"'))
    site.env = {"DIGEST_UNSUBSCRIBE_KEY": OTHER_KEY, "DIGEST_UNSUBSCRIBE_KEY_OLD": KEY}
    site.start()
    st, _, page = site.request("GET", unsub)
    check(st == 200 and "Stop the meeting digest?" in page,
          "with the old key as the previous one, links already sent still work", st)
    new_unsub, _ = site.links()
    st, _, _ = site.one_click(new_unsub)
    check(st == 200 and site.status_of()[1] == "opted_out",
          "links made with the new key work too", st)
    site.stop()

    r = site.digest("unsubscribe", token, env={"DIGEST_UNSUBSCRIBE_KEY": KEY})
    check(r.returncode == 0, "digest unsubscribe TOKEN takes the new tokens",
          r.stderr.decode())
finally:
    site.cleanup()
finish()
