/*
 * runlock: one process at a time holds the lock, the others are told who
 * does, and the lock goes with its holder however the holder ends. POSIX
 * locks are per process, so the contenders are fork()ed children that
 * report through a pipe (a cmocka assert in a child would report nothing).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "runlock.h"
#include "scratch.h"
#include "strbuf.h"

/* What a child saw when it tried to take the lock. */
struct attempt {
	int rc;
	pid_t holder;
	char msg[DG_ERR_MAX];
};

static struct runlock *acquire_ok(const struct scratch *f)
{
	struct dg_err err = DG_ERR_INIT;
	struct runlock *lk = NULL;

	if (runlock_acquire(f->db.buf, &lk, NULL, &err))
		fail_msg("runlock_acquire: %s", err.msg);
	assert_non_null(lk);
	return lk;
}

static void read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		assert_true(n > 0);
		got += (size_t)n;
	}
}

static void reap(pid_t pid)
{
	int status = 0;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A child tries to take the lock once and tells what happened. */
static void attempt_in_child(const struct scratch *f, struct attempt *a)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct dg_err err = DG_ERR_INIT;
		struct runlock *lk = NULL;
		struct attempt mine;

		memset(&mine, 0, sizeof(mine));
		mine.rc = runlock_acquire(f->db.buf, &lk, &mine.holder, &err);
		memcpy(mine.msg, err.msg, sizeof(mine.msg));
		runlock_release(lk);
		_exit(write(fds[1], &mine, sizeof(mine)) == sizeof(mine) ? 0
									 : 1);
	}
	close(fds[1]);
	read_all(fds[0], a, sizeof(*a));
	close(fds[0]);
	reap(pid);
}

static void
test_runlock__second_run_is_refused_with_the_holder_pid(void **state)
{
	struct scratch *f = *state;
	struct runlock *lk = acquire_ok(f);
	struct strbuf expect = STRBUF_INIT;
	struct attempt a;

	attempt_in_child(f, &a);
	assert_int_equal(a.rc, DG_ELOCKED);
	assert_int_equal(a.holder, getpid());
	assert_int_equal(strbuf_addf(&expect,
				     "another digest run holds the lock on "
				     "%s (pid %ld)",
				     f->path.buf, (long)getpid()),
			 0);
	assert_string_equal(a.msg, expect.buf);
	strbuf_release(&expect);
	runlock_release(lk);
}

static void test_runlock__release_lets_the_next_run_in(void **state)
{
	struct scratch *f = *state;
	struct attempt a;

	runlock_release(acquire_ok(f));
	attempt_in_child(f, &a);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.holder, 0);
}

static void test_runlock__lock_file_names_the_holder_pid(void **state)
{
	struct scratch *f = *state;
	struct runlock *lk = acquire_ok(f);
	struct strbuf content = STRBUF_INIT;
	struct strbuf expect = STRBUF_INIT;

	assert_int_equal(strbuf_read_file(&content, f->path.buf), 0);
	assert_int_equal(strbuf_addf(&expect, "%ld\n", (long)getpid()), 0);
	assert_string_equal(content.buf, expect.buf);
	runlock_release(lk);
	strbuf_reset(&content);
	assert_int_equal(strbuf_read_file(&content, f->path.buf), 0);
	assert_string_equal(content.buf, "");
	strbuf_release(&content);
	strbuf_release(&expect);
}

/*
 * A child takes the lock, says so, and waits for the word to _exit()
 * without releasing it; meanwhile the lock is its, then nobody's.
 */
static void test_runlock__lock_goes_with_a_holder_that_dies(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct runlock *lk = NULL;
	int up[2], down[2];
	pid_t pid, holder = 0;
	char c = 0;

	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct dg_err child_err = DG_ERR_INIT;
		struct runlock *mine = NULL;

		c = runlock_acquire(f->db.buf, &mine, NULL, &child_err) ? 'n'
									: 'y';
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(1);
		_exit(0); /* mine is never released: the kernel drops it */
	}
	close(up[1]);
	close(down[0]);
	read_all(up[0], &c, 1);
	assert_int_equal(c, 'y');
	assert_int_equal(runlock_acquire(f->db.buf, &lk, &holder, &err),
			 DG_ELOCKED);
	assert_int_equal(holder, pid);
	assert_null(lk);
	assert_int_equal(write(down[1], "x", 1), 1);
	reap(pid);
	close(up[0]);
	close(down[1]);
	lk = acquire_ok(f);
	runlock_release(lk);
}

static void
test_runlock__second_acquire_in_the_holding_process_is_refused(void **state)
{
	struct scratch *f = *state;
	struct runlock *lk = acquire_ok(f);
	struct runlock *again = NULL;
	struct dg_err err = DG_ERR_INIT;
	struct strbuf expect = STRBUF_INIT;
	struct attempt a;

	assert_int_equal(runlock_acquire(f->db.buf, &again, NULL, &err),
			 DG_EINTERNAL);
	assert_int_equal(strbuf_addf(&expect,
				     "%s: this process holds the run lock "
				     "already",
				     f->db.buf),
			 0);
	assert_string_equal(err.msg, expect.buf);
	/* the refusal did not drop the lock */
	attempt_in_child(f, &a);
	assert_int_equal(a.rc, DG_ELOCKED);
	strbuf_release(&expect);
	runlock_release(lk);
}

static void test_runlock__missing_folder_names_the_lock_file(void **state)
{
	struct scratch *f = *state;
	struct strbuf db = STRBUF_INIT;
	struct strbuf expect = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct runlock *lk = NULL;

	assert_int_equal(strbuf_addf(&db, "%s/nowhere/digest.db", f->dir.buf),
			 0);
	assert_int_equal(runlock_acquire(db.buf, &lk, NULL, &err), DG_EIO);
	assert_int_equal(strbuf_addf(&expect,
				     "cannot open the lock file "
				     "%s.lock: No such file or directory",
				     db.buf),
			 0);
	assert_string_equal(err.msg, expect.buf);
	assert_null(lk);
	strbuf_release(&db);
	strbuf_release(&expect);
}

/*
 * A scratch folder per test: db is <dir>/digest.db (never created), path
 * its lock <dir>/digest.db.lock.
 */
#define T(name)                                                                \
	cmocka_unit_test_prestate_setup_teardown(name, scratch_setup_path,     \
						 scratch_teardown,             \
						 "digest.db.lock")

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_runlock__second_run_is_refused_with_the_holder_pid),
		T(test_runlock__release_lets_the_next_run_in),
		T(test_runlock__lock_file_names_the_holder_pid),
		T(test_runlock__lock_goes_with_a_holder_that_dies),
		T(test_runlock__second_acquire_in_the_holding_process_is_refused),
		T(test_runlock__missing_folder_names_the_lock_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
