/*
 * graphjson_events: calendarView pages of events, read two ways to one
 * rule: from json-c's tree (a page fetched on its own, and any page that
 * is not what Graph sends) and from the tokens of a $batch answer
 * (graphjson_doc.c), the road of nearly every page of a run.
 */
#include "graphjson.h"
#include "graphjson_int.h"
#include "logging.h"
#include "text.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static const struct graphjson_enum_name sensitivity_names[] = {
	{ "normal", CAL_SENSITIVITY_NORMAL },
	{ "personal", CAL_SENSITIVITY_PERSONAL },
	{ "private", CAL_SENSITIVITY_PRIVATE },
	{ "confidential", CAL_SENSITIVITY_CONFIDENTIAL },
	{ NULL, 0 }
};

static const struct graphjson_enum_name attendee_names[] = {
	{ "required", CAL_ATTENDEE_REQUIRED },
	{ "optional", CAL_ATTENDEE_OPTIONAL },
	{ "resource", CAL_ATTENDEE_RESOURCE },
	{ NULL, 0 }
};

/*
 * An event is read in one pass over each of its objects, its strings
 * borrowed from the parsed answer, then copied at once into one block
 * (cal_event_pack()): a field looked up by name costs a hash and a
 * compare, and a copy of each string a malloc and a free. The fields are
 * checked in the order they always were, so a faulty event gets the same
 * message.
 */

enum { ORG_EMAIL, ORG_N };
static const char *const organizer_keys[ORG_N] = { "emailAddress" };

/* organizer.emailAddress, both levels optional. */
static int parse_organizer(const struct graphjson_slot *s,
			   struct cal_address *a, struct dg_err *err)
{
	struct graphjson_slot in[ORG_N];
	json_object *org, *ea;
	int rc;

	rc = graphjson_field_at(s, "", "organizer", json_type_object, false,
				&org, err);
	if (rc || !org)
		return rc;
	graphjson_slots(org, organizer_keys, ORG_N, s->utf8, in);
	rc = graphjson_field_at(&in[ORG_EMAIL], "organizer", "emailAddress",
				json_type_object, false, &ea, err);
	if (rc || !ea)
		return rc;
	return graphjson_address_at(ea, "organizer.emailAddress", s->utf8, a,
				    err);
}

enum { AT_TYPE, AT_STATUS, AT_EMAIL, AT_N };
static const char *const attendee_keys[AT_N] = { "type", "status",
						  "emailAddress" };

static int parse_attendee(json_object *o, bool utf8,
			  struct cal_attendee *at, struct dg_err *err)
{
	struct graphjson_slot in[AT_N];
	const char *response;
	json_object *ea;
	int rc, type;

	graphjson_slots(o, attendee_keys, AT_N, utf8, in);
	rc = graphjson_enum_at(&in[AT_TYPE], "", "type", attendee_names,
			       CAL_ATTENDEE_REQUIRED, CAL_ATTENDEE_REQUIRED,
			       "taken as required", &type, err);
	if (rc)
		return rc;
	at->type = (enum cal_attendee_type)type;
	rc = graphjson_sub_str_at(&in[AT_STATUS], "status", "response",
				  &response, err);
	if (rc)
		return rc;
	at->response = (char *)response;
	rc = graphjson_field_at(&in[AT_EMAIL], "", "emailAddress",
				json_type_object, false, &ea, err);
	if (rc || !ea)
		return rc;
	return graphjson_address_at(ea, "emailAddress", utf8, &at->who, err);
}

static int parse_attendees(const struct graphjson_slot *s,
			   struct cal_event *ev, struct dg_err *err)
{
	json_object *arr;
	size_t i, len;
	int rc;

	rc = graphjson_field_at(s, "", "attendees", json_type_array, false,
				&arr, err);
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
				       graphjson_type_name(e));
		ev->nattendees = i + 1;
		rc = parse_attendee(e, s->utf8, &ev->attendees[i], err);
		if (rc)
			return dg_err_prefix(err, "attendee %zu", i + 1);
	}
	return 0;
}

/* The first string of an optional array of strings, or NULL; borrowed. */
static int get_first_str(const struct graphjson_slot *sl, const char *pre,
			 const char *key, char **out, struct dg_err *err)
{
	json_object *arr, *e;
	const char *s;
	int rc;

	*out = NULL;
	rc = graphjson_field_at(sl, pre, key, json_type_array, false, &arr,
				err);
	if (rc || !arr || !json_object_array_length(arr))
		return rc;
	e = json_object_array_get_idx(arr, 0);
	if (!json_object_is_type(e, json_type_string))
		return dg_errf(err, DG_EPARSE,
			       "field " GRAPHJSON_FIELD " item 1 must "
			       "be a string, not %s",
			       GRAPHJSON_FIELD_ARGS(pre, key),
			       graphjson_type_name(e));
	rc = graphjson_string_of(e, pre, key, &s, err);
	if (!rc && *s)
		*out = (char *)s;
	return rc;
}

