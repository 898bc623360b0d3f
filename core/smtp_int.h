/*
 * smtp_int.h: what smtp.c shares with smtp_pool.c, and nobody else.
 *
 * One struct smtp is one easy handle with the state of its current send:
 * smtp_send() runs it on the caller's thread, the pool on a thread of
 * the slot's own. Both go through the same three steps, so a
 * reply is judged the same way whoever drove the transfer:
 * smtp_begin() checks and sets up, the transfer runs, smtp_end() judges;
 * between the two, smtp_again() says whether the transfer met a
 * connection the server had closed while idle and must run once more.
 */
#ifndef DIGEST_SMTP_INT_H
#define DIGEST_SMTP_INT_H

#include <curl/curl.h>

#include <stdbool.h>

#include "smtp.h"

/*
 * Which part of the dialogue a reply answers: a 5xx to EHLO or AUTH is a
 * refusal of us, a 5xx to MAIL/RCPT/DATA a refusal of the message. Once
 * DATA is said, the message may have been delivered.
 */
enum smtp_stage { STAGE_SESSION, STAGE_MESSAGE, STAGE_DATA };

struct smtp {
	CURL *curl;
	char *where;   /* "host:port", for messages */
	char *host;    /* as configured, for messages */
	long timeout;
	char errbuf[CURL_ERROR_SIZE];

	/* Server replies of the current send, from the debug callback. */
	struct strbuf line;  /* a reply line being received */
	struct strbuf reply; /* the last reply, one line, sanitised */
	int reply_code;      /* its code; 0: none yet */
	bool reply_done;     /* its last line has been seen */
	bool reply_lost;     /* out of memory while keeping it */
	enum smtp_stage stage, reply_stage;

	/* The message being uploaded: msg, then "\r\n" when it lacks one. */
	const char *msg;
	size_t len, total, pos;
	struct curl_slist *to; /* the recipient of the current send */
	bool fresh;            /* this send runs again on a new connection */
};

/* Open an easy handle for s (checked); the pool opens one per slot. */
int smtp_handle_open(const struct smtp_settings *s, struct smtp **out,
		     struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Check the addresses and set c up to send msg; nothing is sent. On
 * failure (a bad address: *outcome PERMFAIL; out of memory: TEMPFAIL)
 * nothing needs undoing.
 */
int smtp_begin(struct smtp *c, const char *envelope_from, const char *rcpt,
	       const char *msg, size_t len, enum smtp_outcome *outcome,
	       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * After a transfer that ended in rc: true when it met a connection the
 * server had closed while idle, before DATA, and c is set up to run once
 * more on a new connection (at most once per send).
 */
bool smtp_again(struct smtp *c, CURLcode rc);

/* Judge the transfer that ended in rc, as smtp_send() documents. */
int smtp_end(struct smtp *c, CURLcode rc, const char *rcpt,
	     enum smtp_outcome *outcome, struct strbuf *reply,
	     struct dg_err *err);

#endif
