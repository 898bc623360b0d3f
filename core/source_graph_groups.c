/*
 * source_graph_groups: the attendee addresses the graph kind of source
 * looks up as distribution lists, and their members.
 *
 * A part of source_graph.c behind source_graph_int.h, apart because it is
 * a fetch of its own: one lookup per address, async like a user's
 * answers but keyed by address, with steps of its own (the group found by
 * mail, then its members page by page) and the rules of when lists are
 * not looked up at all (delegated mode, a 403).
 */
#include "source.h"
#include "graph.h"
#include "graphjson.h"
#include "hmap.h"
#include "logging.h"
#include "source_graph_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- lists: the one lookup, async ------------------------------------ */

/* An attendee address looked up as a list: the one lookup, async. */
enum pre_state { PRE_PENDING, PRE_GROUP, PRE_NOT_GROUP, PRE_FAILED };

struct gpre {
	struct gsrc *src;
	char *address;
	enum pre_state state;
	bool members; /* found: now reading its members */
	bool unreadable; /* not a list we can read (refused, bad query) */
	struct cal_group group;
	int rc;       /* PRE_FAILED, PRE_NOT_GROUP: why */
	char *msg;
};

static void pre_free(struct gpre *p)
{
	if (!p)
		return;
	free(p->address);
	free(p->msg);
	cal_group_release(&p->group);
	free(p);
}

/*
 * A refusal (403: no GroupMember.Read.All) or a query Graph cannot run
 * for this address (400, 404) means we cannot tell a list: the address
 * is taken for a person, and after a 403 nobody is asked about again.
 */
static void no_group(struct gpre *p, int rc, const char *msg)
{
	struct gsrc *s = p->src;

	if (rc == DG_EPERM && !s->groups_refused) {
		s->groups_refused = true;
		logging_warn("lists among attendees are not expanded: %s "
			     "(the app needs GroupMember.Read.All)", msg);
	} else if (rc != DG_EPERM) {
		logging_debug("%s taken for a person: %s", p->address, msg);
	}
	p->unreadable = true;
}

/* p ends: a list, no list, or a failure rc with msg. */
static void pre_end(struct gpre *p, enum pre_state state, int rc,
		    const char *msg)
{
	p->state = state;
	p->rc = rc;
	if (msg && !(p->msg = strdup(msg)))
		p->rc = DG_ENOMEM;
	source_graph_notify(p->src, SOURCE_GROUP, NULL, p->address);
}

static void pre_page(void *arg, const struct graph_result *r);

static void pre_submit(struct gpre *p, const char *url)
{
	struct dg_err err = DG_ERR_INIT;
	struct graph_request rq = {
		.method = "GET",
		.url = url,
		.who = 0,
		.mailbox = -1,
		.batch = true,
		.done = pre_page,
		.arg = p,
	};

	if (graph_submit(p->src->g, &rq, &err))
		pre_end(p, PRE_FAILED, err.code, err.msg);
}

/* The people of a list, through nested lists (transitively). */
static void pre_members(struct gpre *p)
{
	struct strbuf url = STRBUF_INIT;
	int rc = strbuf_addstr(&url, "/groups/");

	if (!rc)
		rc = graph_escape(p->group.id, &url);
	if (!rc)
		rc = strbuf_addstr(&url, "/transitiveMembers?$select=mail,"
					 "displayName");
	if (rc)
		pre_end(p, PRE_FAILED, DG_ENOMEM, "out of memory");
	else
		pre_submit(p, url.buf);
	strbuf_release(&url);
}

/* A failed answer: while finding the list, some mean "not a list". */
static void pre_failed(struct gpre *p, int rc, const char *msg)
{
	if (!p->members &&
	    (rc == DG_EPERM || rc == DG_EINVAL || rc == DG_ENOTFOUND)) {
		no_group(p, rc, msg);
		pre_end(p, PRE_NOT_GROUP, DG_ENOTFOUND, NULL);
		return;
	}
	pre_end(p, PRE_FAILED, rc, msg);
}

/*
 * One answer for p: a page of the lookup by mail until a group is found,
 * then the pages of its members.
 */
