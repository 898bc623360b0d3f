/*
 * smtp_pool: several messages in flight, each over its own connection.
 *
 * Why threads and not libcurl's multi handle: libcurl (7.88, Debian 12)
 * waits for the reply to the end of DATA in a blocking loop of its own
 * (smtp_done() runs smtp_block_statemach()), even under a multi handle,
 * so N transfers of one multi handle wait for their verdicts one after
 * the other: with a relay that answers after 50 ms, four connections
 * sent 20 messages a second, no more than one. So each slot is one easy
 * handle (struct smtp, as smtp_send() uses: one connection, reused) run
 * by a thread of its own with curl_easy_perform(); the caller's thread
 * hands it a message and collects the verdict, and is the only one to
 * touch the queue. A slot goes idle -> busy (its thread sends) -> done
 * (verdict kept) -> idle (collected by smtp_pool_next()); the lock
 * guards the states, and a slot's handle belongs to its thread while it
 * is busy and to the caller otherwise.
 */
#include "clock.h"
#include "smtp.h"
#include "smtp_int.h"

#include <curl/curl.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum slot_state { SLOT_IDLE, SLOT_BUSY, SLOT_DONE };

struct smtp_pool;

struct slot {
	struct smtp_pool *pool;
	struct smtp *smtp;
	pthread_t thread;
	bool started;
	enum slot_state state;
	void *tag;
	char *rcpt; /* for messages */
	int status;
	enum smtp_outcome outcome;
	struct strbuf reply;
	struct dg_err err;
};

struct smtp_pool {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a slot became busy, or quit */
	pthread_cond_t done; /* a slot became done */
	bool quit;
	struct slot *slots;
	unsigned n;
	unsigned next_done; /* where smtp_pool_next() looks first */
	void (*on_done)(void *ctx);
	void *on_done_ctx;
};

/* One send on this slot's thread: the lock is not held. */
static void send_one(struct slot *s)
{
	CURLcode rc;

	do
		rc = curl_easy_perform(s->smtp->curl);
	while (smtp_again(s->smtp, rc));
	strbuf_reset(&s->reply);
	s->err = (struct dg_err)DG_ERR_INIT;
	s->status = smtp_end(s->smtp, rc, s->rcpt, &s->outcome, &s->reply,
			     &s->err);
}

static void *slot_main(void *arg)
{
	struct slot *s = arg;
	struct smtp_pool *p = s->pool;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (s->state != SLOT_BUSY && !p->quit)
			pthread_cond_wait(&p->work, &p->lock);
		if (s->state != SLOT_BUSY)
			break;
		pthread_mutex_unlock(&p->lock);
		send_one(s);
		pthread_mutex_lock(&p->lock);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->done);
		if (p->on_done) {
			pthread_mutex_unlock(&p->lock);
			p->on_done(p->on_done_ctx);
			pthread_mutex_lock(&p->lock);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void smtp_pool_close(struct smtp_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	/* A thread busy sending finishes that send first. */
	for (unsigned i = 0; i < p->n; i++)
		if (p->slots[i].started)
			pthread_join(p->slots[i].thread, NULL);
	for (unsigned i = 0; i < p->n; i++) {
		smtp_close(p->slots[i].smtp); /* says QUIT */
		free(p->slots[i].rcpt);
		strbuf_release(&p->slots[i].reply);
	}
	curl_global_cleanup(); /* the pool's own reference */
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p->slots);
	free(p);
}

static int start_slot(struct smtp_pool *p, struct slot *s,
		      const struct smtp_settings *set, struct dg_err *err)
{
	int rc;

	s->pool = p;
	strbuf_init(&s->reply, 0);
	rc = smtp_handle_open(set, &s->smtp, err);
	if (rc)
		return rc;
	rc = pthread_create(&s->thread, NULL, slot_main, s);
	if (rc)
		return dg_errf(err, DG_EINTERNAL, "smtp: cannot start a "
			       "sending thread: %s", strerror(rc));
	s->started = true;
	return 0;
}

