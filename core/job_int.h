/*
 * job_int.h: what the job's files share, and nobody else.
 *
 *   job.c          the run: the order of the stages, a window of users
 *                  in flight, each user's outcome
 *   job_ctx.c      what a run opens once and shares between users; the
 *                  batches of its writes, the threads that compose
 *   job_user.c     one user's steps: target, day, people, message
 *   job_report.c   how an outcome is told, recorded and counted, so that
 *                  `run`, `resend` and `retry` say it the same way
 *   job_preview.c  `preview`, `resend` and the group lines of `about`
 *   job_retry.c    `digest retry`
 *
 * Ownership: a struct job_ctx owns what it opened (job_ctx_release());
 * a struct job_user owns its mailbox, events, day and links
 * (job_user_release()) and borrows the run's user and roster.
 */
#ifndef DIGEST_JOB_INT_H
#define DIGEST_JOB_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "compose.h"
#include "deliver.h"
#include "directory.h"
#include "hours.h"
#include "hmap.h"
#include "history.h"
#include "job.h"
#include "logging.h"
#include "match.h"
#include "plan.h"
#include "prefs.h"
#include "render.h"
#include "roster.h"
#include "runlock.h"
#include "source.h"
#include "store.h"
#include "strbuf.h"
#include "unsubscribe.h"

/* ---- the history (job_history.c) ---- */

/* A meeting with more people than this says nothing of whom one meets. */
#define JOB_HISTORY_MAX_PEOPLE 40

/*
 * The address under which the history knows attendee a: the roster
 * person's email, else the tenant user's mail; NULL for anyone else (a
 * guest, a room). Borrowed from a or dir.
 */
const char *job_history_key(const struct directory *dir,
			    const struct match_attendee *a);

/*
 * Record reader's day: the people of day's meetings (attendees: day->n
 * lists, same order; day NULL: a day with nobody met), replacing what
 * was recorded for (reader, date) before.
 */
int job_history_record(struct store *st, const struct directory *dir,
		       const char *reader, const char *date,
		       const struct plan_day *day,
		       const struct match_list *attendees, int64_t now_ms,
		       struct dg_err *err) __attribute__((warn_unused_result));

/* The addresses whose own choice hides their profile (prefs), for a run. */
struct job_history_hidden {
	struct hmap set; /* address -> itself */
	char **keys;
	size_t n;
};

int job_history_hidden_load(struct store *st, struct job_history_hidden *h,
			    struct dg_err *err)
	__attribute__((warn_unused_result));
void job_history_hidden_release(struct job_history_hidden *h);

/* Frequent contacts named at most; first meetings named in one meeting. */
#define JOB_HISTORY_OFTEN 5
#define JOB_HISTORY_FIRST_NAMED 5
/* Top contacts read for a digest: the frequent and the weekly come of them. */
#define JOB_HISTORY_TOP 16

/* What one digest's relationship context is made of; all borrowed. */
struct job_history_in {
	const struct directory *dir;
	const struct job_history_hidden *hidden; /* NULL: none */
	const struct cal_user *user;
	const struct plan_target *target;
	const struct plan_day *day;          /* NULL: no meetings */
	const struct match_list *attendees;  /* day->n lists */
	unsigned working_days;               /* cal_weekday bits; 0: Mon-Fri */
	long days;                           /* [history] days; 0: off */
};

/* The context, and what it owns; out is render's input. */
struct job_history {
	struct history_contacts contacts;
	struct render_history out;
	struct render_history_meeting *meetings;
	struct render_contact most[3];
	struct hmap said;  /* people with a line today */
	struct hmap often; /* the frequent contacts */
	struct hmap known; /* met in the window, beyond the top contacts */
	bool ready;
};

/*
 * The relationship context of one digest, read from the history before
 * the digest's date: first meetings (only once the reader's history
 * reaches HISTORY_MIN_SPAN_DAYS back), the frequent contacts, and, on the
 * first of the reader's working days, the people met most. Nobody whose
 * profile is hidden is named. *h is yours: job_history_release() it.
 */
int job_history_context(struct history_reads *r,
			const struct job_history_in *in,
			struct job_history *h, struct dg_err *err)
	__attribute__((warn_unused_result));
void job_history_release(struct job_history *h, size_t nmeetings);

/*
 * The days a run recorded and has not written yet: written a batch at a
 * time (JOB_HISTORY_BATCH days, one commit), and what is left when the
 * run ends. A crash loses at most one batch of days, which only thins
 * the relationship context; the digests are not touched.
 */
#define JOB_HISTORY_BATCH 64

struct job_history_pending_day;

struct job_history_pending {
	struct job_history_pending_day *days;
	size_t n, alloc;
};

