/*
 * graphjson_batch: the JSON of POST /$batch, both ways.
 *
 * The request body is built with json-c, not by pasting strings, so no
 * URL or header value can change its structure. The answer comes back in
 * any order; it is parsed once, and each answer's body is handed on
 * parsed (a struct graphjson_value), so the page readers read a batched
 * answer as they read a direct one without writing it out as text and
 * parsing it again.
 *
 * The answer is read as yajl's tokens (graphjson_doc.c) when it is what
 * Graph sends, so that its pages of events need no json-c tree
 * (graphjson_events_page_value()); an answer with anything the tokens
 * would not give the same way (an odd header, a status that is no
 * integer, a missing id...) is parsed by json-c as ever and refused, if
 * it is refused, with the same words.
 */
#include "graphjson.h"
#include "graphjson_int.h"
#include "jsonw.h"

#include <limits.h>
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
	json_object *root;	   /* json-c's tree of the answer, or */
	struct graphjson_doc *doc; /* its tokens, */
	bool own_doc;		   /* in a doc of its own (no reader) */
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

/* A new tree for n answers and out's answers, all zeroed. */
static int batch_new(size_t n, struct graphjson_batch *out)
{
	struct graphjson_batch_tree *tree;

	tree = calloc(1, sizeof(*tree) + n * sizeof(tree->values[0]));
	if (!tree)
		return DG_ENOMEM;
	out->tree = tree;
	out->v = n ? calloc(n, sizeof(*out->v)) : NULL;
	return n && !out->v ? DG_ENOMEM : 0;
}

/* ---- the answer as tokens ---- */

enum { DOC_NO = 1 };

/* "200": json-c's int from 100 to 599 has three digits and no more. */
static bool doc_status(const struct graphjson_doc *d, size_t t, long *out)
{
	const char *s;

	if (graphjson_doc_kind(d, t) != GRAPHJSON_NUMBER || d->tok[t].len != 3)
		return false;
	s = graphjson_doc_str(d, t);
	for (int i = 0; i < 3; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	*out = strtol(s, NULL, 10);
	return *out >= 100 && *out <= 599;
}

/*
 * Retry-After among the headers, as retry_after() finds it: the first
 * key that is it in any case, with that key's last value. A number is
 * left to json-c, which writes its text its own way.
 */
static bool doc_retry_after(const struct graphjson_doc *d, size_t a,
			    const char **out)
{
	size_t h = graphjson_doc_get(d, a, "headers"), i, v;

	*out = NULL;
	if (graphjson_doc_none(d, h))
		return true;
	if (graphjson_doc_kind(d, h) != GRAPHJSON_OBJECT)
		return false;
	for (i = h + 1; i < d->tok[h].end; i = d->tok[i + 1].end) {
		if (strcasecmp(graphjson_doc_str(d, i), "Retry-After"))
			continue;
		v = graphjson_doc_get(d, h, graphjson_doc_str(d, i));
		if (graphjson_doc_kind(d, v) != GRAPHJSON_STRING)
			return false;
		*out = graphjson_doc_str(d, v);
		return true;
	}
	return true;
}

/* Answer a of d as parse_answer() reads it; false: leave it to json-c. */
static bool doc_answer(const struct graphjson_doc *d, size_t a,
		       struct graphjson_subanswer *s,
		       struct graphjson_value *slot)
{
	size_t id, b;

	if (graphjson_doc_kind(d, a) != GRAPHJSON_OBJECT)
		return false;
	id = graphjson_doc_get(d, a, "id");
	if (graphjson_doc_kind(d, id) != GRAPHJSON_STRING || !d->tok[id].len ||
	    !doc_status(d, graphjson_doc_get(d, a, "status"), &s->status) ||
	    !doc_retry_after(d, a, &s->retry_after))
		return false;
	s->id = graphjson_doc_str(d, id);
	b = graphjson_doc_get(d, a, "body");
	if (graphjson_doc_none(d, b))
		return true;
	switch (graphjson_doc_kind(d, b)) {
	case GRAPHJSON_STRING:
		s->body = graphjson_doc_str(d, b);
		s->body_len = d->tok[b].len;
		return true;
	case GRAPHJSON_OBJECT:
	case GRAPHJSON_ARRAY:
		/* its strings are valid: graphjson_doc_read() saw to it */
		*slot = (struct graphjson_value){
			.doc = d, .tok = b, .utf8 = true};
		s->value = slot;
		return true;
	default:
		return false;
	}
}

/*
 * The answers of d into out, which owns d when own says so: 0, DOC_NO
 * (out left empty) or DG_ENOMEM.
 */
static int read_doc(struct graphjson_doc *d, bool own,
		    struct graphjson_batch *out)
{
	size_t arr, i, k = 0;
	int rc;

	if (graphjson_doc_kind(d, 0) != GRAPHJSON_OBJECT)
		return DOC_NO;
	arr = graphjson_doc_get(d, 0, "responses");
	if (graphjson_doc_kind(d, arr) != GRAPHJSON_ARRAY)
		return DOC_NO;
	rc = batch_new(d->tok[arr].len, out);
	for (i = arr + 1; !rc && i < d->tok[arr].end; i = d->tok[i].end, k++) {
		if (!doc_answer(d, i, &out->v[k], &out->tree->values[k]))
			rc = DOC_NO;
		out->n = k + 1;
	}
	if (rc) {
		graphjson_batch_release(out);
		return rc;
	}
	out->tree->doc = d;
	out->tree->own_doc = own;
	return 0;
}

/* ---- the answer as json-c's tree ---- */

static int read_tree(struct graphjson_reader *r, const char *json, size_t len,
		     struct graphjson_batch *out, struct dg_err *err)
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
	if (!rc && batch_new(n, out))
		rc = batch_nomem(err);
	if (out->tree)
		out->tree->root = root;
	else
		json_object_put(root);
	tree = out->tree;
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

int graphjson_batch_read(struct graphjson_reader *r, const char *json,
			 size_t len, struct graphjson_batch *out,
			 struct dg_err *err)
{
	struct graphjson_doc *own = r ? NULL : graphjson_doc_new();
	struct graphjson_doc *d = r ? graphjson_reader_doc(r) : own;
	int rc = d ? DOC_NO : DG_ENOMEM;

	if (d && len <= INT_MAX)
		rc = graphjson_doc_read(d, json, len);
	if (!rc)
		rc = read_doc(d, own != NULL, out);
	if (!rc)
		return 0;
	graphjson_doc_free(own);
	if (rc == DG_ENOMEM)
		return batch_nomem(err);
	return read_tree(r, json, len, out, err);
}

void graphjson_batch_release(struct graphjson_batch *b)
{
	if (b->tree) {
		json_object_put(b->tree->root);
		if (b->tree->own_doc)
			graphjson_doc_free(b->tree->doc);
	}
	free(b->tree);
	free(b->v);
	b->v = NULL;
	b->n = 0;
	b->tree = NULL;
}
