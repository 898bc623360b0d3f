#include "conflicts.h"

#include <stdlib.h>
#include <string.h>

bool conflicts_counts(const struct cal_event *ev, bool all_day, bool hold)
{
	if (all_day || hold || !ev->response)
		return false;
	return !strcmp(ev->response, "accepted") ||
	       !strcmp(ev->response, "organizer");
}

/* A counted slot for sorting: by start, then end, then index. */
struct key {
	int64_t start, end;
	size_t i;
};

static int by_start(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int add_overlap(struct conflicts *c, size_t first, size_t second)
{
	if (c->noverlaps == CONFLICTS_MAX) {
		c->overlaps_more++;
		return 0;
	}
	if (!c->overlaps) {
		c->overlaps = calloc(CONFLICTS_MAX, sizeof(*c->overlaps));
		if (!c->overlaps)
			return DG_ENOMEM;
	}
	c->overlaps[c->noverlaps++] =
		(struct conflicts_overlap){ .first = first, .second = second };
	return 0;
}

static int add_run(struct conflicts *c, const struct conflicts_run *r)
{
	if (r->count < 2 || r->end_ms - r->start_ms <= CONFLICTS_RUN_MS)
		return 0;
	if (c->nruns == CONFLICTS_MAX) {
		c->runs_more++;
		return 0;
	}
	if (!c->runs) {
		c->runs = calloc(CONFLICTS_MAX, sizeof(*c->runs));
		if (!c->runs)
			return DG_ENOMEM;
	}
	c->runs[c->nruns++] = *r;
	return 0;
}

int conflicts_find(const struct conflicts_slot *s, size_t n,
		   struct conflicts *out)
{
	struct conflicts_run run = { 0 };
	struct key *order;
	size_t m = 0, latest = 0;
	bool any = false;
	int rc = 0;

	*out = (struct conflicts)CONFLICTS_INIT;
	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return DG_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (s[i].counts && s[i].end_ms >= s[i].start_ms)
			order[m++] = (struct key){ s[i].start_ms, s[i].end_ms,
						   i };
	qsort(order, m, sizeof(*order), by_start);
	for (size_t k = 0; !rc && k < m; k++) {
		const struct conflicts_slot *x = &s[order[k].i];

		if (any && x->start_ms < s[latest].end_ms)
			rc = add_overlap(out, latest, order[k].i);
		if (!rc && any &&
		    x->start_ms - run.end_ms < CONFLICTS_BREAK_MS) {
			run.count++;
			if (x->end_ms > run.end_ms) {
				run.end_ms = x->end_ms;
				run.last = order[k].i;
			}
		} else if (!rc) {
			if (any)
				rc = add_run(out, &run);
			run = (struct conflicts_run){ .first = order[k].i,
						      .last = order[k].i,
						      .start_ms = x->start_ms,
						      .end_ms = x->end_ms,
						      .count = 1 };
		}
		if (!any || x->end_ms > s[latest].end_ms)
			latest = order[k].i;
		any = true;
	}
	if (!rc && any)
		rc = add_run(out, &run);
	free(order);
	if (rc)
		conflicts_release(out);
	return rc;
}

void conflicts_release(struct conflicts *c)
{
	free(c->overlaps);
	free(c->runs);
	*c = (struct conflicts)CONFLICTS_INIT;
}
