/*
 * render_model: the digest model of one user, as mustache data: the
 * reader's language and dates, the meetings with their times, join links,
 * dial-in and organizer, and the small helpers every part of the model is
 * built with. The people of a meeting are render_people.c's.
 */
#include "render.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "i18n_fmt.h"
#include "i18n_list.h"
#include "meetlink.h"
#include "memo.h"
#include "render_int.h"
#include "textclean.h"

/* ---- small model helpers ---- */

int render_put(struct mustache_value *o, const char *key,
	       struct mustache_value *v)
{
	if (!o) {
		mustache_value_free(v);
		return DG_ENOMEM;
	}
	return mustache_map_set(o, key, v) ? DG_ENOMEM : 0;
}

int render_put_null(struct mustache_value *o, const char *key)
{
	return render_put(o, key, mustache_null());
}

int render_put_str(struct mustache_value *o, const char *key, const char *s)
{
	return render_put(o, key, s && *s ? mustache_string(s) : mustache_null());
}

int render_put_line(struct mustache_value *o, const char *key, const char *s)
{
	struct strbuf b = STRBUF_INIT;
	bool cut = false;
	size_t n = 0;
	int rc;

	if (!s || !*s)
		return render_put_null(o, key);
	/*
	 * Printable ASCII within the limit is its own clean form (textclean.h
	 * keeps it as it is): most names and subjects, put without a copy.
	 */
	while ((unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f)
		n++;
	if (!s[n] && n <= RENDER_FIELD_MAX)
		return render_put(o, key, mustache_stringn(s, n));
	/* bidi and zero-width characters go too: see textclean.h */
	rc = textclean_line(s, RENDER_FIELD_MAX, &b, &cut);
	if (!rc && cut)
		rc = strbuf_addstr(&b, "\u2026");
	rc = rc ? rc
		: render_put(o, key, b.len ? mustache_stringn(b.buf, b.len)
					   : mustache_null());
	strbuf_release(&b);
	return rc;
}

int render_push(struct mustache_value *a, struct mustache_value *v)
{
	return mustache_list_push(a, v) ? DG_ENOMEM : 0;
}

int render_add3(struct strbuf *out, const char *a, const char *b,
		const char *c)
{
	int rc = strbuf_addstr(out, a);

	rc = rc ? rc : strbuf_addstr(out, b);
	return rc || !c ? rc : strbuf_addstr(out, c);
}

/* "Zoë Martin" -> "Zoë"; the whole name when it has no space. */
char *render_first_name(const char *name)
{
	size_t n = 0;

	if (!name)
		return NULL;
	while (name[n] && name[n] != ' ')
		n++;
	return strndup(name, n);
}

/*
 * A count and its plural category in the reader's language: "count": 2
 * with "count_other": true, so a template picks its wording with
 * {{#count_one}}...{{/count_one}} (ICU's rules, not English's).
 */
int render_put_count(struct render_engine *e, struct mustache_value *o,
		     const char *key, long n)
{
	struct strbuf flag = STRBUF_INIT;
	const char *category = i18n_plural(e->fmt, n);
	size_t klen = strlen(key), clen = strlen(category);
	char small[64]; /* the flag's name, mostly: no allocation for it */
	int rc = render_put(o, key, mustache_int(n));

	if (!rc && klen + clen + 2 <= sizeof(small)) {
		memcpy(small, key, klen);
		small[klen] = '_';
		memcpy(small + klen + 1, category, clen + 1);
		return render_put(o, small, mustache_bool(1));
	}
	rc = rc ? rc : render_add3(&flag, key, "_", category);
	rc = rc ? rc : render_put(o, flag.buf, mustache_bool(1));
	strbuf_release(&flag);
	return rc;
}

/* "A, B and C" in the reader's language (ICU's list patterns). */
int render_join_names(struct render_engine *e, struct strbuf *out,
		      const char **names, size_t n)
{
	struct dg_err quiet = DG_ERR_INIT;

	return i18n_list(e->fmt, names, n, out, &quiet);
}

/* ---- meetings ---- */

/*
 * The join URL: "join_url" when it is a link to a known meeting service
 * (meetlink.h), else "other_url" {url, host} for any other web URL, shown
 * as text with its host visible; a javascript: URL is neither.
 */
static int add_join(struct render_engine *e, struct mustache_value *o, const char *url)
{
	struct strbuf host = STRBUF_INIT;
	struct mustache_value *other;
	bool trusted;
	int rc = meetlink_judge(url, e->meeting_hosts, &trusted);

	if (rc) /* libcurl out of memory: no verdict on the link */
		return rc;
	if (trusted)
		return render_put_str(o, "join_url", url);
	rc = render_put_null(o, "join_url");
	if (!rc && url)
		rc = meetlink_host(url, &host);
	if (rc == DG_EINVAL) /* no http(s) URL: not shown at all */
		rc = 0;
	if (rc || !host.len) {
		strbuf_release(&host);
		return rc ? rc : render_put_null(o, "other_url");
	}
	other = mustache_map_new();
	rc = other ? 0 : DG_ENOMEM;
	rc = rc ? rc : render_put_line(other, "url", url);
	rc = rc ? rc : render_put_line(other, "host", host.buf);
	strbuf_release(&host);
	if (rc) {
		mustache_value_free(other);
		return rc;
	}
	return render_put(o, "other_url", other);
}

/* Only web links go into an href: a javascript: URL must never. */
static const char *safe_url(const char *url)
{
	if (url && (!strncasecmp(url, "https://", 8) ||
		    !strncasecmp(url, "http://", 7)))
		return url;
	return NULL;
}

/* ---- a meeting's times, remembered (e->times, a memo) ---- */

/* The names add_times() sets: a label reading only these is remembered. */
static void note_label_name(const char *name, size_t len, void *ctx)
{
	static const char *const times[] = {
		"all_day",  "starts_before_day", "ends_after_day", "same_day",
		"start_time", "end_time", "time_range"};
	bool *other = ctx;

	for (size_t i = 0; i < sizeof(times) / sizeof(*times); i++)
		if (strlen(times[i]) == len && !memcmp(times[i], name, len))
			return;
	*other = true;
}

/*
 * Whether the current language's time_label reads only the times (and
 * renders no partial, which could read anything). DG_ENOTFOUND when
 * there is no time_label: its caller says so.
 */
static int label_reads(struct render_engine *e, int *out)
{
	const struct mustache_template *t;
	struct dg_err quiet = DG_ERR_INIT;
	bool other = false;
	int rc;

	if (e->cur->label_reads) {
		*out = e->cur->label_reads;
		return 0;
	}
	rc = mustache_partials_get(e->cur->partials, "time_label", &t, &quiet);
	if (rc)
		return rc;
	if (mustache_template_names(t, note_label_name, &other))
		other = true;
	e->cur->label_reads = other ? RENDER_LABEL_OTHER : RENDER_LABEL_TIMES;
	*out = e->cur->label_reads;
	return 0;
}

/* A meeting's times' key in e->times (struct render_engine). */
struct times_key {
	const struct render_lang *lang;
	int64_t start_ms, end_ms;
	unsigned flags; /* enum render_times_flags */
	char zone[RENDER_TIMES_ZONE];
};

/* The bytes of k a memo compares: all but the unused end of zone. */
static size_t times_key_len(const struct times_key *k)
{
	return offsetof(struct times_key, zone) + strlen(k->zone);
}

/* A text of the model, as render_put_str() puts it: null when empty. */
static int put_text(struct mustache_value *o, const char *key, const char *s,
		    size_t len)
{
	return render_put(o, key, len ? mustache_stringn(s, len)
				      : mustache_null());
}

/*
 * A memo's text of times: whether the label is kept (one byte), the four
 * lengths (a byte each), then the texts one after another.
 */
enum { TIMES_HEAD = 1 + RENDER_TIMES_N };

/* The remembered texts v[0..len) into o, in add_times()'s order. */
static int put_known_times(struct mustache_value *o, const char *v,
			   bool all_day)
{
	static const char *const keys[] = {"start_time", "end_time",
					   "time_range", "time_label"};
	const unsigned char *lens = (const unsigned char *)v + 1;
	const char *s = v + TIMES_HEAD;
	int rc = 0;

	for (size_t i = 0; !rc && i < RENDER_TIMES_N; i++) {
		if ((i < RENDER_TIMES_LABEL && !all_day) ||
		    (i == RENDER_TIMES_LABEL && v[0]))
			rc = put_text(o, keys[i], s, lens[i]);
		s += lens[i];
	}
	return rc;
}

/* Keep texts (lens[i] bytes at texts + at[i]) under key k in e->times. */
static void times_keep(struct render_engine *e, const struct times_key *k,
		       const char *texts, const size_t *at,
		       const size_t *lens, bool has_label)
{
	char v[MEMO_ITEM_MAX];
	size_t total = TIMES_HEAD;

	for (size_t i = 0; i < RENDER_TIMES_N; i++) {
		if (lens[i] > UINT8_MAX || lens[i] > sizeof(v) - total)
			return;
		v[1 + i] = (char)lens[i];
		memcpy(v + total, texts + at[i], lens[i]);
		total += lens[i];
	}
	v[0] = has_label;
	memo_put(e->times, k, times_key_len(k), v, total);
}

/*
 * The meeting's times from ICU (start_time, end_time, time_range; none
 * all day) into o, their text appended to s (at[i], lens[i]).
 */
static int make_times(struct render_engine *e, struct mustache_value *o,
		      const struct plan_meeting *m, struct strbuf *s,
		      size_t *at, size_t *lens, struct dg_err *err)
{
	static const char *const keys[] = {"start_time", "end_time",
					   "time_range"};
	int rc = 0;

	for (size_t i = 0; !rc && !m->all_day && i < RENDER_TIMES_LABEL;
	     i++) {
		at[i] = s->len;
		if (i == RENDER_TIMES_RANGE)
			rc = i18n_time_range(e->fmt, m->start_ms, m->end_ms,
					     s, err);
		else
			rc = i18n_time(e->fmt, i == RENDER_TIMES_START
						       ? m->start_ms
						       : m->end_ms,
				       s, err);
		lens[i] = s->len - at[i];
		rc = rc ? rc : put_text(o, keys[i], s->buf + at[i], lens[i]);
	}
	return rc;
}

/* time_label rendered with o, appended to s (at[label], lens[label]). */
static int add_label(struct render_engine *e, struct mustache_value *o,
		     struct strbuf *s, size_t *at, size_t *lens,
		      struct dg_err *err)
{
	struct strbuf label = STRBUF_INIT;
	int rc = render_file(e, "time_label", o, &label, err);

	if (rc == DG_ENOTFOUND)
		rc = dg_errf(err, rc, "%s/time_label.mustache: no such "
				      "template", e->dir);
	strbuf_trim(&label);
	at[RENDER_TIMES_LABEL] = s->len;
	lens[RENDER_TIMES_LABEL] = strlen(label.buf);
	rc = rc ? rc : render_put_str(o, "time_label", label.buf);
	if (!rc && strbuf_add(s, label.buf, lens[RENDER_TIMES_LABEL]))
		rc = DG_ENOMEM;
	strbuf_release(&label);
	return rc;
}

/*
 * The meeting's times (make_times()) and time_label from the language's
 * time_label template, which decides how to say "all day" or "next day":
 * remembered, or made and kept. in_meetings: o is an entry of meetings[]
 * (all_day is set in it), not of away[].
 */
static int add_times(struct render_engine *e, struct mustache_value *o,
		     const struct plan_meeting *m, bool in_meetings,
		     struct dg_err *err)
{
	struct strbuf s = STRBUF_INIT;
	bool same_day = !m->starts_before_day && !m->ends_after_day;
	const char *zone = e->zone ? e->zone : "UTC";
	struct times_key k;
	bool keyed = strlen(zone) < sizeof(k.zone);
	const char *known = NULL;
	size_t at[RENDER_TIMES_N] = {0}, lens[RENDER_TIMES_N] = {0}, vlen;
	int reads = RENDER_LABEL_OTHER;
	int rc = render_put(o, "starts_before_day",
			    mustache_bool(m->starts_before_day));

	rc = rc ? rc : render_put(o, "ends_after_day",
				  mustache_bool(m->ends_after_day));
	rc = rc ? rc : render_put(o, "same_day", mustache_bool(same_day));
	if (rc)
		return rc;
	memset(&k, 0, sizeof(k));
	k.lang = e->cur;
	k.start_ms = m->start_ms;
	k.end_ms = m->end_ms;
	k.flags = (m->all_day ? RENDER_TIMES_ALL_DAY : 0) |
		  (m->starts_before_day ? RENDER_TIMES_BEFORE : 0) |
		  (m->ends_after_day ? RENDER_TIMES_AFTER : 0) |
		  (in_meetings ? RENDER_TIMES_MEETING : 0);
	if (!e->times)
		e->times = memo_new(RENDER_TIMES_SLOTS);
	if (keyed) {
		memcpy(k.zone, zone, strlen(zone) + 1);
		known = memo_get(e->times, &k, times_key_len(&k), &vlen);
	}
	if (known) {
		rc = put_known_times(o, known, m->all_day);
		rc = rc || known[0] ? rc : add_label(e, o, &s, at, lens, err);
		strbuf_release(&s);
		return rc;
	}
	rc = make_times(e, o, m, &s, at, lens, err);
	rc = rc ? rc : add_label(e, o, &s, at, lens, err);
	/* no time_label: add_label() said so; a label reading more: kept
	 * without it */
	if (!rc && keyed && !label_reads(e, &reads))
		times_keep(e, &k, s.buf, at, lens,
			   reads == RENDER_LABEL_TIMES);
	strbuf_release(&s);
	return rc;
}

static int add_organizer(struct mustache_value *meeting, const struct cal_event *ev)
{
	struct mustache_value *o;

	if (!ev->organizer.address)
		return render_put_null(meeting, "organizer");
	o = mustache_map_new();
	if (render_put_line(o, "name", ev->organizer.name) ||
	    render_put_str(o, "email", ev->organizer.address)) {
		mustache_value_free(o);
		return DG_ENOMEM;
	}
	return render_put(meeting, "organizer", o);
}

/*
 * The phone way into an online meeting: "dial_in" {number, toll_free,
 * conference_id}, or null when Graph gave no number. Numbers are calendar
 * text like any other: one line, escaped by the HTML template, never a
 * tel: link (a link target would need its own checking).
 */
static int add_dial_in(struct mustache_value *meeting, const struct cal_event *ev)
{
	struct mustache_value *o;

	if (!ev->toll_number && !ev->toll_free_number)
		return render_put_null(meeting, "dial_in");
	o = mustache_map_new();
	if (render_put_line(o, "number", ev->toll_number) ||
	    render_put_line(o, "toll_free", ev->toll_free_number) ||
	    render_put_line(o, "conference_id", ev->conference_id)) {
		mustache_value_free(o);
		return DG_ENOMEM;
	}
	return render_put(meeting, "dial_in", o);
}

/* How many attendees have a profile shown; their first names joined. */
static int profiled(struct render_engine *e, const struct match_list *l,
		    size_t *n, struct strbuf *who)
{
	const char **names = calloc(l && l->n ? l->n : 1, sizeof(*names));
	char **firsts = calloc(l && l->n ? l->n : 1, sizeof(*firsts));
	int rc = names && firsts ? 0 : DG_ENOMEM;

	*n = 0;
	for (size_t i = 0; !rc && l && i < l->n; i++) {
		const struct roster_person *p = render_usable(l->v[i].person);

		if (!p)
			continue;
		firsts[*n] = render_first_name(p->name && *p->name ? p->name
							    : p->email);
		names[*n] = firsts[*n];
		if (!firsts[(*n)++])
			rc = DG_ENOMEM;
	}
	if (!rc)
		rc = render_join_names(e, who, names, *n);
	for (size_t i = 0; firsts && i < *n; i++)
		free(firsts[i]);
	free(firsts);
	free(names);
	return rc;
}

/*
 * More people with a profile than [digest] max_people_per_meeting: the
 * meeting gets the group line and their names ("crowd", "people"), no
 * one's tips.
 */
static int add_crowd(struct render_engine *e, struct mustache_value *o,
		     const struct match_list *l, const struct render_state *st,
		     bool *crowd)
{
	struct strbuf who = STRBUF_INIT;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; l && i < l->n; i++)
		n += render_usable(l->v[i].person) != NULL;
	*crowd = n > st->max_people;
	/* their names only when they are shown */
	if (*crowd)
		rc = profiled(e, l, &n, &who);
	rc = rc ? rc : render_put(o, "crowd", mustache_bool(*crowd));
	rc = rc ? rc : render_put(o, "profiled_count", mustache_int((int)n));
	if (!rc && *crowd)
		rc = render_put_str(o, "people", who.buf);
	strbuf_release(&who);
	return rc;
}

