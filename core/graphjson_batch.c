/*
 * graphjson_batch: the JSON of POST /$batch, both ways.
 *
 * The request body is built with json-c, not by pasting strings, so no
 * URL or header value can change its structure. The answer comes back in
 * any order; each answer's body is handed on as JSON text, so the same
 * page parsers read a batched answer and a direct one.
 */
#include "graphjson.h"
#include "graphjson_int.h"
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* json-c's adders fail only when out of memory. */
static int add(json_object *obj, const char *key, json_object *v)
{
	if (!v || json_object_object_add(obj, key, v)) {
		json_object_put(v);
		return DG_ENOMEM;
	}
	return 0;
}

static int add_str(json_object *obj, const char *key, const char *s)
{
	return add(obj, key, json_object_new_string(s));
}

static json_object *subrequest(const struct graphjson_subrequest *r)
{
	json_object *o = json_object_new_object();
	json_object *h;
	int rc;

	if (!o)
		return NULL;
	rc = add_str(o, "id", r->id);
	if (!rc)
		rc = add_str(o, "method", r->method);
	if (!rc)
		rc = add_str(o, "url", r->url);
	if (!rc && r->prefer) {
		h = json_object_new_object();
		rc = h ? add_str(h, "Prefer", r->prefer) : DG_ENOMEM;
		if (!rc)
			rc = add(o, "headers", h);
		else
			json_object_put(h);
	}
	if (rc) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int graphjson_batch_request(const struct graphjson_subrequest *v, size_t n,
			    struct strbuf *out, struct dg_err *err)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	size_t i;
	int rc = root && arr ? 0 : DG_ENOMEM;

	for (i = 0; !rc && i < n; i++) {
		json_object *r = subrequest(&v[i]);

		if (!r || json_object_array_add(arr, r)) {
			json_object_put(r);
			rc = DG_ENOMEM;
		}
	}
	if (!rc) {
		rc = add(root, "requests", arr);
		arr = NULL;
	}
	if (!rc)
		rc = jsonw_write(root, JSONW_PLAIN, out);
	json_object_put(arr);
	json_object_put(root);
	if (rc)
		return dg_errf(err, rc, "out of memory building a $batch");
	return 0;
}

/* Retry-After among the answer's headers, whatever its letter case. */
static int retry_after(json_object *a, char **out, struct dg_err *err)
{
	json_object *h;
	int rc;

	*out = NULL;
	rc = graphjson_field(a, "", "headers", json_type_object, false, &h,
			     err);
	if (rc || !h)
		return rc;
	json_object_object_foreach(h, key, val)
	{
		if (strcasecmp(key, "Retry-After"))
			continue;
		/* A number is fine too: the header's text is what counts. */
		if (!json_object_is_type(val, json_type_string) &&
		    !json_object_is_type(val, json_type_int) &&
		    !json_object_is_type(val, json_type_double))
			return dg_errf(err, DG_EPARSE,
				       "field 'headers.%s' "
				       "must be a string, not %s",
				       key, graphjson_type_name(val));
		*out = strdup(json_object_get_string(val));
		return *out ? 0 : DG_ENOMEM;
	}
	return 0;
}

/* The body as text: an object or array re-serialised, a string as is. */
static int body_text(json_object *a, struct graphjson_subanswer *s,
		     struct dg_err *err)
{
	json_object *b = NULL;
	const char *text;
	size_t len;

	if (!json_object_object_get_ex(a, "body", &b) || !b)
		return 0;
	if (json_object_is_type(b, json_type_string)) {
		text = json_object_get_string(b);
		len = (size_t)json_object_get_string_len(b);
	} else if (json_object_is_type(b, json_type_object) ||
		   json_object_is_type(b, json_type_array)) {
		struct strbuf sb = STRBUF_INIT;

		if (jsonw_write(b, JSONW_PLAIN, &sb)) {
			strbuf_release(&sb);
			return DG_ENOMEM;
		}
		s->body = strbuf_detach(&sb, &s->body_len);
		return 0;
	} else {
		return dg_errf(err, DG_EPARSE,
			       "field 'body' must be an "
			       "object or a string, not %s",
			       graphjson_type_name(b));
	}
	s->body = malloc(len + 1);
	if (!s->body)
		return DG_ENOMEM;
	memcpy(s->body, text, len);
	s->body[len] = '\0';
	s->body_len = len;
	return 0;
}

static int status_of(json_object *a, long *out, struct dg_err *err)
{
	json_object *v;
	int rc;

	rc = graphjson_field(a, "", "status", json_type_int, true, &v, err);
	if (rc)
		return rc;
	*out = (long)json_object_get_int64(v);
	if (*out < 100 || *out > 599)
		return dg_errf(err, DG_EPARSE,
			       "field 'status' is no HTTP "
			       "status (%ld)",
			       *out);
	return 0;
}

static int parse_answer(json_object *a, struct graphjson_subanswer *s,
			struct dg_err *err)
{
	int rc;

	rc = graphjson_str(a, "", "id", true, &s->id, err);
	if (!rc)
		rc = status_of(a, &s->status, err);
	if (!rc)
		rc = retry_after(a, &s->retry_after, err);
	if (!rc)
		rc = body_text(a, s, err);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory reading a $batch answer");
	return rc;
}

int graphjson_batch_answer(const char *json, size_t len,
			   struct graphjson_batch *out, struct dg_err *err)
{
	json_object *root, *arr, *item;
	size_t i, n;
	int rc;

	rc = graphjson_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = graphjson_field(root, "", "responses", json_type_array, true, &arr,
			     err);
	n = rc ? 0 : json_object_array_length(arr);
	if (n) {
		out->v = calloc(n, sizeof(*out->v));
		if (!out->v)
			rc = dg_errf(err, DG_ENOMEM,
				     "out of memory reading a "
				     "$batch answer");
	}
	for (i = 0; !rc && i < n; i++) {
		rc = graphjson_item(arr, i, "response", &item, err);
		out->n = i + 1;
		if (!rc)
			rc = parse_answer(item, &out->v[i], err);
		if (rc && rc != DG_ENOMEM)
			graphjson_item_error(err, "response", i, item, "id");
	}
	json_object_put(root);
	if (rc)
		graphjson_batch_release(out);
	return rc;
}

void graphjson_batch_release(struct graphjson_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].id);
		free(b->v[i].retry_after);
		free(b->v[i].body);
	}
	free(b->v);
	b->v = NULL;
	b->n = 0;
}
