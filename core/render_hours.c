/*
 * render_hours: the lines of a digest about time rather than people:
 * when a meeting falls outside an attendee's working hours in their own
 * zone (the notes job made with core/hours), and where the reader's own
 * day clashes (core/conflicts). A part of render, behind render_int.h.
 *
 * A private meeting names nothing here either: its overlap says
 * "private", its attendees have no hours line (hours gives none).
 */
#include "render.h"
#include "render_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflicts.h"
#include "i18n_fmt.h"
#include "tz.h"

static struct mustache_value *note_object(const struct hours_note *n,
				const struct match_list *l)
{
	struct mustache_value *o = mustache_map_new();
	const char *email = l && n->attendee < l->n ? l->v[n->attendee].email
						      : NULL;
	int rc = render_put_line(o, "name", n->name);

	rc = rc ? rc : render_put_str(o, "email", email);
	rc = rc ? rc : render_put_line(o, "city", n->city);
	rc = rc ? rc : render_put_str(o, "zone", n->zone);
	rc = rc ? rc : render_put_str(o, "local_time", n->local_time);
	rc = rc ? rc : render_put_str(o, "local_end", n->local_end);
	rc = rc ? rc : render_put_str(o, "local_day", n->local_day);
	rc = rc ? rc : render_put(o, "day_off",
				  mustache_bool(n->day_off));
	if (rc) {
		mustache_value_free(o);
		return NULL;
	}
	return o;
}

/*
 * after_hours[], after_hours_more, outside_hours of one meeting, and
 * hours_tip on the first meeting that has lines (*tip_given then true):
 * the tip once a digest, not under every late meeting.
 */
static int add_hours(struct render_engine *e, struct mustache_value *meeting,
		     const struct hours_notes *notes,
		     const struct match_list *l, bool *tip_given)
{
	bool any = notes && notes->n;
	struct mustache_value *list = mustache_list_new();
	int rc = list ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && notes && i < notes->n; i++)
		rc = render_push(list, note_object(&notes->v[i], l));
	if (rc) {
		mustache_value_free(list);
		return rc;
	}
	rc = render_put(meeting, "outside_hours", mustache_bool(any));
	rc = rc ? rc : render_put(meeting, "hours_tip",
				  mustache_bool(any && !*tip_given));
	*tip_given = *tip_given || any;
	if (rc) {
		mustache_value_free(list);
		return rc;
	}
	rc = render_put(meeting, "after_hours", list); /* takes list */
	return rc ? rc
		  : render_put_count(e, meeting, "after_hours_more",
				     notes ? (long)notes->more : 0);
}

/* A meeting as a conflict line names it: time, subject unless private. */
static int put_meeting(struct render_engine *e, struct mustache_value *o,
		       const char *key, const struct plan_meeting *m,
		       struct dg_err *err)
{
	struct mustache_value *ref = mustache_map_new();
	struct strbuf s = STRBUF_INIT;
	int rc = ref ? 0 : DG_ENOMEM;

	rc = rc ? rc : i18n_time_range(e->fmt, m->start_ms, m->end_ms, &s,
				       err);
	rc = rc ? rc : render_put_str(ref, "time_range", s.buf);
	rc = rc ? rc : render_put(ref, "private",
				  mustache_bool(m->is_private));
	if (!rc && !m->is_private)
		rc = render_put_line(ref, "subject", m->event->subject);
	strbuf_release(&s);
	if (rc) {
		mustache_value_free(ref);
		return rc;
	}
	return render_put(o, key, ref);
}

