/*
 * render_people: the people of a meeting in the digest model: each
 * attendee with their results and tips, the group lines of the room, and
 * the model of what colleagues are told about one person.
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
static int label_of(struct render_engine *e, const char *assessment,
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
	int rc = label_of(e, assessment, &label, err);

	if (!rc && strbuf_addstr(out, label))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	return rc;
}

static int add_result(struct render_engine *e, struct mustache_value *results,
		      const struct roster_assessment *a, struct dg_err *err)
{
	const char *label = NULL;
	struct mustache_value *r = mustache_map_new();
	int rc = label_of(e, a->name, &label, err);

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

/* ---- group dynamics: one line per assessment from the mix in the room ---- */

struct room_entry {
	const char *name;   /* first name, in e->group_names */
	const char *result;
	size_t at;	    /* where name starts in e->group_names */
};

static int cmp_count_desc(const void *a, const void *b)
{
	const int *x = a, *y = b;

	return y[1] - x[1];
}

/* Rooms up to this size need no allocation for their arrays. */
#define ROOM_SMALL 16

/*
 * The data of tips/<assessment>/_group for the room, without the fields
 * of enum render_group_uses the template does not read (uses); people:
 * what "people" holds, NULL for the room's names in words.
 */
static struct mustache_value *group_data(struct render_engine *e, const char *assessment,
			       const char *label,
			       const struct room_entry *room, size_t n,
			       unsigned uses, const char *people)
{
	struct mustache_value *o = mustache_map_new();
	struct mustache_value *results = mustache_list_new();
	const char *names_small[ROOM_SMALL];
	int counts_small[ROOM_SMALL][2];
	const char **names = n <= ROOM_SMALL ? names_small
					     : calloc(n, sizeof(*names));
	int (*counts)[2] = n <= ROOM_SMALL ? counts_small
					   : calloc(n, sizeof(*counts));
	size_t distinct = 0;
	struct strbuf *key = &e->group_key, *joined = &e->group_joined;
	int rc = o && results && names && counts ? 0 : DG_ENOMEM;

	/* Count each distinct result, remembering its first entry. */
	for (size_t i = 0; !rc && i < n; i++) {
		size_t j;

		for (j = 0; j < distinct; j++)
			if (!strcmp(room[counts[j][0]].result, room[i].result))
				break;
		if (j == distinct) {
			counts[distinct][0] = (int)i;
			counts[distinct++][1] = 0;
		}
		counts[j][1]++;
	}
	if (!rc)
		qsort(counts, distinct, sizeof(*counts), cmp_count_desc);
	for (size_t i = 0; !rc && i < n; i++)
		names[i] = room[i].name;
	if (!rc && uses & RENDER_GROUP_PEOPLE && people)
		rc = render_put_str(o, "people", people);
	else if (!rc && uses & RENDER_GROUP_PEOPLE) {
		strbuf_reset(joined);
		rc = render_join_names(e, joined, names, n);
		rc = rc ? rc : render_put_str(o, "people", joined->buf);
	}
	rc = rc ? rc : render_put_str(o, "assessment", assessment);
	rc = rc ? rc : render_put_str(o, "label", label);
	if (!rc && uses & RENDER_GROUP_COUNT)
		rc = render_put_count(e, o, "count", (long)n);
	rc = rc ? rc : render_put(o, "mixed", mustache_bool(distinct > 1));
	for (size_t j = 0; !rc && j < distinct; j++) {
		const char *result = room[counts[j][0]].result;

		if (uses & RENDER_GROUP_RESULTS) {
			struct mustache_value *r = mustache_map_new();
			size_t k = 0;

			for (size_t i = 0; i < n; i++)
				if (!strcmp(room[i].result, result))
					names[k++] = room[i].name;
			strbuf_reset(joined);
			rc = render_join_names(e, joined, names, k);
			rc = rc ? rc : render_put_str(r, "result", result);
			rc = rc ? rc
				: render_put_count(e, r, "count",
						   counts[j][1]);
			rc = rc ? rc : render_put_str(r, "names", joined->buf);
			if (rc) {
				mustache_value_free(r);
				break;
			}
			rc = render_push(results, r); /* takes r */
			if (rc)
				break;
		}
		strbuf_reset(key);
		rc = render_add3(key, "has_", result, NULL);
		rc = rc ? rc : render_put(o, key->buf, mustache_bool(1));
		if (!rc && distinct == 1) {
			strbuf_reset(key);
			rc = render_add3(key, "all_", result, NULL);
			rc = rc ? rc : render_put(o, key->buf,
					   mustache_bool(1));
		}
		if (!rc && j == 0 &&
		    (distinct == 1 || counts[0][1] > counts[1][1])) {
			rc = render_put_str(o, "dominant", result);
			strbuf_reset(key);
			rc = rc ? rc : render_add3(key, "dominant_", result, NULL);
			rc = rc ? rc : render_put(o, key->buf,
					   mustache_bool(1));
		}
	}
	if (!rc && uses & RENDER_GROUP_RESULTS)
		rc = render_put(o, "results", results);
	else
		mustache_value_free(results);
	if (names != names_small)
		free(names);
	if (counts != counts_small)
		free(counts);
	if (rc) {
		mustache_value_free(o);
		return NULL;
	}
	return o;
}

