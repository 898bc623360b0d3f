/*
 * source: where users, mailbox settings, events and distribution lists
 * come from.
 *
 * The rest of the flow (plan, match, the commands) holds an opaque struct
 * source and never knows whether the answers are live Graph or a
 * recording. A source is a table of operations (struct source_ops) over
 * its own state, so another kind (Graph over HTTPS) is one more table and
 * one more source_open_*() function, nothing else changes.
 *
 * Rules every kind keeps, some enforced here so no kind can forget them:
 * - users: all pages; users without mail are left out here (they have no
 *   mailbox to read and nobody to send a digest to).
 * - events: all pages. Whether the window is applied is the kind's
 *   business (a recording returns what it recorded); the planner filters
 *   by day in any case.
 * - group: DG_ENOTFOUND when the address is no group; the lookup ignores
 *   letter case. Each call asks the kind: the run's one cache of answers
 *   is the directory's (directory.h), which asks once per address.
 * - Errors name what failed (file or request) and the user.
 */
#ifndef DIGEST_SOURCE_H
#define DIGEST_SOURCE_H

#include "calendar.h"
#include "err.h"

struct config;
struct store;
struct source;

/*
 * What a long fetch has done so far, for a progress line. stage names
 * what is counted ("mailboxes", "calendars", "users"); total is 0 when
 * not known in advance.
 */
struct source_progress {
	const char *stage;
	size_t done, total;
	size_t requests;  /* Graph requests sent */
	size_t throttled; /* answers that asked us to wait */
};

typedef void source_progress_fn(const struct source_progress *p, void *ctx);

/* Open the recording in folder dir (see fixtures.h). source_close() it. */
int source_open_fixtures(const char *dir, struct source **out,
			 struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Open Microsoft Graph as [graph] of cfg says (see graph.h, auth.h). The
 * users are those of table users (app mode: error when `digest users
 * sync` never ran) or the connected ones (delegated mode). jobs caps the
 * requests in flight (0: 8). progress (may be NULL) hears of the
 * fetches. cfg and st are borrowed and must outlive the source.
 */
int source_open_graph(const struct config *cfg, struct store *st, int jobs,
		      source_progress_fn *progress, void *progress_ctx,
		      struct source **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Append every user that has a mail; on error nothing is appended. */
int source_users(struct source *s, struct cal_user_list *out,
		 struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The mailbox settings of u into *out, which must be zeroed; on success
 * it is yours: cal_mailbox_release(). DG_ENOTFOUND: u has no mailbox.
 */
int source_mailbox(struct source *s, const struct cal_user *u,
		   struct cal_mailbox *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Append the events of u between start_utc and end_utc (RFC 3339, "Z"),
 * all pages; on error nothing is appended.
 */
int source_events(struct source *s, const struct cal_user *u,
		  const char *start_utc, const char *end_utc,
		  struct cal_event_list *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Streaming: ask ahead, hear when the answer is in, then take it with
 * source_mailbox(), source_events() or source_group(), which answer from
 * memory. A kind that can (graph) carries many asks at once, batched and
 * in parallel, while the caller works on the answers already in; a kind
 * that cannot (fixtures) answers each ask at once.
 *
 * The answer function hears of every ask answered, found or failed, from
 * inside source_ask_*() or source_pump(); it must not call the source
 * (note the answer, act on it after). An address may be told twice.
 */
enum source_what { SOURCE_MAILBOX, SOURCE_EVENTS, SOURCE_GROUP };

struct source_answer {
	enum source_what what;
	const struct cal_user *user; /* MAILBOX, EVENTS: the user asked for */
	const char *address;         /* GROUP: the address asked about */
};

typedef void source_answer_fn(void *ctx, const struct source_answer *a);

void source_on_answer(struct source *s, source_answer_fn *fn, void *ctx);

/*
 * Ask for u's mailbox settings, or its events in a window (RFC 3339,
 * "Z"), or whether address is a list. u is borrowed until
 * source_forget(u). A nonzero return means nothing can be fetched at all
 * (sign-in refused, out of memory); a user's own failure comes with the
 * answer.
 */
int source_ask_mailbox(struct source *s, const struct cal_user *u,
		       struct dg_err *err) __attribute__((warn_unused_result));
int source_ask_events(struct source *s, const struct cal_user *u,
		      const char *start_utc, const char *end_utc,
		      struct dg_err *err) __attribute__((warn_unused_result));
int source_ask_group(struct source *s, const char *address,
		     struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Let the asks progress: wait a moment for answers (at most a poll
 * interval) and hand them to the answer function. Nonzero only when the
 * source failed as a whole.
 */
int source_pump(struct source *s, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Whether asks are still out. */
bool source_busy(const struct source *s);

/*
 * End a source_pump() wait at once; from any thread (the only function
 * of this API another thread may call): work for the pumping loop came
 * in elsewhere. A no-op for a source that never waits.
 */
void source_wakeup(struct source *s);

/* Drop whatever is kept for u: its digest is built. */
void source_forget(struct source *s, const struct cal_user *u);

/* A user and the UTC window of events wanted for them. */
struct source_window {
	const struct cal_user *user;
	const char *start_utc, *end_utc; /* RFC 3339, "Z" */
};

/*
 * Ask for all of them and wait for every answer: for callers that want
 * many users' answers at once rather than a stream.
 */
int source_prefetch_mailboxes(struct source *s,
			      const struct cal_user *const *users, size_t n,
			      struct dg_err *err)
	__attribute__((warn_unused_result));

int source_prefetch_events(struct source *s, const struct source_window *w,
			   size_t n, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The group whose mail is address (any letter case) with its transitive
 * members, into *out, which must be zeroed; on success it is yours:
 * cal_group_release(). DG_ENOTFOUND if address is no group.
 */
int source_group(struct source *s, const char *address,
		 struct cal_group *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free s and its kind's state. NULL is a no-op. */
void source_close(struct source *s);

/*
 * For implementers of a kind. Each operation gets the impl pointer given
 * to source_new() and has the contract of the source_*() call of the same
 * name, except that users may include users without mail.
 */
struct source_ops {
	const char *kind; /* "fixtures", "graph": for messages */
	int (*users)(void *impl, struct cal_user_list *out,
		     struct dg_err *err);
	int (*mailbox)(void *impl, const struct cal_user *u,
		       struct cal_mailbox *out, struct dg_err *err);
	int (*events)(void *impl, const struct cal_user *u,
		      const char *start_utc, const char *end_utc,
		      struct cal_event_list *out, struct dg_err *err);
	int (*group)(void *impl, const char *address, struct cal_group *out,
		     struct dg_err *err);
	void (*close)(void *impl);
	/*
	 * Optional, all or none (NULL: the asks are answered at once and
	 * the calls above do the work).
	 */
	void (*on_answer)(void *impl, source_answer_fn *fn, void *ctx);
	int (*ask_mailbox)(void *impl, const struct cal_user *u,
			   struct dg_err *err);
	int (*ask_events)(void *impl, const struct cal_user *u,
			  const char *start_utc, const char *end_utc,
			  struct dg_err *err);
	int (*ask_group)(void *impl, const char *address, struct dg_err *err);
	int (*pump)(void *impl, struct dg_err *err);
	bool (*busy)(void *impl);
	void (*wakeup)(void *impl); /* thread-safe; NULL: never waits */
	void (*forget)(void *impl, const struct cal_user *u);
};

/*
 * Wrap impl in a source. ops must outlive the source; the source takes
 * ownership of impl (ops->close frees it, also when this call fails).
 */
int source_new(const struct source_ops *ops, void *impl,
	       struct source **out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
