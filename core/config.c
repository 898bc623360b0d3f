/*
 * config: digest.toml read into a plain struct: the mapping of each
 * table, the defaults and what only the whole file can tell; the
 * toolkit it maps with is config_get.c (config_int.h).
 */
#include "config.h"
#include "tz.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "strbuf.h"
#include "toml.h"

/*
 * The default [digest] templates: where the build installs them
 * (CMakeLists.txt passes the install prefix's datadir), so that an
 * installed digest finds its templates from any working directory.
 */
#ifndef DIGEST_TEMPLATES_DIR
#define DIGEST_TEMPLATES_DIR "/usr/local/share/digest/templates"
#endif

/* The tables. */

static int load_store(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"path", NULL};
	int rc = config_check_keys(ld, t, "store", keys);

	return rc ? rc
		  : config_get_string(ld, t, "store", "path",
				      &ld->cfg->store.path);
}

/* recorded_at: a TOML offset date-time, or a string holding one. */
static int get_recorded_at(struct loader *ld, const struct toml_value *t)
{
	const struct toml_value *v = toml_table_get(t, "recorded_at");
	enum toml_type type = TOML_STRING;
	char *text = NULL;

	if (!v)
		return 0;
	if (toml_type(v) == TOML_STRING &&
	    toml_datetime_parse(toml_string(v), toml_string_len(v), &type,
				&text, NULL) == DG_ENOMEM)
		return config_nomem(ld);
	if (toml_type(v) != TOML_STRING) {
		type = toml_type(v);
		text = toml_datetime_text(v) ? strdup(toml_datetime_text(v))
					     : NULL;
		if (toml_datetime_text(v) && !text)
			return config_nomem(ld);
	}
	if (type != TOML_DATETIME) {
		free(text);
		return config_at_errf(ld, v,
				      "[source] recorded_at must be an RFC "
				      "3339 date-time with an offset, such as "
				      "2026-11-23T10:00:00Z");
	}
	free(ld->cfg->source.recorded_at);
	ld->cfg->source.recorded_at = text;
	return 0;
}

static int load_source(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"kind", "path", "recorded_at", NULL};
	static const char *const kinds[] = {"fixtures", "graph", NULL};
	struct config *cfg = ld->cfg;
	int kind = (int)cfg->source.kind;
	int rc = config_check_keys(ld, t, "source", keys);

	if (!rc)
		rc = config_get_enum(ld, t, "source", "kind", kinds, &kind);
	cfg->source.kind = (enum config_source_kind)kind;
	if (!rc)
		rc = config_get_string(ld, t, "source", "path",
				       &cfg->source.path);
	return rc ? rc : get_recorded_at(ld, t);
}

static int load_roster(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"file", NULL};
	int rc = config_check_keys(ld, t, "roster", keys);

	return rc ? rc
		  : config_get_string(ld, t, "roster", "file",
				      &ld->cfg->roster.file);
}

static int get_url(struct loader *ld, const struct toml_value *t,
		   const char *key, char **out)
{
	int rc = config_get_line(ld, t, "graph", key, out);

	if (!rc && !config_url_ok(*out))
		return config_at_errf(
			ld, toml_table_get(t, key),
			"[graph] %s must start with https:// "
			"(http:// is accepted only for 127.0.0.1, "
			"localhost and [::1])",
			key);
	return rc;
}

