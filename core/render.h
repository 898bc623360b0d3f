/*
 * render: the digest model, and the digest rendered from it.
 *
 * One model serves every output: `preview --format json` prints it (the
 * contract of DESIGN.md, plus display fields such as time_label), and the
 * text and HTML templates render it. Tips come from template files
 * (templates/tips/<assessment>/<result>.mustache, one tip per line), so a
 * new assessment needs files, never code. Calendar text is untrusted: the
 * HTML template escapes it, the plain-text one is not HTML, and a private
 * meeting never puts its subject or anyone's tips into the model at all.
 *
 * Every word a reader sees comes from templates or ICU, in the reader's
 * language: each digest picks its template folders through core/i18n
 * (templates/de-AT, templates/de, then the default set) and formats its
 * dates, times, lists and plural categories with ICU in that locale.
 */
#ifndef DIGEST_RENDER_H
#define DIGEST_RENDER_H

#include "calendar.h"
#include "err.h"
#include "hours.h"
#include "match.h"
#include "plan.h"
#include "roster.h"
#include "mustache.h"
#include "strbuf.h"
#include "workhours.h"

/* Templates compiled once for a run. */
struct render_engine;

/* What one user's digest is made of; all borrowed. */
/*
 * Relationship context (job's, from core/history): who is met for the
 * first time, who is met often, and the weekly "people you meet most".
 * The caller has left out everyone whose profile is hidden; names are
 * the roster's or the invitation's. All borrowed.
 */
struct render_contact {
	const char *name;  /* NULL or "": the address is shown */
	const char *email;
	unsigned per_week; /* often: about this many meetings a week */
	unsigned meetings; /* most: meetings in the last four weeks */
	const struct roster_person *person; /* most: the profile, for a tip */
};

struct render_history_meeting {
	const struct render_contact *first; /* met for the first time */
	size_t nfirst;
	size_t first_more;                  /* more first meetings, unnamed */
	const struct render_contact *often; /* the reader's frequent contacts */
	size_t noften;
};

struct render_history {
	/* in->day->n entries, same order as its meetings; NULL: none */
	const struct render_history_meeting *meetings;
	const struct render_contact *most; /* the weekly section; NULL: none */
	size_t nmost;
	unsigned most_days;                /* the days it looks back over */
};

struct render_input {
	const struct cal_user *user;
	const struct plan_target *target;
	const struct plan_day *day;        /* NULL when the target is skipped */
	const struct match_list *attendees; /* day->n lists, same order */
	const struct roster_person *self;   /* the user's own profile or NULL */
	const char *unsubscribe_url;        /* NULL when not configured */
	const char *prefs_url;              /* likewise */
	/* [digest] max_people_per_meeting; 0: 8 */
	size_t max_people_per_meeting;
	/* the reader's locale (i18n_choose()); NULL: target->locale */
	const char *locale;
	/*
	 * Other people's hours (core/hours.h): day->n entries in the order
	 * of day->meetings, the attendees a meeting falls outside the
	 * working hours of; NULL: none known.
	 */
	const struct hours_notes *hours;
	/* relationship context; NULL: none (a preview of no history) */
	const struct render_history *history;
};

/*
 * The HTML size a digest keeps under, by leaving tips out: Gmail clips a
 * message's HTML over 102 KB and hides the rest.
 */
#define RENDER_HTML_MAX (96 * 1024)

struct render_output {
	struct strbuf subject; /* one line, no line breaks */
	struct strbuf text;
	struct strbuf html;
};

#define RENDER_OUTPUT_INIT                                             \
	{                                                              \
		.subject = STRBUF_INIT, .text = STRBUF_INIT,           \
		.html = STRBUF_INIT                                    \
	}

/*
 * Compile the default set's digest.txt, digest.html, time_label and
 * subject templates in dir (partials and other languages on first use).
 * subject: a mustache template that overrides every language's
 * subject.mustache, or NULL (or "") to use those. *out is yours:
 * render_close() it. Errors name the template file, line and column.
 */
int render_open(const char *dir, const char *subject, struct render_engine **out,
		struct dg_err *err) __attribute__((warn_unused_result));

void render_close(struct render_engine *e);

/*
 * Join URLs on these hosts (NULL-terminated, [digest] meeting_hosts;
 * NULL: meetlink's defaults) are links; hosts is borrowed and must outlive
 * e. Others are shown as text with their host: see meetlink.h.
 */
void render_set_meeting_hosts(struct render_engine *e,
			      const char *const *hosts);

/*
 * Limits on what untrusted data can make of a digest (README, "Limits"):
 * one-line calendar fields (subject, location, names, titles) are cut at
 * RENDER_FIELD_MAX bytes with "…"; at most RENDER_MAX_MEETINGS meetings
 * of a day and RENDER_MAX_ATTENDEES attendees of a meeting are in the
 * model, the rest counted in meetings_more and attendees_more; the text
 * and HTML parts may not pass RENDER_PART_MAX bytes (DG_ETOOBIG).
 */
#define RENDER_FIELD_MAX 300
#define RENDER_MAX_MEETINGS 40
#define RENDER_MAX_ATTENDEES 40
#define RENDER_PART_MAX ((size_t)2 << 20)

/* Append the digest model as JSON (pretty-printed) to out. */
int render_json(struct render_engine *e, const struct render_input *in,
		struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Render subject, text and HTML. At most three tips per person, never a
 * sentence twice; when the HTML would pass RENDER_HTML_MAX, fewer tips,
 * and the model's "trimmed" says so to the templates. What out held is
 * replaced, its memory used again: a caller that renders one digest after
 * another keeps one render_output and grows it once. out is yours:
 * render_output_release().
 */
int render_digest(struct render_engine *e, const struct render_input *in,
		  struct render_output *out, struct dg_err *err)
	__attribute__((warn_unused_result));

void render_output_release(struct render_output *out);

/*
 * What colleagues' digests say about one person (`digest about`, the
 * preferences page): the entry a meeting of theirs shows for this
 * person, made by the same code and partials as a digest's, and the
 * group lines of meetings this person's result counts in.
 */
struct render_about {
	const char *email;
	const struct roster_person *person; /* NULL: not in the roster */
	bool hidden;           /* shown as anyone without a profile */
	bool hidden_by_roster; /* hidden, and by the roster's choice */
	const char *const *groups; /* group lines of their day; borrowed */
	size_t ngroups;
	/* their working week as a run last stored it; NULL: none known */
	const struct workhours *hours;
	/* [history] days: relationship lines may name them; 0: history off */
	unsigned history_days;
};

enum render_about_format {
	RENDER_ABOUT_TEXT, /* templates/about.txt.mustache */
	RENDER_ABOUT_JSON  /* its model */
};

/*
 * Call fn with each group line of in's meetings, in order, each distinct
 * line once; a non-zero return from fn stops and is returned.
 */
int render_group_lines(struct render_engine *e, const struct render_input *in,
		       int (*fn)(const char *line, void *ctx), void *ctx,
		       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Append what colleagues are told about a->email to out. Of a->groups,
 * only the lines about an assessment the person has a result for are
 * kept (a line starts with the assessment's label and a colon).
 */
int render_about(struct render_engine *e, const struct render_about *a,
		 enum render_about_format format, struct strbuf *out,
		 struct dg_err *err) __attribute__((warn_unused_result));

/* The same model as mustache data. *out is yours: mustache_value_free. */
int render_about_value(struct render_engine *e, const struct render_about *a,
		       struct mustache_value **out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
