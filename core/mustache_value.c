/*
 * mustache: the data tree callers build for mustache_render() (the
 * compiler is in mustache.c, the renderer in mustache_render.c).
 *
 * A value owns everything below it; containers take ownership of what is
 * added to them, even when adding fails, so constructors can be nested
 * without leaking. In an arena (mustache.h) the arena owns them all: a
 * value is carved from its blocks, a container's arrays grow there (in
 * place when they are the arena's last allocation, else by a copy, the
 * old array left to the reset), and freeing one value does nothing.
 */
#include "mustache.h"
#include "mustache_tree.h"

#include "err.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *mustache_grow(void *items, size_t *alloc, size_t need, size_t size)
{
	size_t cap;

	if (need <= *alloc)
		return items;
	cap = *alloc ? *alloc * 2 : 8;
	if (cap < need)
		cap = need;
	if (cap > SIZE_MAX / size)
		return NULL;
	items = realloc(items, cap * size);
	if (items)
		*alloc = cap;
	return items;
}

/* ---- arenas ---- */

/* The first block of an arena, and the least of each further one. */
#define ARENA_BLOCK ((size_t)64 << 10)
#define ARENA_ALIGN _Alignof(max_align_t)

struct arena_block {
	struct arena_block *next;
	size_t size; /* bytes of data */
	size_t used;
	max_align_t data[];
};

struct mustache_arena {
	struct arena_block *blocks; /* in order; those after cur are empty */
	struct arena_block *cur;    /* the block being filled */
	void *last;		    /* the last allocation, grown in place */
	size_t last_size;
};

/* The arena this thread's constructors allocate from; NULL: malloc. */
static _Thread_local struct mustache_arena *in_use;

struct mustache_arena *mustache_arena_new(void)
{
	return calloc(1, sizeof(struct mustache_arena));
}

struct mustache_arena *mustache_arena_use(struct mustache_arena *a)
{
	struct mustache_arena *before = in_use;

	in_use = a;
	return before;
}

static void *arena_alloc(struct mustache_arena *a, size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - ARENA_ALIGN - sizeof(*b))
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	while (!(b = a->cur) || b->size - b->used < size) {
		if (b && b->next) { /* a block kept by the last reset */
			a->cur = b->next;
			continue;
		}
		b = malloc(sizeof(*b) + (size > ARENA_BLOCK ? size
							    : ARENA_BLOCK));
		if (!b)
			return NULL;
		b->next = NULL;
		b->size = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		b->used = 0;
		if (a->cur)
			a->cur->next = b;
		else
			a->blocks = b;
		a->cur = b;
	}
	a->last = (char *)b->data + b->used;
	a->last_size = size;
	b->used += size;
	return a->last;
}

/* old (of old_size bytes, or NULL) made size bytes long, in a. */
static void *arena_grow(struct mustache_arena *a, void *old, size_t old_size,
			size_t size)
{
	struct arena_block *b = a->cur;
	void *p;

	if (old && old == a->last && size <= SIZE_MAX - ARENA_ALIGN) {
		size_t want = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);

		if (want <= a->last_size)
			return old;
		if (b->size - b->used >= want - a->last_size) {
			b->used += want - a->last_size;
			a->last_size = want;
			return old;
		}
	}
	p = arena_alloc(a, size);
	if (p && old)
		memcpy(p, old, old_size);
	return p;
}

void mustache_arena_reset(struct mustache_arena *a)
{
	struct arena_block *b, **keep;
	size_t kept = 0;

	if (!a)
		return;
	for (keep = &a->blocks; *keep && kept + (*keep)->size <= MUSTACHE_ARENA_KEEP;
	     keep = &(*keep)->next) {
		kept += (*keep)->size;
		(*keep)->used = 0;
	}
	while ((b = *keep)) {
		*keep = b->next;
		free(b);
	}
	a->cur = a->blocks;
	a->last = NULL;
	a->last_size = 0;
}

