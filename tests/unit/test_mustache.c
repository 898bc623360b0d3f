/*
 * mustache: compile once and render many, messages that point at the
 * template line, partials from a folder that cannot be left, escaping of
 * hostile text. The spec itself is run by tests/conformance/mustache_spec.py.
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
#include "mustache.h"
#include "mustache_tree.h"
#include "scratch.h"
#include "strbuf.h"

/* The temporary templates folder of the tests that need one. */
static struct scratch base = SCRATCH_INIT;
static struct strbuf tpl = STRBUF_INIT; /* <base>/tpl */

static struct mustache_template *compile(const char *text)
{
	struct mustache_template *t = NULL;
	struct dg_err err = DG_ERR_INIT;

	if (mustache_compile(text, strlen(text), "t.mustache", &t, &err))
		fail_msg("compile: %s", err.msg);
	return t;
}

static void assert_renders(const struct mustache_template *t,
			   const struct mustache_value *data,
			   struct mustache_partials *p,
			   enum mustache_escape escape, const char *expected)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (mustache_render(t, data, p, escape, &out, &err))
		fail_msg("render: %s", err.msg);
	assert_string_equal(out.buf, expected);
	strbuf_release(&out);
}

static void assert_render_fails(const struct mustache_template *t,
				const struct mustache_value *data,
				struct mustache_partials *p, int code,
				const char *msg)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		mustache_render(t, data, p, MUSTACHE_ESCAPE_HTML, &out, &err),
		code);
	assert_string_equal(err.msg, msg);
	strbuf_release(&out);
}

static void assert_compile_fails(const char *text, const char *msg)
{
	struct mustache_template *t = NULL;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		mustache_compile(text, strlen(text), "page.mustache", &t, &err),
		DG_EPARSE);
	assert_null(t);
	assert_string_equal(err.msg, msg);
}

/* {key: value}, failing the test when out of memory. */
static struct mustache_value *map1(const char *key, struct mustache_value *v)
{
	struct mustache_value *m = mustache_map_new();

	assert_non_null(m);
	assert_int_equal(mustache_map_set(m, key, v), 0);
	return m;
}

static void test_mustache__one_template_renders_many_data(void **state)
{
	struct mustache_template *t = compile("Hi {{name}}:\n"
					      "{{#meetings}}"
					      "- {{subject}}\n"
					      "{{/meetings}}"
					      "{{^meetings}}nothing\n"
					      "{{/meetings}}");
	struct mustache_value *d1 = map1("name", mustache_string("Ann"));
	struct mustache_value *d2 = map1("name", mustache_string("Bo"));
	struct mustache_value *list = mustache_list_new();

	assert_int_equal(mustache_list_push(
				 list, map1("subject", mustache_string("1:1"))),
			 0);
	assert_int_equal(
		mustache_list_push(list,
				   map1("subject", mustache_string("Sync"))),
		0);
	assert_int_equal(mustache_map_set(d1, "meetings", list), 0);
	for (int i = 0; i < 3; i++) {
		assert_renders(t, d1, NULL, MUSTACHE_ESCAPE_HTML,
			       "Hi Ann:\n- 1:1\n- Sync\n");
		assert_renders(t, d2, NULL, MUSTACHE_ESCAPE_HTML,
			       "Hi Bo:\nnothing\n");
	}
	mustache_value_free(d1);
	mustache_value_free(d2);
	mustache_template_free(t);
}

/* mustache_template_names() into a strbuf: "name," each. */
static void note(const char *name, size_t len, void *ctx)
{
	assert_int_equal(strbuf_add(ctx, name, len), 0);
	assert_int_equal(strbuf_addch(ctx, ','), 0);
}

static void test_mustache__template_names_what_it_reads(void **state)
{
	struct mustache_template *t = compile(
		"{{! not a name }}{{a}} {{{b.c}}} {{&d}}{{#e}}{{f}}{{.}}{{/e}}"
		"{{^g}}{{h.i.j}}{{/g}}{{=<% %>=}}<%k%>");
	struct mustache_template *p = compile("{{x}}{{>part}}{{y}}");
	struct mustache_template *q = compile("{{<parent}}{{$b}}{{z}}{{/b}}"
					      "{{/parent}}");
	struct strbuf names = STRBUF_INIT;

	assert_int_equal(mustache_template_names(t, note, &names), 0);
	assert_string_equal(names.buf, "a,b,d,e,f,g,h,k,");
	/* a partial or a parent may read anything: said, and the rest told */
	strbuf_reset(&names);
	assert_int_equal(mustache_template_names(p, note, &names), 1);
	assert_string_equal(names.buf, "x,y,");
	strbuf_reset(&names);
	assert_int_equal(mustache_template_names(q, note, &names), 1);
	assert_string_equal(names.buf, "z,");
	strbuf_release(&names);
	mustache_template_free(t);
	mustache_template_free(p);
	mustache_template_free(q);
}

static void test_mustache__render_appends_to_what_out_holds(void **state)
{
	struct mustache_template *t = compile("{{.}}");
	struct mustache_value *v = mustache_string("b");
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(strbuf_addstr(&out, "a"), 0);
	assert_int_equal(
		mustache_render(t, v, NULL, MUSTACHE_ESCAPE_HTML, &out, &err),
		0);
	assert_string_equal(out.buf, "ab");
	assert_string_equal(mustache_template_name(t), "t.mustache");
	strbuf_release(&out);
	mustache_value_free(v);
	mustache_template_free(t);
}

static void test_mustache__unclosed_section_names_line_and_column(void **state)
{
	assert_compile_fails("Hi\n  {{#meetings}}\n{{subject}}\n",
			     "page.mustache:2:3: section '{{#meetings}}' is "
			     "never closed");
}

static void test_mustache__mismatched_closing_tag_names_both_tags(void **state)
{
	assert_compile_fails("{{#a}}\n{{#b}}\n  x {{/a}}",
			     "page.mustache:3:5: '{{/a}}' does not close "
			     "'{{#b}}' (line 2, column 1)");
}

