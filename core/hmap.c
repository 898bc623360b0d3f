#include "hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

#define HMAP_MIN_SLOTS 16
#define HMAP_MIN_ENTRIES 8
/*
 * A slot of the index: the entry number plus one (0 is an empty slot) in
 * its low 24 bits, the top 8 bits of the key's hash above them.
 */
#define ENTRY_BITS 24
#define ENTRY_MASK ((UINT32_C(1) << ENTRY_BITS) - 1)
#define HMAP_MAX_ENTRIES ((size_t)ENTRY_MASK - 1)

void hmap_init(struct hmap *m, unsigned flags)
{
	memset(m, 0, sizeof(*m));
	m->flags = flags;
}

void hmap_release(struct hmap *m)
{
	free(m->index);
	free(m->entries);
	hmap_init(m, m->flags);
}

#define BYTES_01 0x0101010101010101ull
#define BYTES_80 0x8080808080808080ull

/*
 * The ASCII capitals among the 8 bytes of w made small, every other byte
 * kept: each byte's low 7 bits plus a constant carry into its top bit
 * exactly when the byte is 'A' or more, resp. more than 'Z'; bytes of
 * 0x80 and up (UTF-8) are left alone, as strcasecmp() leaves them.
 */
static uint64_t fold_word(uint64_t w)
{
	uint64_t low7 = w & ~BYTES_80;
	uint64_t ge_a = low7 + (0x80 - 'A') * BYTES_01;
	uint64_t gt_z = low7 + (0x7f - 'Z') * BYTES_01;

	return w | ((ge_a & ~gt_z & ~w & BYTES_80) >> 2);
}

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 32);
}

/*
 * The hash of key, over its folded bytes when case does not matter: eight
 * bytes at a time (an address is read in four steps, not thirty), mixed
 * so that the low bits the index uses depend on every byte.
 */
static size_t hash_of(const struct hmap *m, const char *key)
{
	bool nocase = m->flags & HMAP_NOCASE;
	size_t len = strlen(key);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;

	for (; len >= 8; key += 8, len -= 8) {
		memcpy(&w, key, sizeof(w));
		h = mix(h, nocase ? fold_word(w) : w);
	}
	w = 0;
	memcpy(&w, key, len);
	h = mix(h, nocase ? fold_word(w) : w);
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (size_t)(h ^ (h >> 33));
}

static bool same(const struct hmap *m, const char *a, const char *b)
{
	return m->flags & HMAP_NOCASE ? !strcasecmp(a, b) : !strcmp(a, b);
}

/* The slot of entry e (from 0) of hash h. */
static uint32_t slot_of(size_t h, size_t e)
{
	return (uint32_t)(h >> 56) << ENTRY_BITS | (uint32_t)(e + 1);
}

/* The entry (from 0) a full slot names. */
static size_t entry_of(uint32_t slot)
{
	return (slot & ENTRY_MASK) - 1;
}

/*
 * The slot naming key's entry, or the empty slot where it would go. The
 * keys themselves are compared only where the slot's 8 bits of hash are
 * the key's: a probe past another key, or for an absent one, then mostly
 * reads the index alone, not an entry and its key elsewhere in memory.
 */
