/*
 * graphjson_doc: a $batch answer read once by yajl into one flat list of
 * tokens (graphjson_int.h), so that its thousands of events become the
 * structs of calendar.h without a json-c object, hash table and key copy
 * for each of their fields, all freed again a moment later: that tree
 * cost about a fifth of a morning run's CPU.
 *
 * It takes only texts json-c would read to the same values: strict UTF-8
 * without \u0000 and without a lone surrogate escape (yajl and json-c
 * spell those differently), nested at most as deep as json-c's parser
 * goes. Anything else, and anything yajl refuses, is left to json-c
 * (graphjson_doc_read() says no and the caller parses as ever), so a text
 * is refused with the same message as before.
 */
#include "graphjson.h"
#include "graphjson_int.h"

#include <ctype.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_parse.h>

/* json-c's parser stops at this depth (json_tokener_new()'s default). */
#define DOC_DEPTH 32

/* The reading: the document, and the containers open around the token. */
struct reading {
	struct graphjson_doc *d;
	uint32_t open[DOC_DEPTH];
	unsigned depth;
	bool nomem;
};

/* Room for alloc tokens in d (it never shrinks). */
static bool tokens_room(struct graphjson_doc *d, size_t alloc)
{
	struct graphjson_tok *t;

	if (alloc <= d->alloc)
		return true;
	if (alloc > UINT32_MAX)
		return false;
	t = realloc(d->tok, alloc * sizeof(*t));
	if (!t)
		return false;
	d->tok = t;
	d->alloc = alloc;
	return true;
}

/*
 * Copy s[0..len) and a NUL into the string space; its offset in *off.
 * presize() made room for every string of the text.
 */
static bool keep(struct graphjson_doc *d, const void *s, size_t len,
		 uint32_t *off)
{
	if (len >= d->size - d->len)
		return false;
	memcpy(d->text + d->len, s, len);
	d->text[d->len + len] = '\0';
	*off = (uint32_t)d->len;
	d->len += len + 1;
	return true;
}

/* A new token of kind k as the next member of the open container. */
static struct graphjson_tok *add(struct reading *r, enum graphjson_kind k)
{
	struct graphjson_doc *d = r->d;
	struct graphjson_tok *t;

	if (d->n == d->alloc && !tokens_room(d, d->alloc * 2)) {
		r->nomem = true;
		return NULL;
	}
	t = &d->tok[d->n++];
	t->kind = (unsigned char)k;
	t->off = 0;
	t->len = 0;
	t->end = (uint32_t)d->n;
	/* a key is not a member: its value is */
	if (r->depth && k != GRAPHJSON_KEY)
		d->tok[r->open[r->depth - 1]].len++;
	return t;
}

static int on_scalar(struct reading *r, enum graphjson_kind k, const void *s,
		     size_t len)
{
	struct graphjson_tok *t = add(r, k);

	if (!t)
		return 0;
	if (k == GRAPHJSON_STRING || k == GRAPHJSON_NUMBER ||
	    k == GRAPHJSON_KEY) {
		if (!keep(r->d, s, len, &t->off)) {
			r->nomem = true;
			return 0;
		}
		t->len = (uint32_t)len;
	}
	return 1;
}

static int on_null(void *ctx)
{
	return on_scalar(ctx, GRAPHJSON_NULL, NULL, 0);
}

static int on_bool(void *ctx, int b)
{
	return on_scalar(ctx, b ? GRAPHJSON_TRUE : GRAPHJSON_FALSE, NULL, 0);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	return on_scalar(ctx, GRAPHJSON_NUMBER, s, len);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	return on_scalar(ctx, GRAPHJSON_STRING, s, len);
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
	return on_scalar(ctx, GRAPHJSON_KEY, s, len);
}

static int on_open(struct reading *r, enum graphjson_kind k)
{
	/* json-c refuses the level past its depth: so does this */
	if (r->depth == DOC_DEPTH || !add(r, k))
		return 0;
	r->open[r->depth++] = (uint32_t)(r->d->n - 1);
	return 1;
}

static int on_close(void *ctx)
{
	struct reading *r = ctx;
	struct graphjson_doc *d = r->d;

	d->tok[r->open[--r->depth]].end = (uint32_t)d->n;
	return 1;
}

static int on_start_map(void *ctx)
{
	return on_open(ctx, GRAPHJSON_OBJECT);
}

static int on_start_array(void *ctx)
{
	return on_open(ctx, GRAPHJSON_ARRAY);
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	/* numbers as their text, as json-c reads them: see number_of() */
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = on_close,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_close,
};

