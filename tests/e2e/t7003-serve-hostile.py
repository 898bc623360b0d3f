"""digest serve against hostile requests, over raw sockets: an oversized
body (announced or not), other methods, other paths and path traversal,
CR or LF inside a header, oversized headers, a client that sends slowly
and one that sends nothing, garbage instead of HTTP, more requests than a
client's budget. Each gets a 4xx or a closed connection, nothing is
changed, and the server keeps serving."""
import socket
import time

from digesttest import check, finish
from servetest import USER, Site


def raw(site, data, read=True, timeout=15):
    """Send bytes, return the status line ("" when closed first)."""
    s = socket.create_connection(("127.0.0.1", site.port), timeout=timeout)
    try:
        s.sendall(data)
        if not read:
            return ""
        buf = b""
        while b"\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        return buf.split(b"\r\n")[0].decode("latin-1")
    except (ConnectionResetError, BrokenPipeError):
        return ""
    finally:
        s.close()


def status_of(line):
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def refused(line):
    """A 4xx, or the connection closed without an answer."""
    st = status_of(line)
    return line == "" or 400 <= st < 500


site = Site()
try:
    unsub, _ = site.links()
    path = unsub.split("127.0.0.1:%d" % site.port)[1]
    site.start()

    big = b"List-Unsubscribe=One-Click&x=" + b"a" * 20000
    line = raw(site, b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: %d\r\n\r\n" % len(big) + big)
    check(status_of(line) == 413, "an announced oversized body gets 413", line)
    line = raw(site, b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" +
               b"".join(b"%x\r\n%s\r\n" % (1000, b"b" * 1000) for _ in range(10)) + b"0\r\n\r\n")
    check(refused(line), "a chunked body past the limit is refused", line)
    check(site.status_of() == ("ready", None), "neither body unsubscribed anyone")

    for method in ["PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"]:
        line = raw(site, method.encode() + b" " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Length: 0\r\n\r\n")
        check(status_of(line) == 405, f"{method} gets 405", line)
    line = raw(site, b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    check(status_of(line) == 405, "POST to /healthz gets 405", line)

    for p in [b"/", b"/../../etc/passwd", b"/unsubscribe/../healthz", b"/%2e%2e/%2e%2e/etc/passwd",
              b"/unsubscribe/x", b"//unsubscribe", b"/UNSUBSCRIBE"]:
        line = raw(site, b"GET " + p + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        check(refused(line), f"GET {p.decode()} is refused", line)

    line = raw(site, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nX-A: a\rInjected: b\r\n\r\n")
    check(refused(line), "a bare CR inside a header is refused", line)
    line = raw(site, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nX-A: a\nInjected b\r\n\r\n")
    check(refused(line), "a bare LF starting a broken header line is refused", line)
    line = raw(site, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 40000 +
               b"\r\n\r\n")
    check(refused(line), "an oversized header is refused", line)
    line = raw(site, b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    check(refused(line), "an oversized request line is refused", line)
    line = raw(site, b"\x16\x03\x01\x00\xa5garbage\r\n\r\n")
    check(refused(line), "a TLS hello or garbage instead of HTTP is refused", line)

    # A slow client: one that stops in the middle of its headers is cut
    # off after the idle timeout, and meanwhile others are served.
    slow = socket.create_connection(("127.0.0.1", site.port), timeout=30)
    slow.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n")
    t0 = time.monotonic()
    st, _, _ = site.request("GET", "/healthz")
    check(st == 200, "a stalled client does not hold up others", st)
    try:
        closed = slow.recv(100) == b""
    except (ConnectionResetError, socket.timeout):
        closed = True
    waited = time.monotonic() - t0
    slow.close()
    check(closed and waited < 25, "a stalled client is disconnected after the idle timeout",
          (closed, waited))
    # Several idle connections at once do not stop the server either.
    idle = [socket.create_connection(("127.0.0.1", site.port)) for _ in range(10)]
    check(site.request("GET", "/healthz")[0] == 200, "ten idle connections leave it serving")
    for s in idle:
        s.close()

    check(site.alive(), "after all that, the server still answers")
    check(site.status_of() == ("ready", None), "and nobody was unsubscribed")

    codes = [site.request("GET", "/healthz")[0] for _ in range(130)]
    check(429 in codes, "a client past its budget of requests per minute gets 429",
          codes[-5:])
    log = site.serve_log()
    lines = [l for l in log.splitlines() if "serve:" in l]
    check(lines and not any(USER in l or "127.0.0.1" in l for l in lines),
          "the log names no address, not even the client's", log[-400:])
    rc = site.stop()
    check(rc == 143 and "stopped serving" in site.serve_log(),
          "SIGTERM stops it cleanly, with the exit status of every command stopped so", rc)
finally:
    site.cleanup()
finish()
