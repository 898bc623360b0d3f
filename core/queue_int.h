/*
 * queue_int: what the files of module queue share; not for other modules.
 *
 * queue.c keeps table queue (the rows and their messages); queue_status.c
 * keeps table outcomes and the status view over both. Both read their
 * rows into arrays the same way, with the reader below.
 *
 * Ownership: the array *v is the caller's throughout: on success and on
 * failure alike, it frees the *n rows it holds with its own free
 * (queue_msgs_free(), queue_status_free()).
 */
#ifndef DIGEST_QUEUE_INT_H
#define DIGEST_QUEUE_INT_H

#include <sqlite3.h>
#include <stddef.h>

#include "err.h"
#include "store.h"

/*
 * Step stmt to the end, appending to the array *v (*n rows of size
 * bytes) a zeroed row for each result, counted before read() fills it, so
 * that the caller's free reaches a row read only in part. what names the
 * reading in a failure ("cannot read the queue").
 */
int queue_read_rows(struct store *st, sqlite3_stmt *stmt, void **v, size_t *n,
		    size_t size, int (*read)(sqlite3_stmt *stmt, void *row),
		    const char *what, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
