/*
 * status: what `digest status` shows: one row per user of a day, as a
 * table for people or as JSON for scripts. Rows come from the queue, and
 * from the tokens of delegated users who must sign in again.
 */
#ifndef DIGEST_STATUS_H
#define DIGEST_STATUS_H

#include <stddef.h>

#include "err.h"
#include "queue_status.h"
#include "store.h"
#include "strbuf.h"

/*
 * The rows of date (NULL: the latest day run) from the queue; and every
 * delegated user whose sign-in was refused, shown as failed, "needs
 * reconnect", whatever the day: the fix is theirs (digest connect).
 * *rows (*n of them) is yours: queue_status_free() it.
 */
int status_rows(struct store *st, const char *date,
		struct queue_status_row **rows, size_t *n, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Append the rows as an aligned table (a header line first). */
int status_format_text(const struct queue_status_row *rows, size_t n,
		       struct strbuf *out) __attribute__((warn_unused_result));

/* Append the rows as a JSON array of objects, one per row. */
int status_format_json(const struct queue_status_row *rows, size_t n,
		       struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
