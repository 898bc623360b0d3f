/*
 * job_ctx: what a run opens once and shares between users: the store
 * (and its lock for a real run), the roster with the readers' profile
 * choices, the templates, the source and its users, the directory, and
 * delivery; the batches its writes go in, and the threads that compose
 * its messages.
 */
#include "job.h"
#include "job_int.h"

#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "prefs.h"
#include "queue.h"
#include "roster_db.h"
#include "roster_import.h"

static void delivered(const struct deliver_report *r, void *ctx);
static bool selected_row(const struct queue_msg *m, void *ctx);

void job_history_write(struct job_ctx *c)
{
	struct dg_err err = DG_ERR_INIT;
	size_t n = c->pending.n;

	if (n && job_history_flush(c->store, &c->pending, c->o->now_ms, &err))
		logging_warn("history: %zu days not recorded: %s", n, err.msg);
}

void job_ctx_release(struct job_ctx *c)
{
	if (c->store)
		job_history_write(c);
	job_history_pending_release(&c->pending);
	hours_book_close(c->hours);
	plan_cache_free(c->plan);
	compose_pool_close(c->pool);
	directory_close(c->dir);
	job_history_hidden_release(&c->hidden);
	render_close(c->engine);
	deliver_close(c->deliver);
	compose_release(&c->compose);
	cal_user_list_release(&c->users);
	source_close(c->source);
	roster_release(&c->roster);
	history_reads_close(c->hreads); /* its statements before the store */
	prefs_reads_close(c->preads);
	unsubscribe_reads_close(c->ureads);
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

/*
 * A sent message ends the source's wait too: while calendars come in,
 * the connection it freed takes the next message at once, not when
 * Graph next answers. The source is opened after delivery, and closed
 * after it (its sending threads are gone by then).
 */
static void wake_loop(void *ctx)
{
	struct job_ctx *c = ctx;

	if (c->source)
		source_wakeup(c->source);
}

static int open_deliver(struct job_ctx *c, struct dg_err *err)
{
	struct deliver_opts d = {
		.now_ms = c->o->now_ms,
		.stop = c->o->stop,
		.want = selected_row,
		.report = delivered,
		.wake = wake_loop,
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
 * The run keeps [history] days: a failure to delete old rows is told,
 * and the run goes on (the next run deletes them).
 */
static void history_prune_now(struct job_ctx *c)
{
	struct dg_err err = DG_ERR_INIT;

	if (job_history_prune(c->store, c->o->cfg, c->o->now_ms, &err))
		logging_warn("history: %s", err.msg);
}

/*
 * Open what a run shares. deliver: a real run (not a preview, not a dry
 * run), which takes the store's lock and prepares delivery.
 */
int job_ctx_open(struct job_ctx *c, const struct job_opts *o,
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
		rc = job_history_hidden_load(c->store, &c->hidden, err);
	if (!rc)
		rc = history_reads_open(c->store, &c->hreads, err);
	if (!rc)
		rc = prefs_reads_open(c->store, &c->preads, err);
	if (!rc)
		rc = unsubscribe_reads_open(c->store, &c->ureads, err);
	if (!rc)
		rc = render_open(cfg->digest.templates, cfg->digest.subject,
				 &c->engine, err);
	if (!rc)
		render_set_meeting_hosts(
			c->engine, (const char *const *)cfg->digest.meeting_hosts);
	if (!rc)
		rc = compose_init(&c->compose, cfg, c->engine, o->now_ms, err);
	if (!rc && c->queued)
		rc = open_deliver(c, err);
	if (!rc)
		rc = open_source(c, err);
	if (!rc)
		rc = source_users(c->source, &c->users, err);
	if (!rc)
		rc = open_directory(c, err);
	/* a real run keeps what each mailbox says of its hours */
	if (!rc)
		rc = hours_book_open(c->store, deliver && !o->dry_run,
				     o->now_ms, &c->hours, err);
	/* out of memory, users' zones are merely opened one by one */
	if (!rc)
		c->plan = plan_cache_new();
	c->history = deliver && !o->dry_run && cfg->history.days > 0;
	if (!rc && deliver && !o->dry_run)
		history_prune_now(c);
	return rc;
}

bool job_selected(const struct job_opts *o, const struct cal_user *u)
{
	if (!o->users)
		return true;
	for (size_t i = 0; i < o->nusers; i++)
		if (directory_is_self(u, o->users[i]))
			return true;
	return false;
}

const struct cal_user *job_find_user(const struct job_ctx *c,
					const char *address)
{
	return directory_user(c->dir, address);
}

/* The user that address names, or an error saying nobody does. */
int job_tenant_user(const struct job_ctx *c, const char *address,
		       const struct cal_user **out, struct dg_err *err)
{
	*out = job_find_user(c, address);
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
	u = job_find_user(c, m->user);
	return u && job_selected(c->o, u);
}

/* Each message's outcome as delivery reports it: logged, recorded, counted. */
static void delivered(const struct deliver_report *r, void *ctx)
{
	struct job_ctx *c = ctx;

	job_report_delivery(c->store, c->o->now_ms, c->sum, r);
}

/*
 * The run's writes go in batches: what a turn of the stream does (users
 * queued, skips and verdicts recorded) is one transaction, one commit
 * (one fsync) for all of them instead of two for each user. A batch is
 * closed after JOB_BATCH_MS, and delivery, which marks its rows outside
 * any transaction, then starts the messages it holds: every message is
 * still on disk before it is sent. A crash loses the batch in progress,
 * none of which was sent; the next run builds those users again.
 *
 * A dry run writes nothing, but reads a user's opt-out, preferences and
 * contacts: a turn's reads go in one read transaction, so that the
 * database file is locked and unlocked once a turn, not once a read.
 */
#define JOB_BATCH_MS 25

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int job_batch_begin(struct job_ctx *c, struct dg_err *err)
{
	int rc;

	if (c->batch_open || (!c->queued && !c->o->dry_run))
		return 0;
	rc = c->queued ? store_begin(c->store, err)
		       : store_begin_read(c->store, err);
	c->batch_open = !rc;
	c->batch_since = mono_ms();
	return rc;
}

/* Commit the batch, then let delivery start what it holds. */
int job_batch_end(struct job_ctx *c, struct dg_err *err)
{
	int rc;

	if (!c->batch_open)
		return 0;
	c->batch_open = false;
	rc = store_commit(c->store, err);
	if (rc || !c->queued)
		return rc;
	return deliver_poll(c->deliver, 0, err);
}

/* After a user is queued: a batch open long enough is committed. */
int job_batch_turn(struct job_ctx *c, struct dg_err *err)
{
	int rc;

	if (!c->batch_open || mono_ms() - c->batch_since < JOB_BATCH_MS)
		return 0;
	rc = job_batch_end(c, err);
	return rc ? rc : job_batch_begin(c, err);
}

/* Threads that compose messages, at most. */
#define JOB_POOL_MAX 8

/* A composed message ends the source's wait: the loop has work. */
static void wake_source(void *ctx)
{
	source_wakeup(ctx);
}

/*
 * Messages are composed on a pool of threads, one a core, when they are
 * queued or dropped (a dry run); printed ones (stdout) keep their order
 * and are composed here.
 */
int job_pool_open(struct job_ctx *c, struct dg_err *err)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = cores < 1 ? 1 : cores > JOB_POOL_MAX ? JOB_POOL_MAX
							  : (unsigned)cores;

	if (!c->queued && !c->o->dry_run)
		return 0;
	return compose_pool_open(c->o->cfg, &c->compose, n, wake_source,
				 c->source, &c->pool, err);
}
