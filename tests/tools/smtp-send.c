/*
 * smtp-send: send message files through core/smtp, for the end-to-end
 * tests (build tree only).
 *
 *   smtp-send --host H --port N [--tls starttls|implicit|none]
 *             [--user U --password-env VAR] [--ca-file F] [--helo NAME]
 *             [--timeout S] --from ADDR --to ADDR FILE...
 *
 * All files go over one struct smtp, so one connection when the server
 * allows. Each prints one line on stdout: "SENT", "TEMPFAIL <reply>" or
 * "PERMFAIL <reply>" (the reply is empty when the server gave none); the
 * error sentence goes to stderr. Exit status: 0 all sent, 75 some were
 * deferred (none refused), 1 some were refused, 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "smtp.h"
#include "strbuf.h"

#define EXIT_TEMPFAIL 75

struct send_opts {
	struct smtp_settings settings;
	const char *from, *to;
	long pause; /* seconds between messages */
};

static int usage(const char *why)
{
	fprintf(stderr, "smtp-send: %s\n"
		"usage: smtp-send --host H --port N [--tls starttls|implicit|"
		"none] [--user U --password-env VAR] [--ca-file F] "
		"[--helo NAME] [--timeout S] --from ADDR --to ADDR FILE...\n",
		why);
	return 2;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end ? -1 : 0;
}

static int parse_tls(const char *s, enum config_tls *out)
{
	static const enum config_tls all[] = {
		CONFIG_TLS_STARTTLS, CONFIG_TLS_IMPLICIT, CONFIG_TLS_NONE
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(s, smtp_tls_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

static int parse_opt(int opt, struct send_opts *o)
{
	struct smtp_settings *s = &o->settings;

	switch (opt) {
	case 'h': s->host = optarg; return 0;
	case 'p': return parse_long(optarg, &s->port);
	case 's': return parse_tls(optarg, &s->tls);
	case 'u': s->username = optarg; return 0;
	case 'P':
		s->password = getenv(optarg);
		return s->password ? 0 : -1;
	case 'c': s->ca_file = optarg; return 0;
	case 'H': s->helo = optarg; return 0;
	case 't': return parse_long(optarg, &s->timeout);
	case 'w': return parse_long(optarg, &o->pause);
	case 'f': o->from = optarg; return 0;
	case 'r': o->to = optarg; return 0;
	}
	return -1;
}

static int send_file(struct smtp *c, const struct send_opts *o,
		     const char *path)
{
	struct strbuf msg = STRBUF_INIT, reply = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	enum smtp_outcome outcome;
	int r;

	if (strbuf_read_file(&msg, path)) {
		fprintf(stderr, "smtp-send: cannot read %s\n", path);
		printf("TEMPFAIL\n");
		return EXIT_TEMPFAIL;
	}
	r = smtp_send(c, o->from, o->to, msg.buf, msg.len, &outcome, &reply,
		      &err);
	if (r)
		fprintf(stderr, "smtp-send: %s\n", err.msg);
	if (outcome == SMTP_SENT)
		printf("SENT\n");
	else
		printf("%s%s%s\n", outcome == SMTP_TEMPFAIL ? "TEMPFAIL" :
		       "PERMFAIL", reply.len ? " " : "", reply.buf);
	fflush(stdout);
	strbuf_release(&msg);
	strbuf_release(&reply);
	return outcome == SMTP_SENT ? 0 : outcome == SMTP_TEMPFAIL ?
	       EXIT_TEMPFAIL : 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ "tls", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "password-env", required_argument, NULL, 'P' },
		{ "ca-file", required_argument, NULL, 'c' },
		{ "helo", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'r' },
		{ "pause", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct send_opts o = { .settings = SMTP_SETTINGS_INIT };
	struct dg_err err = DG_ERR_INIT;
	struct smtp *c;
	int opt, first, status = 0;

	for (;;) {
		opt = getopt_long(argc, argv, "", longopts, NULL);
		if (opt == -1)
			break;
		if (parse_opt(opt, &o))
			return usage("bad option or value (or the password "
				     "variable is unset)");
	}
	if (!o.from || !o.to || optind == argc)
		return usage("--from, --to and a message file are required");
	if (smtp_open(&o.settings, &c, &err)) {
		fprintf(stderr, "smtp-send: %s\n", err.msg);
		return 2;
	}
	for (first = optind; optind < argc; optind++) {
		int r;

		if (o.pause && optind > first)
			sleep((unsigned int)o.pause);
		r = send_file(c, &o, argv[optind]);

		if (r == 1 || (r && !status))
			status = r;
	}
	smtp_close(c);
	return status;
}
