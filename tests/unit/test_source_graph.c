/*
 * source over Microsoft Graph, against a stub tenant: users from the
 * store, mailboxes and events fetched ahead in batches and answered from
 * memory, every page followed, failures kept per user and named, groups
 * looked up by mail with their members.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>

#include "config.h"
#include "err.h"
#include "logging.h"
#include "scratch.h"
#include "source.h"
#include "store.h"
#include "strbuf.h"
#include "users.h"
#include "users_sync.h"
#include "stub_http.h"
#include "stub_tenant.h"

#define START "2026-11-23T00:00:00Z"
#define END "2026-11-26T00:00:00Z"

struct fx {
	struct scratch sc;
	struct store *st; /* sc.st, borrowed */
	struct tenant tenant;
	struct config cfg;
	char login[64];
	struct source *src;
	struct cal_user_list users;
	char logged[2048];
};

static void capture(enum logging_level level, const char *msg, void *ctx)
{
	struct fx *f = ctx;
	size_t used = strlen(f->logged);

	snprintf(f->logged + used, sizeof(f->logged) - used, "%s\n", msg);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct dg_err err = DG_ERR_INIT;
	size_t n;

	if (!f)
		return -1;
	if (scratch_make_store(&f->sc)) {
		free(f);
		return -1;
	}
	f->st = f->sc.st;
	tenant_start(&f->tenant, &f->cfg, f->login, sizeof(f->login));
	if (users_sync(&f->cfg, f->st, 1000, NULL, NULL, &n, &err))
		return -1;
	memset(&f->tenant.gets, 0, sizeof(f->tenant.gets));
	f->tenant.tokens = 0;
	logging_set_routine(capture, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int rc;

	logging_set_routine(NULL, NULL);
	cal_user_list_release(&f->users);
	source_close(f->src);
	stub_stop(&f->tenant.http);
	rc = scratch_remove(&f->sc);
	free(f);
	return rc;
}

/* Open the source and list its users. */
static void open_src(struct fx *f)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		source_open_graph(&f->cfg, f->st, 4, NULL, NULL, &f->src, &err),
		0);
	assert_int_equal(source_users(f->src, &f->users, &err), 0);
	assert_int_equal(f->users.n, TENANT_USERS);
}

static const struct cal_user *user(struct fx *f, int i)
{
	char mail[64];

	snprintf(mail, sizeof(mail), "user%d@contoso.com", i);
	for (size_t k = 0; k < f->users.n; k++)
		if (!strcmp(f->users.v[k].mail, mail))
			return &f->users.v[k];
	fail();
	return NULL;
}

static void test_source_graph__users_come_from_the_store(void **state)
{
	struct fx *f = *state;

	open_src(f);
	assert_string_equal(user(f, 4)->id, "id-4");
	assert_int_equal(f->tenant.gets, 0);
}

static void test_source_graph__no_synced_users_says_what_to_run(void **state)
{
	struct fx *f = *state;
	struct cal_user_list none = CAL_USER_LIST_INIT;
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n;

	assert_int_equal(users_replace(f->st, &none, 1, &n, &err), 0);
	assert_int_equal(
		source_open_graph(&f->cfg, f->st, 4, NULL, NULL, &f->src, &err),
		0);
	assert_int_equal(source_users(f->src, &out, &err), DG_ENOTFOUND);
	assert_string_equal(err.msg, "no users: run 'digest users sync' "
				     "first");
}

static void test_source_graph__mailboxes_batched_then_from_memory(void **state)
{
	struct fx *f = *state;
	const struct cal_user *v[5];
	struct dg_err err = DG_ERR_INIT;
	int i, gets;

	open_src(f);
	for (i = 0; i < 5; i++)
		v[i] = user(f, i);
	assert_int_equal(source_prefetch_mailboxes(f->src, v, 5, &err), 0);
	assert_int_equal(f->tenant.batches, 1);
	gets = f->tenant.gets;
	assert_int_equal(gets, 5);
	for (i = 0; i < 5; i++) {
		struct cal_mailbox mb = {0};

		if (i == 3)
			continue;
		assert_int_equal(source_mailbox(f->src, v[i], &mb, &err), 0);
		assert_string_equal(mb.time_zone, "UTC");
		cal_mailbox_release(&mb);
	}
	assert_int_equal(f->tenant.gets, gets);
}

