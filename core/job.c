#include "job.h"
#include "job_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "calendar.h"
#include "clock.h"
#include "deliver.h"
#include "directory.h"
#include "hmap.h"
#include "i18n.h"
#include "linktoken.h"
#include "logging.h"
#include "match.h"
#include "mbox.h"
#include "mimehdr.h"
#include "mime.h"
#include "plan.h"
#include "prefs.h"
#include "queue.h"
#include "render.h"
#include "roster.h"
#include "roster_db.h"
#include "roster_import.h"
#include "runlock.h"
#include "source.h"
#include "store.h"
#include "tz.h"
#include "unsubscribe.h"

/* Everything a run opens once and shares between users. */
struct job_ctx {
	const struct job_opts *o;
	struct store *store;
	struct roster roster;
	struct source *source;
	struct cal_user_list users;
	struct render_engine *engine;
	bool queued;              /* smtp or maildir: through the queue */
	struct deliver *deliver;  /* queued delivery */
	struct job_summary *sum;  /* the run's counts, deliver reports in */
	struct runlock *lock;     /* a real run holds the store's lock */
	bool has_unsub_key;
	unsigned char unsub_key[crypto_auth_KEYBYTES];
	struct directory *dir;    /* who addresses are; the lists found */
	struct job_stream *stream; /* job_run(): the users in flight */
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
	struct prefs prefs;      /* the user's own choices (prefs.h) */
	struct strbuf unsub_url; /* this user's one-click link, if any */
	struct strbuf prefs_url; /* and the footer's preferences link */
	enum { AT_MAILBOX, AT_EVENTS, AT_LISTS } stage; /* what it waits for */
	const struct job_opts *opts; /* the run's, for the locale */
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
	strbuf_release(&ju->unsub_url);
	strbuf_release(&ju->prefs_url);
}

static void job_ctx_release(struct job_ctx *c)
{
	directory_close(c->dir);
	render_close(c->engine);
	deliver_close(c->deliver);
	sodium_memzero(c->unsub_key, sizeof(c->unsub_key));
	cal_user_list_release(&c->users);
	source_close(c->source);
	roster_release(&c->roster);
	store_close(c->store);
	runlock_release(c->lock);
}

