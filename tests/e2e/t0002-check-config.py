"""digest check: the example config passes; each problem is named with
where it is; valgrind finds no leak in digest check."""
import os
import shutil

from digesttest import SANITIZE, Scratch, check, finish, set_key, text

s = Scratch()
r = s.run("check")
check(r.returncode == 0, "check passes on the example config", text(r.stdout) + text(r.stderr))
for what in ["config", "templates", "database", "fixtures", "roster file"]:
    check(f"ok    {what}" in text(r.stdout), f"check reports '{what}' ok", text(r.stdout))

# A config error names file, line and key; exit 2.
with open(s.config, encoding="utf-8") as f:
    good = f.read()
s.write_config(set_key(good, "smtp", "port", '"587"'))
r = s.run("check")
err = text(r.stderr)
check(r.returncode == 2 and s.config in err and "port" in err,
      "a wrongly typed key is named with its file, exit 2", err)
lines = good.split("\n")

# A secret written inline is refused and not echoed.
s.write_config(set_key(good, "smtp", "password", '"hunter2-secret"'))
r = s.run("check")
err = text(r.stderr) + text(r.stdout)
check(r.returncode == 2 and "password" in err and "hunter2-secret" not in err,
      "an inline secret is refused without printing it", err)

# A named secret that is missing is reported by name.
cfg = set_key(good, "delivery", "kind", '"smtp"')
cfg = set_key(cfg, "smtp", "username", '"digest"')
cfg = set_key(cfg, "smtp", "password_env", '"DIGEST_TEST_NO_SUCH_VAR"')
s.write_config(cfg)
env = {k: v for k, v in os.environ.items() if k != "DIGEST_TEST_NO_SUCH_VAR"}
r = s.run("check", env=env)
out = text(r.stdout)
check(r.returncode == 2 and "DIGEST_TEST_NO_SUCH_VAR" in out and "FAIL" in out,
      "a missing password variable is named, exit 2", out + text(r.stderr))
r = s.run("check", env={"DIGEST_TEST_NO_SUCH_VAR": "s3cr3t-value"})
out = text(r.stdout) + text(r.stderr)
check(r.returncode == 0 and "s3cr3t-value" not in out,
      "with the variable set check passes and never prints the secret", out)

# A templates folder without the digest templates.
empty = s.path("empty-templates")
os.mkdir(empty)
s.write_config(set_key(good, "digest", "templates", f'"{empty}"'))
r = s.run("check")
out = text(r.stdout)
check(r.returncode == 2 and "FAIL  templates" in out and "digest.txt.mustache" in out,
      "a templates folder without digest.txt.mustache is named", out)

# An unwritable database path.
s.write_config(set_key(good, "store", "path", '"/nonexistent/dir/digest.db"'))
r = s.run("check")
out = text(r.stdout)
check(r.returncode == 2 and "FAIL  database" in out and "/nonexistent/dir/digest.db" in out,
      "a database that cannot be opened is named", out)

# valgrind: no leak in digest check (not under ASan, which replaces malloc).
s.write_config(good)
if SANITIZE or not shutil.which("valgrind"):
    print("# skip valgrind: sanitizer build or no valgrind")
else:
    r = s.run("check", valgrind=True, timeout=300)
    check(r.returncode == 0, "valgrind --leak-check=full digest check: no errors, no leaks",
          text(r.stderr)[-3000:])

s.cleanup()
finish()