/* The public face of a meeting: what anyone may see of it. */
static int add_meeting_people(struct render_engine *e, struct mustache_value *o,
			      const struct plan_meeting *m,
			      const struct match_list *l,
			      struct render_state *st, struct dg_err *err)
{
	struct mustache_value *atts = mustache_list_new();
	struct tip_ctx tc = {.st = st, .m = m, .l = l};
	size_t unmatched = 0;
	int rc = atts ? 0 : DG_ENOMEM;

	rc = rc ? rc : add_crowd(e, o, l, st, &tc.crowd);
	for (size_t i = 0; !rc && l && i < l->n; i++) {
		if (i < RENDER_MAX_ATTENDEES)
			rc = render_add_attendee(e, atts, &l->v[i], &tc, err);
		if (!render_usable(l->v[i].person))
			unmatched++;
	}
	if (rc) {
		mustache_value_free(atts);
		return rc;
	}
	rc = render_put(o, "attendees", atts);
	rc = rc ? rc : render_put_count(e, o, "attendees_more",
				 l && l->n > RENDER_MAX_ATTENDEES
					 ? (long)(l->n - RENDER_MAX_ATTENDEES)
					 : 0);
	rc = rc ? rc : render_put_count(e, o, "unmatched_count", (long)unmatched);
	rc = rc ? rc : render_put_line(o, "subject", m->event->subject);
	rc = rc ? rc : render_put_line(o, "location", m->event->location);
	rc = rc ? rc : add_join(e, o, m->event->join_url);
	rc = rc ? rc : add_dial_in(o, m->event);
	rc = rc ? rc : add_organizer(o, m->event);
	if (!rc && l)
		rc = render_add_dynamics(e, o, l, err);
	return rc;
}

