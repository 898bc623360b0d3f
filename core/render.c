#include "render.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "i18n.h"
#include "logging.h"
#include "meetlink.h"
#include "mustache.h"
#include "render_int.h"
#include "textclean.h"

/* The templates of one reader locale, compiled on first use. */
struct render_lang {
	struct i18n_templates *tpl;
	struct mustache_partials *partials; /* through tpl's chain, cached */
	/* assessment -> "<assessment>\0<label>", rendered on first use */
	struct hmap labels;
	struct render_lang *next;
};

struct render_engine {
	char *dir;
	struct mustache_template *subject; /* [digest] subject, or NULL */
	struct render_lang *langs;	   /* one per locale met */
	struct render_lang *cur;	   /* the digest being built */
	struct i18n_fmt_cache *fmts;	   /* ICU formats, per locale and zone */
	struct i18n_fmt *fmt;		   /* the digest's, borrowed from fmts */
	const char *const *meeting_hosts; /* borrowed; NULL: the defaults */
};

void render_set_meeting_hosts(struct render_engine *e,
			      const char *const *hosts)
{
	e->meeting_hosts = hosts;
}

void render_output_release(struct render_output *out)
{
	strbuf_release(&out->subject);
	strbuf_release(&out->text);
	strbuf_release(&out->html);
}

/*
 * ---- small model helpers: the model is mustache data from the start ----
 *
 * A NULL value is a constructor that ran out of memory: DG_ENOMEM. A null
 * in the model is put_null().
 */

static int put(struct mustache_value *o, const char *key,
	       struct mustache_value *v)
{
	if (!o) {
		mustache_value_free(v);
		return DG_ENOMEM;
	}
	return mustache_map_set(o, key, v) ? DG_ENOMEM : 0;
}

static int put_null(struct mustache_value *o, const char *key)
{
	return put(o, key, mustache_null());
}

static int put_str(struct mustache_value *o, const char *key, const char *s)
{
	return put(o, key, s && *s ? mustache_string(s) : mustache_null());
}

/*
 * A one-line field of calendar text (subject, place, a name): a line
 * break in it must not start a fake entry in the text part, so control
 * characters become spaces.
 */
static int put_line(struct mustache_value *o, const char *key, const char *s)
{
	struct strbuf b = STRBUF_INIT;
	bool cut = false;
	int rc;

	if (!s || !*s)
		return put_null(o, key);
	/* bidi and zero-width characters go too: see textclean.h */
	rc = textclean_line(s, RENDER_FIELD_MAX, &b, &cut);
	if (!rc && cut)
		rc = strbuf_addstr(&b, "\u2026");
	rc = rc ? rc
		: put(o, key, b.len ? mustache_stringn(b.buf, b.len)
				    : mustache_null());
	strbuf_release(&b);
	return rc;
}

static int push(struct mustache_value *a, struct mustache_value *v)
{
	return mustache_list_push(a, v) ? DG_ENOMEM : 0;
}

/*
 * Append a, b and c (c may be NULL) to out: the names of templates and
 * keys built for every attendee, without printf's parsing each time.
 */
static int add3(struct strbuf *out, const char *a, const char *b,
		const char *c)
{
	int rc = strbuf_addstr(out, a);

	rc = rc ? rc : strbuf_addstr(out, b);
	return rc || !c ? rc : strbuf_addstr(out, c);
}

/* "Zoë Martin" -> "Zoë"; the whole name when it has no space. */
static char *first_name(const char *name)
{
	size_t n = 0;

	if (!name)
		return NULL;
	while (name[n] && name[n] != ' ')
		n++;
	return strndup(name, n);
}

/* ---- templates ---- */

/*
 * Render the template file <dir>/<name>.mustache as plain text (no HTML
 * escaping: its output is inserted into the HTML later, escaped there).
 * DG_ENOTFOUND when there is no such file.
 */
static int render_file(struct render_engine *e, const char *name,
		       struct mustache_value *data, struct strbuf *out,
		       struct dg_err *err);

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
		if (t > s && push(arr, mustache_stringn(
					       s, (size_t)(t - s))))
			return DG_ENOMEM;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* The label as its template renders it, else the name in capitals. */
