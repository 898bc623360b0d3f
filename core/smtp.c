#include "smtp.h"
#include "smtp_int.h"

#include <curl/curl.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logging.h"

/* RFC 5321 4.5.3.1.3: a path is at most 256 octets with its brackets. */
#define SMTP_ADDRESS_MAX 254
/* A reply kept for messages and the queue; longer text is cut. */
#define SMTP_REPLY_MAX 1024
/* A reply line longer than this is not an SMTP reply line any more. */
#define SMTP_LINE_MAX 2048
/* How much of a bad address a message quotes. */
#define SMTP_QUOTE_MAX 80

const char *smtp_tls_name(enum config_tls tls)
{
	switch (tls) {
	case CONFIG_TLS_STARTTLS: return "starttls";
	case CONFIG_TLS_IMPLICIT: return "implicit";
	case CONFIG_TLS_NONE: return "none";
	}
	return "unknown";
}

/* ---- address checks ---------------------------------------------------- */

/* Length of the UTF-8 sequence at s, or 0 if it is not well-formed. */
static size_t utf8_seq_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Why addr cannot be used, or NULL when it can. */
static const char *address_problem(const char *addr)
{
	const unsigned char *p = (const unsigned char *)addr;
	const char *at = strrchr(addr, '@');
	size_t n;

	if (!*addr)
		return "it is empty";
	if (strlen(addr) > SMTP_ADDRESS_MAX)
		return "it is longer than 254 bytes";
	for (; *p; p += n) {
		n = 1;
		if (*p == '\r')
			return "it contains a carriage return";
		if (*p == '\n')
			return "it contains a line feed";
		if (*p == ' ')
			return "it contains a space";
		if (*p == '<')
			return "it contains '<'";
		if (*p == '>')
			return "it contains '>'";
		if (*p < 0x20 || *p == 0x7f)
			return "it contains a control character";
		if (*p >= 0x80) {
			n = utf8_seq_len(p);
			if (!n)
				return "it is not valid UTF-8";
		}
	}
	if (!at || at == addr || !at[1])
		return "it is not of the form local@domain";
	return NULL;
}

/* Append s in double quotes, control characters escaped, cut if long. */
static int add_quoted(struct strbuf *sb, const char *s)
{
	size_t i;
	int r = strbuf_addch(sb, '"');

	for (i = 0; !r && s[i] && i < SMTP_QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\r')
			r = strbuf_addstr(sb, "\\r");
		else if (ch == '\n')
			r = strbuf_addstr(sb, "\\n");
		else if (ch == '"' || ch == '\\')
			r = strbuf_addf(sb, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			r = strbuf_addf(sb, "\\x%02x", ch);
		else
			r = strbuf_addch(sb, ch);
	}
	if (!r && s[i])
		r = strbuf_addstr(sb, "...");
	return r ? r : strbuf_addch(sb, '"');
}

int smtp_check_address(const char *addr, const char *role,
		       struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *why;

	if (!addr)
		return dg_errf(err, DG_EINVAL, "no %s address given", role);
	why = address_problem(addr);
	if (!why)
		return 0;
	if (add_quoted(&sb, addr))
		dg_errf(err, DG_EINVAL, "%s address is not valid: %s",
			role, why);
	else
		dg_errf(err, DG_EINVAL, "%s address %s is not valid: %s",
			role, sb.buf, why);
	strbuf_release(&sb);
	return DG_EINVAL;
}

/* ---- settings ---------------------------------------------------------- */

static bool host_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
	       ch == '_' || ch == ':';
}

/* A host name, an IPv4 address or an IPv6 address (bracketed or not). */
static bool host_ok(const char *host)
{
	size_t n = strlen(host), i = 0;

	if (n && host[0] == '[') {
		if (n < 3 || host[n - 1] != ']')
			return false;
		i = 1;
		n--;
	}
	if (i == n || n > 255)
		return false;
	for (; i < n; i++)
		if (!host_char_ok(host[i]))
			return false;
	return true;
}

