/*
 * prefs: the values a person types parse or are refused with a message,
 * choices round-trip through the store in any case of the address, and
 * the skip decision follows the pause and the chosen weekdays.
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

#include "err.h"
#include "plan.h"
#include "prefs.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"

#define S(x) x, strlen(x)

static void test_prefs__days_parse_from_short_or_long_names(void **state)
{
	struct prefs p = PREFS_INIT;
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(prefs_parse_days(S("Mon, wednesday,FRI"), &p, &err),
			 0);
	assert_int_equal(p.days, (1u << 1) | (1u << 3) | (1u << 5));
	assert_int_equal(prefs_format_days(p.days, &out), 0);
	assert_string_equal(out.buf, "mon,wed,fri");
	assert_int_equal(prefs_parse_days(S("all"), &p, &err), 0);
	assert_int_equal(p.days, PREFS_ALL_DAYS);
	strbuf_reset(&out);
	assert_int_equal(prefs_format_days(1u, &out), 0);
	assert_string_equal(out.buf, "sun");
	assert_int_equal(prefs_parse_days(S(""), &p, &err), 0);
	assert_int_equal(p.days, 0);
	strbuf_release(&out);
}

static void test_prefs__bad_values_are_refused_and_change_nothing(void **state)
{
	struct prefs p = PREFS_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(prefs_parse_days(S("mo,tue"), &p, &err), DG_EINVAL);
	assert_string_equal(err.msg,
			    "weekdays are a list such as mon,tue,thu (or all)");
	assert_int_equal(prefs_parse_days(S("mon;tue"), &p, &err), DG_EINVAL);
	assert_int_equal(prefs_parse_date(S("2026-02-29"), &p, &err),
			 DG_EINVAL);
	assert_int_equal(prefs_parse_date(S("2026-13-01"), &p, &err),
			 DG_EINVAL);
	assert_int_equal(prefs_parse_date(S("26-1-1"), &p, &err), DG_EINVAL);
	assert_int_equal(prefs_parse_send_at(S("24:00"), &p, &err),
			 DG_EINVAL);
	assert_int_equal(prefs_parse_send_at(S("7:00"), &p, &err), DG_EINVAL);
	assert_int_equal(prefs_parse_locale(S("e"), &p, &err), DG_EINVAL);
	assert_int_equal(prefs_parse_locale(S("en-<script>"), &p, &err),
			 DG_EINVAL);
	assert_int_equal(prefs_parse_profile(S("secret"), &p, &err),
			 DG_EINVAL);
	assert_true(prefs_is_empty(&p));
}

static void test_prefs__good_values_parse(void **state)
{
	struct prefs p = PREFS_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(prefs_parse_date(S("2028-02-29"), &p, &err), 0);
	assert_string_equal(p.pause_until, "2028-02-29");
	assert_int_equal(prefs_parse_send_at(S("23:59"), &p, &err), 0);
	assert_string_equal(p.send_at, "23:59");
	assert_int_equal(prefs_parse_locale(S("pt_BR"), &p, &err), 0);
	assert_string_equal(p.locale, "pt-BR");
	assert_int_equal(prefs_parse_profile(S("hidden"), &p, &err), 0);
	assert_int_equal(p.profile, PREFS_PROFILE_HIDDEN);
}

static void test_prefs__choices_round_trip_in_any_case(void **state)
{
	struct scratch *f = *state;
	struct prefs p = PREFS_INIT, got;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(prefs_get(f->st, "ann@contoso.com", &got, &err), 0);
	assert_true(prefs_is_empty(&got));
	assert_int_equal(prefs_parse_date(S("2026-12-01"), &p, &err), 0);
	assert_int_equal(prefs_parse_days(S("mon,tue"), &p, &err), 0);
	assert_int_equal(prefs_parse_send_at(S("06:30"), &p, &err), 0);
	assert_int_equal(prefs_parse_locale(S("de-CH"), &p, &err), 0);
	p.profile = PREFS_PROFILE_HIDDEN;
	assert_int_equal(prefs_set(f->st, "Ann@Contoso.com", &p, 1, &err), 0);
	assert_int_equal(prefs_get(f->st, "ann@contoso.com", &got, &err), 0);
	assert_string_equal(got.pause_until, "2026-12-01");
	assert_int_equal(got.days, (1u << 1) | (1u << 2));
	assert_string_equal(got.send_at, "06:30");
	assert_string_equal(got.locale, "de-CH");
	assert_int_equal(got.profile, PREFS_PROFILE_HIDDEN);
	/* a second set replaces the whole row */
	p = (struct prefs)PREFS_INIT;
	assert_int_equal(prefs_set(f->st, "ann@contoso.com", &p, 2, &err), 0);
	assert_int_equal(prefs_get(f->st, "ANN@contoso.com", &got, &err), 0);
	assert_true(prefs_is_empty(&got));
}

