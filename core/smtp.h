/*
 * smtp: hand finished messages to an SMTP server, one recipient each.
 *
 * One struct smtp is one libcurl easy handle, so one connection is opened
 * and reused for every message sent through it; a connection the server
 * closed while idle is reopened on the next send (libcurl 7.88 does not
 * notice, so a send that fails before DATA on a reused connection is tried
 * once more on a new one: it cannot deliver twice). TLS certificates and
 * host names are always verified (there is no switch to turn that off);
 * ca_file trusts a private CA instead of the system store.
 *
 * Every send ends in one of three outcomes the caller records:
 *   SMTP_SENT      the server accepted the message (2xx).
 *   SMTP_TEMPFAIL  keep it queued and retry later: a 4xx reply, or no
 *                  verdict at all (refused or dropped connection,
 *                  timeout). A connection lost after the
 *                  message was sent leaves it unknown whether the server
 *                  took it: SMTP cannot tell, and a retry may deliver a
 *                  second copy.
 *   SMTP_PERMFAIL  a 5xx verdict, or a local refusal (bad address); or,
 *                  with DG_EPERM, the server refused *us* (authentication,
 *                  session): nothing more can be sent this run.
 *
 * Invariants: addresses never reach the server unless they passed
 * smtp_check_address() (libcurl pastes them into commands unchecked). The
 * password goes to libcurl and nowhere else: no message, log line or reply
 * text carries it, and the commands we send (which carry AUTH data) are
 * never looked at beyond their first word.
 *
 * Threads: one struct smtp per thread. libcurl's global state is set up
 * by the first smtp_open() unless the program called curl_global_init()
 * before; a program that sends from several threads must call it once
 * before starting them.
 */
#ifndef DIGEST_SMTP_H
#define DIGEST_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "err.h"
#include "strbuf.h"

/* Plain values, all borrowed for the duration of smtp_open(). */
struct smtp_settings {
	const char *host;
	long port;               /* 1..65535 */
	enum config_tls tls;     /* starttls (required), implicit, none */
	const char *username;    /* NULL: no AUTH */
	const char *password;    /* with username; read by the caller */
	const char *ca_file;     /* private CA (PEM); NULL: the system store */
	const char *helo;        /* EHLO name; NULL: libcurl's (host name) */
	long connect_timeout;    /* seconds; 0: SMTP_CONNECT_TIMEOUT */
	long timeout;            /* seconds per message; 0: SMTP_TIMEOUT */
};

#define SMTP_CONNECT_TIMEOUT 10L
#define SMTP_TIMEOUT 60L

#define SMTP_SETTINGS_INIT                                             \
	{                                                              \
		.host = NULL, .port = 587, .tls = CONFIG_TLS_STARTTLS, \
		.connect_timeout = SMTP_CONNECT_TIMEOUT,               \
		.timeout = SMTP_TIMEOUT                                \
	}

enum smtp_outcome { SMTP_SENT, SMTP_TEMPFAIL, SMTP_PERMFAIL };

struct smtp;

/*
 * Check the settings and prepare a connection (nothing is sent until the
 * first smtp_send()). DG_EINVAL names the setting ("[smtp] port 0 is not
 * between 1 and 65535"). A password over a connection without TLS is
 * refused unless the host is the loopback. *out is yours: smtp_close() it.
 */
