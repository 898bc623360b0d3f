/*
 * toml_tree: the tree a parse builds and its accessors (toml.h): values,
 * tables that index their keys by hash once they grow, arrays.
 */
#include "toml.h"
#include "toml_int.h"

#include <stdlib.h>
#include <string.h>

/* Tables index their keys by hash from this size on. */
#define INDEX_FROM 16

struct toml_value *toml_tree_new(enum toml_type type, int line, int col)
{
	struct toml_value *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->type = type;
	v->line = line;
	v->column = col;
	return v;
}

void toml_free(struct toml_value *v)
{
	if (!v)
		return;
	switch (v->type) {
	case TOML_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			toml_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < v->u.tab.n; i++) {
			free(v->u.tab.kv[i].key);
			toml_free(v->u.tab.kv[i].val);
		}
		free(v->u.tab.kv);
		free(v->u.tab.index);
		break;
	case TOML_STRING:
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		free(v->u.str.s);
		break;
	default:
		break;
	}
	free(v);
}

static size_t hash_key(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static bool key_is(const struct toml_kv *kv, const char *key, size_t len)
{
	return kv->key_len == len && !memcmp(kv->key, key, len);
}

static void index_put(struct toml_value *t, size_t pos)
{
	const struct toml_kv *kv = &t->u.tab.kv[pos];
	size_t mask = t->u.tab.index_size - 1;
	size_t slot = hash_key(kv->key, kv->key_len) & mask;

	while (t->u.tab.index[slot])
		slot = (slot + 1) & mask;
	t->u.tab.index[slot] = pos + 1;
}

/* Keep the index at most half full, so probes stay short. */
static int index_grow(struct toml_value *t)
{
	size_t size = t->u.tab.index_size ? t->u.tab.index_size * 2 : 64;
	size_t *index = calloc(size, sizeof(*index));

	if (!index)
		return DG_ENOMEM;
	free(t->u.tab.index);
	t->u.tab.index = index;
	t->u.tab.index_size = size;
	for (size_t i = 0; i < t->u.tab.n; i++)
		index_put(t, i);
	return 0;
}

struct toml_value *toml_tree_find(const struct toml_value *t,
				  const char *key, size_t len)
{
	size_t mask, slot;

	if (!t->u.tab.index) {
		for (size_t i = 0; i < t->u.tab.n; i++)
			if (key_is(&t->u.tab.kv[i], key, len))
				return t->u.tab.kv[i].val;
		return NULL;
	}
	mask = t->u.tab.index_size - 1;
	for (slot = hash_key(key, len) & mask; t->u.tab.index[slot];
	     slot = (slot + 1) & mask) {
		size_t pos = t->u.tab.index[slot] - 1;

		if (key_is(&t->u.tab.kv[pos], key, len))
			return t->u.tab.kv[pos].val;
	}
	return NULL;
}

/* Add key (copied) -> v (taken: freed on failure). The key is new. */
int toml_tree_add(struct toml_value *t, const char *key, size_t len,
		  struct toml_value *v)
{
	struct toml_kv *kv;

	if (t->u.tab.n == t->u.tab.alloc) {
		size_t alloc = t->u.tab.alloc ? t->u.tab.alloc * 2 : 8;

		kv = reallocarray(t->u.tab.kv, alloc, sizeof(*kv));
		if (!kv)
			goto nomem;
		t->u.tab.kv = kv;
		t->u.tab.alloc = alloc;
	}
	kv = &t->u.tab.kv[t->u.tab.n];
	kv->key = malloc(len + 1);
	if (!kv->key)
		goto nomem;
	memcpy(kv->key, key, len);
	kv->key[len] = '\0';
	kv->key_len = len;
	kv->val = v;
	t->u.tab.n++;
	if (t->u.tab.n >= INDEX_FROM && t->u.tab.n * 2 > t->u.tab.index_size)
		return index_grow(t);
	if (t->u.tab.index)
		index_put(t, t->u.tab.n - 1);
	return 0;
nomem:
	toml_free(v);
	return DG_ENOMEM;
}

/* Append v (taken: freed on failure). */
int toml_tree_push(struct toml_value *a, struct toml_value *v)
{
	if (a->u.arr.n == a->u.arr.alloc) {
		size_t alloc = a->u.arr.alloc ? a->u.arr.alloc * 2 : 4;
		struct toml_value **items;

		items = reallocarray(a->u.arr.items, alloc, sizeof(*items));
		if (!items) {
			toml_free(v);
			return DG_ENOMEM;
		}
		a->u.arr.items = items;
		a->u.arr.alloc = alloc;
	}
	a->u.arr.items[a->u.arr.n++] = v;
	return 0;
}

/* Mark an inline table, and the tables its dotted keys made, complete. */
void toml_tree_freeze(struct toml_value *t)
{
	t->origin |= ORIGIN_INLINE;
	for (size_t i = 0; i < t->u.tab.n; i++)
		if (t->u.tab.kv[i].val->type == TOML_TABLE)
			toml_tree_freeze(t->u.tab.kv[i].val);
}

/* Accessors. */

enum toml_type toml_type(const struct toml_value *v)
{
	return v->type;
}

const char *toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_STRING:
		return "string";
	case TOML_INTEGER:
		return "integer";
	case TOML_FLOAT:
		return "float";
	case TOML_BOOL:
		return "boolean";
	case TOML_DATETIME:
		return "offset date-time";
	case TOML_DATETIME_LOCAL:
		return "local date-time";
	case TOML_DATE_LOCAL:
		return "local date";
	case TOML_TIME_LOCAL:
		return "local time";
	case TOML_ARRAY:
		return "array";
	case TOML_TABLE:
		return "table";
	}
	return "value";
}

