/*
 * mustache: rendering (the compiler is in mustache.c, the cache of
 * partials in mustache_partials.c).
 *
 * The renderer walks the compiled tree with three stacks kept on the C
 * stack: the context stack of data frames (sections push one), the chain
 * of parent tags whose {{$block}} overrides are in force (the outermost
 * override of a name wins), and the indentation of standalone partials,
 * parents and blocks, emitted at every INDENT node the compiler placed at
 * a line start.
 */
#include "mustache.h"
#include "mustache_tree.h"

#include "err.h"
#include "logging.h"
#include "strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- values ------------------------------------------------------------- */

/*
 * The shortest text that reads back as d (1.21, not 1.2100000000000000),
 * integers without a fraction, and '.' whatever the locale.
 */
static void format_double(double d, char *buf, size_t size)
{
	char *s, *w;
	int prec;

	if (isnan(d) || isinf(d)) {
		snprintf(buf, size, "%s",
			 isnan(d) ? "NaN"
			 : d > 0  ? "Infinity"
				  : "-Infinity");
		return;
	}
	if (d == 0) {
		snprintf(buf, size, "0");
		return;
	}
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(buf, size, "%.0f", d);
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (prec == 17)
		snprintf(buf, size, "%.17g", d);
	/* The locale's radix (maybe several bytes) becomes one '.'. */
	for (s = w = buf; *s; s++) {
		if ((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' ||
		    *s == 'e')
			*w++ = *s;
		else if (w == buf || w[-1] != '.')
			*w++ = '.';
	}
	*w = '\0';
}

/*
 * The decimal digits of i at the end of buf (of at least 21 bytes), as
 * "%" PRId64 writes them, without the cost of a format string: a digest
 * prints thousands of counts. Returns where they start.
 */
static char *format_int(int64_t i, char *buf, size_t size)
{
	char *p = buf + size;
	/* the magnitude in unsigned arithmetic: INT64_MIN has no positive */
	uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;

	*--p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		*--p = '-';
	return p;
}

/*
 * The text of a scalar: its bytes in *s and *n, or in buf for a number.
 * Null, lists and maps have none.
 */
static void scalar_text(const struct mustache_value *v, char *buf, size_t size,
			const char **s, size_t *n)
{
	*s = buf;
	buf[0] = '\0';
	if (v && v->kind == MUSTACHE_STRING) {
		*s = v->u.str.s;
		*n = v->u.str.len;
		return;
	}
	if (v && v->kind == MUSTACHE_BOOL)
		snprintf(buf, size, "%s", v->u.b ? "true" : "false");
	else if (v && v->kind == MUSTACHE_INT)
		*s = format_int(v->u.i, buf, size);
	else if (v && v->kind == MUSTACHE_FLOAT)
		format_double(v->u.f, buf, size);
	*n = strlen(*s);
}

/* The value of key (len bytes, hash h) in map v, else NULL. */
static const struct mustache_value *map_get(const struct mustache_value *v,
					    const char *key, size_t len,
					    uint32_t h)
{
	size_t i;

	if (!v || v->kind != MUSTACHE_MAP)
		return NULL;
	i = mustache_map_find(v, key, len, h);
	return i < v->u.map.n ? v->u.map.pairs[i].value : NULL;
}

/* --- rendering ---------------------------------------------------------- */

/* The context stack: sections push a frame. */
struct frame {
	const struct mustache_value *v;
	const struct frame *up;
};

/* The parent tags being rendered: their {{$block}}s override. */
struct scope {
	const struct mustache_node *parent;
	const char *tname; /* the template holding the parent tag */
	struct mustache_cached **links; /* and its links (NULL: none) */
	const struct scope *up;
};

/*
 * The output goes straight to the caller's buffer, after its first start
 * bytes, and at most room bytes of it: a failure cuts out back to start.
 */
struct render {
	struct mustache_partials *partials;
	enum mustache_escape escape;
	struct strbuf *out;
	size_t start, room;
	struct dg_err *err;
	const char *tname;    /* the template being rendered, for messages */
	/* the links of its entry in partials, when it has one */
	struct mustache_cached **links;
	unsigned depth;	      /* partials, parents and overrides entered */
	unsigned long steps;  /* nodes of the bodies entered: the budget */
	struct strbuf indent; /* the indentation is indent.buf[base..len] */
	size_t base;
	int lead; /* output starts with indent.buf[lead_at..]: */
	size_t lead_at, lead_end;
};

/* What to restore when leaving a partial, a parent or a block. */
struct saved {
	size_t len, base;
	const char *tname;
	struct mustache_cached **links;
};

/* render_body() and render_node() call each other. */
static int render_body(struct render *r, const struct mustache_body *b,
		       const struct frame *f, const struct scope *s);

static int too_big(struct render *r)
{
	return dg_errf(r->err, DG_ETOOBIG,
		       "%s: the rendering is larger than %zu bytes", r->tname,
		       r->room);
}

static int add(struct render *r, const char *s, size_t n)
{
	/* checked here, so that strbuf never empties out for its max */
	if (n > r->room - (r->out->len - r->start))
		return too_big(r);
	if (strbuf_add(r->out, s, n))
		return dg_errf(r->err, DG_ENOMEM,
			       "%s: out of memory rendering", r->tname);
	return 0;
}

/*
 * emit() when indentation is due or out must grow first: out of line, so
 * that emit() itself stays a few instructions with nothing to save.
 */
__attribute__((noinline)) static int emit_slow(struct render *r,
					       const char *s, size_t n)
{
	int rc;

	if (!n)
		return 0;
	if (r->lead) {
		r->lead = 0;
		if (s[0] != '\n' && s[0] != '\r') {
			rc = add(r, r->indent.buf + r->lead_at,
				 r->lead_end - r->lead_at);
			if (rc)
				return rc;
		}
	}
	return add(r, s, n);
}

/*
 * Output s: mostly there is no indentation due and out has room (for the
 * bytes, its NUL and within the limit), and the bytes go straight in.
 */
static int emit(struct render *r, const char *s, size_t n)
{
	struct strbuf *out = r->out;

	if (r->lead || n >= out->alloc - out->len ||
	    n > r->room - (out->len - r->start))
		return emit_slow(r, s, n);
	mustache_copy(out->buf + out->len, s, n);
	out->len += n;
	out->buf[out->len] = '\0';
	return 0;
}

/* The bytes HTML escaping replaces: their entity's index plus one. */
static const unsigned char html_special[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};

static const struct {
	const char *s;
	size_t n;
} html_entities[] = {
	{"&amp;", 5}, {"&lt;", 4}, {"&gt;", 4}, {"&quot;", 6}, {"&#39;", 5},
};

#define BYTES_01 0x0101010101010101u
#define BYTES_80 0x8080808080808080u

/* Whether one of the 8 bytes of w is 0 (exact, with no false alarm). */
static uint64_t has_zero(uint64_t w)
{
	return (w - BYTES_01) & ~w & BYTES_80;
}

/*
 * The number of bytes of s before its first one that HTML escaping
 * replaces (n without one), eight at a time: & and ' are 0x26 and 0x27,
 * < and > 0x3c and 0x3e, so three tests cover the five bytes.
 */
static size_t safe_run(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		if (has_zero((w | BYTES_01) ^ 0x27 * BYTES_01) |
		    has_zero(w ^ 0x22 * BYTES_01) |
		    has_zero((w | 2 * BYTES_01) ^ 0x3e * BYTES_01))
			break;
	}
	while (i < n && !html_special[(unsigned char)s[i]])
		i++;
	return i;
}