/* The EHLO argument: a domain or an address literal ("[192.0.2.1]"). */
static bool helo_ok(const char *helo)
{
	return *helo && host_ok(helo) && !(helo[0] != '[' &&
					   strchr(helo, ':'));
}

static bool is_loopback(const char *host)
{
	return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) ||
	       !strcmp(host, "::1") || !strcmp(host, "[::1]");
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int check_credentials(const struct smtp_settings *s,
			     struct dg_err *err)
{
	if (!s->username && s->password)
		return dg_errf(err, DG_EINVAL, "[smtp] a password is set "
			       "but no username: set [smtp] username");
	if (!s->username)
		return 0;
	if (!*s->username || has_control(s->username))
		return dg_errf(err, DG_EINVAL, "[smtp] username must be "
			       "non-empty text without control characters");
	if (!s->password || !*s->password)
		return dg_errf(err, DG_EINVAL, "[smtp] username is set but "
			       "the password is empty: set [smtp] "
			       "password_env or password_file");
	if (s->tls == CONFIG_TLS_NONE && !is_loopback(s->host))
		return dg_errf(err, DG_EINVAL, "[smtp] tls = \"none\" would "
			       "send the password to %s unencrypted: use "
			       "\"starttls\" or \"implicit\"", s->host);
	return 0;
}

static int check_settings(const struct smtp_settings *s, struct dg_err *err)
{
	if (!s->host || !host_ok(s->host))
		return dg_errf(err, DG_EINVAL, "[smtp] host must be a host "
			       "name or an IP address");
	if (s->port < 1 || s->port > 65535)
		return dg_errf(err, DG_EINVAL, "[smtp] port %ld is not "
			       "between 1 and 65535", s->port);
	if (s->tls != CONFIG_TLS_STARTTLS && s->tls != CONFIG_TLS_IMPLICIT &&
	    s->tls != CONFIG_TLS_NONE)
		return dg_errf(err, DG_EINVAL, "[smtp] tls must be "
			       "\"starttls\", \"implicit\" or \"none\"");
	if (s->connect_timeout < 0 || s->timeout < 0)
		return dg_errf(err, DG_EINVAL, "[smtp] connect_timeout and "
			       "timeout must not be negative");
	if (s->helo && !helo_ok(s->helo))
		return dg_errf(err, DG_EINVAL, "[smtp] helo must be a domain "
			       "name or an address literal like "
			       "[192.0.2.1]");
	if (s->ca_file && access(s->ca_file, R_OK))
		return dg_errf(err, DG_EINVAL, "[smtp] ca_file %s cannot be "
			       "read: %s", s->ca_file, strerror(errno));
	return check_credentials(s, err);
}

/* ---- server replies ---------------------------------------------------- */

/* The code a reply line starts with, or 0 if it starts with none. */
static int reply_code_of(const char *s, size_t n)
{
	int code = 0;
	size_t i;

	if (n < 3 || (n > 3 && s[3] != ' ' && s[3] != '-'))
		return 0;
	for (i = 0; i < 3; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		code = code * 10 + (s[i] - '0');
	}
	return code;
}

/* Keep one reply line (no CR LF) of the reply being received. */
static void keep_reply_line(struct smtp *c, const char *s, size_t n)
{
	int code = reply_code_of(s, n);
	size_t i, skip = 0;

	/* 221 closes the connection (the answer to QUIT): not a verdict. */
	if (!code || code == 221)
		return;
	if (c->reply_done || !c->reply_code) {
		strbuf_reset(&c->reply);
		c->reply_code = code;
		c->reply_stage = c->stage;
	} else {
		skip = 4; /* a continuation: keep its text only */
	}
	c->reply_done = n == 3 || s[3] != '-';
	if (skip && n > skip && strbuf_addch(&c->reply, ' '))
		c->reply_lost = true;
	for (i = skip; i < n && c->reply.len + 1 < SMTP_REPLY_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == 3 && ch == '-')
			ch = ' ';
		else if (ch < 0x20 || ch >= 0x7f)
			ch = '?'; /* server text is untrusted */
		if (strbuf_addch(&c->reply, ch))
			c->reply_lost = true;
	}
}

