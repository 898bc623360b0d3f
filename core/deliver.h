/*
 * deliver: hands queued messages to where [delivery] says, and records
 * each outcome in the queue.
 *
 * The queue row is marked "sending" (committed) before a byte leaves, and
 * "sent", "queued again" or "failed" right after: a crash between the two
 * leaves the row "sending", which the next run sends again, so at most
 * that one message can go out twice and none is lost. SMTP replies
 * decide: 2xx sent; 4xx, a dropped connection or an untrusted certificate
 * queued again with a backoff; 5xx failed with the server's reply. When
 * the server refuses us (authentication), delivery stops for the run and
 * the messages stay queued.
 */
#ifndef DIGEST_DELIVER_H
#define DIGEST_DELIVER_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "queue.h"
#include "store.h"

struct deliver;

/*
 * Prepare delivery for cfg (reads the SMTP password secret; connects on
 * the first message). *out is yours: deliver_close() it.
 */
int deliver_open(const struct config *cfg, struct deliver **out,
		 struct dg_err *err) __attribute__((warn_unused_result));

enum deliver_result {
	DELIVER_SENT,
	DELIVER_RETRY,  /* left queued for a later run */
	DELIVER_FAILED, /* refused for good: marked failed */
	DELIVER_STOP    /* the server refuses us: stop delivering this run */
};

/*
 * Deliver one queued message and record the outcome in st. Returns 0
 * with *result set, or a DG_E* code when the queue itself could not be
 * updated (err says why). err also carries the reason of a non-sent
 * result, naming the server and its reply.
 */
int deliver_one(struct deliver *d, struct store *st, const struct queue_msg *m,
		int64_t now_ms, enum deliver_result *result,
		struct dg_err *err) __attribute__((warn_unused_result));

/* The classes of the SMTP server's last reply to a message. */
enum deliver_reply_class {
	DELIVER_REPLY_2XX,
	DELIVER_REPLY_4XX,
	DELIVER_REPLY_5XX,
	DELIVER_REPLY_NONE, /* none: connection, TLS or login failed first */
	DELIVER_REPLY_CLASSES
};

/* What d has done so far, for the metrics. */
struct deliver_stats {
	size_t smtp_replies[DELIVER_REPLY_CLASSES]; /* one per message tried */
};

/* Copy d's counts into *out (zeros when d is NULL). */
void deliver_get_stats(const struct deliver *d, struct deliver_stats *out);

void deliver_close(struct deliver *d);

#endif
