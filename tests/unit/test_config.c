/*
 * config: defaults, the example file, and every refusal naming the file,
 * the line and the key; secrets never from the TOML and never echoed
 * (test_secret.c reads them from the environment or a file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "logging.h"
#include "scratch.h"
#include "strbuf.h"

#define FROM "[digest]\nfrom = \"Digest <digest@example.com>\"\n"

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void load_ok(void **state, const char *text, struct config *cfg)
{
	struct scratch *s = *state;
	struct dg_err err = DG_ERR_INIT;

	write_file(s->path.buf, text, 0600);
	if (config_load(cfg, s->path.buf, &err)) {
		print_error("unexpected error: %s\n", err.msg);
		fail();
	}
}

/* The load must fail with "<path><want>" (want starts with ':'). */
static void assert_refused(void **state, const char *text, const char *want)
{
	struct scratch *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct config cfg;
	char full[DG_ERR_MAX + 128];

	write_file(s->path.buf, text, 0600);
	assert_int_not_equal(config_load(&cfg, s->path.buf, &err), 0);
	snprintf(full, sizeof(full), "%s%s", s->path.buf, want);
	assert_string_equal(err.msg, full);
	/* Nothing to free after a failure: all fields are empty. */
	assert_null(cfg.file);
	assert_null(cfg.store.path);
	assert_null(cfg.digest.from);
}

static void test_config__defaults_fill_what_is_not_written(void **state)
{
	struct config cfg;

	load_ok(state, FROM, &cfg);
	assert_string_equal(cfg.store.path, "digest.db");
	assert_int_equal(cfg.source.kind, CONFIG_SOURCE_FIXTURES);
	assert_string_equal(cfg.source.path, "fixtures/demo");
	assert_null(cfg.source.recorded_at);
	assert_null(cfg.roster.file);
	assert_string_equal(cfg.graph.base_url,
			    "https://graph.microsoft.com/v1.0");
	assert_string_equal(cfg.graph.login_url,
			    "https://login.microsoftonline.com");
	assert_null(cfg.graph.tenant);
	assert_int_equal(cfg.graph.auth, CONFIG_AUTH_APP);
	assert_false(secret_isset(&cfg.graph.client_secret));
	assert_int_equal(cfg.graph.timeout, 30);
	assert_string_equal(cfg.digest.from, "Digest <digest@example.com>");
	assert_null(cfg.digest.subject);
	/* The installed templates, found from any working directory. */
	assert_string_equal(cfg.digest.templates, DIGEST_TEMPLATES_DIR);
	assert_true(cfg.digest.templates[0] == '/');
	assert_string_equal(cfg.digest.locale, "en-US");
	assert_null(cfg.digest.send_at);
	assert_null(cfg.digest.unsubscribe_url);
	assert_int_equal(cfg.delivery.kind, CONFIG_DELIVERY_STDOUT);
	assert_null(cfg.delivery.path);
	assert_string_equal(cfg.smtp.host, "127.0.0.1");
	assert_int_equal(cfg.smtp.port, 587);
	assert_int_equal(cfg.smtp.tls, CONFIG_TLS_STARTTLS);
	assert_false(secret_isset(&cfg.smtp.password));
	assert_int_equal(cfg.smtp.connect_timeout, 10);
	assert_int_equal(cfg.smtp.timeout, 60);
	config_release(&cfg);
}

