#include "hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hmap.h"
#include "strbuf.h"
#include "text.h"
#include "prefs.h"
#include "workhours.h"

/* ---- the pure part ---- */

static bool works_on(const struct hours_rule *r, int64_t days)
{
	return !r->days || (r->days & (1u << tz_weekday(days)));
}

/* The instant of minute min of local date days in z. */
static int instant(struct tz *z, int64_t days, int min, int64_t *ms,
		   struct dg_err *err)
{
	struct tz_civil c;

	tz_civil_from_days(days, &c);
	c.hour = min / 60;
	c.minute = min % 60;
	return tz_local_to_ms(z, &c, ms, err);
}

int hours_fit(const struct hours_rule *r, int64_t start_ms, int64_t end_ms,
	      enum hours_fit *out, struct dg_err *err)
{
	bool overnight = r->end_min <= r->start_min;
	int64_t day, stretch_end;
	struct tz_civil c;
	int offset, min, rc;
	bool found = false;

	rc = tz_ms_to_local(r->work, start_ms, &c, &offset, err);
	if (rc)
		return rc;
	day = tz_civil_days(&c);
	min = c.hour * 60 + c.minute;
	if (!overnight) {
		found = works_on(r, day) && min >= r->start_min &&
			min < r->end_min;
	} else if (works_on(r, day) && min >= r->start_min) {
		found = true;
		day++; /* the stretch ends tomorrow */
	} else if (works_on(r, day - 1) && min < r->end_min) {
		found = true; /* yesterday's stretch, past midnight */
	}
	if (!found) {
		*out = works_on(r, day) ? HOURS_OUTSIDE : HOURS_DAY_OFF;
		return 0;
	}
	rc = instant(r->work, day, r->end_min, &stretch_end, err);
	if (!rc)
		*out = end_ms <= stretch_end ? HOURS_INSIDE : HOURS_OUTSIDE;
	return rc;
}

/* ---- the book ---- */

/* What the run knows of one person. */
struct person {
	const char *id;     /* the key: the user's own (see hours.h) */
	bool usable;        /* a rule could be made */
	struct hours_rule rule;
	const char *home;   /* IANA of their mailbox zone; the zone cache's */
	struct zone *zone;  /* and the zone itself */
	/* the city of home in the last locale asked (the book's strings) */
	const char *city_locale;
	const char *city;
};

/* One zone: its calendar (borrowed by rules) and its IANA id. */
struct zone {
	char *iana; /* the key */
	struct tz *tz;
};

/* A zone name as Graph wrote it ("Nepal Standard Time"), resolved once. */
struct alias {
	char *name;       /* the key */
	struct zone *zone; /* NULL: a zone ICU does not know */
};

/*
 * The labels of one locale: wall-clock times and weekdays, in UTC. A
 * person's local time is formatted as the UTC instant shifted by their
 * offset then: one pair of ICU formats per language, not per zone.
 */
/* The slots of a memo, by minute: 1024 keep most of a run's instants
 * apart (with 64, two lookups in five were formatted again). */
#define LABELS_MEMO 1024

/*
 * An instant's label, kept: the people of one meeting, and of the next
 * digest with the same meeting, read the same few times. ICU formats
 * one only when its slot holds another instant (or none).
 */
struct label_memo {
	int64_t ms;
	char *text; /* NULL: the slot is empty */
};

struct labels {
	char *key; /* the locale */
	struct tz_label *time, *weekday;
	struct label_memo times[LABELS_MEMO], days[LABELS_MEMO];
};

static void labels_free(struct labels *l)
{
	tz_label_close(l->time);
	tz_label_close(l->weekday);
	for (size_t i = 0; i < LABELS_MEMO; i++) {
		free(l->times[i].text);
		free(l->days[i].text);
	}
	free(l->key);
	free(l);
}

/*
 * tz_label(l, ms), through memo: the same text. *out is borrowed from
 * the memo until the next call with it: copy it before.
 */