static int make_label(struct render_engine *e, const char *assessment,
		      struct strbuf *out, struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT;
	int rc = add3(&name, "tips/", assessment, "/_label");

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
 * Append the display label of an assessment to out: tips/<a>/_label,
 * else its name. Rendered once per language, then remembered: every
 * attendee and every room asks for it.
 */
static int assessment_label(struct render_engine *e, const char *assessment,
			    struct strbuf *out, struct dg_err *err)
{
	struct strbuf entry = STRBUF_INIT, label = STRBUF_INIT;
	const char *cached = hmap_get(&e->cur->labels, assessment);
	char *block;
	int rc;

	if (cached)
		return strbuf_addstr(out, cached + strlen(cached) + 1);
	rc = make_label(e, assessment, &label, err);
	if (rc) {
		strbuf_release(&label);
		return rc;
	}
	rc = strbuf_add(&entry, assessment, strlen(assessment) + 1);
	rc = rc ? rc : strbuf_addbuf(&entry, &label);
	rc = rc ? rc : strbuf_addbuf(out, &label);
	block = rc ? NULL : strbuf_detach(&entry, NULL);
	if (!rc && (!block || hmap_put(&e->cur->labels, block, block, NULL))) {
		free(block);
		rc = DG_ENOMEM;
	}
	strbuf_release(&entry);
	strbuf_release(&label);
	return rc ? dg_errf(err, DG_ENOMEM, "out of memory") : 0;
}

/* What a tip template knows of the person; assessment and result null. */
static struct mustache_value *person_data(const struct roster_person *p)
{
	struct mustache_value *o = mustache_map_new();
	char *first = first_name(p->name);

	if (put_line(o, "name", p->name) || put_line(o, "first_name", first) ||
	    put_line(o, "title", p->title) ||
	    put_null(o, "assessment") || put_null(o, "result")) {
		mustache_value_free(o);
		o = NULL;
	}
	free(first);
	return o;
}

/* What a person's tips are picked for: the meeting and its people. */
struct tip_ctx {
	struct render_state *st;
	const struct plan_meeting *m;
	const struct match_list *l;
	bool crowd; /* too many profiled people: no one's tips */
};

/*
 * The tip lines of one result, for this person in this meeting. data is
 * the person's (person_data() and the meeting's facts): its assessment
 * and result are set to a's here.
 */
static int result_tips(struct render_engine *e, struct mustache_value *data,
		       const struct roster_assessment *a,
		       struct mustache_value *lines, struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT, text = STRBUF_INIT;
	int rc = put_str(data, "assessment", a->name);

	rc = rc ? rc : put_str(data, "result", a->value);
	rc = rc ? rc : add3(&name, "tips/", a->name, "/");
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

static int add_result(struct render_engine *e, struct mustache_value *results,
		      const struct roster_assessment *a, struct dg_err *err)
{
	struct strbuf label = STRBUF_INIT;
	struct mustache_value *r = mustache_map_new();
	int rc = assessment_label(e, a->name, &label, err);

	if (!rc)
		rc = put_str(r, "assessment", a->name);
	if (!rc)
		rc = put_str(r, "assessment_label", label.buf);
	if (!rc)
		rc = put_str(r, "result", a->value);
	strbuf_release(&label);
	if (rc) {
		mustache_value_free(r);
		return rc;
	}
	return push(results, r);
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
	struct mustache_value *candidates, *tips, *data;
	const struct mustache_value *shown;
	int rc = 0;

	if (tc->crowd)
		return put(att, "tips", mustache_list_new());
	shown = hmap_get(&tc->st->seen, p->email);
	if (shown) {
		rc = put(att, "tips_above", mustache_bool(1));
		return rc ? rc : put(att, "tips", mustache_value_copy(shown));
	}
	candidates = mustache_list_new();
	tips = mustache_list_new();
	data = person_data(p);
	rc = candidates && tips && data ? 0 : DG_ENOMEM;
	if (!rc && tc->m)
		rc = render_meeting_facts(data, tc->m, tc->l, p->email,
					  tc->st->user);
	for (size_t i = 0; !rc && i < p->nassessments; i++) {
		struct mustache_value *lines = mustache_list_new();

		rc = lines ? result_tips(e, data, &p->assessments[i], lines,
					 err)
			   : DG_ENOMEM;
		if (!rc)
			rc = push(candidates, lines);
		else
			mustache_value_free(lines);
	}
	if (!rc)
		rc = render_pick_tips(tc->st, candidates, tips);
	mustache_value_free(candidates);
	mustache_value_free(data);
	if (rc) {
		mustache_value_free(tips);
		return rc;
	}
	/* att owns the list; the state only points at it, for repeats */
	rc = put(att, "tips", tips);
	if (!rc && hmap_put(&tc->st->seen, p->email, tips, NULL))
		rc = DG_ENOMEM;
	return rc;
}

/* results[] and tips[] of one person. */
static int add_profile(struct render_engine *e, struct mustache_value *att,
		       const struct roster_person *p, const struct tip_ctx *tc,
		       struct dg_err *err)
{
	struct mustache_value *results = mustache_list_new();
	int rc = results ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < p->nassessments; i++)
		rc = add_result(e, results, &p->assessments[i], err);
	if (rc) {
		mustache_value_free(results);
		return rc;
	}
	rc = put(att, "results", results);
	return rc ? rc : add_tips(e, att, p, tc, err);
}

/*
 * Someone who opted out or hid their profile is shown as if unknown: no
 * profile, no tips, not counted in the room's group lines.
 */
static const struct roster_person *usable(const struct roster_person *p)
{
	return p && !p->opt_out && !p->hidden ? p : NULL;
}

static int add_attendee(struct render_engine *e, struct mustache_value *list,
			const struct match_attendee *a,
			const struct tip_ctx *tc, struct dg_err *err)
{
	const struct roster_person *p = usable(a->person);
	struct mustache_value *o = mustache_map_new();
	int rc;

	rc = put_str(o, "email", a->email);
	if (!rc)
		rc = put_line(o, "name", a->name);
	if (!rc)
		rc = put(o, "matched", mustache_bool(p != NULL));
	if (!rc)
		rc = put_str(o, "via", p ? a->via : NULL);
	if (!rc && p && a->group)
		rc = put_str(o, "group", a->group);
	if (!rc)
		rc = put_line(o, "title", p ? p->title : NULL);
	if (!rc)
		rc = put(o, "external", mustache_bool(a->external));
	if (!rc && p)
		rc = add_profile(e, o, p, tc, err);
	if (!rc && !p) {
		rc = put(o, "results", mustache_list_new());
		if (!rc)
			rc = put(o, "tips", mustache_list_new());
	}
	if (rc) {
		mustache_value_free(o);
		return rc;
	}
	return push(list, o);
}

/* ---- group dynamics: one line per assessment from the mix in the room ---- */

struct room_entry {
	const char *name;   /* first name */
	const char *result;
	char *first;        /* owned */
};

static int cmp_count_desc(const void *a, const void *b)
{
	const int *x = a, *y = b;

	return y[1] - x[1];
}

/*
 * A count and its plural category in the reader's language: "count": 2
 * with "count_other": true, so a template picks its wording with
 * {{#count_one}}...{{/count_one}} (ICU's rules, not English's).
 */
static int put_count(struct render_engine *e, struct mustache_value *o,
		     const char *key, long n)
{
	struct strbuf flag = STRBUF_INIT;
	int rc = put(o, key, mustache_int(n));

	rc = rc ? rc : add3(&flag, key, "_", i18n_plural(e->fmt, n));
	rc = rc ? rc : put(o, flag.buf, mustache_bool(1));
	strbuf_release(&flag);
	return rc;
}

/* "A, B and C" in the reader's language (ICU's list patterns). */
static int join_names(struct render_engine *e, struct strbuf *out,
		      const char **names, size_t n)
{
	struct dg_err quiet = DG_ERR_INIT;

	return i18n_list(e->fmt, names, n, out, &quiet);
}

static struct mustache_value *group_data(struct render_engine *e, const char *assessment,
			       const char *label,
			       const struct room_entry *room, size_t n)
{
	struct mustache_value *o = mustache_map_new();
	struct mustache_value *results = mustache_list_new();
	const char **names = calloc(n, sizeof(*names));
	int (*counts)[2] = calloc(n, sizeof(*counts)); /* index, count */
	size_t distinct = 0;
	struct strbuf key = STRBUF_INIT, joined = STRBUF_INIT;
	int rc = o && results && names && counts ? 0 : DG_ENOMEM;

	/* Count each distinct result, remembering its first entry. */
	for (size_t i = 0; !rc && i < n; i++) {
		size_t j;

		for (j = 0; j < distinct; j++)
			if (!strcmp(room[counts[j][0]].result, room[i].result))
				break;
		if (j == distinct)
			counts[distinct++][0] = (int)i;
		counts[j][1]++;
	}
	qsort(counts, distinct, sizeof(*counts), cmp_count_desc);
	for (size_t i = 0; !rc && i < n; i++)
		names[i] = room[i].name;
	rc = rc ? rc : join_names(e, &joined, names, n);
	rc = rc ? rc : put_str(o, "people", joined.buf);
	rc = rc ? rc : put_str(o, "assessment", assessment);
	rc = rc ? rc : put_str(o, "label", label);
	rc = rc ? rc : put_count(e, o, "count", (long)n);
	rc = rc ? rc : put(o, "mixed", mustache_bool(distinct > 1));
	for (size_t j = 0; !rc && j < distinct; j++) {
		const char *result = room[counts[j][0]].result;
		struct mustache_value *r = mustache_map_new();
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (!strcmp(room[i].result, result))
				names[k++] = room[i].name;
		strbuf_reset(&joined);
		rc = join_names(e, &joined, names, k);
		rc = rc ? rc : put_str(r, "result", result);
		rc = rc ? rc : put_count(e, r, "count", counts[j][1]);
		rc = rc ? rc : put_str(r, "names", joined.buf);
		rc = rc ? rc : push(results, r);
		if (rc)
			break;
		strbuf_reset(&key);
		rc = add3(&key, "has_", result, NULL);
		rc = rc ? rc : put(o, key.buf, mustache_bool(1));
		if (!rc && distinct == 1) {
			strbuf_reset(&key);
			rc = add3(&key, "all_", result, NULL);
			rc = rc ? rc : put(o, key.buf,
					   mustache_bool(1));
		}
		if (!rc && j == 0 &&
		    (distinct == 1 || counts[0][1] > counts[1][1])) {
			rc = put_str(o, "dominant", result);
			strbuf_reset(&key);
			rc = rc ? rc : add3(&key, "dominant_", result, NULL);
			rc = rc ? rc : put(o, key.buf,
					   mustache_bool(1));
		}
	}
	if (!rc)
		rc = put(o, "results", results);
	else
		mustache_value_free(results);
	strbuf_release(&key);
	strbuf_release(&joined);
	free(names);
	free(counts);
	if (rc) {
		mustache_value_free(o);
		return NULL;
	}
	return o;
}

/* Collect who in the room has a result for assessment. */
static size_t room_for(const struct roster_person **people, size_t npeople,
		       const char *assessment, struct room_entry *room)
{
	size_t n = 0;

	for (size_t i = 0; i < npeople; i++) {
		const struct roster_person *p = people[i];

		for (size_t j = 0; j < p->nassessments; j++) {
			if (strcmp(p->assessments[j].name, assessment))
				continue;
			room[n].first = first_name(p->name ? p->name
							   : p->email);
			room[n].name = room[n].first ? room[n].first : "?";
			room[n].result = p->assessments[j].value;
			n++;
			break;
		}
	}
	return n;
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

static int dynamics_for(struct render_engine *e, struct mustache_value *lines,
			const struct roster_person **people, size_t npeople,
			const char *assessment, struct dg_err *err)
{
	struct room_entry *room = calloc(npeople, sizeof(*room));
	struct strbuf label = STRBUF_INIT, name = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT;
	struct mustache_value *data = NULL;
	size_t n;
	int rc = room ? 0 : DG_ENOMEM;

	n = rc ? 0 : room_for(people, npeople, assessment, room);
	if (n >= 2) {
		rc = assessment_label(e, assessment, &label, err);
		if (!rc)
			data = group_data(e, assessment, label.buf, room, n);
		rc = rc ? rc : data ? 0 : DG_ENOMEM;
		rc = rc ? rc : add3(&name, "tips/", assessment, "/_group");
		rc = rc ? rc : render_file(e, name.buf, data, &text, err);
		if (rc == DG_ENOTFOUND)
			rc = 0;
		strbuf_trim(&text);
		if (!rc && text.len)
			rc = push(lines, mustache_string(text.buf));
	}
	for (size_t i = 0; i < n; i++)
		free(room[i].first);
	free(room);
	mustache_value_free(data);
	strbuf_release(&label);
	strbuf_release(&name);
	strbuf_release(&text);
	return rc;
}

/*
 * The people in the room with a usable profile, the user left out: the
 * line is advice about the others ("type 9 in the room" must not mean
 * the reader), and it names them.
 */
static int add_dynamics(struct render_engine *e, struct mustache_value *meeting,
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
		if (usable(l->v[i].person))
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
	return put(meeting, "dynamics", lines);
}

/* ---- meetings ---- */

/*
 * The join URL: "join_url" when it is a link to a known meeting service
 * (meetlink.h), else "other_url" {url, host} for any other web URL, shown
 * as text with its host visible; a javascript: URL is neither.
 */
static int add_join(struct render_engine *e, struct mustache_value *o, const char *url)
{
	struct strbuf host = STRBUF_INIT;
	struct mustache_value *other;
	int rc;

	if (meetlink_trusted(url, e->meeting_hosts))
		return put_str(o, "join_url", url);
	rc = put_null(o, "join_url");
	if (rc || !url || meetlink_host(url, &host))
		return rc ? rc : put_null(o, "other_url");
	other = mustache_map_new();
	rc = other ? 0 : DG_ENOMEM;
	rc = rc ? rc : put_line(other, "url", url);
	rc = rc ? rc : put_line(other, "host", host.buf);
	strbuf_release(&host);
	if (rc) {
		mustache_value_free(other);
		return rc;
	}
	return put(o, "other_url", other);
}

/* Only web links go into an href: a javascript: URL must never. */
static const char *safe_url(const char *url)
{
	if (url && (!strncasecmp(url, "https://", 8) ||
		    !strncasecmp(url, "http://", 7)))
		return url;
	return NULL;
}

/*
 * The meeting's times from ICU (start_time, end_time, time_range), and
 * time_label from the language's time_label template, which decides how
 * to say "all day" or "next day".
 */
static int add_times(struct render_engine *e, struct mustache_value *o,
		     const struct plan_meeting *m, struct dg_err *err)
{
	struct strbuf s = STRBUF_INIT;
	bool same_day = !m->starts_before_day && !m->ends_after_day;
	int rc = put(o, "starts_before_day",
		     mustache_bool(m->starts_before_day));

	rc = rc ? rc : put(o, "ends_after_day",
			   mustache_bool(m->ends_after_day));
	rc = rc ? rc : put(o, "same_day", mustache_bool(same_day));
	if (!rc && !m->all_day) {
		rc = i18n_time(e->fmt, m->start_ms, &s, err);
		rc = rc ? rc : put_str(o, "start_time", s.buf);
		strbuf_reset(&s);
		rc = rc ? rc : i18n_time(e->fmt, m->end_ms, &s, err);
		rc = rc ? rc : put_str(o, "end_time", s.buf);
		strbuf_reset(&s);
		rc = rc ? rc : i18n_time_range(e->fmt, m->start_ms, m->end_ms,
					       &s, err);
		rc = rc ? rc : put_str(o, "time_range", s.buf);
		strbuf_reset(&s);
	}
	rc = rc ? rc : render_file(e, "time_label", o, &s, err);
	if (rc == DG_ENOTFOUND)
		rc = dg_errf(err, rc, "%s/time_label.mustache: no such "
				      "template", e->dir);
	strbuf_trim(&s);
	rc = rc ? rc : put_str(o, "time_label", s.buf);
	strbuf_release(&s);
	return rc;
}

static int add_organizer(struct mustache_value *meeting, const struct cal_event *ev)
{
	struct mustache_value *o;

	if (!ev->organizer.address)
		return put_null(meeting, "organizer");
	o = mustache_map_new();
	if (put_line(o, "name", ev->organizer.name) ||
	    put_str(o, "email", ev->organizer.address)) {
		mustache_value_free(o);
		return DG_ENOMEM;
	}
	return put(meeting, "organizer", o);
}

/*
 * The phone way into an online meeting: "dial_in" {number, toll_free,
 * conference_id}, or null when Graph gave no number. Numbers are calendar
 * text like any other: one line, escaped by the HTML template, never a
 * tel: link (a link target would need its own checking).
 */
static int add_dial_in(struct mustache_value *meeting, const struct cal_event *ev)
{
	struct mustache_value *o;

	if (!ev->toll_number && !ev->toll_free_number)
		return put_null(meeting, "dial_in");
	o = mustache_map_new();
	if (put_line(o, "number", ev->toll_number) ||
	    put_line(o, "toll_free", ev->toll_free_number) ||
	    put_line(o, "conference_id", ev->conference_id)) {
		mustache_value_free(o);
		return DG_ENOMEM;
	}
	return put(meeting, "dial_in", o);
}

/* How many attendees have a profile shown; their first names joined. */
static int profiled(struct render_engine *e, const struct match_list *l,
		    size_t *n, struct strbuf *who)
{
	const char **names = calloc(l && l->n ? l->n : 1, sizeof(*names));
	char **firsts = calloc(l && l->n ? l->n : 1, sizeof(*firsts));
	int rc = names && firsts ? 0 : DG_ENOMEM;

	*n = 0;
	for (size_t i = 0; !rc && l && i < l->n; i++) {
		const struct roster_person *p = usable(l->v[i].person);

		if (!p)
			continue;
		firsts[*n] = first_name(p->name && *p->name ? p->name
							    : p->email);
		names[*n] = firsts[*n] ? firsts[*n] : "?";
		(*n)++;
	}
	if (!rc)
		rc = join_names(e, who, names, *n);
	for (size_t i = 0; firsts && i < *n; i++)
		free(firsts[i]);
	free(firsts);
	free(names);
	return rc;
}

/*
 * More people with a profile than [digest] max_people_per_meeting: the
 * meeting gets the group line and their names ("crowd", "people"), no
 * one's tips.
 */
static int add_crowd(struct render_engine *e, struct mustache_value *o,
		     const struct match_list *l, const struct render_state *st,
		     bool *crowd)
{
	struct strbuf who = STRBUF_INIT;
	size_t n = 0;
	int rc = profiled(e, l, &n, &who);

	*crowd = n > st->max_people;
	rc = rc ? rc : put(o, "crowd", mustache_bool(*crowd));
	rc = rc ? rc : put(o, "profiled_count", mustache_int((int)n));
	if (!rc && *crowd)
		rc = put_str(o, "people", who.buf);
	strbuf_release(&who);
	return rc;
}

/* The public face of a meeting: what anyone may see of it. */
static int add_meeting_people(struct render_engine *e, struct mustache_value *o,
			      const struct plan_meeting *m,
			      const struct match_list *l,
			      struct render_state *st, struct dg_err *err)
{
	struct mustache_value *atts = mustache_list_new();
	struct tip_ctx tc = {.st = st, .m = m, .l = l};
	size_t unmatched = 0;
	int rc = atts ? 0 : DG_ENOMEM;

	rc = rc ? rc : add_crowd(e, o, l, st, &tc.crowd);
	for (size_t i = 0; !rc && l && i < l->n; i++) {
		if (i < RENDER_MAX_ATTENDEES)
			rc = add_attendee(e, atts, &l->v[i], &tc, err);
		if (!usable(l->v[i].person))
			unmatched++;
	}
	if (rc) {
		mustache_value_free(atts);
		return rc;
	}
	rc = put(o, "attendees", atts);
	rc = rc ? rc : put_count(e, o, "attendees_more",
				 l && l->n > RENDER_MAX_ATTENDEES
					 ? (long)(l->n - RENDER_MAX_ATTENDEES)
					 : 0);
	rc = rc ? rc : put_count(e, o, "unmatched_count", (long)unmatched);
	rc = rc ? rc : put_line(o, "subject", m->event->subject);
	rc = rc ? rc : put_line(o, "location", m->event->location);
	rc = rc ? rc : add_join(e, o, m->event->join_url);
	rc = rc ? rc : add_dial_in(o, m->event);
	rc = rc ? rc : add_organizer(o, m->event);
	if (!rc && l)
		rc = add_dynamics(e, o, l, err);
	return rc;
}

/*
 * A private meeting shows its time and nothing else: no subject, place,
 * link, organizer, attendees or tips, in any output.
 */
static int add_private_meeting(struct render_engine *e, struct mustache_value *o)
{
	int rc = put(o, "attendees", mustache_list_new());

	rc = rc ? rc : put_count(e, o, "unmatched_count", 0);
	rc = rc ? rc : put(o, "dynamics", mustache_list_new());
	return rc;
}

static int add_meeting(struct render_engine *e, struct mustache_value *list,
		       const struct plan_meeting *m, const struct match_list *l,
		       struct render_state *st, struct dg_err *err)
{
	struct mustache_value *o = mustache_map_new();
	int rc = put_str(o, "id", m->event->id);

	rc = rc ? rc : put(o, "private", mustache_bool(m->is_private));
	rc = rc ? rc : put(o, "all_day", mustache_bool(m->all_day));
	rc = rc ? rc : put(o, "hold", mustache_bool(
					      render_is_hold(m, l, st->user)));
	rc = rc ? rc : put_str(o, "start", m->start);
	rc = rc ? rc : put_str(o, "end", m->end);
	rc = rc ? rc : add_times(e, o, m, err);
	if (!rc)
		rc = m->is_private ? add_private_meeting(e, o)
				   : add_meeting_people(e, o, m, l, st, err);
	if (rc) {
		mustache_value_free(o);
		return rc;
	}
	return push(list, o);
}

/* away[]: the user's part-day absences, each with its times. */
static int add_away(struct render_engine *e, struct mustache_value *model,
		    const struct plan_day *day, struct dg_err *err)
{
	struct mustache_value *away = mustache_list_new();
	int rc = away ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && day && i < day->naway; i++) {
		struct mustache_value *a = mustache_map_new();

		rc = a ? add_times(e, a, &day->away[i], err) : DG_ENOMEM;
		if (rc) {
			mustache_value_free(a);
			break;
		}
		rc = push(away, a);
	}
	if (rc) {
		mustache_value_free(away);
		return rc;
	}
	return put(model, "away", away);
}

/*
 * The reader's names as the directory has them: given_name and surname
 * from Graph, never guessed by splitting the display name ("Archie,
 * Grady"; "中村 結衣" is family name first). first_name is the name to
 * greet by: the given name, else the whole display name.
 */
static struct mustache_value *user_object(const struct render_input *in)
{
	struct mustache_value *u = mustache_map_new();
	const struct cal_user *cu = in->user;
	const char *greet = cu->given_name && *cu->given_name
				    ? cu->given_name
				    : cu->display_name;
	int rc = put_str(u, "email", cu->mail);

	rc = rc ? rc : put_line(u, "name", cu->display_name);
	rc = rc ? rc : put_line(u, "given_name", cu->given_name);
	rc = rc ? rc : put_line(u, "surname", cu->surname);
	rc = rc ? rc : put_line(u, "first_name", greet);
	rc = rc ? rc : put_str(u, "timezone", in->target->zone);
	if (rc) {
		mustache_value_free(u);
		return NULL;
	}
	return u;
}

static int select_lang(struct render_engine *e, const char *locale,
		       struct dg_err *err);

/* The day in the reader's words: date_label, date_day, date_short. */
static int add_dates(struct render_engine *e, struct mustache_value *m,
		     const struct plan_target *t, struct dg_err *err)
{
	static const struct {
		const char *key;
		enum i18n_date_style style;
	} dates[] = { { "date_label", I18N_DATE_FULL },
		      { "date_day", I18N_DATE_DAY },
		      { "date_short", I18N_DATE_SHORT } };
	struct strbuf s = STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(dates) / sizeof(dates[0]); i++) {
		strbuf_reset(&s);
		rc = i18n_date(e->fmt, dates[i].style, t->start_ms, &s, err);
		rc = rc ? rc : put_str(m, dates[i].key, s.buf);
	}
	strbuf_release(&s);
	return rc;
}

