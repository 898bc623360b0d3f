/*
 * status: what `digest status` shows: one row per user of a day, as a
 * table for people or as JSON for scripts. Rows come from the queue.
 */
#ifndef DIGEST_STATUS_H
#define DIGEST_STATUS_H

#include <stddef.h>

#include "err.h"
#include "queue.h"
#include "strbuf.h"

/* Append the rows as an aligned table (a header line first). */
int status_format_text(const struct queue_status_row *rows, size_t n,
		       struct strbuf *out) __attribute__((warn_unused_result));

/* Append the rows as a JSON array of objects, one per row. */
int status_format_json(const struct queue_status_row *rows, size_t n,
		       struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
