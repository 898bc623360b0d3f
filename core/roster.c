#include "roster.h"
#include "logging.h"
#include "store.h"
#include "strbuf.h"

#include <csv.h>
#include <errno.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Addresses compare with ASCII case folding only, as SQLite's NOCASE. */
static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int ascii_casecmp(const char *a, const char *b)
{
	while (*a && ascii_lower((unsigned char)*a) ==
			     ascii_lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return ascii_lower((unsigned char)*a) - ascii_lower((unsigned char)*b);
}

static void ascii_lower_string(char *s)
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
static bool utf8_valid(const char *text, size_t len)
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
static char *dup_trimmed(const char *s, size_t len, bool text)
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
static bool valid_name(const char *s)
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
			    "abcdefghijklmnopqrstuvwxyz0123456789_+-", *s))
			return false;
	return true;
}

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

		if (!ascii_casecmp(p->email, address))
			return p;
		for (k = 0; k < p->naliases; k++)
			if (!ascii_casecmp(p->aliases[k], address))
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

/*
 * The addresses seen so far (emails and aliases), to report a duplicate
 * with the line of its first use: an open-addressing hash set, since a
 * company roster has tens of thousands of rows.
 */
struct addr_slot {
	const char *addr; /* borrowed from the roster being built */
	unsigned line;
};

struct addr_set {
	struct addr_slot *v;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

static size_t addr_hash(const char *s)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint64_t)ascii_lower((unsigned char)*s)) *
		    1099511628211u;
	return (size_t)h;
}

static struct addr_slot *addr_set_slot(const struct addr_set *set,
				       const char *addr)
{
	size_t i = addr_hash(addr) & (set->cap - 1);

	while (set->v[i].addr && ascii_casecmp(set->v[i].addr, addr))
		i = (i + 1) & (set->cap - 1);
	return &set->v[i];
}

static int addr_set_grow(struct addr_set *set)
{
	struct addr_set bigger = { NULL, set->cap ? set->cap * 2 : 64, 0 };
	size_t i;

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
static int addr_set_claim(struct addr_set *set, const char *addr,
			  unsigned line, unsigned *first)
{
	struct addr_slot *slot;

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

/* Both readers hand each person to a builder, which checks and keeps it. */
struct builder {
	const char *name; /* file name for messages */
	struct roster *out;
	struct addr_set seen;
	struct dg_err *err;
};

static int builder_nomem(struct builder *b)
{
	return dg_errf(b->err, DG_ENOMEM, "%s: out of memory", b->name);
}

static int check_person(struct builder *b, const struct roster_person *p)
{
	size_t i;

	if (!p->email || !*p->email)
		return dg_errf(b->err, DG_EINVAL, "%s:%u: row has no email",
			       b->name, p->line);
	if (!valid_email(p->email))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: '%s' is not an email address",
			       b->name, p->line, p->email);
	for (i = 0; i < p->naliases; i++)
		if (!valid_email(p->aliases[i]))
			return dg_errf(b->err, DG_EINVAL,
				       "%s:%u: alias '%s' is not an email "
				       "address", b->name, p->line,
				       p->aliases[i]);
	for (i = 0; i < p->nassessments; i++)
		if (!valid_result(p->assessments[i].value))
			return dg_errf(b->err, DG_EINVAL,
				       "%s:%u: %s result '%s' may only hold "
				       "letters, digits, '_', '+' and '-'",
				       b->name, p->line,
				       p->assessments[i].name,
				       p->assessments[i].value);
	return 0;
}

/* An alias repeating the person's own email or alias says nothing. */
static void drop_own_repeats(struct roster_person *p)
{
	size_t i, k, kept = 0;

	for (i = 0; i < p->naliases; i++) {
		bool repeat = !ascii_casecmp(p->aliases[i], p->email);

		for (k = 0; k < kept && !repeat; k++)
			repeat = !ascii_casecmp(p->aliases[i], p->aliases[k]);
		if (repeat)
			free(p->aliases[i]);
		else
			p->aliases[kept++] = p->aliases[i];
	}
	p->naliases = kept;
}

static int claim_addresses(struct builder *b, const struct roster_person *p)
{
	unsigned first;
	size_t i;

	if (addr_set_claim(&b->seen, p->email, p->line, &first))
		return builder_nomem(b);
	if (first)
		return dg_errf(b->err, DG_EEXISTS,
			       "%s:%u: duplicate email %s (first on line %u)",
			       b->name, p->line, p->email, first);
	for (i = 0; i < p->naliases; i++) {
		if (addr_set_claim(&b->seen, p->aliases[i], p->line, &first))
			return builder_nomem(b);
		if (first)
			return dg_errf(b->err, DG_EEXISTS,
				       "%s:%u: duplicate alias %s (first on "
				       "line %u)", b->name, p->line,
				       p->aliases[i], first);
	}
	return 0;
}

/* Check p and move it into the roster; the caller releases p anyway. */
static int builder_add(struct builder *b, struct roster_person *p)
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
		return builder_nomem(b);
	return 0;
}

