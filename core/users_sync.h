/*
 * users_sync: `digest users sync`, the tenant's users read from Graph into
 * table users (app mode).
 *
 * It reads every page of /users, or of the transitive members of [graph]
 * group, and hands them to users_replace() in one transaction: a failed
 * sync leaves the previous users in place. The table itself is users'.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_USERS_SYNC_H
#define DIGEST_USERS_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "source.h"
#include "store.h"

/*
 * digest users sync (app mode): GET /users (all pages), or the transitive
 * members of [graph] group (an id, a mail or a display name), and
 * users_replace() with them. progress (may be NULL) hears of each page.
 * *stored: how many users with a mail were stored.
 */
int users_sync(const struct config *cfg, struct store *st, int64_t now_ms,
	       source_progress_fn *progress, void *progress_ctx, size_t *stored,
	       struct dg_err *err) __attribute__((warn_unused_result));

#endif
