/*
 * render: the digest model (the JSON of DESIGN.md) and the text, HTML and
 * subject rendered from it. Calendar text is untrusted: it is escaped in
 * HTML, kept to one line in the subject, and a private meeting puts
 * nothing but its time into any output. Tips come from template files.
 *
 * Most tests use a small templates folder made here, whose digest
 * templates print every field of the model whatever the meeting, so that
 * what the model carries is seen in the output; the rest use the real
 * templates of $DIGEST_SRC/templates (skipped without DIGEST_SRC).
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
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "calendar.h"
#include "err.h"
#include "match.h"
#include "match_fixture.h"
#include "mime.h"
#include "plan.h"
#include "render.h"
#include "render_int.h" /* the tips cache and picking again */
#include "roster.h"
#include "scratch.h"
#include "strbuf.h"

#define HOSTILE_SUBJECT "Hi\r\nBcc: x@evil.example"
#define HOSTILE_NAME "<img src=x onerror=alert(1)>"
#define ESCAPED_NAME "&lt;img src=x onerror=alert(1)&gt;"
/* Written into every field of a private meeting; must never come out. */
#define MARKER "zqxsecret"

/* ---- a templates folder of our own ---- */

static const char dump_template[] =
	"{{user.email}}|{{user.name}}|{{date}}\n"
	"{{#meetings}}\n"
	"M|{{id}}|{{time_label}}|{{subject}}|{{location}}|{{join_url}}|"
	"{{organizer.name}}|{{organizer.email}}\n"
	"{{#attendees}}\n"
	"A|{{email}}|{{name}}|{{title}}|{{via}}|{{group}}\n"
	"{{#results}}\n"
	"R|{{assessment}}|{{assessment_label}}|{{result}}\n"
	"{{/results}}\n"
	"{{#tips}}\n"
	"T|{{.}}\n"
	"{{/tips}}\n"
	"{{/attendees}}\n"
	"{{#dynamics}}\n"
	"D|{{.}}\n"
	"{{/dynamics}}\n"
	"{{/meetings}}\n";

static const struct {
	const char *path;
	const char *text;
} own_files[] = {
	{ "digest.txt.mustache", dump_template },
	{ "digest.html.mustache", dump_template },
	{ "time_label.mustache", "{{start_time}}\n" },
	{ "tips/disc/_label.mustache", "DISC\n" },
	{ "tips/disc/D.mustache",
	  "Open with the goal, {{first_name}}.\n\n   Then ask {{name}}.  \n" },
	{ "tips/disc/I.mustache", "Tell {{first_name}} a story.\n" },
	/* No tips/disc/C.mustache: a result without tips. */
	{ "tips/disc/X.mustache", "Broken {{#first_name}} tip\n" },
	{ "tips/disc/_group.mustache",
	  "{{label}}: {{count}} people{{#mixed}}, mixed{{/mixed}}\n" },
};

static struct scratch own = SCRATCH_INIT;

/* Write text to <own>/rel, making its folders. */
static void write_file(const char *rel, const char *text)
{
	scratch_write(&own, rel, text);
}

static void remove_file(const char *rel)
{
	struct strbuf path = STRBUF_INIT;

	assert_int_equal(strbuf_addf(&path, "%s/%s", own.dir.buf, rel), 0);
	unlink(path.buf);
	/* Then its folders, deepest first; a folder still in use stays. */
	for (;;) {
		char *slash = strrchr(path.buf, '/');

		if (!slash || slash <= path.buf + own.dir.len)
			break;
		*slash = '\0';
		rmdir(path.buf);
	}
	strbuf_release(&path);
}

static int own_dir_setup(void **state)
{
	if (scratch_make(&own))
		return -1;
	for (size_t i = 0; i < sizeof(own_files) / sizeof(own_files[0]); i++)
		write_file(own_files[i].path, own_files[i].text);
	return 0;
}

static int own_dir_teardown(void **state)
{
	return scratch_remove(&own);
}

/* ---- one user's digest, built by hand ---- */

/* 2026-11-24T00:00-08:00, Zoë's day in Los Angeles. */
#define DAY_START_MS INT64_C(1795507200000)


#define MAX_MEETINGS 6

struct digest {
	struct cal_user user;
	struct roster roster;
	struct plan_target target;
	struct cal_event events[MAX_MEETINGS];
	struct plan_meeting meetings[MAX_MEETINGS];
	struct match_list lists[MAX_MEETINGS];
	struct plan_day day;
	struct render_input in;
	struct render_engine *engine;
};

static char *xdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	assert_non_null(p);
	return p;
}

/* A roster person with no title and no results yet. */
static struct roster_person blank_person(const char *email, const char *name)
{
	struct roster_person p;

	memset(&p, 0, sizeof(p));
	p.email = xdup(email);
	p.name = xdup(name);
	p.title = xdup("");
	return p;
}

/* p into d's roster, which then owns it. */
static void push_person(struct digest *d, struct roster_person *p)
{
	bool had_self = d->in.self != NULL;

	assert_int_equal(roster_push(&d->roster, p), 0);
	/* The push may have moved the roster. */
	if (had_self)
		d->in.self = roster_find(&d->roster, "zoe@contoso.com");
}

static void person(struct digest *d, const char *email, const char *name,
		   const char *disc, const char *enneagram, bool opt_out)
{
	struct roster_person p = blank_person(email, name);

	p.opt_out = opt_out;
	if (disc)
		assert_int_equal(roster_person_add_result(&p, "disc", disc), 0);
	if (enneagram)
		assert_int_equal(roster_person_add_result(&p, "enneagram",
							  enneagram),
				 0);
	push_person(d, &p);
}

static const struct roster_person *find(const struct digest *d,
					const char *email)
{
	const struct roster_person *p = roster_find(&d->roster, email);

	assert_non_null(p);
	return p;
}

static void engine_open(struct digest *d, const char *dir,
			const char *subject)
{
	struct dg_err err = DG_ERR_INIT;

	if (render_open(dir, subject, &d->engine, &err))
		fail_msg("render_open: %s", err.msg);
}

/* Zoë's digest of 2026-11-24 in Los Angeles, no meetings yet. */
static struct digest *digest_new(const char *dir, const char *subject)
{
	struct digest *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->user.mail = xdup("zoe@contoso.com");
	d->user.display_name = xdup("Zoë Martin");
	person(d, "zoe@contoso.com", "Zoë Martin", "I", NULL, false);
	person(d, "ann@contoso.com", "Ann Archer", "D", "8", false);
	person(d, "marcus@contoso.com", "Marcus Lee", "D", NULL, true);
	person(d, "carl@contoso.com", "Carl Chen", "C", NULL, false);
	d->target = (struct plan_target)PLAN_TARGET_INIT;
	memcpy(d->target.date, "2026-11-24", 11);
	d->target.zone = xdup("America/Los_Angeles");
	d->target.locale = xdup("en-US");
	d->target.start_ms = DAY_START_MS;
	d->target.end_ms = DAY_START_MS + 24 * 3600 * 1000;
	d->day = (struct plan_day)PLAN_DAY_INIT;
	d->day.meetings = d->meetings;
	d->day.date_label = xdup("Tuesday, November 24, 2026");
	d->in.user = &d->user;
	d->in.target = &d->target;
	d->in.day = &d->day;
	d->in.attendees = d->lists;
	d->in.self = find(d, "zoe@contoso.com");
	engine_open(d, dir, subject);
	return d;
}

static struct digest *own_digest(void)
{
	return digest_new(own.dir.buf,
			  "{{#meetings}}{{subject}} {{/meetings}}on {{date}}");
}

/* The same with the real templates, or the test is skipped. */
static struct digest *real_digest(const char *subject)
{
	const char *src = getenv("DIGEST_SRC");
	struct strbuf dir = STRBUF_INIT;
	struct digest *d;

	if (!src)
		skip();
	assert_int_equal(strbuf_addf(&dir, "%s/templates", src), 0);
	d = digest_new(dir.buf, subject);
	strbuf_release(&dir);
	return d;
}

static void digest_free(struct digest *d)
{
	render_close(d->engine);
	for (size_t i = 0; i < d->day.n; i++) {
		own_list_release(&d->lists[i]);
		cal_event_release(&d->events[i]);
		free(d->meetings[i].start_label);
		free(d->meetings[i].end_label);
	}
	free(d->day.date_label);
	plan_target_release(&d->target);
	roster_release(&d->roster);
	cal_user_release(&d->user);
	free(d);
}

static int64_t minutes_of(const char *hhmm)
{
	return (hhmm[0] - '0') * 600 + (hhmm[1] - '0') * 60 +
	       (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
}

/* Add a meeting from hh:mm to hh:mm; returns its event to fill in. */
static struct cal_event *meeting(struct digest *d, const char *id,
				 const char *subject, const char *from,
				 const char *to)
{
	size_t i = d->day.n;
	struct plan_meeting *m = &d->meetings[i];
	struct cal_event *ev = &d->events[i];

	assert_true(i < MAX_MEETINGS);
	d->day.n++;
	ev->id = xdup(id);
	ev->subject = xdup(subject);
	m->event = ev;
	snprintf(m->start, sizeof(m->start), "2026-11-24T%s:00-08:00", from);
	snprintf(m->end, sizeof(m->end), "2026-11-24T%s:00-08:00", to);
	m->start_label = xdup(from);
	m->end_label = xdup(to);
	m->start_ms = DAY_START_MS + minutes_of(from) * 60000;
	m->end_ms = DAY_START_MS + minutes_of(to) * 60000;
	d->lists[i] = (struct match_list)MATCH_LIST_INIT;
	return ev;
}

/* Add an attendee to the last meeting, matched to person when given. */
static void attendee(struct digest *d, const char *email, const char *name,
		     const char *person_email, const char *via,
		     const char *group)
{
	struct match_list *l = &d->lists[d->day.n - 1];
	struct match_attendee *a;

	assert_true(d->day.n > 0);
	a = realloc(l->v, (l->n + 1) * sizeof(*a));
	assert_non_null(a);
	l->v = a;
	a += l->n++;
	memset(a, 0, sizeof(*a));
	a->email = xdup(email);
	a->name = xdup(name);
	a->person = person_email ? find(d, person_email) : NULL;
	a->via = via;
	a->group = xdup(group);
	a->external = !strstr(email, "@contoso.com");
	if (!a->person)
		l->unmatched++;
}

/* ---- rendering ---- */

static json_object *model(struct digest *d)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	json_object *j;

	if (render_json(d->engine, &d->in, &out, &err))
		fail_msg("render_json: %s", err.msg);
	j = json_tokener_parse(out.buf);
	if (!j)
		fail_msg("render_json wrote no JSON: %s", out.buf);
	strbuf_release(&out);
	return j;
}