/* s escaped, in runs: the safe bytes between two special ones at once. */
static int emit_escaped(struct render *r, const char *s, size_t n)
{
	size_t i = 0, run = 0;
	int rc;

	for (;;) {
		i += safe_run(s + i, n - i);
		rc = emit(r, s + run, i - run);
		if (rc || i == n)
			return rc;
		rc = emit(r, html_entities[html_special[(unsigned char)s[i]] - 1].s,
			  html_entities[html_special[(unsigned char)s[i]] - 1].n);
		if (rc)
			return rc;
		run = ++i;
	}
}

static int render_value(struct render *r, const struct mustache_value *v,
			int escape)
{
	char buf[64];
	const char *s;
	size_t n;

	/* most values are strings: their bytes are at hand */
	if (v && v->kind == MUSTACHE_STRING) {
		s = v->u.str.s;
		n = v->u.str.len;
	} else {
		scalar_text(v, buf, sizeof(buf), &s, &n);
	}
	if (escape && r->escape == MUSTACHE_ESCAPE_HTML)
		return emit_escaped(r, s, n);
	return emit(r, s, n);
}

/*
 * The value of the second and later parts of a dotted name, each in the
 * value of the part before; v is the first part's.
 */
static const struct mustache_value *
lookup_rest(const struct mustache_value *v, const struct mustache_node *node)
{
	const char *name = node->name + node->first_len;
	const char *end = node->name + node->name_len;

	while (v && name < end) {
		const char *dot;
		size_t n;

		name++; /* the dot */
		dot = memchr(name, '.', (size_t)(end - name));
		n = dot ? (size_t)(dot - name) : (size_t)(end - name);
		v = map_get(v, name, n, mustache_key_hash(name, n));
		name += n;
	}
	return v;
}