static int label_at(struct tz_label *l, struct label_memo *memo, int64_t ms,
		    const char **out, struct dg_err *err)
{
	struct label_memo *e =
		&memo[(uint64_t)(ms / TZ_MS_PER_MINUTE) % LABELS_MEMO];

	*out = NULL;
	if (!e->text || e->ms != ms) {
		char *text = NULL;
		int rc = tz_label(l, ms, &text, err);

		if (rc)
			return rc;
		free(e->text);
		e->text = text;
		e->ms = ms;
	}
	*out = e->text;
	return 0;
}

/* One zone's city in one locale. */
struct city {
	char *key;  /* locale "\n" zone */
	char *name; /* NULL: the zone has none */
};

struct hours_book {
	struct store *st;
	struct workhours_reads *reads; /* of st, when there is one */
	bool save;
	int64_t now_ms;
	struct hmap people; /* user id -> struct person */
	struct hmap zones;  /* IANA id -> struct zone */
	struct hmap aliases; /* zone name as given -> struct alias */
	struct hmap labels; /* locale -> struct labels */
	struct hmap cities; /* locale "\n" zone -> struct city */
	struct hmap hidden; /* address -> itself (owned): hidden by choice */
};

static int note_hidden(const char *address, const struct prefs *p,
		       void *ctx)
{
	struct hours_book *b = ctx;
	char *a;
	int rc;

	if (p->profile != PREFS_PROFILE_HIDDEN)
		return 0;
	a = strdup(address);
	if (!a)
		return DG_ENOMEM;
	rc = hmap_put(&b->hidden, a, a, NULL);
	if (rc)
		free(a);
	return rc == DG_EEXISTS ? 0 : rc;
}

int hours_book_open(struct store *st, bool save, int64_t now_ms,
		    struct hours_book **out, struct dg_err *err)
{
	struct hours_book *b = calloc(1, sizeof(*b));
	int rc;

	*out = NULL;
	if (!b)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	b->st = st;
	b->save = save && st;
	b->now_ms = now_ms;
	hmap_init(&b->people, 0);
	hmap_init(&b->zones, 0);
	hmap_init(&b->aliases, 0);
	hmap_init(&b->labels, 0);
	hmap_init(&b->cities, 0);
	hmap_init(&b->hidden, HMAP_NOCASE);
	rc = st ? prefs_each(st, note_hidden, b, err) : 0;
	if (!rc && st)
		rc = workhours_reads_open(st, &b->reads, err);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory");
	if (rc) {
		hours_book_close(b);
		return rc;
	}
	*out = b;
	return 0;
}

/*
 * The value of every attendee with no hours kept by any run: a book
 * meets most of a big tenant as attendees, and most have none (yet), so
 * they cost an entry of the map, not a person each.
 */
static struct person nobody;

static void person_free(struct person *p)
{
	if (p != &nobody)
		free(p);
}

void hours_book_close(struct hours_book *b)
{
	const struct hmap_entry *e;
	size_t pos = 0;

	if (!b)
		return;
	workhours_reads_close(b->reads);
	while ((e = hmap_next(&b->people, &pos)))
		person_free(e->value);
	pos = 0;
	while ((e = hmap_next(&b->zones, &pos))) {
		struct zone *z = e->value;

		tz_close(z->tz);
		free(z->iana);
		free(z);
	}
	pos = 0;
	while ((e = hmap_next(&b->aliases, &pos))) {
		struct alias *a = e->value;

		free(a->name);
		free(a);
	}
	pos = 0;
	while ((e = hmap_next(&b->labels, &pos))) {
		labels_free(e->value);
	}
	pos = 0;
	while ((e = hmap_next(&b->cities, &pos))) {
		struct city *c = e->value;

		free(c->name);
		free(c->key);
		free(c);
	}
	pos = 0;
	while ((e = hmap_next(&b->hidden, &pos)))
		free(e->value);
	hmap_release(&b->people);
	hmap_release(&b->zones);
	hmap_release(&b->aliases);
	hmap_release(&b->labels);
	hmap_release(&b->cities);
	hmap_release(&b->hidden);
	free(b);
}

