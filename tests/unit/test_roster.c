/*
 * roster: CSV and JSON lines read into people; every refusal names the
 * file and the line where the bad row starts, and refuses the whole file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "roster.h"
#include "roster_csv.h"
#include "roster_db.h"
#include "roster_import.h"
#include "roster_jsonl.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"

static struct roster read_csv_ok(const char *text)
{
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (roster_read_csv(text, strlen(text), "roster.csv", &r, &err))
		fail_msg("roster_read_csv: %s", err.msg);
	return r;
}

static struct roster read_jsonl_ok(const char *text)
{
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (roster_read_jsonl(text, strlen(text), "roster.jsonl", &r, &err))
		fail_msg("roster_read_jsonl: %s", err.msg);
	return r;
}

/*
 * Read text that must be refused with exactly message; the roster must
 * stay empty (a bad row refuses the whole file).
 */
static void csv_refused(const char *text, const char *message)
{
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_true(roster_read_csv(text, strlen(text), "roster.csv", &r,
				    &err) < 0);
	assert_string_equal(err.msg, message);
	assert_int_equal(r.n, 0);
	assert_null(r.v);
}

static void jsonl_refused(const char *text, const char *message)
{
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_true(roster_read_jsonl(text, strlen(text), "roster.jsonl", &r,
				      &err) < 0);
	assert_string_equal(err.msg, message);
	assert_int_equal(r.n, 0);
	assert_null(r.v);
}

/* Happy paths: CSV. */

static void test_roster__csv_reads_each_column_into_a_person(void **state)
{
	struct roster r = read_csv_ok(
		"email,name,title,aliases,opt_out,disc,enneagram\n"
		"ann@contoso.com,Ann Smith,CFO,a.smith@contoso.com,no,D,3\n"
		"bob@contoso.com,Bob,,,yes,S,\n");

	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].email, "ann@contoso.com");
	assert_string_equal(r.v[0].name, "Ann Smith");
	assert_string_equal(r.v[0].title, "CFO");
	assert_int_equal(r.v[0].naliases, 1);
	assert_string_equal(r.v[0].aliases[0], "a.smith@contoso.com");
	assert_false(r.v[0].opt_out);
	assert_int_equal(r.v[0].nassessments, 2);
	assert_string_equal(r.v[0].assessments[0].name, "disc");
	assert_string_equal(r.v[0].assessments[0].value, "D");
	assert_string_equal(r.v[0].assessments[1].name, "enneagram");
	assert_string_equal(r.v[0].assessments[1].value, "3");
	assert_int_equal(r.v[0].line, 2);
	assert_string_equal(r.v[1].title, "");
	assert_true(r.v[1].opt_out);
	assert_int_equal(r.v[1].line, 3);
	roster_release(&r);
}

static void test_roster__csv_quoted_fields_keep_commas_and_quotes(void **state)
{
	struct roster r = read_csv_ok(
		"email,name,title\n"
		"ann@contoso.com,\"Smith, Ann\",\"VP \"\"Growth\"\"\"\n");

	assert_string_equal(r.v[0].name, "Smith, Ann");
	assert_string_equal(r.v[0].title, "VP \"Growth\"");
	roster_release(&r);
}

static void test_roster__csv_utf8_bom_is_skipped(void **state)
{
	struct roster r = read_csv_ok("\xef\xbb\xbf"
				      "email,name\n"
				      "ann@contoso.com,Ann\n");

	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].email, "ann@contoso.com");
	roster_release(&r);
}

static void test_roster__csv_crlf_line_ends_are_read_like_lf(void **state)
{
	struct roster r = read_csv_ok("email,name,disc\r\n"
				      "ann@contoso.com,Ann,D\r\n"
				      "bob@contoso.com,Bob,S\r\n");

	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].name, "Ann");
	assert_string_equal(r.v[1].assessments[0].value, "S");
	assert_int_equal(r.v[1].line, 3);
	roster_release(&r);
}

static void
test_roster__csv_multi_line_quoted_title_counts_its_lines(void **state)
{
	struct roster r = read_csv_ok("email,title\r\n"
				      "ann@contoso.com,\"Head of\r\nSales\"\r\n"
				      "bob@contoso.com,CTO\r\n");

	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "Head of\nSales");
	assert_int_equal(r.v[0].line, 2);
	assert_int_equal(r.v[1].line, 4);
	roster_release(&r);
}

static void
test_roster__csv_aliases_are_split_on_semicolons_and_trimmed(void **state)
{
	struct roster r = read_csv_ok("email,aliases\n"
				      "ann@contoso.com,\" a.smith@contoso.com "
				      "; ann@fabrikam.com;\"\n");

	assert_int_equal(r.v[0].naliases, 2);
	assert_string_equal(r.v[0].aliases[0], "a.smith@contoso.com");
	assert_string_equal(r.v[0].aliases[1], "ann@fabrikam.com");
	roster_release(&r);
}

