/*
 * job: the morning job, one pass of the flow for each user.
 *
 * source -> plan -> match -> render -> mime -> deliver, streaming: a
 * window of users is in flight (JOB_USERS_PER_JOB), and each user goes on
 * as soon as its answers are in (mailbox settings, calendar, lists).
 * Delivery overlaps the fetching: after each message is queued, and on
 * every turn of the fetch loop, the run calls deliver_poll() (deliver.h),
 * which starts what is due without waiting; deliver_finish() sends the
 * rest once every user is queued.
 * A user who fails (no mailbox, a bad event) is reported and the others
 * go on: the run's status says whether any failed. Each user's outcome is
 * reported through core/logging as one line: "sent", "skipped (reason)"
 * or "failed: reason".
 */
#ifndef DIGEST_JOB_H
#define DIGEST_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "deliver.h"
#include "err.h"
#include "source.h"
#include "strbuf.h"

struct job_opts {
	const struct config *cfg;
	int64_t now_ms;
	const char *date;          /* "YYYY-MM-DD", NULL: each user's tomorrow */
	const char *const *users;  /* narrow to these addresses; NULL: all */
	size_t nusers;
	bool dry_run;              /* plan and render, deliver nothing */
	int jobs;                  /* Graph requests in flight, at most */
	int out_fd;                /* stdout delivery writes the mbox here */
	/* preview --locale: the reader's language for every user; NULL */
	const char *locale;
	/* Set (by a signal handler) to stop after the message in flight. */
	volatile sig_atomic_t *stop;
	/* Graph fetches report their progress here (NULL: nowhere). */
	source_progress_fn *progress;
	void *progress_ctx;
};

/*
 * What a run did, counted by outcome: every user it touched is in
 * exactly one count (plain data, for the summary line and metrics).
 */
/* How many users a skip reason covered this run. */
struct job_skip_count {
	char reason[32]; /* "out_of_office", "already_sent", ... */
	size_t n;
};

#define JOB_SKIP_REASONS_MAX 16

struct job_summary {
	size_t sent;
	size_t ready;    /* --dry-run: built, would have been sent */
	size_t skipped;  /* for a named reason */
	size_t waiting;  /* before [digest] send_at in their zone */
	size_t deferred; /* queued again, for a later try (4xx, no verdict) */
	size_t failed;   /* refused for good, or could not be built */
	size_t untried;  /* due but not tried: delivery or the run stopped */

	/* For [metrics] textfile; reasons past the table's end go uncounted. */
	struct job_skip_count skips[JOB_SKIP_REASONS_MAX];
	size_t nskips;
	size_t queue_depth; /* messages still to deliver at the end */
	/* SMTP replies by class (enum deliver_reply_class) */
	size_t smtp_replies[DELIVER_REPLY_CLASSES];
};

/*
 * Run the job for every (selected) user. Returns 0 when every user was
 * sent or skipped for a reason, DG_ETEMP when a digest that was due is
 * still undelivered at the end (failed, deferred, or untried because
 * delivery or the run was stopped), another DG_E* when the run could not
 * start (config, roster, source) with err saying why.
 */
int job_run(const struct job_opts *o, struct job_summary *sum,
	    struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Build one user's digest again and deliver exactly one new copy,
 * recorded as a resend: never blocked by "already sent". Returns 0 when
 * it was sent, DG_ETEMP when it stays queued or failed (err says why),
 * DG_ENOTFOUND when the user gets no digest that day.
 */
int job_resend(const struct job_opts *o, const char *user,
	       struct job_summary *sum, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Send the deferred messages now, ignoring their backoff: every queued
 * row whatever its next try time (and any a crash left "sending"); user
 * (NULL: everyone) narrows it to one recipient. Takes the run lock, as a
 * run does. Each outcome is reported and counted as job_run() does;
 * returns as job_run(), DG_EINVAL when [delivery] queues nothing.
 */
int job_retry(const struct job_opts *o, const char *user,
	      struct job_summary *sum, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The per-user decision, made once when the user's mailbox settings are
 * in, of the facts gathered then: a skip reason of plan (out of office,
 * not a working day, opted out), [digest] send_at not reached in the
 * user's zone, or the day's digest in the queue already. Pure.
 */
struct job_facts {
	const char *skip_reason; /* NULL: none */
	bool before_send_at;
	bool in_queue;
};

enum job_step {
	JOB_FETCH,    /* fetch the calendar, build the digest */
	JOB_SKIP,     /* no digest, for *reason */
	JOB_WAIT,     /* a later run sends it */
	JOB_IN_QUEUE  /* built before: sent, or delivery retries it */
};

enum job_step job_decide(const struct job_facts *f, const char **reason);

/*
 * Users in flight in a run: --jobs times this. Each has its mailbox
 * settings, calendar and list lookups on the way or its digest being
 * built; a user leaves (and its memory is freed) once its digest is
 * queued. Memory thus holds the window, the roster and the users table,
 * whatever the tenant's size.
 */
#define JOB_USERS_PER_JOB 32

/* What `digest history backfill` did. */
struct job_backfill_summary {
	size_t users;   /* readers whose past days were recorded */
	size_t days;    /* reader-days recorded */
	size_t skipped; /* no reader: opted out, a room or shared mailbox */
	size_t failed;  /* a user's fetch or recording failed */
};

/*
 * Read the past days (the days before today in each reader's zone) of
 * every selected user's calendar into the history (history.h), fetched
 * as a run fetches; each user's line says what was recorded. Takes the
 * run lock. Returns 0, DG_ETEMP when some users failed (the others were
 * recorded), DG_EINVAL when days is 0 or over [history] days, another
 * DG_E* when nothing could be done (the source refused us).
 */
int job_backfill(const struct job_opts *o, unsigned days,
		 struct job_backfill_summary *sum, struct dg_err *err)
	__attribute__((warn_unused_result));

enum job_format {
	JOB_FORMAT_TEXT,
	JOB_FORMAT_HTML,
	JOB_FORMAT_MIME,
	JOB_FORMAT_JSON
};

/*
 * Build one user's digest and append it to out in the given format.
 * Never delivers, never records. A skipped user still has a JSON model
 * (status "skipped" and the reason); in the other formats a skip is
 * DG_ENOTFOUND with err giving the reason.
 */
int job_preview(const struct job_opts *o, const char *user,
		enum job_format format, struct strbuf *out,
		struct dg_err *err) __attribute__((warn_unused_result));

/*
 * The group lines of user's own digest (their meetings of the target
 * day, built as preview builds them): the lines on the mix of each room
 * that everyone in it reads. *lines is yours: free each and the array. A
 * user with no digest that day has none; DG_ENOTFOUND when user is no
 * user of the tenant.
 */
int job_group_lines(const struct job_opts *o, const char *user,
		    char ***lines, size_t *n, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
