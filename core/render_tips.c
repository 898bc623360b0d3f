/*
 * render_tips: the lines a person's tips are picked from, rendered from
 * tips/<assessment>/<result> once and kept in a cache of the engine (see
 * render_int.h), because people alike appear in many readers' digests
 * and in one digest built again with fewer tips.
 */
#include "render.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "logging.h"
#include "render_int.h"

/* What a tip template reads of its data, besides assessment and result. */
enum tip_uses {
	USES_FACTS = RENDER_FACT_ONE_ON_ONE | RENDER_FACT_ORGANIZES |
		     RENDER_FACT_YOU_ORGANIZE | RENDER_FACT_LARGE,
	USES_NAME = 1 << 8,
	USES_FIRST_NAME = 1 << 9,
	USES_TITLE = 1 << 10,
	/* a group line's (tips/<a>/_group): enum render_group_uses << 11 */
	USES_GROUP_SHIFT = 11,
	USES_ALL = USES_FACTS | USES_NAME | USES_FIRST_NAME | USES_TITLE |
		   (RENDER_GROUP_ALL << USES_GROUP_SHIFT)
};

/* A template of tips/, as the cache knows it: found or not, what it reads. */
struct tip_tpl {
	const struct mustache_template *t; /* NULL: no such template */
	unsigned uses;			   /* enum tip_uses */
	char name[];			   /* "tips/<a>/<r>", the map's key */
};

/*
 * A cache entry, one block: the entry, its lines, their text and the
 * key it is filed under.
 */
struct render_tips {
	struct render_tips *prev, *next; /* the engine's, most recent first */
	struct render_lang *lang;	 /* whose map files it; NULL: owned */
	struct render_lines lines;
	const char *key;
};

uint64_t render_line_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The non-empty lines of text, trimmed: where *s starts, and its length. */
static bool next_line(const char **p, const char **s, size_t *len)
{
	while (**p) {
		const char *nl = strchr(*p, '\n');
		const char *end = nl ? nl : *p + strlen(*p);
		const char *a = *p, *b = end;

		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		*p = nl ? nl + 1 : end;
		if (b > a) {
			*s = a;
			*len = (size_t)(b - a);
			return true;
		}
	}
	return false;
}

/*
 * An entry of the lines of text, filed under key (NULL: none): one
 * allocation, or NULL when out of memory.
 */
static struct render_tips *entry_new(const struct strbuf *text,
				     const struct strbuf *key)
{
	const char *p = text->buf, *s;
	size_t n = 0, len, klen = key ? key->len + 1 : 0;
	struct render_tips *t;
	struct render_line *v;
	char *copy;

	while (next_line(&p, &s, &len))
		n++;
	t = malloc(sizeof(*t) + n * sizeof(*v) + text->len + 1 + klen);
	if (!t)
		return NULL;
	v = (struct render_line *)(t + 1);
	copy = (char *)(v + n);
	memcpy(copy, text->buf, text->len + 1);
	*t = (struct render_tips){.lines = {.n = n, .v = v}};
	if (key) {
		memcpy(copy + text->len + 1, key->buf, klen);
		t->key = copy + text->len + 1;
	}
	p = copy;
	for (size_t i = 0; i < n && next_line(&p, &s, &len); i++)
		v[i] = (struct render_line){
			.s = s, .len = len, .hash = render_line_hash(s, len)};
	return t;
}

/* ---- what a template reads ---- */

static void note_name(const char *name, size_t len, void *ctx)
{
	static const struct {
		const char *name;
		unsigned bit;
	} known[] = {{"name", USES_NAME},
		     {"first_name", USES_FIRST_NAME},
		     {"title", USES_TITLE},
		     {"one_on_one", RENDER_FACT_ONE_ON_ONE},
		     {"organizes", RENDER_FACT_ORGANIZES},
		     {"you_organize", RENDER_FACT_YOU_ORGANIZE},
		     {"large", RENDER_FACT_LARGE}};
	unsigned *uses = ctx;

	/* assessment and result are in every key; other names read nothing */
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (strlen(known[i].name) == len &&
		    !memcmp(known[i].name, name, len))
			*uses |= known[i].bit;
	/* a group line's: "count" and its plural flags ("count_one") */
	if (len == 6 && !memcmp(name, "people", 6))
		*uses |= RENDER_GROUP_PEOPLE << USES_GROUP_SHIFT;
	if (len == 7 && !memcmp(name, "results", 7))
		*uses |= RENDER_GROUP_RESULTS << USES_GROUP_SHIFT;
	if (len >= 5 && !memcmp(name, "count", 5) &&
	    (len == 5 || name[5] == '_'))
		*uses |= RENDER_GROUP_COUNT << USES_GROUP_SHIFT;
}

