/*
 * render_groups: the group lines of a meeting in the digest model, one per
 * assessment from the mix of results in the room, and the engine's memo
 * of them by kind of room (render_int.h, RENDER_GROUP_LINES).
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "memo.h"
#include "render_int.h"

/* ---- group dynamics: one line per assessment from the mix in the room ---- */

struct room_entry {
	const char *name;   /* first name, in e->group_names */
	const char *result;
	size_t at;	    /* where name starts in e->group_names */
};

static int cmp_count_desc(const void *a, const void *b)
{
	const int *x = a, *y = b;

	return y[1] - x[1];
}

/* Rooms up to this size need no allocation for their arrays. */
#define ROOM_SMALL 16

/*
 * The data of tips/<assessment>/_group for the room, without the fields
 * of enum render_group_uses the template does not read (uses); people:
 * what "people" holds, NULL for the room's names in words.
 */
static struct mustache_value *group_data(struct render_engine *e, const char *assessment,
			       const char *label,
			       const struct room_entry *room, size_t n,
			       unsigned uses, const char *people)
{
	struct mustache_value *o = mustache_map_new();
	struct mustache_value *results = mustache_list_new();
	const char *names_small[ROOM_SMALL];
	int counts_small[ROOM_SMALL][2];
	const char **names = n <= ROOM_SMALL ? names_small
					     : calloc(n, sizeof(*names));
	int (*counts)[2] = n <= ROOM_SMALL ? counts_small
					   : calloc(n, sizeof(*counts));
	size_t distinct = 0;
	struct strbuf *key = &e->group_key, *joined = &e->group_joined;
	int rc = o && results && names && counts ? 0 : DG_ENOMEM;

	/* Count each distinct result, remembering its first entry. */
	for (size_t i = 0; !rc && i < n; i++) {
		size_t j;

		for (j = 0; j < distinct; j++)
			if (!strcmp(room[counts[j][0]].result, room[i].result))
				break;
		if (j == distinct) {
			counts[distinct][0] = (int)i;
			counts[distinct++][1] = 0;
		}
		counts[j][1]++;
	}
	if (!rc)
		qsort(counts, distinct, sizeof(*counts), cmp_count_desc);
	for (size_t i = 0; !rc && i < n; i++)
		names[i] = room[i].name;
	if (!rc && uses & RENDER_GROUP_PEOPLE && people)
		rc = render_put_str(o, "people", people);
	else if (!rc && uses & RENDER_GROUP_PEOPLE) {
		strbuf_reset(joined);
		rc = render_join_names(e, joined, names, n);
		rc = rc ? rc : render_put_str(o, "people", joined->buf);
	}
	rc = rc ? rc : render_put_str(o, "assessment", assessment);
	rc = rc ? rc : render_put_str(o, "label", label);
	if (!rc && uses & RENDER_GROUP_COUNT)
		rc = render_put_count(e, o, "count", (long)n);
	rc = rc ? rc : render_put(o, "mixed", mustache_bool(distinct > 1));
	for (size_t j = 0; !rc && j < distinct; j++) {
		const char *result = room[counts[j][0]].result;

		if (uses & RENDER_GROUP_RESULTS) {
			struct mustache_value *r = mustache_map_new();
			size_t k = 0;

			for (size_t i = 0; i < n; i++)
				if (!strcmp(room[i].result, result))
					names[k++] = room[i].name;
			strbuf_reset(joined);
			rc = render_join_names(e, joined, names, k);
			rc = rc ? rc : render_put_str(r, "result", result);
			rc = rc ? rc
				: render_put_count(e, r, "count",
						   counts[j][1]);
			rc = rc ? rc : render_put_str(r, "names", joined->buf);
			if (rc) {
				mustache_value_free(r);
				break;
			}
			rc = render_push(results, r); /* takes r */
			if (rc)
				break;
		}
		strbuf_reset(key);
		rc = render_add3(key, "has_", result, NULL);
		rc = rc ? rc : render_put(o, key->buf, mustache_bool(1));
		if (!rc && distinct == 1) {
			strbuf_reset(key);
			rc = render_add3(key, "all_", result, NULL);
			rc = rc ? rc : render_put(o, key->buf,
					   mustache_bool(1));
		}
		if (!rc && j == 0 &&
		    (distinct == 1 || counts[0][1] > counts[1][1])) {
			rc = render_put_str(o, "dominant", result);
			strbuf_reset(key);
			rc = rc ? rc : render_add3(key, "dominant_", result, NULL);
			rc = rc ? rc : render_put(o, key->buf,
					   mustache_bool(1));
		}
	}
	if (!rc && uses & RENDER_GROUP_RESULTS)
		rc = render_put(o, "results", results);
	else
		mustache_value_free(results);
	if (names != names_small)
		free(names);
	if (counts != counts_small)
		free(counts);
	if (rc) {
		mustache_value_free(o);
		return NULL;
	}
	return o;
}

