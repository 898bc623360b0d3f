/*
 * config_get: the toolkit config.c maps digest.toml with: messages that
 * point at the file and line, the typed getters of a table's keys, the
 * refusal of a secret written inline, and the checks of a value's form.
 */
#include "config.h"
#include "config_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "toml.h"

/* Key names echoed in messages are cut here. */
#define KEY_SHOWN 64

/* "FILE:LINE: ..." for a problem at value v. */
int config_at_errf(struct loader *ld, const struct toml_value *v,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dg_verrf(ld->err, DG_EINVAL, fmt, ap);
	va_end(ap);
	return dg_err_prefix(ld->err, "%s:%d", ld->file, toml_line(v));
}

/* "FILE: ..." for a problem with no line: a key that is missing. */
int config_file_errf(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dg_verrf(ld->err, DG_EINVAL, fmt, ap);
	va_end(ap);
	return dg_err_prefix(ld->err, "%s", ld->file);
}

int config_nomem(struct loader *ld)
{
	return dg_errf(ld->err, DG_ENOMEM, "%s: out of memory", ld->file);
}

/*
 * A key as written, safe to print: control characters escaped, cut at
 * KEY_SHOWN bytes. On failure the buffer is left empty.
 */
void config_show_key(struct strbuf *sb, const char *key, size_t len)
{
	int rc = 0;

	for (size_t i = 0; i < len && i < KEY_SHOWN && !rc; i++) {
		unsigned char ch = (unsigned char)key[i];

		if (ch < 0x20 || ch == 0x7F)
			rc = strbuf_addf(sb, "\\x%02X", ch);
		else
			rc = strbuf_addch(sb, (char)ch);
	}
	if (!rc && len > KEY_SHOWN)
		rc = strbuf_addstr(sb, "...");
	if (rc)
		strbuf_release(sb);
}

/* Secrets. */

/* Keys that hold a secret if they hold anything: refused anywhere. */
static const char *const secret_keys[] = {
	"password",	   "client_secret", "token_key",
	"unsubscribe_key", "secret",	    "token",
	"unsubscribe_key_previous",
	"access_token",	   "refresh_token", NULL,
};

/* Where a secret may be named instead: table and key of each *_env. */
static const char *const secret_homes[][2] = {
	{"smtp", "password"},
	{"graph", "client_secret"},
	{"graph", "token_key"},
	{"digest", "unsubscribe_key"},
	{"digest", "unsubscribe_key_previous"},
};

static bool in_list(const char *const *list, const char *s, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !memcmp(*list, s, len))
			return true;
	return false;
}

static int inline_secret(struct loader *ld, const struct toml_value *v,
			 const char *table, const char *key)
{
	for (size_t i = 0; i < sizeof(secret_homes) / sizeof(*secret_homes);
	     i++) {
		if (strcmp(secret_homes[i][0], table) ||
		    strcmp(secret_homes[i][1], key))
			continue;
		return config_at_errf(
			ld, v,
			"[%s] %s must not be written in the "
			"config: name an environment variable with "
			"%s_env or a file with %s_file",
			table, key, key, key);
	}
	if (!*table)
		return config_at_errf(
			ld, v,
			"%s must not be written in the config: "
			"secrets come from an environment variable "
			"(*_env) or a file (*_file)",
			key);
	return config_at_errf(
		ld, v,
		"[%s] %s must not be written in the config: "
		"secrets come from an environment variable (*_env) "
		"or a file (*_file)",
		table, key);
}

/*
 * Refuse a secret written inline anywhere in the tree, before anything
 * else can echo it. path names the table ("" for the root).
 */
int config_refuse_inline_secrets(struct loader *ld, const struct toml_value *t,
				 const char *path)
{
	for (size_t i = 0; i < toml_table_size(t); i++) {
		const char *key = toml_table_key(t, i);
		size_t len = toml_table_key_len(t, i);
		const struct toml_value *v = toml_table_at(t, i);
		struct strbuf sub = STRBUF_INIT;
		int rc = 0;

		if (in_list(secret_keys, key, len))
			return inline_secret(ld, v, path, key);
		if (toml_type(v) != TOML_TABLE && toml_type(v) != TOML_ARRAY)
			continue;
		if (strbuf_addf(&sub, "%s%s", path, *path ? "." : "") ||
		    strbuf_add(&sub, key, len))
			return config_nomem(ld);
		if (toml_type(v) == TOML_TABLE)
			rc = config_refuse_inline_secrets(ld, v, sub.buf);
		for (size_t j = 0; j < toml_array_size(v) && !rc; j++)
			if (toml_type(toml_array_at(v, j)) == TOML_TABLE)
				rc = config_refuse_inline_secrets(
					ld, toml_array_at(v, j), sub.buf);
		strbuf_release(&sub);
		if (rc)
			return rc;
	}
	return 0;
}

/* Typed getters: an absent key keeps the default. */

int config_check_keys(struct loader *ld, const struct toml_value *t,
		      const char *table, const char *const *known)
{
	for (size_t i = 0; i < toml_table_size(t); i++) {
		struct strbuf name = STRBUF_INIT;
		int rc;

		if (in_list(known, toml_table_key(t, i),
			    toml_table_key_len(t, i)))
			continue;
		config_show_key(&name, toml_table_key(t, i),
				toml_table_key_len(t, i));
		rc = config_at_errf(ld, toml_table_at(t, i),
				    "unknown key '%s' in [%s]", name.buf,
				    table);
		strbuf_release(&name);
		return rc;
	}
	return 0;
}

int config_wrong_type(struct loader *ld, const struct toml_value *v,
		      const char *table, const char *key, const char *want)
{
	const char *type = toml_type_name(toml_type(v));

	return config_at_errf(ld, v, "[%s] %s must be %s, not %s %s", table,
			      key, want, strchr("aeiou", type[0]) ? "an" : "a",
			      type);
}

