#include "match.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hmap.h"

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
	const struct directory *d;
	const struct cal_user *self;
	/*
	 * The user's own roster profile: the roster may know the user under
	 * an alias the tenant does not list among the user's addresses.
	 */
	const struct roster_person *self_person;
	struct match_list *out;
	struct hmap listed; /* the emails in out: each person once */
};

/*
 * Add one address (invited directly or through a list named group), p
 * its roster person (found through via) as directory_person() gave it.
 */
static int add_found(struct match_ctx *m, const char *address,
		     const char *invited_name, const char *group,
		     enum cal_attendee_type type,
		     const struct roster_person *p, const char *via)
{
	struct match_attendee a = { .type = type };

	if (!address || !*address || directory_is_self(m->self, address))
		return 0;
	if (p && p == m->self_person)
		return 0;
	a.person = p;
	a.via = p ? (group ? "group" : via) : NULL;
	a.email = p ? p->email : address;
	a.name = p && p->name && *p->name ? p->name : invited_name;
	a.group = group;
	if (hmap_get(&m->listed, a.email))
		return 0;
	a.external = directory_is_external(m->d, address);
	if (push(m->out, &a))
		return DG_ENOMEM;
	/* The key is borrowed as the attendee's email is: it outlives the set. */
	return hmap_put(&m->listed, a.email, (void *)a.email, NULL);
}

/* Add one address (invited directly or through a list named group). */
static int add_address(struct match_ctx *m, const char *address,
		       const char *invited_name, const char *group,
		       enum cal_attendee_type type)
{
	const struct roster_person *p;
	const char *via = NULL;

	if (!address || !*address || directory_is_self(m->self, address))
		return 0;
	p = directory_person(m->d, address, &via);
	return add_found(m, address, invited_name, group, type, p, via);
}

static int add_group(struct match_ctx *m, const struct cal_group *g,
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
static const struct roster_person *self_person(const struct directory *d,
					       const struct cal_user *self)
{
	const struct roster_person *p;
	const char *via;

	if (!self)
		return NULL;
	p = directory_person(d, self->mail, &via);
	if (!p)
		p = directory_person(d, self->user_principal_name, &via);
	for (size_t i = 0; !p && i < self->nproxy; i++)
		if (!strncasecmp(self->proxy_addresses[i], "smtp:", 5))
			p = directory_person(d, self->proxy_addresses[i] + 5,
					     &via);
	return p;
}

/* Lists among the attendees of an event kept on the stack, past it malloc'd. */
#define MATCH_STACK_LISTS 16

/*
 * The attendees of ev: those invited directly, then those invited
 * through a list, so a person invited both ways shows as "direct". Each
 * address is looked up once: a person, else a tenant user, else a list.
 */
static int add_attendees(struct match_ctx *m, const struct cal_event *ev)
{
	const struct cal_attendee *stack[MATCH_STACK_LISTS];
	const struct cal_attendee **lists = stack;
	size_t nlists = 0;
	int rc = 0;

	if (ev->nattendees > MATCH_STACK_LISTS) {
		lists = malloc(ev->nattendees * sizeof(*lists));
		if (!lists)
			return DG_ENOMEM;
	}
	for (size_t i = 0; !rc && i < ev->nattendees; i++) {
		const struct cal_attendee *at = &ev->attendees[i];
		const struct roster_person *p;
		const char *via = NULL;

		if (at->type == CAL_ATTENDEE_RESOURCE || !at->who.address)
			continue;
		p = directory_person(m->d, at->who.address, &via);
		if (!p && !directory_user(m->d, at->who.address) &&
		    directory_group(m->d, at->who.address))
			lists[nlists++] = at;
		else
			rc = add_found(m, at->who.address, at->who.name, NULL,
				       at->type, p, via);
	}
	for (size_t i = 0; !rc && i < nlists; i++)
		rc = add_group(m, directory_group(m->d, lists[i]->who.address),
			       lists[i]->type);
	if (lists != stack)
		free(lists);
	return rc;
}

int match_event(const struct directory *d, const struct cal_user *self,
		const struct cal_event *ev, struct match_list *out,
		struct dg_err *err)
{
	struct match_ctx m = {
		.d = d,
		.self = self,
		.self_person = self_person(d, self),
		.out = out,
	};
	int rc = 0;

	hmap_init(&m.listed, HMAP_NOCASE);
	for (size_t i = 0; !rc && i < out->n; i++)
		if (hmap_put(&m.listed, out->v[i].email,
			     (void *)out->v[i].email, NULL) == DG_ENOMEM)
			rc = DG_ENOMEM;
	if (!rc && ev->organizer.address)
		rc = add_address(&m, ev->organizer.address, ev->organizer.name,
				 NULL, CAL_ATTENDEE_REQUIRED);
	if (!rc)
		rc = add_attendees(&m, ev);
	hmap_release(&m.listed);
	if (rc)
		return dg_errf(err, rc, "out of memory matching the attendees "
			       "of event %s", ev->id ? ev->id : "?");
	return 0;
}

void match_list_release(struct match_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
