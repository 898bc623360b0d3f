#include "roster_import.h"

#include "logging.h"
#include "roster_csv.h"
#include "roster_db.h"
#include "roster_jsonl.h"
#include "strbuf.h"
#include "text.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static bool ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !text_casecmp(s + n - k, suffix);
}

static int read_text(const char *path, const struct strbuf *sb,
		     struct roster *out, struct dg_err *err)
{
	if (ends_with_nocase(path, ".jsonl") ||
	    ends_with_nocase(path, ".ndjson"))
		return roster_read_jsonl(sb->buf, sb->len, path, out, err);
	return roster_read_csv(sb->buf, sb->len, path, out, err);
}

static int slurp(const char *path, struct strbuf *sb, struct dg_err *err)
{
	int rc = strbuf_read_file(sb, path);

	if (rc == DG_EIO)
		return dg_errf(err, rc, "%s: cannot read the roster: %s", path,
			       strerror(errno));
	if (rc)
		return dg_errf(err, rc, "%s: cannot read the roster: %s", path,
			       dg_strerror(rc));
	return 0;
}

int roster_read_file(const char *path, struct roster *out, struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = slurp(path, &sb, err);

	if (!rc)
		rc = read_text(path, &sb, out, err);
	strbuf_release(&sb);
	return rc;
}

/* BLAKE2b-256 of the file, in hex: lets a run skip an unchanged roster. */
static int hash_hex(const struct strbuf *sb, struct strbuf *hex,
		    struct dg_err *err)
{
	unsigned char h[crypto_generichash_BYTES];
	size_t i;

	if (sodium_init() < 0 ||
	    crypto_generichash(h, sizeof(h), (const unsigned char *)sb->buf,
			       sb->len, NULL, 0))
		return dg_errf(err, DG_EINTERNAL,
			       "libsodium failed to hash the roster");
	for (i = 0; i < sizeof(h); i++)
		if (strbuf_addf(hex, "%02x", h[i]))
			return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
}

static int import_roster(struct store *st, const char *path,
			 const struct roster *r, const char *hash,
			 struct dg_err *err)
{
	int rc = store_begin(st, err);

	if (rc)
		return rc;
	rc = roster_db_replace(st, r, err);
	if (!rc)
		rc = store_meta_set(st, "roster.file", path, err);
	if (!rc)
		rc = store_meta_set(st, "roster.hash", hash, err);
	if (!rc)
		return store_commit(st, err);
	store_rollback(st);
	return rc;
}

/* Parse the text of path and store it as the roster, with its hash. */
static int import_text(struct store *st, const char *path,
		       const struct strbuf *sb, const char *hash,
		       size_t *npeople, struct dg_err *err)
{
	struct roster r = ROSTER_INIT;
	int rc = read_text(path, sb, &r, err);

	if (!rc)
		rc = import_roster(st, path, &r, hash, err);
	if (!rc && !r.n)
		logging_warn("%s: no people in the file: the roster is now "
			     "empty",
			     path);
	if (!rc)
		logging_info("%s: imported %zu people", path, r.n);
	if (!rc && npeople)
		*npeople = r.n;
	roster_release(&r);
	return rc;
}

int roster_import(struct store *st, const char *path, size_t *npeople,
		  struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT, hash = STRBUF_INIT;
	int rc = slurp(path, &sb, err);

	if (!rc)
		rc = hash_hex(&sb, &hash, err);
	if (!rc)
		rc = import_text(st, path, &sb, hash.buf, npeople, err);
	strbuf_release(&sb);
	strbuf_release(&hash);
	return rc;
}

int roster_sync(struct store *st, const char *path, struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT, hash = STRBUF_INIT;
	char *seen = NULL;
	int rc = slurp(path, &sb, err);

	if (!rc)
		rc = hash_hex(&sb, &hash, err);
	if (!rc && !store_meta_get(st, "roster.hash", &seen, NULL) &&
	    !strcmp(seen, hash.buf))
		goto out; /* unchanged since the last import */
	if (!rc)
		rc = import_text(st, path, &sb, hash.buf, NULL, err);
out:
	free(seen);
	strbuf_release(&sb);
	strbuf_release(&hash);
	return rc;
}
