/*
 * secret: secrets from the environment or a file, and the one parser of
 * 32-byte keys.
 */
#include "secret.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "logging.h"
#include "strbuf.h"

/* No legitimate secret file is bigger. */
#define SECRET_FILE_MAX ((size_t)64 << 10)

/* Room for a key written too long, to say how long it was. */
#define KEY_TEXT_BYTES 128

void secret_release(struct secret *s)
{
	free(s->env);
	free(s->file);
	s->env = NULL;
	s->file = NULL;
}

bool secret_isset(const struct secret *s)
{
	return s->env || s->file;
}

void secret_wipe(char *text)
{
	if (!text)
		return;
	sodium_memzero(text, strlen(text));
	free(text);
}

/* Reading a secret. */

static int secret_from_env(const struct secret *s, const char *what,
			   char **out, struct dg_err *err)
{
	const char *value = getenv(s->env);

	if (!value || !*value)
		return dg_errf(err, DG_ENOTFOUND,
			       "%s: environment variable "
			       "%s is %s",
			       what, s->env, value ? "empty" : "not set");
	*out = strdup(value);
	return *out ? 0 : dg_errf(err, DG_ENOMEM, "%s: out of memory", what);
}

/* Group or others may read it: say so, the operator decides. */
static void warn_if_shared(const char *what, const char *file)
{
	struct stat st;

	if (!stat(file, &st) && st.st_mode & (S_IRWXG | S_IRWXO))
		logging_warn("%s: %s is accessible to other users; "
			     "chmod 600 it",
			     what, file);
}

static int secret_from_file(const struct secret *s, const char *what,
			    char **out, struct dg_err *err)
{
	struct strbuf sb;
	const char *nl;
	size_t len;
	int rc;

	strbuf_init(&sb, SECRET_FILE_MAX);
	rc = strbuf_read_file(&sb, s->file);
	if (rc) {
		/* A failed read leaves nothing behind to wipe. */
		return dg_errf(err, rc == DG_ENOMEM ? rc : DG_EIO,
			       "%s: cannot read %s: %s", what, s->file,
			       rc == DG_EIO ? strerror(errno)
					    : dg_strerror(rc));
	}
	warn_if_shared(what, s->file);
	nl = memchr(sb.buf, '\n', sb.len);
	len = nl ? (size_t)(nl - sb.buf) : sb.len;
	if (len && sb.buf[len - 1] == '\r')
		len--;
	if (!len)
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s: the first line of %s is "
			     "empty",
			     what, s->file);
	else if (memchr(sb.buf, '\0', len))
		rc = dg_errf(err, DG_EINVAL, "%s: %s holds a NUL byte", what,
			     s->file);
	if (!rc) {
		*out = strndup(sb.buf, len);
		if (!*out)
			rc = dg_errf(err, DG_ENOMEM, "%s: out of memory", what);
	}
	explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	return rc;
}

int secret_read(const struct secret *s, const char *what, char **out,
		struct dg_err *err)
{
	*out = NULL;
	if (s->env)
		return secret_from_env(s, what, out, err);
	if (s->file)
		return secret_from_file(s, what, out, err);
	return dg_errf(err, DG_ENOTFOUND,
		       "%s is not configured: name an "
		       "environment variable (*_env) or a file (*_file)",
		       what);
}

/* Keys. */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

/*
 * Decode s[0..n) into buf: 64 hex digits, else base64 in any of
 * libsodium's four variants, every character used. Bytes decoded, 0 for
 * neither.
 */
static size_t decode_key(const char *s, size_t n, unsigned char *buf,
			 size_t cap)
{
	static const int variants[] = {
		sodium_base64_VARIANT_ORIGINAL,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
		sodium_base64_VARIANT_URLSAFE,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING,
	};
	const char *end = NULL;
	size_t got = 0;

	if (n == 2 * SECRET_KEY_BYTES && all_hex(s, n)) {
		if (sodium_hex2bin(buf, cap, s, n, NULL, &got, &end) ||
		    end != s + n)
			return 0;
		return got;
	}
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!sodium_base642bin(buf, cap, s, n, NULL, &got, &end,
				       variants[i]) &&
		    end == s + n)
			return got;
	return 0;
}

int secret_key_parse(const char *text, const char *what,
		     unsigned char key[SECRET_KEY_BYTES],
		     struct secret_key_form *form, struct dg_err *err)
{
	unsigned char buf[KEY_TEXT_BYTES];
	struct secret_key_form f = {0};
	const char *s = text ? text : "";
	size_t n;
	int rc = 0;

	sodium_memzero(key, SECRET_KEY_BYTES);
	if (form)
		*form = f;
	if (sodium_init() < 0)
		return dg_errf(err, DG_EINTERNAL,
			       "libsodium cannot be initialised");
	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n && is_blank(s[n - 1]))
		n--;
	f.chars = n;
	f.bytes = decode_key(s, n, buf, sizeof(buf));
	f.zero = f.bytes == SECRET_KEY_BYTES &&
		 sodium_is_zero(buf, SECRET_KEY_BYTES);
	if (!f.bytes)
		rc = dg_errf(err, DG_EINVAL,
			     "%s must be 32 bytes written as "
			     "64 hex digits or in base64; it is neither (make "
			     "one with: openssl rand -hex 32)",
			     what);
	else if (f.bytes != SECRET_KEY_BYTES)
		rc = dg_errf(err, DG_EINVAL,
			     "%s must be 32 bytes written as "
			     "64 hex digits or in base64; it decodes to %zu "
			     "bytes (make one with: openssl rand -hex 32)",
			     what, f.bytes);
	else if (f.zero)
		rc = dg_errf(err, DG_EINVAL,
			     "%s is all zeros: make one with `openssl rand "
			     "-hex 32`",
			     what);
	else
		memcpy(key, buf, SECRET_KEY_BYTES);
	sodium_memzero(buf, sizeof(buf));
	if (form)
		*form = f;
	return rc;
}

int secret_key_read(const struct secret *s, const char *what,
		    unsigned char key[SECRET_KEY_BYTES], struct dg_err *err)
{
	char *text = NULL;
	int rc = secret_read(s, what, &text, err);

	if (rc)
		sodium_memzero(key, SECRET_KEY_BYTES);
	else
		rc = secret_key_parse(text, what, key, NULL, err);
	secret_wipe(text);
	return rc;
}
