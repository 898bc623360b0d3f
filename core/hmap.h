/*
 * hmap: the one hash table of the project, string keys to pointers.
 *
 * Whatever is looked up per user or per attendee (a roster address, a
 * tenant user's address, a list's answer, a Graph user id) is looked up
 * here, in constant time, so that no per-user step costs time that grows
 * with the tenant.
 *
 * Open addressing with linear probing, a power-of-two table kept at most
 * half full, grown geometrically. A map made with HMAP_NOCASE compares
 * and hashes keys without regard to ASCII letter case (e-mail addresses:
 * "Ann@Contoso.com" is "ann@contoso.com").
 *
 * Ownership: keys and values are borrowed. A key must stay unchanged and
 * alive as long as its entry is in the map (point it into the value, as
 * the callers do). The map owns only its table.
 * Invariants: at most one entry per key; values are never NULL (NULL is
 * what hmap_get() says for "absent").
 */
#ifndef DIGEST_HMAP_H
#define DIGEST_HMAP_H

#include <stdbool.h>
#include <stddef.h>

enum hmap_flags {
	HMAP_NOCASE = 1 << 0 /* ASCII letter case does not matter */
};

struct hmap_entry {
	const char *key; /* NULL: empty slot */
	void *value;
	size_t hash;
};

struct hmap {
	struct hmap_entry *slots;
	size_t nslots; /* 0 or a power of two */
	size_t n;      /* entries */
	unsigned flags;
};

#define HMAP_INIT(f)                                                           \
	{                                                                      \
		.slots = NULL, .nslots = 0, .n = 0, .flags = (f)               \
	}

/* Set up m, empty, with enum hmap_flags. Allocates nothing. */
void hmap_init(struct hmap *m, unsigned flags);

/* Free the table (not the keys or values); m is then empty. */
void hmap_release(struct hmap *m);

/* The value under key, or NULL. */
void *hmap_get(const struct hmap *m, const char *key);

/*
 * Put value (not NULL) under key. When key is there already, nothing
 * changes and *old (may be NULL) gets the value found: DG_EEXISTS.
 * DG_ENOMEM when the table cannot grow (m unchanged).
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
