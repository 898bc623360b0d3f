/*
 * render_int: what the files of module render share; not for other modules.
 *
 * render.c is the engine: the templates of each reader language, the model
 * turned into mustache data and rendered, the outputs. render_model.c
 * builds the model of a digest (its language, dates and meetings) and
 * render_people.c the people in it (attendees, tips, and what colleagues
 * are told about one person), render_groups.c the group lines of a room.
 * render_day.c holds the choices that make a digest a morning-sized read:
 * which tips a person gets in a meeting (at most three, picked for it,
 * never a sentence twice in one digest), which calendar entries are only
 * holds (no one else in them), and the day's extras at the top (the
 * meetings that matter, the absences, the holds in one line).
 *
 * The model is mustache data from the start (struct mustache_value):
 * templates render it as it is, and only preview and about turn it into
 * JSON, once.
 *
 * Errors: int functions return 0 or a DG_E* code; those given an err
 * fill it on failure, the model helpers return DG_ENOMEM alone.
 */
#ifndef DIGEST_RENDER_INT_H
#define DIGEST_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "err.h"
#include "hmap.h"
#include "i18n.h"
#include "i18n_fmt.h"
#include "match.h"
#include "mustache.h"
#include "plan.h"
#include "render.h"
#include "strbuf.h"

/* Tips a person gets in one meeting, at most; trimming lowers it. */
#define RENDER_TIPS_MAX 3
/*
 * Tips one digest shows at most before each person gets fewer: with the
 * list of meetings on top and a card for each, a 12-meeting day then
 * stays within five phone screens (375 px wide).
 */
#define RENDER_TIPS_BUDGET 12
/* [digest] max_people_per_meeting when the caller gives none. */
#define RENDER_PEOPLE_MAX 8

/*
 * One line of a tip template's output (a sentence of advice), with its
 * hash, made once with the line: the digest's set of lines already shown
 * compares hashes, not text, until two are equal.
 */
struct render_line {
	const char *s; /* len bytes, not NUL-terminated */
	size_t len;
	uint64_t hash; /* render_line_hash(s, len) */
};

/* The lines of one tip template for one person in one meeting. */
struct render_lines {
	size_t n;
	const struct render_line *v;
};

/* The hash of a line's text, as struct render_line keeps it. */
uint64_t render_line_hash(const char *s, size_t len);

/*
 * Where a person's tips went in the model, in the order they were picked,
 * so that render_repick_tips() can pick them again with fewer tips a
 * person without building the model again.
 */
struct render_tip_site {
	struct mustache_value *att; /* the attendee's map, in the model */
	/* the lines to pick from: st->cand[first .. first + n), one set per
	 * assessment (see render_pick_tips); repeat: the first meeting's */
	size_t first, n;
	bool repeat;
	size_t orig; /* a repeat: the site of the person's first meeting */
};

/* Slots of the set of lines shown that need no allocation. */
#define RENDER_USED_INLINE 64

/*
 * One digest's choices while its model is built. seen owns its table
 * only: keys and values point into the model being built. sites and
 * the lines of cand are valid as long as the model, until the next
 * digest begins (render_tips_cache_begin()). A zeroed state with seen
 * set up and max_tips set is ready.
 */
struct render_state {
	/* email -> 1 + the site of their first meeting (its tips) */
	struct hmap seen;
	/*
	 * the lines picked so far, none twice a digest: an open-addressing
	 * set by hash (used_slots a power of two, at most half full), in
	 * used_inline until it needs more room
	 */
	const struct render_line **used;
	size_t used_slots, nused;
	const struct render_line *used_inline[RENDER_USED_INLINE];
	int max_tips;      /* RENDER_TIPS_MAX, lower when trimming */
	bool trimmed;      /* a tip was left out for max_tips < the max */
	size_t shown;      /* tips picked so far (repeats not counted) */
	size_t max_people; /* more profiled people: group line only */
	const struct cal_user *user; /* borrowed */
	struct render_tip_site *sites;
	size_t nsites, sites_alloc;
	/* every site's sets of lines, borrowed from the cache or owned */
	const struct render_lines **cand;
	size_t ncand, cand_alloc;
	/* lines the tips cache could not keep (out of memory): owned */
	struct render_tips *owned;
};

/*
 * Pick every site's tips again, in order, with at most max_tips a person:
 * the same tips (and "trimmed" of model) as a model built from scratch
 * with max_tips. Returns 0 or DG_ENOMEM.
 */
