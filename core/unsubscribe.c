#include "unsubscribe.h"
#include "secret.h"
#include "store_db.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(UNSUBSCRIBE_KEYBYTES == crypto_auth_KEYBYTES,
	       "UNSUBSCRIBE_KEYBYTES is libsodium's crypto_auth_KEYBYTES");

#define TOKEN_VERSION 1

/* What the tag covers before the version byte: see unsubscribe.h. */
static const char mac_label[] = "digest unsubscribe link";

/* The longest token we make: base64url of v || address || tag. */
#define TOKEN_MAX                                                              \
	(sodium_base64_ENCODED_LEN(1 + UNSUBSCRIBE_ADDRESS_MAX +               \
					   crypto_auth_BYTES,                  \
				   sodium_base64_VARIANT_URLSAFE_NO_PADDING) - \
	 1)

static int invalid_link(struct dg_err *err)
{
	return dg_errf(err, DG_EINVAL, "this unsubscribe link is not valid");
}

static int check_key(size_t keylen, struct dg_err *err)
{
	if (keylen != crypto_auth_KEYBYTES)
		return dg_errf(err, DG_EINVAL,
			       "the unsubscribe key must be %d bytes, not %zu",
			       crypto_auth_KEYBYTES, keylen);
	if (sodium_init() < 0)
		return dg_errf(err, DG_EINTERNAL,
			       "libsodium cannot be initialised");
	return 0;
}

static int check_address(const char *address, struct dg_err *err)
{
	size_t i, len = address ? strlen(address) : 0;

	if (!len)
		return dg_errf(err, DG_EINVAL,
			       "cannot make an unsubscribe link for an empty "
			       "address");
	if (len > UNSUBSCRIBE_ADDRESS_MAX)
		return dg_errf(err, DG_EINVAL,
			       "cannot make an unsubscribe link for an address "
			       "of %zu bytes (at most %d)",
			       len, UNSUBSCRIBE_ADDRESS_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)address[i] < 0x20 || address[i] == 0x7f)
			return dg_errf(err, DG_EINVAL,
				       "cannot make an unsubscribe link for an "
				       "address with a control character");
	return 0;
}

/*
 * What the tag covers: the label, then body (v || address). A copy, since
 * crypto_auth takes one buffer. DG_ENOMEM when out of memory.
 */
static int mac_input(struct strbuf *in, const unsigned char *body, size_t n)
{
	int rc = strbuf_add(in, mac_label, sizeof(mac_label));

	return rc ? rc : strbuf_add(in, body, n);
}

int unsubscribe_token(const unsigned char *key, size_t keylen,
		      const char *address, struct strbuf *out,
		      struct dg_err *err)
{
	unsigned char bin[1 + UNSUBSCRIBE_ADDRESS_MAX + crypto_auth_BYTES];
	struct strbuf in = STRBUF_INIT;
	char b64[TOKEN_MAX + 1];
	size_t len;
	int rc;