/* The template called e->tip_name, from the language's map or found now. */
static int tip_tpl_get(struct render_engine *e, const struct tip_tpl **out,
		       struct dg_err *err)
{
	const char *name = e->tip_name.buf;
	struct tip_tpl *tt = hmap_get(&e->cur->tip_tpls, name);
	const struct mustache_template *t = NULL;
	struct dg_err quiet = DG_ERR_INIT;
	unsigned uses = 0;
	int rc;

	if (tt) {
		*out = tt;
		return 0;
	}
	rc = mustache_partials_get(e->cur->partials, name, &t, &quiet);
	if (rc && rc != DG_ENOTFOUND) {
		*err = quiet;
		return rc;
	}
	if (t && mustache_template_names(t, note_name, &uses))
		uses = USES_ALL;
	tt = malloc(sizeof(*tt) + e->tip_name.len + 1);
	if (!tt)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	tt->t = t;
	tt->uses = uses;
	memcpy(tt->name, name, e->tip_name.len + 1);
	if (hmap_put(&e->cur->tip_tpls, tt->name, tt, NULL)) {
		free(tt);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	*out = tt;
	return 0;
}

/*
 * Whether tt is tips/<a>/<r>: its name, without making it. a and r may
 * split it elsewhere than the pair it was found for ("x/y" and "z" is
 * "x" and "y/z"): the same name is the same template.
 */
static bool tip_tpl_is(const struct tip_tpl *tt, const char *a,
		       const char *r)
{
	const char *n = tt->name + 5; /* after "tips/" */
	size_t alen = strlen(a);

	return !strncmp(n, a, alen) && n[alen] == '/' &&
	       !strcmp(n + alen + 1, r);
}

/*
 * *out: the template tips/<a>/<r> (tip_tpl_get()), through the current
 * language's table by a and r: every attendee's results ask, and making
 * the name and hashing it cost more than the rest of a cached tip.
 */
static int tip_tpl_of(struct render_engine *e, const char *a, const char *r,
		      const struct tip_tpl **out, struct dg_err *err)
{
	struct render_lang *l = e->cur;
	uint64_t h = 14695981039346656037ull;
	const struct tip_tpl **slot = NULL;
	int rc;

	for (const char *s = a; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ '/') * 1099511628211ull;
	for (const char *s = r; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	if (!l->tpl_slots)
		l->tpl_slots = calloc(RENDER_TIP_TPL_SLOTS,
				      sizeof(*l->tpl_slots));
	if (l->tpl_slots) {
		slot = &l->tpl_slots[(h ^ h >> 32) % RENDER_TIP_TPL_SLOTS];
		if (*slot && tip_tpl_is(*slot, a, r)) {
			*out = *slot;
			return 0;
		}
	}
	strbuf_reset(&e->tip_name);
	if (render_add3(&e->tip_name, "tips/", a, "/") ||
	    strbuf_addstr(&e->tip_name, r))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = tip_tpl_get(e, out, err);
	if (!rc && slot)
		*slot = *out;
	return rc;
}

/* ---- the key ---- */

int render_key_add(struct strbuf *key, const char *s, size_t len)
{
	char num[24];
	size_t n = sizeof(num), l = len;

	num[--n] = ':';
	do {
		num[--n] = (char)('0' + l % 10);
		l /= 10;
	} while (l);
	return strbuf_add(key, num + n, sizeof(num) - n) ||
		       (len && strbuf_add(key, s, len))
		       ? DG_ENOMEM
		       : 0;
}

static int add_str(struct strbuf *key, const char *s)
{
	return render_key_add(key, s, s ? strlen(s) : 0);
}

/*
 * The key of the lines of p's result of template tt: the facts and the
 * fields it reads, then its name. The e-mail address is never in it:
 * the lines do not show it, and two roster rows alike share their lines.
 */
static int make_key(struct strbuf *key, const struct tip_tpl *tt,
		    const struct roster_person *p, unsigned facts)
{
	unsigned u = tt->uses;
	int rc;

	/* no facts (no meeting) is not facts all false: see person_data */
	if (u & USES_FACTS)
		facts &= (u & USES_FACTS) | RENDER_FACT_MEETING;
	else
		facts = 0;
	strbuf_reset(key);
	rc = strbuf_addch(key, (char)('A' + facts));
	rc = rc ? rc : add_str(key, tt->name);
	if (!rc && u & USES_NAME)
		rc = add_str(key, p->name);
	if (!rc && u & USES_FIRST_NAME)
		rc = render_key_add(key, p->name,
				    p->name ? strcspn(p->name, " ") : 0);
	if (!rc && u & USES_TITLE)
		rc = add_str(key, p->title);
	return rc;
}

/* ---- the lines ---- */

/* What a tip template knows of the person and of the result. */
static struct mustache_value *person_data(const struct roster_person *p,
					  const struct roster_assessment *a,
					  unsigned facts)
{
	struct mustache_value *o = mustache_map_new();
	char *first = render_first_name(p->name);

	if ((p->name && !first) || render_put_line(o, "name", p->name) ||
	    render_put_line(o, "first_name", first) ||
	    render_put_line(o, "title", p->title) ||
	    render_put_str(o, "assessment", a->name) ||
	    render_put_str(o, "result", a->value) ||
	    render_put_facts(o, facts)) {
		mustache_value_free(o);
		o = NULL;
	}
	free(first);
	return o;
}

/* The text of template tt for p's result a in this meeting. */
static int render_text(struct render_engine *e, const struct tip_tpl *tt,
		       const struct roster_person *p,
		       const struct roster_assessment *a, unsigned facts,
		       struct strbuf *text, struct dg_err *err)
{
	/* the data is dropped at once: made outside the digest's arena */
	struct mustache_arena *before = mustache_arena_use(NULL);
	struct mustache_value *data = person_data(p, a, facts);
	int rc = data ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");

	rc = rc ? rc
		: mustache_render(tt->t, data, e->cur->partials,
				  MUSTACHE_ESCAPE_NONE, text, err);
	mustache_value_free(data);
	mustache_arena_use(before);
	return rc;
}

/* Put t first in the engine's list of entries. */
static void lru_link(struct render_engine *e, struct render_tips *t)
{
	t->prev = NULL;
	t->next = e->tips_head;
	if (e->tips_head)
		e->tips_head->prev = t;
	else
		e->tips_tail = t;
	e->tips_head = t;
}

static void lru_unlink(struct render_engine *e, struct render_tips *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		e->tips_head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		e->tips_tail = t->prev;
}

/* File t under its key in the current language; 0, or DG_ENOMEM. */
static int cache_put(struct render_engine *e, struct render_tips *t)
{
	if (hmap_put(&e->cur->tips, t->key, t, NULL))
		return DG_ENOMEM;
	t->lang = e->cur;
	lru_link(e, t);
	e->ntips++;
	return 0;
}

int render_group_template(struct render_engine *e, const char *assessment,
			  const struct mustache_template **t, unsigned *uses,
			  struct dg_err *err)
{
	const struct tip_tpl *tt;
	int rc;

	*t = NULL;
	*uses = 0;
	rc = tip_tpl_of(e, assessment, "_group", &tt, err);
	if (rc)
		return rc;
	*t = tt->t;
	*uses = (tt->uses >> USES_GROUP_SHIFT) & RENDER_GROUP_ALL;
	return 0;
}

/* No template, or one that writes nothing: no lines. */
static const struct render_lines no_lines;

int render_tips_lines(struct render_engine *e, struct render_state *st,
		      const struct roster_person *p,
		      const struct roster_assessment *a, unsigned facts,
		      const struct render_lines **out, struct dg_err *err)
{
	const struct tip_tpl *tt;
	struct render_tips *t;
	struct strbuf text = STRBUF_INIT;
	bool keyed;
	int rc;

	*out = NULL;
	rc = tip_tpl_of(e, a->name, a->value, &tt, err);
	if (rc)
		return rc;
	if (!tt->t) {
		logging_debug("no tips for %s %s (%s.mustache)", a->name,
			      a->value, tt->name);
		*out = &no_lines;
		return 0;
	}
	/* without a key (out of memory) the lines are made, not kept */
	keyed = !make_key(&e->key, tt, p, facts);
	t = keyed ? hmap_get(&e->cur->tips, e->key.buf) : NULL;
	if (t) {
		lru_unlink(e, t);
		lru_link(e, t);
		*out = &t->lines;
		return 0;
	}
	rc = render_text(e, tt, p, a, facts, &text, err);
	t = rc ? NULL : entry_new(&text, keyed ? &e->key : NULL);
	strbuf_release(&text);
	if (rc)
		return rc;
	if (!t)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	if (!keyed || cache_put(e, t)) {
		/* no room in the cache: the digest's state keeps them */
		t->next = st->owned;
		st->owned = t;
	}
	*out = &t->lines;
	return 0;
}

void render_tips_owned_free(struct render_state *st)
{
	while (st->owned) {
		struct render_tips *next = st->owned->next;

		free(st->owned);
		st->owned = next;
	}
}

void render_tips_cache_release(struct render_engine *e, struct render_lang *l)
{
	const struct hmap_entry *it;
	size_t pos = 0;

	while ((it = hmap_next(&l->tips, &pos))) {
		struct render_tips *t = it->value;

		lru_unlink(e, t);
		free(t);
		e->ntips--;
	}
	hmap_release(&l->tips);
	pos = 0;
	while ((it = hmap_next(&l->tip_tpls, &pos)))
		free(it->value);
	hmap_release(&l->tip_tpls);
	free(l->tpl_slots);
	l->tpl_slots = NULL;
}

void render_tips_cache_begin(struct render_engine *e)
{
	while (e->ntips > RENDER_TIPS_CACHE_MAX && e->tips_tail) {
		struct render_tips *t = e->tips_tail;

		lru_unlink(e, t);
		hmap_remove(&t->lang->tips, t->key);
		free(t);
		e->ntips--;
	}
}