int render_repick_tips(struct render_state *st, struct mustache_value *model,
		       int max_tips);

/*
 * Pick at most st->max_tips tips out of sets (nsets sets of lines, one
 * per assessment) into tips: the first line of each assessment, then the
 * second, and so on (templates put the lines for this meeting first),
 * leaving out sentences the digest already has. Returns 0 or DG_ENOMEM.
 */
int render_pick_tips(struct render_state *st,
		     const struct render_lines *const *sets, size_t nsets,
		     struct mustache_value *tips);

/* Forget every line picked (for a new picking): the set is kept. */
void render_used_clear(struct render_state *st);

/*
 * Facts about meeting m a tip template may use, as bits: one_on_one (the
 * person is the only one with the user), organizes (the person called
 * the meeting), you_organize, large (five or more people with the user).
 * A person's tips depend on nothing else of the meeting.
 */
enum render_fact {
	RENDER_FACT_ONE_ON_ONE = 1 << 0,
	RENDER_FACT_ORGANIZES = 1 << 1,
	RENDER_FACT_YOU_ORGANIZE = 1 << 2,
	RENDER_FACT_LARGE = 1 << 3,
	RENDER_FACT_MEETING = 1 << 4 /* there is a meeting: the facts are set */
};
unsigned render_meeting_facts(const struct plan_meeting *m,
			      const struct match_list *l, const char *email,
			      const struct cal_user *user);

/* The facts of render_meeting_facts() added to data (a tip template's). */
int render_put_facts(struct mustache_value *data, unsigned facts);

/*
 * A hold: the user alone with the calendar entry: l (the matched
 * attendees, NULL for a private meeting) is empty, and the event invites
 * no one else but rooms and was not organized by someone else. Lunch, focus time, an
 * all-day "Company Holiday" without attendees.
 */
bool render_is_hold(const struct plan_meeting *m, const struct match_list *l,
		    const struct cal_user *user);

/*
 * The holds of the model's meetings[] (each with "hold" set) in one list
 * for one short line: "holds" [{subject, time_label, all_day, private,
 * first}], "main_count", how many meetings are not holds, and
 * "hold_count", how many are. Returns 0 or DG_ENOMEM.
 */
int render_holds(struct mustache_value *model,
		 const struct mustache_value *meetings);

struct tip_tpl;

/* The templates of one reader locale, compiled on first use. */
struct render_lang {
	struct i18n_templates *tpl;
	struct mustache_partials *partials; /* through tpl's chain, cached */
	/* assessment -> "<assessment>\0<label>", rendered on first use */
	struct hmap labels;
	/* tip lines: key -> struct render_tips (render_tips.c) */
	struct hmap tips;
	/* "tips/<a>/<r>" -> what that template reads (render_tips.c) */
	struct hmap tip_tpls;
	/*
	 * the same by assessment and result, without making the name: a
	 * table of RENDER_TIP_TPL_SLOTS, one entry each (the newest wins),
	 * NULL until needed; entries are tip_tpls' values
	 */
	const struct tip_tpl **tpl_slots;
	/*
	 * a person's results -> their results[] (render_people.c): made
	 * once in results_arena (NULL until needed) and lent to every model
	 * (values of an arena are never freed with a model), at most
	 * RENDER_RESULTS_KEPT of them; keys in the arena too
	 */
	struct hmap results;
	struct mustache_arena *results_arena;
	/*
	 * the same by the results themselves, without making the key:
	 * RENDER_RESULTS_SLOTS, one entry each (the newest wins), NULL
	 * until needed; values are results' (render_people.c)
	 */
	struct render_results_slot *results_slots;
	/* what time_label reads (render_model.c): RENDER_LABEL_* */
	int label_reads;
	struct render_lang *next;
};

/* What a language's time_label reads of a meeting, found on first use. */
enum render_label_reads {
	RENDER_LABEL_UNKNOWN = 0,
	RENDER_LABEL_TIMES,  /* only the fields add_times() sets: remembered */
	RENDER_LABEL_OTHER   /* anything else too: rendered every time */
};

/*
 * The times of a meeting as a digest shows them (start_time, end_time,
 * time_range, time_label), remembered by the engine: a meeting is in the
 * digest of each of its attendees, and a day's meetings start and end at
 * a few dozen instants of each zone, so nearly all are asked for again,
 * each time for several ICU calls and a template. They are kept in a memo
 * (memo.h) keyed by all the text depends on: the language (its formats
 * and its time_label), the zone, the two instants and the day flags. The
 * label is kept only when time_label reads nothing but those
 * (RENDER_LABEL_TIMES). A memo of this many entries: bounded whatever the
 * tenant.
 */