static void
test_roster__csv_alias_repeating_the_own_email_is_dropped(void **state)
{
	struct roster r = read_csv_ok("email,aliases\n"
				      "ann@contoso.com,ANN@contoso.com;"
				      "a@contoso.com;A@contoso.com\n");

	assert_int_equal(r.v[0].naliases, 1);
	assert_string_equal(r.v[0].aliases[0], "a@contoso.com");
	roster_release(&r);
}

static void test_roster__csv_empty_assessment_cell_means_no_result(void **state)
{
	struct roster r = read_csv_ok("email,disc,enneagram\n"
				      "ann@contoso.com,,7\n");

	assert_int_equal(r.v[0].nassessments, 1);
	assert_null(roster_person_result(&r.v[0], "disc"));
	assert_string_equal(roster_person_result(&r.v[0], "enneagram"), "7");
	roster_release(&r);
}

static void
test_roster__csv_header_names_are_trimmed_and_lower_cased(void **state)
{
	struct roster r = read_csv_ok(" Email , NAME,DISC \n"
				      "ann@contoso.com,Ann,i\n");

	assert_string_equal(r.v[0].name, "Ann");
	assert_string_equal(r.v[0].assessments[0].name, "disc");
	assert_string_equal(r.v[0].assessments[0].value, "i");
	roster_release(&r);
}

static void test_roster__csv_opt_out_words_and_empty_are_read(void **state)
{
	struct roster r = read_csv_ok("email,opt_out\n"
				      "a@contoso.com,TRUE\n"
				      "b@contoso.com,yes\n"
				      "c@contoso.com,1\n"
				      "d@contoso.com,False\n"
				      "e@contoso.com,NO\n"
				      "f@contoso.com,0\n"
				      "g@contoso.com,\n");

	assert_int_equal(r.n, 7);
	assert_true(r.v[0].opt_out && r.v[1].opt_out && r.v[2].opt_out);
	assert_false(r.v[3].opt_out || r.v[4].opt_out || r.v[5].opt_out ||
		     r.v[6].opt_out);
	roster_release(&r);
}

static void test_roster__csv_digest_and_profile_columns_are_read(void **state)
{
	struct roster r = read_csv_ok("email,digest,profile,opt_out\n"
				      "a@contoso.com,no,visible,\n"
				      "b@contoso.com,yes,Hidden,\n"
				      "c@contoso.com,,,\n"
				      "d@contoso.com,,,true\n");

	assert_int_equal(r.n, 4);
	assert_true(r.v[0].no_digest && !r.v[0].hidden);
	assert_true(!r.v[1].no_digest && r.v[1].hidden);
	/* empty cells: receives digests, profile shown */
	assert_true(!r.v[2].no_digest && !r.v[2].hidden && !r.v[2].opt_out);
	/* opt_out keeps meaning both */
	assert_true(r.v[3].opt_out);
	roster_release(&r);
}

static void test_roster__csv_bad_digest_or_profile_is_refused(void **state)
{
	csv_refused("email,digest\na@contoso.com,maybe\n",
		    "roster.csv:2: digest must be yes or no, not 'maybe'");
	csv_refused("email,profile\na@contoso.com,public\n",
		    "roster.csv:2: profile must be visible or hidden, not "
		    "'public'");
}

static void test_roster__jsonl_digest_and_profile_keys_are_read(void **state)
{
	struct roster r = read_jsonl_ok(
		"{\"email\": \"a@contoso.com\", \"digest\": \"no\"}\n"
		"{\"email\": \"b@contoso.com\", \"digest\": false,"
		" \"profile\": \"hidden\"}\n"
		"{\"email\": \"c@contoso.com\", \"digest\": true,"
		" \"profile\": \"visible\"}\n");

	assert_int_equal(r.n, 3);
	assert_true(r.v[0].no_digest && !r.v[0].hidden);
	assert_true(r.v[1].no_digest && r.v[1].hidden);
	assert_true(!r.v[2].no_digest && !r.v[2].hidden);
	roster_release(&r);
	jsonl_refused("{\"email\": \"a@contoso.com\", \"profile\": 1}\n",
		      "roster.jsonl:1: profile must be hidden or visible, "
		      "not 1");
}

static void
test_roster__csv_blank_lines_and_empty_rows_are_skipped(void **state)
{
	struct roster r = read_csv_ok("\n"
				      "email,name\n"
				      "\n"
				      "ann@contoso.com,Ann\n"
				      "  \n"
				      ",\n"
				      "bob@contoso.com,Bob\n");

	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].line, 4);
	assert_int_equal(r.v[1].line, 7);
	roster_release(&r);
}

