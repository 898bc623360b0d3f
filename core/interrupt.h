/*
 * interrupt: the process-wide request to stop, made by SIGTERM or SIGINT.
 *
 * cmd/ installs the signal handler, which calls interrupt_request(); the
 * long waits of core (Graph fetches, sign-in polls) look at
 * interrupt_pending() at least once a second and end with DG_ESTOPPED, so
 * every command stops within a second or two. Nothing is lost by it: what
 * was not fetched or sent is simply done by the next run.
 *
 * Invariant: once requested, a stop stays requested (tests may reset it).
 */
#ifndef DIGEST_INTERRUPT_H
#define DIGEST_INTERRUPT_H

#include <stdbool.h>

/* Record that signal sig asks to stop. Async-signal-safe. */
void interrupt_request(int sig);

/* Whether a stop was requested. */
bool interrupt_pending(void);

/* The signal that asked to stop, 0 if none. */
int interrupt_signal(void);

/* Forget a request (tests only). */
void interrupt_reset(void);

#endif
