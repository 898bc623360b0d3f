/*
 * deliver: hands queued messages to where [delivery] says, and records
 * each outcome in the queue.
 *
 * It walks the queue as it fills: deliver_poll() takes the rows that are
 * due, in id order, as long as there is room, and never blocks longer
 * than asked; so a run can queue one user's digest and call it between
 * users, and the first messages leave while later users are still being
 * fetched. deliver_finish() then sends the rest and returns when nothing
 * due is left. Over SMTP, [smtp] connections messages are in flight at
 * once, each over its own reused connection (smtp_pool), and [smtp]
 * max_per_minute spaces the starts evenly (never more in any minute).
 *
 * The queue discipline: a row is marked "sending" (committed) before a
 * byte of it leaves, and "sent", "queued again" or "failed" as soon as
 * its verdict is in. A crash in between leaves the rows in flight in
 * "sending", which the next run sends again: at most the messages in
 * flight at the crash (up to [smtp] connections) may go out twice, and
 * none is lost. SMTP replies decide: 2xx sent; 4xx or a dropped
 * connection queued again with a backoff (deferred); 5xx failed with the
 * server's reply. When the server refuses us (authentication) or TLS
 * cannot work as configured, delivery stops for the run: what is in
 * flight finishes, nothing new starts, and deliver_finish() reports each
 * message left behind as never tried (they stay queued). The stop flag
 * (SIGTERM) does the same without the error.
 *
 * The Date header is set as each message is handed over (the real
 * clock), not when it was built.
 *
 * deliver_stdout() is the third kind, [delivery] kind = "stdout": the
 * mbox on a file descriptor, with no queue.
 *
 * Threads: one struct deliver, on the thread that owns the store.
 */
#ifndef DIGEST_DELIVER_H
#define DIGEST_DELIVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "queue.h"
#include "store.h"
#include "strbuf.h"

enum deliver_result {
	DELIVER_SENT,
	DELIVER_DEFERRED, /* left queued, next try at next_attempt_at */
	DELIVER_FAILED,   /* refused for good: marked failed */
	DELIVER_STOP,     /* the server refuses us: this one and the rest
			     stay queued, delivery stops for the run */
	DELIVER_UNTRIED   /* due but never tried: delivery was stopped */
};

/* One message's outcome, as it happens; all borrowed for the call. */
struct deliver_report {
	const struct queue_msg *msg; /* user, date, kind, id, attempts */
	enum deliver_result result;
	const char *reason;          /* why not sent; NULL when sent */
	int64_t next_attempt_at;     /* DEFERRED: epoch ms of the next try */
};

typedef void deliver_report_fn(const struct deliver_report *r, void *ctx);

/* Whether this run delivers m (a --user narrowing); NULL: every row. */
typedef bool deliver_want_fn(const struct queue_msg *m, void *ctx);

/*
 * Called on a sending thread when a send finishes, to end a wait of the
 * caller's elsewhere so that the next message goes out at once. Must be
 * safe to call from any thread.
 */
typedef void deliver_wake_fn(void *ctx);

struct deliver_opts {
	int64_t now_ms;       /* the run's clock: what is due, the backoff */
	bool ignore_backoff;  /* `digest retry`: deferred rows are due now */
	/* Set (by a signal handler): finish what is in flight, then stop. */
	volatile sig_atomic_t *stop;
	deliver_want_fn *want;
	deliver_report_fn *report; /* every outcome; NULL: none */
	deliver_wake_fn *wake;     /* NULL: none */
	void *ctx;                 /* for want, report and wake */
};

/* The classes of the SMTP server's last reply to a message. */
enum deliver_reply_class {
	DELIVER_REPLY_2XX,
	DELIVER_REPLY_4XX,
	DELIVER_REPLY_5XX,
	DELIVER_REPLY_NONE, /* none: connection, TLS or login failed first */
	DELIVER_REPLY_CLASSES
};

/* The run's delivery counts, by outcome, and SMTP replies by class. */
struct deliver_counts {
	size_t sent, deferred, failed, untried;
	size_t smtp_replies[DELIVER_REPLY_CLASSES]; /* one per message tried */
};

struct deliver;

/*
 * Prepare delivery for cfg over st (both borrowed for the life of *out;
 * st is the store the run queues into). Reads the SMTP password secret
 * and checks the settings; connects on the first message. The options
 * are copied. *out is yours: deliver_close() it.
 */
int deliver_open(const struct config *cfg, struct store *st,
		 const struct deliver_opts *o, struct deliver **out,
		 struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Start what is due and there is room for, collect what has finished
 * (reporting each), waiting up to wait_ms for a verdict (0: never wait).
 * Call it after queueing a message, or from any loop that has a moment.
 * Returns 0, or a DG_E* code when the queue itself failed (err says
 * why); an SMTP failure is a message's outcome, not an error.
 */
int deliver_poll(struct deliver *d, int wait_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Deliver every due row (those queued after this call are not awaited:
 * call it when the run has queued all it will), then report the rows
 * left behind by a stop as DELIVER_UNTRIED. Returns as deliver_poll().
 */
int deliver_finish(struct deliver *d, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Deliver one row now, whatever else is due (a resend), and report it.
 * *result is its outcome; returns as deliver_poll().
 */
int deliver_one(struct deliver *d, const struct queue_msg *m,
		enum deliver_result *result, struct dg_err *err)
	__attribute__((warn_unused_result));

/* The counts so far. */
const struct deliver_counts *deliver_counts(const struct deliver *d);

/* Why delivery stopped for the run (a refusal of us), or NULL. */
const char *deliver_stopped(const struct deliver *d);

/*
 * [delivery] kind = "stdout": user's message msg appended to fd as one
 * mbox entry (From_ line of [digest] from at now_ms). For previews and
 * demos: nothing is queued or recorded, so every run prints again.
 */
int deliver_stdout(const struct config *cfg, int fd, int64_t now_ms,
		   const char *user, const struct strbuf *msg,
		   struct dg_err *err) __attribute__((warn_unused_result));

/* Say QUIT, wipe the password and free d. NULL is a no-op. */
void deliver_close(struct deliver *d);

#endif