/* Add the ';'-separated addresses of s[0..len), blanks trimmed. */
static int add_alias_list(struct roster_person *p, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *stop = semi ? semi : end;
		char *one = dup_trimmed(s, (size_t)(stop - s), false);
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

/* CSV: libcsv splits fields; we count lines and give columns meaning. */

enum column_kind {
	COLUMN_EMAIL,
	COLUMN_NAME,
	COLUMN_TITLE,
	COLUMN_ALIASES,
	COLUMN_OPT_OUT,
	COLUMN_RESULT
};

struct column {
	enum column_kind kind;
	char *name; /* lower-cased */
};

struct csv_reader {
	struct builder b;
	int rc;            /* the first error; everything stops there */
	unsigned line;     /* the physical line being parsed */
	unsigned rec_line; /* the line where the current record starts */
	bool in_record;
	char **fields; /* the current record */
	size_t nfields, afields;
	struct column *cols; /* the header, once read */
	size_t ncols;
};

static enum column_kind column_kind_of(const char *name)
{
	static const struct {
		const char *name;
		enum column_kind kind;
	} known[] = {
		{ "email", COLUMN_EMAIL },     { "name", COLUMN_NAME },
		{ "title", COLUMN_TITLE },     { "aliases", COLUMN_ALIASES },
		{ "opt_out", COLUMN_OPT_OUT },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i].name))
			return known[i].kind;
	return COLUMN_RESULT;
}

static int csv_add_column(struct csv_reader *r, const char *field, size_t i)
{
	struct builder *b = &r->b;
	struct column *col = &r->cols[i];
	size_t k;

	col->name = dup_trimmed(field, strlen(field), false);
	if (!col->name)
		return builder_nomem(b);
	if (!*col->name)
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: column %zu has no name", b->name,
			       r->rec_line, i + 1);
	ascii_lower_string(col->name);
	if (!valid_name(col->name))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: column name '%s' may only hold "
			       "letters, digits, '_' and '-'",
			       b->name, r->rec_line, col->name);
	for (k = 0; k < i; k++)
		if (!strcmp(r->cols[k].name, col->name))
			return dg_errf(b->err, DG_EINVAL,
				       "%s:%u: column '%s' appears twice",
				       b->name, r->rec_line, col->name);
	col->kind = column_kind_of(col->name);
	return 0;
}

static int csv_read_header(struct csv_reader *r)
{
	bool email = false;
	size_t i;
	int rc;

	r->cols = calloc(r->nfields, sizeof(*r->cols));
	if (!r->cols)
		return builder_nomem(&r->b);
	r->ncols = r->nfields;
	for (i = 0; i < r->ncols; i++) {
		rc = csv_add_column(r, r->fields[i], i);
		if (rc)
			return rc;
		email = email || r->cols[i].kind == COLUMN_EMAIL;
	}
	if (!email)
		return dg_errf(r->b.err, DG_EINVAL,
			       "%s:%u: no 'email' column", r->b.name,
			       r->rec_line);
	return 0;
}

