/*
 * graphjson: every field read, every failure named, hostile input survived.
 *
 * JSON is written with ' for " (see J()) so the cases stay readable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "err.h"
#include "graphjson.h"
#include "logging.h"

/* ---- helpers -------------------------------------------------------- */

static char jbuf[16384];

/* The text with every ' turned into ", in a static buffer. */
static const char *J(const char *s)
{
	size_t i;

	assert_true(strlen(s) < sizeof(jbuf));
	for (i = 0; s[i]; i++)
		jbuf[i] = s[i] == '\'' ? '"' : s[i];
	jbuf[i] = '\0';
	return jbuf;
}

static char logged[4096];

static void capture(enum logging_level level, const char *msg, void *ctx)
{
	size_t used = strlen(logged);

	snprintf(logged + used, sizeof(logged) - used, "%s\n", msg);
}

static int setup(void **state)
{
	logged[0] = '\0';
	logging_set_routine(capture, NULL);
	return 0;
}

static int teardown(void **state)
{
	logging_set_routine(NULL, NULL);
	return 0;
}

static int events(const char *json, struct cal_event_list *list,
		  char **next, struct dg_err *err)
{
	return graphjson_events_page(json, strlen(json), list, next, err);
}

/* Parse one event page that must fail; the message is in err. */
static void event_fails(const char *json, struct dg_err *err)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	char *next = (char *)"untouched";

	assert_int_equal(events(J(json), &list, &next, err), DG_EPARSE);
	assert_int_equal(list.n, 0);
	assert_null(next);
	cal_event_list_release(&list);
}

/*
 * Parse a page with one bad event that must be left out (after n good
 * ones): the page succeeds, and the warning, without its "; the event is
 * left out" ending, goes to err->msg.
 */
static void event_left_out_after(size_t n, const char *json,
				 struct dg_err *err)
{
	static const char tail[] = "; the event is left out\n";
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	char *next = NULL;
	size_t len;

	logged[0] = '\0';
	assert_int_equal(events(J(json), &list, &next, err), 0);
	assert_int_equal(list.n, n);
	len = strlen(logged);
	assert_true(len > sizeof(tail) - 1);
	assert_string_equal(logged + len - (sizeof(tail) - 1), tail);
	snprintf(err->msg, sizeof(err->msg), "%.*s",
		 (int)(len - (sizeof(tail) - 1)), logged);
	cal_event_list_release(&list);
}

#define event_left_out(json, err) event_left_out_after(0, json, err)

#define EV_START "'start':{'dateTime':'2026-11-24T17:00:00.0000000'," \
		 "'timeZone':'UTC'}"
#define EV_END "'end':{'dateTime':'2026-11-24T18:00:00.0000000'," \
	       "'timeZone':'UTC'}"
#define EV_MIN(id) "{'id':'" id "'," EV_START "," EV_END "}"

/* ---- users ---------------------------------------------------------- */

static void test_graphjson__users_page_reads_every_field_and_next_link(
	void **state)
{
	struct cal_user_list list = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	const char *json = J(
		"{'@odata.context':'https://graph.microsoft.com/v1.0/$metadata"
		"#users','@odata.nextLink':'https://graph.microsoft.com/v1.0/"
		"users?$skiptoken=X1','value':[{'id':'u1','displayName':'Zoë',"
		"'mail':'zoe@contoso.com',"
		"'userPrincipalName':'zoe@contoso.com',"
		"'proxyAddresses':['SMTP:zoe@contoso.com','smtp:z@contoso.com',"
		"''],'businessPhones':[]},{'id':'u2','mail':null,"
		"'displayName':null,'proxyAddresses':null}]}");

	assert_int_equal(graphjson_users_page(json, strlen(json), &list,
					      &next, &err), 0);
	assert_string_equal(next, "https://graph.microsoft.com/v1.0/users?"
			    "$skiptoken=X1");
	assert_int_equal(list.n, 2);
	assert_string_equal(list.v[0].id, "u1");
	assert_string_equal(list.v[0].display_name, "Zoë");
	assert_string_equal(list.v[0].mail, "zoe@contoso.com");
	assert_string_equal(list.v[0].user_principal_name, "zoe@contoso.com");
	assert_int_equal(list.v[0].nproxy, 2);
	assert_string_equal(list.v[0].proxy_addresses[0],
			    "SMTP:zoe@contoso.com");
	assert_string_equal(list.v[0].proxy_addresses[1], "smtp:z@contoso.com");
	assert_string_equal(list.v[1].id, "u2");
	assert_null(list.v[1].mail);
	assert_null(list.v[1].display_name);
	assert_int_equal(list.v[1].nproxy, 0);
	free(next);
	cal_user_list_release(&list);
}

static void test_graphjson__last_users_page_has_no_next_link(void **state)
{
	struct cal_user_list list = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = (char *)"untouched";
	const char *json = J("{'value':[]}");

	assert_int_equal(graphjson_users_page(json, strlen(json), &list,
					      &next, &err), 0);
	assert_null(next);
	assert_int_equal(list.n, 0);
}

static void test_graphjson__user_without_id_names_user_and_field(
	void **state)
{
	struct cal_user_list list = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	const char *json = J("{'value':[{'id':'u1'},{'userPrincipalName':"
			     "'bob@contoso.com'}]}");

	assert_int_equal(graphjson_users_page(json, strlen(json), &list,
					      &next, &err), DG_EPARSE);
	assert_string_equal(err.msg, "user 2 (\"bob@contoso.com\"): "
			    "field 'id' is missing");
	assert_int_equal(list.n, 0);
	cal_user_list_release(&list);
}

static void test_graphjson__proxy_address_of_wrong_type_names_the_item(
	void **state)
{
	struct cal_user_list list = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	const char *json = J("{'value':[{'id':'u1','proxyAddresses':"
			     "['SMTP:a@b',7]}]}");

	assert_int_equal(graphjson_users_page(json, strlen(json), &list,
					      &next, &err), DG_EPARSE);
	assert_string_equal(err.msg, "user 1 (\"u1\"): field 'proxyAddresses' "
			    "item 2 must be a string, not a number");
	cal_user_list_release(&list);
}