/* A bad roster file is a configuration error (exit 2), like the config. */
static int roster_file_sync(struct job_ctx *c, struct dg_err *err)
{
	const char *path = c->o->cfg->roster.file;
	int rc = path ? roster_sync(c->store, path, err) : 0;

	return rc && rc != DG_ENOMEM ? DG_EINVAL : rc;
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

/* The key that signs one-click unsubscribe links, when links are on. */
static int load_unsub_key(struct job_ctx *c, struct dg_err *err)
{
	const struct config *cfg = c->o->cfg;
	int rc;

	if (!cfg->digest.unsubscribe_url)
		return 0;
	rc = unsubscribe_key_read(&cfg->digest.unsubscribe_key,
				  "[digest] unsubscribe key", c->unsub_key,
				  err);
	c->has_unsub_key = !rc;
	return rc;
}

static void delivered(const struct deliver_report *r, void *ctx);
static bool selected_row(const struct queue_msg *m, void *ctx);

static int open_deliver(struct job_ctx *c, struct dg_err *err)
{
	struct deliver_opts d = {
		.now_ms = c->o->now_ms,
		.stop = c->o->stop,
		.want = selected_row,
		.report = delivered,
		.ctx = c,
	};

	return deliver_open(c->o->cfg, c->store, &d, &c->deliver, err);
}

/* The run's address book over the roster and the users, with the caps. */
static int open_directory(struct job_ctx *c, struct dg_err *err)
{
	const struct config *cfg = c->o->cfg;
	struct directory_limits lim = {
		.per_run = (size_t)cfg->digest.max_list_lookups,
		.per_meeting = (size_t)cfg->digest.max_list_lookups_per_meeting,
	};

	return directory_open(&c->roster, &c->users, c->source, &lim,
			      &c->dir, err);
}

/*
 * A person's own choice of profile (prefs) wins over the roster's column:
 * hidden, they are shown as anyone without a profile. One pass per person
 * with choices: few people have any.
 */
static int profile_choice(const char *address, const struct prefs *p,
			  void *ctx)
{
	struct roster *r = ctx;

	if (p->profile == PREFS_PROFILE_ROSTER)
		return 0;
	for (size_t i = 0; i < r->n; i++)
		if (!strcasecmp(r->v[i].email, address))
			r->v[i].hidden = p->profile == PREFS_PROFILE_HIDDEN;
	return 0;
}

/*
 * Open what a run shares. deliver: a real run (not a preview, not a dry
 * run), which takes the store's lock and prepares delivery.
 */
static int job_ctx_open(struct job_ctx *c, const struct job_opts *o,
			bool deliver, struct dg_err *err)
{
	const struct config *cfg = o->cfg;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->queued = deliver && cfg->delivery.kind != CONFIG_DELIVERY_STDOUT;
	if (sodium_init() < 0)
		return dg_errf(err, DG_EINTERNAL, "libsodium failed to start");
	if (deliver)
		rc = runlock_acquire(cfg->store.path, &c->lock, NULL, err);
	if (!rc)
		rc = store_open(cfg->store.path, &c->store, err);
	if (!rc)
		rc = roster_file_sync(c, err);
	if (!rc)
		rc = roster_db_load(c->store, &c->roster, err);
	if (!rc)
		rc = prefs_each(c->store, profile_choice, &c->roster, err);
	if (!rc)
		rc = render_open(cfg->digest.templates, cfg->digest.subject,
				 &c->engine, err);
	if (!rc)
		render_set_meeting_hosts(
			c->engine, (const char *const *)cfg->digest.meeting_hosts);
	if (!rc)
		rc = load_unsub_key(c, err);
	if (!rc && c->queued)
		rc = open_deliver(c, err);
	if (!rc)
		rc = open_source(c, err);
	if (!rc)
		rc = source_users(c->source, &c->users, err);
	if (!rc)
		rc = open_directory(c, err);
	return rc;
}

/* Resolve the lists among the attendees of the day's meetings. */
static int resolve_groups(struct job_ctx *c, struct job_user *ju,
			  struct dg_err *err)
{
	for (size_t i = 0; i < ju->day.n; i++) {
		const struct plan_meeting *m = &ju->day.meetings[i];
		int rc;

		if (m->is_private)
			continue;
		rc = directory_resolve(c->dir, ju->user, m->event, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int match_day(struct job_ctx *c, struct job_user *ju,
		     struct dg_err *err)
{
	int rc = resolve_groups(c, ju, err);

	if (rc)
		return rc;
	ju->attendees = calloc(ju->day.n ? ju->day.n : 1,
			       sizeof(*ju->attendees));
	if (!ju->attendees)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	for (size_t i = 0; i < ju->day.n; i++) {
		const struct plan_meeting *m = &ju->day.meetings[i];

		/* A private meeting's people are nobody else's business. */
		if (m->is_private)
			continue;
		rc = match_event(c->dir, ju->user, m->event,
				 &ju->attendees[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Whether the user opted out: in the roster, or by a one-click link. */
static int opted_out(struct job_ctx *c, const struct job_user *ju, bool *out,
		     struct dg_err *err)
{
	*out = ju->self && (ju->self->opt_out || ju->self->no_digest);
	if (*out)
		return 0;
	return unsubscribe_is_opted_out(c->store, ju->user->mail, out, err);
}

/*
 * The user's target day, or the reason they get no digest. Returns 0
 * with ju->skip_reason set when there is none, for a reason.
 */
static int build_target(struct job_ctx *c, const struct cal_user *u,
			struct job_user *ju, struct dg_err *err)
{
	const struct job_opts *o = c->o;
	const char *via;
	bool out = false;
	int rc;

	ju->user = u;
	ju->opts = o;
	ju->self = directory_person(c->dir, u->mail, &via);
	rc = opted_out(c, ju, &out, err);
	if (!rc)
		rc = source_mailbox(c->source, u, &ju->mailbox, err);
	if (!rc) {
		struct plan_opts po = {
			.now_ms = o->now_ms,
			.date = o->date,
			.covers = o->cfg->digest.covers == CONFIG_COVERS_TODAY
					  ? PLAN_COVERS_TODAY
					  : PLAN_COVERS_NEXT_WORKING_DAY,
			.default_locale = o->cfg->digest.locale,
			.default_zone = o->cfg->digest.timezone,
			.opted_out = out,
		};

		rc = plan_target(&ju->mailbox, u->mail, &po, &ju->target, err);
	}
	if (!rc)
		rc = prefs_get(c->store, u->mail, &ju->prefs, err);
	/* the digest model says why too: the target carries the reason */
	if (!rc)
		ju->target.skip_reason = prefs_decide(
			ju->target.skip_reason, &ju->prefs, ju->target.date,
			ju->target.weekday);
	if (!rc)
		ju->skip_reason = ju->target.skip_reason;
	return rc;
}

/* The target day's meetings (not matched yet); or no_meetings. */
static int build_day(struct job_ctx *c, struct job_user *ju,
		     struct dg_err *err)
{
	int rc = source_events(c->source, ju->user, ju->target.fetch_start,
			       ju->target.fetch_end, &ju->events, err);

	if (!rc)
		rc = plan_day(&ju->target, &ju->events, &ju->day, err);
	if (rc)
		return rc;
	ju->have_day = true;
	ju->skip_reason = ju->day.skip_reason;
	return 0;
}

/*
 * The day's people, matched; then whether the day is worth a digest by
 * [digest] send_when (ju->skip_reason says why not).
 */
static int weigh_day(struct job_ctx *c, struct job_user *ju,
		     struct dg_err *err)
{
	int rc = match_day(c, ju, err);

	if (!rc)
		ju->skip_reason = plan_relevance(
			&ju->day, ju->attendees,
			c->o->cfg->digest.send_when == CONFIG_SEND_MEETINGS
				? PLAN_SEND_MEETINGS
				: PLAN_SEND_PROFILES);
	return rc;
}

/* Take one user from source to a matched day (or a reason for none). */
static int build_user(struct job_ctx *c, const struct cal_user *u,
		      struct job_user *ju, struct dg_err *err)
{
	int rc = build_target(c, u, ju, err);

	if (rc || ju->skip_reason)
		return rc;
	rc = build_day(c, ju, err);
	if (rc || ju->skip_reason)
		return rc;
	return weigh_day(c, ju, err);
}

static void job_user_init(struct job_user *ju)
{
	memset(ju, 0, sizeof(*ju));
	strbuf_init(&ju->unsub_url, 0);
	strbuf_init(&ju->prefs_url, 0);
}

/* One of the user's links: [digest] unsubscribe_url with a token. */
static int link_of(struct job_ctx *c, struct job_user *ju,
		   enum linktoken_purpose purpose, int days, struct strbuf *url,
		   struct dg_err *err)
{
	int64_t expires = c->o->now_ms / 1000 + (int64_t)days * 86400;
	struct strbuf token = STRBUF_INIT;
	int rc = linktoken_seal(c->unsub_key, purpose, ju->user->mail,
				expires, &token, err);

	if (!rc)
		rc = unsubscribe_url(c->o->cfg->digest.unsubscribe_url,
				     token.buf, url, err);
	strbuf_release(&token);
	return rc;
}

/* The user's one-click unsubscribe and preferences links, when on. */
static int unsub_link(struct job_ctx *c, struct job_user *ju,
		      struct dg_err *err)
{
	int rc;

	if (!c->has_unsub_key || ju->unsub_url.len)
		return 0;
	rc = link_of(c, ju, LINKTOKEN_UNSUBSCRIBE, LINKTOKEN_UNSUBSCRIBE_DAYS,
		     &ju->unsub_url, err);
	return rc ? rc
		  : link_of(c, ju, LINKTOKEN_PREFS, LINKTOKEN_PREFS_DAYS,
			    &ju->prefs_url, err);
}

/*
 * The reader's locale: preview --locale, else the reader's own preference
 * (digest prefs, the preferences page), else the mailbox's, else [digest]
 * locale.
 */
static const char *reader_locale(const struct job_user *ju)
{
	const struct job_opts *o = ju->opts;

	return i18n_choose(o ? o->locale : NULL, ju->prefs.locale,
			   ju->mailbox.locale,
			   o ? o->cfg->digest.locale : NULL);
}

static struct render_input render_input_of(const struct job_user *ju)
{
	struct render_input in = {
		.locale = reader_locale(ju),
		.user = ju->user,
		.target = &ju->target,
		.day = ju->have_day && !ju->skip_reason ? &ju->day : NULL,
		.attendees = ju->attendees,
		.self = ju->self,
		.unsubscribe_url = ju->unsub_url.len ? ju->unsub_url.buf : NULL,
		.prefs_url = ju->prefs_url.len ? ju->prefs_url.buf : NULL,
		.max_people_per_meeting =
			ju->opts ? (size_t)ju->opts->cfg->digest
						     .max_people_per_meeting
				 : 0,
	};
	return in;
}

/*
 * Render and wrap one user's digest into a MIME message. attempt tells
 * copies of one (user, date) apart: each gets its own Message-ID.
 */
static int build_message(struct job_ctx *c, struct job_user *ju,
			 unsigned attempt, struct strbuf *msg, struct strbuf *id,
			 struct dg_err *err)
{
	const struct config *cfg = c->o->cfg;
	struct render_output r = RENDER_OUTPUT_INIT;
	struct strbuf unsub = STRBUF_INIT;
	struct mime_header extra[5];
	struct render_input in;
	struct mime_message m;
	int rc = unsub_link(c, ju, err);

	in = render_input_of(ju);
	if (!rc)
		rc = render_digest(c->engine, &in, &r, err);
	if (!rc)
		rc = mime_message_id(ju->user->mail, ju->target.date, attempt,
				     cfg->digest.from, id, err);
	memset(&m, 0, sizeof(m));
	/*
	 * RFC 3834: keeps auto-responders (out of office) from answering.
	 * Exchange ignores it and wants its own header; Precedence: bulk is
	 * what older responders and vacation(1) look at.
	 */
	extra[m.nextra++] = (struct mime_header){ "Auto-Submitted",
						  "auto-generated" };
	extra[m.nextra++] = (struct mime_header){ "X-Auto-Response-Suppress",
						  "OOF, AutoReply" };
	extra[m.nextra++] = (struct mime_header){ "Precedence", "bulk" };
	if (!rc && ju->unsub_url.len) {
		rc = strbuf_addf(&unsub, "<%s>", ju->unsub_url.buf);
		extra[m.nextra++] = (struct mime_header){ "List-Unsubscribe",
							  unsub.buf };
		extra[m.nextra++] = (struct mime_header){
			"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
		};
	}
	if (!rc) {
		m.from = cfg->digest.from;
		m.to_name = ju->user->display_name;
		m.to_address = ju->user->mail;
		m.subject = r.subject.buf;
		m.text = r.text.buf;
		m.html = r.html.buf;
		m.date = c->o->now_ms / 1000;
		m.message_id = id->buf;
		m.extra = extra;
		rc = mime_build(&m, msg, err);
	}
	strbuf_release(&unsub);
	render_output_release(&r);
	return rc;
}

/*
 * stdout delivery: the mbox on the caller's fd. It is for previews and
 * demos: nothing is queued or recorded, so every run prints again.
 */
static int deliver_stdout(struct job_ctx *c, struct job_user *ju,
			  const struct strbuf *msg, struct dg_err *err)
{
	struct strbuf box = STRBUF_INIT, name = STRBUF_INIT;
	struct strbuf sender = STRBUF_INIT;
	int rc = mimehdr_parse_from(c->o->cfg->digest.from, &name, &sender,
				    err);

	if (!rc)
		rc = mbox_append(&box, sender.buf, c->o->now_ms / 1000,
				 msg->buf, msg->len, err);
	if (!rc && strbuf_write_fd(&box, c->o->out_fd))
		rc = dg_errf(err, DG_EIO, "cannot write %s's digest: %s",
			     ju->user->mail, strerror(errno));
	strbuf_release(&box);
	strbuf_release(&name);
	strbuf_release(&sender);
	return rc;
}

void job_say(enum logging_level level, const char *user, const char *date,
	     const char *outcome, const char *reason, const char *fmt, ...)
{
	struct logging_fields f = { .user = user, .date = date,
				    .outcome = outcome, .reason = reason };
	char tail[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof(tail), fmt, ap);
	va_end(ap);
	if (date)
		logging_outcome(level, &f, "%s %s: %s", user, date, tail);
	else
		logging_outcome(level, &f, "%s: %s", user, tail);
}

/* One more user skipped for reason, in the summary's per-reason table. */
static void count_skip(struct job_summary *sum, const char *reason)
{
	size_t i;

	sum->skipped++;
	for (i = 0; i < sum->nskips; i++)
		if (!strcmp(sum->skips[i].reason, reason))
			break;
	if (i == sum->nskips) {
		if (i == JOB_SKIP_REASONS_MAX)
			return;
		snprintf(sum->skips[i].reason, sizeof(sum->skips[i].reason),
			 "%s", reason);
		sum->nskips++;
	}
	sum->skips[i].n++;
}

/* What only the end of a run knows: the queue left, the replies seen. */
static void finish_summary(struct job_ctx *c, struct job_summary *sum)
{
	struct dg_err err = DG_ERR_INIT;
	const struct deliver_counts *dc;

	if (!c->queued)
		return;
	dc = deliver_counts(c->deliver);
	memcpy(sum->smtp_replies, dc->smtp_replies,
	       sizeof(sum->smtp_replies));
	if (queue_depth(c->store, &sum->queue_depth, &err))
		logging_warn("cannot count the queue: %s", err.msg);
}

static bool stop_requested(const struct job_opts *o)
{
	return o->stop && *o->stop;
}

static void record(struct job_ctx *c, const char *user, const char *date,
		   const char *outcome, const char *reason)
{
	struct dg_err err = DG_ERR_INIT;

	if (!c->queued)
		return;
	if (queue_record_outcome(c->store, user, date, outcome, reason,
				 c->o->now_ms, &err))
		logging_warn("%s %s: cannot record the outcome: %s", user, date,
			     err.msg);
}

/* Whether the queue holds this day's digest of the user already. */
static bool in_queue(struct job_ctx *c, const struct job_user *ju)
{
	struct dg_err err = DG_ERR_INIT;
	struct queue_msg m;
	bool found;

	memset(&m, 0, sizeof(m));
	found = !queue_find(c->store, ju->user->mail, ju->target.date, &m,
			    &err);
	queue_msg_release(&m);
	return found;
}


/*
 * A digest already in the queue for this day is not built again: it was
 * sent, or the delivery phase retries it. Returns true when handled.
 */
static bool already_queued(struct job_ctx *c, struct job_user *ju,
			   struct job_summary *sum)
{
	struct dg_err err = DG_ERR_INIT;
	struct queue_msg m;
	bool sent;

	memset(&m, 0, sizeof(m));
	if (queue_find(c->store, ju->user->mail, ju->target.date, &m, &err))
		return false;
	sent = !strcmp(m.state, "sent");
	if (sent || !strcmp(m.state, "failed")) {
		job_say(LOGGING_INFO, ju->user->mail, ju->target.date,
			"skipped", sent ? "already_sent" : "already_failed",
			"skipped (%s)",
			sent ? "already_sent" : "already_failed");
		count_skip(sum, sent ? "already_sent" : "already_failed");
	} else if (!strcmp(m.state, "queued") &&
		   m.next_attempt_at > c->o->now_ms) {
		/* Not due this run; deliver does not see it: say so here. */
		job_log_deferred(m.user, m.date, m.next_attempt_at,
				m.last_reply);
		sum->deferred++;
	}
	queue_msg_release(&m);
	return true;
}

/* The user's own send time, else [digest] send_at, else NULL. */
static const char *send_at(const struct job_ctx *c, const struct job_user *ju)
{
	return ju->prefs.send_at[0] ? ju->prefs.send_at
				    : c->o->cfg->digest.send_at;
}

/*
 * Before [digest] send_at in the user's own zone, the user waits for a
 * later run: an hourly cron then reaches everyone at their morning.
 */
static int before_send_at(struct job_ctx *c, struct job_user *ju,
			  bool *wait, struct dg_err *err)
{
	const char *at = send_at(c, ju);
	int minutes = 0, send_at_min = 0, rc;

	*wait = false;
	/* config and prefs checked send_at: a bad one is as none */
	if (!tz_parse_time_of_day(at, &send_at_min) || c->o->date)
		return 0;
	rc = tz_local_minutes(ju->target.zone, c->o->now_ms, &minutes, err);
	if (!rc)
		*wait = minutes < send_at_min;
	return rc;
}

static bool selected(const struct job_opts *o, const struct cal_user *u)
{
	if (!o->users)
		return true;
	for (size_t i = 0; i < o->nusers; i++)
		if (directory_is_self(u, o->users[i]))
			return true;
	return false;
}

enum job_step job_decide(const struct job_facts *f, const char **reason)
{
	*reason = f->skip_reason;
	if (f->skip_reason)
		return JOB_SKIP;
	if (f->before_send_at)
		return JOB_WAIT;
	if (f->in_queue)
		return JOB_IN_QUEUE;
	return JOB_FETCH;
}

static const char *date_of(const struct job_user *ju)
{
	return ju->target.date[0] ? ju->target.date : "-";
}

static void report_skip(struct job_ctx *c, struct job_user *ju,
			struct job_summary *sum)
{
	job_say(LOGGING_INFO, ju->user->mail, date_of(ju), "skipped",
		ju->skip_reason, "skipped (%s)", ju->skip_reason);
	record(c, ju->user->mail, date_of(ju), "skipped", ju->skip_reason);
	count_skip(sum, ju->skip_reason);
}

static void report_failure(struct job_ctx *c, struct job_user *ju,
			   const struct dg_err *err, struct job_summary *sum)
{
	job_say(LOGGING_ERROR, ju->user->mail, date_of(ju), "failed",
		err->msg, "failed: %s", err->msg);
	record(c, ju->user->mail, date_of(ju), "failed", err->msg);
	sum->failed++;
}

/*
 * The facts about u once its mailbox settings are in, and the one
 * decision made of them. Returns 0 with *step set, or a failure.
 */
static int decide(struct job_ctx *c, struct job_user *ju, enum job_step *step,
		  struct dg_err *err)
{
	struct job_facts f = { 0 };
	const char *reason;
	int rc = build_target(c, ju->user, ju, err);

	f.skip_reason = ju->skip_reason;
	if (!rc && !f.skip_reason)
		rc = before_send_at(c, ju, &f.before_send_at, err);
	if (!rc && !f.skip_reason && !f.before_send_at && c->queued)
		f.in_queue = in_queue(c, ju);
	*step = job_decide(&f, &reason);
	return rc;
}

/* A built digest: printed, queued, or (dry run) dropped. */
static int send_user(struct job_ctx *c, struct job_user *ju,
		     struct job_summary *sum, struct dg_err *err)
{
	struct strbuf msg = STRBUF_INIT, id = STRBUF_INIT;
	const struct cal_user *u = ju->user;
	int rc = build_message(c, ju, 1, &msg, &id, err);

	if (!rc && c->queued)
		rc = queue_put(c->store, u->mail, date_of(ju), "digest",
			       u->mail, id.buf, msg.buf, msg.len, c->o->now_ms,
			       NULL, err);
	/* Queued: delivery may start it at once, while others are built. */
	if (!rc && c->queued)
		rc = deliver_poll(c->deliver, 0, err);
	else if (!rc && !c->o->dry_run)
		rc = deliver_stdout(c, ju, &msg, err);
	strbuf_release(&msg);
	strbuf_release(&id);
	if (rc)
		return rc;
	if (c->queued) {
		record(c, u->mail, date_of(ju), "queued", NULL);
		return 0;
	}
	job_say(LOGGING_INFO, u->mail, date_of(ju),
		c->o->dry_run ? "ready" : "sent", NULL, "%s (%zu meetings)",
		c->o->dry_run ? "ready (dry run)" : "sent", ju->day.n);
	if (c->o->dry_run)
		sum->ready++;
	else
		sum->sent++;
	return 0;
}

/* ---- the stream: a window of users in flight ------------------------ */

/* An answer of the source, noted to be acted on outside its callback. */
struct job_answer {
	enum source_what what;
	const struct cal_user *user;
	char *address;
};

struct job_stream {
	struct job_summary *sum;
	size_t window;             /* users in flight, at most */
	struct hmap users;         /* user id -> struct job_user */
	struct job_answer *answers; /* heard, not yet acted on */
	size_t nanswers, answers_alloc;
	struct job_user **waiting; /* AT_LISTS */
	size_t nwaiting, waiting_alloc;
	bool lists_heard;          /* a list's answer came since the check */
	size_t unreached;          /* a stop left them for the next run */
	int rc;                    /* the source failed as a whole */
	struct dg_err err;
};

/* Users in flight are known by id (every source gives one), or mail. */
static const char *user_key(const struct cal_user *u)
{
	return u->id ? u->id : u->mail;
}

static int grow(void **v, size_t *alloc, size_t n, size_t size)
{
	size_t cap = *alloc ? *alloc * 2 : 16;
	void *nv;

	if (n < *alloc)
		return 0;
	nv = realloc(*v, cap * size);
	if (!nv)
		return DG_ENOMEM;
	*v = nv;
	*alloc = cap;
	return 0;
}

/* The source's answer function: note it, act after. */
static void heard(void *ctx, const struct source_answer *a)
{
	struct job_stream *st = ctx;
	struct job_answer *n;

	if (st->rc)
		return;
	if (grow((void **)&st->answers, &st->answers_alloc, st->nanswers,
		 sizeof(*st->answers))) {
		st->rc = dg_errf(&st->err, DG_ENOMEM, "out of memory");
		return;
	}
	n = &st->answers[st->nanswers];
	n->what = a->what;
	n->user = a->user;
	n->address = a->address ? strdup(a->address) : NULL;
	if (a->address && !n->address) {
		st->rc = dg_errf(&st->err, DG_ENOMEM, "out of memory");
		return;
	}
	st->nanswers++;
}

/* The user leaves the window; everything held for it is freed. */
static void user_done(struct job_ctx *c, struct job_user *ju)
{
	struct job_stream *st = c->stream;

	hmap_remove(&st->users, user_key(ju->user));
	source_forget(c->source, ju->user);
	job_user_release(ju);
	free(ju);
}

static int admit(struct job_ctx *c, const struct cal_user *u)
{
	struct job_stream *st = c->stream;
	struct job_user *ju = malloc(sizeof(*ju));

	if (!ju)
		return dg_errf(&st->err, DG_ENOMEM, "out of memory");
	job_user_init(ju);
	ju->user = u;
	ju->stage = AT_MAILBOX;
	if (hmap_put(&st->users, user_key(u), ju, NULL)) {
		free(ju);
		/* Twice the same user: the first one goes on. */
		return 0;
	}
	return source_ask_mailbox(c->source, u, &st->err);
}

/* The lists of the day's meetings are asked; pending: answers still out. */
static int ask_lists(struct job_ctx *c, struct job_user *ju, size_t *pending,
		     struct dg_err *err)
{
	int rc = 0;

	*pending = 0;
	for (size_t i = 0; !rc && i < ju->day.n; i++)
		if (!ju->day.meetings[i].is_private)
			rc = directory_ask(c->dir, ju->user,
					   ju->day.meetings[i].event, pending,
					   err);
	return rc;
}

/* The user's lists are in: match, build, send, leave. */
static void finish(struct job_ctx *c, struct job_user *ju)
{
	struct job_summary *sum = c->stream->sum;
	struct dg_err err = DG_ERR_INIT;
	int rc = weigh_day(c, ju, &err);

	if (!rc && ju->skip_reason)
		report_skip(c, ju, sum);
	else if (rc || send_user(c, ju, sum, &err))
		report_failure(c, ju, &err, sum);
	user_done(c, ju);
}

static int wait_lists(struct job_ctx *c, struct job_user *ju)
{
	struct job_stream *st = c->stream;

	if (grow((void **)&st->waiting, &st->waiting_alloc, st->nwaiting,
		 sizeof(*st->waiting)))
		return dg_errf(&st->err, DG_ENOMEM, "out of memory");
	ju->stage = AT_LISTS;
	st->waiting[st->nwaiting++] = ju;
	return 0;
}

/* The calendar is in: plan the day, then ask about its lists. */
static void on_events(struct job_ctx *c, struct job_user *ju)
{
	struct job_summary *sum = c->stream->sum;
	struct dg_err err = DG_ERR_INIT;
	size_t pending = 0;
	int rc = build_day(c, ju, &err);

	if (!rc && ju->skip_reason) {
		report_skip(c, ju, sum);
		user_done(c, ju);
		return;
	}
	if (!rc)
		rc = ask_lists(c, ju, &pending, &err);
	if (rc) {
		report_failure(c, ju, &err, sum);
		user_done(c, ju);
	} else if (!pending) {
		finish(c, ju);
	} else if (wait_lists(c, ju)) {
		report_failure(c, ju, &c->stream->err, sum);
		user_done(c, ju);
	}
}

/* The mailbox settings are in: decide, once, what the user gets. */
static void on_mailbox(struct job_ctx *c, struct job_user *ju)
{
	struct job_summary *sum = c->stream->sum;
	struct dg_err err = DG_ERR_INIT;
	enum job_step step = JOB_FETCH;
	int rc = decide(c, ju, &step, &err);

	if (!rc && step == JOB_FETCH) {
		ju->stage = AT_EVENTS;
		rc = source_ask_events(c->source, ju->user,
				       ju->target.fetch_start,
				       ju->target.fetch_end, &c->stream->err);
		if (rc)
			c->stream->rc = rc;
		return;
	}
	if (rc)
		report_failure(c, ju, &err, sum);
	else if (step == JOB_SKIP)
		report_skip(c, ju, sum);
	else if (step == JOB_IN_QUEUE)
		already_queued(c, ju, sum);
	else {
		job_say(LOGGING_INFO, ju->user->mail, ju->target.date,
			"waiting", NULL, "waiting (sends at %s in %s)",
			send_at(c, ju), ju->target.zone);
		sum->waiting++;
	}
	user_done(c, ju);
}

/* Users waiting for lists whose answers are all in go on. */
static void check_waiting(struct job_ctx *c)
{
	struct job_stream *st = c->stream;
	size_t i, w = 0;

	st->lists_heard = false;
	for (i = 0; i < st->nwaiting; i++) {
		struct job_user *ju = st->waiting[i];
		struct dg_err err = DG_ERR_INIT;
		size_t pending = 0;

		if (ask_lists(c, ju, &pending, &err)) {
			report_failure(c, ju, &err, st->sum);
			user_done(c, ju);
		} else if (pending) {
			st->waiting[w++] = ju;
		} else {
			finish(c, ju);
		}
	}
	st->nwaiting = w;
}

static void act(struct job_ctx *c, const struct job_answer *a)
{
	struct job_stream *st = c->stream;
	struct job_user *ju;
	struct dg_err err = DG_ERR_INIT;

	if (a->what == SOURCE_GROUP) {
		if (directory_answered(c->dir, a->address, &err))
			st->rc = dg_errf(&st->err, DG_ENOMEM, "%s", err.msg);
		st->lists_heard = true;
		return;
	}
	ju = hmap_get(&st->users, user_key(a->user));
	if (!ju)
		return;
	if (a->what == SOURCE_MAILBOX && ju->stage == AT_MAILBOX)
		on_mailbox(c, ju);
	else if (a->what == SOURCE_EVENTS && ju->stage == AT_EVENTS)
		on_events(c, ju);
}

/* Act on what was heard; acting may hear more (at once, from memory). */
static void act_all(struct job_ctx *c)
{
	struct job_stream *st = c->stream;

	for (size_t i = 0; !st->rc && i < st->nanswers; i++) {
		act(c, &st->answers[i]);
		free(st->answers[i].address);
		st->answers[i].address = NULL;
	}
	for (size_t i = 0; i < st->nanswers; i++)
		free(st->answers[i].address);
	st->nanswers = 0;
	if (!st->rc && st->lists_heard)
		check_waiting(c);
}

/* --jobs requests in flight keep this many users busy. */
static size_t window_of(const struct job_opts *o)
{
	size_t jobs = o->jobs > 0 ? (size_t)o->jobs : 8;

	return jobs * JOB_USERS_PER_JOB;
}

/* The users not finished when the run stops: they wait for the next. */
static void stopped(struct job_ctx *c, size_t next)
{
	struct job_stream *st = c->stream;
	size_t n = st->users.n;

	for (size_t i = next; i < c->users.n; i++)
		n += selected(c->o, &c->users.v[i]);
	if (n)
		logging_warn("stopped before %zu of the users; their digests "
			     "wait for the next run", n);
	st->unreached = n;
}

static int stream_run(struct job_ctx *c)
{
	struct job_stream *st = c->stream;
	size_t next = 0;

	while (!st->rc && !stop_requested(c->o)) {
		while (!st->rc && st->users.n < st->window &&
		       next < c->users.n) {
			const struct cal_user *u = &c->users.v[next++];

			if (selected(c->o, u))
				st->rc = admit(c, u);
		}
		if (st->rc)
			break;
		if (st->nanswers) {
			act_all(c);
			continue;
		}
		if (!st->users.n && next == c->users.n)
			break;
		if (!source_busy(c->source))
			return st->rc = dg_errf(&st->err, DG_EINTERNAL,
						"%zu users wait for answers "
						"nobody fetches",
						st->users.n);
		/* Messages queued so far go out while calendars come in. */
		if (c->queued)
			st->rc = deliver_poll(c->deliver, 0, &st->err);
		if (!st->rc)
			st->rc = source_pump(c->source, &st->err);
	}
	/* A stop in the middle of a fetch is a stop, not a failure. */
	if (st->rc == DG_ESTOPPED)
		st->rc = 0;
	else if (st->rc || !stop_requested(c->o))
		return st->rc;
	stopped(c, next);
	return 0;
}

static void stream_release(struct job_ctx *c)
{
	struct job_stream *st = c->stream;
	const struct hmap_entry *e;
	size_t pos = 0;

	if (!st)
		return;
	source_on_answer(c->source, NULL, NULL);
	while ((e = hmap_next(&st->users, &pos))) {
		job_user_release(e->value);
		free(e->value);
	}
	hmap_release(&st->users);
	for (size_t i = 0; i < st->nanswers; i++)
		free(st->answers[i].address);
	free(st->answers);
	free(st->waiting);
	c->stream = NULL;
}

/*
 * Every selected user through the flow, a window of them at a time: each
 * user's digest is built and queued as soon as its answers are in, and
 * its memory released.
 */
static int stream_users(struct job_ctx *c, struct job_summary *sum,
			size_t *unreached, struct dg_err *err)
{
	struct job_stream st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.sum = sum;
	st.window = window_of(c->o);
	hmap_init(&st.users, 0);
	c->stream = &st;
	source_on_answer(c->source, heard, &st);
	rc = stream_run(c);
	if (rc)
		*err = st.err;
	*unreached = st.unreached;
	stream_release(c);
	return rc;
}


static const struct cal_user *find_user(const struct job_ctx *c,
					const char *address)
{
	return directory_user(c->dir, address);
}

/* The user that address names, or an error saying nobody does. */
static int tenant_user(const struct job_ctx *c, const char *address,
		       const struct cal_user **out, struct dg_err *err)
{
	*out = find_user(c, address);
	if (!*out)
		return dg_errf(err, DG_ENOTFOUND, "%s is no user of the tenant",
			       address);
	return 0;
}

/* A queued message belongs to this run unless --user narrows it away. */
static bool selected_row(const struct queue_msg *m, void *ctx)
{
	const struct job_ctx *c = ctx;
	const struct cal_user *u;

	if (!c->o->users)
		return true;
	u = find_user(c, m->user);
	return u && selected(c->o, u);
}

/* Each message's outcome as delivery reports it: logged, recorded, counted. */
static void delivered(const struct deliver_report *r, void *ctx)
{
	struct job_ctx *c = ctx;

	job_report_delivery(c->store, c->o->now_ms, c->sum, r);
}

/* A --user that names nobody in the tenant is a failure, not silence. */
static size_t unknown_users(const struct job_ctx *c)
{
	size_t n = 0;

	for (size_t i = 0; c->o->users && i < c->o->nusers; i++) {
		if (find_user(c, c->o->users[i]))
			continue;
		job_say(LOGGING_ERROR, c->o->users[i], NULL, "failed",
			"no such user in the tenant",
			"failed: no such user in the tenant");
		n++;
	}
	return n;
}

/* Whether a digest that was due is still undelivered. */
static bool undelivered(const struct job_summary *sum)
{
	return sum->failed || sum->deferred || sum->untried;
}

int job_run(const struct job_opts *o, struct job_summary *sum,
	    struct dg_err *err)
{
	size_t unreached = 0;
	struct job_ctx c;
	int rc;

	memset(sum, 0, sizeof(*sum));
	c.sum = sum;
	rc = job_ctx_open(&c, o, !o->dry_run, err);
	c.sum = sum;
	if (rc) {
		job_ctx_release(&c);
		return rc;
	}
	sum->failed += unknown_users(&c);
	rc = stream_users(&c, sum, &unreached, err);
	if (rc) {
		job_ctx_release(&c);
		return rc;
	}
	if (c.queued)
		rc = deliver_finish(c.deliver, err);
	finish_summary(&c, sum);
	job_ctx_release(&c);
	if (rc)
		return rc;
	return undelivered(sum) || unreached ? DG_ETEMP : 0;
}

/* How many copies of (user, date) exist: the next one's attempt number. */
static unsigned next_attempt(struct job_ctx *c, const char *user,
			     const char *date)
{
	unsigned n = 0;
	struct dg_err err = DG_ERR_INIT;

	if (queue_count(c->store, user, date, &n, &err))
		n = 0;
	return n + 1;
}

static int resend_user(struct job_ctx *c, const struct cal_user *u,
		       struct job_summary *sum, struct dg_err *err)
{
	struct strbuf msg = STRBUF_INIT, id = STRBUF_INIT;
	enum deliver_result result;
	struct queue_msg row;
	struct job_user ju;
	int rc;

	job_user_init(&ju);
	memset(&row, 0, sizeof(row));
	rc = build_user(c, u, &ju, err);
	if (!rc && ju.skip_reason)
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s gets no digest on %s: %s", u->mail,
			     ju.target.date, ju.skip_reason);
	if (!rc)
		rc = build_message(c, &ju,
				   c->queued ? next_attempt(c, u->mail,
							    ju.target.date)
					     : 1,
				   &msg, &id, err);
	if (!rc && !c->queued) {
		rc = deliver_stdout(c, &ju, &msg, err);
		sum->sent += !rc;
	} else if (!rc) {
		rc = queue_put(c->store, u->mail, ju.target.date, "resend",
			       u->mail, id.buf, msg.buf, msg.len, c->o->now_ms,
			       &row.id, err);
		row.user = (char *)u->mail;
		row.date = ju.target.date;
		row.kind = (char *)"resend";
		row.recipient = (char *)u->mail;
		row.message = msg.buf;
		row.message_len = msg.len;
		if (!rc)
			rc = deliver_one(c->deliver, &row, &result, err);
	}
	strbuf_release(&msg);
	strbuf_release(&id);
	job_user_release(&ju);
	return rc;
}

int job_resend(const struct job_opts *o, const char *user,
	       struct job_summary *sum, struct dg_err *err)
{
	const struct cal_user *u;
	struct job_ctx c;
	int rc;

	memset(sum, 0, sizeof(*sum));
	c.sum = sum;
	rc = job_ctx_open(&c, o, true, err);
	c.sum = sum;
	if (!rc)
		rc = tenant_user(&c, user, &u, err);
	if (!rc)
		rc = resend_user(&c, u, sum, err);
	job_ctx_release(&c);
	if (rc)
		return rc;
	return undelivered(sum) ? DG_ETEMP : 0;
}

static int preview_user(struct job_ctx *c, const struct cal_user *u,
			enum job_format format, struct strbuf *out,
			struct dg_err *err)
{
	struct render_output r = RENDER_OUTPUT_INIT;
	struct render_input in;
	struct job_user ju;
	int rc;

	job_user_init(&ju);
	rc = build_user(c, u, &ju, err);
	if (!rc)
		rc = unsub_link(c, &ju, err);
	in = render_input_of(&ju);
	if (rc)
		goto out;
	if (format == JOB_FORMAT_JSON) {
		rc = render_json(c->engine, &in, out, err);
	} else if (ju.skip_reason) {
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s gets no digest on %s: %s", u->mail,
			     ju.target.date, ju.skip_reason);
	} else if (format == JOB_FORMAT_MIME) {
		struct strbuf id = STRBUF_INIT;

		rc = build_message(c, &ju, 1, out, &id, err);
		strbuf_release(&id);
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

	rc = job_ctx_open(&c, o, false, err);
	if (!rc)
		rc = tenant_user(&c, user, &u, err);
	if (!rc)
		rc = preview_user(&c, u, format, out, err);
	job_ctx_release(&c);
	return rc;
}

struct line_list {
	char **v;
	size_t n;
};

static int add_line(const char *line, void *ctx)
{
	struct line_list *l = ctx;
	char **grown = realloc(l->v, (l->n + 1) * sizeof(*l->v));

	if (!grown)
		return DG_ENOMEM;
	l->v = grown;
	l->v[l->n] = strdup(line);
	return l->v[l->n] ? (l->n++, 0) : DG_ENOMEM;
}

int job_group_lines(const struct job_opts *o, const char *user,
		    char ***lines, size_t *n, struct dg_err *err)
{
	struct line_list l = {NULL, 0};
	const struct cal_user *u;
	struct render_input in;
	struct job_user ju;
	struct job_ctx c;
	int rc;

	*lines = NULL;
	*n = 0;
	job_user_init(&ju);
	rc = job_ctx_open(&c, o, false, err);
	if (!rc)
		rc = tenant_user(&c, user, &u, err);
	if (!rc)
		rc = build_user(&c, u, &ju, err);
	in = render_input_of(&ju);
	if (!rc && !ju.skip_reason)
		rc = render_group_lines(c.engine, &in, add_line, &l, err);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory");
	job_user_release(&ju);
	job_ctx_release(&c);
	if (rc) {
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
		return rc;
	}
	*lines = l.v;
	*n = l.n;
	return 0;
}
