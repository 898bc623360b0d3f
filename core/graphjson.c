/*
 * graphjson: Graph's JSON answers turned into calendar data. This file
 * holds the field readers every answer is read with (graphjson_int.h)
 * and Graph's error bodies; the text is made json-c's objects in
 * graphjson_parse.c (yajl's tokens of a $batch answer in
 * graphjson_doc.c), and the answers are in graphjson_cal.c (mailbox
 * settings), graphjson_events.c (events), graphjson_dir.c (users,
 * groups), graphjson_auth.c (sign-in) and graphjson_batch.c ($batch).
 */
#include "graphjson.h"
#include "graphjson_int.h"
#include "logging.h"
#include "strbuf.h"
#include "text.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest piece of untrusted text quoted in a message, in bytes. */
#define QUOTE_MAX 40

/*
 * Append s for a message: at most QUOTE_MAX bytes (never cutting a UTF-8
 * sequence), with control characters, quotes and backslashes replaced,
 * because ids and enum values come from calendars we do not control.
 */
static int quote_into(struct strbuf *sb, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;

		if (i >= QUOTE_MAX && (c & 0xc0) != 0x80)
			return strbuf_addstr(sb, "...");
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			c = '?';
		rc = strbuf_addch(sb, c);
		if (rc)
			return rc;
	}
	return 0;
}

const char *graphjson_type_word(enum json_type t)
{
	switch (t) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double:
	case json_type_int: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "a value of unknown type";
}

const char *graphjson_type_name(json_object *o)
{
	return graphjson_type_word(json_object_get_type(o));
}

void graphjson_slots(json_object *obj, const char *const *keys, size_t n,
		     bool utf8, struct graphjson_slot *slots)
{
	size_t next = 0;

	memset(slots, 0, n * sizeof(*slots));
	for (size_t i = 0; i < n; i++)
		slots[i].utf8 = utf8;
	json_object_object_foreach(obj, key, val) {
		/* Graph writes fields in one order: try the next one first. */
		for (size_t t = 0; t < n; t++) {
			size_t i = next + t < n ? next + t : next + t - n;

			if (keys[i][0] == key[0] && !strcmp(keys[i], key)) {
				slots[i].v = val;
				slots[i].present = true;
				next = i + 1 < n ? i + 1 : 0;
				break;
			}
		}
	}
}

/*
 * The field s found as key: *out is NULL when it is absent or null; a
 * value of another type than want is DG_EPARSE, and so is a required one
 * missing.
 */
int graphjson_field_at(const struct graphjson_slot *s, const char *pre,
		       const char *key, enum json_type want, bool required,
		       json_object **out, struct dg_err *err)
{
	json_object *v = s->v;

	*out = NULL;
	if (!s->present && required)
		return dg_errf(err, DG_EPARSE,
			       "field " GRAPHJSON_FIELD " is missing",
			       GRAPHJSON_FIELD_ARGS(pre, key));
	if (!v && !required)
		return 0;
	if (!json_object_is_type(v, want))
		return dg_errf(err, DG_EPARSE,
			       "field " GRAPHJSON_FIELD " must be %s, not %s",
			       GRAPHJSON_FIELD_ARGS(pre, key),
			       graphjson_type_word(want), graphjson_type_name(v));
	*out = v;
	return 0;
}

/* Find key in obj, then as graphjson_field_at(). */
int graphjson_field(json_object *obj, const char *pre, const char *key,
		    enum json_type want, bool required, json_object **out,
		    struct dg_err *err)
{
	struct graphjson_slot s = { NULL, false, false };

	s.present = json_object_object_get_ex(obj, key, &s.v);
	return graphjson_field_at(&s, pre, key, want, required, out, err);
}

/*
 * The string value of v, refused when it hides a NUL byte. *out is set on
 * every path: gcc -O3 cannot see that dg_errf() returns non-zero and would
 * otherwise think callers read it uninitialized.
 */
int graphjson_string_of(json_object *v, const char *pre, const char *key,
			const char **out, struct dg_err *err)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);

	*out = "";
	/* json-c lets overlong and surrogate sequences through */
	if (text_is_utf8(s, len)) {
		*out = s;
		return 0;
	}
	/* text_is_utf8() refuses a NUL too: say which it was */
	if (memchr(s, '\0', len))
		return dg_errf(err, DG_EPARSE,
			       "field " GRAPHJSON_FIELD
			       " holds a NUL character",
			       GRAPHJSON_FIELD_ARGS(pre, key));
	return dg_errf(err, DG_EPARSE,
		       "field " GRAPHJSON_FIELD " is not valid UTF-8",
		       GRAPHJSON_FIELD_ARGS(pre, key));
}

