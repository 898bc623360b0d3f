/*
 * maildir: a message lands whole in new/ under a unique name, with LF
 * line ends, tmp/ left empty; a folder that cannot be made or written is
 * named in the error. Each test works in a fresh temporary folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "maildir.h"
#include "scratch.h"
#include "strbuf.h"

#define NOW 1795503600123LL /* Tue, 24 Nov 2026 07:00:00.123 UTC */
#define MSG "Subject: hi\r\n\r\nline 1\r\nbare\rcr\r\nlast"

/* The names in folder <base>/<sub>, sorted, one per line. */
static void list(const char *base, const char *sub, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent **names = NULL;
	int n, i;

	strbuf_reset(out);
	assert_int_equal(strbuf_addf(&path, "%s/%s", base, sub), 0);
	n = scandir(path.buf, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") &&
		    strcmp(names[i]->d_name, ".."))
			assert_int_equal(
				strbuf_addf(out, "%s\n", names[i]->d_name), 0);
		free(names[i]);
	}
	free(names);
	strbuf_release(&path);
}

static void deliver(const struct scratch *f, struct strbuf *name)
{
	struct dg_err err = DG_ERR_INIT;

	if (maildir_deliver(f->path.buf, MSG, strlen(MSG), NOW, name, &err))
		fail_msg("maildir_deliver: %s", err.msg);
}

static void test_maildir__message_lands_in_new_and_tmp_is_empty(void **state)
{
	struct scratch *f = *state;
	struct strbuf name = STRBUF_INIT;
	struct strbuf expect = STRBUF_INIT;
	struct strbuf got = STRBUF_INIT;

	deliver(f, &name);
	list(f->path.buf, "new", &got);
	assert_int_equal(strbuf_addf(&expect, "%s\n", name.buf), 0);
	assert_string_equal(got.buf, expect.buf);
	list(f->path.buf, "tmp", &got);
	assert_string_equal(got.buf, "");
	list(f->path.buf, "cur", &got);
	assert_string_equal(got.buf, "");
	strbuf_release(&name);
	strbuf_release(&expect);
	strbuf_release(&got);
}

static void test_maildir__content_has_lf_line_ends_only(void **state)
{
	struct scratch *f = *state;
	struct strbuf name = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT;
	struct strbuf content = STRBUF_INIT;

	deliver(f, &name);
	assert_int_equal(strbuf_addf(&path, "%s/new/%s", f->path.buf, name.buf),
			 0);
	assert_int_equal(strbuf_read_file(&content, path.buf), 0);
	/* CRLF becomes LF; a lone CR and the unterminated last line stay */
	assert_string_equal(content.buf,
			    "Subject: hi\n\nline 1\nbare\rcr\nlast");
	strbuf_release(&name);
	strbuf_release(&path);
	strbuf_release(&content);
}

static void test_maildir__name_follows_the_maildir_rules(void **state)
{
	struct scratch *f = *state;
	struct strbuf name = STRBUF_INIT;
	struct strbuf expect = STRBUF_INIT;
	char host[256] = "";
	char *end;

	deliver(f, &name);
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	assert_null(strpbrk(host, "/:")); /* escaping has its own test */
	assert_int_equal(
		strbuf_addf(&expect, "1795503600.M123000P%ldQ", (long)getpid()),
		0);
	assert_int_equal(strncmp(name.buf, expect.buf, expect.len), 0);
	assert_true(strtoul(name.buf + expect.len, &end, 10) > 0);
	assert_int_equal(*end, '.');
	assert_string_equal(end + 1, host);
	strbuf_release(&name);
	strbuf_release(&expect);
}

static void test_maildir__two_deliveries_get_two_names(void **state)
{
	struct scratch *f = *state;
	struct strbuf a = STRBUF_INIT;
	struct strbuf b = STRBUF_INIT;
	struct strbuf got = STRBUF_INIT;

	deliver(f, &a);
	deliver(f, &b); /* the same clock, to the millisecond */
	assert_string_not_equal(a.buf, b.buf);
	list(f->path.buf, "new", &got);
	assert_int_equal(got.len, a.len + b.len + 2);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&got);
}

static void test_maildir__a_name_taken_in_tmp_moves_to_the_next(void **state)
{
	struct scratch *f = *state;
	struct strbuf first = STRBUF_INIT;
	struct strbuf taken = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT;
	struct strbuf got = STRBUF_INIT;
	unsigned long q;
	char *end;
	FILE *fp;

	/* the next count after the first delivery is planted in tmp/ */
	deliver(f, &first);
	q = strtoul(strchr(first.buf, 'Q') + 1, &end, 10);
	assert_int_equal(strbuf_addstr(&taken, first.buf), 0);
	strbuf_setlen(&taken, (size_t)(strchr(first.buf, 'Q') - first.buf));
	assert_int_equal(strbuf_addf(&taken, "Q%lu%s", q + 1, end), 0);
	assert_int_equal(
		strbuf_addf(&path, "%s/tmp/%s", f->path.buf, taken.buf), 0);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	fclose(fp);
	deliver(f, &got);
	assert_string_not_equal(got.buf, taken.buf);
	list(f->path.buf, "new", &got);
	assert_null(strstr(got.buf, taken.buf));
	strbuf_release(&first);
	strbuf_release(&taken);
	strbuf_release(&path);
	strbuf_release(&got);
}

