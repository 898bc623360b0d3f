/*
 * graphjson_dir: directory answers beyond graphjson.c's pages: one user
 * (GET /me), the users among a group's members (users sync of a group),
 * a group by name.
 */
#include "graphjson.h"
#include "graphjson_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int graphjson_user(const char *json, size_t len, struct cal_user *out,
		   struct dg_err *err)
{
	json_object *root;
	int rc = graphjson_root(json, len, &root, err);

	if (rc)
		return rc;
	rc = graphjson_user_fields(root, out, err);
	json_object_put(root);
	if (rc)
		cal_user_release(out);
	return rc;
}

/* A member without @odata.type is taken for a user, as in members_page. */
static int is_user(json_object *item, bool *yes, struct dg_err *err)
{
	char *type;
	int rc;

	rc = graphjson_str(item, "", "@odata.type", false, &type, err);
	*yes = !rc && (!type || !strcasecmp(type, "#microsoft.graph.user"));
	free(type);
	return rc;
}

static void users_truncate(struct cal_user_list *list, size_t n)
{
	while (list->n > n)
		cal_user_release(&list->v[--list->n]);
}

int graphjson_member_users_page(const char *json, size_t len,
				struct cal_user_list *out, char **next_link,
				struct dg_err *err)
{
	json_object *root, *value, *item;
	size_t i, n0 = out->n;
	struct cal_user *u;
	bool user;
	int rc;

	rc = graphjson_page(json, len, &root, &value, next_link, err);
	if (rc)
		return rc;
	for (i = 0; !rc && i < json_object_array_length(value); i++) {
		rc = graphjson_item(value, i, "member", &item, err);
		if (!rc)
			rc = is_user(item, &user, err);
		if (!rc && !user)
			continue;
		if (!rc)
			rc = cal_user_list_push(out, &u);
		if (rc == DG_ENOMEM)
			dg_errf(err, rc, "out of memory reading members");
		if (!rc)
			rc = graphjson_user_fields(item, u, err);
		if (rc && rc != DG_ENOMEM)
			graphjson_item_error(err, "member", i, item, "id");
	}
	json_object_put(root);
	if (rc) {
		users_truncate(out, n0);
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

static bool same(const char *a, const char *b)
{
	return a && !strcasecmp(a, b);
}

int graphjson_group_named(const char *json, size_t len, const char *name,
			  struct cal_group *out, size_t *matches,
			  char **next_link, struct dg_err *err)
{
	json_object *root, *value, *item;
	size_t i, matches0 = *matches;
	int rc;

	rc = graphjson_page(json, len, &root, &value, next_link, err);
	if (rc)
		return rc;
	for (i = 0; i < json_object_array_length(value); i++) {
		struct cal_group g = {0};

		rc = graphjson_item(value, i, "group", &item, err);
		if (!rc)
			rc = graphjson_group_fields(item, &g, err);
		if (rc) {
			cal_group_release(&g);
			graphjson_item_error(err, "group", i, item, "id");
			break;
		}
		if (same(g.mail, name) || same(g.display_name, name)) {
			if (!(*matches)++) {
				*out = g;
				continue;
			}
		}
		cal_group_release(&g);
	}
	json_object_put(root);
	if (rc) {
		if (!matches0 && *matches)
			cal_group_release(out);
		*matches = matches0;
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}