static void test_graphjson__failed_users_page_keeps_earlier_users(
	void **state)
{
	struct cal_user_list list = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	const char *good = "{\"value\":[{\"id\":\"u1\"}],"
			   "\"@odata.nextLink\":"
			   "\"https://x/v1.0/users?$skip=1\"}";
	const char *bad = "{\"value\":[{\"id\":\"u2\"},{\"id\":3}],"
			  "\"@odata.nextLink\":"
			  "\"https://x/v1.0/users?$skip=2\"}";

	assert_int_equal(graphjson_users_page(good, strlen(good), &list,
					      &next, &err), 0);
	free(next);
	assert_int_equal(graphjson_users_page(bad, strlen(bad), &list,
					      &next, &err), DG_EPARSE);
	assert_null(next);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.v[0].id, "u1");
	assert_string_equal(err.msg, "user 2: field 'id' must be a string, "
			    "not a number");
	cal_user_list_release(&list);
}

/* ---- mailboxSettings ------------------------------------------------ */

static void test_graphjson__mailbox_reads_zone_days_replies_and_locale(
	void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J(
		"{'@odata.context':'x','timeZone':'Nepal Standard Time',"
		"'workingHours':{'daysOfWeek':['monday','Tuesday','friday'],"
		"'startTime':'08:00:00.0000000','timeZone':{'@odata.type':"
		"'#microsoft.graph.customTimeZone','name':'Customized Time "
		"Zone','bias':-345}},'automaticRepliesSetting':{'status':"
		"'scheduled','externalAudience':'all','scheduledStartDateTime':"
		"{'dateTime':'2026-11-23T12:00:00.0000000','timeZone':'UTC'},"
		"'scheduledEndDateTime':"
		"{'dateTime':'2026-11-26T18:15:00.0000000',"
		"'timeZone':'UTC'}},'language':{'locale':'ne-NP',"
		"'displayName':'Nepali'},'userPurpose':{'value':'user'}}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err), 0);
	assert_string_equal(mb.time_zone, "Nepal Standard Time");
	assert_true(mb.has_working_days);
	assert_int_equal(mb.working_days,
			 CAL_MONDAY | CAL_TUESDAY | CAL_FRIDAY);
	assert_int_equal(mb.autoreply, CAL_AUTOREPLY_SCHEDULED);
	assert_string_equal(mb.autoreply_start.date_time,
			    "2026-11-23T12:00:00.0000000");
	assert_string_equal(mb.autoreply_start.time_zone, "UTC");
	assert_string_equal(mb.autoreply_end.date_time,
			    "2026-11-26T18:15:00.0000000");
	assert_string_equal(mb.locale, "ne-NP");
	cal_mailbox_release(&mb);
}

static void test_graphjson__empty_mailbox_gives_defaults(void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'timeZone':null,'workingHours':null,"
			     "'automaticRepliesSetting':{'status':"
			     "'alwaysEnabled'},'language':null}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err), 0);
	assert_null(mb.time_zone);
	assert_false(mb.has_working_days);
	assert_int_equal(mb.working_days, 0);
	assert_int_equal(mb.autoreply, CAL_AUTOREPLY_ALWAYS);
	assert_null(mb.autoreply_start.date_time);
	assert_null(mb.locale);
	cal_mailbox_release(&mb);
}

static void test_graphjson__scheduled_reply_needs_its_start(void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'timeZone':'UTC','automaticRepliesSetting':"
			     "{'status':'Scheduled','scheduledEndDateTime':"
			     "{'dateTime':'2026-11-26T00:00:00','timeZone':"
			     "'UTC'}}}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "field 'automaticRepliesSetting."
			    "scheduledStartDateTime' is missing");
	assert_null(mb.time_zone);
}

static void test_graphjson__reply_window_without_zone_names_the_field(
	void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'automaticRepliesSetting':{'status':"
			     "'disabled','scheduledStartDateTime':"
			     "{'dateTime':'2026-11-26T00:00:00'}}}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "field 'automaticRepliesSetting."
			    "scheduledStartDateTime.timeZone' is missing");
}

static void test_graphjson__unknown_reply_status_is_disabled_and_warned(
	void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'automaticRepliesSetting':{'status':"
			     "'onVacation'}}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err), 0);
	assert_int_equal(mb.autoreply, CAL_AUTOREPLY_DISABLED);
	assert_non_null(strstr(logged, "field 'automaticRepliesSetting.status'"
			       " has the unknown value \"onVacation\"; taken "
			       "as disabled"));
}

static void test_graphjson__unknown_day_is_left_out_and_warned(void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'workingHours':{'daysOfWeek':['funday',"
			     "'SUNDAY']}}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err), 0);
	assert_true(mb.has_working_days);
	assert_int_equal(mb.working_days, CAL_SUNDAY);
	assert_non_null(strstr(logged, "\"funday\"; the day is left out"));
}

static void test_graphjson__working_hours_give_minutes_and_zone(
	void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'workingHours':{'daysOfWeek':['monday'],"
			     "'startTime':'08:30:00.0000000','endTime':"
			     "'17:00:00.0000000','timeZone':{'@odata.type':"
			     "'#microsoft.graph.customTimeZone','bias':480,"
			     "'name':'Customized Time Zone'}}}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err), 0);
	assert_true(mb.has_working_hours);
	assert_int_equal(mb.work_start_min, 8 * 60 + 30);
	assert_int_equal(mb.work_end_min, 17 * 60);
	assert_string_equal(mb.working_zone, "Customized Time Zone");
	cal_mailbox_release(&mb);
}

static void test_graphjson__unreadable_working_hours_are_warned_and_unset(
	void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'workingHours':{'startTime':'17:00:00',"
			     "'endTime':'8 am'}}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err), 0);
	assert_false(mb.has_working_hours);
	assert_non_null(strstr(logged, "taken as the whole day"));
	cal_mailbox_release(&mb);
}

static int purpose_of(const char *json)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	int purpose;

	json = J(json);
	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err), 0);
	purpose = mb.purpose;
	cal_mailbox_release(&mb);
	return purpose;
}

static void test_graphjson__user_purpose_is_read_as_string_or_object(
	void **state)
{
	assert_int_equal(purpose_of("{'userPurpose':'room'}"),
			 CAL_PURPOSE_ROOM);
	assert_int_equal(purpose_of("{'userPurpose':{'value':'Equipment'}}"),
			 CAL_PURPOSE_EQUIPMENT);
	assert_int_equal(purpose_of("{'userPurpose':'shared'}"),
			 CAL_PURPOSE_SHARED);
	assert_int_equal(purpose_of("{'userPurpose':null}"),
			 CAL_PURPOSE_UNKNOWN);
	assert_int_equal(purpose_of("{}"), CAL_PURPOSE_UNKNOWN);
}

static void test_graphjson__unknown_user_purpose_is_a_person_and_warned(
	void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'userPurpose':'unknownFutureValue'}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err), 0);
	assert_int_equal(mb.purpose, CAL_PURPOSE_UNKNOWN);
	assert_non_null(strstr(logged, "\"unknownFutureValue\"; taken as a "
			       "person"));
	cal_mailbox_release(&mb);
}

