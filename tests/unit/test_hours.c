/*
 * hours: whether a meeting falls outside someone's working hours in
 * their own zone (45-minute offsets, days off, night shifts), the words
 * a digest says it with, who is never named, and the stored week of
 * each tenant user (workhours) that lets a run do it without asking
 * Graph about anyone but its readers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "clock.h"
#include "directory.h"
#include "err.h"
#include "hours.h"
#include "match.h"
#include "match_fixture.h"
#include "plan.h"
#include "prefs.h"
#include "roster.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"
#include "tz.h"
#include "workhours.h"

#define MON_FRI (CAL_MONDAY | CAL_TUESDAY | CAL_WEDNESDAY | CAL_THURSDAY | \
		 CAL_FRIDAY)

static int64_t at(const char *rfc3339)
{
	struct dg_err err = DG_ERR_INIT;
	int64_t ms = 0;

	assert_int_equal(clock_parse_rfc3339(rfc3339, "test", &ms, &err), 0);
	return ms;
}

/* The verdict for [start, end) in Windows or IANA zone name. */
static enum hours_fit fit(const char *zone, unsigned days, int start_min,
			  int end_min, const char *start, const char *end)
{
	struct dg_err err = DG_ERR_INIT;
	struct hours_rule r = { .days = days, .start_min = start_min,
				.end_min = end_min };
	enum hours_fit out = HOURS_INSIDE;
	char *iana = NULL;

	assert_int_equal(tz_resolve(zone, &iana), 0);
	assert_int_equal(tz_open(iana, &r.work, &err), 0);
	assert_int_equal(hours_fit(&r, at(start), at(end), &out, &err), 0);
	tz_close(r.work);
	free(iana);
	return out;
}

/* Nepal is UTC+05:45 all year: 09:00 there is 03:15Z. */
static void test_hours__nepal_keeps_its_45_minutes(void **state)
{
	const char *np = "Nepal Standard Time";

	assert_int_equal(fit(np, MON_FRI, 540, 1020, "2026-11-24T03:15:00Z",
			     "2026-11-24T04:00:00Z"),
			 HOURS_INSIDE);
	/* 08:45 local: a quarter of an hour too early */
	assert_int_equal(fit(np, MON_FRI, 540, 1020, "2026-11-24T03:00:00Z",
			     "2026-11-24T03:30:00Z"),
			 HOURS_OUTSIDE);
	/* 16:15-17:00 local ends with the day; 16:30-17:15 does not */
	assert_int_equal(fit(np, MON_FRI, 540, 1020, "2026-11-24T10:30:00Z",
			     "2026-11-24T11:15:00Z"),
			 HOURS_INSIDE);
	assert_int_equal(fit(np, MON_FRI, 540, 1020, "2026-11-24T10:45:00Z",
			     "2026-11-24T11:30:00Z"),
			 HOURS_OUTSIDE);
	assert_int_equal(fit("Asia/Kathmandu", MON_FRI, 540, 1020,
			     "2026-11-24T11:15:00Z", "2026-11-24T12:00:00Z"),
			 HOURS_OUTSIDE);
}

/*
 * The Chatham Islands are UTC+13:45 in the southern summer: Monday
 * 20:15Z is Tuesday 10:00 there, and Friday 20:15Z their Saturday.
 */
static void test_hours__chatham_is_a_day_ahead_by_45_minutes(void **state)
{
	const char *ch = "Chatham Islands Standard Time";

	assert_int_equal(fit(ch, MON_FRI, 540, 1020, "2026-11-23T20:15:00Z",
			     "2026-11-23T21:00:00Z"),
			 HOURS_INSIDE);
	assert_int_equal(fit(ch, MON_FRI, 540, 1020, "2026-11-23T19:00:00Z",
			     "2026-11-23T19:45:00Z"),
			 HOURS_OUTSIDE);
	assert_int_equal(fit("Pacific/Chatham", MON_FRI, 540, 1020,
			     "2026-11-27T20:15:00Z", "2026-11-27T21:00:00Z"),
			 HOURS_DAY_OFF);
	/* in July (standard time, +12:45) 10:00 is 21:15Z the day before */
	assert_int_equal(fit(ch, MON_FRI, 540, 1020, "2026-07-06T21:15:00Z",
			     "2026-07-06T22:00:00Z"),
			 HOURS_INSIDE);
}

