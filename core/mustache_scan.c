/*
 * mustache: the compiler's first pass, tokens (mustache_scan.h). The
 * passes after it are in mustache.c.
 */
#include "mustache_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mustache_tree.h"

void mustache_linecol(const char *s, size_t pos, unsigned *line, unsigned *col)
{
	size_t i, bol = 0;
	unsigned l = 1;

	for (i = 0; i < pos; i++) {
		if (s[i] == '\n') {
			l++;
			bol = i + 1;
		}
	}
	*line = l;
	*col = (unsigned)(pos - bol + 1);
}

/* The line of pos; pos only moves forward between calls. */
unsigned mustache_line_at(struct parser *p, size_t pos)
{
	for (; p->lc_pos < pos; p->lc_pos++) {
		if (p->src[p->lc_pos] == '\n')
			p->lc_line++;
	}
	return p->lc_line;
}

int mustache_parse_error(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[DG_ERR_MAX];
	unsigned line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mustache_linecol(p->src, pos, &line, &col);
	return dg_errf(p->err, DG_EPARSE, "%s:%u:%u: %s", p->name, line, col,
		       msg);
}

int mustache_nomem(struct parser *p)
{
	return dg_errf(p->err, DG_ENOMEM, "%s: out of memory compiling",
		       p->name);
}

