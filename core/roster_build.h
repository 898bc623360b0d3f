/*
 * roster_build: what the two roster readers (CSV, JSON lines) share.
 *
 * Internal to roster*.c; other modules use roster.h. A reader turns each
 * row into a struct roster_person (raw but trimmed) and hands it to
 * roster_build_add(), which checks everything that does not depend on the
 * file format (the email, aliases and results, duplicates across the whole
 * file) and moves the person into the roster being built. So both formats
 * refuse the same things with the same messages ("roster.csv:12: duplicate
 * email ann@contoso.com (first on line 4)").
 *
 * Errors: int functions return 0 or a DG_E* code and fill b->err.
 */
#ifndef DIGEST_ROSTER_BUILD_H
#define DIGEST_ROSTER_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "roster.h"

/* What a CSV column or a JSON key means. */
enum roster_column {
	ROSTER_COLUMN_EMAIL,
	ROSTER_COLUMN_NAME,
	ROSTER_COLUMN_TITLE,
	ROSTER_COLUMN_ALIASES,
	ROSTER_COLUMN_OPT_OUT,
	ROSTER_COLUMN_RESULT /* any other name: an assessment */
};

/* The emails and aliases seen so far, with their first line. */
struct roster_build_slot;
struct roster_build_set {
	struct roster_build_slot *v;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

struct roster_build {
	const char *name; /* the file name, for messages */
	struct roster *out;
	struct dg_err *err;
	struct roster_build_set seen;
};

/* Build into out (empty) for the file called name. Allocates nothing. */
void roster_build_init(struct roster_build *b, const char *name,
		       struct roster *out, struct dg_err *err);

/* Free what b holds (not out). */
void roster_build_release(struct roster_build *b);

/*
 * Check p (p->line set) and move it into b->out. p stays the caller's to
 * release: after a success it is empty.
 */
int roster_build_add(struct roster_build *b, struct roster_person *p)
	__attribute__((warn_unused_result));

/* Fill b->err with "<file>: out of memory"; returns DG_ENOMEM. */
int roster_build_nomem(struct roster_build *b);

/* The meaning of a lower-cased column name or key. */
enum roster_column roster_build_column(const char *name);

/* True when name may name an assessment: [a-z0-9_-]+. */
bool roster_build_name_ok(const char *name);

/* Add each ';'-separated, trimmed, non-empty address of s[0..len). */
int roster_build_aliases(struct roster_person *p, const char *s, size_t len)
	__attribute__((warn_unused_result));

#endif
