/*
 * digest check: everything a run needs, validated without running: the
 * config, the templates, the database, the roster file, the metrics
 * folder and the secrets.
 * Prints one line per check, what is wrong and where.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "i18n.h"
#include "render.h"
#include "roster_import.h"
#include "store.h"

const char usage_check[] =
	"usage: digest check\n"
	"\n"
	"Validate the config, the templates folder, the database, the roster\n"
	"file and that every secret the config names exists. Prints what is\n"
	"wrong and where; exit 0 when all is well, 2 otherwise.\n";

static int report(const char *what, int rc, const struct dg_err *err)
{
	if (rc)
		printf("FAIL  %s: %s\n", what, err->msg);
	else
		printf("ok    %s\n", what);
	return rc ? 1 : 0;
}

static int check_templates(const struct config *cfg)
{
	struct dg_err err = DG_ERR_INIT;
	struct render_engine *e = NULL;
	int rc = render_open(cfg->digest.templates, cfg->digest.subject, &e,
			     &err);

	render_close(e);
	return report("templates", rc, &err);
}

/* Each language folder has every template of the default set. */
static int check_languages(const struct config *cfg)
{
	struct dg_err err = DG_ERR_INIT;
	struct strbuf report_lines = STRBUF_INIT;
	size_t problems = 0;
	int bad, rc = i18n_check(cfg->digest.templates, &report_lines, &problems,
			    &err);

	if (!rc && problems)
		rc = dg_errf(&err, DG_EINVAL,
			     "%zu missing or broken in the language folders",
			     problems);
	bad = report("template languages", rc, &err);
	fputs(report_lines.buf, stdout);
	strbuf_release(&report_lines);
	return bad;
}

static int check_store(const struct config *cfg)
{
	struct dg_err err = DG_ERR_INIT;
	struct store *st = NULL;
	int rc = store_open(cfg->store.path, &st, &err);

	store_close(st);
	return report("database", rc, &err);
}

static int check_roster(const struct config *cfg)
{
	struct dg_err err = DG_ERR_INIT;
	struct roster r = ROSTER_INIT;
	int rc;

	if (!cfg->roster.file)
		return 0;
	rc = roster_read_file(cfg->roster.file, &r, &err);
	roster_release(&r);
	return report("roster file", rc, &err);
}

static int check_secret(const struct secret *s, const char *what)
{
	struct dg_err err = DG_ERR_INIT;
	char *value = NULL;
	int rc = secret_read(s, what, &value, &err);

	secret_wipe(value);
	return report(what, rc, &err);
}

static int check_source(const struct config *cfg)
{
	struct dg_err err = DG_ERR_INIT;
	struct stat st;
	int rc = 0;

	if (cfg->source.kind != CONFIG_SOURCE_FIXTURES)
		return 0;
	if (stat(cfg->source.path, &st) || !S_ISDIR(st.st_mode))
		rc = dg_errf(&err, DG_ENOTFOUND,
			     "[source] path %s is not a folder",
			     cfg->source.path);
	return report("fixtures", rc, &err);
}

/* The textfile's folder must take the file each run renames into it. */
static int check_metrics(const struct config *cfg)
{
	struct dg_err err = DG_ERR_INIT;
	const char *path = cfg->metrics.textfile;
	const char *slash;
	char *dir;
	int rc = 0;

	if (!path)
		return 0;
	slash = strrchr(path, '/');
	dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return report("metrics textfile", DG_ENOMEM, &err);
	if (access(*dir ? dir : "/", W_OK))
		rc = dg_errf(&err, DG_EIO, "[metrics] textfile: cannot write "
			     "into %s: %s", *dir ? dir : "/", strerror(errno));
	free(dir);
	return report("metrics textfile", rc, &err);
}

static int check_secrets(const struct config *cfg)
{
	int bad = 0;

	if (cfg->source.kind == CONFIG_SOURCE_GRAPH) {
		if (cfg->graph.auth == CONFIG_AUTH_APP ||
		    secret_isset(&cfg->graph.client_secret))
			bad += check_secret(&cfg->graph.client_secret,
					    "[graph] client secret");
		if (cfg->graph.auth == CONFIG_AUTH_DELEGATED)
			bad += check_secret(&cfg->graph.token_key,
					    "[graph] token key");
	}
	if (cfg->delivery.kind == CONFIG_DELIVERY_SMTP && cfg->smtp.username)
		bad += check_secret(&cfg->smtp.password, "[smtp] password");
	if (cfg->digest.unsubscribe_url)
		bad += check_secret(&cfg->digest.unsubscribe_key,
				    "[digest] unsubscribe key");
	return bad;
}

int cmd_check(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct config cfg;
	int bad = 0, rc = cmd_no_options(argc, argv, usage_check);

	if (rc >= 0)
		return rc;
	if (optind < argc) {
		cmd_error("check takes no arguments");
		cmd_usage(usage_check, true);
		return EXIT_USAGE;
	}
	if (sodium_init() < 0)
		return EXIT_SOME_FAILED;
	if (cmd_load_config(ctx, &cfg)) {
		printf("FAIL  config %s\n", ctx->config_path);
		return EXIT_USAGE;
	}
	printf("ok    config %s\n", ctx->config_path);
	bad += check_templates(&cfg);
	bad += check_languages(&cfg);
	bad += check_store(&cfg);
	bad += check_source(&cfg);
	bad += check_roster(&cfg);
	bad += check_metrics(&cfg);
	bad += check_secrets(&cfg);
	config_release(&cfg);
	if (bad)
		cmd_error("check found %d problem%s", bad,
			  bad == 1 ? "" : "s");
	/* What check finds is configuration to fix: exit 2, as DESIGN.md. */
	return cmd_exit_code(bad ? DG_EINVAL : 0);
}
