/*
 * mimehdr: header values that are safe to hand to libetpan's writer.
 *
 * Used by mime; split out because it is the part that holds the security
 * and syntax rules, and so that other modules (deliver, for the SMTP
 * envelope) can check addresses the same way.
 *
 * Invariants of every value appended by the functions below:
 * - it is one line: no CR, LF, NUL or other control character (each run
 *   of them and of blanks becomes one space, ends trimmed), so it can
 *   never start a header of its own;
 * - it is 7-bit: non-ASCII text is RFC 2047 encoded (UTF-8 B words of at
 *   most 75 characters, cut between characters, invalid UTF-8 replaced by
 *   U+FFFD), other non-ASCII input is refused;
 * - libetpan can fold it into lines of at most 998 octets: no word is
 *   long enough for libetpan 1.9.4 to cut it (it corrupts such words).
 * Errors: 0 or a DG_E* code with *err filled; DG_EINVAL names the field.
 */
#ifndef DIGEST_MIMEHDR_H
#define DIGEST_MIMEHDR_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "strbuf.h"

/* Append untrusted UTF-8 text s as a Subject value. */
int mimehdr_subject(const char *s, struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Append untrusted UTF-8 text s as a display name for libetpan's mailbox
 * writer, which writes atext words as they are and quotes anything else
 * (never folding inside the quotes, so long ones are encoded instead).
 */
int mimehdr_display_name(const char *s, struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * 0 when addr is an address we write: a dot-atom local part, one '@', a
 * domain of letters, digits, hyphens and dots, at most 254 characters.
 * Quoted local parts, IP literals and non-ASCII (SMTPUTF8) are refused,
 * and so is anything with blanks, controls or '<>' (SMTP command
 * injection). The message starts with what ("recipient address").
 */
int mimehdr_check_address(const char *what, const char *addr,
			  struct dg_err *err)
	__attribute__((warn_unused_result));

/* 0 when id (without <>) is a dot-atom "left@right" of <= 250 chars. */
int mimehdr_check_message_id(const char *id, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Split a configured sender, "Name <addr>", "\"Name, Inc.\" <addr>" or a
 * bare "addr", appending the name (unquoted, not cleaned, maybe empty) to
 * name and the checked address to addr.
 */
int mimehdr_parse_from(const char *from, struct strbuf *name,
		       struct strbuf *addr, struct dg_err *err)
	__attribute__((warn_unused_result));

/* 0 when name is a field name: 1 to 76 printable ASCII, no ':' or blank. */
int mimehdr_check_name(const char *name, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Append the value of the extra header name (already checked with
 * mimehdr_check_name; it is named in errors): ASCII only (else refused),
 * controls and blank runs made one space, not empty. A word over 450
 * characters is cut with white space inside <...> (a long URL: RFC 2369
 * readers ignore that white space) and refused anywhere else.
 */
int mimehdr_extra_value(const char *name, const char *value, struct strbuf *out,
			struct dg_err *err) __attribute__((warn_unused_result));

/*
 * 0 when msg[from..to), lines written by libetpan, keeps the promises of
 * mime.h: 7-bit, no NUL, CR only before LF and LF only after CR, no line
 * over 998 octets and, when header is set (msg[from..) is the start of a
 * message's header), no line of blanks only before the first empty line
 * (libetpan writes one when it cuts a long word; some readers take it for
 * the end of the header). from must be the start of a line. Else
 * DG_EINTERNAL, the message saying what was found at which offset of msg.
 * The quick look (a line at a time) first; the byte by byte walk only
 * says where the fault is.
 */
int mimehdr_check_written(const char *msg, size_t from, size_t to,
			  bool header, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
