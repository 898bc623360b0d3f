/*
 * maildir: deliver a message into a maildir, for "maildir" delivery.
 *
 * The maildir rules (cr.yp.to/proto/maildir.html) make a delivery safe
 * without locks: the message is written under a unique name in tmp/,
 * fsynced, then linked into new/, where a reader sees it whole or not at
 * all; the tmp/ name is then removed and new/ fsynced, so a delivery that
 * returned 0 survives a power cut (a failed fsync of new/ only logs a
 * warning: the message is visible by then, and a retry would deliver it
 * twice). Unique names are
 * "<seconds>.M<microseconds>P<pid>Q<count>.<host>", the host with '/' and
 * ':' written as "\057" and "\072"; a name taken already (same pid, same
 * fixed clock) moves on to the next count.
 *
 * Line ends: the message is stored with LF, each CRLF turned into LF (a
 * lone CR is kept). A maildir file is a local file, and local mail files
 * use the local convention: mutt, Dovecot and Courier read LF, and would
 * show a stray CR at the end of each line or count the size in CRLF where
 * they expect LF. The message is otherwise byte for byte the one given.
 *
 * Errors: 0 or a DG_E* code (DG_EIO for the file system) with *err
 * naming the path and the system's reason.
 */
#ifndef DIGEST_MAILDIR_H
#define DIGEST_MAILDIR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

/*
 * Deliver msg[0..len) (CRLF line ends, as mime builds it) into the
 * maildir dir, creating dir and its tmp/, new/ and cur/ (mode 0700) when
 * missing; dir's parent must exist. now_ms is the delivery time, for the
 * name. On success the message's name in new/ is appended to name_out
 * (may be NULL); on failure nothing is left in tmp/ or new/.
 */
int maildir_deliver(const char *dir, const char *msg, size_t len,
		    int64_t now_ms, struct strbuf *name_out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Append the unique name of the count-th delivery of this process at
 * now_ms on host to out ("1795503600.M123000P42Q1.mail\057host").
 * maildir_deliver() uses it; it is public for tests.
 */
int maildir_name(int64_t now_ms, unsigned long count, const char *host,
		 struct strbuf *out) __attribute__((warn_unused_result));

#endif