static void test_graphjson__day_of_wrong_type_names_the_item(void **state)
{
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'workingHours':{'daysOfWeek':['monday',2]}}");

	assert_int_equal(graphjson_mailbox(json, strlen(json), &mb, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "field 'workingHours.daysOfWeek' item 2 "
			    "must be a string, not a number");
}

/* ---- calendarView --------------------------------------------------- */

static const char full_event[] =
	"{'@odata.context':'x','@odata.nextLink':'https://graph.microsoft.com"
	"/v1.0/users/u1/calendarView?startDateTime=a&$skip=10','value':[{"
	"'@odata.etag':'W/\\'x\\'','id':'AAMkAG1','subject':'Planning',"
	"'importance':'high','sensitivity':'confidential','isAllDay':false,"
	"'isCancelled':true,'responseStatus':{'response':'tentativelyAccepted',"
	"'time':'2026-11-10T08:00:00Z'},'showAs':'tentative','type':"
	"'occurrence','seriesMasterId':'AAMkAG0'," EV_START "," EV_END ","
	"'location':{'displayName':'Rainier','locationType':'conferenceRoom'},"
	"'onlineMeeting':{'joinUrl':'https://teams.microsoft.com/l/x',"
	"'conferenceId':null},'organizer':{'emailAddress':{'name':'Zoë',"
	"'address':'zoe@contoso.com'}},'attendees':[{'type':'required',"
	"'status':{'response':'accepted','time':'x'},'emailAddress':{'name':"
	"'Ömer','address':'OMER@CONTOSO.COM'}},{'type':'optional','status':"
	"{'response':'none'},'emailAddress':{'name':'Sales','address':"
	"'sales@contoso.com'}},{'type':'resource','emailAddress':{'address':"
	"'rainier@contoso.com'}}]}]}";

static void test_graphjson__event_page_reads_every_field(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_event *ev;
	char *next = NULL;

	assert_int_equal(events(J(full_event), &list, &next, &err), 0);
	assert_string_equal(next, "https://graph.microsoft.com/v1.0/users/u1/"
			    "calendarView?startDateTime=a&$skip=10");
	assert_int_equal(list.n, 1);
	ev = &list.v[0];
	assert_string_equal(ev->id, "AAMkAG1");
	assert_string_equal(ev->subject, "Planning");
	assert_int_equal(ev->sensitivity, CAL_SENSITIVITY_CONFIDENTIAL);
	assert_false(ev->is_all_day);
	assert_true(ev->is_cancelled);
	assert_string_equal(ev->response, "tentativelyAccepted");
	assert_string_equal(ev->show_as, "tentative");
	assert_string_equal(ev->type, "occurrence");
	assert_string_equal(ev->start.date_time, "2026-11-24T17:00:00.0000000");
	assert_string_equal(ev->start.time_zone, "UTC");
	assert_string_equal(ev->end.date_time, "2026-11-24T18:00:00.0000000");
	assert_string_equal(ev->location, "Rainier");
	assert_string_equal(ev->join_url, "https://teams.microsoft.com/l/x");
	assert_string_equal(ev->organizer.name, "Zoë");
	assert_string_equal(ev->organizer.address, "zoe@contoso.com");
	assert_int_equal(ev->nattendees, 3);
	assert_int_equal(ev->attendees[0].type, CAL_ATTENDEE_REQUIRED);
	assert_string_equal(ev->attendees[0].who.name, "Ömer");
	assert_string_equal(ev->attendees[0].who.address, "OMER@CONTOSO.COM");
	assert_string_equal(ev->attendees[0].response, "accepted");
	assert_int_equal(ev->attendees[1].type, CAL_ATTENDEE_OPTIONAL);
	assert_string_equal(ev->attendees[1].response, "none");
	assert_int_equal(ev->attendees[2].type, CAL_ATTENDEE_RESOURCE);
	assert_null(ev->attendees[2].who.name);
	assert_null(ev->attendees[2].response);
	free(next);
	cal_event_list_release(&list);
}

static void test_graphjson__null_optionals_give_nulls_and_defaults(
	void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_event *ev;
	char *next = NULL;

	assert_int_equal(events(J(
		"{'value':[{'id':'e1','subject':null,'sensitivity':null,"
		"'isAllDay':null,'isCancelled':null,'responseStatus':null,"
		"'showAs':null,'type':null," EV_START "," EV_END ",'location':"
		"{'displayName':''},'onlineMeeting':null,'organizer':"
		"{'emailAddress':null},'attendees':null},{'id':'e2',"
		EV_START "," EV_END ",'attendees':[{'type':null,'status':null,"
		"'emailAddress':{'name':null,'address':null}}]}]}"),
		&list, &next, &err), 0);
	assert_int_equal(list.n, 2);
	ev = &list.v[0];
	assert_null(ev->subject);
	assert_int_equal(ev->sensitivity, CAL_SENSITIVITY_NORMAL);
	assert_false(ev->is_all_day);
	assert_false(ev->is_cancelled);
	assert_null(ev->response);
	assert_null(ev->show_as);
	assert_null(ev->type);
	assert_null(ev->location);
	assert_null(ev->join_url);
	assert_null(ev->organizer.address);
	assert_int_equal(ev->nattendees, 0);
	ev = &list.v[1];
	assert_int_equal(ev->nattendees, 1);
	assert_int_equal(ev->attendees[0].type, CAL_ATTENDEE_REQUIRED);
	assert_null(ev->attendees[0].who.address);
	assert_string_equal(logged, "");
	cal_event_list_release(&list);
}