/*
 * The value of node's name: its first part in the nearest frame that has
 * it, the other parts (of a dotted name) each in the value before. The
 * frames are walked here, each map searched by its index or in order
 * (mustache_map_find()), so that a name costs no call per frame.
 */
static const struct mustache_value *lookup(const struct frame *f,
					   const struct mustache_node *node)
{
	const char *name = node->name;
	size_t len = node->first_len, i;
	uint32_t h = node->first_hash;

	if (node->name_len == 1 && name[0] == '.')
		return f ? f->v : NULL;
	for (; f; f = f->up) {
		const struct mustache_value *m = f->v;

		if (!m || m->kind != MUSTACHE_MAP)
			continue;
		i = mustache_map_find(m, name, len, h);
		if (i == m->u.map.n)
			continue;
		/* The first part picks the frame; the others follow from it. */
		if (len == node->name_len)
			return m->u.map.pairs[i].value;
		return lookup_rest(m->u.map.pairs[i].value, node);
	}
	return NULL;
}

/*
 * The value of node's name, where *seen is what the lookup before it in
 * its body found: node->again says that is the same.
 */
static const struct mustache_value *
lookup_again(const struct frame *f, const struct mustache_node *node,
	     const struct mustache_value **seen)
{
	if (!node->again)
		*seen = lookup(f, node);
	return *seen;
}