static void test_roster__csv_last_row_without_a_line_end_is_read(void **state)
{
	struct roster r = read_csv_ok("email\nann@contoso.com");

	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].email, "ann@contoso.com");
	roster_release(&r);
}

static void test_roster__csv_header_alone_is_an_empty_roster(void **state)
{
	struct roster r = read_csv_ok("email,name,disc\n");

	assert_int_equal(r.n, 0);
	roster_release(&r);
}

/* Refusals: CSV. */

static void test_roster__row_without_email_names_file_and_line(void **state)
{
	csv_refused("email,name\n"
		    "ann@contoso.com,Ann\n"
		    ",Bob\n",
		    "roster.csv:3: row has no email");
}

static void test_roster__invalid_email_names_file_line_and_value(void **state)
{
	csv_refused("email\nann@contoso.com\nbob@@x\n",
		    "roster.csv:3: 'bob@@x' is not an email address");
}

static void
test_roster__address_needs_one_at_local_part_dotted_domain(void **state)
{
	static const char *const bad[] = {
		"ann",	     "@contoso.com", "ann@contoso",
		"ann@.com",  "ann@com.",     "ann@contoso..com",
		"a b@c.com", "<a@c.com>",    "a\x01@c.com",
	};
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&text);
		strbuf_reset(&want);
		assert_int_equal(strbuf_addf(&text, "email\n\"%s\"\n", bad[i]),
				 0);
		assert_int_equal(
			strbuf_addf(
				&want,
				"roster.csv:2: '%s' is not an email address",
				bad[i]),
			0);
		/* a message is one line: controls show as '?' */
		dg_oneline(want.buf);
		csv_refused(text.buf, want.buf);
	}
	csv_refused("email\n\"a,b@c.com\"\n",
		    "roster.csv:2: 'a,b@c.com' is not an email address");
	strbuf_release(&text);
	strbuf_release(&want);
}

static void
test_roster__duplicate_email_names_both_lines_ignoring_case(void **state)
{
	csv_refused("email\n"
		    "x@contoso.com\n"
		    "\n"
		    "ann@contoso.com\n"
		    "bob@contoso.com\n"
		    "Ann@Contoso.COM\n",
		    "roster.csv:6: duplicate email Ann@Contoso.COM (first on "
		    "line 4)");
}

static void
test_roster__alias_equal_to_another_email_is_a_duplicate(void **state)
{
	csv_refused("email,aliases\n"
		    "ann@contoso.com,\n"
		    "bob@contoso.com,ANN@contoso.com\n",
		    "roster.csv:3: duplicate alias ANN@contoso.com (first on "
		    "line 2)");
}

static void
test_roster__alias_equal_to_another_alias_is_a_duplicate(void **state)
{
	csv_refused("email,aliases\n"
		    "ann@contoso.com,sales@contoso.com\n"
		    "bob@contoso.com,bob@fabrikam.com;Sales@contoso.com\n",
		    "roster.csv:3: duplicate alias Sales@contoso.com (first "
		    "on line 2)");
}

static void
test_roster__email_equal_to_an_earlier_alias_is_a_duplicate(void **state)
{
	csv_refused("email,aliases\n"
		    "ann@contoso.com,sales@contoso.com\n"
		    "sales@contoso.com,\n",
		    "roster.csv:3: duplicate email sales@contoso.com (first "
		    "on line 2)");
}

static void test_roster__invalid_alias_names_file_and_line(void **state)
{
	csv_refused("email,aliases\n"
		    "ann@contoso.com,ann at contoso\n",
		    "roster.csv:2: alias 'ann at contoso' is not an email "
		    "address");
}

static void
test_roster__opt_out_other_than_a_boolean_word_is_refused(void **state)
{
	csv_refused("email,opt_out\n"
		    "ann@contoso.com,no\n"
		    "bob@contoso.com,maybe\n",
		    "roster.csv:3: opt_out must be true or false, not 'maybe'");
}

static void test_roster__header_without_email_column_is_refused(void **state)
{
	csv_refused("mail,name\nann@contoso.com,Ann\n",
		    "roster.csv:1: no 'email' column");
}

static void
test_roster__row_with_a_wrong_number_of_fields_is_refused(void **state)
{
	csv_refused("email,name,disc\n"
		    "ann@contoso.com,Ann,D\n"
		    "bob@contoso.com,Bob\n",
		    "roster.csv:3: row has 2 fields but the header has 3");
}

static void
test_roster__unterminated_quote_names_the_line_it_opens(void **state)
{
	csv_refused("email,title\n"
		    "ann@contoso.com,CFO\n"
		    "bob@contoso.com,\"CTO\n"
		    "carol@contoso.com,COO\n",
		    "roster.csv:3: unterminated quote: a quoted field starting "
		    "in this row never ends");
}