static void test_hours__a_day_off_is_said_apart(void **state)
{
	/* Dana works Wednesday to Friday in New York */
	unsigned wed_fri = CAL_WEDNESDAY | CAL_THURSDAY | CAL_FRIDAY;

	assert_int_equal(fit("Eastern Standard Time", wed_fri, 540, 1020,
			     "2026-11-24T15:00:00Z", "2026-11-24T16:00:00Z"),
			 HOURS_DAY_OFF);
	assert_int_equal(fit("Eastern Standard Time", wed_fri, 540, 1020,
			     "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z"),
			 HOURS_INSIDE);
	/* Wednesday 07:00 is a working day, before the hours */
	assert_int_equal(fit("Eastern Standard Time", wed_fri, 540, 1020,
			     "2026-11-25T12:00:00Z", "2026-11-25T13:00:00Z"),
			 HOURS_OUTSIDE);
	/* no days named: every day is a working day */
	assert_int_equal(fit("Eastern Standard Time", 0, 540, 1020,
			     "2026-11-29T15:00:00Z", "2026-11-29T16:00:00Z"),
			 HOURS_INSIDE);
}

/* 22:00 to 06:00, Monday to Friday nights, in Berlin (UTC+01:00). */
static void test_hours__night_hours_run_past_midnight(void **state)
{
	const char *be = "W. Europe Standard Time";

	/* Tuesday 23:00-24:00 and Wednesday 01:00-02:00: one night */
	assert_int_equal(fit(be, MON_FRI, 1320, 360, "2026-11-24T22:00:00Z",
			     "2026-11-25T01:00:00Z"),
			 HOURS_INSIDE);
	/* Saturday 02:00 is Friday's night */
	assert_int_equal(fit(be, MON_FRI, 1320, 360, "2026-11-28T01:00:00Z",
			     "2026-11-28T02:00:00Z"),
			 HOURS_INSIDE);
	/* Saturday 07:00: after Friday's night, a day off */
	assert_int_equal(fit(be, MON_FRI, 1320, 360, "2026-11-28T06:00:00Z",
			     "2026-11-28T07:00:00Z"),
			 HOURS_DAY_OFF);
	/* Monday 02:00 belongs to Sunday night, which is not worked */
	assert_int_equal(fit(be, MON_FRI, 1320, 360, "2026-11-23T01:00:00Z",
			     "2026-11-23T02:00:00Z"),
			 HOURS_OUTSIDE);
	/* Wednesday 05:30-06:30 runs past the end of the night */
	assert_int_equal(fit(be, MON_FRI, 1320, 360, "2026-11-25T04:30:00Z",
			     "2026-11-25T05:30:00Z"),
			 HOURS_OUTSIDE);
	/* Wednesday noon: a working day, not working hours */
	assert_int_equal(fit(be, MON_FRI, 1320, 360, "2026-11-25T11:00:00Z",
			     "2026-11-25T12:00:00Z"),
			 HOURS_OUTSIDE);
}

/* ---- the book, over a store ---- */

struct world {
	struct scratch sc;
	struct store *st; /* sc.st, borrowed */
	struct roster roster;
	struct cal_user_list users;
	struct directory *dir_;
};

static char *xdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static void user(struct world *w, const char *id, const char *mail,
		 const char *given)
{
	struct cal_user *u;

	assert_int_equal(cal_user_list_push(&w->users, &u), 0);
	u->id = xdup(id);
	u->mail = xdup(mail);
	u->given_name = given ? xdup(given) : NULL;
}

