/*
 * plan: whose tomorrow, which window, which meetings, or why no digest.
 *
 * Two steps, because the events are fetched for the window the first one
 * computes. plan_target() turns a user's mailbox settings and the clock into
 * the target date in the user's own zone, the instants that bound that local
 * day, the (wider) UTC window to ask the source for, and the reason, if any,
 * the user gets no digest. plan_day() (plan_day.h) then picks that day's
 * meetings out of what the source returned and dresses them with
 * localized labels.
 *
 * Graph names zones the Windows way ("Pacific Standard Time") or the IANA way;
 * both are resolved with ICU and every calendar computation happens in the
 * user's zone with ICU's rules, so a day is 23 or 25 hours long on DST days.
 * All-day events are floating dates and are compared as dates.
 *
 * Invariants: nothing here copies an event's subject, location or any other
 * calendar text into its output; meetings only borrow the events. No global
 * state (ICU's default zone is never used or set): calls may run in parallel
 * threads.
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure:
 * DG_EINVAL for a bad --date, DG_ENOTFOUND for a zone ICU does not know,
 * DG_EPARSE for a malformed Graph date-time, DG_ENOMEM, DG_EINTERNAL when ICU
 * itself fails.
 */
#ifndef DIGEST_PLAN_H
#define DIGEST_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "err.h"

/* The skip reasons, as the digest model and the status table spell them. */
#define PLAN_SKIP_OPTED_OUT "opted_out"
#define PLAN_SKIP_ROOM_MAILBOX "room_mailbox"
#define PLAN_SKIP_EQUIPMENT_MAILBOX "equipment_mailbox"
#define PLAN_SKIP_SHARED_MAILBOX "shared_mailbox"
#define PLAN_SKIP_OUT_OF_OFFICE "out_of_office"
#define PLAN_SKIP_NOT_WORKING_DAY "not_working_day"
#define PLAN_SKIP_NO_MEETINGS "no_meetings"
#define PLAN_SKIP_NO_PROFILES "no_profiles"

/* [digest] covers: which day a digest is about. */
enum plan_covers {
	PLAN_COVERS_NEXT_WORKING_DAY, /* sent on a working day, for the next */
	PLAN_COVERS_TODAY             /* a morning-of digest of today */
};

/*
 * The zones and labels of a run: ICU's calendars and formatters take far
 * longer to open than to use, and a tenant's users share a few zones and
 * languages, so a run opens each once and keeps it for every user. At
 * most PLAN_CACHE_ZONES zones and PLAN_CACHE_LABELS (zone, locale) label
 * pairs are kept, the least recently used one closed past that, and the
 * zone Graph last wrote event times in. Answers are those of objects
 * opened per call: the cache changes what ICU is asked to open, never
 * what it says.
 * A cache belongs to one thread at a time (ICU calendars hold state).
 */
#define PLAN_CACHE_ZONES 16
#define PLAN_CACHE_LABELS 16

struct plan_cache;

/* An empty cache; NULL when out of memory. plan_cache_free() it. */
struct plan_cache *plan_cache_new(void);

/* Free pc and all it keeps. NULL is a no-op. */
void plan_cache_free(struct plan_cache *pc);

/* What pc keeps now, and how often it was asked for what it had. */
struct plan_cache_stats {
	size_t zones, labels; /* kept: at most PLAN_CACHE_ZONES, _LABELS */
	size_t hits, misses;  /* zone and label lookups */
};

void plan_cache_stats(const struct plan_cache *pc,
		      struct plan_cache_stats *out);

/* What plan_target() needs besides the mailbox; all borrowed. */
struct plan_opts {
	int64_t now_ms;             /* the clock, UTC epoch milliseconds */
	const char *date;           /* "YYYY-MM-DD" (--date), or NULL */
	enum plan_covers covers;
	const char *default_locale; /* NULL: "en-US" */
	const char *default_zone;   /* [digest] timezone; NULL: "UTC" */
	bool opted_out;             /* the roster's flag, or unsubscribed */
	struct plan_cache *cache;   /* the run's zones; NULL: opened per call */
};

/* The locale used when neither the mailbox nor the caller names one. */
#define PLAN_LOCALE_FALLBACK "en-US"

struct plan_target {
	/* "2026-11-24": tomorrow in the user's zone, or the --date given */
	char date[11];
	/* IANA id ("Asia/Kathmandu"); Windows names are mapped to it */
	char *zone;
	/* mailbox language.locale, else the configured default ("en-US") */
	char *locale;
	/* the local day [00:00, next 00:00) as UTC epoch milliseconds */
	int64_t start_ms, end_ms;
	/*
	 * "YYYY-MM-DDTHH:MM:SSZ": the window to ask the source for, the
	 * local day widened by one local day on each side, because all-day
	 * events are stored as midnight in some zone we do not know.
	 */
	char fetch_start[32], fetch_end[32];
	/* 0 = Sunday .. 6 = Saturday, of date */
	int weekday;
	/*
	 * The reader's working hours on date, as instants: workingHours of
	 * the mailbox in its own zone, else 08:00 to 17:00 in zone. An
	 * out-of-office event covering them skips the day.
	 */
	int64_t work_start_ms, work_end_ms;
	/* NULL, or one of the PLAN_SKIP_* strings (static) */
	const char *skip_reason;
};

#define PLAN_TARGET_INIT                                                       \
	{                                                                      \
		.date = "", .zone = NULL, .locale = NULL, .start_ms = 0,       \
		.end_ms = 0, .fetch_start = "", .fetch_end = "", .weekday = 0, \
		.work_start_ms = 0, .work_end_ms = 0, .skip_reason = NULL      \
	}

/*
 * Decide the target day of one user.
 *
 * mb: the user's mailbox settings (NULL: none known, as an empty mailbox).
 * The zone is the mailbox's timeZone; one that is missing or that ICU does
 * not know ("Customized Time Zone") falls back to the working-hours zone,
 * then to o->default_zone, then to UTC, with a warning naming user_label
 * (none for an opted-out user, who is skipped anyway). Never an error.
 *
 * The date: o->date when given. Else, covers "today": today in the
 * user's zone. Else (next_working_day): today must be one of the user's
 * working days, or the user is skipped as not_working_day with today as
 * the date; the date is then the next working day after today (Friday's
 * run covers Monday). Working days are workingHours.daysOfWeek; none
 * given (or an empty list) means every day.
 *
 * Skip reasons are checked in this order: opted_out; room_mailbox,
 * equipment_mailbox, shared_mailbox (userPurpose); not_working_day
 * (today, as above); out_of_office (automatic replies always on, or
 * scheduled over the whole local day); not_working_day (the date given or
 * covered is none of the working days).
 *
 * *out is yours: free it with plan_target_release() (also safe, and a
 * no-op, after a failure).
 */
int plan_target(const struct cal_mailbox *mb, const char *user_label,
		const struct plan_opts *o, struct plan_target *out,
		struct dg_err *err) __attribute__((warn_unused_result));

/* Free what t holds; t is then as after PLAN_TARGET_INIT. */
void plan_target_release(struct plan_target *t);

/* The second step, the meetings of the day: plan_day.h. */
#include "plan_day.h"

#endif
