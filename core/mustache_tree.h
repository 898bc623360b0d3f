/*
 * mustache_tree: the structures behind mustache.h, shared by the data tree
 * (mustache_value.c), the compiler (mustache.c), the renderer
 * (mustache_render.c) and the cache of partials (mustache_partials.c).
 * Not for other modules: they see values and templates as opaque through
 * mustache.h.
 *
 * Invariants: text and indentation slices point into the template's own
 * copy of the source, which lives as long as the template. A body is an
 * array of nodes; section-like nodes own the body of their content.
 */
#ifndef DIGEST_MUSTACHE_TREE_H
#define DIGEST_MUSTACHE_TREE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mustache.h"

enum mustache_node_kind {
	MUSTACHE_N_TEXT,     /* literal text */
	MUSTACHE_N_INDENT,   /* a line starts here: emit the indentation */
	MUSTACHE_N_VAR,	     /* {{x}} */
	MUSTACHE_N_RAW,	     /* {{{x}}} or {{&x}} */
	MUSTACHE_N_SECTION,  /* {{#x}}...{{/x}} */
	MUSTACHE_N_INVERTED, /* {{^x}}...{{/x}} */
	MUSTACHE_N_PARTIAL,  /* {{>x}} */
	MUSTACHE_N_PARENT,   /* {{<x}}...{{/x}}: only its blocks count */
	MUSTACHE_N_BLOCK,    /* {{$x}}...{{/x}} */
	/*
	 * Lines of text without tags: a run of TEXT and INDENT nodes whose
	 * texts follow each other in the source. text and len are the whole
	 * run, output at once where there is no indentation to put at line
	 * starts; body holds the run's nodes, rendered one by one where
	 * there is.
	 */
	MUSTACHE_N_LINES
};

struct mustache_node;

struct mustache_body {
	struct mustache_node *nodes;
	size_t n, alloc;
};

/*
 * A tag's name is also kept ready for lookups, so that rendering never
 * measures or hashes it: its length, the length of its first dotted part
 * ("user" of "user.first_name") and that part's hash (mustache_key_hash),
 * which map pairs keep too.
 */
struct mustache_node {
	enum mustache_node_kind kind;
	unsigned line;	  /* of the tag, for messages */
	const char *text; /* TEXT: the text; PARTIAL, PARENT, BLOCK: */
	size_t len;	  /* the indentation a standalone tag adds */
	char *name;	  /* tags: the name (without '*' when dynamic) */
	size_t name_len;  /* strlen(name) */
	size_t first_len; /* its first dotted part's; name_len: no dot */
	uint32_t first_hash; /* mustache_key_hash() of that part */
	int dynamic;	  /* {{>*x}}: name is looked up in the data */
	int standalone;	  /* the tag stands alone on its line */
	/*
	 * A VAR, RAW, SECTION or INVERTED node whose name is that of the one
	 * before it in its body that looks a name up ({{#x}}..{{/x}}{{^x}}):
	 * rendered in the same frames over the same data, it finds the same
	 * value, so rendering takes that one instead of looking again.
	 */
	int again;
	/*
	 * A PARTIAL or PARENT of a fixed name: its place in the links of a
	 * partials cache (mustache_partials.c), 0 to the template's nlinks - 1,
	 * so that the partial is found by name once per cache, not at every
	 * rendering of the tag.
	 */
	size_t link;
	struct mustache_body body;
};

/*
 * A map keeps its keys in insertion order; a lookup compares hashes
 * first, in order in a small map, through its index in a larger one. The
 * keys live one after another (each NUL-terminated) in the map's own
 * buffer: a pair holds its key's offset there, so that a model of
 * thousands of keys costs a few allocations, not one per key.
 */
struct mustache_pair {
	uint32_t key;  /* offset in the map's keys */
	uint32_t klen;
	uint32_t hash; /* mustache_key_hash() of the key: compared first */
	struct mustache_value *value;
};

/*
 * The hash of a key or a name part, eight bytes at a time: the same bytes
 * give the same hash in the compiler, the data tree and the renderer.
 */
static inline uint32_t mustache_key_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w = 0;
	uint32_t a, b;

	for (; n > 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 29;
	}
	/* the last 0 to 8 bytes, read in two overlapping halves */
	if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (n) {
		w = (uint64_t)(unsigned char)s[0] << 16 |
		    (uint64_t)(unsigned char)s[n / 2] << 8 |
		    (unsigned char)s[n - 1];
	}
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	h ^= h >> 32;
	return (uint32_t)h;
}

/*
 * A string's bytes follow its struct in the same allocation, and so do
 * the first pairs, index and keys of a map made in an arena. A value made
 * while an arena was in use (mustache_arena_use()) lives in that arena,
 * and so do its string, items, pairs and keys: freeing it does nothing,
 * mustache_arena_reset() frees it with the rest.
 */
struct mustache_value {
	enum mustache_kind kind;
	struct mustache_arena *arena; /* NULL: malloc'd, freed one by one */
	union {
		int b;
		int64_t i;
		double f;
		struct {
			char *s;
			size_t len;
		} str;
		struct {
			struct mustache_value **items;
			size_t n, alloc;
		} list;
		struct {
			struct mustache_pair *pairs;
			char *keys;
			/*
			 * An index (in an arena from the first key, else
			 * past MUSTACHE_MAP_SMALL keys): open addressing
			 * over mask + 1 slots (at most a quarter full, so
			 * that a miss mostly costs one probe) of pair
			 * numbers plus one, 0 when empty.
			 */
			uint16_t *index;
			uint32_t n, alloc;
			uint32_t keys_len, keys_alloc;
			uint32_t mask;
			/*
			 * Bit (hash >> 27) of each key's hash: a key whose
			 * bit is clear is not in the map, known without a
			 * search. A new key is mostly new: mustache_map_set()
			 * asks this first (a rendering's lookups mostly
			 * find their name, and do not).
			 */
			uint32_t bloom;
		} map;
	} u;
};