/* The reader's language: locale and templates, and ICU set up for it. */
static int begin_model(struct render_engine *e, const struct render_input *in,
		       struct mustache_value *m, struct dg_err *err)
{
	const char *locale = in->locale ? in->locale : in->target->locale;
	int rc = select_lang(e, locale, err);

	e->fmt = NULL;
	rc = rc ? rc : i18n_fmt_cache_get(e->fmts, e->cur->tpl->format_locale,
					  in->target->zone, &e->fmt, err);
	rc = rc ? rc : put_str(m, "locale", e->cur->tpl->locale);
	rc = rc ? rc : put_str(m, "language", e->cur->tpl->language);
	return rc;
}

static void state_release(struct render_state *st)
{
	hmap_release(&st->seen);
	hmap_release(&st->used);
}

/* The meetings[] of the model, and what the top of the digest needs. */
static int add_meetings(struct render_engine *e, struct mustache_value *m,
			const struct render_input *in, const char *skip,
			struct render_state *st, struct dg_err *err)
{
	struct mustache_value *meetings = mustache_list_new();
	const struct plan_day *day = in->day;
	int rc = meetings ? 0 : DG_ENOMEM;

	/* a flooded calendar still gives a readable, mailable digest */
	for (size_t i = 0; !rc && !skip && i < day->n &&
			   i < RENDER_MAX_MEETINGS; i++)
		rc = add_meeting(e, meetings, &day->meetings[i],
				 in->attendees ? &in->attendees[i] : NULL, st,
				 err);
	rc = rc ? rc : put_count(e, m, "meetings_more",
				 !skip && day->n > RENDER_MAX_MEETINGS
					 ? (long)(day->n - RENDER_MAX_MEETINGS)
					 : 0);
	rc = rc ? rc : put_count(e, m, "meeting_count",
				 (long)mustache_list_len(meetings));
	rc = rc ? rc : render_holds(m, meetings);
	if (rc) {
		mustache_value_free(meetings);
		return rc;
	}
	rc = put(m, "meetings", meetings);
	rc = rc ? rc : add_away(e, m, skip ? NULL : day, err);
	return rc ? rc : put(m, "trimmed", mustache_bool(st->trimmed));
}

