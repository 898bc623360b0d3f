/*
 * mustache: partials and rendering (the compiler is in mustache.c).
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
#include "hmap.h"
#include "logging.h"
#include "strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- partials ----------------------------------------------------------- */

struct cached {
	char *name;
	struct mustache_template *t; /* NULL: the resolver has no such name */
};

struct mustache_partials {
	mustache_resolve_fn *resolve;
	void *ctx;
	char *dir; /* mustache_partials_new_dir()'s copy */
	struct cached *items;
	size_t n, alloc;
	/*
	 * name -> its index in items plus one: a digest looks partials up
	 * thousands of times, by names of a few dozen.
	 */
	struct hmap index;
};

/* A name that stays inside the folder: relative, no empty, . or .. part. */
static int name_is_safe(const char *name)
{
	const char *s = name;

	if (!*name || *name == '/')
		return 0;
	for (;;) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);

		if (!n || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		if (!slash)
			return 1;
		s = slash + 1;
	}
}

int mustache_resolve_dir(const char *name, struct strbuf *out, void *ctx,
			 struct dg_err *err)
{
	const char *dir = ctx;
	struct strbuf path = STRBUF_INIT;
	int rc, e;

	if (!name_is_safe(name))
		return dg_errf(err, DG_EINVAL,
			       "partial name '%.100s' is refused: it must be "
			       "a relative path inside the templates folder, "
			       "without '.' or '..' parts",
			       name);
	if (strbuf_addf(&path, "%s/%s.mustache", dir, name))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = strbuf_read_file(out, path.buf);
	e = errno;
	if (rc == DG_EIO && (e == ENOENT || e == ENOTDIR))
		rc = dg_errf(err, DG_ENOTFOUND, "no partial '%s': %s: %s", name,
			     path.buf, strerror(e));
	else if (rc == DG_EIO)
		rc = dg_errf(err, rc, "cannot read partial '%s': %s: %s", name,
			     path.buf, strerror(e));
	else if (rc)
		rc = dg_errf(err, rc, "cannot read partial '%s': %s: %s", name,
			     path.buf, dg_strerror(rc));
	strbuf_release(&path);
	return rc;
}

int mustache_partials_new(mustache_resolve_fn *resolve, void *ctx,
			  struct mustache_partials **out, struct dg_err *err)
{
	struct mustache_partials *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	p->resolve = resolve;
	p->ctx = ctx;
	hmap_init(&p->index, 0);
	*out = p;
	return 0;
}

int mustache_partials_new_dir(const char *dir, struct mustache_partials **out,
			      struct dg_err *err)
{
	char *copy = strdup(dir);
	int rc;

	if (!copy)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = mustache_partials_new(mustache_resolve_dir, copy, out, err);
	if (rc) {
		free(copy);
		return rc;
	}
	(*out)->dir = copy;
	return 0;
}

void mustache_partials_free(struct mustache_partials *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->items[i].name);
		mustache_template_free(p->items[i].t);
	}
	free(p->items);
	hmap_release(&p->index);
	free(p->dir);
	free(p);
}

static int cache_add(struct mustache_partials *p, const char *name,
		     struct mustache_template *t, struct dg_err *err)
{
	struct cached *items;
	char *copy = strdup(name);

	items = mustache_grow(p->items, &p->alloc, p->n + 1, sizeof(*items));
	if (items)
		p->items = items;
	if (!copy || !items ||
	    hmap_put(&p->index, copy, (void *)(uintptr_t)(p->n + 1), NULL)) {
		free(copy);
		mustache_template_free(t);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	p->items[p->n].name = copy;
	p->items[p->n].t = t;
	p->n++;
	return 0;
}

/*
 * The template called name, from the cache or else resolved, compiled and
 * cached (*fresh is then set). DG_ENOTFOUND, with a message, when there is
 * no such partial.
 */
static int cache_get(struct mustache_partials *p, const char *name,
		     const struct mustache_template **out, int *fresh,
		     struct dg_err *err)
{
	struct strbuf text = STRBUF_INIT;
	struct mustache_template *t = NULL;
	struct dg_err nomem = DG_ERR_INIT;
	size_t i;
	int rc;

	*fresh = 0;
	i = (uintptr_t)hmap_get(&p->index, name);
	if (i) {
		*out = p->items[i - 1].t;
		if (*out)
			return 0;
		return dg_errf(err, DG_ENOTFOUND, "no partial '%.100s'", name);
	}
	/* A resolver may say "not found" without a message: have one. */
	dg_errf(err, DG_ENOTFOUND, "no partial '%.100s'", name);
	rc = p->resolve(name, &text, p->ctx, err);
	if (!rc)
		rc = mustache_compile(text.buf, text.len, name, &t, err);
	strbuf_release(&text);
	if (rc && rc != DG_ENOTFOUND)
		return rc;
	*fresh = 1;
	*out = t;
	if (cache_add(p, name, t, &nomem)) {
		*out = NULL;
		return dg_errf(err, DG_ENOMEM, "%s", nomem.msg);
	}
	return rc;
}

int mustache_partials_get(struct mustache_partials *p, const char *name,
			  const struct mustache_template **out,
			  struct dg_err *err)
{
	int fresh;

