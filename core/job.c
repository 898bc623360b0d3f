#include "job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "calendar.h"
#include "logging.h"
#include "match.h"
#include "mbox.h"
#include "mime.h"
#include "plan.h"
#include "render.h"
#include "roster.h"
#include "source.h"
#include "store.h"

/* Everything a run opens once and shares between users. */
struct job_ctx {
	const struct job_opts *o;
	struct store *store;
	struct roster roster;
	struct source *source;
	struct cal_user_list users;
	struct render_engine *engine;
	/* Lists resolved this run, and addresses known to be no list. */
	struct cal_group *groups;
	size_t ngroups, groups_alloc;
	char **not_groups;
	size_t nnot_groups, not_groups_alloc;
};

/* One user's digest on its way through the flow. */
struct job_user {
	const struct cal_user *user;
	struct cal_mailbox mailbox;
	struct plan_target target;
	struct cal_event_list events;
	struct plan_day day;
	bool have_day;
	struct match_list *attendees; /* day.n of them */
	const struct roster_person *self;
	const char *skip_reason;
};

static void job_user_release(struct job_user *ju)
{
	if (ju->attendees)
		for (size_t i = 0; i < ju->day.n; i++)
			match_list_release(&ju->attendees[i]);
	free(ju->attendees);
	if (ju->have_day)
		plan_day_release(&ju->day);
	cal_event_list_release(&ju->events);
	plan_target_release(&ju->target);
	cal_mailbox_release(&ju->mailbox);
}

static void job_ctx_release(struct job_ctx *c)
{
	for (size_t i = 0; i < c->ngroups; i++)
		cal_group_release(&c->groups[i]);
	free(c->groups);
	for (size_t i = 0; i < c->nnot_groups; i++)
		free(c->not_groups[i]);
	free(c->not_groups);
	render_close(c->engine);
	cal_user_list_release(&c->users);
	source_close(c->source);
	roster_release(&c->roster);
	store_close(c->store);
}

/*
 * Import the configured roster file when its content changed since the
 * last import, so that editing the file is all an operator has to do.
 */
static int sync_roster_file(struct job_ctx *c, struct dg_err *err)
{
	const char *path = c->o->cfg->roster.file;
	unsigned char hash[crypto_generichash_BYTES];
	char hex[sizeof(hash) * 2 + 1];
	struct strbuf text = STRBUF_INIT;
	char *seen = NULL;
	size_t n;
	int rc;

	if (!path)
		return 0;
	if (strbuf_read_file(&text, path)) {
		rc = dg_errf(err, DG_EINVAL, "[roster] file %s: %s", path,
			     strerror(errno));
		strbuf_release(&text);
		return rc;
	}
	crypto_generichash(hash, sizeof(hash), (unsigned char *)text.buf,
			   text.len, NULL, 0);
	strbuf_release(&text);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	if (!store_meta_get(c->store, "roster.hash", &seen, err) &&
	    !strcmp(seen, hex)) {
		free(seen);
		return 0;
	}
	free(seen);
	rc = roster_import(c->store, path, &n, err);
	if (rc)
		return rc == DG_ENOMEM ? rc : DG_EINVAL;
	return 0;
}

static int open_source(struct job_ctx *c, struct dg_err *err)
{
	const struct config *cfg = c->o->cfg;

	if (cfg->source.kind == CONFIG_SOURCE_GRAPH)
		return source_open_graph(cfg, c->store, c->o->jobs,
					 c->o->progress, c->o->progress_ctx,
					 &c->source, err);
	return source_open_fixtures(cfg->source.path, &c->source, err);
}

