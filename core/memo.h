/*
 * memo: a bounded memory of strings computed from keys, for pure results.
 *
 * ICU's formats cost microseconds each, and a tenant's digests ask for
 * the same few answers again and again: every attendee of a meeting gets
 * its time label and the list of its people, in the few zones and
 * languages of the tenant. A memo keeps such answers by their key (any
 * bytes: the instants of a time range, the names of a list) so the
 * second digest to ask copies a string instead of calling ICU.
 *
 * The table is two-way set-associative: each key has a pair of slots,
 * chosen by its hash, and a newer answer replaces the less recently used
 * answer of its pair. Memory is bounded by
 * the slot count and the longest key and text kept, whatever the run's
 * size; a replaced answer is merely computed again when next asked for.
 *
 * Invariants: a memo only ever gives back what memo_put() was given for
 * the same key bytes. Remembering is best effort: out of memory, or a
 * key or text over the limits, it is skipped, never an error.
 * No locking: a memo belongs to one thread at a time (as the formatter
 * objects whose answers it keeps).
 */
#ifndef DIGEST_MEMO_H
#define DIGEST_MEMO_H

#include <stddef.h>

/* Keys and texts longer than this are not kept (names of a large room). */
#define MEMO_ITEM_MAX 512

struct memo;

/*
 * An empty memo of slots slots (rounded up to even). NULL
 * when out of memory: callers then compute every answer, as without one.
 * Free it with memo_free().
 */
struct memo *memo_new(size_t slots);

/* Free m and all it keeps. NULL is a no-op. */
void memo_free(struct memo *m);

/*
 * The text kept for key[0..klen), with its length in *len; NULL when
 * there is none (or m is NULL). Borrowed: valid until the next
 * memo_put() on m.
 */
const char *memo_get(struct memo *m, const void *key, size_t klen,
		     size_t *len);

/* Keep a copy of text[0..len) for key, replacing what its slot held. */
void memo_put(struct memo *m, const void *key, size_t klen,
	      const char *text, size_t len);

/* What a memo did so far, for tests and profiles. */
struct memo_stats {
	size_t hits, misses; /* memo_get() answers found and not found */
	size_t entries;	     /* texts kept now, at most slots */
	size_t slots;
	size_t bytes;	     /* bytes of keys and texts kept now */
};

/* m's counts; all zero for a NULL m. */
void memo_stats(const struct memo *m, struct memo_stats *out);

#endif
