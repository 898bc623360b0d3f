/*
 * queue: the durable outbox between mime and deliver.
 *
 * Postfix's rule: a message is on disk before anyone tries to deliver it,
 * and its delivery state is on disk before the next step starts. Every
 * digest is stored here, keyed by (user, date), before any send; a re-run
 * finds the row and does not queue it again, so it is never sent twice.
 * `resend` is the explicit way to send again: it adds a row of kind
 * "resend", which the key does not constrain.
 *
 * A send goes: queue_mark_sending() (attempts + 1, committed and fsynced
 * by SQLite's synchronous=FULL), the send, then queue_mark_sent(),
 * queue_mark_retry() or queue_mark_failed(). A crash between the first
 * and the last leaves the row in "sending"; queue_due() offers it again,
 * so the one message in flight at a crash may go out twice, and no
 * message is ever lost.
 *
 * A row's message is written once, in a table of its own beside the row
 * (queue_bodies), so that the steps of its delivery rewrite a few dozen
 * bytes each, never the message.
 *
 * Invariants: at most one digest row per (user, date), case-insensitive
 * on user; a state only moves forward (queued -> sending -> sent | failed)
 * except sending -> queued (a retry) and sending -> sending (the attempt
 * after a crash); a row is never deleted.
 *
 * Each user's verdict of a date (table outcomes) and the status view over
 * it and the queue are in queue_status.h, a file of this module; it is
 * included here for the callers that record a verdict as they queue.
 *
 * Threads: one struct store per thread (the store's rule).
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure;
 * messages name the database file.
 */
#ifndef DIGEST_QUEUE_H
#define DIGEST_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "queue_status.h"
#include "store.h"

/* Attempts before a message is given up (queue_mark_retry). */
#define QUEUE_MAX_ATTEMPTS 10

/* One row of the queue, plain data. Times are epoch milliseconds. */
struct queue_msg {
	int64_t id;
	char *user;
	char *date;  /* YYYY-MM-DD, the day the digest is about */
	char *kind;  /* "digest" or "resend" */
	char *state; /* "queued", "sending", "sent" or "failed" */
	unsigned attempts;
	char *recipient;  /* the envelope recipient */
	char *message_id; /* the Message-ID header's value */
	char *message;	  /* the RFC 5322 message; NUL after message_len */
	size_t message_len;
	char *last_reply; /* the last server reply or error; NULL: none */
	int64_t created_at;
	int64_t updated_at;
	int64_t next_attempt_at;
	int64_t sent_at; /* 0 until sent */
};

#define QUEUE_MSG_INIT                                                         \
	{                                                                      \
		0                                                              \
	}

/*
 * Store a copy of msg[0..len) (the caller keeps msg) in state "queued",
 * due at once. kind is "digest" or "resend". A digest is unique per (user,
 * date): DG_EEXISTS when a digest row for them exists already, in any
 * state, and the caller then skips the user. A resend always adds a row.
 * *id (may be NULL) is the new row's id.
 */
int queue_put(struct store *st, const char *user, const char *date,
	      const char *kind, const char *recipient, const char *message_id,
	      const char *msg, size_t len, int64_t now_ms, int64_t *id,
	      struct dg_err *err) __attribute__((warn_unused_result));

/*
 * The rows to send now, oldest first: those "queued" whose next attempt
 * is due (next_attempt_at <= now_ms), and those left in "sending" by a
 * crashed run (the run lock guarantees no live run is sending them). A
 * row left in "sending" that has used all QUEUE_MAX_ATTEMPTS is marked
 * "failed" instead, so a message that crashes the sender cannot block the
 * queue run after run. date limits the rows to one day; NULL: any.
 * *out (an array of *n rows, NULL when *n is 0) is yours: free it with
 * queue_msgs_free().
 */
int queue_due(struct store *st, int64_t now_ms, const char *date,
	      struct queue_msg **out, size_t *n, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The next rows to send, in id order, for a run that walks the queue as
 * it fills: at most limit rows with an id above after_id that are
 * "queued" and due (next_attempt_at <= now_ms, or any time with
 * ignore_backoff: `digest retry`) or left "sending" by a crashed run.
 * Pass the last id seen as after_id: rows this run has marked "sending"
 * and those it deferred are behind it, rows queued since are ahead. The
 * first call (after_id 0) gives up crashed rows as queue_due() does;
 * later calls do not touch rows in flight. *out (an array of *n rows,
 * NULL when *n is 0) is yours: free it with queue_msgs_free().
 */
int queue_next(struct store *st, int64_t now_ms, int64_t after_id,
	       bool ignore_backoff, size_t limit, struct queue_msg **out,
	       size_t *n, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Record that an attempt starts: attempts + 1, state "sending". Call it
 * outside any transaction and only then send: it commits, so a crash
 * during the send leaves the row in "sending" on disk (DG_EINTERNAL when
 * a transaction is open). DG_ENOTFOUND for no such row, DG_EINVAL when
 * the row is already sent or failed.
 */
int queue_mark_sending(struct store *st, int64_t id, int64_t now_ms,
		       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * queue_mark_sending() for ids[0..n) at once, in one transaction: one
 * commit (one fsync) for a batch of messages about to leave together.
 * All or none; the same errors.
 */
int queue_mark_sending_many(struct store *st, const int64_t *ids, size_t n,
			    int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The outcome of the attempt queue_mark_sending() started; reply (NULL:
 * none) is the server's reply or the error, kept as last_reply. These may
 * run inside the caller's transaction (with queue_record_outcome(), say)
 * or on their own. DG_ENOTFOUND for no such row, DG_EINVAL when the row
 * is not in "sending" (mark_failed also takes a "queued" row: a message
 * refused before any attempt).
 *
 * queue_mark_retry() puts the row back to "queued", due after
 * queue_backoff_ms(attempts); once attempts reaches QUEUE_MAX_ATTEMPTS the
 * row is "failed" instead, and *gave_up (may be NULL) says so.
 */
int queue_mark_sent(struct store *st, int64_t id, const char *reply,
		    int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));
int queue_mark_retry(struct store *st, int64_t id, const char *reply,
		     int64_t now_ms, bool *gave_up, struct dg_err *err)
	__attribute__((warn_unused_result));
int queue_mark_failed(struct store *st, int64_t id, const char *reply,
		      int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The wait before the attempt after attempts failed ones: 1, 5, 15, 30,
 * 60, 120 minutes, then 240 (the cap). No jitter: one run sends one
 * user's digest at a time, there is no herd to spread, and tests can
 * predict it. attempts 0 gives 0.
 */
int64_t queue_backoff_ms(unsigned attempts);

/*
 * The digest row of (user, date) into *out (QUEUE_MSG_INIT or released),
 * without its message (message "", message_len 0: what is asked of it is
 * its state); DG_ENOTFOUND when there is none. *out is yours: queue_msg_release() it.
 */
int queue_find(struct store *st, const char *user, const char *date,
	       struct queue_msg *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free what m holds; m is then as QUEUE_MSG_INIT. NULL is a no-op. */
void queue_msg_release(struct queue_msg *m);

/* Release each of v[0..n) and free v. NULL is a no-op. */
void queue_msgs_free(struct queue_msg *v, size_t n);

/*
 * How many copies of (user, date) the queue holds, digest and resends:
 * a new copy's attempt number is this plus one (its own Message-ID).
 */
int queue_count(struct store *st, const char *user, const char *date,
		unsigned *n, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * How many messages are still to deliver: queued (due or waiting for
 * their retry time) or left "sending" by a crash. For the metrics.
 */
int queue_depth(struct store *st, size_t *n, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
