/*
 * match: who is in the room. Attendees become roster people through their
 * email, a roster alias or a tenant proxy address, whatever the letter
 * case; lists are expanded; rooms and the user themself are left out;
 * strangers are kept, without a profile.
 *
 * Every test runs against one small tenant (see world_setup): the user is
 * Zoë; Ann, Bob and Dave are colleagues in the roster; Pat is an external
 * in the roster; Jordan is an external nobody knows.
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
#include "directory.h"
#include "match.h"
#include "roster.h"

struct world {
	struct roster roster;
	struct cal_user_list users;
	struct cal_group groups[3];
	struct directory *dir;
	const struct cal_user *zoe; /* the user whose digest it is */
	struct cal_event ev;
	struct match_list out;
};

static char *dup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	assert_non_null(p);
	return p;
}

/* ---- building the tenant ---- */

static void person(struct roster *r, const char *email, const char *name,
		   const char *alias, const char *disc)
{
	struct roster_person p;

	memset(&p, 0, sizeof(p));
	p.email = dup(email);
	p.name = dup(name);
	p.title = dup("");
	if (alias)
		assert_int_equal(roster_person_add_alias(&p, alias), 0);
	if (disc)
		assert_int_equal(roster_person_add_result(&p, "disc", disc), 0);
	assert_int_equal(roster_push(r, &p), 0);
}

/* A tenant user; proxies is a NULL-terminated list. */
static void user(struct cal_user_list *l, const char *mail, const char *upn,
		 const char *const *proxies)
{
	struct cal_user *u;
	size_t n = 0;

	while (proxies[n])
		n++;
	assert_int_equal(cal_user_list_push(l, &u), 0);
	u->mail = dup(mail);
	u->display_name = dup(mail);
	u->user_principal_name = dup(upn);
	u->proxy_addresses = calloc(n, sizeof(*u->proxy_addresses));
	assert_non_null(u->proxy_addresses);
	for (u->nproxy = 0; u->nproxy < n; u->nproxy++)
		u->proxy_addresses[u->nproxy] = dup(proxies[u->nproxy]);
}

/* A list; members is a NULL-terminated list of name, address pairs. */
static void group(struct cal_group *g, const char *mail, const char *name,
		  const char *const *members)
{
	size_t n = 0;

	while (members[2 * n])
		n++;
	memset(g, 0, sizeof(*g));
	g->mail = dup(mail);
	g->display_name = dup(name);
	g->members = calloc(n, sizeof(*g->members));
	assert_non_null(g->members);
	for (g->nmembers = 0; g->nmembers < n; g->nmembers++) {
		g->members[g->nmembers].name = dup(members[2 * g->nmembers]);
		g->members[g->nmembers].address =
			dup(members[2 * g->nmembers + 1]);
	}
}

static int world_setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	person(&w->roster, "zoe@contoso.com", "Zoë Martin",
	       "zoe.alias@contoso.com", "I");
	person(&w->roster, "ann@contoso.com", "Ann Archer", "aa@contoso.com",
	       "D");
	person(&w->roster, "bob@contoso.com", "Bob Brown", NULL, "S");
	person(&w->roster, "ddiaz@contoso.com", "Dave Diaz", NULL, "C");
	person(&w->roster, "pat@fabrikam.com", "Pat Kim", NULL, "S");

	user(&w->users, "zoe@contoso.com", "zoe.martin@contoso.onmicrosoft.com",
	     (const char *const[]){ "SMTP:zoe@contoso.com",
				    "smtp:zm@contoso.com",
				    "SIP:zoe@contoso.com", NULL });
	user(&w->users, "ann@contoso.com", "ann@contoso.com",
	     (const char *const[]){ "SMTP:ann@contoso.com",
				    "smtp:ann.archer@contoso.com", NULL });
	user(&w->users, "bob@contoso.com", "bob@contoso.com",
	     (const char *const[]){ "SMTP:bob@contoso.com",
				    "SIP:bobby@contoso.com", NULL });
	/* Dave's primary address is not the one the roster knows. */
	user(&w->users, "ddiaz@contoso.com", "ddiaz@contoso.com",
	     (const char *const[]){ "SMTP:dave.diaz@contoso.com",
				    "smtp:ddiaz@contoso.com", NULL });
	/* An unknown colleague: in the tenant, not in the roster. */
	user(&w->users, "carl@contoso.com", "carl@contoso.com",
	     (const char *const[]){ "SMTP:carl@contoso.com", NULL });

	group(&w->groups[0], "team@contoso.com", "Platform Team",
	      (const char *const[]){ "Ann Archer", "ann@contoso.com",
				     "Bob Brown", "BOB@contoso.com",
				     "Zoë Martin", "zoe@contoso.com",
				     "Jordan Ellis", "jordan@fabrikam.com",
				     NULL });
	group(&w->groups[1], "solo@contoso.com", "Just Zoë",
	      (const char *const[]){ "Zoë", "ZM@Contoso.com", NULL });
	group(&w->groups[2], "noname@contoso.com", NULL,
	      (const char *const[]){ "Bob Brown", "bob@contoso.com", NULL });

	assert_int_equal(directory_open(&w->roster, &w->users, NULL, NULL,
					&w->dir, NULL), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(directory_add_group(w->dir, &w->groups[i],
						     NULL), 0);
	w->zoe = &w->users.v[0];
	*state = w;
	return 0;
}