void mustache_arena_free(struct mustache_arena *a)
{
	if (!a)
		return;
	while (a->blocks) {
		struct arena_block *next = a->blocks->next;

		free(a->blocks);
		a->blocks = next;
	}
	free(a);
}

/* Room for a value and extra bytes after it, in the arena in use if any. */
static struct mustache_value *value_alloc(enum mustache_kind kind,
					  size_t extra)
{
	struct mustache_value *v;

	if (extra > SIZE_MAX - sizeof(*v))
		return NULL;
	v = in_use ? arena_alloc(in_use, sizeof(*v) + extra)
		   : malloc(sizeof(*v) + extra);
	if (v) {
		memset(v, 0, sizeof(*v));
		v->kind = kind;
		v->arena = in_use;
	}
	return v;
}

static struct mustache_value *value_new(enum mustache_kind kind)
{
	return value_alloc(kind, 0);
}

/* mustache_grow() for the arrays of container v, wherever v lives. */
static void *value_grow(const struct mustache_value *v, void *items,
			size_t *alloc, size_t need, size_t size)
{
	size_t cap;
	void *p;

	if (!v->arena)
		return mustache_grow(items, alloc, need, size);
	if (need <= *alloc)
		return items;
	cap = *alloc ? *alloc * 2 : 8;
	if (cap < need)
		cap = need;
	if (cap > SIZE_MAX / size)
		return NULL;
	p = arena_grow(v->arena, items, *alloc * size, cap * size);
	if (p)
		*alloc = cap;
	return p;
}

/*
 * null, true and false are three shared constants, not allocations: a
 * digest's model holds hundreds of them. Nothing changes a value in
 * place, and freeing one of them does nothing.
 */
static struct mustache_value the_null = {.kind = MUSTACHE_NULL};
static struct mustache_value the_false = {.kind = MUSTACHE_BOOL, .u.b = 0};
static struct mustache_value the_true = {.kind = MUSTACHE_BOOL, .u.b = 1};

static int is_shared(const struct mustache_value *v)
{
	return v == &the_null || v == &the_false || v == &the_true;
}

struct mustache_value *mustache_null(void)
{
	return &the_null;
}

struct mustache_value *mustache_bool(int b)
{
	return b ? &the_true : &the_false;
}

struct mustache_value *mustache_int(int64_t i)
{
	struct mustache_value *v = value_new(MUSTACHE_INT);

	if (v)
		v->u.i = i;
	return v;
}

struct mustache_value *mustache_float(double d)
{
	struct mustache_value *v = value_new(MUSTACHE_FLOAT);

	if (v)
		v->u.f = d;
	return v;
}

struct mustache_value *mustache_stringn(const char *s, size_t len)
{
	struct mustache_value *v;

	if (len > SIZE_MAX - sizeof(*v) - 1)
		return NULL;
	v = value_alloc(MUSTACHE_STRING, len + 1);
	if (!v)
		return NULL;
	v->u.str.s = (char *)(v + 1);
	mustache_copy(v->u.str.s, s, len);
	v->u.str.s[len] = '\0';
	v->u.str.len = len;
	return v;
}

struct mustache_value *mustache_string(const char *s)
{
	return mustache_stringn(s, strlen(s));
}

struct mustache_value *mustache_list_new(void)
{
	return value_new(MUSTACHE_LIST);
}

static struct mustache_value *map_new_in_arena(void);

struct mustache_value *mustache_map_new(void)
{
	return in_use ? map_new_in_arena() : value_new(MUSTACHE_MAP);
}

int mustache_list_push(struct mustache_value *list, struct mustache_value *v)
{
	struct mustache_value **items;

	if (!v)
		return DG_ENOMEM;
	if (!list || list->kind != MUSTACHE_LIST) {
		mustache_value_free(v);
		return DG_EINVAL;
	}
	items = list->u.list.items;
	if (list->u.list.n + 1 > list->u.list.alloc)
		items = value_grow(list, items, &list->u.list.alloc,
				   list->u.list.n + 1, sizeof(*items));
	if (!items) {
		mustache_value_free(v);
		return DG_ENOMEM;
	}
	list->u.list.items = items;
	items[list->u.list.n++] = v;
	return 0;
}