/* job_history_record()'s day, copied into pend to be written later. */
int job_history_add(struct job_history_pending *pend,
		    const struct directory *dir, const char *reader,
		    const char *date, const struct plan_day *day,
		    const struct match_list *attendees, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Write pend's days in one transaction; pend is empty after, whatever. */
int job_history_flush(struct store *st, struct job_history_pending *pend,
		      int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

void job_history_pending_release(struct job_history_pending *pend);

/* Delete the history older than [history] days before now's UTC date. */
int job_history_prune(struct store *st, const struct config *cfg,
		      int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

struct job_stream;

/* Everything a run opens once and shares between users. */
struct job_ctx {
	const struct job_opts *o;
	struct store *store;
	struct roster roster;
	struct source *source;
	struct cal_user_list users;
	struct render_engine *engine;
	bool queued;              /* smtp or maildir: through the queue */
	struct deliver *deliver;  /* queued delivery */
	struct job_summary *sum;  /* the run's counts, deliver reports in */
	struct runlock *lock;     /* a real run holds the store's lock */
	struct compose compose;   /* the message of a digest */
	struct directory *dir;    /* who addresses are; the lists found */
	struct hours_book *hours; /* everyone's working hours, for the run */
	struct plan_cache *plan;  /* zones and labels (main thread); NULL: none */
	struct job_stream *stream; /* job_run(): the users in flight */
	struct compose_pool *pool; /* job_run(): composes; NULL: this thread */
	bool batch_open;           /* a transaction holds a turn's writes */
	int64_t batch_since;       /* when it began, monotonic ms */
	bool history;             /* a real run records whom readers met */
	struct job_history_hidden hidden; /* profiles hidden by choice */
	struct history_reads *hreads; /* the digests' reads of the history */
	struct prefs_reads *preads;   /* each user's choices */
	struct unsubscribe_reads *ureads; /* each user's opt-out */
	struct job_history_pending pending; /* days recorded, not written */
};

/* One user's digest on its way through the flow. */
struct job_user {
	const struct cal_user *user;
	struct cal_mailbox mailbox;
	struct plan_target target;
	struct cal_event_list events;
	struct plan_day day;
	bool have_day;
	struct match_list *attendees; /* day.n of them */
	struct hours_notes *hours;    /* day.n of them, or NULL */
	const struct roster_person *self;
	const char *skip_reason;
	struct prefs prefs;      /* the user's own choices (prefs.h) */
	struct strbuf unsub_url; /* this user's one-click link, if any */
	struct strbuf prefs_url; /* and the footer's preferences link */
	/* what it waits for: its answers, or its message being composed */
	enum { AT_MAILBOX, AT_EVENTS, AT_LISTS, AT_COMPOSE } stage;
	struct render_input input; /* AT_COMPOSE: what the pool reads */
	const struct job_opts *opts; /* the run's, for the locale */
	struct job_history hist;     /* relationship context (job_history.c) */
};

/* ---- job_ctx.c ---------------------------------------------------------- */

/*
 * Open what a run shares. deliver: a real run (not a preview, not a dry
 * run), which takes the store's lock and prepares delivery. c is
 * released with job_ctx_release() whatever this returns.
 */
int job_ctx_open(struct job_ctx *c, const struct job_opts *o, bool deliver,
		 struct dg_err *err) __attribute__((warn_unused_result));
void job_ctx_release(struct job_ctx *c);

/* Whether --user (none: everyone) selects u. */
bool job_selected(const struct job_opts *o, const struct cal_user *u);

/* The tenant user address names, or NULL. */
const struct cal_user *job_find_user(const struct job_ctx *c,
				     const char *address);

/* The same, or DG_ENOTFOUND with a sentence saying nobody is. */
int job_tenant_user(const struct job_ctx *c, const char *address,
		    const struct cal_user **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The run's writes in batches (job_ctx.c says why): begin one (when the
 * run queues), end it (commit, then let delivery start what it holds),
 * or, after a user is queued, end and begin again once it is old enough.
 */
int job_batch_begin(struct job_ctx *c, struct dg_err *err)
	__attribute__((warn_unused_result));
int job_batch_end(struct job_ctx *c, struct dg_err *err)
	__attribute__((warn_unused_result));
int job_batch_turn(struct job_ctx *c, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * c->pool for a run that queues or drops its messages (dry run): threads
 * that compose them, one a core; printed ones (stdout) keep their order
 * and are composed on the caller's thread (c->pool stays NULL).
 */
int job_pool_open(struct job_ctx *c, struct dg_err *err)
	__attribute__((warn_unused_result));

/* ---- job_user.c --------------------------------------------------------- */

void job_user_init(struct job_user *ju);
void job_user_release(struct job_user *ju);

/*
 * The steps of one user, in order; each leaves ju->skip_reason set when
 * the user gets no digest, for that reason. target: the day and whether
 * the user wants one (mailbox settings, opt-outs, prefs); day: the
 * target day's meetings (calendar); weigh: their people matched, and
 * whether the day is worth a digest. build: the three in a row, fetching
 * as it goes (preview, resend).
 */
int job_user_target(struct job_ctx *c, const struct cal_user *u,
		    struct job_user *ju, struct dg_err *err)
	__attribute__((warn_unused_result));
int job_user_day(struct job_ctx *c, struct job_user *ju, struct dg_err *err)
	__attribute__((warn_unused_result));
int job_user_weigh(struct job_ctx *c, struct job_user *ju, struct dg_err *err)
	__attribute__((warn_unused_result));
int job_user_build(struct job_ctx *c, const struct cal_user *u,
		   struct job_user *ju, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Ask about the lists of the day's meetings; pending: answers still out. */
int job_user_ask_lists(struct job_ctx *c, struct job_user *ju,
		       size_t *pending, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * A real run's record of the day it fetched for ju into the history (day
 * NULL: a day with nobody met). A failure is told; the digest goes on.
 */
void job_user_record(struct job_ctx *c, const struct job_user *ju,
		     const struct plan_day *day);

/* Write the days recorded so far (job_history_flush); a failure is told. */
void job_history_write(struct job_ctx *c);

/* The user's one-click unsubscribe and preferences links, when on. */
int job_user_links(struct job_ctx *c, struct job_user *ju, struct dg_err *err)
	__attribute__((warn_unused_result));

/* What render takes of ju (borrowed from it). */
struct render_input job_user_input(const struct job_user *ju);

/* The user's message (compose_message()); attempt: its copy number. */
int job_user_message(struct job_ctx *c, struct job_user *ju,
		     unsigned attempt, struct strbuf *msg, struct strbuf *id,
		     struct dg_err *err) __attribute__((warn_unused_result));

/*
 * A built digest (msg, its Message-ID id) on its way: queued (then
 * recorded "queued"; delivery sends it), printed (stdout) or, in a dry
 * run, dropped; the last two are said and counted in sum. send: the
 * message composed here first.
 */
int job_user_send_built(struct job_ctx *c, struct job_user *ju,
			const struct strbuf *msg, const struct strbuf *id,
			struct job_summary *sum, struct dg_err *err)
	__attribute__((warn_unused_result));
int job_user_send(struct job_ctx *c, struct job_user *ju,
		  struct job_summary *sum, struct dg_err *err)
	__attribute__((warn_unused_result));

/* ---- job_report.c ------------------------------------------------------- */

/*
 * One message's outcome: one line through core/logging ("sent",
 * "deferred (next try ...)", "failed: ...", "not sent, delivery stopped:
 * ...", "not tried, stays queued: ..."), the user's verdict in st, and
 * one count in sum.
 */
void job_report_delivery(struct store *st, int64_t now_ms,
			 struct job_summary *sum,
			 const struct deliver_report *r);

/*
 * One user's outcome line, "user date: <fmt>" ("user: <fmt>" when date
 * is NULL), with the fields (user, date, outcome, reason) a structured
 * log (--log-format json) shows apart.
 */
void job_say(enum logging_level level, const char *user, const char *date,
	     const char *outcome, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* "user date: deferred (next try <UTC time>): why", a warning. */
void job_log_deferred(const char *user, const char *date, int64_t next,
		      const char *why);

/* The user's target date, or "-" before there is one. */
const char *job_date_of(const struct job_user *ju);

/* One more user skipped for reason, in the summary's per-reason table. */
void job_count_skip(struct job_summary *sum, const char *reason);

/* The user's verdict of date in the store, when the run queues. */
void job_record(struct job_ctx *c, const char *user, const char *date,
		const char *outcome, const char *reason);

/* A skip (ju->skip_reason) or a failure: said, recorded, counted. */
void job_report_skip(struct job_ctx *c, struct job_user *ju,
		     struct job_summary *sum);
void job_report_failure(struct job_ctx *c, struct job_user *ju,
			const struct dg_err *err, struct job_summary *sum);

/*
 * A digest already in the queue for this day is not built again: it was
 * sent, or the delivery phase retries it; said and counted. Returns
 * false when the queue has none after all.
 */
bool job_already_queued(struct job_ctx *c, struct job_user *ju,
			struct job_summary *sum);

/* Whether a digest that was due is still undelivered. */
bool job_undelivered(const struct job_summary *sum);

/* What only the end of a run knows: the queue left, the replies seen. */
void job_finish_summary(struct job_ctx *c, struct job_summary *sum);

#endif