/*
 * Collect who in the room has a result for assessment, their first names
 * one after another in names (NUL-terminated): the count, or -1 when out
 * of memory.
 */
static long room_for(const struct roster_person **people, size_t npeople,
		     const char *assessment, struct room_entry *room,
		     struct strbuf *names)
{
	size_t n = 0;

	strbuf_reset(names);
	for (size_t i = 0; i < npeople; i++) {
		const struct roster_person *p = people[i];

		for (size_t j = 0; j < p->nassessments; j++) {
			const char *name = p->name ? p->name : p->email;

			if (strcmp(p->assessments[j].name, assessment))
				continue;
			room[n].at = names->len;
			room[n].result = p->assessments[j].value;
			/* "Zoë Martin" -> "Zoë", as render_first_name() */
			if (strbuf_add(names, name, strcspn(name, " ")) ||
			    strbuf_addch(names, '\0'))
				return -1;
			n++;
			break;
		}
	}
	/* the buffer moves as it grows: the names are pointed at last */
	for (size_t i = 0; i < n; i++)
		room[i].name = names->buf + room[i].at;
	return (long)n;
}

static bool seen_assessment(const struct roster_person **people, size_t upto,
			    const char *assessment)
{
	for (size_t i = 0; i < upto; i++)
		for (size_t j = 0; j < people[i]->nassessments; j++)
			if (!strcmp(people[i]->assessments[j].name, assessment))
				return true;
	return false;
}

/* ---- group lines remembered (RENDER_GROUP_LINES) ---- */

/*
 * What stands for the room's names in a remembered line: the text of a
 * line that names them is made once with each, and kept only when they
 * come out exactly where the names would (group_line_made()).
 */
static const char stand_in[2][9] = {"\x01people\x02", "\x01PEOPLE\x02"};
#define STAND_IN_LEN 8

/*
 * The key of the room's line: everything its data holds but the names
 * (group_data()): the language, the assessment, what the template reads,
 * the count when it reads it, the results present (sorted) and the one
 * strictly most common. 1 when the room has one, 0 when it is not
 * remembered (a room too large to count here), or DG_ENOMEM.
 */
static int group_line_key(struct render_engine *e, const char *assessment,
			  const struct room_entry *room, size_t n,
			  unsigned uses, struct strbuf *key)
{
	const char *distinct[ROOM_SMALL];
	size_t counts[ROOM_SMALL], nd = 0, top = 0;
	const char *dominant = NULL;
	const void *lang = e->cur;
	int rc;

	if (n > ROOM_SMALL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < nd && strcmp(distinct[j], room[i].result))
			j++;
		if (j == nd) {
			distinct[nd] = room[i].result;
			counts[nd++] = 0;
		}
		counts[j]++;
	}
	for (size_t j = 0; j < nd; j++) {
		if (counts[j] > top) {
			top = counts[j];
			dominant = distinct[j];
		} else if (counts[j] == top) {
			dominant = NULL; /* a tie: none is dominant */
		}
	}
	/* the set, in one order whatever the room's */
	for (size_t j = 1; j < nd; j++)
		for (size_t k = j; k > 0 && strcmp(distinct[k - 1],
						   distinct[k]) > 0; k--) {
			const char *t = distinct[k];

			distinct[k] = distinct[k - 1];
			distinct[k - 1] = t;
		}
	/* binary: the strings end with their NUL, which none holds */
	strbuf_reset(key);
	rc = strbuf_add(key, &lang, sizeof(lang)) ||
	     strbuf_add(key, &uses, sizeof(uses)) ||
	     strbuf_add(key, assessment, strlen(assessment) + 1);
	if (!rc && uses & RENDER_GROUP_COUNT)
		rc = strbuf_add(key, &n, sizeof(n));
	rc = rc ? rc : strbuf_add(key, &nd, sizeof(nd));
	for (size_t j = 0; !rc && j < nd; j++)
		rc = strbuf_add(key, distinct[j], strlen(distinct[j]) + 1);
	rc = rc ? rc : strbuf_addch(key, dominant ? '+' : '-');
	if (!rc && dominant)
		rc = strbuf_add(key, dominant, strlen(dominant) + 1);
	return rc ? DG_ENOMEM : 1;
}