static void render(struct digest *d, struct render_output *out)
{
	struct dg_err err = DG_ERR_INIT;

	if (render_digest(d->engine, &d->in, out, &err))
		fail_msg("render_digest: %s", err.msg);
}

/* The value at a path of keys and indexes: "meetings.0.subject". */
static json_object *at(json_object *j, const char *path)
{
	const char *k = path;

	while (*k) {
		size_t n = strcspn(k, ".");
		char *key = strndup(k, n);

		assert_non_null(key);
		if (json_object_is_type(j, json_type_array)) {
			char *end;
			long i = strtol(key, &end, 10);

			if (*end || i < 0 ||
			    (size_t)i >= json_object_array_length(j))
				fail_msg("no item %s in %s", key, path);
			j = json_object_array_get_idx(j, (size_t)i);
		} else if (!json_object_object_get_ex(j, key, &j)) {
			fail_msg("no key %s in %s", key, path);
		}
		free(key);
		k += n + (k[n] == '.');
	}
	return j;
}

static void assert_str_at(json_object *j, const char *path, const char *want)
{
	json_object *v = at(j, path);

	if (!json_object_is_type(v, json_type_string))
		fail_msg("%s is not a string", path);
	assert_string_equal(json_object_get_string(v), want);
}

static void assert_bool_at(json_object *j, const char *path, bool want)
{
	json_object *v = at(j, path);

	if (!json_object_is_type(v, json_type_boolean))
		fail_msg("%s is not a boolean", path);
	assert_int_equal(json_object_get_boolean(v), want);
}

static void assert_null_at(json_object *j, const char *path)
{
	if (at(j, path))
		fail_msg("%s is not null", path);
}

/* The key is absent, or null. */
static void assert_no_value(json_object *j, const char *path,
			    const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(at(j, path), key, &v);
	if (v)
		fail_msg("%s.%s is set: %s", path, key,
			 json_object_to_json_string(v));
}

static size_t length_at(json_object *j, const char *path)
{
	json_object *v = at(j, path);

	if (!json_object_is_type(v, json_type_array))
		fail_msg("%s is not an array", path);
	return json_object_array_length(v);
}

static void assert_lacks(const char *text, const char *what)
{
	if (strcasestr(text, what))
		fail_msg("\"%s\" found in:\n%s", what, text);
}

/* ---- escaping and the subject ---- */

static void test_render__hostile_calendar_text_is_escaped_in_html(
	void **state)
{
	struct digest *d = own_digest();
	struct render_output out = RENDER_OUTPUT_INIT;
	struct cal_event *ev = meeting(d, "AAMk-1", HOSTILE_SUBJECT, "14:30",
				       "15:00");

	ev->location = xdup("<b>Room</b> \"Lobby\"");
	attendee(d, "guest@evil.example", HOSTILE_NAME, NULL, NULL, NULL);
	render(d, &out);
	assert_non_null(strstr(out.html.buf, ESCAPED_NAME));
	assert_non_null(strstr(out.html.buf,
			       "&lt;b&gt;Room&lt;/b&gt; &quot;Lobby&quot;"));
	assert_lacks(out.html.buf, "<img");
	assert_lacks(out.html.buf, "<b>");
	/* The text part is not HTML: the same name comes out as written. */
	assert_non_null(strstr(out.text.buf, HOSTILE_NAME));
	render_output_release(&out);
	digest_free(d);
}

static void test_render__real_templates_escape_a_hostile_profile_name(
	void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_output out = RENDER_OUTPUT_INIT;

	/* A roster name is shown in full, and fills the tips' first_name. */
	person(d, "eve@contoso.com", HOSTILE_NAME " Eve", "D", NULL, false);
	meeting(d, "AAMk-1", HOSTILE_SUBJECT, "14:30", "15:00")->location =
		xdup("<b>Room</b>");
	attendee(d, "eve@contoso.com", HOSTILE_NAME " Eve", "eve@contoso.com",
		 "direct", NULL);
	render(d, &out);
	assert_non_null(strstr(out.html.buf, ESCAPED_NAME " Eve"));
	assert_non_null(strstr(out.html.buf, "&lt;b&gt;Room&lt;/b&gt;"));
	assert_lacks(out.html.buf, "<img");
	assert_lacks(out.html.buf, "<b>");
	assert_lacks(out.html.buf, "onerror=alert(1)>");
	render_output_release(&out);
	digest_free(d);
}

static void test_render__subject_is_one_line(void **state)
{
	struct digest *d = own_digest();
	struct render_output out = RENDER_OUTPUT_INIT;

	meeting(d, "AAMk-1", HOSTILE_SUBJECT, "14:30", "15:00");
	meeting(d, "AAMk-2", "Tab\there\n", "15:00", "16:00");
	render(d, &out);
	assert_null(strpbrk(out.subject.buf, "\r\n\t"));
	assert_non_null(strstr(out.subject.buf, "Bcc: x@evil.example"));
	assert_non_null(strstr(out.subject.buf, "on 2026-11-24"));
	assert_int_equal(strlen(out.subject.buf), out.subject.len);
	render_output_release(&out);
	digest_free(d);
}

/* How many header fields of the top header block are called name. */
static size_t count_headers(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n");
	size_t n = 0, len = strlen(name);

	assert_non_null(end);
	for (const char *line = msg; line < end;) {
		const char *eol = strstr(line, "\r\n");

		/* Folded lines start with a blank and name no field. */
		if (!strncasecmp(line, name, len) && line[len] == ':')
			n++;
		line = eol + 2;
	}
	return n;
}

static void test_render__mime_has_one_subject_and_no_bcc_header(
	void **state)
{
	struct digest *d = own_digest();
	struct render_output out = RENDER_OUTPUT_INIT;
	struct strbuf msg = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct mime_message m;

	meeting(d, "AAMk-1", HOSTILE_SUBJECT, "14:30", "15:00");
	render(d, &out);
	memset(&m, 0, sizeof(m));
	m.from = "Meeting digest <digest@example.com>";
	m.to_name = "Zoë Martin";
	m.to_address = "zoe@contoso.com";
	m.subject = out.subject.buf;
	m.text = out.text.buf;
	m.html = out.html.buf;
	m.date = 1795428000;
	m.message_id = "digest.0123456789abcdef@example.com";
	if (mime_build(&m, &msg, &err))
		fail_msg("mime_build: %s", err.msg);
	assert_int_equal(count_headers(msg.buf, "Subject"), 1);
	assert_int_equal(count_headers(msg.buf, "Bcc"), 0);
	assert_int_equal(count_headers(msg.buf, "To"), 1);
	strbuf_release(&msg);
	render_output_release(&out);
	digest_free(d);
}

/* ---- private meetings ---- */

/* A private meeting with MARKER in every field, and people in the room. */
static void private_meeting(struct digest *d)
{
	struct cal_event *ev;

	person(d, MARKER ".pat@fabrikam.com", "Zqxsecret Kim", "D", NULL,
	       false);
	ev = meeting(d, "AAMk-private", "Interview " MARKER, "12:00",
		     "13:00");
	ev->sensitivity = CAL_SENSITIVITY_PRIVATE;
	ev->location = xdup("Room " MARKER);
	ev->join_url = xdup("https://teams.microsoft.com/" MARKER);
	ev->toll_number = xdup("+1 555 " MARKER);
	ev->conference_id = xdup(MARKER "#");
	ev->organizer.name = xdup("Org " MARKER);
	ev->organizer.address = xdup(MARKER ".org@fabrikam.com");
	d->meetings[d->day.n - 1].is_private = true;
	/* Not matched by job, but render must not rely on that. */
	attendee(d, MARKER ".pat@fabrikam.com", "Zqxsecret Kim",
		 MARKER ".pat@fabrikam.com", "direct", "List " MARKER);
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	attendee(d, MARKER ".jo@fabrikam.com", "Jo " MARKER, NULL, NULL, NULL);
}

static void assert_private_model(json_object *j)
{
	assert_str_at(j, "meetings.0.id", "AAMk-private");
	assert_bool_at(j, "meetings.0.private", true);
	assert_str_at(j, "meetings.0.start", "2026-11-24T12:00:00-08:00");
	assert_no_value(j, "meetings.0", "subject");
	assert_no_value(j, "meetings.0", "location");
	assert_no_value(j, "meetings.0", "join_url");
	assert_no_value(j, "meetings.0", "dial_in");
	assert_no_value(j, "meetings.0", "organizer");
	assert_int_equal(length_at(j, "meetings.0.attendees"), 0);
	assert_int_equal(length_at(j, "meetings.0.dynamics"), 0);
	assert_lacks(json_object_to_json_string(j), MARKER);
	assert_lacks(json_object_to_json_string(j), "Archer");
}

static void test_render__private_meeting_model_holds_only_its_time(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	private_meeting(d);
	j = model(d);
	assert_private_model(j);
	json_object_put(j);
	digest_free(d);
}

static void test_render__private_meeting_leaks_into_no_output(void **state)
{
	struct digest *d = own_digest();
	struct render_output out = RENDER_OUTPUT_INIT;

	private_meeting(d);
	render(d, &out);
	assert_lacks(out.subject.buf, MARKER);
	assert_lacks(out.text.buf, MARKER);
	assert_lacks(out.html.buf, MARKER);
	/* Ann's tips would name her: nobody in the room is shown. */
	assert_lacks(out.text.buf, "Archer");
	assert_lacks(out.html.buf, "Archer");
	assert_non_null(strstr(out.text.buf, "M|AAMk-private|12:00 PM"));
	render_output_release(&out);
	digest_free(d);
}

static void test_render__real_templates_leak_no_private_meeting(
	void **state)
{
	struct digest *d = real_digest("{{#meetings}}{{subject}}{{/meetings}}");
	struct render_output out = RENDER_OUTPUT_INIT;

	private_meeting(d);
	render(d, &out);
	assert_lacks(out.subject.buf, MARKER);
	assert_lacks(out.text.buf, MARKER);
	assert_lacks(out.html.buf, MARKER);
	assert_lacks(out.text.buf, "Archer");
	assert_lacks(out.html.buf, "Archer");
	assert_non_null(strstr(out.text.buf, "Private meeting"));
	assert_non_null(strstr(out.html.buf, "Private meeting"));
	render_output_release(&out);
	digest_free(d);
}

