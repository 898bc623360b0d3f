/*
 * config_int: what the files of module config share; not for other
 * modules. config.c maps the tables of digest.toml into struct config
 * with the toolkit of config_get.c.
 *
 * Every function that can fail fills ld->err and returns its code:
 * DG_EINVAL for a refused value, named "FILE:LINE: [table] key ...",
 * DG_ENOMEM for "FILE: out of memory". A getter leaves its default in
 * place when the key is absent.
 */
#ifndef DIGEST_CONFIG_INT_H
#define DIGEST_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "err.h"
#include "secret.h"
#include "strbuf.h"
#include "toml.h"

/* The state of one config_load(): where messages point. */
struct loader {
	struct config *cfg;
	const char *file;
	struct dg_err *err;
};

/* "FILE:LINE: ..." for a problem at value v. */
int config_at_errf(struct loader *ld, const struct toml_value *v,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "FILE: ..." for a problem with no line: a key that is missing. */
int config_file_errf(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "FILE: out of memory". */
int config_nomem(struct loader *ld);

/*
 * A key as written, safe to print: control characters escaped, cut at
 * 64 bytes. On failure the buffer is left empty.
 */
void config_show_key(struct strbuf *sb, const char *key, size_t len);

/*
 * Refuse a secret written inline anywhere in the tree, before anything
 * else can echo it. path names the table ("" for the root).
 */
int config_refuse_inline_secrets(struct loader *ld, const struct toml_value *t,
				 const char *path);

/* Refuse a key of table t that is not in known (NULL-terminated). */
int config_check_keys(struct loader *ld, const struct toml_value *t,
		      const char *table, const char *const *known);

/* "[table] key must be <want>, not <a type>" at v. */
int config_wrong_type(struct loader *ld, const struct toml_value *v,
		      const char *table, const char *key, const char *want);

/* A non-empty string without NUL; *out is replaced (default freed). */
int config_get_string(struct loader *ld, const struct toml_value *t,
		      const char *table, const char *key, char **out);

/* A string that goes into a mail header or command: one line. */
int config_get_line(struct loader *ld, const struct toml_value *t,
		    const char *table, const char *key, char **out);

/* An integer from min to max. */
int config_get_long(struct loader *ld, const struct toml_value *t,
		    const char *table, const char *key, long min, long max,
		    long *out);

/* One of names (NULL-terminated); *out is its index. */
int config_get_enum(struct loader *ld, const struct toml_value *t,
		    const char *table, const char *key,
		    const char *const *names, int *out);

/* key_env / key_file into s: at most one of them. */
int config_get_secret(struct loader *ld, const struct toml_value *t,
		      const char *table, const char *key, struct secret *s);

/* addr-spec, loosely: one '@' with something on each side, no blanks. */
bool config_address_ok(const char *s, size_t len);

/* "digest@example.com" or "Meeting digest <digest@example.com>". */
bool config_mailbox_ok(const char *s);

/* https://, or http:// to this machine only (tests' local servers). */
bool config_url_ok(const char *url);

#endif
