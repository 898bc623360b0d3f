#include "roster_build.h"
#include "strbuf.h"
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One '@', a local part, a dotted domain; no blanks, controls, <>, ','. */
static bool valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	const char *domain, *p;

	if (!at || at == s || strchr(at + 1, '@'))
		return false;
	domain = at + 1;
	if (!strchr(domain, '.') || *domain == '.' ||
	    domain[strlen(domain) - 1] == '.' || strstr(domain, ".."))
		return false;
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || strchr("<>,", c))
			return false;
	}
	return true;
}

/* Assessment names and results become path parts: a strict alphabet. */
bool roster_build_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", *s))
			return false;
	return true;
}

static bool valid_result(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789_+-",
			    *s))
			return false;
	return true;
}

/*
 * The addresses seen so far (emails and aliases), to report a duplicate
 * with the line of its first use: an open-addressing hash set, since a
 * company roster has tens of thousands of rows.
 */
struct roster_build_slot {
	const char *addr; /* borrowed from the roster being built */
	unsigned line;
};

static size_t addr_hash(const char *s)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint64_t)text_ascii_lower((unsigned char)*s)) *
		    1099511628211u;
	return (size_t)h;
}

static struct roster_build_slot *
addr_set_slot(const struct roster_build_set *set, const char *addr)
{
	size_t i = addr_hash(addr) & (set->cap - 1);

	while (set->v[i].addr && text_casecmp(set->v[i].addr, addr))
		i = (i + 1) & (set->cap - 1);
	return &set->v[i];
}

static int addr_set_grow(struct roster_build_set *set)
{
	struct roster_build_set bigger = {NULL, 0, 0};
	size_t i;

	bigger.cap = set->cap ? set->cap * 2 : 64;
	bigger.v = calloc(bigger.cap, sizeof(*bigger.v));
	if (!bigger.v)
		return DG_ENOMEM;
	for (i = 0; i < set->cap; i++)
		if (set->v[i].addr)
			*addr_set_slot(&bigger, set->v[i].addr) = set->v[i];
	bigger.n = set->n;
	free(set->v);
	*set = bigger;
	return 0;
}

/*
 * Claim addr for line. If an earlier line has it, *first is that line and
 * nothing changes.
 */
static int addr_set_claim(struct roster_build_set *set, const char *addr,
			  unsigned line, unsigned *first)
{
	struct roster_build_slot *slot;

	*first = 0;
	if ((set->n + 1) * 2 > set->cap && addr_set_grow(set))
		return DG_ENOMEM;
	slot = addr_set_slot(set, addr);
	if (slot->addr) {
		*first = slot->line;
		return 0;
	}
	slot->addr = addr;
	slot->line = line;
	set->n++;
	return 0;
}

void roster_build_init(struct roster_build *b, const char *name,
		       struct roster *out, struct dg_err *err)
{
	b->name = name;
	b->out = out;
	b->err = err;
	b->seen.v = NULL;
	b->seen.cap = 0;
	b->seen.n = 0;
}

int roster_build_nomem(struct roster_build *b)
{
	return dg_errf(b->err, DG_ENOMEM, "%s: out of memory", b->name);
}

static int check_person(struct roster_build *b, const struct roster_person *p)
{
	size_t i;

	if (!p->email || !*p->email)
		return dg_errf(b->err, DG_EINVAL, "%s:%u: row has no email",
			       b->name, p->line);
	if (!valid_email(p->email))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: '%s' is not an email address", b->name,
			       p->line, p->email);
	for (i = 0; i < p->naliases; i++)
		if (!valid_email(p->aliases[i]))
			return dg_errf(b->err, DG_EINVAL,
				       "%s:%u: alias '%s' is not an email "
				       "address",
				       b->name, p->line, p->aliases[i]);
	for (i = 0; i < p->nassessments; i++)
		if (!valid_result(p->assessments[i].value))
			return dg_errf(b->err, DG_EINVAL,
				       "%s:%u: %s result '%s' may only hold "
				       "letters, digits, '_', '+' and '-'",
				       b->name, p->line, p->assessments[i].name,
				       p->assessments[i].value);
	return 0;
}

/* An alias repeating the person's own email or alias says nothing. */
static void drop_own_repeats(struct roster_person *p)
{
	size_t i, k, kept = 0;

	for (i = 0; i < p->naliases; i++) {
		bool repeat = !text_casecmp(p->aliases[i], p->email);

		for (k = 0; k < kept && !repeat; k++)
			repeat = !text_casecmp(p->aliases[i], p->aliases[k]);
		if (repeat)
			free(p->aliases[i]);
		else
			p->aliases[kept++] = p->aliases[i];
	}
	p->naliases = kept;
}

static int claim_addresses(struct roster_build *b,
			   const struct roster_person *p)
{
	unsigned first;
	size_t i;

	if (addr_set_claim(&b->seen, p->email, p->line, &first))
		return roster_build_nomem(b);
	if (first)
		return dg_errf(b->err, DG_EEXISTS,
			       "%s:%u: duplicate email %s (first on line %u)",
			       b->name, p->line, p->email, first);
	for (i = 0; i < p->naliases; i++) {
		if (addr_set_claim(&b->seen, p->aliases[i], p->line, &first))
			return roster_build_nomem(b);
		if (first)
			return dg_errf(b->err, DG_EEXISTS,
				       "%s:%u: duplicate alias %s (first on "
				       "line %u)",
				       b->name, p->line, p->aliases[i], first);
	}
	return 0;
}

/*
 * Check p and move it into the roster; the caller releases p anyway. The
 * addresses are claimed in the roster's copy (packed by the push: the
 * set borrows them), so a duplicate is found after the push; a reader
 * refuses the whole file then.
 */
int roster_build_add(struct roster_build *b, struct roster_person *p)
{
	int rc = check_person(b, p);

	if (rc)
		return rc;
	drop_own_repeats(p);
	if (!p->name)
		p->name = strdup("");
	if (!p->title)
		p->title = strdup("");
	if (!p->name || !p->title || roster_push(b->out, p))
		return roster_build_nomem(b);
	return claim_addresses(b, &b->out->v[b->out->n - 1]);
}

/* Add the ';'-separated addresses of s[0..len), blanks trimmed. */
int roster_build_aliases(struct roster_person *p, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *stop = semi ? semi : end;
		char *one = text_trimmed(s, (size_t)(stop - s), false);
		int rc = one ? 0 : DG_ENOMEM;

		if (one && *one)
			rc = roster_person_add_alias(p, one);
		free(one);
		if (rc)
			return rc;
		s = semi ? semi + 1 : end;
	}
	return 0;
}

enum roster_column roster_build_column(const char *name)
{
	static const struct {
		const char *name;
		enum roster_column kind;
	} known[] = {
		{"email", ROSTER_COLUMN_EMAIL},
		{"name", ROSTER_COLUMN_NAME},
		{"title", ROSTER_COLUMN_TITLE},
		{"aliases", ROSTER_COLUMN_ALIASES},
		{"opt_out", ROSTER_COLUMN_OPT_OUT},
		{"digest", ROSTER_COLUMN_DIGEST},
		{"profile", ROSTER_COLUMN_PROFILE},
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i].name))
			return known[i].kind;
	return ROSTER_COLUMN_RESULT;
}

void roster_build_release(struct roster_build *b)
{
	free(b->seen.v);
}
