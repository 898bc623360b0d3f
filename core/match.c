#include "match.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "smtp:a@b" and "SMTP:a@b" hold a@b; X500: and others hold no mail. */
static const char *proxy_address(const char *proxy)
{
	if (!strncasecmp(proxy, "smtp:", 5))
		return proxy + 5;
	return NULL;
}

static bool user_has_address(const struct cal_user *u, const char *address)
{
	if (u->mail && !strcasecmp(u->mail, address))
		return true;
	if (u->user_principal_name &&
	    !strcasecmp(u->user_principal_name, address))
		return true;
	for (size_t i = 0; i < u->nproxy; i++) {
		const char *a = proxy_address(u->proxy_addresses[i]);

		if (a && !strcasecmp(a, address))
			return true;
	}
	return false;
}

bool match_is_self(const struct cal_user *user, const char *address)
{
	return user && address && user_has_address(user, address);
}

static const struct cal_user *tenant_user(const struct match_directory *d,
					  const char *address)
{
	if (!d->users)
		return NULL;
	for (size_t i = 0; i < d->users->n; i++)
		if (user_has_address(&d->users->v[i], address))
			return &d->users->v[i];
	return NULL;
}

const struct roster_person *match_person(const struct match_directory *d,
					 const char *address,
					 const char **via)
{
	const struct roster_person *p;
	const struct cal_user *u;

	if (!address || !d->roster)
		return NULL;
	p = roster_find(d->roster, address);
	if (p) {
		*via = strcasecmp(p->email, address) ? "alias" : "direct";
		return p;
	}
	/* The tenant knows the person under another address. */
	u = tenant_user(d, address);
	if (!u)
		return NULL;
	for (size_t i = 0; i < u->nproxy + 1; i++) {
		const char *a = i < u->nproxy ?
					proxy_address(u->proxy_addresses[i]) :
					u->mail;

		if (a && (p = roster_find(d->roster, a))) {
			*via = "alias";
			return p;
		}
	}
	return NULL;
}

bool match_is_known(const struct match_directory *d, const char *address)
{
	const char *via;

	return match_person(d, address, &via) || tenant_user(d, address);
}

static const struct cal_group *find_group(const struct match_directory *d,
					  const char *address)
{
	for (size_t i = 0; i < d->ngroups; i++)
		if (d->groups[i].mail &&
		    !strcasecmp(d->groups[i].mail, address))
			return &d->groups[i];
	return NULL;
}

static const char *domain_of(const char *address)
{
	const char *at = strrchr(address, '@');

	return at ? at + 1 : "";
}

static bool domain_matches(const char *address, const char *domain)
{
	return address && !strcasecmp(domain_of(address), domain);
}

/* The tenant's domains are those its users' addresses are in. */
static bool is_external(const struct match_directory *d, const char *address)
{
	const char *domain = domain_of(address);

	if (!d->users)
		return false;
	for (size_t i = 0; i < d->users->n; i++) {
		const struct cal_user *u = &d->users->v[i];

		if (domain_matches(u->mail, domain))
			return false;
		for (size_t j = 0; j < u->nproxy; j++)
			if (domain_matches(proxy_address(u->proxy_addresses[j]),
					   domain))
				return false;
	}
	return true;
}

static bool already_listed(const struct match_list *l, const char *email)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->v[i].email, email))
			return true;
	return false;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int push(struct match_list *l, const struct match_attendee *a)
{
	if (l->n == l->alloc) {
		size_t cap = l->alloc ? l->alloc * 2 : 8;
		struct match_attendee *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return DG_ENOMEM;
		l->v = v;
		l->alloc = cap;
	}
	l->v[l->n++] = *a;
	if (!a->person)
		l->unmatched++;
	return 0;
}

/* One call of match_event(): what every address is matched against. */
struct match_ctx {
	const struct match_directory *d;
	const struct cal_user *self;
	/*
	 * The user's own roster profile: the roster may know the user under
	 * an alias the tenant does not list among the user's addresses.
	 */
	const struct roster_person *self_person;
	struct match_list *out;
};