/* ---- links ---- */

static void test_render__javascript_join_url_is_dropped(void **state)
{
	struct digest *d = own_digest();
	struct render_output out = RENDER_OUTPUT_INIT;
	json_object *j;

	meeting(d, "AAMk-1", "Sync", "09:00", "09:30")->join_url =
		xdup("JavaScript:alert(document.cookie)");
	j = model(d);
	assert_null_at(j, "meetings.0.join_url");
	render(d, &out);
	assert_lacks(out.text.buf, "javascript:");
	assert_lacks(out.html.buf, "javascript:");
	render_output_release(&out);
	json_object_put(j);
	digest_free(d);
}

static void test_render__look_alike_join_url_is_text_with_its_host(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	meeting(d, "AAMk-1", "Sync", "09:00", "09:30")->join_url =
		xdup("https://teams.microsoft.com@evil.example/l/1");
	meeting(d, "AAMk-2", "Sync", "10:00", "10:30")->join_url =
		xdup("https://teams.microsoft.com.evil.example/l/1");
	j = model(d);
	assert_null_at(j, "meetings.0.join_url");
	assert_str_at(j, "meetings.0.other_url.host", "evil.example");
	assert_str_at(j, "meetings.0.other_url.url",
		      "https://teams.microsoft.com@evil.example/l/1");
	assert_null_at(j, "meetings.1.join_url");
	assert_str_at(j, "meetings.1.other_url.host",
		      "teams.microsoft.com.evil.example");
	json_object_put(j);
	digest_free(d);
}

static void test_render__bidi_controls_are_gone_from_subject_and_place(
	void **state)
{
	struct digest *d = own_digest();
	struct cal_event *ev;
	json_object *j;

	ev = meeting(d, "AAMk-1", "Budget \u202Egnp.exe\u202C review",
		     "09:00", "09:30");
	ev->location = xdup("Room\u200B 4\u2066B\u2069");
	j = model(d);
	assert_str_at(j, "meetings.0.subject", "Budget gnp.exe review");
	assert_str_at(j, "meetings.0.location", "Room 4B");
	json_object_put(j);
	digest_free(d);
}

static void test_render__web_join_url_is_kept(void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	meeting(d, "AAMk-1", "Sync", "09:00", "09:30")->join_url =
		xdup("https://teams.microsoft.com/l/meetup-join/1");
	j = model(d);
	assert_str_at(j, "meetings.0.join_url",
		      "https://teams.microsoft.com/l/meetup-join/1");
	json_object_put(j);
	digest_free(d);
}

static void test_render__dial_in_number_and_conference_id_are_in_the_model(
	void **state)
{
	struct digest *d = own_digest();
	struct cal_event *ev;
	json_object *j;

	ev = meeting(d, "AAMk-1", "Sync", "09:00", "09:30");
	ev->join_url = xdup("https://teams.microsoft.com/l/meetup-join/1");
	ev->toll_number = xdup("+1 425 555 0100\r\nBcc: x");
	ev->toll_free_number = xdup("+1 800 555 0100");
	ev->conference_id = xdup("123 456 789#");
	meeting(d, "AAMk-2", "Walk", "10:00", "10:30");
	j = model(d);
	assert_str_at(j, "meetings.0.dial_in.number",
		      "+1 425 555 0100  Bcc: x");
	assert_str_at(j, "meetings.0.dial_in.toll_free", "+1 800 555 0100");
	assert_str_at(j, "meetings.0.dial_in.conference_id", "123 456 789#");
	assert_no_value(j, "meetings.1", "dial_in");
	json_object_put(j);
	digest_free(d);
}

static void test_render__real_templates_show_dial_in_beside_the_join_link(
	void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_output out = RENDER_OUTPUT_INIT;
	struct cal_event *ev;

	ev = meeting(d, "AAMk-1", "Sync", "09:00", "09:30");
	ev->join_url = xdup("https://teams.microsoft.com/l/meetup-join/1");
	ev->toll_number = xdup("+1 425 555 0100");
	ev->conference_id = xdup("123 456 789#");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	render(d, &out);
	assert_non_null(strstr(out.text.buf, "Call: +1 425 555 0100, "
				"conference ID 123 456 789#"));
	assert_non_null(strstr(out.html.buf, "or call +1 425 555 0100, "
				"conference ID 123 456 789#"));
	render_output_release(&out);
	digest_free(d);
}

/* ---- people and tips ---- */

