/*
 * job_user: the steps of one user's digest, from the mailbox settings to
 * the message: the target day, its meetings, their people, the links.
 */
#include "job.h"
#include "job_int.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "queue.h"
#include "unsubscribe.h"

void job_user_release(struct job_user *ju)
{
	job_history_release(&ju->hist, ju->have_day ? ju->day.n : 0);
	if (ju->attendees)
		for (size_t i = 0; i < ju->day.n; i++)
			match_list_release(&ju->attendees[i]);
	free(ju->attendees);
	if (ju->hours)
		for (size_t i = 0; i < ju->day.n; i++)
			hours_notes_release(&ju->hours[i]);
	free(ju->hours);
	if (ju->have_day)
		plan_day_release(&ju->day);
	cal_event_list_release(&ju->events);
	plan_target_release(&ju->target);
	cal_mailbox_release(&ju->mailbox);
	strbuf_release(&ju->unsub_url);
	strbuf_release(&ju->prefs_url);
}

void job_user_init(struct job_user *ju)
{
	memset(ju, 0, sizeof(*ju));
	strbuf_init(&ju->unsub_url, 0);
	strbuf_init(&ju->prefs_url, 0);
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
	return unsubscribe_reads_is_opted_out(c->ureads, ju->user->mail, out,
					      err);
}

/*
 * What u's mailbox says of u's hours, for colleagues' digests: kept for
 * the run (and the next). A store that cannot keep it costs a warning,
 * never u's own digest.
 */
static void learn_hours(struct job_ctx *c, const struct cal_user *u,
			const struct cal_mailbox *mb)
{
	struct dg_err err = DG_ERR_INIT;

	if (hours_book_learn(c->hours, u, mb, &err))
		logging_warn("%s: cannot keep the working hours: %s", u->mail,
			     err.msg);
}

/*
 * The user's target day, or the reason they get no digest. Returns 0
 * with ju->skip_reason set when there is none, for a reason.
 */
int job_user_target(struct job_ctx *c, const struct cal_user *u,
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
	if (!rc)
		learn_hours(c, u, &ju->mailbox);
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
			.cache = c->plan,
		};

		rc = plan_target(&ju->mailbox, u->mail, &po, &ju->target, err);
	}
	if (!rc)
		rc = prefs_reads_get(c->preads, u->mail, &ju->prefs, err);
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
int job_user_day(struct job_ctx *c, struct job_user *ju,
		     struct dg_err *err)
{
	int rc = source_events(c->source, ju->user, ju->target.fetch_start,
			       ju->target.fetch_end, &ju->events, err);

	if (!rc)
		rc = plan_day_cached(&ju->target, &ju->events, c->plan,
				     &ju->day, err);
	if (rc)
		return rc;
	ju->have_day = true;
	ju->skip_reason = ju->day.skip_reason;
	return 0;
}

static const char *reader_locale(const struct job_user *ju);

/*
 * For each meeting the digest shows, the attendees it falls outside the
 * working hours of (core/hours.h): no Graph request, the run's book.
 */
static int hours_of_day(struct job_ctx *c, struct job_user *ju,
			struct dg_err *err)
{
	struct hours_reader r = { .zone = ju->target.zone,
				  .locale = reader_locale(ju) };
	size_t n = ju->day.n < RENDER_MAX_MEETINGS ? ju->day.n
						    : RENDER_MAX_MEETINGS;
	int rc = 0;

	ju->hours = calloc(ju->day.n ? ju->day.n : 1, sizeof(*ju->hours));
	if (!ju->hours)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < n; i++)
		rc = hours_meeting(c->hours, c->dir, &r, &ju->day.meetings[i],
				   &ju->attendees[i], &ju->hours[i], err);
	return rc;
}

/*
 * The relationship context of the digest, from the history before its
 * day. A history that cannot be read leaves the lines out, with a
 * warning: the digest goes on.
 */
static void history_context(struct job_ctx *c, struct job_user *ju)
{
	struct dg_err err = DG_ERR_INIT;
	struct job_history_in in = {
		.dir = c->dir,
		.hidden = &c->hidden,
		.user = ju->user,
		.target = &ju->target,
		.day = &ju->day,
		.attendees = ju->attendees,
		.working_days = ju->prefs.days ? ju->prefs.days
				: ju->mailbox.has_working_days
					? ju->mailbox.working_days
					: 0,
		.days = c->o->cfg->history.days,
	};

	if (job_history_context(c->hreads, &in, &ju->hist, &err))
		logging_warn("%s %s: history: %s", ju->user->mail,
			     ju->target.date, err.msg);
}