static void test_prefs__set_refuses_values_that_would_not_parse(void **state)
{
	struct scratch *f = *state;
	struct prefs p = PREFS_INIT;
	struct dg_err err = DG_ERR_INIT;

	memcpy(p.send_at, "99:99", 6);
	assert_int_equal(prefs_set(f->st, "ann@contoso.com", &p, 1, &err),
			 DG_EINVAL);
	p = (struct prefs)PREFS_INIT;
	assert_int_equal(prefs_set(f->st, "", &p, 1, &err), DG_EINVAL);
}

static int collect(const char *address, const struct prefs *p, void *ctx)
{
	return strbuf_addf(ctx, "%s:%d;", address, (int)p->profile);
}

static void test_prefs__people_with_choices_are_listed(void **state)
{
	struct scratch *f = *state;
	struct prefs p = PREFS_INIT;
	struct strbuf got = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	p.profile = PREFS_PROFILE_HIDDEN;
	assert_int_equal(prefs_set(f->st, "bo@contoso.com", &p, 1, &err), 0);
	p.profile = PREFS_PROFILE_VISIBLE;
	assert_int_equal(prefs_set(f->st, "cy@contoso.com", &p, 1, &err), 0);
	p.profile = PREFS_PROFILE_ROSTER;
	assert_int_equal(prefs_set(f->st, "al@contoso.com", &p, 1, &err), 0);
	assert_int_equal(prefs_each(f->st, collect, &got, &err), 0);
	/* al made no choice at all: not listed */
	assert_string_equal(got.buf, "bo@contoso.com:2;cy@contoso.com:1;");
	strbuf_release(&got);
}

static void test_prefs__pause_lasts_until_its_date(void **state)
{
	struct prefs p = PREFS_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_null(prefs_skip_reason(&p, "2026-11-24", 2));
	assert_int_equal(prefs_parse_date(S("2026-11-25"), &p, &err), 0);
	assert_string_equal(prefs_skip_reason(&p, "2026-11-24", 2),
			    PREFS_SKIP_PAUSED);
	assert_null(prefs_skip_reason(&p, "2026-11-25", 3));
}

static void test_prefs__only_chosen_weekdays_get_a_digest(void **state)
{
	struct prefs p = PREFS_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(prefs_parse_days(S("mon,thu"), &p, &err), 0);
	assert_null(prefs_skip_reason(&p, "2026-11-23", 1));
	assert_string_equal(prefs_skip_reason(&p, "2026-11-24", 2),
			    PREFS_SKIP_DAY_NOT_CHOSEN);
}

static void test_prefs__own_choice_wins_over_the_roster(void **state)
{
	struct prefs p = PREFS_INIT;

	assert_false(prefs_profile_hidden(&p, false));
	assert_true(prefs_profile_hidden(&p, true));
	p.profile = PREFS_PROFILE_HIDDEN;
	assert_true(prefs_profile_hidden(&p, false));
	p.profile = PREFS_PROFILE_VISIBLE;
	assert_false(prefs_profile_hidden(&p, true));
}

static void test_prefs__chosen_days_replace_the_mailbox_working_days(
	void **state)
{
	struct prefs p = PREFS_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *nwd = PLAN_SKIP_NOT_WORKING_DAY, *sat = "2026-11-28";

	/* no choice: the plan's reason stands */
	assert_string_equal(prefs_decide(nwd, &p, sat, 6), nwd);
	assert_int_equal(prefs_parse_days(S("sat"), &p, &err), 0);
	assert_null(prefs_decide(nwd, &p, sat, 6));
	assert_string_equal(prefs_decide(NULL, &p, "2026-11-24", 2),
			    PREFS_SKIP_DAY_NOT_CHOSEN);
	/* opted out and out of office stand over any choice */
	assert_string_equal(prefs_decide(PLAN_SKIP_OPTED_OUT, &p, sat, 6),
			    PLAN_SKIP_OPTED_OUT);
	assert_string_equal(prefs_decide(PLAN_SKIP_OUT_OF_OFFICE, &p, sat, 6),
			    PLAN_SKIP_OUT_OF_OFFICE);
	assert_int_equal(prefs_parse_date(S("2026-12-01"), &p, &err), 0);
	assert_string_equal(prefs_decide(NULL, &p, "2026-11-28", 6),
			    PREFS_SKIP_PAUSED);
}

