/*
 * secret: secrets from the environment or a file, never echoed; keys as
 * hex or any base64, white space around them ignored, the wrong ones
 * refused by their length alone, all zeros refused, and a key that fails
 * left zeroed. Each test works in a fresh temporary folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "logging.h"
#include "scratch.h"
#include "secret.h"

/* The bytes 0, 1, ... 31 as hex, base64 and base64url without padding. */
#define HEX_KEY                                                                \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define B64_KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define URL_KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void assert_key_is_0_to_31(const unsigned char *key)
{
	unsigned char want[SECRET_KEY_BYTES];

	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (unsigned char)i;
	assert_memory_equal(key, want, sizeof(want));
}

static void assert_zero(const unsigned char *key)
{
	unsigned char zero[SECRET_KEY_BYTES] = {0};

	assert_memory_equal(key, zero, sizeof(zero));
}

/* Text a key parse refuses: DG_EINVAL, msg, key left zeroed. */
static void assert_bad_key(const char *text, const char *msg)
{
	unsigned char key[SECRET_KEY_BYTES];
	struct dg_err err = DG_ERR_INIT;

	memset(key, 0xaa, sizeof(key));
	assert_int_equal(secret_key_parse(text, "the test key", key, NULL, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, msg);
	assert_zero(key);
}

/* ---- reading a secret ---------------------------------------------------- */

static void test_secret__secret_from_the_environment(void **state)
{
	struct secret s = {.env = "TEST_CONFIG_SECRET"};
	struct dg_err err = DG_ERR_INIT;
	char *value;

	assert_int_equal(setenv("TEST_CONFIG_SECRET", "s3cret", 1), 0);
	assert_int_equal(
		secret_read(&s, "[smtp] password", &value, &err), 0);
	assert_string_equal(value, "s3cret");
	free(value);
	unsetenv("TEST_CONFIG_SECRET");
}

static void test_secret__unset_variable_is_named(void **state)
{
	struct secret s = {.env = "TEST_CONFIG_NOT_SET"};
	struct dg_err err = DG_ERR_INIT;
	char *value;

	unsetenv("TEST_CONFIG_NOT_SET");
	assert_int_equal(
		secret_read(&s, "[smtp] password", &value, &err),
		DG_ENOTFOUND);
	assert_null(value);
	assert_string_equal(err.msg, "[smtp] password: environment variable "
				     "TEST_CONFIG_NOT_SET is not set");
}

static void test_secret__empty_variable_is_refused(void **state)
{
	struct secret s = {.env = "TEST_CONFIG_EMPTY"};
	struct dg_err err = DG_ERR_INIT;
	char *value;

	assert_int_equal(setenv("TEST_CONFIG_EMPTY", "", 1), 0);
	assert_int_equal(
		secret_read(&s, "[graph] client_secret", &value, &err),
		DG_ENOTFOUND);
	assert_string_equal(err.msg, "[graph] client_secret: environment "
				     "variable TEST_CONFIG_EMPTY is empty");
	unsetenv("TEST_CONFIG_EMPTY");
}

static int warnings;

static void count_warnings(enum logging_level level, const char *msg, void *ctx)
{
	if (level == LOGGING_WARN && !strstr(msg, "hunter2"))
		warnings++;
}

static void test_secret__secret_file_gives_its_first_line(void **state)
{
	struct scratch *s = *state;
	char path[128];
	struct secret sec = {.file = path};
	struct dg_err err = DG_ERR_INIT;
	char *value;

	snprintf(path, sizeof(path), "%s/secret", s->dir.buf);
	write_file(path, "hunter2\r\nsecond line\n", 0600);
	warnings = 0;
	logging_set_routine(count_warnings, NULL);
	assert_int_equal(
		secret_read(&sec, "[smtp] password", &value, &err), 0);
	logging_set_routine(NULL, NULL);
	assert_string_equal(value, "hunter2");
	assert_int_equal(warnings, 0);
	free(value);
}

static void test_secret__secret_file_readable_by_others_warns(void **state)
{
	struct scratch *s = *state;
	char path[128];
	struct secret sec = {.file = path};
	struct dg_err err = DG_ERR_INIT;
	char *value;

	snprintf(path, sizeof(path), "%s/secret", s->dir.buf);
	write_file(path, "hunter2", 0644);
	warnings = 0;
	logging_set_routine(count_warnings, NULL);
	assert_int_equal(
		secret_read(&sec, "[smtp] password", &value, &err), 0);
	logging_set_routine(NULL, NULL);
	assert_string_equal(value, "hunter2");
	assert_int_equal(warnings, 1);
	free(value);
}

static void test_secret__missing_secret_file_is_named(void **state)
{
	struct secret sec = {.file = "/nonexistent/secret"};
	struct dg_err err = DG_ERR_INIT;
	char *value;

	assert_int_equal(
		secret_read(&sec, "[smtp] password", &value, &err),
		DG_EIO);
	assert_string_equal(err.msg, "[smtp] password: cannot read "
				     "/nonexistent/secret: No such file or "
				     "directory");
}

static void test_secret__empty_secret_file_is_refused(void **state)
{
	struct scratch *s = *state;
	char path[128], want[256];
	struct secret sec = {.file = path};
	struct dg_err err = DG_ERR_INIT;
	char *value;

	snprintf(path, sizeof(path), "%s/secret", s->dir.buf);
	write_file(path, "\nhunter2\n", 0600);
	assert_int_equal(
		secret_read(&sec, "[smtp] password", &value, &err),
		DG_ENOTFOUND);
	snprintf(want, sizeof(want),
		 "[smtp] password: the first line of %s is empty", path);
	assert_string_equal(err.msg, want);
	assert_null(strstr(err.msg, "hunter2"));
}

static void test_secret__unconfigured_secret_says_so(void **state)
{
	struct secret sec = {.env = NULL, .file = NULL};
	struct dg_err err = DG_ERR_INIT;
	char *value;

	assert_false(secret_isset(&sec));
	assert_int_equal(
		secret_read(&sec, "[smtp] password", &value, &err),
		DG_ENOTFOUND);
	assert_string_equal(err.msg, "[smtp] password is not configured: "
				     "name an environment variable (*_env) "
				     "or a file (*_file)");
}


/* ---- keys ---------------------------------------------------------------- */

static void test_secret__key_is_read_as_hex_base64_or_base64url(void **state)
{
	const char *const texts[] = {HEX_KEY, B64_KEY, URL_KEY,
				     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
				     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="};
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		unsigned char key[SECRET_KEY_BYTES];

		assert_int_equal(
			secret_key_parse(texts[i], "k", key, NULL, &err), 0);
		assert_key_is_0_to_31(key);
	}
}

static void test_secret__base64url_alphabet_is_read(void **state)
{
	/* 0xfb 0xef 0xbe ...: '-' in base64url is '+' in base64 */
	unsigned char url[SECRET_KEY_BYTES], std[SECRET_KEY_BYTES];
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(secret_key_parse("--------------------------------"
					  "----------8",
					  "k", url, NULL, &err),
			 0);
	assert_int_equal(secret_key_parse("++++++++++++++++++++++++++++++++"
					  "++++++++++8",
					  "k", std, NULL, &err),
			 0);
	assert_int_equal(url[0], 0xfb);
	assert_memory_equal(url, std, sizeof(url));
}

static void test_secret__white_space_around_a_key_is_ignored(void **state)
{
	unsigned char key[SECRET_KEY_BYTES];
	struct secret_key_form form;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(secret_key_parse(" \t" HEX_KEY "\r\n", "k", key,
					  &form, &err),
			 0);
	assert_key_is_0_to_31(key);
	assert_int_equal(form.chars, 64);
	assert_int_equal(form.bytes, SECRET_KEY_BYTES);
	assert_false(form.zero);
}

static void
test_secret__key_of_wrong_length_says_its_length_not_its_value(void **state)
{
	(void)state;
	assert_bad_key("c2hvcnQta2V5LXZhbHVl",
		       "the test key must be 32 bytes written as 64 hex "
		       "digits or in base64; it decodes to 15 bytes (make one "
		       "with: openssl rand -hex 32)");
	/* base64 of 31 bytes */
	assert_bad_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",
		       "the test key must be 32 bytes written as 64 hex "
		       "digits or in base64; it decodes to 31 bytes (make one "
		       "with: openssl rand -hex 32)");
	/* 64 characters, one not hex: base64 of 48 bytes */
	assert_bad_key("000102030405060708090a0b0c0d0e0f"
		       "101112131415161718191a1b1c1d1e1g",
		       "the test key must be 32 bytes written as 64 hex "
		       "digits or in base64; it decodes to 48 bytes (make one "
		       "with: openssl rand -hex 32)");
}

