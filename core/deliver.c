#include "deliver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "logging.h"
#include "maildir.h"
#include "mbox.h"
#include "mime.h"
#include "mimehdr.h"
#include "secret.h"
#include "smtp.h"
#include "strbuf.h"

/* How long deliver_finish() waits for a verdict before looking again. */
#define DELIVER_WAIT_MS 200
/* Rows read at a time when listing those a stop leaves behind. */
#define DELIVER_BATCH 64

/* One message on its way: the row and the bytes handed over. */
struct flight {
	struct queue_msg m;
	struct strbuf msg; /* the row's message with its Date set */
	bool busy;
};

struct deliver {
	const struct config *cfg;
	struct store *st;
	struct deliver_opts o;
	char *password; /* wiped on close */
	struct strbuf envelope_from;
	struct smtp_pool *pool; /* opened on the first SMTP message */
	struct flight *flights;
	unsigned nflights;
	int64_t after_id;     /* the last queue row looked at */
	bool drained;         /* the last look found nothing due */
	char *stopped;        /* why delivery stopped for the run */
	int64_t interval_ms;  /* between starts: max_per_minute; 0: none */
	int64_t next_start;   /* monotonic ms of the next allowed start */
	struct deliver_counts counts;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_sender(struct deliver *d, struct dg_err *err)
{
	const struct config *cfg = d->cfg;
	struct strbuf name = STRBUF_INIT;
	int rc = 0;

	if (cfg->delivery.kind != CONFIG_DELIVERY_SMTP)
		return 0;
	if (cfg->smtp.username)
		rc = secret_read(&cfg->smtp.password, "[smtp] password",
				 &d->password, err);
	if (!rc && cfg->smtp.envelope_from)
		rc = strbuf_addstr(&d->envelope_from, cfg->smtp.envelope_from);
	else if (!rc)
		rc = mimehdr_parse_from(cfg->digest.from, &name,
					&d->envelope_from, err);
	strbuf_release(&name);
	return rc;
}

int deliver_open(const struct config *cfg, struct store *st,
		 const struct deliver_opts *o, struct deliver **out,
		 struct dg_err *err)
{
	struct deliver *d = calloc(1, sizeof(*d));
	long n = cfg->smtp.connections > 0 ? cfg->smtp.connections : 1;
	int rc;