/*
 * A private meeting shows its time and nothing else: no subject, place,
 * link, organizer, attendees or tips, in any output.
 */
static int add_private_meeting(struct render_engine *e, struct mustache_value *o)
{
	int rc = render_put(o, "attendees", mustache_list_new());

	rc = rc ? rc : render_put_count(e, o, "unmatched_count", 0);
	rc = rc ? rc : render_put(o, "dynamics", mustache_list_new());
	return rc;
}

static int add_meeting(struct render_engine *e, struct mustache_value *list,
		       const struct plan_meeting *m, const struct match_list *l,
		       struct render_state *st, struct dg_err *err)
{
	struct mustache_value *o = mustache_map_new();
	int rc = render_put_str(o, "id", m->event->id);

	rc = rc ? rc : render_put(o, "private", mustache_bool(m->is_private));
	rc = rc ? rc : render_put(o, "all_day", mustache_bool(m->all_day));
	rc = rc ? rc : render_put(o, "hold", mustache_bool(
					      render_is_hold(m, l, st->user)));
	rc = rc ? rc : render_put_str(o, "start", m->start);
	rc = rc ? rc : render_put_str(o, "end", m->end);
	rc = rc ? rc : add_times(e, o, m, true, err);
	if (!rc)
		rc = m->is_private ? add_private_meeting(e, o)
				   : add_meeting_people(e, o, m, l, st, err);
	if (rc) {
		mustache_value_free(o);
		return rc;
	}
	return render_push(list, o);
}