static void receive_reply(struct smtp *c, const char *data, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		size_t n = c->line.len;

		if (data[i] != '\n') {
			if (n < SMTP_LINE_MAX &&
			    strbuf_addch(&c->line, data[i]))
				c->reply_lost = true;
			continue;
		}
		if (n && c->line.buf[n - 1] == '\r')
			n--;
		keep_reply_line(c, c->line.buf, n);
		strbuf_reset(&c->line);
	}
}

static bool starts_with(const char *data, size_t size, const char *word)
{
	size_t n = strlen(word);

	return size >= n && !memcmp(data, word, n);
}

/*
 * Only the first word of what we send is looked at: the rest may be
 * AUTH data. "MAIL FROM:" cannot start a base64 AUTH LOGIN line.
 */
static void note_command(struct smtp *c, const char *data, size_t size)
{
	if (starts_with(data, size, "MAIL FROM:"))
		c->stage = STAGE_MESSAGE;
	else if (starts_with(data, size, "DATA\r\n"))
		c->stage = STAGE_DATA;
	else if (starts_with(data, size, "EHLO ") ||
		 starts_with(data, size, "HELO ") ||
		 starts_with(data, size, "STARTTLS") ||
		 starts_with(data, size, "AUTH "))
		c->stage = STAGE_SESSION;
}

/* Needs CURLOPT_VERBOSE. Nothing we send is kept: it carries AUTH data. */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
		    void *arg)
{
	struct smtp *c = arg;

	if (type == CURLINFO_HEADER_IN)
		receive_reply(c, data, size);
	else if (type == CURLINFO_HEADER_OUT)
		note_command(c, data, size);
	return 0;
}

static void start_capture(struct smtp *c)
{
	strbuf_reset(&c->line);
	strbuf_reset(&c->reply);
	c->reply_code = 0;
	c->reply_done = false;
	c->reply_lost = false;
	c->stage = STAGE_SESSION;
	c->reply_stage = STAGE_SESSION;
	c->errbuf[0] = '\0';
}

/* ---- the message upload ------------------------------------------------ */

static size_t read_message(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp *c = arg;
	size_t room = size * nitems, done = 0;

	while (done < room && c->pos < c->total) {
		size_t n;

		if (c->pos < c->len) {
			n = c->len - c->pos;
			if (n > room - done)
				n = room - done;
			memcpy(buf + done, c->msg + c->pos, n);
		} else {
			n = 1;
			buf[done] = "\r\n"[c->pos - c->len];
		}
		done += n;
		c->pos += n;
	}
	return done;
}

static int seek_message(void *arg, curl_off_t offset, int origin)
{
	struct smtp *c = arg;

	if (origin != SEEK_SET || offset < 0 || (size_t)offset > c->total)
		return CURL_SEEKFUNC_CANTSEEK;
	c->pos = (size_t)offset;
	return CURL_SEEKFUNC_OK;
}

/* ---- open and close ---------------------------------------------------- */

static int build_url(const struct smtp_settings *s, struct strbuf *url,
		     struct strbuf *where)
{
	const char *scheme = s->tls == CONFIG_TLS_IMPLICIT ? "smtps" : "smtp";
	bool bracket = s->host[0] != '[' && strchr(s->host, ':');
	char *helo;
	int r;

	r = strbuf_addf(where, bracket ? "[%s]:%ld" : "%s:%ld", s->host,
			s->port);
	if (!r)
		r = strbuf_addf(url, "%s://%s", scheme, where->buf);
	if (r || !s->helo)
		return r;
	/* libcurl takes the EHLO name from the URL path, percent-decoded. */
	helo = curl_easy_escape(NULL, s->helo, 0);
	if (!helo)
		return DG_ENOMEM;
	r = strbuf_addf(url, "/%s", helo);
	curl_free(helo);
	return r;
}

