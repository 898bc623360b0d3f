/*
 * mustache: the compiler. The data tree is in mustache_value.c, rendering
 * in mustache_render.c, the cache of partials in mustache_partials.c; they
 * share the structures of mustache_tree.h.
 *
 * Compiling takes three passes over a flat token list:
 *  1. tokenize (mustache_scan.c): text and tags, applying set-delimiter
 *     tags as they come; text tokens never run past a newline, so every
 *     line of the source is a run of whole tokens;
 *  2. lines: a line holding only blanks and non-interpolation tags is
 *     "standalone": its blanks and line ending are not output;
 *  3. build: match opening and closing tags into a tree, strip a block's
 *     own indentation from its content (the spec's block reindentation),
 *     and put an INDENT node at the start of every output line, where the
 *     indentation of a standalone partial goes at render time.
 */
#include "mustache.h"
#include "mustache_scan.h"
#include "mustache_tree.h"

#include "err.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sections nest at most this deep in one template (the renderer recurses). */
#define MAX_NESTING 100

/* --- pass 2: standalone lines ------------------------------------------- */

static int can_stand_alone(enum tok_kind kind)
{
	return kind != TOK_TEXT && kind != TOK_VAR && kind != TOK_RAW;
}

static int same_name(const struct parser *p, const struct token *a,
		     const struct token *b)
{
	return a->name_len == b->name_len &&
	       !memcmp(p->src + a->name, p->src + b->name, a->name_len);
}

/*
 * A line of blanks and tags that output nothing is not output itself.
 * Several tags may share the line ("{{<parent}}{{$block}}", which the
 * inheritance spec needs, or "{{/a}}{{^a}}") but at most one partial or
 * parent: "{{>a}} {{>b}}" is a line of text. "{{$b}}{{/b}}" keeps its line
 * ending: the block's content replaces it, in the middle of a line that
 * goes on (spec: "Standalone block").
 */
static void mark_line(struct parser *p, struct line *l)
{
	size_t i, end = l->first + l->n, last = SIZE_MAX, includes = 0;
	int keep;

	for (i = l->first; i < end; i++) {
		const struct token *t = &p->toks[i];

		if (t->kind == TOK_TEXT) {
			if (!mustache_is_blank(p->src + t->start,
					       t->end - t->start))
				return;
			continue;
		}
		if (!can_stand_alone(t->kind))
			return;
		if (t->kind == TOK_PARTIAL || t->kind == TOK_PARENT)
			includes++;
		last = i;
	}
	if (last == SIZE_MAX || includes > 1)
		return;
	keep = p->toks[last].kind == TOK_CLOSE && last > l->first &&
	       p->toks[last - 1].kind == TOK_BLOCK &&
	       same_name(p, &p->toks[last - 1], &p->toks[last]);
	l->standalone = 1;
	for (i = l->first; i < end; i++) {
		struct token *t = &p->toks[i];

		if (t->kind == TOK_TEXT)
			t->dropped = !(keep && i > last);
		else
			t->standalone = 1;
	}
}

/* --- pass 3: the tree --------------------------------------------------- */

static int is_opening(enum tok_kind kind)
{
	return kind == TOK_SECTION || kind == TOK_INVERTED ||
	       kind == TOK_PARENT || kind == TOK_BLOCK;
}

/* A dynamic parent {{<*x}} is closed by {{/ *x}} without the space. */
static int closes(const struct parser *p, const struct token *open,
		  const struct token *close)
{
	const char *c = p->src + close->name;

	if (!open->dynamic)
		return same_name(p, open, close);
	return close->name_len == open->name_len + 1 && c[0] == '*' &&
	       !memcmp(c + 1, p->src + open->name, open->name_len);
}

static int match_sections(struct parser *p)
{
	size_t stack[MAX_NESTING], n = 0, i;

	for (i = 0; i < p->ntok; i++) {
		struct token *t = &p->toks[i], *open;
		unsigned line, col;

		if (is_opening(t->kind)) {
			if (n == MAX_NESTING)
				return mustache_parse_error(
					p, t->start,
					"sections nest deeper than "
					"%d levels",
					MAX_NESTING);
			stack[n++] = i;
			continue;
		}
		if (t->kind != TOK_CLOSE)
			continue;
		if (!n)
			return mustache_parse_error(
				p, t->start,
				"'%.*s' closes nothing: no section "
				"is open",
				QUOTE(p, t));
		open = &p->toks[stack[n - 1]];
		if (!closes(p, open, t)) {
			mustache_linecol(p->src, open->start, &line, &col);
			return mustache_parse_error(
				p, t->start,
				"'%.*s' does not close '%.*s' "
				"(line %u, column %u)",
				QUOTE(p, t), QUOTE(p, open), line, col);
		}
		open->match = i;
		n--;
	}
	if (n)
		return mustache_parse_error(p, p->toks[stack[n - 1]].start,
					    "section '%.*s' is never closed",
					    QUOTE(p, &p->toks[stack[n - 1]]));
	return 0;
}