static int job_ctx_open(struct job_ctx *c, const struct job_opts *o,
			struct dg_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->o = o;
	if (sodium_init() < 0)
		return dg_errf(err, DG_EINTERNAL, "libsodium failed to start");
	rc = store_open(o->cfg->store.path, &c->store, err);
	if (!rc)
		rc = sync_roster_file(c, err);
	if (!rc)
		rc = store_roster_load(c->store, &c->roster, err);
	if (!rc)
		rc = render_open(o->cfg->digest.templates,
				 o->cfg->digest.subject, &c->engine, err);
	if (!rc)
		rc = open_source(c, err);
	if (!rc)
		rc = source_users(c->source, &c->users, err);
	return rc;
}

static bool is_not_group(const struct job_ctx *c, const char *address)
{
	for (size_t i = 0; i < c->nnot_groups; i++)
		if (!strcasecmp(c->not_groups[i], address))
			return true;
	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i].mail &&
		    !strcasecmp(c->groups[i].mail, address))
			return true;
	return false;
}

static int remember_not_group(struct job_ctx *c, const char *address)
{
	char *dup;

	if (c->nnot_groups == c->not_groups_alloc) {
		size_t cap = c->not_groups_alloc ? c->not_groups_alloc * 2 : 16;
		char **v = realloc(c->not_groups, cap * sizeof(*v));

		if (!v)
			return DG_ENOMEM;
		c->not_groups = v;
		c->not_groups_alloc = cap;
	}
	dup = strdup(address);
	if (!dup)
		return DG_ENOMEM;
	c->not_groups[c->nnot_groups++] = dup;
	return 0;
}

/* Ask the source whether address is a list; cache the answer. */
static int resolve_group(struct job_ctx *c, const char *address,
			 struct dg_err *err)
{
	struct cal_group g;
	int rc;

	if (is_not_group(c, address))
		return 0;
	memset(&g, 0, sizeof(g));
	rc = source_group(c->source, address, &g, err);
	if (rc == DG_ENOTFOUND) {
		cal_group_release(&g);
		return remember_not_group(c, address);
	}
	if (rc) {
		cal_group_release(&g);
		return rc;
	}
	if (c->ngroups == c->groups_alloc) {
		size_t cap = c->groups_alloc ? c->groups_alloc * 2 : 8;
		struct cal_group *v = realloc(c->groups, cap * sizeof(*v));

		if (!v) {
			cal_group_release(&g);
			return DG_ENOMEM;
		}
		c->groups = v;
		c->groups_alloc = cap;
	}
	c->groups[c->ngroups++] = g;
	return 0;
}

static struct match_directory directory(const struct job_ctx *c)
{
	struct match_directory d = {
		.roster = &c->roster,
		.users = &c->users,
		.groups = c->groups,
		.ngroups = c->ngroups,
	};
	return d;
}

