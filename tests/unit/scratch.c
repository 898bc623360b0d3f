/*
 * scratch: the folder and the store of a unit test (scratch.h says what
 * and why). The folder is removed with a walk of its own rather than
 * `rm -rf`: no shell, and a folder a test made unreadable (to test a
 * failure) is made readable again on the way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"

int scratch_make(struct scratch *s)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = P_tmpdir;
	strbuf_init(&s->dir, 0);
	strbuf_init(&s->db, 0);
	strbuf_init(&s->path, 0);
	s->st = NULL;
	if (strbuf_addf(&s->dir, "%s/%s.XXXXXX", base,
			program_invocation_short_name)) {
		print_error("scratch: out of memory\n");
		return -1;
	}
	if (!mkdtemp(s->dir.buf)) {
		print_error("scratch: cannot make %s: %s\n", s->dir.buf,
			    strerror(errno));
		strbuf_release(&s->dir);
		return -1;
	}
	if (strbuf_addf(&s->db, "%s/digest.db", s->dir.buf)) {
		print_error("scratch: out of memory\n");
		scratch_remove(s);
		return -1;
	}
	return 0;
}

int scratch_open_store(struct scratch *s)
{
	struct dg_err err = DG_ERR_INIT;

	if (store_open(s->db.buf, &s->st, &err)) {
		print_error("scratch: store_open: %s\n", err.msg);
		return -1;
	}
	return 0;
}

struct store *scratch_open(const struct scratch *s)
{
	struct dg_err err = DG_ERR_INIT;
	struct store *st = NULL;

	if (store_open(s->db.buf, &st, &err))
		fail_msg("store_open: %s", err.msg);
	return st;
}

int scratch_make_store(struct scratch *s)
{
	if (scratch_make(s))
		return -1;
	if (scratch_open_store(s)) {
		scratch_remove(s);
		return -1;
	}
	return 0;
}

void scratch_write(const struct scratch *s, const char *rel,
		   const char *text)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f;

	assert_int_equal(strbuf_addf(&path, "%s/%s", s->dir.buf, rel), 0);
	for (char *p = strchr(path.buf + s->dir.len + 1, '/'); p;
	     p = strchr(p + 1, '/')) {
		*p = '\0';
		assert_true(!mkdir(path.buf, 0700) || errno == EEXIST);
		*p = '/';
	}
	f = fopen(path.buf, "w");
	if (!f)
		fail_msg("cannot write %s: %s", path.buf, strerror(errno));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	strbuf_release(&path);
}

/* Remove path and, if it is a folder, all below it; -1 if anything stays. */
static int remove_tree(struct strbuf *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	size_t len = path->len;
	int rc = 0;

	if (lstat(path->buf, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path->buf);
	chmod(path->buf, S_IRWXU); /* a test may have taken our rights */
	d = opendir(path->buf);
	if (!d)
		return -1;
	for (de = readdir(d); de; de = readdir(d)) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strbuf_addf(path, "/%s", de->d_name) || remove_tree(path))
			rc = -1;
		strbuf_setlen(path, len);
	}
	closedir(d);
	if (rmdir(path->buf))
		rc = -1;
	return rc;
}

int scratch_remove(struct scratch *s)
{
	int rc = 0;

	store_close(s->st);
	s->st = NULL;
	if (s->dir.len && remove_tree(&s->dir)) {
		print_error("scratch: cannot remove all of %s\n", s->dir.buf);
		rc = -1;
	}
	strbuf_release(&s->dir);
	strbuf_release(&s->db);
	strbuf_release(&s->path);
	return rc;
}

static int setup(void **state, int with_store, const char *name)
{
	struct scratch *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	if (with_store ? scratch_make_store(s) : scratch_make(s)) {
		free(s);
		return -1;
	}
	if (name && strbuf_addf(&s->path, "%s/%s", s->dir.buf, name)) {
		scratch_remove(s);
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

int scratch_setup(void **state)
{
	return setup(state, 0, NULL);
}

int scratch_setup_store(void **state)
{
	return setup(state, 1, NULL);
}

int scratch_setup_path(void **state)
{
	const char *name = *state;

	if (!name) {
		print_error("scratch: scratch_setup_path wants a prestate\n");
		return -1;
	}
	return setup(state, 0, name);
}

int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	int rc = scratch_remove(s);

	free(s);
	return rc;
}