#define RENDER_TIMES_SLOTS 4096
#define RENDER_TIMES_ZONE 40  /* longer zone ids are not remembered */

enum render_times_text {
	RENDER_TIMES_START,
	RENDER_TIMES_END,
	RENDER_TIMES_RANGE,
	RENDER_TIMES_LABEL,
	RENDER_TIMES_N
};

/* What besides the instants a meeting's times depend on. */
enum render_times_flags {
	RENDER_TIMES_ALL_DAY = 1 << 0,
	RENDER_TIMES_BEFORE = 1 << 1,  /* starts_before_day */
	RENDER_TIMES_AFTER = 1 << 2,   /* ends_after_day */
	RENDER_TIMES_MEETING = 1 << 3  /* an entry of meetings[]: all_day set */
};

/* Slots of a language's table of tip templates by assessment and result. */
#define RENDER_TIP_TPL_SLOTS 256

/*
 * A results[] of a language's, by the results it is of: "<name>\0<value>\0"
 * for each, in order (flat, yours), and their hash.
 */
struct render_results_slot {
	const struct mustache_value *v; /* NULL: an empty slot */
	char *flat;
	size_t len;
	uint64_t hash;
};
#define RENDER_RESULTS_SLOTS 256

/*
 * Kinds of results[] a language keeps: people alike share one (DISC and
 * Enneagram: 45 kinds), so a tenant has few; past that many (a roster of
 * results all different) they are made in each model. Under 1 KB each.
 */
#define RENDER_RESULTS_KEPT 1024

/*
 * The tips cache: the lines of one tip template (tips/<a>/<r>) for one
 * person in one meeting, what render_pick_tips() picks from. They depend
 * on the language and on the fields of the template's data it reads
 * (mustache_template_names()): the result, and of the person's name,
 * first name, title and the meeting's facts only those it names, so
 * that the lines of people alike are made once for all of them, whatever
 * templates a tenant writes. A template that renders partials may read
 * anything: it is keyed by all of them. Each language of an engine files
 * them by that key; the engine is one thread's, so nothing is locked.
 * At most RENDER_TIPS_CACHE_MAX entries (under 1 KB each with the shipped
 * templates: some 2 MiB an engine, whatever the tenant) are kept beyond
 * one digest's: when a digest begins with more, the least recently used
 * go, down to the limit. Entries are never dropped while a digest is
 * built, so its render_state may borrow them.
 */
#define RENDER_TIPS_CACHE_MAX 2048

struct render_tips;

struct render_engine {
	char *dir;
	struct mustache_template *subject; /* [digest] subject, or NULL */
	struct render_lang *langs;	   /* one per locale met */
	struct render_lang *cur;	   /* the digest being built */
	struct i18n_fmt_cache *fmts;	   /* ICU formats, per locale and zone */
	struct i18n_fmt *fmt;		   /* the digest's, borrowed from fmts */
	const char *zone;		   /* the digest's zone, borrowed */
	/* meetings' times (RENDER_TIMES_SLOTS); NULL until needed */
	struct memo *times;
	const char *const *meeting_hosts; /* borrowed; NULL: the defaults */
	/* the values of the digest being rendered: one free at the end */
	struct mustache_arena *arena;
	size_t ntips;			  /* entries of every lang's tips */
	/* every lang's tips, most recently used first */
	struct render_tips *tips_head, *tips_tail;
	struct strbuf key;		  /* the tips cache's key, reused */
	struct strbuf tip_name;		  /* "tips/<a>/<r>", reused */
	struct strbuf results_key;	  /* a results[]'s key, reused */
	/* a group line's first names, flags' names, names joined and
	 * text (render_people.c), reused from meeting to meeting */
	struct strbuf group_names, group_key, group_joined, group_text;
	/* group lines by room (RENDER_GROUP_LINES); NULL until needed */
	struct memo *groups;
	struct strbuf groups_key;	  /* its key, reused */
};

