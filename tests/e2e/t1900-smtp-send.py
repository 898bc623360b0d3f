#!/usr/bin/python3
"""t1900: core/smtp against a real SMTP server (tests/smtp_server.py).

Each test starts the aiosmtpd server on 127.0.0.1, sends message files
with the build-tree tool smtp-send and checks what the client printed,
its exit status (0 sent, 75 deferred, 1 refused) and what reached the
server's spool. Skipped (77) when aiosmtpd or openssl is missing.
"""

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from smtpserver import Server, check_prerequisites, skip  # noqa: E402

SRC = os.environ.get("DIGEST_SRC",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("DIGEST_BUILD", os.path.join(SRC, "build"))
PYTHON = os.environ.get("DIGEST_PYTHON", "/usr/bin/python3")
SERVER = os.path.join(SRC, "tests", "smtp_server.py")
MAKE_CA = os.path.join(SRC, "tests", "make_test_ca.sh")
SEND = os.path.join(BUILD, "smtp-send")

PASSWORD = "s3cret-Pa55word"
EX_SENT, EX_REFUSED, EX_DEFERRED = 0, 1, 75

# CRLF text as libetpan writes it, with lines the SMTP dot-stuffing must
# carry through unchanged.
MESSAGE = (b"From: Meeting digest <digest@example.com>\r\n"
           b"To: ana@example.com\r\n"
           b"Subject: Your meetings on 2026-11-24\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n"
           b"\r\n"
           b"09:00 Weekly sync\r\n"
           b".a line starting with a dot\r\n"
           b"..two dots\r\n"
           b".\r\n"
           b"=46rom the start of a line\r\n"
           b"\r\n")


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.lines = proc.stdout.splitlines()

    def __repr__(self):
        return "exit %d\nstdout: %s\nstderr: %s" % (self.code, self.out,
                                                   self.err)


class Suite:
    def __init__(self, work):
        self.work = work
        self.failed = []
        self.count = 0
        self.ca = os.path.join(work, "ca")
        subprocess.run(["sh", MAKE_CA, self.ca], check=True,
                       capture_output=True)
        self.msg = self.file("message.eml", MESSAGE)

    def file(self, name, data):
        path = os.path.join(self.work, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def pem(self, name):
        return os.path.join(self.ca, name)

    def tls_args(self, mode, cert="server"):
        return ["--tls", mode, "--cert", self.pem(cert + ".pem"),
                "--key", self.pem(cert + ".key")]

    def send(self, port, *args, files=None, to="ana@example.com",
             password=PASSWORD, host="127.0.0.1"):
        env = dict(os.environ, SMTP_TEST_PASSWORD=password)
        for var in ("all_proxy", "ALL_PROXY", "smtp_proxy", "SMTP_PROXY"):
            env.pop(var, None)
        cmd = [SEND, "--host", host, "--port", str(port),
               "--from", "digest@example.com", "--to", to]
        cmd += list(args) + (files or [self.msg])
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env=env, timeout=120)
        result = Result(proc)
        assert PASSWORD not in result.out + result.err, \
            "the password was printed: %r" % result
        return result

    def run(self, title, fn):
        self.count += 1
        try:
            fn(self)
        except Exception as e:  # a failed assert or a crashed step
            self.failed.append(title)
            print("not ok %d - %s\n#   %s" % (self.count, title,
                                           str(e).replace("\n", "\n#   ")))
            return
        print("ok %d - %s" % (self.count, title))


def expect(cond, what, result=None):
    if not cond:
        raise AssertionError(what + ("\n%r" % result if result else ""))


def free_closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- the tests ------------------------------------------------------------

def plain_send_lands_byte_identical(t):
    with Server(t.work) as srv:
        r = t.send(srv.port, "--tls", "none")
        expect(r.code == EX_SENT and r.lines == ["SENT"], "not sent", r)
        msgs = srv.messages()
    expect(len(msgs) == 1, "expected one message, got %d" % len(msgs))
    body, env = msgs[0]
    expect(body == MESSAGE, "the spooled message differs:\n%r" % body)
    expect(env["mail_from"] == "digest@example.com", "envelope: %r" % env)
    expect(env["rcpt_tos"] == ["ana@example.com"], "envelope: %r" % env)
    expect(env["tls"] is False, "plain mode used TLS?")


def message_without_final_line_break_gets_one(t):
    path = t.file("no-eol.eml", MESSAGE.rstrip(b"\r\n"))
    with Server(t.work) as srv:
        r = t.send(srv.port, "--tls", "none", files=[path])
        expect(r.code == EX_SENT, "not sent", r)
        body = srv.messages()[0][0]
    expect(body == MESSAGE.rstrip(b"\r\n") + b"\r\n", "got %r" % body[-20:])


def starttls_with_auth(mech):
    def test(t):
        with Server(t.work, *t.tls_args("starttls"),
                    "--auth", "digest:" + PASSWORD,
                    "--auth-mech", mech) as srv:
            r = t.send(srv.port, "--tls", "starttls", "--user", "digest",
                       "--password-env", "SMTP_TEST_PASSWORD",
                       "--ca-file", t.pem("ca.pem"))
            expect(r.code == EX_SENT, "not sent", r)
            body, env = srv.messages()[0]
        expect(body == MESSAGE, "the spooled message differs")
        expect(env["tls"] is True, "not over TLS: %r" % env)
        expect(env["auth"] == {"user": "digest", "mechanism": mech},
               "not authenticated with %s: %r" % (mech, env))
    return test


def implicit_tls_with_auth(t):
    with Server(t.work, *t.tls_args("implicit"),
                "--auth", "digest:" + PASSWORD) as srv:
        r = t.send(srv.port, "--tls", "implicit", "--user", "digest",
                   "--password-env", "SMTP_TEST_PASSWORD",
                   "--ca-file", t.pem("ca.pem"))
        expect(r.code == EX_SENT, "not sent", r)
        body, env = srv.messages()[0]
    expect(body == MESSAGE and env["tls"] is True, "envelope %r" % env)
    expect(env["auth"]["user"] == "digest", "not authenticated")


def untrusted_certificate_is_deferred_naming_host(t):
    with Server(t.work, *t.tls_args("starttls")) as srv:
        r = t.send(srv.port, "--tls", "starttls")
        expect(srv.messages() == [], "a message was delivered")
    expect(r.code == EX_DEFERRED and r.lines == ["TEMPFAIL"], "exit", r)
    expect("smtp 127.0.0.1:%d: the TLS certificate of 127.0.0.1 is not "
           "trusted" % srv.port in r.err, "message", r)


def certificate_for_another_host_is_refused(t):
    with Server(t.work, *t.tls_args("implicit", "wrong")) as srv:
        r = t.send(srv.port, "--tls", "implicit",
                   "--ca-file", t.pem("ca.pem"))
        expect(srv.messages() == [], "a message was delivered")
    expect(r.code == EX_DEFERRED, "exit", r)
    expect("certificate of 127.0.0.1 is not trusted" in r.err
           and "wrong.example" in r.err, "message", r)


def wrong_password_gives_535_without_the_password(t):
    with Server(t.work, *t.tls_args("starttls"),
                "--auth", "digest:" + PASSWORD) as srv:
        r = t.send(srv.port, "--tls", "starttls", "--user", "digest",
                   "--password-env", "SMTP_TEST_PASSWORD",
                   "--ca-file", t.pem("ca.pem"),
                   password="not-" + PASSWORD[::-1])
        expect(srv.messages() == [], "a message was delivered")
    expect(r.code == EX_REFUSED, "exit", r)
    expect(r.lines == ["PERMFAIL 535 5.7.8 Authentication credentials "
                       "invalid"], "stdout", r)
    expect("smtp 127.0.0.1:%d: authentication failed: 535 5.7.8 "
           "Authentication credentials invalid" % srv.port in r.err,
           "message", r)
    expect(PASSWORD[::-1] not in r.out + r.err, "password printed", r)


def missing_auth_is_refused_for_the_run(t):
    with Server(t.work, *t.tls_args("starttls"),
                "--auth", "digest:" + PASSWORD) as srv:
        r = t.send(srv.port, "--tls", "starttls",
                   "--ca-file", t.pem("ca.pem"))
    expect(r.code == EX_REFUSED, "exit", r)
    expect("does not accept mail from us" in r.err and "530" in r.err,
           "message", r)


def deferred_data_is_tempfail_with_reply(t):
    with Server(t.work, "--fail-rate", "1", "--fail-code", "451") as srv:
        r = t.send(srv.port, "--tls", "none")
        expect(srv.messages() == [], "a message was delivered")
    expect(r.code == EX_DEFERRED, "exit", r)
    expect(r.lines == ["TEMPFAIL 451 4.3.0 Try again later"], "stdout", r)
    expect("smtp 127.0.0.1:%d: message to ana@example.com deferred: 451 "
           "4.3.0 Try again later" % srv.port in r.err, "message", r)


def refused_data_is_permfail_with_reply(t):
    with Server(t.work, "--fail-rate", "1", "--fail-code", "554") as srv:
        r = t.send(srv.port, "--tls", "none")
    expect(r.code == EX_REFUSED, "exit", r)
    expect(r.lines == ["PERMFAIL 554 5.7.1 Message refused"], "stdout", r)


def refused_recipient_is_permfail_with_reply(t):
    with Server(t.work, "--reject-rcpt", "gone@example.com:550") as srv:
        r = t.send(srv.port, "--tls", "none", to="gone@example.com")
        expect(srv.messages() == [], "a message was delivered")
    expect(r.code == EX_REFUSED, "exit", r)
    expect(r.lines == ["PERMFAIL 550 5.1.1 Recipient address rejected"],
           "stdout", r)
    expect("message to gone@example.com refused: 550" in r.err, "msg", r)


def multiline_reply_is_one_clean_line(t):
    with Server(t.work, "--reject-rcpt", "gone@example.com:550",
                "--multiline") as srv:
        r = t.send(srv.port, "--tls", "none", to="gone@example.com")
    expect(r.code == EX_REFUSED, "exit", r)
    expect(r.lines == ["PERMFAIL 550 5.1.1 Recipient address rejected "
                       "5.1.1 ?[31mhttps://smtp.test/why"], "stdout", r)
    expect("\x1b" not in r.out + r.err, "an escape reached the output", r)


def busy_recipient_is_tempfail(t):
    with Server(t.work, "--reject-rcpt", "busy@example.com:450") as srv:
        r = t.send(srv.port, "--tls", "none", to="busy@example.com")
    expect(r.code == EX_DEFERRED and r.lines[0].startswith("TEMPFAIL 450"),
           "exit", r)


def refused_connection_is_tempfail_naming_server(t):
    port = free_closed_port()
    r = t.send(port, "--tls", "none")
    expect(r.code == EX_DEFERRED and r.lines == ["TEMPFAIL"], "exit", r)
    expect("smtp 127.0.0.1:%d: cannot connect" % port in r.err, "msg", r)


def silent_server_times_out_as_tempfail(t):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    try:
        start = time.monotonic()
        r = t.send(port, "--tls", "none", "--timeout", "2")
        took = time.monotonic() - start
    finally:
        listener.close()
    expect(r.code == EX_DEFERRED, "exit", r)
    expect("smtp 127.0.0.1:%d: no answer within 2 seconds" % port in r.err,
           "message", r)
    expect(took < 10, "the timeout took %.1f s" % took)


def injected_address_is_refused_before_the_server(t):
    with Server(t.work) as srv:
        r = t.send(srv.port, "--tls", "none", to="a@b>\r\nRSET")
        sessions = srv.counter("sessions")
    expect(r.code == EX_REFUSED and r.lines == ["PERMFAIL"], "exit", r)
    expect('recipient address "a@b>\\r\\nRSET" is not valid' in r.err,
           "message", r)
    expect(sessions == 0, "the server was contacted %d times" % sessions)


def three_messages_use_one_connection(t):
    with Server(t.work) as srv:
        r = t.send(srv.port, "--tls", "none", files=[t.msg] * 3)
        expect(r.lines == ["SENT"] * 3, "not all sent", r)
        expect(srv.counter("sessions") == 1, "sessions: %d"
               % srv.counter("sessions"))
        expect(srv.counter("ehlo") == 1, "EHLOs: %d" % srv.counter("ehlo"))
        expect(len(srv.messages()) == 3, "spool")


def three_messages_over_starttls_use_one_connection(t):
    with Server(t.work, *t.tls_args("starttls"),
                "--auth", "digest:" + PASSWORD) as srv:
        r = t.send(srv.port, "--tls", "starttls", "--user", "digest",
                   "--password-env", "SMTP_TEST_PASSWORD",
                   "--ca-file", t.pem("ca.pem"), files=[t.msg] * 3)
        expect(r.lines == ["SENT"] * 3, "not all sent", r)
        # EHLO, STARTTLS, EHLO again: one session.
        expect(srv.counter("sessions") == 1, "sessions")
        expect(srv.counter("ehlo") == 2, "EHLOs: %d" % srv.counter("ehlo"))


def dropped_connection_is_tempfail_and_next_reconnects(t):
    with Server(t.work, *t.tls_args("starttls"), "--drop-after", "1") as srv:
        r = t.send(srv.port, "--tls", "starttls",
                   "--ca-file", t.pem("ca.pem"), files=[t.msg] * 3)
        expect(r.lines == ["SENT", "TEMPFAIL", "SENT"], "outcomes", r)
        expect(r.code == EX_DEFERRED, "exit", r)
        expect("before the server gave a verdict" in r.err, "message", r)
        expect(srv.counter("sessions") == 2, "sessions")
        expect(len(srv.messages()) == 2, "spool")


def idle_connection_closed_by_server_is_reopened(mode):
    """The server says 421 and closes while the client waits."""
    def test(t):
        tls = t.tls_args(mode) if mode != "none" else []
        with Server(t.work, *tls, "--idle-timeout", "1") as srv:
            r = t.send(srv.port, "--tls", mode, "--pause", "2",
                       "--ca-file", t.pem("ca.pem"), files=[t.msg] * 2)
            expect(r.lines == ["SENT", "SENT"] and r.code == EX_SENT,
                   "outcomes", r)
            expect(srv.counter("sessions") == 2, "sessions")
            expect(len(srv.messages()) == 2, "spool")
    return test


def main():
    check_prerequisites()
    if not os.access(SEND, os.X_OK):
        print("FAIL: %s is not built" % SEND)
        sys.exit(1)
    tests = [
        ("plain send lands in the spool byte-identical",
         plain_send_lands_byte_identical),
        ("a message without a final line break gets one",
         message_without_final_line_break_gets_one),
        ("STARTTLS with the test CA and AUTH PLAIN delivers",
         starttls_with_auth("PLAIN")),
        ("STARTTLS with the test CA and AUTH LOGIN delivers",
         starttls_with_auth("LOGIN")),
        ("implicit TLS with AUTH delivers", implicit_tls_with_auth),
        ("an untrusted certificate defers, naming host and certificate",
         untrusted_certificate_is_deferred_naming_host),
        ("a certificate for another host name is not trusted",
         certificate_for_another_host_is_refused),
        ("a wrong password gives the 535 reply and never the password",
         wrong_password_gives_535_without_the_password),
        ("a server requiring AUTH refuses a client without it",
         missing_auth_is_refused_for_the_run),
        ("451 at DATA is TEMPFAIL with the reply text",
         deferred_data_is_tempfail_with_reply),
        ("554 at DATA is PERMFAIL with the reply text",
         refused_data_is_permfail_with_reply),
        ("550 at RCPT is PERMFAIL with the reply text",
         refused_recipient_is_permfail_with_reply),
        ("450 at RCPT is TEMPFAIL", busy_recipient_is_tempfail),
        ("a multi-line reply becomes one line without control characters",
         multiline_reply_is_one_clean_line),
        ("a refused connection is TEMPFAIL naming host:port",
         refused_connection_is_tempfail_naming_server),
        ("a silent server times out as TEMPFAIL",
         silent_server_times_out_as_tempfail),
        ("an injected address is refused before reaching the server",
         injected_address_is_refused_before_the_server),
        ("three messages go over one connection with one EHLO",
         three_messages_use_one_connection),
        ("three messages over STARTTLS use one connection",
         three_messages_over_starttls_use_one_connection),
        ("a dropped connection is TEMPFAIL and the next message reconnects",
         dropped_connection_is_tempfail_and_next_reconnects),
        ("an idle connection the server closed with 421 is reopened",
         idle_connection_closed_by_server_is_reopened("none")),
        ("an idle STARTTLS connection the server closed is reopened",
         idle_connection_closed_by_server_is_reopened("starttls")),
    ]
    work = tempfile.mkdtemp(prefix="t1900.")
    try:
        suite = Suite(work)
        for title, fn in tests:
            suite.run(title, fn)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1..%d" % suite.count)
    if suite.failed:
        print("# failed %d of %d" % (len(suite.failed), suite.count))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