/* A map's first key buffer: the keys of a typical model map. */
#define KEYS_FIRST 192

/* Room for size bytes where v lives (its arena, else malloc). */
static void *value_mem(const struct mustache_value *v, size_t size)
{
	return v->arena ? arena_alloc(v->arena, size) : malloc(size);
}

/*
 * The index of map made anew for its n pairs, with room for one more (the
 * caller's next): four times that many slots or more, and at least 64 (a
 * model map of 5 to 15 keys builds its index once). DG_ENOMEM leaves map
 * as it was.
 */
static int map_reindex(struct mustache_value *map)
{
	size_t slots = 64, i, n = map->u.map.n;
	uint16_t *index;

	while (slots < 4 * (n + 1))
		slots *= 2;
	index = value_mem(map, slots * sizeof(*index));
	if (!index)
		return DG_ENOMEM;
	memset(index, 0, slots * sizeof(*index));
	for (i = 0; i < n; i++) {
		size_t at = map->u.map.pairs[i].hash & (slots - 1);

		while (index[at])
			at = (at + 1) & (slots - 1);
		index[at] = (uint16_t)(i + 1);
	}
	if (!map->arena)
		free(map->u.map.index);
	map->u.map.index = index;
	map->u.map.mask = (uint32_t)(slots - 1);
	return 0;
}

/* Pair n of map (h its key's hash) put in the index, if map needs one. */
static int map_index_add(struct mustache_value *map, size_t n, uint32_t h)
{
	size_t at;

	if (n >= MUSTACHE_MAP_INDEXED) { /* too many: searched in order */
		if (!map->arena)
			free(map->u.map.index);
		map->u.map.index = NULL;
		return 0;
	}
	if (n < MUSTACHE_MAP_SMALL && !map->u.map.index)
		return 0;
	if ((!map->u.map.index ||
	     4 * (n + 1) > (size_t)map->u.map.mask + 1) &&
	    map_reindex(map))
		return DG_ENOMEM;
	for (at = h & map->u.map.mask; map->u.map.index[at];
	     at = (at + 1) & map->u.map.mask)
		;
	map->u.map.index[at] = (uint16_t)(n + 1);
	return 0;
}

/* mustache_grow() of a container's array, with a 32-bit count. */
static void *value_grow32(const struct mustache_value *v, void *items,
			  uint32_t *alloc, size_t need, size_t size)
{
	size_t cap = *alloc;

	if (need > UINT32_MAX)
		return NULL;
	items = value_grow(v, items, &cap, need, size);
	if (items)
		*alloc = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	return items;
}

/* Pairs a map in an arena has room for at first: a model map's keys. */
#define PAIRS_FIRST 16

/* The slots of the index a map in an arena starts with (4 * PAIRS_FIRST). */
#define SLOTS_FIRST 64

/*
 * A map made in an arena: the value, its pairs, its index and its keys in
 * one allocation, not three or four. Most model maps have 5 to 15 keys:
 * they never grow, and with the index there from the first key none is
 * made over again at the fifth.
 */
static struct mustache_value *map_new_in_arena(void)
{
	size_t pairs = PAIRS_FIRST * sizeof(struct mustache_pair);
	size_t index = SLOTS_FIRST * sizeof(uint16_t);
	struct mustache_value *map =
		value_alloc(MUSTACHE_MAP, pairs + index + KEYS_FIRST);
	char *p;

	if (!map)
		return NULL;
	p = (char *)(map + 1);
	/* arrays in one block: none may grow in place over the next */
	map->arena->last = NULL;
	map->u.map.pairs = (struct mustache_pair *)(void *)p;
	map->u.map.alloc = PAIRS_FIRST;
	map->u.map.index = (uint16_t *)(void *)(p + pairs);
	memset(map->u.map.index, 0, index);
	map->u.map.mask = SLOTS_FIRST - 1;
	map->u.map.keys = p + pairs + index;
	map->u.map.keys_alloc = KEYS_FIRST;
	return map;
}

