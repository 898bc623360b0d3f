#include "roster.h"
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The person model: adders, push, release, lookups. */

static int add_alias(struct roster_person *p, char *copy)
{
	char **v = realloc(p->aliases, (p->naliases + 1) * sizeof(*v));

	if (!v)
		return DG_ENOMEM;
	v[p->naliases++] = copy;
	p->aliases = v;
	return 0;
}

static int add_result(struct roster_person *p, char *name, char *value)
{
	struct roster_assessment *v =
		realloc(p->assessments, (p->nassessments + 1) * sizeof(*v));

	if (!v)
		return DG_ENOMEM;
	v[p->nassessments].name = name;
	v[p->nassessments].value = value;
	p->nassessments++;
	p->assessments = v;
	return 0;
}

static int dup_or_null(const char *s, char **out)
{
	*out = s ? strdup(s) : NULL;
	return s && !*out ? DG_ENOMEM : 0;
}

/*
 * A packed person (one taken out of a roster) made one of separate
 * allocations again, so that it can grow; p unchanged on failure.
 */
static int unpack(struct roster_person *p)
{
	struct roster_person u = *p;
	int rc;

	if (!p->block)
		return 0;
	u.email = u.name = u.title = NULL;
	u.aliases = NULL;
	u.assessments = NULL;
	u.naliases = u.nassessments = 0;
	u.block = NULL;
	rc = dup_or_null(p->email, &u.email);
	if (!rc)
		rc = dup_or_null(p->name, &u.name);
	if (!rc)
		rc = dup_or_null(p->title, &u.title);
	for (size_t i = 0; !rc && i < p->naliases; i++)
		rc = roster_person_add_alias(&u, p->aliases[i]);
	for (size_t i = 0; !rc && i < p->nassessments; i++)
		rc = roster_person_add_result(&u, p->assessments[i].name,
					      p->assessments[i].value);
	if (rc) {
		roster_person_release(&u);
		return rc;
	}
	free(p->block);
	*p = u;
	return 0;
}

int roster_person_add_alias(struct roster_person *p, const char *address)
{
	char *copy = strdup(address);

	/* copied first: address may lie in p's block */
	if (!copy || unpack(p) || add_alias(p, copy)) {
		free(copy);
		return DG_ENOMEM;
	}
	return 0;
}

int roster_person_add_result(struct roster_person *p, const char *name,
			     const char *value)
{
	char *n = strdup(name), *val = strdup(value);

	if (!n || !val || unpack(p) || add_result(p, n, val)) {
		free(n);
		free(val);
		return DG_ENOMEM;
	}
	return 0;
}

int roster_reserve(struct roster *r, size_t n)
{
	struct roster_person *v;

	if (n <= r->alloc)
		return 0;
	if (n > SIZE_MAX / sizeof(*v))
		return DG_ENOMEM;
	v = realloc(r->v, n * sizeof(*v));
	if (!v)
		return DG_ENOMEM;
	r->v = v;
	r->alloc = n;
	return 0;
}

static size_t size_of(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* A copy of s at *at (NULL for NULL); *at moves past it. */
static char *place(char **at, const char *s)
{
	char *copy = *at;
	size_t n = size_of(s);

	if (!s)
		return NULL;
	memcpy(copy, s, n);
	*at += n;
	return copy;
}

/*
 * *out: p with its arrays and strings in one block (the arrays first,
 * for their alignment); p unchanged.
 */
static int pack(const struct roster_person *p, struct roster_person *out)
{
	size_t head = p->nassessments * sizeof(*p->assessments) +
		      p->naliases * sizeof(*p->aliases);
	size_t size = head + size_of(p->email) + size_of(p->name) +
		      size_of(p->title);
	char *block, *at;

	for (size_t i = 0; i < p->naliases; i++)
		size += size_of(p->aliases[i]);
	for (size_t i = 0; i < p->nassessments; i++)
		size += size_of(p->assessments[i].name) +
			size_of(p->assessments[i].value);
	*out = *p;
	block = malloc(size ? size : 1);
	if (!block)
		return DG_ENOMEM;
	out->block = block;
	out->assessments = p->nassessments ? (void *)block : NULL;
	out->aliases = p->naliases ? (void *)(block + p->nassessments *
						      sizeof(*p->assessments))
				   : NULL;
	at = block + head;
	out->email = place(&at, p->email);
	out->name = place(&at, p->name);
	out->title = place(&at, p->title);
	for (size_t i = 0; i < p->naliases; i++)
		out->aliases[i] = place(&at, p->aliases[i]);
	for (size_t i = 0; i < p->nassessments; i++) {
		out->assessments[i].name = place(&at, p->assessments[i].name);
		out->assessments[i].value =
			place(&at, p->assessments[i].value);
	}
	return 0;
}

int roster_push(struct roster *r, struct roster_person *p)
{
	struct roster_person packed;

	if (r->n == r->alloc &&
	    roster_reserve(r, r->alloc ? r->alloc * 2 : 16))
		return DG_ENOMEM;
	if (p->block) {
		packed = *p;
	} else {
		if (pack(p, &packed))
			return DG_ENOMEM;
		roster_person_release(p);
	}
	r->v[r->n++] = packed;
	memset(p, 0, sizeof(*p));
	return 0;
}

void roster_person_release(struct roster_person *p)
{
	size_t i;

	if (p->block) {
		free(p->block);
		memset(p, 0, sizeof(*p));
		return;
	}
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
