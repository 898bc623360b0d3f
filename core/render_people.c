/*
 * render_people: the people of a meeting in the digest model: each
 * attendee with their results and tips (the room's group lines are
 * render_groups.c's), and the model of what colleagues are told about
 * one person.
 */
#include "render.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"
#include "render_int.h"

/* The label as its template renders it, else the name in capitals. */
static int make_label(struct render_engine *e, const char *assessment,
		      struct strbuf *out, struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT;
	int rc = render_add3(&name, "tips/", assessment, "/_label");

	if (!rc)
		rc = render_file(e, name.buf, NULL, out, err);
	strbuf_release(&name);
	if (rc == DG_ENOTFOUND) {
		strbuf_reset(out);
		rc = strbuf_addstr(out, assessment);
		for (size_t i = 0; !rc && i < out->len; i++)
			out->buf[i] = (char)toupper((unsigned char)out->buf[i]);
	}
	strbuf_trim(out);
	return rc;
}

/*
 * *out: the label, borrowed from the language. Every attendee and every
 * room asks: made once per language.
 */
int render_label_of(struct render_engine *e, const char *assessment,
		    const char **out, struct dg_err *err)
{
	struct strbuf entry = STRBUF_INIT, label = STRBUF_INIT;
	const char *cached = hmap_get(&e->cur->labels, assessment);
	size_t alen = strlen(assessment);
	char *block;
	int rc;

	if (cached) {
		*out = cached + alen + 1;
		return 0;
	}
	rc = make_label(e, assessment, &label, err);
	if (rc) {
		strbuf_release(&label);
		return rc;
	}
	rc = strbuf_add(&entry, assessment, alen + 1);
	rc = rc ? rc : strbuf_addbuf(&entry, &label);
	block = rc ? NULL : strbuf_detach(&entry, NULL);
	if (!rc && (!block || hmap_put(&e->cur->labels, block, block, NULL))) {
		free(block);
		rc = DG_ENOMEM;
	}
	strbuf_release(&entry);
	strbuf_release(&label);
	if (rc)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	*out = block + alen + 1;
	return 0;
}

int render_assessment_label(struct render_engine *e, const char *assessment,
			    struct strbuf *out, struct dg_err *err)
{
	const char *label = NULL;
	int rc = render_label_of(e, assessment, &label, err);

	if (!rc && strbuf_addstr(out, label))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	return rc;
}

static int add_result(struct render_engine *e, struct mustache_value *results,
		      const struct roster_assessment *a, struct dg_err *err)
{
	const char *label = NULL;
	struct mustache_value *r = mustache_map_new();
	int rc = render_label_of(e, a->name, &label, err);

	if (!rc)
		rc = render_put_str(r, "assessment", a->name);
	if (!rc)
		rc = render_put_str(r, "assessment_label", label);
	if (!rc)
		rc = render_put_str(r, "result", a->value);
	if (rc) {
		mustache_value_free(r);
		return rc;
	}
	return render_push(results, r);
}

/*
 * Remember where p's tips went, for render_repick_tips(): its sets of
 * lines are the last n of st->cand (none for a repeat).
 */
static int add_site(struct render_state *st, struct mustache_value *att,
		    size_t n, bool repeat, size_t orig)
{
	struct render_tip_site *sites = st->sites;

	if (st->nsites == st->sites_alloc) {
		size_t cap = st->sites_alloc ? st->sites_alloc * 2 : 32;

		sites = reallocarray(st->sites, cap, sizeof(*sites));
		if (!sites)
			return DG_ENOMEM;
		st->sites = sites;
		st->sites_alloc = cap;
	}
	sites[st->nsites++] = (struct render_tip_site){
		.att = att,
		.first = st->ncand - n,
		.n = n,
		.repeat = repeat,
		.orig = orig};
	return 0;
}

/* p's sets of lines, one per result, appended to st->cand. */
static int add_candidates(struct render_engine *e, struct render_state *st,
			  const struct roster_person *p, unsigned facts,
			  struct dg_err *err)
{
	int rc = 0;

