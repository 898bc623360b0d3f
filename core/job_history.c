/*
 * job_history: what a run (and `digest history backfill`) writes into
 * the history, and the relationship context a digest reads out of it.
 *
 * The run records the day it fetched for each reader, from the meetings
 * it already matched: no request of its own. Only people the tenant knows
 * count (roster people and tenant users, under the roster's email or the
 * user's mail, lowercase); a private meeting's people and the crowd of a
 * meeting over JOB_HISTORY_MAX_PEOPLE are not recorded: a private meeting
 * is nobody else's business, and an all-hands says nothing of whom one
 * works with.
 */
#include "job.h"
#include "job_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "directory.h"
#include "hmap.h"
#include "history.h"
#include "logging.h"
#include "match.h"
#include "plan.h"
#include "prefs.h"
#include "roster.h"

const char *job_history_key(const struct directory *dir,
			    const struct match_attendee *a)
{
	const struct cal_user *u;

	if (a->type == CAL_ATTENDEE_RESOURCE)
		return NULL;
	if (a->person)
		return a->person->email;
	u = a->email ? directory_user(dir, a->email) : NULL;
	return u ? u->mail : NULL;
}

/* The people of one day, each once, with their meetings. */
struct day_people {
	struct hmap index; /* key -> 1 + position in v */
	struct history_met *v;
	size_t n, alloc;
};

static int add_person(struct day_people *p, const char *key)
{
	void *at = hmap_get(&p->index, key);
	int rc;

	if (at) {
		p->v[(uintptr_t)at - 1].meetings++;
		return 0;
	}
	if (p->n == p->alloc) {
		size_t cap = p->alloc ? p->alloc * 2 : 32;
		void *v = realloc(p->v, cap * sizeof(*p->v));

		if (!v)
			return DG_ENOMEM;
		p->v = v;
		p->alloc = cap;
	}
	p->v[p->n].person = key;
	p->v[p->n].meetings = 1;
	rc = hmap_put(&p->index, key, (void *)(uintptr_t)(p->n + 1), NULL);
	if (!rc)
		p->n++;
	return rc;
}

static int collect(const struct directory *dir, const struct plan_day *day,
		   const struct match_list *attendees, struct day_people *p)
{
	for (size_t i = 0; day && attendees && i < day->n; i++) {
		const struct match_list *l = &attendees[i];

		if (day->meetings[i].is_private ||
		    l->n > JOB_HISTORY_MAX_PEOPLE)
			continue;
		for (size_t j = 0; j < l->n; j++) {
			const char *key = job_history_key(dir, &l->v[j]);
			int rc = key ? add_person(p, key) : 0;

			if (rc)
				return rc;
		}
	}
	return 0;
}

int job_history_record(struct store *st, const struct directory *dir,
		       const char *reader, const char *date,
		       const struct plan_day *day,
		       const struct match_list *attendees, int64_t now_ms,
		       struct dg_err *err)
{
	struct day_people p = {.v = NULL};
	int rc;

	hmap_init(&p.index, HMAP_NOCASE);
	rc = collect(dir, day, attendees, &p);
	if (rc)
		rc = dg_errf(err, rc, "out of memory");
	else
		rc = history_record_day(st, reader, date, p.v, p.n, now_ms,
					err);
	hmap_release(&p.index);
	free(p.v);
	return rc;
}

/* ---- a run's days, written a batch at a time ---- */

struct job_history_pending_day {
	char *reader;
	char date[11];
	struct history_met *met; /* persons owned */
	size_t n;
};

static void pending_day_release(struct job_history_pending_day *d)
{
	for (size_t i = 0; i < d->n; i++)
		free((char *)d->met[i].person);
	free(d->met);
	free(d->reader);
}

/* A copy of p's people, that outlives the day's match lists. */
static int pending_copy(struct job_history_pending_day *d,
			const struct day_people *p)
{
	d->met = calloc(p->n ? p->n : 1, sizeof(*d->met));
	if (!d->met)
		return DG_ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		char *copy = strdup(p->v[i].person);

		if (!copy)
			return DG_ENOMEM;
		d->met[d->n].person = copy;
		d->met[d->n++].meetings = p->v[i].meetings;
	}
	return 0;
}

