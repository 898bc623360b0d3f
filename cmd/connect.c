/* digest connect: a user signs in (delegated mode), the token is kept. */
#include <getopt.h>
#include <stdio.h>

#include "auth.h"
#include "cmd.h"
#include "store.h"

const char usage_connect[] =
	"usage: digest connect\n"
	"\n"
	"Delegated mode ([graph] auth = \"delegated\"): sign a user in with\n"
	"the device-code flow. Open the address shown, enter the code, and\n"
	"sign in as the user whose meetings the digest should read; the\n"
	"refresh token is stored sealed with the [graph] token key. Run it\n"
	"again for a user marked 'needs reconnect'.\n";

/* Server text on a terminal: no control characters. */
static void print_clean(const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s,
		      stderr);
}

static void prompt(const struct auth_prompt *p, void *ctx)
{
	long minutes;

	(void)ctx;
	fputs("digest: to sign in, open ", stderr);
	print_clean(p->verification_uri);
	fputs(" and enter the code ", stderr);
	print_clean(p->user_code);
	minutes = (p->expires_in + 59) / 60;
	fprintf(stderr,
		"\ndigest: waiting for the sign-in (the code is valid for %ld "
		"minute%s)\n",
		minutes, minutes == 1 ? "" : "s");
}

int cmd_connect(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct dg_err err = DG_ERR_INIT;
	struct cal_user who = {0};
	struct store *st = NULL;
	struct config cfg;
	int rc = cmd_no_options(argc, argv, usage_connect);

	if (rc >= 0)
		return rc;
	if (optind < argc) {
		cmd_error("connect: unexpected argument '%s'", argv[optind]);
		cmd_usage(usage_connect, true);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	rc = store_open(cfg.store.path, &st, &err);
	if (!rc)
		rc = auth_connect(&cfg, st, prompt, NULL, &who, &err);
	if (rc) {
		cmd_error("connect: %s", err.msg);
	} else {
		fputs("digest: connected ", stderr);
		print_clean(who.mail);
		fputc('\n', stderr);
	}
	cal_user_release(&who);
	store_close(st);
	config_release(&cfg);
	return cmd_exit_code(rc);
}