/* Where stand-in i is first in text[0..len), else NULL. */
static const char *find_stand_in(const char *text, size_t len, int i)
{
	const char *end = text + len, *at = text;

	/* its first byte is a control character: rare in any text */
	while ((at = memchr(at, stand_in[i][0], (size_t)(end - at)))) {
		if ((size_t)(end - at) >= STAND_IN_LEN &&
		    !memcmp(at, stand_in[i], STAND_IN_LEN))
			return at;
		at++;
	}
	return NULL;
}

/*
 * out: text with every stand-in i replaced by with (wlen bytes); at,
 * where the first one is (find_stand_in()).
 */
static int put_names(struct strbuf *out, const char *text, size_t len,
		     const char *at, int i, const char *with, size_t wlen)
{
	const char *end = text + len;
	int rc = 0;

	while (!rc && at) {
		rc = strbuf_add(out, text, (size_t)(at - text)) ||
		     strbuf_add(out, with, wlen);
		text = at + STAND_IN_LEN;
		at = find_stand_in(text, (size_t)(end - text), i);
	}
	rc = rc ? rc : strbuf_add(out, text, (size_t)(end - text));
	return rc ? DG_ENOMEM : 0;
}

/*
 * The line t renders for the room with a stand-in for the names, into
 * text, and whether it may be remembered: made with the other stand-in
 * it is the same with that one in the same places. A line that does not
 * hold its people exactly so (a template whose own text holds a
 * stand-in) is made with the names every time. *ok false and 0 when it
 * failed: the caller makes it the usual way, which fails the same way.
 */
static int group_line_made(struct render_engine *e,
			   const struct mustache_template *t,
			   const char *assessment, const char *label,
			   const struct room_entry *room, size_t n,
			   unsigned uses, struct strbuf *text, bool *ok)
{
	struct strbuf other = STRBUF_INIT, swapped = STRBUF_INIT;
	struct dg_err quiet = DG_ERR_INIT;
	struct mustache_value *data =
		group_data(e, assessment, label, room, n, uses, stand_in[0]);
	bool named = uses & RENDER_GROUP_PEOPLE;
	int rc = data ? 0 : DG_ENOMEM;

	*ok = false;
	strbuf_reset(text);
	rc = rc ? rc
		: mustache_render(t, data, e->cur->partials,
				  MUSTACHE_ESCAPE_NONE, text, &quiet);
	/* the same data but for the other stand-in */
	if (!rc && named)
		rc = render_put_str(data, "people", stand_in[1]);
	rc = rc || !named ? rc
			  : mustache_render(t, data, e->cur->partials,
					    MUSTACHE_ESCAPE_NONE, &other,
					    &quiet);
	if (!rc && named)
		rc = put_names(&swapped, text->buf, text->len,
			       find_stand_in(text->buf, text->len, 0), 0,
			       stand_in[1], STAND_IN_LEN);
	*ok = !rc && (!named || (swapped.len == other.len &&
				 !memcmp(swapped.buf, other.buf, other.len)));
	mustache_value_free(data);
	strbuf_release(&other);
	strbuf_release(&swapped);
	return rc == DG_ENOMEM ? rc : 0;
}

/*
 * The remembered line (len bytes, with stand-in 0 where the names go)
 * with the room's names in words, into text: *done.
 */
static int group_line_named(struct render_engine *e,
			    const struct room_entry *room, size_t n,
			    unsigned uses, const char *line, size_t len,
			    struct strbuf *text, bool *done)
{
	struct strbuf *joined = &e->group_joined;
	const char *names[ROOM_SMALL];

	const char *at = uses & RENDER_GROUP_PEOPLE
				 ? find_stand_in(line, len, 0)
				 : NULL;
	int rc;