static void roster_person(struct world *w, const char *email, bool hidden)
{
	struct roster_person p;

	memset(&p, 0, sizeof(p));
	p.email = xdup(email);
	p.name = xdup("");
	p.title = xdup("");
	p.hidden = hidden;
	assert_int_equal(roster_push(&w->roster, &p), 0);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	if (scratch_make_store(&w->sc)) {
		free(w);
		return -1;
	}
	w->st = w->sc.st;
	user(w, "id-zoe", "zoe@contoso.com", "Zoë");
	user(w, "id-bikash", "bikash@contoso.com", "Bikash");
	user(w, "id-oliver", "oliver@contoso.com", "Oliver");
	user(w, "id-tane", "tane@contoso.com", "Tane");
	user(w, "id-hidden", "hidden@contoso.com", "Hidden");
	user(w, "id-chose", "chose@contoso.com", "Chose");
	roster_person(w, "hidden@contoso.com", true);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	int rc;

	directory_close(w->dir_);
	rc = scratch_remove(&w->sc);
	cal_user_list_release(&w->users);
	roster_release(&w->roster);
	free(w);
	return rc;
}

static struct directory *dir_of(struct world *w)
{
	struct directory_limits lim = { 0, 0 };
	struct dg_err err = DG_ERR_INIT;

	if (!w->dir_)
		assert_int_equal(directory_open(&w->roster, &w->users, NULL,
						&lim, &w->dir_, &err),
				 0);
	return w->dir_;
}

static const struct cal_user *user_of(struct world *w, const char *id)
{
	for (size_t i = 0; i < w->users.n; i++)
		if (!strcmp(w->users.v[i].id, id))
			return &w->users.v[i];
	fail();
	return NULL;
}

/* A mailbox in zone, working 09:00-17:00 Monday to Friday. */
static void mailbox(struct cal_mailbox *mb, const char *zone)
{
	memset(mb, 0, sizeof(*mb));
	mb->time_zone = xdup(zone);
	mb->working_zone = xdup(zone);
	mb->has_working_days = true;
	mb->working_days = MON_FRI;
	mb->has_working_hours = true;
	mb->work_start_min = 540;
	mb->work_end_min = 1020;
}

static void learn(struct hours_book *b, struct world *w, const char *id,
		  const char *zone)
{
	struct dg_err err = DG_ERR_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, zone);
	assert_int_equal(hours_book_learn(b, user_of(w, id), &mb, &err), 0);
	cal_mailbox_release(&mb);
}

static void attend(struct match_list *l, struct world *w, const char *mail,
		   const char *via)
{
	struct match_attendee *a;

	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	assert_non_null(l->v);
	a = &l->v[l->n++];
	memset(a, 0, sizeof(*a));
	a->email = xdup(mail);
	a->name = xdup(mail);
	a->via = via;
	a->person = roster_find(&w->roster, mail);
}

/* Zoë in Los Angeles meets at 15:30-16:00 Tuesday her time (23:30Z). */
static void meeting(struct plan_meeting *m)
{
	memset(m, 0, sizeof(*m));
	m->start_ms = at("2026-11-24T23:30:00Z");
	m->end_ms = at("2026-11-25T00:00:00Z");
}

