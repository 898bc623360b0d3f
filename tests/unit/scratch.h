/*
 * scratch: what the unit tests that touch files share: a fresh folder of
 * their own, made before a test and removed with all it holds after it,
 * and the digest store opened in it. As git's t/test-lib.sh gives every
 * test script its trash directory, so that no test sees another's files
 * and none leaves any behind.
 *
 * The folder is <TMPDIR>/<program>.XXXXXX (TMPDIR unset or empty: the
 * system's temporary folder), <program> being the test program's name, so
 * a folder left by a crash names the program that left it.
 *
 * Invariants: after scratch_make() dir holds the folder and db the path
 * <dir>/digest.db (no file there until a store opens it); st is the store
 * on db or NULL. scratch_remove() closes st and removes the folder with
 * every file and folder in it, also those a test made unreadable.
 * Errors: int functions return 0, or -1 after printing why (cmocka's
 * print_error), so a setup or teardown returning it fails the test.
 *
 * Not a test program itself: linked into every tests/unit/test_*.c
 * program (CMakeLists.txt); include it after cmocka.h.
 */
#ifndef DIGEST_SCRATCH_H
#define DIGEST_SCRATCH_H

#include "store.h"
#include "strbuf.h"

struct scratch {
	struct strbuf dir;  /* the folder */
	struct strbuf db;   /* <dir>/digest.db */
	struct strbuf path; /* <dir>/<name> (scratch_setup_path), else "" */
	struct store *st;   /* the store on db, or NULL */
};

#define SCRATCH_INIT { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, NULL }

/* Make a fresh folder into s (SCRATCH_INIT or released). */
int scratch_make(struct scratch *s) __attribute__((warn_unused_result));

/* Open (create) the store on s->db into s->st. */
int scratch_open_store(struct scratch *s)
	__attribute__((warn_unused_result));

/*
 * scratch_make() and scratch_open_store() at once; on failure nothing is
 * left (the folder is removed again).
 */
int scratch_make_store(struct scratch *s)
	__attribute__((warn_unused_result));

/*
 * A connection of its own to the store on s->db (a reopen, a second
 * process's view); yours: store_close() it. Fails the test if it cannot
 * be opened.
 */
struct store *scratch_open(const struct scratch *s);

/*
 * Write text to <dir>/rel, making the folders rel names on the way (rel
 * is relative, '/'-separated). Fails the test if it cannot.
 */
void scratch_write(const struct scratch *s, const char *rel,
		   const char *text);

/*
 * Close s->st, remove the folder and all in it, release s (it is as
 * SCRATCH_INIT again). -1 when something could not be removed: a test
 * must not leave files behind. A scratch never made is a no-op.
 */
int scratch_remove(struct scratch *s);

/*
 * The cmocka fixtures for a test that wants just a scratch: *state is a
 * struct scratch of its own, with a folder (scratch_setup) and also the
 * store open (scratch_setup_store); scratch_teardown removes and frees it.
 */
int scratch_setup(void **state);
int scratch_setup_store(void **state);
int scratch_teardown(void **state);

/*
 * As scratch_setup, for a test about one file (or folder) in the folder:
 * the test's prestate is its name, and path is <dir>/<name>. Nothing is
 * made there. As in:
 *   cmocka_unit_test_prestate_setup_teardown(test, scratch_setup_path,
 *                                            scratch_teardown, "secret")
 */
int scratch_setup_path(void **state);

#endif
