/* digest users sync: the tenant's users from Microsoft Graph. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "store.h"
#include "users_sync.h"

const char usage_users[] =
	"usage: digest users sync\n"
	"\n"
	"Read the tenant's users from Microsoft Graph (app-only mode, [graph]\n"
	"auth = \"app\") and store those with a mailbox; with [graph] group,\n"
	"only that group's members (nested groups included). A run reads\n"
	"its users from what the last sync stored.\n";

int cmd_users(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct dg_err err = DG_ERR_INIT;
	struct store *st = NULL;
	struct config cfg;
	size_t n = 0;
	int rc = cmd_no_options(argc, argv, usage_users);

	if (rc >= 0)
		return rc;
	argc -= optind;
	argv += optind;
	if (argc != 1 || strcmp(argv[0], "sync")) {
		if (argc < 1)
			cmd_error("users needs a subcommand: sync");
		else
			cmd_error("users: unexpected argument '%s'",
				  argv[argc == 1 ? 0 : 1]);
		cmd_usage(usage_users, true);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	rc = store_open(cfg.store.path, &st, &err);
	if (!rc)
		rc = users_sync(&cfg, st, ctx->now_ms, cmd_progress, NULL, &n,
				&err);
	cmd_progress_clear();
	if (rc)
		cmd_error("users sync: %s", err.msg);
	else
		cmd_info("synced %zu user%s", n, n == 1 ? "" : "s");
	store_close(st);
	config_release(&cfg);
	return cmd_exit_code(rc);
}
