/*
 * graphjson, the answers the graph source adds: $batch both ways, the
 * token and device-code endpoints, /me, users among a group's members and
 * a group by name. JSON is written with ' for " (see J()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "err.h"
#include "graphjson.h"
#include "logging.h"

static char jbuf[8192];

static const char *J(const char *s)
{
	size_t i;

	assert_true(strlen(s) < sizeof(jbuf));
	for (i = 0; s[i]; i++)
		jbuf[i] = s[i] == '\'' ? '"' : s[i];
	jbuf[i] = '\0';
	return jbuf;
}

static int batch(const char *json, struct graphjson_batch *b,
		 struct dg_err *err)
{
	const char *t = J(json);

	return graphjson_batch_answer(t, strlen(t), b, err);
}

/* ---- $batch answers ----------------------------------------------- */

static void test_graphbatch__answers_keep_their_ids_in_any_order(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(batch("{'responses':["
			       "{'id':'3','status':200,'body':{'value':[]}},"
			       "{'id':'1','status':404,'body':{'error':"
			       "{'code':'ErrorInvalidUser','message':'x'}}},"
			       "{'id':'2','status':204}]}",
			       &b, &err),
			 0);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.v[0].id, "3");
	assert_int_equal(b.v[0].status, 200);
	assert_non_null(b.v[0].value);
	assert_null(b.v[0].body);
	assert_string_equal(b.v[1].id, "1");
	assert_int_equal(b.v[1].status, 404);
	assert_non_null(b.v[1].value);
	assert_null(b.v[2].value);
	assert_null(b.v[2].body);
	assert_int_equal(b.v[2].body_len, 0);
	graphjson_batch_release(&b);
	assert_null(b.v);
	assert_null(b.tree);
}

static void test_graphbatch__error_body_is_read_without_text(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct graphjson_error e = GRAPHJSON_ERROR_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(batch("{'responses':[{'id':'1','status':404,'body':"
			       "{'error':{'code':'ErrorInvalidUser',"
			       "'message':'x','innerError':"
			       "{'request-id':'r1'}}}}]}",
			       &b, &err),
			 0);
	assert_int_equal(graphjson_error_value(b.v[0].value, &e, &err), 0);
	assert_string_equal(e.code, "ErrorInvalidUser");
	assert_string_equal(e.message, "x");
	assert_string_equal(e.request_id, "r1");
	graphjson_error_release(&e);
	graphjson_batch_release(&b);
}