	if (st->ncand + p->nassessments > st->cand_alloc) {
		size_t cap = st->cand_alloc ? st->cand_alloc * 2 : 64;
		const struct render_lines **cand;

		while (cap < st->ncand + p->nassessments)
			cap *= 2;
		cand = reallocarray(st->cand, cap, sizeof(*cand));
		if (!cand)
			return dg_errf(err, DG_ENOMEM, "out of memory");
		st->cand = cand;
		st->cand_alloc = cap;
	}
	for (size_t i = 0; !rc && i < p->nassessments; i++)
		rc = render_tips_lines(e, st, p, &p->assessments[i], facts,
				       &st->cand[st->ncand + i], err);
	if (!rc)
		st->ncand += p->nassessments;
	return rc;
}

/*
 * tips[] of one person in this meeting: at most three, picked from every
 * assessment's lines (render_pick_tips). A person already shown today
 * gets the same tips again with tips_above, for the templates to refer
 * to; in a crowded meeting nobody gets tips.
 */
static int add_tips(struct render_engine *e, struct mustache_value *att,
		    const struct roster_person *p, const struct tip_ctx *tc,
		    struct dg_err *err)
{
	struct render_state *st = tc->st;
	struct mustache_value *tips;
	size_t seen;
	unsigned facts;
	int rc = 0;

	if (tc->crowd)
		return render_put(att, "tips", mustache_list_new());
	seen = (uintptr_t)hmap_get(&st->seen, p->email);
	if (seen) {
		const struct mustache_value *shown =
			mustache_map_get(st->sites[seen - 1].att, "tips");

		rc = render_put(att, "tips_above", mustache_bool(1));
		rc = rc ? rc
			: render_put(att, "tips", mustache_value_copy(shown));
		return rc ? rc : add_site(st, att, 0, true, seen - 1);
	}
	facts = tc->m ? render_meeting_facts(tc->m, tc->l, p->email,
					     tc->st->user)
		      : 0;
	rc = add_candidates(e, tc->st, p, facts, err);
	if (rc)
		return rc;
	tips = mustache_list_new();
	rc = tips ? render_pick_tips(tc->st,
				     tc->st->cand + tc->st->ncand -
					     p->nassessments,
				     p->nassessments, tips)
		  : DG_ENOMEM;
	if (rc) {
		mustache_value_free(tips);
		return rc;
	}
	/* att owns the list; a repeat copies it from there */
	rc = render_put(att, "tips", tips);
	rc = rc ? rc : add_site(st, att, p->nassessments, false, 0);
	if (!rc && hmap_put(&st->seen, p->email,
			    (void *)(uintptr_t)st->nsites, NULL))
		rc = DG_ENOMEM;
	return rc;
}

/* results[] of p, made where values are made now. */
static int make_results(struct render_engine *e, const struct roster_person *p,
			struct mustache_value **out, struct dg_err *err)
{
	struct mustache_value *results = mustache_list_new();
	int rc = results ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < p->nassessments; i++)
		rc = add_result(e, results, &p->assessments[i], err);
	if (rc) {
		mustache_value_free(results);
		return rc;
	}
	*out = results;
	return 0;
}

/* The hash of p's results as a slot keeps them ("<name>\0<value>\0"...). */
static uint64_t results_hash(const struct roster_person *p, size_t *len)
{
	uint64_t h = 14695981039346656037ull;

	*len = 0;
	for (size_t i = 0; i < p->nassessments; i++) {
		const char *s[2] = {p->assessments[i].name,
				    p->assessments[i].value};

		for (size_t k = 0; k < 2; k++) {
			const char *c = s[k];

			do
				h = (h ^ (unsigned char)*c) * 1099511628211ull;
			while (*c++);
			*len += (size_t)(c - s[k]);
		}
	}
	return h;
}

/* Whether slot holds p's results (hash h, len bytes flat). */
static bool results_in(const struct render_results_slot *slot,
		       const struct roster_person *p, uint64_t h, size_t len)
{
	const char *f = slot->flat;

	if (!slot->v || slot->hash != h || slot->len != len)
		return false;
	for (size_t i = 0; i < p->nassessments; i++) {
		const char *s[2] = {p->assessments[i].name,
				    p->assessments[i].value};

		for (size_t k = 0; k < 2; k++) {
			if (strcmp(f, s[k]))
				return false;
			f += strlen(f) + 1;
		}
	}
	return true;
}