static void test_mustache__closing_tag_without_section_fails(void **state)
{
	assert_compile_fails("x\n{{/a}}",
			     "page.mustache:2:1: '{{/a}}' closes nothing: no "
			     "section is open");
}

static void test_mustache__unclosed_tag_names_its_delimiter(void **state)
{
	assert_compile_fails("a {{name",
			     "page.mustache:1:3: tag '{{name' is never "
			     "closed: no '}}' follows");
	assert_compile_fails("{{{raw}}",
			     "page.mustache:1:1: tag '{{{raw}}' is never "
			     "closed: no '}}}' follows");
}

static void test_mustache__bad_set_delimiter_tag_fails(void **state)
{
	assert_compile_fails("\n {{=<%=}}",
			     "page.mustache:2:2: set-delimiter tag '{{=<%=}}' "
			     "needs two delimiters without '=' separated by a "
			     "space, as in {{=<% %>=}}");
}

static void test_mustache__empty_or_blank_names_fail(void **state)
{
	assert_compile_fails("{{#}}{{/}}",
			     "page.mustache:1:1: tag '{{#}}' has no name");
	assert_compile_fails("{{first name}}",
			     "page.mustache:1:1: tag '{{first name}}' has "
			     "white space in its name");
	assert_compile_fails("{{a..b}}",
			     "page.mustache:1:1: tag '{{a..b}}' has an empty "
			     "part in its dotted name");
}

static void test_mustache__sections_nested_too_deep_fail(void **state)
{
	struct strbuf text = STRBUF_INIT;

	for (int i = 0; i < 101; i++)
		assert_int_equal(strbuf_addstr(&text, "{{#a}}\n"), 0);
	assert_compile_fails(text.buf, "page.mustache:101:1: sections nest "
				       "deeper than 100 levels");
	strbuf_release(&text);
}

static void test_mustache__dynamic_parent_is_closed_with_its_star(void **state)
{
	assert_compile_fails("{{<*layout}}{{/layout}}",
			     "page.mustache:1:13: '{{/layout}}' does not close "
			     "'{{<*layout}}' (line 1, column 1)");
}

static void test_mustache__html_escaping_defuses_hostile_text(void **state)
{
	struct mustache_template *t = compile("<p title=\"{{s}}\">{{s}}</p>"
					      "<p>{{q}}</p>");
	struct mustache_value *d =
		map1("s", mustache_string("<img src=x onerror=alert(1)>"));

	assert_int_equal(mustache_map_set(d, "q",
					  mustache_string("\"quoted\" & "
							  "'single'")),
			 0);
	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML,
		       "<p title=\"&lt;img src=x onerror=alert(1)&gt;\">"
		       "&lt;img src=x onerror=alert(1)&gt;</p>"
		       "<p>&quot;quoted&quot; &amp; &#39;single&#39;</p>");
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__no_escape_mode_keeps_text_verbatim(void **state)
{
	struct mustache_template *t = compile("{{q}}|{{{q}}}|{{&q}}");
	struct mustache_value *d = map1("q", mustache_string("<a> & 'b'"));

	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_NONE,
		       "<a> & 'b'|<a> & 'b'|<a> & 'b'");
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__numbers_render_in_their_shortest_form(void **state)
{
	struct mustache_template *t = compile(
		"{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}} {{h}} {{i}}");
	struct mustache_value *d = map1("a", mustache_float(1.210));

	assert_int_equal(mustache_map_set(d, "b", mustache_float(100.0)), 0);
	assert_int_equal(mustache_map_set(d, "c", mustache_float(-0.5)), 0);
	assert_int_equal(mustache_map_set(d, "d", mustache_int(INT64_MIN)), 0);
	assert_int_equal(mustache_map_set(d, "e", mustache_bool(1)), 0);
	assert_int_equal(mustache_map_set(d, "f", mustache_int(INT64_MAX)), 0);
	assert_int_equal(mustache_map_set(d, "g", mustache_int(0)), 0);
	assert_int_equal(mustache_map_set(d, "h", mustache_int(-7)), 0);
	assert_int_equal(mustache_map_set(d, "i", mustache_int(1030)), 0);
	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML,
		       "1.21 100 -0.5 -9223372036854775808 true "
		       "9223372036854775807 0 -7 1030");
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__zero_empty_and_null_are_false(void **state)
{
	struct mustache_template *t = compile("{{#z}}z{{/z}}{{#e}}e{{/e}}"
					      "{{#n}}n{{/n}}{{#l}}l{{/l}}"
					      "{{#m}}m{{/m}}{{#s}}s{{/s}}");
	struct mustache_value *d = map1("z", mustache_int(0));

	assert_int_equal(mustache_map_set(d, "e", mustache_string("")), 0);
	assert_int_equal(mustache_map_set(d, "n", mustache_null()), 0);
	assert_int_equal(mustache_map_set(d, "l", mustache_list_new()), 0);
	assert_int_equal(mustache_map_set(d, "m", mustache_map_new()), 0);
	assert_int_equal(mustache_map_set(d, "s", mustache_string(" ")), 0);
	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML, "ms");
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__lists_and_maps_interpolate_as_nothing(void **state)
{
	struct mustache_template *t = compile("[{{l}}{{m}}{{missing}}]");
	struct mustache_value *d = map1("l", mustache_list_new());

	assert_int_equal(mustache_map_set(d, "m", mustache_map_new()), 0);
	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML, "[]");
	assert_renders(t, NULL, NULL, MUSTACHE_ESCAPE_HTML, "[]");
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__map_set_replaces_an_earlier_value(void **state)
{
	struct mustache_template *t = compile("{{k}}");
	struct mustache_value *d = map1("k", mustache_string("old"));

	assert_int_equal(mustache_map_set(d, "k", mustache_string("new")), 0);
	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML, "new");
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__adders_take_ownership_even_on_failure(void **state)
{
	struct mustache_value *s = mustache_string("x");

	/* Wrong container: the value is freed all the same (valgrind). */
	assert_int_equal(mustache_list_push(s, mustache_string("y")),
			 DG_EINVAL);
	assert_int_equal(mustache_map_set(s, "k", mustache_int(1)), DG_EINVAL);
	/* A failed constructor passed straight in. */
	assert_int_equal(mustache_map_set(s, "k", NULL), DG_ENOMEM);
	assert_int_equal(mustache_value_kind(s), MUSTACHE_STRING);
	assert_int_equal(mustache_value_kind(NULL), MUSTACHE_NULL);
	mustache_value_free(s);
}

