/*
 * plan's private parts: the run's cache of zones and labels
 * (plan_cache.c), as plan.c and plan_day.c ask it; and the readers of
 * Graph's date-times (plan.c) that plan_day.c shares.
 *
 * Ownership: what the cache gives is borrowed from it. A zone stays valid
 * through PLAN_CACHE_ZONES - 1 further zone lookups (a lookup makes its
 * zone the most recently used, and only the least recently used one is
 * closed); labels likewise through PLAN_CACHE_LABELS - 1 label lookups;
 * the events' zone until the next tz_cache_get() on it.
 */
#ifndef DIGEST_PLAN_INT_H
#define DIGEST_PLAN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
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

/*
 * Graph's date-times read into instants, with errors that name whose
 * date-time and which field.
 */

/* How much of an untrusted string an error message shows. */
#define PLAN_SHOWN_MAX 96

/*
 * Whose date-time a message names ("event AAMk...", "user zoe@..."),
 * written out only when a message needs it: most events need none.
 */
struct plan_owner {
	const char *kind; /* "event", "user" */
	const char *name; /* as given */
	bool show;	  /* name goes through shown() */
	char text[PLAN_SHOWN_MAX + 8];
};

/* o's text, made on first use; borrowed from o. */
const char *plan_owner_text(struct plan_owner *o);

/*
 * The fields of a Graph dateTime. Errors name the owner ("event AAMk=",
 * "user zoe@contoso.com") and the field ("start").
 */
int plan_datetime_fields(const struct cal_datetime *dt,
			 struct plan_owner *owner, const char *field,
			 struct tz_civil *c, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The instant of a Graph dateTimeTimeZone; errors as
 * plan_datetime_fields(). A zone ICU does not know is read as fallback
 * (an IANA id) with a warning: Graph writes zones of its own ("Customized
 * Time Zone"), and one odd event must not cost the user the digest.
 */
struct plan_zone_fallback {
	const char *zone; /* IANA id; NULL: an unknown zone is an error */
	bool warned;	  /* once per user is enough */
};

int plan_datetime_to_ms(struct tz_cache *zc, const struct cal_datetime *dt,
			struct plan_owner *owner, const char *field,
			struct plan_zone_fallback *fallback, int64_t *ms,
			struct dg_err *err) __attribute__((warn_unused_result));

#endif
