/*
 * mime: one digest as an RFC 5322 message, built with libetpan.
 *
 * The message is multipart/alternative (text/plain, then text/html, both
 * UTF-8 and quoted-printable) with Date, From, To, Subject, Message-ID,
 * MIME-Version and the caller's extra headers (List-Unsubscribe, ...).
 * Subject and display names come from calendar data and are untrusted.
 *
 * Invariants of every message mime_build() produces:
 * - it is 7-bit, CRLF throughout, ends with CRLF, and has no line over
 *   998 octets (what libetpan wrote is checked on the result, not
 *   assumed; the bodies are so by construction of mimeqp);
 * - no header value holds CR, LF, NUL or another control character: each
 *   run of them (and of blanks) becomes one space, ends are trimmed, so a
 *   value can never start a header of its own;
 * - non-ASCII text in Subject and display names is RFC 2047 encoded
 *   (UTF-8 B words of at most 75 characters, split between characters);
 * - Date is written in UTC (+0000) from the caller's clock;
 * - the multipart boundary is random (libsodium), not libetpan's guessable
 *   time/pid one.
 * The header rules themselves live in mimehdr.h. libetpan writes every
 * header and part header; the bodies are encoded by mimeqp.h (libetpan's
 * quoted-printable, byte for byte, for less) straight into the message.
 * Errors: functions return 0 or a DG_E* code and fill *err; DG_EINVAL names
 * the field that was refused.
 */
#ifndef DIGEST_MIME_H
#define DIGEST_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

/* One extra header; name is printable ASCII without ':' or blanks. */
struct mime_header {
	const char *name;
	const char *value;
};

/* Everything is borrowed; NULL only where said. */
struct mime_message {
	/* "Meeting digest <digest@example.com>" or a bare address */
	const char *from;
	/* recipient's display name, UTF-8, untrusted; may be NULL */
	const char *to_name;
	const char *to_address;
	/* UTF-8, may hold untrusted calendar text */
	const char *subject;
	/* text/plain and text/html bodies, UTF-8 */
	const char *text;
	const char *html;
	/* seconds since the epoch: the Date header */
	int64_t date;
	/* without angle brackets: "digest.abc123@example.com" */
	const char *message_id;
	/* e.g. List-Unsubscribe, List-Unsubscribe-Post, Auto-Submitted */
	const struct mime_header *extra;
	size_t nextra;
};

/*
 * Build m and append it to out. Refused (DG_EINVAL, message naming the
 * field): a missing field, an invalid From, To or Message-ID address, an
 * extra header whose name is not a valid field name or is one this
 * function writes itself (Subject, To, Bcc, ...), an extra header value
 * with non-ASCII bytes or with a word too long to fold (a long URL inside
 * <...> is folded instead: RFC 2369 readers ignore the white space).
 */
int mime_build(const struct mime_message *m, struct strbuf *out,
	       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Append msg[0..len) to out with its Date header set to when (seconds
 * since the epoch, written in UTC as mime_build() writes it). Delivery
 * calls it as it hands a message over, so Date says when the message
 * left, not when it was planned (a late retry is not backdated, which
 * spam filters score); previews keep the planning clock. A message
 * without a Date gets one as its first header. out is reset on failure.
 */
int mime_set_date(const char *msg, size_t len, int64_t when,
		  struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * A Message-ID (without angle brackets) for one digest attempt:
 * "digest.<32 hex digits>@<domain of from>". The same (user, date,
 * attempt) always give the same id, any change gives another, so a retry
 * of the same attempt is recognised as a duplicate by the receiver, and a
 * deliberate resend (a new attempt) is not. Appended to out.
 */
int mime_message_id(const char *user, const char *date, unsigned attempt,
		    const char *from, struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