static void test_hours__a_meeting_says_whose_hours_it_leaves(void **state)
{
	struct world *w = *state;
	struct hours_reader r = { "America/Los_Angeles", "en-US" };
	struct hours_notes n = HOURS_NOTES_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct match_list l = MATCH_LIST_INIT;
	struct hours_book *b;
	struct plan_meeting m;

	assert_int_equal(hours_book_open(w->st, true, 0, &b, &err), 0);
	learn(b, w, "id-bikash", "Nepal Standard Time");
	learn(b, w, "id-oliver", "AUS Eastern Standard Time");
	learn(b, w, "id-tane", "Chatham Islands Standard Time");
	attend(&l, w, "bikash@contoso.com", "direct");
	attend(&l, w, "oliver@contoso.com", "direct");
	attend(&l, w, "tane@contoso.com", "direct");
	meeting(&m);
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	/* 05:15 Wednesday in Kathmandu; 10:30 in Sydney is within hours;
	 * 13:15 Wednesday in the Chathams too */
	assert_int_equal(n.n, 1);
	assert_int_equal(n.v[0].attendee, 0);
	assert_false(n.v[0].day_off);
	assert_string_equal(n.v[0].name, "Bikash");
	assert_string_equal(n.v[0].zone, "Asia/Kathmandu");
	assert_string_equal(n.v[0].city, "Kathmandu");
	assert_string_equal(n.v[0].local_time, "5:15 AM");
	assert_string_equal(n.v[0].local_end, "5:45 AM");
	assert_string_equal(n.v[0].local_day, "Wednesday");
	hours_notes_release(&n);

	/* the same meeting read in French: Katmandou, 05:15, mercredi */
	r.locale = "fr";
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.v[0].city, "Katmandou");
	assert_string_equal(n.v[0].local_time, "05:15");
	assert_string_equal(n.v[0].local_day, "mercredi");
	hours_notes_release(&n);

	/* and in English again: a person's city is kept per language */
	r.locale = "en-US";
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_string_equal(n.v[0].city, "Kathmandu");
	assert_string_equal(n.v[0].local_day, "Wednesday");
	hours_notes_release(&n);

	/* a mailbox read again in another zone: its city, not the kept one */
	learn(b, w, "id-bikash", "India Standard Time");
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.v[0].city, "Kolkata");
	assert_string_equal(n.v[0].local_time, "5:00 AM");
	hours_notes_release(&n);
	learn(b, w, "id-bikash", "Nepal Standard Time");

	/* Sunday morning in Los Angeles: Sunday evening in Kathmandu,
	 * Monday night in Sydney, Monday before hours in the Chathams */
	m.start_ms = at("2026-11-22T15:30:00Z");
	m.end_ms = at("2026-11-22T16:00:00Z");
	r.locale = "en-US";
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 3);
	assert_string_equal(n.v[0].name, "Bikash");
	assert_true(n.v[0].day_off); /* Sunday 21:15 in Kathmandu */
	assert_null(n.v[0].local_day);
	assert_string_equal(n.v[1].city, "Sydney");
	assert_false(n.v[1].day_off);
	assert_string_equal(n.v[1].local_time, "2:30 AM");
	assert_string_equal(n.v[1].local_day, "Monday");
	assert_string_equal(n.v[2].name, "Tane");
	assert_string_equal(n.v[2].city, "Chatham");
	assert_string_equal(n.v[2].local_time, "5:15 AM");
	assert_string_equal(n.v[2].local_day, "Monday");
	hours_notes_release(&n);

	own_list_release(&l);
	hours_book_close(b);
}

/* A book that knows Bikash, Oliver and Tane's hours. */
static struct hours_book *book_of(struct world *w)
{
	struct dg_err err = DG_ERR_INIT;
	struct hours_book *b = NULL;

	assert_int_equal(hours_book_open(w->st, false, 0, &b, &err), 0);
	learn(b, w, "id-bikash", "Nepal Standard Time");
	learn(b, w, "id-oliver", "AUS Eastern Standard Time");
	learn(b, w, "id-tane", "Chatham Islands Standard Time");
	return b;
}