static int load_graph(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"base_url",
					   "login_url",
					   "tenant",
					   "client_id",
					   "auth",
					   "client_secret_env",
					   "client_secret_file",
					   "token_key_env",
					   "token_key_file",
					   "ca_file",
					   "group",
					   "timeout",
					   NULL};
	static const char *const auths[] = {"app", "delegated", NULL};
	struct config *cfg = ld->cfg;
	int auth = (int)cfg->graph.auth;
	int rc = config_check_keys(ld, t, "graph", keys);

	if (!rc)
		rc = get_url(ld, t, "base_url", &cfg->graph.base_url);
	if (!rc)
		rc = get_url(ld, t, "login_url", &cfg->graph.login_url);
	if (!rc)
		rc = config_get_line(ld, t, "graph", "tenant",
				     &cfg->graph.tenant);
	if (!rc)
		rc = config_get_line(ld, t, "graph", "client_id",
				     &cfg->graph.client_id);
	if (!rc)
		rc = config_get_enum(ld, t, "graph", "auth", auths, &auth);
	cfg->graph.auth = (enum config_graph_auth)auth;
	if (!rc)
		rc = config_get_secret(ld, t, "graph", "client_secret",
				       &cfg->graph.client_secret);
	if (!rc)
		rc = config_get_secret(ld, t, "graph", "token_key",
				       &cfg->graph.token_key);
	if (!rc)
		rc = config_get_string(ld, t, "graph", "ca_file",
				       &cfg->graph.ca_file);
	if (!rc)
		rc = config_get_line(ld, t, "graph", "group",
				     &cfg->graph.group);
	return rc ? rc
		  : config_get_long(ld, t, "graph", "timeout", 1, 3600,
				    &cfg->graph.timeout);
}

/*
 * [digest] meeting_hosts: host names ("zoom.us"), letters, digits, '-'
 * and '.', no scheme, port or path. An empty list is allowed: no join URL
 * is then a link.
 */