/*
 * The string v found in slot sl: a string from a text known to give only
 * valid ones (sl->utf8) is taken as it is, sparing a pass over it.
 */
static int string_in(const struct graphjson_slot *sl, json_object *v,
		     const char *pre, const char *key, const char **out,
		     struct dg_err *err)
{
	if (!sl->utf8)
		return graphjson_string_of(v, pre, key, out, err);
	*out = json_object_get_string(v);
	return 0;
}

int graphjson_copy_string(const char *s, char **out, struct dg_err *err)
{
	*out = strdup(s);
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory copying a field");
	return 0;
}

/*
 * A string field, borrowed: optional, absent, null and "" give NULL;
 * required, those are errors.
 */
int graphjson_str_at(const struct graphjson_slot *sl, const char *pre,
		     const char *key, bool required, const char **out,
		     struct dg_err *err)
{
	json_object *v;
	const char *s;
	int rc;

	*out = NULL;
	rc = graphjson_field_at(sl, pre, key, json_type_string, required, &v,
				err);
	if (rc || !v)
		return rc;
	rc = string_in(sl, v, pre, key, &s, err);
	if (rc)
		return rc;
	if (!*s && required)
		return dg_errf(err, DG_EPARSE,
			       "field " GRAPHJSON_FIELD " is empty",
			       GRAPHJSON_FIELD_ARGS(pre, key));
	if (*s)
		*out = s;
	return 0;
}

/*
 * A string field, copied into *out (yours). Optional: absent, null and ""
 * give NULL. Required: those are errors.
 */
int graphjson_str(json_object *obj, const char *pre, const char *key,
		  bool required, char **out, struct dg_err *err)
{
	struct graphjson_slot sl = { NULL, false, false };
	const char *s;
	int rc;

	*out = NULL;
	sl.present = json_object_object_get_ex(obj, key, &sl.v);
	rc = graphjson_str_at(&sl, pre, key, required, &s, err);
	if (rc || !s)
		return rc;
	return graphjson_copy_string(s, out, err);
}

int graphjson_bool_at(const struct graphjson_slot *s, const char *pre,
		      const char *key, bool *out, struct dg_err *err)
{
	json_object *v;
	int rc;

	*out = false;
	rc = graphjson_field_at(s, pre, key, json_type_boolean, false, &v,
				err);
	if (rc || !v)
		return rc;
	*out = json_object_get_boolean(v);
	return 0;
}

int graphjson_sub_str_at(const struct graphjson_slot *s, const char *sub,
			 const char *key, const char **out,
			 struct dg_err *err)
{
	struct graphjson_slot in;
	json_object *o;
	int rc;

	*out = NULL;
	rc = graphjson_field_at(s, "", sub, json_type_object, false, &o, err);
	if (rc || !o)
		return rc;
	graphjson_slots(o, &key, 1, s->utf8, &in);
	return graphjson_str_at(&in, sub, key, false, out, err);
}

/* An optional string inside an optional object: location.displayName. */
int graphjson_sub_str(json_object *obj, const char *sub, const char *key,
		      char **out, struct dg_err *err)
{
	json_object *o;
	int rc;

	*out = NULL;
	rc = graphjson_field(obj, "", sub, json_type_object, false, &o, err);
	if (rc || !o)
		return rc;
	return graphjson_str(o, sub, key, false, out, err);
}

/*
 * Look up the enum string s in names. A value we do not know gives unknown
 * and a warning (Graph grew a value we should learn about); fallback says
 * in words what we do with it instead.
 */
bool graphjson_enum_find(const char *s,
			 const struct graphjson_enum_name *names, int *out)
{
	for (const struct graphjson_enum_name *n = names; n->name; n++) {
		if (!strcasecmp(n->name, s)) {
			*out = n->value;
			return true;
		}
	}
	return false;
}

int graphjson_enum_of(const char *s, const char *pre, const char *key,
		      const struct graphjson_enum_name *names, int unknown,
		      const char *fallback)
{
	struct strbuf q = STRBUF_INIT;
	int v;

	if (graphjson_enum_find(s, names, &v))
		return v;
	if (quote_into(&q, s))
		strbuf_release(&q);
	logging_warn("field " GRAPHJSON_FIELD
		     " has the unknown value \"%s\"; %s",
		     GRAPHJSON_FIELD_ARGS(pre, key), q.buf, fallback);
	strbuf_release(&q);
	return unknown;
}

