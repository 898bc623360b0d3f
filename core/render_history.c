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
static int add_first(struct render_engine *e, struct mustache_value *o,
		     const struct render_history_meeting *h)
{
	const char **names;
	struct strbuf joined = STRBUF_INIT;
	struct mustache_value *f;
	int rc;

	if (!h || !h->nfirst)
		return render_put_null(o, "first_meeting");
	names = calloc(h->nfirst, sizeof(*names));
	f = mustache_map_new();
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
		mustache_value_free(f);
		return rc;
	}
	return render_put(o, "first_meeting", f);
}

/* often: [{name, email, times(+plural)}]. */
static int add_often(struct render_engine *e, struct mustache_value *o,
		     const struct render_history_meeting *h)
{
	struct mustache_value *often = mustache_list_new();
	int rc = often ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && h && i < h->noften; i++) {
		struct mustache_value *c = mustache_map_new();

		rc = render_put_line(c, "name", name_of(&h->often[i]));
		rc = rc ? rc : render_put_str(c, "email", h->often[i].email);
		rc = rc ? rc : render_put_count(e, c, "times",
						(long)h->often[i].per_week);
		if (rc)
			mustache_value_free(c);
		else
			rc = render_push(often, c);
	}
	if (rc) {
		mustache_value_free(often);
		return rc;
	}
	return render_put(o, "often", often);
}

int render_add_history_meeting(struct render_engine *e, struct mustache_value *o,
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
		   struct mustache_value *entry, struct dg_err *err)
{
	struct match_attendee att = {.email = p->email, .name = p->name,
				     .person = p, .via = "direct"};
	struct render_state st = {
		.seen = HMAP_INIT(0),
		.max_tips = 1,
	};
	struct tip_ctx tc = {.st = &st};
	struct mustache_value *list = mustache_list_new();
	const struct mustache_value *a, *tips;
	int rc = list ? 0 : DG_ENOMEM;

	rc = rc ? rc : render_add_attendee(e, list, &att, &tc, err);
	a = rc ? NULL : mustache_list_get(list, 0);
	tips = mustache_map_get(a, "tips");
	if (a && mustache_list_len(tips))
		rc = render_put(entry, "tip", mustache_value_copy(
					mustache_list_get(tips, 0)));
	else if (!rc)
		rc = render_put_null(entry, "tip");
	mustache_value_free(list);
	render_state_release(&st);
	return rc;
}

int render_add_history_week(struct render_engine *e, struct mustache_value *m,
			    const struct render_input *in, bool skipped,
			    struct dg_err *err)
{
	const struct render_history *h = in->history;
	struct mustache_value *most, *people;
	int rc;

	if (skipped || !h || !h->nmost)
		return render_put_null(m, "people_most");
	most = mustache_map_new();
	people = mustache_list_new();
	rc = most && people ? 0 : DG_ENOMEM;
	for (size_t i = 0; !rc && i < h->nmost; i++) {
		const struct render_contact *c = &h->most[i];
		struct mustache_value *p = mustache_map_new();

		rc = render_put_line(p, "name", name_of(c));
		rc = rc ? rc : render_put_str(p, "email", c->email);
		rc = rc ? rc : render_put_count(e, p, "meetings",
						(long)c->meetings);
		rc = rc ? rc : (c->person ? one_tip(e, c->person, p, err)
					  : render_put_null(p, "tip"));
		if (rc)
			mustache_value_free(p);
		else
			rc = render_push(people, p);
	}
	rc = rc ? rc : render_put_count(e, most, "weeks",
					(long)(h->most_days / 7));
	if (!rc) {
		rc = render_put(most, "people", people);
		people = NULL;
	}
	mustache_value_free(people);
	if (rc) {
		mustache_value_free(most);
		return rc;
	}
	return render_put(m, "people_most", most);
}

int render_add_history_about(struct render_engine *e, struct mustache_value *m,
			     const struct render_about *a, bool shown)
{
	(void)e;
	struct mustache_value *h;
	bool hidden = a->hidden || (a->person && !render_usable(a->person));
	int rc;

	if (!a->history_days)
		return render_put_null(m, "history");
	h = mustache_map_new();
	rc = h ? 0 : DG_ENOMEM;
	/* no reader's locale here: no plural categories either */
	rc = rc ? rc : render_put(h, "days",
				  mustache_int((int)a->history_days));
	rc = rc ? rc : render_put(h, "named", mustache_bool(!hidden));
	rc = rc ? rc : render_put(h, "most", mustache_bool(shown));
	if (rc) {
		mustache_value_free(h);
		return rc;
	}
	return render_put(m, "history", h);
}
