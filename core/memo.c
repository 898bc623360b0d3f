#include "memo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One answer: key and text in one allocation, key first. */
struct memo_slot {
	uint64_t hash;
	uint64_t used; /* m->clock when last put or found */
	char *blob;    /* NULL: empty */
	size_t klen, tlen;
};

/*
 * Two slots a key: its pair (2i, 2i + 1) of slots, chosen by hash. A new
 * answer takes an empty slot of its pair, else the one used longer ago:
 * two keys that meet in one pair both stay.
 */
struct memo {
	struct memo_slot *slots;
	size_t nslots, npairs;
	uint64_t clock;
	size_t hits, misses, entries, bytes;
};

/* FNV-1a, then a final mix so nearby instants spread over the slots. */
static uint64_t hash_of(const void *key, size_t klen)
{
	const unsigned char *p = key;
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < klen; i++) {
		h ^= p[i];
		h *= UINT64_C(1099511628211);
	}
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return h;
}

struct memo *memo_new(size_t slots)
{
	struct memo *m;

	if (!slots)
		return NULL;
	slots += slots % 2;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->slots = calloc(slots, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	m->nslots = slots;
	m->npairs = (slots + 1) / 2;
	return m;
}

static void slot_empty(struct memo *m, struct memo_slot *s)
{
	if (!s->blob)
		return;
	m->entries--;
	m->bytes -= s->klen + s->tlen;
	free(s->blob);
	memset(s, 0, sizeof(*s));
}

void memo_free(struct memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslots; i++)
		free(m->slots[i].blob);
	free(m->slots);
	free(m);
}

/* The slot of key in its pair, else NULL. */
static struct memo_slot *find(struct memo *m, uint64_t h, const void *key,
			      size_t klen)
{
	struct memo_slot *pair = &m->slots[h % m->npairs * 2];

	for (int i = 0; i < 2; i++)
		if (pair[i].blob && pair[i].hash == h &&
		    pair[i].klen == klen && !memcmp(pair[i].blob, key, klen))
			return &pair[i];
	return NULL;
}

const char *memo_get(struct memo *m, const void *key, size_t klen,
		     size_t *len)
{
	struct memo_slot *s;
	uint64_t h;

	*len = 0;
	if (!m)
		return NULL;
	h = hash_of(key, klen);
	s = find(m, h, key, klen);
	if (!s) {
		m->misses++;
		return NULL;
	}
	m->hits++;
	s->used = ++m->clock;
	*len = s->tlen;
	return s->blob + klen;
}

void memo_put(struct memo *m, const void *key, size_t klen,
	      const char *text, size_t len)
{
	struct memo_slot *s, *pair;
	uint64_t h;
	char *blob;

	if (!m || klen > MEMO_ITEM_MAX || len > MEMO_ITEM_MAX)
		return;
	h = hash_of(key, klen);
	s = find(m, h, key, klen);
	if (!s) {
		pair = &m->slots[h % m->npairs * 2];
		s = !pair[0].blob			 ? &pair[0]
		    : !pair[1].blob			 ? &pair[1]
		    : pair[0].used <= pair[1].used ? &pair[0]
						   : &pair[1];
	}
	slot_empty(m, s);
	blob = malloc(klen + len + 1);
	if (!blob)
		return;
	memcpy(blob, key, klen);
	memcpy(blob + klen, text, len);
	blob[klen + len] = '\0';
	*s = (struct memo_slot){ .hash = h, .used = ++m->clock, .blob = blob,
				 .klen = klen, .tlen = len };
	m->entries++;
	m->bytes += klen + len;
}

void memo_stats(const struct memo *m, struct memo_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!m)
		return;
	out->hits = m->hits;
	out->misses = m->misses;
	out->entries = m->entries;
	out->slots = m->nslots;
	out->bytes = m->bytes;
}
