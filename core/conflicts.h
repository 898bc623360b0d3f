/*
 * conflicts: what in the reader's own day cannot all be done as
 * planned: two accepted meetings at once, and runs of meetings back to
 * back for more than three hours without a break.
 *
 * Pure functions over a day's slots (instants and whether each counts);
 * the caller decides what counts: meetings the reader accepted or
 * organized (Graph's responseStatus "accepted" or "organizer"), not
 * all-day, not holds with no one else in them (conflicts_counts()).
 *
 * Invariants: at most CONFLICTS_MAX overlaps are listed, the others
 * counted; work is O(n log n) in the day's meetings, whatever a calendar
 * holds. Errors: DG_ENOMEM only.
 */
#ifndef DIGEST_CONFLICTS_H
#define DIGEST_CONFLICTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "err.h"

/* A run of meetings longer than this, without a break, is named. */
#define CONFLICTS_RUN_MS (3 * 3600 * (int64_t)1000)
/* A gap shorter than this between two meetings is no break. */
#define CONFLICTS_BREAK_MS (10 * 60 * (int64_t)1000)
/* Overlaps and runs listed at most; the others are counted. */
#define CONFLICTS_MAX 5

struct conflicts_slot {
	int64_t start_ms, end_ms;
	bool counts; /* see conflicts_counts() */
};

/* Two slots at once: first starts no later than second. */
struct conflicts_overlap {
	size_t first, second; /* indices into the slots */
};

/* Slots back to back from start_ms to end_ms, count of them. */
struct conflicts_run {
	size_t first, last; /* indices of the first and last slot */
	int64_t start_ms, end_ms;
	size_t count;
};

struct conflicts {
	struct conflicts_overlap *overlaps;
	size_t noverlaps, overlaps_more;
	struct conflicts_run *runs;
	size_t nruns, runs_more;
};

#define CONFLICTS_INIT                                                         \
	{                                                                      \
		.overlaps = NULL, .noverlaps = 0, .overlaps_more = 0,          \
		.runs = NULL, .nruns = 0, .runs_more = 0                       \
	}

/*
 * Whether an event counts: the reader accepted it or organized it, and
 * it is timed. hold: nobody else is in it (render_is_hold): lunch or
 * focus time is no meeting to be torn between.
 */
bool conflicts_counts(const struct cal_event *ev, bool all_day, bool hold);

/*
 * The overlaps and long runs among the counted slots (n of them, in any
 * order). A slot that starts before an earlier one (by start) ends
 * overlaps it: each is listed once, with the earlier slot that ends
 * last. A run joins slots whose gaps are under CONFLICTS_BREAK_MS; one of
 * two slots or more longer than CONFLICTS_RUN_MS is listed. *out is
 * yours: conflicts_release() it.
 */
int conflicts_find(const struct conflicts_slot *s, size_t n,
		   struct conflicts *out) __attribute__((warn_unused_result));

void conflicts_release(struct conflicts *c);

#endif
