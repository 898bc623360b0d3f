/*
 * fuzz_mustache: the mustache compiler and renderer, with a template and
 * its data (JSON) both taken from the input: "template \xff data".
 * Every partial resolves to the template itself, so recursion, parents
 * and blocks are reached too.
 *
 * Invariants: compile and render either succeed or fail with a message;
 * the output never passes its size limit; and any data string rendered by
 * {{x}} into HTML carries no < > " ' of its own (escaping holds).
 */
#include <json-c/json.h>

#include "err.h"
#include "fuzz.h"
#include "mustache.h"
#include "strbuf.h"

#define OUT_MAX (1u << 20)

struct self {
	const char *text;
	size_t len;
};

static int resolve_self(const char *name, struct strbuf *out, void *ctx,
			struct dg_err *err)
{
	const struct self *s = ctx;

	if (!strcmp(name, "none"))
		return dg_errf(err, DG_ENOTFOUND, "no partial '%s'", name);
	if (strbuf_add(out, s->text, s->len))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
}

static void render(const struct mustache_template *t,
		   const struct mustache_value *v, struct self *self)
{
	struct mustache_partials *p = NULL;
	struct dg_err err = DG_ERR_INIT;
	struct strbuf out = STRBUF_INIT;

	if (mustache_partials_new(resolve_self, self, &p, &err))
		return;
	strbuf_init(&out, OUT_MAX);
	for (int e = 0; e < 2; e++) {
		strbuf_reset(&out);
		if (mustache_render(t, v, p,
				    e ? MUSTACHE_ESCAPE_NONE
				      : MUSTACHE_ESCAPE_HTML,
				    &out, &err))
			FUZZ_ASSERT(err.msg[0]);
		FUZZ_ASSERT(out.len <= OUT_MAX);
	}
	strbuf_release(&out);
	mustache_partials_free(p);
}

/* The data's own string x, rendered into HTML, is escaped. */
static void escaping(const char *s, size_t len)
{
	struct mustache_template *t = NULL;
	struct mustache_value *map = mustache_map_new();
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (!map || mustache_map_set(map, "x", mustache_stringn(s, len)) ||
	    mustache_compile("{{x}}", 5, "escaping", &t, &err))
		goto out;
	if (!mustache_render(t, map, NULL, MUSTACHE_ESCAPE_HTML, &out, &err))
		for (size_t i = 0; i < out.len; i++)
			FUZZ_ASSERT(!strchr("<>\"'", out.buf[i]) ||
				    !out.buf[i]);
out:
	strbuf_release(&out);
	mustache_template_free(t);
	mustache_value_free(map);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *text = data;
	size_t len = fuzz_take(&data, &size);
	struct self self = {(const char *)text, len};
	struct mustache_template *t = NULL;
	struct mustache_value *v = NULL;
	struct json_object *j = NULL;
	struct json_tokener *tok = json_tokener_new();
	struct dg_err err = DG_ERR_INIT;

	if (!tok)
		return 0;
	if (size)
		j = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	v = mustache_from_json(j);
	if (!v)
		goto out;
	if (!mustache_compile(self.text, len, "fuzz", &t, &err))
		render(t, v, &self);
	else
		FUZZ_ASSERT(err.msg[0]);
	escaping(self.text, len);
out:
	mustache_template_free(t);
	mustache_value_free(v);
	json_object_put(j);
	return 0;
}
