#include "roster_build.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Addresses compare with ASCII case folding only, as SQLite's NOCASE. */
static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int roster_build_casecmp(const char *a, const char *b)
{
	while (*a && ascii_lower((unsigned char)*a) ==
			     ascii_lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return ascii_lower((unsigned char)*a) - ascii_lower((unsigned char)*b);
}

void roster_build_lower(char *s)
{
	for (; *s; s++)
		*s = (char)ascii_lower((unsigned char)*s);
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * True when s[0..len) is UTF-8 without NUL bytes: a spreadsheet saving in
 * its legacy code page is the usual cause, and better refused here than
 * mangled in every mail.
 */
bool roster_build_utf8(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (!s[i])
			return false;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			n = 2;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			n = 3;
		else
			return false;
		cp = s[i] & (0x3f >> n);
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and beyond U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += n + 1;
	}
	return true;
}

/*
 * A copy of s[0..len) without blanks at either end. For free text (name,
 * title) line ends inside become "\n", whatever the file used.
 */
char *roster_build_trimmed(const char *s, size_t len, bool text)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	while (len && is_blank((unsigned char)s[len - 1]))
		len--;
	while (len && is_blank((unsigned char)*s)) {
		s++;
		len--;
	}
	for (i = 0; i < len; i++) {
		int c = s[i];

		if (text && c == '\r') {
			c = '\n';
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		}
		if (strbuf_addch(&sb, c))
			return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

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
		h = (h ^ (uint64_t)ascii_lower((unsigned char)*s)) *
		    1099511628211u;
	return (size_t)h;
}

static struct roster_build_slot *
addr_set_slot(const struct roster_build_set *set, const char *addr)
{
	size_t i = addr_hash(addr) & (set->cap - 1);

	while (set->v[i].addr && roster_build_casecmp(set->v[i].addr, addr))
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
		bool repeat = !roster_build_casecmp(p->aliases[i], p->email);

		for (k = 0; k < kept && !repeat; k++)
			repeat = !roster_build_casecmp(p->aliases[i],
						       p->aliases[k]);
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

/* Check p and move it into the roster; the caller releases p anyway. */
int roster_build_add(struct roster_build *b, struct roster_person *p)
{
	int rc = check_person(b, p);

	if (rc)
		return rc;
	drop_own_repeats(p);
	rc = claim_addresses(b, p);
	if (rc)
		return rc;
	if (!p->name)
		p->name = strdup("");
	if (!p->title)
		p->title = strdup("");
	if (!p->name || !p->title || roster_push(b->out, p))
		return roster_build_nomem(b);
	return 0;
}

/* Add the ';'-separated addresses of s[0..len), blanks trimmed. */
int roster_build_aliases(struct roster_person *p, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *stop = semi ? semi : end;
		char *one = roster_build_trimmed(s, (size_t)(stop - s), false);
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
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i].name))
			return known[i].kind;
	return ROSTER_COLUMN_RESULT;
}

/* Index just past the line end (LF, CRLF or a lone CR) at or after pos. */
size_t roster_build_line_end(const char *text, size_t len, size_t pos)
{
	while (pos < len && text[pos] != '\n' && text[pos] != '\r')
		pos++;
	if (pos < len && text[pos] == '\r' && pos + 1 < len &&
	    text[pos + 1] == '\n')
		pos++;
	return pos < len ? pos + 1 : len;
}

bool roster_build_has_content(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_blank((unsigned char)s[i]))
			return true;
	return false;
}

void roster_build_release(struct roster_build *b)
{
	free(b->seen.v);
}

/* A UTF-8 byte order mark, as spreadsheets write it. */
void roster_build_skip_bom(const char **text, size_t *len)
{
	if (*len >= 3 && !memcmp(*text, "\xef\xbb\xbf", 3)) {
		*text += 3;
		*len -= 3;
	}
}