/* Keep v (the language's, kept as long as it) for p in slot. */
static void results_keep(struct render_results_slot *slot,
			 const struct roster_person *p,
			 const struct mustache_value *v, uint64_t h, size_t len)
{
	char *flat = malloc(len ? len : 1), *f = flat;

	if (!flat)
		return;
	for (size_t i = 0; i < p->nassessments; i++) {
		size_t n = strlen(p->assessments[i].name) + 1;

		memcpy(f, p->assessments[i].name, n);
		f += n;
		n = strlen(p->assessments[i].value) + 1;
		memcpy(f, p->assessments[i].value, n);
		f += n;
	}
	free(slot->flat);
	*slot = (struct render_results_slot){
		.v = v, .flat = flat, .len = len, .hash = h};
}

/*
 * *out: results[] of p, the language's (struct render_lang's results):
 * everyone with the same results shares it, so it is made once per
 * language, not for every attendee of every digest. Past
 * RENDER_RESULTS_KEPT kinds, or out of memory to keep it, it is made in
 * the model.
 */
static int results_of(struct render_engine *e, const struct roster_person *p,
		      struct mustache_value **out, struct dg_err *err)
{
	struct render_lang *l = e->cur;
	struct strbuf *key = &e->results_key;
	struct render_results_slot *slot = NULL;
	struct mustache_arena *before;
	struct mustache_value *v, *k;
	size_t flat = 0;
	uint64_t h = results_hash(p, &flat);
	int rc = 0;

	/* every attendee asks: the slots spare making and hashing a key */
	if (!l->results_slots)
		l->results_slots = calloc(RENDER_RESULTS_SLOTS,
					  sizeof(*l->results_slots));
	if (l->results_slots)
		slot = &l->results_slots[(h ^ h >> 32) % RENDER_RESULTS_SLOTS];
	if (slot && results_in(slot, p, h, flat)) {
		/* the language's, never changed: lent as hmap_get lends */
		*out = (struct mustache_value *)slot->v;
		return 0;
	}
	strbuf_reset(key);
	for (size_t i = 0; !rc && i < p->nassessments; i++)
		rc = render_key_add(key, p->assessments[i].name,
				    strlen(p->assessments[i].name)) ||
		     render_key_add(key, p->assessments[i].value,
				    strlen(p->assessments[i].value));
	v = rc ? NULL : hmap_get(&l->results, key->buf);
	if (v) {
		if (slot)
			results_keep(slot, p, v, h, flat);
		*out = v;
		return 0;
	}
	if (!rc && !l->results_arena && l->results.n < RENDER_RESULTS_KEPT)
		l->results_arena = mustache_arena_new();
	if (rc || !l->results_arena || l->results.n >= RENDER_RESULTS_KEPT)
		return make_results(e, p, out, err);
	before = mustache_arena_use(l->results_arena);
	rc = make_results(e, p, &v, err);
	k = rc ? NULL : mustache_stringn(key->buf, key->len);
	mustache_arena_use(before);
	if (rc)
		return rc;
	/* not kept (out of memory): lent all the same, the arena holds it */
	if (k && hmap_put(&l->results, mustache_string_get(k, NULL), v, NULL))
		k = NULL;
	if (k && slot)
		results_keep(slot, p, v, h, flat);
	*out = v;
	return 0;
}

/* results[] and tips[] of one person. */
static int add_profile(struct render_engine *e, struct mustache_value *att,
		       const struct roster_person *p, const struct tip_ctx *tc,
		       struct dg_err *err)
{
	struct mustache_value *results = NULL;
	int rc = results_of(e, p, &results, err);

	rc = rc ? rc : render_put(att, "results", results);
	return rc ? rc : add_tips(e, att, p, tc, err);
}

/*
 * Someone who opted out or hid their profile is shown as if unknown: no
 * profile, no tips, not counted in the room's group lines.
 */
const struct roster_person *render_usable(const struct roster_person *p)
{
	return p && !p->opt_out && !p->hidden ? p : NULL;
}