static void test_graphjson__online_meeting_gives_phone_numbers_and_id(
	void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events(J(
		"{'value':[{'id':'e1'," EV_START "," EV_END ",'onlineMeeting':"
		"{'joinUrl':'https://teams.example/j','conferenceId':"
		"'123 456 789#','tollNumber':'+1 425 555 0100',"
		"'tollFreeNumbers':['+1 800 555 0100','+1 800 555 0199'],"
		"'quickDial':'+1 425 555 0100,,123456789#'}},{'id':'e2',"
		EV_START "," EV_END ",'onlineMeeting':{'joinUrl':null,"
		"'tollFreeNumbers':[]}}]}"), &list, &next, &err), 0);
	assert_string_equal(list.v[0].join_url, "https://teams.example/j");
	assert_string_equal(list.v[0].toll_number, "+1 425 555 0100");
	assert_string_equal(list.v[0].toll_free_number, "+1 800 555 0100");
	assert_string_equal(list.v[0].conference_id, "123 456 789#");
	assert_null(list.v[1].join_url);
	assert_null(list.v[1].toll_number);
	assert_null(list.v[1].toll_free_number);
	assert_null(list.v[1].conference_id);
	cal_event_list_release(&list);
}

static void test_graphjson__toll_free_number_of_wrong_type_is_refused(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1'," EV_START "," EV_END
		       ",'onlineMeeting':{'tollFreeNumbers':[18005550100]}}]}",
		       &err);
	assert_non_null(strstr(err.msg, "'onlineMeeting.tollFreeNumbers' "
			       "item 1 must be a string"));
}

static void test_graphjson__event_without_start_names_event_and_field(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out_after(2, "{'value':[" EV_MIN("e1") "," EV_MIN("e2")
			     ",{'id':'AAMkAG3'," EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 3 (\"AAMkAG3\"): field 'start' "
			    "is missing");
}

static void test_graphjson__start_without_date_time_names_the_subfield(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1','start':{'timeZone':'UTC'},"
		    EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field "
			    "'start.dateTime' is missing");
}

static void test_graphjson__empty_time_zone_leaves_only_that_event_out(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out_after(1, "{'value':[{'id':'e1'," EV_START ","
			     "'end':{'dateTime':'2026-11-24T18:00:00',"
			     "'timeZone':''}}," EV_MIN("e2") "]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field "
			    "'end.timeZone' is empty");
}

static void test_graphjson__event_without_id_is_named_by_position(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'subject':'x'," EV_START "," EV_END "}]}",
		    &err);
	assert_string_equal(err.msg, "event 1: field 'id' is missing");
}

static void test_graphjson__empty_id_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[" EV_MIN("") "]}", &err);
	assert_string_equal(err.msg, "event 1: field 'id' is empty");
}

static void test_graphjson__boolean_as_string_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1','isAllDay':'true'," EV_START ","
		    EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field 'isAllDay' must "
			    "be a boolean, not a string");
}

static void test_graphjson__optional_field_of_wrong_type_is_refused(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1','subject':['x']," EV_START ","
		    EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field 'subject' must "
			    "be a string, not an array");
}

static void test_graphjson__null_start_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1','start':null," EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field 'start' must "
			    "be an object, not null");
}

static void test_graphjson__malformed_date_time_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1','start':{'dateTime':'tomorrow "
		    "9am','timeZone':'UTC'}," EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field 'start.dateTime'"
			    " is not a date-time like 2026-11-24T09:00:00 "
			    "(\"tomorrow 9am\")");
}

static void test_graphjson__attendee_error_names_event_and_attendee(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1'," EV_START "," EV_END ","
		    "'attendees':[{'emailAddress':{'address':'a@b'}},"
		    "{'emailAddress':{'address':42}}]}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): attendee 2: field "
			    "'emailAddress.address' must be a string, not a "
			    "number");
}

static void test_graphjson__attendee_that_is_no_object_is_refused(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1'," EV_START "," EV_END ","
		    "'attendees':['a@b']}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): attendee 1 must be an "
			    "object, not a string");
}

static void test_graphjson__unknown_sensitivity_is_private(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events(J("{'value':[{'id':'e1','sensitivity':"
				  "'secret'," EV_START "," EV_END "}]}"),
				&list, &next, &err), 0);
	assert_int_equal(list.v[0].sensitivity, CAL_SENSITIVITY_PRIVATE);
	assert_non_null(strstr(logged, "field 'sensitivity' has the unknown "
			       "value \"secret\"; taken as private"));
	cal_event_list_release(&list);
}

static void test_graphjson__enums_ignore_letter_case(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events(J("{'value':[{'id':'e1','sensitivity':"
				  "'Private'," EV_START "," EV_END ","
				  "'attendees':[{'type':'Resource'}]}]}"),
				&list, &next, &err), 0);
	assert_int_equal(list.v[0].sensitivity, CAL_SENSITIVITY_PRIVATE);
	assert_int_equal(list.v[0].attendees[0].type, CAL_ATTENDEE_RESOURCE);
	assert_string_equal(logged, "");
	cal_event_list_release(&list);
}

static void test_graphjson__unknown_attendee_type_is_required(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events(J("{'value':[{'id':'e1'," EV_START ","
				  EV_END ",'attendees':[{'type':'chair'}]}]}"),
				&list, &next, &err), 0);
	assert_int_equal(list.v[0].attendees[0].type, CAL_ATTENDEE_REQUIRED);
	assert_non_null(strstr(logged, "\"chair\"; taken as required"));
	cal_event_list_release(&list);
}

static void test_graphjson__hostile_id_is_cut_and_defused_in_messages(
	void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'AB\\r\\nBcc: x@evil.example \\\\ "
		    "\\'0123456789012345678901234567890123456789',"
		    EV_START "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"AB??Bcc: x@evil.example ? "
			    "?0123456789012...\"): field 'end' is missing");
}

static void test_graphjson__failed_page_keeps_earlier_events(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events(J("{'value':[" EV_MIN("e1") "]}"), &list,
				&next, &err), 0);
	assert_int_equal(events(J("{'value':[" EV_MIN("e2") ",{'id':'e3'}],"
				  "'@odata.nextLink':10}"),
				&list, &next, &err), DG_EPARSE);
	assert_null(next);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.v[0].id, "e1");
	cal_event_list_release(&list);
}

