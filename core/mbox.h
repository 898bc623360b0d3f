/*
 * mbox: messages as an mboxrd stream, for "stdout" delivery.
 *
 * Each message becomes a "From <sender> <asctime date in UTC>" line, the
 * message with CRLF turned into LF (mbox files are LF), and a blank line.
 * Quoting is mboxrd: a line matching /^>*From / gets one more '>', so a
 * reader removes exactly one and gets every line back, including lines
 * that were ">From " to begin with.
 *
 * Invariants: out holds whole messages only on success; the sender is one
 * token, so the From line is always one line.
 * Errors: 0 or a DG_E* code with *err filled. A failed append to out
 * empties out (strbuf's rule).
 */
#ifndef DIGEST_MBOX_H
#define DIGEST_MBOX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

/*
 * Append msg[0..len) to out as one mbox entry. envelope_from is the
 * sender for the From line (NULL or "" gives MAILER-DAEMON); it must not
 * hold blanks or control characters. when is the delivery time in seconds
 * since the epoch.
 */
int mbox_append(struct strbuf *out, const char *envelope_from, int64_t when,
		const char *msg, size_t len, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
