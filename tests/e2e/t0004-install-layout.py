"""cmake --install: the binary, templates, demo tenant, example config,
systemd units, man pages (clean under mandoc -Tlint) and bash completion
land in their usual places under the install prefix; the installed config
has absolute paths and no templates key, so the compiled-in default finds
the installed templates."""
import gzip
import os
import re
import shutil
import subprocess

from digesttest import SRC, Scratch, check, finish, set_key, text, toml_str

BUILD = os.environ.get("DIGEST_BUILD", os.path.join(SRC, "build"))


def cache_value(name):
    with open(os.path.join(BUILD, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(rf"^{name}:[A-Z]+=(.*)$", line)
            if m:
                return m.group(1)
    return None


s = Scratch()
dest = s.path("dest")
prefix = cache_value("CMAKE_INSTALL_PREFIX")
r = subprocess.run(["cmake", "--install", BUILD], env=dict(os.environ, DESTDIR=dest),
                   capture_output=True, timeout=120)
check(r.returncode == 0, "cmake --install into a DESTDIR succeeds", text(r.stderr))
root = dest + prefix


def installed(rel):
    return os.path.join(root, rel)


check(os.access(installed("bin/digest"), os.X_OK), "the binary is in bin/")
for rel in ["share/digest/templates/digest.txt.mustache",
            "share/digest/templates/digest.html.mustache",
            "share/digest/demo/roster.csv", "share/digest/demo/users.json",
            "share/doc/digest/digest.toml.example", "share/doc/digest/README.md",
            "share/doc/digest/digest.rules.yml",
            "share/bash-completion/completions/digest",
            "lib/systemd/system/digest.service", "lib/systemd/system/digest.timer"]:
    check(os.path.isfile(installed(rel)), f"{rel} is installed")

serve = os.path.exists(os.path.join(SRC, "cmd", "serve.c"))
check(os.path.isfile(installed("lib/systemd/system/digest-serve.service")) == serve,
      "digest-serve.service is installed exactly when the serve command exists")

with open(installed("lib/systemd/system/digest.service"), encoding="utf-8") as f:
    unit = f.read()
check(f"ExecStart={prefix}/bin/digest run\n" in unit,
      "digest.service runs the installed binary", unit)
check("User=digest\n" in unit and "DIGEST_CONFIG=" in unit,
      "digest.service runs as the digest user with DIGEST_CONFIG set", unit)
with open(installed("lib/systemd/system/digest.timer"), encoding="utf-8") as f:
    timer = f.read()
check("OnCalendar=hourly" in timer and "WantedBy=timers.target" in timer,
      "digest.timer fires hourly and can be enabled", timer)

pages = {"share/man/man1/digest.1.gz": ".Dt DIGEST 1",
         "share/man/man5/digest.toml.5.gz": ".Dt DIGEST.TOML 5"}
for rel, title in pages.items():
    path = installed(rel)
    ok = os.path.isfile(path)
    check(ok, f"{rel} is installed")
    if ok:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            check(title in f.read(), f"{rel} is the hand-written page")

# mandoc's STYLE level flags cross-references to pages not installed on
# this machine; warnings and errors are what a page must not have.
if shutil.which("mandoc"):
    for page in ["doc/digest.1", "doc/digest.toml.5"]:
        r = subprocess.run(["mandoc", "-Tlint", "-Wwarning", os.path.join(SRC, page)],
                           capture_output=True)
        check(r.returncode == 0 and not r.stdout and not r.stderr,
              f"mandoc -Tlint finds no warning in {page}", text(r.stdout + r.stderr))
else:
    print("# mandoc not installed: man pages not linted (apt-get install mandoc)")

# The configuration the Debian package puts in /etc/digest.
etc = os.path.join(BUILD, "etc", "digest.toml")
with open(etc, encoding="utf-8") as f:
    conf = f.read()
check(re.search(r"^templates\s*=", conf, re.M) is None,
      "the installed config names no templates folder (the default finds them)", conf)
check('path = "/var/lib/digest/digest.db"' in conf,
      "the installed config keeps its database in /var/lib/digest")
check(f'path = "{prefix}/share/digest/demo"' in conf
      and f'file = "{prefix}/share/digest/demo/roster.csv"' in conf,
      "the installed config reads the installed demo tenant")

# That config, its paths moved into this scratch tree, runs the demo from
# another directory: the templates come from the default, not the cwd.
if prefix and os.path.isdir(installed("share/digest/templates")):
    moved = conf.replace(prefix + "/share/digest/demo", installed("share/digest/demo"))
    moved = set_key(moved, "store", "path", toml_str(s.path("digest.db")))
    s.write_config(moved)
    r = s.run("check")
    out = text(r.stdout)
    check(f"{prefix}/share/digest/templates" in out or r.returncode == 0,
          "check looks for templates in the installed folder", out)

s.cleanup()
finish()