static void test_graphjson__page_without_value_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_fails("{'@odata.context':'x'}", &err);
	assert_string_equal(err.msg, "field 'value' is missing");
	event_fails("{'value':{}}", &err);
	assert_string_equal(err.msg, "field 'value' must be an array, not an "
			    "object");
	event_left_out_after(1, "{'value':[" EV_MIN("e1") ",null]}", &err);
	assert_string_equal(err.msg, "event 2 must be an object, not null");
}

static void test_graphjson__next_link_of_wrong_type_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_fails("{'value':[],'@odata.nextLink':10}", &err);
	assert_string_equal(err.msg, "field '@odata.nextLink' must be a "
			    "string, not a number");
}

/* ---- invalid JSON --------------------------------------------------- */

static void test_graphjson__invalid_json_names_line_and_column(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_fails("{'value':[\n  {'id': 'e1',,}\n]}", &err);
	assert_string_equal(err.msg, "invalid JSON at line 2, column 15 "
			    "(byte 25): quoted object property name "
			    "expected");
}

static void test_graphjson__truncated_json_says_it_ends_early(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_fails("{'value':[{'id':'e1'", &err);
	assert_string_equal(err.msg, "invalid JSON: the text ends early, "
			    "after 20 bytes");
}

static void test_graphjson__empty_text_is_invalid_json(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_fails("", &err);
	assert_string_equal(err.msg, "invalid JSON: the text is empty");
}

static void test_graphjson__trailing_data_is_invalid_json(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_fails("{'value':[]} {}", &err);
	assert_string_equal(err.msg, "invalid JSON at line 1, column 14 "
			    "(byte 13): unexpected character");
}

static void test_graphjson__lenient_json_is_refused(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *quoted = "{\"value\":[{\"id\":'e1'}]}";
	char *next = NULL;

	assert_int_equal(graphjson_events_page(quoted, strlen(quoted), &list,
					       &next, &err), DG_EPARSE);
	assert_string_equal(err.msg, "invalid JSON at line 1, column 17 "
			    "(byte 16): unexpected character");
	event_fails("{'value':[],}", &err);
	assert_string_equal(err.msg, "invalid JSON at line 1, column 13 "
			    "(byte 12): unexpected character");
}

static void test_graphjson__top_level_array_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_fails("[{'value':[]}]", &err);
	assert_string_equal(err.msg, "the JSON text is an array, not an "
			    "object");
}

static void test_graphjson__nul_byte_is_refused(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char json[] = "{\"value\":[]\0}";
	char *next = NULL;

	assert_int_equal(graphjson_events_page(json, sizeof(json) - 1, &list,
					       &next, &err), DG_EPARSE);
	assert_string_equal(err.msg, "invalid JSON at line 1, column 12 "
			    "(byte 11): a NUL byte");
}

static void test_graphjson__event_with_a_nul_is_left_out(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_left_out("{'value':[{'id':'e1','subject':'a\\u0000b',"
		    EV_START "," EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field 'subject' holds "
			    "a NUL character");
}

/*
 * Raw bytes json-c lets through (an overlong form, an encoded surrogate)
 * are refused field by field, the other fields of the page read without
 * a check as before; an escaped backslash before "u0000" is no NUL.
 */
static void test_graphjson__strings_json_c_passes_are_still_checked(
	void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	event_left_out("{'value':[{'id':'e1','subject':'a\xc0\xaf" "b',"
		       EV_START "," EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field 'subject' is "
			    "not valid UTF-8");
	event_left_out("{'value':[{'id':'e1','attendees':[{'emailAddress':"
		       "{'name':'\xed\xa0\x80'}}]," EV_START "," EV_END "}]}",
		       &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): attendee 1: field "
			    "'emailAddress.name' is not valid UTF-8");
	event_left_out("{'value':[{'id':'e1','subject':'\\\\u0000',"
		       "'showAs':'\\u0000'," EV_START "," EV_END "}]}", &err);
	assert_string_equal(err.msg, "event 1 (\"e1\"): field 'showAs' holds "
			    "a NUL character");
	assert_int_equal(events(J("{'value':[{'id':'e1','subject':"
				  "'\\\\u0000'," EV_START "," EV_END "},"
				  "{'id':'e2','subject':'\\ud800 \\u00e9',"
				  EV_START "," EV_END "}]}"),
			 &list, &next, &err), 0);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.v[0].subject, "\\u0000");
	cal_event_list_release(&list);
	/* json-c makes a lone surrogate U+FFFD: valid, as it always was */
	assert_int_equal(events(J("{'value':[{'id':'e2','subject':"
				  "'\\ud800 \\u00e9 \xc3\xa9'," EV_START ","
				  EV_END "}]}"),
			 &list, &next, &err), 0);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.v[0].subject,
			    "\xef\xbf\xbd \xc3\xa9 \xc3\xa9");
	cal_event_list_release(&list);
}

/* Whether s lies in the n bytes at block. */
static bool inside(const char *s, const char *block, size_t n)
{
	return s >= block && s < block + n;
}

static void test_graphjson__event_strings_live_in_one_block(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	const struct cal_event *ev;
	char *next = NULL;
	size_t n;

	assert_int_equal(events(J(full_event), &list, &next, &err), 0);
	ev = &list.v[0];
	assert_non_null(ev->block);
	/* the last string of the block is the last attendee's address */
	n = (size_t)(ev->attendees[2].who.address - ev->block) +
	    strlen(ev->attendees[2].who.address) + 1;
	assert_true(inside(ev->id, ev->block, n));
	assert_true(inside(ev->subject, ev->block, n));
	assert_true(inside(ev->end.time_zone, ev->block, n));
	assert_true(inside(ev->organizer.address, ev->block, n));
	assert_true(inside(ev->attendees[0].response, ev->block, n));
	assert_string_equal(ev->attendees[0].who.name, "Ömer");
	free(next);
	cal_event_list_release(&list);
	assert_null(list.v);
}

static void test_graphjson__repeated_key_gives_its_last_value(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events(J("{'value':[{'subject':5,'id':'e1',"
				  "'subject':'Second'," EV_START "," EV_END
				  ",'attendees':[{'emailAddress':{'address':"
				  "'a@x','address':'b@x'}}]}]}"),
			 &list, &next, &err), 0);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.v[0].subject, "Second");
	assert_string_equal(list.v[0].attendees[0].who.address, "b@x");
	cal_event_list_release(&list);
}

