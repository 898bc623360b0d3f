#include "render.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "i18n.h"
#include "jsonw.h"
#include "mustache.h"
#include "render_int.h"

void render_set_meeting_hosts(struct render_engine *e,
			      const char *const *hosts)
{
	e->meeting_hosts = hosts;
}

void render_output_release(struct render_output *out)
{
	strbuf_release(&out->subject);
	strbuf_release(&out->text);
	strbuf_release(&out->html);
}

int render_json(struct render_engine *e, const struct render_input *in,
		struct strbuf *out, struct dg_err *err)
{
	json_object *m;
	size_t shown;
	int rc = render_build_model(e, in, RENDER_TIPS_MAX, &m, &shown, err);

	if (rc)
		return rc;
	rc = jsonw_write(m, JSONW_PRETTY, out);
	rc = rc ? rc : strbuf_addch(out, '\n');
	json_object_put(m);
	return rc ? dg_errf(err, rc, "out of memory writing the model") : 0;
}

/* ---- the model as mustache data ---- */

int render_file(struct render_engine *e, const char *name,
		json_object *data, struct strbuf *out,
		struct dg_err *err)
{
	const struct mustache_template *t;
	struct mustache_value *v;
	struct dg_err quiet = DG_ERR_INIT;
	int rc;

	rc = mustache_partials_get(e->cur->partials, name, &t, &quiet);
	if (rc == DG_ENOTFOUND)
		return rc;
	if (rc) {
		*err = quiet;
		return rc;
	}
	v = data ? mustache_from_json(data) : mustache_map_new();
	if (!v)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = mustache_render(t, v, e->cur->partials, MUSTACHE_ESCAPE_NONE, out,
			     err);
	mustache_value_free(v);
	return rc;
}

static void lang_free(struct render_lang *l)
{
	mustache_partials_free(l->partials);
	i18n_templates_free(l->tpl);
	free(l);
}

void render_close(struct render_engine *e)
{
	if (!e)
		return;
	while (e->langs) {
		struct render_lang *next = e->langs->next;

		lang_free(e->langs);
		e->langs = next;
	}
	i18n_fmt_close(e->fmt);
	mustache_template_free(e->subject);
	free(e->dir);
	free(e);
}

/* The templates every language has, from its folders or the default set. */
static int require_template(struct render_engine *e, const char *name,
			    const struct mustache_template **out,
			    struct dg_err *err)
{
	int rc = mustache_partials_get(e->cur->partials, name, out, err);

	if (rc == DG_ENOTFOUND)
		return dg_errf(err, DG_ENOTFOUND,
			       "%s/%s.mustache: no such template", e->dir,
			       name);
	return rc;
}

/* Make the templates of locale current, opening them on first use. */
int render_select_lang(struct render_engine *e, const char *locale,
		       struct dg_err *err)
{
	struct render_lang *l;
	bool valid = false;
	int rc = locale ? i18n_tag_check(locale, &valid) : 0;

	if (rc)
		return dg_errf(err, rc, "out of memory");
	if (!valid)
		locale = I18N_DEFAULT_LOCALE;
	for (l = e->langs; l; l = l->next)
		if (!strcmp(l->tpl->locale, locale)) {
			e->cur = l;
			return 0;
		}
	l = calloc(1, sizeof(*l));
	if (!l)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = i18n_templates_open(e->dir, locale, &l->tpl, err);
	rc = rc ? rc : mustache_partials_new(i18n_resolve, l->tpl,
					     &l->partials, err);
	if (rc) {
		lang_free(l);
		return rc;
	}
	l->next = e->langs;
	e->langs = l;
	e->cur = l;
	return 0;
}

int render_open(const char *dir, const char *subject,
		struct render_engine **out, struct dg_err *err)
{
	struct render_engine *e = calloc(1, sizeof(*e));
	const struct mustache_template *t;
	int rc;

	*out = NULL;
	if (!e || !(e->dir = strdup(dir))) {
		free(e);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	rc = render_select_lang(e, I18N_DEFAULT_LOCALE, err);
	if (!rc)
		rc = require_template(e, "digest.txt", &t, err);
	if (!rc)
		rc = require_template(e, "digest.html", &t, err);
	if (!rc)
		rc = require_template(e, "time_label", &t, err);
	if (!rc && subject && *subject)
		rc = mustache_compile(subject, strlen(subject), "[digest] subject",
				      &e->subject, err);
	else if (!rc)
		rc = require_template(e, "subject", &t, err);
	if (rc) {
		render_close(e);
		return rc;
	}
	*out = e;
	return 0;
}

/* A subject is one line: whatever the calendar put in it. */
static void one_line(struct strbuf *sb)
{
	for (size_t i = 0; i < sb->len; i++)
		if (sb->buf[i] == '\r' || sb->buf[i] == '\n' ||
		    sb->buf[i] == '\t')
			sb->buf[i] = ' ';
	strbuf_trim(sb);
}

/* Render subject, text and HTML of one model into out. */
static int render_model(struct render_engine *e, json_object *m,
			struct render_output *out, struct dg_err *err)
{
	const struct mustache_template *text, *html, *subject = e->subject;
	struct mustache_value *v = mustache_from_json(m);
	int rc;