/* --- arenas ------------------------------------------------------------- */

/* {name, n, meetings: [{subject, big, ok}] x n}: the same data each call. */
static struct mustache_value *meetings_data(size_t n, size_t big)
{
	struct mustache_value *d = map1("name", mustache_string("Ann"));
	struct mustache_value *list = mustache_list_new();
	struct strbuf subject = STRBUF_INIT;

	assert_non_null(list);
	for (size_t i = 0; i < n; i++) {
		struct mustache_value *m;

		strbuf_reset(&subject);
		assert_int_equal(strbuf_addf(&subject, "Sync %zu", i), 0);
		m = map1("subject", mustache_string(subject.buf));
		assert_int_equal(mustache_map_set(m, "n", mustache_int(
								 (int64_t)i)),
				 0);
		assert_int_equal(mustache_map_set(m, "ok", mustache_bool(i % 2)),
				 0);
		/* a string bigger than an arena's block, now and then */
		if (big && i % 100 == 0) {
			char *text = malloc(big + 1);

			assert_non_null(text);
			memset(text, 'x', big);
			text[big] = '\0';
			assert_int_equal(mustache_map_set(m, "big",
							  mustache_string(text)),
					 0);
			free(text);
		}
		assert_int_equal(mustache_map_set(m, "copy",
						  mustache_value_copy(
							  mustache_map_get(
								  m, "n"))),
				 0);
		assert_int_equal(mustache_list_push(list, m), 0);
	}
	assert_int_equal(mustache_map_set(d, "meetings", list), 0);
	strbuf_release(&subject);
	return d;
}

static void render_to(const struct mustache_template *t,
		      const struct mustache_value *d, struct strbuf *out)
{
	struct dg_err err = DG_ERR_INIT;

	strbuf_reset(out);
	assert_int_equal(
		mustache_render(t, d, NULL, MUSTACHE_ESCAPE_HTML, out, &err),
		0);
}

static void test_mustache__arena_values_render_as_malloced_ones(void **state)
{
	struct mustache_template *t = compile(
		"{{name}}:{{#meetings}} {{subject}}/{{n}}/{{copy}}"
		"{{#ok}}!{{/ok}}{{big}}{{/meetings}}");
	struct mustache_arena *a = mustache_arena_new(), *before;
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	struct mustache_value *d = meetings_data(3000, 100000);

	assert_non_null(a);
	render_to(t, d, &want);
	mustache_value_free(d);
	/* three rounds: the blocks a reset keeps are used again */
	for (int round = 0; round < 3; round++) {
		before = mustache_arena_use(a);
		assert_null(before);
		d = meetings_data(3000, 100000);
		assert_ptr_equal(mustache_arena_use(before), a);
		render_to(t, d, &got);
		assert_string_equal(got.buf, want.buf);
		mustache_value_free(d); /* does nothing: the arena's */
		render_to(t, d, &got);  /* so it is still whole */
		assert_string_equal(got.buf, want.buf);
		mustache_arena_reset(a);
	}
	mustache_arena_free(a);
	mustache_arena_free(NULL);
	mustache_arena_reset(NULL);
	strbuf_release(&want);
	strbuf_release(&got);
	mustache_template_free(t);
}

static void test_mustache__values_outside_an_arena_are_freed_one_by_one(
	void **state)
{
	struct mustache_arena *a = mustache_arena_new();
	struct mustache_value *kept, *inner, *copy;

	assert_non_null(a);
	assert_null(mustache_arena_use(a));
	inner = map1("k", mustache_string("in the arena"));
	/* put out of use: made with malloc again (valgrind: no leak) */
	assert_ptr_equal(mustache_arena_use(NULL), a);
	kept = map1("k", mustache_string("kept"));
	copy = mustache_value_copy(mustache_map_get(inner, "k"));
	mustache_arena_free(a); /* inner and its string go with it */
	assert_string_equal(mustache_string_get(copy, NULL), "in the arena");
	assert_string_equal(
		mustache_string_get(mustache_map_get(kept, "k"), NULL), "kept");
	mustache_value_free(copy);
	mustache_value_free(kept);
}

/* --- partials ----------------------------------------------------------- */

struct counting {
	int calls;
};

/* "inner" exists, "bad" fails, everything else is missing. */
static int counting_resolve(const char *name, struct strbuf *out, void *ctx,
			    struct dg_err *err)
{
	struct counting *c = ctx;

	c->calls++;
	if (!strcmp(name, "bad"))
		return dg_errf(err, DG_EIO, "the store of 'bad' is offline");
	if (strcmp(name, "inner"))
		return DG_ENOTFOUND;
	if (strbuf_addstr(out, "<{{.}}>"))
		return DG_ENOMEM;
	return 0;
}

static void test_mustache__partials_are_resolved_once(void **state)
{
	struct mustache_template *t =
		compile("{{#.}}{{>inner}}{{>gone}}{{/.}}");
	struct mustache_value *d = mustache_list_new();
	struct mustache_partials *p = NULL;
	struct dg_err err = DG_ERR_INIT;
	struct counting c = {0};

	assert_int_equal(mustache_partials_new(counting_resolve, &c, &p, &err),
			 0);
	assert_int_equal(mustache_list_push(d, mustache_int(1)), 0);
	assert_int_equal(mustache_list_push(d, mustache_int(2)), 0);
	assert_renders(t, d, p, MUSTACHE_ESCAPE_HTML, "<1><2>");
	assert_renders(t, d, p, MUSTACHE_ESCAPE_NONE, "<1><2>");
	/* One call for "inner", one for the missing "gone", however many
	 * renders. */
	assert_int_equal(c.calls, 2);
	mustache_partials_free(p);
	mustache_value_free(d);
	mustache_template_free(t);
}