static void attendee_release(struct match_attendee *a)
{
	free(a->email);
	free(a->name);
	free(a->group);
}

/* Add one address (invited directly or through a list named group). */
static int add_address(const struct match_ctx *m, const char *address,
		       const char *invited_name, const char *group,
		       enum cal_attendee_type type)
{
	struct match_attendee a = { .type = type };
	const struct roster_person *p;
	const char *via = NULL;

	if (!address || !*address || match_is_self(m->self, address))
		return 0;
	p = match_person(m->d, address, &via);
	if (p && p == m->self_person)
		return 0;
	a.person = p;
	a.via = p ? (group ? "group" : via) : NULL;
	a.email = strdup(p ? p->email : address);
	a.name = dup_or_null(p && p->name && *p->name ? p->name
						       : invited_name);
	a.group = dup_or_null(group);
	a.external = is_external(m->d, address);
	if (!a.email || (!a.name && (p ? p->name : invited_name)) ||
	    (group && !a.group)) {
		attendee_release(&a);
		return DG_ENOMEM;
	}
	if (already_listed(m->out, a.email)) {
		attendee_release(&a);
		return 0;
	}
	if (push(m->out, &a)) {
		attendee_release(&a);
		return DG_ENOMEM;
	}
	return 0;
}

static int add_group(const struct match_ctx *m, const struct cal_group *g,
		     enum cal_attendee_type type)
{
	const char *label = g->display_name && *g->display_name ?
				    g->display_name :
				    g->mail;

	for (size_t i = 0; i < g->nmembers; i++) {
		int rc = add_address(m, g->members[i].address,
				     g->members[i].name, label, type);
		if (rc)
			return rc;
	}
	return 0;
}

/* The roster person the user is, under any of the user's addresses. */
static const struct roster_person *self_person(const struct match_directory *d,
					       const struct cal_user *self)
{
	const struct roster_person *p;
	const char *via;

	if (!self)
		return NULL;
	p = match_person(d, self->mail, &via);
	if (!p)
		p = match_person(d, self->user_principal_name, &via);
	for (size_t i = 0; !p && i < self->nproxy; i++)
		p = match_person(d, proxy_address(self->proxy_addresses[i]),
				 &via);
	return p;
}

int match_event(const struct match_directory *d, const struct cal_user *self,
		const struct cal_event *ev, struct match_list *out,
		struct dg_err *err)
{
	struct match_ctx m = {
		.d = d,
		.self = self,
		.self_person = self_person(d, self),
		.out = out,
	};

	/*
	 * Direct invitations first, so that a person invited both in person
	 * and through a list shows as "direct".
	 */
	if (ev->organizer.address &&
	    add_address(&m, ev->organizer.address, ev->organizer.name, NULL,
			CAL_ATTENDEE_REQUIRED))
		return dg_errf(err, DG_ENOMEM,
			       "out of memory matching the organizer of "
			       "event %s", ev->id ? ev->id : "?");
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ev->nattendees; i++) {
			const struct cal_attendee *at = &ev->attendees[i];
			const struct cal_group *g;
			int rc;

			if (at->type == CAL_ATTENDEE_RESOURCE ||
			    !at->who.address)
				continue;
			g = match_is_known(d, at->who.address) ?
				    NULL :
				    find_group(d, at->who.address);
			if (pass == 0 && !g)
				rc = add_address(&m, at->who.address,
						 at->who.name, NULL, at->type);
			else if (pass == 1 && g)
				rc = add_group(&m, g, at->type);
			else
				rc = 0;
			if (rc)
				return dg_errf(err, rc,
					       "out of memory matching the "
					       "attendees of event %s",
					       ev->id ? ev->id : "?");
		}
	}
	return 0;
}

void match_list_release(struct match_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		attendee_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