/* away[]: the user's part-day absences, each with its times. */
static int add_away(struct render_engine *e, struct mustache_value *model,
		    const struct plan_day *day, struct dg_err *err)
{
	struct mustache_value *away = mustache_list_new();
	int rc = away ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && day && i < day->naway; i++) {
		struct mustache_value *a = mustache_map_new();

		rc = a ? add_times(e, a, &day->away[i], false, err)
		       : DG_ENOMEM;
		if (rc) {
			mustache_value_free(a);
			break;
		}
		rc = render_push(away, a);
	}
	if (rc) {
		mustache_value_free(away);
		return rc;
	}
	return render_put(model, "away", away);
}

/*
 * The reader's names as the directory has them: given_name and surname
 * from Graph, never guessed by splitting the display name ("Archie,
 * Grady"; "中村 結衣" is family name first). first_name is the name to
 * greet by: the given name, else the whole display name.
 */
static struct mustache_value *user_object(const struct render_input *in)
{
	struct mustache_value *u = mustache_map_new();
	const struct cal_user *cu = in->user;
	const char *greet = cu->given_name && *cu->given_name
				    ? cu->given_name
				    : cu->display_name;
	int rc = render_put_str(u, "email", cu->mail);

	rc = rc ? rc : render_put_line(u, "name", cu->display_name);
	rc = rc ? rc : render_put_line(u, "given_name", cu->given_name);
	rc = rc ? rc : render_put_line(u, "surname", cu->surname);
	rc = rc ? rc : render_put_line(u, "first_name", greet);
	rc = rc ? rc : render_put_str(u, "timezone", in->target->zone);
	if (rc) {
		mustache_value_free(u);
		return NULL;
	}
	return u;
}