int job_history_add(struct job_history_pending *pend,
		    const struct directory *dir, const char *reader,
		    const char *date, const struct plan_day *day,
		    const struct match_list *attendees, struct dg_err *err)
{
	struct job_history_pending_day *d;
	struct day_people p = {.v = NULL};
	int rc;

	if (pend->n == pend->alloc) {
		size_t cap = pend->alloc ? pend->alloc * 2 : 64;
		void *v = realloc(pend->days, cap * sizeof(*pend->days));

		if (!v)
			return dg_errf(err, DG_ENOMEM, "out of memory");
		pend->days = v;
		pend->alloc = cap;
	}
	d = &pend->days[pend->n];
	memset(d, 0, sizeof(*d));
	hmap_init(&p.index, HMAP_NOCASE);
	rc = collect(dir, day, attendees, &p);
	if (!rc)
		rc = pending_copy(d, &p);
	d->reader = rc ? NULL : strdup(reader);
	if (!rc && (!d->reader || strlen(date) != 10))
		rc = DG_ENOMEM;
	if (!rc)
		memcpy(d->date, date, 11);
	hmap_release(&p.index);
	free(p.v);
	if (rc) {
		pending_day_release(d);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	pend->n++;
	return 0;
}

int job_history_flush(struct store *st, struct job_history_pending *pend,
		      int64_t now_ms, struct dg_err *err)
{
	struct history_day *days;
	int rc = 0;

	if (!pend->n)
		return 0;
	days = calloc(pend->n, sizeof(*days));
	if (!days)
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < pend->n; i++)
		days[i] = (struct history_day){pend->days[i].reader,
					       pend->days[i].date,
					       pend->days[i].met,
					       pend->days[i].n};
	if (!rc)
		rc = history_record_days(st, days, pend->n, now_ms, err);
	free(days);
	for (size_t i = 0; i < pend->n; i++)
		pending_day_release(&pend->days[i]);
	pend->n = 0;
	return rc;
}

void job_history_pending_release(struct job_history_pending *pend)
{
	for (size_t i = 0; i < pend->n; i++)
		pending_day_release(&pend->days[i]);
	free(pend->days);
	memset(pend, 0, sizeof(*pend));
}

int job_history_prune(struct store *st, const struct config *cfg,
		      int64_t now_ms, struct dg_err *err)
{
	char today[32], before[11];
	size_t deleted = 0;
	int rc;

	char *done = NULL;

	clock_format_utc(now_ms, today, sizeof(today));
	today[10] = '\0';
	if (history_date_add(today, -(int)cfg->history.days, before))
		return dg_errf(err, DG_EINVAL, "bad clock for the history");
	/* the first run of a day prunes; the others find it done */
	if (!store_meta_get(st, "history_pruned_before", &done, err) &&
	    !strcmp(done, before)) {
		free(done);
		return 0;
	}
	free(done);
	rc = history_prune(st, before, &deleted, err);
	if (!rc)
		rc = store_meta_set(st, "history_pruned_before", before, err);
	if (!rc && deleted)
		logging_info("history: %zu rows older than %s deleted "
			     "([history] days = %ld)",
			     deleted, before, cfg->history.days);
	return rc;
}

/* ---- the relationship context of one digest ---- */

static int note_hidden(const char *address, const struct prefs *p, void *ctx)
{
	struct job_history_hidden *h = ctx;
	char *copy;
	void *grown;

	if (p->profile != PREFS_PROFILE_HIDDEN)
		return 0;
	grown = realloc(h->keys, (h->n + 1) * sizeof(*h->keys));
	if (!grown)
		return DG_ENOMEM;
	h->keys = grown;
	copy = strdup(address);
	if (!copy)
		return DG_ENOMEM;
	h->keys[h->n++] = copy;
	return hmap_put(&h->set, copy, copy, NULL) == DG_ENOMEM ? DG_ENOMEM
								 : 0;
}

int job_history_hidden_load(struct store *st, struct job_history_hidden *h,
			    struct dg_err *err)
{
	int rc;

	hmap_init(&h->set, HMAP_NOCASE);
	rc = prefs_each(st, note_hidden, h, err);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory");
	return rc;
}

void job_history_hidden_release(struct job_history_hidden *h)
{
	hmap_release(&h->set);
	for (size_t i = 0; i < h->n; i++)
		free(h->keys[i]);
	free(h->keys);
	h->keys = NULL;
	h->n = 0;
}

/*
 * Whether the person under key may be named: not hidden by the roster,
 * by opting out, or by their own choice.
 */
static bool may_name(const struct job_history_in *in, const char *key)
{
	const char *via;
	const struct roster_person *p = directory_person(in->dir, key, &via);

	if (p && (p->hidden || p->opt_out))
		return false;
	return !in->hidden || !hmap_get(&in->hidden->set, key);
}