/* Blanks and a line ending only, up to token stop (exclusive). */
static int line_is_blank(const struct parser *p, size_t l, size_t stop)
{
	const struct line *ln = &p->lines[l];
	size_t i;

	for (i = ln->first; i < ln->first + ln->n && i < stop; i++) {
		const struct token *t = &p->toks[i];

		if (t->kind != TOK_TEXT ||
		    !mustache_is_blank(p->src + t->start, t->end - t->start))
			return 0;
	}
	return 1;
}

/* The spaces and tabs that start line l (none if a tag starts it). */
static size_t line_indent(const struct parser *p, size_t l, const char **ws)
{
	const struct token *t = &p->toks[p->lines[l].first];
	size_t n = 0;

	*ws = p->src + t->start;
	if (t->kind != TOK_TEXT)
		return 0;
	while (t->start + n < t->end && ((*ws)[n] == ' ' || (*ws)[n] == '\t'))
		n++;
	return n;
}

/*
 * A standalone block's content loses the indentation its lines have in
 * common (the renderer puts the indentation of the place it lands instead).
 * Lines between the block's tags count, and the closing tag's line if text
 * comes before it. Returns that common indentation.
 */
static size_t dedent_block(struct parser *p, size_t open, const char **margin)
{
	size_t close = p->toks[open].match, first = p->toks[open].line + 1;
	size_t last = p->toks[close].line, l, n = 0, k;
	int have = 0;

	*margin = "";
	if (last < first)
		return 0;
	if (p->lines[last].standalone) {
		if (last == first)
			return 0;
		last--;
	}
	for (l = first; l <= last; l++) {
		const char *ws;
		size_t wn;

		if (line_is_blank(p, l, close))
			continue;
		wn = line_indent(p, l, &ws);
		if (!have) {
			*margin = ws;
			n = wn;
			have = 1;
			continue;
		}
		for (k = 0; k < n && k < wn && ws[k] == (*margin)[k]; k++)
			;
		n = k;
	}
	for (l = first; n && l <= last; l++) {
		const char *ws;
		size_t wn = line_indent(p, l, &ws);

		p->toks[p->lines[l].first].start += wn < n ? wn : n;
	}
	return n;
}

/* Has line l anything to output beyond its line ending? */
static int line_has_content(const struct parser *p, size_t l)
{
	const struct line *ln = &p->lines[l];
	size_t i;

	for (i = ln->first; i < ln->first + ln->n; i++) {
		const struct token *t = &p->toks[i];
		size_t n = t->end - t->start;
		const char *s = p->src + t->start;

		if (t->kind != TOK_TEXT)
			return 1;
		if (t->dropped)
			continue;
		if (n && s[n - 1] == '\n')
			n--;
		if (n && s[n - 1] == '\r')
			n--;
		if (n)
			return 1;
	}
	return 0;
}

static struct mustache_node *body_add(struct mustache_body *b,
				      enum mustache_node_kind kind)
{
	struct mustache_node *nodes, *node;

	nodes = mustache_grow(b->nodes, &b->alloc, b->n + 1, sizeof(*nodes));
	if (!nodes)
		return NULL;
	b->nodes = nodes;
	node = &b->nodes[b->n++];
	memset(node, 0, sizeof(*node));
	node->kind = kind;
	node->text = "";
	return node;
}

/* The blanks before a standalone tag when it is the first on its line. */
static void tag_indent(const struct parser *p, size_t i,
		       struct mustache_node *node)
{
	const struct line *l = &p->lines[p->toks[i].line];
	const struct token *first = &p->toks[l->first];

	if (!p->toks[i].standalone || i != l->first + 1 ||
	    first->kind != TOK_TEXT)
		return;
	node->text = p->src + first->start;
	node->len = first->end - first->start;
}

static enum mustache_node_kind node_kind(enum tok_kind kind)
{
	switch (kind) {
	case TOK_VAR:
		return MUSTACHE_N_VAR;
	case TOK_RAW:
		return MUSTACHE_N_RAW;
	case TOK_SECTION:
		return MUSTACHE_N_SECTION;
	case TOK_INVERTED:
		return MUSTACHE_N_INVERTED;
	case TOK_PARTIAL:
		return MUSTACHE_N_PARTIAL;
	case TOK_PARENT:
		return MUSTACHE_N_PARENT;
	case TOK_BLOCK:
		return MUSTACHE_N_BLOCK;
	default:
		return MUSTACHE_N_TEXT;
	}
}

