/*
 * runlock: one digest run at a time on a store.
 *
 * Two runs on one database would each find the same digest due and both
 * send it; the queue's "sending" mark keeps a crashed run's message from
 * being lost only because no live run is sending it. So a run (and
 * resend) holds an exclusive lock on "<db path>.lock" for its whole life.
 *
 * The lock is a POSIX record lock (fcntl F_SETLK), which the kernel drops
 * when the process ends, however it ends: a crashed run never leaves a
 * stale lock behind, and there is nothing to clean up by hand. The file
 * holds the holder's pid for people reading it; the pid in messages comes
 * from the kernel (F_GETLK). The file is never removed: a process that
 * opened it just before an unlink would lock a file nobody else sees.
 *
 * Invariants: POSIX locks belong to the process: a fork()ed child does
 * not hold its parent's lock, and closing any descriptor of the file in
 * the process drops it, so nothing else may open the file, and a second
 * acquire in a process that holds the lock is refused (DG_EINTERNAL).
 * Threads: acquire and release from one thread (the run's main thread).
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_RUNLOCK_H
#define DIGEST_RUNLOCK_H

#include <sys/types.h>

#include "err.h"

struct runlock;

/*
 * Take the lock of the store at db_path, without waiting. DG_ELOCKED when
 * another process holds it ("another digest run holds the lock on
 * digest.db.lock (pid 1234)"), with *holder (may be NULL) set to its pid
 * (0 when unknown, and on success); DG_EIO when the lock file cannot be
 * opened or locked. *out is yours: runlock_release() it.
 */
int runlock_acquire(const char *db_path, struct runlock **out, pid_t *holder,
		    struct dg_err *err) __attribute__((warn_unused_result));

/* Let go of the lock and free lk. NULL is a no-op. */
void runlock_release(struct runlock *lk);

#endif
