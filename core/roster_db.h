/*
 * roster_db: the roster in the store, tables people, aliases and
 * assessments (as queue and users keep theirs).
 *
 * Invariants: the tables only change as a whole (roster_db_replace is
 * atomic); a loaded roster is as roster.h says one that was read, with
 * every person's line 0.
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure;
 * messages name the database file.
 */
#ifndef DIGEST_ROSTER_DB_H
#define DIGEST_ROSTER_DB_H

#include "err.h"
#include "roster.h"
#include "store.h"

/*
 * Replace the whole roster with r, in one transaction (or one savepoint
 * of the caller's transaction): on failure the previous roster is intact.
 * r is the caller's; the store keeps copies.
 */
int roster_db_replace(struct store *st, const struct roster *r,
		      struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Load the whole roster into out (empty: ROSTER_INIT or released), people
 * sorted by email (case-insensitive), with aliases and assessments; each
 * person's line is 0. *out is yours: roster_release() it. On error out is
 * left empty.
 */
int roster_db_load(struct store *st, struct roster *out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
