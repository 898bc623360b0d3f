/*
 * graphjson_dir: the directory's answers: pages of users, one user (GET
 * /me), a group by address or name, and a group's members (the people
 * among them, or the users for users sync of a group).
 */
#include "graphjson.h"
#include "graphjson_int.h"
#include "hmap.h"

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

/* One item of a page of users: into out, or left out. */
typedef int users_item_fn(json_object *value, size_t i,
			  struct cal_user_list *out, struct dg_err *err);

/*
 * A page of users, each item read by one(). On failure the page's users
 * (out back to where it was) and its next link go.
 */
static int users_page(const char *json, size_t len, users_item_fn *one,
		      struct cal_user_list *out, char **next_link,
		      struct dg_err *err)
{
	json_object *root, *value;
	size_t n0 = out->n;
	int rc;

	*next_link = NULL;
	rc = graphjson_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = graphjson_page(root, &value, next_link, err);
	for (size_t i = 0; !rc && i < json_object_array_length(value); i++)
		rc = one(value, i, out, err);
	json_object_put(root);
	if (rc) {
		users_truncate(out, n0);
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

/* A member of a group: kept when it is a user. */
static int member_user(json_object *value, size_t i,
		       struct cal_user_list *out, struct dg_err *err)
{
	json_object *item;
	struct cal_user *u;
	bool user;
	int rc = graphjson_item(value, i, "member", &item, err);

	if (!rc)
		rc = is_user(item, &user, err);
	if (!rc && !user)
		return 0;
	if (!rc)
		rc = cal_user_list_push(out, &u);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory reading members");
	if (!rc)
		rc = graphjson_user_fields(item, u, err);
	if (rc && rc != DG_ENOMEM)
		graphjson_item_error(err, "member", i, item, "id");
	return rc;
}

int graphjson_member_users_page(const char *json, size_t len,
				struct cal_user_list *out, char **next_link,
				struct dg_err *err)
{
	return users_page(json, len, member_user, out, next_link, err);
}

static bool same(const char *a, const char *b)
{
	return a && !strcasecmp(a, b);
}

/*
 * Group i of a page into g (zeroed); on failure g is released and err
 * says which group.
 */
static int page_group(json_object *value, size_t i, struct cal_group *g,
		      struct dg_err *err)
{
	json_object *item;
	int rc = graphjson_item(value, i, "group", &item, err);

	if (!rc)
		rc = graphjson_group_fields(item, g, err);
	if (rc) {
		cal_group_release(g);
		graphjson_item_error(err, "group", i, item, "id");
	}
	return rc;
}

/*
 * A page of groups: count in *matches those match() takes (name is its
 * argument); the first one when *matches was 0 on entry goes to out.
 * On failure *matches and out are as they were on entry.
 */
static int groups_page(json_object *root,
		       bool (*match)(const struct cal_group *g,
				     const char *name),
		       const char *name, struct cal_group *out,
		       size_t *matches, char **next_link, struct dg_err *err)
{
	json_object *value;
	size_t i, matches0 = *matches;
	int rc;

	rc = graphjson_page(root, &value, next_link, err);
	if (rc)
		return rc;
	for (i = 0; i < json_object_array_length(value); i++) {
		struct cal_group g = {0};

		rc = page_group(value, i, &g, err);
		if (rc)
			break;
		if (match(&g, name)) {
			if (!(*matches)++) {
				*out = g;
				continue;
			}
		}
		cal_group_release(&g);
	}
	if (rc) {
		if (!matches0 && *matches)
			cal_group_release(out);
		*matches = matches0;
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

/* Its mail or its display name is name. */
static bool named(const struct cal_group *g, const char *name)
{
	return same(g->mail, name) || same(g->display_name, name);
}

int graphjson_group_named(const char *json, size_t len, const char *name,
			  struct cal_group *out, size_t *matches,
			  char **next_link, struct dg_err *err)
{
	json_object *root;
	int rc;

	*next_link = NULL;
	rc = graphjson_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = groups_page(root, named, name, out, matches, next_link, err);
	json_object_put(root);
	return rc;
}

/* ---- users ---------------------------------------------------------- */

static int parse_strings(json_object *obj, const char *key, char ***v,
			 size_t *n, struct dg_err *err)
{
	json_object *arr;
	size_t i, len;
	int rc;

	rc = graphjson_field(obj, "", key, json_type_array, false, &arr, err);
	if (rc || !arr)
		return rc;
	len = json_object_array_length(arr);
	if (!len)
		return 0;
	*v = calloc(len, sizeof(**v));
	if (!*v)
		return dg_errf(err, DG_ENOMEM, "out of memory reading '%s'",
			       key);
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *s;

		if (!json_object_is_type(e, json_type_string))
			return dg_errf(err, DG_EPARSE, "field '%s' item %zu "
				       "must be a string, not %s", key, i + 1,
				       graphjson_type_name(e));
		rc = graphjson_string_of(e, "", key, &s, err);
		if (!rc && *s)
			rc = graphjson_copy_string(s, &(*v)[(*n)++], err);
		if (rc)
			return rc;
	}
	return 0;
}

int graphjson_user_fields(json_object *o, struct cal_user *u,
			  struct dg_err *err)
{
	int rc;

	rc = graphjson_str(o, "", "id", true, &u->id, err);
	if (!rc)
		rc = graphjson_str(o, "", "mail", false, &u->mail, err);
	if (!rc)
		rc = graphjson_str(o, "", "displayName", false,
				   &u->display_name, err);
	if (!rc)
		rc = graphjson_str(o, "", "givenName", false, &u->given_name,
				   err);
	if (!rc)
		rc = graphjson_str(o, "", "surname", false, &u->surname, err);
	if (!rc)
		rc = graphjson_str(o, "", "userPrincipalName", false,
				   &u->user_principal_name, err);
	if (!rc)
		rc = parse_strings(o, "proxyAddresses", &u->proxy_addresses,
				   &u->nproxy, err);
	return rc;
}

/* A user of a page of /users. */
static int listed_user(json_object *value, size_t i,
		       struct cal_user_list *out, struct dg_err *err)
{
	json_object *item;
	struct cal_user *u;
	int rc = graphjson_item(value, i, "user", &item, err);

	if (!rc)
		rc = cal_user_list_push(out, &u);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory reading users");
	if (rc)
		return rc;
	rc = graphjson_user_fields(item, u, err);
	if (rc)
		graphjson_item_error(
			err, "user", i, item,
			json_object_object_get_ex(item, "id", NULL)
				? "id"
				: "userPrincipalName");
	return rc;
}

int graphjson_users_page(const char *json, size_t len,
			 struct cal_user_list *out, char **next_link,
			 struct dg_err *err)
{
	return users_page(json, len, listed_user, out, next_link, err);
}

/* ---- groups --------------------------------------------------------- */

int graphjson_group_fields(json_object *o, struct cal_group *g,
			   struct dg_err *err)
{
	int rc;

	rc = graphjson_str(o, "", "id", true, &g->id, err);
	if (!rc)
		rc = graphjson_str(o, "", "mail", false, &g->mail, err);
	if (!rc)
		rc = graphjson_str(o, "", "displayName", false,
				   &g->display_name, err);
	return rc;
}

/* Its mail is address. */
static bool mailed(const struct cal_group *g, const char *address)
{
	return same(g->mail, address);
}

static int group_find_of(json_object *root, const char *address,
			 struct cal_group *out, bool *found, char **next_link,
			 struct dg_err *err)
{
	size_t matches = 0;
	int rc = groups_page(root, mailed, address, out, &matches, next_link,
			     err);

	*found = matches > 0;
	return rc;
}

int graphjson_group_find(const char *json, size_t len, const char *address,
			 struct cal_group *out, bool *found, char **next_link,
			 struct dg_err *err)
{
	json_object *root;
	int rc;

	*found = false;
	*next_link = NULL;
	rc = graphjson_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = group_find_of(root, address, out, found, next_link, err);
	json_object_put(root);
	return rc;
}

int graphjson_group_find_value(const struct graphjson_value *v,
			       const char *address, struct cal_group *out,
			       bool *found, char **next_link,
			       struct dg_err *err)
{
	json_object *root;
	int rc;

	*found = false;
	*next_link = NULL;
	rc = graphjson_value_root(v, &root, err);
	if (!rc)
		rc = group_find_of(root, address, out, found, next_link, err);
	json_object_put(root);
	return rc;
}

/* Users and contacts receive mail as people; groups and devices do not. */
static bool is_person(const char *odata_type)
{
	return !odata_type ||
	       !strcasecmp(odata_type, "#microsoft.graph.user") ||
	       !strcasecmp(odata_type, "#microsoft.graph.orgContact");
}

/*
 * Read one member; *keep says whether it is a person with mail not yet
 * listed. a is filled only then.
 */
static int parse_member(json_object *o, const struct hmap *listed,
			struct cal_address *a, bool *keep, struct dg_err *err)
{
	char *type;
	int rc;

	*keep = false;
	rc = graphjson_str(o, "", "@odata.type", false, &type, err);
	if (rc)
		return rc;
	*keep = is_person(type);
	free(type);
	if (!*keep)
		return 0;
	rc = graphjson_str(o, "", "mail", false, &a->address, err);
	if (!rc)
		rc = graphjson_str(o, "", "displayName", false, &a->name, err);
	*keep = !rc && a->address && !hmap_get(listed, a->address);
	if (!*keep)
		cal_address_release(a);
	return rc;
}

static int members_nomem(struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM, "out of memory reading group members");
}

/*
 * Room in g->members for n more, grown geometrically, and g->listed, the
 * hash set of the addresses already in g (made on the first page, kept
 * with the group), so that a list of 80,000 costs one lookup a member
 * and no rescan of the earlier pages.
 */
static int members_prepare(struct cal_group *g, size_t n, struct dg_err *err)
{
	struct cal_address *v;
	size_t want = g->nmembers + n, alloc = g->members_alloc;

	if (want > alloc) {
		alloc = alloc ? alloc : 16;
		while (alloc < want)
			alloc *= 2;
		v = realloc(g->members, alloc * sizeof(*v));
		if (!v)
			return members_nomem(err);
		g->members = v;
		g->members_alloc = alloc;
	}
	if (g->listed)
		return 0;
	g->listed = malloc(sizeof(*g->listed));
	if (!g->listed)
		return members_nomem(err);
	hmap_init(g->listed, HMAP_NOCASE);
	for (size_t i = 0; i < g->nmembers; i++)
		if (hmap_put(g->listed, g->members[i].address,
			     g->members[i].address, NULL))
			return members_nomem(err);
	return 0;
}

/* Add a to g->members (room was made) and to g->listed. */
static int add_member(struct cal_group *g, struct cal_address *a,
		      struct dg_err *err)
{
	g->members[g->nmembers++] = *a;
	if (hmap_put(g->listed, a->address, a->address, NULL))
		return members_nomem(err);
	return 0;
}

/*
 * Back to the first n members. The set is dropped (it would hold keys of
 * the freed ones); the next page makes it again.
 */
static void members_truncate(struct cal_group *g, size_t n)
{
	if (g->listed) {
		hmap_release(g->listed);
		free(g->listed);
		g->listed = NULL;
	}
	while (g->nmembers > n)
		cal_address_release(&g->members[--g->nmembers]);
}

static int members_of(json_object *root, struct cal_group *g,
		      char **next_link, struct dg_err *err)
{
	json_object *value, *item;
	size_t i, n0 = g->nmembers;
	int rc;

	rc = graphjson_page(root, &value, next_link, err);
	if (rc)
		return rc;
	rc = members_prepare(g, json_object_array_length(value), err);
	for (i = 0; !rc && i < json_object_array_length(value); i++) {
		struct cal_address a = { 0 };
		bool keep;

		rc = graphjson_item(value, i, "member", &item, err);
		if (!rc)
			rc = parse_member(item, g->listed, &a, &keep, err);
		if (rc) {
			graphjson_item_error(err, "member", i, item, "id");
			break;
		}
		if (keep)
			rc = add_member(g, &a, err);
	}
	if (rc) {
		members_truncate(g, n0);
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

int graphjson_members_page(const char *json, size_t len, struct cal_group *g,
			   char **next_link, struct dg_err *err)
{
	json_object *root;
	int rc;

	*next_link = NULL;
	rc = graphjson_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = members_of(root, g, next_link, err);
	json_object_put(root);
	return rc;
}

int graphjson_members_page_value(const struct graphjson_value *v,
				 struct cal_group *g, char **next_link,
				 struct dg_err *err)
{
	json_object *root;
	int rc;

	*next_link = NULL;
	rc = graphjson_value_root(v, &root, err);
	if (!rc)
		rc = members_of(root, g, next_link, err);
	json_object_put(root);
	return rc;
}