/*
 * The whole model of one user's digest, with at most max_tips tips per
 * person. *out is yours: mustache_value_free.
 */
static int build_model(struct render_engine *e, const struct render_input *in,
		       int max_tips, struct mustache_value **out, size_t *shown,
		       struct dg_err *err)
{
	struct render_state st = {
		.seen = HMAP_INIT(0),
		.used = HMAP_INIT(0),
		.max_tips = max_tips,
		.max_people = in->max_people_per_meeting
				      ? in->max_people_per_meeting
				      : RENDER_PEOPLE_MAX,
		.user = in->user,
	};
	struct mustache_value *m = mustache_map_new();
	const struct plan_day *day = in->day;
	const char *skip = in->target->skip_reason;
	int rc = m ? 0 : DG_ENOMEM;

	rc = rc ? rc : begin_model(e, in, m, err);

	if (!skip && !day)
		skip = "no_meetings";
	if (!skip && day->skip_reason)
		skip = day->skip_reason;
	rc = rc ? rc : add_meetings(e, m, in, skip, &st, err);
	*shown = st.shown;
	state_release(&st);
	rc = rc ? rc : put(m, "user", user_object(in));
	rc = rc ? rc : put_str(m, "date", in->target->date);
	rc = rc ? rc : add_dates(e, m, in->target, err);
	rc = rc ? rc : put_str(m, "status", skip ? "skipped" : "ready");
	rc = rc ? rc : put_str(m, "skip_reason", skip);
	rc = rc ? rc : put_str(m, "unsubscribe_url",
			       safe_url(in->unsubscribe_url));
	rc = rc ? rc : put_str(m, "prefs_url", safe_url(in->prefs_url));
	if (rc) {
		mustache_value_free(m);
		if (rc == DG_ENOMEM)
			return dg_errf(err, rc, "out of memory building the "
					       "digest of %s", in->user->mail);
		return rc;
	}
	*out = m;
	return 0;
}