static CURLcode configure(struct smtp *c, const struct smtp_settings *s,
			  const char *url)
{
	CURL *h = c->curl;
	long ssl = s->tls == CONFIG_TLS_NONE ? CURLUSESSL_NONE : CURLUSESSL_ALL;
	long ct = s->connect_timeout ? s->connect_timeout :
				       SMTP_CONNECT_TIMEOUT;
	CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, url);

	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_USE_SSL, ssl);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_SSLVERSION,
				      (long)CURL_SSLVERSION_TLSv1_2);
	if (!rc && s->ca_file)
		rc = curl_easy_setopt(h, CURLOPT_CAINFO, s->ca_file);
	if (!rc && s->username)
		rc = curl_easy_setopt(h, CURLOPT_USERNAME, s->username);
	if (!rc && s->username)
		rc = curl_easy_setopt(h, CURLOPT_PASSWORD, s->password);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, ct);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_READDATA, c);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_message);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_SEEKDATA, c);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	return rc;
}

int smtp_open(const struct smtp_settings *s, struct smtp **out,
	      struct dg_err *err)
{
	return smtp_handle_open(s, out, err);
}

int smtp_handle_open(const struct smtp_settings *s, struct smtp **out,
		     struct dg_err *err)
{
	struct strbuf url = STRBUF_INIT, where = STRBUF_INIT;
	struct smtp *c;
	CURLcode rc;
	int r;

	*out = NULL;
	r = check_settings(s, err);
	if (r)
		return r;
	c = calloc(1, sizeof(*c));
	if (!c)
		return dg_errf(err, DG_ENOMEM, "smtp: out of memory");
	strbuf_init(&c->line, 0);
	strbuf_init(&c->reply, 0);
	c->timeout = s->timeout ? s->timeout : SMTP_TIMEOUT;
	c->host = strdup(s->host);
	r = build_url(s, &url, &where);
	c->where = strbuf_detach(&where, NULL);
	c->curl = curl_easy_init();
	if (r || !c->host || !c->where || !c->curl) {
		r = dg_errf(err, DG_ENOMEM, "smtp %s: out of memory",
			    s->host);
		goto fail;
	}
	rc = configure(c, s, url.buf);
	if (rc) {
		r = dg_errf(err, DG_EINTERNAL, "smtp %s: libcurl cannot be "
			    "set up for %s: %s", c->where, url.buf,
			    curl_easy_strerror(rc));
		goto fail;
	}
	strbuf_release(&url);
	*out = c;
	return 0;
fail:
	strbuf_release(&url);
	smtp_close(c);
	return r;
}

void smtp_close(struct smtp *c)
{
	if (!c)
		return;
	/* Cleanup says QUIT, which still reports through on_debug(c). */
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->to);
	strbuf_release(&c->line);
	strbuf_release(&c->reply);
	free(c->where);
	free(c->host);
	free(c);
}

/* ---- sending ----------------------------------------------------------- */

static const char *curl_detail(const struct smtp *c, CURLcode rc)
{
	return c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
}

/*
 * RFC 4954 codes that judge us, not the message: 454 temporary
 * authentication failure, 534 mechanism too weak, 535 bad credentials,
 * 538 encryption required.
 */
static bool is_auth_code(int code)
{
	return code == 454 || code == 534 || code == 535 || code == 538;
}

/* The server answered with a verdict (4xx/5xx). */
static int classify_reply(struct smtp *c, CURLcode rc, const char *rcpt,
			  enum smtp_outcome *outcome, struct dg_err *err)
{
	const char *text = c->reply.buf;
	bool temp = c->reply_code < 500;

	*outcome = temp ? SMTP_TEMPFAIL : SMTP_PERMFAIL;
	if (rc == CURLE_LOGIN_DENIED || is_auth_code(c->reply_code))
		return dg_errf(err, temp ? DG_ETEMP : DG_EPERM,
			       "smtp %s: authentication %s: %s%s", c->where,
			       temp ? "deferred" : "failed", text,
			       temp ? "" : " (check [smtp] username and its "
					   "password)");
	/* 530: authentication (or STARTTLS) required before MAIL. */
	if (c->reply_code == 530)
		return dg_errf(err, DG_EPERM, "smtp %s: the server does not "
			       "accept mail from us (check [smtp] username "
			       "and tls): %s", c->where, text);
	if (c->reply_stage == STAGE_SESSION)
		return dg_errf(err, temp ? DG_ETEMP : DG_EPERM,
			       "smtp %s: the server %s the session: %s",
			       c->where, temp ? "deferred" : "refused", text);
	return dg_errf(err, temp ? DG_ETEMP : DG_EINVAL,
		       "smtp %s: message to %s %s: %s", c->where, rcpt,
		       temp ? "deferred" : "refused", text);
}

