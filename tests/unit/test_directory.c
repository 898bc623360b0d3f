/*
 * directory: who an address is. Roster emails and aliases and the
 * tenant's addresses are found whatever the letter case; lists are looked
 * up once per run, only inside the tenant's domains, and within the caps
 * per meeting and per run.
 *
 * The tenant: Zoë (the reader) and Ann are users at contoso.com; the
 * roster knows Ann (alias aa@) and Dave, whom the tenant knows under a
 * proxy address only.
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
#include "directory.h"
#include "err.h"
#include "roster.h"
#include "source.h"

struct world {
	struct roster roster;
	struct cal_user_list users;
	struct cal_event ev;
};

static char *dup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static void person(struct roster *r, const char *email, const char *alias)
{
	struct roster_person p;

	memset(&p, 0, sizeof(p));
	p.email = dup(email);
	p.name = dup("");
	p.title = dup("");
	if (alias)
		assert_int_equal(roster_person_add_alias(&p, alias), 0);
	assert_int_equal(roster_push(r, &p), 0);
}

static void user(struct cal_user_list *l, const char *mail, const char *proxy)
{
	struct cal_user *u;

	assert_int_equal(cal_user_list_push(l, &u), 0);
	u->mail = dup(mail);
	u->user_principal_name = dup(mail);
	if (proxy) {
		u->proxy_addresses = calloc(1, sizeof(*u->proxy_addresses));
		assert_non_null(u->proxy_addresses);
		u->proxy_addresses[0] = dup(proxy);
		u->nproxy = 1;
	}
}

static void invite(struct cal_event *ev, const char *address)
{
	struct cal_attendee *v;

	v = realloc(ev->attendees, (ev->nattendees + 1) * sizeof(*v));
	assert_non_null(v);
	ev->attendees = v;
	v += ev->nattendees++;
	memset(v, 0, sizeof(*v));
	v->who.address = dup(address);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	person(&w->roster, "ann@contoso.com", "aa@contoso.com");
	person(&w->roster, "dave.diaz@contoso.com", NULL);
	user(&w->users, "zoe@contoso.com", "smtp:zm@contoso.com");
	user(&w->users, "ann@contoso.com", NULL);
	user(&w->users, "ddiaz@contoso.com", "SMTP:dave.diaz@contoso.com");
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	cal_event_release(&w->ev);
	cal_user_list_release(&w->users);
	roster_release(&w->roster);
	free(w);
	return 0;
}

static struct directory *open_dir(struct world *w, struct source *src,
				  size_t per_run, size_t per_meeting)
{
	struct directory_limits lim = { per_run, per_meeting };
	struct dg_err err = DG_ERR_INIT;
	struct directory *d;

	assert_int_equal(directory_open(&w->roster, &w->users, src, &lim, &d,
					&err), 0);
	return d;
}

static void test_directory__roster_addresses_are_found_in_any_case(
	void **state)
{
	struct world *w = *state;
	struct directory *d = open_dir(w, NULL, 0, 0);
	const char *via = NULL;

	assert_ptr_equal(directory_person(d, "ANN@contoso.com", &via),
			 &w->roster.v[0]);
	assert_string_equal(via, "direct");
	assert_ptr_equal(directory_person(d, "Aa@Contoso.COM", &via),
			 &w->roster.v[0]);
	assert_string_equal(via, "alias");
	assert_null(directory_person(d, "zoe@contoso.com", &via));
	assert_null(directory_person(d, NULL, &via));
	directory_close(d);
}

static void test_directory__a_tenant_proxy_address_leads_to_the_roster(
	void **state)
{
	struct world *w = *state;
	struct directory *d = open_dir(w, NULL, 0, 0);
	const char *via = NULL;

	/* ddiaz@ is Dave's mail; the roster knows his proxy address. */
	assert_ptr_equal(directory_person(d, "DDIAZ@contoso.com", &via),
			 &w->roster.v[1]);
	assert_string_equal(via, "alias");
	assert_ptr_equal(directory_user(d, "ZM@contoso.com"),
			 &w->users.v[0]);
	assert_true(directory_is_known(d, "zoe@CONTOSO.com"));
	assert_false(directory_is_known(d, "team@contoso.com"));
	assert_true(directory_is_self(&w->users.v[0], "Zm@contoso.com"));
	assert_false(directory_is_self(&w->users.v[0], "ann@contoso.com"));
	directory_close(d);
}

static void test_directory__only_other_domains_are_external(void **state)
{
	struct world *w = *state;
	struct directory *d = open_dir(w, NULL, 0, 0);

	assert_false(directory_is_external(d, "nobody@CONTOSO.COM"));
	assert_true(directory_is_external(d, "pat@fabrikam.com"));
	assert_true(directory_is_external(d, "no-at-sign"));
	directory_close(d);
}

