/*
 * users: table users replaced as a whole and read back, and `users sync`
 * against a stub tenant: every page, users without mail left out, a
 * group's user members only, refusals named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "config.h"
#include "err.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"
#include "users.h"
#include "users_sync.h"
#include "stub_http.h"
#include "stub_tenant.h"

struct fx {
	struct scratch sc;
	struct store *st; /* sc.st, borrowed */
	struct tenant tenant;
	struct config cfg;
	char login[64];
	int progress_calls;
	size_t progress_done;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (scratch_make_store(&f->sc)) {
		free(f);
		return -1;
	}
	f->st = f->sc.st;
	tenant_start(&f->tenant, &f->cfg, f->login, sizeof(f->login));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int rc;

	stub_stop(&f->tenant.http);
	rc = scratch_remove(&f->sc);
	free(f);
	return rc;
}

static void progress(const struct source_progress *p, void *ctx)
{
	struct fx *f = ctx;

	assert_string_equal(p->stage, "users");
	f->progress_calls++;
	f->progress_done = p->done;
}

static char *proxies_a[] = {(char *)"SMTP:a@b.c", (char *)"smtp:al@b.c"};

static void test_users__replace_then_load_gives_the_users_back(void **state)
{
	struct fx *f = *state;
	struct cal_user v[3] = {
		{.id = (char *)"1",
		 .mail = (char *)"b@b.c",
		 .display_name = (char *)"B"},
		{.id = (char *)"2", .mail = NULL},
		{.id = (char *)"3",
		 .mail = (char *)"a@b.c",
		 .user_principal_name = (char *)"a@b.onmicrosoft.com",
		 .proxy_addresses = proxies_a,
		 .nproxy = 2},
	};
	struct cal_user_list in = {.v = v, .n = 3};
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n;

	assert_int_equal(users_replace(f->st, &in, 1000, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(users_load(f->st, USERS_ALL, &out, &err), 0);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].mail, "a@b.c");
	assert_string_equal(out.v[0].user_principal_name,
			    "a@b.onmicrosoft.com");
	assert_int_equal(out.v[0].nproxy, 2);
	assert_string_equal(out.v[0].proxy_addresses[1], "smtp:al@b.c");
	assert_string_equal(out.v[1].display_name, "B");
	assert_int_equal(out.v[1].nproxy, 0);
	cal_user_list_release(&out);
}

static void test_users__a_loaded_user_is_one_block_sharing_repeats(
	void **state)
{
	struct fx *f = *state;
	static char *proxies[] = {(char *)"SMTP:ana@b.c", (char *)"smtp:an@b.c",
				  (char *)"SIP:ana@b.c"};
	struct cal_user v = {.id = (char *)"7",
			     .mail = (char *)"ana@b.c",
			     .user_principal_name = (char *)"ana@b.c",
			     .display_name = (char *)"Ana Adams",
			     .given_name = (char *)"Ana",
			     .surname = (char *)"Adams",
			     .proxy_addresses = proxies,
			     .nproxy = 3};
	struct cal_user_list in = {.v = &v, .n = 1};
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	const struct cal_user *u;
	size_t n;

	assert_int_equal(users_replace(f->st, &in, 1000, &n, &err), 0);
	assert_int_equal(users_load(f->st, USERS_ALL, &out, &err), 0);
	assert_int_equal(out.n, 1);
	u = &out.v[0];
	assert_non_null(u->block);
	assert_ptr_equal(u->proxy_addresses, (void *)u->block);
	/* SIP: names no mailbox: left in the table */
	assert_int_equal(u->nproxy, 2);
	assert_string_equal(u->proxy_addresses[0], "SMTP:ana@b.c");
	assert_string_equal(u->proxy_addresses[1], "smtp:an@b.c");
	assert_string_equal(u->id, "7");
	assert_string_equal(u->given_name, "Ana");
	/* repeated bytes are shared, not copied */
	assert_ptr_equal(u->mail, u->proxy_addresses[0] + 5);
	assert_ptr_equal(u->user_principal_name, u->mail);
	assert_string_equal(u->display_name, "Ana Adams");
	assert_ptr_equal(u->surname, u->display_name + 4);
	cal_user_list_release(&out);
	assert_null(out.v);
}

