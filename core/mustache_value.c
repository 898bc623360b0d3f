/*
 * mustache: the data tree callers build for mustache_render() (the
 * compiler is in mustache.c, the renderer in mustache_render.c).
 *
 * A value owns everything below it; containers take ownership of what is
 * added to them, even when adding fails, so constructors can be nested
 * without leaking.
 */
#include "mustache.h"
#include "mustache_tree.h"

#include "err.h"

#include <math.h>
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

static struct mustache_value *value_new(enum mustache_kind kind)
{
	struct mustache_value *v = calloc(1, sizeof(*v));

	if (v)
		v->kind = kind;
	return v;
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
	v = malloc(sizeof(*v) + len + 1);
	if (!v)
		return NULL;
	memset(v, 0, sizeof(*v));
	v->kind = MUSTACHE_STRING;
	v->u.str.s = (char *)(v + 1);
	if (len)
		memcpy(v->u.str.s, s, len);
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

struct mustache_value *mustache_map_new(void)
{
	return value_new(MUSTACHE_MAP);
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
	items = mustache_grow(list->u.list.items, &list->u.list.alloc,
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

/* The index of key in map, or map's n when it has no such key. */
static size_t map_find(const struct mustache_value *map, const char *key,
		       size_t len)
{
	size_t i;

	for (i = 0; i < map->u.map.n; i++) {
		const struct mustache_pair *p = &map->u.map.pairs[i];

		if (p->klen == len && !memcmp(map->u.map.keys + p->key, key, len))
			break;
	}
	return i;
}

int mustache_map_set(struct mustache_value *map, const char *key,
		     struct mustache_value *v)
{
	struct mustache_pair *pairs;
	char *keys;
	size_t i, len;

	if (!v)
		return DG_ENOMEM;
	if (!map || map->kind != MUSTACHE_MAP || !key) {
		mustache_value_free(v);
		return DG_EINVAL;
	}
	len = strlen(key);
	i = map_find(map, key, len);
	if (i < map->u.map.n) {
		mustache_value_free(map->u.map.pairs[i].value);
		map->u.map.pairs[i].value = v;
		return 0;
	}
	pairs = mustache_grow(map->u.map.pairs, &map->u.map.alloc,
			      map->u.map.n + 1, sizeof(*pairs));
	if (pairs)
		map->u.map.pairs = pairs;
	keys = pairs && map->u.map.keys_len <= SIZE_MAX - len - 1
		       ? mustache_grow(map->u.map.keys, &map->u.map.keys_alloc,
				       map->u.map.keys_alloc
					       ? map->u.map.keys_len + len + 1
					       : KEYS_FIRST + len,
				       1)
		       : NULL;
	if (!keys) {
		mustache_value_free(v);
		return DG_ENOMEM;
	}
	map->u.map.keys = keys;
	memcpy(keys + map->u.map.keys_len, key, len + 1);
	pairs[map->u.map.n].key = map->u.map.keys_len;
	pairs[map->u.map.n].klen = len;
	pairs[map->u.map.n].value = v;
	map->u.map.keys_len += len + 1;
	map->u.map.n++;
	return 0;
}

enum mustache_kind mustache_value_kind(const struct mustache_value *v)
{
	return v ? v->kind : MUSTACHE_NULL;
}

void mustache_value_free(struct mustache_value *v)
{
	size_t i;

	if (!v || is_shared(v))
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
	size_t i;

	if (!map || map->kind != MUSTACHE_MAP)
		return NULL;
	i = map_find(map, key, strlen(key));
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
		c = malloc(sizeof(*c));
		if (c)
			*c = *v;
		return c;
	}
}
