#include "plan_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct zone_slot {
	char *iana;
	struct tz *tz;
	uint64_t used;
};

struct label_slot {
	char *iana, *locale;
	struct tz_label *time, *date;
	uint64_t used;
};

struct plan_cache {
	struct zone_slot zones[PLAN_CACHE_ZONES];
	size_t nzones;
	struct label_slot labels[PLAN_CACHE_LABELS];
	size_t nlabels;
	struct tz_cache events;
	uint64_t clock;
	size_t hits, misses;
};

struct plan_cache *plan_cache_new(void)
{
	struct plan_cache *pc = calloc(1, sizeof(*pc));

	if (pc)
		pc->events = (struct tz_cache)TZ_CACHE_INIT;
	return pc;
}

static void zone_clear(struct zone_slot *s)
{
	tz_close(s->tz);
	free(s->iana);
	memset(s, 0, sizeof(*s));
}

static void label_clear(struct label_slot *s)
{
	tz_label_close(s->time);
	tz_label_close(s->date);
	free(s->iana);
	free(s->locale);
	memset(s, 0, sizeof(*s));
}

void plan_cache_free(struct plan_cache *pc)
{
	if (!pc)
		return;
	for (size_t i = 0; i < pc->nzones; i++)
		zone_clear(&pc->zones[i]);
	for (size_t i = 0; i < pc->nlabels; i++)
		label_clear(&pc->labels[i]);
	tz_cache_release(&pc->events);
	free(pc);
}

void plan_cache_stats(const struct plan_cache *pc,
		      struct plan_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!pc)
		return;
	out->zones = pc->nzones;
	out->labels = pc->nlabels;
	out->hits = pc->hits;
	out->misses = pc->misses;
}

struct tz_cache *plan_cache_events(struct plan_cache *pc)
{
	return &pc->events;
}

/* The least recently used zone; the cache is full. */
static size_t oldest_zone(const struct plan_cache *pc)
{
	size_t old = 0;

	for (size_t i = 1; i < pc->nzones; i++)
		if (pc->zones[i].used < pc->zones[old].used)
			old = i;
	return old;
}

static size_t oldest_labels(const struct plan_cache *pc)
{
	size_t old = 0;

	for (size_t i = 1; i < pc->nlabels; i++)
		if (pc->labels[i].used < pc->labels[old].used)
			old = i;
	return old;
}

int plan_cache_zone(struct plan_cache *pc, const char *iana, struct tz **z,
		    struct dg_err *err)
{
	struct zone_slot *s;
	struct tz *tz = NULL;
	char *name;
	size_t i;
	int rc;

	pc->clock++;
	/* a few zones a tenant: a scan beats hashing */
	for (i = 0; i < pc->nzones; i++) {
		s = &pc->zones[i];
		if (!strcmp(s->iana, iana)) {
			s->used = pc->clock;
			pc->hits++;
			*z = s->tz;
			return 0;
		}
	}
	pc->misses++;
	rc = tz_open(iana, &tz, err);
	if (rc)
		return rc;
	name = strdup(iana);
	if (!name) {
		tz_close(tz);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	if (pc->nzones < PLAN_CACHE_ZONES)
		i = pc->nzones++;
	else
		i = oldest_zone(pc);
	s = &pc->zones[i];
	zone_clear(s);
	*s = (struct zone_slot){ .iana = name, .tz = tz, .used = pc->clock };
	*z = tz;
	return 0;
}

/* Open both labels of a slot; on failure neither is kept. */
static int labels_open(const char *iana, const char *locale,
		       struct label_slot *s, struct dg_err *err)
{
	int rc = tz_label_open(iana, locale, TZ_LABEL_TIME, &s->time, err);

	if (!rc)
		rc = tz_label_open(iana, locale, TZ_LABEL_DATE, &s->date, err);
	if (!rc) {
		s->iana = strdup(iana);
		s->locale = strdup(locale);
		if (!s->iana || !s->locale)
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
	}
	if (rc)
		label_clear(s);
	return rc;
}

int plan_cache_labels(struct plan_cache *pc, const char *iana,
		      const char *locale, struct tz_label **time,
		      struct tz_label **date, struct dg_err *err)
{
	struct label_slot *s, fresh = { 0 };
	size_t i;
	int rc;

	pc->clock++;
	for (i = 0; i < pc->nlabels; i++) {
		s = &pc->labels[i];
		if (!strcmp(s->iana, iana) && !strcmp(s->locale, locale)) {
			s->used = pc->clock;
			pc->hits++;
			*time = s->time;
			*date = s->date;
			return 0;
		}
	}
	pc->misses++;
	rc = labels_open(iana, locale, &fresh, err);
	if (rc)
		return rc;
	if (pc->nlabels < PLAN_CACHE_LABELS)
		i = pc->nlabels++;
	else
		i = oldest_labels(pc);
	s = &pc->labels[i];
	label_clear(s);
	fresh.used = pc->clock;
	*s = fresh;
	*time = s->time;
	*date = s->date;
	return 0;
}
