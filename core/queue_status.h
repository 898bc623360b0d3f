/*
 * queue_status: each user's verdict of a date, and what `digest status`
 * shows of it; a file of module queue (queue.h includes it).
 *
 * A run records a verdict for every user it considered (table outcomes):
 * queued, sent, skipped or failed, and why. The queue's digest row is the
 * truth about delivery, so the status view folds the row's state into the
 * verdict rather than trusting a verdict recorded before the send.
 *
 * Invariants: at most one verdict per (user, date), case-insensitive on
 * user; a later verdict replaces the earlier one; verdicts are never
 * deleted. The status view only reads: it changes neither table.
 * Ownership: what queue_status() returns is the caller's, freed with
 * queue_status_free(); strings passed in are borrowed for the call.
 * Threads: one struct store per thread (the store's rule).
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure;
 * messages name the database file.
 */
#ifndef DIGEST_QUEUE_STATUS_H
#define DIGEST_QUEUE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

/*
 * Record user's verdict for date: outcome is "queued", "sent", "skipped"
 * or "failed"; reason (NULL: none) says why ("out_of_office", the error).
 * A later verdict for the same (user, date) replaces the earlier one.
 */
int queue_record_outcome(struct store *st, const char *user, const char *date,
			 const char *outcome, const char *reason,
			 int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/* One user's standing on one date, for `digest status`. */
struct queue_status_row {
	char *user;
	char *date;
	char *outcome; /* "queued", "sent", "skipped" or "failed" */
	char *reason;  /* NULL: none */
	unsigned attempts;
	int64_t at; /* when: sent_at, the row's last change, the verdict */
	char *last_reply; /* NULL: none */
};

/*
 * One row per user for date (NULL: the latest date in outcomes or the
 * queue), sorted by user: the recorded verdict, with the digest row's
 * state folded in, since the row is the truth about delivery ("queued"
 * and "sending" show as "queued"; "sent"; "failed"), and its attempts and
 * last reply. A user with a digest row and no verdict is listed too.
 * Resend rows are not folded in. *out (NULL when *n is 0) is yours: free
 * it with queue_status_free().
 */
int queue_status(struct store *st, const char *date,
		 struct queue_status_row **out, size_t *n, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free v[0..n) and v. NULL is a no-op. */
void queue_status_free(struct queue_status_row *v, size_t n);

#endif