/*
 * yajl's memory. yajl does not check what its allocator returns (a NULL
 * block is written to), so its allocator here never returns NULL: a
 * failure jumps back to graphjson_doc_read(), which frees what yajl held
 * (every block it has is in the list: a handle, a stack, a lexer, two
 * buffers) and says DG_ENOMEM. Nothing of yajl's is used after the jump.
 */
struct yajl_memory {
	jmp_buf out;
	void *block[16];
	size_t n;
};

/* Where p is in m's list, or m->n when it is not (NULL). */
static size_t block_at(const struct yajl_memory *m, const void *p)
{
	size_t i = 0;

	while (i < m->n && m->block[i] != p)
		i++;
	return i;
}

static void *held(struct yajl_memory *m, void *p)
{
	if (!p || m->n == sizeof(m->block) / sizeof(m->block[0])) {
		free(p);
		longjmp(m->out, 1);
	}
	m->block[m->n++] = p;
	return p;
}

static void *yajl_malloc(void *ctx, size_t size)
{
	return held(ctx, malloc(size));
}

static void *yajl_realloc(void *ctx, void *p, size_t size)
{
	struct yajl_memory *m = ctx;
	size_t i = block_at(m, p);
	void *q = realloc(p, size);

	/* a failed realloc() left p as it was, still in the list */
	if (!q)
		longjmp(m->out, 1);
	if (i == m->n)
		return held(m, q);
	m->block[i] = q;
	return q;
}

static void yajl_free_block(void *ctx, void *p)
{
	struct yajl_memory *m = ctx;
	size_t i = block_at(m, p);

	if (i < m->n)
		m->block[i] = m->block[--m->n];
	free(p);
}

static int hex_at(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)s[i];

		if (!isxdigit(c))
			return -1;
		v = v * 16 + (isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	}
	return v;
}

/*
 * Whether the text has a \u escape of half a surrogate pair without its
 * other half: json-c makes it U+FFFD, yajl a '?' or bytes that are no
 * UTF-8. Backslashes only appear in strings of a valid text, so the
 * escapes are read from one backslash to the next.
 */
static bool has_lone_surrogate(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end && (p = memchr(p, '\\', (size_t)(end - p)))) {
		int u;

		if (end - p < 2)
			break;
		if (end - p < 6 || p[1] != 'u') {
			p += 2;
			continue;
		}
		u = hex_at(p + 2);
		if (u >= 0xdc00 && u <= 0xdfff)
			return true;
		if (u >= 0xd800 && u <= 0xdbff) {
			int low = end - p >= 12 && p[6] == '\\' && p[7] == 'u'
					  ? hex_at(p + 8)
					  : -1;

			if (low < 0xdc00 || low > 0xdfff)
				return true;
			p += 12;
			continue;
		}
		p += 6;
	}
	return false;
}

/*
 * Room for the tokens and strings of a text of len bytes, so that they
 * are not copied as they grow: the strings, each with its NUL, take at
 * most len + 1 bytes (a string's quotes make room for its NUL, and so
 * does what ends a number); Graph's answers have a token every dozen
 * bytes or so (more are made room for as they come).
 */
static bool presize(struct graphjson_doc *d, size_t len)
{
	if (len >= UINT32_MAX || !tokens_room(d, len / 8 + 64))
		return false;
	if (d->size < len + 1) {
		void *p = realloc(d->text, len + 1);

		if (!p)
			return false;
		d->text = p;
		d->size = len + 1;
	}
	return true;
}

