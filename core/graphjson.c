#include "graphjson.h"
#include "graphjson_int.h"
#include "hmap.h"
#include "logging.h"
#include "strbuf.h"

#include <ctype.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest piece of untrusted text quoted in a message, in bytes. */
#define QUOTE_MAX 40

/* How a field name is printed: pre may be "" (a top-level field). */
#define FIELD "'%s%s%s'"
#define FIELD_ARGS(pre, key) (pre), *(pre) ? "." : "", (key)

/* One value of a Graph string enum. */
struct enum_name {
	const char *name;
	int value;
};

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

static const char *type_word(enum json_type t)
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

static const char *type_name(json_object *o)
{
	return type_word(json_object_get_type(o));
}

/*
 * Find key in obj. *out is NULL when the key is absent or null; a value of
 * another type than want is DG_EPARSE, and so is a required one missing.
 */
static int get_field(json_object *obj, const char *pre, const char *key,
		     enum json_type want, bool required, json_object **out,
		     struct dg_err *err)
{
	json_object *v = NULL;
	bool present = json_object_object_get_ex(obj, key, &v);

	*out = NULL;
	if (!present && required)
		return dg_errf(err, DG_EPARSE, "field " FIELD " is missing",
			       FIELD_ARGS(pre, key));
	if (!v && !required)
		return 0;
	if (!json_object_is_type(v, want))
		return dg_errf(err, DG_EPARSE,
			       "field " FIELD " must be %s, not %s",
			       FIELD_ARGS(pre, key), type_word(want),
			       type_name(v));
	*out = v;
	return 0;
}

/*
 * The string value of v, refused when it hides a NUL byte. *out is set on
 * every path: gcc -O3 cannot see that dg_errf() returns non-zero and would
 * otherwise think callers read it uninitialized.
 */
static int string_of(json_object *v, const char *pre, const char *key,
		     const char **out, struct dg_err *err)
{
	const char *s = json_object_get_string(v);

	*out = "";
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return dg_errf(err, DG_EPARSE,
			       "field " FIELD " holds a NUL character",
			       FIELD_ARGS(pre, key));
	*out = s;
	return 0;
}

static int copy_string(const char *s, char **out, struct dg_err *err)
{
	*out = strdup(s);
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory copying a field");
	return 0;
}

/*
 * A string field, copied into *out (yours). Optional: absent, null and ""
 * give NULL. Required: those are errors.
 */
static int get_str(json_object *obj, const char *pre, const char *key,
		   bool required, char **out, struct dg_err *err)
{
	json_object *v;
	const char *s;
	int rc;

	*out = NULL;
	rc = get_field(obj, pre, key, json_type_string, required, &v, err);
	if (rc || !v)
		return rc;
	rc = string_of(v, pre, key, &s, err);
	if (rc)
		return rc;
	if (!*s && required)
		return dg_errf(err, DG_EPARSE, "field " FIELD " is empty",
			       FIELD_ARGS(pre, key));
	if (!*s)
		return 0;
	return copy_string(s, out, err);
}

/* An optional boolean: absent or null is false. */
static int get_bool(json_object *obj, const char *pre, const char *key,
		    bool *out, struct dg_err *err)
{
	json_object *v;
	int rc;

	*out = false;
	rc = get_field(obj, pre, key, json_type_boolean, false, &v, err);
	if (rc || !v)
		return rc;
	*out = json_object_get_boolean(v);
	return 0;
}

/* An optional string inside an optional object: location.displayName. */
static int get_sub_str(json_object *obj, const char *sub, const char *key,
		       char **out, struct dg_err *err)
{
	json_object *o;
	int rc;

	*out = NULL;
	rc = get_field(obj, "", sub, json_type_object, false, &o, err);
	if (rc || !o)
		return rc;
	return get_str(o, sub, key, false, out, err);
}

/*
 * Look up the enum string s in names. A value we do not know gives unknown
 * and a warning (Graph grew a value we should learn about); fallback says
 * in words what we do with it instead.
 */
static int enum_of(const char *s, const char *pre, const char *key,
		   const struct enum_name *names, int unknown,
		   const char *fallback)
{
	struct strbuf q = STRBUF_INIT;
	const struct enum_name *n;

	for (n = names; n->name; n++)
		if (!strcasecmp(n->name, s))
			return n->value;
	if (quote_into(&q, s))
		strbuf_release(&q);
	logging_warn("field " FIELD " has the unknown value \"%s\"; %s",
		     FIELD_ARGS(pre, key), q.buf, fallback);
	strbuf_release(&q);
	return unknown;
}