static void same_text(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/*
 * A book keeps the labels it formatted, from meeting to meeting: each
 * line says what a new book's does, for instants that come back and
 * for instants that take one another's place (1024 minutes apart: one
 * slot of the book's memo).
 */
static void test_hours__kept_labels_answer_as_fresh_ones(void **state)
{
	static const char *const locales[] = { "en-US", "fr", "en-US" };
	struct world *w = *state;
	struct hours_reader r = { "America/Los_Angeles", "en-US" };
	struct dg_err err = DG_ERR_INIT;
	struct match_list l = MATCH_LIST_INIT;
	struct hours_book *kept;
	struct plan_meeting m;
	size_t lines = 0;

	kept = book_of(w);
	attend(&l, w, "bikash@contoso.com", "direct");
	attend(&l, w, "oliver@contoso.com", "direct");
	attend(&l, w, "tane@contoso.com", "direct");
	meeting(&m);
	for (int pass = 0; pass < 2; pass++) {
		for (int k = 0; k < 24; k++) {
			struct hours_notes a = HOURS_NOTES_INIT,
					   f = HOURS_NOTES_INIT;
			struct hours_book *fresh = book_of(w);

			r.locale = locales[(k + pass) % 3];
			m.start_ms = at("2026-11-22T15:30:00Z") +
				     (int64_t)k * 1024 * 60000;
			m.end_ms = m.start_ms + (k % 2 ? 30 : 64) * 60000;
			assert_int_equal(hours_meeting(kept, dir_of(w), &r, &m,
						       &l, &a, &err),
					 0);
			assert_int_equal(hours_meeting(fresh, dir_of(w), &r,
						       &m, &l, &f, &err),
					 0);
			assert_int_equal(a.n, f.n);
			for (size_t i = 0; i < a.n; i++) {
				same_text(a.v[i].local_time, f.v[i].local_time);
				same_text(a.v[i].local_end, f.v[i].local_end);
				same_text(a.v[i].local_day, f.v[i].local_day);
				same_text(a.v[i].city, f.v[i].city);
			}
			lines += a.n;
			hours_notes_release(&a);
			hours_notes_release(&f);
			hours_book_close(fresh);
		}
	}
	assert_true(lines > 24);
	own_list_release(&l);
	hours_book_close(kept);
}

/*
 * An attendee met before any run kept their hours has no line; once
 * their own mailbox is read in the same run, the next meeting has one.
 */
static void test_hours__an_attendee_met_before_their_mailbox_is_read(
	void **state)
{
	struct world *w = *state;
	struct hours_reader r = { "America/Los_Angeles", "en-US" };
	struct hours_notes n = HOURS_NOTES_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct match_list l = MATCH_LIST_INIT;
	struct hours_book *b;
	struct plan_meeting m;

	assert_int_equal(hours_book_open(w->st, false, 0, &b, &err), 0);
	attend(&l, w, "bikash@contoso.com", "direct");
	meeting(&m);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
			hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
		assert_int_equal(n.n, 0);
		hours_notes_release(&n);
	}
	learn(b, w, "id-bikash", "Nepal Standard Time");
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.v[0].city, "Kathmandu");
	hours_notes_release(&n);
	own_list_release(&l);
	hours_book_close(b);
}

static void test_hours__private_and_all_day_meetings_have_no_lines(
	void **state)
{
	struct world *w = *state;
	struct hours_reader r = { "America/Los_Angeles", "en-US" };
	struct hours_notes n = HOURS_NOTES_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct match_list l = MATCH_LIST_INIT;
	struct hours_book *b;
	struct plan_meeting m;

	assert_int_equal(hours_book_open(w->st, false, 0, &b, &err), 0);
	learn(b, w, "id-bikash", "Nepal Standard Time");
	attend(&l, w, "bikash@contoso.com", "direct");
	meeting(&m);
	m.is_private = true;
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 0);
	m.is_private = false;
	m.all_day = true;
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 0);
	/* nor does a list's member, nor anyone the run knows nothing of */
	m.all_day = false;
	l.v[0].via = "group";
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 0);
	own_list_release(&l);
	attend(&l, w, "zoe@contoso.com", "direct");
	attend(&l, w, "stranger@fabrikam.com", NULL);
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 0);
	own_list_release(&l);
	hours_book_close(b);
}