	*out = NULL;
	return cache_get(p, name, out, &fresh, err);
}

/* --- values ------------------------------------------------------------- */

/* JavaScript's truth, which mustache users expect. */
static int truthy(const struct mustache_value *v)
{
	return mustache_truthy(v);
}

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
		snprintf(buf, size, "%" PRId64, v->u.i);
	else if (v && v->kind == MUSTACHE_FLOAT)
		format_double(v->u.f, buf, size);
	*n = strlen(buf);
}

static const struct mustache_value *map_get(const struct mustache_value *v,
					    const char *key, size_t len)
{
	size_t i;

	if (!v || v->kind != MUSTACHE_MAP)
		return NULL;
	for (i = 0; i < v->u.map.n; i++) {
		const struct mustache_pair *p = &v->u.map.pairs[i];

		if (p->klen == len && !memcmp(v->u.map.keys + p->key, key, len))
			return p->value;
	}
	return NULL;
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
	const struct scope *up;
};

struct render {
	struct mustache_partials *partials;
	enum mustache_escape escape;
	struct strbuf buf; /* the output so far */
	struct dg_err *err;
	const char *tname;    /* the template being rendered, for messages */
	unsigned depth;	      /* partials, parents and overrides entered */
	unsigned long steps;  /* nodes rendered: the work budget */
	struct strbuf indent; /* the indentation is indent.buf[base..len] */
	size_t base;
	int lead; /* output starts with indent.buf[lead_at..]: */
	size_t lead_at, lead_end;
};

/* What to restore when leaving a partial, a parent or a block. */
struct saved {
	size_t len, base;
	const char *tname;
};

/* render_body() and render_node() call each other. */
static int render_body(struct render *r, const struct mustache_body *b,
		       const struct frame *f, const struct scope *s);

static int out_error(struct render *r, int rc)
{
	if (rc == DG_ETOOBIG)
		return dg_errf(r->err, rc,
			       "%s: the rendering is larger than %zu bytes",
			       r->tname, r->buf.max);
	return dg_errf(r->err, DG_ENOMEM, "%s: out of memory rendering",
		       r->tname);
}

static int add(struct render *r, const char *s, size_t n)
{
	int rc = strbuf_add(&r->buf, s, n);

	return rc ? out_error(r, rc) : 0;
}

static int emit(struct render *r, const char *s, size_t n)
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

static const char *html_entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	}
	return NULL;
}

static int emit_escaped(struct render *r, const char *s, size_t n)
{
	size_t i, run = 0;
	int rc;

	for (i = 0; i < n; i++) {
		const char *ent = html_entity(s[i]);

		if (!ent)
			continue;
		rc = emit(r, s + run, i - run);
		if (!rc)
			rc = emit(r, ent, strlen(ent));
		if (rc)
			return rc;
		run = i + 1;
	}
	return emit(r, s + run, n - run);
}

static int render_value(struct render *r, const struct mustache_value *v,
			int escape)
{
	char buf[64];
	const char *s;
	size_t n;

	scalar_text(v, buf, sizeof(buf), &s, &n);
	if (escape && r->escape == MUSTACHE_ESCAPE_HTML)
		return emit_escaped(r, s, n);
	return emit(r, s, n);
}

static const struct mustache_value *lookup(const struct frame *f,
					   const char *name)
{
	const struct mustache_value *v = NULL;
	const char *dot;

	if (name[0] == '.' && !name[1])
		return f ? f->v : NULL;
	dot = strchr(name, '.');
	for (; f && !v; f = f->up)
		v = map_get(f->v, name,
			    dot ? (size_t)(dot - name) : strlen(name));
	/* The first part picks the frame; the others must follow from it. */
	while (v && dot) {
		name = dot + 1;
		dot = strchr(name, '.');
		v = map_get(v, name, dot ? (size_t)(dot - name) : strlen(name));
	}
	return v;
}

static int render_section(struct render *r, const struct mustache_node *node,
			  const struct frame *f, const struct scope *s)
{
	const struct mustache_value *v = lookup(f, node->name);
	struct frame fr = {.v = v, .up = f};
	size_t i;
	int rc;

	if (node->kind == MUSTACHE_N_INVERTED)
		return truthy(v) ? 0 : render_body(r, &node->body, f, s);
	if (!truthy(v))
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
	return rc ? out_error(r, rc) : 0;
}

