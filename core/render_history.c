/*
 * render_history: the relationship context of a digest in its model.
 *
 * Each meeting gets "first_meeting" (the people met there for the first
 * time in the history's window, as one list in the reader's language)
 * and "often" (the reader's frequent contacts there, each with about how
 * many meetings a week); the digest gets "people_most", the weekly "people
 * you meet most" with one tip each. What to say is job's choice
 * (render_history in render.h): this file only words it.
 */
#include "render.h"
#include "render_int.h"

#include <stdlib.h>
#include <string.h>

static const char *name_of(const struct render_contact *c)
{
	return c->name && *c->name ? c->name : c->email;
}

/* first_meeting: {names, count(+plural), more(+plural)}, or null. */
static int add_first(struct render_engine *e, json_object *o,
		     const struct render_history_meeting *h)
{
	const char **names;
	struct strbuf joined = STRBUF_INIT;
	json_object *f;
	int rc;

	if (!h || !h->nfirst)
		return render_put(o, "first_meeting", NULL);
	names = calloc(h->nfirst, sizeof(*names));
	f = json_object_new_object();
	rc = names && f ? 0 : DG_ENOMEM;
	for (size_t i = 0; !rc && i < h->nfirst; i++)
		names[i] = name_of(&h->first[i]);
	rc = rc ? rc : render_join_names(e, &joined, names, h->nfirst);
	rc = rc ? rc : render_put_line(f, "names", joined.buf);
	rc = rc ? rc : render_put_count(e, f, "count", (long)h->nfirst);
	rc = rc ? rc : render_put_count(e, f, "more", (long)h->first_more);
	free(names);
	strbuf_release(&joined);
	if (rc) {
		json_object_put(f);
		return rc;
	}
	return render_put(o, "first_meeting", f);
}

/* often: [{name, email, times(+plural)}]. */
static int add_often(struct render_engine *e, json_object *o,
		     const struct render_history_meeting *h)
{
	json_object *often = json_object_new_array();
	int rc = often ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && h && i < h->noften; i++) {
		json_object *c = json_object_new_object();

		rc = render_put_line(c, "name", name_of(&h->often[i]));
		rc = rc ? rc : render_put_str(c, "email", h->often[i].email);
		rc = rc ? rc : render_put_count(e, c, "times",
						(long)h->often[i].per_week);
		if (rc)
			json_object_put(c);
		else
			rc = render_push(often, c);
	}
	if (rc) {
		json_object_put(often);
		return rc;
	}
	return render_put(o, "often", often);
}

int render_add_history_meeting(struct render_engine *e, json_object *o,
			       const struct render_input *in, size_t i)
{
	const struct render_history_meeting *h =
		in->history && in->history->meetings
			? &in->history->meetings[i]
			: NULL;
	int rc = add_first(e, o, h);

	return rc ? rc : add_often(e, o, h);
}

/* The first general tip of p (no meeting in view), or none. */
static int one_tip(struct render_engine *e, const struct roster_person *p,
		   json_object *entry, struct dg_err *err)
{
	struct match_attendee att = {.email = p->email, .name = p->name,
				     .person = p, .via = "direct"};
	struct render_state st = {
		.seen = json_object_new_object(),
		.used = json_object_new_object(),
		.max_tips = 1,
	};
	struct tip_ctx tc = {.st = &st};
	json_object *list = json_object_new_array(), *a, *tips;
	int rc = list && st.seen && st.used ? 0 : DG_ENOMEM;

	rc = rc ? rc : render_add_attendee(e, list, &att, &tc, err);
	a = rc ? NULL : json_object_array_get_idx(list, 0);
	if (a && json_object_object_get_ex(a, "tips", &tips) &&
	    json_object_array_length(tips))
		rc = render_put(entry, "tip", json_object_get(
					json_object_array_get_idx(tips, 0)));
	else if (!rc)
		rc = render_put(entry, "tip", NULL);
	json_object_put(list);
	render_state_release(&st);
	return rc;
}

int render_add_history_week(struct render_engine *e, json_object *m,
			    const struct render_input *in, bool skipped,
			    struct dg_err *err)
{
	const struct render_history *h = in->history;
	json_object *most, *people;
	int rc;

	if (skipped || !h || !h->nmost)
		return render_put(m, "people_most", NULL);
	most = json_object_new_object();
	people = json_object_new_array();
	rc = most && people ? 0 : DG_ENOMEM;
	for (size_t i = 0; !rc && i < h->nmost; i++) {
		const struct render_contact *c = &h->most[i];
		json_object *p = json_object_new_object();

		rc = render_put_line(p, "name", name_of(c));
		rc = rc ? rc : render_put_str(p, "email", c->email);
		rc = rc ? rc : render_put_count(e, p, "meetings",
						(long)c->meetings);
		rc = rc ? rc : (c->person ? one_tip(e, c->person, p, err)
					  : render_put(p, "tip", NULL));
		if (rc)
			json_object_put(p);
		else
			rc = render_push(people, p);
	}
	rc = rc ? rc : render_put_count(e, most, "weeks",
					(long)(h->most_days / 7));
	if (!rc) {
		rc = render_put(most, "people", people);
		people = NULL;
	}
	json_object_put(people);
	if (rc) {
		json_object_put(most);
		return rc;
	}
	return render_put(m, "people_most", most);
}

int render_add_history_about(struct render_engine *e, json_object *m,
			     const struct render_about *a, bool shown)
{
	(void)e;
	json_object *h;
	bool hidden = a->hidden || (a->person && !render_usable(a->person));
	int rc;

	if (!a->history_days)
		return render_put(m, "history", NULL);
	h = json_object_new_object();
	rc = h ? 0 : DG_ENOMEM;
	/* no reader's locale here: no plural categories either */
	rc = rc ? rc : render_put(h, "days",
				  json_object_new_int((int)a->history_days));
	rc = rc ? rc : render_put(h, "named", json_object_new_boolean(!hidden));
	rc = rc ? rc : render_put(h, "most", json_object_new_boolean(shown));
	if (rc) {
		json_object_put(h);
		return rc;
	}
	return render_put(m, "history", h);
}