	*out = NULL;
	if (!d)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	d->cfg = cfg;
	d->st = st;
	d->o = *o;
	strbuf_init(&d->envelope_from, 0);
	if (cfg->delivery.kind != CONFIG_DELIVERY_SMTP)
		n = 1; /* a maildir is written one message at a time */
	d->flights = calloc((size_t)n, sizeof(*d->flights));
	d->nflights = (unsigned)n;
	if (cfg->smtp.max_per_minute > 0)
		d->interval_ms = (60000 + cfg->smtp.max_per_minute - 1) /
				 cfg->smtp.max_per_minute;
	rc = d->flights ? read_sender(d, err) :
			  dg_errf(err, DG_ENOMEM, "out of memory");
	for (unsigned i = 0; !rc && i < d->nflights; i++)
		strbuf_init(&d->flights[i].msg, 0);
	if (rc) {
		d->nflights = 0;
		deliver_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

void deliver_close(struct deliver *d)
{
	if (!d)
		return;
	smtp_pool_close(d->pool);
	for (unsigned i = 0; i < d->nflights; i++) {
		queue_msg_release(&d->flights[i].m);
		strbuf_release(&d->flights[i].msg);
	}
	free(d->flights);
	secret_wipe(d->password);
	strbuf_release(&d->envelope_from);
	free(d->stopped);
	free(d);
}

const struct deliver_counts *deliver_counts(const struct deliver *d)
{
	return &d->counts;
}

const char *deliver_stopped(const struct deliver *d)
{
	return d->stopped;
}

static bool stop_requested(const struct deliver *d)
{
	return d->o.stop && *d->o.stop;
}

static void stop_delivery(struct deliver *d, const char *why)
{
	if (!d->stopped)
		d->stopped = strdup(why);
}

static int open_pool(struct deliver *d, struct dg_err *err)
{
	const struct config *cfg = d->cfg;
	struct smtp_settings s = SMTP_SETTINGS_INIT;
	int rc;

	if (d->pool)
		return 0;
	s.host = cfg->smtp.host;
	s.port = cfg->smtp.port;
	s.tls = cfg->smtp.tls;
	s.username = cfg->smtp.username;
	s.password = d->password;
	s.ca_file = cfg->smtp.ca_file;
	s.helo = cfg->smtp.helo;
	if (cfg->smtp.connect_timeout)
		s.connect_timeout = cfg->smtp.connect_timeout;
	if (cfg->smtp.timeout)
		s.timeout = cfg->smtp.timeout;
	rc = smtp_pool_open(&s, d->nflights, &d->pool, err);
	if (!rc)
		smtp_pool_on_done(d->pool, d->o.wake, d->o.ctx);
	return rc;
}

/* ---- verdicts ---------------------------------------------------------- */

static void report(struct deliver *d, const struct queue_msg *m,
		   enum deliver_result result, const char *reason,
		   int64_t next)
{
	struct deliver_report r = {
		.msg = m, .result = result, .reason = reason,
		.next_attempt_at = next
	};

	switch (result) {
	case DELIVER_SENT: d->counts.sent++; break;
	case DELIVER_DEFERRED: d->counts.deferred++; break;
	case DELIVER_FAILED: d->counts.failed++; break;
	case DELIVER_STOP:
	case DELIVER_UNTRIED: d->counts.untried++; break;
	}
	if (d->o.report)
		d->o.report(&r, d->o.ctx);
}

/*
 * Write the verdict of a row in "sending" and report it; the row must
 * never be left "sending" by us. stored is what the queue keeps as the
 * last reply (the server's words when it gave any).
 */
static int record(struct deliver *d, struct flight *f,
		  enum deliver_result result, const char *stored,
		  const char *reason, struct dg_err *err)
{
	int64_t now = d->o.now_ms, next = 0;
	bool gave_up = false;
	int rc;

	if (result == DELIVER_SENT)
		rc = queue_mark_sent(d->st, f->m.id, stored, now, err);
	else if (result == DELIVER_FAILED)
		rc = queue_mark_failed(d->st, f->m.id, stored, now, err);
	else
		rc = queue_mark_retry(d->st, f->m.id, stored, now, &gave_up,
				      err);
	if (rc)
		return rc;
	if (gave_up)
		result = DELIVER_FAILED;
	else if (result == DELIVER_DEFERRED || result == DELIVER_STOP)
		next = now + queue_backoff_ms(f->m.attempts + 1);
	report(d, &f->m, result, reason, next);
	return 0;
}

static void land(struct flight *f)
{
	queue_msg_release(&f->m);
	strbuf_reset(&f->msg);
	f->busy = false;
}

static enum deliver_result judge(int status, enum smtp_outcome outcome)
{
	if (!status)
		return DELIVER_SENT;
	if (status == DG_EPERM)
		return DELIVER_STOP;
	return outcome == SMTP_PERMFAIL ? DELIVER_FAILED : DELIVER_DEFERRED;
}

/* Count the server's last reply to a message by its first digit. */
static void count_reply(struct deliver *d, const char *reply)
{
	enum deliver_reply_class c = DELIVER_REPLY_NONE;

	if (reply && reply[0] == '2')
		c = DELIVER_REPLY_2XX;
	else if (reply && reply[0] == '4')
		c = DELIVER_REPLY_4XX;
	else if (reply && reply[0] == '5')
		c = DELIVER_REPLY_5XX;
	d->counts.smtp_replies[c]++;
}

/*
 * Record every send the pool has finished, in one transaction: one
 * commit for the verdicts that came in together (each commit is an
 * fsync). A verdict that cannot be written does not keep the others
 * from being kept; the first error is returned.
 */
static int collect(struct deliver *d, struct dg_err *err)
{
	struct smtp_result res;
	bool open = false;
	int rc = 0, r;

	while (d->pool && smtp_pool_next(d->pool, &res)) {
		struct flight *f = res.tag;
		enum deliver_result result = judge(res.status, res.outcome);
		const char *why = res.status ? res.err->msg : NULL;
		struct dg_err e = DG_ERR_INIT;

		if (!open && !store_begin(d->st, &e))
			open = true;
		count_reply(d, res.reply);
		if (result == DELIVER_STOP)
			stop_delivery(d, why);
		r = record(d, f, result, *res.reply ? res.reply : why, why,
			   &e);
		if (r && !rc) {
			rc = r;
			*err = e;
		}
		land(f);
	}
	if (open) {
		r = store_commit(d->st, rc ? NULL : err);
		rc = rc ? rc : r;
	}
	return rc;
}

/* ---- starting a send --------------------------------------------------- */

static void send_maildir(struct deliver *d, struct flight *f,
			 enum deliver_result *result, struct strbuf *reply,
			 struct dg_err *why)
{
	int rc = maildir_deliver(d->cfg->delivery.path, f->msg.buf,
				 f->msg.len, d->o.now_ms, reply, why);

	/* A full disk or a permission problem may clear up: retry later. */
	*result = rc ? DELIVER_DEFERRED : DELIVER_SENT;
}

/* Hand f to the pool; a refusal before anything was sent is recorded. */
static int send_smtp(struct deliver *d, struct flight *f, struct dg_err *err)
{
	enum smtp_outcome outcome = SMTP_TEMPFAIL;
	struct dg_err why = DG_ERR_INIT;
	enum deliver_result result;
	int rc = open_pool(d, &why);

	if (!rc)
		rc = smtp_pool_add(d->pool, d->envelope_from.buf,
				   f->m.recipient, f->msg.buf, f->msg.len, f,
				   &outcome, &why);
	if (!rc)
		return 0;
	count_reply(d, NULL); /* refused before a word to the server */
	/* Settings the pool refuses are a configuration error. */
	result = !d->pool ? DELIVER_STOP : judge(rc, outcome);
	if (result == DELIVER_STOP)
		stop_delivery(d, why.msg);
	rc = record(d, f, result, why.msg, why.msg, err);
	land(f);
	return rc;
}

/* Take row m (adopted, already marked "sending") into f and start it. */
static int start(struct deliver *d, struct flight *f, struct queue_msg *m,
		 struct dg_err *err)
{
	struct strbuf reply = STRBUF_INIT;
	struct dg_err why = DG_ERR_INIT;
	enum deliver_result result;
	int rc;

	f->m = *m;
	memset(m, 0, sizeof(*m));
	f->busy = true;
	/* Date: when it is handed over, not when it was planned. */
	rc = mime_set_date(f->m.message, f->m.message_len, time(NULL),
			   &f->msg, &why);
	if (!rc && d->cfg->delivery.kind == CONFIG_DELIVERY_SMTP)
		return send_smtp(d, f, err);
	if (!rc)
		send_maildir(d, f, &result, &reply, &why);
	else
		result = DELIVER_DEFERRED;
	rc = record(d, f, result, reply.len ? reply.buf : why.msg,
		    result == DELIVER_SENT ? NULL : why.msg, err);
	strbuf_release(&reply);
	land(f);
	return rc;
}

static struct flight *free_flight(struct deliver *d)
{
	for (unsigned i = 0; i < d->nflights; i++)
		if (!d->flights[i].busy)
			return &d->flights[i];
	return NULL;
}

static bool may_start(struct deliver *d)
{
	if (stop_requested(d) || d->stopped || !free_flight(d))
		return false;
	return !d->interval_ms || mono_ms() >= d->next_start;
}

static void note_start(struct deliver *d)
{
	int64_t now = mono_ms();

	if (!d->interval_ms)
		return;
	d->next_start = (d->next_start > now ? d->next_start : now) +
			d->interval_ms;
}

static unsigned free_flights(const struct deliver *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->nflights; i++)
		n += !d->flights[i].busy;
	return n;
}

/*
 * Mark the wanted rows of v[0..n) "sending" in one commit, then start
 * them; the unwanted ones are passed over.
 */
static int start_batch(struct deliver *d, struct queue_msg *v, size_t n,
		       struct dg_err *err)
{
	int64_t ids[64] = { 0 };
	size_t k = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		d->after_id = v[i].id;
		if (!d->o.want || d->o.want(&v[i], d->o.ctx))
			ids[k++] = v[i].id;
		else
			v[i].id = 0; /* not ours: skip below */
	}
	rc = queue_mark_sending_many(d->st, ids, k, d->o.now_ms, err);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!v[i].id)
			continue;
		note_start(d);
		rc = start(d, free_flight(d), &v[i], err);
	}
	return rc;
}