static void test_secret__key_that_is_no_encoding_is_refused(void **state)
{
	const char *const texts[] = {"not a key!", "", "   ", NULL,
				     HEX_KEY HEX_KEY HEX_KEY "00"};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
		assert_bad_key(texts[i],
			       "the test key must be 32 bytes written as 64 "
			       "hex digits or in base64; it is neither (make "
			       "one with: openssl rand -hex 32)");
}

static void test_secret__key_of_all_zeros_is_refused(void **state)
{
	unsigned char key[SECRET_KEY_BYTES];
	struct secret_key_form form;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_bad_key("0000000000000000000000000000000000000000000000000000"
		       "000000000000",
		       "the test key is all zeros: make one with `openssl "
		       "rand -hex 32`");
	assert_int_equal(secret_key_parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
					  "AAAAAAAAAAA=",
					  "k", key, &form, &err),
			 DG_EINVAL);
	assert_true(form.zero);
	assert_int_equal(form.bytes, SECRET_KEY_BYTES);
}

static void test_secret__form_says_what_a_refused_text_was(void **state)
{
	unsigned char key[SECRET_KEY_BYTES];
	struct secret_key_form form;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(secret_key_parse(" hunter2!\n", "k", key, &form, &err),
			 DG_EINVAL);
	assert_int_equal(form.chars, 8);
	assert_int_equal(form.bytes, 0);
	assert_false(form.zero);
	assert_null(strstr(err.msg, "hunter2"));
}