enum { OM_JOIN, OM_TOLL, OM_TOLL_FREE, OM_CONFERENCE, OM_N };
static const char *const online_keys[OM_N] = {
	"joinUrl", "tollNumber", "tollFreeNumbers", "conferenceId"
};

/* A borrowed optional string field of a slot into *out. */
static int str_at(const struct graphjson_slot *s, const char *pre,
		  const char *key, char **out, struct dg_err *err)
{
	const char *v;
	int rc = graphjson_str_at(s, pre, key, false, &v, err);

	*out = rc ? NULL : (char *)v;
	return rc;
}

/* onlineMeeting: the join link, and the phone numbers and conference id. */
static int parse_online_meeting(const struct graphjson_slot *s,
				struct cal_event *ev, struct dg_err *err)
{
	const char *pre = "onlineMeeting";
	struct graphjson_slot in[OM_N];
	json_object *om;
	int rc;

	rc = graphjson_field_at(s, "", pre, json_type_object, false, &om, err);
	if (rc || !om)
		return rc;
	graphjson_slots(om, online_keys, OM_N, s->utf8, in);
	rc = str_at(&in[OM_JOIN], pre, "joinUrl", &ev->join_url, err);
	if (!rc)
		rc = str_at(&in[OM_TOLL], pre, "tollNumber", &ev->toll_number,
			    err);
	if (!rc)
		rc = get_first_str(&in[OM_TOLL_FREE], pre, "tollFreeNumbers",
				   &ev->toll_free_number, err);
	if (!rc)
		rc = str_at(&in[OM_CONFERENCE], pre, "conferenceId",
			    &ev->conference_id, err);
	return rc;
}

enum {
	EV_ID, EV_SUBJECT, EV_SENSITIVITY, EV_ALL_DAY, EV_CANCELLED,
	EV_RESPONSE, EV_SHOW_AS, EV_TYPE, EV_START, EV_END, EV_LOCATION,
	EV_ONLINE, EV_ORGANIZER, EV_ATTENDEES, EV_N
};
static const char *const event_keys[EV_N] = {
	"id", "subject", "sensitivity", "isAllDay", "isCancelled",
	"responseStatus", "showAs", "type", "start", "end", "location",
	"onlineMeeting", "organizer", "attendees"
};

/* The fields of an event up to its times, borrowed. */
static int parse_event_head(const struct graphjson_slot *in,
			    struct cal_event *ev, struct dg_err *err)
{
	const char *id, *response;
	int rc, sens;

	rc = graphjson_str_at(&in[EV_ID], "", "id", true, &id, err);
	if (rc)
		return rc;
	ev->id = (char *)id;
	rc = str_at(&in[EV_SUBJECT], "", "subject", &ev->subject, err);
	if (!rc)
		rc = graphjson_enum_at(&in[EV_SENSITIVITY], "", "sensitivity",
				       sensitivity_names,
				       CAL_SENSITIVITY_NORMAL,
				       CAL_SENSITIVITY_PRIVATE,
				       "taken as private", &sens, err);
	if (rc)
		return rc;
	ev->sensitivity = (enum cal_sensitivity)sens;
	rc = graphjson_bool_at(&in[EV_ALL_DAY], "", "isAllDay",
			       &ev->is_all_day, err);
	if (!rc)
		rc = graphjson_bool_at(&in[EV_CANCELLED], "", "isCancelled",
				       &ev->is_cancelled, err);
	if (!rc)
		rc = graphjson_sub_str_at(&in[EV_RESPONSE], "responseStatus",
					  "response", &response, err);
	if (rc)
		return rc;
	ev->response = (char *)response;
	rc = str_at(&in[EV_SHOW_AS], "", "showAs", &ev->show_as, err);
	if (!rc)
		rc = str_at(&in[EV_TYPE], "", "type", &ev->type, err);
	if (!rc)
		rc = graphjson_datetime_at(&in[EV_START], "", "start", "start",
					   true, &ev->start, err);
	if (!rc)
		rc = graphjson_datetime_at(&in[EV_END], "", "end", "end", true,
					   &ev->end, err);
	return rc;
}