static void test_graphjson__key_in_other_letter_case_is_not_read(
	void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events(J("{'value':[{'id':'e1','Subject':'No',"
				  "'subjectX':'No','s':'No'," EV_START ","
				  EV_END "}]}"),
			 &list, &next, &err), 0);
	assert_int_equal(list.n, 1);
	assert_null(list.v[0].subject);
	cal_event_list_release(&list);
}

static void test_graphjson__fields_in_any_order_are_read(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events(J("{'value':[{" EV_END ",'attendees':[{"
				  "'emailAddress':{'address':'a@x','name':"
				  "'A'},'type':'optional'}],'subject':'S',"
				  EV_START ",'id':'e1'}]}"),
			 &list, &next, &err), 0);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.v[0].id, "e1");
	assert_string_equal(list.v[0].subject, "S");
	assert_string_equal(list.v[0].start.time_zone, "UTC");
	assert_int_equal(list.v[0].attendees[0].type, CAL_ATTENDEE_OPTIONAL);
	assert_string_equal(list.v[0].attendees[0].who.name, "A");
	cal_event_list_release(&list);
}

/* json-c's own check and its wording stay, wherever the byte is. */
static void test_graphjson__invalid_utf8_outside_a_string_keeps_its_message(
	void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(events("\xc0\x80{\"value\":[]}", &list, &next,
				&err), DG_EPARSE);
	assert_string_equal(err.msg, "invalid JSON at line 1, column 1 "
			    "(byte 0): invalid utf-8 string");
	/* a text that ends inside a sequence */
	assert_int_equal(events("{\"value\":[{\"id\":\"\xe2\x82", &list,
				&next, &err), DG_EPARSE);
	assert_string_equal(err.msg, "invalid JSON at line 1, column 20 "
			    "(byte 19): invalid utf-8 string");
	cal_event_list_release(&list);
}

static void test_graphjson__invalid_utf8_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	event_fails("{'value':[{'id':'e1','subject':'\xc3\x28'}]}", &err);
	assert_non_null(strstr(err.msg, "invalid utf-8"));
}

static void test_graphjson__deep_nesting_is_refused(void **state)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t depth = 5000, i;
	char *json = malloc(2 * depth + 16);
	char *next = NULL;

	assert_non_null(json);
	memcpy(json, "{\"value\":", 9);
	for (i = 0; i < depth; i++)
		json[9 + i] = '[';
	for (i = 0; i < depth; i++)
		json[9 + depth + i] = ']';
	memcpy(json + 9 + 2 * depth, "}", 2);
	assert_int_equal(graphjson_events_page(json, strlen(json), &list,
					       &next, &err), DG_EPARSE);
	assert_non_null(strstr(err.msg, "nesting too deep"));
	free(json);
}

/* ---- hostile input: no crash, no leak, a message every time ---------- */

static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Run every parser over text; each either succeeds or explains. */
static void parse_all(const char *text, size_t len)
{
	struct cal_event_list evs = CAL_EVENT_LIST_INIT;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct graphjson_error ge = GRAPHJSON_ERROR_INIT;
	struct cal_mailbox mb = { 0 };
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	bool found;
	int rc;

	rc = graphjson_events_page(text, len, &evs, &next, &err);
	assert_true(rc == 0 || (rc == DG_EPARSE && err.msg[0]));
	free(next);
	err.msg[0] = '\0';
	rc = graphjson_users_page(text, len, &users, &next, &err);
	assert_true(rc == 0 || (rc == DG_EPARSE && err.msg[0]));
	free(next);
	err.msg[0] = '\0';
	rc = graphjson_mailbox(text, len, &mb, &err);
	assert_true(rc == 0 || (rc == DG_EPARSE && err.msg[0]));
	rc = graphjson_group_find(text, len, "a@b", &g, &found, &next, &err);
	assert_true(rc == 0 || rc == DG_EPARSE);
	free(next);
	rc = graphjson_members_page(text, len, &g, &next, &err);
	assert_true(rc == 0 || rc == DG_EPARSE);
	free(next);
	rc = graphjson_error_body(text, len, &ge, &err);
	assert_true(rc == 0 || rc == DG_EPARSE);
	cal_event_list_release(&evs);
	cal_user_list_release(&users);
	cal_mailbox_release(&mb);
	cal_group_release(&g);
	graphjson_error_release(&ge);
}

static void test_graphjson__every_truncation_is_survived(void **state)
{
	char *json = strdup(J(full_event));
	size_t len = strlen(json), i;

	assert_non_null(json);
	for (i = 0; i < len; i++)
		parse_all(json, i);
	free(json);
}

static void test_graphjson__garbled_pages_are_survived(void **state)
{
	static const char junk[] = "{}[],:\"\\0123456789.eE+-tfnul \xff\xc3";
	char *orig = strdup(J(full_event));
	size_t len = strlen(orig), round, k;
	char *json = malloc(len + 1);

	assert_non_null(orig);
	assert_non_null(json);
	for (round = 0; round < 3000; round++) {
		memcpy(json, orig, len + 1);
		for (k = 0; k < 1 + rnd() % 4; k++)
			json[rnd() % len] = junk[rnd() % (sizeof(junk) - 1)];
		parse_all(json, strlen(json));
	}
	free(json);
	free(orig);
}

static void test_graphjson__wrong_types_everywhere_are_survived(void **state)
{
	static const char *const values[] = {
		"null", "1", "true", "\"s\"", "[]", "{}", "[null]", "[{}]"
	};
	const char *fields[] = {
		"id", "subject", "start", "end", "attendees", "organizer",
		"location", "onlineMeeting", "responseStatus", "value",
		"emailAddress", "workingHours", "daysOfWeek", "error",
		"automaticRepliesSetting", "proxyAddresses", "mail"
	};
	char buf[256];
	size_t f, v;

	for (f = 0; f < sizeof(fields) / sizeof(*fields); f++) {
		for (v = 0; v < sizeof(values) / sizeof(*values); v++) {
			snprintf(buf, sizeof(buf), "{\"value\":[{\"id\":\"e\","
				 "\"%s\":%s}],\"%s\":%s,\"error\":{\"code\":"
				 "\"c\",\"%s\":%s}}", fields[f], values[v],
				 fields[f], values[v], fields[f], values[v]);
			parse_all(buf, strlen(buf));
		}
	}
}

/* ---- groups --------------------------------------------------------- */