static void leave(struct render *r, const struct saved *sv)
{
	strbuf_setlen(&r->indent, sv->len);
	r->base = sv->base;
	r->tname = sv->tname;
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

	scalar_text(lookup(f, node->name), buf, sizeof(buf), &s, &n);
	rc = strbuf_add(name, s, n);
	return rc ? out_error(r, rc) : 0;
}

/* Find the partial of node; 1 when there is none (it renders as nothing). */
static int load(struct render *r, const struct mustache_node *node,
		const char *name, const struct mustache_template **t)
{
	struct dg_err err = DG_ERR_INIT;
	int fresh, rc;

	if (!r->partials)
		return 1;
	rc = cache_get(r->partials, name, t, &fresh, &err);
	if (rc == DG_ENOTFOUND) {
		if (fresh)
			logging_warn("%s:%u: %s; it renders as nothing",
				     r->tname, node->line, err.msg);
		return 1;
	}
	if (rc)
		return dg_errf(r->err, rc, "%s:%u: %s", r->tname, node->line,
			       err.msg);
	return 0;
}

static int render_include(struct render *r, const struct mustache_node *node,
			  const struct frame *f, const struct scope *s)
{
	struct scope own = {.parent = node, .tname = r->tname, .up = s};
	const char *what =
		node->kind == MUSTACHE_N_PARENT ? "parent" : "partial";
	const struct mustache_template *t;
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
	rc = load(r, node, name, &t);
	if (!rc)
		rc = enter(r, node, what, name, &sv);
	strbuf_release(&dyn);
	if (rc)
		return rc < 0 ? rc : 0;
	r->tname = t->name;
	rc = render_body(r, &t->root, f,
			 node->kind == MUSTACHE_N_PARENT ? &own : s);
	leave(r, &sv);
	return rc;
}

/* The override of block name in force: the outermost parent's wins. */
static const struct mustache_node *
find_override(const struct scope *s, const char *name, const char **tname)
{
	const struct mustache_node *found = NULL;
	size_t i;

	for (; s; s = s->up) {
		const struct mustache_body *b = &s->parent->body;

		for (i = 0; i < b->n; i++) {
			if (b->nodes[i].kind == MUSTACHE_N_BLOCK &&
			    !strcmp(b->nodes[i].name, name)) {
				found = &b->nodes[i];
				*tname = s->tname;
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
	const char *tname = NULL;
	const struct mustache_node *over = find_override(s, node->name, &tname);
	const struct mustache_node *content = over ? over : node;
	struct saved sv;
	int rc;

	if (!over && !node->standalone)
		return render_body(r, &node->body, f, s);
	rc = enter(r, node, "block", node->name, &sv);
	if (rc)
		return rc;
	if (over)
		r->tname = tname;
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

static int render_node(struct render *r, const struct mustache_node *node,
		       const struct frame *f, const struct scope *s)
{
	/* nested sections over lists multiply: 40 of them over [1,1] */
	if (++r->steps > MUSTACHE_MAX_STEPS)
		return dg_errf(r->err, DG_ETOOBIG,
			       "%s: the template takes more than %lu steps "
			       "(sections over lists nested too deep?)",
			       r->tname, MUSTACHE_MAX_STEPS);
	switch (node->kind) {
	case MUSTACHE_N_TEXT:
		return emit(r, node->text, node->len);
	case MUSTACHE_N_INDENT:
		r->lead = 0;
		return add(r, r->indent.buf + r->base, r->indent.len - r->base);
	case MUSTACHE_N_VAR:
	case MUSTACHE_N_RAW:
		return render_value(r, lookup(f, node->name),
				    node->kind == MUSTACHE_N_VAR);
	case MUSTACHE_N_SECTION:
	case MUSTACHE_N_INVERTED:
		return render_section(r, node, f, s);
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
	size_t i;
	int rc;

	for (i = 0; i < b->n; i++) {
		rc = render_node(r, &b->nodes[i], f, s);
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
		.err = err,
		.tname = t->name,
		.indent = STRBUF_INIT,
	};
	struct frame root = {.v = data, .up = NULL};
	size_t room = out->max > out->len ? out->max - out->len : 0;
	int rc;

	/* Render aside, so that a failure leaves out as it was. */
	strbuf_init(&r.buf, room ? room : 1);
	rc = render_body(&r, &t->root, &root, NULL);
	if (!rc && r.buf.len > room)
		rc = dg_errf(err, DG_ETOOBIG,
			     "%s: the rendering is larger than %zu bytes",
			     t->name, room);
	else if (!rc && strbuf_addbuf(out, &r.buf))
		rc = out_error(&r, DG_ENOMEM);
	strbuf_release(&r.buf);
	strbuf_release(&r.indent);
	return rc;
}