int smtp_pool_open(const struct smtp_settings *s, unsigned connections,
		   struct smtp_pool **out, struct dg_err *err)
{
	struct smtp_pool *p;
	int rc = 0;

	*out = NULL;
	if (!connections)
		return dg_errf(err, DG_EINVAL, "[smtp] connections must be "
			       "at least 1");
	/* libcurl's global state, set up before any thread uses it. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return dg_errf(err, DG_EINTERNAL, "smtp: libcurl cannot "
			       "start");
	p = calloc(1, sizeof(*p));
	if (!p) {
		curl_global_cleanup();
		return dg_errf(err, DG_ENOMEM, "smtp: out of memory");
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->slots = calloc(connections, sizeof(*p->slots));
	if (!p->slots)
		rc = dg_errf(err, DG_ENOMEM, "smtp: out of memory");
	for (unsigned i = 0; !rc && i < connections; i++) {
		p->n++;
		rc = start_slot(p, &p->slots[i], s, err);
	}
	if (rc) {
		smtp_pool_close(p);
		return rc;
	}
	*out = p;
	return 0;
}

static unsigned count_idle(struct smtp_pool *p)
{
	unsigned n = 0;

	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < p->n; i++)
		n += p->slots[i].state == SLOT_IDLE;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void smtp_pool_on_done(struct smtp_pool *p, void (*fn)(void *ctx), void *ctx)
{
	p->on_done = fn;
	p->on_done_ctx = ctx;
}

unsigned smtp_pool_room(const struct smtp_pool *p)
{
	return count_idle((struct smtp_pool *)p);
}

unsigned smtp_pool_busy(const struct smtp_pool *p)
{
	return p->n - count_idle((struct smtp_pool *)p);
}

int smtp_pool_add(struct smtp_pool *p, const char *envelope_from,
		  const char *rcpt, const char *msg, size_t len, void *tag,
		  enum smtp_outcome *outcome, struct dg_err *err)
{
	struct slot *s = NULL;
	int rc;

	*outcome = SMTP_TEMPFAIL;
	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; !s && i < p->n; i++)
		if (p->slots[i].state == SLOT_IDLE)
			s = &p->slots[i];
	pthread_mutex_unlock(&p->lock);
	if (!s)
		return dg_errf(err, DG_ETOOBIG, "smtp: every connection is "
			       "busy");
	/* An idle slot's handle is ours until we mark it busy. */
	rc = smtp_begin(s->smtp, envelope_from, rcpt, msg, len, outcome, err);
	if (rc)
		return rc;
	free(s->rcpt);
	s->rcpt = strdup(rcpt);
	if (!s->rcpt)
		return dg_errf(err, DG_ENOMEM, "smtp: out of memory");
	s->tag = tag;
	pthread_mutex_lock(&p->lock);
	s->state = SLOT_BUSY;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static bool any_state(const struct smtp_pool *p, enum slot_state state)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->slots[i].state == state)
			return true;
	return false;
}

int smtp_pool_run(struct smtp_pool *p, int wait_ms, struct dg_err *err)
{
	struct timespec until;

	(void)err;
	clock_deadline(wait_ms, &until);
	pthread_mutex_lock(&p->lock);
	while (wait_ms > 0 && !any_state(p, SLOT_DONE) &&
	       any_state(p, SLOT_BUSY))
		if (pthread_cond_timedwait(&p->done, &p->lock, &until) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

bool smtp_pool_next(struct smtp_pool *p, struct smtp_result *out)
{
	bool found = false;

	pthread_mutex_lock(&p->lock);
	for (unsigned k = 0; !found && k < p->n; k++) {
		unsigned i = (p->next_done + k) % p->n;
		struct slot *s = &p->slots[i];

		if (s->state != SLOT_DONE)
			continue;
		s->state = SLOT_IDLE;
		p->next_done = (i + 1) % p->n;
		out->tag = s->tag;
		out->status = s->status;
		out->outcome = s->outcome;
		out->reply = s->reply.buf;
		out->err = &s->err;
		found = true;
	}
	pthread_mutex_unlock(&p->lock);
	return found;
}