/* Start due rows while there is room, the rate allows, and rows are due. */
static int fill(struct deliver *d, struct dg_err *err)
{
	int rc = 0;

	while (!rc && may_start(d)) {
		struct queue_msg *v = NULL;
		size_t n = 0, room = free_flights(d);

		/* Under a rate limit, one at a time: the next waits. */
		if (d->interval_ms || room > 64)
			room = d->interval_ms ? 1 : 64;
		rc = queue_next(d->st, d->o.now_ms, d->after_id,
				d->o.ignore_backoff, room, &v, &n, err);
		d->drained = !rc && !n;
		if (!rc && n)
			rc = start_batch(d, v, n, err);
		queue_msgs_free(v, n);
		if (!n)
			break;
	}
	return rc;
}

static unsigned in_flight(const struct deliver *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->nflights; i++)
		n += d->flights[i].busy;
	return n;
}

/* How long to wait for the next start the rate allows, at most max_ms. */
static int rate_wait(struct deliver *d, int max_ms)
{
	int64_t left = d->next_start - mono_ms();

	if (!d->interval_ms || left <= 0)
		return 0;
	return left < max_ms ? (int)left : max_ms;
}

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

int deliver_poll(struct deliver *d, int wait_ms, struct dg_err *err)
{
	struct dg_err perr = DG_ERR_INIT;
	int rc = fill(d, err);

	if (rc)
		return rc;
	if (!in_flight(d)) {
		if (!d->drained && !stop_requested(d) && !d->stopped)
			pause_ms(rate_wait(d, wait_ms));
		return fill(d, err);
	}
	if (d->interval_ms && free_flight(d) && !d->drained)
		wait_ms = rate_wait(d, wait_ms) ? rate_wait(d, wait_ms)
						: wait_ms;
	if (smtp_pool_run(d->pool, wait_ms, &perr))
		logging_warn("%s", perr.msg);
	rc = collect(d, err);
	return rc ? rc : fill(d, err);
}