int graphjson_enum_at(const struct graphjson_slot *sl, const char *pre,
		      const char *key, const struct graphjson_enum_name *names,
		      int dflt, int unknown, const char *fallback, int *out,
		      struct dg_err *err)
{
	json_object *v;
	const char *s;
	int rc;

	*out = dflt;
	rc = graphjson_field_at(sl, pre, key, json_type_string, false, &v,
				err);
	if (rc || !v)
		return rc;
	rc = string_in(sl, v, pre, key, &s, err);
	if (!rc)
		*out = graphjson_enum_of(s, pre, key, names, unknown, fallback);
	return rc;
}

/* An optional enum string field: absent or null gives dflt. */
int graphjson_enum(json_object *obj, const char *pre, const char *key,
		   const struct graphjson_enum_name *names, int dflt,
		   int unknown, const char *fallback, int *out,
		   struct dg_err *err)
{
	struct graphjson_slot sl = { NULL, false, false };

	sl.present = json_object_object_get_ex(obj, key, &sl.v);
	return graphjson_enum_at(&sl, pre, key, names, dflt, unknown,
				 fallback, out, err);
}

/* "YYYY-MM-DDTHH:MM:SS" at the start of s; Graph adds ".0000000". */
bool graphjson_is_datetime(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' && !isdigit((unsigned char)s[i]))
			return false;
		if (shape[i] != 'd' && s[i] != shape[i])
			return false;
	}
	return true;
}

/* The message of a date-time that is none: the same for both readers. */
static int not_datetime(const char *pre, const char *s, struct dg_err *err)
{
	struct strbuf q = STRBUF_INIT;
	int rc;

	if (quote_into(&q, s))
		strbuf_release(&q);
	rc = dg_errf(err, DG_EPARSE, "field '%s.dateTime' is not a date-time "
		     "like 2026-11-24T09:00:00 (\"%s\")", pre, q.buf);
	strbuf_release(&q);
	return rc;
}

const char *const graphjson_dtz_keys[2] = { "dateTime", "timeZone" };

int graphjson_datetime_at(const struct graphjson_slot *s, const char *pre,
			  const char *key, const char *full, bool required,
			  struct cal_datetime *dt, struct dg_err *err)
{
	struct graphjson_slot in[2];
	const char *date_time = NULL, *zone = NULL;
	json_object *o;
	int rc;

	rc = graphjson_field_at(s, pre, key, json_type_object, required, &o,
				err);
	if (rc || !o)
		return rc;
	graphjson_slots(o, graphjson_dtz_keys, 2, s->utf8, in);
	rc = graphjson_str_at(&in[0], full, "dateTime", true, &date_time,
			      err);
	if (!rc)
		rc = graphjson_str_at(&in[1], full, "timeZone", true, &zone,
				      err);
	if (!rc && !graphjson_is_datetime(date_time))
		rc = not_datetime(full, date_time, err);
	if (rc)
		return rc;
	dt->date_time = (char *)date_time;
	dt->time_zone = (char *)zone;
	return 0;
}

/* A dateTimeTimeZone field of obj; full is its printed name. */
int graphjson_datetime(json_object *obj, const char *pre, const char *key,
		       const char *full, bool required,
		       struct cal_datetime *dt, struct dg_err *err)
{
	struct graphjson_slot sl = { NULL, false, false };
	struct cal_datetime in = { NULL, NULL };
	int rc;

	sl.present = json_object_object_get_ex(obj, key, &sl.v);
	rc = graphjson_datetime_at(&sl, pre, key, full, required, &in, err);
	if (rc || !in.date_time)
		return rc;
	rc = graphjson_copy_string(in.date_time, &dt->date_time, err);
	if (!rc)
		rc = graphjson_copy_string(in.time_zone, &dt->time_zone, err);
	if (rc)
		cal_datetime_release(dt);
	return rc;
}

const char *const graphjson_address_keys[2] = { "name", "address" };

int graphjson_address_at(json_object *o, const char *pre, bool utf8,
			 struct cal_address *a, struct dg_err *err)
{
	struct graphjson_slot in[2];
	const char *name = NULL, *address = NULL;
	int rc;

