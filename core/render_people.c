/*
 * render_people: the people of a meeting in the digest model: each
 * attendee with their results and tips, the group lines of the room, and
 * the model of what colleagues are told about one person.
 */
#include "render.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "logging.h"
#include "render_int.h"

/* Split rendered tip text into one string per non-empty line. */
static int push_lines(json_object *arr, const char *text)
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
		if (t > s && render_push(arr, json_object_new_string_len(
					       s, (int)(t - s))))
			return DG_ENOMEM;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* The display label of an assessment: tips/<a>/_label, else its name. */
int render_assessment_label(struct render_engine *e, const char *assessment,
			    struct strbuf *out, struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT;
	int rc = strbuf_addf(&name, "tips/%s/_label", assessment);

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

static json_object *person_data(const struct roster_person *p,
				const char *assessment, const char *result)
{
	json_object *o = json_object_new_object();
	char *first = render_first_name(p->name);

	if (render_put_line(o, "name", p->name) || render_put_line(o, "first_name", first) ||
	    render_put_line(o, "title", p->title) ||
	    render_put_str(o, "assessment", assessment) ||
	    render_put_str(o, "result", result)) {
		json_object_put(o);
		o = NULL;
	}
	free(first);
	return o;
}

/* The tip lines of one result, for this person in this meeting. */
static int result_tips(struct render_engine *e, const struct roster_person *p,
		       const struct roster_assessment *a,
		       const struct tip_ctx *tc, json_object *lines,
		       struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT, text = STRBUF_INIT;
	json_object *data = person_data(p, a->name, a->value);
	int rc = data ? 0 : DG_ENOMEM;

	if (!rc && tc->m)
		rc = render_meeting_facts(data, tc->m, tc->l, p->email,
					  tc->st->user);
	if (!rc)
		rc = strbuf_addf(&name, "tips/%s/%s", a->name, a->value);
	if (!rc)
		rc = render_file(e, name.buf, data, &text, err);
	if (rc == DG_ENOTFOUND) {
		logging_debug("no tips for %s %s (%s.mustache)", a->name,
			      a->value, name.buf);
		rc = 0;
	} else if (!rc) {
		rc = push_lines(lines, text.buf);
	}
	json_object_put(data);
	strbuf_release(&name);
	strbuf_release(&text);
	return rc;
}

static int add_result(struct render_engine *e, json_object *results,
		      const struct roster_assessment *a, struct dg_err *err)
{
	struct strbuf label = STRBUF_INIT;
	json_object *r = json_object_new_object();
	int rc = render_assessment_label(e, a->name, &label, err);

	if (!rc)
		rc = render_put_str(r, "assessment", a->name);
	if (!rc)
		rc = render_put_str(r, "assessment_label", label.buf);
	if (!rc)
		rc = render_put_str(r, "result", a->value);
	strbuf_release(&label);
	if (rc) {
		json_object_put(r);
		return rc;
	}
	return render_push(results, r);
}

/*
 * tips[] of one person in this meeting: at most three, picked from every
 * assessment's lines (render_pick_tips). A person already shown today
 * gets the same tips again with tips_above, for the templates to refer
 * to; in a crowded meeting nobody gets tips.
 */
static int add_tips(struct render_engine *e, json_object *att,
		    const struct roster_person *p, const struct tip_ctx *tc,
		    struct dg_err *err)
{
	json_object *candidates, *tips, *shown = NULL;
	int rc = 0;

	if (tc->crowd)
		return render_put(att, "tips", json_object_new_array());
	if (json_object_object_get_ex(tc->st->seen, p->email, &shown)) {
		rc = render_put(att, "tips_above", json_object_new_boolean(1));
		return rc ? rc : render_put(att, "tips", json_object_get(shown));
	}
	candidates = json_object_new_array();
	tips = json_object_new_array();
	rc = candidates && tips ? 0 : DG_ENOMEM;
	for (size_t i = 0; !rc && i < p->nassessments; i++) {
		json_object *lines = json_object_new_array();

		rc = lines ? result_tips(e, p, &p->assessments[i], tc, lines,
					 err)
			   : DG_ENOMEM;
		if (!rc)
			rc = render_push(candidates, lines);
		else
			json_object_put(lines);
	}
	if (!rc)
		rc = render_pick_tips(tc->st, candidates, tips);
	json_object_put(candidates);
	if (!rc)
		rc = render_put(tc->st->seen, p->email, json_object_get(tips));
	if (rc) {
		json_object_put(tips);
		return rc;
	}
	return render_put(att, "tips", tips);
}

/* results[] and tips[] of one person. */
static int add_profile(struct render_engine *e, json_object *att,
		       const struct roster_person *p, const struct tip_ctx *tc,
		       struct dg_err *err)
{
	json_object *results = json_object_new_array();
	int rc = results ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < p->nassessments; i++)
		rc = add_result(e, results, &p->assessments[i], err);
	if (rc) {
		json_object_put(results);
		return rc;
	}
	rc = render_put(att, "results", results);
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

int render_add_attendee(struct render_engine *e, json_object *list,
			const struct match_attendee *a,
			const struct tip_ctx *tc, struct dg_err *err)
{
	const struct roster_person *p = render_usable(a->person);
	json_object *o = json_object_new_object();
	int rc;

	rc = render_put_str(o, "email", a->email);
	if (!rc)
		rc = render_put_line(o, "name", a->name);
	if (!rc)
		rc = render_put(o, "matched", json_object_new_boolean(p != NULL));
	if (!rc)
		rc = render_put_str(o, "via", p ? a->via : NULL);
	if (!rc && p && a->group)
		rc = render_put_str(o, "group", a->group);
	if (!rc)
		rc = render_put_line(o, "title", p ? p->title : NULL);
	if (!rc)
		rc = render_put(o, "external", json_object_new_boolean(a->external));
	if (!rc && p)
		rc = add_profile(e, o, p, tc, err);
	if (!rc && !p) {
		rc = render_put(o, "results", json_object_new_array());
		if (!rc)
			rc = render_put(o, "tips", json_object_new_array());
	}
	if (rc) {
		json_object_put(o);
		return rc;
	}
	return render_push(list, o);
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

static json_object *group_data(struct render_engine *e, const char *assessment,
			       const char *label,
			       const struct room_entry *room, size_t n)
{
	json_object *o = json_object_new_object();
	json_object *results = json_object_new_array();
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
	rc = rc ? rc : render_join_names(e, &joined, names, n);
	rc = rc ? rc : render_put_str(o, "people", joined.buf);
	rc = rc ? rc : render_put_str(o, "assessment", assessment);
	rc = rc ? rc : render_put_str(o, "label", label);
	rc = rc ? rc : render_put_count(e, o, "count", (long)n);
	rc = rc ? rc : render_put(o, "mixed", json_object_new_boolean(distinct > 1));
	for (size_t j = 0; !rc && j < distinct; j++) {
		const char *result = room[counts[j][0]].result;
		json_object *r = json_object_new_object();
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (!strcmp(room[i].result, result))
				names[k++] = room[i].name;
		strbuf_reset(&joined);
		rc = render_join_names(e, &joined, names, k);
		rc = rc ? rc : render_put_str(r, "result", result);
		rc = rc ? rc : render_put_count(e, r, "count", counts[j][1]);
		rc = rc ? rc : render_put_str(r, "names", joined.buf);
		rc = rc ? rc : render_push(results, r);
		if (rc)
			break;
		strbuf_reset(&key);
		rc = strbuf_addf(&key, "has_%s", result);
		rc = rc ? rc : render_put(o, key.buf, json_object_new_boolean(1));
		if (!rc && distinct == 1) {
			strbuf_reset(&key);
			rc = strbuf_addf(&key, "all_%s", result);
			rc = rc ? rc : render_put(o, key.buf,
					   json_object_new_boolean(1));
		}
		if (!rc && j == 0 &&
		    (distinct == 1 || counts[0][1] > counts[1][1])) {
			rc = render_put_str(o, "dominant", result);
			strbuf_reset(&key);
			rc = rc ? rc : strbuf_addf(&key, "dominant_%s", result);
			rc = rc ? rc : render_put(o, key.buf,
					   json_object_new_boolean(1));
		}
	}
	if (!rc)
		rc = render_put(o, "results", results);
	else
		json_object_put(results);
	strbuf_release(&key);
	strbuf_release(&joined);
	free(names);
	free(counts);
	if (rc) {
		json_object_put(o);
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
			room[n].first = render_first_name(p->name ? p->name
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

static int dynamics_for(struct render_engine *e, json_object *lines,
			const struct roster_person **people, size_t npeople,
			const char *assessment, struct dg_err *err)
{
	struct room_entry *room = calloc(npeople, sizeof(*room));
	struct strbuf label = STRBUF_INIT, name = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT;
	json_object *data = NULL;
	size_t n;
	int rc = room ? 0 : DG_ENOMEM;

	n = rc ? 0 : room_for(people, npeople, assessment, room);
	if (n >= 2) {
		rc = render_assessment_label(e, assessment, &label, err);
		if (!rc)
			data = group_data(e, assessment, label.buf, room, n);
		rc = rc ? rc : data ? 0 : DG_ENOMEM;
		rc = rc ? rc : strbuf_addf(&name, "tips/%s/_group", assessment);
		rc = rc ? rc : render_file(e, name.buf, data, &text, err);
		if (rc == DG_ENOTFOUND)
			rc = 0;
		strbuf_trim(&text);
		if (!rc && text.len)
			rc = render_push(lines, json_object_new_string(text.buf));
	}
	for (size_t i = 0; i < n; i++)
		free(room[i].first);
	free(room);
	json_object_put(data);
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
int render_add_dynamics(struct render_engine *e, json_object *meeting,
			const struct match_list *l, struct dg_err *err)
{
	const struct roster_person **people;
	json_object *lines = json_object_new_array();
	size_t n = 0;
	int rc = 0;

	people = calloc(l->n + 1, sizeof(*people));
	if (!people || !lines) {
		free(people);
		json_object_put(lines);
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
		json_object_put(lines);
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
static int about_attendee(struct render_engine *e, json_object *m,
			  const struct render_about *a, struct dg_err *err)
{
	struct match_attendee att = {.email = a->person->email,
				     .name = a->person->name,
				     .person = a->person,
				     .via = "direct"};
	struct render_state st = {
		.seen = json_object_new_object(),
		.used = json_object_new_object(),
		.max_tips = RENDER_TIPS_MAX,
	};
	/* no meeting: the general tips, the ones for no particular room */
	struct tip_ctx tc = {.st = &st};
	json_object *list = json_object_new_array();
	int rc = list && st.seen && st.used ? 0 : DG_ENOMEM;

	rc = rc ? rc : render_add_attendee(e, list, &att, &tc, err);
	if (!rc && json_object_array_length(list) == 1)
		rc = render_put(m, "attendee",
			 json_object_get(json_object_array_get_idx(list, 0)));
	json_object_put(list);
	render_state_release(&st);
	return rc;
}

int render_about_model(struct render_engine *e, const struct render_about *a,
		       json_object **out, struct dg_err *err)
{
	json_object *m = json_object_new_object();
	json_object *groups = json_object_new_array();
	bool shown = a->person && !a->hidden && render_usable(a->person);
	int rc = m && groups ? 0 : DG_ENOMEM;

	rc = rc ? rc : render_put_str(m, "email", a->email);
	rc = rc ? rc : render_put_line(m, "name", a->person ? a->person->name : NULL);
	rc = rc ? rc : render_put(m, "hidden", json_object_new_boolean(
					       a->person && !shown));
	rc = rc ? rc : render_put(m, "hidden_by_roster",
			   json_object_new_boolean(a->hidden_by_roster));
	rc = rc ? rc : render_about_hours(e, m, a, err);
	if (!rc && shown)
		rc = about_attendee(e, m, a, err);
	for (size_t i = 0; !rc && shown && i < a->ngroups; i++) {
		bool about = false;

		rc = line_is_about(e, a->person, a->groups[i], &about, err);
		if (!rc && about)
			rc = render_push(groups, json_object_new_string(a->groups[i]));
	}
	rc = rc ? rc : render_add_history_about(e, m, a, shown);
	rc = rc ? rc : render_put(m, "group_count",
			   json_object_new_int(
				   (int)json_object_array_length(groups)));
	if (!rc) {
		rc = render_put(m, "groups", groups);
		groups = NULL;
	}
	json_object_put(groups);
	if (rc) {
		json_object_put(m);
		return rc == DG_ENOMEM ? dg_errf(err, rc, "out of memory")
				       : rc;
	}
	*out = m;
	return 0;
}