static void test_config__every_key_is_read(void **state)
{
	struct config cfg;

	load_ok(state,
		"[store]\npath = \"/var/lib/digest.db\"\n"
		"[source]\nkind = \"graph\"\n"
		"[roster]\nfile = \"roster.csv\"\n"
		"[graph]\nbase_url = \"http://127.0.0.1:8080/v1.0\"\n"
		"login_url = \"http://[::1]:9000\"\ntenant = \"t\"\n"
		"client_id = \"c\"\nauth = \"delegated\"\n"
		"client_secret_file = \"/etc/s\"\n"
		"token_key_env = \"KEY\"\nca_file = \"ca.pem\"\n"
		"group = \"g@example.com\"\ntimeout = 5\n"
		"[digest]\nfrom = \"d@example.com\"\nsubject = \"S\"\n"
		"templates = \"t\"\nlocale = \"fr-FR\"\nsend_at = \"23:59\"\n"
		"unsubscribe_url = \"https://x/u?t={token}\"\n"
		"unsubscribe_key_env = \"U\"\n"
		"[delivery]\nkind = \"maildir\"\npath = \"Maildir\"\n"
		"[smtp]\nhost = \"mail\"\nport = 465\ntls = \"implicit\"\n"
		"username = \"u\"\npassword_env = \"P\"\n"
		"ca_file = \"c.pem\"\nenvelope_from = \"b@example.com\"\n"
		"helo = \"h\"\nconnect_timeout = 3\ntimeout = 4\n",
		&cfg);
	assert_string_equal(cfg.store.path, "/var/lib/digest.db");
	assert_int_equal(cfg.source.kind, CONFIG_SOURCE_GRAPH);
	assert_string_equal(cfg.roster.file, "roster.csv");
	assert_string_equal(cfg.graph.base_url, "http://127.0.0.1:8080/v1.0");
	assert_string_equal(cfg.graph.login_url, "http://[::1]:9000");
	assert_string_equal(cfg.graph.tenant, "t");
	assert_string_equal(cfg.graph.client_id, "c");
	assert_int_equal(cfg.graph.auth, CONFIG_AUTH_DELEGATED);
	assert_string_equal(cfg.graph.client_secret.file, "/etc/s");
	assert_null(cfg.graph.client_secret.env);
	assert_string_equal(cfg.graph.token_key.env, "KEY");
	assert_string_equal(cfg.graph.ca_file, "ca.pem");
	assert_string_equal(cfg.graph.group, "g@example.com");
	assert_int_equal(cfg.graph.timeout, 5);
	assert_string_equal(cfg.digest.send_at, "23:59");
	assert_string_equal(cfg.digest.unsubscribe_key.env, "U");
	assert_int_equal(cfg.delivery.kind, CONFIG_DELIVERY_MAILDIR);
	assert_string_equal(cfg.delivery.path, "Maildir");
	assert_string_equal(cfg.smtp.host, "mail");
	assert_int_equal(cfg.smtp.port, 465);
	assert_int_equal(cfg.smtp.tls, CONFIG_TLS_IMPLICIT);
	assert_string_equal(cfg.smtp.password.env, "P");
	assert_string_equal(cfg.smtp.envelope_from, "b@example.com");
	assert_int_equal(cfg.smtp.connect_timeout, 3);
	assert_int_equal(cfg.smtp.timeout, 4);
	config_release(&cfg);
}

static void test_config__the_example_file_loads(void **state)
{
	const char *src = getenv("DIGEST_SRC");
	struct dg_err err = DG_ERR_INIT;
	struct strbuf path = STRBUF_INIT;
	struct config cfg;

	if (!src)
		skip();
	assert_int_equal(strbuf_addf(&path, "%s/digest.toml.example", src), 0);
	if (config_load(&cfg, path.buf, &err)) {
		print_error("%s\n", err.msg);
		fail();
	}
	assert_string_equal(cfg.store.path, "digest.db");
	assert_int_equal(cfg.source.kind, CONFIG_SOURCE_FIXTURES);
	assert_string_equal(cfg.source.path, "fixtures/demo");
	assert_string_equal(cfg.source.recorded_at, "2026-11-23T10:00:00Z");
	assert_string_equal(cfg.roster.file, "fixtures/demo/roster.csv");
	assert_string_equal(cfg.digest.from,
			    "Meeting digest <digest@example.com>");
	assert_null(cfg.digest.send_at);
	assert_int_equal(cfg.delivery.kind, CONFIG_DELIVERY_STDOUT);
	assert_int_equal(cfg.smtp.port, 587);
	assert_string_equal(cfg.file, path.buf);
	config_release(&cfg);
	strbuf_release(&path);
}

