/* digest unsubscribe TOKEN: the server side of a one-click link. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "linktoken.h"
#include "cmd.h"
#include "store.h"
#include "unsubscribe.h"

const char usage_unsubscribe[] =
	"usage: digest unsubscribe TOKEN\n"
	"\n"
	"Verify a one-click unsubscribe token (RFC 8058; the {token} of\n"
	"[digest] unsubscribe_url) and record the opt-out, so that later\n"
	"runs skip that user (opted_out). A web endpoint receiving the\n"
	"POST calls this.\n";

/* The address token is for: the current key, else the previous one. */
static int open_token(const struct config *cfg, const char *token,
		      int64_t now_ms, struct linktoken *t, struct dg_err *err)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES], old[UNSUBSCRIBE_KEYBYTES];
	struct linktoken_keys keys = {.current = key};
	int rc = unsubscribe_key_read(&cfg->digest.unsubscribe_key,
				      "[digest] unsubscribe key", key, err);

	if (!rc && secret_isset(&cfg->digest.unsubscribe_key_previous)) {
		rc = unsubscribe_key_read(&cfg->digest.unsubscribe_key_previous,
					  "[digest] previous unsubscribe key",
					  old, err);
		keys.previous = old;
	}
	if (!rc)
		rc = linktoken_open(&keys, token, strlen(token),
				    now_ms / 1000, t, err);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(old, sizeof(old));
	return rc;
}

static int record(const struct config *cfg, const char *token,
		  int64_t now_ms, struct dg_err *err)
{
	struct store *st = NULL;
	struct linktoken t;
	int rc = open_token(cfg, token, now_ms, &t, err);

	if (!rc)
		rc = store_open(cfg->store.path, &st, err);
	if (!rc)
		rc = unsubscribe_record(st, t.address, now_ms, err);
	if (!rc)
		fprintf(stderr, "digest: %s will get no more digests\n",
			t.address);
	store_close(st);
	sodium_memzero(&t, sizeof(t));
	return rc;
}

int cmd_unsubscribe(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct dg_err err = DG_ERR_INIT;
	struct config cfg;
	int rc = cmd_no_options(argc, argv, usage_unsubscribe);

	if (rc >= 0)
		return rc;
	if (argc - optind != 1) {
		cmd_error("unsubscribe takes one TOKEN");
		cmd_usage(usage_unsubscribe, true);
		return EXIT_USAGE;
	}
	if (sodium_init() < 0)
		return EXIT_SOME_FAILED;
	if (cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	rc = record(&cfg, argv[optind], ctx->now_fixed ? ctx->now_ms
						  : clock_now_ms(), &err);
	if (rc)
		cmd_error("%s", err.msg);
	config_release(&cfg);
	return cmd_exit_code(rc);
}
