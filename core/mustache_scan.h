/*
 * mustache_scan: the compiler's first pass and what its passes share; a
 * part of module mustache, not for other modules.
 *
 * mustache_tokenize() cuts a template's source into a flat list of text
 * and tag tokens, applying set-delimiter tags as they come; mustache.c
 * then marks standalone lines (pass 2) and builds the tree (pass 3) over
 * the same struct parser.
 *
 * Invariants: text tokens never run past a newline, so every line of the
 * source is a run of whole tokens; a token's offsets point into p->src.
 * Ownership: the parser owns its token and line arrays (mustache.c frees
 * them); src, name and err are the caller's.
 * Errors: int functions return 0 or a DG_E* code with a message in
 * p->err naming the template, and the line and column for DG_EPARSE.
 */
#ifndef DIGEST_MUSTACHE_SCAN_H
#define DIGEST_MUSTACHE_SCAN_H

#include <stddef.h>

#include "err.h"

/* Tags quoted in messages are cut to this many bytes. */
#define QUOTE_MAX 60

/* printf arguments quoting the source text of a token, cut short. */
#define QUOTE(p, t)                                                            \
	(int)((t)->end - (t)->start > QUOTE_MAX ? QUOTE_MAX                    \
						: (t)->end - (t)->start),      \
		(p)->src + (t)->start

enum tok_kind {
	TOK_TEXT,
	TOK_VAR,
	TOK_RAW,
	TOK_SECTION,
	TOK_INVERTED,
	TOK_CLOSE,
	TOK_COMMENT,
	TOK_PARTIAL,
	TOK_PARENT,
	TOK_BLOCK,
	TOK_DELIM
};

struct token {
	enum tok_kind kind;
	size_t start, end;     /* TEXT: its bytes; a tag: the whole tag */
	size_t name, name_len; /* a tag's name */
	int dynamic;	       /* {{>*x}} or {{<*x}} */
	int dropped;	       /* TEXT of a standalone line: not output */
	int standalone;	       /* a tag on a standalone line */
	size_t line;	       /* index in parser.lines */
	size_t match;	       /* an opening tag: its closing tag */
};

struct line {
	size_t first, n; /* its tokens */
	int standalone;
};

struct parser {
	const char *src;
	size_t len;
	const char *name;
	struct dg_err *err;
	struct token *toks;
	size_t ntok, atok;
	struct line *lines;
	size_t nline, aline;
	int line_done; /* the last token ended its line */
	const char *open, *close;
	size_t olen, clen;
	size_t lc_pos; /* mustache_line_at() cache */
	unsigned lc_line;
	size_t nlinks; /* PARTIAL and PARENT nodes of a fixed name so far */
};

/* Pass 1: p->src into p->toks and p->lines. */
int mustache_tokenize(struct parser *p);

/* The line and column (from 1) of byte pos of s. */
void mustache_linecol(const char *s, size_t pos, unsigned *line, unsigned *col);

/* The line of pos; pos only moves forward between calls on p. */
unsigned mustache_line_at(struct parser *p, size_t pos);

/* DG_EPARSE, with "name:line:col: " and the message in p->err. */
__attribute__((format(printf, 3, 4))) int
mustache_parse_error(struct parser *p, size_t pos, const char *fmt, ...);

/* DG_ENOMEM, with a message naming the template in p->err. */
int mustache_nomem(struct parser *p);

/* Whether the n bytes of s are all blanks (space, tab, CR, LF). */
int mustache_is_blank(const char *s, size_t n);

#endif