static void
test_roster__stray_quote_is_a_strict_csv_error_with_its_line(void **state)
{
	csv_refused("email,title\n"
		    "ann@contoso.com,\"CFO\"x\n",
		    "roster.csv:2: error parsing data while strict checking "
		    "enabled (a field holding '\"' must be quoted, the quote "
		    "doubled)");
}

static void
test_roster__error_after_a_multi_line_row_names_its_line(void **state)
{
	csv_refused("email,title\n"
		    "ann@contoso.com,\"Head\nof\nSales\"\n"
		    "bob@@contoso.com,CTO\n",
		    "roster.csv:5: 'bob@@contoso.com' is not an email address");
}

static void
test_roster__assessment_column_outside_alphabet_is_refused(void **state)
{
	csv_refused("email,../../etc\nann@contoso.com,D\n",
		    "roster.csv:1: column name '../../etc' may only hold "
		    "letters, digits, '_' and '-'");
}

static void test_roster__result_outside_the_alphabet_is_refused(void **state)
{
	csv_refused("email,disc\n"
		    "ann@contoso.com,D\n"
		    "bob@contoso.com,../../passwd\n",
		    "roster.csv:3: disc result '../../passwd' may only hold "
		    "letters, digits, '_', '+' and '-'");
}

static void test_roster__column_named_twice_is_refused(void **state)
{
	csv_refused("email,DISC,disc\nann@contoso.com,D,I\n",
		    "roster.csv:1: column 'disc' appears twice");
}

static void test_roster__column_without_a_name_is_refused(void **state)
{
	csv_refused("email,name,\nann@contoso.com,Ann,x\n",
		    "roster.csv:1: column 3 has no name");
}

static void test_roster__empty_file_is_refused(void **state)
{
	csv_refused("\xef\xbb\xbf\n\n",
		    "roster.csv: the file is empty; a roster needs a header "
		    "row with an 'email' column");
}

static void test_roster__text_that_is_not_utf8_names_its_line(void **state)
{
	csv_refused("email,name\n"
		    "ann@contoso.com,Ann\n"
		    "bob@contoso.com,Bj\xf6rn\n",
		    "roster.csv:3: not UTF-8 text; save the roster as UTF-8");
}

/* Happy paths: JSON lines. */

static void test_roster__jsonl_reads_the_same_keys_as_csv(void **state)
{
	struct roster r = read_jsonl_ok(
		"{\"email\": \"ann@contoso.com\", \"name\": \"Ann\", "
		"\"title\": \"CFO\", \"aliases\": [\"a@contoso.com\"], "
		"\"opt_out\": true, \"DISC\": \"D\", \"enneagram\": 3, "
		"\"big5\": null}\n"
		"\n"
		"{\"email\": \"bob@contoso.com\", \"aliases\": "
		"\"b@contoso.com; bobby@contoso.com\", \"disc\": \"\"}\n");

	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].name, "Ann");
	assert_string_equal(r.v[0].title, "CFO");
	assert_int_equal(r.v[0].naliases, 1);
	assert_true(r.v[0].opt_out);
	assert_int_equal(r.v[0].nassessments, 2);
	assert_string_equal(roster_person_result(&r.v[0], "disc"), "D");
	assert_string_equal(roster_person_result(&r.v[0], "enneagram"), "3");
	assert_int_equal(r.v[0].line, 1);
	assert_string_equal(r.v[1].name, "");
	assert_int_equal(r.v[1].naliases, 2);
	assert_string_equal(r.v[1].aliases[1], "bobby@contoso.com");
	assert_false(r.v[1].opt_out);
	assert_int_equal(r.v[1].nassessments, 0);
	assert_int_equal(r.v[1].line, 3);
	roster_release(&r);
}

/* Refusals: JSON lines. */

static void test_roster__jsonl_invalid_json_names_file_and_line(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\"}\n"
		      "{\"email\": ann}\n",
		      "roster.jsonl:2: not valid JSON: unexpected "
		      "character");
}

static void
test_roster__jsonl_line_ending_inside_an_object_is_refused(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\",\n"
		      "\"name\": \"Ann\"}\n",
		      "roster.jsonl:1: the line ends inside a JSON value; each "
		      "line must hold one whole object");
}

static void test_roster__jsonl_two_objects_on_a_line_are_refused(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\"} {\"email\": "
		      "\"bob@contoso.com\"}\n",
		      "roster.jsonl:1: text after the JSON object; each line "
		      "must hold exactly one");
}

static void
test_roster__jsonl_line_that_is_not_an_object_is_refused(void **state)
{
	jsonl_refused("[\"ann@contoso.com\"]\n",
		      "roster.jsonl:1: each line must be a JSON object");
}