/* ---- the model as JSON, for preview --format json and about ---- */

static json_object *to_json(const struct mustache_value *v, bool *oom)
{
	json_object *j = NULL;
	const char *str;
	size_t len;

	switch (mustache_value_kind(v)) {
	case MUSTACHE_NULL:
		return NULL;
	case MUSTACHE_BOOL:
		j = json_object_new_boolean(mustache_bool_get(v));
		break;
	case MUSTACHE_INT:
		j = json_object_new_int64(mustache_int_get(v));
		break;
	case MUSTACHE_FLOAT:
		j = json_object_new_double(mustache_float_get(v));
		break;
	case MUSTACHE_STRING:
		str = mustache_string_get(v, &len);
		j = json_object_new_string_len(str, (int)len);
		break;
	case MUSTACHE_LIST:
		j = json_object_new_array();
		for (size_t i = 0; j && !*oom && i < mustache_list_len(v); i++) {
			json_object *item = to_json(mustache_list_get(v, i), oom);

			if (!*oom && json_object_array_add(j, item)) {
				json_object_put(item);
				*oom = true;
			}
		}
		break;
	case MUSTACHE_MAP:
		j = json_object_new_object();
		for (size_t i = 0; j && !*oom && i < mustache_map_len(v); i++) {
			json_object *item = to_json(mustache_map_value(v, i), oom);

			if (!*oom && json_object_object_add(
					     j, mustache_map_key(v, i), item)) {
				json_object_put(item);
				*oom = true;
			}
		}
		break;
	}
	if (!j)
		*oom = true;
	return j;
}