static int add_overlaps(struct render_engine *e, struct mustache_value *model,
			const struct plan_day *day, const struct conflicts *c,
			struct dg_err *err)
{
	struct mustache_value *list = mustache_list_new();
	int rc = list ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < c->noverlaps; i++) {
		const struct conflicts_overlap *x = &c->overlaps[i];
		struct mustache_value *o = mustache_map_new();

		rc = o ? 0 : DG_ENOMEM;
		rc = rc ? rc : put_meeting(e, o, "first",
					   &day->meetings[x->first], err);
		rc = rc ? rc : put_meeting(e, o, "second",
					   &day->meetings[x->second], err);
		if (rc)
			mustache_value_free(o);
		else
			rc = render_push(list, o);
	}
	if (rc) {
		mustache_value_free(list);
		return rc;
	}
	rc = render_put(model, "overlaps", list);
	return rc ? rc
		  : render_put_count(e, model, "overlaps_more",
				     (long)c->overlaps_more);
}

static int add_runs(struct render_engine *e, struct mustache_value *model,
		    const struct conflicts *c, struct dg_err *err)
{
	struct mustache_value *list = mustache_list_new();
	struct strbuf s = STRBUF_INIT;
	int rc = list ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < c->nruns; i++) {
		const struct conflicts_run *r = &c->runs[i];
		long minutes = (long)((r->end_ms - r->start_ms) / 60000);
		struct mustache_value *o = mustache_map_new();

		strbuf_reset(&s);
		rc = o ? 0 : DG_ENOMEM;
		rc = rc ? rc : i18n_time_range(e->fmt, r->start_ms, r->end_ms,
					       &s, err);
		rc = rc ? rc : render_put_str(o, "time_range", s.buf);
		rc = rc ? rc : render_put_count(e, o, "count", (long)r->count);
		rc = rc ? rc : render_put_count(e, o, "hours", minutes / 60);
		rc = rc ? rc : render_put_count(e, o, "minutes", minutes % 60);
		if (rc)
			mustache_value_free(o);
		else
			rc = render_push(list, o);
	}
	strbuf_release(&s);
	if (rc) {
		mustache_value_free(list);
		return rc;
	}
	rc = render_put(model, "long_runs", list);
	return rc ? rc
		  : render_put_count(e, model, "long_runs_more",
				     (long)c->runs_more);
}

/* The day's overlaps and long runs among the meetings that count. */
static int add_conflicts(struct render_engine *e, struct mustache_value *model,
			 const struct render_input *in, struct dg_err *err)
{
	const struct plan_day *day = in ? in->day : NULL;
	struct conflicts_slot *slots = NULL;
	struct conflicts c = CONFLICTS_INIT;
	size_t n = day ? day->n : 0;
	int rc = 0;

	if (n) {
		slots = calloc(n, sizeof(*slots));
		if (!slots)
			return DG_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct plan_meeting *m = &day->meetings[i];
		const struct match_list *l =
			in->attendees ? &in->attendees[i] : NULL;

		slots[i].start_ms = m->start_ms;
		slots[i].end_ms = m->end_ms;
		slots[i].counts = conflicts_counts(
			m->event, m->all_day, render_is_hold(m, l, in->user));
	}
	rc = conflicts_find(slots, n, &c);
	free(slots);
	rc = rc ? rc : add_overlaps(e, model, day, &c, err);
	rc = rc ? rc : add_runs(e, model, &c, err);
	rc = rc ? rc : render_put(model, "conflicts",
				  mustache_bool(c.noverlaps ||
							  c.nruns));
	conflicts_release(&c);
	return rc;
}

int render_add_relations(struct render_engine *e, struct mustache_value *model,
			 struct mustache_value *meetings, const struct render_input *in,
			 struct dg_err *err)
{
	size_t n = mustache_list_len(meetings);
	bool tip_given = false;
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++)
		rc = add_hours(e, mustache_list_item(meetings, i),
			       in && in->hours ? &in->hours[i] : NULL,
			       in && in->attendees ? &in->attendees[i] : NULL,
			       &tip_given);
	return rc ? rc : add_conflicts(e, model, in, err);
}

/* ---- digest about ---- */

static void hhmm(int min, char buf[8])
{
	snprintf(buf, 8, "%02d:%02d", (min / 60) % 24, min % 60);
}

