#include "source.h"
#include "fixtures.h"
#include "logging.h"

#include <stdlib.h>
#include <string.h>

struct source {
	const struct source_ops *ops;
	void *impl;
	source_answer_fn *answer;
	void *answer_ctx;
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

void source_on_answer(struct source *s, source_answer_fn *fn, void *ctx)
{
	s->answer = fn;
	s->answer_ctx = ctx;
	if (s->ops->on_answer)
		s->ops->on_answer(s->impl, fn, ctx);
}

/* A kind that does not fetch ahead: the answer is there when asked. */
static void answered(struct source *s, enum source_what what,
		     const struct cal_user *u, const char *address)
{
	struct source_answer a = { what, u, address };

	if (s->answer)
		s->answer(s->answer_ctx, &a);
}

int source_ask_mailbox(struct source *s, const struct cal_user *u,
		       struct dg_err *err)
{
	if (s->ops->ask_mailbox)
		return s->ops->ask_mailbox(s->impl, u, err);
	answered(s, SOURCE_MAILBOX, u, NULL);
	return 0;
}

int source_ask_events(struct source *s, const struct cal_user *u,
		      const char *start_utc, const char *end_utc,
		      struct dg_err *err)
{
	if (s->ops->ask_events)
		return s->ops->ask_events(s->impl, u, start_utc, end_utc, err);
	answered(s, SOURCE_EVENTS, u, NULL);
	return 0;
}

int source_ask_group(struct source *s, const char *address,
		     struct dg_err *err)
{
	if (s->ops->ask_group)
		return s->ops->ask_group(s->impl, address, err);
	answered(s, SOURCE_GROUP, NULL, address);
	return 0;
}

int source_pump(struct source *s, struct dg_err *err)
{
	return s->ops->pump ? s->ops->pump(s->impl, err) : 0;
}

bool source_busy(const struct source *s)
{
	return s->ops->busy && s->ops->busy(s->impl);
}

void source_wakeup(struct source *s)
{
	if (s->ops->wakeup)
		s->ops->wakeup(s->impl);
}

void source_forget(struct source *s, const struct cal_user *u)
{
	if (s->ops->forget)
		s->ops->forget(s->impl, u);
}

static int wait_all(struct source *s, struct dg_err *err)
{
	int rc = 0;

	while (!rc && source_busy(s))
		rc = source_pump(s, err);
	return rc;
}

int source_prefetch_mailboxes(struct source *s,
			      const struct cal_user *const *users, size_t n,
			      struct dg_err *err)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++)
		rc = source_ask_mailbox(s, users[i], err);
	return rc ? rc : wait_all(s, err);
}

int source_prefetch_events(struct source *s, const struct source_window *w,
			   size_t n, struct dg_err *err)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++)
		rc = source_ask_events(s, w[i].user, w[i].start_utc,
				       w[i].end_utc, err);
	return rc ? rc : wait_all(s, err);
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