/*
 * Group lines remembered by the engine (render_groups.c): a room's line
 * depends on its people's names only through "people", which a template
 * interpolates or tests and nothing else, so the line is made once per
 * kind of room (the language, the assessment, the results present, the
 * one most common, the count when read) with a stand-in for the names,
 * and each room gets it with its own names put in. Kept only when the
 * stand-in comes out exactly where the names go (made with two stand-ins,
 * the texts agree), never for a template reading "results" (names by
 * result) or rendering a partial (which could read anything). A memo of
 * this many lines (memo.h): bounded by the kinds of room, not the tenant.
 */
#define RENDER_GROUP_LINES 1024

/* What a person's tips are picked for: the meeting and its people. */
struct tip_ctx {
	struct render_state *st;
	const struct plan_meeting *m;
	const struct match_list *l;
	bool crowd; /* too many profiled people: no one's tips */
};

/* ---- render.c: the engine ---- */

/*
 * Render the template file <dir>/<name>.mustache as plain text (no HTML
 * escaping: its output is inserted into the HTML later, escaped there).
 * DG_ENOTFOUND when there is no such file.
 */
int render_file(struct render_engine *e, const char *name,
		const struct mustache_value *data, struct strbuf *out,
		struct dg_err *err);

/* Make the templates of locale current, opening them on first use. */
int render_select_lang(struct render_engine *e, const char *locale,
		       struct dg_err *err);

/* ---- render_tips.c: the tips cache ---- */

/*
 * A digest (or an about model) begins: when the tips cache holds more
 * than RENDER_TIPS_CACHE_MAX entries, drop the least recently used down
 * to that many.
 */
void render_tips_cache_begin(struct render_engine *e);

/* Free every entry of l's cache and what it knows of templates (not l). */
void render_tips_cache_release(struct render_engine *e, struct render_lang *l);

/*
 * *out: the tip lines of person p's result a in the current language
 * with the meeting's facts (render_meeting_facts()): tips/<a>/<result>
 * rendered, one line per non-empty line, none when there is no such
 * template. Borrowed from the cache until the next
 * render_tips_cache_begin(), or owned by st->owned when the cache has
 * no room for them (out of memory).
 */
int render_tips_lines(struct render_engine *e, struct render_state *st,
		      const struct roster_person *p,
		      const struct roster_assessment *a, unsigned facts,
		      const struct render_lines **out, struct dg_err *err);

/* What a group line's template reads of the costlier fields of its data. */
enum render_group_uses {
	RENDER_GROUP_PEOPLE = 1 << 0,  /* "people": every name in words */
	RENDER_GROUP_COUNT = 1 << 1,   /* "count" and its plural flags */
	RENDER_GROUP_RESULTS = 1 << 2, /* "results": each one's names */
	RENDER_GROUP_ALL = (1 << 3) - 1
};

/*
 * *t: the template tips/<assessment>/_group of the current language
 * (borrowed from it), NULL when there is none, and *uses, which of
 * those fields it reads: all when it renders a partial or a parent.
 * Found once per language, with the tips cache's templates.
 */
int render_group_template(struct render_engine *e, const char *assessment,
			  const struct mustache_template **t, unsigned *uses,
			  struct dg_err *err);

/* Free the lines st owns (render_state_release()). */
void render_tips_owned_free(struct render_state *st);

/*
 * Appends "len:" and then len bytes of s to a cache key, so that no two
 * different lists of fields make the same key. 0 or DG_ENOMEM.
 */
int render_key_add(struct strbuf *key, const char *s, size_t len);

/* ---- render_model.c: model helpers ---- */

/*
 * Add v (taken) to o under key. A NULL v is a constructor that ran out of
 * memory, as is a NULL o: DG_ENOMEM. A null in the model is
 * render_put_null().
 */
int render_put(struct mustache_value *o, const char *key,
	       struct mustache_value *v);
int render_put_null(struct mustache_value *o, const char *key);
/* A string, or null when s is NULL or empty. */
int render_put_str(struct mustache_value *o, const char *key, const char *s);
/*
 * A one-line field of calendar text (subject, place, a name): a line
 * break in it must not start a fake entry in the text part, so control
 * characters become spaces.
 */
int render_put_line(struct mustache_value *o, const char *key, const char *s);
/* Append v (taken) to list a; v NULL is DG_ENOMEM. */
int render_push(struct mustache_value *a, struct mustache_value *v);
/*
 * Append a, b and c (c may be NULL) to out: the names of templates and
 * keys made for every attendee, without printf's parsing each time.
 */
int render_add3(struct strbuf *out, const char *a, const char *b,
		const char *c);