static int is_blank_char(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int mustache_is_blank(const char *s, size_t n)
{
	while (n && is_blank_char(*s)) {
		s++;
		n--;
	}
	return !n;
}

static struct token *add_token(struct parser *p, enum tok_kind kind,
			       size_t start, size_t end)
{
	struct token *toks, *t;
	struct line *lines;

	toks = mustache_grow(p->toks, &p->atok, p->ntok + 1, sizeof(*toks));
	if (!toks)
		return NULL;
	p->toks = toks;
	if (!p->nline || p->line_done) {
		lines = mustache_grow(p->lines, &p->aline, p->nline + 1,
				      sizeof(*lines));
		if (!lines)
			return NULL;
		p->lines = lines;
		p->lines[p->nline].first = p->ntok;
		p->lines[p->nline].n = 0;
		p->lines[p->nline].standalone = 0;
		p->nline++;
		p->line_done = 0;
	}
	t = &p->toks[p->ntok++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->start = start;
	t->end = end;
	t->line = p->nline - 1;
	p->lines[t->line].n++;
	return t;
}

/* Text from start to end, one token per line. */
static int add_text(struct parser *p, size_t start, size_t end)
{
	while (start < end) {
		const char *nl = memchr(p->src + start, '\n', end - start);
		size_t stop = nl ? (size_t)(nl - p->src) + 1 : end;

		if (!add_token(p, TOK_TEXT, start, stop))
			return mustache_nomem(p);
		p->line_done = !!nl;
		start = stop;
	}
	return 0;
}

/*
 * Find the closing delimiter from pos on; with a closer character (the '}'
 * of a triple mustache, the '=' of a set-delimiter tag) it must come first.
 * Sets the end of the content and of the tag; 0 when there is none.
 */
static int find_close(const struct parser *p, size_t pos, char closer,
		      size_t *content_end, size_t *tag_end)
{
	size_t from = pos;

	while (pos < p->len) {
		const char *hit =
			memmem(p->src + pos, p->len - pos, p->close, p->clen);
		size_t k;

		if (!hit)
			return 0;
		k = (size_t)(hit - p->src);
		if (!closer || (k > from && p->src[k - 1] == closer)) {
			*content_end = closer ? k - 1 : k;
			*tag_end = k + p->clen;
			return 1;
		}
		pos = k + 1;
	}
	return 0;
}

static void trim(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_blank_char(s[*start]))
		(*start)++;
	while (*end > *start && is_blank_char(s[*end - 1]))
		(*end)--;
}

/* {{=<% %>=}}: the content holds two delimiters separated by blanks. */
static int set_delims(struct parser *p, const struct token *t, size_t cs,
		      size_t ce)
{
	size_t oe, c, i;

	trim(p->src, &cs, &ce);
	for (oe = cs; oe < ce && !is_blank_char(p->src[oe]); oe++)
		;
	for (c = oe; c < ce && is_blank_char(p->src[c]); c++)
		;
	for (i = c; i < ce && !is_blank_char(p->src[i]); i++)
		;
	if (oe == cs || c == ce || i != ce ||
	    memchr(p->src + cs, '=', oe - cs) ||
	    memchr(p->src + c, '=', ce - c))
		return mustache_parse_error(
			p, t->start,
			"set-delimiter tag '%.*s' needs two "
			"delimiters without '=' separated by a "
			"space, as in {{=<%% %%>=}}",
			QUOTE(p, t));
	p->open = p->src + cs;
	p->olen = oe - cs;
	p->close = p->src + c;
	p->clen = ce - c;
	return 0;
}

static int is_dotted_kind(const struct token *t)
{
	return t->kind == TOK_VAR || t->kind == TOK_RAW ||
	       t->kind == TOK_SECTION || t->kind == TOK_INVERTED || t->dynamic;
}

static int check_name(struct parser *p, const struct token *t)
{
	const char *n = p->src + t->name;
	size_t len = t->name_len, i;

	if (!len)
		return mustache_parse_error(
			p, t->start, "tag '%.*s' has no name", QUOTE(p, t));
	for (i = 0; i < len; i++) {
		if (is_blank_char(n[i]))
			return mustache_parse_error(
				p, t->start,
				"tag '%.*s' has white space in "
				"its name",
				QUOTE(p, t));
	}
	if (!is_dotted_kind(t) || (len == 1 && n[0] == '.'))
		return 0;
	if (n[0] == '.' || n[len - 1] == '.' || memmem(n, len, "..", 2))
		return mustache_parse_error(
			p, t->start,
			"tag '%.*s' has an empty part in its "
			"dotted name",
			QUOTE(p, t));
	return 0;
}

static enum tok_kind tag_kind(char c, char *closer)
{
	*closer = 0;
	switch (c) {
	case '{':
		*closer = '}';
		return TOK_RAW;
	case '&':
		return TOK_RAW;
	case '#':
		return TOK_SECTION;
	case '^':
		return TOK_INVERTED;
	case '/':
		return TOK_CLOSE;
	case '!':
		return TOK_COMMENT;
	case '>':
		return TOK_PARTIAL;
	case '<':
		return TOK_PARENT;
	case '$':
		return TOK_BLOCK;
	case '=':
		*closer = '=';
		return TOK_DELIM;
	}
	return TOK_VAR;
}

/* The tag opening at at; *next is set past its end. */
static int read_tag(struct parser *p, size_t at, size_t *next)
{
	size_t cs = at + p->olen, ce, end;
	enum tok_kind kind = TOK_VAR;
	struct token *t;
	char closer = 0;

	if (cs < p->len) {
		kind = tag_kind(p->src[cs], &closer);
		if (kind != TOK_VAR)
			cs++;
	}
	if (!find_close(p, cs, closer, &ce, &end))
		return mustache_parse_error(
			p, at,
			"tag '%.*s' is never closed: no '%s%.*s' "
			"follows",
			(int)(p->len - at > 20 ? 20 : p->len - at), p->src + at,
			closer == '}' ? "}" : "", (int)p->clen, p->close);
	t = add_token(p, kind, at, end);
	if (!t)
		return mustache_nomem(p);
	*next = end;
	if (kind == TOK_COMMENT)
		return 0;
	if (kind == TOK_DELIM)
		return set_delims(p, t, cs, ce);
	trim(p->src, &cs, &ce);
	if ((kind == TOK_PARTIAL || kind == TOK_PARENT) && cs < ce &&
	    p->src[cs] == '*') {
		t->dynamic = 1;
		cs++;
		trim(p->src, &cs, &ce);
	}
	t->name = cs;
	t->name_len = ce - cs;
	return check_name(p, t);
}

int mustache_tokenize(struct parser *p)
{
	size_t pos = 0;
	int rc;

	while (pos < p->len) {
		const char *hit =
			memmem(p->src + pos, p->len - pos, p->open, p->olen);
		size_t at = hit ? (size_t)(hit - p->src) : p->len;

		rc = add_text(p, pos, at);
		if (rc)
			return rc;
		if (!hit)
			break;
		rc = read_tag(p, at, &pos);
		if (rc)
			return rc;
	}
	return 0;
}