static void test_config__recorded_at_may_be_a_quoted_string(void **state)
{
	struct config cfg;

	load_ok(state,
		FROM "[source]\nrecorded_at = "
		     "\"2026-11-23 10:00:00+01:00\"\n",
		&cfg);
	assert_string_equal(cfg.source.recorded_at,
			    "2026-11-23T10:00:00+01:00");
	config_release(&cfg);
}

static void test_config__unreadable_file_names_path_and_reason(void **state)
{
	struct scratch *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct config cfg;
	char want[256];

	assert_int_equal(config_load(&cfg, s->path.buf, &err), DG_EIO);
	snprintf(want, sizeof(want),
		 "cannot read config file %s: No such file or directory",
		 s->path.buf);
	assert_string_equal(err.msg, want);
}

static void test_config__toml_syntax_error_names_line_and_column(void **state)
{
	assert_refused(state, FROM "[smtp]\nport 25\n",
		       ":4:6: expected '=' after a key, found '2'");
}

static void test_config__unknown_key_names_line_and_table(void **state)
{
	assert_refused(state, FROM "[smtp]\nhost = \"h\"\nprot = 25\n",
		       ":5: unknown key 'prot' in [smtp]");
}

static void test_config__unknown_table_is_refused(void **state)
{
	assert_refused(state, FROM "\n[smpt]\nport = 25\n",
		       ":4: unknown table [smpt] (the tables are store, "
		       "source, roster, graph, digest, delivery, smtp, log, "
		       "metrics and history)");
}

static void test_config__log_format_defaults_to_text(void **state)
{
	struct config cfg;

	load_ok(state, FROM, &cfg);
	assert_int_equal(cfg.log.format, CONFIG_LOG_TEXT);
	config_release(&cfg);
	load_ok(state, FROM "[log]\nformat = \"json\"\n", &cfg);
	assert_int_equal(cfg.log.format, CONFIG_LOG_JSON);
	config_release(&cfg);
}

static void test_config__metrics_textfile_is_read(void **state)
{
	struct config cfg;

	load_ok(state, FROM, &cfg);
	assert_null(cfg.metrics.textfile);
	config_release(&cfg);
	load_ok(state, FROM "[metrics]\ntextfile = \"/m/digest.prom\"\n",
		&cfg);
	assert_string_equal(cfg.metrics.textfile, "/m/digest.prom");
	config_release(&cfg);
}

static void test_config__history_days_default_to_90(void **state)
{
	struct config cfg;

	load_ok(state, FROM, &cfg);
	assert_int_equal(cfg.history.days, 90);
	config_release(&cfg);
	load_ok(state, FROM "[history]\ndays = 0\n", &cfg);
	assert_int_equal(cfg.history.days, 0);
	config_release(&cfg);
}

static void test_config__history_days_out_of_range_is_refused(void **state)
{
	assert_refused(state, FROM "[history]\ndays = 4000\n",
		       ":4: [history] days must be between 0 and 3650, "
		       "not 4000");
}

static void test_config__unknown_log_format_is_refused(void **state)
{
	assert_refused(state, FROM "[log]\nformat = \"xml\"\n",
		       ":4: [log] format must be \"text\" or \"json\"");
}

static void test_config__key_outside_a_table_is_refused(void **state)
{
	assert_refused(state, "path = \"x\"\n" FROM,
		       ":1: unknown key 'path' outside any table");
}

static void test_config__known_table_written_as_a_value_refused(void **state)
{
	assert_refused(state, "store = \"digest.db\"\n" FROM,
		       ":1: 'store' must be a table: write [store] and its "
		       "keys below it");
}

static void test_config__wrong_type_names_both_types(void **state)
{
	assert_refused(state, FROM "[smtp]\nport = \"25\"\n",
		       ":4: [smtp] port must be an integer, not a string");
}

static void test_config__string_key_refuses_an_integer(void **state)
{
	assert_refused(state, FROM "[store]\npath = 1\n",
		       ":4: [store] path must be a string, not an integer");
}