/* What a lookup of node's name needs, measured once (mustache_tree.h). */
static void name_ready(struct mustache_node *node)
{
	const char *dot = strchr(node->name, '.');

	node->name_len = strlen(node->name);
	/* "." is the implicit iterator, not a dotted name */
	node->first_len = dot && node->name_len > 1 ? (size_t)(dot - node->name)
						    : node->name_len;
	node->first_hash = mustache_key_hash(node->name, node->first_len);
}

/* The node of tag token i, added to b. */
static struct mustache_node *add_tag(struct parser *p, size_t i,
				     struct mustache_body *b)
{
	const struct token *t = &p->toks[i];
	struct mustache_node *node = body_add(b, node_kind(t->kind));
	const char *margin;
	size_t n;

	if (!node)
		return NULL;
	node->line = mustache_line_at(p, t->start);
	node->dynamic = t->dynamic;
	node->standalone = t->standalone;
	node->name = strndup(p->src + t->name, t->name_len);
	if (!node->name)
		return NULL;
	name_ready(node);
	if ((t->kind == TOK_PARTIAL || t->kind == TOK_PARENT) && !t->dynamic)
		node->link = p->nlinks++;
	if (t->kind == TOK_BLOCK && t->standalone) {
		n = dedent_block(p, i, &margin);
		if (n) {
			node->text = margin;
			node->len = n;
			return node;
		}
	}
	if (t->kind == TOK_PARTIAL || t->kind == TOK_PARENT ||
	    t->kind == TOK_BLOCK)
		tag_indent(p, i, node);
	return node;
}

static int add_text_node(struct mustache_body *b, const char *s, size_t n)
{
	struct mustache_node *node = body_add(b, MUSTACHE_N_TEXT);

	if (!node)
		return DG_ENOMEM;
	node->text = s;
	node->len = n;
	return 0;
}

static int build(struct parser *p, struct mustache_body *root)
{
	struct mustache_body *stack[MAX_NESTING + 1];
	struct mustache_node *node;
	size_t depth = 0, i, line = SIZE_MAX;

	stack[0] = root;
	for (i = 0; i < p->ntok; i++) {
		const struct token *t = &p->toks[i];
		struct mustache_body *b = stack[depth];

		if (t->line != line) {
			line = t->line;
			if (!p->lines[line].standalone &&
			    line_has_content(p, line) &&
			    !body_add(b, MUSTACHE_N_INDENT))
				return mustache_nomem(p);
		}
		switch (t->kind) {
		case TOK_TEXT:
			if (!t->dropped && t->end > t->start &&
			    add_text_node(b, p->src + t->start,
					  t->end - t->start))
				return mustache_nomem(p);
			break;
		case TOK_CLOSE:
			depth--;
			break;
		case TOK_COMMENT:
		case TOK_DELIM:
			break;
		default:
			node = add_tag(p, i, b);
			if (!node)
				return mustache_nomem(p);
			if (is_opening(t->kind))
				stack[++depth] = &node->body;
			break;
		}
	}
	return 0;
}

/*
 * The end of the run of TEXT and INDENT nodes of b from i whose texts
 * follow each other in the source; *texts counts its TEXT nodes and
 * *start, *end are where their texts begin and end.
 */
static size_t lines_run(const struct mustache_body *b, size_t i, size_t *texts,
			const char **start, const char **end)
{
	*texts = 0;
	for (; i < b->n; i++) {
		const struct mustache_node *node = &b->nodes[i];

		if (node->kind == MUSTACHE_N_INDENT)
			continue;
		if (node->kind != MUSTACHE_N_TEXT ||
		    (*texts && node->text != *end))
			break;
		if (!(*texts)++)
			*start = node->text;
		*end = node->text + node->len;
	}
	return i;
}

/* Drop a fold that ran out of memory (b still owns every node). */
static int unfold(struct mustache_body *out)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->nodes[i].kind == MUSTACHE_N_LINES)
			free(out->nodes[i].body.nodes);
	free(out->nodes);
	return DG_ENOMEM;
}

/*
 * Fold every run of two or more lines of text in b (and in the bodies of
 * its nodes) into one LINES node, so that rendering mostly copies a run
 * at once instead of node by node.
 */