int toml_line(const struct toml_value *v)
{
	return v->line;
}

int toml_column(const struct toml_value *v)
{
	return v->column;
}

size_t toml_table_size(const struct toml_value *t)
{
	return t && t->type == TOML_TABLE ? t->u.tab.n : 0;
}

const char *toml_table_key(const struct toml_value *t, size_t i)
{
	return i < toml_table_size(t) ? t->u.tab.kv[i].key : NULL;
}

size_t toml_table_key_len(const struct toml_value *t, size_t i)
{
	return i < toml_table_size(t) ? t->u.tab.kv[i].key_len : 0;
}

const struct toml_value *toml_table_at(const struct toml_value *t, size_t i)
{
	return i < toml_table_size(t) ? t->u.tab.kv[i].val : NULL;
}

const struct toml_value *toml_table_get(const struct toml_value *t,
					const char *key)
{
	if (!t || t->type != TOML_TABLE)
		return NULL;
	return toml_tree_find(t, key, strlen(key));
}

size_t toml_array_size(const struct toml_value *a)
{
	return a && a->type == TOML_ARRAY ? a->u.arr.n : 0;
}

const struct toml_value *toml_array_at(const struct toml_value *a, size_t i)
{
	return i < toml_array_size(a) ? a->u.arr.items[i] : NULL;
}

const char *toml_string(const struct toml_value *v)
{
	return v && v->type == TOML_STRING ? v->u.str.s : NULL;
}

size_t toml_string_len(const struct toml_value *v)
{
	return v && v->type == TOML_STRING ? v->u.str.len : 0;
}

int64_t toml_integer(const struct toml_value *v)
{
	return v && v->type == TOML_INTEGER ? v->u.i : 0;
}

double toml_float(const struct toml_value *v)
{
	return v && v->type == TOML_FLOAT ? v->u.f : 0.0;
}

bool toml_bool(const struct toml_value *v)
{
	return v && v->type == TOML_BOOL && v->u.b;
}

const char *toml_datetime_text(const struct toml_value *v)
{
	if (!v)
		return NULL;
	switch (v->type) {
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		return v->u.str.s;
	default:
		return NULL;
	}
}
