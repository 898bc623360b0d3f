"""Helpers for the tests that meet tests/graph_server.py, the stand-in
Microsoft Graph: start and stop it, read its statistics, change its faults
at run time, make Graph calls by hand, and point a Scratch config at it."""
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from digesttest import DEMO_NOW, SRC, set_key, text, toml_str

PYTHON = os.environ.get("DIGEST_PYTHON", "/usr/bin/python3")
SERVER = os.path.join(SRC, "tests", "graph_server.py")
DEMO = os.path.join(SRC, "fixtures", "demo")
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
# Characters a form must escape, so a client that forgets to fails.
SECRET = "Qx8~test.Secret+with/odd=chars_0"
SECRET_ENV = "DIGEST_GRAPH_SECRET"
# 32 bytes, hex, for libsodium's secretbox.
TOKEN_KEY = "8f1c0a5e2b7d4f6a9c3e1b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a"
TOKEN_KEY_ENV = "DIGEST_TOKEN_KEY"

USERS = {
    "zoe": "zoe.martin@contoso.com",
    "omer": "omer.yilmaz@contoso.com",
    "yui": "yui.nakamura@contoso.com",
    "priya": "priya.raman@contoso.com",
    "oliver": "oliver.bennett@contoso.com",
    "bikash": "bikash.shrestha@contoso.com",
    "dana": "dana.whitfield@contoso.com",
    "marcus": "marcus.lee@contoso.com",
    "hannah": "hannah.schmidt@contoso.com",
    "rainier": "rainier@contoso.com",
}
# What the fixtures source makes of the demo tenant on the 24th.
READY = ["zoe", "omer", "yui", "priya", "oliver"]


class GraphServer:
    """tests/graph_server.py on a free port; stop() sends SIGTERM and
    returns the statistics it wrote."""

    def __init__(self, *args, tenant_dir=DEMO, generate=None,
                 start_timeout=30):
        self.work = tempfile.mkdtemp(prefix="graph-server-")
        self.stats_path = os.path.join(self.work, "stats.json")
        self.log_path = os.path.join(self.work, "server.log")
        self.errlog = open(self.log_path, "w+")
        src = ["--generate", str(generate)] if generate else \
            ["--tenant-dir", tenant_dir]
        self.proc = subprocess.Popen(
            [PYTHON, SERVER, "--port", "0", "--stats", self.stats_path]
            + src + [str(a) for a in args],
            stdout=subprocess.PIPE, stderr=self.errlog, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [],
                                    start_timeout)
        line = self.proc.stdout.readline() if ready else ""
        m = re.match(r"PORT (\d+)", line)
        if not m:
            self.proc.kill()
            self.errlog.seek(0)
            raise RuntimeError("graph_server.py did not start: "
                               + self.errlog.read())
        self.port = int(m.group(1))
        self.root = f"http://127.0.0.1:{self.port}"
        self.base_url = self.root + "/v1.0"
        self.login_url = self.root

    # -- control --------------------------------------------------------

    def stats(self):
        return self.http("GET", "/_control/stats")[2]

    def control(self, what, data=None):
        st, _, body = self.http("POST", "/_control/" + what, data or {})
        if st != 200:
            raise RuntimeError(f"/_control/{what}: {st} {body}")
        return body

    def configure(self, **settings):
        return self.control("config", settings)

    def stop(self, keep=False):
        """SIGTERM; the statistics it wrote (None if none). The server's
        folder (stats, log) goes unless keep."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.errlog.seek(0)
        self.log = self.errlog.read()
        self.errlog.close()
        try:
            with open(self.stats_path, encoding="utf-8") as f:
                stats = json.load(f)
        except (OSError, ValueError):
            stats = None
        if not keep:
            shutil.rmtree(self.work, ignore_errors=True)
        return stats

    # -- plain HTTP -----------------------------------------------------

    def http(self, method, path, data=None, headers=None, form=None,
             raw_url=None):
        """(status, headers, parsed JSON body or text)."""
        url = raw_url or self.root + path
        h = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif data is not None:
            body = json.dumps(data).encode()
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(url, data=body, method=method,
                                     headers=h)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                st, hdrs, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            st, hdrs, raw = e.code, e.headers, e.read()
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return st, hdrs, parsed

    def token_form(self, form, tenant=TENANT):
        return self.http("POST", f"/{tenant}/oauth2/v2.0/token", form=form)

    def app_token(self, secret=SECRET):
        st, _, body = self.token_form({
            "client_id": CLIENT_ID, "client_secret": secret,
            "scope": "https://graph.microsoft.com/.default",
            "grant_type": "client_credentials"})
        if st != 200:
            raise RuntimeError(f"token: {st} {body}")
        return body["access_token"]

    def get(self, path, token, headers=None, raw_url=None):
        h = {"Authorization": "Bearer " + token}
        h.update(headers or {})
        return self.http("GET", "/v1.0" + (path or ""), headers=h,
                         raw_url=raw_url)

    def get_all(self, path, token, headers=None):
        """Follow @odata.nextLink verbatim; (pages, items)."""
        pages, items, url = [], [], self.base_url + path
        while url:
            st, h, body = self.get(None, token, headers, raw_url=url)
            if st != 200:
                raise RuntimeError(f"GET {url}: {st} {body}")
            pages.append(body)
            items += body.get("value", [])
            url = body.get("@odata.nextLink")
        return pages, items

    def batch(self, token, requests):
        return self.http("POST", "/v1.0/$batch", {"requests": requests},
                         {"Authorization": "Bearer " + token})


def graph_config(scratch, server, auth="app", secret_env=SECRET_ENV,
                 extra=None):
    """Point scratch's config at the stand-in: [source] kind = "graph" and
    the [graph] table. In delegated mode the client secret line goes (a
    public client sends none) and the token key comes from TOKEN_KEY_ENV."""
    with open(scratch.config, encoding="utf-8") as f:
        text = f.read()
    text = set_key(text, "source", "kind", toml_str("graph"))
    for key, value in [("base_url", server.base_url),
                       ("login_url", server.login_url),
                       ("tenant", TENANT), ("client_id", CLIENT_ID),
                       ("auth", auth)]:
        text = set_key(text, "graph", key, toml_str(value))
    text = set_key(text, "graph", "timeout", "20")
    if auth == "app":
        text = set_key(text, "graph", "client_secret_env",
                       toml_str(secret_env))
    else:
        text = re.sub(r"(?m)^client_secret_env\s*=.*$", "", text)
        text = set_key(text, "graph", "token_key_env",
                       toml_str(TOKEN_KEY_ENV))
    for (table, key), value in (extra or {}).items():
        text = set_key(text, table, key, value)
    scratch.write_config(text)


def env(secret=SECRET, **more):
    e = {SECRET_ENV: secret, TOKEN_KEY_ENV: TOKEN_KEY}
    e.update(more)
    return e


def dry_run_outcomes(stderr):
    """{user: outcome} from `run` log lines: 'digest: a@x DATE: ready (dry
    run) ...', 'skipped (reason)', 'failed ...'."""
    out = {}
    for m in re.finditer(r"^digest: (\S+@\S+) \d{4}-\d{2}-\d{2}: (.*)$",
                         stderr, re.M):
        out[m.group(1).lower()] = m.group(2)
    return out