static void test_maildir__host_slash_and_colon_are_escaped(void **state)
{
	struct strbuf name = STRBUF_INIT;
	struct strbuf expect = STRBUF_INIT;

	assert_int_equal(maildir_name(NOW, 7, "mail/x:y.example", &name), 0);
	assert_int_equal(strbuf_addf(&expect,
				     "1795503600.M123000P%ldQ7."
				     "mail\\057x\\072y.example",
				     (long)getpid()),
			 0);
	assert_string_equal(name.buf, expect.buf);
	strbuf_release(&name);
	strbuf_release(&expect);
}

static void test_maildir__missing_folders_are_made_private(void **state)
{
	struct scratch *f = *state;
	static const char *const subs[] = {"", "/tmp", "/new", "/cur"};
	struct strbuf path = STRBUF_INIT;
	struct stat sb;
	size_t i;

	deliver(f, NULL);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		strbuf_reset(&path);
		assert_int_equal(
			strbuf_addf(&path, "%s%s", f->path.buf, subs[i]), 0);
		assert_int_equal(stat(path.buf, &sb), 0);
		assert_true(S_ISDIR(sb.st_mode));
		assert_int_equal(sb.st_mode & 0777, 0700);
	}
	strbuf_release(&path);
}

static void test_maildir__folder_under_a_file_is_named(void **state)
{
	struct scratch *f = *state;
	struct strbuf file = STRBUF_INIT;
	struct strbuf dir = STRBUF_INIT;
	struct strbuf expect = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	FILE *fp;

	assert_int_equal(strbuf_addf(&file, "%s/plain", f->dir.buf), 0);
	fp = fopen(file.buf, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(strbuf_addf(&dir, "%s/Maildir", file.buf), 0);
	assert_int_equal(
		maildir_deliver(dir.buf, MSG, strlen(MSG), NOW, NULL, &err),
		DG_EIO);
	assert_int_equal(strbuf_addf(&expect,
				     "cannot create maildir folder %s: "
				     "Not a directory",
				     dir.buf),
			 0);
	assert_string_equal(err.msg, expect.buf);
	strbuf_release(&file);
	strbuf_release(&dir);
	strbuf_release(&expect);
}

static void test_maildir__tmp_that_is_not_a_folder_is_named(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct strbuf expect = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	FILE *fp;

	assert_int_equal(mkdir(f->path.buf, 0700), 0);
	assert_int_equal(strbuf_addf(&path, "%s/tmp", f->path.buf), 0);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(
		maildir_deliver(f->path.buf, MSG, strlen(MSG), NOW, NULL, &err),
		DG_EIO);
	assert_int_equal(strbuf_addf(&expect, "cannot write %s/", path.buf), 0);
	assert_int_equal(strncmp(err.msg, expect.buf, expect.len), 0);
	assert_non_null(strstr(err.msg, ": Not a directory"));
	strbuf_release(&path);
	strbuf_release(&expect);
}

static void test_maildir__new_that_is_not_a_folder_leaves_no_tmp(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct strbuf got = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	FILE *fp;

	assert_int_equal(mkdir(f->path.buf, 0700), 0);
	assert_int_equal(strbuf_addf(&path, "%s/new", f->path.buf), 0);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(
		maildir_deliver(f->path.buf, MSG, strlen(MSG), NOW, NULL, &err),
		DG_EIO);
	assert_int_equal(strncmp(err.msg, "cannot move ", 12), 0);
	assert_non_null(strstr(err.msg, path.buf));
	assert_non_null(strstr(err.msg, ": Not a directory"));
	list(f->path.buf, "tmp", &got);
	assert_string_equal(got.buf, "");
	strbuf_release(&path);
	strbuf_release(&got);
}

static void test_maildir__unwritable_folder_is_named(void **state)
{
	struct scratch *f = *state;
	struct strbuf expect = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (!geteuid())
		skip(); /* root writes anywhere */
	assert_int_equal(chmod(f->dir.buf, 0500), 0);
	assert_int_equal(
		maildir_deliver(f->path.buf, MSG, strlen(MSG), NOW, NULL, &err),
		DG_EIO);
	assert_int_equal(strbuf_addf(&expect,
				     "cannot create maildir folder %s: "
				     "Permission denied",
				     f->path.buf),
			 0);
	assert_string_equal(err.msg, expect.buf);
	strbuf_release(&expect);
}

/* A scratch folder per test, its path <dir>/Maildir (not made). */
#define T(name)                                                                \
	cmocka_unit_test_prestate_setup_teardown(name, scratch_setup_path,     \
						 scratch_teardown, "Maildir")

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_maildir__message_lands_in_new_and_tmp_is_empty),
		T(test_maildir__content_has_lf_line_ends_only),
		T(test_maildir__name_follows_the_maildir_rules),
		T(test_maildir__two_deliveries_get_two_names),
		T(test_maildir__a_name_taken_in_tmp_moves_to_the_next),
		T(test_maildir__host_slash_and_colon_are_escaped),
		T(test_maildir__missing_folders_are_made_private),
		T(test_maildir__folder_under_a_file_is_named),
		T(test_maildir__tmp_that_is_not_a_folder_is_named),
		T(test_maildir__new_that_is_not_a_folder_leaves_no_tmp),
		T(test_maildir__unwritable_folder_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