/* A non-empty string without NUL; *out is replaced (default freed). */
int config_get_string(struct loader *ld, const struct toml_value *t,
		      const char *table, const char *key, char **out)
{
	const struct toml_value *v = toml_table_get(t, key);
	char *copy;

	if (!v)
		return 0;
	if (toml_type(v) != TOML_STRING)
		return config_wrong_type(ld, v, table, key, "a string");
	if (!toml_string_len(v))
		return config_at_errf(
			ld, v,
			"[%s] %s must not be empty (comment it out to "
			"use the default)",
			table, key);
	if (strlen(toml_string(v)) != toml_string_len(v))
		return config_at_errf(
			ld, v, "[%s] %s must not contain a NUL character",
			table, key);
	copy = strdup(toml_string(v));
	if (!copy)
		return config_nomem(ld);
	free(*out);
	*out = copy;
	return 0;
}

/* A string that goes into a mail header or command: one line. */
int config_get_line(struct loader *ld, const struct toml_value *t,
		    const char *table, const char *key, char **out)
{
	int rc = config_get_string(ld, t, table, key, out);

	if (!rc && *out && strpbrk(*out, "\r\n"))
		return config_at_errf(ld, toml_table_get(t, key),
				      "[%s] %s must be on one line", table,
				      key);
	return rc;
}

int config_get_long(struct loader *ld, const struct toml_value *t,
		    const char *table, const char *key, long min, long max,
		    long *out)
{
	const struct toml_value *v = toml_table_get(t, key);

	if (!v)
		return 0;
	if (toml_type(v) != TOML_INTEGER)
		return config_wrong_type(ld, v, table, key, "an integer");
	if (toml_integer(v) < min || toml_integer(v) > max)
		return config_at_errf(
			ld, v, "[%s] %s must be between %ld and %ld, not %lld",
			table, key, min, max, (long long)toml_integer(v));
	*out = (long)toml_integer(v);
	return 0;
}

/* What goes before names[i] in a list: "a", "b" or "c". */
static const char *separator(const char *const *names, int i)
{
	if (!i)
		return "";
	return names[i + 1] ? ", " : " or ";
}

/* One of names (NULL-terminated); *out is its index. */
int config_get_enum(struct loader *ld, const struct toml_value *t,
		    const char *table, const char *key,
		    const char *const *names, int *out)
{
	const struct toml_value *v = toml_table_get(t, key);
	struct strbuf allowed = STRBUF_INIT;
	int rc = 0;

	if (!v)
		return 0;
	if (toml_type(v) != TOML_STRING)
		return config_wrong_type(ld, v, table, key, "a string");
	for (int i = 0; names[i]; i++) {
		if (!strcmp(names[i], toml_string(v)) &&
		    strlen(names[i]) == toml_string_len(v)) {
			*out = i;
			return 0;
		}
	}
	for (int i = 0; names[i] && !rc; i++)
		rc = strbuf_addf(&allowed, "%s\"%s\"", separator(names, i),
				 names[i]);
	if (rc)
		return config_nomem(ld);
	rc = config_at_errf(ld, v, "[%s] %s must be %s", table, key,
			    allowed.buf);
	strbuf_release(&allowed);
	return rc;
}

/* key_env / key_file: at most one of them. */
int config_get_secret(struct loader *ld, const struct toml_value *t,
		      const char *table, const char *key,
		      struct secret *s)
{
	struct strbuf env = STRBUF_INIT, file = STRBUF_INIT;
	int rc;

	if (strbuf_addf(&env, "%s_env", key) ||
	    strbuf_addf(&file, "%s_file", key)) {
		strbuf_release(&env);
		return config_nomem(ld);
	}
	rc = config_get_string(ld, t, table, env.buf, &s->env);
	if (!rc)
		rc = config_get_string(ld, t, table, file.buf, &s->file);
	if (!rc && s->env && s->file) {
		const struct toml_value *a = toml_table_get(t, env.buf);
		const struct toml_value *b = toml_table_get(t, file.buf);

		rc = config_at_errf(ld, toml_line(a) > toml_line(b) ? a : b,
				    "[%s] set %s or %s, not both", table,
				    env.buf, file.buf);
	}
	strbuf_release(&env);
	strbuf_release(&file);
	return rc;
}

/* Checks on values. */

/* addr-spec, loosely: one '@' with something on each side, no blanks. */
bool config_address_ok(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);

	if (!at || at == s || at == s + len - 1 ||
	    memchr(at + 1, '@', len - (size_t)(at + 1 - s)))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("<>\"(),;", s[i]))
			return false;
	return true;
}

/* "digest@example.com" or "Meeting digest <digest@example.com>". */
bool config_mailbox_ok(const char *s)
{
	size_t len = strlen(s);
	const char *lt = strrchr(s, '<');

	if (strpbrk(s, "\r\n"))
		return false;
	if (!lt)
		return config_address_ok(s, len);
	if (s[len - 1] != '>')
		return false;
	return config_address_ok(lt + 1, len - (size_t)(lt + 1 - s) - 1);
}

/* https://, or http:// to this machine only (tests' local servers). */
bool config_url_ok(const char *url)
{
	static const char *const local[] = {"127.0.0.1", "localhost", "[::1]"};

	if (!strncmp(url, "https://", 8))
		return url[8] && url[8] != '/';
	if (strncmp(url, "http://", 7))
		return false;
	for (size_t i = 0; i < sizeof(local) / sizeof(*local); i++) {
		size_t n = strlen(local[i]);

		if (!strncmp(url + 7, local[i], n) &&
		    (!url[7 + n] || strchr(":/", url[7 + n])))
			return true;
	}
	return false;
}