static void
test_source_graph__user_without_mailbox_fails_alone_named(void **state)
{
	struct fx *f = *state;
	const struct cal_user *v[2];
	struct cal_mailbox mb = {0};
	struct dg_err err = DG_ERR_INIT;

	open_src(f);
	v[0] = user(f, 3);
	v[1] = user(f, 4);
	assert_int_equal(source_prefetch_mailboxes(f->src, v, 2, &err), 0);
	assert_int_equal(source_mailbox(f->src, v[0], &mb, &err), DG_ENOTFOUND);
	assert_string_equal(err.msg,
			    "user user3@contoso.com: GET "
			    "/users/id-3/mailboxSettings: HTTP 404 "
			    "MailboxNotEnabledForRESTAPI: The mailbox is "
			    "either inactive, soft-deleted, or is hosted "
			    "on-premise.");
	assert_int_equal(source_mailbox(f->src, v[1], &mb, &err), 0);
	cal_mailbox_release(&mb);
}

static void test_source_graph__events_follow_every_page_in_utc(void **state)
{
	struct fx *f = *state;
	struct source_window w[2];
	struct cal_event_list ev = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	int gets;

	open_src(f);
	w[0] = (struct source_window){user(f, 1), START, END};
	w[1] = (struct source_window){user(f, 2), START, END};
	assert_int_equal(source_prefetch_events(f->src, w, 2, &err), 0);
	/* The first pages in one batch, the second pages in another. */
	assert_int_equal(f->tenant.batches, 2);
	assert_string_equal(f->tenant.view_prefer, "outlook.timezone=\"UTC\"");
	gets = f->tenant.gets;
	assert_int_equal(
		source_events(f->src, w[1].user, START, END, &ev, &err), 0);
	assert_int_equal(ev.n, 7);
	assert_string_equal(ev.v[6].id, "ev-6");
	assert_int_equal(f->tenant.gets, gets);
	cal_event_list_release(&ev);
}

static void
test_source_graph__events_not_fetched_ahead_come_when_asked(void **state)
{
	struct fx *f = *state;
	struct cal_event_list ev = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;

	open_src(f);
	assert_int_equal(
		source_events(f->src, user(f, 5), START, END, &ev, &err), 0);
	assert_int_equal(ev.n, 7);
	assert_int_equal(f->tenant.gets, 2);
	cal_event_list_release(&ev);
}

static void
test_source_graph__events_ask_for_the_window_and_fields_read(void **state)
{
	struct fx *f = *state;
	struct cal_event_list ev = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;

	open_src(f);
	assert_int_equal(
		source_events(f->src, user(f, 1), START, END, &ev, &err), 0);
	assert_string_equal(f->tenant.view_query,
			    "startDateTime=2026-11-23T00%3A00%3A00Z&"
			    "endDateTime=2026-11-26T00%3A00%3A00Z&$top=100&"
			    "$select=id,subject,sensitivity,isAllDay,"
			    "isCancelled,responseStatus,showAs,type,start,end,"
			    "location,onlineMeeting,organizer,attendees");
	cal_event_list_release(&ev);
}

static void test_source_graph__failed_events_are_kept_and_named(void **state)
{
	struct fx *f = *state;
	struct source_window w = {NULL, START, END};
	struct cal_event_list ev = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	int gets;

	open_src(f);
	w.user = user(f, 3);
	assert_int_equal(source_prefetch_events(f->src, &w, 1, &err), 0);
	gets = f->tenant.gets;
	assert_int_equal(source_events(f->src, w.user, START, END, &ev, &err),
			 DG_ENOTFOUND);
	assert_string_equal(err.msg,
			    "user user3@contoso.com: GET "
			    "/users/id-3/calendarView: HTTP 404 "
			    "MailboxNotEnabledForRESTAPI: The mailbox is "
			    "either inactive, soft-deleted, or is hosted "
			    "on-premise.");
	assert_int_equal(ev.n, 0);
	assert_int_equal(f->tenant.gets, gets);
}

static void test_source_graph__broken_page_fails_that_user_named(void **state)
{
	struct fx *f = *state;
	struct source_window w[2];
	struct cal_event_list ev = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;

	f->tenant.broken = 1;
	open_src(f);
	w[0] = (struct source_window){user(f, 4), START, END};
	w[1] = (struct source_window){user(f, 2), START, END};
	assert_int_equal(source_prefetch_events(f->src, w, 2, &err), 0);
	assert_int_equal(
		source_events(f->src, w[0].user, START, END, &ev, &err),
		DG_EPARSE);
	assert_string_equal(err.msg,
			    "user user4@contoso.com: GET "
			    "/users/id-4/calendarView: field 'value' must be "
			    "an array, not an object");
	assert_int_equal(ev.n, 0);
	assert_int_equal(
		source_events(f->src, w[1].user, START, END, &ev, &err), 0);
	assert_int_equal(ev.n, 7);
	cal_event_list_release(&ev);
}