/* Add pair n: its key (len bytes, hash h) and v; the arrays have room. */
static void map_append(struct mustache_value *map, const char *key,
		       size_t len, uint32_t h, struct mustache_value *v)
{
	struct mustache_pair *p = &map->u.map.pairs[map->u.map.n++];

	mustache_copy(map->u.map.keys + map->u.map.keys_len, key, len + 1);
	p->key = map->u.map.keys_len;
	p->klen = (uint32_t)len;
	p->hash = h;
	p->value = v;
	map->u.map.keys_len += (uint32_t)len + 1;
	map->u.map.bloom |= MUSTACHE_BLOOM_BIT(h);
}

/* Add a new key to map, making room first (v is freed on failure). */
static int map_add(struct mustache_value *map, const char *key, size_t len,
		   uint32_t h, struct mustache_value *v)
{
	struct mustache_pair *pairs;
	char *keys;
	size_t n = map->u.map.n;

	pairs = map->u.map.pairs;
	if (n + 1 > map->u.map.alloc) {
		pairs = value_grow32(map, pairs, &map->u.map.alloc, n + 1,
				     sizeof(*pairs));
		if (pairs)
			map->u.map.pairs = pairs;
	}
	keys = map->u.map.keys;
	/* offsets are 32 bits: a map's keys take less than 4 GiB */
	if (!pairs || len >= UINT32_MAX - 1 ||
	    map->u.map.keys_len >= UINT32_MAX - 1 - len)
		keys = NULL;
	else if (map->u.map.keys_len + len + 1 > map->u.map.keys_alloc)
		keys = value_grow32(map, keys, &map->u.map.keys_alloc,
				    map->u.map.keys_alloc
					    ? map->u.map.keys_len + len + 1
					    : KEYS_FIRST + len,
				    1);
	if (keys)
		map->u.map.keys = keys;
	if (!keys || map_index_add(map, n, h)) {
		mustache_value_free(v);
		return DG_ENOMEM;
	}
	map_append(map, key, len, h, v);
	return 0;
}

int mustache_map_set(struct mustache_value *map, const char *key,
		     struct mustache_value *v)
{
	size_t i, len, n;
	uint32_t h, at;

	if (!v)
		return DG_ENOMEM;
	if (!map || map->kind != MUSTACHE_MAP || !key) {
		mustache_value_free(v);
		return DG_EINVAL;
	}
	len = strlen(key);
	h = mustache_key_hash(key, len);
	n = map->u.map.n;
	i = map->u.map.bloom & MUSTACHE_BLOOM_BIT(h)
		    ? mustache_map_find(map, key, len, h)
		    : n;
	if (i < n) {
		mustache_value_free(map->u.map.pairs[i].value);
		map->u.map.pairs[i].value = v;
		return 0;
	}
	/*
	 * Mostly the arrays have room and the index (if any) too: the pair
	 * goes in here, without a call. Else map_add() makes room.
	 */
	if (n >= map->u.map.alloc ||
	    len >= map->u.map.keys_alloc - map->u.map.keys_len)
		return map_add(map, key, len, h, v);
	if (map->u.map.index) {
		if (n >= MUSTACHE_MAP_INDEXED ||
		    4 * (n + 1) > (size_t)map->u.map.mask + 1)
			return map_add(map, key, len, h, v);
		for (at = h & map->u.map.mask; map->u.map.index[at];
		     at = (at + 1) & map->u.map.mask)
			;
		map->u.map.index[at] = (uint16_t)(n + 1);
	} else if (n >= MUSTACHE_MAP_SMALL) {
		return map_add(map, key, len, h, v);
	}
	map_append(map, key, len, h, v);
	return 0;
}

enum mustache_kind mustache_value_kind(const struct mustache_value *v)
{
	return v ? v->kind : MUSTACHE_NULL;
}

