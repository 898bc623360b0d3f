/*
 * queue_fixture: what the unit tests of module queue share: the steps that
 * fill a store. Each test gets the store in a fresh temporary folder from
 * scratch.h (scratch_setup_store, scratch_teardown: *state is a struct
 * scratch). Not a test program itself: included by test_queue.c and
 * test_queue_status.c after cmocka.h.
 */
#ifndef DIGEST_QUEUE_FIXTURE_H
#define DIGEST_QUEUE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "queue.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"

#define NOW 1795503600000LL /* Tue, 24 Nov 2026 07:00:00 UTC */
#define MINUTE 60000LL
#define DAY "2026-11-24"
#define MSG "Subject: hi\r\n\r\nline 1\r\n"

static int64_t put(struct store *st, const char *user, const char *date,
		   const char *kind, int64_t now)
{
	struct dg_err err = DG_ERR_INIT;
	int64_t id = 0;

	if (queue_put(st, user, date, kind, user, "<1@digest>", MSG,
		      strlen(MSG), now, &id, &err))
		fail_msg("queue_put: %s", err.msg);
	assert_true(id > 0);
	return id;
}

static int64_t put_digest(struct store *st, const char *user)
{
	return put(st, user, DAY, "digest", NOW);
}

static void sending(struct store *st, int64_t id, int64_t now)
{
	struct dg_err err = DG_ERR_INIT;

	if (queue_mark_sending(st, id, now, &err))
		fail_msg("queue_mark_sending: %s", err.msg);
}

static void sent(struct store *st, int64_t id, int64_t now)
{
	struct dg_err err = DG_ERR_INIT;

	sending(st, id, now);
	if (queue_mark_sent(st, id, "250 2.0.0 Ok: queued as 12", now, &err))
		fail_msg("queue_mark_sent: %s", err.msg);
}

static void outcome(struct store *st, const char *user, const char *date,
		    const char *what, const char *reason)
{
	struct dg_err err = DG_ERR_INIT;

	if (queue_record_outcome(st, user, date, what, reason, NOW, &err))
		fail_msg("queue_record_outcome: %s", err.msg);
}

static void status(struct store *st, const char *date,
		   struct queue_status_row **v, size_t *n)
{
	struct dg_err err = DG_ERR_INIT;

	if (queue_status(st, date, v, n, &err))
		fail_msg("queue_status: %s", err.msg);
}

#endif