static void test_render__opted_out_person_is_shown_as_unmatched(void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	meeting(d, "AAMk-1", "Budget", "09:00", "09:30");
	attendee(d, "marcus@contoso.com", "Marcus Lee", "marcus@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_bool_at(j, "meetings.0.attendees.0.matched", false);
	assert_null_at(j, "meetings.0.attendees.0.via");
	assert_int_equal(length_at(j, "meetings.0.attendees.0.tips"), 0);
	assert_int_equal(length_at(j, "meetings.0.attendees.0.results"), 0);
	assert_int_equal(json_object_get_int(
				 at(j, "meetings.0.unmatched_count")),
			 1);
	/* Marcus's D and Zoë's I would make a group line. */
	assert_int_equal(length_at(j, "meetings.0.dynamics"), 0);
	json_object_put(j);
	digest_free(d);
}

static void test_render__tips_are_the_lines_of_the_result_file(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	meeting(d, "AAMk-1", "1:1", "09:00", "09:30");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	j = model(d);
	/* tips/disc/D.mustache: two lines, a blank one, spaces around. */
	assert_int_equal(length_at(j, "meetings.0.attendees.0.tips"), 2);
	assert_str_at(j, "meetings.0.attendees.0.tips.0",
		      "Open with the goal, Ann.");
	assert_str_at(j, "meetings.0.attendees.0.tips.1",
		      "Then ask Ann Archer.");
	/* Enneagram 8 has no file at all: a result, no tips. */
	assert_int_equal(length_at(j, "meetings.0.attendees.0.results"), 2);
	assert_str_at(j, "meetings.0.attendees.0.results.0.assessment_label",
		      "DISC");
	assert_str_at(j, "meetings.0.attendees.0.results.1.assessment_label",
		      "ENNEAGRAM");
	assert_str_at(j, "meetings.0.attendees.0.results.1.result", "8");
	json_object_put(j);
	digest_free(d);
}

static void test_render__missing_tip_file_gives_no_tips_no_error(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	meeting(d, "AAMk-1", "Review", "09:00", "09:30");
	attendee(d, "carl@contoso.com", "Carl Chen", "carl@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_bool_at(j, "meetings.0.attendees.0.matched", true);
	assert_int_equal(length_at(j, "meetings.0.attendees.0.tips"), 0);
	assert_str_at(j, "meetings.0.attendees.0.results.0.result", "C");
	json_object_put(j);
	digest_free(d);
}

static void test_render__real_tips_name_the_person(void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	json_object *j;

	meeting(d, "AAMk-1", "1:1", "09:00", "09:30");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_int_equal(length_at(j, "meetings.0.attendees.0.tips"), 3);
	assert_non_null(strstr(json_object_get_string(at(
				       j, "meetings.0.attendees.0.tips.1")),
			       "Ann"));
	json_object_put(j);
	digest_free(d);
}

static void test_render__broken_tip_template_fails_naming_it(void **state)
{
	struct digest *d = own_digest();
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	person(d, "xena@contoso.com", "Xena", "X", NULL, false);
	meeting(d, "AAMk-1", "1:1", "09:00", "09:30");
	attendee(d, "xena@contoso.com", "Xena", "xena@contoso.com", "direct",
		 NULL);
	assert_int_equal(render_json(d->engine, &d->in, &out, &err), DG_EPARSE);
	assert_non_null(strstr(err.msg, "tips/disc/X"));
	assert_non_null(strstr(err.msg, ":1:8: section '{{#first_name}}' is "
					"never closed"));
	strbuf_release(&out);
	digest_free(d);
}

/* ---- group dynamics ---- */

static void test_render__group_line_leaves_the_user_out(void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	/* Zoë (I) and Ann (D): Ann alone is about the room, so no line. */
	meeting(d, "AAMk-1", "1:1", "09:00", "09:30");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_int_equal(length_at(j, "meetings.0.dynamics"), 0);
	json_object_put(j);
	digest_free(d);
}

static void test_render__no_group_line_with_one_result_in_the_room(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	d->in.self = NULL; /* Zoë has no profile */
	meeting(d, "AAMk-1", "1:1", "09:00", "09:30");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	attendee(d, "jo@fabrikam.com", "Jo", NULL, NULL, NULL);
	j = model(d);
	assert_int_equal(length_at(j, "meetings.0.dynamics"), 0);
	json_object_put(j);
	digest_free(d);
}

static void test_render__group_line_counts_everyone_else_with_a_result(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	meeting(d, "AAMk-1", "Review", "09:00", "09:30");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "group", "Platform Team");
	attendee(d, "carl@contoso.com", "Carl Chen", "carl@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_str_at(j, "meetings.0.dynamics.0", "DISC: 2 people, mixed");
	json_object_put(j);
	digest_free(d);
}

/* ---- a morning-sized read ---- */

/* Every tip string of the model, in order, into a list; count returned. */
static size_t all_tips(json_object *j, const char **v, size_t max)
{
	json_object *ms = at(j, "meetings");
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *as = at(json_object_array_get_idx(ms, i),
				     "attendees");

		for (size_t k = 0; k < json_object_array_length(as); k++) {
			json_object *a = json_object_array_get_idx(as, k);
			json_object *ts = at(a, "tips");

			if (json_object_object_get_ex(a, "tips_above", NULL))
				continue;
			for (size_t t = 0; t < json_object_array_length(ts) &&
					   n < max;
			     t++)
				v[n++] = json_object_get_string(
					json_object_array_get_idx(ts, t));
		}
	}
	return n;
}

static void test_render__no_tip_sentence_twice_and_three_at_most(
	void **state)
{
	struct digest *d = own_digest();
	const char *tips[64];
	json_object *j;
	size_t n;

	/* Own tips: "Open with the goal, X." is the same for two D people. */
	person(d, "dan@contoso.com", "Ann Archer", "D", NULL, false);
	meeting(d, "AAMk-1", "Sync", "09:00", "09:30");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	attendee(d, "dan@contoso.com", "Ann Archer", "dan@contoso.com",
		 "direct", NULL);
	j = model(d);
	n = all_tips(j, tips, 64);
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			assert_string_not_equal(tips[a], tips[b]);
	assert_int_equal(length_at(j, "meetings.0.attendees.0.tips"), 2);
	/* The second D person's sentences are all taken already. */
	assert_int_equal(length_at(j, "meetings.0.attendees.1.tips"), 0);
	json_object_put(j);
	digest_free(d);
}

static void test_render__real_tips_repeat_no_sentence_in_a_digest(
	void **state)
{
	static const char *const people[] = {"ann@contoso.com",
					     "carl@contoso.com"};
	struct digest *d = real_digest("Your meetings on {{date}}");
	const char *tips[64];
	json_object *j;
	size_t n;

	for (size_t m = 0; m < 3; m++) {
		meeting(d, m ? "AAMk-2" : "AAMk-1", "Sync", "09:00", "09:30");
		for (size_t i = 0; i < 2; i++)
			attendee(d, people[i], "X", people[i], "direct", NULL);
	}
	j = model(d);
	n = all_tips(j, tips, 64);
	assert_true(n >= 4);
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			assert_string_not_equal(tips[a], tips[b]);
	assert_true(length_at(j, "meetings.0.attendees.0.tips") <= 3);
	assert_bool_at(j, "meetings.1.attendees.0.tips_above", true);
	json_object_put(j);
	digest_free(d);
}

static void test_render__tips_are_picked_for_the_meeting(void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	json_object *j;

	/* Ann (D) organizes a one-to-one with Zoë. */
	meeting(d, "AAMk-1", "1:1", "09:00", "09:30")->organizer.address =
		xdup("ann@contoso.com");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_non_null(strstr(json_object_get_string(at(
				       j, "meetings.0.attendees.0.tips.0")),
			       "Ann called this meeting"));
	json_object_put(j);
	digest_free(d);
}

static void test_render__holds_collapse_into_one_list(void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	meeting(d, "AAMk-lunch", "Lunch", "12:00", "12:45");
	meeting(d, "AAMk-sync", "Sync", "13:00", "13:30");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_bool_at(j, "meetings.0.hold", true);
	assert_bool_at(j, "meetings.1.hold", false);
	assert_int_equal(length_at(j, "holds"), 1);
	assert_str_at(j, "holds.0.subject", "Lunch");
	assert_true(json_object_is_type(at(j, "holds.0.time_label"),
					json_type_string));
	assert_int_equal(json_object_get_int(at(j, "main_count")), 1);
	json_object_put(j);
	digest_free(d);
}

static void test_render__event_organized_by_someone_else_is_no_hold(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	meeting(d, "AAMk-1", "Invite", "12:00", "12:45")->organizer.address =
		xdup("mallory@evil.example");
	j = model(d);
	assert_bool_at(j, "meetings.0.hold", false);
	json_object_put(j);
	digest_free(d);
}

static void test_render__crowded_meeting_names_people_without_tips(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	d->in.max_people_per_meeting = 1;
	meeting(d, "AAMk-1", "All hands", "09:00", "10:00");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	attendee(d, "carl@contoso.com", "Carl Chen", "carl@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_bool_at(j, "meetings.0.crowd", true);
	assert_str_at(j, "meetings.0.people", "Ann and Carl");
	assert_int_equal(length_at(j, "meetings.0.attendees.0.tips"), 0);
	assert_int_equal(length_at(j, "meetings.0.dynamics"), 1);
	json_object_put(j);
	digest_free(d);
}

static void test_render__part_day_absence_is_in_the_model(void **state)
{
	struct digest *d = own_digest();
	struct plan_meeting away = {.start_label = (char *)"7:00 AM",
				    .end_label = (char *)"8:00 AM"};
	struct render_output out = RENDER_OUTPUT_INIT;
	json_object *j;

	d->day.away = &away;
	d->day.naway = 1;
	meeting(d, "AAMk-1", "Sync", "09:00", "09:30");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_int_equal(length_at(j, "away"), 1);
	assert_true(json_object_is_type(at(j, "away.0.time_label"),
					json_type_string));
	json_object_put(j);
	d->day.away = NULL;
	d->day.naway = 0;
	render_output_release(&out);
	digest_free(d);
}

/* A meeting's texts of time: "start|end|range|label" (null: "-"). */
static char *times_at(json_object *j, const char *path)
{
	static const char *const keys[] = {"start_time", "end_time",
					   "time_range", "time_label"};
	struct strbuf s = STRBUF_INIT;

	for (size_t i = 0; i < 4; i++) {
		json_object *v = NULL;

		json_object_object_get_ex(at(j, path), keys[i], &v);
		assert_int_equal(strbuf_addf(&s, "%s%s", i ? "|" : "",
					     v ? json_object_get_string(v)
					       : "-"),
				 0);
	}
	return strbuf_detach(&s, NULL);
}

/*
 * The times of a model as an engine that never remembered any would
 * make them: d's engine is replaced by a fresh one.
 */
static char *fresh_times_at(struct digest *d, const char *dir,
			    const char *path)
{
	json_object *j;
	char *t;

	render_close(d->engine);
	engine_open(d, dir, "Your meetings on {{date}}");
	j = model(d);
	t = times_at(j, path);
	json_object_put(j);
	return t;
}

static void test_render__remembered_times_follow_zone_language_and_day(
	void **state)
{
	static const struct {
		const char *zone, *locale;
		bool all_day, next_day;
	} cases[] = {
		{"America/Los_Angeles", "en-US", false, false},
		{"Asia/Tokyo", "en-US", false, false},
		{"Asia/Tokyo", "de-DE", false, false},
		{"Asia/Tokyo", "de-DE", false, true},
		{"Asia/Tokyo", "de-DE", true, true},
		{"America/Los_Angeles", "en-US", false, false},
	};
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct plan_meeting away = {.start_label = (char *)"9:00 AM",
				    .end_label = (char *)"9:30 AM"};
	struct strbuf dir = STRBUF_INIT;
	char *first = NULL;

	assert_int_equal(strbuf_addf(&dir, "%s/templates",
				     getenv("DIGEST_SRC")),
			 0);
	/* the same instants twice: a meeting, and an absence (no all_day) */
	meeting(d, "AAMk-1", "Sync", "09:00", "09:30");
	away.start_ms = d->meetings[0].start_ms;
	away.end_ms = d->meetings[0].end_ms;
	d->day.away = &away;
	d->day.naway = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *paths[] = {"meetings.0", "away.0"};

		free(d->target.zone);
		d->target.zone = xdup(cases[i].zone);
		d->in.locale = cases[i].locale;
		d->meetings[0].all_day = cases[i].all_day;
		d->meetings[0].ends_after_day = cases[i].next_day;
		for (size_t k = 0; k < 2; k++) {
			json_object *j = model(d); /* an engine that knows */
			char *known = times_at(j, paths[k]);
			char *fresh = fresh_times_at(d, dir.buf, paths[k]);

			assert_string_equal(known, fresh);
			if (!i && !k)
				first = xdup(known);
			/* another zone or language: other texts */
			if (i == 1 && !k)
				assert_string_not_equal(known, first);
			if (i == 5 && !k)
				assert_string_equal(known, first);
			free(known);
			free(fresh);
			json_object_put(j);
		}
	}
	free(first);
	d->day.away = NULL;
	d->day.naway = 0;
	strbuf_release(&dir);
	digest_free(d);
}

static void test_render__time_label_reading_more_is_made_for_each_meeting(
	void **state)
{
	struct digest *d;
	json_object *j;

	write_file("time_label.mustache", "{{id}} {{start_time}}\n");
	d = own_digest();
	meeting(d, "AAMk-1", "Sync", "09:00", "09:30");
	meeting(d, "AAMk-2", "Sync again", "09:00", "09:30");
	j = model(d);
	assert_str_at(j, "meetings.0.time_label", "AAMk-1 9:00 AM");
	assert_str_at(j, "meetings.1.time_label", "AAMk-2 9:00 AM");
	/* and from the engine's memory, the next digest */
	json_object_put(j);
	j = model(d);
	assert_str_at(j, "meetings.1.time_label", "AAMk-2 9:00 AM");
	assert_str_at(j, "meetings.1.start_time", "9:00 AM");
	json_object_put(j);
	write_file("time_label.mustache", "{{start_time}}\n");
	digest_free(d);
}

static void test_render__real_group_line_names_the_people(void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	json_object *j;

	meeting(d, "AAMk-1", "Review", "09:00", "10:00");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	attendee(d, "carl@contoso.com", "Carl Chen", "carl@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_non_null(strstr(json_object_get_string(at(
				       j, "meetings.0.dynamics.0")),
			       "(Ann and Carl)"));
	json_object_put(j);
	digest_free(d);
}

static void test_render__real_group_lines_name_each_assessments_people(
	void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	json_object *j;

	/* Bea and Ann have both results, Carl only DISC */
	person(d, "bea@contoso.com", "Bea Baker", "D", "8", false);
	for (int i = 0; i < 2; i++) {
		meeting(d, i ? "AAMk-2" : "AAMk-1", "Review", "09:00",
			"10:00");
		attendee(d, "ann@contoso.com", "Ann Archer",
			 "ann@contoso.com", "direct", NULL);
		if (!i)
			attendee(d, "carl@contoso.com", "Carl Chen",
				 "carl@contoso.com", "direct", NULL);
		attendee(d, "bea@contoso.com", "Bea Baker",
			 "bea@contoso.com", "direct", NULL);
	}
	j = model(d);
	assert_non_null(strstr(json_object_get_string(at(
				       j, "meetings.0.dynamics.0")),
			       "(Ann, Carl, and Bea)"));
	assert_non_null(strstr(json_object_get_string(at(
				       j, "meetings.0.dynamics.1")),
			       "(Ann and Bea)"));
	/* another room: its own words, for both assessments */
	assert_non_null(strstr(json_object_get_string(at(
				       j, "meetings.1.dynamics.0")),
			       "(Ann and Bea)"));
	assert_non_null(strstr(json_object_get_string(at(
				       j, "meetings.1.dynamics.1")),
			       "(Ann and Bea)"));
	json_object_put(j);
	digest_free(d);
}