struct captured {
	int count;
	enum logging_level level;
	char msg[256];
};

static void capture(enum logging_level level, const char *msg, void *ctx)
{
	struct captured *c = ctx;

	c->count++;
	c->level = level;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

static void test_mustache__missing_partial_is_logged_once(void **state)
{
	struct mustache_template *t = compile("a\n[{{>gone}}]");
	struct mustache_partials *p = NULL;
	struct dg_err err = DG_ERR_INIT;
	struct counting c = {0};
	struct captured log = {0};

	assert_int_equal(mustache_partials_new(counting_resolve, &c, &p, &err),
			 0);
	logging_set_routine(capture, &log);
	assert_renders(t, NULL, p, MUSTACHE_ESCAPE_HTML, "a\n[]");
	assert_renders(t, NULL, p, MUSTACHE_ESCAPE_HTML, "a\n[]");
	logging_set_routine(NULL, NULL);
	assert_int_equal(log.count, 1);
	assert_int_equal(log.level, LOGGING_WARN);
	assert_string_equal(log.msg, "t.mustache:2: no partial 'gone'; it "
				     "renders as nothing");
	mustache_partials_free(p);
	mustache_template_free(t);
}

static void test_mustache__resolver_failure_fails_the_render(void **state)
{
	struct mustache_template *t = compile("a\n{{>bad}}");
	struct mustache_partials *p = NULL;
	struct dg_err err = DG_ERR_INIT;
	struct counting c = {0};

	assert_int_equal(mustache_partials_new(counting_resolve, &c, &p, &err),
			 0);
	assert_render_fails(t, NULL, p, DG_EIO,
			    "t.mustache:2: the store of 'bad' is offline");
	mustache_partials_free(p);
	mustache_template_free(t);
}

static void test_mustache__failed_render_leaves_out_as_it_was(void **state)
{
	struct mustache_template *t = compile("lots of text {{>bad}}");
	struct mustache_partials *p = NULL;
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct counting c = {0};

	assert_int_equal(mustache_partials_new(counting_resolve, &c, &p, &err),
			 0);
	assert_int_equal(strbuf_addstr(&out, "kept"), 0);
	assert_int_equal(
		mustache_render(t, NULL, p, MUSTACHE_ESCAPE_HTML, &out, &err),
		DG_EIO);
	assert_string_equal(out.buf, "kept");
	strbuf_release(&out);
	mustache_partials_free(p);
	mustache_template_free(t);
}

static void test_mustache__output_past_the_limit_fails(void **state)
{
	struct mustache_template *t = compile("{{#.}}0123456789{{/.}}");
	struct mustache_value *d = mustache_list_new();
	struct dg_err err = DG_ERR_INIT;
	struct strbuf out;

	strbuf_init(&out, 25);
	for (int i = 0; i < 3; i++)
		assert_int_equal(mustache_list_push(d, mustache_int(i)), 0);
	assert_int_equal(
		mustache_render(t, d, NULL, MUSTACHE_ESCAPE_HTML, &out, &err),
		DG_ETOOBIG);
	assert_string_equal(err.msg,
			    "t.mustache: the rendering is larger than 25 "
			    "bytes");
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
	mustache_value_free(d);
	mustache_template_free(t);
}

static int make_folder(void **state)
{
	struct strbuf sub = STRBUF_INIT;
	int rc;

	if (scratch_make(&base))
		return -1;
	scratch_write(&base, "secret.mustache", "SECRET");
	scratch_write(&base, "tpl/header.mustache", "Hello {{name}}!\n");
	scratch_write(&base, "tpl/tips/disc/D.mustache", "Be brief.\n");
	scratch_write(&base, "tpl/loop.mustache", "{{#.}}{{>loop}}{{/.}}");
	scratch_write(&base, "tpl/broken.mustache", "ok\n{{#x}}\n");
	if (strbuf_addf(&tpl, "%s/tpl", base.dir.buf) ||
	    strbuf_addf(&sub, "%s/folder.mustache", tpl.buf))
		return -1;
	rc = mkdir(sub.buf, 0700);
	strbuf_release(&sub);
	return rc;
}

static int remove_folder(void **state)
{
	strbuf_release(&tpl);
	return scratch_remove(&base);
}

static struct mustache_partials *folder_partials(void)
{
	struct mustache_partials *p = NULL;
	struct dg_err err = DG_ERR_INIT;

	if (mustache_partials_new_dir(tpl.buf, &p, &err))
		fail_msg("partials: %s", err.msg);
	return p;
}

static void test_mustache__folder_partials_include_sub_paths(void **state)
{
	struct mustache_template *t = compile("{{>header}}\n"
					      "  {{>tips/disc/D}}\n"
					      "  {{>*tip}}\n");
	struct mustache_value *d = map1("name", mustache_string("Ann"));
	struct mustache_partials *p = folder_partials();

	assert_int_equal(
		mustache_map_set(d, "tip", mustache_string("tips/disc/D")), 0);
	assert_renders(t, d, p, MUSTACHE_ESCAPE_HTML,
		       "Hello Ann!\n  Be brief.\n  Be brief.\n");
	mustache_partials_free(p);
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__two_partials_on_a_line_stay_inline(void **state)
{
	struct mustache_template *t = compile("{{>header}} {{>tips/disc/D}}\n"
					      "{{#x}}\nyes\n"
					      "{{/x}}{{^x}}\nno\n"
					      "{{/x}}|\n");
	struct mustache_value *d = map1("name", mustache_string("Ann"));
	struct mustache_partials *p = folder_partials();

	/* A line of section tags is standalone, one of two partials not. */
	assert_renders(t, d, p, MUSTACHE_ESCAPE_HTML,
		       "Hello Ann!\n Be brief.\n\nno\n|\n");
	mustache_partials_free(p);
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__folder_partial_missing_renders_nothing(void **state)
{
	struct mustache_template *t = compile("[{{>tips/disc/Z}}]");
	struct mustache_partials *p = folder_partials();

	assert_renders(t, NULL, p, MUSTACHE_ESCAPE_HTML, "[]");
	mustache_partials_free(p);
	mustache_template_free(t);
}

static void test_mustache__folder_refuses_names_leaving_it(void **state)
{
	struct mustache_template *t = compile("{{>../secret}}");
	struct mustache_template *abs = compile("\n{{>/etc/passwd}}");
	struct mustache_partials *p = folder_partials();

	assert_render_fails(t, NULL, p, DG_EINVAL,
			    "t.mustache:1: partial name '../secret' is "
			    "refused: it must be a relative path inside the "
			    "templates folder, without '.' or '..' parts");
	assert_render_fails(abs, NULL, p, DG_EINVAL,
			    "t.mustache:2: partial name '/etc/passwd' is "
			    "refused: it must be a relative path inside the "
			    "templates folder, without '.' or '..' parts");
	mustache_partials_free(p);
	mustache_template_free(abs);
	mustache_template_free(t);
}

static void test_mustache__folder_refuses_dynamic_names_leaving_it(void **state)
{
	struct mustache_template *t = compile("{{>*tip}}");
	struct mustache_value *d = map1("tip", mustache_string("tips/../../"
							       "secret"));
	struct mustache_partials *p = folder_partials();

	assert_render_fails(t, d, p, DG_EINVAL,
			    "t.mustache:1: partial name 'tips/../../secret' "
			    "is refused: it must be a relative path inside "
			    "the templates folder, without '.' or '..' parts");
	mustache_partials_free(p);
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__resolver_refuses_empty_and_dot_parts(void **state)
{
	static const char *const bad[] = {"", "a//b", "./a", "a/.", "a/"};
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(mustache_resolve_dir(bad[i], &out, tpl.buf,
						      &err),
				 DG_EINVAL);
	assert_int_equal(out.len, 0);
	assert_int_equal(mustache_resolve_dir("header", &out, tpl.buf, &err),
			 0);
	assert_string_equal(out.buf, "Hello {{name}}!\n");
	strbuf_release(&out);
}

static void test_mustache__unreadable_partial_fails_naming_it(void **state)
{
	struct mustache_template *t = compile("{{>folder}}");
	struct mustache_partials *p = folder_partials();
	char msg[512];

	snprintf(msg, sizeof(msg),
		 "t.mustache:1: cannot read partial 'folder': "
		 "%s/folder.mustache: Is a directory",
		 tpl.buf);
	assert_render_fails(t, NULL, p, DG_EIO, msg);
	mustache_partials_free(p);
	mustache_template_free(t);
}

static void test_mustache__endless_recursion_fails_naming_it(void **state)
{
	struct mustache_template *t = compile("{{>loop}}");
	struct mustache_value *d = mustache_list_new();
	struct mustache_partials *p = folder_partials();

	/* "loop" includes itself for as long as {{.}} is true: forever. */
	assert_int_equal(mustache_list_push(d, mustache_int(1)), 0);
	assert_render_fails(t, d, p, DG_EINVAL,
			    "loop:1: partial 'loop' nests deeper than 64 "
			    "levels; does it include itself without end?");
	mustache_partials_free(p);
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__nested_sections_over_lists_hit_the_budget(
	void **state)
{
	struct strbuf text = STRBUF_INIT;
	struct mustache_template *t;
	struct mustache_value *d = mustache_map_new();
	struct mustache_value *a = mustache_list_new();
	char msg[256];

	/* 40 nested {{#a}} over a = [1, 1]: 2^40 renderings without a cap */
	for (int i = 0; i < 40; i++)
		assert_int_equal(strbuf_addstr(&text, "{{#a}}x"), 0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(strbuf_addstr(&text, "{{/a}}"), 0);
	t = compile(text.buf);
	assert_int_equal(mustache_list_push(a, mustache_int(1)), 0);
	assert_int_equal(mustache_list_push(a, mustache_int(1)), 0);
	assert_int_equal(mustache_map_set(d, "a", a), 0);
	snprintf(msg, sizeof(msg), "t.mustache: the template takes more than "
		 "%lu steps (sections over lists nested too deep?)",
		 MUSTACHE_MAX_STEPS);
	assert_render_fails(t, d, NULL, DG_ETOOBIG, msg);
	mustache_value_free(d);
	mustache_template_free(t);
	strbuf_release(&text);
}

static void test_mustache__broken_partial_fails_naming_both(void **state)
{
	struct mustache_template *t = compile("x\n\n{{>broken}}");
	struct mustache_partials *p = folder_partials();

	assert_render_fails(t, NULL, p, DG_EPARSE,
			    "t.mustache:3: broken:2:1: section '{{#x}}' is "
			    "never closed");
	mustache_partials_free(p);
	mustache_template_free(t);
}

static void test_mustache__partials_get_compiles_a_named_one(void **state)
{
	const struct mustache_template *t = NULL, *again = NULL;
	struct mustache_partials *p = folder_partials();
	struct mustache_value *d = map1("name", mustache_string("<Bo>"));
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mustache_partials_get(p, "header", &t, &err), 0);
	assert_int_equal(mustache_partials_get(p, "header", &again, &err), 0);
	assert_ptr_equal(t, again);
	assert_string_equal(mustache_template_name(t), "header");
	assert_renders(t, d, p, MUSTACHE_ESCAPE_HTML, "Hello &lt;Bo&gt;!\n");
	assert_int_equal(mustache_partials_get(p, "nope", &t, &err),
			 DG_ENOTFOUND);
	assert_null(t);
	assert_true(strstr(err.msg, "no partial 'nope'") != NULL);
	mustache_value_free(d);
	mustache_partials_free(p);
}

/* --- links, names, escaping, limits ------------------------------------- */

/* A resolver over rows of name and text, ending in NULL: ctx. */
struct table {
	const char *const *rows;
	int calls;
};

static int table_resolve(const char *name, struct strbuf *out, void *ctx,
			 struct dg_err *err)
{
	struct table *tb = ctx;

	(void)err;
	tb->calls++;
	for (const char *const *r = tb->rows; *r; r += 2)
		if (!strcmp(*r, name))
			return strbuf_addstr(out, r[1]) ? DG_ENOMEM : 0;
	return DG_ENOTFOUND;
}

static void assert_cached_renders(struct mustache_partials *p,
				  const char *name, const char *expected)
{
	const struct mustache_template *t = NULL;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mustache_partials_get(p, name, &t, &err), 0);
	assert_renders(t, NULL, p, MUSTACHE_ESCAPE_NONE, expected);
}

static void test_mustache__linked_partials_keep_to_their_own_template(
	void **state)
{
	/* main's {{>p}} and layout's {{>q}} are each their template's second */
	static const char *const rows[] = {
		"main", "{{<layout}}{{$b}}[{{>p}}]{{/b}}{{/layout}}",
		"layout", "{{>r}}{{>q}}:{{$b}}default{{/b}}",
		"p", "P",
		"q", "Q",
		"r", "R",
		NULL};
	struct table tb = {.rows = rows};
	struct mustache_partials *p = NULL;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mustache_partials_new(table_resolve, &tb, &p, &err),
			 0);
	assert_cached_renders(p, "main", "RQ:[P]");
	/* the second time every tag follows its link */
	assert_cached_renders(p, "main", "RQ:[P]");
	assert_cached_renders(p, "layout", "RQ:default");
	assert_int_equal(tb.calls, 5);
	mustache_partials_free(p);
}

static void test_mustache__a_cached_template_renders_with_another_cache(
	void **state)
{
	static const char *const rows_a[] = {"main", "{{>x}}", "x", "A", NULL};
	static const char *const rows_b[] = {"x", "B", NULL};
	struct table ta = {.rows = rows_a}, tb = {.rows = rows_b};
	struct mustache_partials *a = NULL, *b = NULL;
	const struct mustache_template *t = NULL;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mustache_partials_new(table_resolve, &ta, &a, &err),
			 0);
	assert_int_equal(mustache_partials_new(table_resolve, &tb, &b, &err),
			 0);
	assert_int_equal(mustache_partials_get(a, "main", &t, &err), 0);
	assert_renders(t, NULL, b, MUSTACHE_ESCAPE_NONE, "B");
	assert_renders(t, NULL, a, MUSTACHE_ESCAPE_NONE, "A");
	assert_renders(t, NULL, b, MUSTACHE_ESCAPE_NONE, "B");
	assert_renders(t, NULL, NULL, MUSTACHE_ESCAPE_NONE, "");
	mustache_partials_free(a);
	mustache_partials_free(b);
}

static void test_mustache__names_are_found_in_maps_of_many_keys(void **state)
{
	struct mustache_template *t = compile(
		"{{k0}},{{k39}},{{a.b.c}},{{a.b.k1}}{{#a}},{{k5}}{{/a}},"
		"{{nope}}{{a.nope}}{{^nope}}none{{/nope}}");
	struct mustache_value *d = mustache_map_new();
	struct mustache_value *b = map1("c", mustache_string("deep"));
	char key[8];

	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(mustache_map_set(d, key, mustache_int(i)), 0);
	}
	assert_int_equal(mustache_map_set(d, "a", map1("b", b)), 0);
	assert_int_equal(mustache_map_set(d, "k39", mustache_string("last")),
			 0);
	assert_int_equal(mustache_map_len(d), 41);
	assert_int_equal(mustache_int_get(mustache_map_get(d, "k17")), 17);
	assert_null(mustache_map_get(d, "k40"));
	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML,
		       "0,last,deep,,5,none");
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__escaping_keeps_the_bytes_between_entities(
	void **state)
{
	struct mustache_template *t = compile("{{x}}|{{{x}}}");
	struct mustache_value *d =
		map1("x", mustache_string("&Zo\u00eb <b>\"it's\"</b>>"));

	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML,
		       "&amp;Zo\u00eb &lt;b&gt;&quot;it&#39;s&quot;&lt;/b&gt;"
		       "&gt;|&Zo\u00eb <b>\"it's\"</b>>");
	mustache_value_free(d);
	mustache_template_free(t);
}