/* Append m as pretty-printed JSON and a line break to out. */
static int add_json(const struct mustache_value *m, struct strbuf *out,
		    struct dg_err *err)
{
	bool oom = false;
	json_object *j = to_json(m, &oom);
	const char *s = oom ? NULL
			    : json_object_to_json_string_ext(
				      j, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_SPACED |
						 JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = s ? strbuf_addstr(out, s) : DG_ENOMEM;

	rc = rc ? rc : strbuf_addch(out, '\n');
	json_object_put(j);
	return rc ? dg_errf(err, rc, "out of memory writing the model") : 0;
}

int render_json(struct render_engine *e, const struct render_input *in,
		struct strbuf *out, struct dg_err *err)
{
	struct mustache_value *m;
	size_t shown;
	int rc = build_model(e, in, RENDER_TIPS_MAX, &m, &shown, err);

	if (rc)
		return rc;
	rc = add_json(m, out, err);
	mustache_value_free(m);
	return rc;
}

static int render_file(struct render_engine *e, const char *name,
		       struct mustache_value *data, struct strbuf *out,
		       struct dg_err *err)
{
	const struct mustache_template *t;
	struct dg_err quiet = DG_ERR_INIT;
	int rc;

	rc = mustache_partials_get(e->cur->partials, name, &t, &quiet);
	if (rc == DG_ENOTFOUND)
		return rc;
	if (rc) {
		*err = quiet;
		return rc;
	}
	return mustache_render(t, data, e->cur->partials, MUSTACHE_ESCAPE_NONE,
			       out, err);
}

static void lang_free(struct render_lang *l)
{
	const struct hmap_entry *it;
	size_t pos = 0;

	while ((it = hmap_next(&l->labels, &pos)))
		free(it->value);
	hmap_release(&l->labels);
	mustache_partials_free(l->partials);
	i18n_templates_free(l->tpl);
	free(l);
}

void render_close(struct render_engine *e)
{
	if (!e)
		return;
	while (e->langs) {
		struct render_lang *next = e->langs->next;

		lang_free(e->langs);
		e->langs = next;
	}
	i18n_fmt_cache_free(e->fmts);
	mustache_template_free(e->subject);
	free(e->dir);
	free(e);
}

/* The templates every language has, from its folders or the default set. */
static int require_template(struct render_engine *e, const char *name,
			    const struct mustache_template **out,
			    struct dg_err *err)
{
	int rc = mustache_partials_get(e->cur->partials, name, out, err);

