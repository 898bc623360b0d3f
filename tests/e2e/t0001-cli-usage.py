"""The command line: help for the command and every subcommand, bad usage
is exit 2 with usage on stderr, stdout stays clean."""
from digesttest import Scratch, check, finish, text

s = Scratch()
COMMANDS = ["run", "preview", "resend", "roster", "users", "connect", "status",
            "check", "unsubscribe"]

r = s.run("--help", config=False)
check(r.returncode == 0, "digest --help exits 0", r.returncode)
out = text(r.stdout)
check(out.startswith("usage: digest"), "digest --help prints usage on stdout", out[:200])
for c in COMMANDS:
    check(f"  {c} " in out, f"digest --help lists '{c}'")
check(r.stderr == b"", "digest --help writes nothing on stderr", r.stderr)

for c in COMMANDS:
    r = s.run(c, "--help", config=False)
    check(r.returncode == 0 and text(r.stdout).startswith("usage: digest " + c),
          f"digest {c} --help prints its usage, exit 0", (r.returncode, r.stdout[:120], r.stderr))

r = s.run("--version", config=False)
check(r.returncode == 0 and text(r.stdout).startswith("digest "), "--version prints the version")

r = s.run("--bogus", config=False)
check(r.returncode == 2, "an unknown global option exits 2", r.returncode)
check(r.stdout == b"" and "usage: digest" in text(r.stderr),
      "an unknown global option prints usage on stderr, nothing on stdout", (r.stdout, r.stderr))

r = s.run("run", "--bogus")
check(r.returncode == 2 and "usage: digest run" in text(r.stderr) and r.stdout == b"",
      "an unknown run option prints run's usage on stderr, exit 2", (r.returncode, r.stderr))

r = s.run(config=False)
check(r.returncode == 2 and "no command" in text(r.stderr), "no command exits 2", r.stderr)

r = s.run("frobnicate", config=False)
check(r.returncode == 2 and "'frobnicate' is not a digest command" in text(r.stderr),
      "an unknown command is named, exit 2", r.stderr)

r = s.run("preview")
check(r.returncode == 2 and "--user" in text(r.stderr), "preview without --user exits 2", r.stderr)

r = s.run("preview", "--user", "x@contoso.com", "--format", "pdf")
check(r.returncode == 2 and "'pdf'" in text(r.stderr), "a bad --format is named, exit 2", r.stderr)

r = s.run("run", "--date", "24-11-2026")
check(r.returncode == 2 and "YYYY-MM-DD" in text(r.stderr), "a bad --date exits 2", r.stderr)

r = s.run("run", "--jobs", "0")
check(r.returncode == 2 and "--jobs" in text(r.stderr), "--jobs 0 is refused, exit 2", r.stderr)

r = s.run("--now", "yesterday", "run", config=False)
check(r.returncode == 2 and "--now" in text(r.stderr) and "RFC 3339" in text(r.stderr),
      "a bad --now names the option, exit 2", r.stderr)

r = s.run("roster", "frob")
check(r.returncode == 2 and "usage: digest roster" in text(r.stderr), "a bad roster verb exits 2", r.stderr)

r = s.run("users", "sync")
check(r.returncode == 2 and "DIGEST_GRAPH_SECRET is not set" in text(r.stderr),
      "'users sync' without the client secret names its variable, exit 2",
      (r.returncode, r.stderr))
r = s.run("users")
check(r.returncode == 2 and "users needs a subcommand: sync" in text(r.stderr),
      "'users' alone asks for 'sync', exit 2", (r.returncode, r.stderr))
r = s.run("connect")
check(r.returncode == 2 and 'auth = "delegated"' in text(r.stderr),
      "'connect' in app mode says it is for delegated mode, exit 2",
      (r.returncode, r.stderr))

r = s.run("--config", "/nonexistent/digest.toml", "check", config=False)
check(r.returncode == 2 and "/nonexistent/digest.toml" in text(r.stderr),
      "a missing config file is named, exit 2", r.stderr)

s.cleanup()
finish()