static void test_hours__a_hidden_profile_is_never_named(void **state)
{
	struct world *w = *state;
	struct hours_reader r = { "America/Los_Angeles", "en-US" };
	struct hours_notes n = HOURS_NOTES_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct match_list l = MATCH_LIST_INIT;
	struct prefs p = PREFS_INIT;
	struct hours_book *b;
	struct plan_meeting m;

	/* hidden by the roster; hidden by her own choice */
	p.profile = PREFS_PROFILE_HIDDEN;
	assert_int_equal(prefs_set(w->st, "CHOSE@contoso.com", &p, 0, &err),
			 0);
	assert_int_equal(hours_book_open(w->st, false, 0, &b, &err), 0);
	learn(b, w, "id-hidden", "Nepal Standard Time");
	learn(b, w, "id-chose", "Nepal Standard Time");
	learn(b, w, "id-bikash", "Nepal Standard Time");
	attend(&l, w, "hidden@contoso.com", "direct");
	attend(&l, w, "chose@contoso.com", NULL);
	attend(&l, w, "bikash@contoso.com", "direct");
	meeting(&m);
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.v[0].name, "Bikash");
	assert_int_equal(n.v[0].attendee, 2);
	hours_notes_release(&n);
	own_list_release(&l);
	hours_book_close(b);
}

static void test_hours__a_later_run_uses_the_stored_week(void **state)
{
	struct world *w = *state;
	struct hours_reader r = { "America/Los_Angeles", "ja" };
	struct hours_notes n = HOURS_NOTES_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct match_list l = MATCH_LIST_INIT;
	struct workhours wh = WORKHOURS_INIT;
	struct hours_book *b;
	struct plan_meeting m;
	bool found = false, written = true;

	/* a preview (save false) keeps nothing */
	assert_int_equal(hours_book_open(w->st, false, 0, &b, &err), 0);
	learn(b, w, "id-bikash", "Nepal Standard Time");
	hours_book_close(b);
	assert_int_equal(workhours_load(w->st, "id-bikash", &wh, &found, &err),
			 0);
	assert_false(found);

	/* a run keeps it */
	assert_int_equal(hours_book_open(w->st, true, 0, &b, &err), 0);
	learn(b, w, "id-bikash", "Nepal Standard Time");
	hours_book_close(b);
	assert_int_equal(workhours_load(w->st, "id-bikash", &wh, &found, &err),
			 0);
	assert_true(found);
	assert_string_equal(wh.time_zone, "Nepal Standard Time");
	assert_int_equal(wh.days, MON_FRI);
	assert_int_equal(wh.start_min, 540);
	assert_int_equal(wh.end_min, 1020);
	/* the same again writes nothing */
	assert_int_equal(workhours_save(w->st, "id-bikash", "bikash@contoso.com",
					&wh, 0, &written, &err),
			 0);
	assert_false(written);
	workhours_release(&wh);

	/* the next run has not fetched Bikash's mailbox: the stored week */
	assert_int_equal(hours_book_open(w->st, true, 0, &b, &err), 0);
	attend(&l, w, "bikash@contoso.com", "direct");
	meeting(&m);
	assert_int_equal(hours_meeting(b, dir_of(w), &r, &m, &l, &n, &err), 0);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.v[0].city, "カトマンズ");
	assert_string_equal(n.v[0].local_day, "水曜日");
	hours_notes_release(&n);
	own_list_release(&l);
	hours_book_close(b);
}