static int get_hosts(struct loader *ld, const struct toml_value *t,
		     char ***out)
{
	const struct toml_value *a = toml_table_get(t, "meeting_hosts");
	size_t n;

	if (!a)
		return 0;
	if (toml_type(a) != TOML_ARRAY)
		return config_wrong_type(ld, a, "digest", "meeting_hosts",
					 "an array of host names");
	n = toml_array_size(a);
	*out = calloc(n + 1, sizeof(**out));
	if (!*out)
		return config_nomem(ld);
	for (size_t i = 0; i < n; i++) {
		const struct toml_value *v = toml_array_at(a, i);
		const char *s = toml_type(v) == TOML_STRING ? toml_string(v)
							    : "";

		if (!*s ||
		    strspn(s, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
			    strlen(s))
			return config_at_errf(
				ld, v,
				"[digest] meeting_hosts must hold host "
				"names such as \"zoom.us\"");
		(*out)[i] = strdup(s);
		if (!(*out)[i])
			return config_nomem(ld);
	}
	return 0;
}

/* Which day a digest covers, when it is worth a mail, and in what zone. */
static int load_digest_days(struct loader *ld, const struct toml_value *t)
{
	static const char *const covers[] = {"next_working_day", "today",
					     NULL};
	static const char *const whens[] = {"profiles", "meetings", NULL};
	struct config *cfg = ld->cfg;
	int cover = (int)cfg->digest.covers, when = (int)cfg->digest.send_when;
	char *iana = NULL;
	int rc;

	rc = config_get_enum(ld, t, "digest", "covers", covers, &cover);
	if (!rc)
		rc = config_get_enum(ld, t, "digest", "send_when", whens,
				     &when);
	if (!rc)
		rc = config_get_long(ld, t, "digest", "max_people_per_meeting",
				     1, 1000,
				     &cfg->digest.max_people_per_meeting);
	if (!rc)
		rc = config_get_line(ld, t, "digest", "timezone",
				     &cfg->digest.timezone);
	cfg->digest.covers = (enum config_covers)cover;
	cfg->digest.send_when = (enum config_send_when)when;
	if (rc || !cfg->digest.timezone)
		return rc;
	rc = tz_resolve(cfg->digest.timezone, &iana);
	free(iana);
	if (rc == DG_ENOTFOUND)
		return config_at_errf(
			ld, toml_table_get(t, "timezone"),
			"[digest] timezone must be a time zone such "
			"as \"Europe/Berlin\" or \"W. Europe Standard "
			"Time\"");
	return rc ? config_nomem(ld) : 0;
}

static int load_digest(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"from",
					   "subject",
					   "templates",
					   "locale",
					   "send_at",
					   "unsubscribe_url",
					   "unsubscribe_key_env",
					   "unsubscribe_key_file",
					   "unsubscribe_key_previous_env",
					   "unsubscribe_key_previous_file",
					   "timezone",
					   "covers",
					   "send_when",
					   "max_people_per_meeting",
					   "max_list_lookups",
					   "max_list_lookups_per_meeting",
					   "meeting_hosts",
					   NULL};
	struct config *cfg = ld->cfg;
	int minutes, rc = config_check_keys(ld, t, "digest", keys);

	if (!rc)
		rc = config_get_long(ld, t, "digest", "max_list_lookups", 1,
				     1000000, &cfg->digest.max_list_lookups);
	if (!rc)
		rc = config_get_long(ld, t, "digest",
				     "max_list_lookups_per_meeting", 1, 100000,
				     &cfg->digest.max_list_lookups_per_meeting);

	if (!rc)
		rc = get_hosts(ld, t, &cfg->digest.meeting_hosts);
	if (!rc)
		rc = config_get_string(ld, t, "digest", "from",
				       &cfg->digest.from);
	if (!rc && cfg->digest.from && !config_mailbox_ok(cfg->digest.from))
		return config_at_errf(
			ld, toml_table_get(t, "from"),
			"[digest] from must be an address or "
			"\"Name <address>\", such as \"Meeting digest "
			"<digest@example.com>\"");
	if (!rc)
		rc = config_get_line(ld, t, "digest", "subject",
				     &cfg->digest.subject);
	if (!rc)
		rc = config_get_string(ld, t, "digest", "templates",
				       &cfg->digest.templates);
	if (!rc)
		rc = config_get_line(ld, t, "digest", "locale",
				     &cfg->digest.locale);
	if (!rc)
		rc = config_get_string(ld, t, "digest", "send_at",
				       &cfg->digest.send_at);
	if (!rc && cfg->digest.send_at &&
	    !tz_parse_time_of_day(cfg->digest.send_at, &minutes))
		return config_at_errf(
			ld, toml_table_get(t, "send_at"),
			"[digest] send_at must be a time \"HH:MM\" "
			"from \"00:00\" to \"23:59\"");
	if (!rc)
		rc = config_get_line(ld, t, "digest", "unsubscribe_url",
				     &cfg->digest.unsubscribe_url);
	if (!rc && cfg->digest.unsubscribe_url &&
	    !strstr(cfg->digest.unsubscribe_url, "{token}"))
		return config_at_errf(
			ld, toml_table_get(t, "unsubscribe_url"),
			"[digest] unsubscribe_url must contain "
			"{token}, where each recipient's token goes");
	if (!rc)
		rc = load_digest_days(ld, t);
	if (!rc)
		rc = config_get_secret(ld, t, "digest", "unsubscribe_key",
				       &cfg->digest.unsubscribe_key);
	return rc ? rc
		  : config_get_secret(ld, t, "digest",
				      "unsubscribe_key_previous",
				      &cfg->digest.unsubscribe_key_previous);
}

static int load_serve(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"listen", "tls_cert_file",
					   "tls_key_file", NULL};
	struct config *cfg = ld->cfg;
	int rc = config_check_keys(ld, t, "serve", keys);

	if (!rc)
		rc = config_get_line(ld, t, "serve", "listen",
				     &cfg->serve.listen);
	if (!rc)
		rc = config_get_string(ld, t, "serve", "tls_cert_file",
				       &cfg->serve.tls_cert_file);
	if (!rc)
		rc = config_get_string(ld, t, "serve", "tls_key_file",
				       &cfg->serve.tls_key_file);
	if (!rc && !cfg->serve.tls_cert_file != !cfg->serve.tls_key_file)
		return config_at_errf(ld, t,
				      "[serve] set both tls_cert_file and "
				      "tls_key_file, or neither");
	return rc;
}