/* The group line of Ann (D), Carl (C) and Bea (D) with _group as text. */
static void group_line_is(const char *group, const char *want)
{
	struct digest *d;
	json_object *j;

	write_file("tips/disc/_group.mustache", group);
	d = own_digest();
	person(d, "bea@contoso.com", "Bea Baker", "D", NULL, false);
	meeting(d, "AAMk-1", "Review", "09:00", "10:00");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	attendee(d, "carl@contoso.com", "Carl Chen", "carl@contoso.com",
		 "direct", NULL);
	attendee(d, "bea@contoso.com", "Bea Baker", "bea@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_str_at(j, "meetings.0.dynamics.0", want);
	json_object_put(j);
	digest_free(d);
	for (size_t i = 0; i < sizeof(own_files) / sizeof(own_files[0]); i++)
		if (!strcmp(own_files[i].path, "tips/disc/_group.mustache"))
			write_file(own_files[i].path, own_files[i].text);
}

static void test_render__group_line_reading_results_and_counts_has_them(
	void **state)
{
	/* no shipped group line reads results[] or the counts: this one */
	group_line_is("{{#results}}{{result}}:{{names}}/{{count}}"
		      "{{#count_one}}!{{/count_one}} {{/results}}"
		      "{{count}} {{people}}\n",
		      "D:Ann and Bea/2 C:Carl/1! 3 Ann, Carl, and Bea");
	/* through a partial, which may read anything */
	write_file("tips/disc/_inc.mustache",
		   "{{people}}|{{count_other}}|{{#results}}{{names}};"
		   "{{/results}}");
	group_line_is("{{>tips/disc/_inc}}\n",
		      "Ann, Carl, and Bea|true|Ann and Bea;Carl;");
	remove_file("tips/disc/_inc.mustache");
	/* one that reads none of them still has its flags */
	group_line_is("{{label}} {{#has_C}}C{{/has_C}}{{#dominant_D}}d"
		      "{{/dominant_D}}{{^mixed}}same{{/mixed}}\n",
		      "DISC Cd");
}

/*
 * Three rooms, built twice (the second time from the engine's memory):
 * Ann and Carl (D and C), Bea and Dan (D and C: the same kind of room),
 * Ann, Bea and Carl (mostly D). Each room's line is want[i].
 */
static void group_lines_are(const char *group, const char *const want[3])
{
	static const char *const rooms[3][3] = {
		{"ann", "carl", NULL}, {"bea", "dan", NULL},
		{"ann", "bea", "carl"}};
	struct digest *d;

	write_file("tips/disc/_group.mustache", group);
	d = own_digest();
	person(d, "bea@contoso.com", "Bea Baker", "D", NULL, false);
	person(d, "dan@contoso.com", "Dan Dale", "C", NULL, false);
	for (size_t i = 0; i < 3; i++) {
		meeting(d, "AAMk-1", "Review", "09:00", "10:00");
		for (size_t k = 0; k < 3 && rooms[i][k]; k++) {
			char email[64];

			snprintf(email, sizeof(email), "%s@contoso.com",
				 rooms[i][k]);
			attendee(d, email, rooms[i][k], email, "direct", NULL);
		}
	}
	for (size_t round = 0; round < 2; round++) {
		json_object *j = model(d);

		for (size_t i = 0; i < 3; i++) {
			char path[64];

			snprintf(path, sizeof(path), "meetings.%zu.dynamics.0",
				 i);
			assert_str_at(j, path, want[i]);
		}
		json_object_put(j);
	}
	digest_free(d);
	for (size_t i = 0; i < sizeof(own_files) / sizeof(own_files[0]); i++)
		if (!strcmp(own_files[i].path, "tips/disc/_group.mustache"))
			write_file(own_files[i].path, own_files[i].text);
}

static void test_render__remembered_group_lines_carry_each_rooms_names(
	void **state)
{
	static const char *const named[3] = {
		"m : Ann and Carl; Ann and Carl",
		"m : Bea and Dan; Bea and Dan",
		"m D: Ann, Bea, and Carl; Ann, Bea, and Carl"};
	static const char *const unnamed[3] = {"DISC D C", "DISC D C",
					       "DISC D C D"};

	group_lines_are("{{#mixed}}m{{/mixed}} "
			"{{#dominant}}{{dominant}}{{/dominant}}: "
			"{{people}}; {{#people}}{{.}}{{/people}}\n",
			named);
	group_lines_are("{{label}}{{#has_D}} D{{/has_D}}{{#has_C}} C"
			"{{/has_C}}{{#dominant_D}} D{{/dominant_D}}\n",
			unnamed);
}

static void test_render__group_line_holding_the_stand_in_is_never_remembered(
	void **state)
{
	/* the text that stands for the names while a line is kept */
	static const char *const want[3] = {
		"\001people\002 Ann and Carl", "\001people\002 Bea and Dan",
		"\001people\002 Ann, Bea, and Carl"};

	group_lines_are("\001people\002 {{people}}\n", want);
}

/* ---- relationship context (render_history) ---- */

static void test_render__history_lines_go_to_their_meeting(void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_contact first[] = {{.name = "Ann Archer",
					  .email = "ann@contoso.com"},
					 {.name = NULL,
					  .email = "pat@fabrikam.com"}};
	struct render_contact often[] = {{.name = "Carl Chen",
					  .email = "carl@contoso.com",
					  .per_week = 3}};
	struct render_history_meeting hm[2] = {
		{.first = first, .nfirst = 2, .first_more = 4},
		{.often = often, .noften = 1}};
	struct render_history h = {.meetings = hm};
	struct render_output out = RENDER_OUTPUT_INIT;
	json_object *j;

	meeting(d, "AAMk-1", "Intro", "09:00", "10:00");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	meeting(d, "AAMk-2", "Review", "11:00", "12:00");
	attendee(d, "carl@contoso.com", "Carl Chen", "carl@contoso.com",
		 "direct", NULL);
	d->in.history = &h;
	j = model(d);
	assert_str_at(j, "meetings.0.first_meeting.names",
		      "Ann Archer and pat@fabrikam.com");
	assert_bool_at(j, "meetings.0.first_meeting.count_other", true);
	assert_int_equal(length_at(j, "meetings.0.often"), 0);
	assert_null_at(j, "meetings.1.first_meeting");
	assert_str_at(j, "meetings.1.often.0.name", "Carl Chen");
	assert_bool_at(j, "meetings.1.often.0.times_other", true);
	assert_null_at(j, "people_most");
	json_object_put(j);
	render(d, &out);
	assert_non_null(strstr(out.text.buf, "First meeting with Ann Archer "
					     "and pat@fabrikam.com and 4 "
					     "more."));
	assert_non_null(strstr(out.text.buf, "You meet Carl Chen about 3 "
					     "times a week."));
	assert_non_null(strstr(out.html.buf, "You meet Carl Chen about 3 "
					     "times a week."));
	render_output_release(&out);
	digest_free(d);
}

static void test_render__no_history_gives_no_lines(void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_output out = RENDER_OUTPUT_INIT;
	json_object *j;

	meeting(d, "AAMk-1", "Intro", "09:00", "10:00");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	j = model(d);
	assert_null_at(j, "meetings.0.first_meeting");
	assert_int_equal(length_at(j, "meetings.0.often"), 0);
	assert_null_at(j, "people_most");
	json_object_put(j);
	render(d, &out);
	assert_lacks(out.text.buf, "First meeting");
	assert_lacks(out.text.buf, "People you meet most");
	render_output_release(&out);
	digest_free(d);
}

static void test_render__private_meeting_has_no_history_lines(void **state)
{
	struct digest *d = own_digest();
	struct render_contact first[] = {{.name = "Ann Archer",
					  .email = "ann@contoso.com"}};
	struct render_history_meeting hm[1] = {{.first = first, .nfirst = 1}};
	struct render_history h = {.meetings = hm};
	json_object *j;

	private_meeting(d);
	d->in.history = &h;
	j = model(d);
	assert_private_model(j);
	assert_no_value(j, "meetings.0", "first_meeting");
	assert_no_value(j, "meetings.0", "often");
	json_object_put(j);
	digest_free(d);
}

static void test_render__people_most_has_one_tip_each(void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_contact most[] = {
		{.name = "Ann Archer", .email = "ann@contoso.com",
		 .meetings = 12},
		{.name = "Carl Chen", .email = "carl@contoso.com",
		 .meetings = 1}};
	struct render_history h = {.most = most, .nmost = 2,
				   .most_days = 28};
	struct render_output out = RENDER_OUTPUT_INIT;
	json_object *j;

	most[0].person = find(d, "ann@contoso.com");
	most[1].person = find(d, "carl@contoso.com");
	meeting(d, "AAMk-1", "Intro", "09:00", "10:00");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "direct", NULL);
	d->in.history = &h;
	j = model(d);
	assert_int_equal(length_at(j, "people_most.people"), 2);
	assert_str_at(j, "people_most.people.0.name", "Ann Archer");
	assert_bool_at(j, "people_most.people.1.meetings_one", true);
	assert_non_null(at(j, "people_most.people.0.tip"));
	assert_non_null(at(j, "people_most.people.1.tip"));
	json_object_put(j);
	render(d, &out);
	assert_non_null(strstr(out.text.buf,
			       "People you meet most (last 4 weeks):"));
	assert_non_null(strstr(out.text.buf, "  - Carl Chen, 1 meeting: "));
	render_output_release(&out);
	digest_free(d);
}

static void test_render__busy_day_trims_tips_and_says_so(void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_output out = RENDER_OUTPUT_INIT;
	char email[64], name[32];

	for (int i = 0; i < 8; i++) {
		snprintf(email, sizeof(email), "p%d@contoso.com", i);
		snprintf(name, sizeof(name), "Pat%d Doe", i);
		person(d, email, name, i % 2 ? "S" : "C", "5", false);
	}
	for (int i = 0; i < 8; i++) {
		if (i % 4 == 0)
			meeting(d, i ? "AAMk-2" : "AAMk-1", "Sync", "09:00",
				"09:30");
		snprintf(email, sizeof(email), "p%d@contoso.com", i);
		attendee(d, email, "Pat Doe", email, "direct", NULL);
	}
	render(d, &out);
	assert_non_null(strstr(out.text.buf, "some tips were left out"));
	assert_non_null(strstr(out.html.buf, "some tips were left out"));
	assert_true(out.html.len <= RENDER_HTML_MAX);
	render_output_release(&out);
	digest_free(d);
}

/* Eight people in two meetings: more tips than a digest shows. */
static void busy_day(struct digest *d)
{
	char email[64], name[32];

	for (int i = 0; i < 8; i++) {
		snprintf(email, sizeof(email), "p%d@contoso.com", i);
		snprintf(name, sizeof(name), "Pat%d Doe", i);
		person(d, email, name, i % 2 ? "S" : "C", i % 3 ? "5" : "2",
		       false);
	}
	for (int i = 0; i < 8; i++) {
		if (i % 4 == 0)
			meeting(d, i ? "AAMk-2" : "AAMk-1", "Sync", "09:00",
				"09:30")
				->organizer.address = xdup("p4@contoso.com");
		snprintf(email, sizeof(email), "p%d@contoso.com", i);
		attendee(d, email, "Pat Doe", email, "direct", NULL);
	}
	/* p1 again, in a third meeting: tips_above */
	meeting(d, "AAMk-3", "Again", "11:00", "11:30");
	attendee(d, "p1@contoso.com", "Pat Doe", "p1@contoso.com", "direct",
		 NULL);
}

