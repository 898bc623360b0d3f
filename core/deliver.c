#include "deliver.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "logging.h"
#include "maildir.h"
#include "mimehdr.h"
#include "smtp.h"
#include "strbuf.h"

struct deliver {
	const struct config *cfg;
	struct smtp *smtp;  /* opened on the first SMTP message */
	char *password;     /* wiped on close */
	struct strbuf envelope_from;
	struct deliver_stats stats;
};

int deliver_open(const struct config *cfg, struct deliver **out,
		 struct dg_err *err)
{
	struct deliver *d = calloc(1, sizeof(*d));
	struct strbuf name = STRBUF_INIT;
	int rc = 0;

	*out = NULL;
	if (!d)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	d->cfg = cfg;
	strbuf_init(&d->envelope_from, 0);
	if (cfg->delivery.kind == CONFIG_DELIVERY_SMTP) {
		if (cfg->smtp.username)
			rc = config_secret_read(&cfg->smtp.password,
						"[smtp] password", &d->password,
						err);
		if (!rc && cfg->smtp.envelope_from)
			rc = strbuf_addstr(&d->envelope_from,
					   cfg->smtp.envelope_from);
		else if (!rc)
			rc = mimehdr_parse_from(cfg->digest.from, &name,
						&d->envelope_from, err);
	}
	strbuf_release(&name);
	if (rc) {
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
	smtp_close(d->smtp);
	if (d->password) {
		sodium_memzero(d->password, strlen(d->password));
		free(d->password);
	}
	strbuf_release(&d->envelope_from);
	free(d);
}

static int smtp_connect(struct deliver *d, struct dg_err *err)
{
	const struct config *cfg = d->cfg;
	struct smtp_settings s = SMTP_SETTINGS_INIT;

	if (d->smtp)
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
	return smtp_open(&s, &d->smtp, err);
}

void deliver_get_stats(const struct deliver *d, struct deliver_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (d)
		*out = d->stats;
}

/* Count the server's last reply to a message by its first digit. */
static void count_reply(struct deliver *d, const struct strbuf *reply)
{
	enum deliver_reply_class c = DELIVER_REPLY_NONE;

	if (reply->len && reply->buf[0] == '2')
		c = DELIVER_REPLY_2XX;
	else if (reply->len && reply->buf[0] == '4')
		c = DELIVER_REPLY_4XX;
	else if (reply->len && reply->buf[0] == '5')
		c = DELIVER_REPLY_5XX;
	d->stats.smtp_replies[c]++;
}

/* Send over SMTP; map the reply onto a result. */
static void send_smtp(struct deliver *d, const struct queue_msg *m,
		     enum deliver_result *result, struct strbuf *reply,
		     struct dg_err *err)
{
	enum smtp_outcome outcome = SMTP_TEMPFAIL;
	int rc = smtp_connect(d, err);

	if (rc) {
		*result = DELIVER_STOP;
		count_reply(d, reply);
		return;
	}
	rc = smtp_send(d->smtp, d->envelope_from.buf, m->recipient, m->message,
		       m->message_len, &outcome, reply, err);
	count_reply(d, reply);
	if (!rc)
		*result = DELIVER_SENT;
	else if (rc == DG_EPERM)
		*result = DELIVER_STOP;
	else if (outcome == SMTP_PERMFAIL)
		*result = DELIVER_FAILED;
	else
		*result = DELIVER_RETRY;
	if (rc && *result != DELIVER_SENT && (rc == DG_ENET ||
					      rc == DG_EPERM)) {
		/* The connection is in an unknown state: start afresh. */
		smtp_close(d->smtp);
		d->smtp = NULL;
	}
}

static void send_maildir(struct deliver *d, const struct queue_msg *m,
			 int64_t now_ms, enum deliver_result *result,
			 struct strbuf *reply, struct dg_err *err)
{
	int rc = maildir_deliver(d->cfg->delivery.path, m->message,
				 m->message_len, now_ms, reply, err);

	/* A full disk or a permission problem may clear up: retry later. */
	*result = rc ? DELIVER_RETRY : DELIVER_SENT;
}

/* Write the verdict; the row must never be left "sending" by us. */
static int record(struct store *st, const struct queue_msg *m,
		  enum deliver_result result, const char *reply,
		  int64_t now_ms, struct dg_err *err)
{
	switch (result) {
	case DELIVER_SENT:
		return queue_mark_sent(st, m->id, reply, now_ms, err);
	case DELIVER_FAILED:
		return queue_mark_failed(st, m->id, reply, now_ms, err);
	case DELIVER_RETRY:
	case DELIVER_STOP:
		break;
	}
	return queue_mark_retry(st, m->id, reply, now_ms, NULL, err);
}

int deliver_one(struct deliver *d, struct store *st, const struct queue_msg *m,
		int64_t now_ms, enum deliver_result *result,
		struct dg_err *err)
{
	struct dg_err why = DG_ERR_INIT;
	struct strbuf reply = STRBUF_INIT;
	int rc = queue_mark_sending(st, m->id, now_ms, err);

	if (rc)
		return rc;
	if (d->cfg->delivery.kind == CONFIG_DELIVERY_MAILDIR)
		send_maildir(d, m, now_ms, result, &reply, &why);
	else
		send_smtp(d, m, result, &reply, &why);
	rc = record(st, m, *result, reply.len ? reply.buf : why.msg, now_ms,
		    err);
	if (!rc && *result != DELIVER_SENT)
		*err = why;
	strbuf_release(&reply);
	return rc;
}
