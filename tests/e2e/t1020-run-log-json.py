#!/usr/bin/python3
"""--log-format json and [log] format = "json": stderr is one JSON object
per line (time, level, message; user, date, outcome and reason on a
user's line), stdout is untouched, and no password, client secret or
token appears in any line, along the error paths too."""
import json
import re

from digesttest import DEMO_NOW, Scratch, check, finish, set_key, text
from graphtest import (SECRET, GraphServer, env, graph_config, leaks,
                       secrets_seen)
from smtpserver import Server, make_ca

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
OUTCOMES = {"sent", "skipped", "waiting", "deferred", "failed", "ready",
            "queued", "untried"}


def parse(stderr):
    """Every line of stderr as an object; the lines that are not, apart."""
    objs, bad = [], []
    for line in text(stderr).split("\n"):
        if not line:
            continue
        try:
            o = json.loads(line)
        except ValueError:
            bad.append(line)
            continue
        if isinstance(o, dict):
            objs.append(o)
        else:
            bad.append(line)
    return objs, bad


def well_formed(o):
    return (TIME.match(o.get("time", "")) is not None
            and o.get("level") in ("error", "warning", "info", "debug")
            and isinstance(o.get("message"), str))


s = Scratch()
plain = s.run("run")
r = s.run("--log-format", "json", "run")
objs, bad = parse(r.stderr)
check(r.returncode == 0, "a json run of the demo exits 0", text(r.stderr)[-600:])
check(objs and not bad, "every stderr line is a JSON object", bad[:3])
check(all(well_formed(o) for o in objs),
      "each has an RFC 3339 time, a level and a message",
      [o for o in objs if not well_formed(o)][:3])
users = [o for o in objs if "user" in o]
text_users = re.findall(r"^digest: (\S+@\S+) (\S+): (\w+)", text(plain.stderr), re.M)
check(len(users) == len(text_users) and len(users) >= 8,
      "one object per user, as the text log has one line per user",
      (len(users), len(text_users)))
check(all(o.get("outcome") in OUTCOMES and re.match(r"^\d{4}-\d\d-\d\d$", o.get("date", ""))
          for o in users), "each user's object has its date and outcome", users[:3])
skipped = [o for o in users if o["outcome"] == "skipped"]
check(skipped and all(o.get("reason") for o in skipped),
      "a skipped user's object names the reason", skipped[:3])
check(any(re.search(r"\d+ (digests? )?sent", o["message"]) for o in objs if "user" not in o),
      "the run's summary is an object too", objs[-2:])
# Message-IDs and boundaries differ from run to run; the messages do not.
check(r.stdout.startswith(b"From ")
      and r.stdout.count(b"\nFrom ") == plain.stdout.count(b"\nFrom "),
      "stdout holds the same mbox as with text logs")

s.write_config(set_key(open(s.config, encoding="utf-8").read(), "log", "format", '"json"'))
r = s.run("run")
objs, bad = parse(r.stderr)
check(r.returncode == 0 and objs and not bad, "[log] format = \"json\" does the same",
      text(r.stderr)[:400])
r = s.run("--log-format", "text", "run")
check(text(r.stderr).startswith("digest: "), "--log-format text wins over the config",
      text(r.stderr)[:200])
r = s.run("--log-format", "xml", "run")
check(r.returncode == 2 and "--log-format" in text(r.stderr),
      "an unknown --log-format is bad usage, exit 2", text(r.stderr))
s.write_config(open(s.config, encoding="utf-8").read().replace('format = "json"',
                                                               'format = "yaml"'))
r = s.run("run")
check(r.returncode == 2 and "[log] format" in text(r.stderr),
      "an unknown [log] format is a config error, exit 2", text(r.stderr))
s.cleanup()

# SMTP with a login: a wrong password then the right one, debug on.
outputs = {}
s0 = Scratch()
ca = make_ca(s0.dir)
WRONG, RIGHT = "wr0ng-Pass+word/9", "r1ght-Pass+word/7"
with Server(s0.dir, "--tls", "starttls", "--cert", f"{ca}/server.pem",
            "--key", f"{ca}/server.key", "--auth", f"digest:{RIGHT}") as srv:
    s = Scratch(delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                smtp__port=str(srv.port), smtp__username='"digest"',
                smtp__password_env='"DIGEST_TEST_SMTP_PW"',
                smtp__ca_file=f'"{ca}/ca.pem"', log__format='"json"')
    for name, pw in (("wrong", WRONG), ("right", RIGHT)):
        r = s.run("run", env={"DIGEST_TEST_SMTP_PW": pw, "DIGEST_DEBUG": "1"})
        outputs[f"smtp {name} stderr"] = r.stderr
        objs, bad = parse(r.stderr)
        check(objs and not bad, f"smtp run with the {name} password: JSON lines only",
              bad[:3])
    check(any(o.get("outcome") == "sent" for o in objs),
          "the right password's run logs sent users", objs[:3])
    s.cleanup()
s0.cleanup()
check(not leaks(outputs, {WRONG, RIGHT}), "no SMTP password in any JSON line",
      leaks(outputs, {WRONG, RIGHT}))

# Graph with a client secret, tokens expiring and throttled answers.
srv = GraphServer("--expire-token-after", "3", "--fail-429", "0.1",
                  "--retry-after", "1", "--seed", "5")
s = Scratch()
stats = None
try:
    graph_config(s, srv)
    e = env(DIGEST_DEBUG="1")
    for args in (("users", "sync"), ("run", "--dry-run")):
        r = s.run("--log-format", "json", "--now", DEMO_NOW, *args, env=e)
        outputs[" ".join(args)] = r.stderr
        objs, bad = parse(r.stderr)
        check(objs and not bad, f"graph {' '.join(args)}: JSON lines only", bad[:3])
    r = s.run("--log-format", "json", "--now", DEMO_NOW, "users", "sync",
              env=env(secret="n0t-The~Secret/at+all", DIGEST_DEBUG="1"))
    outputs["wrong secret"] = r.stderr
    objs, bad = parse(r.stderr)
    check(r.returncode != 0 and objs and not bad
          and any(o["level"] == "error" for o in objs),
          "a refused sign-in is an error object", text(r.stderr)[-400:])
finally:
    stats = srv.stop()
    s.cleanup()
secrets = (secrets_seen(stats) if stats else set()) | {SECRET, "n0t-The~Secret/at+all"}
check(not leaks(outputs, secrets), "no Graph secret or token in any JSON line",
      leaks(outputs, secrets))

finish()
