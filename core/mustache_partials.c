/*
 * mustache: the cache of partials (mustache.h, struct mustache_partials)
 * and the resolver of a templates folder.
 *
 * A partial is asked of the resolver and compiled once per cache, on its
 * first use, then found by name (or, from a rendering, by the link its
 * tag keeps: struct mustache_cached in mustache_tree.h). The cache is
 * apart from the renderer (mustache_render.c), which only asks it for an
 * entry through mustache_cache_get() the first time a tag is rendered:
 * loading, compiling and keeping partials is no part of the node walk.
 */
#include "mustache.h"
#include "mustache_tree.h"

#include "err.h"
#include "hmap.h"
#include "strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct mustache_partials {
	mustache_resolve_fn *resolve;
	void *ctx;
	char *dir; /* mustache_partials_new_dir()'s copy */
	struct mustache_cached **items;
	size_t n, alloc;
	/*
	 * name -> its entry: for the names rendering has no link for (the
	 * first rendering of a tag, dynamic names, mustache_partials_get).
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
		free(p->items[i]->name);
		free(p->items[i]->links);
		mustache_template_free(p->items[i]->t);
		free(p->items[i]);
	}
	free(p->items);
	hmap_release(&p->index);
	free(p->dir);
	free(p);
}

/* An entry for name (t may be NULL: no such partial), owned by p. */
static int cache_add(struct mustache_partials *p, const char *name,
		     struct mustache_template *t, struct mustache_cached **out,
		     struct dg_err *err)
{
	struct mustache_cached **items, *c = calloc(1, sizeof(*c));

	items = mustache_grow(p->items, &p->alloc, p->n + 1, sizeof(*items));
	if (items)
		p->items = items;
	if (c && t && t->nlinks)
		c->links = calloc(t->nlinks, sizeof(*c->links));
	if (c)
		c->name = strdup(name);
	if (!c || !items || !c->name || (t && t->nlinks && !c->links) ||
	    hmap_put(&p->index, c->name, c, NULL)) {
		if (c) {
			free(c->name);
			free(c->links);
		}
		free(c);
		mustache_template_free(t);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	c->t = t;
	if (t) {
		t->owner = p;
		t->entry = c;
	}
	p->items[p->n++] = c;
	*out = c;
	return 0;
}

/*
 * The entry of name, from the cache or else resolved, compiled and cached
 * (*fresh is then set). An entry without a template gives DG_ENOTFOUND,
 * with a message; *out is NULL only on another error.
 */
int mustache_cache_get(struct mustache_partials *p, const char *name,
		       struct mustache_cached **out, int *fresh,
		       struct dg_err *err)
{
	struct strbuf text = STRBUF_INIT;
	struct mustache_template *t = NULL;
	struct dg_err nomem = DG_ERR_INIT;
	int rc;

	*fresh = 0;
	*out = hmap_get(&p->index, name);
	if (*out) {
		if ((*out)->t)
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
	if (cache_add(p, name, t, out, &nomem)) {
		*out = NULL;
		return dg_errf(err, DG_ENOMEM, "%s", nomem.msg);
	}
	return rc;
}

int mustache_partials_get(struct mustache_partials *p, const char *name,
			  const struct mustache_template **out,
			  struct dg_err *err)
{
	struct mustache_cached *c;
	int fresh, rc = mustache_cache_get(p, name, &c, &fresh, err);

	*out = rc ? NULL : c->t;
	return rc;
}
