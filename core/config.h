/*
 * config: digest.toml read into a plain struct.
 *
 * The keys are the contract of DESIGN.md; digest.toml.example documents
 * each one with its default. Every error names the file, the line and the
 * key ("digest.toml:12: [smtp] port must be an integer"). Secrets are never
 * read from the TOML: a table names an environment variable (*_env) or a
 * file (*_file) that holds them, and a secret written inline is refused;
 * secret.h reads them at run time.
 */
#ifndef DIGEST_CONFIG_H
#define DIGEST_CONFIG_H

#include <stdbool.h>

#include "err.h"
#include "secret.h"

enum config_source_kind { CONFIG_SOURCE_FIXTURES, CONFIG_SOURCE_GRAPH };
enum config_delivery_kind {
	CONFIG_DELIVERY_STDOUT,
	CONFIG_DELIVERY_SMTP,
	CONFIG_DELIVERY_MAILDIR
};
enum config_tls { CONFIG_TLS_STARTTLS, CONFIG_TLS_IMPLICIT, CONFIG_TLS_NONE };
enum config_graph_auth { CONFIG_AUTH_APP, CONFIG_AUTH_DELEGATED };
enum config_log_format { CONFIG_LOG_TEXT, CONFIG_LOG_JSON };
/* [digest] covers: the next working day (default) or today. */
enum config_covers { CONFIG_COVERS_NEXT_WORKING_DAY, CONFIG_COVERS_TODAY };
/* [digest] send_when: a meeting with a profile (default), or any. */
enum config_send_when { CONFIG_SEND_PROFILES, CONFIG_SEND_MEETINGS };

struct config {
	char *file; /* the path it was loaded from */

	struct {
		char *path; /* "digest.db" */
	} store;

	struct {
		enum config_source_kind kind;
		char *path;        /* fixtures folder */
		char *recorded_at; /* fixtures: RFC 3339 clock of the recording */
	} source;

	struct {
		char *file; /* optional roster file imported before each run */
	} roster;

	struct {
		char *base_url;  /* "https://graph.microsoft.com/v1.0" */
		char *login_url; /* "https://login.microsoftonline.com" */
		char *tenant;
		char *client_id;
		enum config_graph_auth auth; /* "app" (default) or "delegated" */
		struct secret client_secret;
		struct secret token_key;
		char *ca_file;
		char *group; /* users sync: only members of this group */
		long timeout; /* seconds per request, default 30 */
	} graph;

	struct {
		char *from;      /* "Meeting digest <digest@example.com>" */
		char *subject;   /* mustache override; NULL: the templates' */
		char *templates; /* folder; default: the installed one */
		char *locale;    /* "en-US" */
		char *send_at;   /* "07:00" or NULL */
		char *unsubscribe_url; /* with {token}, or NULL */
		struct secret unsubscribe_key;
		/* during a key rotation: still opens links already sent */
		struct secret unsubscribe_key_previous;
		/* the zone when a mailbox gives none ICU knows; NULL: UTC */
		char *timezone;
		enum config_covers covers;
		enum config_send_when send_when;
		long max_people_per_meeting; /* default 8 */
		/* Addresses looked up as lists: per run, per meeting; 0 default */
		long max_list_lookups;
		long max_list_lookups_per_meeting;
		/*
		 * Hosts whose join URLs are links (NULL-terminated, with
		 * their subdomains); NULL: Teams, Zoom, Webex, Google Meet.
		 */
		char **meeting_hosts;
	} digest;

	struct {
		enum config_delivery_kind kind;
		char *path; /* maildir */
	} delivery;

	struct {
		char *host;
		long port;
		enum config_tls tls;
		char *username;
		struct secret password;
		char *ca_file;
		char *envelope_from; /* MAIL FROM; default: address of from */
		char *helo;          /* EHLO name; default: libcurl's */
		long connect_timeout; /* seconds, default 10 */
		long timeout;         /* seconds per message, default 60 */
		long connections;     /* messages in flight, default 4 */
		long max_per_minute;  /* messages started a minute; 0: no cap */
	} smtp;

	struct {
		char *listen;        /* "127.0.0.1:8080" or NULL */
		char *tls_cert_file; /* PEM; both or neither */
		char *tls_key_file;
	} serve;

	struct {
		enum config_log_format format; /* stderr: text or JSON lines */
	} log;

	struct {
		char *textfile; /* Prometheus textfile written by each run */
	} metrics;

	struct {
		/* days of whom-met history kept (default 90); 0: none */
		long days;
	} history;
};

/*
 * Load the TOML file at path into cfg (zeroed or fresh). On error cfg holds
 * nothing to free and err names file, line and key. Relative paths in the
 * file (store, fixtures, templates, ...) are kept as written: they are
 * relative to the working directory, as an operator running cron expects.
 * Free with config_release().
 */
int config_load(struct config *cfg, const char *path, struct dg_err *err)
	__attribute__((warn_unused_result));

void config_release(struct config *cfg);

#endif
