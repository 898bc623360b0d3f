/*
 * fuzz_graph_directory: the directory answers: a page of users, one user,
 * a page of group members (as people and as users), and group lookups by
 * address and by name. The first byte picks the entry point, so one
 * corpus grows for all of them.
 *
 * Invariants: on error nothing was appended and there is no next link;
 * every user has an id; group members all have a mail and no address is
 * there twice (in any case).
 */
#include <strings.h>

#include "calendar.h"
#include "err.h"
#include "fuzz.h"
#include "graphjson.h"

static void check_users(const struct cal_user_list *l, size_t from)
{
	for (size_t i = from; i < l->n; i++)
		FUZZ_ASSERT(l->v[i].id && l->v[i].id[0]);
}

static void users(const char *json, size_t len, int members)
{
	struct cal_user_list l = CAL_USER_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	int rc = members ? graphjson_member_users_page(json, len, &l, &next,
						      &err)
			 : graphjson_users_page(json, len, &l, &next, &err);

	if (rc)
		FUZZ_ASSERT(l.n == 0 && !next && fuzz_one_line(err.msg));
	check_users(&l, 0);
	free(next);
	cal_user_list_release(&l);
}

static void user(const char *json, size_t len)
{
	struct cal_user u = {0};
	struct dg_err err = DG_ERR_INIT;

	if (graphjson_user(json, len, &u, &err)) {
		FUZZ_ASSERT(!u.id && fuzz_one_line(err.msg));
		return;
	}
	FUZZ_ASSERT(u.id && u.id[0]);
	cal_user_release(&u);
}

static void members(const char *json, size_t len)
{
	struct cal_group g = {0};
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;

	/* two pages: the second must not repeat the first one's members */
	for (int page = 0; page < 2; page++) {
		size_t before = g.nmembers;

		if (graphjson_members_page(json, len, &g, &next, &err)) {
			FUZZ_ASSERT(g.nmembers == before && !next);
			break;
		}
		free(next);
		next = NULL;
	}
	for (size_t i = 0; i < g.nmembers; i++) {
		FUZZ_ASSERT(g.members[i].address && g.members[i].address[0]);
		for (size_t k = 0; k < i && k < 64; k++)
			FUZZ_ASSERT(strcasecmp(g.members[i].address,
					       g.members[k].address));
	}
	cal_group_release(&g);
}

static void group(const char *json, size_t len, int by_name)
{
	struct cal_group g = {0};
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	bool found = false;
	size_t matches = 0;
	int rc = by_name ? graphjson_group_named(json, len, "Sales", &g,
						 &matches, &next, &err)
			 : graphjson_group_find(json, len, "sales@example.com",
						&g, &found, &next, &err);

	if (rc) {
		FUZZ_ASSERT(!next && !g.id && fuzz_one_line(err.msg));
		return;
	}
	if (found || matches)
		FUZZ_ASSERT(g.id);
	free(next);
	cal_group_release(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data + 1;

	if (!size)
		return 0;
	switch (data[0] % 6) {
	case 0:
		users(json, size - 1, 0);
		break;
	case 1:
		users(json, size - 1, 1);
		break;
	case 2:
		user(json, size - 1);
		break;
	case 3:
		members(json, size - 1);
		break;
	case 4:
		group(json, size - 1, 0);
		break;
	default:
		group(json, size - 1, 1);
		break;
	}
	return 0;
}