/* The day in the reader's words: date_label, date_day, date_short. */
static int add_dates(struct render_engine *e, struct mustache_value *m,
		     const struct plan_target *t, struct dg_err *err)
{
	static const struct {
		const char *key;
		enum i18n_date_style style;
	} dates[] = { { "date_label", I18N_DATE_FULL },
		      { "date_day", I18N_DATE_DAY },
		      { "date_short", I18N_DATE_SHORT } };
	struct strbuf s = STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(dates) / sizeof(dates[0]); i++) {
		strbuf_reset(&s);
		rc = i18n_date(e->fmt, dates[i].style, t->start_ms, &s, err);
		rc = rc ? rc : render_put_str(m, dates[i].key, s.buf);
	}
	strbuf_release(&s);
	return rc;
}

/* The reader's language: locale and templates, and ICU set up for it. */
static int begin_model(struct render_engine *e, const struct render_input *in,
		       struct mustache_value *m, struct dg_err *err)
{
	const char *locale = in->locale ? in->locale : in->target->locale;
	int rc = render_select_lang(e, locale, err);

	e->fmt = NULL;
	e->zone = in->target->zone;
	rc = rc ? rc : i18n_fmt_cache_get(e->fmts, e->cur->tpl->format_locale,
					  in->target->zone, &e->fmt, err);
	rc = rc ? rc : render_put_str(m, "locale", e->cur->tpl->locale);
	rc = rc ? rc : render_put_str(m, "language", e->cur->tpl->language);
	return rc;
}

