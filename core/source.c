#include "source.h"
#include "fixtures.h"
#include "logging.h"

#include <stdlib.h>
#include <string.h>

struct source {
	const struct source_ops *ops;
	void *impl;
};

int source_new(const struct source_ops *ops, void *impl,
	       struct source **out, struct dg_err *err)
{
	struct source *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s) {
		ops->close(impl);
		return dg_errf(err, DG_ENOMEM, "out of memory opening the "
			       "%s source", ops->kind);
	}
	s->ops = ops;
	s->impl = impl;
	*out = s;
	return 0;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	s->ops->close(s->impl);
	free(s);
}

/* Users without mail have no mailbox to read and no one to mail to. */
static void drop_mailless(struct cal_user_list *list, size_t from)
{
	size_t i, w = from;

	for (i = from; i < list->n; i++) {
		struct cal_user *u = &list->v[i];

		if (u->mail) {
			list->v[w++] = *u;
			continue;
		}
		logging_info("user %s has no mail address: left out",
			     u->user_principal_name ? u->user_principal_name
			     : u->id);
		cal_user_release(u);
	}
	list->n = w;
}

int source_users(struct source *s, struct cal_user_list *out,
		 struct dg_err *err)
{
	size_t n0 = out->n;
	int rc;

	rc = s->ops->users(s->impl, out, err);
	if (!rc)
		drop_mailless(out, n0);
	return rc;
}

int source_mailbox(struct source *s, const struct cal_user *u,
		   struct cal_mailbox *out, struct dg_err *err)
{
	return s->ops->mailbox(s->impl, u, out, err);
}

int source_events(struct source *s, const struct cal_user *u,
		  const char *start_utc, const char *end_utc,
		  struct cal_event_list *out, struct dg_err *err)
{
	if (!start_utc || !*start_utc || !end_utc || !*end_utc)
		return dg_errf(err, DG_EINVAL, "events of %s asked without a "
			       "time window", u->mail ? u->mail
			       : u->id ? u->id : "a user without id");
	return s->ops->events(s->impl, u, start_utc, end_utc, out, err);
}

bool source_prefetches(const struct source *s)
{
	return s->ops->prefetch_mailboxes || s->ops->prefetch_events;
}

int source_prefetch_mailboxes(struct source *s,
			      const struct cal_user *const *users, size_t n,
			      struct dg_err *err)
{
	if (!s->ops->prefetch_mailboxes || !n)
		return 0;
	return s->ops->prefetch_mailboxes(s->impl, users, n, err);
}

int source_prefetch_events(struct source *s, const struct source_window *w,
			   size_t n, struct dg_err *err)
{
	if (!s->ops->prefetch_events || !n)
		return 0;
	return s->ops->prefetch_events(s->impl, w, n, err);
}

int source_group(struct source *s, const char *address,
		 struct cal_group *out, struct dg_err *err)
{
	if (!address || !*address)
		return dg_errf(err, DG_EINVAL, "no address to look up as a "
			       "group");
	return s->ops->group(s->impl, address, out, err);
}

/* ---- the fixtures kind --------------------------------------------- */

static int fx_users(void *impl, struct cal_user_list *out,
		    struct dg_err *err)
{
	return fixtures_users(impl, out, err);
}

static int fx_mailbox(void *impl, const struct cal_user *u,
		      struct cal_mailbox *out, struct dg_err *err)
{
	return fixtures_mailbox(impl, u, out, err);
}

/* A recording is a recording: the window is not applied again. */
static int fx_events(void *impl, const struct cal_user *u,
		     const char *start_utc, const char *end_utc,
		     struct cal_event_list *out, struct dg_err *err)
{
	return fixtures_events(impl, u, out, err);
}

static int fx_group(void *impl, const char *address, struct cal_group *out,
		    struct dg_err *err)
{
	return fixtures_group(impl, address, out, err);
}

static void fx_close(void *impl)
{
	fixtures_close(impl);
}

static const struct source_ops fixtures_ops = {
	.kind = "fixtures",
	.users = fx_users,
	.mailbox = fx_mailbox,
	.events = fx_events,
	.group = fx_group,
	.close = fx_close,
};

int source_open_fixtures(const char *dir, struct source **out,
			 struct dg_err *err)
{
	struct fixtures *fx;
	int rc;

	*out = NULL;
	rc = fixtures_open(dir, &fx, err);
	if (rc)
		return rc;
	return source_new(&fixtures_ops, fx, out, err);
}