static void test_secret__key_is_read_from_a_file(void **state)
{
	struct scratch *s = *state;
	struct secret sec = {.file = s->path.buf};
	unsigned char key[SECRET_KEY_BYTES];
	struct dg_err err = DG_ERR_INIT;

	write_file(s->path.buf, HEX_KEY "\n", 0600);
	assert_int_equal(secret_key_read(&sec, "[graph] token key", key, &err),
			 0);
	assert_key_is_0_to_31(key);
}

static void test_secret__key_read_names_where_and_what(void **state)
{
	struct secret env = {.env = "TEST_SECRET_KEY"};
	unsigned char key[SECRET_KEY_BYTES];
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(setenv("TEST_SECRET_KEY", "short", 1), 0);
	memset(key, 0xaa, sizeof(key));
	assert_int_equal(secret_key_read(&env, "[graph] token key", key, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg,
			    "[graph] token key must be 32 bytes written as 64 "
			    "hex digits or in base64; it is neither (make one "
			    "with: openssl rand -hex 32)");
	assert_zero(key);
	unsetenv("TEST_SECRET_KEY");
	memset(key, 0xaa, sizeof(key));
	assert_int_equal(secret_key_read(&env, "[graph] token key", key, &err),
			 DG_ENOTFOUND);
	assert_string_equal(err.msg, "[graph] token key: environment variable "
				     "TEST_SECRET_KEY is not set");
	assert_zero(key);
}

/* ---- ownership ----------------------------------------------------------- */

static void test_secret__release_leaves_it_unset(void **state)
{
	struct secret s = SECRET_INIT;

	(void)state;
	assert_false(secret_isset(&s));
	s.env = strdup("VAR");
	assert_non_null(s.env);
	assert_true(secret_isset(&s));
	secret_release(&s);
	assert_false(secret_isset(&s));
	secret_release(&s);
	secret_wipe(NULL);
}

/* A scratch folder per test, its path <dir>/secret. */
#define T(f)                                                                   \
	cmocka_unit_test_prestate_setup_teardown(f, scratch_setup_path,        \
						 scratch_teardown, "secret")

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_secret__secret_from_the_environment),
		T(test_secret__unset_variable_is_named),
		T(test_secret__empty_variable_is_refused),
		T(test_secret__secret_file_gives_its_first_line),
		T(test_secret__secret_file_readable_by_others_warns),
		T(test_secret__missing_secret_file_is_named),
		T(test_secret__empty_secret_file_is_refused),
		T(test_secret__unconfigured_secret_says_so),
		T(test_secret__key_is_read_as_hex_base64_or_base64url),
		T(test_secret__base64url_alphabet_is_read),
		T(test_secret__white_space_around_a_key_is_ignored),
		T(test_secret__key_of_wrong_length_says_its_length_not_its_value),
		T(test_secret__key_that_is_no_encoding_is_refused),
		T(test_secret__key_of_all_zeros_is_refused),
		T(test_secret__form_says_what_a_refused_text_was),
		T(test_secret__key_is_read_from_a_file),
		T(test_secret__key_read_names_where_and_what),
		T(test_secret__release_leaves_it_unset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
