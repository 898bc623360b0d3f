/*
 * linktoken: the token in a recipient's links (unsubscribe, preferences)
 * and the token of the forms on the pages those links open.
 *
 * A link token is opaque: the recipient's address, what the link is for
 * and when it expires are sealed (XChaCha20-Poly1305, libsodium's
 * crypto_aead_xchacha20poly1305_ietf, random nonce) under a key derived
 * from the unsubscribe key, so nothing in a URL, a web server log or a
 * proxy log shows who it belongs to, and nobody without the key can make
 * or change one. The token is base64url, no padding, of
 * "v || nonce || sealed(purpose || expires || address)"; v (2) is also
 * authenticated, so a token of another version or format never opens.
 *
 * Opening tries the current key, then the previous one when configured,
 * so that rotating the key does not break the links already sent. Every
 * refusal (malformed, tampered, another key, expired) is the same
 * DG_EINVAL with the same message: a caller cannot tell them apart, and
 * neither can whoever holds the link. The check of the tag is libsodium's,
 * in constant time.
 *
 * A form token ties a form on a page to the link it was served for and
 * to the time it was served: crypto_auth (HMAC-SHA-512-256) under another
 * derived key, over the link token and the issue time. It is what a
 * cross-site page cannot know, so a POST without it changes nothing.
 *
 * Only bytes in, bytes out: no store, no clock, no I/O, so the functions
 * that read untrusted input (linktoken_open, linktoken_form_check) can be
 * fed anything, by a fuzzer too.
 *
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_LINKTOKEN_H
#define DIGEST_LINKTOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

/* The key's size: 32 bytes, as the unsubscribe key (checked in .c). */
#define LINKTOKEN_KEYBYTES 32

/* The longest address a token carries (RFC 5321: 64 + 1 + 255). */
#define LINKTOKEN_ADDRESS_MAX 320

/* The longest token linktoken_open() looks at; longer is refused. */
#define LINKTOKEN_TOKEN_MAX 600

/* How long the links of one digest work, in days. */
#define LINKTOKEN_UNSUBSCRIBE_DAYS 365
#define LINKTOKEN_PREFS_DAYS 90

/* How long a served form may be sent back, in seconds. */
#define LINKTOKEN_FORM_SECONDS (2 * 3600)

/* The one message of every refused link. */
#define LINKTOKEN_INVALID "this link is not valid"

enum linktoken_purpose {
	LINKTOKEN_UNSUBSCRIBE = 1, /* the List-Unsubscribe link */
	LINKTOKEN_PREFS = 2        /* the preferences link of the footer */
};

/* The key and, during a rotation, the one before it (or NULL). */
struct linktoken_keys {
	const unsigned char *current;  /* LINKTOKEN_KEYBYTES */
	const unsigned char *previous; /* LINKTOKEN_KEYBYTES or NULL */
};

/* What an opened token says. */
struct linktoken {
	enum linktoken_purpose purpose;
	int64_t expires; /* Unix seconds; the token is refused from then */
	char address[LINKTOKEN_ADDRESS_MAX + 1];
};

/*
 * Append the token for (purpose, address, expires) to out. DG_EINVAL for
 * an empty address, one longer than LINKTOKEN_ADDRESS_MAX or holding a
 * control character, or an unknown purpose.
 */
int linktoken_seal(const unsigned char *key, enum linktoken_purpose purpose,
		   const char *address, int64_t expires, struct strbuf *out,
		   struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Open token (len bytes, not necessarily NUL-terminated) at now (Unix
 * seconds) into *out. DG_EINVAL LINKTOKEN_INVALID when it does not open
 * with either key or has expired; *out is then zeroed.
 */
int linktoken_open(const struct linktoken_keys *keys, const char *token,
		   size_t len, int64_t now, struct linktoken *out,
		   struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Append the form token for link token (len bytes) issued at now to out.
 * Always made with the current key.
 */
int linktoken_form_make(const unsigned char *key, const char *token,
			size_t len, int64_t now, struct strbuf *out,
			struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Check form (flen bytes) against link token (len bytes) at now: made by
 * linktoken_form_make with either key for that token, at most
 * LINKTOKEN_FORM_SECONDS ago and not in the future. DG_EINVAL otherwise.
 */
int linktoken_form_check(const struct linktoken_keys *keys,
			 const char *token, size_t len, const char *form,
			 size_t flen, int64_t now, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
