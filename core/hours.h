/*
 * hours: other people's hours. Whether a meeting falls outside an
 * attendee's working hours in their own time zone, and the words a
 * digest needs to say so ("23:30 for Oliver (Sydney)").
 *
 * The working week of a tenant user comes from their mailbox settings
 * (timeZone; workingHours daysOfWeek, startTime, endTime, timeZone): the
 * ones fetched this run for every reader (hours_book_learn), else the
 * ones a previous run kept (core/workhours.h). No Graph request is made
 * for an attendee: a user whose settings no run has fetched yet gets no
 * line, and one processed later in the same run may show last run's.
 *
 * Privacy: a person whose profile is hidden (the roster's profile or
 * opt_out, or their own choice on the preferences page) never gets a
 * line: their zone and hours are not what the invitation shows. Only
 * people invited by name (the organizer and direct invitations) count,
 * not the members of a list.
 *
 * Invariants: hours_fit() is pure (the zone's rules only); the book
 * caches per run what each person, zone and (locale, zone) costs, so a
 * digest's lines cost hash lookups and one ICU conversion per attendee.
 * Ownership: the book borrows the store, and the ids of the users it is
 * given (hours_book_learn, the directory's users): those must outlive it,
 * as the run's users do. Notes own their strings.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_HOURS_H
#define DIGEST_HOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "directory.h"
#include "err.h"
#include "match.h"
#include "plan.h"
#include "store.h"
#include "tz.h"

/* ---- the pure part ---- */

/* Where a meeting lies in someone's working week. */
enum hours_fit {
	HOURS_INSIDE,  /* within one stretch of their working hours */
	HOURS_OUTSIDE, /* on one of their working days, outside the hours */
	HOURS_DAY_OFF  /* it starts on a day that is none of their working days */
};

/* Someone's working week. */
struct hours_rule {
	struct tz *work;   /* the zone the hours are in; borrowed */
	unsigned days;     /* cal_weekday_bits; 0: every day */
	int start_min;     /* minutes after local midnight, 0..1439 */
	int end_min;       /* end_min <= start_min: the hours run past
			      midnight, into the next day (a night shift) */
};

/*
 * Where [start_ms, end_ms) lies in r's week. A stretch of hours starts
 * on a working day at start_min and ends at end_min the same day (the
 * next, past midnight); the meeting is inside when one stretch holds all
 * of it. Outside, it is HOURS_DAY_OFF when its start's local date (in
 * r->work) is none of the working days.
 */
int hours_fit(const struct hours_rule *r, int64_t start_ms, int64_t end_ms,
	      enum hours_fit *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* ---- the run's book of people ---- */

struct hours_book;

/*
 * A book for one run. save: keep what hours_book_learn() is told in st
 * (a real run; previews and dry runs record nothing). The people whose
 * profile is hidden by their own choice are read from prefs once here.
 * *out is yours: hours_book_close() it before closing st (it keeps a
 * statement of st's for the hours stored by earlier runs).
 */
int hours_book_open(struct store *st, bool save, int64_t now_ms,
		    struct hours_book **out, struct dg_err *err)
	__attribute__((warn_unused_result));

void hours_book_close(struct hours_book *b);

/*
 * u's mailbox settings were fetched: they are u's hours for the rest of
 * the run, and, when the book saves, kept for the next (written only
 * when changed). A user without an id is ignored.
 */
int hours_book_learn(struct hours_book *b, const struct cal_user *u,
		     const struct cal_mailbox *mb, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Whether address chose to hide their profile (prefs). */
bool hours_book_hidden(const struct hours_book *b, const char *address);

/* ---- one meeting's lines ---- */

/* At most this many people per meeting get a line; the rest are counted. */
#define HOURS_MAX_PER_MEETING 3

struct hours_note {
	size_t attendee;  /* index in the meeting's match_list */
	bool day_off;     /* HOURS_DAY_OFF, else HOURS_OUTSIDE */
	char *name;       /* the directory's given name, else the invitation's */
	char *zone;       /* IANA id of their mailbox zone */
	char *city;       /* its exemplar city in the reader's language; NULL
			     for a zone without one */
	char *local_time; /* the meeting's start on their clock: "23:30" */
	char *local_end;  /* and its end */
	char *local_day;  /* their weekday when their date is not the
			     reader's ("Wednesday"); NULL when it is */
	char *text;       /* the one allocation the strings above are in */
};

struct hours_notes {
	struct hours_note *v;
	size_t n;
	size_t more; /* outside their hours too, past HOURS_MAX_PER_MEETING */
};

#define HOURS_NOTES_INIT { .v = NULL, .n = 0, .more = 0 }

/* Who reads the digest, for the labels. All borrowed. */
struct hours_reader {
	const char *zone;   /* IANA id of the reader's zone */
	const char *locale; /* the digest's locale: "de-AT" */
};

/*
 * The attendees of m (l: its match list) for whom m falls outside their
 * working hours, in l's order. Nothing for a private or all-day meeting.
 * *out is yours: hours_notes_release() it (also after a failure).
 */
int hours_meeting(struct hours_book *b, const struct directory *d,
		  const struct hours_reader *r, const struct plan_meeting *m,
		  const struct match_list *l, struct hours_notes *out,
		  struct dg_err *err) __attribute__((warn_unused_result));

void hours_notes_release(struct hours_notes *n);

#endif