/* The event o into ev, its strings packed; ev is left empty on error. */
static int parse_event(json_object *o, bool utf8, struct cal_event *ev,
		       struct dg_err *err)
{
	struct graphjson_slot in[EV_N];
	const char *location;
	int rc;

	graphjson_slots(o, event_keys, EV_N, utf8, in);
	rc = parse_event_head(in, ev, err);
	if (!rc)
		rc = graphjson_sub_str_at(&in[EV_LOCATION], "location",
					  "displayName", &location, err);
	if (!rc) {
		ev->location = (char *)location;
		rc = parse_online_meeting(&in[EV_ONLINE], ev, err);
	}
	if (!rc)
		rc = parse_organizer(&in[EV_ORGANIZER], &ev->organizer, err);
	if (!rc)
		rc = parse_attendees(&in[EV_ATTENDEES], ev, err);
	if (!rc && cal_event_pack(ev))
		rc = dg_errf(err, DG_ENOMEM, "out of memory reading events");
	if (rc)
		cal_event_forget(ev);
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

/* utf8: root's strings need no check (graphjson_root_read()). */
static int events_of(json_object *root, bool utf8,
		     struct cal_event_list *out, char **next_link,
		     struct dg_err *err)
{
	json_object *value, *item;
	size_t i, n, n0 = out->n;
	struct cal_event *ev;
	int rc;

