/*
 * graphjson_batch: the JSON of POST /$batch, both ways.
 *
 * The request body is built with json-c, not by pasting strings, so no
 * URL or header value can change its structure. The answer comes back in
 * any order; it is parsed once, and each answer's body is handed on
 * parsed (a struct graphjson_value), so the page readers read a batched
 * answer as they read a direct one without writing it out as text and
 * parsing it again.
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

/*
 * What the answers of a batch borrow from: the parsed answer, and one
 * value for each body, kept until graphjson_batch_release().
 */
struct graphjson_batch_tree {
	json_object *root;
	struct graphjson_value values[];
};

/* Retry-After among the answer's headers, whatever its letter case. */
static int retry_after(json_object *a, const char **out, struct dg_err *err)
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
		/* a number's text is made (and kept) by json-c: it may fail */
		*out = json_object_get_string(val);
		return *out ? 0 : DG_ENOMEM;
	}
	return 0;
}

/*
 * The body: an object or an array is handed on parsed (in slot), a
 * string as is; both are borrowed from the batch.
 */
static int body_of(json_object *a, struct graphjson_subanswer *s,
		   struct graphjson_value *slot, struct dg_err *err)
{
	json_object *b = NULL;

	if (!json_object_object_get_ex(a, "body", &b) || !b)
		return 0;
	if (json_object_is_type(b, json_type_string)) {
		s->body = json_object_get_string(b);
		s->body_len = (size_t)json_object_get_string_len(b);
		return 0;
	}
	if (json_object_is_type(b, json_type_object) ||
	    json_object_is_type(b, json_type_array)) {
		slot->obj = b;
		s->value = slot;
		return 0;
	}
	return dg_errf(err, DG_EPARSE,
		       "field 'body' must be an "
		       "object or a string, not %s",
		       graphjson_type_name(b));
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
			struct graphjson_value *slot, struct dg_err *err)
{
	json_object *id;
	int rc;

	/* as graphjson_str() would read it, without a copy */
	rc = graphjson_field(a, "", "id", json_type_string, true, &id, err);
	if (!rc)
		rc = graphjson_string_of(id, "", "id", &s->id, err);
	if (!rc && !*s->id)
		rc = dg_errf(err, DG_EPARSE, "field 'id' is empty");
	if (!rc)
		rc = status_of(a, &s->status, err);
	if (!rc)
		rc = retry_after(a, &s->retry_after, err);
	if (!rc)
		rc = body_of(a, s, slot, err);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory reading a $batch answer");
	return rc;
}

static int batch_nomem(struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM, "out of memory reading a $batch answer");
}

int graphjson_batch_answer(const char *json, size_t len,
			   struct graphjson_batch *out, struct dg_err *err)
{
	return graphjson_batch_read(NULL, json, len, out, err);
}

int graphjson_batch_read(struct graphjson_reader *r, const char *json,
			 size_t len, struct graphjson_batch *out,
			 struct dg_err *err)
{
	struct graphjson_batch_tree *tree;
	json_object *root, *arr, *item;
	size_t i, n;
	bool utf8;
	int rc;

	rc = graphjson_root_read(r, json, len, &root, &utf8, err);
	if (rc)
		return rc;
	rc = graphjson_field(root, "", "responses", json_type_array, true, &arr,
			     err);
	n = rc ? 0 : json_object_array_length(arr);
	tree = rc ? NULL : malloc(sizeof(*tree) + n * sizeof(tree->values[0]));
	if (!rc && !tree)
		rc = batch_nomem(err);
	if (!rc) {
		tree->root = root;
		out->tree = tree;
	} else {
		json_object_put(root);
	}
	if (n && !rc) {
		out->v = calloc(n, sizeof(*out->v));
		if (!out->v)
			rc = batch_nomem(err);
	}
	for (i = 0; !rc && i < n; i++) {
		rc = graphjson_item(arr, i, "response", &item, err);
		out->n = i + 1;
		/* a body's strings are as good as the whole answer's */
		tree->values[i].utf8 = utf8;
		if (!rc)
			rc = parse_answer(item, &out->v[i], &tree->values[i],
					  err);
		if (rc && rc != DG_ENOMEM)
			graphjson_item_error(err, "response", i, item, "id");
	}
	if (rc)
		graphjson_batch_release(out);
	return rc;
}

void graphjson_batch_release(struct graphjson_batch *b)
{
	if (b->tree)
		json_object_put(b->tree->root);
	free(b->tree);
	free(b->v);
	b->v = NULL;
	b->n = 0;
	b->tree = NULL;
}
