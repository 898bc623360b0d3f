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

#endif
