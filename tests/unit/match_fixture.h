/*
 * match_fixture: what the tests that build match lists by hand share.
 * Not a test program itself: included by test_hours.c, test_render.c and
 * tests/oom/test_oom.c.
 */
#ifndef DIGEST_MATCH_FIXTURE_H
#define DIGEST_MATCH_FIXTURE_H

#include <stdlib.h>

#include "match.h"

/*
 * match_list_release() for a list a test made: match_event() lends its
 * attendees' strings, but the test's attendees own copies of theirs.
 */
static void own_list_release(struct match_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].email);
		free((char *)l->v[i].name);
		free((char *)l->v[i].group);
	}
	match_list_release(l);
}

#endif