/* "Zoë Martin" -> "Zoë"; the whole name when it has no space. Yours. */
char *render_first_name(const char *name);
/*
 * A count and its plural category in the reader's language: "count": 2
 * with "count_other": true, so a template picks its wording with
 * {{#count_one}}...{{/count_one}} (ICU's rules, not English's).
 */
int render_put_count(struct render_engine *e, struct mustache_value *o,
		     const char *key, long n);
/* "A, B and C" in the reader's language (ICU's list patterns). */
int render_join_names(struct render_engine *e, struct strbuf *out,
		      const char **names, size_t n);

/* ---- render_model.c: the model ---- */

/* Free what st owns (not st). */
void render_state_release(struct render_state *st);

/*
 * The whole model of one user's digest, with at most max_tips tips per
 * person; *shown is how many tips it picked. *out is yours:
 * mustache_value_free.
 */
int render_build_model(struct render_engine *e, const struct render_input *in,
		       int max_tips, struct mustache_value **out,
		       size_t *shown, struct dg_err *err);

/*
 * The same, handing out the state its tips were picked with (for
 * render_repick_tips()): *st is yours, render_state_release() it, after
 * or with the model; on failure it is released and *out is NULL.
 */
int render_model_begin(struct render_engine *e, const struct render_input *in,
		       int max_tips, struct render_state *st,
		       struct mustache_value **out, struct dg_err *err);

/* ---- render_people.c: the people ---- */

/*
 * Someone who opted out or hid their profile is shown as if unknown: p
 * or NULL.
 */
const struct roster_person *render_usable(const struct roster_person *p);

/*
 * Append the display label of an assessment to out: tips/<a>/_label,
 * else its name. Rendered once per language, then remembered.
 */
int render_assessment_label(struct render_engine *e, const char *assessment,
			    struct strbuf *out, struct dg_err *err);

/* The same label, borrowed from the engine's current language (*out). */
int render_label_of(struct render_engine *e, const char *assessment,
		    const char **out, struct dg_err *err);

/* One matched attendee appended to list, with profile and tips. */
int render_add_attendee(struct render_engine *e, struct mustache_value *list,
			const struct match_attendee *a,
			const struct tip_ctx *tc, struct dg_err *err);

/* ---- render_groups.c: the room ---- */

/* "dynamics": the group lines of the room, one per assessment. */
int render_add_dynamics(struct render_engine *e,
			struct mustache_value *meeting,
			const struct match_list *l, struct dg_err *err);

/* ---- render_hours.c: other people's hours, the reader's conflicts ---- */

/*
 * Of the model's meetings[] (the first entries of in->day's meetings):
 * each meeting's after_hours[], after_hours_more and outside_hours, from
 * in->hours; and the day's overlaps[], overlaps_more, long_runs[],
 * long_runs_more and conflicts (see templates/README.md).
 */
int render_add_relations(struct render_engine *e, struct mustache_value *model,
			 struct mustache_value *meetings, const struct render_input *in,
			 struct dg_err *err);

/*
 * Of render_about()'s model: hours_hidden (their hours are never told),
 * and hours {zone, city, start, end, lines[]}: the lines a colleague's
 * digest shows for a meeting after their working day (partials/hours.txt
 * with an example time), when a run stored their week.
 */
int render_about_hours(struct render_engine *e, struct mustache_value *model,
		       const struct render_about *a, struct dg_err *err);

/* The model of render_about(). *out is yours: mustache_value_free. */
int render_about_model(struct render_engine *e, const struct render_about *a,
		       struct mustache_value **out, struct dg_err *err);

/* ---- render_history.c: relationship context ---- */

/*
 * "first_meeting" and "often" of meeting i of in->day, into its model o
 * (a meeting that is not private). Returns 0 or DG_ENOMEM.
 */
int render_add_history_meeting(struct render_engine *e, struct mustache_value *o,
			       const struct render_input *in, size_t i);

/*
 * "history" of render_about(): which relationship lines colleagues'
 * digests may show with a->email's name (none when hidden or history is
 * off): {days, first, often, most (a profile: the weekly section)}.
 */
int render_add_history_about(struct render_engine *e, struct mustache_value *m,
			     const struct render_about *a, bool shown);

/* "people_most", the weekly section: null unless in->history has one. */
int render_add_history_week(struct render_engine *e, struct mustache_value *m,
			    const struct render_input *in, bool skipped,
			    struct dg_err *err);

#endif
