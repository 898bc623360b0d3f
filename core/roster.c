#include "roster.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* The person model: adders, push, release, lookups. */

int roster_person_add_alias(struct roster_person *p, const char *address)
{
	char **v;
	char *copy = strdup(address);

	if (!copy)
		return DG_ENOMEM;
	v = realloc(p->aliases, (p->naliases + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return DG_ENOMEM;
	}
	v[p->naliases++] = copy;
	p->aliases = v;
	return 0;
}

int roster_person_add_result(struct roster_person *p, const char *name,
			     const char *value)
{
	struct roster_assessment *v;
	char *n = strdup(name), *val = strdup(value);

	v = n && val ? realloc(p->assessments,
			       (p->nassessments + 1) * sizeof(*v))
		     : NULL;
	if (!v) {
		free(n);
		free(val);
		return DG_ENOMEM;
	}
	v[p->nassessments].name = n;
	v[p->nassessments].value = val;
	p->nassessments++;
	p->assessments = v;
	return 0;
}

int roster_push(struct roster *r, struct roster_person *p)
{
	if (r->n == r->alloc) {
		size_t alloc = r->alloc ? r->alloc * 2 : 16;
		struct roster_person *v = realloc(r->v, alloc * sizeof(*v));

		if (!v)
			return DG_ENOMEM;
		r->v = v;
		r->alloc = alloc;
	}
	r->v[r->n++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

void roster_person_release(struct roster_person *p)
{
	size_t i;

	for (i = 0; i < p->naliases; i++)
		free(p->aliases[i]);
	for (i = 0; i < p->nassessments; i++) {
		free(p->assessments[i].name);
		free(p->assessments[i].value);
	}
	free(p->aliases);
	free(p->assessments);
	free(p->email);
	free(p->name);
	free(p->title);
	memset(p, 0, sizeof(*p));
}

void roster_release(struct roster *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		roster_person_release(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Linear: rosters are small next to a run's network round trips. */
const struct roster_person *roster_find(const struct roster *r,
					const char *address)
{
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		const struct roster_person *p = &r->v[i];

		if (!text_casecmp(p->email, address))
			return p;
		for (k = 0; k < p->naliases; k++)
			if (!text_casecmp(p->aliases[k], address))
				return p;
	}
	return NULL;
}

const char *roster_person_result(const struct roster_person *p,
				 const char *name)
{
	size_t i;

	for (i = 0; i < p->nassessments; i++)
		if (!strcmp(p->assessments[i].name, name))
			return p->assessments[i].value;
	return NULL;
}