static int load_delivery(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"kind", "path", NULL};
	static const char *const kinds[] = {"stdout", "smtp", "maildir", NULL};
	struct config *cfg = ld->cfg;
	int kind = (int)cfg->delivery.kind;
	int rc = config_check_keys(ld, t, "delivery", keys);

	if (!rc)
		rc = config_get_enum(ld, t, "delivery", "kind", kinds, &kind);
	cfg->delivery.kind = (enum config_delivery_kind)kind;
	return rc ? rc
		  : config_get_string(ld, t, "delivery", "path",
				      &cfg->delivery.path);
}

static int load_smtp(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"host",	   "port",
					   "tls",	   "username",
					   "password_env", "password_file",
					   "ca_file",	   "envelope_from",
					   "helo",	   "connect_timeout",
					   "timeout",	   "connections",
					   "max_per_minute", NULL};
	static const char *const tlss[] = {"starttls", "implicit", "none",
					   NULL};
	struct config *cfg = ld->cfg;
	int tls = (int)cfg->smtp.tls;
	int rc = config_check_keys(ld, t, "smtp", keys);

	if (!rc)
		rc = config_get_line(ld, t, "smtp", "host", &cfg->smtp.host);
	if (!rc)
		rc = config_get_long(ld, t, "smtp", "port", 1, 65535,
				     &cfg->smtp.port);
	if (!rc)
		rc = config_get_enum(ld, t, "smtp", "tls", tlss, &tls);
	cfg->smtp.tls = (enum config_tls)tls;
	if (!rc)
		rc = config_get_line(ld, t, "smtp", "username",
				     &cfg->smtp.username);
	if (!rc)
		rc = config_get_secret(ld, t, "smtp", "password",
				       &cfg->smtp.password);
	if (!rc)
		rc = config_get_string(ld, t, "smtp", "ca_file",
				       &cfg->smtp.ca_file);
	if (!rc)
		rc = config_get_string(ld, t, "smtp", "envelope_from",
				       &cfg->smtp.envelope_from);
	if (!rc && cfg->smtp.envelope_from &&
	    !config_address_ok(cfg->smtp.envelope_from,
			       strlen(cfg->smtp.envelope_from)))
		return config_at_errf(
			ld, toml_table_get(t, "envelope_from"),
			"[smtp] envelope_from must be a bare address, "
			"such as bounces@example.com");
	if (!rc)
		rc = config_get_line(ld, t, "smtp", "helo", &cfg->smtp.helo);
	if (!rc)
		rc = config_get_long(ld, t, "smtp", "connect_timeout", 1, 3600,
				     &cfg->smtp.connect_timeout);
	if (!rc)
		rc = config_get_long(ld, t, "smtp", "timeout", 1, 3600,
				     &cfg->smtp.timeout);
	if (!rc)
		rc = config_get_long(ld, t, "smtp", "connections", 1, 64,
				     &cfg->smtp.connections);
	return rc ? rc
		  : config_get_long(ld, t, "smtp", "max_per_minute", 1, 100000,
				    &cfg->smtp.max_per_minute);
}

static int load_log(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"format", NULL};
	static const char *const formats[] = {"text", "json", NULL};
	int format = (int)ld->cfg->log.format;
	int rc = config_check_keys(ld, t, "log", keys);

	if (!rc)
		rc = config_get_enum(ld, t, "log", "format", formats, &format);
	ld->cfg->log.format = (enum config_log_format)format;
	return rc;
}

static int load_metrics(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"textfile", NULL};
	int rc = config_check_keys(ld, t, "metrics", keys);

	return rc ? rc
		  : config_get_string(ld, t, "metrics", "textfile",
				      &ld->cfg->metrics.textfile);
}