static int parse_opt_out(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "1" };
	static const char *const no[] = { "", "false", "no", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!ascii_casecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (!ascii_casecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return DG_EINVAL;
}

static int csv_cell(struct csv_reader *r, struct roster_person *p,
		    const struct column *col, const char *cell)
{
	size_t len = strlen(cell);
	char *v;
	int rc = 0;

	if (col->kind == COLUMN_ALIASES)
		return add_alias_list(p, cell, len) ? builder_nomem(&r->b) : 0;
	v = dup_trimmed(cell, len, col->kind == COLUMN_NAME ||
					   col->kind == COLUMN_TITLE);
	if (!v)
		return builder_nomem(&r->b);
	switch (col->kind) {
	case COLUMN_EMAIL:
		p->email = v;
		return 0;
	case COLUMN_NAME:
		p->name = v;
		return 0;
	case COLUMN_TITLE:
		p->title = v;
		return 0;
	case COLUMN_OPT_OUT:
		if (parse_opt_out(v, &p->opt_out))
			rc = dg_errf(r->b.err, DG_EINVAL,
				     "%s:%u: opt_out must be true or false, "
				     "not '%s'", r->b.name, p->line, v);
		break;
	case COLUMN_RESULT:
		if (*v && roster_person_add_result(p, col->name, v))
			rc = builder_nomem(&r->b);
		break;
	case COLUMN_ALIASES:
		break;
	}
	free(v);
	return rc;
}

static bool csv_row_is_empty(const struct csv_reader *r)
{
	size_t i;
	const char *s;

	for (i = 0; i < r->nfields; i++)
		for (s = r->fields[i]; *s; s++)
			if (!is_blank((unsigned char)*s))
				return false;
	return true;
}

static int csv_read_row(struct csv_reader *r)
{
	struct roster_person p = { 0 };
	size_t i;
	int rc = 0;

	/* Spreadsheets export trailing ",,,," rows: they say nothing. */
	if (csv_row_is_empty(r))
		return 0;
	if (r->nfields != r->ncols)
		return dg_errf(r->b.err, DG_EINVAL,
			       "%s:%u: row has %zu fields but the header has "
			       "%zu", r->b.name, r->rec_line, r->nfields,
			       r->ncols);
	p.line = r->rec_line;
	for (i = 0; !rc && i < r->ncols; i++)
		rc = csv_cell(r, &p, &r->cols[i], r->fields[i]);
	if (!rc)
		rc = builder_add(&r->b, &p);
	roster_person_release(&p);
	return rc;
}

static void csv_clear_fields(struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	r->nfields = 0;
}

static void csv_on_field(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;
	char *copy;

	if (r->rc)
		return;
	if (r->nfields == r->afields) {
		size_t alloc = r->afields ? r->afields * 2 : 16;
		char **v = realloc(r->fields, alloc * sizeof(*v));

		if (!v) {
			r->rc = builder_nomem(&r->b);
			return;
		}
		r->fields = v;
		r->afields = alloc;
	}
	copy = malloc(len + 1);
	if (!copy) {
		r->rc = builder_nomem(&r->b);
		return;
	}
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	r->fields[r->nfields++] = copy;
}

static void csv_on_record(int c, void *data)
{
	struct csv_reader *r = data;

	r->in_record = false;
	if (!r->rc)
		r->rc = r->cols ? csv_read_row(r) : csv_read_header(r);
	csv_clear_fields(r);
}

/* Index just past the line end (LF, CRLF or a lone CR) at or after pos. */
static size_t line_end(const char *text, size_t len, size_t pos)
{
	while (pos < len && text[pos] != '\n' && text[pos] != '\r')
		pos++;
	if (pos < len && text[pos] == '\r' && pos + 1 < len &&
	    text[pos + 1] == '\n')
		pos++;
	return pos < len ? pos + 1 : len;
}

static bool line_has_content(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_blank((unsigned char)s[i]))
			return true;
	return false;
}

/*
 * Feed libcsv one physical line at a time: it knows no line numbers, and
 * this way a record starts on the first line with content fed while no
 * record was open.
 */
