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
#include "match.h"
#include "plan.h"
#include "roster.h"
#include "strbuf.h"

/* Templates compiled once for a run. */
struct render_engine;

/* What one user's digest is made of; all borrowed. */
struct render_input {
	const struct cal_user *user;
	const struct plan_target *target;
	const struct plan_day *day;        /* NULL when the target is skipped */
	const struct match_list *attendees; /* day->n lists, same order */
	const struct roster_person *self;   /* the user's own profile or NULL */
	const char *unsubscribe_url;        /* NULL when not configured */
	/* [digest] max_people_per_meeting; 0: 8 */
	size_t max_people_per_meeting;
	/* the reader's locale (i18n_choose()); NULL: target->locale */
	const char *locale;
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

/* Append the digest model as JSON (pretty-printed) to out. */
int render_json(struct render_engine *e, const struct render_input *in,
		struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Render subject, text and HTML. At most three tips per person, never a
 * sentence twice; when the HTML would pass RENDER_HTML_MAX, fewer tips,
 * and the model's "trimmed" says so to the templates. out is yours:
 * render_output_release().
 */
int render_digest(struct render_engine *e, const struct render_input *in,
		  struct render_output *out, struct dg_err *err)
	__attribute__((warn_unused_result));

void render_output_release(struct render_output *out);

#endif
