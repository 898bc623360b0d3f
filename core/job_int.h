/*
 * job_int.h: what the job's files share (job.c, job_retry.c), and
 * nobody else: how a delivery outcome is told, recorded and counted, so
 * that `run` and `retry` say it the same way.
 */
#ifndef DIGEST_JOB_INT_H
#define DIGEST_JOB_INT_H

#include <stdint.h>

#include "config.h"
#include "deliver.h"
#include "directory.h"
#include "hmap.h"
#include "history.h"
#include "job.h"
#include "logging.h"
#include "match.h"
#include "plan.h"
#include "render.h"
#include "store.h"

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
	bool ready;
};

/*
 * The relationship context of one digest, read from the history before
 * the digest's date: first meetings (only once the reader's history
 * reaches HISTORY_MIN_SPAN_DAYS back), the frequent contacts, and, on the
 * first of the reader's working days, the people met most. Nobody whose
 * profile is hidden is named. *h is yours: job_history_release() it.
 */
int job_history_context(struct store *st, const struct job_history_in *in,
			struct job_history *h, struct dg_err *err)
	__attribute__((warn_unused_result));
void job_history_release(struct job_history *h, size_t nmeetings);

/* Delete the history older than [history] days before now's UTC date. */
int job_history_prune(struct store *st, const struct config *cfg,
		      int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
