/*
 * fuzz_graph_events: a calendarView page (graphjson_events_page), the
 * answer every reader's calendar arrives in.
 *
 * Invariants: on error nothing was appended and there is no next link;
 * on success every event has an id and both date-times with their zones,
 * and every string is NUL-free UTF-8 (json-c checked it, and a NUL would
 * cut it short).
 */
#include "calendar.h"
#include "err.h"
#include "fuzz.h"
#include "graphjson.h"

static void check_text(const char *s)
{
	if (s)
		FUZZ_ASSERT(fuzz_utf8_ok(s, strlen(s)));
}

static void check_event(const struct cal_event *ev)
{
	FUZZ_ASSERT(ev->id && ev->id[0]);
	FUZZ_ASSERT(ev->start.date_time && ev->start.time_zone);
	FUZZ_ASSERT(ev->end.date_time && ev->end.time_zone);
	check_text(ev->subject);
	check_text(ev->location);
	check_text(ev->join_url);
	check_text(ev->organizer.name);
	check_text(ev->organizer.address);
	for (size_t i = 0; i < ev->nattendees; i++) {
		check_text(ev->attendees[i].who.name);
		check_text(ev->attendees[i].who.address);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cal_event_list list = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = (char *)"unset";

	if (graphjson_events_page((const char *)data, size, &list, &next,
				  &err)) {
		FUZZ_ASSERT(list.n == 0 && !next && err.msg[0]);
		FUZZ_ASSERT(fuzz_one_line(err.msg));
		cal_event_list_release(&list);
		return 0;
	}
	for (size_t i = 0; i < list.n; i++)
		check_event(&list.v[i]);
	check_text(next);
	free(next);
	cal_event_list_release(&list);
	return 0;
}
