/*
 * mimeqp: a text body in quoted-printable, byte for byte as libetpan
 * 1.9.4's writer encodes it, at a small part of its cost.
 *
 * Why it exists: libetpan has one quoted-printable encoder,
 * mailmime_quoted_printable_write_driver(), and it was most of the cost
 * of a digest's message: every escaped byte (each '"' and '=' of the
 * HTML, each byte of UTF-8, each 'F') goes through snprintf() and two
 * callback writes that look at every byte again. mime encodes the bodies
 * here, straight into the message, and libetpan writes every header and
 * part header around them. No other library of ours encodes
 * quoted-printable the same way (libcurl's escapes other bytes and breaks
 * lines elsewhere), and the digests must not change.
 *
 * What it writes, libetpan's rules (tests/unit/test_mimeqp.c compares
 * both on many inputs, and the fuzz target of mime does on any input):
 * - each line end (LF, CRLF or a lone CR) is a CRLF hard break;
 * - blanks (space, tab) before a line end or at the end are dropped: the
 *   text means the same without them, and libetpan writes such a blank
 *   both raw and as =20, which decodes as two;
 * - space, tab and the printable ASCII but !"#$=?@[\]^_`{|}~ and F are
 *   written as they are (F: no line may start with "From "); every other
 *   byte as =XX (upper-case hex);
 * - a soft break "=" CRLF comes before a byte, or a line end, once the
 *   line holds more than 72 octets, so a line has at most 76.
 * The result is 7-bit and CRLF only; it ends with CRLF when the text ends
 * with a line end.
 *
 * How: the text is looked at 64 bytes at a time for the bytes that end a
 * run of raw ones (escapes, line ends), a bit each (SSE2 where there is
 * one, the table elsewhere); each run is copied whole, 16 bytes at a
 * time. That is cheaper than keeping lines already encoded and looking
 * them up (hash, compare), which mimeqp did before: it no longer paid.
 */
#ifndef DIGEST_MIMEQP_H
#define DIGEST_MIMEQP_H

#include <stddef.h>

#include "strbuf.h"

/*
 * Append text[0..len) (any bytes, NUL too) quoted-printable to out.
 * 0, or DG_ENOMEM / DG_ETOOBIG from out (then emptied, as strbuf says).
 */
int mimeqp_encode(const char *text, size_t len, struct strbuf *out)
	__attribute__((warn_unused_result));

#endif