/* The users array is made once, for the rows there are. */
static void test_users__load_sizes_the_list_from_the_row_count(void **state)
{
	struct fx *f = *state;
	struct cal_user v[50];
	char ids[50][8], mails[50][16];
	struct cal_user_list in = {.v = v, .n = 50};
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n;

	memset(v, 0, sizeof(v));
	for (int i = 0; i < 50; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%d", i);
		snprintf(mails[i], sizeof(mails[i]), "u%02d@b.c", i);
		v[i].id = ids[i];
		v[i].mail = mails[i];
	}
	assert_int_equal(users_replace(f->st, &in, 1000, &n, &err), 0);
	assert_int_equal(users_load(f->st, USERS_ALL, &out, &err), 0);
	assert_int_equal(out.n, 50);
	assert_int_equal(out.alloc, 50);
	assert_string_equal(out.v[49].mail, "u49@b.c");
	assert_null(out.v[49].display_name);
	assert_int_equal(out.v[49].nproxy, 0);
	assert_null(out.v[49].proxy_addresses);
	cal_user_list_release(&out);
}

static void test_users__replace_drops_the_users_not_given_again(void **state)
{
	struct fx *f = *state;
	struct cal_user a = {.id = (char *)"1", .mail = (char *)"a@b.c"};
	struct cal_user b = {.id = (char *)"2", .mail = (char *)"b@b.c"};
	struct cal_user_list first = {.v = &a, .n = 1};
	struct cal_user_list second = {.v = &b, .n = 1};
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n;

	assert_int_equal(users_replace(f->st, &first, 1000, &n, &err), 0);
	assert_int_equal(users_replace(f->st, &second, 2000, &n, &err), 0);
	assert_int_equal(users_load(f->st, USERS_ALL, &out, &err), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].id, "2");
	cal_user_list_release(&out);
}

static void test_users__connected_are_those_with_a_token(void **state)
{
	struct fx *f = *state;
	struct cal_user a = {.id = (char *)"1", .mail = (char *)"a@b.c"};
	struct cal_user b = {.id = (char *)"2", .mail = (char *)"b@b.c"};
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;

	assert_int_equal(auth_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBka"
					"GxwdHh8=",
					"key", &key, &err),
			 0);
	assert_int_equal(users_put(f->st, &a, 1000, &err), 0);
	assert_int_equal(users_put(f->st, &b, 1000, &err), 0);
	assert_int_equal(
		auth_store_token(f->st, &key, "b@b.c", "2", "rt", 1000, &err),
		0);
	assert_int_equal(users_load(f->st, USERS_CONNECTED, &out, &err), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].mail, "b@b.c");
	cal_user_list_release(&out);
}

static void
test_users__sync_reads_every_page_and_keeps_users_with_mail(void **state)
{
	struct fx *f = *state;
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;

	assert_int_equal(
		users_sync(&f->cfg, f->st, 1000, progress, f, &n, &err), 0);
	assert_int_equal(n, TENANT_USERS);
	assert_int_equal(f->tenant.gets, 3);
	assert_int_equal(f->tenant.tokens, 1);
	assert_int_equal(f->progress_calls, 3);
	assert_int_equal(f->progress_done, TENANT_USERS + 1);
	assert_int_equal(users_load(f->st, USERS_ALL, &out, &err), 0);
	assert_int_equal(out.n, TENANT_USERS);
	assert_string_equal(out.v[0].mail, "user0@contoso.com");
	assert_string_equal(out.v[0].proxy_addresses[1], "smtp:u0@contoso.com");
	cal_user_list_release(&out);
}