static const char groups_page[] =
	"{'@odata.nextLink':'https://graph.microsoft.com/v1.0/groups?"
	"$skiptoken=G2','value':[{'id':'g0','mail':null,'displayName':'No "
	"mail'},{'id':'g1','mail':'sales@contoso.com','displayName':'Sales'},"
	"{'id':'g2','mail':'Platform-Team@contoso.com','displayName':"
	"'Platform Team','groupTypes':[]}]}";

static void test_graphjson__group_is_found_ignoring_letter_case(void **state)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J(groups_page);
	char *next = NULL;
	bool found;

	assert_int_equal(graphjson_group_find(json, strlen(json),
					      "PLATFORM-team@CONTOSO.com", &g,
					      &found, &next, &err), 0);
	assert_true(found);
	assert_string_equal(g.id, "g2");
	assert_string_equal(g.mail, "Platform-Team@contoso.com");
	assert_string_equal(g.display_name, "Platform Team");
	assert_int_equal(g.nmembers, 0);
	assert_string_equal(next, "https://graph.microsoft.com/v1.0/groups?"
			    "$skiptoken=G2");
	free(next);
	cal_group_release(&g);
}

static void test_graphjson__group_not_on_the_page_is_not_found(void **state)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J(groups_page);
	char *next = NULL;
	bool found = true;

	assert_int_equal(graphjson_group_find(json, strlen(json),
					      "zoe@contoso.com", &g, &found,
					      &next, &err), 0);
	assert_false(found);
	assert_null(g.id);
	assert_non_null(next);
	free(next);
}

static void test_graphjson__group_without_id_names_the_group(void **state)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'value':[{'id':'g1','mail':'a@b'},{'mail':"
			     "'c@d'}]}");
	char *next = NULL;
	bool found = false;

	assert_int_equal(graphjson_group_find(json, strlen(json), "a@b", &g,
					      &found, &next, &err), DG_EPARSE);
	assert_false(found);
	assert_null(g.id);
	assert_string_equal(err.msg, "group 2: field 'id' is missing");
}

static void test_graphjson__members_are_people_with_mail_once_each(
	void **state)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *page1 = strdup(J(
		"{'@odata.nextLink':'https://graph.microsoft.com/v1.0/groups/g/"
		"transitiveMembers?$skiptoken=M2','value':[{'@odata.type':"
		"'#microsoft.graph.user','id':'u1','displayName':'Zoë','mail':"
		"'zoe@contoso.com'},{'@odata.type':'#microsoft.graph.group',"
		"'id':'g2','displayName':'Leads','mail':'leads@contoso.com'},"
		"{'@odata.type':'#microsoft.graph.user','id':'u2','mail':null},"
		"{'@odata.type':'#microsoft.graph.device','id':'d1',"
		"'displayName':'Laptop'},{'@odata.type':"
		"'#microsoft.graph.orgContact','id':'c1','displayName':'Pat',"
		"'mail':'pat@fabrikam.com'}]}"));
	const char *page2 = J("{'value':[{'id':'u3','mail':'ZOE@contoso.com'},"
			      "{'id':'u4','mail':'omer@contoso.com'}]}");
	char *next = NULL;

	assert_non_null(page1);
	assert_int_equal(graphjson_members_page(page1, strlen(page1), &g,
						&next, &err), 0);
	assert_string_equal(next, "https://graph.microsoft.com/v1.0/groups/g/"
			    "transitiveMembers?$skiptoken=M2");
	free(next);
	assert_int_equal(graphjson_members_page(page2, strlen(page2), &g,
						&next, &err), 0);
	assert_null(next);
	assert_int_equal(g.nmembers, 3);
	assert_string_equal(g.members[0].address, "zoe@contoso.com");
	assert_string_equal(g.members[0].name, "Zoë");
	assert_string_equal(g.members[1].address, "pat@fabrikam.com");
	assert_string_equal(g.members[2].address, "omer@contoso.com");
	assert_null(g.members[2].name);
	free((char *)page1);
	cal_group_release(&g);
}

static void test_graphjson__failed_members_page_keeps_earlier_members(
	void **state)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *good = "{\"value\":[{\"mail\":\"a@b\"}]}";
	const char *bad = "{\"value\":[{\"mail\":\"c@d\"},{\"id\":\"m2\","
			  "\"mail\":5}]}";
	char *next = NULL;

	assert_int_equal(graphjson_members_page(good, strlen(good), &g, &next,
						&err), 0);
	assert_int_equal(graphjson_members_page(bad, strlen(bad), &g, &next,
						&err), DG_EPARSE);
	assert_string_equal(err.msg, "member 2 (\"m2\"): field 'mail' must be "
			    "a string, not a number");
	assert_int_equal(g.nmembers, 1);
	assert_string_equal(g.members[0].address, "a@b");
	cal_group_release(&g);
}

static int64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Feeds npages pages of 1,000 members, each member again in capitals on
 * the next page, and returns the CPU time that took in microseconds.
 */
static int64_t feed_members(int npages)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct strbuf page = STRBUF_INIT;
	char *next = NULL;
	int64_t spent = 0, t0;

	for (int p = 0; p < npages; p++) {
		strbuf_reset(&page);
		assert_int_equal(strbuf_addstr(&page, "{\"value\":["), 0);
		for (int i = 0; i < 1000; i++)
			assert_int_equal(strbuf_addf(&page,
				"%s{\"mail\":\"m%d@contoso.com\"},"
				"{\"mail\":\"M%d@CONTOSO.COM\"}", i ? "," : "",
				p * 1000 + i, p ? (p - 1) * 1000 + i : i), 0);
		assert_int_equal(strbuf_addstr(&page, "]}"), 0);
		t0 = cpu_us();
		assert_int_equal(graphjson_members_page(page.buf, page.len, &g,
							&next, &err), 0);
		spent += cpu_us() - t0;
	}
	assert_int_equal(g.nmembers, npages * 1000);
	strbuf_release(&page);
	cal_group_release(&g);
	return spent;
}

/*
 * Eight times the members must cost about eight times the work, not
 * sixty-four (a linear scan per member took 16 s for 80,000). A ratio of
 * CPU times, not a wall-clock bound, so that a loaded machine, a
 * sanitizer or valgrind slows both sides alike.
 */
static void test_graphjson__eighty_thousand_members_take_no_quadratic_time(
	void **state)
{
	int64_t small = feed_members(10);
	int64_t large = feed_members(80);

	if (small < 1)
		small = 1;
	assert_true(large < 24 * small);
}