static void test_prefs__choices_read_as_one_line(void **state)
{
	struct prefs p = PREFS_INIT;
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(prefs_describe(&p, &out), 0);
	assert_string_equal(out.buf, "");
	assert_int_equal(prefs_parse_date(S("2026-12-01"), &p, &err), 0);
	assert_int_equal(prefs_parse_days(S("tue,mon"), &p, &err), 0);
	assert_int_equal(prefs_parse_send_at(S("06:30"), &p, &err), 0);
	assert_int_equal(prefs_parse_locale(S("de-CH"), &p, &err), 0);
	p.profile = PREFS_PROFILE_HIDDEN;
	assert_int_equal(prefs_describe(&p, &out), 0);
	assert_string_equal(out.buf, "paused until 2026-12-01; days mon,tue; "
				     "sends at 06:30; language de-CH; "
				     "profile hidden");
	strbuf_release(&out);
}

static void same_prefs(const struct prefs *a, const struct prefs *b)
{
	assert_string_equal(a->pause_until, b->pause_until);
	assert_int_equal(a->days, b->days);
	assert_string_equal(a->send_at, b->send_at);
	assert_string_equal(a->locale, b->locale);
	assert_int_equal(a->profile, b->profile);
}

/*
 * The reads of a run keep their statement from person to person: each
 * answer is prefs_get()'s, a choice stored between two reads included;
 * an empty address is refused as prefs_get() refuses it, and the kept
 * statement still answers after.
 */
static void test_prefs__reads_kept_answer_as_fresh_ones(void **state)
{
	static const char *const who[] = {"ann@contoso.com", "BOB@contoso.com",
					  "cy@contoso.com", "ANN@CONTOSO.COM"};
	struct scratch *f = *state;
	struct prefs p = PREFS_INIT, kept, fresh;
	struct prefs_reads *r = NULL;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(prefs_reads_open(f->st, &r, &err), 0);
	assert_int_equal(prefs_parse_days(S("mon,tue"), &p, &err), 0);
	assert_int_equal(prefs_parse_locale(S("de-CH"), &p, &err), 0);
	assert_int_equal(prefs_set(f->st, "ann@contoso.com", &p, 1, &err), 0);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < 4; i++) {
			assert_int_equal(
				prefs_reads_get(r, who[i], &kept, &err), 0);
			assert_int_equal(
				prefs_get(f->st, who[i], &fresh, &err), 0);
			same_prefs(&kept, &fresh);
		}
		/* Bob chooses between two rounds of reads */
		p = (struct prefs)PREFS_INIT;
		p.profile = PREFS_PROFILE_HIDDEN;
		assert_int_equal(
			prefs_set(f->st, "bob@contoso.com", &p, 2, &err), 0);
	}
	assert_int_equal(prefs_reads_get(r, "bob@contoso.com", &kept, &err),
			 0);
	assert_int_equal(kept.profile, PREFS_PROFILE_HIDDEN);
	assert_int_equal(prefs_reads_get(r, "ann@contoso.com", &kept, &err),
			 0);
	assert_string_equal(kept.locale, "de-CH");
	assert_int_equal(kept.days, (1u << 1) | (1u << 2));
	assert_int_equal(prefs_reads_get(r, "", &kept, &err), DG_EINVAL);
	assert_non_null(strstr(err.msg, "preferences need an address"));
	assert_true(prefs_is_empty(&kept));
	assert_int_equal(prefs_reads_get(r, "cy@contoso.com", &kept, &err), 0);
	assert_true(prefs_is_empty(&kept));
	prefs_reads_close(r);
	prefs_reads_close(NULL);
}

/* Reads opened and closed unused hold nothing. */
static void test_prefs__reads_closed_unused_hold_nothing(void **state)
{
	struct scratch *f = *state;
	struct prefs_reads *r = NULL;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(prefs_reads_open(f->st, &r, &err), 0);
	assert_non_null(r);
	prefs_reads_close(r);
}

#define T(name) cmocka_unit_test(name)
#define TS(name)                                                               \
	cmocka_unit_test_setup_teardown(name, scratch_setup_store,             \
					scratch_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_prefs__days_parse_from_short_or_long_names),
		T(test_prefs__bad_values_are_refused_and_change_nothing),
		T(test_prefs__good_values_parse),
		TS(test_prefs__choices_round_trip_in_any_case),
		TS(test_prefs__set_refuses_values_that_would_not_parse),
		TS(test_prefs__people_with_choices_are_listed),
		TS(test_prefs__reads_kept_answer_as_fresh_ones),
		TS(test_prefs__reads_closed_unused_hold_nothing),
		T(test_prefs__pause_lasts_until_its_date),
		T(test_prefs__only_chosen_weekdays_get_a_digest),
		T(test_prefs__own_choice_wins_over_the_roster),
		T(test_prefs__chosen_days_replace_the_mailbox_working_days),
		T(test_prefs__choices_read_as_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
