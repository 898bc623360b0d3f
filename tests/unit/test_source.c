/*
 * source over fixtures: the demo tenant read whole, and broken recordings
 * (in temporary folders) refused with the file and the user named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calendar.h"
#include "err.h"
#include "fixtures.h"
#include "scratch.h"
#include "source.h"
#include "strbuf.h"

#define ZOE_ID "5a1c3e7d-2b94-4f6a-8c0e-91d7b3a2f4e1"
#define EV(id) "{\"id\":\"" id "\",\"start\":{\"dateTime\":" \
	"\"2026-11-24T17:00:00.0000000\",\"timeZone\":\"UTC\"},\"end\":" \
	"{\"dateTime\":\"2026-11-24T18:00:00.0000000\",\"timeZone\":\"UTC\"}}"
#define ONE_USER "{\"value\":[{\"id\":\"u1\",\"mail\":\"a@contoso.com\"}]}"
#define LINK(rest) "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/" \
	rest "\""

/* ---- helpers -------------------------------------------------------- */

static char demo[4096];

static const char *demo_dir(void)
{
	const char *src = getenv("DIGEST_SRC");

	if (!src)
		skip();
	snprintf(demo, sizeof(demo), "%s/fixtures/demo", src);
	return demo;
}

/* Write text to <tmp>/rel, making the folders on the way. */
static void put(const struct scratch *tmp, const char *rel, const char *text)
{
	scratch_write(tmp, rel, text);
}

/* A message to compare with, formatted in a static buffer. */
__attribute__((format(printf, 1, 2)))
static const char *in(const char *fmt, ...)
{
	static char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

static struct source *open_source(const char *dir)
{
	struct dg_err err = DG_ERR_INIT;
	struct source *s = NULL;

	if (source_open_fixtures(dir, &s, &err))
		fail_msg("%s", err.msg);
	return s;
}

static const struct cal_user *find_user(const struct cal_user_list *l,
					const char *mail)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].mail && !strcmp(l->v[i].mail, mail))
			return &l->v[i];
	fail_msg("no user %s", mail);
	return NULL;
}

/* ---- the demo tenant ------------------------------------------------ */

static void test_source__demo_users_span_two_pages_without_mailless(
	void **state)
{
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s = open_source(demo_dir());
	size_t i;

	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(users.n, 10);
	for (i = 0; i < users.n; i++)
		assert_non_null(users.v[i].mail);
	assert_string_equal(users.v[0].display_name, "Zoë Martin");
	assert_string_equal(users.v[8].mail, "hannah.schmidt@contoso.com");
	assert_string_equal(users.v[9].mail, "rainier@contoso.com");
	cal_user_list_release(&users);
	source_close(s);
}

static void test_fixtures__demo_users_include_the_one_without_mail(
	void **state)
{
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct fixtures *fx;

	assert_int_equal(fixtures_open(demo_dir(), &fx, &err), 0);
	assert_int_equal(fixtures_users(fx, &users, &err), 0);
	assert_int_equal(users.n, 11);
	assert_null(users.v[10].mail);
	assert_string_equal(users.v[10].user_principal_name,
			    "svc-calsync@contoso.onmicrosoft.com");
	cal_user_list_release(&users);
	fixtures_close(fx);
}

