/* digest roster import FILE | list */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "roster.h"
#include "roster_db.h"
#include "roster_import.h"
#include "store.h"

const char usage_roster[] =
	"usage: digest roster import FILE\n"
	"       digest roster list\n"
	"\n"
	"import  replace the roster with the people in FILE (CSV with a\n"
	"        header, or JSON lines when FILE ends in .jsonl): 'email' is\n"
	"        required; 'name', 'title', 'aliases' (';'-separated) and\n"
	"        'opt_out' are known columns; every other column is an\n"
	"        assessment (disc, enneagram, ...) and its cell the result.\n"
	"        A bad row refuses the whole file; the old roster stays.\n"
	"list    print the roster, one person per line, tab-separated.\n"
	"        A cell starting with = + - or @ gets a ' in front, so a\n"
	"        spreadsheet shows it instead of running it as a formula.\n";

/* One person per line: a field's own line breaks and tabs become spaces. */
static void print_field(const char *s)
{
	for (; s && *s; s++)
		putchar((unsigned char)*s < 0x20 ? ' ' : *s);
}

/*
 * Operators open the list in a spreadsheet, which runs a cell starting
 * with = + - or @ as a formula (=HYPERLINK(...), +cmd|...): such a cell
 * starts with a ' (OWASP's advice for CSV injection), which the
 * spreadsheet shows as text. Each cell's first text goes through here.
 */
static void print_cell(const char *s)
{
	if (s && strchr("=+-@", *s) && *s)
		putchar('\'');
	print_field(s);
}

static void print_person(const struct roster_person *p)
{
	print_cell(p->email);
	putchar('\t');
	print_cell(p->name);
	putchar('\t');
	print_cell(p->title);
	putchar('\t');
	for (size_t i = 0; i < p->naliases; i++) {
		if (i)
			putchar(';');
		(i ? print_field : print_cell)(p->aliases[i]);
	}
	printf("\t%s\t", p->opt_out ? "opt_out" : "");
	for (size_t i = 0; i < p->nassessments; i++) {
		if (i)
			putchar(' ');
		(i ? print_field : print_cell)(p->assessments[i].name);
		putchar('=');
		print_field(p->assessments[i].value);
	}
	putchar('\n');
}

static int roster_list(struct store *st)
{
	struct dg_err err = DG_ERR_INIT;
	struct roster r = ROSTER_INIT;
	int rc = roster_db_load(st, &r, &err);

	if (rc)
		cmd_error("%s", err.msg);
	for (size_t i = 0; i < r.n; i++)
		print_person(&r.v[i]);
	roster_release(&r);
	return cmd_exit_code(rc);
}

static int roster_import_file(struct store *st, const char *path)
{
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;

	int rc = roster_import(st, path, &n, &err);

	if (rc)
		cmd_error("%s", err.msg);
	/*
	 * The file is the operator's input: one that cannot be imported,
	 * whatever the cause, is a bad call (exit 2), as in DESIGN.md.
	 */
	return cmd_exit_code(rc ? DG_EINVAL : 0);
}

int cmd_roster(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct dg_err err = DG_ERR_INIT;
	struct store *st = NULL;
	struct config cfg;
	bool import;
	int rc = cmd_no_options(argc, argv, usage_roster);

	if (rc >= 0)
		return rc;
	argc -= optind;
	argv += optind;
	import = argc == 2 && !strcmp(argv[0], "import");
	if (!import && !(argc == 1 && !strcmp(argv[0], "list"))) {
		cmd_error("roster takes 'import FILE' or 'list'");
		cmd_usage(usage_roster, true);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	rc = store_open(cfg.store.path, &st, &err);
	if (rc) {
		cmd_error("%s", err.msg);
		config_release(&cfg);
		return cmd_exit_code(rc);
	}
	rc = import ? roster_import_file(st, argv[1]) : roster_list(st);
	store_close(st);
	config_release(&cfg);
	return rc;
}
