"""Shared helpers for the end-to-end tests: they run the real `digest`
binary, built by CMake, in a scratch folder with a config derived from
digest.toml.example (absolute paths, a private database)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("DIGEST_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("DIGEST_BIN", os.path.join(SRC, "build", "digest"))
SANITIZE = os.environ.get("DIGEST_SANITIZE", "0") == "1"
EXAMPLE = os.path.join(SRC, "digest.toml.example")
DEMO_NOW = "2026-11-23T10:00:00Z"

failures = 0
passes = 0


def check(cond, title, detail=""):
    """Record one assertion; print it like a TAP line."""
    global failures, passes
    if cond:
        passes += 1
        print(f"ok - {title}")
    else:
        failures += 1
        print(f"not ok - {title}")
        if detail:
            print("  " + str(detail).replace("\n", "\n  "))


def finish():
    print(f"{passes} passed, {failures} failed")
    sys.exit(1 if failures else 0)


def set_key(text, table, key, value):
    """Set `key = value` (value already TOML) in [table], uncommenting or
    adding it as needed."""
    lines = text.split("\n")
    out, in_table, done = [], False, False
    for line in lines:
        m = re.match(r"^\s*\[([^\]]+)\]\s*$", line)
        if m:
            if in_table and not done:
                out.append(f"{key} = {value}")
                done = True
            in_table = m.group(1).strip() == table
        elif in_table and not done and re.match(rf"^\s*#?\s*{re.escape(key)}\s*=", line):
            out.append(f"{key} = {value}")
            done = True
            continue
        out.append(line)
    if not done:
        if not in_table:
            out.append(f"[{table}]")
        out.append(f"{key} = {value}")
    return "\n".join(out)


class Scratch:
    """A scratch folder with its own config and database."""

    def __init__(self, **overrides):
        self.dir = tempfile.mkdtemp(prefix="digest-e2e-")
        self.config = os.path.join(self.dir, "digest.toml")
        with open(EXAMPLE, encoding="utf-8") as f:
            text = f.read()
        defaults = {
            ("store", "path"): os.path.join(self.dir, "digest.db"),
            ("source", "path"): os.path.join(SRC, "fixtures", "demo"),
            ("roster", "file"): os.path.join(SRC, "fixtures", "demo", "roster.csv"),
            ("digest", "templates"): os.path.join(SRC, "templates"),
        }
        for (table, key), value in defaults.items():
            text = set_key(text, table, key, toml_str(value))
        for spec, value in overrides.items():
            table, key = spec.split("__")
            text = set_key(text, table, key, value)
        self.write_config(text)

    def write_config(self, text):
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(text)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def run(self, *args, env=None, stdin=None, timeout=120, config=True, valgrind=False):
        cmd = [BIN]
        if config:
            cmd += ["--config", self.config]
        cmd += list(args)
        if valgrind:
            cmd = ["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                   "--error-exitcode=99"] + cmd
        e = dict(os.environ)
        if env:
            e.update(env)
        return subprocess.run(cmd, cwd=self.dir, env=e, input=stdin, capture_output=True,
                              timeout=timeout)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def text(b):
    return b.decode("utf-8", "replace")