	rc = check_key(keylen, err);
	if (!rc)
		rc = check_address(address, err);
	if (rc)
		return rc;
	len = strlen(address);
	bin[0] = TOKEN_VERSION;
	memcpy(bin + 1, address, len);
	if (mac_input(&in, bin, 1 + len))
		return dg_errf(err, DG_ENOMEM,
			       "out of memory making an unsubscribe link");
	crypto_auth(bin + 1 + len, (const unsigned char *)in.buf, in.len, key);
	strbuf_release(&in);
	sodium_bin2base64(b64, sizeof(b64), bin, 1 + len + crypto_auth_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	rc = strbuf_addstr(out, b64);
	if (rc)
		return dg_errf(err, rc, "cannot store an unsubscribe link (%s)",
			       dg_strerror(rc));
	return 0;
}

/* Decode token into bin (v || address || tag); its length, 0 if bad. */
static size_t decode(const char *token, unsigned char *bin, size_t size)
{
	size_t toklen = token ? strlen(token) : 0;
	const char *end = NULL;
	size_t binlen = 0;

	if (!toklen || toklen > TOKEN_MAX ||
	    sodium_base642bin(bin, size, token, toklen, NULL, &binlen, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    end != token + toklen || binlen < 2 + crypto_auth_BYTES ||
	    bin[0] != TOKEN_VERSION)
		return 0;
	return binlen;
}

int unsubscribe_verify(const unsigned char *key, size_t keylen,
		       const char *token, struct strbuf *address_out,
		       struct dg_err *err)
{
	unsigned char bin[1 + UNSUBSCRIBE_ADDRESS_MAX + crypto_auth_BYTES];
	struct strbuf in = STRBUF_INIT;
	size_t binlen, len;
	int rc;

	rc = check_key(keylen, err);
	if (rc)
		return rc;
	binlen = decode(token, bin, sizeof(bin));
	if (!binlen)
		return invalid_link(err);
	len = binlen - 1 - crypto_auth_BYTES;
	if (mac_input(&in, bin, 1 + len))
		return dg_errf(err, DG_ENOMEM,
			       "out of memory checking an unsubscribe link");
	rc = crypto_auth_verify(bin + 1 + len, (const unsigned char *)in.buf,
				in.len, key);
	strbuf_release(&in);
	if (rc)
		return invalid_link(err);
	rc = strbuf_add(address_out, bin + 1, len);
	if (rc)
		return dg_errf(err, rc, "cannot store an address (%s)",
			       dg_strerror(rc));
	return 0;
}

int unsubscribe_url(const char *url_template, const char *token,
		    struct strbuf *out, struct dg_err *err)
{
	static const char mark[] = "{token}";
	const char *p = url_template;
	const char *hit;
	int rc = 0;

	if (!url_template || !strstr(url_template, mark))
		return dg_errf(err, DG_EINVAL,
			       "[digest] unsubscribe_url \"%s\" has no {token} "
			       "to put the link's token in",
			       url_template ? url_template : "");
	for (hit = strstr(p, mark); !rc && hit; hit = strstr(p, mark)) {
		rc = strbuf_add(out, p, (size_t)(hit - p));
		if (!rc)
			rc = strbuf_addstr(out, token);
		p = hit + sizeof(mark) - 1;
	}
	if (!rc)
		rc = strbuf_addstr(out, p);
	if (rc)
		return dg_errf(err, rc, "cannot build the unsubscribe URL (%s)",
			       dg_strerror(rc));
	return 0;
}

int unsubscribe_key_parse(const char *secret,
			  unsigned char key[UNSUBSCRIBE_KEYBYTES],
			  struct dg_err *err)
{
	struct secret_key_form form;
	int rc = secret_key_parse(secret, "the unsubscribe key", key, &form,
				  err);

	if (rc == DG_EINVAL && !form.zero)
		rc = dg_errf(err, DG_EINVAL,
			     "the unsubscribe key must be 64 hex digits or "
			     "the base64 of 32 bytes; this one has %zu "
			     "characters",
			     form.chars);
	return rc;
}

int unsubscribe_key_read(const struct secret *where, const char *what,
			 unsigned char key[UNSUBSCRIBE_KEYBYTES],
			 struct dg_err *err)
{
	char *secret = NULL;
	int rc = secret_read(where, what, &secret, err);

	rc = rc ? rc : unsubscribe_key_parse(secret, key, err);
	secret_wipe(secret);
	return rc;
}

/*
 * sql prepared into *stmt with ?1 bound to address (borrowed, it must
 * outlive the statement), once address is checked: an opt-out needs one.
 */
/* An opt-out is of an address: none is refused before any SQL. */
static int need_address(struct store *st, const char *address,
			 struct dg_err *err)
{
	if (!address || !*address)
		return dg_errf(err, DG_EINVAL,
			       "%s: an opt-out needs an address",
			       store_path(st));
	return 0;
}

static int prepare_for(struct store *st, const char *address,
		       const char *sql, const char *what,
		       sqlite3_stmt **stmt, struct dg_err *err)
{
	int rc = need_address(st, address, err);

	if (!rc)
		rc = store_db_prepare(st, sql, stmt, what, err);
	if (!rc)
		sqlite3_bind_text(*stmt, 1, address, -1, SQLITE_STATIC);
	return rc;
}

int unsubscribe_record(struct store *st, const char *address, int64_t now_ms,
		       struct dg_err *err)
{
	const char *what = "cannot record an opt-out";
	sqlite3_stmt *stmt = NULL;
	int rc = prepare_for(st, address,
			     "INSERT INTO opt_outs(address, at) "
			     "VALUES (?1, ?2) "
			     "ON CONFLICT(address) DO NOTHING",
			     what, &stmt, err);

	if (rc)
		return rc;
	sqlite3_bind_int64(stmt, 2, now_ms);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	sqlite3_finalize(stmt);
	return rc;
}

int unsubscribe_undo(struct store *st, const char *address,
		     struct dg_err *err)
{
	const char *what = "cannot undo an opt-out";
	sqlite3_stmt *stmt = NULL;
	int rc = prepare_for(st, address,
			     "DELETE FROM opt_outs WHERE address = ?1", what,
			     &stmt, err);

	if (!rc && sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The statement of reads, prepared on first use and kept: a run asks
 * about one person after another with the same one.
 */
struct unsubscribe_reads {
	struct store *st;
	sqlite3_stmt *opted_out;
};

int unsubscribe_reads_open(struct store *st, struct unsubscribe_reads **out,
			   struct dg_err *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	(*out)->st = st;
	return 0;
}

void unsubscribe_reads_close(struct unsubscribe_reads *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->opted_out);
	free(r);
}

/*
 * unsubscribe_is_opted_out(), through the statement kept in *slot
 * (prepared into it the first time, reset after use), or a fresh one
 * when slot is NULL.
 */
static int is_opted_out(struct store *st, sqlite3_stmt **slot,
			const char *address, bool *out, struct dg_err *err)
{
	const char *what = "cannot read the opt-outs";
	/* opt_outs.address is COLLATE NOCASE: "=" ignores ASCII case. */
	const char *sql = "SELECT 1 FROM opt_outs WHERE address = ?1";
	sqlite3_stmt *stmt = NULL;
	int rc = need_address(st, address, err);

	*out = false;
	if (!rc)
		rc = store_db_kept(st, slot, sql, &stmt, what, err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, address, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*out = true;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = store_db_fail(st, what, err);
	}
	store_db_kept_done(slot, stmt);
	return rc;
}

int unsubscribe_is_opted_out(struct store *st, const char *address, bool *out,
			     struct dg_err *err)
{
	return is_opted_out(st, NULL, address, out, err);
}

int unsubscribe_reads_is_opted_out(struct unsubscribe_reads *r,
				   const char *address, bool *out,
				   struct dg_err *err)
{
	return is_opted_out(r->st, &r->opted_out, address, out, err);
}
