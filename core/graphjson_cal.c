/*
 * graphjson_cal: a mailbox's settings (zone, working hours, automatic
 * replies, language, purpose). Its calendarView pages of events are in
 * graphjson_events.c.
 */
#include "graphjson.h"
#include "graphjson_int.h"
#include "logging.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>

/* ---- mailboxSettings ------------------------------------------------ */

static const struct graphjson_enum_name autoreply_names[] = {
	{ "disabled", CAL_AUTOREPLY_DISABLED },
	{ "alwaysEnabled", CAL_AUTOREPLY_ALWAYS },
	{ "scheduled", CAL_AUTOREPLY_SCHEDULED },
	{ NULL, 0 }
};

static const struct graphjson_enum_name day_names[] = {
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

	rc = graphjson_field(root, "", pre, json_type_object, false, &wh, err);
	if (rc || !wh)
		return rc;
	rc = graphjson_field(wh, pre, "daysOfWeek", json_type_array, false,
			     &days, err);
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
				       graphjson_type_name(e));
		rc = graphjson_string_of(e, pre, "daysOfWeek", &s, err);
		if (rc)
			return rc;
		mb->working_days |= (unsigned)graphjson_enum_of(
			s, pre, "daysOfWeek", day_names, 0,
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

	rc = graphjson_field(root, "", pre, json_type_object, false, &wh, err);
	if (rc || !wh)
		return rc;
	rc = graphjson_str(wh, pre, "startTime", false, &start, err);
	if (!rc)
		rc = graphjson_str(wh, pre, "endTime", false, &end, err);
	if (!rc)
		rc = graphjson_sub_str(wh, "timeZone", "name",
				       &mb->working_zone, err);
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

static const struct graphjson_enum_name purpose_names[] = {
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
		rc = graphjson_enum(v, "userPurpose", "value", purpose_names,
				    CAL_PURPOSE_UNKNOWN, CAL_PURPOSE_UNKNOWN,
				    "taken as a person", &purpose, err);
	else
		rc = graphjson_enum(root, "", "userPurpose", purpose_names,
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

	rc = graphjson_field(root, "", pre, json_type_object, false, &ars, err);
	if (rc || !ars)
		return rc;
	rc = graphjson_enum(ars, pre, "status", autoreply_names,
			    CAL_AUTOREPLY_DISABLED, CAL_AUTOREPLY_DISABLED,
			    "taken as disabled", &status, err);
	if (rc)
		return rc;
	mb->autoreply = (enum cal_autoreply)status;
	/* Graph sends the window whatever the status; it only matters then. */
	need = mb->autoreply == CAL_AUTOREPLY_SCHEDULED;
	rc = graphjson_datetime(
		ars, pre, "scheduledStartDateTime",
		"automaticRepliesSetting.scheduledStartDateTime", need,
		&mb->autoreply_start, err);
	if (rc)
		return rc;
	return graphjson_datetime(
		ars, pre, "scheduledEndDateTime",
		"automaticRepliesSetting.scheduledEndDateTime", need,
		&mb->autoreply_end, err);
	return rc;
}

static int mailbox_of(json_object *root, struct cal_mailbox *out,
		      struct dg_err *err)
{
	int rc = graphjson_str(root, "", "timeZone", false, &out->time_zone,
			       err);

	if (!rc)
		rc = parse_working_days(root, out, err);
	if (!rc)
		rc = parse_working_hours(root, out, err);
	if (!rc)
		rc = parse_purpose(root, out, err);
	if (!rc)
		rc = parse_autoreply(root, out, err);
	if (!rc)
		rc = graphjson_sub_str(root, "language", "locale", &out->locale,
				       err);
	if (rc)
		cal_mailbox_release(out);
	return rc;
}

int graphjson_mailbox(const char *json, size_t len, struct cal_mailbox *out,
		      struct dg_err *err)
{
	json_object *root = NULL;
	int rc = graphjson_root(json, len, &root, err);

	if (!rc)
		rc = mailbox_of(root, out, err);
	json_object_put(root);
	return rc;
}

int graphjson_mailbox_value(const struct graphjson_value *v,
			    struct cal_mailbox *out, struct dg_err *err)
{
	json_object *root;
	int rc = graphjson_value_root(v, &root, err);

	if (!rc)
		rc = mailbox_of(root, out, err);
	json_object_put(root);
	return rc;
}
