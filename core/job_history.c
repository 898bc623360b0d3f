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

int job_history_prune(struct store *st, const struct config *cfg,
		      int64_t now_ms, struct dg_err *err)
{
	char today[32], before[11];
	size_t deleted = 0;
	int rc;

	clock_format_utc(now_ms, today, sizeof(today));
	today[10] = '\0';
	if (history_date_add(today, -(int)cfg->history.days, before))
		return dg_errf(err, DG_EINVAL, "bad clock for the history");
	rc = history_prune(st, before, &deleted, err);
	if (!rc && deleted)
		logging_info("history: %zu rows older than %s deleted "
			     "([history] days = %ld)",
			     deleted, before, cfg->history.days);
	return rc;
}
