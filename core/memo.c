#include "memo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One answer: key and text in one allocation, key first. */
struct memo_slot {
	uint64_t hash;
	char *blob; /* NULL: empty */
	size_t klen, tlen;
};

struct memo {
	struct memo_slot *slots;
	size_t nslots;
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
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->slots = calloc(slots, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	m->nslots = slots;
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

const char *memo_get(struct memo *m, const void *key, size_t klen,
		     size_t *len)
{
	uint64_t h;
	struct memo_slot *s;

	*len = 0;
	if (!m)
		return NULL;
	h = hash_of(key, klen);
	s = &m->slots[h % m->nslots];
	if (s->blob && s->hash == h && s->klen == klen &&
	    !memcmp(s->blob, key, klen)) {
		m->hits++;
		*len = s->tlen;
		return s->blob + klen;
	}
	m->misses++;
	return NULL;
}

void memo_put(struct memo *m, const void *key, size_t klen,
	      const char *text, size_t len)
{
	uint64_t h;
	struct memo_slot *s;
	char *blob;

	if (!m || klen > MEMO_ITEM_MAX || len > MEMO_ITEM_MAX)
		return;
	h = hash_of(key, klen);
	s = &m->slots[h % m->nslots];
	slot_empty(m, s);
	blob = malloc(klen + len + 1);
	if (!blob)
		return;
	memcpy(blob, key, klen);
	memcpy(blob + klen, text, len);
	blob[klen + len] = '\0';
	*s = (struct memo_slot){ .hash = h, .blob = blob, .klen = klen,
				 .tlen = len };
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