static void test_config__port_out_of_range_is_refused(void **state)
{
	assert_refused(state, FROM "[smtp]\nport = 70000\n",
		       ":4: [smtp] port must be between 1 and 65535, not "
		       "70000");
}

static void test_config__meeting_hosts_replace_the_default_list(void **state)
{
	struct config cfg;

	load_ok(state, "[digest]\nfrom = \"d@example.com\"\n"
		"meeting_hosts = [\"meet.example.com\", \"zoom.us\"]\n", &cfg);
	assert_non_null(cfg.digest.meeting_hosts);
	assert_string_equal(cfg.digest.meeting_hosts[0], "meet.example.com");
	assert_string_equal(cfg.digest.meeting_hosts[1], "zoom.us");
	assert_null(cfg.digest.meeting_hosts[2]);
	config_release(&cfg);
	load_ok(state, "[digest]\nfrom = \"d@example.com\"\n", &cfg);
	assert_null(cfg.digest.meeting_hosts);
	config_release(&cfg);
}

static void test_config__meeting_host_with_a_path_is_refused(void **state)
{
	assert_refused(state, "[digest]\nfrom = \"d@example.com\"\n"
		       "meeting_hosts = [\"https://zoom.us/\"]\n",
		       ":3: [digest] meeting_hosts must hold host names such "
		       "as \"zoom.us\"");
}

static void test_config__timeout_of_zero_is_refused(void **state)
{
	assert_refused(state, FROM "[graph]\ntimeout = 0\n",
		       ":4: [graph] timeout must be between 1 and 3600, not "
		       "0");
}

static void test_config__bad_enum_lists_allowed_values(void **state)
{
	assert_refused(state, FROM "[smtp]\ntls = \"ssl\"\n",
		       ":4: [smtp] tls must be \"starttls\", \"implicit\" or "
		       "\"none\"");
}

static void test_config__bad_source_kind_lists_allowed_values(void **state)
{
	assert_refused(state, "[source]\nkind = \"outlook\"\n" FROM,
		       ":2: [source] kind must be \"fixtures\" or \"graph\"");
}

static void test_config__missing_from_names_the_table(void **state)
{
	assert_refused(state, "[store]\npath = \"x.db\"\n",
		       ": missing required key [digest] from");
}

static void test_config__graph_source_requires_tenant(void **state)
{
	assert_refused(state,
		       FROM "[source]\nkind = \"graph\"\n"
			    "[graph]\nclient_id = \"c\"\n",
		       ": missing required key [graph] tenant (needed when "
		       "[source] kind is \"graph\")");
}

static void test_config__graph_source_requires_client_id(void **state)
{
	assert_refused(state,
		       FROM "[source]\nkind = \"graph\"\n"
			    "[graph]\ntenant = \"t\"\n",
		       ": missing required key [graph] client_id (needed "
		       "when [source] kind is \"graph\")");
}

static void test_config__maildir_delivery_requires_a_path(void **state)
{
	assert_refused(state, FROM "[delivery]\nkind = \"maildir\"\n",
		       ": missing required key [delivery] path (needed when "
		       "[delivery] kind is \"maildir\")");
}

static void test_config__secret_env_and_file_together_refused(void **state)
{
	assert_refused(state,
		       FROM "[smtp]\npassword_env = \"P\"\n"
			    "password_file = \"/etc/p\"\n",
		       ":5: [smtp] set password_env or password_file, not "
		       "both");
}

static void test_config__inline_password_is_refused_unechoed(void **state)
{
	struct scratch *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct config cfg;

	assert_refused(state,
		       FROM "[smtp]\nusername = \"u\"\n"
			    "password = \"hunter2\"\n",
		       ":5: [smtp] password must not be written in the "
		       "config: name an environment variable with "
		       "password_env or a file with password_file");
	assert_int_not_equal(config_load(&cfg, s->path.buf, &err), 0);
	assert_null(strstr(err.msg, "hunter2"));
}

static void test_config__inline_client_secret_is_refused(void **state)
{
	assert_refused(state, FROM "[graph]\nclient_secret = 42\n",
		       ":4: [graph] client_secret must not be written in the "
		       "config: name an environment variable with "
		       "client_secret_env or a file with client_secret_file");
}

