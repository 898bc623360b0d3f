/*
 * compose_pool: compose_message() on threads of its own (see compose.h).
 *
 * Work and results are two lists under one lock: a thread takes the
 * oldest job, composes it with its own engine and settings (the lock not
 * held), and moves it to the results; the caller takes results in the
 * order they finish. A job's input is the caller's, borrowed until its
 * result is taken, so nothing of a user is copied.
 *
 * While the caller's thread is busy elsewhere (a batch of Graph's answers
 * to read) the threads would go on composing, and every message waiting
 * would hold its own pages (a digest is about 50 KB): a dry run of 1,000
 * users had up to 87 waiting. A thread takes no job while POOL_WAITING
 * results per thread wait to be taken; taking one lets it go on.
 */
#include "clock.h"
#include "compose.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct job {
	struct job *next;
	const struct render_input *in;
	unsigned attempt;
	struct compose_result r;
};

struct worker {
	struct compose_pool *pool;
	/* the pool's settings, this thread's engine and render buffers */
	struct compose c;
	struct render_output out;
	pthread_t thread;
	bool started;
};

/* Results a thread may leave waiting before it takes no more jobs. */
#define POOL_WAITING 2

struct compose_pool {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job was added, a result taken, or quit */
	pthread_cond_t done; /* a result is ready */
	bool quit;
	struct job *todo, **todo_tail;
	struct job *results, **results_tail;
	size_t pending; /* added, not taken */
	size_t waiting; /* composed, not taken: the results */
	compose_wake_fn *wake;
	void *wake_ctx;
	struct worker *workers;
	unsigned n;
};

static void job_free(struct job *j)
{
	strbuf_release(&j->r.msg);
	strbuf_release(&j->r.id);
	free(j);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct compose_pool *p = w->pool;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct job *j;
		bool told;

		while ((!p->todo || p->waiting >= POOL_WAITING * p->n) &&
		       !p->quit)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->quit)
			break;
		j = p->todo;
		p->todo = j->next;
		if (!p->todo)
			p->todo_tail = &p->todo;
		pthread_mutex_unlock(&p->lock);
		j->r.status = compose_message(&w->c, j->in, j->attempt,
					      &j->r.msg, &j->r.id, &j->r.err);
		pthread_mutex_lock(&p->lock);
		j->next = NULL;
		told = p->results != NULL;
		*p->results_tail = j;
		p->results_tail = &j->next;
		p->waiting++;
		/*
		 * Results waiting already were told of, and the caller takes
		 * them all at once: a wake for each would cost the caller's
		 * thread a system call or two a message for nothing.
		 */
		if (told)
			continue;
		pthread_cond_broadcast(&p->done);
		if (p->wake)
			p->wake(p->wake_ctx);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int start_worker(struct compose_pool *p, struct worker *w,
			const struct config *cfg, const struct compose *c,
			struct dg_err *err)
{
	struct render_engine *e = NULL;
	int rc = render_open(cfg->digest.templates, cfg->digest.subject, &e,
			     err);

	if (rc)
		return rc;
	render_set_meeting_hosts(
		e, (const char *const *)cfg->digest.meeting_hosts);
	w->pool = p;
	w->c = *c;
	w->c.engine = e;
	w->out = (struct render_output)RENDER_OUTPUT_INIT;
	w->c.keep = &w->out;
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc) {
		render_close(e);
		w->c.engine = NULL;
		return dg_errf(err, DG_EINTERNAL, "cannot start a thread to "
			       "compose digests: %s", strerror(rc));
	}
	w->started = true;
	return 0;
}

int compose_pool_open(const struct config *cfg, const struct compose *c,
		      unsigned n, compose_wake_fn *wake, void *wake_ctx,
		      struct compose_pool **out, struct dg_err *err)
{
	struct compose_pool *p = calloc(1, sizeof(*p));
	int rc = 0;

	*out = NULL;
	if (!p)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->todo_tail = &p->todo;
	p->results_tail = &p->results;
	p->wake = wake;
	p->wake_ctx = wake_ctx;
	p->workers = calloc(n ? n : 1, sizeof(*p->workers));
	if (!p->workers)
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	for (unsigned i = 0; !rc && i < (n ? n : 1); i++) {
		rc = start_worker(p, &p->workers[i], cfg, c, err);
		p->n += !rc;
	}
	if (rc) {
		compose_pool_close(p);
		return rc;
	}
	*out = p;
	return 0;
}

int compose_pool_add(struct compose_pool *p, const struct render_input *in,
		     unsigned attempt, void *tag, struct dg_err *err)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	j->in = in;
	j->attempt = attempt;
	j->r.tag = tag;
	j->r.err = (struct dg_err)DG_ERR_INIT;
	strbuf_init(&j->r.msg, 0);
	strbuf_init(&j->r.id, 0);
	pthread_mutex_lock(&p->lock);
	*p->todo_tail = j;
	p->todo_tail = &j->next;
	p->pending++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

bool compose_pool_next(struct compose_pool *p, struct compose_result *out)
{
	struct job *j;

	pthread_mutex_lock(&p->lock);
	j = p->results;
	if (j) {
		p->results = j->next;
		if (!p->results)
			p->results_tail = &p->results;
		p->pending--;
		/* room again: every thread that waits for it may go on */
		if (p->waiting-- == POOL_WAITING * p->n)
			pthread_cond_broadcast(&p->work);
	}
	pthread_mutex_unlock(&p->lock);
	if (!j)
		return false;
	*out = j->r;
	free(j); /* the strbufs are out's now */
	return true;
}

bool compose_pool_ready(struct compose_pool *p)
{
	bool ready;

	pthread_mutex_lock(&p->lock);
	ready = p->results != NULL;
	pthread_mutex_unlock(&p->lock);
	return ready;
}

size_t compose_pool_pending(const struct compose_pool *p)
{
	return p->pending; /* changed only by the caller's thread */
}

size_t compose_pool_done(struct compose_pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = p->waiting;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void compose_pool_wait(struct compose_pool *p, int ms)
{
	struct timespec until;

	clock_deadline(ms, &until);
	pthread_mutex_lock(&p->lock);
	while (p->pending && !p->results)
		if (pthread_cond_timedwait(&p->done, &p->lock, &until) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&p->lock);
}

static void free_list(struct job *j)
{
	while (j) {
		struct job *next = j->next;

		job_free(j);
		j = next;
	}
}

/* Ask the threads to end; each finishes the job in hand first. */
static void quit_workers(struct compose_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void compose_pool_close(struct compose_pool *p)
{
	if (!p)
		return;
	quit_workers(p);
	for (unsigned i = 0; i < p->n; i++) {
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
		render_close(p->workers[i].c.engine);
		render_output_release(&p->workers[i].out);
		compose_release(&p->workers[i].c);
	}
	free_list(p->todo);
	free_list(p->results);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p->workers);
	free(p);
}
