#include "users_sync.h"

#include "auth.h"
#include "graph.h"
#include "graphjson.h"
#include "logging.h"
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

/* What group_id() looks for, page after page. */
struct group_named {
	const char *name;
	struct cal_group g;
	size_t matches;
};

static int group_named_page(const char *body, size_t len, void *ctx,
			    char **next, struct dg_err *err)
{
	struct group_named *q = ctx;

	return graphjson_group_named(body, len, q->name, &q->g, &q->matches,
				     next, err);
}

/* The id of [graph] group: given, or looked up by mail or name. */
static int group_id(struct sync *s, char **id, struct dg_err *err)
{
	const char *name = s->cfg->graph.group;
	struct group_named q = {.name = name, .g = {0}, .matches = 0};
	struct strbuf url = STRBUF_INIT;
	int rc;

	if (is_guid(name)) {
		*id = strdup(name);
		return *id ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");
	}
	rc = graph_groups_where(strchr(name, '@') ? "mail" : "displayName",
				name, &url);
	if (rc)
		return dg_errf(err, rc, "out of memory");
	rc = graph_get_pages(s->g, 0, url.buf, group_named_page, &q, err);
	strbuf_release(&url);
	if (!rc && !q.matches)
		rc = dg_errf(err, DG_ENOTFOUND,
			     "[graph] group: no group has "
			     "the mail or name '%s'",
			     name);
	else if (!rc && q.matches > 1)
		rc = dg_errf(err, DG_EINVAL,
			     "[graph] group: %zu groups have "
			     "the name '%s'; give its mail or id instead",
			     q.matches, name);
	if (!rc) {
		*id = q.g.id;
		q.g.id = NULL;
	}
	cal_group_release(&q.g);
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

/* One page of users, or of the group's members; progress hears of it. */
static int users_page(const char *body, size_t len, void *ctx, char **next,
		      struct dg_err *err)
{
	struct sync *s = ctx;
	int rc;

	if (s->cfg->graph.group)
		rc = graphjson_member_users_page(body, len, &s->users, next,
						 err);
	else
		rc = graphjson_users_page(body, len, &s->users, next, err);
	report(s);
	return rc;
}

static int fetch_all(struct sync *s, struct dg_err *err)
{
	struct strbuf url = STRBUF_INIT;
	int rc = first_url(s, &url, err);

	if (!rc)
		rc = graph_get_pages(s->g, 0, url.buf, users_page, s, err);
	strbuf_release(&url);
	return rc;
}

/*
 * A Graph mail value we would store and later print and send to: printable
 * ASCII without blanks, quotes or <>, one '@' with text on both sides, at
 * most 254 characters. Anything else (a CR/LF that would forge log lines,
 * a second address) is no address.
 */
static bool mail_ok(const char *m)
{
	const char *at = strchr(m, '@');
	size_t n = strlen(m);

	if (!at || at == m || !at[1] || strchr(at + 1, '@') || n > 254)
		return false;
	for (const char *p = m; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"<>(),;:\\[]", *p))
			return false;
	return true;
}

/* A user whose mail is no address is kept without one, with a warning. */
static void check_mails(struct cal_user_list *users)
{
	for (size_t i = 0; i < users->n; i++) {
		struct cal_user *u = &users->v[i];

		if (!u->mail || mail_ok(u->mail))
			continue;
		logging_warn("user \"%s\": mail \"%.80s\" is no address; "
			     "stored without one", u->id, u->mail);
		free(u->mail);
		u->mail = NULL;
	}
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
		check_mails(&s.users);
	if (!rc)
		rc = users_replace(st, &s.users, now_ms, stored, err);
	cal_user_list_release(&s.users);
	auth_close(a);
	graph_close(s.g);
	return rc;
}