/* Report each due row a stop left behind; they stay queued. */
static int report_untried(struct deliver *d, struct dg_err *err)
{
	const char *why = d->stopped ? d->stopped : "the run was stopped";
	int rc = 0;

	for (;;) {
		struct queue_msg *v = NULL;
		size_t n = 0;

		rc = queue_next(d->st, d->o.now_ms, d->after_id,
				d->o.ignore_backoff, DELIVER_BATCH, &v, &n,
				err);
		if (rc || !n)
			break;
		for (size_t i = 0; i < n; i++) {
			d->after_id = v[i].id;
			if (!d->o.want || d->o.want(&v[i], d->o.ctx))
				report(d, &v[i], DELIVER_UNTRIED, why, 0);
		}
		queue_msgs_free(v, n);
	}
	return rc;
}

int deliver_finish(struct deliver *d, struct dg_err *err)
{
	int rc = 0;

	d->drained = false;
	while (!rc) {
		rc = deliver_poll(d, DELIVER_WAIT_MS, err);
		if (in_flight(d))
			continue;
		if (d->drained || stop_requested(d) || d->stopped)
			break;
	}
	if (!rc && (stop_requested(d) || d->stopped))
		rc = report_untried(d, err);
	return rc;
}

int deliver_one(struct deliver *d, const struct queue_msg *m,
		enum deliver_result *result, struct dg_err *err)
{
	struct deliver_counts before = d->counts;
	struct flight *f = free_flight(d);
	struct queue_msg copy = QUEUE_MSG_INIT;
	int rc = 0;

	*result = DELIVER_UNTRIED;
	if (!f)
		return dg_errf(err, DG_EINTERNAL, "deliver_one: no room");
	copy.id = m->id;
	copy.attempts = m->attempts;
	copy.user = strdup(m->user);
	copy.date = strdup(m->date);
	copy.kind = strdup(m->kind);
	copy.recipient = strdup(m->recipient);
	copy.message = malloc(m->message_len + 1);
	if (!copy.user || !copy.date || !copy.kind || !copy.recipient ||
	    !copy.message) {
		queue_msg_release(&copy);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	memcpy(copy.message, m->message, m->message_len);
	copy.message[m->message_len] = '\0';
	copy.message_len = m->message_len;
	rc = queue_mark_sending(d->st, copy.id, d->o.now_ms, err);
	if (!rc)
		rc = start(d, f, &copy, err);
	while (!rc && f->busy) {
		struct dg_err perr = DG_ERR_INIT;

		if (smtp_pool_run(d->pool, DELIVER_WAIT_MS, &perr))
			logging_warn("%s", perr.msg);
		rc = collect(d, err);
	}
	queue_msg_release(&copy);
	if (d->counts.sent > before.sent)
		*result = DELIVER_SENT;
	else if (d->counts.failed > before.failed)
		*result = DELIVER_FAILED;
	else if (d->counts.deferred > before.deferred)
		*result = DELIVER_DEFERRED;
	else if (d->stopped)
		*result = DELIVER_STOP;
	return rc;
}

int deliver_stdout(const struct config *cfg, int fd, int64_t now_ms,
		   const char *user, const struct strbuf *msg,
		   struct dg_err *err)
{
	struct strbuf box = STRBUF_INIT, name = STRBUF_INIT;
	struct strbuf sender = STRBUF_INIT;
	int rc = mimehdr_parse_from(cfg->digest.from, &name, &sender, err);

	if (!rc)
		rc = mbox_append(&box, sender.buf, now_ms / 1000, msg->buf,
				 msg->len, err);
	if (!rc && strbuf_write_fd(&box, fd))
		rc = dg_errf(err, DG_EIO, "cannot write %s's digest: %s", user,
			     strerror(errno));
	strbuf_release(&box);
	strbuf_release(&name);
	strbuf_release(&sender);
	return rc;
}
