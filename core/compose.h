/*
 * compose: one user's digest made into the message that is sent.
 *
 * The digest of render (subject, text, HTML) is wrapped into an RFC 5322
 * message by mime, with the headers every digest carries: a Message-ID
 * of its own per copy, the headers that keep auto-responders quiet, and,
 * when [digest] unsubscribe_url is set, the one-click unsubscribe link
 * (RFC 8058) and the preferences link, each a sealed, expiring token.
 *
 * Invariants: compose never delivers and never records; the same input,
 * attempt and clock give the same message, except its MIME boundary.
 * Ownership: struct compose borrows the engine and the strings of its
 * settings; they must outlive it. It owns the link key and wipes it.
 * keep, when set, is borrowed too: the render buffers one thread uses
 * again from message to message (the pool gives each thread its own).
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_COMPOSE_H
#define DIGEST_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include <sodium.h>

#include "config.h"
#include "err.h"
#include "render.h"
#include "strbuf.h"

struct compose {
	struct render_engine *engine; /* borrowed */
	const char *from;             /* [digest] from */
	const char *links_url;        /* [digest] unsubscribe_url; NULL: none */
	int64_t now_ms;               /* the run's clock: Date, token expiry */
	bool has_key;                 /* links_url set and its key read */
	unsigned char key[crypto_auth_KEYBYTES];
	/*
	 * NULL, or where compose_message() renders: its memory is kept
	 * for the next message, so a thread's buffers grow once, not per
	 * digest. Used by one thread at a time; its owner releases it.
	 */
	struct render_output *keep;
};

/*
 * Fill c from cfg for a run at now_ms: reads the link key named by
 * [digest] unsubscribe_key when unsubscribe_url is set (an error when it
 * cannot be read or parsed). engine is borrowed.
 */
int compose_init(struct compose *c, const struct config *cfg,
		 struct render_engine *engine, int64_t now_ms,
		 struct dg_err *err) __attribute__((warn_unused_result));

/* Wipe the key. */
void compose_release(struct compose *c);

/*
 * The one-click unsubscribe and preferences links of address (appended
 * to unsub and prefs); nothing when links are off.
 */
int compose_links(const struct compose *c, const char *address,
		  struct strbuf *unsub, struct strbuf *prefs,
		  struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Render in and wrap it into a MIME message appended to msg, its
 * Message-ID's value to id. attempt tells copies of one (user, date)
 * apart: each gets its own Message-ID. in->unsubscribe_url (when set)
 * also becomes the List-Unsubscribe header.
 */
int compose_message(const struct compose *c, const struct render_input *in,
		    unsigned attempt, struct strbuf *msg, struct strbuf *id,
		    struct dg_err *err) __attribute__((warn_unused_result));

/*
 * A pool of threads that compose messages while the caller's thread
 * fetches, queues and delivers: rendering is most of a digest's cost, and
 * one thread would leave the other cores idle. Each thread has a render
 * engine of its own (an engine is not shared between threads: it caches
 * templates and ICU formats as it goes); a message is composed exactly as
 * compose_message() composes it.
 *
 * Threads: open, add, next, wait and close from one thread (the caller's);
 * the wake function is called from the pool's threads, after a result is
 * ready: it must be safe to call from any thread.
 */
struct compose_pool;

typedef void compose_wake_fn(void *ctx);

/* A composed message; msg and id are yours: strbuf_release() them. */
struct compose_result {
	void *tag;          /* as given to compose_pool_add() */
	int status;         /* 0, or why it failed (err) */
	struct dg_err err;
	struct strbuf msg;
	struct strbuf id;
};

/*
 * Start n threads (at least one), each with an engine opened as
 * render_open() opens one for cfg's templates and subject, composing
 * with the settings of c (copied; its engine is not used). wake (may be
 * NULL) is told when a result is ready and none was waiting before it:
 * once told, the caller takes every result waiting (compose_pool_next()
 * until it says none). *out is yours: compose_pool_close() it.
 */
int compose_pool_open(const struct config *cfg, const struct compose *c,
		      unsigned n, compose_wake_fn *wake, void *wake_ctx,
		      struct compose_pool **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Compose the message of in (attempt as compose_message()) on a thread of
 * the pool. in and everything it points to are borrowed: they must stay
 * valid and unchanged until the result of tag is taken.
 */
int compose_pool_add(struct compose_pool *p, const struct render_input *in,
		     unsigned attempt, void *tag, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Take one finished message into *out; false when none is ready. */
bool compose_pool_next(struct compose_pool *p, struct compose_result *out);

/* Whether a result is ready to be taken. */
bool compose_pool_ready(struct compose_pool *p);

/* Messages added and not taken yet. */
size_t compose_pool_pending(const struct compose_pool *p);

/*
 * Messages composed and not taken yet: at most two a thread, for a
 * thread takes no job while that many wait (each holds its pages).
 */
size_t compose_pool_done(struct compose_pool *p);

/* Wait up to ms for a result to be ready (none pending: returns). */
void compose_pool_wait(struct compose_pool *p, int ms);

/*
 * Stop the threads (each finishes the message it is composing) and free
 * the pool with every result not taken. NULL is a no-op.
 */
void compose_pool_close(struct compose_pool *p);

#endif