	if (rc == DG_ENOTFOUND)
		return dg_errf(err, DG_ENOTFOUND,
			       "%s/%s.mustache: no such template", e->dir,
			       name);
	return rc;
}

/* Make the templates of locale current, opening them on first use. */
static int select_lang(struct render_engine *e, const char *locale,
		       struct dg_err *err)
{
	struct render_lang *l;
	int rc;

	if (!locale || !i18n_tag_valid(locale))
		locale = I18N_DEFAULT_LOCALE;
	for (l = e->langs; l; l = l->next)
		if (!strcmp(l->tpl->locale, locale)) {
			e->cur = l;
			return 0;
		}
	l = calloc(1, sizeof(*l));
	if (!l)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	hmap_init(&l->labels, 0);
	rc = i18n_templates_open(e->dir, locale, &l->tpl, err);
	rc = rc ? rc : mustache_partials_new(i18n_resolve, l->tpl,
					     &l->partials, err);
	if (rc) {
		lang_free(l);
		return rc;
	}
	l->next = e->langs;
	e->langs = l;
	e->cur = l;
	return 0;
}

int render_open(const char *dir, const char *subject,
		struct render_engine **out, struct dg_err *err)
{
	struct render_engine *e = calloc(1, sizeof(*e));
	const struct mustache_template *t;
	int rc;

	*out = NULL;
	if (!e || !(e->dir = strdup(dir)) ||
	    !(e->fmts = i18n_fmt_cache_new())) {
		if (e)
			free(e->dir);
		free(e);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	rc = select_lang(e, I18N_DEFAULT_LOCALE, err);
	if (!rc)
		rc = require_template(e, "digest.txt", &t, err);
	if (!rc)
		rc = require_template(e, "digest.html", &t, err);
	if (!rc)
		rc = require_template(e, "time_label", &t, err);
	if (!rc && subject && *subject)
		rc = mustache_compile(subject, strlen(subject), "[digest] subject",
				      &e->subject, err);
	else if (!rc)
		rc = require_template(e, "subject", &t, err);
	if (rc) {
		render_close(e);
		return rc;
	}
	*out = e;
	return 0;
}

/* A subject is one line: whatever the calendar put in it. */
static void one_line(struct strbuf *sb)
{
	for (size_t i = 0; i < sb->len; i++)
		if (sb->buf[i] == '\r' || sb->buf[i] == '\n' ||
		    sb->buf[i] == '\t')
			sb->buf[i] = ' ';
	strbuf_trim(sb);
}

/* Render subject, text and HTML of one model into out. */
static int render_model(struct render_engine *e,
			const struct mustache_value *v,
			struct render_output *out, struct dg_err *err)
{
	const struct mustache_template *text, *html, *subject = e->subject;
	int rc;

	/* whatever the calendar holds, a message stays mailable */
	strbuf_init(&out->text, RENDER_PART_MAX);
	strbuf_init(&out->html, RENDER_PART_MAX);
	rc = require_template(e, "digest.txt", &text, err);
	if (!rc)
		rc = require_template(e, "digest.html", &html, err);
	if (!rc && !subject)
		rc = require_template(e, "subject", &subject, err);
	if (!rc)
		rc = mustache_render(subject, v, e->cur->partials,
				     MUSTACHE_ESCAPE_NONE, &out->subject, err);
	if (!rc)
		rc = mustache_render(text, v, e->cur->partials,
				     MUSTACHE_ESCAPE_NONE, &out->text, err);
	if (!rc)
		rc = mustache_render(html, v, e->cur->partials,
				     MUSTACHE_ESCAPE_HTML, &out->html, err);
	one_line(&out->subject);
	return rc;
}

/* ---- what colleagues are told about one person ---- */

int render_group_lines(struct render_engine *e, const struct render_input *in,
		       int (*fn)(const char *line, void *ctx), void *ctx,
		       struct dg_err *err)
{
	const struct mustache_value *meetings;
	struct mustache_value *m;
	struct hmap seen = HMAP_INIT(0); /* lines given, borrowed from m */
	size_t shown;
	int rc = build_model(e, in, RENDER_TIPS_MAX, &m, &shown, err);