/*
 * may_name() for attendee a under key (job_history_key()): a matched
 * person is the one key names (the roster allows an address to one
 * person only), so the directory is not asked again.
 */
static bool may_name_attendee(const struct job_history_in *in,
			      const char *key, const struct match_attendee *a)
{
	if (!a->person)
		return may_name(in, key);
	if (a->person->hidden || a->person->opt_out)
		return false;
	return !in->hidden || !hmap_get(&in->hidden->set, key);
}

/* The first of the reader's working days in a week starting Monday. */
static int first_working_day(unsigned days)
{
	if (!(days & 0x7f))
		days = 0x3e; /* none known: Monday to Friday */
	for (int d = 1; d <= 7; d++)
		if (days & (1u << (d % 7)))
			return d % 7;
	return 1;
}

/* About how many meetings a week, over the span known (rounded). */
static unsigned per_week(const struct history_contacts *hc,
			 const struct history_contact *c)
{
	unsigned span = hc->span_days < HISTORY_RECENT_DAYS
				? hc->span_days
				: HISTORY_RECENT_DAYS;

	return span ? (c->recent * 7 + span / 2) / span : 0;
}

/* Mark the reader's frequent contacts: the first few who may be named. */
static int pick_often(struct job_history *h, const struct job_history_in *in)
{
	size_t n = 0;

	hmap_init(&h->often, HMAP_NOCASE);
	if (h->contacts.span_days < HISTORY_MIN_SPAN_DAYS)
		return 0;
	for (size_t i = 0; i < h->contacts.n && n < JOB_HISTORY_OFTEN; i++) {
		struct history_contact *c = &h->contacts.v[i];

		if (!may_name(in, c->person) || per_week(&h->contacts, c) < 1)
			continue;
		if (hmap_put(&h->often, c->person, c, NULL) == DG_ENOMEM)
			return DG_ENOMEM;
		n++;
	}
	return 0;
}

static const char *display_name(const struct match_attendee *a)
{
	return a->person && a->person->name && *a->person->name
		       ? a->person->name
		       : a->name;
}

/* One attendee's line in meeting m, if any, once a day per person. */
static int attendee_line(struct job_history *h,
			 const struct job_history_in *in,
			 const struct match_attendee *a,
			 struct render_history_meeting *m,
			 struct render_contact *first,
			 struct render_contact *often)
{
	const char *key = job_history_key(in->dir, a);
	const struct history_contact *c;
	bool span_ok = h->contacts.span_days >= HISTORY_MIN_SPAN_DAYS;

	if (!key || hmap_get(&h->said, key) || !may_name_attendee(in, key, a))
		return 0;
	c = hmap_get(&h->often, key);
	if (c) {
		often[m->noften++] = (struct render_contact){
			.name = display_name(a), .email = key,
			.per_week = per_week(&h->contacts, c)};
	} else if (span_ok && !hmap_get(&h->known, key) &&
		   !history_find(&h->contacts, key)) {
		if (m->nfirst < JOB_HISTORY_FIRST_NAMED)
			first[m->nfirst++] = (struct render_contact){
				.name = display_name(a), .email = key};
		else
			m->first_more++;
	} else {
		return 0;
	}
	return hmap_put(&h->said, key, (void *)key, NULL) == DG_ENOMEM
		       ? DG_ENOMEM
		       : 0;
}

static int meeting_lines(struct job_history *h,
			 const struct job_history_in *in, size_t i)
{
	const struct match_list *l = &in->attendees[i];
	struct render_history_meeting *m = &h->meetings[i];
	struct render_contact *first, *often;
	int rc = 0;

	if (in->day->meetings[i].is_private || !l->n ||
	    l->n > JOB_HISTORY_MAX_PEOPLE)
		return 0;
	first = calloc(l->n, sizeof(*first));
	often = calloc(l->n, sizeof(*often));
	m->first = first;
	m->often = often;
	if (!first || !often)
		return DG_ENOMEM;
	for (size_t j = 0; !rc && j < l->n; j++)
		rc = attendee_line(h, in, &l->v[j], m, first, often);
	return rc;
}

/* Whether attendee a of meeting i may get a first-meeting line. */
static const char *candidate(struct job_history *h,
			     const struct job_history_in *in,
			     const struct match_attendee *a)
{
	const char *key = job_history_key(in->dir, a);

	if (!key || hmap_get(&h->known, key) || hmap_get(&h->often, key) ||
	    history_find(&h->contacts, key) || !may_name_attendee(in, key, a))
		return NULL;
	return key;
}