static void test_roster__jsonl_opt_out_must_be_a_boolean(void **state)
{
	jsonl_refused(
		"{\"email\": \"ann@contoso.com\", \"opt_out\": \"maybe\"}\n",
		"roster.jsonl:1: opt_out must be true or false, not "
		"\"maybe\"");
}

static void test_roster__jsonl_aliases_of_another_type_are_refused(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\", \"aliases\": [1]}\n",
		      "roster.jsonl:1: 'aliases' must be a list of strings or "
		      "one ';'-separated string");
}

static void test_roster__jsonl_name_must_be_a_string(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\", \"name\": 7}\n",
		      "roster.jsonl:1: 'name' must be a string");
}

static void test_roster__jsonl_result_must_be_a_string_or_integer(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\", \"disc\": [\"D\"]}\n",
		      "roster.jsonl:1: the disc result must be a string or "
		      "an integer");
}

static void test_roster__jsonl_string_hiding_a_nul_is_refused(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\", \"name\": "
		      "\"Ann\\u0000Evil\"}\n",
		      "roster.jsonl:1: the value of 'name' holds a NUL "
		      "character or a broken \\u escape");
}

static void test_roster__jsonl_key_outside_the_alphabet_is_refused(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\", \"a/b\": \"D\"}\n",
		      "roster.jsonl:1: key 'a/b' may only hold letters, "
		      "digits, '_' and '-'");
}

static void
test_roster__jsonl_key_given_twice_in_two_cases_is_refused(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\", \"Disc\": \"D\", "
		      "\"disc\": \"I\"}\n",
		      "roster.jsonl:1: key 'disc' appears twice");
}

static void test_roster__jsonl_object_without_email_names_its_line(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\"}\n"
		      "\n"
		      "{\"name\": \"Bob\"}\n",
		      "roster.jsonl:3: row has no email");
}

static void test_roster__jsonl_duplicate_email_names_both_lines(void **state)
{
	jsonl_refused("{\"email\": \"ann@contoso.com\"}\n"
		      "{\"email\": \"ANN@contoso.com\"}\n",
		      "roster.jsonl:2: duplicate email ANN@contoso.com (first "
		      "on line 1)");
}

/* The model: a person in a roster is one allocation. */

/* True when s lies in [block, end). */
static bool within(const char *s, const char *block, const char *end)
{
	return s >= block && s < end;
}

static void test_roster__a_pushed_person_is_one_block(void **state)
{
	struct roster r = ROSTER_INIT;
	struct roster_person p = {.line = 7, .hidden = true};
	const struct roster_person *q;
	const char *end;

	(void)state;
	p.email = strdup("ann@contoso.com");
	p.name = strdup("Ann");
	p.title = strdup("");
	assert_non_null(p.email);
	assert_int_equal(roster_person_add_alias(&p, "a.smith@contoso.com"), 0);
	assert_int_equal(roster_person_add_result(&p, "disc", "D"), 0);
	assert_int_equal(roster_person_add_result(&p, "enneagram", "9"), 0);
	assert_int_equal(roster_push(&r, &p), 0);
	assert_null(p.email);
	assert_null(p.block);
	q = &r.v[0];
	assert_non_null(q->block);
	/* the arrays first, then the strings, in the order above */
	assert_ptr_equal(q->assessments, (void *)q->block);
	end = q->assessments[1].value + 2;
	assert_true(within(q->email, q->block, end));
	assert_true(within((const char *)q->aliases, q->block, q->email));
	assert_true(within(q->aliases[0], q->block, end));
	assert_true(within(q->assessments[0].name, q->block, end));
	assert_string_equal(q->email, "ann@contoso.com");
	assert_string_equal(q->name, "Ann");
	assert_string_equal(q->title, "");
	assert_int_equal(q->naliases, 1);
	assert_string_equal(q->aliases[0], "a.smith@contoso.com");
	assert_string_equal(roster_person_result(q, "disc"), "D");
	assert_string_equal(roster_person_result(q, "enneagram"), "9");
	assert_int_equal(q->line, 7);
	assert_true(q->hidden);
	roster_release(&r);
}

/* An alias or a result added to a person of a roster: it still works. */
static void test_roster__adding_to_a_pushed_person_unpacks_it(void **state)
{
	struct roster r = read_csv_ok("email,name,aliases,disc\n"
				      "ann@contoso.com,Ann,a@contoso.com,D\n");
	struct roster_person *p = &r.v[0];

	(void)state;
	assert_non_null(p->block);
	/* from the person's own bytes: copied before they go */
	assert_int_equal(roster_person_add_alias(p, p->aliases[0] + 2), 0);
	assert_null(p->block);
	assert_int_equal(roster_person_add_result(p, "enneagram", "9"), 0);
	assert_string_equal(p->email, "ann@contoso.com");
	assert_string_equal(p->name, "Ann");
	assert_int_equal(p->naliases, 2);
	assert_string_equal(p->aliases[0], "a@contoso.com");
	assert_string_equal(p->aliases[1], "contoso.com");
	assert_string_equal(roster_person_result(p, "disc"), "D");
	assert_string_equal(roster_person_result(p, "enneagram"), "9");
	roster_release(&r);
}

