#include "linktoken.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

_Static_assert(LINKTOKEN_KEYBYTES == crypto_kdf_KEYBYTES,
	       "LINKTOKEN_KEYBYTES is libsodium's crypto_kdf_KEYBYTES");

#define VERSION 2
#define NONCEBYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
/* purpose (1) || expires (8, big-endian) || address */
#define HEADBYTES 9
#define PLAIN_MAX (HEADBYTES + LINKTOKEN_ADDRESS_MAX)
#define BIN_MAX (1 + NONCEBYTES + PLAIN_MAX + ABYTES)
#define FORM_BIN (8 + crypto_auth_BYTES)

/* The derived keys: one for sealing links, one for form tags. */
enum subkey { SUBKEY_SEAL = 1, SUBKEY_FORM = 2 };
static const char kdf_context[crypto_kdf_CONTEXTBYTES] = "dglinks_";

/* Authenticated with every sealed token: the format and its version. */
static const unsigned char aad_label[] = "digest link";

_Static_assert(sodium_base64_ENCODED_LEN(BIN_MAX,
		       sodium_base64_VARIANT_URLSAFE_NO_PADDING) <=
		       LINKTOKEN_TOKEN_MAX + 1,
	       "LINKTOKEN_TOKEN_MAX holds the longest token");

static int invalid(struct dg_err *err)
{
	return dg_errf(err, DG_EINVAL, LINKTOKEN_INVALID);
}

static int start(struct dg_err *err)
{
	if (sodium_init() < 0)
		return dg_errf(err, DG_EINTERNAL,
			       "libsodium cannot be initialised");
	return 0;
}

static void derive(unsigned char sub[crypto_kdf_KEYBYTES],
		   const unsigned char *key, enum subkey id)
{
	crypto_kdf_derive_from_key(sub, crypto_kdf_KEYBYTES, id, kdf_context,
				   key);
}

static int check_address(const char *address, struct dg_err *err)
{
	size_t i, len = address ? strlen(address) : 0;

	if (!len || len > LINKTOKEN_ADDRESS_MAX)
		return dg_errf(err, DG_EINVAL,
			       "cannot make a link for an address of %zu "
			       "bytes (1 to %d)",
			       len, LINKTOKEN_ADDRESS_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)address[i] < 0x20 || address[i] == 0x7f)
			return dg_errf(err, DG_EINVAL,
				       "cannot make a link for an address "
				       "with a control character");
	return 0;
}

static void put_be64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 7; i >= 0; i--, u >>= 8)
		p[i] = (unsigned char)(u & 0xff);
}

static int64_t get_be64(const unsigned char *p)
{
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (int64_t)u;
}

static void aad_of(unsigned char aad[sizeof(aad_label) + 1])
{
	memcpy(aad, aad_label, sizeof(aad_label));
	aad[sizeof(aad_label)] = VERSION;
}

int linktoken_seal(const unsigned char *key, enum linktoken_purpose purpose,
		   const char *address, int64_t expires, struct strbuf *out,
		   struct dg_err *err)
{
	unsigned char plain[PLAIN_MAX], bin[BIN_MAX];
	unsigned char aad[sizeof(aad_label) + 1];
	unsigned char sub[crypto_kdf_KEYBYTES];
	char b64[LINKTOKEN_TOKEN_MAX + 1];
	unsigned long long sealed = 0;
	size_t len;
	int rc = start(err);

	if (!rc)
		rc = check_address(address, err);
	if (!rc && purpose != LINKTOKEN_UNSUBSCRIBE &&
	    purpose != LINKTOKEN_PREFS)
		rc = dg_errf(err, DG_EINVAL, "unknown link purpose %d",
			     (int)purpose);
	if (rc)
		return rc;
	len = strlen(address);
	plain[0] = (unsigned char)purpose;
	put_be64(plain + 1, expires);
	memcpy(plain + HEADBYTES, address, len);
	bin[0] = VERSION;
	randombytes_buf(bin + 1, NONCEBYTES);
	aad_of(aad);
	derive(sub, key, SUBKEY_SEAL);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		bin + 1 + NONCEBYTES, &sealed, plain, HEADBYTES + len, aad,
		sizeof(aad), NULL, bin + 1, sub);
	sodium_memzero(sub, sizeof(sub));
	sodium_memzero(plain, sizeof(plain));
	sodium_bin2base64(b64, sizeof(b64), bin,
			  1 + NONCEBYTES + (size_t)sealed,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	rc = strbuf_addstr(out, b64);
	return rc ? dg_errf(err, rc, "cannot store a link token (%s)",
			    dg_strerror(rc))
		  : 0;
}