static int fold_lines(struct mustache_body *b)
{
	struct mustache_body out = {0};
	struct mustache_node *node;
	size_t i = 0, j, texts;
	const char *start = NULL, *end = NULL;

	for (j = 0; j < b->n; j++)
		if (fold_lines(&b->nodes[j].body))
			return DG_ENOMEM;
	while (i < b->n) {
		j = lines_run(b, i, &texts, &start, &end);
		if (texts < 2)
			j = i + 1;
		node = body_add(&out, texts < 2 ? b->nodes[i].kind
						: MUSTACHE_N_LINES);
		if (!node)
			return unfold(&out);
		if (texts < 2) {
			*node = b->nodes[i++];
			continue;
		}
		node->text = start;
		node->len = (size_t)(end - start);
		node->body.nodes = malloc((j - i) * sizeof(*node->body.nodes));
		if (!node->body.nodes)
			return unfold(&out);
		memcpy(node->body.nodes, b->nodes + i,
		       (j - i) * sizeof(*node->body.nodes));
		node->body.n = node->body.alloc = j - i;
		i = j;
	}
	free(b->nodes);
	*b = out;
	return 0;
}

static int looks_up(enum mustache_node_kind kind)
{
	return kind == MUSTACHE_N_VAR || kind == MUSTACHE_N_RAW ||
	       kind == MUSTACHE_N_SECTION || kind == MUSTACHE_N_INVERTED;
}

/*
 * Mark the nodes of b (and of the bodies below) that look up the name
 * the node before them in b looked up (mustache_node.again).
 */
static void mark_again(struct mustache_body *b)
{
	const struct mustache_node *last = NULL;

	for (size_t i = 0; i < b->n; i++) {
		struct mustache_node *node = &b->nodes[i];

		mark_again(&node->body);
		if (!looks_up(node->kind))
			continue;
		node->again = last && !strcmp(last->name, node->name);
		last = node;
	}
}

static void body_release(struct mustache_body *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->nodes[i].name);
		body_release(&b->nodes[i].body);
	}
	free(b->nodes);
}

void mustache_template_free(struct mustache_template *t)
{
	if (!t)
		return;
	body_release(&t->root);
	free(t->name);
	free(t->src);
	free(t);
}

const char *mustache_template_name(const struct mustache_template *t)
{
	return t->name;
}

/* The names body reads, for mustache_template_names(). */
static int body_names(const struct mustache_body *b, mustache_name_fn *fn,
		      void *ctx)
{
	int more = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct mustache_node *node = &b->nodes[i];
		size_t len;

		switch (node->kind) {
		case MUSTACHE_N_PARTIAL:
		case MUSTACHE_N_PARENT:
			more = 1;
			break;
		case MUSTACHE_N_VAR:
		case MUSTACHE_N_RAW:
		case MUSTACHE_N_SECTION:
		case MUSTACHE_N_INVERTED:
			len = strcspn(node->name, ".");
			if (len)
				fn(node->name, len, ctx);
			break;
		default:
			break;
		}
		more |= body_names(&node->body, fn, ctx);
	}
	return more;
}

int mustache_template_names(const struct mustache_template *t,
			    mustache_name_fn *fn, void *ctx)
{
	return body_names(&t->root, fn, ctx);
}

int mustache_compile(const char *text, size_t len, const char *name,
		     struct mustache_template **out, struct dg_err *err)
{
	struct mustache_template *t = calloc(1, sizeof(*t));
	struct parser p = {
		.open = "{{",
		.olen = 2,
		.close = "}}",
		.clen = 2,
		.lc_line = 1,
		.err = err,
		.len = len,
	};
	size_t i;
	int rc;

	*out = NULL;
	if (t && len < SIZE_MAX) {
		t->name = strdup(name ? name : "template");
		t->src = malloc(len + 1);
	}
	if (!t || !t->name || !t->src) {
		mustache_template_free(t);
		return dg_errf(err, DG_ENOMEM, "%s: out of memory compiling",
			       name ? name : "template");
	}
	if (len)
		memcpy(t->src, text, len);
	t->src[len] = '\0';
	t->len = len;
	p.src = t->src;
	p.name = t->name;
	rc = mustache_tokenize(&p);
	for (i = 0; !rc && i < p.nline; i++)
		mark_line(&p, &p.lines[i]);
	if (!rc)
		rc = match_sections(&p);
	if (!rc)
		rc = build(&p, &t->root);
	if (!rc && fold_lines(&t->root))
		rc = mustache_nomem(&p);
	if (!rc)
		mark_again(&t->root);
	t->nlinks = p.nlinks;
	free(p.toks);
	free(p.lines);
	if (rc) {
		mustache_template_free(t);
		return rc;
	}
	*out = t;
	return 0;
}
