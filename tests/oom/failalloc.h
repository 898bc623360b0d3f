/*
 * failalloc: a test-only allocator that fails the Nth allocation, as
 * curl's torture tests and SQLite's malloc tests do.
 *
 * failalloc.c defines malloc, calloc, realloc, reallocarray, free,
 * strdup, strndup, posix_memalign, aligned_alloc and memalign in the test
 * executable that links it. A definition in the executable interposes on
 * the C library's for the whole process, so the allocations of json-c,
 * libetpan, ICU, SQLite and libcsv are counted (and failed) as well as
 * ours. Each forwards to the next definition (the C library's, or
 * AddressSanitizer's, or valgrind's), so the sanitizers still see every
 * block. Nothing of this is linked into the product.
 *
 * Invariants: disarmed, it fails nothing; armed with n, allocations are
 * counted from 1 and the nth fails with errno ENOMEM (and, with persist,
 * every one after it too). failalloc_live() counts blocks allocated and
 * not yet freed since the process started, whatever the arming, so a
 * test compares it before and after a piece of work to find a leak;
 * failalloc_leaks() names the blocks of one armed run. With the
 * environment variable FAILALLOC_TRACE=n, where the nth allocation of an
 * arming fails is printed (a backtrace on stderr).
 */
#ifndef DIGEST_FAILALLOC_H
#define DIGEST_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Fail the nth allocation from now (n >= 1); persist: and all after it. */
void failalloc_arm(size_t n, bool persist);

/*
 * Stop failing; returns how many allocations failed since the arming
 * (0: the work made fewer than n allocations).
 */
size_t failalloc_disarm(void);

/* Allocations counted since the last arming (failed ones included). */
size_t failalloc_count(void);

/*
 * Between failalloc_hold() and failalloc_unhold() (they nest), this
 * thread's allocations are neither counted nor failed: for a library
 * call known not to survive a failure (see tests/oom/README.md).
 */
void failalloc_hold(void);
void failalloc_unhold(void);

/* Blocks allocated and not freed yet. */
long failalloc_live(void);

/*
 * The blocks allocated since the last arming and not freed yet, leaving
 * out those allocated under a function whose name contains one of caches
 * (NULL-terminated, or NULL): what a library's cache keeps on purpose.
 * show: print where each was allocated (a backtrace) to stderr.
 */
size_t failalloc_leaks(const char *const *caches, bool show);

/*
 * Keep every frame (not the first few) of where each block is allocated:
 * for work whose blocks a library's cache keeps far below the call that
 * made them (ICU's UnifiedCache under ucal_open()), so that
 * failalloc_leaks() can tell them by name. Slower; on until turned off.
 */
void failalloc_deep_stacks(bool on);

#endif
