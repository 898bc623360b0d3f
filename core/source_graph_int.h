/*
 * source_graph_int: what source_graph.c (users, mailbox settings and
 * events) shares with source_graph_groups.c (the attendees looked up as
 * distribution lists). Only these two files include it.
 *
 * One struct gsrc per opened graph source, made and freed by
 * source_graph.c; it owns the graph client, the sign-in, the users'
 * records (by_id) and the lookups of lists (pre, whose entries only
 * source_graph_groups.c reads, makes and frees).
 */
#ifndef DIGEST_SOURCE_GRAPH_INT_H
#define DIGEST_SOURCE_GRAPH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "hmap.h"
#include "source.h"

struct auth;
struct graph;

struct gsrc {
	const struct config *cfg;
	struct store *st;
	struct graph *g;
	struct auth *auth;
	bool delegated;
	struct hmap by_id;   /* user id -> struct guser, until forgotten */
	bool groups_refused; /* 403 on /groups: stop asking */
	bool signed_in;      /* auth_check() passed */
	struct hmap pre;     /* address -> struct gpre, until taken */
	source_answer_fn *answer; /* told of each answer */
	void *answer_ctx;

	source_progress_fn *progress;
	void *progress_ctx;
	const char *stage;
	size_t done, total;
	struct timespec last;
};

/* ---- source_graph.c ---- */

/* Tell the caller an answer is in (a user's cu, or an address's). */
void source_graph_notify(struct gsrc *s, enum source_what what,
			 const struct cal_user *cu, const char *address);

/*
 * graph_run() with the progress line drawn before and after: every
 * request queued is answered. Nonzero only when graph itself failed.
 */
int source_graph_run(struct gsrc *s, struct dg_err *err);

/* ---- source_graph_groups.c ---- */

/* source_ops.ask_group: start looking address up as a list. */
int source_graph_ask_group(void *impl, const char *address,
			   struct dg_err *err);

/*
 * source_ops.group: the list whose mail is address, looked up now unless
 * it was asked for already; the answer is handed out and forgotten.
 */
int source_graph_group(void *impl, const char *address, struct cal_group *out,
		       struct dg_err *err);

/* Free every lookup still kept in s->pre, and the map. */
void source_graph_groups_release(struct gsrc *s);

#endif