/* What a batched page gives is what the same page as text gives. */
static void test_graphbatch__batched_page_reads_as_its_text(void **state)
{
	static const char page[] =
		"{'value':[{'id':'e1','subject':'Sync',"
		"'start':{'dateTime':'2026-11-24T09:00:00.0000000',"
		"'timeZone':'UTC'},'end':{'dateTime':"
		"'2026-11-24T09:30:00.0000000','timeZone':'UTC'},"
		"'attendees':[{'type':'required','emailAddress':"
		"{'name':'Ann','address':'ann@x.c'}}]},"
		"{'id':'e2','start':{'dateTime':'bad','timeZone':'UTC'},"
		"'end':{'dateTime':'2026-11-24T10:00:00','timeZone':'UTC'}}],"
		"'@odata.nextLink':'https://g/v1.0/next'}";
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct cal_event_list a = {0}, t = {0};
	struct dg_err err = DG_ERR_INIT;
	char text[1024], answer[1200];
	char *next_a = NULL, *next_t = NULL;

	/* Checked, not assumed: a page grown past the buffers fails here. */
	assert_true(snprintf(text, sizeof(text), "%s", J(page)) <
		    (int)sizeof(text));
	assert_true(snprintf(answer, sizeof(answer),
			     "{\"responses\":[{\"id\":\"1\",\"status\":200,"
			     "\"body\":%s}]}", text) < (int)sizeof(answer));
	assert_int_equal(graphjson_batch_answer(answer, strlen(answer), &b,
						&err), 0);
	assert_int_equal(graphjson_events_page_value(b.v[0].value, &a,
						     &next_a, &err), 0);
	assert_int_equal(graphjson_events_page(text, strlen(text), &t,
					       &next_t, &err), 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(t.n, 1);
	assert_string_equal(a.v[0].id, t.v[0].id);
	assert_string_equal(a.v[0].subject, "Sync");
	assert_string_equal(a.v[0].start.date_time, t.v[0].start.date_time);
	assert_int_equal(a.v[0].nattendees, 1);
	assert_string_equal(a.v[0].attendees[0].who.address, "ann@x.c");
	assert_string_equal(next_a, next_t);
	free(next_a);
	free(next_t);
	cal_event_list_release(&a);
	cal_event_list_release(&t);
	graphjson_batch_release(&b);
}

/*
 * ---- a batched page reads as its text ----
 *
 * A page of events in a $batch answer is read from yajl's tokens, and
 * from json-c's tree only when it is not what Graph sends; either way it
 * must read to what its text does: the same events, next link, error
 * and warnings. Each page below is read both ways and compared.
 */

static char logged[4096];

static void capture(enum logging_level level, const char *msg, void *ctx)
{
	size_t used = strlen(logged);

	(void)level;
	(void)ctx;
	snprintf(logged + used, sizeof(logged) - used, "%s\n", msg);
}

static void same_str(const char *a, const char *b, const char *what)
{
	if (!a || !b) {
		if (a != b)
			fail_msg("%s: \"%s\" and \"%s\"", what,
				 a ? a : "(null)", b ? b : "(null)");
		return;
	}
	if (strcmp(a, b))
		fail_msg("%s: \"%s\" and \"%s\"", what, a, b);
}

static void same_address(const struct cal_address *a,
			 const struct cal_address *b)
{
	same_str(a->name, b->name, "name");
	same_str(a->address, b->address, "address");
}

static void same_event(const struct cal_event *a, const struct cal_event *b)
{
	same_str(a->id, b->id, "id");
	same_str(a->subject, b->subject, "subject");
	assert_int_equal(a->sensitivity, b->sensitivity);
	assert_int_equal(a->is_all_day, b->is_all_day);
	assert_int_equal(a->is_cancelled, b->is_cancelled);
	same_str(a->response, b->response, "response");
	same_str(a->show_as, b->show_as, "showAs");
	same_str(a->type, b->type, "type");
	same_str(a->start.date_time, b->start.date_time, "start");
	same_str(a->start.time_zone, b->start.time_zone, "start zone");
	same_str(a->end.date_time, b->end.date_time, "end");
	same_str(a->end.time_zone, b->end.time_zone, "end zone");
	same_str(a->location, b->location, "location");
	same_str(a->join_url, b->join_url, "joinUrl");
	same_str(a->toll_number, b->toll_number, "tollNumber");
	same_str(a->toll_free_number, b->toll_free_number, "tollFree");
	same_str(a->conference_id, b->conference_id, "conferenceId");
	same_address(&a->organizer, &b->organizer);
	assert_int_equal(a->nattendees, b->nattendees);
	for (size_t i = 0; i < a->nattendees; i++) {
		assert_int_equal(a->attendees[i].type, b->attendees[i].type);
		same_str(a->attendees[i].response, b->attendees[i].response,
			 "attendee response");
		same_address(&a->attendees[i].who, &b->attendees[i].who);
	}
	/* both packed: one block each */
	assert_non_null(a->block);
	assert_non_null(b->block);
}

/* The strings up to NULL, one after another, into out (n bytes). */
static void join(char *out, size_t n, ...)
{
	const char *s;
	size_t used = 0;
	va_list ap;

	va_start(ap, n);
	while ((s = va_arg(ap, const char *))) {
		size_t len = strlen(s);

		assert_true(used + len < n);
		memcpy(out + used, s, len);
		used += len;
	}
	va_end(ap);
	out[used] = '\0';
}

/* page (real JSON, not J()'s) read batched and as text: the same. */
static void reads_as_its_text(const char *page)
{
	static char answer[16384], by_text[4096];
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct cal_event_list a = CAL_EVENT_LIST_INIT, t = CAL_EVENT_LIST_INIT;
	struct dg_err ea = DG_ERR_INIT, et = DG_ERR_INIT;
	char *next_a = NULL, *next_t = NULL;
	int rc_a, rc_t;

	assert_true(snprintf(answer, sizeof(answer),
			     "{\"responses\":[{\"id\":\"1\",\"status\":200,"
			     "\"body\":%s}]}", page) < (int)sizeof(answer));
	assert_int_equal(graphjson_batch_answer(answer, strlen(answer), &b,
						&ea), 0);
	assert_non_null(b.v[0].value);
	logged[0] = '\0';
	logging_set_routine(capture, NULL);
	rc_t = graphjson_events_page(page, strlen(page), &t, &next_t, &et);
	snprintf(by_text, sizeof(by_text), "%s", logged);
	logged[0] = '\0';
	rc_a = graphjson_events_page_value(b.v[0].value, &a, &next_a, &ea);
	logging_set_routine(NULL, NULL);
	if (rc_a != rc_t || strcmp(ea.msg, et.msg))
		fail_msg("%s\nbatched: %d %s\nas text: %d %s", page, rc_a,
			 ea.msg, rc_t, et.msg);
	assert_string_equal(logged, by_text);
	same_str(next_a, next_t, "next link");
	assert_int_equal(a.n, t.n);
	for (size_t i = 0; i < a.n; i++)
		same_event(&a.v[i], &t.v[i]);
	free(next_a);
	free(next_t);
	cal_event_list_release(&a);
	cal_event_list_release(&t);
	graphjson_batch_release(&b);
}

/* An event of every field but its closing brace, ' for " (J()). */
#define FULL_EVENT                                                             \
	"{'id':'AAMk1','subject':'Sync \\u00e9\\ud83d\\ude00 \\'q\\'',"       \
	"'sensitivity':'Normal','isAllDay':false,'isCancelled':true,"        \
	"'responseStatus':{'response':'accepted','time':'x'},"               \
	"'showAs':'busy','type':'occurrence',"                               \
	"'start':{'dateTime':'2026-11-24T09:00:00.0000000','timeZone':'UTC'}," \
	"'end':{'dateTime':'2026-11-24T09:30:00','timeZone':'UTC'},"         \
	"'location':{'displayName':'Room 1','address':{},'coordinates':{}},"  \
	"'onlineMeeting':{'joinUrl':'https://t/j\\/1','tollNumber':'+1 2',"  \
	"'tollFreeNumbers':['+1 800','+1 900'],'conferenceId':'12#'},"       \
	"'organizer':{'emailAddress':{'name':'Bo','address':'bo@x.c'}},"     \
	"'attendees':[{'type':'optional','status':{'response':'none'},"      \
	"'emailAddress':{'name':'Ann','address':'ann@x.c'}},"                \
	"{'type':'resource','emailAddress':{'address':'room@x.c'}}]"

static void test_graphbatch__batched_pages_read_as_their_text(void **state)
{
	/* what closes FULL_EVENT: nothing, or one field more */
	static const char *const extra[] = {
		"",
		",'subject':null,'showAs':''",
		",'sensitivity':'secret'",
		",'sensitivity':''",
		",'sensitivity':3",
		",'isAllDay':'true'",
		",'isAllDay':null,'isCancelled':null",
		",'responseStatus':null",
		",'responseStatus':'accepted'",
		",'responseStatus':{'response':7}",
		",'start':null",
		",'start':{'dateTime':'tomorrow','timeZone':'UTC'}",
		",'end':{'dateTime':'2026-11-24T09:30:00','timeZone':''}",
		",'end':{'dateTime':'2026-11-24T09:30:00'}",
		",'id':''",
		",'id':12",
		",'location':null",
		",'location':{'displayName':['x']}",
		",'onlineMeeting':null",
		",'onlineMeeting':{'tollFreeNumbers':[]}",
		",'onlineMeeting':{'tollFreeNumbers':[null]}",
		",'onlineMeeting':{'tollFreeNumbers':'+1 800'}",
		",'onlineMeeting':{'tollFreeNumbers':['']}",
		",'onlineMeeting':{'joinUrl':{}}",
		",'organizer':{'emailAddress':null}",
		",'organizer':{'emailAddress':{'name':1}}",
		",'organizer':[]",
		",'attendees':[]",
		",'attendees':null",
		",'attendees':[{}]",
		",'attendees':[7]",
		",'attendees':[{'type':'chair'}]",
		",'attendees':[{'type':'REQUIRED','status':null}]",
		",'attendees':[{'emailAddress':{'address':''}}]",
		",'attendees':{}",
		",'subject':'a\\u0000b'",
		",'subject':'\\ud83d'",
		",'subject':'\\ude00'",
		",'subject':'x','subject':'second'",
		",'isAllDay':true,'isAllDay':false",
		",'n':1e400,'m':-0.5,'deep':[[[[{'a':[1,2,{}]}]]]]",
	};
	static char head[sizeof(FULL_EVENT)], good[256], ev[2048], page[8192];

	(void)state;
	join(head, sizeof(head), J(FULL_EVENT), NULL);
	join(good, sizeof(good),
	     J("{'id':'a','start':{'dateTime':'2026-11-24T08:00:00',"
	       "'timeZone':'UTC'},'end':{'dateTime':'2026-11-24T08:30:00',"
	       "'timeZone':'UTC'}}"),
	     NULL);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		join(ev, sizeof(ev), head, J(extra[i]), "}", NULL);
		/* the event alone, and between two good ones */
		join(page, sizeof(page), "{\"value\":[", ev, "]}", NULL);
		reads_as_its_text(page);
		join(page, sizeof(page),
		     "{\"@odata.nextLink\":\"https://g/next?x=1\",\"value\":[",
		     good, ",", ev, ",", ev, "]}", NULL);
		reads_as_its_text(page);
	}
}