void render_state_release(struct render_state *st)
{
	hmap_release(&st->seen);
	if (st->used != st->used_inline)
		free(st->used);
	st->used = NULL;
	st->used_slots = st->nused = 0;
	free(st->sites);
	st->sites = NULL;
	st->nsites = st->sites_alloc = 0;
	free(st->cand);
	st->cand = NULL;
	st->ncand = st->cand_alloc = 0;
	render_tips_owned_free(st);
}

/* The meetings[] of the model, and what the top of the digest needs. */
static int add_meetings(struct render_engine *e, struct mustache_value *m,
			const struct render_input *in, const char *skip,
			struct render_state *st, struct dg_err *err)
{
	struct mustache_value *meetings = mustache_list_new();
	const struct plan_day *day = in->day;
	int rc = meetings ? 0 : DG_ENOMEM;

	/* a flooded calendar still gives a readable, mailable digest */
	for (size_t i = 0; !rc && !skip && i < day->n &&
			   i < RENDER_MAX_MEETINGS; i++) {
		rc = add_meeting(e, meetings, &day->meetings[i],
				 in->attendees ? &in->attendees[i] : NULL, st,
				 err);
		if (!rc && !day->meetings[i].is_private)
			rc = render_add_history_meeting(
				e,
				mustache_list_item(
					meetings,
					mustache_list_len(meetings) - 1),
				in, i);
	}
	rc = rc ? rc : render_put_count(e, m, "meetings_more",
				 !skip && day->n > RENDER_MAX_MEETINGS
					 ? (long)(day->n - RENDER_MAX_MEETINGS)
					 : 0);
	rc = rc ? rc : render_put_count(e, m, "meeting_count",
				 (long)mustache_list_len(meetings));
	rc = rc ? rc : render_holds(m, meetings);
	rc = rc ? rc : render_add_relations(e, m, meetings, skip ? NULL : in, err);
	if (rc) {
		mustache_value_free(meetings);
		return rc;
	}
	rc = render_put(m, "meetings", meetings);
	rc = rc ? rc : add_away(e, m, skip ? NULL : day, err);
	return rc ? rc : render_put(m, "trimmed", mustache_bool(st->trimmed));
}