int smtp_open(const struct smtp_settings *s, struct smtp **out,
	      struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Send msg (CRLF text, len bytes, a CRLF is added if it does not end with
 * one) from envelope_from to rcpt. Returns 0 when the server accepted it;
 * otherwise err says why, naming the server ("smtp 127.0.0.1:2525: ...")
 * and quoting its reply when it gave one:
 *   DG_EINVAL  an address failed smtp_check_address() (nothing was sent),
 *              or the server refused the message or recipient (5xx):
 *              PERMFAIL.
 *   DG_ETEMP   the server deferred it (4xx): TEMPFAIL.
 *   DG_ENET    no verdict: connect refused, connection dropped, timeout,
 *              TLS failure or untrusted certificate: TEMPFAIL.
 *   DG_EPERM   authentication failed (535 ...), the server wants AUTH or
 *              TLS first (530), it refused the session (5xx to EHLO),
 *              or TLS cannot work as configured (untrusted certificate:
 *              [smtp] ca_file; no STARTTLS or a failed handshake: [smtp]
 *              tls): a configuration error, PERMFAIL for the run; the
 *              message itself was not judged, so keep it queued and stop
 *              sending. The message names the setting to check.
 *   DG_ENOMEM, DG_EINTERNAL: TEMPFAIL.
 * *outcome is always set. reply (may be NULL) receives the server's last
 * reply as one line ("451 4.3.0 Try again later"), or "" when there was
 * none; the text is the server's, with control characters replaced.
 */
int smtp_send(struct smtp *c, const char *envelope_from, const char *rcpt,
	      const char *msg, size_t len, enum smtp_outcome *outcome,
	      struct strbuf *reply, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Say QUIT if connected and free c. NULL is a no-op. */
void smtp_close(struct smtp *c);

/*
 * Check that addr can go into "MAIL FROM:<...>" or "RCPT TO:<...>": an
 * '@' with text on both sides, at most 254 bytes, and no CR, LF, '<', '>',
 * space or other control character (they would let calendar or roster
 * text inject SMTP commands). UTF-8 is allowed (libcurl says SMTPUTF8).
 * role names it in the message ("recipient"). DG_EINVAL, naming the
 * address with its control characters escaped.
 */
int smtp_check_address(const char *addr, const char *role,
		       struct dg_err *err)
	__attribute__((warn_unused_result));

/* ---- several messages in flight --------------------------------------- */

/*
 * A pool sends up to `connections` messages at once, each over its own
 * connection, kept open and reused from one message to the next (one
 * libcurl easy handle per connection, each sending on a thread of its
 * own: smtp_pool.c says why not a multi handle). The caller's thread
 * never blocks except in smtp_pool_run(), so it can interleave the pool
 * with other work. A verdict on one connection (421, a dropped
 * connection, a timeout) is that message's alone: the others go on.
 * Each finished send is judged exactly as smtp_send() judges, and comes
 * back with the caller's tag. Use a pool from one thread.
 */
struct smtp_pool;

/* One finished send; borrowed until the next smtp_pool_add(). */
struct smtp_result {
	void *tag;                 /* as given to smtp_pool_add() */
	int status;                /* 0 or a code as smtp_send() returns */
	enum smtp_outcome outcome;
	const char *reply;         /* the server's last reply, or "" */
	const struct dg_err *err;  /* why, when status is not 0 */
};

/* Check the settings (as smtp_open()); *out is yours: smtp_pool_close(). */
int smtp_pool_open(const struct smtp_settings *s, unsigned connections,
		   struct smtp_pool **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Have fn(ctx) called each time a send finishes, on the thread that sent
 * it and with no lock held: a caller that waits for something else
 * meanwhile (answers from Graph) hears that a connection is free again.
 * fn must be safe to call from any thread. Set it before the first
 * smtp_pool_add(); NULL (the default): no call.
 */
void smtp_pool_on_done(struct smtp_pool *p, void (*fn)(void *ctx), void *ctx);

/* How many more sends smtp_pool_add() takes now. */
unsigned smtp_pool_room(const struct smtp_pool *p);

/* How many sends are in flight or finished and not yet collected. */
unsigned smtp_pool_busy(const struct smtp_pool *p);

/*
 * Start sending msg (borrowed: keep it alive and unchanged until its
 * result is collected) from envelope_from to rcpt. Fails without
 * starting anything: DG_EINVAL for a bad address (*outcome PERMFAIL),
 * DG_ETOOBIG when there is no room, DG_ENOMEM/DG_EINTERNAL (TEMPFAIL).
 */
int smtp_pool_add(struct smtp_pool *p, const char *envelope_from,
		  const char *rcpt, const char *msg, size_t len, void *tag,
		  enum smtp_outcome *outcome, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Wait up to wait_ms (0: not at all) for a send in flight to finish.
 * Returns 0 (kept an int for a pool that could fail here).
 */
int smtp_pool_run(struct smtp_pool *p, int wait_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/* The next finished send into *out; false when none is waiting. */
bool smtp_pool_next(struct smtp_pool *p, struct smtp_result *out);

/*
 * Let the sends in flight finish (their verdicts are dropped: collect
 * them first), say QUIT on every open connection and free p. NULL is a
 * no-op.
 */
void smtp_pool_close(struct smtp_pool *p);

/* "starttls", "implicit" or "none", for messages. */
const char *smtp_tls_name(enum config_tls tls);

#endif