/* Decode token into bin; its length, or 0 when it is no token of ours. */
static size_t decode(const char *token, size_t len, unsigned char *bin)
{
	const char *end = NULL;
	size_t binlen = 0;

	if (!len || len > LINKTOKEN_TOKEN_MAX ||
	    sodium_base642bin(bin, BIN_MAX, token, len, NULL, &binlen, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    end != token + len ||
	    binlen < 1 + NONCEBYTES + HEADBYTES + 1 + ABYTES ||
	    bin[0] != VERSION)
		return 0;
	return binlen;
}

/* Open bin with key into plain; the plaintext's length, 0 if it fails. */
static size_t open_with(const unsigned char *key, const unsigned char *bin,
			size_t binlen, unsigned char *plain)
{
	unsigned char aad[sizeof(aad_label) + 1];
	unsigned char sub[crypto_kdf_KEYBYTES];
	unsigned long long n = 0;
	int rc;

	aad_of(aad);
	derive(sub, key, SUBKEY_SEAL);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
		plain, &n, NULL, bin + 1 + NONCEBYTES,
		binlen - 1 - NONCEBYTES, aad, sizeof(aad), bin + 1, sub);
	sodium_memzero(sub, sizeof(sub));
	return rc ? 0 : (size_t)n;
}

/* What a sealed plaintext must be: a known purpose, a sane address. */
static bool plain_ok(const unsigned char *plain, size_t n)
{
	if (n <= HEADBYTES || n > PLAIN_MAX ||
	    (plain[0] != LINKTOKEN_UNSUBSCRIBE && plain[0] != LINKTOKEN_PREFS))
		return false;
	for (size_t i = HEADBYTES; i < n; i++)
		if (plain[i] < 0x20 || plain[i] == 0x7f)
			return false;
	return true;
}

int linktoken_open(const struct linktoken_keys *keys, const char *token,
		   size_t len, int64_t now, struct linktoken *out,
		   struct dg_err *err)
{
	unsigned char bin[BIN_MAX], plain[PLAIN_MAX];
	size_t binlen, n = 0;
	int rc = start(err);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	binlen = decode(token, len, bin);
	if (!binlen)
		return invalid(err);
	n = open_with(keys->current, bin, binlen, plain);
	if (!n && keys->previous)
		n = open_with(keys->previous, bin, binlen, plain);
	if (!plain_ok(plain, n) || get_be64(plain + 1) <= now) {
		sodium_memzero(plain, sizeof(plain));
		return invalid(err);
	}
	out->purpose = (enum linktoken_purpose)plain[0];
	out->expires = get_be64(plain + 1);
	memcpy(out->address, plain + HEADBYTES, n - HEADBYTES);
	out->address[n - HEADBYTES] = '\0';
	sodium_memzero(plain, sizeof(plain));
	return 0;
}

/* tag = HMAC(form subkey, issued || token) */
static int form_tag(const unsigned char *key, const unsigned char *issued,
		    const char *token, size_t len, unsigned char *tag)
{
	unsigned char sub[crypto_kdf_KEYBYTES];
	crypto_auth_hmacsha512256_state st;

	derive(sub, key, SUBKEY_FORM);
	if (crypto_auth_hmacsha512256_init(&st, sub, sizeof(sub)) ||
	    crypto_auth_hmacsha512256_update(&st, issued, 8) ||
	    crypto_auth_hmacsha512256_update(&st, (const unsigned char *)token,
					     len) ||
	    crypto_auth_hmacsha512256_final(&st, tag)) {
		sodium_memzero(sub, sizeof(sub));
		return DG_EINTERNAL;
	}
	sodium_memzero(sub, sizeof(sub));
	sodium_memzero(&st, sizeof(st));
	return 0;
}

int linktoken_form_make(const unsigned char *key, const char *token,
			size_t len, int64_t now, struct strbuf *out,
			struct dg_err *err)
{
	unsigned char bin[FORM_BIN];
	char b64[sodium_base64_ENCODED_LEN(
		FORM_BIN, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	int rc = start(err);

	if (rc)
		return rc;
	put_be64(bin, now);
	if (form_tag(key, bin, token, len, bin + 8))
		return dg_errf(err, DG_EINTERNAL, "cannot make a form token");
	sodium_bin2base64(b64, sizeof(b64), bin, sizeof(bin),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	rc = strbuf_addstr(out, b64);
	return rc ? dg_errf(err, rc, "cannot store a form token (%s)",
			    dg_strerror(rc))
		  : 0;
}

static bool form_ok(const unsigned char *key, const unsigned char *bin,
		    const char *token, size_t len)
{
	unsigned char tag[crypto_auth_BYTES];

	if (form_tag(key, bin, token, len, tag))
		return false;
	return !sodium_memcmp(tag, bin + 8, sizeof(tag));
}

int linktoken_form_check(const struct linktoken_keys *keys,
			 const char *token, size_t len, const char *form,
			 size_t flen, int64_t now, struct dg_err *err)
{
	unsigned char bin[FORM_BIN];
	const char *end = NULL;
	size_t binlen = 0;
	int64_t issued;
	int rc = start(err);

	if (rc)
		return rc;
	if (!flen || flen > 2 * FORM_BIN ||
	    sodium_base642bin(bin, sizeof(bin), form, flen, NULL, &binlen,
			      &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    end != form + flen || binlen != FORM_BIN)
		return dg_errf(err, DG_EINVAL, "this form is not valid");
	issued = get_be64(bin);
	if (issued > now || now - issued > LINKTOKEN_FORM_SECONDS)
		return dg_errf(err, DG_EINVAL,
			       "this form has expired: load the page again");
	if (form_ok(keys->current, bin, token, len) ||
	    (keys->previous && form_ok(keys->previous, bin, token, len)))
		return 0;
	return dg_errf(err, DG_EINVAL, "this form is not valid");
}