static int load_history(struct loader *ld, const struct toml_value *t)
{
	static const char *const keys[] = {"days", NULL};
	int rc = config_check_keys(ld, t, "history", keys);

	return rc ? rc
		  : config_get_long(ld, t, "history", "days", 0, 3650,
				    &ld->cfg->history.days);
}

/* The document. */

static const struct {
	const char *name;
	int (*load)(struct loader *ld, const struct toml_value *t);
} tables[] = {
	{"store", load_store},	 {"source", load_source},
	{"roster", load_roster}, {"graph", load_graph},
	{"digest", load_digest}, {"delivery", load_delivery},
	{"smtp", load_smtp},	 {"serve", load_serve},
	{"log", load_log},	 {"metrics", load_metrics},
	{"history", load_history},
};

#define NTABLES (sizeof(tables) / sizeof(*tables))

/* Each top-level key must be one of the tables above, as a table. */
static int check_tables(struct loader *ld, const struct toml_value *root)
{
	for (size_t i = 0; i < toml_table_size(root); i++) {
		const struct toml_value *v = toml_table_at(root, i);
		struct strbuf name = STRBUF_INIT;
		bool known = false;
		int rc;

		for (size_t j = 0; j < NTABLES && !known; j++)
			known = !strcmp(tables[j].name,
					toml_table_key(root, i)) &&
				strlen(tables[j].name) ==
					toml_table_key_len(root, i);
		config_show_key(&name, toml_table_key(root, i),
				toml_table_key_len(root, i));
		if (known && toml_type(v) == TOML_TABLE)
			rc = 0;
		else if (known)
			rc = config_at_errf(ld, v,
					    "'%s' must be a table: write "
					    "[%s] and its keys below it",
					    name.buf, name.buf);
		else if (toml_type(v) == TOML_TABLE)
			rc = config_at_errf(ld, v,
					    "unknown table [%s] (the tables "
					    "are store, source, roster, graph, "
					    "digest, delivery, smtp, log, "
					    "metrics and history)",
					    name.buf);
		else
			rc = config_at_errf(ld, v,
					    "unknown key '%s' outside any "
					    "table",
					    name.buf);
		strbuf_release(&name);
		if (rc)
			return rc;
	}
	return 0;
}

/* What only the whole file can tell: required keys, kinds' needs. */
static int check_required(struct loader *ld)
{
	const struct config *cfg = ld->cfg;

	if (!cfg->digest.from)
		return config_file_errf(ld,
					"missing required key [digest] from");
	if (cfg->source.kind == CONFIG_SOURCE_GRAPH && !cfg->graph.tenant)
		return config_file_errf(
			ld, "missing required key [graph] tenant "
			    "(needed when [source] kind is \"graph\")");
	if (cfg->source.kind == CONFIG_SOURCE_GRAPH && !cfg->graph.client_id)
		return config_file_errf(
			ld, "missing required key [graph] client_id "
			    "(needed when [source] kind is \"graph\")");
	if (cfg->delivery.kind == CONFIG_DELIVERY_MAILDIR &&
	    !cfg->delivery.path)
		return config_file_errf(ld,
					"missing required key [delivery] path "
					"(needed when [delivery] kind is "
					"\"maildir\")");
	return 0;
}