/* No verdict: the message stays queued, except when we are refused. */
static int classify_transport(struct smtp *c, CURLcode rc,
			      enum smtp_outcome *outcome, struct dg_err *err)
{
	const char *detail = curl_detail(c, rc);

	*outcome = SMTP_TEMPFAIL;
	switch (rc) {
	case CURLE_LOGIN_DENIED:
		*outcome = SMTP_PERMFAIL;
		return dg_errf(err, DG_EPERM, "smtp %s: authentication "
			       "failed: %s (check [smtp] username and its "
			       "password)", c->where, detail);
	/*
	 * TLS that cannot be set up as configured is a configuration
	 * error, like a refused AUTH: every message would meet it, so the
	 * run stops and says which setting to fix.
	 */
	case CURLE_PEER_FAILED_VERIFICATION:
		return dg_errf(err, DG_EPERM, "smtp %s: the TLS certificate "
			       "of %s is not trusted: %s (a private CA needs "
			       "[smtp] ca_file)", c->where, c->host, detail);
	case CURLE_USE_SSL_FAILED:
		return dg_errf(err, DG_EPERM, "smtp %s: the server does not "
			       "offer STARTTLS, which [smtp] tls = "
			       "\"starttls\" requires (check [smtp] tls and "
			       "port)", c->where);
	case CURLE_SSL_CONNECT_ERROR:
		return dg_errf(err, DG_EPERM, "smtp %s: the TLS handshake "
			       "failed (check [smtp] tls for this port: "
			       "\"implicit\" is for 465, \"starttls\" for "
			       "587): %s", c->where, detail);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return dg_errf(err, DG_ENET, "smtp %s: cannot connect: %s",
			       c->where, detail);
	case CURLE_OPERATION_TIMEDOUT:
		if (!c->reply_code && c->stage == STAGE_SESSION)
			return dg_errf(err, DG_ENET, "smtp %s: no answer "
				       "within %ld seconds, not even a "
				       "greeting (is [smtp] tls right for "
				       "this port?): %s", c->where,
				       c->timeout, detail);
		return dg_errf(err, DG_ENET, "smtp %s: no answer within "
			       "%ld seconds: %s", c->where, c->timeout,
			       detail);
	case CURLE_OUT_OF_MEMORY:
		return dg_errf(err, DG_ENOMEM, "smtp %s: out of memory",
			       c->where);
	default:
		return dg_errf(err, DG_ENET, "smtp %s: the connection "
			       "failed before the server gave a verdict: %s",
			       c->where, detail);
	}
}

static int classify(struct smtp *c, CURLcode rc, const char *rcpt,
		    enum smtp_outcome *outcome, struct dg_err *err)
{
	if (rc == CURLE_OK) {
		*outcome = SMTP_SENT;
		return 0;
	}
	if (c->reply_code >= 400 && c->reply_code <= 599)
		return classify_reply(c, rc, rcpt, outcome, err);
	/* Whatever was said before the failure is no verdict. */
	strbuf_reset(&c->reply);
	return classify_transport(c, rc, outcome, err);
}

static int check_message(struct smtp *c, const char *from, const char *rcpt,
			 size_t len, struct dg_err *err)
{
	int r = smtp_check_address(from, "envelope sender", err);

	if (!r)
		r = smtp_check_address(rcpt, "recipient", err);
	if (!r && !len)
		r = dg_errf(err, DG_EINVAL, "the message is empty");
	if (r)
		dg_err_prefix(err, "smtp %s", c->where);
	return r;
}

