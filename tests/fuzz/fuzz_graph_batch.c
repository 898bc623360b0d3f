/*
 * fuzz_graph_batch: the answer of POST /$batch (graphjson_batch_answer),
 * and the request body built from untrusted URL and header text
 * (graphjson_batch_request).
 *
 * Invariants: every sub-answer has an id and a status from 100 to 599,
 * and its body, when there is one, is either parsed (value) or a string
 * of body_len bytes; each parsed body is read by the readers of batched
 * answers (events, mailbox, lists, errors) as an answer would be, and
 * a page of events reads to what its text reads to (the same events,
 * next link and error), whether it was read from yajl's tokens or from
 * json-c's tree; a
 * request body built from any strings parses back as JSON with the same
 * strings, so no URL or header can break out of its field.
 */
#include <json-c/json.h>

#include "err.h"
#include "fuzz.h"
#include "graphjson.h"
#include "strbuf.h"
#include "text.h"

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_event(const struct cal_event *a, const struct cal_event *b)
{
	if (!same(a->id, b->id) || !same(a->subject, b->subject) ||
	    a->sensitivity != b->sensitivity ||
	    a->is_all_day != b->is_all_day ||
	    a->is_cancelled != b->is_cancelled ||
	    !same(a->response, b->response) ||
	    !same(a->location, b->location) ||
	    !same(a->start.date_time, b->start.date_time) ||
	    !same(a->end.time_zone, b->end.time_zone) ||
	    !same(a->toll_free_number, b->toll_free_number) ||
	    !same(a->organizer.address, b->organizer.address) ||
	    a->nattendees != b->nattendees)
		return false;
	for (size_t i = 0; i < a->nattendees; i++)
		if (a->attendees[i].type != b->attendees[i].type ||
		    !same(a->attendees[i].who.address,
			  b->attendees[i].who.address) ||
		    !same(a->attendees[i].response, b->attendees[i].response))
			return false;
	return true;
}

/* The events of v, and of v written out as text: the same. */
static void events_as_text(const struct graphjson_value *v)
{
	struct cal_event_list a = {0}, t = {0};
	struct dg_err ea = DG_ERR_INIT, et = DG_ERR_INIT;
	struct strbuf text = STRBUF_INIT;
	char *next_a = NULL, *next_t = NULL;
	int rc_a, rc_t;

	if (graphjson_value_write(v, &text))
		goto out;
	rc_a = graphjson_events_page_value(v, &a, &next_a, &ea);
	rc_t = graphjson_events_page(text.buf, text.len, &t, &next_t, &et);
	if (rc_a == DG_ENOMEM || rc_t == DG_ENOMEM)
		goto out;
	FUZZ_ASSERT(rc_a == rc_t && !strcmp(ea.msg, et.msg));
	FUZZ_ASSERT(same(next_a, next_t) && a.n == t.n);
	for (size_t i = 0; i < a.n; i++)
		FUZZ_ASSERT(same_event(&a.v[i], &t.v[i]));
out:
	free(next_a);
	free(next_t);
	cal_event_list_release(&a);
	cal_event_list_release(&t);
	strbuf_release(&text);
}

/* Each reader of batched answers on a parsed body: clean or an error. */
static void read_value(const struct graphjson_value *v)
{
	struct cal_event_list evs = {0};
	struct cal_mailbox mb = {0};
	struct cal_group g = {0};
	struct graphjson_error e = GRAPHJSON_ERROR_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	bool found = false;

	if (graphjson_events_page_value(v, &evs, &next, &err))
		FUZZ_ASSERT(!evs.n && !next && fuzz_one_line(err.msg));
	free(next);
	next = NULL;
	cal_event_list_release(&evs);
	if (graphjson_mailbox_value(v, &mb, &err))
		FUZZ_ASSERT(!mb.time_zone && fuzz_one_line(err.msg));
	cal_mailbox_release(&mb);
	if (!graphjson_group_find_value(v, "a@b", &g, &found, &next, &err))
		FUZZ_ASSERT(found == !!g.id);
	free(next);
	next = NULL;
	if (!graphjson_members_page_value(v, &g, &next, &err))
		FUZZ_ASSERT(!next || text_is_printable_ascii(next));
	free(next);
	cal_group_release(&g);
	if (!graphjson_error_value(v, &e, &err))
		FUZZ_ASSERT(e.code);
	graphjson_error_release(&e);
}

static void answer(const char *json, size_t len)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (graphjson_batch_answer(json, len, &b, &err)) {
		FUZZ_ASSERT(b.n == 0 && fuzz_one_line(err.msg));
		return;
	}
	for (size_t i = 0; i < b.n; i++) {
		const struct graphjson_subanswer *a = &b.v[i];

		FUZZ_ASSERT(a->id && *a->id);
		FUZZ_ASSERT(a->status >= 100 && a->status <= 599);
		FUZZ_ASSERT(!(a->value && a->body));
		FUZZ_ASSERT(a->body || !a->body_len);
		if (a->value) {
			read_value(a->value);
			events_as_text(a->value);
		}
	}
	graphjson_batch_release(&b);
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static void request(const uint8_t *data, size_t size)
{
	const uint8_t *first = data;
	size_t n = fuzz_take(&data, &size);
	char *url = fuzz_strndup(first, n);
	char *prefer = fuzz_strndup(data, size);
	struct graphjson_subrequest rq = {.id = "1", .method = "GET"};
	struct strbuf body = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct json_object *j, *reqs, *r0, *headers;

	if (!url || !prefer || strlen(url) != n || strlen(prefer) != size)
		goto out;
	rq.url = url;
	rq.prefer = prefer[0] ? prefer : NULL;
	if (graphjson_batch_request(&rq, 1, &body, &err))
		goto out;
	j = json_tokener_parse(body.buf);
	FUZZ_ASSERT(j);
	FUZZ_ASSERT(json_object_object_get_ex(j, "requests", &reqs));
	FUZZ_ASSERT(json_object_array_length(reqs) == 1);
	r0 = json_object_array_get_idx(reqs, 0);
	FUZZ_ASSERT(field(r0, "url") && !strcmp(field(r0, "url"), url));
	if (rq.prefer) {
		FUZZ_ASSERT(json_object_object_get_ex(r0, "headers",
						      &headers));
		FUZZ_ASSERT(field(headers, "Prefer") &&
			    !strcmp(field(headers, "Prefer"), prefer));
	}
	json_object_put(j);
out:
	strbuf_release(&body);
	free(url);
	free(prefer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		answer((const char *)data + 1, size - 1);
	else
		request(data + 1, size - 1);
	return 0;
}