static void test_roster__reserve_makes_the_array_once(void **state)
{
	struct roster r = ROSTER_INIT;
	const struct roster_person *v;

	(void)state;
	assert_int_equal(roster_reserve(&r, 3), 0);
	v = r.v;
	for (int i = 0; i < 4; i++) {
		struct roster_person p = {0};

		p.email = strdup("x@contoso.com");
		assert_non_null(p.email);
		assert_int_equal(roster_push(&r, &p), 0);
		if (i < 3) {
			assert_ptr_equal(r.v, v);
			assert_int_equal(r.alloc, 3);
		}
	}
	assert_int_equal(r.n, 4);
	assert_true(r.alloc >= 4);
	assert_int_equal(roster_reserve(&r, 2), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(roster_reserve(&r, SIZE_MAX), DG_ENOMEM);
	assert_string_equal(r.v[3].email, "x@contoso.com");
	roster_release(&r);
}

/* Lookups. */

static void test_roster__find_matches_email_ignoring_case(void **state)
{
	struct roster r = read_csv_ok("email,aliases\n"
				      "ann@contoso.com,a.smith@contoso.com\n"
				      "Bob@Contoso.com,\n");

	assert_ptr_equal(roster_find(&r, "ANN@CONTOSO.COM"), &r.v[0]);
	assert_ptr_equal(roster_find(&r, "bob@contoso.com"), &r.v[1]);
	roster_release(&r);
}

static void test_roster__find_matches_alias_ignoring_case(void **state)
{
	struct roster r = read_csv_ok("email,aliases\n"
				      "bob@contoso.com,\n"
				      "ann@contoso.com,a.smith@contoso.com\n");

	assert_ptr_equal(roster_find(&r, "A.Smith@Contoso.com"), &r.v[1]);
	roster_release(&r);
}

static void test_roster__find_of_an_unknown_address_is_null(void **state)
{
	struct roster r = read_csv_ok("email\nann@contoso.com\n");

	assert_null(roster_find(&r, "carol@contoso.com"));
	assert_null(roster_find(&r, "ann@contoso.co"));
	roster_release(&r);
}

/* Files and import: a temporary folder per test. */

/* Write text to <dir>/name; path gets the full path. */
static void write_file(const struct scratch *f, const char *name,
		       const char *text, struct strbuf *path)
{
	FILE *fp;

	strbuf_reset(path);
	assert_int_equal(strbuf_addf(path, "%s/%s", f->dir.buf, name), 0);
	fp = fopen(path->buf, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_roster__read_file_picks_json_lines_by_the_name(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;

	write_file(f, "roster.jsonl", "{\"email\": \"ann@contoso.com\"}\n",
		   &path);
	assert_int_equal(roster_read_file(path.buf, &r, &err), 0);
	assert_int_equal(r.n, 1);
	roster_release(&r);
	strbuf_release(&path);
}

static void test_roster__read_file_reads_csv_otherwise(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;

	write_file(f, "roster.csv", "email,name\nann@contoso.com,Ann\n", &path);
	assert_int_equal(roster_read_file(path.buf, &r, &err), 0);
	assert_string_equal(r.v[0].name, "Ann");
	roster_release(&r);
	strbuf_release(&path);
}

static void test_roster__read_file_errors_use_the_path_given(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT, want = STRBUF_INIT;
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;

	write_file(f, "bad.csv", "email\nnobody\n", &path);
	assert_int_equal(roster_read_file(path.buf, &r, &err), DG_EINVAL);
	assert_int_equal(strbuf_addf(&want,
				     "%s:2: 'nobody' is not an email address",
				     path.buf),
			 0);
	assert_string_equal(err.msg, want.buf);
	strbuf_release(&path);
	strbuf_release(&want);
}

static void test_roster__missing_file_names_path_and_reason(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT, want = STRBUF_INIT;
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(strbuf_addf(&path, "%s/none.csv", f->dir.buf), 0);
	assert_int_equal(roster_read_file(path.buf, &r, &err), DG_EIO);
	assert_int_equal(strbuf_addf(&want,
				     "%s: cannot read the roster: No such "
				     "file or directory",
				     path.buf),
			 0);
	assert_string_equal(err.msg, want.buf);
	strbuf_release(&path);
	strbuf_release(&want);
}

static void
test_roster__import_stores_people_and_records_file_and_hash(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct roster back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	size_t n = 0;
	char *file = NULL, *hash = NULL;

	write_file(f, "roster.csv",
		   "email,aliases,disc\n"
		   "bob@contoso.com,,S\n"
		   "ann@contoso.com,a@contoso.com,D\n",
		   &path);
	assert_int_equal(roster_import(st, path.buf, &n, &err), 0);
	assert_int_equal(n, 2);

	assert_int_equal(roster_db_load(st, &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(roster_find(&back, "A@contoso.com")->email,
			    "ann@contoso.com");
	assert_int_equal(store_meta_get(st, "roster.file", &file, &err), 0);
	assert_string_equal(file, path.buf);
	assert_int_equal(store_meta_get(st, "roster.hash", &hash, &err), 0);
	assert_int_equal(strlen(hash), 64);
	assert_int_equal(strspn(hash, "0123456789abcdef"), 64);

	free(file);
	free(hash);
	roster_release(&back);
	strbuf_release(&path);
	store_close(st);
}

static void
test_roster__import_of_a_bad_file_keeps_the_previous_roster(void **state)
{
	struct scratch *f = *state;
	struct strbuf good = STRBUF_INIT, bad = STRBUF_INIT;
	struct roster back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	char *file = NULL;

	write_file(f, "roster.csv", "email\nann@contoso.com\n", &good);
	assert_int_equal(roster_import(st, good.buf, NULL, &err), 0);
	write_file(f, "bad.csv",
		   "email\ncarol@contoso.com\ndan@contoso.com\ncarol@"
		   "contoso.com\n",
		   &bad);
	assert_int_equal(roster_import(st, bad.buf, NULL, &err), DG_EEXISTS);
	assert_non_null(strstr(err.msg, ":4: duplicate email"));

	assert_int_equal(roster_db_load(st, &back, &err), 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.v[0].email, "ann@contoso.com");
	assert_int_equal(store_meta_get(st, "roster.file", &file, &err), 0);
	assert_string_equal(file, good.buf);

	free(file);
	roster_release(&back);
	strbuf_release(&good);
	strbuf_release(&bad);
	store_close(st);
}

static size_t stored_people(struct store *st)
{
	struct roster back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t n;

	assert_int_equal(roster_db_load(st, &back, &err), 0);
	n = back.n;
	roster_release(&back);
	return n;
}

static void
test_roster__sync_imports_only_when_the_file_changed(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct roster none = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);

	write_file(f, "roster.csv", "email\nann@contoso.com\n", &path);
	assert_int_equal(roster_sync(st, path.buf, &err), 0);
	assert_int_equal(stored_people(st), 1);
	/* Empty the stored roster behind the hash's back: an unchanged
	 * file must not be read into the store again. */
	assert_int_equal(roster_db_replace(st, &none, &err), 0);
	assert_int_equal(roster_sync(st, path.buf, &err), 0);
	assert_int_equal(stored_people(st), 0);
	write_file(f, "roster.csv", "email\nann@contoso.com\nbob@contoso.com\n",
		   &path);
	assert_int_equal(roster_sync(st, path.buf, &err), 0);
	assert_int_equal(stored_people(st), 2);
	strbuf_release(&path);
	store_close(st);
}

/*
 * A changed file that is bad is refused at every sync, with the same
 * message each time: its hash is not recorded, so the next run reads it
 * again rather than taking it for the roster already imported.
 */
static void
test_roster__sync_of_a_changed_bad_file_fails_each_time(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT, again = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	char *before = NULL, *after = NULL;

	write_file(f, "roster.csv", "email\nann@contoso.com\n", &path);
	assert_int_equal(roster_sync(st, path.buf, &err), 0);
	assert_int_equal(store_meta_get(st, "roster.hash", &before, &err), 0);
	write_file(f, "roster.csv",
		   "email\nbob@contoso.com\nbob@contoso.com\n", &path);
	assert_int_equal(roster_sync(st, path.buf, &err), DG_EEXISTS);
	assert_non_null(strstr(err.msg, ":3: duplicate email"));
	assert_int_equal(roster_sync(st, path.buf, &again), DG_EEXISTS);
	assert_string_equal(again.msg, err.msg);
	assert_int_equal(stored_people(st), 1);
	assert_int_equal(store_meta_get(st, "roster.hash", &after, &err), 0);
	assert_string_equal(after, before);
	free(before);
	free(after);
	strbuf_release(&path);
	store_close(st);
}

static void test_roster__consent_columns_survive_the_store(void **state)
{
	struct scratch *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct roster back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	size_t n = 0;

	write_file(f, "roster.csv",
		   "email,digest,profile\n"
		   "ann@contoso.com,no,visible\n"
		   "bob@contoso.com,yes,hidden\n",
		   &path);
	assert_int_equal(roster_import(st, path.buf, &n, &err), 0);
	assert_int_equal(roster_db_load(st, &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_true(back.v[0].no_digest && !back.v[0].hidden);
	assert_true(!back.v[1].no_digest && back.v[1].hidden);
	roster_release(&back);
	strbuf_release(&path);
	store_close(st);
}

#define T(name) cmocka_unit_test(name)
#define TF(name)                                                               \
	cmocka_unit_test_setup_teardown(name, scratch_setup, scratch_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_roster__csv_reads_each_column_into_a_person),
		T(test_roster__csv_quoted_fields_keep_commas_and_quotes),
		T(test_roster__csv_utf8_bom_is_skipped),
		T(test_roster__csv_crlf_line_ends_are_read_like_lf),
		T(test_roster__csv_multi_line_quoted_title_counts_its_lines),
		T(test_roster__csv_aliases_are_split_on_semicolons_and_trimmed),
		T(test_roster__csv_alias_repeating_the_own_email_is_dropped),
		T(test_roster__csv_empty_assessment_cell_means_no_result),
		T(test_roster__csv_header_names_are_trimmed_and_lower_cased),
		T(test_roster__csv_opt_out_words_and_empty_are_read),
		T(test_roster__csv_digest_and_profile_columns_are_read),
		T(test_roster__csv_bad_digest_or_profile_is_refused),
		T(test_roster__jsonl_digest_and_profile_keys_are_read),
		TF(test_roster__consent_columns_survive_the_store),
		T(test_roster__csv_blank_lines_and_empty_rows_are_skipped),
		T(test_roster__csv_last_row_without_a_line_end_is_read),
		T(test_roster__csv_header_alone_is_an_empty_roster),
		T(test_roster__row_without_email_names_file_and_line),
		T(test_roster__invalid_email_names_file_line_and_value),
		T(test_roster__address_needs_one_at_local_part_dotted_domain),
		T(test_roster__duplicate_email_names_both_lines_ignoring_case),
		T(test_roster__alias_equal_to_another_email_is_a_duplicate),
		T(test_roster__alias_equal_to_another_alias_is_a_duplicate),
		T(test_roster__email_equal_to_an_earlier_alias_is_a_duplicate),
		T(test_roster__invalid_alias_names_file_and_line),
		T(test_roster__opt_out_other_than_a_boolean_word_is_refused),
		T(test_roster__header_without_email_column_is_refused),
		T(test_roster__row_with_a_wrong_number_of_fields_is_refused),
		T(test_roster__unterminated_quote_names_the_line_it_opens),
		T(test_roster__stray_quote_is_a_strict_csv_error_with_its_line),
		T(test_roster__error_after_a_multi_line_row_names_its_line),
		T(test_roster__assessment_column_outside_alphabet_is_refused),
		T(test_roster__result_outside_the_alphabet_is_refused),
		T(test_roster__column_named_twice_is_refused),
		T(test_roster__column_without_a_name_is_refused),
		T(test_roster__empty_file_is_refused),
		T(test_roster__text_that_is_not_utf8_names_its_line),
		T(test_roster__jsonl_reads_the_same_keys_as_csv),
		T(test_roster__jsonl_invalid_json_names_file_and_line),
		T(test_roster__jsonl_line_ending_inside_an_object_is_refused),
		T(test_roster__jsonl_two_objects_on_a_line_are_refused),
		T(test_roster__jsonl_line_that_is_not_an_object_is_refused),
		T(test_roster__jsonl_opt_out_must_be_a_boolean),
		T(test_roster__jsonl_aliases_of_another_type_are_refused),
		T(test_roster__jsonl_name_must_be_a_string),
		T(test_roster__jsonl_result_must_be_a_string_or_integer),
		T(test_roster__jsonl_string_hiding_a_nul_is_refused),
		T(test_roster__jsonl_key_outside_the_alphabet_is_refused),
		T(test_roster__jsonl_key_given_twice_in_two_cases_is_refused),
		T(test_roster__jsonl_object_without_email_names_its_line),
		T(test_roster__jsonl_duplicate_email_names_both_lines),
		T(test_roster__a_pushed_person_is_one_block),
		T(test_roster__adding_to_a_pushed_person_unpacks_it),
		T(test_roster__reserve_makes_the_array_once),
		T(test_roster__find_matches_email_ignoring_case),
		T(test_roster__find_matches_alias_ignoring_case),
		T(test_roster__find_of_an_unknown_address_is_null),
		TF(test_roster__read_file_picks_json_lines_by_the_name),
		TF(test_roster__read_file_reads_csv_otherwise),
		TF(test_roster__read_file_errors_use_the_path_given),
		TF(test_roster__missing_file_names_path_and_reason),
		TF(test_roster__import_stores_people_and_records_file_and_hash),
		TF(test_roster__import_of_a_bad_file_keeps_the_previous_roster),
		TF(test_roster__sync_imports_only_when_the_file_changed),
		TF(test_roster__sync_of_a_changed_bad_file_fails_each_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