/*
 * Keys are compared by two overlapping loads up to 16 bytes: a byte that
 * differs anywhere, at any length, still tells two keys apart.
 */
static void test_mustache__keys_differing_in_one_byte_are_not_equal(
	void **state)
{
	char a[24], b[24];

	for (size_t n = 0; n <= sizeof(a); n++) {
		memset(a, 'k', sizeof(a));
		memset(b, 'k', sizeof(b));
		assert_true(mustache_key_eq(a, b, n));
		for (size_t i = 0; i < n; i++) {
			b[i] = 'q';
			assert_false(mustache_key_eq(a, b, n));
			assert_false(mustache_key_eq(b, a, n));
			b[i] = 'k';
		}
		/* bytes past n do not count */
		if (n < sizeof(b)) {
			b[n] = 'q';
			assert_true(mustache_key_eq(a, b, n));
		}
	}
}

/*
 * Short pieces are copied by overlapping moves: exactly n bytes, at every
 * length up to 24, and nothing around them.
 */
static void test_mustache__short_copies_move_exactly_their_bytes(void **state)
{
	char src[24], dst[26];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)('a' + i);
	for (size_t n = 0; n <= sizeof(src); n++) {
		memset(dst, '#', sizeof(dst));
		mustache_copy(dst + 1, src, n);
		assert_int_equal(dst[0], '#');
		assert_memory_equal(dst + 1, src, n);
		for (size_t i = n + 1; i < sizeof(dst); i++)
			assert_int_equal(dst[i], '#');
	}
}