/*
 * Collect who in the room has a result for assessment, their first names
 * one after another in names (NUL-terminated): the count, or -1 when out
 * of memory.
 */
static long room_for(const struct roster_person **people, size_t npeople,
		     const char *assessment, struct room_entry *room,
		     struct strbuf *names)
{
	size_t n = 0;

	strbuf_reset(names);
	for (size_t i = 0; i < npeople; i++) {
		const struct roster_person *p = people[i];

		for (size_t j = 0; j < p->nassessments; j++) {
			const char *name = p->name ? p->name : p->email;

			if (strcmp(p->assessments[j].name, assessment))
				continue;
			room[n].at = names->len;
			room[n].result = p->assessments[j].value;
			/* "Zoë Martin" -> "Zoë", as render_first_name() */
			if (strbuf_add(names, name, strcspn(name, " ")) ||
			    strbuf_addch(names, '\0'))
				return -1;
			n++;
			break;
		}
	}
	/* the buffer moves as it grows: the names are pointed at last */
	for (size_t i = 0; i < n; i++)
		room[i].name = names->buf + room[i].at;
	return (long)n;
}

static bool seen_assessment(const struct roster_person **people, size_t upto,
			    const char *assessment)
{
	for (size_t i = 0; i < upto; i++)
		for (size_t j = 0; j < people[i]->nassessments; j++)
			if (!strcmp(people[i]->assessments[j].name, assessment))
				return true;
	return false;
}

/* ---- group lines remembered (RENDER_GROUP_LINES) ---- */

/*
 * What stands for the room's names in a remembered line: the text of a
 * line that names them is made once with each, and kept only when they
 * come out exactly where the names would (group_line_made()).
 */
static const char stand_in[2][9] = {"\x01people\x02", "\x01PEOPLE\x02"};
#define STAND_IN_LEN 8

/*
 * The key of the room's line: everything its data holds but the names
 * (group_data()): the language, the assessment, what the template reads,
 * the count when it reads it, the results present (sorted) and the one
 * strictly most common. 1 when the room has one, 0 when it is not
 * remembered (a room too large to count here), or DG_ENOMEM.
 */
static int group_line_key(struct render_engine *e, const char *assessment,
			  const struct room_entry *room, size_t n,
			  unsigned uses, struct strbuf *key)
{
	const char *distinct[ROOM_SMALL];
	size_t counts[ROOM_SMALL], nd = 0, top = 0;
	const char *dominant = NULL;
	const void *lang = e->cur;
	int rc;

	if (n > ROOM_SMALL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < nd && strcmp(distinct[j], room[i].result))
			j++;
		if (j == nd) {
			distinct[nd] = room[i].result;
			counts[nd++] = 0;
		}
		counts[j]++;
	}
	for (size_t j = 0; j < nd; j++) {
		if (counts[j] > top) {
			top = counts[j];
			dominant = distinct[j];
		} else if (counts[j] == top) {
			dominant = NULL; /* a tie: none is dominant */
		}
	}
	/* the set, in one order whatever the room's */
	for (size_t j = 1; j < nd; j++)
		for (size_t k = j; k > 0 && strcmp(distinct[k - 1],
						   distinct[k]) > 0; k--) {
			const char *t = distinct[k];

			distinct[k] = distinct[k - 1];
			distinct[k - 1] = t;
		}
	/* binary: the strings end with their NUL, which none holds */
	strbuf_reset(key);
	rc = strbuf_add(key, &lang, sizeof(lang)) ||
	     strbuf_add(key, &uses, sizeof(uses)) ||
	     strbuf_add(key, assessment, strlen(assessment) + 1);
	if (!rc && uses & RENDER_GROUP_COUNT)
		rc = strbuf_add(key, &n, sizeof(n));
	rc = rc ? rc : strbuf_add(key, &nd, sizeof(nd));
	for (size_t j = 0; !rc && j < nd; j++)
		rc = strbuf_add(key, distinct[j], strlen(distinct[j]) + 1);
	rc = rc ? rc : strbuf_addch(key, dominant ? '+' : '-');
	if (!rc && dominant)
		rc = strbuf_add(key, dominant, strlen(dominant) + 1);
	return rc ? DG_ENOMEM : 1;
}

