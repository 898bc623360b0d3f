/*
 * mustache-render: render one template described as JSON on stdin, for
 * the spec suite (tests/conformance/mustache_spec.py).
 *
 *   {"template": "...", "data": ..., "partials": {"name": "..."}}
 *
 * prints the rendering to stdout exactly, without a newline of its own.
 * --no-escape renders with MUSTACHE_ESCAPE_NONE. Exit status: 0 rendered,
 * 1 the template failed (message on stderr), 2 bad usage or input.
 */
#include <json-c/json.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "mustache.h"
#include "strbuf.h"

/* Partials come from the "partials" object of the input. */
static int resolve_json(const char *name, struct strbuf *out, void *ctx,
			struct dg_err *err)
{
	struct json_object *text;

	if (!json_object_object_get_ex(ctx, name, &text) ||
	    !json_object_is_type(text, json_type_string))
		return dg_errf(err, DG_ENOTFOUND, "no partial '%s'", name);
	if (strbuf_add(out, json_object_get_string(text),
		       (size_t)json_object_get_string_len(text)))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
}

static int render(struct json_object *in, enum mustache_escape escape,
		  struct strbuf *out, struct dg_err *err)
{
	struct json_object *text, *data = NULL, *parts = NULL;
	struct mustache_template *t = NULL;
	struct mustache_partials *p = NULL;
	struct mustache_value *v;
	int rc;

	if (!json_object_object_get_ex(in, "template", &text) ||
	    !json_object_is_type(text, json_type_string))
		return dg_errf(err, DG_EINVAL, "input has no \"template\"");
	json_object_object_get_ex(in, "data", &data);
	json_object_object_get_ex(in, "partials", &parts);
	v = mustache_from_json(data);
	if (!v)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = mustache_compile(json_object_get_string(text),
			      (size_t)json_object_get_string_len(text),
			      "template", &t, err);
	if (!rc && parts)
		rc = mustache_partials_new(resolve_json, parts, &p, err);
	if (!rc)
		rc = mustache_render(t, v, p, escape, out, err);
	mustache_partials_free(p);
	mustache_template_free(t);
	mustache_value_free(v);
	return rc;
}

int main(int argc, char **argv)
{
	enum mustache_escape escape = MUSTACHE_ESCAPE_HTML;
	struct strbuf input = STRBUF_INIT, out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct json_tokener *tok;
	struct json_object *in;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--no-escape")) {
		escape = MUSTACHE_ESCAPE_NONE;
	} else if (argc != 1) {
		fprintf(stderr, "usage: mustache-render [--no-escape] "
				"< request.json\n");
		return 2;
	}
	if (strbuf_read_fd(&input, 0)) {
		fprintf(stderr, "mustache-render: cannot read stdin\n");
		return 2;
	}
	tok = json_tokener_new();
	in = tok ? json_tokener_parse_ex(tok, input.buf, (int)input.len) : NULL;
	if (!in || !json_object_is_type(in, json_type_object)) {
		fprintf(stderr, "mustache-render: stdin is not a JSON "
				"object\n");
		json_object_put(in);
		json_tokener_free(tok);
		strbuf_release(&input);
		return 2;
	}
	rc = render(in, escape, &out, &err);
	if (rc)
		fprintf(stderr, "mustache-render: %s\n", err.msg);
	else
		fwrite(out.buf, 1, out.len, stdout);
	json_object_put(in);
	json_tokener_free(tok);
	strbuf_release(&input);
	strbuf_release(&out);
	return rc ? 1 : 0;
}
