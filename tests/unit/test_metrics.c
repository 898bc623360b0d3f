/*
 * metrics: the text format of a run's numbers, and the atomic replacement
 * of the textfile that keeps the last success time across failed runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"
#include "scratch.h"
#include "strbuf.h"

#define END_MS ((int64_t)1795428000042) /* 2026-11-23T10:00:00.042Z */

static const struct metrics_count outcomes[] = {
	{ "sent", 5 }, { "skipped", 3 }, { "failed", 1 }
};
static const struct metrics_count skips[] = {
	{ "out_of_office", 2 }, { "no_meetings", 1 }
};
static const struct metrics_count replies[] = {
	{ "2xx", 5 }, { "4xx", 1 }, { "5xx", 0 }, { "none", 0 }
};

static struct metrics_run sample(bool success)
{
	struct metrics_run m = METRICS_RUN_INIT;

	m.end_ms = END_MS;
	m.duration_ms = 1234;
	m.success = success;
	m.outcomes = outcomes;
	m.noutcomes = 3;
	m.skips = skips;
	m.nskips = 2;
	m.smtp_replies = replies;
	m.nsmtp_replies = 4;
	m.queue_depth = 1;
	m.graph_requests = 120;
	m.graph_throttled = 7;
	return m;
}

/* The file at path, NUL-terminated; yours. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(fp);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void assert_line(const char *text, const char *line)
{
	const char *p;

	for (p = strstr(text, line); p; p = strstr(p + 1, line))
		if ((p == text || p[-1] == '\n') && p[strlen(line)] == '\n')
			return;
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void test_metrics__format_has_every_family_and_value(void **state)
{
	struct metrics_run m = sample(true);
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(metrics_format(&out, &m, END_MS), 0);
	assert_line(out.buf, "# TYPE digest_last_run_digests gauge");
	assert_line(out.buf, "digest_last_run_digests{outcome=\"sent\"} 5");
	assert_line(out.buf, "digest_last_run_digests{outcome=\"failed\"} 1");
	assert_line(out.buf, "digest_last_run_skipped_digests"
			     "{reason=\"out_of_office\"} 2");
	assert_line(out.buf, "digest_last_run_smtp_replies{class=\"4xx\"} 1");
	assert_line(out.buf, "digest_queue_depth 1");
	assert_line(out.buf, "digest_last_run_graph_requests 120");
	assert_line(out.buf, "digest_last_run_graph_throttled 7");
	assert_line(out.buf, "digest_last_run_duration_seconds 1.234");
	assert_line(out.buf, "digest_last_run_success 1");
	assert_line(out.buf,
		    "digest_last_run_timestamp_seconds 1795428000.042");
	assert_line(out.buf,
		    "digest_last_success_timestamp_seconds 1795428000.042");
	strbuf_release(&out);
}

static void test_metrics__families_without_values_are_left_out(void **state)
{
	struct metrics_run m = sample(false);
	struct strbuf out = STRBUF_INIT;

	m.nskips = 0;
	m.nsmtp_replies = 0;
	assert_int_equal(metrics_format(&out, &m, 0), 0);
	assert_null(strstr(out.buf, "digest_last_run_skipped_digests"));
	assert_null(strstr(out.buf, "digest_last_run_smtp_replies"));
	/* No success known: no time to compare with, rather than 0. */
	assert_null(strstr(out.buf, "digest_last_success_timestamp_seconds"));
	assert_line(out.buf, "digest_last_run_success 0");
	strbuf_release(&out);
}

static void test_metrics__label_values_are_escaped(void **state)
{
	static const struct metrics_count odd[] = { { "a\"b\\c\nd", 1 } };
	struct metrics_run m = sample(true);
	struct strbuf out = STRBUF_INIT;

	m.skips = odd;
	m.nskips = 1;
	assert_int_equal(metrics_format(&out, &m, END_MS), 0);
	assert_line(out.buf, "digest_last_run_skipped_digests"
			     "{reason=\"a\\\"b\\\\c\\nd\"} 1");
	strbuf_release(&out);
}

static void test_metrics__write_replaces_the_file_readable_by_all(void **state)
{
	struct scratch *f = *state;
	struct metrics_run m = sample(true);
	struct dg_err err = DG_ERR_INIT;
	struct dirent *e;
	struct stat st;
	char *text;
	DIR *d;
	int files = 0;

	assert_int_equal(metrics_write(f->path.buf, &m, &err), 0);
	m.queue_depth = 9;
	assert_int_equal(metrics_write(f->path.buf, &m, &err), 0);
	text = slurp(f->path.buf);
	assert_line(text, "digest_queue_depth 9");
	assert_null(strstr(text, "digest_queue_depth 1\n"));
	free(text);
	assert_int_equal(stat(f->path.buf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* No temporary file is left beside it. */
	d = opendir(f->dir.buf);
	assert_non_null(d);
	while ((e = readdir(d)))
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1);
}

static void test_metrics__failed_run_keeps_the_last_success_time(void **state)
{
	struct scratch *f = *state;
	struct metrics_run m = sample(true);
	struct dg_err err = DG_ERR_INIT;
	char *text;

	assert_int_equal(metrics_write(f->path.buf, &m, &err), 0);
	assert_int_equal(metrics_last_success(f->path.buf), END_MS);
	m = sample(false);
	m.end_ms = END_MS + 3600000;
	assert_int_equal(metrics_write(f->path.buf, &m, &err), 0);
	text = slurp(f->path.buf);
	assert_line(text, "digest_last_run_success 0");
	assert_line(text,
		    "digest_last_run_timestamp_seconds 1795431600.042");
	assert_line(text,
		    "digest_last_success_timestamp_seconds 1795428000.042");
	free(text);
}

static void test_metrics__no_old_file_means_no_last_success(void **state)
{
	struct scratch *f = *state;

	assert_int_equal(metrics_last_success(f->path.buf), 0);
}

static void test_metrics__write_into_a_missing_folder_says_where(void **state)
{
	struct scratch *f = *state;
	struct metrics_run m = sample(true);
	struct dg_err err = DG_ERR_INIT;
	char path[192];

	snprintf(path, sizeof(path), "%s/no/such/digest.prom", f->dir.buf);
	assert_int_equal(metrics_write(path, &m, &err), DG_EIO);
	assert_non_null(strstr(err.msg, "/no/such/digest.prom"));
	assert_non_null(strstr(err.msg, "No such file or directory"));
}

/* A scratch folder per test, its path <dir>/digest.prom. */
#define T(fn)                                                                  \
	cmocka_unit_test_prestate_setup_teardown(fn, scratch_setup_path,       \
						 scratch_teardown,             \
						 "digest.prom")

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_metrics__format_has_every_family_and_value),
		T(test_metrics__families_without_values_are_left_out),
		T(test_metrics__label_values_are_escaped),
		T(test_metrics__write_replaces_the_file_readable_by_all),
		T(test_metrics__failed_run_keeps_the_last_success_time),
		T(test_metrics__no_old_file_means_no_last_success),
		T(test_metrics__write_into_a_missing_folder_says_where),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