static int world_teardown(void **state)
{
	struct world *w = *state;

	match_list_release(&w->out);
	cal_event_release(&w->ev);
	directory_close(w->dir);
	for (size_t i = 0; i < 3; i++)
		cal_group_release(&w->groups[i]);
	cal_user_list_release(&w->users);
	roster_release(&w->roster);
	free(w);
	return 0;
}

/* ---- building the meeting ---- */

static void organizer(struct world *w, const char *name, const char *address)
{
	w->ev.organizer.name = dup(name);
	w->ev.organizer.address = dup(address);
}

static void invite(struct world *w, enum cal_attendee_type type,
		   const char *name, const char *address)
{
	struct cal_attendee *v;

	v = realloc(w->ev.attendees,
		    (w->ev.nattendees + 1) * sizeof(*w->ev.attendees));
	assert_non_null(v);
	w->ev.attendees = v;
	v += w->ev.nattendees++;
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->who.name = dup(name);
	v->who.address = dup(address);
}

static void required(struct world *w, const char *name, const char *address)
{
	invite(w, CAL_ATTENDEE_REQUIRED, name, address);
}

/* Match the meeting as Zoë sees it; the result is in w->out. */
static void match(struct world *w)
{
	struct dg_err err = DG_ERR_INIT;

	free(w->ev.id); /* a test may match the same meeting twice */
	w->ev.id = dup("AAMkAG-test");
	if (match_event(w->dir, w->zoe, &w->ev, &w->out, &err))
		fail_msg("match_event: %s", err.msg);
}

/* The attendee listed as email (exactly), or a test failure. */
static const struct match_attendee *listed(const struct world *w,
					   const char *email)
{
	for (size_t i = 0; i < w->out.n; i++)
		if (!strcmp(w->out.v[i].email, email))
			return &w->out.v[i];
	fail_msg("%s is not among the %zu attendees", email, w->out.n);
	return NULL;
}

static void assert_matched(const struct match_attendee *a, const char *email,
			   const char *name, const char *via)
{
	assert_non_null(a->person);
	assert_string_equal(a->person->email, email);
	assert_string_equal(a->email, email);
	assert_string_equal(a->name, name);
	assert_string_equal(a->via, via);
}

/* ---- matching ---- */

static void test_match__email_in_other_case_matches_directly(void **state)
{
	struct world *w = *state;

	required(w, "ANN", "ANN@CONTOSO.COM");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_matched(&w->out.v[0], "ann@contoso.com", "Ann Archer",
		       "direct");
	assert_null(w->out.v[0].group);
	assert_false(w->out.v[0].external);
	assert_int_equal(w->out.unmatched, 0);
}

static void test_match__roster_alias_in_other_case_matches_via_alias(
	void **state)
{
	struct world *w = *state;

	required(w, "A. Archer", "Aa@Contoso.COM");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_matched(&w->out.v[0], "ann@contoso.com", "Ann Archer", "alias");
}