static void assert_same_output(const struct render_output *a,
			       const struct render_output *b)
{
	assert_string_equal(a->subject.buf, b->subject.buf);
	assert_string_equal(a->text.buf, b->text.buf);
	assert_string_equal(a->html.buf, b->html.buf);
}

static void test_render__tips_from_the_cache_are_those_made_fresh(
	void **state)
{
	static const char *const locales[] = {"en-US", "de-DE", "ja-JP",
					       "en-US"};
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_output first = RENDER_OUTPUT_INIT;
	struct render_output again = RENDER_OUTPUT_INIT;
	struct render_output fresh = RENDER_OUTPUT_INIT;
	struct strbuf dir = STRBUF_INIT;

	busy_day(d);
	assert_int_equal(strbuf_addf(&dir, "%s/templates",
				     getenv("DIGEST_SRC")),
			 0);
	for (size_t i = 0; i < sizeof(locales) / sizeof(*locales); i++) {
		d->in.locale = locales[i];
		render(d, &first);
		render(d, &again); /* every person's lines from the cache */
		render_close(d->engine);
		engine_open(d, dir.buf, "Your meetings on {{date}}");
		render(d, &fresh); /* an engine with an empty cache */
		assert_non_null(strstr(first.text.buf, "Pat"));
		assert_same_output(&first, &again);
		assert_same_output(&first, &fresh);
		render_output_release(&first);
		render_output_release(&again);
		render_output_release(&fresh);
		first = again = fresh = (struct render_output)RENDER_OUTPUT_INIT;
	}
	strbuf_release(&dir);
	digest_free(d);
}

/* a and b are the same data, keys in the same order. */
static bool same_value(const struct mustache_value *a,
		       const struct mustache_value *b)
{
	size_t la, lb;
	const char *sa, *sb;

	if (mustache_value_kind(a) != mustache_value_kind(b))
		return false;
	switch (mustache_value_kind(a)) {
	case MUSTACHE_NULL:
		return true;
	case MUSTACHE_BOOL:
		return mustache_bool_get(a) == mustache_bool_get(b);
	case MUSTACHE_INT:
		return mustache_int_get(a) == mustache_int_get(b);
	case MUSTACHE_FLOAT:
		return mustache_float_get(a) == mustache_float_get(b);
	case MUSTACHE_STRING:
		sa = mustache_string_get(a, &la);
		sb = mustache_string_get(b, &lb);
		return la == lb && !memcmp(sa, sb, la);
	case MUSTACHE_LIST:
		if (mustache_list_len(a) != mustache_list_len(b))
			return false;
		for (size_t i = 0; i < mustache_list_len(a); i++)
			if (!same_value(mustache_list_get(a, i),
					mustache_list_get(b, i)))
				return false;
		return true;
	case MUSTACHE_MAP:
		if (mustache_map_len(a) != mustache_map_len(b))
			return false;
		for (size_t i = 0; i < mustache_map_len(a); i++)
			if (strcmp(mustache_map_key(a, i),
				   mustache_map_key(b, i)) ||
			    !same_value(mustache_map_value(a, i),
					mustache_map_value(b, i)))
				return false;
		return true;
	}
	return false;
}

static void test_render__tips_picked_again_are_a_model_built_with_fewer(
	void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct dg_err err = DG_ERR_INIT;
	struct render_state st;
	struct mustache_value *m, *want;
	size_t shown;

	busy_day(d);
	if (render_model_begin(d->engine, &d->in, RENDER_TIPS_MAX, &st, &m,
			       &err))
		fail_msg("render_model_begin: %s", err.msg);
	assert_true(st.shown > RENDER_TIPS_BUDGET);
	for (int tips = RENDER_TIPS_MAX - 1; tips >= 0; tips--) {
		assert_int_equal(render_repick_tips(&st, m, tips), 0);
		if (render_build_model(d->engine, &d->in, tips, &want, &shown,
				       &err))
			fail_msg("render_build_model: %s", err.msg);
		assert_int_equal(st.shown, shown);
		assert_true(same_value(m, want));
		assert_true(mustache_bool_get(mustache_map_get(m, "trimmed")));
		mustache_value_free(want);
	}
	mustache_value_free(m);
	render_state_release(&st);
	digest_free(d);
}

/* The lines of p's first result with facts, through st. */
static const struct render_lines *lines_of(struct digest *d,
					   struct render_state *st,
					   const struct roster_person *p,
					   unsigned facts)
{
	struct dg_err err = DG_ERR_INIT;
	const struct render_lines *lines = NULL;

	if (render_tips_lines(d->engine, st, p, &p->assessments[0], facts,
			      &lines, &err))
		fail_msg("render_tips_lines: %s", err.msg);
	assert_non_null(lines);
	return lines;
}

/* Whether one of lines holds text. */
static bool lines_have(const struct render_lines *lines, const char *text)
{
	for (size_t i = 0; i < lines->n; i++)
		if (memmem(lines->v[i].s, lines->v[i].len, text, strlen(text)))
			return true;
	return false;
}

/* p with the one result a: r, its tips' lines from d's engine. */
static const struct render_lines *lines_for(struct digest *d,
					    struct render_state *st,
					    const char *a, const char *r)
{
	const struct render_lines *lines;
	struct roster_person p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(roster_person_add_result(&p, a, r), 0);
	lines = lines_of(d, st, &p, RENDER_FACT_MEETING);
	roster_person_release(&p);
	return lines;
}

static void test_render__tip_template_of_a_result_is_the_one_of_its_name(
	void **state)
{
	struct digest *d = own_digest();
	struct render_state st = {.seen = HMAP_INIT(0)};

	write_file("tips/disc/q/r.mustache", "Split one.\n");
	write_file("tips/disc/q.mustache", "Plain q.\n");
	for (size_t round = 0; round < 2; round++) {
		/* tips/disc/q/r, however the name splits */
		assert_true(lines_have(lines_for(d, &st, "disc", "q/r"),
				       "Split one."));
		assert_true(lines_have(lines_for(d, &st, "disc/q", "r"),
				       "Split one."));
		assert_true(lines_have(lines_for(d, &st, "disc", "q"),
				       "Plain q."));
		assert_true(lines_have(lines_for(d, &st, "disc", "I"),
				       "story"));
	}
	remove_file("tips/disc/q/r.mustache");
	remove_file("tips/disc/q.mustache");
	render_state_release(&st);
	digest_free(d);
}

/* A roster person whose one result is a: r. */
static void person_with(struct digest *d, const char *email, const char *name,
			const char *a, const char *r)
{
	struct roster_person p = blank_person(email, name);

	assert_int_equal(roster_person_add_result(&p, a, r), 0);
	push_person(d, &p);
}

static void test_render__results_are_shared_by_people_alike_only(
	void **state)
{
	/* the same bytes in a row, split otherwise: other results */
	static const char *const people[][3] = {
		{"xa", "ab", "c"}, {"ya", "a", "bc"}, {"za", "ab", "c"}};
	struct digest *d = own_digest();

	meeting(d, "AAMk-1", "Review", "09:00", "10:00");
	for (size_t i = 0; i < 3; i++) {
		char email[64];

		snprintf(email, sizeof(email), "%s@contoso.com", people[i][0]);
		person_with(d, email, people[i][0], people[i][1],
			    people[i][2]);
	}
	for (size_t i = 0; i < 3; i++) {
		char email[64];

		snprintf(email, sizeof(email), "%s@contoso.com", people[i][0]);
		attendee(d, email, people[i][0], email, "direct", NULL);
	}
	for (size_t round = 0; round < 2; round++) {
		json_object *j = model(d);

		for (size_t i = 0; i < 3; i++) {
			char path[96];

			snprintf(path, sizeof(path),
				 "meetings.0.attendees.%zu.results.0.assessment",
				 i);
			assert_str_at(j, path, people[i][1]);
			snprintf(path, sizeof(path),
				 "meetings.0.attendees.%zu.results.0.result", i);
			assert_str_at(j, path, people[i][2]);
		}
		json_object_put(j);
	}
	digest_free(d);
}

static void test_render__tips_cache_is_bounded_and_drops_the_oldest(
	void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_state st = {.seen = HMAP_INIT(0)};
	const size_t many = RENDER_TIPS_CACHE_MAX + 500;
	struct roster_person p;
	char name[32];
	size_t before;

	memset(&p, 0, sizeof(p));
	assert_int_equal(roster_person_add_result(&p, "disc", "D"), 0);
	p.name = name;
	/* one "digest" of people who all have other first names */
	render_tips_cache_begin(d->engine);
	for (size_t i = 0; i < many; i++) {
		snprintf(name, sizeof(name), "P%zu Doe", i);
		lines_of(d, &st, &p, 0);
		if (i == many - 1) { /* the first one met again: recent now */
			snprintf(name, sizeof(name), "P0 Doe");
			lines_of(d, &st, &p, 0);
		}
	}
	/* no entry is dropped while a digest is built */
	assert_int_equal(d->engine->ntips, many);
	/* the next begins with too many: the oldest go, down to the limit */
	render_tips_cache_begin(d->engine);
	assert_int_equal(d->engine->ntips, RENDER_TIPS_CACHE_MAX);
	/* the most recent ones are still there: asked again, none is made */
	snprintf(name, sizeof(name), "P%zu Doe", many - 1);
	lines_of(d, &st, &p, 0);
	snprintf(name, sizeof(name), "P0 Doe");
	lines_of(d, &st, &p, 0);
	assert_int_equal(d->engine->ntips, RENDER_TIPS_CACHE_MAX);
	/* the least recently used went: P1's lines are made again */
	snprintf(name, sizeof(name), "P1 Doe");
	before = d->engine->ntips;
	assert_true(lines_have(lines_of(d, &st, &p, 0), "P1"));
	assert_int_equal(d->engine->ntips, before + 1);
	assert_null(st.owned);
	p.name = NULL;
	roster_person_release(&p);
	render_state_release(&st);
	digest_free(d);
}