static void test_source__big_calendar_is_read_across_four_pages(void **state)
{
	struct cal_event_list evs = CAL_EVENT_LIST_INIT;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s = open_source(demo_dir());
	size_t i, j;

	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(source_events(s, find_user(&users,
						    "zoe.martin@contoso.com"),
				       "2026-11-23T00:00:00Z",
				       "2026-11-26T00:00:00Z", &evs, &err), 0);
	assert_int_equal(evs.n, 31);
	for (i = 0; i < evs.n; i++)
		for (j = i + 1; j < evs.n; j++)
			assert_string_not_equal(evs.v[i].id, evs.v[j].id);
	assert_string_equal(evs.v[30].subject, "Sprint demo");
	cal_event_list_release(&evs);
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__recording_ignores_the_window_asked(void **state)
{
	struct cal_event_list evs = CAL_EVENT_LIST_INIT;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s = open_source(demo_dir());

	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(source_events(s, find_user(&users,
						    "zoe.martin@contoso.com"),
				       "2030-01-01T00:00:00Z",
				       "2030-01-01T00:00:01Z", &evs, &err), 0);
	assert_int_equal(evs.n, 31);
	cal_event_list_release(&evs);
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__demo_covers_out_of_office_and_day_off(void **state)
{
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct cal_mailbox bikash = { 0 }, dana = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s = open_source(demo_dir());

	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(source_mailbox(s, find_user(&users,
			"bikash.shrestha@contoso.com"), &bikash, &err), 0);
	assert_string_equal(bikash.time_zone, "Nepal Standard Time");
	assert_int_equal(bikash.autoreply, CAL_AUTOREPLY_SCHEDULED);
	assert_string_equal(bikash.autoreply_start.date_time,
			    "2026-11-23T12:00:00.0000000");
	assert_int_equal(source_mailbox(s, find_user(&users,
			"dana.whitfield@contoso.com"), &dana, &err), 0);
	assert_true(dana.has_working_days);
	assert_int_equal(dana.working_days & CAL_TUESDAY, 0);
	assert_int_equal(dana.working_days & CAL_MONDAY, 0);
	assert_int_equal(dana.working_days & CAL_FRIDAY, CAL_FRIDAY);
	cal_mailbox_release(&bikash);
	cal_mailbox_release(&dana);
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__group_lookup_ignores_case_and_lists_members(
	void **state)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s = open_source(demo_dir());

	assert_int_equal(source_group(s, "APAC-Team@Contoso.com", &g, &err),
			 0);
	assert_string_equal(g.display_name, "APAC Team");
	assert_string_equal(g.mail, "apac-team@contoso.com");
	assert_int_equal(g.nmembers, 4);
	assert_string_equal(g.members[0].address, "yui.nakamura@contoso.com");
	assert_string_equal(g.members[0].name, "中村 結衣");
	assert_string_equal(g.members[3].address,
			    "bikash.shrestha@contoso.com");
	cal_group_release(&g);
	source_close(s);
}

static void test_source__nested_group_is_flattened_to_people(void **state)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s = open_source(demo_dir());
	size_t i;

	assert_int_equal(source_group(s, "platform-team@contoso.com", &g,
				      &err), 0);
	assert_int_equal(g.nmembers, 6);
	for (i = 0; i < g.nmembers; i++)
		assert_string_not_equal(g.members[i].address,
					"platform-leads@contoso.com");
	assert_string_equal(g.members[5].address, "pat.kim@fabrikam.com");
	cal_group_release(&g);
	source_close(s);
}

static void test_source__a_user_address_is_not_a_group(void **state)
{
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s = open_source(demo_dir());

	assert_int_equal(source_group(s, "zoe.martin@contoso.com", &g, &err),
			 DG_ENOTFOUND);
	assert_string_equal(err.msg, in("zoe.martin@contoso.com "
					"is not a group in %s/%s",
					demo_dir(), "groups.json"));
	assert_null(g.id);
	/* Asked again, the recording says the same. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(source_group(s, "ZOE.MARTIN@contoso.com", &g, &err),
			 DG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "is not a group in"));
	source_close(s);
}

/* ---- broken recordings ---------------------------------------------- */

static void test_source__group_without_members_file_is_an_io_error(
	void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", ONE_USER);
	put(tmp, "groups.json", "{\"value\":[{\"id\":\"g1\",\"mail\":"
	    "\"sales@contoso.com\"}]}");
	s = open_source(dir);
	assert_int_equal(source_group(s, "sales@contoso.com", &g, &err),
			 DG_EIO);
	assert_string_equal(err.msg, in("group sales@contoso.com: %s/%s "
					"is missing",
					dir,
					"groups/g1/transitiveMembers.json"));
	assert_null(g.id);
	source_close(s);
}

static void test_source__recording_without_groups_has_no_groups(
	void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_group g = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", ONE_USER);
	s = open_source(dir);
	assert_int_equal(source_group(s, "sales@contoso.com", &g, &err),
			 DG_ENOTFOUND);
	assert_string_equal(err.msg, in("sales@contoso.com is not a "
					"group (the recording %s has no "
					"groups.json)%s",
					dir, ""));
	source_close(s);
}

static void test_source__missing_mailbox_names_the_file(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", ONE_USER);
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(source_mailbox(s, &users.v[0], &mb, &err),
			 DG_ENOTFOUND);
	assert_string_equal(err.msg, in("user a@contoso.com has no "
					"mailbox (%s/%s missing)",
					dir, "users/u1/mailboxSettings.json"));
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__broken_mailbox_names_user_and_file(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", ONE_USER);
	put(tmp, "users/u1/mailboxSettings.json", "{\"timeZone\":5}");
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(source_mailbox(s, &users.v[0], &mb, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, in("user a@contoso.com: %s/%s: "
					"field 'timeZone' must be a string, "
					"not a number",
					dir, "users/u1/mailboxSettings.json"));
	assert_null(mb.time_zone);
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__missing_calendar_is_not_found(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_event_list evs = CAL_EVENT_LIST_INIT;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", ONE_USER);
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(source_events(s, &users.v[0], "a", "b", &evs, &err),
			 DG_ENOTFOUND);
	assert_string_equal(err.msg, in("user a@contoso.com has no "
					"calendar (%s/%s missing)",
					dir, "users/u1/calendarView.json"));
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__broken_page_two_names_file_and_user(
	void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_event_list evs = CAL_EVENT_LIST_INIT;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", ONE_USER);
	put(tmp, "users/u1/calendarView.json", "{" LINK("users/u1/calendarView"
	    "?startDateTime=2026-11-23T00%3A00%3A00Z&$top=1&$skip=1") ","
	    "\"value\":[" EV("e1") "]}");
	put(tmp, "users/u1/calendarView.skip-1.json", "{\"value\":["
	    "{\"id\":\"e2\"}],\"@odata.nextLink\":7}");
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(source_events(s, &users.v[0], "a", "b", &evs, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, in("user a@contoso.com: %s/%s: "
					"field '@odata.nextLink' must be a "
					"string, not a number",
					dir,
					"users/u1/calendarView.skip-1.json"));
	assert_int_equal(evs.n, 0);
	cal_event_list_release(&evs);
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__next_link_with_dotdot_is_refused(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", "{" LINK("users/../../../etc/passwd?$skip=1")
	    ",\"value\":[{\"id\":\"u1\",\"mail\":\"a@contoso.com\"}]}");
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), DG_EINVAL);
	assert_string_equal(err.msg, in("%s/%s: the nextLink points "
					"outside the recording (an empty, '.' "
					"or '..' path segment, a backslash or "
					"a control character)",
					dir, "users.json"));
	assert_int_equal(users.n, 0);
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__encoded_dotdot_is_refused(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", "{" LINK("users/%2e%2E/%2E%2e/x?$skip=1")
	    ",\"value\":[]}");
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), DG_EINVAL);
	assert_non_null(strstr(err.msg, "points outside the recording"));
	source_close(s);
}

static void test_source__next_link_to_a_missing_page_is_an_io_error(
	void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", "{" LINK("users?$top=1&$skiptoken=T2")
	    ",\"value\":[{\"id\":\"u1\",\"mail\":\"a@contoso.com\"}]}");
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), DG_EIO);
	assert_string_equal(err.msg, in("%s/%s: no such file, yet a "
					"nextLink points at it",
					dir, "users.skiptoken-T2.json"));
	assert_int_equal(users.n, 0);
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__next_link_loop_is_refused(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", "{" LINK("users?$skiptoken=A") ",\"value\":"
	    "[{\"id\":\"u1\",\"mail\":\"a@contoso.com\"}]}");
	put(tmp, "users.skiptoken-A.json", "{" LINK("users?$skiptoken=A")
	    ",\"value\":[{\"id\":\"u2\",\"mail\":\"b@contoso.com\"}]}");
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), DG_EIO);
	assert_string_equal(err.msg, in("%s/%s: its nextLink leads back "
					"to users.skiptoken-A.json, a loop",
					dir, "users.skiptoken-A.json"));
	assert_int_equal(users.n, 0);
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__invalid_json_names_the_file(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", "{\"value\":[\n{\"id\":\"u1\"");
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), DG_EPARSE);
	assert_string_equal(err.msg, in("%s/%s: invalid JSON: the text "
					"ends early, after 21 bytes",
					dir, "users.json"));
	source_close(s);
}

static void test_source__user_id_that_would_leave_the_folder_is_refused(
	void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", "{\"value\":[{\"id\":\"..\",\"mail\":"
	    "\"a@contoso.com\"}]}");
	s = open_source(dir);
	assert_int_equal(source_users(s, &users, &err), 0);
	assert_int_equal(source_mailbox(s, &users.v[0], &mb, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "user a@contoso.com: the id cannot name "
			    "a folder of the recording");
	cal_user_list_release(&users);
	source_close(s);
}

static void test_source__events_need_a_window(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct cal_event_list evs = CAL_EVENT_LIST_INIT;
	struct cal_user u = { .id = (char *)"u1",
			      .mail = (char *)"a@contoso.com" };
	struct dg_err err = DG_ERR_INIT;
	struct source *s;

	put(tmp, "users.json", ONE_USER);
	s = open_source(dir);
	assert_int_equal(source_events(s, &u, NULL, "b", &evs, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "events of a@contoso.com asked without a "
			    "time window");
	source_close(s);
}

static void test_source__open_of_a_missing_folder_is_not_found(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	struct source *s = (struct source *)&err;

	assert_int_equal(source_open_fixtures("/nonexistent/recording", &s,
					      &err), DG_ENOTFOUND);
	assert_null(s);
	assert_string_equal(err.msg, "fixtures folder /nonexistent/recording: "
			    "No such file or directory");
}

static void test_source__folder_without_users_is_no_recording(void **state)
{
	const struct scratch *tmp = *state;
	const char *dir = tmp->dir.buf;
	struct dg_err err = DG_ERR_INIT;
	struct source *s;
	char want[4096];

	snprintf(want, sizeof(want), "fixtures folder %s is not a Graph "
		 "recording: %s/users.json is missing", dir, dir);
	assert_int_equal(source_open_fixtures(dir, &s, &err), DG_ENOTFOUND);
	assert_string_equal(err.msg, want);
}

/* ---- nextLink to file name ------------------------------------------ */

static void page_path_is(const char *link, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (fixtures_page_path(link, &sb, &err))
		fail_msg("%s: %s", link, err.msg);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void page_path_fails(const char *link, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(fixtures_page_path(link, &sb, &err), DG_EINVAL);
	assert_string_equal(err.msg, want);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

static void test_fixtures__page_path_follows_skip_and_skiptoken(void **state)
{
	page_path_is("https://graph.microsoft.com/v1.0/users/" ZOE_ID
		     "/calendarView?startDateTime=2026-11-23T00%3A00%3A00Z&"
		     "endDateTime=2026-11-26T00%3A00%3A00Z&$top=10&$skip=10",
		     "users/" ZOE_ID "/calendarView.skip-10.json");
	page_path_is("https://graph.microsoft.com/v1.0/users?$select=id&"
		     "$skiptoken=RFNwdAIAAQ",
		     "users.skiptoken-RFNwdAIAAQ.json");
	page_path_is("https://graph.microsoft.com/v1.0/users/a%40b.com/"
		     "calendarView?%24top=5&%24skip=5#frag",
		     "users/a@b.com/calendarView.skip-5.json");
	page_path_is("http://127.0.0.1:8080/v1.0/groups/g1/transitiveMembers"
		     "?$skiptoken=X%3D", "groups/g1/transitiveMembers."
		     "skiptoken-X=.json");
}

static void test_fixtures__page_path_refuses_what_names_no_page(void **state)
{
	page_path_fails("https://graph.microsoft.com/v1.0/users?$top=10",
			"the nextLink has neither $skip nor $skiptoken");
	page_path_fails("https://graph.microsoft.com/beta/users?$skip=1",
			"the nextLink does not point into Graph v1.0 (a path "
			"starting /v1.0/)");
	page_path_fails("/v1.0/users?$skip=1",
			"the nextLink is not an absolute URL");
	page_path_fails("https://graph.microsoft.com/v1.0/users?"
			"$skiptoken=a%2Fb", "the nextLink's $skiptoken cannot "
			"name a file");
	page_path_fails("https://graph.microsoft.com/v1.0/users?$skip=1x",
			"the nextLink's $skip is not a number and cannot name "
			"a file");
	page_path_fails("https://graph.microsoft.com/v1.0/us%zzers?$skip=1",
			"the nextLink has a broken %-escape");
	page_path_fails("https://graph.microsoft.com/v1.0/users%00?$skip=1",
			"the nextLink encodes a NUL byte");
	page_path_fails("https://graph.microsoft.com/v1.0//etc?$skip=1",
			"the nextLink points outside the recording (an empty, "
			"'.' or '..' path segment, a backslash or a control "
			"character)");
	page_path_fails("https://graph.microsoft.com/v1.0/users%5C..?$skip=1",
			"the nextLink points outside the recording (an empty, "
			"'.' or '..' path segment, a backslash or a control "
			"character)");
}

int main(void)
{
#define T(name) cmocka_unit_test(name)
/* A temporary recording per test: *state is a struct scratch. */
#define D(name) cmocka_unit_test_setup_teardown(name, scratch_setup, \
						       scratch_teardown)
	const struct CMUnitTest tests[] = {
		T(test_source__demo_users_span_two_pages_without_mailless),
		T(test_fixtures__demo_users_include_the_one_without_mail),
		T(test_source__big_calendar_is_read_across_four_pages),
		T(test_source__recording_ignores_the_window_asked),
		T(test_source__demo_covers_out_of_office_and_day_off),
		T(test_source__group_lookup_ignores_case_and_lists_members),
		T(test_source__nested_group_is_flattened_to_people),
		T(test_source__a_user_address_is_not_a_group),
		D(test_source__group_without_members_file_is_an_io_error),
		D(test_source__recording_without_groups_has_no_groups),
		D(test_source__missing_mailbox_names_the_file),
		D(test_source__broken_mailbox_names_user_and_file),
		D(test_source__missing_calendar_is_not_found),
		D(test_source__broken_page_two_names_file_and_user),
		D(test_source__next_link_with_dotdot_is_refused),
		D(test_source__encoded_dotdot_is_refused),
		D(test_source__next_link_to_a_missing_page_is_an_io_error),
		D(test_source__next_link_loop_is_refused),
		D(test_source__invalid_json_names_the_file),
		D(test_source__user_id_that_would_leave_the_folder_is_refused),
		D(test_source__events_need_a_window),
		T(test_source__open_of_a_missing_folder_is_not_found),
		D(test_source__folder_without_users_is_no_recording),
		T(test_fixtures__page_path_follows_skip_and_skiptoken),
		T(test_fixtures__page_path_refuses_what_names_no_page),
	};
#undef T
#undef D

	return cmocka_run_group_tests(tests, NULL, NULL);
}
