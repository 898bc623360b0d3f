#include "runlock.h"
#include "logging.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct runlock {
	int fd;
	char *path;
	bool held;
};

/*
 * The process that holds a lock taken here (0: none). A second lock on
 * the same file in one process would succeed, and releasing either would
 * drop both; a fork()ed child holds nothing, hence a pid, not a flag.
 */
static pid_t held_by;

/* An exclusive lock on the whole file, however long it grows. */
static struct flock whole_file(void)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fl;
}

/* The pid the holder wrote, for when the kernel cannot say (0: none). */
static pid_t pid_in_file(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;
	long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v <= 0 || (pid_t)v != v)
		return 0;
	return (pid_t)v;
}

/*
 * Who holds the lock on fd: 0 when nobody does any more (the holder let
 * go between our F_SETLK and now), -1 when it cannot be told.
 */
static pid_t lock_holder(int fd)
{
	struct flock fl = whole_file();

	if (fcntl(fd, F_GETLK, &fl))
		return -1;
	if (fl.l_type == F_UNLCK)
		return 0;
	/* A holder in another pid namespace shows as 0. */
	return fl.l_pid > 0 ? fl.l_pid : pid_in_file(fd);
}

static int refuse(const char *path, pid_t pid, pid_t *holder,
		  struct dg_err *err)
{
	if (holder)
		*holder = pid;
	if (pid > 0)
		return dg_errf(err, DG_ELOCKED,
			       "another digest run holds the lock on %s "
			       "(pid %ld)",
			       path, (long)pid);
	return dg_errf(err, DG_ELOCKED,
		       "another digest run holds the lock on %s", path);
}

/* Take the lock on fd: 0, DG_ELOCKED or DG_EIO. */
static int take(int fd, const char *path, pid_t *holder, struct dg_err *err)
{
	int tries;

	/* A holder that lets go as we look is gone: try again, a little. */
	for (tries = 0; tries < 3; tries++) {
		struct flock fl = whole_file();
		pid_t pid;

		if (!fcntl(fd, F_SETLK, &fl))
			return 0;
		if (errno != EACCES && errno != EAGAIN)
			return dg_errf(err, DG_EIO, "cannot lock %s: %s", path,
				       strerror(errno));
		pid = lock_holder(fd);
		if (pid)
			return refuse(path, pid > 0 ? pid : 0, holder, err);
	}
	return refuse(path, 0, holder, err);
}

/* Our pid into the file, for people; the lock does not depend on it. */
static void write_pid(int fd, const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n)
		logging_warn("%s: cannot write our pid into it: %s", path,
			     strerror(errno));
}

int runlock_acquire(const char *db_path, struct runlock **out, pid_t *holder,
		    struct dg_err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct runlock *lk;
	int rc;

	*out = NULL;
	if (holder)
		*holder = 0;
	if (held_by == getpid())
		return dg_errf(err, DG_EINTERNAL,
			       "%s: this process holds the run lock already",
			       db_path);
	if (strbuf_addf(&path, "%s.lock", db_path))
		return dg_errf(err, DG_ENOMEM, "%s: out of memory", db_path);
	lk = calloc(1, sizeof(*lk));
	if (!lk) {
		strbuf_release(&path);
		return dg_errf(err, DG_ENOMEM, "%s: out of memory", db_path);
	}
	lk->path = strbuf_detach(&path, NULL);
	lk->fd = lk->path ? open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)
			  : -1;
	if (!lk->path)
		rc = dg_errf(err, DG_ENOMEM, "%s: out of memory", db_path);
	else if (lk->fd < 0)
		rc = dg_errf(err, DG_EIO, "cannot open the lock file %s: %s",
			     lk->path, strerror(errno));
	else
		rc = take(lk->fd, lk->path, holder, err);
	if (rc) {
		runlock_release(lk);
		return rc;
	}
	write_pid(lk->fd, lk->path);
	lk->held = true;
	held_by = getpid();
	*out = lk;
	return 0;
}

void runlock_release(struct runlock *lk)
{
	if (!lk)
		return;
	if (lk->held) {
		/* a stale pid in the file would only mislead a reader */
		if (ftruncate(lk->fd, 0))
			logging_debug("%s: cannot empty it: %s", lk->path,
				      strerror(errno));
		held_by = 0;
	}
	if (lk->fd >= 0)
		close(lk->fd); /* drops the lock */
	free(lk->path);
	free(lk);
}