/* yajl's parse of json into r->d: yajl's status, or -1 out of memory. */
static int parse(struct reading *r, struct yajl_memory *m, const char *json,
		 size_t len)
{
	yajl_alloc_funcs funcs = {yajl_malloc, yajl_realloc, yajl_free_block,
				  m};
	yajl_handle h;
	yajl_status st;

	if (setjmp(m->out)) {
		while (m->n)
			free(m->block[--m->n]);
		return -1;
	}
	h = yajl_alloc(&callbacks, &funcs, r);
	/* checked already, more strictly than yajl would */
	yajl_config(h, yajl_dont_validate_strings, 1);
	st = yajl_parse(h, (const unsigned char *)json, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	return (int)st;
}

struct graphjson_doc *graphjson_doc_new(void)
{
	return calloc(1, sizeof(struct graphjson_doc));
}

int graphjson_doc_read(struct graphjson_doc *d, const char *json, size_t len)
{
	struct reading r = {d, {0}, 0, false};
	struct yajl_memory m = {.n = 0};
	int st;

	d->n = 0;
	d->len = 0;
	if (!graphjson_strings_valid(json, len) ||
	    has_lone_surrogate(json, len))
		return DG_EPARSE;
	if (!presize(d, len))
		return DG_ENOMEM;
	st = parse(&r, &m, json, len);
	if (st == yajl_status_ok && d->n)
		return 0;
	d->n = 0;
	return st < 0 || r.nomem ? DG_ENOMEM : DG_EPARSE;
}

void graphjson_doc_free(struct graphjson_doc *d)
{
	if (!d)
		return;
	free(d->tok);
	free(d->text);
	free(d);
}

void graphjson_doc_slots(const struct graphjson_doc *d, size_t obj,
			 const char *const *keys, size_t n, size_t *at)
{
	size_t next = 0, i = obj + 1;

	for (size_t k = 0; k < n; k++)
		at[k] = GRAPHJSON_NONE;
	while (i < d->tok[obj].end) {
		const char *key = graphjson_doc_str(d, i);

		/* Graph writes fields in one order: try the next one first. */
		for (size_t t = 0; t < n; t++) {
			size_t k = next + t < n ? next + t : next + t - n;

			if (keys[k][0] == key[0] && !strcmp(keys[k], key)) {
				/* a repeated key: the last value, as json-c */
				at[k] = i + 1;
				next = k + 1 < n ? k + 1 : 0;
				break;
			}
		}
		i = d->tok[i + 1].end;
	}
}

size_t graphjson_doc_get(const struct graphjson_doc *d, size_t obj,
			 const char *key)
{
	size_t at;

	graphjson_doc_slots(d, obj, &key, 1, &at);
	return at;
}

/*
 * A number as json-c's parser makes it: an int64, or a double that keeps
 * its text (rare in an answer: a time zone's bias).
 */
static json_object *number_of(const char *s)
{
	return json_tokener_parse(s);
}

static json_object *object_of(const struct graphjson_doc *d, size_t t)
{
	json_object *o = json_object_new_object();
	size_t i = t + 1;

	while (o && i < d->tok[t].end) {
		json_object *v = graphjson_doc_tree(d, i + 1);

		if ((!v && d->tok[i + 1].kind != GRAPHJSON_NULL) ||
		    json_object_object_add(o, graphjson_doc_str(d, i), v)) {
			json_object_put(v);
			json_object_put(o);
			return NULL;
		}
		i = d->tok[i + 1].end;
	}
	return o;
}

static json_object *array_of(const struct graphjson_doc *d, size_t t)
{
	json_object *a = json_object_new_array_ext(
		d->tok[t].len ? (int)d->tok[t].len : 1);
	size_t i = t + 1;

	while (a && i < d->tok[t].end) {
		json_object *v = graphjson_doc_tree(d, i);

		if ((!v && d->tok[i].kind != GRAPHJSON_NULL) ||
		    json_object_array_add(a, v)) {
			json_object_put(v);
			json_object_put(a);
			return NULL;
		}
		i = d->tok[i].end;
	}
	return a;
}

json_object *graphjson_doc_tree(const struct graphjson_doc *d, size_t t)
{
	switch (graphjson_doc_kind(d, t)) {
	case GRAPHJSON_OBJECT:
		return object_of(d, t);
	case GRAPHJSON_ARRAY:
		return array_of(d, t);
	case GRAPHJSON_STRING:
		return json_object_new_string_len(graphjson_doc_str(d, t),
						  (int)d->tok[t].len);
	case GRAPHJSON_NUMBER:
		return number_of(graphjson_doc_str(d, t));
	case GRAPHJSON_TRUE:
		return json_object_new_boolean(1);
	case GRAPHJSON_FALSE:
		return json_object_new_boolean(0);
	case GRAPHJSON_ABSENT:
	case GRAPHJSON_NULL:
	case GRAPHJSON_KEY:
		break;
	}
	return NULL;
}

enum json_type graphjson_doc_type(const struct graphjson_doc *d, size_t t)
{
	switch (graphjson_doc_kind(d, t)) {
	case GRAPHJSON_ABSENT:
	case GRAPHJSON_NULL:
		return json_type_null;
	case GRAPHJSON_TRUE:
	case GRAPHJSON_FALSE:
		return json_type_boolean;
	case GRAPHJSON_NUMBER:
		return json_type_int;
	case GRAPHJSON_OBJECT:
		return json_type_object;
	case GRAPHJSON_ARRAY:
		return json_type_array;
	case GRAPHJSON_STRING:
	case GRAPHJSON_KEY:
		break;
	}
	return json_type_string;
}