static void test_match__tenant_smtp_proxy_address_matches_via_alias(
	void **state)
{
	struct world *w = *state;

	/* Only the tenant knows ann.archer@: "smtp:ann.archer@contoso.com". */
	required(w, "Ann", "ANN.ARCHER@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_matched(&w->out.v[0], "ann@contoso.com", "Ann Archer", "alias");
}

static void test_match__primary_SMTP_proxy_address_matches_via_alias(
	void **state)
{
	struct world *w = *state;

	/* "SMTP:dave.diaz@contoso.com" is Dave's; the roster has ddiaz@. */
	required(w, "Dave", "Dave.Diaz@Contoso.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_matched(&w->out.v[0], "ddiaz@contoso.com", "Dave Diaz",
		       "alias");
}

static void test_match__sip_proxy_address_is_not_a_mail_address(void **state)
{
	struct world *w = *state;

	required(w, "Bobby", "bobby@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_null(w->out.v[0].person);
	assert_null(w->out.v[0].via);
	assert_string_equal(w->out.v[0].email, "bobby@contoso.com");
}

static void test_match__distribution_list_is_expanded_to_its_members(
	void **state)
{
	struct world *w = *state;
	const struct match_attendee *a;

	required(w, "Platform Team", "Team@Contoso.com");
	match(w);
	/* Ann, Bob and Jordan; Zoë is the user; the list itself is no one. */
	assert_int_equal(w->out.n, 3);
	a = listed(w, "ann@contoso.com");
	assert_matched(a, "ann@contoso.com", "Ann Archer", "group");
	assert_string_equal(a->group, "Platform Team");
	a = listed(w, "bob@contoso.com");
	assert_matched(a, "bob@contoso.com", "Bob Brown", "group");
	assert_string_equal(a->group, "Platform Team");
	a = listed(w, "jordan@fabrikam.com");
	assert_null(a->person);
	assert_null(a->via);
	assert_string_equal(a->name, "Jordan Ellis");
	assert_true(a->external);
	assert_int_equal(w->out.unmatched, 1);
}

static void test_match__list_without_a_name_is_named_by_its_address(
	void **state)
{
	struct world *w = *state;

	required(w, NULL, "noname@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_string_equal(w->out.v[0].via, "group");
	assert_string_equal(w->out.v[0].group, "noname@contoso.com");
}

static void test_match__invited_directly_and_through_a_list_is_direct(
	void **state)
{
	struct world *w = *state;
	const struct match_attendee *a;

	/* The list comes first in the invitation, Bob after it. */
	required(w, "Platform Team", "team@contoso.com");
	required(w, "Bob", "bob@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 3);
	a = listed(w, "bob@contoso.com");
	assert_string_equal(a->via, "direct");
	assert_null(a->group);
	/* Direct invitations first, then the lists' members. */
	assert_ptr_equal(a, &w->out.v[0]);
	assert_string_equal(listed(w, "ann@contoso.com")->via, "group");
}

static void test_match__many_lists_come_after_the_people_in_order(
	void **state)
{
	struct world *w = *state;

	/* more lists than the few kept on the stack, between people */
	for (int i = 0; i < 20; i++) {
		required(w, NULL, i % 2 ? "noname@contoso.com" :
					  "team@contoso.com");
		if (i == 7)
			required(w, "Bob", "bob@contoso.com");
		if (i == 13)
			required(w, "Guest", "guest@fabrikam.com");
	}
	required(w, "Just Zoë", "solo@contoso.com");
	match(w);
	/*
	 * Bob and the guest, then Ann and Jordan of the team; the list
	 * without a name holds Bob, invited already, and solo only Zoë, the
	 * user.
	 */
	assert_int_equal(w->out.n, 4);
	assert_string_equal(w->out.v[0].email, "bob@contoso.com");
	assert_string_equal(w->out.v[0].via, "direct");
	assert_string_equal(w->out.v[1].email, "guest@fabrikam.com");
	assert_string_equal(w->out.v[2].email, "ann@contoso.com");
	assert_string_equal(w->out.v[2].via, "group");
	assert_string_equal(w->out.v[3].email, "jordan@fabrikam.com");
	assert_string_equal(w->out.v[3].group, "Platform Team");
	assert_null(w->out.v[0].group);
}

static void test_match__rooms_and_resources_are_left_out(void **state)
{
	struct world *w = *state;

	invite(w, CAL_ATTENDEE_RESOURCE, "Rainier", "rainier@contoso.com");
	invite(w, CAL_ATTENDEE_RESOURCE, "Projector", "bob@contoso.com");
	invite(w, CAL_ATTENDEE_OPTIONAL, "Ann", "ann@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_string_equal(w->out.v[0].email, "ann@contoso.com");
	assert_int_equal(w->out.v[0].type, CAL_ATTENDEE_OPTIONAL);
}

static void test_match__user_is_left_out_by_mail_in_other_case(void **state)
{
	struct world *w = *state;

	required(w, "Zoë", "ZOE@contoso.com");
	required(w, "Ann", "ann@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_string_equal(w->out.v[0].email, "ann@contoso.com");
}

static void test_match__user_is_left_out_by_principal_name(void **state)
{
	struct world *w = *state;

	required(w, "Zoë", "Zoe.Martin@contoso.onmicrosoft.com");
	match(w);
	assert_int_equal(w->out.n, 0);
}

static void test_match__user_is_left_out_by_a_proxy_address(void **state)
{
	struct world *w = *state;

	required(w, "Zoë", "zm@CONTOSO.com");
	match(w);
	assert_int_equal(w->out.n, 0);
}

static void test_match__user_is_left_out_by_a_roster_alias(void **state)
{
	struct world *w = *state;

	/* zoe.alias@ is in the roster only, not among Zoë's proxies. */
	required(w, "Zoë", "Zoe.Alias@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 0);
}

static void test_match__list_holding_the_user_leaves_the_user_out(
	void **state)
{
	struct world *w = *state;

	/* Zoë is in the list under her proxy address, in other case. */
	required(w, "Just Zoë", "solo@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 0);
	assert_int_equal(w->out.unmatched, 0);
}

static void test_match__organizer_is_listed_first(void **state)
{
	struct world *w = *state;

	organizer(w, "Ann Archer", "ann@contoso.com");
	required(w, "Bob", "bob@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 2);
	assert_matched(&w->out.v[0], "ann@contoso.com", "Ann Archer",
		       "direct");
	assert_string_equal(w->out.v[1].email, "bob@contoso.com");
}

static void test_match__organizer_who_is_the_user_is_left_out(void **state)
{
	struct world *w = *state;

	organizer(w, "Zoë Martin", "zoe@contoso.com");
	required(w, "Bob", "bob@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_string_equal(w->out.v[0].email, "bob@contoso.com");
}

static void test_match__unknown_external_is_kept_without_a_person(
	void **state)
{
	struct world *w = *state;

	required(w, "Jordan Ellis", "Jordan.Ellis@Fabrikam.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_null(w->out.v[0].person);
	assert_null(w->out.v[0].via);
	assert_null(w->out.v[0].group);
	assert_string_equal(w->out.v[0].email, "Jordan.Ellis@Fabrikam.com");
	assert_string_equal(w->out.v[0].name, "Jordan Ellis");
	assert_true(w->out.v[0].external);
	assert_int_equal(w->out.unmatched, 1);
}

static void test_match__external_in_the_roster_is_matched_and_external(
	void **state)
{
	struct world *w = *state;

	required(w, "Pat", "PAT@fabrikam.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_matched(&w->out.v[0], "pat@fabrikam.com", "Pat Kim", "direct");
	assert_true(w->out.v[0].external);
}

static void test_match__unknown_colleague_is_kept_and_not_external(
	void **state)
{
	struct world *w = *state;

	required(w, NULL, "carl@contoso.com");
	match(w);
	assert_int_equal(w->out.n, 1);
	assert_null(w->out.v[0].person);
	assert_null(w->out.v[0].name);
	assert_false(w->out.v[0].external);
}

static void test_match__duplicate_invitations_are_collapsed(void **state)
{
	struct world *w = *state;

	required(w, "Ann", "ann@contoso.com");
	required(w, "Jordan", "jordan@fabrikam.com");
	required(w, "ANN", "ANN@contoso.com");
	required(w, "Ann again", "aa@contoso.com");
	required(w, "Jordan", "JORDAN@fabrikam.com");
	match(w);
	assert_int_equal(w->out.n, 2);
	assert_string_equal(w->out.v[0].email, "ann@contoso.com");
	assert_string_equal(w->out.v[0].via, "direct");
	assert_string_equal(w->out.v[1].email, "jordan@fabrikam.com");
	assert_int_equal(w->out.unmatched, 1);
}

static void test_match__attendee_without_an_address_is_skipped(void **state)
{
	struct world *w = *state;

	required(w, "Someone", NULL);
	required(w, "Nobody", "");
	match(w);
	assert_int_equal(w->out.n, 0);
}

static void test_match__known_addresses_are_roster_and_tenant_ones(
	void **state)
{
	struct world *w = *state;

	assert_true(directory_is_known(w->dir, "AA@contoso.com"));
	assert_true(directory_is_known(w->dir, "pat@FABRIKAM.com"));
	assert_true(directory_is_known(w->dir, "Ann.Archer@contoso.com"));
	assert_true(directory_is_known(w->dir, "CARL@contoso.com"));
	assert_false(directory_is_known(w->dir, "team@contoso.com"));
	assert_false(directory_is_known(w->dir, "jordan@fabrikam.com"));
	assert_false(directory_is_known(w->dir, "bobby@contoso.com"));
}

static void test_match__self_is_mail_principal_name_or_smtp_proxy(
	void **state)
{
	struct world *w = *state;

	assert_true(directory_is_self(w->zoe, "Zoe@Contoso.com"));
	assert_true(directory_is_self(w->zoe,
				  "ZOE.MARTIN@contoso.onmicrosoft.com"));
	assert_true(directory_is_self(w->zoe, "zm@contoso.com"));
	assert_false(directory_is_self(w->zoe, "ann@contoso.com"));
	assert_false(directory_is_self(w->zoe, "SIP:zoe@contoso.com"));
	assert_false(directory_is_self(NULL, "zoe@contoso.com"));
	assert_false(directory_is_self(w->zoe, NULL));
}

static void test_match__person_is_found_through_any_address(void **state)
{
	struct world *w = *state;
	const char *via = NULL;

	assert_ptr_equal(directory_person(w->dir, "ann@contoso.com", &via),
			 &w->roster.v[1]);
	assert_string_equal(via, "direct");
	assert_ptr_equal(directory_person(w->dir, "ann.archer@contoso.com", &via),
			 &w->roster.v[1]);
	assert_string_equal(via, "alias");
	assert_null(directory_person(w->dir, "carl@contoso.com", &via));
	assert_null(directory_person(w->dir, NULL, &via));
}

/*
 * Nothing is copied: a matched person's strings are the roster's, an
 * unknown guest's the invitation's, a list's name the directory's.
 */
static void test_match__attendees_borrow_their_strings(void **state)
{
	struct world *w = *state;
	const struct match_attendee *a;

	required(w, "ANN", "ANN@CONTOSO.COM");
	required(w, "Guest", "guest@example.org");
	required(w, "Platform Team", "team@contoso.com");
	match(w);
	a = listed(w, "ann@contoso.com");
	assert_ptr_equal(a->email, a->person->email);
	assert_ptr_equal(a->name, a->person->name);
	a = listed(w, "guest@example.org");
	assert_ptr_equal(a->email, w->ev.attendees[1].who.address);
	assert_ptr_equal(a->name, w->ev.attendees[1].who.name);
	a = listed(w, "bob@contoso.com");
	assert_ptr_equal(a->group, directory_group(w->dir,
						   "team@contoso.com")
					   ->display_name);
}

/*
 * A meeting past the few attendees a scan handles: everyone is still
 * listed once, repeats before and after the set is made of the list,
 * in another case, directly and through a list.
 */
static void test_match__large_meeting_lists_each_person_once(void **state)
{
	struct world *w = *state;
	char address[64];

	required(w, "Ann", "ann@contoso.com");
	for (int i = 0; i < 20; i++) {
		snprintf(address, sizeof(address), "guest%d@example.org", i);
		required(w, "Guest", address);
		if (i == 10)
			required(w, "Ann", "ANN@contoso.com");
	}
	required(w, "Guest 3", "GUEST3@example.org");
	required(w, "Platform Team", "team@contoso.com");
	required(w, "Guest 19", "Guest19@Example.org");
	match(w);
	/* Ann, 20 guests, then Bob and Jordan of the list */
	assert_int_equal(w->out.n, 23);
	assert_string_equal(w->out.v[0].email, "ann@contoso.com");
	assert_string_equal(w->out.v[3].email, "guest2@example.org");
	assert_string_equal(w->out.v[20].email, "guest19@example.org");
	assert_string_equal(listed(w, "bob@contoso.com")->via, "group");
	assert_string_equal(w->out.v[22].email, "jordan@fabrikam.com");
}

/* A list already past a scan is matched on, each person still once. */
static void test_match__appending_to_a_long_list_keeps_it_unique(
	void **state)
{
	struct world *w = *state;
	char address[64];

	for (int i = 0; i < 18; i++) {
		snprintf(address, sizeof(address), "guest%d@example.org", i);
		required(w, "Guest", address);
	}
	match(w);
	assert_int_equal(w->out.n, 18);
	match(w);
	assert_int_equal(w->out.n, 18);
}

static void test_match__smtp_prefix_is_read_in_any_case_and_whole(
	void **state)
{
	struct world *w = *state;
	struct cal_user u = { 0 };
	char *proxies[] = { "smt", "SmTp:zoe@contoso.com", "smtpx:a@b.com",
			    "X500:/o=Contoso", "" };

	u.proxy_addresses = proxies;
	u.nproxy = 5;
	(void)w;
	assert_true(directory_is_self(&u, "ZOE@contoso.com"));
	assert_false(directory_is_self(&u, "t"));
	assert_false(directory_is_self(&u, "a@b.com"));
	assert_false(directory_is_self(&u, "x:a@b.com"));
	assert_false(directory_is_self(&u, "/o=Contoso"));
	assert_false(directory_is_self(&u, ""));
}

#define T(name) cmocka_unit_test_setup_teardown(name, world_setup, \
						world_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_match__email_in_other_case_matches_directly),
		T(test_match__roster_alias_in_other_case_matches_via_alias),
		T(test_match__tenant_smtp_proxy_address_matches_via_alias),
		T(test_match__primary_SMTP_proxy_address_matches_via_alias),
		T(test_match__sip_proxy_address_is_not_a_mail_address),
		T(test_match__distribution_list_is_expanded_to_its_members),
		T(test_match__list_without_a_name_is_named_by_its_address),
		T(test_match__invited_directly_and_through_a_list_is_direct),
		T(test_match__attendees_borrow_their_strings),
		T(test_match__many_lists_come_after_the_people_in_order),
		T(test_match__rooms_and_resources_are_left_out),
		T(test_match__user_is_left_out_by_mail_in_other_case),
		T(test_match__user_is_left_out_by_principal_name),
		T(test_match__user_is_left_out_by_a_proxy_address),
		T(test_match__user_is_left_out_by_a_roster_alias),
		T(test_match__list_holding_the_user_leaves_the_user_out),
		T(test_match__organizer_is_listed_first),
		T(test_match__organizer_who_is_the_user_is_left_out),
		T(test_match__unknown_external_is_kept_without_a_person),
		T(test_match__external_in_the_roster_is_matched_and_external),
		T(test_match__unknown_colleague_is_kept_and_not_external),
		T(test_match__duplicate_invitations_are_collapsed),
		T(test_match__attendee_without_an_address_is_skipped),
		T(test_match__known_addresses_are_roster_and_tenant_ones),
		T(test_match__self_is_mail_principal_name_or_smtp_proxy),
		T(test_match__person_is_found_through_any_address),
		T(test_match__large_meeting_lists_each_person_once),
		T(test_match__appending_to_a_long_list_keeps_it_unique),
		T(test_match__smtp_prefix_is_read_in_any_case_and_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