void mustache_value_free(struct mustache_value *v)
{
	size_t i;

	if (!v || is_shared(v) || v->arena) /* the arena frees it */
		return;
	switch (v->kind) {
	case MUSTACHE_LIST:
		for (i = 0; i < v->u.list.n; i++)
			mustache_value_free(v->u.list.items[i]);
		free(v->u.list.items);
		break;
	case MUSTACHE_MAP:
		for (i = 0; i < v->u.map.n; i++)
			mustache_value_free(v->u.map.pairs[i].value);
		free(v->u.map.pairs);
		free(v->u.map.keys);
		free(v->u.map.index);
		break;
	default:
		break;
	}
	free(v);
}

/* ---- reading a tree back ---- */

const struct mustache_value *mustache_map_get(const struct mustache_value *map,
					      const char *key)
{
	size_t i, len;

	if (!map || map->kind != MUSTACHE_MAP)
		return NULL;
	len = strlen(key);
	i = mustache_map_find(map, key, len, mustache_key_hash(key, len));
	return i < map->u.map.n ? map->u.map.pairs[i].value : NULL;
}

size_t mustache_map_len(const struct mustache_value *map)
{
	return map && map->kind == MUSTACHE_MAP ? map->u.map.n : 0;
}

const char *mustache_map_key(const struct mustache_value *map, size_t i)
{
	return i < mustache_map_len(map)
		       ? map->u.map.keys + map->u.map.pairs[i].key
		       : NULL;
}

const struct mustache_value *mustache_map_value(
	const struct mustache_value *map, size_t i)
{
	return i < mustache_map_len(map) ? map->u.map.pairs[i].value : NULL;
}

size_t mustache_list_len(const struct mustache_value *list)
{
	return list && list->kind == MUSTACHE_LIST ? list->u.list.n : 0;
}

const struct mustache_value *mustache_list_get(
	const struct mustache_value *list, size_t i)
{
	return i < mustache_list_len(list) ? list->u.list.items[i] : NULL;
}

struct mustache_value *mustache_list_item(struct mustache_value *list,
					  size_t i)
{
	return i < mustache_list_len(list) ? list->u.list.items[i] : NULL;
}

const char *mustache_string_get(const struct mustache_value *v, size_t *len)
{
	if (!v || v->kind != MUSTACHE_STRING)
		return NULL;
	if (len)
		*len = v->u.str.len;
	return v->u.str.s;
}

int mustache_bool_get(const struct mustache_value *v)
{
	return v && v->kind == MUSTACHE_BOOL && v->u.b;
}

int64_t mustache_int_get(const struct mustache_value *v)
{
	return v && v->kind == MUSTACHE_INT ? v->u.i : 0;
}

double mustache_float_get(const struct mustache_value *v)
{
	return v && v->kind == MUSTACHE_FLOAT ? v->u.f : 0;
}

int mustache_truthy(const struct mustache_value *v)
{
	return mustache_truth(v);
}

struct mustache_value *mustache_value_copy(const struct mustache_value *v)
{
	struct mustache_value *c;

	if (!v)
		return NULL;
	if (is_shared(v))
		return (struct mustache_value *)v;
	switch (v->kind) {
	case MUSTACHE_STRING:
		return mustache_stringn(v->u.str.s, v->u.str.len);
	case MUSTACHE_LIST:
		c = mustache_list_new();
		for (size_t i = 0; c && i < v->u.list.n; i++)
			if (mustache_list_push(
				    c, mustache_value_copy(v->u.list.items[i]))) {
				mustache_value_free(c);
				return NULL;
			}
		return c;
	case MUSTACHE_MAP:
		c = mustache_map_new();
		for (size_t i = 0; c && i < v->u.map.n; i++)
			if (mustache_map_set(c, mustache_map_key(v, i),
					     mustache_value_copy(
						     v->u.map.pairs[i].value))) {
				mustache_value_free(c);
				return NULL;
			}
		return c;
	default:
		c = value_new(v->kind);
		if (c)
			c->u = v->u;
		return c;
	}
}