int render_model_begin(struct render_engine *e, const struct render_input *in,
		       int max_tips, struct render_state *st,
		       struct mustache_value **out, struct dg_err *err)
{
	struct mustache_value *m = mustache_map_new();
	const struct plan_day *day = in->day;
	const char *skip = in->target->skip_reason;
	int rc = m ? 0 : DG_ENOMEM;

	*st = (struct render_state){
		.seen = HMAP_INIT(0),
		.max_tips = max_tips,
		.max_people = in->max_people_per_meeting
				      ? in->max_people_per_meeting
				      : RENDER_PEOPLE_MAX,
		.user = in->user,
	};
	*out = NULL;
	render_tips_cache_begin(e);
	rc = rc ? rc : begin_model(e, in, m, err);

	if (!skip && !day)
		skip = "no_meetings";
	if (!skip && day->skip_reason)
		skip = day->skip_reason;
	rc = rc ? rc : add_meetings(e, m, in, skip, st, err);
	rc = rc ? rc : render_add_history_week(e, m, in, skip != NULL, err);
	rc = rc ? rc : render_put(m, "user", user_object(in));
	rc = rc ? rc : render_put_str(m, "date", in->target->date);
	rc = rc ? rc : add_dates(e, m, in->target, err);
	rc = rc ? rc : render_put_str(m, "status", skip ? "skipped" : "ready");
	rc = rc ? rc : render_put_str(m, "skip_reason", skip);
	rc = rc ? rc : render_put_str(m, "unsubscribe_url",
			       safe_url(in->unsubscribe_url));
	rc = rc ? rc : render_put_str(m, "prefs_url", safe_url(in->prefs_url));
	if (rc) {
		mustache_value_free(m);
		render_state_release(st);
		if (rc == DG_ENOMEM)
			return dg_errf(err, rc, "out of memory building the "
					       "digest of %s", in->user->mail);
		return rc;
	}
	*out = m;
	return 0;
}

int render_build_model(struct render_engine *e, const struct render_input *in,
		       int max_tips, struct mustache_value **out, size_t *shown,
		       struct dg_err *err)
{
	struct render_state st;
	int rc = render_model_begin(e, in, max_tips, &st, out, err);

	*shown = st.shown;
	render_state_release(&st);
	return rc;
}