static void test_graphbatch__batched_page_shapes_read_as_their_text(
	void **state)
{
	static const char *const pages[] = {
		"{'value':[]}",
		"{'value':[],'@odata.nextLink':null}",
		"{'value':[],'@odata.nextLink':''}",
		"{'value':[],'@odata.nextLink':'https://g/a b'}",
		"{'value':[],'@odata.nextLink':5}",
		"{'value':null}",
		"{'value':{}}",
		"{'@odata.context':'x'}",
		"{'value':[1,null,'x',[]]}",
		"{'value':[{}],'value':[]}",
	};
	(void)state;
	/* reads_as_its_text() calls no J(): the page stays as it is */
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		reads_as_its_text(J(pages[i]));
}

/* Answers in another shape than Graph's still read as they always did. */
static void test_graphbatch__odd_answers_read_as_ever(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	/* the body before the id and status; Retry-After a number */
	assert_int_equal(batch("{'responses':[{'body':{'value':[]},"
			       "'headers':{'retry-after':5},'status':429,"
			       "'id':'2'},{'id':'3','status':200,"
			       "'body':'\\ud800'}]}",
			       &b, &err),
			 0);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.v[0].id, "2");
	assert_int_equal(b.v[0].status, 429);
	assert_string_equal(b.v[0].retry_after, "5");
	assert_non_null(b.v[0].value);
	/* json-c's reading of a lone surrogate: U+FFFD */
	assert_string_equal(b.v[1].body, "\xef\xbf\xbd");
	graphjson_batch_release(&b);
	/* a status json-c reads as a double is no status */
	assert_int_equal(batch("{'responses':[{'id':'1','status':200.0}]}",
			       &b, &err),
			 DG_EPARSE);
	assert_non_null(strstr(err.msg, "'status'"));
}