/* Resolve the lists among the attendees of the day's meetings. */
static int resolve_groups(struct job_ctx *c, struct job_user *ju,
			  struct dg_err *err)
{
	for (size_t i = 0; i < ju->day.n; i++) {
		const struct plan_meeting *m = &ju->day.meetings[i];

		if (m->is_private)
			continue;
		for (size_t j = 0; j < m->event->nattendees; j++) {
			const struct cal_attendee *a = &m->event->attendees[j];
			struct match_directory d = directory(c);
			int rc;

			if (a->type == CAL_ATTENDEE_RESOURCE ||
			    !a->who.address ||
			    match_is_self(ju->user, a->who.address) ||
			    match_is_known(&d, a->who.address))
				continue;
			rc = resolve_group(c, a->who.address, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int match_day(struct job_ctx *c, struct job_user *ju,
		     struct dg_err *err)
{
	struct match_directory d;
	int rc = resolve_groups(c, ju, err);

	if (rc)
		return rc;
	d = directory(c);
	ju->attendees = calloc(ju->day.n ? ju->day.n : 1,
			       sizeof(*ju->attendees));
	if (!ju->attendees)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	for (size_t i = 0; i < ju->day.n; i++) {
		const struct plan_meeting *m = &ju->day.meetings[i];

		/* A private meeting's people are nobody else's business. */
		if (m->is_private)
			continue;
		rc = match_event(&d, ju->user, m->event, &ju->attendees[i],
				 err);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Take one user from source to a matched day. Returns 0 with
 * ju->skip_reason set when the user gets no digest, for a reason.
 */
static int build_user(struct job_ctx *c, const struct cal_user *u,
		      struct job_user *ju, struct dg_err *err)
{
	const struct job_opts *o = c->o;
	const char *via;
	struct match_directory d = directory(c);
	int rc;

	ju->user = u;
	ju->self = match_person(&d, u->mail, &via);
	rc = source_mailbox(c->source, u, &ju->mailbox, err);
	if (!rc)
		rc = plan_target(&ju->mailbox, u->mail, o->now_ms, o->date,
				 o->cfg->digest.locale,
				 ju->self && ju->self->opt_out, &ju->target,
				 err);
	if (rc)
		return rc;
	if (ju->target.skip_reason) {
		ju->skip_reason = ju->target.skip_reason;
		return 0;
	}
	rc = source_events(c->source, u, ju->target.fetch_start,
			   ju->target.fetch_end, &ju->events, err);
	if (!rc)
		rc = plan_day(&ju->target, &ju->events, &ju->day, err);
	if (rc)
		return rc;
	ju->have_day = true;
	if (ju->day.skip_reason) {
		ju->skip_reason = ju->day.skip_reason;
		return 0;
	}
	return match_day(c, ju, err);
}

static struct render_input render_input_of(const struct job_ctx *c,
					   const struct job_user *ju)
{
	struct render_input in = {
		.user = ju->user,
		.target = &ju->target,
		.day = ju->have_day && !ju->skip_reason ? &ju->day : NULL,
		.attendees = ju->attendees,
		.self = ju->self,
		.unsubscribe_url = NULL,
	};
	(void)c;
	return in;
}

/* Render and wrap one user's digest into a MIME message. */
static int build_message(struct job_ctx *c, struct job_user *ju,
			 struct strbuf *msg, struct dg_err *err)
{
	const struct config *cfg = c->o->cfg;
	struct render_output r = RENDER_OUTPUT_INIT;
	struct render_input in = render_input_of(c, ju);
	struct strbuf id = STRBUF_INIT;
	struct mime_message m;
	int rc;

	rc = render_digest(c->engine, &in, &r, err);
	if (!rc)
		rc = mime_message_id(ju->user->mail, ju->target.date, 1,
				     cfg->digest.from, &id, err);
	if (!rc) {
		memset(&m, 0, sizeof(m));
		m.from = cfg->digest.from;
		m.to_name = ju->user->display_name;
		m.to_address = ju->user->mail;
		m.subject = r.subject.buf;
		m.text = r.text.buf;
		m.html = r.html.buf;
		m.date = c->o->now_ms / 1000;
		m.message_id = id.buf;
		rc = mime_build(&m, msg, err);
	}
	strbuf_release(&id);
	render_output_release(&r);
	return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The address of "Name <addr>", for the mbox From_ line. */
static void envelope_of(const char *from, struct strbuf *out)
{
	const char *lt = strrchr(from, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	int rc;

	if (lt && gt)
		rc = strbuf_add(out, lt + 1, (size_t)(gt - lt - 1));
	else
		rc = strbuf_addstr(out, from);
	if (rc)
		strbuf_reset(out);
}

static int deliver_stdout(struct job_ctx *c, struct job_user *ju,
			  const struct strbuf *msg, struct dg_err *err)
{
	struct strbuf box = STRBUF_INIT, sender = STRBUF_INIT;
	int rc;

	envelope_of(c->o->cfg->digest.from, &sender);
	rc = mbox_append(&box, sender.len ? sender.buf : "digest",
			 c->o->now_ms / 1000, msg->buf, msg->len, err);
	if (!rc && write_all(c->o->out_fd, box.buf, box.len))
		rc = dg_errf(err, DG_EIO, "cannot write %s's digest: %s",
			     ju->user->mail, strerror(errno));
	strbuf_release(&box);
	strbuf_release(&sender);
	return rc;
}

static int deliver(struct job_ctx *c, struct job_user *ju,
		   const struct strbuf *msg, struct dg_err *err)
{
	switch (c->o->cfg->delivery.kind) {
	case CONFIG_DELIVERY_STDOUT:
		return deliver_stdout(c, ju, msg, err);
	default:
		return dg_errf(err, DG_EINVAL,
			       "[delivery] kind smtp and maildir are not "
			       "implemented yet; use \"stdout\"");
	}
}

static int run_user(struct job_ctx *c, const struct cal_user *u,
		    struct job_summary *sum)
{
	struct dg_err err = DG_ERR_INIT;
	struct strbuf msg = STRBUF_INIT;
	struct job_user ju;
	int rc;

	memset(&ju, 0, sizeof(ju));
	rc = build_user(c, u, &ju, &err);
	if (!rc && ju.skip_reason) {
		logging_info("%s %s: skipped (%s)", u->mail, ju.target.date,
			     ju.skip_reason);
		sum->skipped++;
		goto out;
	}
	if (!rc)
		rc = build_message(c, &ju, &msg, &err);
	if (!rc && !c->o->dry_run)
		rc = deliver(c, &ju, &msg, &err);
	if (rc) {
		logging_error("%s: failed: %s", u->mail, err.msg);
		sum->failed++;
	} else {
		logging_info("%s %s: %s (%zu meetings)", u->mail,
			     ju.target.date,
			     c->o->dry_run ? "ready (dry run)" : "sent",
			     ju.day.n);
		sum->sent++;
	}
out:
	strbuf_release(&msg);
	job_user_release(&ju);
	return rc;
}

static bool selected(const struct job_opts *o, const struct cal_user *u)
{
	if (!o->users)
		return true;
	for (size_t i = 0; i < o->nusers; i++)
		if (match_is_self(u, o->users[i]))
			return true;
	return false;
}

/* A --user that names nobody in the tenant is a failure, not silence. */
static size_t unknown_users(const struct job_ctx *c)
{
	size_t n = 0;

	for (size_t i = 0; c->o->users && i < c->o->nusers; i++) {
		bool found = false;

		for (size_t j = 0; j < c->users.n && !found; j++)
			found = match_is_self(&c->users.v[j], c->o->users[i]);
		if (!found) {
			logging_error("%s: failed: no such user in the "
				      "tenant",
				      c->o->users[i]);
			n++;
		}
	}
	return n;
}

/*
 * The target of u as build_user() will find it, computed ahead only to
 * know which window of events to fetch. Quiet: the per-user loop repeats
 * it and says whatever there is to say, in its place.
 */
static bool plan_ahead(struct job_ctx *c, const struct cal_user *u,
		       struct plan_target *t)
{
	struct match_directory d = directory(c);
	struct cal_mailbox mb = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const struct roster_person *self;
	const char *via;
	logging_fn *fn;
	void *fn_ctx;
	int rc;

	logging_get_routine(&fn, &fn_ctx);
	logging_set_routine(NULL, NULL);
	self = match_person(&d, u->mail, &via);
	rc = source_mailbox(c->source, u, &mb, &err);
	if (!rc)
		rc = plan_target(&mb, u->mail, c->o->now_ms, c->o->date,
				 c->o->cfg->digest.locale,
				 self && self->opt_out, t, &err);
	cal_mailbox_release(&mb);
	logging_set_routine(fn, fn_ctx);
	return !rc && !t->skip_reason;
}

/*
 * Let the source fetch for all selected users at once (graph batches and
 * parallelises): their mailbox settings, then the events of those who
 * will get a digest. Only a failure of the whole source is returned; a
 * user's own failure waits for run_user().
 */
static int prefetch(struct job_ctx *c, struct dg_err *err)
{
	size_t n = 0, nw = 0, cap = c->users.n ? c->users.n : 1;
	const struct cal_user **users;
	struct plan_target *t;
	struct source_window *w;
	int rc;

	if (!source_prefetches(c->source))
		return 0;
	users = calloc(cap, sizeof(*users));
	t = calloc(cap, sizeof(*t));
	w = calloc(cap, sizeof(*w));
	rc = users && t && w ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < c->users.n; i++)
		if (selected(c->o, &c->users.v[i]))
			users[n++] = &c->users.v[i];
	if (!rc)
		rc = source_prefetch_mailboxes(c->source, users, n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!plan_ahead(c, users[i], &t[nw])) {
			plan_target_release(&t[nw]);
			continue;
		}
		w[nw].user = users[i];
		w[nw].start_utc = t[nw].fetch_start;
		w[nw].end_utc = t[nw].fetch_end;
		nw++;
	}
	if (!rc)
		rc = source_prefetch_events(c->source, w, nw, err);
	for (size_t i = 0; t && i < nw; i++)
		plan_target_release(&t[i]);
	free(users);
	free(t);
	free(w);
	return rc;
}

int job_run(const struct job_opts *o, struct job_summary *sum,
	    struct dg_err *err)
{
	struct job_ctx c;
	int rc;

	memset(sum, 0, sizeof(*sum));
	rc = job_ctx_open(&c, o, err);
	if (rc) {
		job_ctx_release(&c);
		return rc;
	}
	sum->failed += unknown_users(&c);
	rc = prefetch(&c, err);
	if (rc) {
		job_ctx_release(&c);
		return rc;
	}
	for (size_t i = 0; i < c.users.n; i++)
		if (selected(o, &c.users.v[i]))
			run_user(&c, &c.users.v[i], sum);
	job_ctx_release(&c);
	return sum->failed ? DG_ETEMP : 0;
}

static const struct cal_user *find_user(const struct job_ctx *c,
					const char *address)
{
	for (size_t i = 0; i < c->users.n; i++)
		if (match_is_self(&c->users.v[i], address))
			return &c->users.v[i];
	return NULL;
}

static int preview_user(struct job_ctx *c, const struct cal_user *u,
			enum job_format format, struct strbuf *out,
			struct dg_err *err)
{
	struct render_output r = RENDER_OUTPUT_INIT;
	struct render_input in;
	struct job_user ju;
	int rc;

	memset(&ju, 0, sizeof(ju));
	rc = build_user(c, u, &ju, err);
	in = render_input_of(c, &ju);
	if (rc)
		goto out;
	if (format == JOB_FORMAT_JSON) {
		rc = render_json(c->engine, &in, out, err);
	} else if (ju.skip_reason) {
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s gets no digest on %s: %s", u->mail,
			     ju.target.date, ju.skip_reason);
	} else if (format == JOB_FORMAT_MIME) {
		rc = build_message(c, &ju, out, err);
	} else {
		rc = render_digest(c->engine, &in, &r, err);
		if (!rc)
			rc = strbuf_addbuf(out, format == JOB_FORMAT_HTML ?
							&r.html :
							&r.text);
	}
out:
	render_output_release(&r);
	job_user_release(&ju);
	return rc;
}

int job_preview(const struct job_opts *o, const char *user,
		enum job_format format, struct strbuf *out, struct dg_err *err)
{
	const struct cal_user *u;
	struct job_ctx c;
	int rc;

	rc = job_ctx_open(&c, o, err);
	if (!rc) {
		u = find_user(&c, user);
		if (!u)
			rc = dg_errf(err, DG_ENOTFOUND,
				     "%s is no user of the tenant", user);
		else
			rc = preview_user(&c, u, format, out, err);
	}
	job_ctx_release(&c);
	return rc;
}
