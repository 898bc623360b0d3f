/*
 * clock: what time it is, for a run.
 *
 * A run reads the clock once and hands the instant down the flow, so that
 * every user of one run is planned against the same "now", and so that
 * tests and replays can fix it (--now). Instants are milliseconds since
 * the Unix epoch, UTC.
 */
#ifndef DIGEST_CLOCK_H
#define DIGEST_CLOCK_H

#include <stdint.h>

#include "err.h"

/* The real clock. */
int64_t clock_now_ms(void);

/*
 * Parse an RFC 3339 date-time with an offset ("2026-11-23T10:00:00Z",
 * "2026-11-23T02:00:00.5-08:00"); 'T', 't' or a space separate date and
 * time. what names the value in messages ("--now").
 */
int clock_parse_rfc3339(const char *s, const char *what, int64_t *out_ms,
			struct dg_err *err) __attribute__((warn_unused_result));

/* Format ms as "2026-11-23T10:00:00Z" into buf (at least 21 bytes). */
void clock_format_utc(int64_t ms, char *buf, unsigned long size);

struct timespec;

/*
 * The CLOCK_REALTIME instant ms milliseconds from now, into *until: the
 * deadline pthread_cond_timedwait() takes.
 */
void clock_deadline(int ms, struct timespec *until);

#endif