static void test_hours__kept_reads_answer_as_fresh_loads(void **state)
{
	struct world *w = *state;
	struct dg_err err = DG_ERR_INIT;
	struct workhours wh = WORKHOURS_INIT, fresh = WORKHOURS_INIT;
	struct workhours_reads *r = NULL;
	struct hours_book *b;
	bool found = true, fresh_found = false, written = false;

	assert_int_equal(hours_book_open(w->st, true, 0, &b, &err), 0);
	learn(b, w, "id-bikash", "Nepal Standard Time");
	hours_book_close(b);
	assert_int_equal(workhours_reads_open(w->st, &r, &err), 0);
	/* one user after another, known or not, through one statement */
	for (int round = 0; round < 3; round++) {
		assert_int_equal(workhours_reads_load(r, "id-nobody", &wh,
						      &found, &err),
				 0);
		assert_false(found);
		assert_null(wh.time_zone);
		assert_int_equal(workhours_reads_load(r, "id-bikash", &wh,
						      &found, &err),
				 0);
		assert_int_equal(workhours_load(w->st, "id-bikash", &fresh,
						&fresh_found, &err),
				 0);
		assert_true(found);
		assert_true(fresh_found);
		assert_true(workhours_equal(&wh, &fresh));
		assert_string_equal(wh.time_zone, "Nepal Standard Time");
		workhours_release(&fresh);
		if (round == 1) {
			/* a row written between reads is what the next sees */
			wh.start_min = 600;
			assert_int_equal(workhours_save(w->st, "id-bikash",
							"bikash@contoso.com",
							&wh, 1, &written,
							&err),
					 0);
			assert_true(written);
		}
		workhours_release(&wh);
	}
	assert_int_equal(workhours_reads_load(r, "id-bikash", &wh, &found,
					      &err),
			 0);
	assert_int_equal(wh.start_min, 600);
	workhours_release(&wh);
	workhours_reads_close(r);
	workhours_reads_close(NULL);
}

static void test_hours__night_hours_are_stored_and_odd_zones_dropped(
	void **state)
{
	struct world *w = *state;
	struct dg_err err = DG_ERR_INIT;
	struct workhours wh = WORKHOURS_INIT;
	struct cal_mailbox mb;
	struct hours_book *b;
	bool found = false;

	mailbox(&mb, "Customized Time Zone");
	mb.has_working_hours = false; /* as graphjson says for 22:00-06:00 */
	mb.work_start_min = 1320;
	mb.work_end_min = 360;
	assert_int_equal(hours_book_open(w->st, true, 0, &b, &err), 0);
	assert_int_equal(hours_book_learn(b, user_of(w, "id-oliver"), &mb,
					  &err),
			 0);
	hours_book_close(b);
	cal_mailbox_release(&mb);
	assert_int_equal(workhours_load(w->st, "id-oliver", &wh, &found, &err),
			 0);
	assert_true(found);
	assert_int_equal(wh.start_min, 1320);
	assert_int_equal(wh.end_min, 360);
	workhours_release(&wh);
}

static void test_hours__city_labels_leave_out_unknown_cities(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	struct tz_label *l;
	char *s = NULL;

	assert_int_equal(tz_label_open("Etc/UTC", "en-US", TZ_LABEL_CITY, &l,
				       &err),
			 0);
	assert_int_equal(tz_label(l, 0, &s, &err), 0);
	assert_string_equal(s, "");
	free(s);
	tz_label_close(l);
	assert_int_equal(tz_label_open("Asia/Kolkata", "de", TZ_LABEL_CITY,
				       &l, &err),
			 0);
	assert_int_equal(tz_label(l, 0, &s, &err), 0);
	assert_string_equal(s, "Kalkutta");
	free(s);
	tz_label_close(l);
}

#define T(f) cmocka_unit_test(f)
#define TW(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hours__nepal_keeps_its_45_minutes),
		T(test_hours__chatham_is_a_day_ahead_by_45_minutes),
		T(test_hours__a_day_off_is_said_apart),
		T(test_hours__night_hours_run_past_midnight),
		TW(test_hours__a_meeting_says_whose_hours_it_leaves),
		TW(test_hours__kept_labels_answer_as_fresh_ones),
		TW(test_hours__an_attendee_met_before_their_mailbox_is_read),
		TW(test_hours__private_and_all_day_meetings_have_no_lines),
		TW(test_hours__a_hidden_profile_is_never_named),
		TW(test_hours__a_later_run_uses_the_stored_week),
		TW(test_hours__kept_reads_answer_as_fresh_loads),
		TW(test_hours__night_hours_are_stored_and_odd_zones_dropped),
		T(test_hours__city_labels_leave_out_unknown_cities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