static void test_config__inline_secret_refused_in_any_table(void **state)
{
	assert_refused(state, "[whatever.deep]\ntoken = \"abc\"\n" FROM,
		       ":2: [whatever.deep] token must not be written in the "
		       "config: secrets come from an environment variable "
		       "(*_env) or a file (*_file)");
}

static void test_config__inline_secret_refused_at_the_root(void **state)
{
	assert_refused(state, "refresh_token = \"abc\"\n" FROM,
		       ":1: refresh_token must not be written in the "
		       "config: secrets come from an environment variable "
		       "(*_env) or a file (*_file)");
}

static void test_config__from_without_an_address_is_refused(void **state)
{
	assert_refused(state, "[digest]\nfrom = \"Meeting digest\"\n",
		       ":2: [digest] from must be an address or \"Name "
		       "<address>\", such as \"Meeting digest "
		       "<digest@example.com>\"");
}

static void test_config__from_with_two_at_signs_is_refused(void **state)
{
	assert_refused(state, "[digest]\nfrom = \"D <a@b@example.com>\"\n",
		       ":2: [digest] from must be an address or \"Name "
		       "<address>\", such as \"Meeting digest "
		       "<digest@example.com>\"");
}

static void test_config__from_with_a_line_break_is_refused(void **state)
{
	assert_refused(state,
		       "[digest]\nfrom = \"d@example.com\\r\\nBcc: "
		       "x@example.com\"\n",
		       ":2: [digest] from must be an address or \"Name "
		       "<address>\", such as \"Meeting digest "
		       "<digest@example.com>\"");
}

static void test_config__subject_with_a_line_break_is_refused(void **state)
{
	assert_refused(state, FROM "subject = \"a\\nb\"\n",
		       ":3: [digest] subject must be on one line");
}

static void test_config__send_at_out_of_range_is_refused(void **state)
{
	assert_refused(state, FROM "send_at = \"24:00\"\n",
		       ":3: [digest] send_at must be a time \"HH:MM\" from "
		       "\"00:00\" to \"23:59\"");
}

static void test_config__send_at_without_leading_zero_refused(void **state)
{
	assert_refused(state, FROM "send_at = \"7:00\"\n",
		       ":3: [digest] send_at must be a time \"HH:MM\" from "
		       "\"00:00\" to \"23:59\"");
}

static void test_config__unsubscribe_url_needs_a_token(void **state)
{
	assert_refused(state, FROM "unsubscribe_url = \"https://x/u\"\n",
		       ":3: [digest] unsubscribe_url must contain {token}, "
		       "where each recipient's token goes");
}

static void test_config__plain_http_to_a_remote_host_is_refused(void **state)
{
	assert_refused(state,
		       FROM "[graph]\n"
			    "base_url = \"http://graph.example.com\"\n",
		       ":4: [graph] base_url must start with https:// "
		       "(http:// is accepted only for 127.0.0.1, localhost "
		       "and [::1])");
}

static void test_config__localhost_lookalike_is_not_local(void **state)
{
	assert_refused(state,
		       FROM "[graph]\n"
			    "login_url = \"http://localhost.evil.com/\"\n",
		       ":4: [graph] login_url must start with https:// "
		       "(http:// is accepted only for 127.0.0.1, localhost "
		       "and [::1])");
}

static void test_config__recorded_at_needs_an_offset(void **state)
{
	assert_refused(state,
		       FROM "[source]\n"
			    "recorded_at = 2026-11-23T10:00:00\n",
		       ":4: [source] recorded_at must be an RFC 3339 "
		       "date-time with an offset, such as "
		       "2026-11-23T10:00:00Z");
}

static void test_config__recorded_at_string_must_be_a_date(void **state)
{
	assert_refused(state, FROM "[source]\nrecorded_at = \"yesterday\"\n",
		       ":4: [source] recorded_at must be an RFC 3339 "
		       "date-time with an offset, such as "
		       "2026-11-23T10:00:00Z");
}