/* The city of zone name (Windows or IANA) in English; NULL: none. */
static int city_of(const char *name, char **city, struct dg_err *err)
{
	struct tz_label *l = NULL;
	char *iana = NULL;
	int rc;

	*city = NULL;
	if (!name || tz_resolve(name, &iana))
		return 0;
	rc = tz_label_open(iana, "en-US", TZ_LABEL_CITY, &l, err);
	rc = rc ? rc : tz_label(l, 0, city, err);
	tz_label_close(l);
	free(iana);
	if (!rc && !**city) {
		free(*city);
		*city = NULL;
	}
	return rc;
}

/* The lines of partials/hours.txt for a meeting an hour after hours. */
static int example_lines(struct render_engine *e, const struct render_about *a,
			 const char *city, struct mustache_value *lines,
			 struct dg_err *err)
{
	const struct workhours *w = a->hours;
	struct mustache_value *meeting = mustache_map_new();
	struct mustache_value *list = mustache_list_new();
	struct mustache_value *note = mustache_map_new();
	char *first = render_first_name(a->person && *a->person->name
						? a->person->name
						: a->email);
	struct strbuf out = STRBUF_INIT;
	char at[8];
	int rc = meeting && list && note && first ? 0 : DG_ENOMEM;

	hhmm(w->end_min + 60, at);
	rc = rc ? rc : render_put_str(note, "name", first);
	rc = rc ? rc : render_put_str(note, "city", city);
	rc = rc ? rc : render_put_str(note, "local_time", at);
	rc = rc ? rc : render_put(note, "day_off", mustache_bool(0));
	if (!rc) {
		rc = render_push(list, note);
		note = NULL;
	}
	if (!rc) {
		rc = render_put(meeting, "after_hours", list);
		list = NULL;
	}
	rc = rc ? rc : render_put(meeting, "outside_hours",
				  mustache_bool(1));
	rc = rc ? rc : render_put(meeting, "hours_tip",
				  mustache_bool(1));
	rc = rc ? rc : render_file(e, "partials/hours.txt", meeting, &out, err);
	for (char *p = out.buf, *nl; !rc && p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p)
			rc = render_push(lines, mustache_string(p));
		if (!nl)
			break;
	}
	mustache_value_free(note);
	mustache_value_free(list);
	mustache_value_free(meeting);
	strbuf_release(&out);
	free(first);
	return rc == DG_ENOTFOUND ? 0 : rc;
}

int render_about_hours(struct render_engine *e, struct mustache_value *model,
		       const struct render_about *a, struct dg_err *err)
{
	const struct workhours *w = a->hours;
	bool hidden = a->hidden ||
		      (a->person && (a->person->hidden || a->person->opt_out));
	struct mustache_value *h, *lines;
	char *city = NULL;
	char start[8], end[8];
	int rc = render_put(model, "hours_hidden",
			    mustache_bool(hidden));

	if (rc || hidden || !w || w->start_min < 0 || w->end_min < 0 ||
	    w->start_min == w->end_min)
		return rc;
	h = mustache_map_new();
	lines = mustache_list_new();
	rc = h && lines ? 0 : DG_ENOMEM;
	rc = rc ? rc : city_of(w->time_zone ? w->time_zone : w->work_zone,
			       &city, err);
	hhmm(w->start_min, start);
	hhmm(w->end_min, end);
	rc = rc ? rc : render_put_str(h, "zone", w->time_zone);
	rc = rc ? rc : render_put_str(h, "city", city);
	rc = rc ? rc : render_put_str(h, "start", start);
	rc = rc ? rc : render_put_str(h, "end", end);
	rc = rc ? rc : example_lines(e, a, city, lines, err);
	if (!rc) {
		rc = render_put(h, "lines", lines);
		lines = NULL;
	}
	free(city);
	mustache_value_free(lines);
	if (rc) {
		mustache_value_free(h);
		return rc;
	}
	return render_put(model, "hours", h);
}
