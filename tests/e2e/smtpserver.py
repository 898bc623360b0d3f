"""A real SMTP server for the end-to-end tests: tests/smtp_server.py
(aiosmtpd from Debian's python3-aiosmtpd) on 127.0.0.1, started on a
free port and stopped with SIGTERM; plus a throw-away test CA."""
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("DIGEST_SRC",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("DIGEST_BUILD", os.path.join(SRC, "build"))
PYTHON = os.environ.get("DIGEST_PYTHON", "/usr/bin/python3")
SERVER = os.path.join(SRC, "tests", "smtp_server.py")
MAKE_CA = os.path.join(SRC, "tests", "make_test_ca.sh")
SEND = os.path.join(BUILD, "smtp-send")


def skip(why):
    print("skipped: " + why)
    sys.exit(77)


def check_prerequisites():
    if subprocess.run([PYTHON, "-c", "import aiosmtpd"],
                      capture_output=True).returncode:
        skip("aiosmtpd is not installed for %s "
             "(apt-get install python3-aiosmtpd)" % PYTHON)
    if not shutil.which("openssl"):
        skip("openssl is not installed")


class Server:
    """tests/smtp_server.py on a free port, stopped with SIGTERM."""

    def __init__(self, work, *args):
        self.spool = tempfile.mkdtemp(prefix="spool.", dir=work)
        self.errlog = open(os.path.join(self.spool, "..",
                                        os.path.basename(self.spool)
                                        + ".log"), "w+")
        self.proc = subprocess.Popen(
            [PYTHON, SERVER, "--port", "0", "--spool", self.spool]
            + list(args),
            stdout=subprocess.PIPE, stderr=self.errlog, text=True)
        self.port = self._read_port()

    def _read_port(self):
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("PORT "):
            self.proc.kill()
            raise AssertionError("the server did not start: %r %s"
                                 % (line, self.log()))
        return int(line.split()[1])

    def log(self):
        self.errlog.seek(0)
        return self.errlog.read()

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("the server ignored SIGTERM")
        self.errlog.close()
        if code != 0:
            raise AssertionError("the server exited %d on SIGTERM" % code)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind:
            self.proc.kill()
            self.proc.wait()
            return False
        self.stop()
        return False

    def counter(self, name):
        with open(os.path.join(self.spool, name)) as f:
            return int(f.read())

    def messages(self):
        names = sorted((f for f in os.listdir(self.spool)
                        if f.endswith(".eml")), key=lambda f: int(f[:-4]))
        out = []
        for name in names:
            with open(os.path.join(self.spool, name), "rb") as f:
                body = f.read()
            with open(os.path.join(self.spool, name[:-4] + ".json")) as f:
                out.append((body, json.load(f)))
        return out




def make_ca(work):
    """A CA and a localhost certificate in work/ca; returns the folder."""
    folder = os.path.join(work, "ca")
    subprocess.run(["sh", MAKE_CA, folder], check=True, capture_output=True)
    return folder
