#include "hmap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

#define HMAP_MIN_SLOTS 16

void hmap_init(struct hmap *m, unsigned flags)
{
	memset(m, 0, sizeof(*m));
	m->flags = flags;
}

void hmap_release(struct hmap *m)
{
	free(m->slots);
	hmap_init(m, m->flags);
}

static unsigned char fold(const struct hmap *m, unsigned char c)
{
	if ((m->flags & HMAP_NOCASE) && c >= 'A' && c <= 'Z')
		return (unsigned char)(c - 'A' + 'a');
	return c;
}

/* FNV-1a, over the folded bytes when case does not matter. */
static size_t hash_of(const struct hmap *m, const char *key)
{
	size_t h = (size_t)14695981039346656037ull;

	for (; *key; key++)
		h = (h ^ fold(m, (unsigned char)*key)) *
		    (size_t)1099511628211ull;
	return h;
}

static bool same(const struct hmap *m, const char *a, const char *b)
{
	return m->flags & HMAP_NOCASE ? !strcasecmp(a, b) : !strcmp(a, b);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find(const struct hmap *m, const char *key, size_t h)
{
	size_t mask = m->nslots - 1, i = h & mask;

	while (m->slots[i].key &&
	       (m->slots[i].hash != h || !same(m, m->slots[i].key, key)))
		i = (i + 1) & mask;
	return i;
}

void *hmap_get(const struct hmap *m, const char *key)
{
	size_t i;

	if (!m->n || !key)
		return NULL;
	i = find(m, key, hash_of(m, key));
	return m->slots[i].key ? m->slots[i].value : NULL;
}

static int grow(struct hmap *m)
{
	size_t n = m->nslots ? m->nslots * 2 : HMAP_MIN_SLOTS;
	struct hmap_entry *old = m->slots;
	size_t nold = m->nslots;

	m->slots = calloc(n, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return DG_ENOMEM;
	}
	m->nslots = n;
	for (size_t i = 0; i < nold; i++)
		if (old[i].key)
			m->slots[find(m, old[i].key, old[i].hash)] = old[i];
	free(old);
	return 0;
}

int hmap_put(struct hmap *m, const char *key, void *value, void **old)
{
	size_t h = hash_of(m, key), i;

	if (m->n) {
		i = find(m, key, h);
		if (m->slots[i].key) {
			if (old)
				*old = m->slots[i].value;
			return DG_EEXISTS;
		}
	}
	/* At most half full: probes stay short. */
	if ((m->n + 1) * 2 > m->nslots && grow(m))
		return DG_ENOMEM;
	i = find(m, key, h);
	m->slots[i] = (struct hmap_entry){ key, value, h };
	m->n++;
	return 0;
}

/*
 * Backward-shift deletion: the entries after the hole that probed past
 * it move into it, so no tombstone is ever needed.
 */
void *hmap_remove(struct hmap *m, const char *key)
{
	size_t mask, i, j;
	void *value;

	if (!m->n || !key)
		return NULL;
	mask = m->nslots - 1;
	i = find(m, key, hash_of(m, key));
	if (!m->slots[i].key)
		return NULL;
	value = m->slots[i].value;
	for (j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;

		/* j may move to i only if its home is not in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->n--;
	return value;
}

const struct hmap_entry *hmap_next(const struct hmap *m, size_t *pos)
{
	for (; *pos < m->nslots; (*pos)++)
		if (m->slots[*pos].key)
			return &m->slots[(*pos)++];
	return NULL;
}
