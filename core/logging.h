/*
 * logging: the hook through which core reports progress.
 *
 * Core never writes to stderr itself (only cmd/ prints); it calls
 * logging_info()/logging_warn(), and cmd/ installs the routine that decides
 * where lines go and what they look like. Without a routine, nothing is
 * printed, which is what unit tests want. Never pass a secret.
 *
 * A line about one user's outcome also carries fields (user, date,
 * outcome, reason) through logging_outcome(): the text routine prints
 * the message as it is, a structured one (--log-format json) reads the
 * fields with logging_current_fields() while it handles the line.
 * Threads: any thread may log; lines are handed to the routine one at a
 * time (the routine must not log itself). Setting the routine is for
 * the start of the process, before any thread.
 */
#ifndef DIGEST_LOGGING_H
#define DIGEST_LOGGING_H

#include <stdint.h>

#include "strbuf.h"

enum logging_level { LOGGING_ERROR, LOGGING_WARN, LOGGING_INFO, LOGGING_DEBUG };

typedef void logging_fn(enum logging_level level, const char *msg, void *ctx);

/* Install fn (NULL: silence) with its context. */
void logging_set_routine(logging_fn *fn, void *ctx);

/* The routine installed now, to put it back after a quiet stretch. */
void logging_get_routine(logging_fn **fn, void **ctx);

void logging_msg(enum logging_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define logging_error(...) logging_msg(LOGGING_ERROR, __VA_ARGS__)
#define logging_warn(...) logging_msg(LOGGING_WARN, __VA_ARGS__)
#define logging_info(...) logging_msg(LOGGING_INFO, __VA_ARGS__)
#define logging_debug(...) logging_msg(LOGGING_DEBUG, __VA_ARGS__)

/* What a line is about. Any field may be NULL; all are borrowed. */
struct logging_fields {
	const char *user;    /* the user's address */
	const char *date;    /* the day of the digest, YYYY-MM-DD */
	const char *outcome; /* sent, skipped, waiting, deferred, failed... */
	const char *reason;  /* a skip reason, or the error's sentence */
};

/* logging_msg() with fields for a structured routine. f may be NULL. */
void logging_outcome(enum logging_level level, const struct logging_fields *f,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The fields of the line being handed to the routine right now: valid
 * only inside the routine's call; NULL for a line from logging_msg().
 */
const struct logging_fields *logging_current_fields(void);

/* "error", "warning", "info" or "debug". */
const char *logging_level_name(enum logging_level level);

/*
 * Append one line to out: a JSON object with "time" (time_ms as RFC 3339
 * UTC with milliseconds), "level", the fields that are set, and
 * "message", then '\n'. Control characters are escaped, so the line is
 * one line whatever the message holds. f may be NULL.
 */
int logging_json_line(struct strbuf *out, int64_t time_ms,
		      enum logging_level level, const char *msg,
		      const struct logging_fields *f)
	__attribute__((warn_unused_result));

#endif
