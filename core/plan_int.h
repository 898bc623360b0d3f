/*
 * plan's private parts: the run's cache of zones and labels
 * (plan_cache.c), as plan.c asks it.
 *
 * Ownership: what the cache gives is borrowed from it. A zone stays valid
 * through PLAN_CACHE_ZONES - 1 further zone lookups (a lookup makes its
 * zone the most recently used, and only the least recently used one is
 * closed); labels likewise through PLAN_CACHE_LABELS - 1 label lookups;
 * the events' zone until the next tz_cache_get() on it.
 */
#ifndef DIGEST_PLAN_INT_H
#define DIGEST_PLAN_INT_H

#include "err.h"
#include "plan.h"
#include "tz.h"

/* The calendar of zone iana (a tz_resolve() id), opened on first use. */
int plan_cache_zone(struct plan_cache *pc, const char *iana, struct tz **z,
		    struct dg_err *err) __attribute__((warn_unused_result));

/* The time and date labels of zone iana in locale (TZ_LABEL_TIME, _DATE). */
int plan_cache_labels(struct plan_cache *pc, const char *iana,
		      const char *locale, struct tz_label **time,
		      struct tz_label **date, struct dg_err *err)
	__attribute__((warn_unused_result));

/* The zone Graph last wrote event times in, kept from user to user. */
struct tz_cache *plan_cache_events(struct plan_cache *pc);

#endif