static void test_directory__a_meeting_looks_up_at_most_its_cap(void **state)
{
	struct world *w = *state;
	struct directory *d = open_dir(w, NULL, 100, 3);
	struct directory_stats st;
	char address[64];

	for (int i = 0; i < 10; i++) {
		snprintf(address, sizeof(address), "made-up-%d@contoso.com", i);
		invite(&w->ev, address);
	}
	assert_int_equal(directory_resolve(d, &w->users.v[0], &w->ev, NULL),
			 0);
	directory_get_stats(d, &st);
	assert_int_equal(st.lookups, 3);
	assert_int_equal(st.capped, 7);
	assert_null(directory_group(d, "made-up-0@contoso.com"));
	directory_close(d);
}

static void test_directory__a_run_looks_up_at_most_its_cap(void **state)
{
	struct world *w = *state;
	struct directory *d = open_dir(w, NULL, 2, 50);
	struct directory_stats st;

	invite(&w->ev, "a@contoso.com");
	invite(&w->ev, "b@contoso.com");
	invite(&w->ev, "c@contoso.com");
	assert_int_equal(directory_resolve(d, &w->users.v[0], &w->ev, NULL),
			 0);
	assert_int_equal(directory_resolve(d, &w->users.v[1], &w->ev, NULL),
			 0);
	directory_get_stats(d, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.capped, 1);
	directory_close(d);
}

static void test_directory__people_strangers_and_rooms_are_not_looked_up(
	void **state)
{
	struct world *w = *state;
	struct directory *d = open_dir(w, NULL, 0, 0);
	struct directory_stats st;

	invite(&w->ev, "zm@contoso.com");     /* the reader */
	invite(&w->ev, "aa@contoso.com");     /* a roster alias */
	invite(&w->ev, "ddiaz@contoso.com");  /* a tenant user */
	invite(&w->ev, "pat@fabrikam.com");   /* another domain */
	invite(&w->ev, "room1@contoso.com");
	w->ev.attendees[4].type = CAL_ATTENDEE_RESOURCE;
	assert_int_equal(directory_resolve(d, &w->users.v[0], &w->ev, NULL),
			 0);
	directory_get_stats(d, &st);
	assert_int_equal(st.lookups, 0);
	assert_int_equal(st.capped, 0);
	directory_close(d);
}

/* The demo recording has the list platform-leads@contoso.com. */
static void test_directory__a_list_is_asked_about_once_per_run(void **state)
{
	struct world *w = *state;
	const char *src_dir = getenv("DIGEST_SRC");
	struct dg_err err = DG_ERR_INIT;
	struct directory_stats st;
	const struct cal_group *g;
	struct directory *d;
	struct source *src;
	char path[4096];

	if (!src_dir)
		skip();
	snprintf(path, sizeof(path), "%s/fixtures/demo", src_dir);
	assert_int_equal(source_open_fixtures(path, &src, &err), 0);
	d = open_dir(w, src, 0, 0);
	invite(&w->ev, "Platform-Leads@contoso.com");
	invite(&w->ev, "nobody@contoso.com");
	assert_int_equal(directory_resolve(d, &w->users.v[0], &w->ev, &err),
			 0);
	assert_int_equal(directory_resolve(d, &w->users.v[1], &w->ev, &err),
			 0);
	directory_get_stats(d, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.lists, 1);
	g = directory_group(d, "platform-leads@CONTOSO.com");
	assert_non_null(g);
	assert_true(g->nmembers > 0);
	assert_null(directory_group(d, "nobody@contoso.com"));
	directory_close(d);
	source_close(src);
}

static void test_directory__a_list_added_twice_is_refused(void **state)
{
	struct world *w = *state;
	struct directory *d = open_dir(w, NULL, 0, 0);
	struct cal_group g = { 0 }, again = { 0 };

	g.mail = dup("team@contoso.com");
	again.mail = dup("TEAM@contoso.com");
	assert_int_equal(directory_add_group(d, &g, NULL), 0);
	assert_null(g.mail);
	assert_int_equal(directory_add_group(d, &again, NULL), DG_EEXISTS);
	assert_non_null(directory_group(d, "Team@Contoso.com"));
	cal_group_release(&again);
	directory_close(d);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_directory__roster_addresses_are_found_in_any_case),
		T(test_directory__a_tenant_proxy_address_leads_to_the_roster),
		T(test_directory__only_other_domains_are_external),
		T(test_directory__a_meeting_looks_up_at_most_its_cap),
		T(test_directory__a_run_looks_up_at_most_its_cap),
		T(test_directory__people_strangers_and_rooms_are_not_looked_up),
		T(test_directory__a_list_is_asked_about_once_per_run),
		T(test_directory__a_list_added_twice_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