bool hours_book_hidden(const struct hours_book *b, const char *address)
{
	return address && hmap_get(&b->hidden, address);
}

/* The zone of name, resolved and opened (once a run per IANA id). */
static int open_zone(struct hours_book *b, const char *name,
		     struct zone **out, struct dg_err *err)
{
	struct zone *z;
	char *iana = NULL;
	int rc;

	*out = NULL;
	if (!name || !*name)
		return 0;
	rc = tz_resolve(name, &iana);
	if (rc == DG_ENOTFOUND)
		return 0;
	if (rc)
		return dg_errf(err, rc, "out of memory");
	z = hmap_get(&b->zones, iana);
	if (z) {
		free(iana);
		*out = z;
		return 0;
	}
	z = calloc(1, sizeof(*z));
	if (!z) {
		free(iana);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	z->iana = iana;
	rc = tz_open(iana, &z->tz, err);
	if (!rc && hmap_put(&b->zones, z->iana, z, NULL))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (rc) {
		tz_close(z->tz);
		free(z->iana);
		free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/*
 * The zone Graph named (Windows or IANA), resolved and opened once a
 * run; NULL in *out for a zone ICU does not know.
 */
static int zone_of(struct hours_book *b, const char *name, struct zone **out,
		   struct dg_err *err)
{
	struct alias *a;
	int rc;

	*out = NULL;
	if (!name || !*name)
		return 0;
	a = hmap_get(&b->aliases, name);
	if (a) {
		*out = a->zone;
		return 0;
	}
	a = calloc(1, sizeof(*a));
	if (a)
		a->name = strdup(name);
	if (!a || !a->name) {
		free(a);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	rc = open_zone(b, name, &a->zone, err);
	if (!rc && hmap_put(&b->aliases, a->name, a, NULL))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (rc) {
		free(a->name);
		free(a);
		return rc;
	}
	*out = a->zone;
	return 0;
}

/* p's rule out of w: the hours' zone, else the mailbox's, both known. */
static int make_rule(struct hours_book *b, const struct workhours *w,
		     struct person *p, struct dg_err *err)
{
	struct zone *home = NULL, *work = NULL;
	int rc;

	p->usable = false;
	p->city_locale = NULL; /* the city of the zone it had */
	if (w->start_min < 0 || w->end_min < 0 || w->start_min == w->end_min)
		return 0; /* no hours, or the whole day */
	rc = zone_of(b, w->time_zone, &home, err);
	if (!rc)
		rc = zone_of(b, w->work_zone, &work, err);
	if (rc)
		return rc;
	if (!work)
		work = home;
	if (!home)
		home = work;
	if (!home)
		return 0; /* "Customized Time Zone" both: no line */
	p->home = home->iana;
	p->zone = home;
	p->rule = (struct hours_rule){ .work = work->tz,
				       .days = w->days,
				       .start_min = w->start_min,
				       .end_min = w->end_min };
	p->usable = true;
	return 0;
}

/* The entry of user id, made (empty) when the run has none yet. */
static int person_of(struct hours_book *b, const char *id, struct person **out,
		     bool *fresh, struct dg_err *err)
{
	struct person *p = hmap_get(&b->people, id);

	*fresh = false;
	if (p && p != &nobody) {
		*out = p;
		return 0;
	}
	/* nobody's entry gives way to the person's, whose hours are here */
	p = calloc(1, sizeof(*p));
	if (!p)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	hmap_remove(&b->people, id);
	p->id = id;
	if (hmap_put(&b->people, p->id, p, NULL)) {
		person_free(p);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	*fresh = true;
	*out = p;
	return 0;
}

int hours_book_learn(struct hours_book *b, const struct cal_user *u,
		     const struct cal_mailbox *mb, struct dg_err *err)
{
	struct workhours w = WORKHOURS_INIT;
	struct person *p;
	bool fresh, written;
	int rc;

	if (!u->id || !mb)
		return 0;
	rc = workhours_of_mailbox(mb, &w);
	if (rc)
		return dg_errf(err, rc, "out of memory");
	rc = person_of(b, u->id, &p, &fresh, err);
	if (!rc)
		rc = make_rule(b, &w, p, err);
	if (!rc && b->save && u->mail)
		rc = workhours_save(b->st, u->id, u->mail, &w, b->now_ms,
				    &written, err);
	workhours_release(&w);
	return rc;
}

/* u's rule: this run's, else the stored one; NULL when none. */
static int rule_of(struct hours_book *b, const struct cal_user *u,
		   struct person **out, struct dg_err *err)
{
	struct workhours w = WORKHOURS_INIT;
	struct person *p = hmap_get(&b->people, u->id);
	bool fresh, found = false;
	int rc = 0;

	*out = NULL;
	if (p) {
		*out = p->usable ? p : NULL;
		return 0;
	}
	if (b->reads)
		rc = workhours_reads_load(b->reads, u->id, &w, &found, err);
	if (!rc && !found && hmap_put(&b->people, u->id, &nobody, NULL))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc && found)
		rc = person_of(b, u->id, &p, &fresh, err);
	if (!rc && found)
		rc = make_rule(b, &w, p, err);
	workhours_release(&w);
	if (!rc && p && p->usable)
		*out = p;
	return rc;
}

/* The labels of locale, opened once a run. */
static int labels_of(struct hours_book *b, const char *locale,
		     struct labels **out, struct dg_err *err)
{
	struct labels *l = hmap_get(&b->labels, locale);
	int rc;

	*out = l;
	if (l)
		return 0;
	l = calloc(1, sizeof(*l));
	if (l)
		l->key = strdup(locale);
	rc = l && l->key ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc)
		rc = tz_label_open("Etc/UTC", locale, TZ_LABEL_TIME, &l->time,
				   err);
	if (!rc)
		rc = tz_label_open("Etc/UTC", locale, TZ_LABEL_WEEKDAY,
				   &l->weekday, err);
	if (!rc && hmap_put(&b->labels, l->key, l, NULL))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (rc) {
		if (l)
			labels_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

/* The city of zone iana in locale (NULL: none), found once a run. */
static int city_of(struct hours_book *b, const char *locale, const char *iana,
		   const char **out, struct dg_err *err)
{
	struct strbuf key = STRBUF_INIT;
	struct tz_label *l = NULL;
	struct city *c;
	int rc = strbuf_addstr(&key, locale);

	rc = rc ? rc : strbuf_addch(&key, '\n');
	rc = rc ? rc : strbuf_addstr(&key, iana);
	*out = NULL;
	if (rc)
		return dg_errf(err, rc, "out of memory");
	c = hmap_get(&b->cities, key.buf);
	if (c) {
		strbuf_release(&key);
		*out = c->name;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		strbuf_release(&key);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	c->key = strbuf_detach(&key, NULL);
	rc = c->key ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc)
		rc = tz_label_open(iana, locale, TZ_LABEL_CITY, &l, err);
	if (!rc)
		rc = tz_label(l, 0, &c->name, err);
	tz_label_close(l);
	if (!rc && !*c->name) {
		free(c->name);
		c->name = NULL;
	}
	if (!rc && hmap_put(&b->cities, c->key, c, NULL))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (rc) {
		free(c->name);
		free(c->key);
		free(c);
		return rc;
	}
	*out = c->name;
	return 0;
}

/* The wall clock of ms in z: its local date and UTC offset. */
static int local_clock(const struct zone *z, int64_t ms, int64_t *days,
		       int64_t *offset_ms, struct dg_err *err)
{
	struct tz_civil c;
	int offset, rc = tz_ms_to_local(z->tz, ms, &c, &offset, err);

	if (!rc) {
		*days = tz_civil_days(&c);
		*offset_ms = (int64_t)offset * TZ_MS_PER_MINUTE;
	}
	return rc;
}

/*
 * What one meeting's notes share, found at its first note: the reader's
 * zone and labels.
 */
struct meeting_ctx {
	struct hours_book *b;
	const struct hours_reader *r;
	const struct plan_meeting *m;
	struct zone *ours;
	struct labels *l;
};

static int meeting_ready(struct meeting_ctx *mc, struct dg_err *err)
{
	int rc;

	if (mc->l)
		return 0;
	rc = zone_of(mc->b, mc->r->zone, &mc->ours, err);
	if (!rc && !mc->ours)
		rc = dg_errf(err, DG_ENOTFOUND, "unknown zone %s",
			     mc->r->zone);
	if (!rc)
		rc = labels_of(mc->b, mc->r->locale, &mc->l, err);
	return rc;
}

/*
 * p's city in the language of l, asked of the book once per person and
 * language: l's key is the one string of its locale in the book.
 */
static int city_for(struct hours_book *b, struct person *p,
		    const struct labels *l, const char **out,
		    struct dg_err *err)
{
	int rc;

	if (p->city_locale == l->key) {
		*out = p->city;
		return 0;
	}
	rc = city_of(b, l->key, p->home, out, err);
	if (!rc) {
		p->city_locale = l->key;
		p->city = *out;
	}
	return rc;
}

/* A note's strings, in the order they are put in its one allocation. */
enum note_text { NOTE_NAME, NOTE_ZONE, NOTE_CITY, NOTE_TIME, NOTE_END,
		 NOTE_DAY, NOTE_TEXTS };

/* Append s (NULL: none) and its NUL to sb; *off is where it starts. */
static int put_text(struct strbuf *sb, const char *s, size_t *off)
{
	*off = TEXT_PACK_NONE;
	if (!s)
		return 0;
	*off = sb->len;
	return strbuf_add(sb, s, strlen(s) + 1);
}

/* A label of l's memo put in sb at once: the next label may evict it. */
static int put_label(struct strbuf *sb, struct tz_label *fmt,
		     struct label_memo *memo, int64_t ms, size_t *off,
		     struct dg_err *err)
{
	const char *text;
	int rc = label_at(fmt, memo, ms, &text, err);

	if (!rc && put_text(sb, text, off))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	return rc;
}

/* n's strings pointed into text, which n owns. */
static void note_point(struct hours_note *n, char *text, const size_t *off)
{
	n->text = text;
	n->name = text_pack_at(text, off[NOTE_NAME]);
	n->zone = text_pack_at(text, off[NOTE_ZONE]);
	n->city = text_pack_at(text, off[NOTE_CITY]);
	n->local_time = text_pack_at(text, off[NOTE_TIME]);
	n->local_end = text_pack_at(text, off[NOTE_END]);
	n->local_day = text_pack_at(text, off[NOTE_DAY]);
}

/* Whether a's line may appear: never for a hidden profile. */
static bool may_name(const struct hours_book *b, const struct match_attendee *a,
		     const struct cal_user *u)
{
	if (a->person && (a->person->hidden || a->person->opt_out))
		return false;
	return !hours_book_hidden(b, a->email) && !hours_book_hidden(b, u->mail);
}

/*
 * n's words: a's name, p's zone and city, and the meeting on p's clock,
 * their weekday too when it is not the reader's. The strings are put in
 * one allocation (a note has six).
 */
static int fill_note(struct meeting_ctx *mc, const struct match_attendee *a,
		     const struct cal_user *u, struct person *p,
		     struct hours_note *n, struct dg_err *err)
{
	const char *name = u->given_name && *u->given_name ? u->given_name
							    : a->name;
	const struct plan_meeting *m = mc->m;
	int64_t theirs = 0, ours = 0, at_start = 0, at_end = 0, ignored;
	struct strbuf sb = STRBUF_INIT;
	size_t off[NOTE_TEXTS];
	const char *city = NULL;
	char *text;
	int rc = meeting_ready(mc, err);

	rc = rc ? rc : city_for(mc->b, p, mc->l, &city, err);
	rc = rc ? rc : local_clock(p->zone, m->start_ms, &theirs, &at_start,
				   err);
	rc = rc ? rc : local_clock(p->zone, m->end_ms, &ignored, &at_end, err);
	rc = rc ? rc : local_clock(mc->ours, m->start_ms, &ours, &ignored,
				   err);
	if (rc)
		return rc;
	if (put_text(&sb, name, &off[NOTE_NAME]) ||
	    put_text(&sb, p->home, &off[NOTE_ZONE]) ||
	    put_text(&sb, city, &off[NOTE_CITY]))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	/* their wall clock, formatted as UTC: see struct labels */
	rc = rc ? rc : put_label(&sb, mc->l->time, mc->l->times,
				 m->start_ms + at_start, &off[NOTE_TIME], err);
	rc = rc ? rc : put_label(&sb, mc->l->time, mc->l->times,
				 m->end_ms + at_end, &off[NOTE_END], err);
	off[NOTE_DAY] = TEXT_PACK_NONE;
	if (!rc && theirs != ours)
		rc = put_label(&sb, mc->l->weekday, mc->l->days,
			       m->start_ms + at_start, &off[NOTE_DAY], err);
	text = rc ? NULL : strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	if (!rc && !text)
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc)
		note_point(n, text, off);
	return rc;
}

static int push_note(struct hours_notes *out, struct hours_note **n)
{
	struct hours_note *v = realloc(out->v, (out->n + 1) * sizeof(*v));

	if (!v)
		return DG_ENOMEM;
	out->v = v;
	*n = &v[out->n++];
	memset(*n, 0, sizeof(**n));
	return 0;
}

int hours_meeting(struct hours_book *b, const struct directory *d,
		  const struct hours_reader *r, const struct plan_meeting *m,
		  const struct match_list *l, struct hours_notes *out,
		  struct dg_err *err)
{
	struct meeting_ctx mc = { .b = b, .r = r, .m = m };
	int rc = 0;

	*out = (struct hours_notes)HOURS_NOTES_INIT;
	if (!l || m->is_private || m->all_day)
		return 0;
	for (size_t i = 0; !rc && i < l->n; i++) {
		const struct match_attendee *a = &l->v[i];
		const struct cal_user *u;
		struct person *p;
		struct hours_note *n;
		enum hours_fit fit;

		/* a list's members were not invited by name */
		if (a->via && !strcmp(a->via, "group"))
			continue;
		u = directory_user(d, a->email);
		if (!u || !u->id || !may_name(b, a, u))
			continue;
		rc = rule_of(b, u, &p, err);
		if (rc || !p)
			continue;
		rc = hours_fit(&p->rule, m->start_ms, m->end_ms, &fit, err);
		if (rc || fit == HOURS_INSIDE)
			continue;
		if (out->n == HOURS_MAX_PER_MEETING) {
			out->more++;
			continue;
		}
		rc = push_note(out, &n);
		if (rc) {
			rc = dg_errf(err, rc, "out of memory");
			break;
		}
		n->attendee = i;
		n->day_off = fit == HOURS_DAY_OFF;
		rc = fill_note(&mc, a, u, p, n, err);
	}
	if (rc)
		hours_notes_release(out);
	return rc;
}

void hours_notes_release(struct hours_notes *n)
{
	for (size_t i = 0; i < n->n; i++) {
		struct hours_note *x = &n->v[i];

		free(x->text);
	}
	free(n->v);
	*n = (struct hours_notes)HOURS_NOTES_INIT;
}
