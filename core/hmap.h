/*
 * hmap: the one hash table of the project, string keys to pointers.
 *
 * Whatever is looked up per user or per attendee (a roster address, a
 * tenant user's address, a list's answer, a Graph user id) is looked up
 * here, in constant time, so that no per-user step costs time that grows
 * with the tenant.
 *
 * Layout: the entries (key, value) lie one after another in an array,
 * and the index, a power-of-two array of 32-bit slots kept at most half
 * full, finds them by linear probing. A slot holds an entry number and 8
 * bits of its key's hash, so a probe compares keys only when those agree
 * (one in 256 keys it passes). An entry costs its 16 bytes and two to
 * four index slots of 4 bytes, where a table of entries with their hash
 * at most half full would cost 48 to 96 bytes. A map whose
 * size is known ahead (the run's tables over the roster and the tenant's
 * users: hundreds of thousands of addresses) is made that size once with
 * hmap_reserve(): no growth, and no moment where an old and a new table
 * are both held. A map made with HMAP_NOCASE compares and hashes keys
 * without regard to ASCII letter case (e-mail addresses:
 * "Ann@Contoso.com" is "ann@contoso.com").
 *
 * Ownership: keys and values are borrowed. A key must stay unchanged and
 * alive as long as its entry is in the map (point it into the value, as
 * the callers do). The map owns only its arrays.
 * Invariants: at most one entry per key; values are never NULL (NULL is
 * what hmap_get() says for "absent"); entries[0..n) are the entries, and
 * the index names each exactly once; fewer than 2^24 - 1 entries.
 */
#ifndef DIGEST_HMAP_H
#define DIGEST_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hmap_flags {
	HMAP_NOCASE = 1 << 0 /* ASCII letter case does not matter */
};

struct hmap_entry {
	const char *key;
	void *value;
};

struct hmap {
	uint32_t *index; /* hash bits, entry number + 1; 0: empty slot */
	size_t nslots;   /* 0 or a power of two */
	struct hmap_entry *entries;
	size_t n;     /* entries */
	size_t alloc; /* room in entries */
	unsigned flags;
};

#define HMAP_INIT(f)                                                           \
	{                                                                      \
		.index = NULL, .nslots = 0, .entries = NULL, .n = 0,           \
		.alloc = 0, .flags = (f)                                       \
	}

/* Set up m, empty, with enum hmap_flags. Allocates nothing. */
void hmap_init(struct hmap *m, unsigned flags);

/* Free the arrays (not the keys or values); m is then empty. */
void hmap_release(struct hmap *m);

/*
 * Make room for n entries in all (those in m included): until m holds
 * more, hmap_put() allocates nothing, so none fails for want of memory.
 * Room is never given back before hmap_release(). DG_ENOMEM (m
 * unchanged) when there is not enough memory, or n is too large.
 */
int hmap_reserve(struct hmap *m, size_t n) __attribute__((warn_unused_result));

/* The value under key, or NULL. */
void *hmap_get(const struct hmap *m, const char *key);

/*
 * Put value (not NULL) under key. When key is there already, nothing
 * changes and *old (may be NULL) gets the value found: DG_EEXISTS.
 * DG_ENOMEM when the map cannot grow (m unchanged).
 */
int hmap_put(struct hmap *m, const char *key, void *value, void **old)
	__attribute__((warn_unused_result));

/* Take key's entry out; its value, or NULL when there was none. */
void *hmap_remove(struct hmap *m, const char *key);

/*
 * Walk the entries in no particular order: start with *pos = 0, each
 * call gives the next entry, NULL at the end. The map must not change
 * during the walk.
 */
const struct hmap_entry *hmap_next(const struct hmap *m, size_t *pos);

#endif