static int csv_feed(struct csv_reader *r, struct csv_parser *parser,
		    const char *text, size_t len)
{
	size_t pos = 0, end;

	while (pos < len && !r->rc) {
		end = line_end(text, len, pos);
		r->line++;
		if (!utf8_valid(text + pos, end - pos))
			return dg_errf(r->b.err, DG_EPARSE,
				       "%s:%u: not UTF-8 text; save the roster "
				       "as UTF-8", r->b.name, r->line);
		if (!r->in_record && line_has_content(text + pos, end - pos)) {
			r->in_record = true;
			r->rec_line = r->line;
		}
		if (csv_parse(parser, text + pos, end - pos, csv_on_field,
			      csv_on_record, r) != end - pos && !r->rc)
			return dg_errf(r->b.err, DG_EPARSE,
				       "%s:%u: %s (a field holding '\"' must "
				       "be quoted, the quote doubled)",
				       r->b.name, r->line,
				       csv_strerror(csv_error(parser)));
		pos = end;
	}
	if (r->rc)
		return r->rc;
	if (csv_fini(parser, csv_on_field, csv_on_record, r) && !r->rc)
		return dg_errf(r->b.err, DG_EPARSE,
			       "%s:%u: unterminated quote: a quoted field "
			       "starting in this row never ends",
			       r->b.name, r->rec_line);
	if (!r->rc && !r->cols)
		return dg_errf(r->b.err, DG_EINVAL,
			       "%s: the file is empty; a roster needs a "
			       "header row with an 'email' column", r->b.name);
	return r->rc;
}

static void builder_release(struct builder *b)
{
	free(b->seen.v);
}

static void csv_reader_release(struct csv_reader *r)
{
	size_t i;

	csv_clear_fields(r);
	free(r->fields);
	for (i = 0; i < r->ncols; i++)
		free(r->cols[i].name);
	free(r->cols);
	builder_release(&r->b);
}

/* A UTF-8 byte order mark, as spreadsheets write it. */
static void skip_bom(const char **text, size_t *len)
{
	if (*len >= 3 && !memcmp(*text, "\xef\xbb\xbf", 3)) {
		*text += 3;
		*len -= 3;
	}
}

int roster_read_csv(const char *text, size_t len, const char *name,
		    struct roster *out, struct dg_err *err)
{
	struct csv_reader r = { .b = { name, out, { NULL, 0, 0 }, err } };
	struct csv_parser parser;
	int rc;

	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI))
		return dg_errf(err, DG_ENOMEM, "%s: out of memory", name);
	skip_bom(&text, &len);
	rc = csv_feed(&r, &parser, text, len);
	csv_free(&parser);
	csv_reader_release(&r);
	if (rc)
		roster_release(out);
	return rc;
}

/* JSON lines: one object per line, keys as the CSV header's. */

static int json_text(struct builder *b, unsigned line, const char *key,
		     struct json_object *val, bool text, char **out)
{
	if (json_object_is_type(val, json_type_null))
		return 0;
	if (!json_object_is_type(val, json_type_string))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: '%s' must be a string", b->name, line,
			       key);
	*out = dup_trimmed(json_object_get_string(val),
			   (size_t)json_object_get_string_len(val), text);
	return *out ? 0 : builder_nomem(b);
}

static int json_aliases(struct builder *b, struct roster_person *p,
			struct json_object *val)
{
	size_t i, n;

	if (json_object_is_type(val, json_type_null))
		return 0;
	if (json_object_is_type(val, json_type_string))
		return add_alias_list(p, json_object_get_string(val),
				      (size_t)json_object_get_string_len(val))
			       ? builder_nomem(b) : 0;
	if (!json_object_is_type(val, json_type_array))
		goto bad;
	n = json_object_array_length(val);
	for (i = 0; i < n; i++) {
		struct json_object *one = json_object_array_get_idx(val, i);

		if (!json_object_is_type(one, json_type_string))
			goto bad;
		if (add_alias_list(p, json_object_get_string(one),
				   (size_t)json_object_get_string_len(one)))
			return builder_nomem(b);
	}
	return 0;
bad:
	return dg_errf(b->err, DG_EINVAL,
		       "%s:%u: 'aliases' must be a list of strings or one "
		       "';'-separated string", b->name, p->line);
}

static int json_result(struct builder *b, struct roster_person *p,
		       const char *key, struct json_object *val)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	if (!valid_name(key))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: key '%s' may only hold letters, digits, "
			       "'_' and '-'", b->name, p->line, key);
	if (roster_person_result(p, key))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: key '%s' appears twice", b->name,
			       p->line, key);
	if (json_object_is_type(val, json_type_int))
		rc = strbuf_addf(&sb, "%lld",
				 (long long)json_object_get_int64(val));
	else if (json_object_is_type(val, json_type_string))
		rc = strbuf_addstr(&sb, json_object_get_string(val));
	else if (!json_object_is_type(val, json_type_null))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: the %s result must be a string",
			       b->name, p->line, key);
	strbuf_trim(&sb);
	if (!rc && sb.len)
		rc = roster_person_add_result(p, key, sb.buf);
	strbuf_release(&sb);
	return rc ? builder_nomem(b) : 0;
}