static int set_defaults(struct config *cfg)
{
	static const struct {
		size_t offset;
		const char *value;
	} defaults[] = {
		{offsetof(struct config, store.path), "digest.db"},
		{offsetof(struct config, source.path), "fixtures/demo"},
		{offsetof(struct config, graph.base_url),
		 "https://graph.microsoft.com/v1.0"},
		{offsetof(struct config, graph.login_url),
		 "https://login.microsoftonline.com"},
		{offsetof(struct config, digest.templates),
		 DIGEST_TEMPLATES_DIR},
		{offsetof(struct config, digest.locale), "en-US"},
		{offsetof(struct config, smtp.host), "127.0.0.1"},
	};

	for (size_t i = 0; i < sizeof(defaults) / sizeof(*defaults); i++) {
		char **field = (char **)((char *)cfg + defaults[i].offset);

		*field = strdup(defaults[i].value);
		if (!*field)
			return DG_ENOMEM;
	}
	cfg->source.kind = CONFIG_SOURCE_FIXTURES;
	cfg->graph.auth = CONFIG_AUTH_APP;
	cfg->graph.timeout = 30;
	cfg->delivery.kind = CONFIG_DELIVERY_STDOUT;
	cfg->smtp.port = 587;
	cfg->smtp.tls = CONFIG_TLS_STARTTLS;
	cfg->digest.max_people_per_meeting = 8;
	cfg->smtp.connect_timeout = 10;
	cfg->smtp.timeout = 60;
	cfg->smtp.connections = 4;
	cfg->history.days = 90; /* HISTORY_DAYS_DEFAULT */
	return 0;
}

static int load_tree(struct loader *ld, const struct toml_value *root)
{
	int rc = config_refuse_inline_secrets(ld, root, "");

	if (!rc)
		rc = check_tables(ld, root);
	for (size_t i = 0; i < NTABLES && !rc; i++) {
		const struct toml_value *t =
			toml_table_get(root, tables[i].name);

		if (t)
			rc = tables[i].load(ld, t);
	}
	return rc ? rc : check_required(ld);
}

int config_load(struct config *cfg, const char *path, struct dg_err *err)
{
	struct loader ld = {.cfg = cfg, .file = path, .err = err};
	struct strbuf text = STRBUF_INIT;
	struct toml_value *root = NULL;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = strbuf_read_file(&text, path);
	if (rc)
		return dg_errf(err, rc == DG_ENOMEM ? rc : DG_EIO,
			       "cannot read config file %s: %s", path,
			       rc == DG_EIO ? strerror(errno)
					    : dg_strerror(rc));
	rc = toml_parse_named(text.buf, text.len, path, &root, err);
	strbuf_release(&text);
	if (rc)
		return rc == DG_EPARSE ? DG_EINVAL : rc;
	cfg->file = strdup(path);
	if (!cfg->file || set_defaults(cfg))
		rc = config_nomem(&ld);
	if (!rc)
		rc = load_tree(&ld, root);
	toml_free(root);
	if (rc)
		config_release(cfg);
	return rc;
}

void config_release(struct config *cfg)
{
	char **strings[] = {
		&cfg->file,
		&cfg->store.path,
		&cfg->source.path,
		&cfg->source.recorded_at,
		&cfg->roster.file,
		&cfg->graph.base_url,
		&cfg->graph.login_url,
		&cfg->graph.tenant,
		&cfg->graph.client_id,
		&cfg->graph.ca_file,
		&cfg->graph.group,
		&cfg->digest.from,
		&cfg->digest.subject,
		&cfg->digest.templates,
		&cfg->digest.locale,
		&cfg->digest.send_at,
		&cfg->digest.timezone,
		&cfg->digest.unsubscribe_url,
		&cfg->delivery.path,
		&cfg->smtp.host,
		&cfg->smtp.username,
		&cfg->smtp.ca_file,
		&cfg->smtp.envelope_from,
		&cfg->smtp.helo,
		&cfg->serve.listen,
		&cfg->serve.tls_cert_file,
		&cfg->serve.tls_key_file,
		&cfg->metrics.textfile,
	};

	for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++)
		free(*strings[i]);
	for (size_t i = 0; cfg->digest.meeting_hosts &&
			   cfg->digest.meeting_hosts[i]; i++)
		free(cfg->digest.meeting_hosts[i]);
	free(cfg->digest.meeting_hosts);
	secret_release(&cfg->graph.client_secret);
	secret_release(&cfg->graph.token_key);
	secret_release(&cfg->digest.unsubscribe_key);
	secret_release(&cfg->digest.unsubscribe_key_previous);
	secret_release(&cfg->smtp.password);
	memset(cfg, 0, sizeof(*cfg));
}