/*
 * JavaScript's truth, which mustache users expect (mustache_truthy()):
 * here, so that the renderer asks it of every section without a call.
 */
static inline int mustache_truth(const struct mustache_value *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case MUSTACHE_BOOL:
		return v->u.b;
	case MUSTACHE_INT:
		return v->u.i != 0;
	case MUSTACHE_FLOAT:
		return v->u.f != 0 && !isnan(v->u.f);
	case MUSTACHE_STRING:
		return v->u.str.len > 0;
	case MUSTACHE_LIST:
		return v->u.list.n > 0;
	case MUSTACHE_MAP:
		return 1;
	default:
		return 0;
	}
}

/*
 * A map of at most this many keys made outside an arena is searched from
 * first to last; a larger one (up to MUSTACHE_MAP_INDEXED keys), and any
 * map in an arena, through its index.
 */
#define MUSTACHE_MAP_SMALL 4
#define MUSTACHE_MAP_INDEXED 32767

/* The bit of a key's hash in its map's bloom. */
#define MUSTACHE_BLOOM_BIT(h) ((uint32_t)1 << ((h) >> 27))

/*
 * Whether a and b, both n bytes, are the same. A key is mostly 4 to 16
 * bytes: two overlapping loads of each compare it whole, without the
 * call of memcmp(), and never read past either end.
 */
static inline int mustache_key_eq(const char *a, const char *b, size_t n)
{
	uint64_t x1, x2, y1, y2;
	uint32_t u1, u2, v1, v2;

	if (n > 16)
		return !memcmp(a, b, n);
	if (n >= 8) {
		memcpy(&x1, a, 8);
		memcpy(&x2, a + n - 8, 8);
		memcpy(&y1, b, 8);
		memcpy(&y2, b + n - 8, 8);
		return !((x1 ^ y1) | (x2 ^ y2));
	}
	if (n >= 4) {
		memcpy(&u1, a, 4);
		memcpy(&u2, a + n - 4, 4);
		memcpy(&v1, b, 4);
		memcpy(&v2, b + n - 4, 4);
		return !((u1 ^ v1) | (u2 ^ v2));
	}
	/* 0 to 3 bytes: the first, middle and last cover them all */
	return !n || (a[0] == b[0] && a[n / 2] == b[n / 2] &&
		      a[n - 1] == b[n - 1]);
}

/*
 * n bytes of s to d. Most pieces of a rendering (the text between two
 * tags, a value) and most keys are short: up to 16 bytes go by two
 * overlapping moves of each size, without a call of memcpy().
 */
static inline void mustache_copy(char *d, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t c, e;

	if (n > 16) {
		memcpy(d, s, n);
	} else if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&c, s, 4);
		memcpy(&e, s + n - 4, 4);
		memcpy(d, &c, 4);
		memcpy(d + n - 4, &e, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* The number of the pair of key (len bytes, hash h), or n without one. */
static inline size_t mustache_map_find(const struct mustache_value *map,
				       const char *key, size_t len,
				       uint32_t h)
{
	const struct mustache_pair *pairs = map->u.map.pairs, *p;
	size_t i, n = map->u.map.n;

	if (map->u.map.index) {
		for (i = h & map->u.map.mask; map->u.map.index[i];
		     i = (i + 1) & map->u.map.mask) {
			p = &pairs[map->u.map.index[i] - 1];
			if (p->hash == h && p->klen == len &&
			    mustache_key_eq(map->u.map.keys + p->key, key,
					    len))
				return map->u.map.index[i] - 1u;
		}
		return n;
	}
	for (i = 0, p = pairs; i < n; i++, p++)
		if (p->hash == h && p->klen == len &&
		    mustache_key_eq(map->u.map.keys + p->key, key, len))
			break;
	return i;
}

/*
 * A name the cache has asked its resolver for. Each entry is allocated on
 * its own, so that links to it stay valid while the cache grows.
 */
struct mustache_cached {
	char *name;
	struct mustache_template *t; /* NULL: the resolver has no such name */
	/*
	 * t's PARTIAL and PARENT nodes of a fixed name (t->nlinks, by their
	 * node's link): the entry each one names, NULL until first rendered.
	 */
	struct mustache_cached **links;
};

/*
 * owner and entry are set by the partials cache that compiled the
 * template (before anyone else sees it), NULL otherwise: rendering with
 * that cache then follows the entry's links instead of looking names up.
 */
struct mustache_template {
	char *name;
	char *src;
	size_t len;
	struct mustache_body root;
	size_t nlinks; /* PARTIAL and PARENT nodes of a fixed name */
	const struct mustache_partials *owner;
	struct mustache_cached *entry;
};

/*
 * Make room for need items of size bytes in items (of *alloc): the new
 * array, or NULL when out of memory (items is then left as it was).
 */
void *mustache_grow(void *items, size_t *alloc, size_t need, size_t size);

/*
 * The entry of name in the cache p, from the cache or else resolved,
 * compiled and cached (*fresh is then set); the entry belongs to p. An
 * entry without a template gives DG_ENOTFOUND, with a message; *out is
 * NULL only on another error. The renderer asks it when a tag has no link
 * yet (mustache_partials.c).
 */
int mustache_cache_get(struct mustache_partials *p, const char *name,
		       struct mustache_cached **out, int *fresh,
		       struct dg_err *err);

#endif