/*
 * Who of the day's people the reader met in the window, among those the
 * top contacts do not tell: one index probe each, into h->known.
 */
static int probe_known(struct history_reads *r, struct job_history *h,
		       const struct job_history_in *in, struct dg_err *err)
{
	const char **keys = NULL;
	bool *known = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t i = 0; !rc && in->day && i < in->day->n; i++) {
		const struct match_list *l = &in->attendees[i];

		if (in->day->meetings[i].is_private ||
		    l->n > JOB_HISTORY_MAX_PEOPLE)
			continue;
		for (size_t j = 0; !rc && j < l->n; j++) {
			const char *key = candidate(h, in, &l->v[j]);

			if (!key)
				continue;
			if (n == cap) {
				void *v;

				cap = cap ? cap * 2 : 32;
				v = realloc(keys, cap * sizeof(*keys));
				if (!v) {
					rc = DG_ENOMEM;
					break;
				}
				keys = v;
			}
			keys[n++] = key;
			/* asked once: a NULL-free mark until the answer */
			rc = hmap_put(&h->known, key, (void *)key, NULL) ==
					     DG_ENOMEM
				     ? DG_ENOMEM
				     : 0;
		}
	}
	known = rc || !n ? NULL : calloc(n, sizeof(*known));
	if (!rc && n && !known)
		rc = DG_ENOMEM;
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory");
	if (!rc && n)
		rc = history_reads_known(r, in->user->mail, in->target->date,
					 (unsigned)in->days, keys, n, known,
					 err);
	for (size_t i = 0; i < n; i++)
		if (rc || !known[i])
			hmap_remove(&h->known, keys[i]);
	free(keys);
	free(known);
	return rc;
}

/* The weekly section: the top three who may be named and have a profile. */
static void pick_most(struct job_history *h, const struct job_history_in *in)
{
	int first = first_working_day(in->working_days);

	if (in->target->weekday != first ||
	    h->contacts.span_days < HISTORY_MIN_SPAN_DAYS)
		return;
	for (size_t i = 0; i < h->contacts.n && h->out.nmost < 3; i++) {
		const struct history_contact *c = &h->contacts.v[i];
		const char *via;
		const struct roster_person *p =
			directory_person(in->dir, c->person, &via);

		if (!c->recent || !p || !p->nassessments ||
		    !may_name(in, c->person))
			continue;
		h->most[h->out.nmost++] = (struct render_contact){
			.name = p->name, .email = c->person,
			.meetings = c->recent, .person = p};
	}
	h->out.most = h->out.nmost ? h->most : NULL;
	h->out.most_days = HISTORY_RECENT_DAYS;
}

int job_history_context(struct history_reads *r,
			const struct job_history_in *in,
			struct job_history *h, struct dg_err *err)
{
	int rc;

	memset(h, 0, sizeof(*h));
	hmap_init(&h->said, HMAP_NOCASE);
	hmap_init(&h->often, HMAP_NOCASE);
	hmap_init(&h->known, HMAP_NOCASE);
	if (in->days <= 0)
		return 0;
	rc = history_reads_contacts(r, in->user->mail, in->target->date,
				    (unsigned)in->days, JOB_HISTORY_TOP,
				    &h->contacts, err);
	if (!rc)
		rc = pick_often(h, in);
	if (!rc && in->day && h->contacts.span_days >= HISTORY_MIN_SPAN_DAYS)
		rc = probe_known(r, h, in, err);
	if (!rc && in->day && in->day->n) {
		h->meetings = calloc(in->day->n, sizeof(*h->meetings));
		rc = h->meetings ? 0 : DG_ENOMEM;
	}
	for (size_t i = 0; !rc && in->day && i < in->day->n; i++)
		rc = meeting_lines(h, in, i);
	if (!rc)
		pick_most(h, in);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory");
	h->out.meetings = h->meetings;
	h->ready = !rc;
	return rc;
}

void job_history_release(struct job_history *h, size_t nmeetings)
{
	for (size_t i = 0; h->meetings && i < nmeetings; i++) {
		free((void *)h->meetings[i].first);
		free((void *)h->meetings[i].often);
	}
	free(h->meetings);
	hmap_release(&h->said);
	hmap_release(&h->often);
	hmap_release(&h->known);
	history_contacts_release(&h->contacts);
	memset(h, 0, sizeof(*h));
}
