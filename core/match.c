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
	/*
	 * The emails in out, each person once: out itself is scanned while
	 * it is short (most meetings), past that a set made of it is asked.
	 */
	struct hmap listed;
	bool hashed; /* listed holds every email of out */
};

/* Up to this many attendees in out, a scan finds one sooner than a hash. */
#define MATCH_SCAN_MAX 16

/* Whether email is in out already (letter case aside). */
static bool is_listed(const struct match_ctx *m, const char *email)
{
	if (m->hashed)
		return hmap_get(&m->listed, email) != NULL;
	for (size_t i = 0; i < m->out->n; i++)
		if (!strcasecmp(m->out->v[i].email, email))
			return true;
	return false;
}

/*
 * Put the emails of out from its entry from on into the set (borrowed,
 * as the attendees' emails are: they outlive it). An email twice in the
 * caller's part of out is kept once.
 */
static int put_listed(struct match_ctx *m, size_t from)
{
	int rc = 0;

	for (size_t i = from; !rc && i < m->out->n; i++) {
		const char *email = m->out->v[i].email;

		rc = hmap_put(&m->listed, email, (void *)email, NULL);
		if (rc == DG_EEXISTS)
			rc = 0;
	}
	return rc;
}

/* The set kept in step with out, made once out is past a scan. */
static int note_listed(struct match_ctx *m)
{
	if (m->hashed)
		return put_listed(m, m->out->n - 1);
	if (m->out->n <= MATCH_SCAN_MAX)
		return 0;
	m->hashed = true;
	return put_listed(m, 0);
}

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
	if (is_listed(m, a.email))
		return 0;
	a.external = directory_is_external(m->d, address);
	if (push(m->out, &a))
		return DG_ENOMEM;
	return note_listed(m);
}

/*
 * Add one address (invited directly or through a list named group).
 * add_found() leaves the user out: the user's own address costs a
 * lookup more, every other address a compare less.
 */
static int add_address(struct match_ctx *m, const char *address,
		       const char *invited_name, const char *group,
		       enum cal_attendee_type type)
{
	const struct roster_person *p;
	const char *via = NULL;

	if (!address || !*address)
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
	/* the caller's part of out, when it is past a scan already */
	if (out->n > MATCH_SCAN_MAX) {
		m.hashed = true;
		rc = put_listed(&m, 0);
	}
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
