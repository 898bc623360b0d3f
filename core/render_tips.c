/*
 * render_tips: the lines a person's tips are picked from, rendered from
 * tips/<assessment>/<result> once and kept in a cache of the engine (see
 * render_int.h), because the same roster people appear in many readers'
 * digests and in one digest built again with fewer tips.
 */
#include "render.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "logging.h"
#include "render_int.h"

/* A cache entry: the lines, and the key they are filed under. */
struct render_tips {
	struct mustache_value *lines; /* one list of lines per assessment */
	char key[];
};

/* Split rendered tip text into one string per non-empty line. */
static int push_lines(struct mustache_value *arr, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		const char *s = p, *t = end;

		while (s < t && isspace((unsigned char)*s))
			s++;
		while (t > s && isspace((unsigned char)t[-1]))
			t--;
		if (t > s && render_push(arr, mustache_stringn(
					       s, (size_t)(t - s))))
			return DG_ENOMEM;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* What a tip template knows of the person; assessment and result null. */
static struct mustache_value *person_data(const struct roster_person *p,
					  unsigned facts)
{
	struct mustache_value *o = mustache_map_new();
	char *first = render_first_name(p->name);

	if ((p->name && !first) || render_put_line(o, "name", p->name) ||
	    render_put_line(o, "first_name", first) ||
	    render_put_line(o, "title", p->title) ||
	    render_put_null(o, "assessment") || render_put_null(o, "result") ||
	    render_put_facts(o, facts)) {
		mustache_value_free(o);
		o = NULL;
	}
	free(first);
	return o;
}

/*
 * The tip lines of one result, for this person in this meeting. data is
 * the person's (person_data()): its assessment and result are set to a's
 * here.
 */
static int result_tips(struct render_engine *e, struct mustache_value *data,
		       const struct roster_assessment *a,
		       struct mustache_value *lines, struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT, text = STRBUF_INIT;
	int rc = render_put_str(data, "assessment", a->name);

	rc = rc ? rc : render_put_str(data, "result", a->value);
	rc = rc ? rc : render_add3(&name, "tips/", a->name, "/");
	rc = rc ? rc : strbuf_addstr(&name, a->value);
	if (!rc)
		rc = render_file(e, name.buf, data, &text, err);
	if (rc == DG_ENOTFOUND) {
		logging_debug("no tips for %s %s (%s.mustache)", a->name,
			      a->value, name.buf);
		rc = 0;
	} else if (!rc) {
		rc = push_lines(lines, text.buf);
	}
	strbuf_release(&name);
	strbuf_release(&text);
	return rc;
}

/* Every assessment's lines of p: the candidates of render_pick_tips(). */
static int make_lines(struct render_engine *e, const struct roster_person *p,
		      unsigned facts, struct mustache_value **out,
		      struct dg_err *err)
{
	struct mustache_value *candidates = mustache_list_new();
	struct mustache_value *data = person_data(p, facts);
	int rc = candidates && data ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < p->nassessments; i++) {
		struct mustache_value *lines = mustache_list_new();

		rc = lines ? result_tips(e, data, &p->assessments[i], lines,
					 err)
			   : DG_ENOMEM;
		if (!rc)
			rc = render_push(candidates, lines);
		else
			mustache_value_free(lines);
	}
	mustache_value_free(data);
	if (rc) {
		mustache_value_free(candidates);
		return rc;
	}
	*out = candidates;
	return 0;
}

/* s's length, then s: no two different fields make the same key. */
static int add_field(struct strbuf *key, const char *s)
{
	char num[24];
	size_t len = s ? strlen(s) : 0, n = sizeof(num);

	num[--n] = ':';
	do {
		num[--n] = (char)('0' + len % 10);
		len /= 10;
	} while (len);
	return strbuf_add(key, num + n, sizeof(num) - n) ||
		       (s && strbuf_addstr(key, s))
		       ? DG_ENOMEM
		       : 0;
}

/*
 * The key of p's lines: the facts, then name, title and each result. The
 * e-mail address is left out: the lines do not show it, and two roster
 * rows alike share their lines.
 */
static int make_key(struct strbuf *key, const struct roster_person *p,
		    unsigned facts)
{
	int rc;

	strbuf_reset(key);
	rc = strbuf_addch(key, (char)('A' + facts));
	rc = rc ? rc : add_field(key, p->name);
	rc = rc ? rc : add_field(key, p->title);
	for (size_t i = 0; !rc && i < p->nassessments; i++) {
		rc = add_field(key, p->assessments[i].name);
		rc = rc ? rc : add_field(key, p->assessments[i].value);
	}
	return rc;
}

/* File lines under key; 0, or DG_ENOMEM (lines are then still yours). */
static int cache_put(struct render_engine *e, const struct strbuf *key,
		     struct mustache_value *lines)
{
	struct render_tips *t = malloc(sizeof(*t) + key->len + 1);

	if (!t)
		return DG_ENOMEM;
	memcpy(t->key, key->buf, key->len + 1);
	t->lines = lines;
	if (hmap_put(&e->cur->tips, t->key, t, NULL)) {
		free(t);
		return DG_ENOMEM;
	}
	e->ntips++;
	return 0;
}

int render_tips_lines(struct render_engine *e, struct render_state *st,
		      const struct roster_person *p, unsigned facts,
		      const struct mustache_value **out, struct dg_err *err)
{
	const struct render_tips *t;
	struct mustache_arena *before;
	struct mustache_value *lines;
	/* without a key (out of memory) the lines are made, not kept */
	bool keyed = !make_key(&e->key, p, facts);
	int rc;

	t = keyed ? hmap_get(&e->cur->tips, e->key.buf) : NULL;
	if (t) {
		*out = t->lines;
		return 0;
	}
	/* the lines outlive the digest's arena: made outside it */
	before = mustache_arena_use(NULL);
	rc = make_lines(e, p, facts, &lines, err);
	*out = rc ? NULL : lines;
	if (!rc && (!keyed || cache_put(e, &e->key, lines))) {
		/* no room in the cache: the digest's state keeps them */
		if (!st->owned)
			st->owned = mustache_list_new();
		if (mustache_list_push(st->owned, lines)) /* takes lines */
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
	}
	mustache_arena_use(before);
	return rc;
}

void render_tips_cache_release(struct render_engine *e, struct render_lang *l)
{
	const struct hmap_entry *it;
	size_t pos = 0;

	while ((it = hmap_next(&l->tips, &pos))) {
		struct render_tips *t = it->value;

		mustache_value_free(t->lines);
		free(t);
		e->ntips--;
	}
	hmap_release(&l->tips);
}

void render_tips_cache_begin(struct render_engine *e)
{
	if (e->ntips <= RENDER_TIPS_CACHE_MAX)
		return;
	for (struct render_lang *l = e->langs; l; l = l->next)
		render_tips_cache_release(e, l);
}
