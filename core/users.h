/*
 * users: the users digest serves, as Microsoft Graph knows them, kept in
 * table users.
 *
 * In app mode users_sync (users_sync.h) replaces the table as a whole, in
 * one transaction: a failed sync leaves the previous users in place. In
 * delegated mode each `digest connect` adds the user who signed in, and
 * the run's users are those with a token (table tokens). This module only
 * keeps the table: it knows no Graph.
 *
 * Invariants: every stored user has an id and a mail; proxy addresses are
 * kept one per line, so one holding a line break is dropped.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_USERS_H
#define DIGEST_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "err.h"
#include "store.h"

/*
 * Replace every stored user with those of list that have a mail, in one
 * transaction (or savepoint of the caller's). *stored: how many.
 */
int users_replace(struct store *st, const struct cal_user_list *list,
		  int64_t now_ms, size_t *stored, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Insert or update one user (it must have an id and a mail). */
int users_put(struct store *st, const struct cal_user *u, int64_t now_ms,
	      struct dg_err *err) __attribute__((warn_unused_result));

enum users_which {
	USERS_ALL,	/* everyone in the table */
	USERS_CONNECTED /* only those with a token (delegated mode) */
};

/*
 * Append the stored users to out, by mail, each packed in one allocation
 * (cal_user.block), with its smtp proxy addresses only (a run looks up
 * no other kind). On error nothing is added.
 */
int users_load(struct store *st, enum users_which which,
	       struct cal_user_list *out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
