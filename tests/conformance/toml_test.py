"""toml-test: every TOML 1.0 case of the public suite against toml-decoder.

valid/**/*.toml must decode to the tagged JSON of the sibling .json,
compared the way toml-test compares (same structure and types, integers and
strings as text, floats by value with nan equal to nan, date-times by value
after normalizing the separator, 'z' and the precision of the fraction).
invalid/**/*.toml must be refused: exit status 1 and a message. A crash, a
sanitizer report or a time-out is a failure, never a refusal.

Environment: DIGEST_CONFORMANCE (the suites), DIGEST_BUILD (toml-decoder).
Exit 0 when all pass, 1 otherwise, 77 (skipped) without the suite.
"""

import concurrent.futures
import datetime
import json
import math
import os
import re
import subprocess
import sys

# Distinct statuses so that a sanitizer's abort cannot pass for a refusal.
SANITIZER_EXIT = 86
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer",
                   "UndefinedBehaviorSanitizer", "runtime error:")
TIMEOUT = 60


def sanitizer_env():
    env = dict(os.environ)
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        opts = env.get(var, "")
        env[var] = (opts + ":" if opts else "") + \
            "exitcode=%d" % SANITIZER_EXIT
    return env


def run_decoder(decoder, path, env):
    with open(path, "rb") as f:
        data = f.read()
    return subprocess.run([decoder], input=data, capture_output=True,
                          timeout=TIMEOUT, env=env)


def crashed(proc):
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0:
        return "killed by signal %d" % -proc.returncode
    if proc.returncode == SANITIZER_EXIT or \
            any(mark in err for mark in SANITIZER_MARKS):
        return "sanitizer report:\n" + err
    return None


DATETIME_RE = re.compile(
    r"^(?:(\d{4})-(\d{2})-(\d{2}))?"
    r"(?:T?(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?"
    r"(Z|[+-]\d{2}:\d{2})?$")


def datetime_value(kind, text):
    """A comparable value for a date-time's text, or None if malformed."""
    text = text.replace(" ", "T").replace("t", "T").replace("z", "Z")
    m = DATETIME_RE.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, off = m.groups()
    has_date, has_time = y is not None, h is not None
    expect = {"datetime": (True, True, True),
              "datetime-local": (True, True, False),
              "date-local": (True, False, False),
              "time-local": (False, True, False)}[kind]
    if (has_date, has_time, off is not None) != expect:
        return None
    # Nanoseconds, as Go's time package keeps them.
    nanos = int((frac or "").ljust(9, "0")[:9] or "0")
    if kind == "time-local":
        return (int(h), int(mi), int(s), nanos)
    date = datetime.date(int(y), int(mo), int(d))
    if kind == "date-local":
        return date
    stamp = datetime.datetime(date.year, date.month, date.day,
                              int(h), int(mi), int(s))
    if off and off != "Z":
        sign = -1 if off[0] == "-" else 1
        delta = datetime.timedelta(hours=int(off[1:3]),
                                   minutes=int(off[4:6]))
        stamp -= sign * delta
    return (stamp, nanos)


def float_value(text):
    try:
        return float(text)
    except ValueError:
        return None


def is_value(obj):
    return isinstance(obj, dict) and set(obj) == {"type", "value"} and \
        isinstance(obj["type"], str)


def compare_values(want, have, key):
    if not is_value(have):
        return "%s: expected a %s, got %r" % (key, want["type"], have)
    kind = want["type"]
    if have["type"] != kind:
        return "%s: expected type %s, got %s" % (key, kind, have["type"])
    w, h = want["value"], have["value"]
    if not isinstance(h, str):
        return "%s: value is not a string: %r" % (key, h)
    if kind == "float":
        wf, hf = float_value(w), float_value(h)
        if hf is None:
            return "%s: %r is not a float" % (key, h)
        if math.isnan(wf) and math.isnan(hf):
            return None
        if wf != hf:
            return "%s: expected %s, got %s" % (key, w, h)
        return None
    if kind in ("datetime", "datetime-local", "date-local", "time-local"):
        if datetime_value(kind, h) is None:
            return "%s: %r is not a %s" % (key, h, kind)
        if datetime_value(kind, w) != datetime_value(kind, h):
            return "%s: expected %s, got %s" % (key, w, h)
        return None
    if w != h:
        return "%s: expected %r, got %r" % (key, w, h)
    return None


def compare(want, have, key="(root)"):
    """None when have matches want, else what differs."""
    if isinstance(want, list):
        if not isinstance(have, list):
            return "%s: expected an array, got %r" % (key, have)
        if len(want) != len(have):
            return "%s: expected %d items, got %d" % (key, len(want),
                                                      len(have))
        for i, (w, h) in enumerate(zip(want, have)):
            diff = compare(w, h, "%s[%d]" % (key, i))
            if diff:
                return diff
        return None
    if is_value(want):
        return compare_values(want, have, key)
    if not isinstance(have, dict) or is_value(have):
        return "%s: expected a table, got %r" % (key, have)
    if set(want) != set(have):
        return "%s: keys differ: missing %s, unexpected %s" % (
            key, sorted(set(want) - set(have)),
            sorted(set(have) - set(want)))
    for k in want:
        diff = compare(want[k], have[k], "%s.%s" % (key, k))
        if diff:
            return diff
    return None


def check_valid(decoder, suite, case, env):
    proc = run_decoder(decoder, os.path.join(suite, case), env)
    why = crashed(proc)
    if why:
        return why
    if proc.returncode != 0:
        return "refused valid TOML (exit %d): %s" % (
            proc.returncode, proc.stderr.decode("utf-8", "replace"))
    with open(os.path.join(suite, case[:-len(".toml")] + ".json"),
              encoding="utf-8") as f:
        want = json.load(f)
    try:
        have = json.loads(proc.stdout.decode("utf-8"))
    except ValueError as e:
        return "malformed JSON output: %s" % e
    return compare(want, have)


def check_invalid(decoder, suite, case, env):
    proc = run_decoder(decoder, os.path.join(suite, case), env)
    why = crashed(proc)
    if why:
        return why
    if proc.returncode == 0:
        return "accepted invalid TOML"
    if proc.returncode != 1:
        return "unexpected exit status %d" % proc.returncode
    if not proc.stderr.strip():
        return "refused without a message"
    return None


def check(decoder, suite, case, env):
    try:
        if case.startswith("valid/"):
            return check_valid(decoder, suite, case, env)
        return check_invalid(decoder, suite, case, env)
    except subprocess.TimeoutExpired:
        return "timed out after %d s" % TIMEOUT


def main():
    suite = os.path.join(os.environ.get("DIGEST_CONFORMANCE", ""),
                         "toml-test")
    listing = os.path.join(suite, "files-toml-1.0.0")
    if not os.path.isfile(listing):
        print("toml-test: suite not found at %s, skipped" % suite)
        return 77
    decoder = os.path.join(os.environ["DIGEST_BUILD"], "toml-decoder")
    with open(listing, encoding="utf-8") as f:
        cases = [line.strip() for line in f
                 if line.strip().endswith(".toml")]
    env = sanitizer_env()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(
            lambda case: (case, check(decoder, suite, case, env)), cases))
    failed = [(case, why) for case, why in results if why]
    for case, why in failed:
        print("FAIL %s: %s" % (case, why))
    print("toml-test: %d passed, %d failed" % (len(cases) - len(failed),
                                               len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