static size_t find(const struct hmap *m, const char *key, size_t h)
{
	size_t mask = m->nslots - 1, i = h & mask;
	uint32_t s, tag = slot_of(h, 0) & ~ENTRY_MASK;

	while ((s = m->index[i])) {
		if ((s & ~ENTRY_MASK) == tag &&
		    same(m, m->entries[entry_of(s)].key, key))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Where the entry numbered e (from 0) probes from. */
static size_t home_of(const struct hmap *m, size_t e)
{
	return hash_of(m, m->entries[e].key) & (m->nslots - 1);
}

/* The empty slot where an entry of hash h goes. */
static size_t free_slot(const struct hmap *m, size_t h)
{
	size_t mask = m->nslots - 1, i = h & mask;

	while (m->index[i])
		i = (i + 1) & mask;
	return i;
}

void *hmap_get(const struct hmap *m, const char *key)
{
	size_t i;

	if (!m->n || !key)
		return NULL;
	i = find(m, key, hash_of(m, key));
	return m->index[i] ? m->entries[entry_of(m->index[i])].value : NULL;
}

/* A new index of nslots slots over the entries; m unchanged on failure. */
static int reindex(struct hmap *m, size_t nslots)
{
	uint32_t *index = calloc(nslots, sizeof(*index));

	if (!index)
		return DG_ENOMEM;
	free(m->index);
	m->index = index;
	m->nslots = nslots;
	for (size_t i = 0; i < m->n; i++) {
		size_t h = hash_of(m, m->entries[i].key);

		m->index[free_slot(m, h)] = slot_of(h, i);
	}
	return 0;
}

/* Room for alloc entries (alloc > m->alloc); m unchanged on failure. */
static int resize_entries(struct hmap *m, size_t alloc)
{
	struct hmap_entry *v;

	if (alloc > HMAP_MAX_ENTRIES || alloc > SIZE_MAX / sizeof(*v))
		return DG_ENOMEM;
	v = realloc(m->entries, alloc * sizeof(*v));
	if (!v)
		return DG_ENOMEM;
	m->entries = v;
	m->alloc = alloc;
	return 0;
}

/* Slots for n entries at most half full. */
static size_t slots_for(size_t n)
{
	size_t s = HMAP_MIN_SLOTS;

	while (s / 2 < n)
		s *= 2;
	return s;
}

int hmap_reserve(struct hmap *m, size_t n)
{
	if (n > HMAP_MAX_ENTRIES || n > SIZE_MAX / 4 / sizeof(uint32_t))
		return DG_ENOMEM;
	if (n > m->alloc && resize_entries(m, n))
		return DG_ENOMEM;
	if (slots_for(n) > m->nslots && reindex(m, slots_for(n)))
		return DG_ENOMEM;
	return 0;
}

int hmap_put(struct hmap *m, const char *key, void *value, void **old)
{
	size_t h = hash_of(m, key), i;

	if (m->n) {
		i = find(m, key, h);
		if (m->index[i]) {
			if (old)
				*old = m->entries[entry_of(m->index[i])].value;
			return DG_EEXISTS;
		}
	}
	if (m->n == m->alloc &&
	    resize_entries(m, m->alloc ? m->alloc * 2 : HMAP_MIN_ENTRIES))
		return DG_ENOMEM;
	/* At most half full: probes stay short. */
	if ((m->n + 1) * 2 > m->nslots &&
	    reindex(m, m->nslots ? m->nslots * 2 : HMAP_MIN_SLOTS))
		return DG_ENOMEM;
	i = free_slot(m, h);
	m->entries[m->n] = (struct hmap_entry){ key, value };
	m->index[i] = slot_of(h, m->n);
	m->n++;
	return 0;
}

/*
 * Backward-shift deletion in the index: the slots after the hole that
 * probed past it move into it, so no tombstone is ever needed. The last
 * entry then moves into the entry's place, so entries stay one block.
 */
void *hmap_remove(struct hmap *m, const char *key)
{
	size_t mask, i, j, k, last;
	void *value;

	if (!m->n || !key)
		return NULL;
	mask = m->nslots - 1;
	i = find(m, key, hash_of(m, key));
	if (!m->index[i])
		return NULL;
	k = entry_of(m->index[i]);
	value = m->entries[k].value;
	for (j = (i + 1) & mask; m->index[j]; j = (j + 1) & mask) {
		size_t home = home_of(m, entry_of(m->index[j]));

		/* j may move to i only if its home is not in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		m->index[i] = m->index[j];
		i = j;
	}
	m->index[i] = 0;
	last = m->n - 1;
	if (k != last) {
		for (j = home_of(m, last); entry_of(m->index[j]) != last;
		     j = (j + 1) & mask)
			;
		/* the same key, the same bits of hash: only its number */
		m->index[j] = (m->index[j] & ~ENTRY_MASK) | (uint32_t)(k + 1);
		m->entries[k] = m->entries[last];
	}
	memset(&m->entries[last], 0, sizeof(m->entries[last]));
	m->n--;
	return value;
}

const struct hmap_entry *hmap_next(const struct hmap *m, size_t *pos)
{
	return *pos < m->n ? &m->entries[(*pos)++] : NULL;
}
