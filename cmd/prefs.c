/*
 * digest prefs --user EMAIL [--pause-until D] [--days LIST]
 *              [--send-at HH:MM] [--locale TAG] [--profile P]
 * Support's side of the preferences page: show or change one person's
 * choices.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "prefs.h"
#include "store.h"

const char usage_prefs[] =
	"usage: digest prefs --user EMAIL [--pause-until YYYY-MM-DD]\n"
	"                    [--days mon,tue,...] [--send-at HH:MM]\n"
	"                    [--locale TAG] [--profile visible|hidden|roster]\n"
	"\n"
	"Show one person's own choices, or change those given (the rest\n"
	"stay): the same as the preferences page of their digest. An empty\n"
	"value ('') clears a choice. 'run' honours them: a paused person and\n"
	"a weekday not chosen are skipped with a reason, the send time\n"
	"replaces [digest] send_at, the language the mailbox's, and a hidden\n"
	"profile shows in colleagues' digests as anyone without one.\n"
	"\n"
	"  -u, --user EMAIL           the person (any case)\n"
	"      --pause-until DATE     no digest before DATE\n"
	"      --days LIST            only these weekdays (or all); '' : the\n"
	"                             mailbox's working days\n"
	"      --send-at HH:MM        local send time\n"
	"      --locale TAG           language, such as de-CH\n"
	"      --profile P            hidden, visible, or roster (its choice)\n"
	"  -h, --help                 this help\n";

enum { OPT_PAUSE = 256, OPT_DAYS, OPT_SEND_AT, OPT_LOCALE, OPT_PROFILE };

/* Apply one option's value to p; prints what is wrong. */
static int apply(int opt, const char *v, struct prefs *p)
{
	struct dg_err err = DG_ERR_INIT;
	size_t n = strlen(v);
	int rc;

	switch (opt) {
	case OPT_PAUSE:
		rc = prefs_parse_date(v, n, p, &err);
		break;
	case OPT_DAYS:
		rc = prefs_parse_days(v, n, p, &err);
		break;
	case OPT_SEND_AT:
		rc = prefs_parse_send_at(v, n, p, &err);
		break;
	case OPT_LOCALE:
		rc = prefs_parse_locale(v, n, p, &err);
		break;
	default:
		rc = prefs_parse_profile(v, n, p, &err);
	}
	if (rc)
		cmd_error("%s", err.msg);
	return rc;
}

static int show(const char *user, const struct prefs *p)
{
	struct strbuf line = STRBUF_INIT;
	int rc = prefs_describe(p, &line);

	if (!rc)
		printf("%s: %s\n", user, line.len ? line.buf : "no choices");
	strbuf_release(&line);
	return rc ? EXIT_SOME_FAILED : EXIT_DONE;
}

struct change {
	int opt;
	const char *value;
};

static int prefs(struct cmd_ctx *ctx, const char *user,
		 const struct change *ch, size_t nch)
{
	struct dg_err err = DG_ERR_INIT;
	struct prefs p = PREFS_INIT;
	struct store *st = NULL;
	struct config cfg;
	int rc;

	if (cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	rc = store_open(cfg.store.path, &st, &err);
	if (!rc)
		rc = prefs_get(st, user, &p, &err);
	for (size_t i = 0; !rc && i < nch; i++)
		if (apply(ch[i].opt, ch[i].value, &p)) {
			rc = DG_EINVAL;
			err.msg[0] = '\0';
		}
	if (!rc && nch)
		rc = prefs_set(st, user, &p, ctx->now_ms, &err);
	if (rc && err.msg[0])
		cmd_error("%s", err.msg);
	store_close(st);
	config_release(&cfg);
	if (rc)
		return cmd_exit_code(rc);
	return show(user, &p);
}

int cmd_prefs(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{"user", required_argument, NULL, 'u'},
		{"pause-until", required_argument, NULL, OPT_PAUSE},
		{"days", required_argument, NULL, OPT_DAYS},
		{"send-at", required_argument, NULL, OPT_SEND_AT},
		{"locale", required_argument, NULL, OPT_LOCALE},
		{"profile", required_argument, NULL, OPT_PROFILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct change ch[5];
	const char *user = NULL;
	size_t nch = 0;
	int c;

	while ((c = getopt_long(argc, argv, "u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case OPT_PAUSE:
		case OPT_DAYS:
		case OPT_SEND_AT:
		case OPT_LOCALE:
		case OPT_PROFILE:
			if (nch == sizeof(ch) / sizeof(*ch)) {
				cmd_error("prefs: each option once");
				return EXIT_USAGE;
			}
			ch[nch].opt = c;
			ch[nch++].value = optarg;
			break;
		default:
			return cmd_option_end(c, usage_prefs);
		}
	}
	if (cmd_check_rest("prefs", usage_prefs, argc, argv, true, user,
			   NULL))
		return EXIT_USAGE;
	/* Check every value before opening anything. */
	for (size_t i = 0; i < nch; i++) {
		struct prefs scratch = PREFS_INIT;

		if (apply(ch[i].opt, ch[i].value, &scratch))
			return EXIT_USAGE;
	}
	return prefs(ctx, user, ch, nch);
}