void job_user_record(struct job_ctx *c, const struct job_user *ju,
		     const struct plan_day *day)
{
	struct dg_err err = DG_ERR_INIT;

	if (!c->history)
		return;
	if (job_history_add(&c->pending, c->dir, ju->user->mail,
			    ju->target.date, day, day ? ju->attendees : NULL,
			    &err))
		logging_warn("%s %s: history: %s", ju->user->mail,
			     ju->target.date, err.msg);
	else if (c->pending.n >= JOB_HISTORY_BATCH)
		job_history_write(c);
}

/*
 * The day's people, matched; then whether the day is worth a digest by
 * [digest] send_when (ju->skip_reason says why not).
 */
int job_user_weigh(struct job_ctx *c, struct job_user *ju,
		     struct dg_err *err)
{
	int rc = match_day(c, ju, err);

	if (!rc)
		ju->skip_reason = plan_relevance(
			&ju->day, ju->attendees,
			c->o->cfg->digest.send_when == CONFIG_SEND_MEETINGS
				? PLAN_SEND_MEETINGS
				: PLAN_SEND_PROFILES);
	if (!rc && !ju->skip_reason)
		history_context(c, ju);
	if (!rc && !ju->skip_reason)
		rc = hours_of_day(c, ju, err);
	return rc;
}

/* Take one user from source to a matched day (or a reason for none). */
int job_user_build(struct job_ctx *c, const struct cal_user *u,
		      struct job_user *ju, struct dg_err *err)
{
	int rc = job_user_target(c, u, ju, err);

	if (rc || ju->skip_reason)
		return rc;
	rc = job_user_day(c, ju, err);
	if (rc || ju->skip_reason)
		return rc;
	return job_user_weigh(c, ju, err);
}

/* The user's one-click unsubscribe and preferences links, when on. */
int job_user_links(struct job_ctx *c, struct job_user *ju,
		      struct dg_err *err)
{
	if (ju->unsub_url.len)
		return 0;
	return compose_links(&c->compose, ju->user->mail, &ju->unsub_url,
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

struct render_input job_user_input(const struct job_user *ju)
{
	struct render_input in = {
		.locale = reader_locale(ju),
		.history = ju->hist.ready ? &ju->hist.out : NULL,
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
		.hours = ju->hours,
	};
	return in;
}

/*
 * Render and wrap one user's digest into a MIME message. attempt tells
 * copies of one (user, date) apart: each gets its own Message-ID.
 */
int job_user_message(struct job_ctx *c, struct job_user *ju,
			 unsigned attempt, struct strbuf *msg, struct strbuf *id,
			 struct dg_err *err)
{
	struct render_input in;
	int rc = job_user_links(c, ju, err);

	in = job_user_input(ju);
	return rc ? rc : compose_message(&c->compose, &in, attempt, msg, id,
					 err);
}

/* The lists of the day's meetings are asked; pending: answers still out. */
int job_user_ask_lists(struct job_ctx *c, struct job_user *ju, size_t *pending,
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

/* A built digest: printed, queued, or (dry run) dropped. */
int job_user_send_built(struct job_ctx *c, struct job_user *ju,
		      const struct strbuf *msg, const struct strbuf *id,
		      struct job_summary *sum, struct dg_err *err)
{
	const struct cal_user *u = ju->user;
	int rc = 0;

	if (c->queued)
		rc = queue_put(c->store, u->mail, job_date_of(ju), "digest",
			       u->mail, id->buf, msg->buf, msg->len,
			       c->o->now_ms, NULL, err);
	/* Queued: delivery may start it soon, while others are built. */
	if (!rc && c->queued)
		rc = job_batch_turn(c, err);
	else if (!rc && !c->o->dry_run)
		rc = deliver_stdout(c->o->cfg, c->o->out_fd, c->o->now_ms,
				    ju->user->mail, msg, err);
	if (rc)
		return rc;
	if (c->queued) {
		job_record(c, u->mail, job_date_of(ju), "queued", NULL);
		return 0;
	}
	job_say(LOGGING_INFO, u->mail, job_date_of(ju),
		c->o->dry_run ? "ready" : "sent", NULL, "%s (%zu meetings)",
		c->o->dry_run ? "ready (dry run)" : "sent", ju->day.n);
	if (c->o->dry_run)
		sum->ready++;
	else
		sum->sent++;
	return 0;
}

int job_user_send(struct job_ctx *c, struct job_user *ju,
		     struct job_summary *sum, struct dg_err *err)
{
	struct strbuf msg = STRBUF_INIT, id = STRBUF_INIT;
	int rc = job_user_message(c, ju, 1, &msg, &id, err);

	if (!rc)
		rc = job_user_send_built(c, ju, &msg, &id, sum, err);
	strbuf_release(&msg);
	strbuf_release(&id);
	return rc;
}
