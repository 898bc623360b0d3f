/*
 * unsubscribe: one-click opt-out links (RFC 8058) and the opt-out list.
 *
 * A digest carries a link whose token is the recipient's address with a
 * crypto_auth tag (HMAC-SHA-512-256) over it, base64url without padding,
 * so `digest unsubscribe TOKEN` (or a web handler) can check it with the
 * key alone, with no database of issued links, and nobody can forge one
 * for another address. The token is "v || address || tag": v is a
 * version byte (1), and the tag covers a fixed label, v and the address,
 * so a tag made with the same key for something else never passes.
 * Tokens do not expire: an old digest's link must keep working.
 *
 * The key is 32 bytes, from the environment or a file, given as 64 hex
 * digits or as base64 (`openssl rand -hex 32` makes one). Changing it
 * voids every link already sent.
 *
 * Opt-outs live in the store's opt_outs table, apart from the roster, so
 * a roster import never brings back someone who opted out. Addresses
 * compare case-insensitively (ASCII), as the roster's do.
 *
 * Invariants: no message carries the key or the secret it came from; a
 * refused token gets the same message whatever was wrong with it.
 * Errors: 0 or a DG_E* code with *err filled.
 */
#ifndef DIGEST_UNSUBSCRIBE_H
#define DIGEST_UNSUBSCRIBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "secret.h"
#include "store.h"
#include "strbuf.h"

/* The key's size: libsodium's crypto_auth_KEYBYTES (checked in .c). */
#define UNSUBSCRIBE_KEYBYTES SECRET_KEY_BYTES

/* The longest address a token carries (RFC 5321: 64 + 1 + 255). */
#define UNSUBSCRIBE_ADDRESS_MAX 320

/*
 * Append the token for address to out. key is UNSUBSCRIBE_KEYBYTES long
 * (keylen says so, DG_EINVAL otherwise). DG_EINVAL for an empty address,
 * one longer than UNSUBSCRIBE_ADDRESS_MAX or one with a control character.
 */
int unsubscribe_token(const unsigned char *key, size_t keylen,
		      const char *address, struct strbuf *out,
		      struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Check token and append the address it carries to address_out. A
 * tampered, truncated, foreign (another key) or malformed token is
 * DG_EINVAL "this unsubscribe link is not valid". The tag is compared in
 * constant time.
 */
int unsubscribe_verify(const unsigned char *key, size_t keylen,
		       const char *token, struct strbuf *address_out,
		       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Append url_template with each "{token}" replaced by token to out. The
 * token is base64url, so it needs no escaping in a URL. DG_EINVAL when
 * the template has no "{token}".
 */
int unsubscribe_url(const char *url_template, const char *token,
		    struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Parse secret (64 hex digits, or base64 or base64url of 32 bytes, with
 * or without padding; white space around it is ignored, so a key file
 * may end with a newline) into key: secret_key_parse(), the one key
 * parser, with this module's message. DG_EINVAL otherwise, or for a key
 * of all zeros; the message never shows the secret, only its length. On
 * error key is zeroed.
 */
int unsubscribe_key_parse(const char *secret,
			  unsigned char key[UNSUBSCRIBE_KEYBYTES],
			  struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Read the key at where (what names it: "[digest] unsubscribe key") and
 * parse it with unsubscribe_key_parse(); the text read is wiped.
 */
int unsubscribe_key_read(const struct secret *where, const char *what,
			 unsigned char key[UNSUBSCRIBE_KEYBYTES],
			 struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Record that address opted out at now_ms. Recording it again keeps the
 * first time.
 */
int unsubscribe_record(struct store *st, const char *address, int64_t now_ms,
		       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Forget address's opt-out (any case): `digest subscribe` and the
 * page's "subscribe again". Not opted out is not an error.
 */
int unsubscribe_undo(struct store *st, const char *address,
		     struct dg_err *err) __attribute__((warn_unused_result));

/* *out: whether address (any case) opted out. */
int unsubscribe_is_opted_out(struct store *st, const char *address, bool *out,
			     struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The reads of a run, for one person after another:
 * unsubscribe_is_opted_out() with its statement prepared once (on first
 * use) instead of once a person. Open it on st and close it before st
 * (a statement kept open would keep st's connection from closing); one
 * thread at a time, as st. *out is yours: unsubscribe_reads_close() it
 * (NULL is a no-op).
 */
struct unsubscribe_reads;

int unsubscribe_reads_open(struct store *st, struct unsubscribe_reads **out,
			   struct dg_err *err)
	__attribute__((warn_unused_result));
void unsubscribe_reads_close(struct unsubscribe_reads *r);

/* unsubscribe_is_opted_out() through r: the same answers. */
int unsubscribe_reads_is_opted_out(struct unsubscribe_reads *r,
				   const char *address, bool *out,
				   struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