static void pre_page(void *arg, const struct graph_result *r)
{
	struct gpre *p = arg;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	bool found = false;
	int rc;

	if (r->rc) {
		pre_failed(p, r->rc, r->msg);
		return;
	}
	if (p->members && r->json)
		rc = graphjson_members_page_value(r->json, &p->group, &next,
						  &err);
	else if (p->members)
		rc = graphjson_members_page(r->body, r->len, &p->group, &next,
					    &err);
	else if (r->json)
		rc = graphjson_group_find_value(r->json, p->address, &p->group,
						&found, &next, &err);
	else
		rc = graphjson_group_find(r->body, r->len, p->address,
					  &p->group, &found, &next, &err);
	if (rc) {
		dg_err_prefix(&err, "%s", r->what);
		pre_failed(p, rc, err.msg);
	} else if (next) {
		pre_submit(p, next);
	} else if (p->members) {
		pre_end(p, PRE_GROUP, 0, NULL);
	} else if (found) {
		p->members = true;
		pre_members(p);
	} else {
		pre_end(p, PRE_NOT_GROUP, DG_ENOTFOUND, NULL);
	}
	free(next);
}

/* Whether lists may be looked up at all; says why not, once. */
static bool groups_readable(struct gsrc *s, const char *address)
{
	/*
	 * A delegated token may only read its own user's things: lists stay
	 * unexpanded, and the operator is told once why.
	 */
	if (s->delegated && !s->groups_refused) {
		logging_warn("delegated mode: attendees unknown to the roster "
			     "(the first: %s) are not looked up as "
			     "distribution lists: reading a list needs "
			     "GroupMember.Read.All, which only app-only mode "
			     "has",
			     address);
		s->groups_refused = true;
	}
	return !s->delegated && !s->groups_refused;
}

/* Start looking address up, unless it is being or was looked up. */
static int pre_ask(struct gsrc *s, const char *address, struct gpre **out,
		   struct dg_err *err)
{
	struct strbuf url = STRBUF_INIT;
	struct gpre *p = hmap_get(&s->pre, address);
	int rc;

	*out = p;
	if (p)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->address = strdup(address)) ||
	    hmap_put(&s->pre, p->address, p, NULL)) {
		pre_free(p);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	p->src = s;
	*out = p;
	if (!groups_readable(s, address)) {
		pre_end(p, PRE_NOT_GROUP, DG_ENOTFOUND,
			"is not looked up as a group");
		return 0;
	}
	rc = graph_groups_where("mail", address, &url);
	if (rc)
		pre_end(p, PRE_FAILED, DG_ENOMEM, "out of memory");
	else
		pre_submit(p, url.buf);
	strbuf_release(&url);
	return 0;
}

int source_graph_ask_group(void *impl, const char *address, struct dg_err *err)
{
	struct gsrc *s = impl;
	struct gpre *p;
	int rc = pre_ask(s, address, &p, err);

	if (!rc && p->state != PRE_PENDING)
		source_graph_notify(s, SOURCE_GROUP, NULL, p->address);
	return rc;
}

/* Hand p's answer out and forget it: the caller keeps answers. */
static int pre_take(struct gsrc *s, struct gpre *p, struct cal_group *out,
		    struct dg_err *err)
{
	int rc = 0;

	if (p->state == PRE_GROUP) {
		*out = p->group;
		memset(&p->group, 0, sizeof(p->group));
	} else if (p->state == PRE_NOT_GROUP) {
		rc = p->msg ? dg_errf(err, DG_ENOTFOUND, "%s %s", p->address,
				      p->msg)
			    : dg_errf(err, DG_ENOTFOUND, "%s is no group%s",
				      p->address,
				      p->unreadable ? " we can read" : "");
	} else {
		rc = dg_errf(err, p->rc ? p->rc : DG_EINTERNAL, "group %s: %s",
			     p->address, p->msg ? p->msg : "out of memory");
	}
	hmap_remove(&s->pre, p->address);
	pre_free(p);
	return rc;
}

int source_graph_group(void *impl, const char *address, struct cal_group *out,
		       struct dg_err *err)
{
	struct gsrc *s = impl;
	struct gpre *p;
	int rc = pre_ask(s, address, &p, err);

	if (!rc && p->state == PRE_PENDING)
		rc = source_graph_run(s, err);
	if (rc)
		return rc;
	return pre_take(s, p, out, err);
}

void source_graph_groups_release(struct gsrc *s)
{
	const struct hmap_entry *e;
	size_t pos = 0;

	while ((e = hmap_next(&s->pre, &pos)))
		pre_free(e->value);
	hmap_release(&s->pre);
}
