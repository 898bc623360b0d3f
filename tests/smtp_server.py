#!/usr/bin/python3
"""A real SMTP server for the tests (aiosmtpd), on 127.0.0.1 only.

It prints "PORT <n>" on stdout once it listens, then serves until SIGTERM.
Each accepted message is written to the spool folder as <n>.eml (the bytes
received, byte for byte) with its envelope in <n>.json. The folder also
holds two counters the tests read: "sessions" (connections made) and
"ehlo" (EHLO commands; a STARTTLS session says EHLO twice).

Faults on demand: --fail-rate/--fail-code refuse a share of DATA,
--reject-rcpt refuses a recipient, --drop-after closes a connection
without a reply, --close-session answers 421 on one connection and
closes it, --auth requires AUTH PLAIN/LOGIN. Each envelope records when
its first RCPT came ("rcpt_at"), when its DATA arrived ("received_at")
and when it was answered ("answered_at"), in seconds since the epoch.

Run it with /usr/bin/python3: Debian's python3-aiosmtpd lives there.
"""

import argparse
import asyncio
import json
import logging
import os
import random
import signal
import ssl
import sys
import time
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    print("smtp_server.py: aiosmtpd is not installed "
          "(apt-get install python3-aiosmtpd)", file=sys.stderr)
    sys.exit(77)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0,
                   help="TCP port on 127.0.0.1; 0 picks a free one")
    p.add_argument("--tls", choices=["starttls", "implicit", "none"],
                   default="none")
    p.add_argument("--cert", help="server certificate (PEM) for TLS")
    p.add_argument("--key", help="server key (PEM) for TLS")
    p.add_argument("--auth", metavar="USER:PASS",
                   help="require AUTH with these credentials")
    p.add_argument("--auth-mech", action="append", choices=["PLAIN", "LOGIN"],
                   help="offer only this mechanism (repeatable)")
    p.add_argument("--spool", required=True, help="folder for messages")
    p.add_argument("--fail-rate", type=float, default=0.0,
                   help="share of DATA refused, 0..1")
    p.add_argument("--fail-code", type=int, default=451)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--reject-rcpt", action="append", default=[],
                   metavar="ADDR:CODE", help="refuse ADDR at RCPT with CODE")
    p.add_argument("--drop-after", type=int, default=None, metavar="N",
                   help="after N messages on a connection, close it "
                        "instead of answering the next DATA")
    p.add_argument("--close-session", type=int, action="append", default=[],
                   metavar="N", help="on the N-th connection, answer the "
                   "first DATA with 421 and close it (repeatable)")
    p.add_argument("--delay", type=float, default=0.0, metavar="S",
                   help="wait S seconds before answering each DATA, so a "
                        "test can kill the client mid-send")
    p.add_argument("--multiline", action="store_true",
                   help="refusals span two lines, the second with an "
                        "ANSI escape (clients must not pass it on)")
    p.add_argument("--idle-timeout", type=float, default=300,
                   help="close a connection idle this many seconds")
    a = p.parse_args(argv)
    if a.tls != "none" and not (a.cert and a.key):
        p.error("--tls %s needs --cert and --key" % a.tls)
    if a.auth and ":" not in a.auth:
        p.error("--auth takes USER:PASS")
    if not 0.0 <= a.fail_rate <= 1.0:
        p.error("--fail-rate must be between 0 and 1")
    if not 400 <= a.fail_code <= 599:
        p.error("--fail-code must be a 4xx or 5xx code")
    rejects = {}
    for item in a.reject_rcpt:
        addr, sep, code = item.rpartition(":")
        if not sep or not code.isdigit() or not 400 <= int(code) <= 599:
            p.error("--reject-rcpt takes ADDR:CODE with a 4xx or 5xx code")
        rejects[addr.lower()] = int(code)
    a.rejects = rejects
    return a


def reply_text(code, what, multiline=False):
    """A reply with an enhanced status code of the right class."""
    if code < 500:
        text = {"rcpt": "%d 4.2.1 Mailbox busy, try again later",
                "data": "%d 4.3.0 Try again later"}[what] % code
    else:
        text = {"rcpt": "%d 5.1.1 Recipient address rejected",
                "data": "%d 5.7.1 Message refused"}[what] % code
    if multiline:
        text = "%d-%s\r\n%d %s \x1b[31mhttps://smtp.test/why" % (
            code, text[4:], code, text[4:9])
    return text