/* An optional enum string field: absent or null gives dflt. */
static int get_enum(json_object *obj, const char *pre, const char *key,
		    const struct enum_name *names, int dflt, int unknown,
		    const char *fallback, int *out, struct dg_err *err)
{
	json_object *v;
	const char *s;
	int rc;

	*out = dflt;
	rc = get_field(obj, pre, key, json_type_string, false, &v, err);
	if (rc || !v)
		return rc;
	rc = string_of(v, pre, key, &s, err);
	if (!rc)
		*out = enum_of(s, pre, key, names, unknown, fallback);
	return rc;
}

/* "YYYY-MM-DDTHH:MM:SS" at the start of s; Graph adds ".0000000". */
static bool looks_like_datetime(const char *s)
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

/* The fields of a dateTimeTimeZone object o, named pre.dateTime... */
static int parse_dtz(json_object *o, const char *pre, struct cal_datetime *dt,
		     struct dg_err *err)
{
	struct strbuf q = STRBUF_INIT;
	int rc;

	rc = get_str(o, pre, "dateTime", true, &dt->date_time, err);
	if (!rc)
		rc = get_str(o, pre, "timeZone", true, &dt->time_zone, err);
	if (rc || looks_like_datetime(dt->date_time))
		return rc;
	if (quote_into(&q, dt->date_time))
		strbuf_release(&q);
	rc = dg_errf(err, DG_EPARSE, "field '%s.dateTime' is not a date-time "
		     "like 2026-11-24T09:00:00 (\"%s\")", pre, q.buf);
	strbuf_release(&q);
	return rc;
}

/* A dateTimeTimeZone field of obj; full is its printed name. */
static int get_datetime(json_object *obj, const char *pre, const char *key,
			const char *full, bool required,
			struct cal_datetime *dt, struct dg_err *err)
{
	json_object *o;
	int rc;

	rc = get_field(obj, pre, key, json_type_object, required, &o, err);
	if (rc || !o)
		return rc;
	rc = parse_dtz(o, full, dt, err);
	if (rc)
		cal_datetime_release(dt);
	return rc;
}

/* An emailAddress object's name and address; pre names the object. */
static int parse_address(json_object *o, const char *pre,
			 struct cal_address *a, struct dg_err *err)
{
	int rc;

	rc = get_str(o, pre, "name", false, &a->name, err);
	if (!rc)
		rc = get_str(o, pre, "address", false, &a->address, err);
	return rc;
}

