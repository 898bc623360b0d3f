/*
 * plan_day: the second step of plan, the meetings of the target day; a
 * file of module plan (plan.h includes it, and a caller includes plan.h).
 *
 * plan_day() takes what the source returned for the window plan_target()
 * computed and keeps the events of the local day: cancelled and declined
 * ones are dropped, all-day events are compared as dates, timed ones as
 * instants, and each kept meeting is dressed with its times in the
 * user's zone and locale. The user's own out-of-office events are kept
 * apart. plan_relevance() then says whether a matched day is worth a mail.
 *
 * Invariants: a meeting borrows its event and copies none of its text;
 * meetings come sorted (all-day first, then by start, subject and id).
 * No global state: calls may run in parallel threads, each with its own
 * cache (or none).
 * Ownership: a struct plan_day and its labels are the caller's, freed
 * with plan_day_release(); the events stay the caller's and must outlive
 * the day.
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure:
 * DG_EINVAL for a target plan_target() did not make, DG_EPARSE for a
 * malformed Graph date-time, DG_ENOMEM, DG_EINTERNAL when ICU fails.
 */
#ifndef DIGEST_PLAN_DAY_H
#define DIGEST_PLAN_DAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "err.h"
#include "match.h"

struct plan_cache;
struct plan_target;

/* [digest] send_when: what makes a day worth a mail. */
enum plan_send_when {
	PLAN_SEND_PROFILES, /* a meeting with someone who has a profile */
	PLAN_SEND_MEETINGS  /* any meeting at all */
};

struct plan_meeting {
	/* borrowed from the caller's cal_event_list: valid while it lives */
	const struct cal_event *event;
	bool all_day;
	/* sensitivity private or confidential: downstream masks it */
	bool is_private;
	/* the instants; for an all-day event, the target day's bounds */
	int64_t start_ms, end_ms;
	/* RFC 3339 in the user's zone: "2026-11-24T09:00:00-08:00" */
	char start[32], end[32];
	/*
	 * Localized time of day in the user's zone and locale ("9:00 AM",
	 * "09:00"); NULL for all-day events, which have none.
	 */
	char *start_label, *end_label;
	/*
	 * The meeting crosses the local midnight at the start or the end of
	 * the day. For an all-day event: it began on an earlier date, it
	 * goes on after the target date.
	 */
	bool starts_before_day, ends_after_day;
};

struct plan_day {
	struct plan_meeting *meetings;
	size_t n;
	/*
	 * The user's own out-of-office events of the day (showAs "oof"),
	 * kept out of meetings: a part-day absence the digest mentions.
	 */
	struct plan_meeting *away;
	size_t naway;
	/* the localized long date: "Tuesday, November 24, 2026" */
	char *date_label;
	/*
	 * The target's reason, else out_of_office when the away events cover
	 * the working hours, else "no_meetings" when n is 0, else NULL.
	 */
	const char *skip_reason;
};

#define PLAN_DAY_INIT                                                          \
	{                                                                      \
		.meetings = NULL, .n = 0, .away = NULL, .naway = 0,            \
		.date_label = NULL, .skip_reason = NULL                        \
	}

/*
 * Pick the meetings of t's day out of events (NULL: none).
 *
 * Cancelled events and events the user declined are left out. An all-day
 * event is kept when its dates [start, end) contain the target date; a timed
 * one when it overlaps [t->start_ms, t->end_ms) (an event ending at 00:00
 * does not reach into the day that begins then). Meetings come sorted by
 * start, all-day ones first, ties broken by subject and then id. The
 * user's out-of-office events (showAs "oof") go to away instead; when they
 * cover [t->work_start_ms, t->work_end_ms) the day is skipped as
 * out_of_office. A dateTime that is not a Graph date-time is an error
 * naming the event id and the field; a zone ICU does not know is read as
 * the user's zone, with a warning.
 *
 * *out is yours: free it with plan_day_release() (also safe after a
 * failure). It borrows from events: keep them alive as long.
 */
int plan_day(const struct plan_target *t, const struct cal_event_list *events,
	     struct plan_day *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* plan_day() with the zones and labels of pc (NULL: opened per call). */
int plan_day_cached(const struct plan_target *t,
		    const struct cal_event_list *events, struct plan_cache *pc,
		    struct plan_day *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free what d holds (not the events); d is then as after PLAN_DAY_INIT. */
void plan_day_release(struct plan_day *d);

/*
 * Whether a matched day is worth a mail: NULL when it is, else the skip
 * reason. attendees: d->n lists, in the order of d->meetings (NULL: no
 * one matched). send_when "meetings": any meeting will do (no_meetings
 * otherwise); "profiles": at least one meeting must have someone whose
 * profile is shown (a roster person who has not opted out), or the day is
 * skipped as no_profiles.
 */
const char *plan_relevance(const struct plan_day *d,
			   const struct match_list *attendees,
			   enum plan_send_when send_when);

#endif