/* Where stand-in i is first in text[0..len), else NULL. */
static const char *find_stand_in(const char *text, size_t len, int i)
{
	const char *end = text + len, *at = text;

	/* its first byte is a control character: rare in any text */
	while ((at = memchr(at, stand_in[i][0], (size_t)(end - at)))) {
		if ((size_t)(end - at) >= STAND_IN_LEN &&
		    !memcmp(at, stand_in[i], STAND_IN_LEN))
			return at;
		at++;
	}
	return NULL;
}

/*
 * out: text with every stand-in i replaced by with (wlen bytes); at,
 * where the first one is (find_stand_in()).
 */
static int put_names(struct strbuf *out, const char *text, size_t len,
		     const char *at, int i, const char *with, size_t wlen)
{
	const char *end = text + len;
	int rc = 0;

	while (!rc && at) {
		rc = strbuf_add(out, text, (size_t)(at - text)) ||
		     strbuf_add(out, with, wlen);
		text = at + STAND_IN_LEN;
		at = find_stand_in(text, (size_t)(end - text), i);
	}
	rc = rc ? rc : strbuf_add(out, text, (size_t)(end - text));
	return rc ? DG_ENOMEM : 0;
}

/*
 * The line t renders for the room with a stand-in for the names, into
 * text, and whether it may be remembered: made with the other stand-in
 * it is the same with that one in the same places. A line that does not
 * hold its people exactly so (a template whose own text holds a
 * stand-in) is made with the names every time. *ok false and 0 when it
 * failed: the caller makes it the usual way, which fails the same way.
 */
static int group_line_made(struct render_engine *e,
			   const struct mustache_template *t,
			   const char *assessment, const char *label,
			   const struct room_entry *room, size_t n,
			   unsigned uses, struct strbuf *text, bool *ok)
{
	struct strbuf other = STRBUF_INIT, swapped = STRBUF_INIT;
	struct dg_err quiet = DG_ERR_INIT;
	struct mustache_value *data =
		group_data(e, assessment, label, room, n, uses, stand_in[0]);
	bool named = uses & RENDER_GROUP_PEOPLE;
	int rc = data ? 0 : DG_ENOMEM;

	*ok = false;
	strbuf_reset(text);
	rc = rc ? rc
		: mustache_render(t, data, e->cur->partials,
				  MUSTACHE_ESCAPE_NONE, text, &quiet);
	/* the same data but for the other stand-in */
	if (!rc && named)
		rc = render_put_str(data, "people", stand_in[1]);
	rc = rc || !named ? rc
			  : mustache_render(t, data, e->cur->partials,
					    MUSTACHE_ESCAPE_NONE, &other,
					    &quiet);
	if (!rc && named)
		rc = put_names(&swapped, text->buf, text->len,
			       find_stand_in(text->buf, text->len, 0), 0,
			       stand_in[1], STAND_IN_LEN);
	*ok = !rc && (!named || (swapped.len == other.len &&
				 !memcmp(swapped.buf, other.buf, other.len)));
	mustache_value_free(data);
	strbuf_release(&other);
	strbuf_release(&swapped);
	return rc == DG_ENOMEM ? rc : 0;
}

/*
 * The remembered line (len bytes, with stand-in 0 where the names go)
 * with the room's names in words, into text: *done.
 */
static int group_line_named(struct render_engine *e,
			    const struct room_entry *room, size_t n,
			    unsigned uses, const char *line, size_t len,
			    struct strbuf *text, bool *done)
{
	struct strbuf *joined = &e->group_joined;
	const char *names[ROOM_SMALL];

	const char *at = uses & RENDER_GROUP_PEOPLE
				 ? find_stand_in(line, len, 0)
				 : NULL;
	int rc;