static int json_opt_out(struct builder *b, struct roster_person *p,
			struct json_object *val)
{
	if (json_object_is_type(val, json_type_null))
		return 0;
	if (!json_object_is_type(val, json_type_boolean))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: opt_out must be true or false, not %s",
			       b->name, p->line,
			       json_object_to_json_string_ext(
				       val, JSON_C_TO_STRING_PLAIN));
	p->opt_out = json_object_get_boolean(val);
	return 0;
}

/* A known key given twice (json-c keeps the last of exact repeats). */
static int json_once(struct builder *b, const struct roster_person *p,
		     const char *key, const void *field)
{
	if (!field)
		return 0;
	return dg_errf(b->err, DG_EINVAL, "%s:%u: key '%s' appears twice",
		       b->name, p->line, key);
}

static char **json_text_slot(struct roster_person *p, enum column_kind kind)
{
	if (kind == COLUMN_EMAIL)
		return &p->email;
	return kind == COLUMN_NAME ? &p->name : &p->title;
}

static int json_field(struct builder *b, struct roster_person *p,
		      const char *key, struct json_object *val)
{
	enum column_kind kind = column_kind_of(key);
	char **slot;
	int rc;

	switch (kind) {
	case COLUMN_EMAIL:
	case COLUMN_NAME:
	case COLUMN_TITLE:
		slot = json_text_slot(p, kind);
		rc = json_once(b, p, key, *slot);
		return rc ? rc : json_text(b, p->line, key, val,
					   kind != COLUMN_EMAIL, slot);
	case COLUMN_ALIASES:
		rc = json_once(b, p, key, p->aliases);
		return rc ? rc : json_aliases(b, p, val);
	case COLUMN_OPT_OUT:
		return json_opt_out(b, p, val);
	case COLUMN_RESULT:
		break;
	}
	return json_result(b, p, key, val);
}

static int json_fields(struct builder *b, struct roster_person *p,
		       struct json_object *obj)
{
	struct strbuf key = STRBUF_INIT;
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	int rc = 0;

	for (; !rc && !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		strbuf_reset(&key);
		if (strbuf_addstr(&key, json_object_iter_peek_name(&it))) {
			rc = builder_nomem(b);
			break;
		}
		strbuf_trim(&key);
		ascii_lower_string(key.buf);
		rc = json_field(b, p, key.buf,
				json_object_iter_peek_value(&it));
	}
	strbuf_release(&key);
	return rc;
}

static struct json_object *json_parse_line(struct builder *b, const char *s,
					   size_t len, unsigned line, int *rc)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	enum json_tokener_error jerr;

	*rc = 0;
	if (!tok) {
		*rc = builder_nomem(b);
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success &&
	    line_has_content(s + json_tokener_get_parse_end(tok),
			     len - json_tokener_get_parse_end(tok)))
		*rc = dg_errf(b->err, DG_EPARSE,
			      "%s:%u: text after the JSON object; each line "
			      "must hold exactly one", b->name, line);
	else if (jerr == json_tokener_continue)
		*rc = dg_errf(b->err, DG_EPARSE,
			      "%s:%u: the line ends inside a JSON value; each "
			      "line must hold one whole object", b->name,
			      line);
	else if (jerr != json_tokener_success)
		*rc = dg_errf(b->err, DG_EPARSE, "%s:%u: not valid JSON: %s",
			      b->name, line, json_tokener_error_desc(jerr));
	else if (!json_object_is_type(obj, json_type_object))
		*rc = dg_errf(b->err, DG_EPARSE,
			      "%s:%u: each line must be a JSON object",
			      b->name, line);
	json_tokener_free(tok);
	if (*rc) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static int jsonl_line(struct builder *b, const char *s, size_t len,
		      unsigned line)
{
	struct roster_person p = { .line = line };
	struct json_object *obj;
	int rc;

	if (!utf8_valid(s, len))
		return dg_errf(b->err, DG_EPARSE,
			       "%s:%u: not UTF-8 text; save the roster as "
			       "UTF-8", b->name, line);
	if (len > INT32_MAX)
		return dg_errf(b->err, DG_ETOOBIG, "%s:%u: the line is too long",
			       b->name, line);
	obj = json_parse_line(b, s, len, line, &rc);
	if (rc)
		return rc;
	rc = json_fields(b, &p, obj);
	if (!rc)
		rc = builder_add(b, &p);
	roster_person_release(&p);
	json_object_put(obj);
	return rc;
}