	if (!v)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	/* whatever the calendar holds, a message stays mailable */
	strbuf_init(&out->text, RENDER_PART_MAX);
	strbuf_init(&out->html, RENDER_PART_MAX);
	rc = require_template(e, "digest.txt", &text, err);
	if (!rc)
		rc = require_template(e, "digest.html", &html, err);
	if (!rc && !subject)
		rc = require_template(e, "subject", &subject, err);
	if (!rc)
		rc = mustache_render(subject, v, e->cur->partials,
				     MUSTACHE_ESCAPE_NONE, &out->subject, err);
	if (!rc)
		rc = mustache_render(text, v, e->cur->partials,
				     MUSTACHE_ESCAPE_NONE, &out->text, err);
	if (!rc)
		rc = mustache_render(html, v, e->cur->partials,
				     MUSTACHE_ESCAPE_HTML, &out->html, err);
	mustache_value_free(v);
	one_line(&out->subject);
	return rc;
}

/* ---- what colleagues are told about one person ---- */

int render_group_lines(struct render_engine *e, const struct render_input *in,
		       int (*fn)(const char *line, void *ctx), void *ctx,
		       struct dg_err *err)
{
	json_object *m, *meetings, *seen = json_object_new_object();
	size_t shown;
	int rc = seen ? render_build_model(e, in, RENDER_TIPS_MAX, &m, &shown, err)
		       : DG_ENOMEM;

	if (rc) {
		json_object_put(seen);
		return rc;
	}
	meetings = json_object_object_get(m, "meetings");
	for (size_t i = 0; !rc && i < json_object_array_length(meetings);
	     i++) {
		json_object *d = json_object_object_get(
			json_object_array_get_idx(meetings, i), "dynamics");

		for (size_t j = 0; !rc && j < json_object_array_length(d);
		     j++) {
			const char *line = json_object_get_string(
				json_object_array_get_idx(d, j));

			if (!line || json_object_object_get_ex(seen, line, NULL))
				continue;
			rc = render_put(seen, line, json_object_new_boolean(1));
			rc = rc ? rc : fn(line, ctx);
		}
	}
	json_object_put(seen);
	json_object_put(m);
	return rc;
}

int render_about(struct render_engine *e, const struct render_about *a,
		 enum render_about_format format, struct strbuf *out,
		 struct dg_err *err)
{
	const struct mustache_template *t;
	struct mustache_value *v = NULL;
	json_object *m;
	int rc = render_about_model(e, a, &m, err);

	if (rc)
		return rc;
	if (format == RENDER_ABOUT_JSON) {
		rc = jsonw_write(m, JSONW_PRETTY, out);
		rc = rc ? rc : strbuf_addch(out, '\n');
		json_object_put(m);
		return rc ? dg_errf(err, rc, "out of memory") : 0;
	}
	v = mustache_from_json(m);
	json_object_put(m);
	rc = v ? require_template(e, "about.txt", &t, err)
	       : dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc)
		rc = mustache_render(t, v, e->cur->partials,
				     MUSTACHE_ESCAPE_NONE, out, err);
	mustache_value_free(v);
	return rc;
}

int render_about_value(struct render_engine *e, const struct render_about *a,
		       struct mustache_value **out, struct dg_err *err)
{
	json_object *m;
	int rc = render_about_model(e, a, &m, err);

	if (rc)
		return rc;
	*out = mustache_from_json(m);
	json_object_put(m);
	return *out ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");
}
/*
 * A day too big for a morning read (more than RENDER_TIPS_BUDGET tips) or
 * for a mail (Gmail clips HTML over 102 KB) loses tips, one per person at
 * a time, and says so (the model's "trimmed"); the markup itself is never
 * cut.
 */
int render_digest(struct render_engine *e, const struct render_input *in,
		  struct render_output *out, struct dg_err *err)
{
	int rc = 0;

	for (int tips = RENDER_TIPS_MAX; tips >= 0; tips--) {
		json_object *m;
		size_t shown;

		rc = render_build_model(e, in, tips, &m, &shown, err);
		if (rc)
			return rc;
		if (tips && shown > RENDER_TIPS_BUDGET) {
			json_object_put(m);
			continue;
		}
		render_output_release(out);
		*out = (struct render_output)RENDER_OUTPUT_INIT;
		rc = render_model(e, m, out, err);
		json_object_put(m);
		if (rc || out->html.len <= RENDER_HTML_MAX)
			break;
	}
	return rc;
}