static void test_config__empty_string_is_refused(void **state)
{
	assert_refused(state, FROM "[roster]\nfile = \"\"\n",
		       ":4: [roster] file must not be empty (comment it out "
		       "to use the default)");
}

/* A scratch folder per test, its path <dir>/digest.toml. */
#define SCRATCH_TEST(f)                                                        \
	cmocka_unit_test_prestate_setup_teardown(f, scratch_setup_path,        \
						 scratch_teardown,             \
						 "digest.toml")

int main(void)
{
	const struct CMUnitTest tests[] = {
		SCRATCH_TEST(test_config__defaults_fill_what_is_not_written),
		SCRATCH_TEST(test_config__every_key_is_read),
		SCRATCH_TEST(test_config__the_example_file_loads),
		SCRATCH_TEST(test_config__recorded_at_may_be_a_quoted_string),
		SCRATCH_TEST(
			test_config__unreadable_file_names_path_and_reason),
		SCRATCH_TEST(
			test_config__toml_syntax_error_names_line_and_column),
		SCRATCH_TEST(test_config__unknown_key_names_line_and_table),
		SCRATCH_TEST(test_config__unknown_table_is_refused),
		SCRATCH_TEST(test_config__log_format_defaults_to_text),
		SCRATCH_TEST(test_config__unknown_log_format_is_refused),
		SCRATCH_TEST(test_config__metrics_textfile_is_read),
		SCRATCH_TEST(test_config__history_days_default_to_90),
		SCRATCH_TEST(test_config__history_days_out_of_range_is_refused),
		SCRATCH_TEST(test_config__key_outside_a_table_is_refused),
		SCRATCH_TEST(
			test_config__known_table_written_as_a_value_refused),
		SCRATCH_TEST(test_config__wrong_type_names_both_types),
		SCRATCH_TEST(test_config__string_key_refuses_an_integer),
		SCRATCH_TEST(test_config__port_out_of_range_is_refused),
		SCRATCH_TEST(test_config__timeout_of_zero_is_refused),
		SCRATCH_TEST(test_config__meeting_hosts_replace_the_default_list),
		SCRATCH_TEST(test_config__meeting_host_with_a_path_is_refused),
		SCRATCH_TEST(test_config__bad_enum_lists_allowed_values),
		SCRATCH_TEST(test_config__bad_source_kind_lists_allowed_values),
		SCRATCH_TEST(test_config__missing_from_names_the_table),
		SCRATCH_TEST(test_config__graph_source_requires_tenant),
		SCRATCH_TEST(test_config__graph_source_requires_client_id),
		SCRATCH_TEST(test_config__maildir_delivery_requires_a_path),
		SCRATCH_TEST(test_config__secret_env_and_file_together_refused),
		SCRATCH_TEST(test_config__inline_password_is_refused_unechoed),
		SCRATCH_TEST(test_config__inline_client_secret_is_refused),
		SCRATCH_TEST(test_config__inline_secret_refused_in_any_table),
		SCRATCH_TEST(test_config__inline_secret_refused_at_the_root),
		SCRATCH_TEST(test_config__from_without_an_address_is_refused),
		SCRATCH_TEST(test_config__from_with_two_at_signs_is_refused),
		SCRATCH_TEST(test_config__from_with_a_line_break_is_refused),
		SCRATCH_TEST(test_config__subject_with_a_line_break_is_refused),
		SCRATCH_TEST(test_config__send_at_out_of_range_is_refused),
		SCRATCH_TEST(test_config__send_at_without_leading_zero_refused),
		SCRATCH_TEST(test_config__unsubscribe_url_needs_a_token),
		SCRATCH_TEST(
			test_config__plain_http_to_a_remote_host_is_refused),
		SCRATCH_TEST(test_config__localhost_lookalike_is_not_local),
		SCRATCH_TEST(test_config__recorded_at_needs_an_offset),
		SCRATCH_TEST(test_config__recorded_at_string_must_be_a_date),
		SCRATCH_TEST(test_config__empty_string_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