static void test_render__tips_cache_keys_only_what_the_template_reads(
	void **state)
{
	struct digest *d = real_digest("Your meetings on {{date}}");
	struct render_state st = {.seen = HMAP_INIT(0)};
	const struct render_lines *a, *b;
	struct roster_person p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(roster_person_add_result(&p, "disc", "D"), 0);
	/* the shipped D tips read the first name and two of the facts */
	p.name = "Ann Archer";
	p.title = "CFO";
	a = lines_of(d, &st, &p, RENDER_FACT_MEETING);
	p.name = "Ann Other";
	p.title = "Intern";
	b = lines_of(d, &st, &p,
		     RENDER_FACT_MEETING | RENDER_FACT_YOU_ORGANIZE);
	assert_ptr_equal(a, b);
	assert_true(lines_have(a, "Ann"));
	/* a fact the lines read, or another first name: other lines */
	b = lines_of(d, &st, &p, RENDER_FACT_MEETING | RENDER_FACT_ORGANIZES);
	assert_ptr_not_equal(a, b);
	assert_true(b->n > a->n);
	p.name = "Bea Archer";
	b = lines_of(d, &st, &p, RENDER_FACT_MEETING);
	assert_ptr_not_equal(a, b);
	assert_true(lines_have(b, "Bea"));
	/* no meeting at all is not a meeting with every fact false */
	b = lines_of(d, &st, &p, 0);
	assert_int_equal(b->n, a->n);
	p.name = NULL;
	p.title = NULL;
	roster_person_release(&p);
	render_state_release(&st);
	digest_free(d);
}

static void test_render__tips_of_a_template_reading_the_title_differ_by_title(
	void **state)
{
	struct digest *d;
	struct render_state st = {.seen = HMAP_INIT(0)};
	const struct render_lines *a, *b;
	struct roster_person p;

	/* no shipped template reads the title or "large": this one does */
	write_file("tips/disc/S.mustache",
		   "Ask the {{title}} first.{{#large}} Big room.{{/large}}\n");
	/* and this one reads it through a partial, which may read anything */
	write_file("tips/disc/P.mustache", "{{>tips/disc/_part}}\n");
	write_file("tips/disc/_part.mustache", "Greet the {{title}}.\n");
	d = own_digest();
	memset(&p, 0, sizeof(p));
	assert_int_equal(roster_person_add_result(&p, "disc", "S"), 0);
	assert_int_equal(roster_person_add_result(&p, "disc", "P"), 0);
	p.name = "Ann Archer";
	p.title = "CFO";
	a = lines_of(d, &st, &p, RENDER_FACT_MEETING);
	assert_int_equal(a->n, 1);
	assert_true(lines_have(a, "Ask the CFO first."));
	/* another name, the same title: the same lines */
	p.name = "Bea Baker";
	assert_ptr_equal(lines_of(d, &st, &p, RENDER_FACT_MEETING), a);
	/* another title: its own lines */
	p.title = "Intern";
	b = lines_of(d, &st, &p, RENDER_FACT_MEETING);
	assert_ptr_not_equal(a, b);
	assert_true(lines_have(b, "Ask the Intern first."));
	b = lines_of(d, &st, &p, RENDER_FACT_MEETING | RENDER_FACT_LARGE);
	assert_true(lines_have(b, "Ask the Intern first. Big room."));
	/* through the partial */
	if (render_tips_lines(d->engine, &st, &p, &p.assessments[1],
			      RENDER_FACT_MEETING, &b, &(struct dg_err){0}))
		fail();
	assert_true(lines_have(b, "Greet the Intern."));
	p.title = "CFO";
	if (render_tips_lines(d->engine, &st, &p, &p.assessments[1],
			      RENDER_FACT_MEETING, &b, &(struct dg_err){0}))
		fail();
	assert_true(lines_have(b, "Greet the CFO."));
	p.name = NULL;
	p.title = NULL;
	roster_person_release(&p);
	render_state_release(&st);
	digest_free(d);
	remove_file("tips/disc/S.mustache");
	remove_file("tips/disc/P.mustache");
	remove_file("tips/disc/_part.mustache");
}

/* A line of text, as the tips cache makes them. */
static struct render_line line_of(const char *s)
{
	return (struct render_line){
		.s = s, .len = strlen(s), .hash = render_line_hash(s, strlen(s))};
}

static void test_render__picking_many_tips_never_takes_one_twice(void **state)
{
	enum { N = 300 };
	static char text[N][16];
	struct render_line one[N], other[N];
	struct render_lines a = {.n = N, .v = one}, b = {.n = N, .v = other};
	const struct render_lines *sets[] = {&a, &b};
	struct render_state st = {.seen = HMAP_INIT(0), .max_tips = 10000};
	struct mustache_value *tips = mustache_list_new();

	for (int i = 0; i < N; i++)
		snprintf(text[i], sizeof(text[i]), "tip %d", i);
	for (int i = 0; i < N; i++) {
		one[i] = line_of(text[i]);
		/* the same sentences in another order, as other copies */
		other[i] = line_of(strdup(text[N - 1 - i]));
	}
	/* far more than the set's first slots: it grows on the way */
	assert_int_equal(render_pick_tips(&st, sets, 2, tips), 0);
	assert_int_equal(mustache_list_len(tips), N);
	assert_int_equal(st.shown, N);
	assert_string_equal(mustache_string_get(mustache_list_get(tips, 0),
						NULL),
			    "tip 0");
	assert_string_equal(mustache_string_get(mustache_list_get(tips, 1),
						NULL),
			    "tip 299");
	/* picked again after a clear: the same, then nothing more */
	render_used_clear(&st);
	assert_int_equal(render_pick_tips(&st, sets, 1, tips), 0);
	assert_int_equal(mustache_list_len(tips), 2 * N);
	assert_int_equal(render_pick_tips(&st, sets + 1, 1, tips), 0);
	assert_int_equal(mustache_list_len(tips), 2 * N);
	for (int i = 0; i < N; i++)
		free((char *)other[i].s);
	mustache_value_free(tips);
	render_state_release(&st);
}

/* ---- the model of DESIGN.md ---- */

static void test_render__json_model_has_the_design_fields(void **state)
{
	struct digest *d = own_digest();
	struct cal_event *ev;
	json_object *j;

	ev = meeting(d, "AAMk-freeze", "Release freeze", "00:00", "00:00");
	d->meetings[0].all_day = true;
	snprintf(d->meetings[0].end, sizeof(d->meetings[0].end),
		 "2026-11-25T00:00:00-08:00");
	ev = meeting(d, "AAMk-review", "Design review", "09:00", "09:30");
	ev->location = xdup("Room 1");
	ev->join_url = xdup("https://teams.microsoft.com/j/1");
	attendee(d, "ann@contoso.com", "Ann Archer", "ann@contoso.com",
		 "group", "Platform Team");
	attendee(d, "Jordan@Fabrikam.com", "Jordan Ellis", NULL, NULL, NULL);
	j = model(d);

	assert_str_at(j, "user.email", "zoe@contoso.com");
	assert_str_at(j, "user.name", "Zoë Martin");
	assert_str_at(j, "user.timezone", "America/Los_Angeles");
	assert_str_at(j, "date", "2026-11-24");
	assert_str_at(j, "status", "ready");
	assert_null_at(j, "skip_reason");
	assert_int_equal(length_at(j, "meetings"), 2);

	assert_str_at(j, "meetings.0.id", "AAMk-freeze");
	assert_bool_at(j, "meetings.0.all_day", true);
	assert_bool_at(j, "meetings.0.private", false);
	assert_str_at(j, "meetings.0.start", "2026-11-24T00:00:00-08:00");
	assert_str_at(j, "meetings.0.end", "2026-11-25T00:00:00-08:00");
	assert_int_equal(length_at(j, "meetings.0.attendees"), 0);

	assert_str_at(j, "meetings.1.id", "AAMk-review");
	assert_str_at(j, "meetings.1.subject", "Design review");
	assert_bool_at(j, "meetings.1.private", false);
	assert_bool_at(j, "meetings.1.all_day", false);
	assert_str_at(j, "meetings.1.start", "2026-11-24T09:00:00-08:00");
	assert_str_at(j, "meetings.1.end", "2026-11-24T09:30:00-08:00");
	assert_str_at(j, "meetings.1.location", "Room 1");
	assert_str_at(j, "meetings.1.join_url", "https://teams.microsoft.com/j/1");
	assert_int_equal(length_at(j, "meetings.1.attendees"), 2);
	assert_str_at(j, "meetings.1.attendees.0.email", "ann@contoso.com");
	assert_str_at(j, "meetings.1.attendees.0.name", "Ann Archer");
	assert_bool_at(j, "meetings.1.attendees.0.matched", true);
	assert_str_at(j, "meetings.1.attendees.0.via", "group");
	assert_str_at(j, "meetings.1.attendees.0.group", "Platform Team");
	assert_str_at(j, "meetings.1.attendees.0.tips.0",
		      "Open with the goal, Ann.");
	assert_str_at(j, "meetings.1.attendees.1.email",
		      "Jordan@Fabrikam.com");
	assert_str_at(j, "meetings.1.attendees.1.name", "Jordan Ellis");
	assert_bool_at(j, "meetings.1.attendees.1.matched", false);
	assert_null_at(j, "meetings.1.attendees.1.via");
	assert_bool_at(j, "meetings.1.attendees.1.external", true);
	assert_int_equal(length_at(j, "meetings.1.attendees.1.tips"), 0);
	json_object_put(j);
	digest_free(d);
}

static void test_render__skipped_user_has_status_and_reason(void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	d->target.skip_reason = PLAN_SKIP_OUT_OF_OFFICE;
	d->in.day = NULL;
	j = model(d);
	assert_str_at(j, "user.email", "zoe@contoso.com");
	assert_str_at(j, "date", "2026-11-24");
	assert_str_at(j, "status", "skipped");
	assert_str_at(j, "skip_reason", "out_of_office");
	assert_int_equal(length_at(j, "meetings"), 0);
	json_object_put(j);
	digest_free(d);
}

static void test_render__day_without_meetings_is_skipped(
	void **state)
{
	struct digest *d = own_digest();
	json_object *j;

	d->day.skip_reason = PLAN_SKIP_NO_MEETINGS;
	j = model(d);
	assert_str_at(j, "status", "skipped");
	assert_str_at(j, "skip_reason", "no_meetings");
	json_object_put(j);
	digest_free(d);
}

/* ---- languages ---- */

/*
 * Each language's subject, with 0, 1, 2 and 5 meetings: the plural forms
 * come from ICU's rules for the language (French counts 0 as singular,
 * Japanese has one form), the zero case from its own wording.
 */
