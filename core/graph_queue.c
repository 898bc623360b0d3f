/*
 * graph_queue: the calls waiting to go, oldest first, and what a transfer
 * takes from them: a call whose time has come and whose mailbox has room,
 * with more of the same token when it may travel in a batch. Only here are
 * the queue's ends, its count and the per-mailbox counts in flight moved.
 */
#include "graph.h"
#include "graph_int.h"

void graph_enqueue(struct graph *g, struct graph_call *c)
{
	c->next = NULL;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
	g->queued++;
}

/* Put c at the head of the queue: it goes first when it may. */
static void push_front(struct graph *g, struct graph_call *c)
{
	c->next = g->head;
	g->head = c;
	if (!g->tail)
		g->tail = c;
	g->queued++;
}

static bool mailbox_free(const struct graph *g, const struct graph_call *c)
{
	return c->mailbox < 0 || g->inflight[c->mailbox] < GRAPH_PER_MAILBOX;
}

/* Move the call at *link (after prev) from the queue into t. */
static void take(struct graph *g, struct graph_call **link,
		 struct graph_call *prev, struct graph_transfer *t)
{
	struct graph_call *c = *link;

	*link = c->next;
	if (g->tail == c)
		g->tail = prev;
	c->next = NULL;
	g->queued--;
	if (c->mailbox >= 0)
		g->inflight[c->mailbox]++;
	t->calls[t->ncalls++] = c;
}

bool graph_pick(struct graph *g, int64_t now, struct graph_transfer *t,
		int64_t *next_due)
{
	struct graph_call **link = &g->head, *prev = NULL, *c, *first = NULL;

	while ((c = *link) && t->ncalls < GRAPH_BATCH_MAX) {
		bool ok = c->not_before <= now && mailbox_free(g, c);

		if (c->not_before > now && c->not_before < *next_due)
			*next_due = c->not_before;
		if (ok && first)
			ok = !g->no_batch && first->batch && c->batch &&
			     c->who == first->who;
		if (!ok) {
			prev = c;
			link = &c->next;
			continue;
		}
		take(g, link, prev, t);
		if (!first) {
			first = c;
			if (!c->batch || g->no_batch)
				break;
		}
	}
	return t->ncalls > 0;
}

void graph_release_mailboxes(struct graph *g, struct graph_transfer *t)
{
	size_t i;

	for (i = 0; i < t->ncalls; i++)
		if (t->calls[i]->mailbox >= 0)
			g->inflight[t->calls[i]->mailbox]--;
}

void graph_unpick(struct graph *g, struct graph_transfer *t)
{
	graph_release_mailboxes(g, t);
	while (t->ncalls)
		push_front(g, t->calls[--t->ncalls]);
}

_Static_assert(GRAPH_FULL_PER_JOB <= GRAPH_SINGLES_PER_JOB,
	       "the transfers made for requests on their own carry full batches");

size_t graph_start_needs(const struct graph *g)
{
	if (g->no_batch)
		return g->running < graph_nxfers(g) ? 1 : 0;
	if (g->running < g->jobs)
		return 1;
	/*
	 * Past `jobs`, only a full batch (graph.h): too few calls waiting,
	 * and none could be.
	 */
	if (g->running < g->jobs * GRAPH_FULL_PER_JOB &&
	    g->queued >= GRAPH_BATCH_MAX)
		return GRAPH_BATCH_MAX;
	return 0;
}