	strbuf_reset(text);
	if (!at) {
		rc = strbuf_add(text, line, len) ? DG_ENOMEM : 0;
		*done = !rc;
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		names[i] = room[i].name;
	strbuf_reset(joined);
	rc = render_join_names(e, joined, names, n);
	rc = rc ? rc
		: put_names(text, line, len, at, 0, joined->buf, joined->len);
	*done = !rc;
	return rc;
}

/*
 * The room's line from the engine's memory, or made and kept there, into
 * e->group_text (untrimmed): *done false when it is not (a room too
 * large, a template that does not allow it, nobody with a name to
 * show), for the caller to make it the usual way.
 */
static int group_line_known(struct render_engine *e,
			    const struct mustache_template *t,
			    const char *assessment, const char *label,
			    const struct room_entry *room, size_t n,
			    unsigned uses, bool *done)
{
	struct strbuf *key = &e->groups_key, *text = &e->group_text;
	struct strbuf made = STRBUF_INIT;
	const char *line;
	size_t len = 0;
	bool named = false, ok = false;
	int rc;

	*done = false;
	/*
	 * the stand-in is never empty: the names in words must not be
	 * either, or {{#people}} would tell them apart
	 */
	for (size_t i = 0; i < n && !named; i++)
		named = room[i].name[0] != '\0';
	if ((uses & RENDER_GROUP_RESULTS) ||
	    ((uses & RENDER_GROUP_PEOPLE) && !named))
		return 0;
	rc = group_line_key(e, assessment, room, n, uses, key);
	if (rc <= 0)
		return rc;
	rc = 0;
	if (!e->groups)
		e->groups = memo_new(RENDER_GROUP_LINES);
	line = memo_get(e->groups, key->buf, key->len, &len);
	if (!line) {
		rc = group_line_made(e, t, assessment, label, room, n, uses,
				     &made, &ok);
		if (!rc && ok)
			memo_put(e->groups, key->buf, key->len, made.buf,
				 made.len);
		line = made.buf;
		len = made.len;
	}
	if (!rc && (line != made.buf || ok))
		rc = group_line_named(e, room, n, uses, line, len, text,
				      done);
	strbuf_release(&made);
	return rc;
}

static int dynamics_for(struct render_engine *e, struct mustache_value *lines,
			const struct roster_person **people, size_t npeople,
			const char *assessment, struct dg_err *err)
{
	struct room_entry room_small[ROOM_SMALL];
	struct room_entry *room = npeople <= ROOM_SMALL
					  ? room_small
					  : calloc(npeople, sizeof(*room));
	struct strbuf *text = &e->group_text;
	const struct mustache_template *t = NULL;
	struct mustache_value *data = NULL;
	const char *label = NULL;
	unsigned uses = 0;
	bool done = false;
	long n = 0;
	int rc = room ? 0 : DG_ENOMEM;

	if (!rc)
		n = room_for(people, npeople, assessment, room, &e->group_names);
	if (n < 0)
		rc = DG_ENOMEM;
	if (!rc && n >= 2)
		rc = render_group_template(e, assessment, &t, &uses, err);
	/* no template: no line, and no data to make for it */
	if (!rc && n >= 2 && t) {
		rc = render_label_of(e, assessment, &label, err);
		rc = rc ? rc
			: group_line_known(e, t, assessment, label, room,
					   (size_t)n, uses, &done);
		if (!rc && !done) {
			data = group_data(e, assessment, label, room,
					  (size_t)n, uses, NULL);
			rc = data ? 0 : DG_ENOMEM;
			strbuf_reset(text);
			rc = rc ? rc
				: mustache_render(t, data, e->cur->partials,
						  MUSTACHE_ESCAPE_NONE, text,
						  err);
		}
		strbuf_trim(text);
		if (!rc && text->len)
			rc = render_push(lines, mustache_string(text->buf));
	}
	if (room != room_small)
		free(room);
	mustache_value_free(data);
	return rc;
}

/*
 * The people in the room with a usable profile, the user left out: the
 * line is advice about the others ("type 9 in the room" must not mean
 * the reader), and it names them.
 */
int render_add_dynamics(struct render_engine *e, struct mustache_value *meeting,
			const struct match_list *l, struct dg_err *err)
{
	const struct roster_person **people;
	struct mustache_value *lines = mustache_list_new();
	size_t n = 0;
	int rc = 0;

	people = calloc(l->n + 1, sizeof(*people));
	if (!people || !lines) {
		free(people);
		mustache_value_free(lines);
		return DG_ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++)
		if (render_usable(l->v[i].person))
			people[n++] = l->v[i].person;
	for (size_t i = 0; !rc && i < n; i++)
		for (size_t j = 0; !rc && j < people[i]->nassessments; j++) {
			const char *a = people[i]->assessments[j].name;

			if (!seen_assessment(people, i, a))
				rc = dynamics_for(e, lines, people, n, a, err);
		}
	free(people);
	if (rc) {
		mustache_value_free(lines);
		return rc;
	}
	return render_put(meeting, "dynamics", lines);
}
