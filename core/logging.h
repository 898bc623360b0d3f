/*
 * logging: the hook through which core reports progress.
 *
 * Core never writes to stderr itself (only cmd/ prints); it calls
 * logging_info()/logging_warn(), and cmd/ installs the routine that decides
 * where lines go and what they look like. Without a routine, nothing is
 * printed, which is what unit tests want. Never pass a secret.
 */
#ifndef DIGEST_LOGGING_H
#define DIGEST_LOGGING_H

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

#endif
