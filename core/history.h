/*
 * history: whom each reader met, day by day, for relationship context.
 *
 * A digest looks at one day; the history lets it say "first meeting with
 * Pat" and "you meet Ömer about 3 times a week". Each run records, for
 * every reader whose calendar it fetched, the day's people: roster people
 * and tenant users, by lowercase address, with the number of meetings
 * shared that day. Nothing but identities, dates and counts is kept: no
 * subject, no body, no time of day. `digest history backfill` fills past
 * days from the calendars once; the run deletes days older than
 * [history] days; `digest history forget` wipes one person.
 *
 * Tables history_days (reader, date: the day was recorded, even with
 * nobody met) and history (reader, date, person, meetings).
 *
 * Invariants: recording a (reader, date) replaces what was recorded for
 * it, so a re-run, a resend or a backfill over a recorded day never
 * counts twice; addresses are stored lowercase (ASCII) and compared
 * without regard to case; meetings > 0.
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure;
 * messages name the database file.
 */
#ifndef DIGEST_HISTORY_H
#define DIGEST_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

/* [history] days when the config says nothing. */
#define HISTORY_DAYS_DEFAULT 90
/* The most [history] days and backfill --days accept (ten years). */
#define HISTORY_DAYS_MAX 3650
/* How far back frequencies and "people you meet most" look. */
#define HISTORY_RECENT_DAYS 28
/*
 * A reader's history must reach this many days before the digest's date
 * before it may call anyone a first meeting: a new installation without
 * a backfill knows nobody yet.
 */
#define HISTORY_MIN_SPAN_DAYS 7

/* One person met on a day. */
struct history_met {
	const char *person; /* an address, any case; borrowed */
	unsigned meetings;  /* > 0 */
};

/* A person the reader met within a window, with counts. */
struct history_contact {
	char *person;      /* lowercase address */
	unsigned meetings; /* meetings shared in the whole window */
	unsigned recent;   /* of them, in the HISTORY_RECENT_DAYS before */
	unsigned days;     /* days with at least one */
	char last[11];     /* the last date met, "YYYY-MM-DD" */
};

/* What the history knows of one reader before one date. */
struct history_contacts {
	struct history_contact *v; /* by recent desc, meetings desc, person */
	size_t n;
	char first_day[11]; /* the earliest day recorded in the window; "" */
	unsigned recorded_days; /* days recorded in the window */
	unsigned span_days;     /* days from first_day to the date; 0 */
};

#define HISTORY_CONTACTS_INIT                                          \
	{                                                              \
		.v = NULL, .n = 0, .first_day = "", .recorded_days = 0, \
		.span_days = 0                                         \
	}

/*
 * Record the people reader met on date ("YYYY-MM-DD"): met[0..n) (the
 * same person twice adds up), replacing whatever was recorded for
 * (reader, date), in one transaction of its own or as part of the
 * caller's. n may be 0: the day is recorded as one with nobody met.
 * DG_EINVAL for an empty address, a bad date or a count of 0.
 */
int history_record_day(struct store *st, const char *reader,
		       const char *date, const struct history_met *met,
		       size_t n, int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/* One reader's day, for history_record_days(); all borrowed. */
struct history_day {
	const char *reader;
	const char *date;
	const struct history_met *met;
	size_t n;
};

/*
 * history_record_day() for days[0..n) in one transaction (or as part of
 * the caller's): all of them stand or none. A run records its readers'
 * days a window at a time, with one commit.
 */
int history_record_days(struct store *st, const struct history_day *days,
			size_t n, int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * What reader's history holds in the window_days before date (date
 * itself left out, so a digest never depends on its own day): every
 * person met, with counts, and how far the recorded days reach. limit
 * (0: none) keeps only the first limit people, and then reads only the
 * HISTORY_RECENT_DAYS that rank them (a run's digest wants the top few,
 * not everyone). *out is yours: history_contacts_release().
 */
int history_contacts(struct store *st, const char *reader, const char *date,
		     unsigned window_days, size_t limit,
		     struct history_contacts *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * For each of persons[0..n): whether reader met them in the window_days
 * before date, into known[i]; one index probe each.
 */
int history_known(struct store *st, const char *reader, const char *date,
		  unsigned window_days, const char *const *persons, size_t n,
		  bool *known, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The reads of a run, for one reader after another: history_contacts()
 * and history_known() with their statements prepared once (on first
 * use) instead of once a reader. Open it on st and close it before st
 * (a statement kept open would keep st's connection from closing);
 * one thread at a time, as st. *out is yours: history_reads_close().
 */
struct history_reads;

int history_reads_open(struct store *st, struct history_reads **out,
		       struct dg_err *err)
	__attribute__((warn_unused_result));
void history_reads_close(struct history_reads *r);

/* history_contacts() and history_known() through r. */
int history_reads_contacts(struct history_reads *r, const char *reader,
			   const char *date, unsigned window_days,
			   size_t limit, struct history_contacts *out,
			   struct dg_err *err)
	__attribute__((warn_unused_result));
int history_reads_known(struct history_reads *r, const char *reader,
			const char *date, unsigned window_days,
			const char *const *persons, size_t n, bool *known,
			struct dg_err *err)
	__attribute__((warn_unused_result));

/* The contact whose address is person (any case), or NULL; borrowed. */
const struct history_contact *
history_find(const struct history_contacts *h, const char *person);

void history_contacts_release(struct history_contacts *h);

/*
 * Delete the days before date (both tables); *deleted (may be NULL) is
 * the number of rows removed.
 */
int history_prune(struct store *st, const char *date, size_t *deleted,
		  struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Wipe address from the history: as a reader (all their days) and as a
 * person met in anyone's days. *deleted (may be NULL): rows removed.
 */
int history_forget(struct store *st, const char *address, size_t *deleted,
		   struct dg_err *err) __attribute__((warn_unused_result));

/*
 * How many rows mention address, as reader or person met (0 when none);
 * for `digest history forget` and the tests.
 */
int history_count(struct store *st, const char *address, size_t *rows,
		  struct dg_err *err) __attribute__((warn_unused_result));

/*
 * The date days after date (days may be negative) into out[11]: 0, or
 * DG_EINVAL when date is not a date "YYYY-MM-DD".
 */
int history_date_add(const char *date, int days, char out[11])
	__attribute__((warn_unused_result));

#endif
