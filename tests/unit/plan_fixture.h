/*
 * plan_fixture: what the unit tests of module plan share: instants from
 * text, mailboxes and events made up for a test, the target and the day
 * of a user as the tests mostly want them, and a catcher of warnings.
 * Not a test program itself: included by test_plan.c and test_plan_day.c
 * after cmocka.h.
 */
#ifndef DIGEST_PLAN_FIXTURE_H
#define DIGEST_PLAN_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "err.h"
#include "logging.h"
#include "plan.h"

/* "2026-11-23T10:00:00Z" (optionally ".123") as epoch milliseconds. */
static int64_t utc(const char *s)
{
	struct tm tm = {0};
	int ms = 0, n;

	n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
	assert_true(n >= 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

static char *dup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	assert_non_null(p);
	return p;
}

/* A mailbox naming zone (NULL: none); cal_mailbox_release() it. */
static void mailbox(struct cal_mailbox *mb, const char *zone)
{
	memset(mb, 0, sizeof(*mb));
	mb->time_zone = dup(zone);
}

/*
 * plan_target() as the tests mostly want it: the next working day, no
 * configured zone.
 */
static int plan_call(const struct cal_mailbox *mb, int64_t now_ms,
		     const char *date, const char *locale, bool opted_out,
		     struct plan_target *t, struct dg_err *err)
{
	struct plan_opts o = {
		.now_ms = now_ms,
		.date = date,
		.covers = PLAN_COVERS_NEXT_WORKING_DAY,
		.default_locale = locale,
		.opted_out = opted_out,
	};

	return plan_target(mb, "zoe@contoso.com", &o, t, err);
}

static void target_ok(const struct cal_mailbox *mb, const char *now,
		      const char *date, struct plan_target *t)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(plan_call(mb, now ? utc(now) : 0,
				     date, "en-US", false, t, &err),
			 0);
}

/* The target of a user in zone (mailbox only names the zone). */
static void target_in(const char *zone, const char *now, const char *date,
		      struct plan_target *t)
{
	struct cal_mailbox mb;

	mailbox(&mb, zone);
	target_ok(&mb, now, date, t);
	cal_mailbox_release(&mb);
}

static struct cal_event *add_event(struct cal_event_list *list, const char *id,
				   const char *subject, const char *start,
				   const char *end, const char *zone)
{
	struct cal_event *ev;

	assert_int_equal(cal_event_list_push(list, &ev), 0);
	ev->id = dup(id);
	ev->subject = dup(subject);
	ev->response = dup("accepted");
	ev->start.date_time = dup(start);
	ev->start.time_zone = dup(zone);
	ev->end.date_time = dup(end);
	ev->end.time_zone = dup(zone);
	return ev;
}

static struct cal_event *add_all_day(struct cal_event_list *list,
				     const char *id, const char *first,
				     const char *after_last)
{
	char start[40], end[40];
	struct cal_event *ev;

	snprintf(start, sizeof(start), "%sT00:00:00.0000000", first);
	snprintf(end, sizeof(end), "%sT00:00:00.0000000", after_last);
	ev = add_event(list, id, "Holiday", start, end, "UTC");
	ev->is_all_day = true;
	return ev;
}

/* The day 2026-11-24 (a Tuesday) of a user in zone with locale. */
static void day_in(const char *zone, const char *locale,
		   const struct cal_event_list *events, struct plan_target *t,
		   struct plan_day *d)
{
	struct dg_err err = DG_ERR_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, zone);
	mb.locale = dup(locale);
	target_ok(&mb, NULL, "2026-11-24", t);
	cal_mailbox_release(&mb);
	assert_int_equal(plan_day(t, events, d, &err), 0);
}

struct captured {
	int warnings;
	char last[256];
};

static void capture(enum logging_level level, const char *msg, void *ctx)
{
	struct captured *c = ctx;

	if (level != LOGGING_WARN)
		return;
	c->warnings++;
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

#endif