/*
 * The escaper skips safe bytes eight at a time: each special byte is
 * still found at every place of a word and of the bytes after the last
 * whole word, and its near neighbours (# $ % ; = ? and UTF-8) are not.
 */
static void test_mustache__escaping_finds_special_bytes_at_every_place(
	void **state)
{
	static const char special[] = "&<>\"'";
	static const char *const entity[] = {"&amp;", "&lt;", "&gt;",
					     "&quot;", "&#39;"};
	static const char safe[] = "#$%;=?()*+,-./:@[]\xc3\xa9\xe2\x80\x9c";
	struct mustache_template *t = compile("{{x}}");
	struct mustache_value *d;
	char text[21], want[64];

	for (size_t k = 0; k < 5; k++) {
		for (size_t at = 0; at < sizeof(text) - 1; at++) {
			memset(text, 'a', sizeof(text) - 1);
			text[sizeof(text) - 1] = '\0';
			text[at] = special[k];
			snprintf(want, sizeof(want), "%.*s%s%s", (int)at, text,
				 entity[k], text + at + 1);
			d = map1("x", mustache_string(text));
			assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML, want);
			mustache_value_free(d);
		}
	}
	d = map1("x", mustache_string(safe));
	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML, safe);
	mustache_value_free(d);
	mustache_template_free(t);
}