/* ---- error bodies --------------------------------------------------- */

static void test_graphjson__error_body_gives_code_message_and_request_id(
	void **state)
{
	struct graphjson_error ge = GRAPHJSON_ERROR_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *json = J(
		"{'error':{'code':'ErrorItemNotFound','message':'The specified "
		"object was not found in the store.','innerError':{'date':"
		"'2026-11-23T10:00:07','request-id':'5b828e7a-1',"
		"'client-request-id':'5b828e7a-1'}}}");

	assert_int_equal(graphjson_error_body(json, strlen(json), &ge, &err),
			 0);
	assert_string_equal(ge.code, "ErrorItemNotFound");
	assert_string_equal(ge.message, "The specified object was not found "
			    "in the store.");
	assert_string_equal(ge.request_id, "5b828e7a-1");
	graphjson_error_release(&ge);
	assert_null(ge.code);
}

static void test_graphjson__error_body_accepts_innererror_and_empty_code(
	void **state)
{
	struct graphjson_error ge = GRAPHJSON_ERROR_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'error':{'code':'','innererror':{'request-id':"
			     "'r2'}}}");

	assert_int_equal(graphjson_error_body(json, strlen(json), &ge, &err),
			 0);
	assert_string_equal(ge.code, "");
	assert_null(ge.message);
	assert_string_equal(ge.request_id, "r2");
	graphjson_error_release(&ge);
}

static void test_graphjson__error_body_without_code_names_the_field(
	void **state)
{
	struct graphjson_error ge = GRAPHJSON_ERROR_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *json = J("{'error':{'message':'boom'}}");

	assert_int_equal(graphjson_error_body(json, strlen(json), &ge, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "field 'error.code' is missing");
	assert_null(ge.code);
	json = J("{'error':'invalid_grant'}");
	assert_int_equal(graphjson_error_body(json, strlen(json), &ge, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "field 'error' must be an object, not a "
			    "string");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_graphjson__users_page_reads_every_field_and_next_link),
		T(test_graphjson__last_users_page_has_no_next_link),
		T(test_graphjson__user_without_id_names_user_and_field),
		T(test_graphjson__proxy_address_of_wrong_type_names_the_item),
		T(test_graphjson__failed_users_page_keeps_earlier_users),
		T(test_graphjson__mailbox_reads_zone_days_replies_and_locale),
		T(test_graphjson__empty_mailbox_gives_defaults),
		T(test_graphjson__scheduled_reply_needs_its_start),
		T(test_graphjson__reply_window_without_zone_names_the_field),
		T(test_graphjson__unknown_reply_status_is_disabled_and_warned),
		T(test_graphjson__unknown_day_is_left_out_and_warned),
		T(test_graphjson__day_of_wrong_type_names_the_item),
		T(test_graphjson__working_hours_give_minutes_and_zone),
		T(test_graphjson__unreadable_working_hours_are_warned_and_unset),
		T(test_graphjson__user_purpose_is_read_as_string_or_object),
		T(test_graphjson__unknown_user_purpose_is_a_person_and_warned),
		T(test_graphjson__event_page_reads_every_field),
		T(test_graphjson__null_optionals_give_nulls_and_defaults),
		T(test_graphjson__online_meeting_gives_phone_numbers_and_id),
		T(test_graphjson__toll_free_number_of_wrong_type_is_refused),
		T(test_graphjson__event_without_start_names_event_and_field),
		T(test_graphjson__start_without_date_time_names_the_subfield),
		T(test_graphjson__empty_time_zone_leaves_only_that_event_out),
		T(test_graphjson__event_without_id_is_named_by_position),
		T(test_graphjson__empty_id_is_refused),
		T(test_graphjson__boolean_as_string_is_refused),
		T(test_graphjson__optional_field_of_wrong_type_is_refused),
		T(test_graphjson__null_start_is_refused),
		T(test_graphjson__malformed_date_time_is_refused),
		T(test_graphjson__attendee_error_names_event_and_attendee),
		T(test_graphjson__attendee_that_is_no_object_is_refused),
		T(test_graphjson__unknown_sensitivity_is_private),
		T(test_graphjson__enums_ignore_letter_case),
		T(test_graphjson__unknown_attendee_type_is_required),
		T(test_graphjson__hostile_id_is_cut_and_defused_in_messages),
		T(test_graphjson__failed_page_keeps_earlier_events),
		T(test_graphjson__page_without_value_is_refused),
		T(test_graphjson__next_link_of_wrong_type_is_refused),
		T(test_graphjson__invalid_json_names_line_and_column),
		T(test_graphjson__truncated_json_says_it_ends_early),
		T(test_graphjson__empty_text_is_invalid_json),
		T(test_graphjson__trailing_data_is_invalid_json),
		T(test_graphjson__lenient_json_is_refused),
		T(test_graphjson__top_level_array_is_refused),
		T(test_graphjson__nul_byte_is_refused),
		T(test_graphjson__event_with_a_nul_is_left_out),
		T(test_graphjson__strings_json_c_passes_are_still_checked),
		T(test_graphjson__event_strings_live_in_one_block),
		T(test_graphjson__repeated_key_gives_its_last_value),
		T(test_graphjson__key_in_other_letter_case_is_not_read),
		T(test_graphjson__fields_in_any_order_are_read),
		T(test_graphjson__invalid_utf8_outside_a_string_keeps_its_message),
		T(test_graphjson__invalid_utf8_is_refused),
		T(test_graphjson__deep_nesting_is_refused),
		T(test_graphjson__every_truncation_is_survived),
		T(test_graphjson__garbled_pages_are_survived),
		T(test_graphjson__wrong_types_everywhere_are_survived),
		T(test_graphjson__group_is_found_ignoring_letter_case),
		T(test_graphjson__group_not_on_the_page_is_not_found),
		T(test_graphjson__group_without_id_names_the_group),
		T(test_graphjson__members_are_people_with_mail_once_each),
		T(test_graphjson__failed_members_page_keeps_earlier_members),
		T(test_graphjson__eighty_thousand_members_take_no_quadratic_time),
		T(test_graphjson__error_body_gives_code_message_and_request_id),
		T(test_graphjson__error_body_accepts_innererror_and_empty_code),
		T(test_graphjson__error_body_without_code_names_the_field),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