/* A batched body's strings are checked as a page's text has them. */
static void test_graphbatch__batched_page_checks_raw_strings(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct cal_event_list l = {0};
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	/* an overlong '/' json-c lets through: the event is left out */
	assert_int_equal(batch("{'responses':[{'id':'1','status':200,'body':"
			       "{'value':[{'id':'e1','subject':'\xc0\xaf',"
			       "'start':{'dateTime':'2026-11-24T09:00:00',"
			       "'timeZone':'UTC'},'end':{'dateTime':"
			       "'2026-11-24T09:30:00','timeZone':'UTC'}}]}}]}",
			       &b, &err),
			 0);
	assert_int_equal(graphjson_events_page_value(b.v[0].value, &l, &next,
						     &err),
			 0);
	assert_int_equal(l.n, 0);
	cal_event_list_release(&l);
	graphjson_batch_release(&b);
}

static void test_graphbatch__batched_array_is_no_page(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct cal_event_list l = {0};
	struct cal_mailbox mb = {0};
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	assert_int_equal(batch("{'responses':[{'id':'1','status':200,"
			       "'body':[1,2]}]}",
			       &b, &err),
			 0);
	assert_int_equal(graphjson_events_page_value(b.v[0].value, &l, &next,
						     &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "the JSON text is an array, not an "
				     "object");
	assert_null(next);
	assert_int_equal(l.n, 0);
	assert_int_equal(graphjson_mailbox_value(b.v[0].value, &mb, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "the JSON text is an array, not an "
				     "object");
	graphjson_batch_release(&b);
}

static void test_graphbatch__batched_mailbox_checks_its_fields(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct cal_mailbox mb = {0};
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(batch("{'responses':["
			       "{'id':'1','status':200,'body':{'timeZone':"
			       "'Pacific Standard Time','language':"
			       "{'locale':'de-DE'}}},"
			       "{'id':'2','status':200,'body':"
			       "{'timeZone':7}}]}",
			       &b, &err),
			 0);
	assert_int_equal(graphjson_mailbox_value(b.v[0].value, &mb, &err), 0);
	assert_string_equal(mb.time_zone, "Pacific Standard Time");
	assert_string_equal(mb.locale, "de-DE");
	cal_mailbox_release(&mb);
	assert_int_equal(graphjson_mailbox_value(b.v[1].value, &mb, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "field 'timeZone' must be a string, "
				     "not a number");
	assert_null(mb.time_zone);
	graphjson_batch_release(&b);
}

static void test_graphbatch__retry_after_in_any_letter_case(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(batch("{'responses':["
			       "{'id':'1','status':429,'headers':"
			       "{'Content-Type':'x','retry-after':'8'}},"
			       "{'id':'2','status':429,'headers':"
			       "{'Retry-After':'0.249'}},"
			       "{'id':'3','status':503,'headers':"
			       "{'RETRY-AFTER':2}}]}",
			       &b, &err),
			 0);
	assert_string_equal(b.v[0].retry_after, "8");
	assert_string_equal(b.v[1].retry_after, "0.249");
	assert_string_equal(b.v[2].retry_after, "2");
	graphjson_batch_release(&b);
}

static void test_graphbatch__string_body_is_kept_as_is(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(batch("{'responses':[{'id':'1','status':200,"
			       "'body':'aGVsbG8='}]}",
			       &b, &err),
			 0);
	assert_string_equal(b.v[0].body, "aGVsbG8=");
	assert_int_equal(b.v[0].body_len, 8);
	assert_null(b.v[0].value);
	graphjson_batch_release(&b);
}

static void test_graphbatch__answer_without_status_names_it(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(batch("{'responses':[{'id':'1','status':200},"
			       "{'id':'7'}]}",
			       &b, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "response 2 (\"7\"): field 'status' is "
				     "missing");
	assert_int_equal(b.n, 0);
	assert_null(b.v);
}

static void test_graphbatch__status_out_of_range_is_refused(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		batch("{'responses':[{'id':'1','status':42}]}", &b, &err),
		DG_EPARSE);
	assert_string_equal(err.msg, "response 1 (\"1\"): field 'status' is "
				     "no HTTP status (42)");
}

static void test_graphbatch__no_responses_names_the_field(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(batch("{'error':{'code':'BadRequest'}}", &b, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "field 'responses' is missing");
}

static void test_graphbatch__body_of_wrong_type_is_refused(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(batch("{'responses':[{'id':'1','status':200,"
			       "'body':12}]}",
			       &b, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "response 1 (\"1\"): field 'body' must "
				     "be an object or a string, not a number");
}

/* ---- $batch requests ------------------------------------------------ */

static void test_graphbatch__request_body_escapes_urls_and_headers(void **state)
{
	struct graphjson_subrequest v[2] = {
		{"1", "GET", "/users/a\"b/mailboxSettings", NULL},
		{"2", "GET", "/users/x/calendarView?$top=100",
		 "outlook.timezone=\"UTC\""},
	};
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(graphjson_batch_request(v, 2, &out, &err), 0);
	assert_string_equal(out.buf, J("{'requests':["
				       "{'id':'1','method':'GET','url':"
				       "'/users/a\\'b/mailboxSettings'},"
				       "{'id':'2','method':'GET','url':"
				       "'/users/x/calendarView?$top=100',"
				       "'headers':{'Prefer':"
				       "'outlook.timezone=\\'UTC\\''}}]}"));
	strbuf_release(&out);
}

/* ---- token endpoint -------------------------------------------------- */

static int token(const char *json, struct graphjson_token *t,
		 struct dg_err *err)
{
	const char *s = J(json);

	return graphjson_token(s, strlen(s), t, err);
}

static void test_graphbatch__token_answer_gives_tokens_and_life(void **state)
{
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(token("{'token_type':'Bearer','expires_in':3599,"
			       "'ext_expires_in':3599,'access_token':'eyJ0',"
			       "'refresh_token':'0.AR'}",
			       &t, &err),
			 0);
	assert_string_equal(t.access_token, "eyJ0");
	assert_string_equal(t.refresh_token, "0.AR");
	assert_int_equal(t.expires_in, 3599);
	assert_null(t.error);
	graphjson_token_release(&t);
	assert_null(t.access_token);
}

static void test_graphbatch__token_lifetime_may_be_a_string(void **state)
{
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		token("{'access_token':'a','expires_in':'3600'}", &t, &err), 0);
	assert_int_equal(t.expires_in, 3600);
	graphjson_token_release(&t);
}

static void test_graphbatch__lifetime_not_a_number_is_refused(void **state)
{
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		token("{'access_token':'a','expires_in':'soon'}", &t, &err),
		DG_EPARSE);
	assert_string_equal(err.msg, "field 'expires_in' is no count of "
				     "seconds");
	assert_null(t.access_token);
}

static void test_graphbatch__token_error_gives_code_and_text(void **state)
{
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(token("{'error':'invalid_grant','error_description':"
			       "'AADSTS700082: expired.\\r\\nTrace ID: 1',"
			       "'error_codes':[700082]}",
			       &t, &err),
			 0);
	assert_string_equal(t.error, "invalid_grant");
	assert_string_equal(t.error_description,
			    "AADSTS700082: expired.\r\nTrace ID: 1");
	assert_null(t.access_token);
	graphjson_token_release(&t);
}

static void test_graphbatch__neither_token_nor_error_is_refused(void **state)
{
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(token("{'token_type':'Bearer'}", &t, &err), DG_EPARSE);
	assert_string_equal(err.msg, "the answer has neither 'access_token' "
				     "nor 'error'");
}

static void test_graphbatch__device_code_answer_and_its_defaults(void **state)
{
	struct graphjson_device_code d = GRAPHJSON_DEVICE_CODE_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *s = J("{'device_code':'DC','user_code':'ABC-DEF',"
			  "'verification_uri':'https://microsoft.com/"
			  "devicelogin','message':'To sign in...'}");

	assert_int_equal(graphjson_device_code(s, strlen(s), &d, &err), 0);
	assert_string_equal(d.device_code, "DC");
	assert_string_equal(d.user_code, "ABC-DEF");
	assert_string_equal(d.verification_uri,
			    "https://microsoft.com/devicelogin");
	assert_string_equal(d.message, "To sign in...");
	assert_int_equal(d.expires_in, 900);
	assert_int_equal(d.interval, 5);
	graphjson_device_code_release(&d);
}

static void test_graphbatch__code_without_uri_names_the_field(void **state)
{
	struct graphjson_device_code d = GRAPHJSON_DEVICE_CODE_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *s = J("{'device_code':'DC','user_code':'A',"
			  "'verification_url':'https://x','interval':1}");

	assert_int_equal(graphjson_device_code(s, strlen(s), &d, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "field 'verification_uri' is missing");
	assert_null(d.device_code);
}

/* ---- directory ------------------------------------------------------- */

static void test_graphbatch__me_gives_the_user(void **state)
{
	struct cal_user u = {0};
	struct dg_err err = DG_ERR_INIT;
	const char *s = J("{'id':'42','mail':'a@b.c','displayName':'A',"
			  "'userPrincipalName':'a@b.c','proxyAddresses':"
			  "['SMTP:a@b.c','smtp:x@b.c']}");

	assert_int_equal(graphjson_user(s, strlen(s), &u, &err), 0);
	assert_string_equal(u.id, "42");
	assert_string_equal(u.mail, "a@b.c");
	assert_int_equal(u.nproxy, 2);
	assert_string_equal(u.proxy_addresses[1], "smtp:x@b.c");
	cal_user_release(&u);
}

static void test_graphbatch__me_without_id_names_the_field(void **state)
{
	struct cal_user u = {0};
	struct dg_err err = DG_ERR_INIT;
	const char *s = J("{'mail':'a@b.c'}");

	assert_int_equal(graphjson_user(s, strlen(s), &u, &err), DG_EPARSE);
	assert_string_equal(err.msg, "field 'id' is missing");
	assert_null(u.mail);
}

static void test_graphbatch__members_page_keeps_only_users(void **state)
{
	struct cal_user_list l = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	const char *s = J("{'value':["
			  "{'@odata.type':'#microsoft.graph.user','id':'1',"
			  "'mail':'a@b.c'},"
			  "{'@odata.type':'#microsoft.graph.group','id':'g',"
			  "'mail':'g@b.c'},"
			  "{'@odata.type':'#microsoft.graph.orgContact',"
			  "'id':'c','mail':'p@x.c'},"
			  "{'id':'2','mail':'d@b.c'}],"
			  "'@odata.nextLink':'https://g/v1.0/next'}");

	assert_int_equal(
		graphjson_member_users_page(s, strlen(s), &l, &next, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].id, "1");
	assert_string_equal(l.v[1].mail, "d@b.c");
	assert_string_equal(next, "https://g/v1.0/next");
	free(next);
	cal_user_list_release(&l);
}

static void test_graphbatch__member_without_id_names_it(void **state)
{
	struct cal_user_list l = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	const char *s = J("{'value':[{'id':'1','mail':'a@b.c'},"
			  "{'mail':'d@b.c'}]}");

	assert_int_equal(
		graphjson_member_users_page(s, strlen(s), &l, &next, &err),
		DG_EPARSE);
	assert_string_equal(err.msg, "member 2: field 'id' is missing");
	assert_int_equal(l.n, 0);
	assert_null(next);
	cal_user_list_release(&l);
}

static void test_graphbatch__group_named_counts_name_or_mail(void **state)
{
	struct cal_group g = {0};
	struct dg_err err = DG_ERR_INIT;
	size_t matches = 0;
	char *next = NULL;
	const char *s = J("{'value':["
			  "{'id':'1','displayName':'Sales','mail':'s@b.c'},"
			  "{'id':'2','displayName':'sales','mail':null},"
			  "{'id':'3','displayName':'Other'}]}");

	assert_int_equal(graphjson_group_named(s, strlen(s), "SALES", &g,
					       &matches, &next, &err),
			 0);
	assert_int_equal(matches, 2);
	assert_string_equal(g.id, "1");
	cal_group_release(&g);
	memset(&g, 0, sizeof(g));
	matches = 0;
	assert_int_equal(graphjson_group_named(s, strlen(s), "s@b.c", &g,
					       &matches, &next, &err),
			 0);
	assert_int_equal(matches, 1);
	assert_string_equal(g.display_name, "Sales");
	cal_group_release(&g);
}

#define T(name) cmocka_unit_test(name)

/* ---- one reader for many answers ------------------------------------ */

static int read_with(struct graphjson_reader *r, const char *json,
		     struct graphjson_batch *b, struct dg_err *err)
{
	const char *t = J(json);

	return graphjson_batch_read(r, t, strlen(t), b, err);
}

/*
 * A reader keeps its room for tokens from answer to answer: a short
 * answer after a long one, and a long one after that, read right.
 */
static void test_graphbatch__reader_reads_long_and_short_answers(void **state)
{
	static char json[16384], subject[8000];
	struct graphjson_reader *r = NULL;
	struct dg_err err = DG_ERR_INIT;
	static const size_t lens[] = { 7000, 3, 7900, 0 };

	(void)state;
	assert_int_equal(graphjson_reader_new(&r, &err), 0);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
		struct cal_event_list l = CAL_EVENT_LIST_INIT;
		char *next = NULL;

		memset(subject, 'a' + (int)i, lens[i]);
		subject[lens[i]] = '\0';
		snprintf(json, sizeof(json),
			 "{\"responses\":[{\"id\":\"%zu\",\"status\":200,"
			 "\"body\":{\"value\":[{\"id\":\"e%zu\",\"subject\":"
			 "\"%s\",\"start\":{\"dateTime\":"
			 "\"2026-11-24T09:00:00\",\"timeZone\":\"UTC\"},"
			 "\"end\":{\"dateTime\":\"2026-11-24T10:00:00\","
			 "\"timeZone\":\"UTC\"}}]}}]}",
			 i, i, subject);
		assert_int_equal(
			graphjson_batch_read(r, json, strlen(json), &b, &err),
			0);
		assert_int_equal(b.n, 1);
		assert_int_equal(graphjson_events_page_value(b.v[0].value, &l,
							     &next, &err),
				 0);
		assert_int_equal(l.n, 1);
		if (lens[i])
			assert_string_equal(l.v[0].subject, subject);
		else
			assert_null(l.v[0].subject);
		assert_int_equal(l.v[0].id[1], '0' + (int)i);
		cal_event_list_release(&l);
		graphjson_batch_release(&b);
	}
	graphjson_reader_free(r);
}

static void test_graphbatch__reader_reads_answer_after_answer(void **state)
{
	struct graphjson_reader *r = NULL;
	struct dg_err err = DG_ERR_INIT;
	char id[16];

	(void)state;
	assert_int_equal(graphjson_reader_new(&r, &err), 0);
	for (int i = 0; i < 5; i++) {
		struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
		char json[128];

		snprintf(id, sizeof(id), "%d", i);
		snprintf(json, sizeof(json),
			 "{'responses':[{'id':'%s','status':200,"
			 "'body':{'value':[]}}]}", id);
		assert_int_equal(read_with(r, json, &b, &err), 0);
		assert_int_equal(b.n, 1);
		assert_string_equal(b.v[0].id, id);
		graphjson_batch_release(&b);
	}
	graphjson_reader_free(r);
}

static void test_graphbatch__reader_reads_on_after_invalid_json(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct graphjson_reader *r = NULL;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(graphjson_reader_new(&r, &err), 0);
	/* cut inside nested objects: json-c holds them half built */
	assert_int_equal(read_with(r, "{'responses':[{'id':'1','body':{'a':",
				   &b, &err),
			 DG_EPARSE);
	assert_non_null(strstr(err.msg, "ends early"));
	assert_int_equal(read_with(r, "{'responses':[{'id':'1'}}", &b, &err),
			 DG_EPARSE);
	assert_non_null(strstr(err.msg, "invalid JSON at line 1"));
	assert_int_equal(b.n, 0);
	/* the same message as a reader of its own would give */
	{
		struct dg_err own = DG_ERR_INIT;

		assert_int_equal(batch("{'responses':[{'id':'1'}}", &b, &own),
				 DG_EPARSE);
		assert_string_equal(own.msg, err.msg);
	}
	assert_int_equal(read_with(r, "{'responses':[{'id':'2','status':204}]}",
				   &b, &err),
			 0);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.v[0].id, "2");
	assert_int_equal(b.v[0].status, 204);
	graphjson_batch_release(&b);
	graphjson_reader_free(r);
}

static void test_graphbatch__reader_refuses_what_a_new_parser_does(void **state)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct graphjson_reader *r = NULL;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(graphjson_reader_new(&r, &err), 0);
	/* strict mode stays on from text to text */
	assert_int_equal(read_with(r, "{'responses':[],}", &b, &err),
			 DG_EPARSE);
	assert_int_equal(read_with(r, "{'responses':[],}", &b, &err),
			 DG_EPARSE);
	/* a second value after the first is not one object */
	assert_int_equal(read_with(r, "[]", &b, &err), DG_EPARSE);
	assert_non_null(strstr(err.msg, "not an object"));
	assert_int_equal(graphjson_batch_read(r, "", 0, &b, &err), DG_EPARSE);
	assert_int_equal(read_with(r, "{'responses':[]}", &b, &err), 0);
	assert_int_equal(b.n, 0);
	graphjson_batch_release(&b);
	graphjson_reader_free(r);
	graphjson_reader_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_graphbatch__answers_keep_their_ids_in_any_order),
		cmocka_unit_test(
			test_graphbatch__retry_after_in_any_letter_case),
		T(test_graphbatch__string_body_is_kept_as_is),
		T(test_graphbatch__error_body_is_read_without_text),
		T(test_graphbatch__batched_page_reads_as_its_text),
		T(test_graphbatch__batched_page_checks_raw_strings),
		T(test_graphbatch__batched_array_is_no_page),
		T(test_graphbatch__batched_mailbox_checks_its_fields),
		cmocka_unit_test(
			test_graphbatch__answer_without_status_names_it),
		cmocka_unit_test(
			test_graphbatch__status_out_of_range_is_refused),
		cmocka_unit_test(test_graphbatch__no_responses_names_the_field),
		cmocka_unit_test(
			test_graphbatch__body_of_wrong_type_is_refused),
		cmocka_unit_test(
			test_graphbatch__request_body_escapes_urls_and_headers),
		cmocka_unit_test(
			test_graphbatch__batched_pages_read_as_their_text),
		T(test_graphbatch__batched_page_shapes_read_as_their_text),
		cmocka_unit_test(test_graphbatch__odd_answers_read_as_ever),
		cmocka_unit_test(
			test_graphbatch__token_answer_gives_tokens_and_life),
		cmocka_unit_test(
			test_graphbatch__token_lifetime_may_be_a_string),
		cmocka_unit_test(
			test_graphbatch__lifetime_not_a_number_is_refused),
		cmocka_unit_test(
			test_graphbatch__token_error_gives_code_and_text),
		cmocka_unit_test(
			test_graphbatch__neither_token_nor_error_is_refused),
		cmocka_unit_test(
			test_graphbatch__device_code_answer_and_its_defaults),
		cmocka_unit_test(
			test_graphbatch__code_without_uri_names_the_field),
		T(test_graphbatch__me_gives_the_user),
		cmocka_unit_test(
			test_graphbatch__me_without_id_names_the_field),
		cmocka_unit_test(
			test_graphbatch__members_page_keeps_only_users),
		cmocka_unit_test(test_graphbatch__member_without_id_names_it),
		cmocka_unit_test(
			test_graphbatch__group_named_counts_name_or_mail),
		cmocka_unit_test(
			test_graphbatch__reader_reads_answer_after_answer),
		T(test_graphbatch__reader_reads_long_and_short_answers),
		cmocka_unit_test(
			test_graphbatch__reader_reads_on_after_invalid_json),
		cmocka_unit_test(
			test_graphbatch__reader_refuses_what_a_new_parser_does),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