/* A reply that cannot be copied is lost, never the outcome with it. */
static void give_reply(struct smtp *c, struct strbuf *reply)
{
	if (reply && strbuf_addbuf(reply, &c->reply))
		c->reply_lost = true;
	if (c->reply_lost)
		logging_warn("smtp %s: part of a server reply was lost (out "
			     "of memory)", c->where);
}

/*
 * libcurl 7.88 reuses a connection the server has closed while it was
 * idle, when the server said why first (Postfix: "421 4.4.2 timeout
 * exceeded") or, over TLS, even when it did not: the first command then
 * fails. Before DATA the server cannot have taken the message, so one
 * more try on a new connection cannot deliver it twice.
 */
static bool reused_dead_connection(struct smtp *c, CURLcode rc)
{
	long connects = -1;
	bool closed = c->reply_code == 421 ||
		      (!c->reply_code && (rc == CURLE_SEND_ERROR ||
					  rc == CURLE_RECV_ERROR ||
					  rc == CURLE_GOT_NOTHING));

	if (!closed || c->stage == STAGE_DATA)
		return false;
	if (curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &connects))
		return false;
	return connects == 0;
}

bool smtp_again(struct smtp *c, CURLcode rc)
{
	if (c->fresh) {
		/* The second try is over: later sends may reuse again. */
		curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT, 0L);
		c->fresh = false;
		return false;
	}
	if (!reused_dead_connection(c, rc))
		return false;
	logging_debug("smtp %s: the server had closed the connection; "
		      "opening a new one", c->where);
	if (curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT, 1L))
		return false;
	start_capture(c);
	c->pos = 0;
	c->fresh = true;
	return true;
}

int smtp_begin(struct smtp *c, const char *envelope_from, const char *rcpt,
	       const char *msg, size_t len, enum smtp_outcome *outcome,
	       struct dg_err *err)
{
	CURLcode rc;
	int r;

	*outcome = SMTP_PERMFAIL;
	r = check_message(c, envelope_from, rcpt, len, err);
	if (r)
		return r;
	*outcome = SMTP_TEMPFAIL;
	start_capture(c);
	curl_slist_free_all(c->to);
	c->to = curl_slist_append(NULL, rcpt);
	if (!c->to)
		return dg_errf(err, DG_ENOMEM, "smtp %s: out of memory",
			       c->where);
	c->msg = msg;
	c->len = len;
	c->pos = 0;
	c->fresh = false;
	c->total = len + (len >= 2 && !memcmp(msg + len - 2, "\r\n", 2) ?
			  0 : 2);
	rc = curl_easy_setopt(c->curl, CURLOPT_MAIL_FROM, envelope_from);
	if (!rc)
		rc = curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, c->to);
	if (!rc)
		rc = curl_easy_setopt(c->curl, CURLOPT_INFILESIZE_LARGE,
				      (curl_off_t)c->total);
	if (rc)
		return dg_errf(err, DG_EINTERNAL, "smtp %s: libcurl refused "
			       "the message's settings: %s", c->where,
			       curl_easy_strerror(rc));
	return 0;
}

int smtp_end(struct smtp *c, CURLcode rc, const char *rcpt,
	     enum smtp_outcome *outcome, struct strbuf *reply,
	     struct dg_err *err)
{
	int r;

	curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(c->to);
	c->to = NULL;
	c->msg = NULL;
	if (c->fresh)
		smtp_again(c, rc);
	r = classify(c, rc, rcpt, outcome, err);
	give_reply(c, reply);
	return r;
}

int smtp_send(struct smtp *c, const char *envelope_from, const char *rcpt,
	      const char *msg, size_t len, enum smtp_outcome *outcome,
	      struct strbuf *reply, struct dg_err *err)
{
	CURLcode rc;
	int r;

	if (reply)
		strbuf_reset(reply);
	r = smtp_begin(c, envelope_from, rcpt, msg, len, outcome, err);
	if (r)
		return r;
	do
		rc = curl_easy_perform(c->curl);
	while (smtp_again(c, rc));
	return smtp_end(c, rc, rcpt, outcome, reply, err);
}
