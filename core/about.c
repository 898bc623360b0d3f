#include "about.h"

#include <stdlib.h>
#include <strings.h>

#include "prefs.h"
#include "roster.h"
#include "roster_db.h"
#include "workhours.h"

struct about {
	struct store *st;
	struct render_engine *render;
	unsigned history_days; /* [history] days */
};

int about_open(const struct config *cfg, struct store *st, struct about **out,
	       struct dg_err *err)
{
	struct about *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	a->st = st;
	a->history_days = cfg->history.days > 0 ? (unsigned)cfg->history.days
						: 0;
	rc = render_open(cfg->digest.templates, cfg->digest.subject,
			 &a->render, err);
	if (rc) {
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void about_close(struct about *a)
{
	if (!a)
		return;
	render_close(a->render);
	free(a);
}

/* The roster person with address as email or alias; NULL if none. */
static const struct roster_person *find(const struct roster *r,
					const char *address)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct roster_person *p = &r->v[i];

		if (!strcasecmp(p->email, address))
			return p;
		for (size_t j = 0; j < p->naliases; j++)
			if (!strcasecmp(p->aliases[j], address))
				return p;
	}
	return NULL;
}

/* Fill *ab for address from the roster r and the person's prefs. */
static int describe(struct about *a, const struct roster *r,
		    const char *address, struct render_about *ab,
		    struct dg_err *err)
{
	struct prefs p = PREFS_INIT;
	bool roster_hidden;
	int rc = prefs_get(a->st, address, &p, err);

	if (rc)
		return rc;
	ab->email = address;
	ab->history_days = a->history_days;
	ab->person = find(r, address);
	roster_hidden = ab->person &&
			(ab->person->opt_out || ab->person->hidden);
	ab->hidden = prefs_profile_hidden(&p, roster_hidden);
	ab->hidden_by_roster = ab->hidden && roster_hidden &&
			       p.profile != PREFS_PROFILE_HIDDEN;
	return 0;
}

/*
 * The person's working week as a run stored it (by their address, or
 * the roster's email when address is an alias), for the hours lines.
 */
static int known_hours(struct about *a, const char *address,
		       struct render_about *ab, struct workhours *w,
		       struct dg_err *err)
{
	bool found = false;
	int rc = workhours_load_mail(a->st, address, w, &found, err);

	if (!rc && !found && ab->person)
		rc = workhours_load_mail(a->st, ab->person->email, w, &found,
					 err);
	if (!rc && found)
		ab->hours = w;
	return rc;
}

/*
 * All that is known of address for its page: the roster (into r), what
 * it says of the person, and their hours (into w); ab points into both.
 */
static int gather(struct about *a, const char *address, struct roster *r,
		  struct render_about *ab, struct workhours *w,
		  struct dg_err *err)
{
	int rc = roster_db_load(a->st, r, err);

	if (!rc)
		rc = describe(a, r, address, ab, err);
	if (!rc)
		rc = known_hours(a, address, ab, w, err);
	return rc;
}

int about_render(struct about *a, const char *address,
		 const char *const *groups, size_t ngroups,
		 enum render_about_format format, struct strbuf *out,
		 struct dg_err *err)
{
	struct roster r = ROSTER_INIT;
	struct render_about ab = {.email = address, .groups = groups,
				  .ngroups = ngroups};
	struct workhours w = WORKHOURS_INIT;
	int rc = gather(a, address, &r, &ab, &w, err);

	if (!rc)
		rc = render_about(a->render, &ab, format, out, err);
	workhours_release(&w);
	roster_release(&r);
	return rc;
}

int about_value(const char *address, struct mustache_value **out, void *ctx,
		struct dg_err *err)
{
	struct about *a = ctx;
	struct roster r = ROSTER_INIT;
	struct render_about ab = {.email = address};
	struct workhours w = WORKHOURS_INIT;
	int rc = gather(a, address, &r, &ab, &w, err);

	*out = NULL;
	if (!rc)
		rc = render_about_value(a->render, &ab, out, err);
	workhours_release(&w);
	roster_release(&r);
	return rc;
}