static void
test_source_graph__broken_mailbox_names_user_and_request(void **state)
{
	struct fx *f = *state;
	struct cal_mailbox mb = {0};
	struct dg_err err = DG_ERR_INIT;

	f->tenant.broken = 1;
	open_src(f);
	assert_int_equal(source_mailbox(f->src, user(f, 5), &mb, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg,
			    "user user5@contoso.com: GET "
			    "/users/id-5/mailboxSettings: field 'timeZone' "
			    "must be a string, not a number");
}

static void
test_source_graph__group_is_found_by_mail_with_its_members(void **state)
{
	struct fx *f = *state;
	struct cal_group g = {0};
	struct dg_err err = DG_ERR_INIT;

	open_src(f);
	assert_int_equal(source_group(f->src, "Sales@Contoso.com", &g, &err),
			 0);
	assert_string_equal(f->tenant.filter, "mail eq 'Sales@Contoso.com'");
	assert_string_equal(g.id, "g-sales");
	assert_int_equal(g.nmembers, 3);
	assert_string_equal(g.members[0].address, "user1@contoso.com");
	assert_string_equal(g.members[1].address, "pat@fabrikam.com");
	assert_string_equal(g.members[2].address, "user2@contoso.com");
	cal_group_release(&g);
}

static void test_source_graph__address_with_a_quote_is_no_group(void **state)
{
	struct fx *f = *state;
	struct cal_group g = {0};
	struct dg_err err = DG_ERR_INIT;

	open_src(f);
	assert_int_equal(source_group(f->src, "o'brien@fabrikam.com", &g, &err),
			 DG_ENOTFOUND);
	assert_string_equal(f->tenant.filter,
			    "mail eq 'o''brien@fabrikam.com'");
	assert_string_equal(err.msg, "o'brien@fabrikam.com is no group");
}

static void test_source_graph__refused_group_lookups_warn_once(void **state)
{
	struct fx *f = *state;
	struct cal_group g = {0};
	struct dg_err err = DG_ERR_INIT;

	f->tenant.groups_refused = 1;
	open_src(f);
	assert_int_equal(source_group(f->src, "a@fabrikam.com", &g, &err),
			 DG_ENOTFOUND);
	assert_int_equal(source_group(f->src, "b@fabrikam.com", &g, &err),
			 DG_ENOTFOUND);
	assert_int_equal(f->tenant.group_queries, 1);
	assert_string_equal(
		f->logged, "lists among attendees are not expanded: GET "
			   "/groups: HTTP 403 Authorization_RequestDenied: "
			   "Insufficient privileges to complete the "
			   "operation. (the app needs GroupMember.Read.All)\n");
}

static void test_source_graph__refused_sign_in_stops_the_prefetch(void **state)
{
	struct fx *f = *state;
	const struct cal_user *v[1];
	struct dg_err err = DG_ERR_INIT;
	char want[256];

	open_src(f);
	setenv("TEST_TENANT_SECRET", "wrong", 1);
	v[0] = user(f, 1);
	/* The secret is read when the source opens: open it again. */
	source_close(f->src);
	f->src = NULL;
	assert_int_equal(
		source_open_graph(&f->cfg, f->st, 4, NULL, NULL, &f->src, &err),
		0);
	assert_int_equal(source_prefetch_mailboxes(f->src, v, 1, &err),
			 DG_EPERM);
	snprintf(want, sizeof(want),
		 "app sign-in at %s failed: HTTP 401 "
		 "invalid_client: AADSTS7000215: Invalid client secret "
		 "provided.",
		 f->login);
	assert_string_equal(err.msg, want);
	assert_int_equal(f->tenant.gets, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_source_graph__users_come_from_the_store),
		T(test_source_graph__no_synced_users_says_what_to_run),
		T(test_source_graph__mailboxes_batched_then_from_memory),
		T(test_source_graph__user_without_mailbox_fails_alone_named),
		T(test_source_graph__events_follow_every_page_in_utc),
		T(test_source_graph__events_not_fetched_ahead_come_when_asked),
		T(test_source_graph__events_ask_for_the_window_and_fields_read),
		T(test_source_graph__failed_events_are_kept_and_named),
		T(test_source_graph__broken_page_fails_that_user_named),
		T(test_source_graph__broken_mailbox_names_user_and_request),
		T(test_source_graph__group_is_found_by_mail_with_its_members),
		T(test_source_graph__address_with_a_quote_is_no_group),
		T(test_source_graph__refused_group_lookups_warn_once),
		T(test_source_graph__refused_sign_in_stops_the_prefetch),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
