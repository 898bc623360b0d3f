#include "source.h"
#include "fixtures.h"
#include "logging.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What a kind answered about one address, kept for the next question. */
struct group_answer {
	char *address;
	int rc;                 /* 0 or DG_ENOTFOUND */
	struct cal_group group; /* rc == 0 */
	char *why;              /* rc == DG_ENOTFOUND: the kind's message */
};

struct source {
	const struct source_ops *ops;
	void *impl;
	struct group_answer *answers;
	size_t nanswers;
	size_t alloc;
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
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nanswers; i++) {
		free(s->answers[i].address);
		cal_group_release(&s->answers[i].group);
		free(s->answers[i].why);
	}
	free(s->answers);
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

static int dup_or_null(const char *from, char **to)
{
	*to = from ? strdup(from) : NULL;
	return from && !*to ? DG_ENOMEM : 0;
}

static int group_copy(const struct cal_group *from, struct cal_group *to)
{
	size_t i;

	memset(to, 0, sizeof(*to));
	if (dup_or_null(from->id, &to->id) ||
	    dup_or_null(from->mail, &to->mail) ||
	    dup_or_null(from->display_name, &to->display_name))
		goto oom;
	if (from->nmembers) {
		to->members = calloc(from->nmembers, sizeof(*to->members));
		if (!to->members)
			goto oom;
	}
	for (i = 0; i < from->nmembers; i++) {
		to->nmembers = i + 1;
		if (dup_or_null(from->members[i].name, &to->members[i].name) ||
		    dup_or_null(from->members[i].address,
				&to->members[i].address))
			goto oom;
	}
	return 0;
oom:
	cal_group_release(to);
	return DG_ENOMEM;
}

static struct group_answer *find_answer(struct source *s, const char *address)
{
	size_t i;

	for (i = 0; i < s->nanswers; i++)
		if (!strcasecmp(s->answers[i].address, address))
			return &s->answers[i];
	return NULL;
}

/*
 * Ask the kind about address and remember a definite answer (a group or
 * DG_ENOTFOUND); other failures are returned and not remembered, so a
 * later question may succeed.
 */
static int ask_group(struct source *s, const char *address,
		     struct group_answer **out, struct dg_err *err)
{
	struct group_answer a = { 0 };
	int rc;

	if (s->nanswers == s->alloc) {
		size_t cap = s->alloc ? s->alloc * 2 : 16;
		struct group_answer *v;

		v = realloc(s->answers, cap * sizeof(*v));
		if (!v)
			return dg_errf(err, DG_ENOMEM, "out of memory");
		s->answers = v;
		s->alloc = cap;
	}
	rc = s->ops->group(s->impl, address, &a.group, err);
	if (rc && rc != DG_ENOTFOUND)
		return rc;
	a.rc = rc;
	a.address = strdup(address);
	if (rc)
		a.why = strdup(err ? err->msg : "not a group");
	if (!a.address || (rc && !a.why)) {
		free(a.address);
		free(a.why);
		cal_group_release(&a.group);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	s->answers[s->nanswers] = a;
	*out = &s->answers[s->nanswers++];
	return 0;
}

int source_group(struct source *s, const char *address,
		 struct cal_group *out, struct dg_err *err)
{
	struct group_answer *a;
	int rc;

	if (!address || !*address)
		return dg_errf(err, DG_EINVAL, "no address to look up as a "
			       "group");
	a = find_answer(s, address);
	if (!a) {
		rc = ask_group(s, address, &a, err);
		if (rc)
			return rc;
	}
	if (a->rc)
		return dg_errf(err, a->rc, "%s", a->why);
	if (group_copy(&a->group, out))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
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
