/*
 * about: what colleagues' digests say about one person, for `digest
 * about` and the preferences page of `digest serve`.
 *
 * The person's entry comes from render (the same code and partials a
 * digest uses, so the words are the digest's words); whether it is shown
 * follows the roster (opt_out) and the person's own choice (prefs), which
 * wins. Reads the roster and the prefs from the store on every call, so a
 * long-running server sees imports and changes at once.
 *
 * Errors: 0 or a DG_E* code with *err filled.
 */
#ifndef DIGEST_ABOUT_H
#define DIGEST_ABOUT_H

#include "config.h"
#include "err.h"
#include "mustache.h"
#include "render.h"
#include "store.h"
#include "strbuf.h"

struct about;

/*
 * Compile the templates of cfg. st is borrowed and must outlive *out,
 * which is yours: about_close() it.
 */
int about_open(const struct config *cfg, struct store *st, struct about **out,
	       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Append what colleagues are told about address to out; groups (n of
 * them, may be NULL) are the group lines of the person's own meetings
 * (job_group_lines), of which those about their results are kept.
 */
int about_render(struct about *a, const char *address,
		 const char *const *groups, size_t ngroups,
		 enum render_about_format format, struct strbuf *out,
		 struct dg_err *err) __attribute__((warn_unused_result));

/* The same as mustache data (serve_about_fn; ctx is a struct about). */
int about_value(const char *address, struct mustache_value **out, void *ctx,
		struct dg_err *err);

/* NULL is a no-op. */
void about_close(struct about *a);

#endif