static void test_render__subject_has_the_right_plural_in_each_language(
	void **state)
{
	static const struct {
		const char *locale;
		const char *subject[4]; /* 0, 1, 2, 5 meetings */
	} want[] = {
		{ "en-US",
		  { "No meetings on Tuesday, November 24",
		    "Your meeting on Tuesday, November 24",
		    "Your 2 meetings on Tuesday, November 24",
		    "Your 5 meetings on Tuesday, November 24" } },
		{ "de-DE",
		  { "Keine Termine am Dienstag, 24. November",
		    "Ihr Termin am Dienstag, 24. November",
		    "Ihre 2 Termine am Dienstag, 24. November",
		    "Ihre 5 Termine am Dienstag, 24. November" } },
		{ "fr-FR",
		  { "Aucune réunion le mardi 24 novembre",
		    "Votre réunion du mardi 24 novembre",
		    "Vos 2 réunions du mardi 24 novembre",
		    "Vos 5 réunions du mardi 24 novembre" } },
		{ "es-ES",
		  { "Ninguna reunión el martes, 24 de noviembre",
		    "Su reunión del martes, 24 de noviembre",
		    "Sus 2 reuniones del martes, 24 de noviembre",
		    "Sus 5 reuniones del martes, 24 de noviembre" } },
		{ "ja-JP",
		  { "11月24日火曜日の会議はありません",
		    "11月24日火曜日の会議（1件）",
		    "11月24日火曜日の会議（2件）",
		    "11月24日火曜日の会議（5件）" } },
	};
	static const int counts[] = { 0, 1, 2, 5 };

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		for (size_t c = 0; c < 4; c++) {
			struct digest *d = real_digest(NULL);
			struct render_output out = RENDER_OUTPUT_INIT;

			d->in.locale = want[i].locale;
			for (int k = 0; k < counts[c]; k++)
				meeting(d, "AAMk", "Sync", "09:00", "09:30");
			render(d, &out);
			assert_string_equal(out.subject.buf, want[i].subject[c]);
			render_output_release(&out);
			digest_free(d);
		}
	}
}

/* A reader in a language without templates gets English, dates too. */
static void test_render__unserved_language_reads_english_throughout(
	void **state)
{
	struct digest *d = real_digest(NULL);
	struct render_output out = RENDER_OUTPUT_INIT;

	d->in.locale = "pt-BR";
	meeting(d, "AAMk", "Sync", "09:00", "09:30");
	render(d, &out);
	assert_string_equal(out.subject.buf,
			    "Your meeting on Tuesday, November 24");
	assert_non_null(strstr(out.text.buf, "9:00 – 9:30 AM"));
	render_output_release(&out);
	digest_free(d);
}

/* ---- opening the templates ---- */

static void test_render__missing_html_template_is_named(void **state)
{
	struct render_engine *e = NULL;
	struct dg_err err = DG_ERR_INIT;
	struct strbuf want = STRBUF_INIT;

	write_file("bare/digest.txt.mustache", "{{date}}\n");
	assert_int_equal(strbuf_addf(&want, "%s/bare", own.dir.buf), 0);
	assert_int_equal(render_open(want.buf, "s", &e, &err), DG_ENOTFOUND);
	assert_null(e);
	assert_int_equal(strbuf_addstr(&want, "/digest.html.mustache: "
						     "no such template"),
			 0);
	assert_string_equal(err.msg, want.buf);
	remove_file("bare/digest.txt.mustache");
	strbuf_release(&want);
}

static void test_render__bad_subject_template_is_refused(void **state)
{
	struct render_engine *e = NULL;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(render_open(own.dir.buf, "Meetings {{#date}}", &e,
				     &err),
			 DG_EPARSE);
	assert_null(e);
	assert_string_equal(err.msg, "[digest] subject:1:10: section "
				     "'{{#date}}' is never closed");
}

#define T(name) cmocka_unit_test(name)

/* ---- the model helpers ---- */

static const char *put_line_of(struct mustache_value *o, const char *s)
{
	assert_int_equal(render_put_line(o, "x", s), 0);
	return mustache_string_get(mustache_map_get(o, "x"), NULL);
}

static void test_render__put_line_keeps_plain_text_and_cleans_the_rest(
	void **state)
{
	struct mustache_value *o = mustache_map_new();
	char at_limit[RENDER_FIELD_MAX + 2];

	(void)state;
	assert_non_null(o);
	assert_string_equal(put_line_of(o, "Budget review (Q4) ~ 50%"),
			    "Budget review (Q4) ~ 50%");
	assert_string_equal(put_line_of(o, "a\tb\r\nc\x7f"), "a b  c ");
	assert_string_equal(put_line_of(o, "Zo\u00eb \u202egnp.exe"),
			    "Zo\u00eb gnp.exe");
	assert_null(put_line_of(o, ""));
	assert_int_equal(mustache_value_kind(mustache_map_get(o, "x")),
			 MUSTACHE_NULL);
	memset(at_limit, 'a', RENDER_FIELD_MAX);
	at_limit[RENDER_FIELD_MAX] = '\0';
	assert_string_equal(put_line_of(o, at_limit), at_limit);
	/* one byte more is cut, and says so */
	at_limit[RENDER_FIELD_MAX] = 'b';
	at_limit[RENDER_FIELD_MAX + 1] = '\0';
	assert_memory_equal(put_line_of(o, at_limit), at_limit, RENDER_FIELD_MAX);
	assert_string_equal(put_line_of(o, at_limit) + RENDER_FIELD_MAX,
			    "\u2026");
	mustache_value_free(o);
}

static void test_render__put_count_sets_the_plural_flag_of_any_key(
	void **state)
{
	struct render_engine e = {0};
	struct mustache_value *o = mustache_map_new();
	struct dg_err err = DG_ERR_INIT;
	char key[100], flag[110];

	(void)state;
	assert_non_null(o);
	if (i18n_fmt_open("en", "UTC", &e.fmt, &err))
		fail_msg("i18n_fmt_open: %s", err.msg);
	assert_int_equal(render_put_count(&e, o, "meeting_count", 1), 0);
	assert_int_equal(render_put_count(&e, o, "people", 3), 0);
	/* a key too long for the flag's small buffer */
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(render_put_count(&e, o, key, 2), 0);
	assert_int_equal(mustache_int_get(mustache_map_get(o, "meeting_count")),
			 1);
	assert_true(mustache_bool_get(mustache_map_get(o, "meeting_count_one")));
	assert_true(mustache_bool_get(mustache_map_get(o, "people_other")));
	assert_int_equal(mustache_int_get(mustache_map_get(o, key)), 2);
	snprintf(flag, sizeof(flag), "%s_other", key);
	assert_true(mustache_bool_get(mustache_map_get(o, flag)));
	assert_int_equal(mustache_map_len(o), 6);
	i18n_fmt_close(e.fmt);
	mustache_value_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_render__hostile_calendar_text_is_escaped_in_html),
		T(test_render__subject_has_the_right_plural_in_each_language),
		T(test_render__unserved_language_reads_english_throughout),
		T(test_render__real_templates_escape_a_hostile_profile_name),
		T(test_render__subject_is_one_line),
		T(test_render__mime_has_one_subject_and_no_bcc_header),
		T(test_render__private_meeting_model_holds_only_its_time),
		T(test_render__private_meeting_leaks_into_no_output),
		T(test_render__real_templates_leak_no_private_meeting),
		T(test_render__javascript_join_url_is_dropped),
		T(test_render__web_join_url_is_kept),
		T(test_render__look_alike_join_url_is_text_with_its_host),
		T(test_render__bidi_controls_are_gone_from_subject_and_place),
		T(test_render__dial_in_number_and_conference_id_are_in_the_model),
		T(test_render__real_templates_show_dial_in_beside_the_join_link),
		T(test_render__opted_out_person_is_shown_as_unmatched),
		T(test_render__tips_are_the_lines_of_the_result_file),
		T(test_render__missing_tip_file_gives_no_tips_no_error),
		T(test_render__real_tips_name_the_person),
		T(test_render__broken_tip_template_fails_naming_it),
		T(test_render__group_line_leaves_the_user_out),
		T(test_render__no_group_line_with_one_result_in_the_room),
		T(test_render__group_line_counts_everyone_else_with_a_result),
		T(test_render__group_line_reading_results_and_counts_has_them),
		T(test_render__remembered_group_lines_carry_each_rooms_names),
		T(test_render__group_line_holding_the_stand_in_is_never_remembered),
		T(test_render__no_tip_sentence_twice_and_three_at_most),
		T(test_render__real_tips_repeat_no_sentence_in_a_digest),
		T(test_render__tips_are_picked_for_the_meeting),
		T(test_render__holds_collapse_into_one_list),
		T(test_render__event_organized_by_someone_else_is_no_hold),
		T(test_render__crowded_meeting_names_people_without_tips),
		T(test_render__part_day_absence_is_in_the_model),
		T(test_render__remembered_times_follow_zone_language_and_day),
		T(test_render__time_label_reading_more_is_made_for_each_meeting),
		T(test_render__real_group_line_names_the_people),
		T(test_render__real_group_lines_name_each_assessments_people),
		T(test_render__history_lines_go_to_their_meeting),
		T(test_render__no_history_gives_no_lines),
		T(test_render__private_meeting_has_no_history_lines),
		T(test_render__people_most_has_one_tip_each),
		T(test_render__busy_day_trims_tips_and_says_so),
		T(test_render__tips_from_the_cache_are_those_made_fresh),
		T(test_render__tips_picked_again_are_a_model_built_with_fewer),
		T(test_render__tips_cache_is_bounded_and_drops_the_oldest),
		T(test_render__tip_template_of_a_result_is_the_one_of_its_name),
		T(test_render__results_are_shared_by_people_alike_only),
		T(test_render__tips_cache_keys_only_what_the_template_reads),
		T(test_render__tips_of_a_template_reading_the_title_differ_by_title),
		T(test_render__picking_many_tips_never_takes_one_twice),
		T(test_render__json_model_has_the_design_fields),
		T(test_render__skipped_user_has_status_and_reason),
		T(test_render__day_without_meetings_is_skipped),
		T(test_render__missing_html_template_is_named),
		T(test_render__bad_subject_template_is_refused),
		T(test_render__put_line_keeps_plain_text_and_cleans_the_rest),
		T(test_render__put_count_sets_the_plural_flag_of_any_key),
	};

	return cmocka_run_group_tests(tests, own_dir_setup, own_dir_teardown);
}