int render_add_attendee(struct render_engine *e, struct mustache_value *list,
			const struct match_attendee *a,
			const struct tip_ctx *tc, struct dg_err *err)
{
	const struct roster_person *p = render_usable(a->person);
	struct mustache_value *o = mustache_map_new();
	int rc;

	rc = render_put_str(o, "email", a->email);
	if (!rc)
		rc = render_put_line(o, "name", a->name);
	if (!rc)
		rc = render_put(o, "matched", mustache_bool(p != NULL));
	if (!rc)
		rc = render_put_str(o, "via", p ? a->via : NULL);
	if (!rc && p && a->group)
		rc = render_put_str(o, "group", a->group);
	if (!rc)
		rc = render_put_line(o, "title", p ? p->title : NULL);
	if (!rc)
		rc = render_put(o, "external", mustache_bool(a->external));
	if (!rc && p)
		rc = add_profile(e, o, p, tc, err);
	if (!rc && !p) {
		rc = render_put(o, "results", mustache_list_new());
		if (!rc)
			rc = render_put(o, "tips", mustache_list_new());
	}
	if (rc) {
		mustache_value_free(o);
		return rc;
	}
	return render_push(list, o);
}

/* ---- what colleagues are told about one person: its model ---- */

/* Whether line speaks of one of p's assessments: "<label>: ...". */
static int line_is_about(struct render_engine *e,
			 const struct roster_person *p, const char *line,
			 bool *yes, struct dg_err *err)
{
	struct strbuf label = STRBUF_INIT;
	int rc = 0;

	*yes = false;
	for (size_t i = 0; !rc && !*yes && i < p->nassessments; i++) {
		strbuf_reset(&label);
		rc = render_assessment_label(e, p->assessments[i].name, &label, err);
		*yes = !rc && label.len && !strncmp(line, label.buf, label.len) &&
		       line[label.len] == ':';
	}
	strbuf_release(&label);
	return rc;
}

/* The entry render_add_attendee() makes for p, met directly, in a fresh list. */
static int about_attendee(struct render_engine *e, struct mustache_value *m,
			  const struct render_about *a, struct dg_err *err)
{
	struct match_attendee att = {.email = a->person->email,
				     .name = a->person->name,
				     .person = a->person,
				     .via = "direct"};
	struct render_state st = {
		.seen = HMAP_INIT(0),
		.max_tips = RENDER_TIPS_MAX,
	};
	/* no meeting: the general tips, the ones for no particular room */
	struct tip_ctx tc = {.st = &st};
	struct mustache_value *list = mustache_list_new();
	int rc = list ? 0 : DG_ENOMEM;

	rc = rc ? rc : render_add_attendee(e, list, &att, &tc, err);
	if (!rc && mustache_list_len(list) == 1)
		rc = render_put(m, "attendee",
				mustache_value_copy(mustache_list_get(list, 0)));
	mustache_value_free(list);
	render_state_release(&st);
	return rc;
}

int render_about_model(struct render_engine *e, const struct render_about *a,
		       struct mustache_value **out, struct dg_err *err)
{
	struct mustache_value *m = mustache_map_new();
	struct mustache_value *groups = mustache_list_new();
	bool shown = a->person && !a->hidden && render_usable(a->person);
	int rc = m && groups ? 0 : DG_ENOMEM;

	render_tips_cache_begin(e);

	rc = rc ? rc : render_put_str(m, "email", a->email);
	rc = rc ? rc : render_put_line(m, "name", a->person ? a->person->name : NULL);
	rc = rc ? rc : render_put(m, "hidden", mustache_bool(
					       a->person && !shown));
	rc = rc ? rc : render_put(m, "hidden_by_roster",
			   mustache_bool(a->hidden_by_roster));
	rc = rc ? rc : render_about_hours(e, m, a, err);
	if (!rc && shown)
		rc = about_attendee(e, m, a, err);
	for (size_t i = 0; !rc && shown && i < a->ngroups; i++) {
		bool about = false;

		rc = line_is_about(e, a->person, a->groups[i], &about, err);
		if (!rc && about)
			rc = render_push(groups, mustache_string(a->groups[i]));
	}
	rc = rc ? rc : render_add_history_about(e, m, a, shown);
	rc = rc ? rc : render_put(m, "group_count",
			   mustache_int(
				   (int)mustache_list_len(groups)));
	if (!rc) {
		rc = render_put(m, "groups", groups);
		groups = NULL;
	}
	mustache_value_free(groups);
	if (rc) {
		mustache_value_free(m);
		return rc == DG_ENOMEM ? dg_errf(err, rc, "out of memory")
				       : rc;
	}
	*out = m;
	return 0;
}