/*
 * A tag naming what the tag before it in its body named takes that one's
 * value: only the whole name counts (a, a.b and a.c differ), only within
 * one body and one pass over it (each item of a list looks again).
 */
static void test_mustache__a_name_looked_up_again_finds_its_own_value(
	void **state)
{
	struct mustache_template *t = compile(
		"{{#a}}[{{/a}}{{a.b}}{{^a.c}}none{{/a.c}}{{a.b}}|"
		"{{#items}}{{n}}{{^n}}-{{/n}}{{#n}}+{{/n}}{{/items}}|"
		"{{m}}{{#s}}{{m}}{{/s}}{{m}}");
	struct mustache_value *d = map1("a", map1("b", mustache_string("B")));
	struct mustache_value *items = mustache_list_new();

	assert_non_null(items);
	assert_int_equal(mustache_list_push(items, map1("n", mustache_int(1))),
			 0);
	assert_int_equal(mustache_list_push(items, mustache_map_new()), 0);
	assert_int_equal(mustache_list_push(items, map1("n", mustache_int(2))),
			 0);
	assert_int_equal(mustache_map_set(d, "items", items), 0);
	assert_int_equal(mustache_map_set(d, "m", mustache_string("M")), 0);
	assert_int_equal(mustache_map_set(d, "s", map1("m", mustache_int(7))),
			 0);
	assert_renders(t, d, NULL, MUSTACHE_ESCAPE_HTML,
		       "[BnoneB|1+-2+|M7M");
	mustache_value_free(d);
	mustache_template_free(t);
}

/*
 * A map in an arena has its index from the first key: at every size
 * from 1 to 40 keys (across the index made over again at 16 and 32),
 * each key is found, a key set again is replaced, and others miss.
 */
static void test_mustache__arena_maps_find_their_keys_at_every_size(
	void **state)
{
	struct mustache_arena *a = mustache_arena_new();
	char key[16];

	assert_non_null(a);
	assert_null(mustache_arena_use(a));
	for (int n = 1; n <= 40; n++) {
		struct mustache_value *m = mustache_map_new();

		assert_non_null(m);
		for (int i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "key%d", i);
			assert_int_equal(
				mustache_map_set(m, key, mustache_int(i)), 0);
		}
		assert_int_equal(mustache_map_set(m, "key0", mustache_int(-1)),
				 0);
		assert_int_equal(mustache_map_len(m), (size_t)n);
		assert_int_equal(mustache_int_get(mustache_map_get(m, "key0")),
				 -1);
		for (int i = 1; i < n; i++) {
			snprintf(key, sizeof(key), "key%d", i);
			assert_int_equal(
				mustache_int_get(mustache_map_get(m, key)), i);
		}
		snprintf(key, sizeof(key), "key%d", n);
		assert_null(mustache_map_get(m, key));
		assert_null(mustache_map_get(m, "key"));
	}
	assert_ptr_equal(mustache_arena_use(NULL), a);
	mustache_arena_free(a);
}

static void test_mustache__output_past_the_limit_keeps_what_out_held(
	void **state)
{
	struct mustache_template *t = compile("{{#.}}0123456789{{/.}}");
	struct mustache_value *d = mustache_list_new();
	struct dg_err err = DG_ERR_INIT;
	struct strbuf out;

	strbuf_init(&out, 25);
	assert_int_equal(strbuf_addstr(&out, "kept"), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(mustache_list_push(d, mustache_int(i)), 0);
	assert_int_equal(
		mustache_render(t, d, NULL, MUSTACHE_ESCAPE_HTML, &out, &err),
		0);
	assert_string_equal(out.buf, "kept01234567890123456789");
	strbuf_setlen(&out, 4);
	assert_int_equal(mustache_list_push(d, mustache_int(2)), 0);
	assert_int_equal(
		mustache_render(t, d, NULL, MUSTACHE_ESCAPE_HTML, &out, &err),
		DG_ETOOBIG);
	assert_string_equal(err.msg,
			    "t.mustache: the rendering is larger than 21 "
			    "bytes");
	assert_string_equal(out.buf, "kept");
	strbuf_release(&out);
	mustache_value_free(d);
	mustache_template_free(t);
}

static void test_mustache__lines_of_text_are_indented_inside_an_indented_partial(
	void **state)
{
	static const char *const rows[] = {
		"main", "<ul>\n  {{>p}}\n</ul>\n{{>p}}",
		"p", "one\ntwo\n{{x}}\nthree\nfour\n",
		NULL};
	struct table tb = {.rows = rows};
	struct mustache_partials *p = NULL;
	const struct mustache_template *t = NULL;
	struct mustache_value *d = map1("x", mustache_string("X"));
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mustache_partials_new(table_resolve, &tb, &p, &err),
			 0);
	assert_int_equal(mustache_partials_get(p, "main", &t, &err), 0);
	assert_renders(t, d, p, MUSTACHE_ESCAPE_HTML,
		       "<ul>\n  one\n  two\n  X\n  three\n  four\n</ul>\n"
		       "one\ntwo\nX\nthree\nfour\n");
	mustache_value_free(d);
	mustache_partials_free(p);
}

