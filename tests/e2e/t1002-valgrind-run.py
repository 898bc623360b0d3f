"""The real binary under valgrind: a whole run, previews in every format
and a roster import show no memory error and no leak."""
import shutil

from digesttest import SANITIZE, Scratch, check, finish, text

if SANITIZE or not shutil.which("valgrind"):
    print("skipped: sanitizer build (valgrind cannot run it) or no valgrind")
    raise SystemExit(77)

s = Scratch()
runs = [("run",), ("run", "--dry-run"),
        ("preview", "--user", "zoe.martin@contoso.com", "--format", "json"),
        ("preview", "--user", "omer.yilmaz@contoso.com", "--format", "mime"),
        ("preview", "--user", "bikash.shrestha@contoso.com", "--format", "text"),
        ("roster", "list"), ("status",)]
for args in runs:
    r = s.run(*args, valgrind=True, timeout=600)
    check(r.returncode != 99, "valgrind: no error or leak in digest " + " ".join(args),
          text(r.stderr)[-4000:])
s.cleanup()
finish()