/* Line and column (1-based) of byte off, for messages on invalid JSON. */
static void position_of(const char *json, size_t off, size_t *line,
			size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (json[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Parse text that must be one JSON object. *root is yours: put it. */
static int parse_root(const char *json, size_t len, json_object **root,
		      struct dg_err *err)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	size_t end, line, col;
	const char *nul;
	json_object *o;

	*root = NULL;
	if (!len)
		return dg_errf(err, DG_EPARSE,
			       "invalid JSON: the text is empty");
	if (len > INT_MAX)
		return dg_errf(err, DG_ETOOBIG,
			       "the JSON text is too large (%zu bytes)", len);
	/* json-c would stop there and call it "unexpected end of data". */
	nul = memchr(json, '\0', len);
	if (nul) {
		position_of(json, (size_t)(nul - json), &line, &col);
		return dg_errf(err, DG_EPARSE, "invalid JSON at line %zu, "
			       "column %zu (byte %zu): a NUL byte", line, col,
			       (size_t)(nul - json));
	}
	tok = json_tokener_new();
	if (!tok)
		return dg_errf(err, DG_ENOMEM, "out of memory parsing JSON");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
				    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(o);
		return dg_errf(err, DG_EPARSE, "invalid JSON: the text ends "
			       "early, after %zu bytes", len);
	}
	if (jerr != json_tokener_success || !o) {
		json_object_put(o);
		position_of(json, end < len ? end : len, &line, &col);
		return dg_errf(err, DG_EPARSE, "invalid JSON at line %zu, "
			       "column %zu (byte %zu): %s", line, col, end,
			       json_tokener_error_desc(jerr));
	}
	if (!json_object_is_type(o, json_type_object)) {
		dg_errf(err, DG_EPARSE, "the JSON text is %s, not an object",
			type_name(o));
		json_object_put(o);
		return DG_EPARSE;
	}
	*root = o;
	return 0;
}

/* The "value" array and "@odata.nextLink" of a collection page. */
static int parse_page(const char *json, size_t len, json_object **root,
		      json_object **value, char **next_link,
		      struct dg_err *err)
{
	int rc;

	*next_link = NULL;
	rc = parse_root(json, len, root, err);
	if (rc)
		return rc;
	rc = get_field(*root, "", "value", json_type_array, true, value, err);
	if (!rc)
		rc = get_str(*root, "", "@odata.nextLink", false, next_link,
			     err);
	if (rc) {
		json_object_put(*root);
		*root = NULL;
	}
	return rc;
}

/* Item i of a page's value, which must be an object. */
static int page_item(json_object *value, size_t i, const char *kind,
		     json_object **out, struct dg_err *err)
{
	*out = json_object_array_get_idx(value, i);
	if (json_object_is_type(*out, json_type_object))
		return 0;
	return dg_errf(err, DG_EPARSE, "%s %zu must be an object, not %s",
		       kind, i + 1, type_name(*out));
}

/*
 * Put "kind N" or "kind N ("label")" in front of the error of item i, so
 * a user can find it in the file or the answer.
 */
static int item_error(struct dg_err *err, const char *kind, size_t i,
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

/* ---- users ---------------------------------------------------------- */

static int parse_strings(json_object *obj, const char *key, char ***v,
			 size_t *n, struct dg_err *err)
{
	json_object *arr;
	size_t i, len;
	int rc;

	rc = get_field(obj, "", key, json_type_array, false, &arr, err);
	if (rc || !arr)
		return rc;
	len = json_object_array_length(arr);
	if (!len)
		return 0;
	*v = calloc(len, sizeof(**v));
	if (!*v)
		return dg_errf(err, DG_ENOMEM, "out of memory reading '%s'",
			       key);
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *s;

		if (!json_object_is_type(e, json_type_string))
			return dg_errf(err, DG_EPARSE, "field '%s' item %zu "
				       "must be a string, not %s", key, i + 1,
				       type_name(e));
		rc = string_of(e, "", key, &s, err);
		if (!rc && *s)
			rc = copy_string(s, &(*v)[(*n)++], err);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_user(json_object *o, struct cal_user *u, struct dg_err *err)
{
	int rc;

	rc = get_str(o, "", "id", true, &u->id, err);
	if (!rc)
		rc = get_str(o, "", "mail", false, &u->mail, err);
	if (!rc)
		rc = get_str(o, "", "displayName", false, &u->display_name,
			     err);
	if (!rc)
		rc = get_str(o, "", "givenName", false, &u->given_name, err);
	if (!rc)
		rc = get_str(o, "", "surname", false, &u->surname, err);
	if (!rc)
		rc = get_str(o, "", "userPrincipalName", false,
			     &u->user_principal_name, err);
	if (!rc)
		rc = parse_strings(o, "proxyAddresses", &u->proxy_addresses,
				   &u->nproxy, err);
	return rc;
}

static void users_truncate(struct cal_user_list *list, size_t n)
{
	while (list->n > n)
		cal_user_release(&list->v[--list->n]);
}

int graphjson_users_page(const char *json, size_t len,
			 struct cal_user_list *out, char **next_link,
			 struct dg_err *err)
{
	json_object *root, *value, *item;
	size_t i, n0 = out->n;
	struct cal_user *u;
	int rc;

	rc = parse_page(json, len, &root, &value, next_link, err);
	if (rc)
		return rc;
	for (i = 0; !rc && i < json_object_array_length(value); i++) {
		rc = page_item(value, i, "user", &item, err);
		if (!rc)
			rc = cal_user_list_push(out, &u);
		if (rc == DG_ENOMEM)
			dg_errf(err, rc, "out of memory reading users");
		if (rc)
			break;
		rc = parse_user(item, u, err);
		if (rc)
			item_error(err, "user", i, item,
				   json_object_object_get_ex(item, "id", NULL)
				   ? "id" : "userPrincipalName");
	}
	json_object_put(root);
	if (rc) {
		users_truncate(out, n0);
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

/* ---- mailboxSettings ------------------------------------------------ */

static const struct enum_name autoreply_names[] = {
	{ "disabled", CAL_AUTOREPLY_DISABLED },
	{ "alwaysEnabled", CAL_AUTOREPLY_ALWAYS },
	{ "scheduled", CAL_AUTOREPLY_SCHEDULED },
	{ NULL, 0 }
};

static const struct enum_name day_names[] = {
	{ "sunday", CAL_SUNDAY },
	{ "monday", CAL_MONDAY },
	{ "tuesday", CAL_TUESDAY },
	{ "wednesday", CAL_WEDNESDAY },
	{ "thursday", CAL_THURSDAY },
	{ "friday", CAL_FRIDAY },
	{ "saturday", CAL_SATURDAY },
	{ NULL, 0 }
};

static int parse_working_days(json_object *root, struct cal_mailbox *mb,
			      struct dg_err *err)
{
	const char *pre = "workingHours";
	json_object *wh, *days;
	size_t i;
	int rc;

	rc = get_field(root, "", pre, json_type_object, false, &wh, err);
	if (rc || !wh)
		return rc;
	rc = get_field(wh, pre, "daysOfWeek", json_type_array, false, &days,
		       err);
	if (rc || !days)
		return rc;
	mb->has_working_days = true;
	for (i = 0; i < json_object_array_length(days); i++) {
		json_object *e = json_object_array_get_idx(days, i);
		const char *s;

		if (!json_object_is_type(e, json_type_string))
			return dg_errf(err, DG_EPARSE, "field "
				       "'workingHours.daysOfWeek' item %zu "
				       "must be a string, not %s", i + 1,
				       type_name(e));
		rc = string_of(e, pre, "daysOfWeek", &s, err);
		if (rc)
			return rc;
		mb->working_days |= (unsigned)enum_of(s, pre, "daysOfWeek",
						      day_names, 0,
						      "the day is left out");
	}
	return 0;
}

/* "08:00:00.0000000" (Edm.TimeOfDay) as minutes after midnight, or -1. */
static int time_of_day(const char *s)
{
	int h, m;

	if (!s || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + s[1] - '0';
	m = (s[3] - '0') * 10 + s[4] - '0';
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

/*
 * workingHours.startTime, endTime and timeZone.name. Hours that cannot
 * be read are left out with a warning: they only refine out-of-office
 * days, never worth failing a user for.
 */
static int parse_working_hours(json_object *root, struct cal_mailbox *mb,
			       struct dg_err *err)
{
	const char *pre = "workingHours";
	char *start = NULL, *end = NULL;
	json_object *wh;
	int rc;

	rc = get_field(root, "", pre, json_type_object, false, &wh, err);
	if (rc || !wh)
		return rc;
	rc = get_str(wh, pre, "startTime", false, &start, err);
	if (!rc)
		rc = get_str(wh, pre, "endTime", false, &end, err);
	if (!rc)
		rc = get_sub_str(wh, "timeZone", "name", &mb->working_zone,
				 err);
	if (!rc && start && end) {
		mb->work_start_min = time_of_day(start);
		mb->work_end_min = time_of_day(end);
		mb->has_working_hours = mb->work_start_min >= 0 &&
					mb->work_end_min > mb->work_start_min;
		if (!mb->has_working_hours)
			logging_warn("field 'workingHours' has the hours "
				     "\"%.16s\" to \"%.16s\"; taken as the "
				     "whole day", start, end);
	}
	free(start);
	free(end);
	return rc;
}

static const struct enum_name purpose_names[] = {
	{ "user", CAL_PURPOSE_USER },
	{ "linked", CAL_PURPOSE_LINKED },
	{ "shared", CAL_PURPOSE_SHARED },
	{ "room", CAL_PURPOSE_ROOM },
	{ "equipment", CAL_PURPOSE_EQUIPMENT },
	{ "others", CAL_PURPOSE_OTHERS },
	{ NULL, 0 }
};

/*
 * userPurpose: the docs define a string, their GET example shows an
 * object {"value": "user"}: both are read.
 */
static int parse_purpose(json_object *root, struct cal_mailbox *mb,
			 struct dg_err *err)
{
	json_object *v = NULL;
	int rc, purpose;

	mb->purpose = CAL_PURPOSE_UNKNOWN;
	json_object_object_get_ex(root, "userPurpose", &v);
	if (json_object_is_type(v, json_type_object))
		rc = get_enum(v, "userPurpose", "value", purpose_names,
			      CAL_PURPOSE_UNKNOWN, CAL_PURPOSE_UNKNOWN,
			      "taken as a person", &purpose, err);
	else
		rc = get_enum(root, "", "userPurpose", purpose_names,
			      CAL_PURPOSE_UNKNOWN, CAL_PURPOSE_UNKNOWN,
			      "taken as a person", &purpose, err);
	if (!rc)
		mb->purpose = (enum cal_purpose)purpose;
	return rc;
}

static int parse_autoreply(json_object *root, struct cal_mailbox *mb,
			   struct dg_err *err)
{
	const char *pre = "automaticRepliesSetting";
	bool need;
	json_object *ars;
	int rc, status;

	rc = get_field(root, "", pre, json_type_object, false, &ars, err);
	if (rc || !ars)
		return rc;
	rc = get_enum(ars, pre, "status", autoreply_names,
		      CAL_AUTOREPLY_DISABLED, CAL_AUTOREPLY_DISABLED,
		      "taken as disabled", &status, err);
	if (rc)
		return rc;
	mb->autoreply = (enum cal_autoreply)status;
	/* Graph sends the window whatever the status; it only matters then. */
	need = mb->autoreply == CAL_AUTOREPLY_SCHEDULED;
	rc = get_datetime(ars, pre, "scheduledStartDateTime",
			  "automaticRepliesSetting.scheduledStartDateTime",
			  need, &mb->autoreply_start, err);
	if (rc)
		return rc;
	return get_datetime(ars, pre, "scheduledEndDateTime",
			    "automaticRepliesSetting.scheduledEndDateTime",
			    need, &mb->autoreply_end, err);
	return rc;
}

int graphjson_mailbox(const char *json, size_t len, struct cal_mailbox *out,
		      struct dg_err *err)
{
	json_object *root;
	int rc;

	rc = parse_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = get_str(root, "", "timeZone", false, &out->time_zone, err);
	if (!rc)
		rc = parse_working_days(root, out, err);
	if (!rc)
		rc = parse_working_hours(root, out, err);
	if (!rc)
		rc = parse_purpose(root, out, err);
	if (!rc)
		rc = parse_autoreply(root, out, err);
	if (!rc)
		rc = get_sub_str(root, "language", "locale", &out->locale,
				 err);
	json_object_put(root);
	if (rc)
		cal_mailbox_release(out);
	return rc;
}

/* ---- calendarView --------------------------------------------------- */

static const struct enum_name sensitivity_names[] = {
	{ "normal", CAL_SENSITIVITY_NORMAL },
	{ "personal", CAL_SENSITIVITY_PERSONAL },
	{ "private", CAL_SENSITIVITY_PRIVATE },
	{ "confidential", CAL_SENSITIVITY_CONFIDENTIAL },
	{ NULL, 0 }
};

static const struct enum_name attendee_names[] = {
	{ "required", CAL_ATTENDEE_REQUIRED },
	{ "optional", CAL_ATTENDEE_OPTIONAL },
	{ "resource", CAL_ATTENDEE_RESOURCE },
	{ NULL, 0 }
};

/* organizer.emailAddress, both levels optional. */
static int parse_organizer(json_object *o, struct cal_address *a,
			   struct dg_err *err)
{
	json_object *org, *ea;
	int rc;

	rc = get_field(o, "", "organizer", json_type_object, false, &org,
		       err);
	if (rc || !org)
		return rc;
	rc = get_field(org, "organizer", "emailAddress", json_type_object,
		       false, &ea, err);
	if (rc || !ea)
		return rc;
	return parse_address(ea, "organizer.emailAddress", a, err);
}

static int parse_attendee(json_object *o, struct cal_attendee *at,
			  struct dg_err *err)
{
	json_object *ea;
	int rc, type;

	rc = get_enum(o, "", "type", attendee_names, CAL_ATTENDEE_REQUIRED,
		      CAL_ATTENDEE_REQUIRED, "taken as required", &type, err);
	if (rc)
		return rc;
	at->type = (enum cal_attendee_type)type;
	rc = get_sub_str(o, "status", "response", &at->response, err);
	if (!rc)
		rc = get_field(o, "", "emailAddress", json_type_object, false,
			       &ea, err);
	if (rc || !ea)
		return rc;
	return parse_address(ea, "emailAddress", &at->who, err);
}

static int parse_attendees(json_object *o, struct cal_event *ev,
			   struct dg_err *err)
{
	json_object *arr;
	size_t i, len;
	int rc;

	rc = get_field(o, "", "attendees", json_type_array, false, &arr, err);
	if (rc || !arr)
		return rc;
	len = json_object_array_length(arr);
	if (!len)
		return 0;
	ev->attendees = calloc(len, sizeof(*ev->attendees));
	if (!ev->attendees)
		return dg_errf(err, DG_ENOMEM, "out of memory reading "
			       "attendees");
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_object))
			return dg_errf(err, DG_EPARSE, "attendee %zu must be "
				       "an object, not %s", i + 1,
				       type_name(e));
		/* Counted first, so a half-read attendee is released too. */
		ev->nattendees = i + 1;
		rc = parse_attendee(e, &ev->attendees[i], err);
		if (rc)
			return dg_err_prefix(err, "attendee %zu", i + 1);
	}
	return 0;
}

/* The first string of an optional array of strings, or NULL. */
static int get_first_str(json_object *obj, const char *pre, const char *key,
			 char **out, struct dg_err *err)
{
	json_object *arr, *e;
	const char *s;
	int rc;

	*out = NULL;
	rc = get_field(obj, pre, key, json_type_array, false, &arr, err);
	if (rc || !arr || !json_object_array_length(arr))
		return rc;
	e = json_object_array_get_idx(arr, 0);
	if (!json_object_is_type(e, json_type_string))
		return dg_errf(err, DG_EPARSE, "field " FIELD " item 1 must "
			       "be a string, not %s", FIELD_ARGS(pre, key),
			       type_name(e));
	rc = string_of(e, pre, key, &s, err);
	if (rc || !*s)
		return rc;
	return copy_string(s, out, err);
}

/* onlineMeeting: the join link, and the phone numbers and conference id. */
static int parse_online_meeting(json_object *o, struct cal_event *ev,
				struct dg_err *err)
{
	const char *pre = "onlineMeeting";
	json_object *om;
	int rc;

	rc = get_field(o, "", pre, json_type_object, false, &om, err);
	if (rc || !om)
		return rc;
	rc = get_str(om, pre, "joinUrl", false, &ev->join_url, err);
	if (!rc)
		rc = get_str(om, pre, "tollNumber", false, &ev->toll_number,
			     err);
	if (!rc)
		rc = get_first_str(om, pre, "tollFreeNumbers",
				   &ev->toll_free_number, err);
	if (!rc)
		rc = get_str(om, pre, "conferenceId", false,
			     &ev->conference_id, err);
	return rc;
}

static int parse_event(json_object *o, struct cal_event *ev,
		       struct dg_err *err)
{
	int rc, sens;

	rc = get_str(o, "", "id", true, &ev->id, err);
	if (!rc)
		rc = get_str(o, "", "subject", false, &ev->subject, err);
	if (!rc)
		rc = get_enum(o, "", "sensitivity", sensitivity_names,
			      CAL_SENSITIVITY_NORMAL, CAL_SENSITIVITY_PRIVATE,
			      "taken as private", &sens, err);
	if (rc)
		return rc;
	ev->sensitivity = (enum cal_sensitivity)sens;
	rc = get_bool(o, "", "isAllDay", &ev->is_all_day, err);
	if (!rc)
		rc = get_bool(o, "", "isCancelled", &ev->is_cancelled, err);
	if (!rc)
		rc = get_sub_str(o, "responseStatus", "response",
				 &ev->response, err);
	if (!rc)
		rc = get_str(o, "", "showAs", false, &ev->show_as, err);
	if (!rc)
		rc = get_str(o, "", "type", false, &ev->type, err);
	if (!rc)
		rc = get_datetime(o, "", "start", "start", true, &ev->start,
				  err);
	if (!rc)
		rc = get_datetime(o, "", "end", "end", true, &ev->end, err);
	if (!rc)
		rc = get_sub_str(o, "location", "displayName", &ev->location,
				 err);
	if (!rc)
		rc = parse_online_meeting(o, ev, err);
	if (!rc)
		rc = parse_organizer(o, &ev->organizer, err);
	if (!rc)
		rc = parse_attendees(o, ev, err);
	return rc;
}

static void events_truncate(struct cal_event_list *list, size_t n)
{
	while (list->n > n)
		cal_event_release(&list->v[--list->n]);
}

/*
 * One event of a page that cannot be read (a NUL in its subject, an empty
 * end.timeZone...) is left out with a warning naming it: the reader still
 * gets the rest of the day. err holds why.
 */
static void event_left_out(struct dg_err *err)
{
	logging_warn("%s; the event is left out", err->msg);
	err->msg[0] = '\0';
	err->code = 0;
}

int graphjson_events_page(const char *json, size_t len,
			  struct cal_event_list *out, char **next_link,
			  struct dg_err *err)
{
	json_object *root, *value, *item;
	size_t i, n0 = out->n;
	struct cal_event *ev;
	int rc;

	rc = parse_page(json, len, &root, &value, next_link, err);
	if (rc)
		return rc;
	for (i = 0; !rc && i < json_object_array_length(value); i++) {
		rc = page_item(value, i, "event", &item, err);
		if (rc == DG_EPARSE) {
			event_left_out(err);
			rc = 0;
			continue;
		}
		if (!rc)
			rc = cal_event_list_push(out, &ev);
		if (rc == DG_ENOMEM)
			dg_errf(err, rc, "out of memory reading events");
		if (rc)
			break;
		rc = parse_event(item, ev, err);
		if (rc == DG_EPARSE) {
			item_error(err, "event", i, item, "id");
			event_left_out(err);
			cal_event_release(&out->v[--out->n]);
			rc = 0;
		}
	}
	json_object_put(root);
	if (rc) {
		events_truncate(out, n0);
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

/* ---- groups --------------------------------------------------------- */

static int parse_group(json_object *o, struct cal_group *g,
		       struct dg_err *err)
{
	int rc;

	rc = get_str(o, "", "id", true, &g->id, err);
	if (!rc)
		rc = get_str(o, "", "mail", false, &g->mail, err);
	if (!rc)
		rc = get_str(o, "", "displayName", false, &g->display_name,
			     err);
	return rc;
}

int graphjson_group_find(const char *json, size_t len, const char *address,
			 struct cal_group *out, bool *found, char **next_link,
			 struct dg_err *err)
{
	json_object *root, *value, *item;
	size_t i;
	int rc;

	*found = false;
	rc = parse_page(json, len, &root, &value, next_link, err);
	if (rc)
		return rc;
	for (i = 0; i < json_object_array_length(value); i++) {
		struct cal_group g = { 0 };

		rc = page_item(value, i, "group", &item, err);
		if (!rc)
			rc = parse_group(item, &g, err);
		if (rc) {
			cal_group_release(&g);
			item_error(err, "group", i, item, "id");
			break;
		}
		if (!*found && g.mail && !strcasecmp(g.mail, address)) {
			*out = g;
			*found = true;
			continue;
		}
		cal_group_release(&g);
	}
	json_object_put(root);
	if (rc) {
		if (*found)
			cal_group_release(out);
		*found = false;
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

/* Users and contacts receive mail as people; groups and devices do not. */
static bool is_person(const char *odata_type)
{
	return !odata_type ||
	       !strcasecmp(odata_type, "#microsoft.graph.user") ||
	       !strcasecmp(odata_type, "#microsoft.graph.orgContact");
}

/*
 * Read one member; *keep says whether it is a person with mail not yet
 * listed. a is filled only then.
 */
static int parse_member(json_object *o, const struct hmap *listed,
			struct cal_address *a, bool *keep, struct dg_err *err)
{
	char *type;
	int rc;

	*keep = false;
	rc = get_str(o, "", "@odata.type", false, &type, err);
	if (rc)
		return rc;
	*keep = is_person(type);
	free(type);
	if (!*keep)
		return 0;
	rc = get_str(o, "", "mail", false, &a->address, err);
	if (!rc)
		rc = get_str(o, "", "displayName", false, &a->name, err);
	*keep = !rc && a->address && !hmap_get(listed, a->address);
	if (!*keep)
		cal_address_release(a);
	return rc;
}

static int members_nomem(struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM, "out of memory reading group members");
}

/*
 * Room in g->members for n more, grown geometrically, and g->listed, the
 * hash set of the addresses already in g (made on the first page, kept
 * with the group), so that a list of 80,000 costs one lookup a member
 * and no rescan of the earlier pages.
 */
static int members_prepare(struct cal_group *g, size_t n, struct dg_err *err)
{
	struct cal_address *v;
	size_t want = g->nmembers + n, alloc = g->members_alloc;

	if (want > alloc) {
		alloc = alloc ? alloc : 16;
		while (alloc < want)
			alloc *= 2;
		v = realloc(g->members, alloc * sizeof(*v));
		if (!v)
			return members_nomem(err);
		g->members = v;
		g->members_alloc = alloc;
	}
	if (g->listed)
		return 0;
	g->listed = malloc(sizeof(*g->listed));
	if (!g->listed)
		return members_nomem(err);
	hmap_init(g->listed, HMAP_NOCASE);
	for (size_t i = 0; i < g->nmembers; i++)
		if (hmap_put(g->listed, g->members[i].address,
			     g->members[i].address, NULL))
			return members_nomem(err);
	return 0;
}

/* Add a to g->members (room was made) and to g->listed. */
static int add_member(struct cal_group *g, struct cal_address *a,
		      struct dg_err *err)
{
	g->members[g->nmembers++] = *a;
	if (hmap_put(g->listed, a->address, a->address, NULL))
		return members_nomem(err);
	return 0;
}

/*
 * Back to the first n members. The set is dropped (it would hold keys of
 * the freed ones); the next page makes it again.
 */
static void members_truncate(struct cal_group *g, size_t n)
{
	if (g->listed) {
		hmap_release(g->listed);
		free(g->listed);
		g->listed = NULL;
	}
	while (g->nmembers > n)
		cal_address_release(&g->members[--g->nmembers]);
}

int graphjson_members_page(const char *json, size_t len, struct cal_group *g,
			   char **next_link, struct dg_err *err)
{
	json_object *root, *value, *item;
	size_t i, n0 = g->nmembers;
	int rc;

	rc = parse_page(json, len, &root, &value, next_link, err);
	if (rc)
		return rc;
	rc = members_prepare(g, json_object_array_length(value), err);
	for (i = 0; !rc && i < json_object_array_length(value); i++) {
		struct cal_address a = { 0 };
		bool keep;

		rc = page_item(value, i, "member", &item, err);
		if (!rc)
			rc = parse_member(item, g->listed, &a, &keep, err);
		if (rc) {
			item_error(err, "member", i, item, "id");
			break;
		}
		if (keep)
			rc = add_member(g, &a, err);
	}
	json_object_put(root);
	if (rc) {
		members_truncate(g, n0);
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
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

int graphjson_error_body(const char *json, size_t len,
			 struct graphjson_error *out, struct dg_err *err)
{
	json_object *root, *e, *code, *inner;
	const char *s;
	int rc;

	rc = parse_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = get_field(root, "", "error", json_type_object, true, &e, err);
	if (!rc)
		rc = get_field(e, "error", "code", json_type_string, true,
			       &code, err);
	/* The code may be "" (Graph's batch examples have one). */
	if (!rc)
		rc = string_of(code, "error", "code", &s, err);
	if (!rc)
		rc = copy_string(s, &out->code, err);
	if (!rc)
		rc = get_str(e, "error", "message", false, &out->message, err);
	inner = rc ? NULL : inner_error(e);
	if (inner)
		rc = get_str(inner, "error.innerError", "request-id", false,
			     &out->request_id, err);
	json_object_put(root);
	if (rc)
		graphjson_error_release(out);
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

/* ---- for the module's other files (graphjson_int.h) ----------------- */

int graphjson_root(const char *json, size_t len, json_object **root,
		   struct dg_err *err)
{
	return parse_root(json, len, root, err);
}

int graphjson_field(json_object *obj, const char *pre, const char *key,
		    enum json_type want, bool required, json_object **out,
		    struct dg_err *err)
{
	return get_field(obj, pre, key, want, required, out, err);
}

int graphjson_str(json_object *obj, const char *pre, const char *key,
		  bool required, char **out, struct dg_err *err)
{
	return get_str(obj, pre, key, required, out, err);
}

const char *graphjson_type_name(json_object *o)
{
	return type_name(o);
}

int graphjson_page(const char *json, size_t len, json_object **root,
		   json_object **value, char **next_link, struct dg_err *err)
{
	return parse_page(json, len, root, value, next_link, err);
}

int graphjson_item(json_object *value, size_t i, const char *kind,
		   json_object **out, struct dg_err *err)
{
	return page_item(value, i, kind, out, err);
}

int graphjson_item_error(struct dg_err *err, const char *kind, size_t i,
			 json_object *item, const char *label_key)
{
	return item_error(err, kind, i, item, label_key);
}

int graphjson_user_fields(json_object *o, struct cal_user *u,
			  struct dg_err *err)
{
	return parse_user(o, u, err);
}

int graphjson_group_fields(json_object *o, struct cal_group *g,
			   struct dg_err *err)
{
	return parse_group(o, g, err);
}
