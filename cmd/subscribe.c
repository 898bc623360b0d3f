/* digest subscribe --user EMAIL: undo an unsubscribe. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "store.h"
#include "unsubscribe.h"

const char usage_subscribe[] =
	"usage: digest subscribe --user EMAIL\n"
	"\n"
	"Undo an unsubscribe (a one-click link, the unsubscribe page or\n"
	"'digest unsubscribe'): the next run sends EMAIL's digest again.\n"
	"The roster's digest and opt_out columns are not changed.\n"
	"\n"
	"  -u, --user EMAIL  the recipient (any case)\n"
	"  -h, --help        this help\n";

int cmd_subscribe(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{"user", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct dg_err err = DG_ERR_INIT;
	const char *user = NULL;
	struct store *st = NULL;
	struct config cfg;
	int c, rc;

	while ((c = getopt_long(argc, argv, "u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		default:
			return cmd_option_end(c, usage_subscribe);
		}
	}
	if (cmd_check_rest("subscribe", usage_subscribe, argc, argv, true,
			   user, NULL) ||
	    cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	rc = store_open(cfg.store.path, &st, &err);
	if (!rc)
		rc = unsubscribe_undo(st, user, &err);
	if (!rc)
		fprintf(stderr, "digest: %s gets digests again\n", user);
	else
		cmd_error("%s", err.msg);
	store_close(st);
	config_release(&cfg);
	return cmd_exit_code(rc);
}