int roster_read_jsonl(const char *text, size_t len, const char *name,
		      struct roster *out, struct dg_err *err)
{
	struct builder b = { name, out, { NULL, 0, 0 }, err };
	size_t pos = 0, end;
	unsigned line = 0;
	int rc = 0;

	skip_bom(&text, &len);
	while (!rc && pos < len) {
		end = line_end(text, len, pos);
		line++;
		if (line_has_content(text + pos, end - pos))
			rc = jsonl_line(&b, text + pos, end - pos, line);
		pos = end;
	}
	builder_release(&b);
	if (rc)
		roster_release(out);
	return rc;
}

static bool ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !ascii_casecmp(s + n - k, suffix);
}

static int read_text(const char *path, const struct strbuf *sb,
		     struct roster *out, struct dg_err *err)
{
	if (ends_with_nocase(path, ".jsonl") ||
	    ends_with_nocase(path, ".ndjson"))
		return roster_read_jsonl(sb->buf, sb->len, path, out, err);
	return roster_read_csv(sb->buf, sb->len, path, out, err);
}

static int slurp(const char *path, struct strbuf *sb, struct dg_err *err)
{
	int rc = strbuf_read_file(sb, path);

	if (rc == DG_EIO)
		return dg_errf(err, rc, "%s: cannot read the roster: %s", path,
			       strerror(errno));
	if (rc)
		return dg_errf(err, rc, "%s: cannot read the roster: %s", path,
			       dg_strerror(rc));
	return 0;
}

int roster_read_file(const char *path, struct roster *out,
		     struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = slurp(path, &sb, err);

	if (!rc)
		rc = read_text(path, &sb, out, err);
	strbuf_release(&sb);
	return rc;
}

/* BLAKE2b-256 of the file, in hex: lets a run skip an unchanged roster. */
static int hash_hex(const struct strbuf *sb, struct strbuf *hex,
		    struct dg_err *err)
{
	unsigned char h[crypto_generichash_BYTES];
	char text[crypto_generichash_BYTES * 2 + 1];

	if (sodium_init() < 0 ||
	    crypto_generichash(h, sizeof(h), (const unsigned char *)sb->buf,
			       sb->len, NULL, 0))
		return dg_errf(err, DG_EINTERNAL,
			       "libsodium failed to hash the roster");
	sodium_bin2hex(text, sizeof(text), h, sizeof(h));
	if (strbuf_addstr(hex, text))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
}

static int import_roster(struct store *st, const char *path,
			 const struct roster *r, const char *hash,
			 struct dg_err *err)
{
	int rc = store_begin(st, err);

	if (rc)
		return rc;
	rc = store_roster_replace(st, r, err);
	if (!rc)
		rc = store_meta_set(st, "roster.file", path, err);
	if (!rc)
		rc = store_meta_set(st, "roster.hash", hash, err);
	if (!rc)
		return store_commit(st, err);
	store_rollback(st);
	return rc;
}

int roster_import(struct store *st, const char *path, size_t *npeople,
		  struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT, hash = STRBUF_INIT;
	struct roster r = ROSTER_INIT;
	int rc = slurp(path, &sb, err);

	if (!rc)
		rc = read_text(path, &sb, &r, err);
	if (!rc)
		rc = hash_hex(&sb, &hash, err);
	if (!rc)
		rc = import_roster(st, path, &r, hash.buf, err);
	if (!rc && !r.n)
		logging_warn("%s: no people in the file: the roster is now "
			     "empty", path);
	if (!rc)
		logging_info("%s: imported %zu people", path, r.n);
	if (!rc && npeople)
		*npeople = r.n;
	roster_release(&r);
	strbuf_release(&sb);
	strbuf_release(&hash);
	return rc;
}