	if (rc)
		return rc;
	meetings = mustache_map_get(m, "meetings");
	for (size_t i = 0; !rc && i < mustache_list_len(meetings); i++) {
		const struct mustache_value *d = mustache_map_get(
			mustache_list_get(meetings, i), "dynamics");

		for (size_t j = 0; !rc && j < mustache_list_len(d); j++) {
			const char *line = mustache_string_get(
				mustache_list_get(d, j), NULL);

			if (!line || hmap_get(&seen, line))
				continue;
			rc = hmap_put(&seen, line, (void *)line, NULL);
			rc = rc ? rc : fn(line, ctx);
		}
	}
	hmap_release(&seen);
	mustache_value_free(m);
	return rc;
}

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
		rc = assessment_label(e, p->assessments[i].name, &label, err);
		*yes = !rc && label.len && !strncmp(line, label.buf, label.len) &&
		       line[label.len] == ':';
	}
	strbuf_release(&label);
	return rc;
}

/* The entry add_attendee() makes for p, met directly, in a fresh list. */
static int about_attendee(struct render_engine *e, struct mustache_value *m,
			  const struct render_about *a, struct dg_err *err)
{
	struct match_attendee att = {.email = a->person->email,
				     .name = a->person->name,
				     .person = a->person,
				     .via = "direct"};
	struct render_state st = {
		.seen = HMAP_INIT(0),
		.used = HMAP_INIT(0),
		.max_tips = RENDER_TIPS_MAX,
	};
	/* no meeting: the general tips, the ones for no particular room */
	struct tip_ctx tc = {.st = &st};
	struct mustache_value *list = mustache_list_new();
	int rc = list ? 0 : DG_ENOMEM;

	rc = rc ? rc : add_attendee(e, list, &att, &tc, err);
	if (!rc && mustache_list_len(list) == 1)
		rc = put(m, "attendee",
			 mustache_value_copy(mustache_list_get(list, 0)));
	mustache_value_free(list);
	state_release(&st);
	return rc;
}

static int about_model(struct render_engine *e, const struct render_about *a,
		       struct mustache_value **out, struct dg_err *err)
{
	struct mustache_value *m = mustache_map_new();
	struct mustache_value *groups = mustache_list_new();
	bool shown = a->person && !a->hidden && usable(a->person);
	int rc = m && groups ? 0 : DG_ENOMEM;

	rc = rc ? rc : put_str(m, "email", a->email);
	rc = rc ? rc : put_line(m, "name", a->person ? a->person->name : NULL);
	rc = rc ? rc : put(m, "hidden", mustache_bool(
					       a->person && !shown));
	rc = rc ? rc : put(m, "hidden_by_roster",
			   mustache_bool(a->hidden_by_roster));
	if (!rc && shown)
		rc = about_attendee(e, m, a, err);
	for (size_t i = 0; !rc && shown && i < a->ngroups; i++) {
		bool about = false;

		rc = line_is_about(e, a->person, a->groups[i], &about, err);
		if (!rc && about)
			rc = push(groups, mustache_string(a->groups[i]));
	}
	rc = rc ? rc : put(m, "group_count",
			   mustache_int(
				   (int)mustache_list_len(groups)));
	if (!rc) {
		rc = put(m, "groups", groups);
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

int render_about(struct render_engine *e, const struct render_about *a,
		 enum render_about_format format, struct strbuf *out,
		 struct dg_err *err)
{
	const struct mustache_template *t;
	struct mustache_value *m;
	int rc = about_model(e, a, &m, err);

	if (rc)
		return rc;
	if (format == RENDER_ABOUT_JSON)
		rc = add_json(m, out, err);
	else
		rc = require_template(e, "about.txt", &t, err);
	if (!rc && format != RENDER_ABOUT_JSON)
		rc = mustache_render(t, m, e->cur->partials,
				     MUSTACHE_ESCAPE_NONE, out, err);
	mustache_value_free(m);
	return rc;
}

int render_about_value(struct render_engine *e, const struct render_about *a,
		       struct mustache_value **out, struct dg_err *err)
{
	*out = NULL;
	return about_model(e, a, out, err);
}
/*
 * A day too big for a morning read (more than RENDER_TIPS_BUDGET tips) or
 * for a mail (Gmail clips HTML over 102 KB) loses tips, one per person at
 * a time, and says so (the model's "trimmed"); the markup itself is never
 * cut.
 */
int render_digest(struct render_engine *e, const struct render_input *in,
		  struct render_output *out, struct dg_err *err)
{
	int rc = 0;

	for (int tips = RENDER_TIPS_MAX; tips >= 0; tips--) {
		struct mustache_value *m;
		size_t shown;

		rc = build_model(e, in, tips, &m, &shown, err);
		if (rc)
			return rc;
		if (tips && shown > RENDER_TIPS_BUDGET) {
			mustache_value_free(m);
			continue;
		}
		render_output_release(out);
		*out = (struct render_output)RENDER_OUTPUT_INIT;
		rc = render_model(e, m, out, err);
		mustache_value_free(m);
		if (rc || out->html.len <= RENDER_HTML_MAX)
			break;
	}
	return rc;
}
