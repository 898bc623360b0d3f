"""Helpers for the tests of `digest serve`: a scratch config whose links
point at a server on 127.0.0.1, the server started on a free port, and a
real HTTP client (http.client) that reads every answer."""
import http.client
import os
import re
import socket
import subprocess
import time
import urllib.parse

from digesttest import BIN, Scratch, toml_str

KEY = "8f1b6f1e3c7d4a5b9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f"
OTHER_KEY = "11223344556677889900aabbccddeeff11223344556677889900aabbccddeeff"
USER = "zoe.martin@contoso.com"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """A scratch folder whose digests link to http://127.0.0.1:PORT."""

    def __init__(self, **overrides):
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        over = {
            "digest__unsubscribe_url": toml_str(self.origin + "/unsubscribe?token={token}"),
            "digest__unsubscribe_key_env": toml_str("DIGEST_UNSUBSCRIBE_KEY"),
        }
        over.update(overrides)
        self.s = Scratch(**over)
        self.env = {"DIGEST_UNSUBSCRIBE_KEY": KEY}
        self.proc = None
        self.log = None

    def digest(self, *args, env=None):
        e = dict(self.env)
        e.update(env or {})
        return self.s.run(*args, env=e)

    def links(self, user=USER):
        """The (unsubscribe, preferences) links of user's digest."""
        # English: every language's footer may not carry both links yet
        r = self.digest("preview", "--user", user, "--format", "text", "--locale", "en-US")
        urls = re.findall(r"(http://127\.0\.0\.1:\d+/unsubscribe\?token=[A-Za-z0-9_-]+)",
                          r.stdout.decode())
        return urls[0], urls[1]

    def start(self, *extra, env=None):
        e = dict(os.environ)
        e.update(self.env)
        e.update(env or {})
        self.log = open(self.s.path("serve.log"), "wb")
        self.proc = subprocess.Popen(
            [BIN, "--config", self.s.config] + list(extra) +
            ["serve", "--listen", f"127.0.0.1:{self.port}"],
            cwd=self.s.dir, env=e, stdout=self.log, stderr=self.log)
        for _ in range(100):
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("digest serve did not start: " + self.serve_log())

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
            self.proc = None
            self.log.close()
            return rc
        return None

    def alive(self):
        return self.proc and self.proc.poll() is None and \
            self.request("GET", "/healthz")[0] == 200

    def serve_log(self):
        with open(self.s.path("serve.log"), encoding="utf-8", errors="replace") as f:
            return f.read()

    def request(self, method, url, body=None, headers=None):
        """(status, headers dict, body text) of one request."""
        u = urllib.parse.urlsplit(url)
        path = u.path + ("?" + u.query if u.query else "")
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path or "/", body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
        finally:
            c.close()

    def one_click(self, link):
        return self.request("POST", link, body="List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def post_form(self, link, fields, origin=True, form=None):
        """POST the page's form: its form token, then fields."""
        if form is None:
            form = form_token(self.request("GET", link)[2])
        pairs = [("form", form)] + list(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if origin is True:
            headers["Origin"] = self.origin
        elif origin:
            headers["Origin"] = origin
        return self.request("POST", link, body=urllib.parse.urlencode(pairs), headers=headers)

    def status_of(self, user=USER):
        """The preview's status and skip reason for user."""
        import json
        r = self.digest("preview", "--user", user, "--format", "json")
        m = json.loads(r.stdout)
        return m["status"], m.get("skip_reason")

    def cleanup(self):
        self.stop()
        self.s.cleanup()


def form_token(page):
    m = re.search(r'name="form" value="([^"]+)"', page)
    return m.group(1) if m else ""