	rc = graphjson_page(root, &value, next_link, err);
	if (rc)
		return rc;
	n = json_object_array_length(value);
	for (i = 0; !rc && i < n; i++) {
		rc = graphjson_item(value, i, "event", &item, err);
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
		rc = parse_event(item, utf8, ev, err);
		if (rc == DG_EPARSE) {
			graphjson_item_error(err, "event", i, item, "id");
			event_left_out(err);
			cal_event_release(&out->v[--out->n]);
			rc = 0;
		}
	}
	if (rc) {
		events_truncate(out, n0);
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

int graphjson_events_page(const char *json, size_t len,
			  struct cal_event_list *out, char **next_link,
			  struct dg_err *err)
{
	json_object *root;
	bool utf8;
	int rc;

	*next_link = NULL;
	rc = graphjson_root_read(NULL, json, len, &root, &utf8, err);
	if (rc)
		return rc;
	rc = events_of(root, utf8, out, next_link, err);
	json_object_put(root);
	return rc;
}

/*
 * ---- the same page read from tokens (graphjson_doc.c) ----
 *
 * A batched page of events is read here straight from the tokens of the
 * $batch answer, without a json-c tree, as long as it is what Graph
 * sends: every field of the type it should have, every enum value known.
 * Such a page reads to the same events by either reader. At the first
 * thing that would make the tree reader warn or fail, this one stops
 * (FAST_NO) and the page is read again by the tree reader, which has the
 * words for it: a faulty page costs a tree, a good one none.
 */

enum { FAST_NO = 1 };

/* An optional string: absent, null and "" give NULL. */
static int fast_str(const struct graphjson_doc *d, size_t t, char **out)
{
	*out = NULL;
	if (graphjson_doc_none(d, t))
		return 0;
	if (graphjson_doc_kind(d, t) != GRAPHJSON_STRING)
		return FAST_NO;
	if (d->tok[t].len)
		*out = (char *)graphjson_doc_str(d, t);
	return 0;
}

/* A required string: there and not "". */
static int fast_required(const struct graphjson_doc *d, size_t t, char **out)
{
	int rc = fast_str(d, t, out);

	return rc ? rc : *out ? 0 : FAST_NO;
}

/* An optional object: *out GRAPHJSON_NONE when absent or null. */
static int fast_object(const struct graphjson_doc *d, size_t t, size_t *out)
{
	*out = GRAPHJSON_NONE;
	if (graphjson_doc_none(d, t))
		return 0;
	if (graphjson_doc_kind(d, t) != GRAPHJSON_OBJECT)
		return FAST_NO;
	*out = t;
	return 0;
}

/* The string key of the optional object t: location.displayName. */
static int fast_sub_str(const struct graphjson_doc *d, size_t t,
			const char *key, char **out)
{
	size_t o;
	int rc = fast_object(d, t, &o);

	*out = NULL;
	if (rc || o == GRAPHJSON_NONE)
		return rc;
	return fast_str(d, graphjson_doc_get(d, o, key), out);
}

static int fast_bool(const struct graphjson_doc *d, size_t t, bool *out)
{
	*out = false;
	if (graphjson_doc_none(d, t))
		return 0;
	if (graphjson_doc_kind(d, t) != GRAPHJSON_TRUE &&
	    graphjson_doc_kind(d, t) != GRAPHJSON_FALSE)
		return FAST_NO;
	*out = graphjson_doc_kind(d, t) == GRAPHJSON_TRUE;
	return 0;
}

/* An optional enum: absent or null gives dflt; an unknown value, no. */
static int fast_enum(const struct graphjson_doc *d, size_t t,
		     const struct graphjson_enum_name *names, int dflt,
		     int *out)
{
	char *s;
	int rc = fast_str(d, t, &s);

	*out = dflt;
	if (rc || graphjson_doc_none(d, t))
		return rc;
	/* "" is no value we know either */
	return graphjson_enum_find(graphjson_doc_str(d, t), names, out)
		       ? 0 : FAST_NO;
}

static int fast_datetime(const struct graphjson_doc *d, size_t t,
			 struct cal_datetime *dt)
{
	size_t at[2];

	if (graphjson_doc_kind(d, t) != GRAPHJSON_OBJECT)
		return FAST_NO;
	graphjson_doc_slots(d, t, graphjson_dtz_keys, 2, at);
	if (fast_required(d, at[0], &dt->date_time) ||
	    fast_required(d, at[1], &dt->time_zone) ||
	    !graphjson_is_datetime(dt->date_time))
		return FAST_NO;
	return 0;
}

static int fast_address(const struct graphjson_doc *d, size_t t,
			struct cal_address *a)
{
	size_t o, at[2];
	int rc = fast_object(d, t, &o);

	if (rc || o == GRAPHJSON_NONE)
		return rc;
	graphjson_doc_slots(d, o, graphjson_address_keys, 2, at);
	rc = fast_str(d, at[0], &a->name);
	return rc ? rc : fast_str(d, at[1], &a->address);
}

static int fast_attendee(const struct graphjson_doc *d, size_t t,
			 struct cal_attendee *at)
{
	size_t in[AT_N];
	int rc, type;

	if (graphjson_doc_kind(d, t) != GRAPHJSON_OBJECT)
		return FAST_NO;
	graphjson_doc_slots(d, t, attendee_keys, AT_N, in);
	rc = fast_enum(d, in[AT_TYPE], attendee_names, CAL_ATTENDEE_REQUIRED,
		       &type);
	at->type = (enum cal_attendee_type)type;
	if (!rc)
		rc = fast_sub_str(d, in[AT_STATUS], "response", &at->response);
	return rc ? rc : fast_address(d, in[AT_EMAIL], &at->who);
}

static int fast_attendees(const struct graphjson_doc *d, size_t t,
			  struct cal_event *ev)
{
	size_t i;

	if (graphjson_doc_none(d, t))
		return 0;
	if (graphjson_doc_kind(d, t) != GRAPHJSON_ARRAY)
		return FAST_NO;
	if (!d->tok[t].len)
		return 0;
	ev->attendees = calloc(d->tok[t].len, sizeof(*ev->attendees));
	if (!ev->attendees)
		return DG_ENOMEM;
	for (i = t + 1; i < d->tok[t].end; i = d->tok[i].end) {
		int rc = fast_attendee(d, i, &ev->attendees[ev->nattendees++]);

		if (rc)
			return rc;
	}
	return 0;
}

static int fast_online_meeting(const struct graphjson_doc *d, size_t t,
			       struct cal_event *ev)
{
	size_t o, in[OM_N], first;
	int rc = fast_object(d, t, &o);

	if (rc || o == GRAPHJSON_NONE)
		return rc;
	graphjson_doc_slots(d, o, online_keys, OM_N, in);
	rc = fast_str(d, in[OM_JOIN], &ev->join_url);
	if (!rc)
		rc = fast_str(d, in[OM_TOLL], &ev->toll_number);
	if (!rc)
		rc = fast_str(d, in[OM_CONFERENCE], &ev->conference_id);
	if (rc || graphjson_doc_none(d, in[OM_TOLL_FREE]))
		return rc;
	if (graphjson_doc_kind(d, in[OM_TOLL_FREE]) != GRAPHJSON_ARRAY)
		return FAST_NO;
	/* the first number, which must be a string (null is no string) */
	first = in[OM_TOLL_FREE] + 1;
	if (!d->tok[in[OM_TOLL_FREE]].len)
		return 0;
	if (graphjson_doc_kind(d, first) != GRAPHJSON_STRING)
		return FAST_NO;
	return fast_str(d, first, &ev->toll_free_number);
}

/* The event t into ev, its strings borrowed from d (then packed). */
static int fast_event(const struct graphjson_doc *d, size_t t,
		      struct cal_event *ev)
{
	size_t in[EV_N], org;
	int rc, sens = CAL_SENSITIVITY_NORMAL;

	if (graphjson_doc_kind(d, t) != GRAPHJSON_OBJECT)
		return FAST_NO;
	graphjson_doc_slots(d, t, event_keys, EV_N, in);
	rc = fast_required(d, in[EV_ID], &ev->id);
	if (!rc)
		rc = fast_str(d, in[EV_SUBJECT], &ev->subject);
	if (!rc)
		rc = fast_enum(d, in[EV_SENSITIVITY], sensitivity_names,
			       CAL_SENSITIVITY_NORMAL, &sens);
	ev->sensitivity = (enum cal_sensitivity)sens;
	if (!rc)
		rc = fast_bool(d, in[EV_ALL_DAY], &ev->is_all_day);
	if (!rc)
		rc = fast_bool(d, in[EV_CANCELLED], &ev->is_cancelled);
	if (!rc)
		rc = fast_sub_str(d, in[EV_RESPONSE], "response",
				  &ev->response);
	if (!rc)
		rc = fast_str(d, in[EV_SHOW_AS], &ev->show_as);
	if (!rc)
		rc = fast_str(d, in[EV_TYPE], &ev->type);
	if (!rc)
		rc = fast_datetime(d, in[EV_START], &ev->start);
	if (!rc)
		rc = fast_datetime(d, in[EV_END], &ev->end);
	if (!rc)
		rc = fast_sub_str(d, in[EV_LOCATION], "displayName",
				  &ev->location);
	if (!rc)
		rc = fast_online_meeting(d, in[EV_ONLINE], ev);
	if (!rc)
		rc = fast_object(d, in[EV_ORGANIZER], &org);
	if (!rc && org != GRAPHJSON_NONE)
		rc = fast_address(d, graphjson_doc_get(d, org, "emailAddress"),
				  &ev->organizer);
	if (!rc)
		rc = fast_attendees(d, in[EV_ATTENDEES], ev);
	if (!rc && cal_event_pack(ev))
		rc = DG_ENOMEM;
	return rc;
}

/* The page's @odata.nextLink as graphjson_page() takes it, copied. */
static int fast_next_link(const struct graphjson_doc *d, size_t t,
			  char **next_link)
{
	char *s;
	int rc = fast_str(d, t, &s);

	if (rc || !s)
		return rc;
	if (!text_is_printable_ascii(s))
		return FAST_NO;
	*next_link = strdup(s);
	return *next_link ? 0 : DG_ENOMEM;
}

static const char *const page_keys[] = { "value", "@odata.nextLink" };

/* The page v into out: 0, FAST_NO (nothing added) or DG_ENOMEM. */
static int events_fast(const struct graphjson_value *v,
		       struct cal_event_list *out, char **next_link)
{
	const struct graphjson_doc *d = v->doc;
	size_t at[2], i, n0 = out->n;
	struct cal_event *ev;
	int rc;

	if (!v->utf8 || graphjson_doc_kind(d, v->tok) != GRAPHJSON_OBJECT)
		return FAST_NO;
	graphjson_doc_slots(d, v->tok, page_keys, 2, at);
	if (graphjson_doc_kind(d, at[0]) != GRAPHJSON_ARRAY)
		return FAST_NO;
	rc = fast_next_link(d, at[1], next_link);
	for (i = at[0] + 1; !rc && i < d->tok[at[0]].end; i = d->tok[i].end) {
		rc = cal_event_list_push(out, &ev);
		if (rc)
			break;
		rc = fast_event(d, i, ev);
		/* not packed: its strings are the doc's */
		if (rc)
			cal_event_forget(&out->v[--out->n]);
	}
	if (rc) {
		events_truncate(out, n0);
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

int graphjson_events_page_value(const struct graphjson_value *v,
				struct cal_event_list *out, char **next_link,
				struct dg_err *err)
{
	json_object *root;
	int rc = FAST_NO;

	*next_link = NULL;
	if (v && v->doc)
		rc = events_fast(v, out, next_link);
	if (rc == DG_ENOMEM)
		return dg_errf(err, rc, "out of memory reading events");
	if (rc != FAST_NO)
		return rc;
	rc = graphjson_value_root(v, &root, err);
	if (!rc)
		rc = events_of(root, v->utf8, out, next_link, err);
	json_object_put(root);
	return rc;
}
