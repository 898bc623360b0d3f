/*
 * secret: secrets and 32-byte keys from the environment or a file.
 *
 * digest.toml never holds a secret: a table names where it lives, an
 * environment variable (key_env) or a file (key_file) whose first line is
 * the secret. This module reads it at run time, for config's callers:
 * the SMTP password, the Graph client secret, and the two keys, the
 * [graph] token key (auth_seal) and the [digest] unsubscribe keys
 * (unsubscribe).
 *
 * A key is 32 bytes written as 64 hex digits or in base64 (standard or
 * URL-safe, with or without padding), white space around it ignored, so a
 * key file may end with a newline. One parser reads every key the same
 * way; `openssl rand -hex 32` makes one. A key of all zeros is refused: it
 * is a placeholder, not a key.
 *
 * Invariants: no message ever carries a secret or a key, only where it
 * came from and, for a key, how long it was; a secret read is wiped from
 * memory before it is freed here, and a key that failed to parse is left
 * zeroed.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_SECRET_H
#define DIGEST_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* The size of every key: libsodium's crypto_auth and secretbox keys. */
#define SECRET_KEY_BYTES 32

/*
 * Where a secret lives: at most one of env and file is set (config
 * refuses both). Both strings are owned: secret_release() frees them.
 */
struct secret {
	char *env;  /* name of an environment variable */
	char *file; /* path of a file holding the secret (first line) */
};

#define SECRET_INIT { .env = NULL, .file = NULL }

/* Free what s holds and leave it unset. */
void secret_release(struct secret *s);

/* True when a secret location is configured at all. */
bool secret_isset(const struct secret *s);

/*
 * Read a secret: from the environment variable or the file (first line,
 * without the line end). *out is yours, free it (after zeroing, ideally);
 * NULL on error. DG_ENOTFOUND if unset/empty, DG_EIO if the file cannot
 * be read, naming the variable or file but never the value. what names
 * it in messages ("[smtp] password"). A file others may read is used,
 * with a warning through logging.
 */
int secret_read(const struct secret *s, const char *what, char **out,
		struct dg_err *err) __attribute__((warn_unused_result));

/* Zero a secret secret_read() gave, then free it. NULL is a no-op. */
void secret_wipe(char *text);

/* What secret_key_parse() made of a text, for a caller's own wording. */
struct secret_key_form {
	size_t chars; /* characters, white space around them left out */
	size_t bytes; /* bytes they decode to; 0: neither hex nor base64 */
	bool zero;    /* 32 bytes, all zero */
};

/*
 * Decode text (NULL reads as empty) into key. DG_EINVAL, with key zeroed,
 * when it is not 32 bytes ("<what> must be 32 bytes written as 64 hex
 * digits or in base64; it decodes to 15 bytes (make one with: openssl rand
 * -hex 32)", or "...; it is neither ...") or all zeros ("<what> is all
 * zeros: make one with `openssl rand -hex 32`"). form, unless NULL, says
 * what the text was, either way. DG_EINTERNAL if libsodium cannot start.
 */
int secret_key_parse(const char *text, const char *what,
		     unsigned char key[SECRET_KEY_BYTES],
		     struct secret_key_form *form, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * secret_read() then secret_key_parse(), under the one name what; the
 * text read is wiped. On error key is zeroed.
 */
int secret_key_read(const struct secret *s, const char *what,
		    unsigned char key[SECRET_KEY_BYTES], struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