class Spool:
    """The folder the tests read: messages, envelopes, counters."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.count = sum(1 for f in os.listdir(path) if f.endswith(".eml"))
        self.counters = {"sessions": 0, "ehlo": 0}
        for name in self.counters:
            self._write(name, b"0\n")

    def _write(self, name, data):
        tmp = os.path.join(self.path, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(self.path, name))

    def bump(self, name):
        self.counters[name] += 1
        self._write(name, b"%d\n" % self.counters[name])
        return self.counters[name]

    def store(self, content, envelope):
        self.count += 1
        n = self.count
        # The envelope first: a test that sees the .eml finds its sidecar.
        self._write("%d.json" % n, json.dumps(envelope).encode() + b"\n")
        self._write("%d.eml" % n, content)
        return n


class Handler:
    def __init__(self, args, spool):
        self.args = args
        self.spool = spool
        self.rng = random.Random(args.seed)

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        self.spool.bump("ehlo")
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        code = self.args.rejects.get(address.lower())
        if code:
            return reply_text(code, "rcpt", self.args.multiline)
        if not envelope.rcpt_tos:
            # when the message began, for the benches' timelines
            envelope.rcpt_at = time.time()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = time.time()
        if server.number in self.args.close_session:
            # As a relay going down does: say so, then hang up.
            server.transport.write(b"421 4.3.2 smtp.test Service shutting "
                                   b"down\r\n")
            server.transport.close()
            await asyncio.get_running_loop().create_future()
        drop = self.args.drop_after
        if drop is not None and server.accepted >= drop:
            # Abruptly: no reply, the client must treat the message as
            # not delivered. Wait to be cancelled by connection_lost().
            server.transport.abort()
            await asyncio.get_running_loop().create_future()
        if self.args.delay:
            await asyncio.sleep(self.args.delay)
        if self.args.fail_rate and self.rng.random() < self.args.fail_rate:
            return reply_text(self.args.fail_code, "data",
                              self.args.multiline)
        auth = session.auth_data
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "session": server.number,
            "tls": server.implicit_tls or session.ssl is not None,
            "auth": auth if isinstance(auth, dict) else None,
            "received_at": received,
            "rcpt_at": getattr(envelope, "rcpt_at", None),
            "answered_at": time.time(),
        }
        n = self.spool.store(envelope.original_content, record)
        server.accepted += 1
        return "250 2.0.0 OK: queued as %d" % n


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == self.user
              and auth_data.password == self.password)
        if not ok:
            # handled=False: aiosmtpd then sends the 535 itself.
            return AuthResult(success=False, handled=False)
        data = {"user": self.user.decode(), "mechanism": mechanism}
        return AuthResult(success=True, auth_data=data)


class TestSMTP(SMTP):
    """aiosmtpd's server, counting sessions for the spool."""

    def __init__(self, handler, spool, implicit_tls, **kw):
        super().__init__(handler, **kw)
        self.spool = spool
        self.implicit_tls = implicit_tls
        self.number = 0
        self.accepted = 0

    def _timeout_cb(self):
        # Say why, as Postfix does, before aiosmtpd closes an idle
        # connection (a private hook of aiosmtpd 1.4).
        if self.transport is not None:
            self.transport.write(b"421 4.4.2 smtp.test Error: "
                                 b"timeout exceeded\r\n")
        super()._timeout_cb()

    def connection_made(self, transport):
        # A STARTTLS upgrade calls this again for the same session.
        if self.number == 0:
            self.number = self.spool.bump("sessions")
        super().connection_made(transport)


def tls_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    return ctx


def protocol_factory(args, spool, handler, loop):
    kw = {"hostname": "smtp.test", "ident": "digest test server",
          "loop": loop, "enable_SMTPUTF8": True,
          "timeout": args.idle_timeout}
    if args.tls == "starttls":
        kw["tls_context"] = tls_context(args)
        kw["require_starttls"] = True
    if args.auth:
        user, _, password = args.auth.partition(":")
        kw["authenticator"] = Authenticator(user, password)
        kw["auth_required"] = True
        # aiosmtpd only knows about STARTTLS; implicit TLS is encrypted
        # from the first byte, and plain mode is loopback-only testing.
        kw["auth_require_tls"] = args.tls == "starttls"
        if args.auth_mech:
            kw["auth_exclude_mechanism"] = [
                m for m in ("PLAIN", "LOGIN") if m not in args.auth_mech]
    implicit = args.tls == "implicit"
    return lambda: TestSMTP(handler, spool, implicit, **kw)


async def serve(args):
    loop = asyncio.get_running_loop()
    spool = Spool(args.spool)
    handler = Handler(args, spool)
    ssl_ctx = tls_context(args) if args.tls == "implicit" else None
    server = await loop.create_server(
        protocol_factory(args, spool, handler, loop),
        host="127.0.0.1", port=args.port, ssl=ssl_ctx)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    port = server.sockets[0].getsockname()[1]
    print("PORT %d" % port, flush=True)
    await stop
    server.close()
    await server.wait_closed()


def main(argv):
    args = parse_args(argv)
    # aiosmtpd warns about its own deprecations on every AUTH, and about
    # AUTH without STARTTLS, which is what implicit TLS looks like to it.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Requiring AUTH while not")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