def ready_users(stderr):
    return sorted(u for u, o in dry_run_outcomes(stderr).items()
                  if o.startswith("ready"))


def secrets_seen(stats):
    """Every credential the stand-in saw or issued: bearer tokens (the
    value after "Bearer "), access, refresh and device codes."""
    found = set()
    for h in stats.get("auth_headers", []):
        found.add(h.split(" ", 1)[-1].strip())
    found |= set(stats.get("access_tokens_issued", []))
    found |= set(stats.get("refresh_tokens_issued", []))
    found |= {d["device_code"] for d in stats.get("device_codes", [])}
    return {s for s in found if len(s) >= 16}


def leaks(outputs, secret_values):
    """The secrets (or a 16-character piece of one) found in outputs."""
    hits = []
    for s in secret_values:
        pieces = {s, s[-24:]} | {s[i:i + 24]
                                 for i in range(0, max(1, len(s) - 24), 8)}
        for name, out in outputs.items():
            text = out if isinstance(out, str) else out.decode("utf-8",
                                                               "replace")
            if any(p in text for p in pieces):
                hits.append((name, s[:12] + "..."))
                break
    return hits


def skip_unless_binary(bin_path):
    if not os.access(bin_path, os.X_OK):
        print(f"FAIL: {bin_path} is not built")
        sys.exit(1)


def preview_json(scratch, who, extra_env=None):
    """Run preview --format json; (result, the model or None)."""
    r = scratch.run("--now", DEMO_NOW, "preview", "--user", who,
                    "--format", "json", env=extra_env)
    try:
        model = json.loads(text(r.stdout))
    except ValueError:
        model = None
    return r, model


def json_diff(a, b, path="$"):
    """The first place two JSON values differ, for the failure message."""
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'graph' if k in a else 'fixtures'}"
            d = json_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = json_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"