	graphjson_slots(o, graphjson_address_keys, 2, utf8, in);
	rc = graphjson_str_at(&in[0], pre, "name", false, &name, err);
	if (!rc)
		rc = graphjson_str_at(&in[1], pre, "address", false, &address,
				      err);
	a->name = rc ? NULL : (char *)name;
	a->address = rc ? NULL : (char *)address;
	return rc;
}

/* The "value" array and "@odata.nextLink" of a collection page. */
int graphjson_page(json_object *root, json_object **value, char **next_link,
		   struct dg_err *err)
{
	int rc;

	*next_link = NULL;
	rc = graphjson_field(root, "", "value", json_type_array, true, value,
			     err);
	if (!rc)
		rc = graphjson_str(root, "", "@odata.nextLink", false,
				   next_link, err);
	/* a URL is printable ASCII (the rest is percent-encoded) */
	if (!rc && *next_link && !text_is_printable_ascii(*next_link))
		rc = dg_errf(err, DG_EPARSE, "'@odata.nextLink' must be a URL "
			     "of printable ASCII characters");
	if (rc) {
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

/* Item i of a page's value, which must be an object. */
int graphjson_item(json_object *value, size_t i, const char *kind,
		   json_object **out, struct dg_err *err)
{
	*out = json_object_array_get_idx(value, i);
	if (json_object_is_type(*out, json_type_object))
		return 0;
	return dg_errf(err, DG_EPARSE, "%s %zu must be an object, not %s",
		       kind, i + 1, graphjson_type_name(*out));
}

/*
 * Put "kind N" or "kind N ("label")" in front of the error of item i, so
 * a user can find it in the file or the answer.
 */
int graphjson_item_error(struct dg_err *err, const char *kind, size_t i,
			 json_object *item, const char *label_key)
{
	struct strbuf q = STRBUF_INIT;
	json_object *v = NULL;

	json_object_object_get_ex(item, label_key, &v);
	if (json_object_is_type(v, json_type_string) &&
	    *json_object_get_string(v) &&
	    !quote_into(&q, json_object_get_string(v))) {
		dg_err_prefix(err, "%s %zu (\"%s\")", kind, i + 1, q.buf);
		strbuf_release(&q);
		return err ? err->code : DG_EPARSE;
	}
	strbuf_release(&q);
	return dg_err_prefix(err, "%s %zu", kind, i + 1);
}

/* ---- error bodies --------------------------------------------------- */

/* innerError, spelled innererror in the schema: any case. */
static json_object *inner_error(json_object *e)
{
	json_object_object_foreach(e, key, val) {
		if (!strcasecmp(key, "innerError") &&
		    json_object_is_type(val, json_type_object))
			return val;
	}
	return NULL;
}

static int error_of(json_object *root, struct graphjson_error *out,
		    struct dg_err *err)
{
	json_object *e, *code, *inner;
	const char *s;
	int rc;

	rc = graphjson_field(root, "", "error", json_type_object, true, &e,
			     err);
	if (!rc)
		rc = graphjson_field(e, "error", "code", json_type_string, true,
				     &code, err);
	/* The code may be "" (Graph's batch examples have one). */
	if (!rc)
		rc = graphjson_string_of(code, "error", "code", &s, err);
	if (!rc)
		rc = graphjson_copy_string(s, &out->code, err);
	if (!rc)
		rc = graphjson_str(e, "error", "message", false, &out->message,
				   err);
	inner = rc ? NULL : inner_error(e);
	if (inner)
		rc = graphjson_str(inner, "error.innerError", "request-id",
				   false, &out->request_id, err);
	if (rc)
		graphjson_error_release(out);
	return rc;
}

int graphjson_error_body(const char *json, size_t len,
			 struct graphjson_error *out, struct dg_err *err)
{
	json_object *root;
	int rc;

	rc = graphjson_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = error_of(root, out, err);
	json_object_put(root);
	return rc;
}

int graphjson_error_value(const struct graphjson_value *v,
			  struct graphjson_error *out, struct dg_err *err)
{
	json_object *root;
	int rc = graphjson_value_root(v, &root, err);

	if (!rc)
		rc = error_of(root, out, err);
	json_object_put(root);
	return rc;
}

void graphjson_error_release(struct graphjson_error *e)
{
	free(e->code);
	free(e->message);
	free(e->request_id);
	e->code = NULL;
	e->message = NULL;
	e->request_id = NULL;
}