	strbuf_reset(text);
	if (!at) {
		rc = strbuf_add(text, line, len) ? DG_ENOMEM : 0;
		*done = !rc;
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		names[i] = room[i].name;
	strbuf_reset(joined);
	rc = render_join_names(e, joined, names, n);
	rc = rc ? rc
		: put_names(text, line, len, at, 0, joined->buf, joined->len);
	*done = !rc;
	return rc;
}

/*
 * The room's line from the engine's memory, or made and kept there, into
 * e->group_text (untrimmed): *done false when it is not (a room too
 * large, a template that does not allow it, nobody with a name to
 * show), for the caller to make it the usual way.
 */
static int group_line_known(struct render_engine *e,
			    const struct mustache_template *t,
			    const char *assessment, const char *label,
			    const struct room_entry *room, size_t n,
			    unsigned uses, bool *done)
{
	struct strbuf *key = &e->groups_key, *text = &e->group_text;
	struct strbuf made = STRBUF_INIT;
	const char *line;
	size_t len = 0;
	bool named = false, ok = false;
	int rc;

	*done = false;
	/*
	 * the stand-in is never empty: the names in words must not be
	 * either, or {{#people}} would tell them apart
	 */
	for (size_t i = 0; i < n && !named; i++)
		named = room[i].name[0] != '\0';
	if ((uses & RENDER_GROUP_RESULTS) ||
	    ((uses & RENDER_GROUP_PEOPLE) && !named))
		return 0;
	rc = group_line_key(e, assessment, room, n, uses, key);
	if (rc <= 0)
		return rc;
	rc = 0;
	if (!e->groups)
		e->groups = memo_new(RENDER_GROUP_LINES);
	line = memo_get(e->groups, key->buf, key->len, &len);
	if (!line) {
		rc = group_line_made(e, t, assessment, label, room, n, uses,
				     &made, &ok);
		if (!rc && ok)
			memo_put(e->groups, key->buf, key->len, made.buf,
				 made.len);
		line = made.buf;
		len = made.len;
	}
	if (!rc && (line != made.buf || ok))
		rc = group_line_named(e, room, n, uses, line, len, text,
				      done);
	strbuf_release(&made);
	return rc;
}

static int dynamics_for(struct render_engine *e, struct mustache_value *lines,
			const struct roster_person **people, size_t npeople,
			const char *assessment, struct dg_err *err)
{
	struct room_entry room_small[ROOM_SMALL];
	struct room_entry *room = npeople <= ROOM_SMALL
					  ? room_small
					  : calloc(npeople, sizeof(*room));
	struct strbuf *text = &e->group_text;
	const struct mustache_template *t = NULL;
	struct mustache_value *data = NULL;
	const char *label = NULL;
	unsigned uses = 0;
	bool done = false;
	long n = 0;
	int rc = room ? 0 : DG_ENOMEM;

	if (!rc)
		n = room_for(people, npeople, assessment, room, &e->group_names);
	if (n < 0)
		rc = DG_ENOMEM;
	if (!rc && n >= 2)
		rc = render_group_template(e, assessment, &t, &uses, err);
	/* no template: no line, and no data to make for it */
	if (!rc && n >= 2 && t) {
		rc = label_of(e, assessment, &label, err);
		rc = rc ? rc
			: group_line_known(e, t, assessment, label, room,
					   (size_t)n, uses, &done);
		if (!rc && !done) {
			data = group_data(e, assessment, label, room,
					  (size_t)n, uses, NULL);
			rc = data ? 0 : DG_ENOMEM;
			strbuf_reset(text);
			rc = rc ? rc
				: mustache_render(t, data, e->cur->partials,
						  MUSTACHE_ESCAPE_NONE, text,
						  err);
		}
		strbuf_trim(text);
		if (!rc && text->len)
			rc = render_push(lines, mustache_string(text->buf));
	}
	if (room != room_small)
		free(room);
	mustache_value_free(data);
	return rc;
}

/*
 * The people in the room with a usable profile, the user left out: the
 * line is advice about the others ("type 9 in the room" must not mean
 * the reader), and it names them.
 */
int render_add_dynamics(struct render_engine *e, struct mustache_value *meeting,
			const struct match_list *l, struct dg_err *err)
{
	const struct roster_person **people;
	struct mustache_value *lines = mustache_list_new();
	size_t n = 0;
	int rc = 0;

	people = calloc(l->n + 1, sizeof(*people));
	if (!people || !lines) {
		free(people);
		mustache_value_free(lines);
		return DG_ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++)
		if (render_usable(l->v[i].person))
			people[n++] = l->v[i].person;
	for (size_t i = 0; !rc && i < n; i++)
		for (size_t j = 0; !rc && j < people[i]->nassessments; j++) {
			const char *a = people[i]->assessments[j].name;

			if (!seen_assessment(people, i, a))
				rc = dynamics_for(e, lines, people, n, a, err);
		}
	free(people);
	if (rc) {
		mustache_value_free(lines);
		return rc;
	}
	return render_put(meeting, "dynamics", lines);
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