static void test_users__sync_stores_no_mail_that_is_no_address(void **state)
{
	struct fx *f = *state;
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;

	f->tenant.forged_mail = 1;
	assert_int_equal(users_sync(&f->cfg, f->st, 1000, NULL, NULL, &n, &err),
			 0);
	assert_int_equal(users_load(f->st, USERS_ALL, &out, &err), 0);
	for (size_t i = 0; i < out.n; i++)
		if (!strcmp(out.v[i].id, "id-room"))
			assert_null(out.v[i].mail);
		else
			assert_non_null(out.v[i].mail);
	cal_user_list_release(&out);
}

static void test_users__sync_of_a_group_keeps_its_user_members(void **state)
{
	struct fx *f = *state;
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;

	f->cfg.graph.group = (char *)"Sales";
	assert_int_equal(users_sync(&f->cfg, f->st, 1000, NULL, NULL, &n, &err),
			 0);
	assert_string_equal(f->tenant.filter, "displayName eq 'Sales'");
	assert_int_equal(n, 2);
	assert_int_equal(users_load(f->st, USERS_ALL, &out, &err), 0);
	assert_string_equal(out.v[0].id, "id-1");
	assert_string_equal(out.v[1].id, "id-2");
	cal_user_list_release(&out);
}

static void
test_users__sync_of_an_unknown_group_says_so_and_keeps_users(void **state)
{
	struct fx *f = *state;
	struct cal_user a = {.id = (char *)"1", .mail = (char *)"a@b.c"};
	struct cal_user_list out = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;

	assert_int_equal(users_put(f->st, &a, 1000, &err), 0);
	f->cfg.graph.group = (char *)"o'hara@contoso.com";
	assert_int_equal(users_sync(&f->cfg, f->st, 1000, NULL, NULL, &n, &err),
			 DG_ENOTFOUND);
	assert_string_equal(f->tenant.filter, "mail eq 'o''hara@contoso.com'");
	assert_string_equal(err.msg, "[graph] group: no group has the mail "
				     "or name 'o'hara@contoso.com'");
	assert_int_equal(users_load(f->st, USERS_ALL, &out, &err), 0);
	assert_int_equal(out.n, 1);
	cal_user_list_release(&out);
}

static void
test_users__sync_with_a_wrong_secret_names_the_aadsts_error(void **state)
{
	struct fx *f = *state;
	struct dg_err err = DG_ERR_INIT;
	char want[256];
	size_t n = 0;

	setenv("TEST_TENANT_SECRET", "wrong", 1);
	assert_int_equal(users_sync(&f->cfg, f->st, 1000, NULL, NULL, &n, &err),
			 DG_EPERM);
	snprintf(want, sizeof(want),
		 "app sign-in at %s failed: HTTP 401 "
		 "invalid_client: AADSTS7000215: Invalid client secret "
		 "provided.",
		 f->login);
	assert_string_equal(err.msg, want);
	assert_int_equal(f->tenant.gets, 0);
}

static void test_users__sync_is_for_app_mode(void **state)
{
	struct fx *f = *state;
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;

	f->cfg.graph.auth = CONFIG_AUTH_DELEGATED;
	assert_int_equal(users_sync(&f->cfg, f->st, 1000, NULL, NULL, &n, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg,
			    "digest.toml: users sync is for [graph] "
			    "auth = \"app\"; in delegated mode users join with "
			    "'digest connect'");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_users__replace_then_load_gives_the_users_back),
		T(test_users__a_loaded_user_is_one_block_sharing_repeats),
		T(test_users__load_sizes_the_list_from_the_row_count),
		T(test_users__replace_drops_the_users_not_given_again),
		T(test_users__connected_are_those_with_a_token),
		T(test_users__sync_reads_every_page_and_keeps_users_with_mail),
		T(test_users__sync_stores_no_mail_that_is_no_address),
		T(test_users__sync_of_a_group_keeps_its_user_members),
		T(test_users__sync_of_an_unknown_group_says_so_and_keeps_users),
		T(test_users__sync_with_a_wrong_secret_names_the_aadsts_error),
		T(test_users__sync_is_for_app_mode),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
