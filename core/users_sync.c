#include "users_sync.h"

#include "auth.h"
#include "graph.h"
#include "graphjson.h"
#include "strbuf.h"
#include "users.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define USER_FIELDS                                                     \
	"id,mail,displayName,givenName,surname,userPrincipalName,"      \
	"proxyAddresses"

struct sync {
	const struct config *cfg;
	struct graph *g;
	source_progress_fn *progress;
	void *progress_ctx;
	struct cal_user_list users;
};

static void report(struct sync *s)
{
	struct graph_stats gs;
	struct source_progress p = {.stage = "users"};

	if (!s->progress)
		return;
	graph_get_stats(s->g, &gs);
	p.done = s->users.n;
	p.requests = gs.requests;
	p.throttled = gs.throttled;
	s->progress(&p, s->progress_ctx);
}

/* A group id is a GUID: 8-4-4-4-12 hex digits. */
static bool is_guid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	for (i = 0; shape[i]; i++)
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i])
				    : s[i] != '-')
			return false;
	return !s[i];
}

/* The id of [graph] group: given, or looked up by mail or name. */
static int group_id(struct sync *s, char **id, struct dg_err *err)
{
	const char *name = s->cfg->graph.group;
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	struct cal_group g = {0};
	char *next = NULL;
	size_t matches = 0;
	int rc;

	if (is_guid(name)) {
		*id = strdup(name);
		return *id ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");
	}
	rc = graph_groups_where(strchr(name, '@') ? "mail" : "displayName",
				name, &url);
	if (rc)
		return dg_errf(err, rc, "out of memory");
	do {
		strbuf_reset(&body);
		rc = graph_get(s->g, 0, next ? next : url.buf, NULL, &body,
			       err);
		free(next);
		next = NULL;
		if (!rc)
			rc = graphjson_group_named(body.buf, body.len, name, &g,
						   &matches, &next, err);
	} while (!rc && next);
	strbuf_release(&url);
	strbuf_release(&body);
	if (!rc && !matches)
		rc = dg_errf(err, DG_ENOTFOUND,
			     "[graph] group: no group has "
			     "the mail or name '%s'",
			     name);
	else if (!rc && matches > 1)
		rc = dg_errf(err, DG_EINVAL,
			     "[graph] group: %zu groups have "
			     "the name '%s'; give its mail or id instead",
			     matches, name);
	if (!rc) {
		*id = g.id;
		g.id = NULL;
	}
	cal_group_release(&g);
	return rc;
}

static int first_url(struct sync *s, struct strbuf *url, struct dg_err *err)
{
	char *id = NULL;
	int rc;

	if (!s->cfg->graph.group)
		return strbuf_addstr(url,
				     "/users?$select=" USER_FIELDS "&$top=999")
			       ? dg_errf(err, DG_ENOMEM, "out of memory")
			       : 0;
	rc = group_id(s, &id, err);
	if (rc)
		return rc;
	rc = strbuf_addstr(url, "/groups/");
	if (!rc)
		rc = graph_escape(id, url);
	if (!rc)
		rc = strbuf_addstr(url,
				   "/transitiveMembers?$select=" USER_FIELDS
				   "&$top=999");
	free(id);
	return rc ? dg_errf(err, rc, "out of memory") : 0;
}

/* Every page, nextLink after nextLink. */
static int fetch_all(struct sync *s, struct dg_err *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	char *next = NULL;
	int rc;

	rc = first_url(s, &url, err);
	while (!rc) {
		strbuf_reset(&body);
		rc = graph_get(s->g, 0, next ? next : url.buf, NULL, &body,
			       err);
		free(next);
		next = NULL;
		if (!rc && s->cfg->graph.group)
			rc = graphjson_member_users_page(body.buf, body.len,
							 &s->users, &next, err);
		else if (!rc)
			rc = graphjson_users_page(body.buf, body.len, &s->users,
						  &next, err);
		report(s);
		if (!next)
			break;
	}
	strbuf_release(&url);
	strbuf_release(&body);
	return rc;
}

int users_sync(const struct config *cfg, struct store *st, int64_t now_ms,
	       source_progress_fn *progress, void *progress_ctx, size_t *stored,
	       struct dg_err *err)
{
	struct sync s = {
		.cfg = cfg, .progress = progress, .progress_ctx = progress_ctx};
	struct graph_settings gs;
	struct auth *a = NULL;
	int rc;

	*stored = 0;
	if (cfg->graph.auth != CONFIG_AUTH_APP)
		return dg_errf(err, DG_EINVAL,
			       "%s: users sync is for [graph] "
			       "auth = \"app\"; in delegated mode users join "
			       "with 'digest connect'",
			       cfg->file ? cfg->file : "the config");
	graph_settings_of(cfg, 1, &gs);
	rc = graph_open(&gs, &s.g, err);
	if (!rc)
		rc = auth_open(cfg, st, s.g, &a, err);
	if (!rc)
		rc = auth_check(a, err);
	if (!rc)
		rc = fetch_all(&s, err);
	if (!rc)
		rc = users_replace(st, &s.users, now_ms, stored, err);
	cal_user_list_release(&s.users);
	auth_close(a);
	graph_close(s.g);
	return rc;
}