static void test_mustache__lines_of_text_count_each_in_the_budget(
	void **state)
{
	struct strbuf text = STRBUF_INIT, out;
	struct mustache_template *t;
	struct mustache_value *d = mustache_list_new();
	struct dg_err err = DG_ERR_INIT;

	/*
	 * 50^3 passes over 100 lines (200 nodes: a TEXT and an INDENT each)
	 * take 25 million steps: past the budget, though the lines render
	 * at once.
	 */
	assert_int_equal(strbuf_addstr(&text, "{{#.}}{{#.}}{{#.}}"), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(strbuf_addstr(&text, "l\n"), 0);
	assert_int_equal(strbuf_addstr(&text, "{{/.}}{{/.}}{{/.}}"), 0);
	t = compile(text.buf);
	for (int i = 0; i < 50; i++)
		assert_int_equal(mustache_list_push(d, mustache_list_new()), 0);
	for (int i = 0; i < 50; i++)
		for (int j = 0; j < 50; j++)
			assert_int_equal(
				mustache_list_push(mustache_list_item(d, i),
						   mustache_list_new()),
				0);
	for (int i = 0; i < 50; i++)
		for (int j = 0; j < 50; j++)
			for (int k = 0; k < 50; k++)
				assert_int_equal(
					mustache_list_push(
						mustache_list_item(
							mustache_list_item(d, i),
							j),
						mustache_int(k)),
					0);
	strbuf_init(&out, (size_t)64 << 20);
	assert_int_equal(
		mustache_render(t, d, NULL, MUSTACHE_ESCAPE_HTML, &out, &err),
		DG_ETOOBIG);
	assert_string_equal(err.msg, "t.mustache: the template takes more "
				     "than 10000000 steps (sections over "
				     "lists nested too deep?)");
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
	mustache_template_free(t);
	strbuf_release(&text);
	mustache_value_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_mustache__linked_partials_keep_to_their_own_template),
		cmocka_unit_test(
			test_mustache__lines_of_text_are_indented_inside_an_indented_partial),
		cmocka_unit_test(
			test_mustache__lines_of_text_count_each_in_the_budget),
		cmocka_unit_test(
			test_mustache__a_cached_template_renders_with_another_cache),
		cmocka_unit_test(
			test_mustache__names_are_found_in_maps_of_many_keys),
		cmocka_unit_test(
			test_mustache__escaping_keeps_the_bytes_between_entities),
		cmocka_unit_test(
			test_mustache__output_past_the_limit_keeps_what_out_held),
		cmocka_unit_test(
			test_mustache__keys_differing_in_one_byte_are_not_equal),
		cmocka_unit_test(
			test_mustache__short_copies_move_exactly_their_bytes),
		cmocka_unit_test(
			test_mustache__a_name_looked_up_again_finds_its_own_value),
		cmocka_unit_test(
			test_mustache__arena_maps_find_their_keys_at_every_size),
		cmocka_unit_test(
			test_mustache__escaping_finds_special_bytes_at_every_place),
		cmocka_unit_test(test_mustache__one_template_renders_many_data),
		cmocka_unit_test(test_mustache__template_names_what_it_reads),
		cmocka_unit_test(
			test_mustache__render_appends_to_what_out_holds),
		cmocka_unit_test(
			test_mustache__unclosed_section_names_line_and_column),
		cmocka_unit_test(
			test_mustache__mismatched_closing_tag_names_both_tags),
		cmocka_unit_test(
			test_mustache__closing_tag_without_section_fails),
		cmocka_unit_test(
			test_mustache__unclosed_tag_names_its_delimiter),
		cmocka_unit_test(test_mustache__bad_set_delimiter_tag_fails),
		cmocka_unit_test(test_mustache__empty_or_blank_names_fail),
		cmocka_unit_test(test_mustache__sections_nested_too_deep_fail),
		cmocka_unit_test(
			test_mustache__dynamic_parent_is_closed_with_its_star),
		cmocka_unit_test(
			test_mustache__html_escaping_defuses_hostile_text),
		cmocka_unit_test(
			test_mustache__no_escape_mode_keeps_text_verbatim),
		cmocka_unit_test(
			test_mustache__numbers_render_in_their_shortest_form),
		cmocka_unit_test(test_mustache__zero_empty_and_null_are_false),
		cmocka_unit_test(
			test_mustache__lists_and_maps_interpolate_as_nothing),
		cmocka_unit_test(
			test_mustache__map_set_replaces_an_earlier_value),
		cmocka_unit_test(
			test_mustache__adders_take_ownership_even_on_failure),
		cmocka_unit_test(
			test_mustache__arena_values_render_as_malloced_ones),
		cmocka_unit_test(
			test_mustache__values_outside_an_arena_are_freed_one_by_one),
		cmocka_unit_test(test_mustache__partials_are_resolved_once),
		cmocka_unit_test(test_mustache__missing_partial_is_logged_once),
		cmocka_unit_test(
			test_mustache__resolver_failure_fails_the_render),
		cmocka_unit_test(
			test_mustache__failed_render_leaves_out_as_it_was),
		cmocka_unit_test(test_mustache__output_past_the_limit_fails),
		cmocka_unit_test(
			test_mustache__nested_sections_over_lists_hit_the_budget),
	};
	const struct CMUnitTest folder_tests[] = {
		cmocka_unit_test(
			test_mustache__folder_partials_include_sub_paths),
		cmocka_unit_test(
			test_mustache__two_partials_on_a_line_stay_inline),
		cmocka_unit_test(
			test_mustache__folder_partial_missing_renders_nothing),
		cmocka_unit_test(
			test_mustache__folder_refuses_names_leaving_it),
		cmocka_unit_test(
			test_mustache__folder_refuses_dynamic_names_leaving_it),
		cmocka_unit_test(
			test_mustache__resolver_refuses_empty_and_dot_parts),
		cmocka_unit_test(
			test_mustache__unreadable_partial_fails_naming_it),
		cmocka_unit_test(
			test_mustache__endless_recursion_fails_naming_it),
		cmocka_unit_test(
			test_mustache__broken_partial_fails_naming_both),
		cmocka_unit_test(
			test_mustache__partials_get_compiles_a_named_one),
	};
	int failed = cmocka_run_group_tests_name("mustache", tests, NULL, NULL);

	return failed + cmocka_run_group_tests_name("mustache folder",
						    folder_tests, make_folder,
						    remove_folder);
}