static int render_section(struct render *r, const struct mustache_node *node,
			  const struct frame *f, const struct scope *s,
			  const struct mustache_value **seen)
{
	const struct mustache_value *v = lookup_again(f, node, seen);
	struct frame fr = {.v = v, .up = f};
	size_t i;
	int rc;

	if (node->kind == MUSTACHE_N_INVERTED)
		return mustache_truth(v) ? 0
					 : render_body(r, &node->body, f, s);
	if (!mustache_truth(v))
		return 0;
	if (v->kind != MUSTACHE_LIST)
		return render_body(r, &node->body, &fr, s);
	for (i = 0; i < v->u.list.n; i++) {
		fr.v = v->u.list.items[i];
		rc = render_body(r, &node->body, &fr, s);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Enter the content node brings in (a partial, a parent, an override): a
 * standalone tag adds its indentation, an inline one renders it unindented
 * (as if its text were pasted into the line).
 */
static int enter(struct render *r, const struct mustache_node *node,
		 const char *what, const char *name, struct saved *sv)
{
	int rc;

	sv->len = r->indent.len;
	sv->base = r->base;
	sv->tname = r->tname;
	sv->links = r->links;
	if (r->depth >= MUSTACHE_MAX_DEPTH)
		return dg_errf(r->err, DG_EINVAL,
			       "%s:%u: %s '%.100s' nests deeper than %d "
			       "levels; does it include itself without end?",
			       r->tname, node->line, what, name,
			       MUSTACHE_MAX_DEPTH);
	r->depth++;
	if (!node->standalone) {
		r->base = r->indent.len;
		return 0;
	}
	rc = strbuf_add(&r->indent, node->text, node->len);
	return rc ? dg_errf(r->err, DG_ENOMEM, "%s: out of memory rendering",
			    r->tname)
		  : 0;
}

static void leave(struct render *r, const struct saved *sv)
{
	strbuf_setlen(&r->indent, sv->len);
	r->base = sv->base;
	r->tname = sv->tname;
	r->links = sv->links;
	r->depth--;
}

/* The name of a dynamic partial ({{>*x}}): the text of x in the data. */
static int dynamic_name(struct render *r, const struct mustache_node *node,
			const struct frame *f, struct strbuf *name)
{
	char buf[64];
	const char *s;
	size_t n;
	int rc;

	scalar_text(lookup(f, node), buf, sizeof(buf), &s, &n);
	rc = strbuf_add(name, s, n);
	return rc ? dg_errf(r->err, DG_ENOMEM, "%s: out of memory rendering",
			    r->tname)
		  : 0;
}

/*
 * The cache's entry for the partial of node, called name, found by name
 * (and linked to the tag, for the next time). *c is NULL when there are
 * no partials; (*c)->t is NULL when there is no such partial.
 */
static int load(struct render *r, const struct mustache_node *node,
		const char *name, struct mustache_cached **c)
{
	struct dg_err err = DG_ERR_INIT;
	int fresh, rc;

	*c = NULL;
	if (!r->partials)
		return 0;
	rc = mustache_cache_get(r->partials, name, c, &fresh, &err);
	if (rc == DG_ENOTFOUND && fresh)
		logging_warn("%s:%u: %s; it renders as nothing", r->tname,
			     node->line, err.msg);
	if (rc && rc != DG_ENOTFOUND)
		return dg_errf(r->err, rc, "%s:%u: %s", r->tname, node->line,
			       err.msg);
	if (!node->dynamic && r->links)
		r->links[node->link] = *c;
	return 0;
}

static int render_include(struct render *r, const struct mustache_node *node,
			  const struct frame *f, const struct scope *s)
{
	struct scope own = {
		.parent = node, .tname = r->tname, .links = r->links, .up = s};
	const char *what =
		node->kind == MUSTACHE_N_PARENT ? "parent" : "partial";
	struct mustache_cached *c;
	struct strbuf dyn = STRBUF_INIT;
	const char *name = node->name;
	struct saved sv;
	int rc;

	if (node->dynamic) {
		rc = dynamic_name(r, node, f, &dyn);
		name = dyn.buf;
		if (rc || !dyn.len) {
			strbuf_release(&dyn);
			return rc;
		}
	}
	/* the tag's link, else the name (which links the tag) */
	c = !node->dynamic && r->links ? r->links[node->link] : NULL;
	rc = c ? 0 : load(r, node, name, &c);
	if (!rc && c && c->t)
		rc = enter(r, node, what, name, &sv);
	if (node->dynamic)
		strbuf_release(&dyn);
	if (rc || !c || !c->t) /* no such partial: it renders as nothing */
		return rc;
	r->tname = c->t->name;
	r->links = c->links;
	rc = render_body(r, &c->t->root, f,
			 node->kind == MUSTACHE_N_PARENT ? &own : s);
	leave(r, &sv);
	return rc;
}

/* The override of block name in force: the outermost parent's wins. */
static const struct mustache_node *
find_override(const struct scope *s, const char *name,
	      const struct scope **from)
{
	const struct mustache_node *found = NULL;
	size_t i;

	for (; s; s = s->up) {
		const struct mustache_body *b = &s->parent->body;

		for (i = 0; i < b->n; i++) {
			if (b->nodes[i].kind == MUSTACHE_N_BLOCK &&
			    !strcmp(b->nodes[i].name, name)) {
				found = &b->nodes[i];
				*from = s;
				break;
			}
		}
	}
	return found;
}

/*
 * A block renders its override, or else its own content. Both lost their
 * indentation when compiled; a standalone block puts its own back.
 */
static int render_block(struct render *r, const struct mustache_node *node,
			const struct frame *f, const struct scope *s)
{
	const struct scope *from = NULL;
	const struct mustache_node *over = find_override(s, node->name, &from);
	const struct mustache_node *content = over ? over : node;
	struct saved sv;
	int rc;

	if (!over && !node->standalone)
		return render_body(r, &node->body, f, s);
	rc = enter(r, node, "block", node->name, &sv);
	if (rc)
		return rc;
	if (over) { /* its tags are the template's of the parent tag */
		r->tname = from->tname;
		r->links = from->links;
	}
	/* An inline override at a standalone place still starts a line. */
	if (node->standalone && !content->standalone) {
		r->lead = 1;
		r->lead_at = r->base;
		r->lead_end = r->indent.len;
	}
	rc = render_body(r, &content->body, f, s);
	r->lead = 0;
	leave(r, &sv);
	return rc;
}

static int over_budget(struct render *r)
{
	return dg_errf(r->err, DG_ETOOBIG,
		       "%s: the template takes more than %lu steps "
		       "(sections over lists nested too deep?)",
		       r->tname, MUSTACHE_MAX_STEPS);
}

/* *seen: see lookup_again(), for the body node is in. */
static int render_node(struct render *r, const struct mustache_node *node,
		       const struct frame *f, const struct scope *s,
		       const struct mustache_value **seen)
{
	switch (node->kind) {
	case MUSTACHE_N_LINES:
		/* lines of text count as the nodes they were */
		if (r->lead || r->base != r->indent.len) {
			r->steps--;
			return render_body(r, &node->body, f, s);
		}
		r->steps += node->body.n - 1;
		if (r->steps > MUSTACHE_MAX_STEPS)
			return over_budget(r);
		return add(r, node->text, node->len);
	case MUSTACHE_N_TEXT:
		return emit(r, node->text, node->len);
	case MUSTACHE_N_INDENT:
		r->lead = 0;
		/* mostly none: partials stand at the start of their lines */
		if (r->indent.len == r->base)
			return 0;
		return add(r, r->indent.buf + r->base, r->indent.len - r->base);
	case MUSTACHE_N_VAR:
	case MUSTACHE_N_RAW:
		return render_value(r, lookup_again(f, node, seen),
				    node->kind == MUSTACHE_N_VAR);
	case MUSTACHE_N_SECTION:
	case MUSTACHE_N_INVERTED:
		return render_section(r, node, f, s, seen);
	case MUSTACHE_N_PARTIAL:
	case MUSTACHE_N_PARENT:
		return render_include(r, node, f, s);
	case MUSTACHE_N_BLOCK:
		return render_block(r, node, f, s);
	}
	return 0;
}

static int render_body(struct render *r, const struct mustache_body *b,
		       const struct frame *f, const struct scope *s)
{
	const struct mustache_value *seen = NULL;
	size_t i;
	int rc;

	/*
	 * Nested sections over lists multiply: 40 of them over [1,1]. Every
	 * node of b is rendered unless one fails, so b's are counted at once.
	 */
	r->steps += b->n;
	if (r->steps > MUSTACHE_MAX_STEPS)
		return over_budget(r);
	for (i = 0; i < b->n; i++) {
		rc = render_node(r, &b->nodes[i], f, s, &seen);
		if (rc)
			return rc;
	}
	return 0;
}

int mustache_render(const struct mustache_template *t,
		    const struct mustache_value *data,
		    struct mustache_partials *partials,
		    enum mustache_escape escape, struct strbuf *out,
		    struct dg_err *err)
{
	struct render r = {
		.partials = partials,
		.escape = escape,
		.out = out,
		.start = out->len,
		.room = out->max > out->len ? out->max - out->len : 0,
		.err = err,
		.tname = t->name,
		.links = partials && t->owner == partials ? t->entry->links
							  : NULL,
		.indent = STRBUF_INIT,
	};
	struct frame root = {.v = data, .up = NULL};
	int rc = 0;

	/*
	 * A rendering is mostly at least as long as its template: room for
	 * that at once saves out most of its growing steps.
	 */
	if (t->len <= r.room)
		rc = strbuf_grow(out, t->len);
	if (rc)
		return dg_errf(err, rc, "%s: out of memory rendering", t->name);
	rc = render_body(&r, &t->root, &root, NULL);

	/* a failure leaves out as it was (strbuf empties it for memory) */
	if (rc && out->len > r.start)
		strbuf_setlen(out, r.start);
	strbuf_release(&r.indent);
	return rc;
}
