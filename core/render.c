#include "render.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "i18n.h"
#include "i18n_fmt.h"
#include "jsonw.h"
#include "memo.h"
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

/* ---- the model as JSON, for preview --format json and about ---- */

static json_object *to_json(const struct mustache_value *v, bool *oom)
{
	json_object *j = NULL;
	const char *str;
	size_t len;

	switch (mustache_value_kind(v)) {
	case MUSTACHE_NULL:
		return NULL;
	case MUSTACHE_BOOL:
		j = json_object_new_boolean(mustache_bool_get(v));
		break;
	case MUSTACHE_INT:
		j = json_object_new_int64(mustache_int_get(v));
		break;
	case MUSTACHE_FLOAT:
		j = json_object_new_double(mustache_float_get(v));
		break;
	case MUSTACHE_STRING:
		str = mustache_string_get(v, &len);
		j = json_object_new_string_len(str, (int)len);
		break;
	case MUSTACHE_LIST:
		j = json_object_new_array();
		for (size_t i = 0; j && !*oom && i < mustache_list_len(v); i++) {
			json_object *item = to_json(mustache_list_get(v, i), oom);

			if (*oom || json_object_array_add(j, item)) {
				json_object_put(item);
				*oom = true;
			}
		}
		break;
	case MUSTACHE_MAP:
		j = json_object_new_object();
		for (size_t i = 0; j && !*oom && i < mustache_map_len(v); i++) {
			json_object *item = to_json(mustache_map_value(v, i), oom);

			if (*oom || json_object_object_add(
					    j, mustache_map_key(v, i), item)) {
				json_object_put(item);
				*oom = true;
			}
		}
		break;
	}
	if (!j)
		*oom = true;
	return j;
}

/* Append m as pretty-printed JSON and a line break to out. */
static int add_json(const struct mustache_value *m, struct strbuf *out,
		    struct dg_err *err)
{
	bool oom = false;
	json_object *j = to_json(m, &oom);
	/* not json-c's writer: it drops what it cannot append (jsonw.h) */
	int rc = oom ? DG_ENOMEM : jsonw_write(j, JSONW_PRETTY, out);

	rc = rc ? rc : strbuf_addch(out, '\n');
	json_object_put(j);
	return rc ? dg_errf(err, rc, "out of memory writing the model") : 0;
}

int render_json(struct render_engine *e, const struct render_input *in,
		struct strbuf *out, struct dg_err *err)
{
	struct mustache_value *m;
	size_t shown;
	int rc = render_build_model(e, in, RENDER_TIPS_MAX, &m, &shown, err);

	if (rc)
		return rc;
	rc = add_json(m, out, err);
	mustache_value_free(m);
	return rc;
}

int render_file(struct render_engine *e, const char *name,
		const struct mustache_value *data, struct strbuf *out,
		struct dg_err *err)
{
	const struct mustache_template *t;
	struct dg_err quiet = DG_ERR_INIT;
	int rc;

	rc = mustache_partials_get(e->cur->partials, name, &t, &quiet);
	if (rc == DG_ENOTFOUND)
		return rc;
	if (rc) {
		*err = quiet;
		return rc;
	}
	return mustache_render(t, data, e->cur->partials, MUSTACHE_ESCAPE_NONE,
			       out, err);
}

static void lang_free(struct render_engine *e, struct render_lang *l)
{
	const struct hmap_entry *it;
	size_t pos = 0;

	while ((it = hmap_next(&l->labels, &pos)))
		free(it->value);
	hmap_release(&l->labels);
	hmap_release(&l->results);
	mustache_arena_free(l->results_arena);
	for (size_t i = 0; l->results_slots && i < RENDER_RESULTS_SLOTS; i++)
		free(l->results_slots[i].flat);
	free(l->results_slots);
	render_tips_cache_release(e, l);
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

		lang_free(e, e->langs);
		e->langs = next;
	}
	strbuf_release(&e->key);
	strbuf_release(&e->tip_name);
	strbuf_release(&e->results_key);
	strbuf_release(&e->group_names);
	strbuf_release(&e->group_key);
	strbuf_release(&e->group_joined);
	strbuf_release(&e->group_text);
	strbuf_release(&e->groups_key);
	mustache_arena_free(e->arena);
	i18n_fmt_cache_free(e->fmts);
	mustache_template_free(e->subject);
	memo_free(e->times);
	memo_free(e->groups);
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

	if (rc) /* out of memory is no verdict on the tag */
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
	hmap_init(&l->labels, 0);
	hmap_init(&l->tips, 0);
	hmap_init(&l->tip_tpls, 0);
	hmap_init(&l->results, 0);
	rc = i18n_templates_open(e->dir, locale, &l->tpl, err);
	rc = rc ? rc : mustache_partials_new(i18n_resolve, l->tpl,
					     &l->partials, err);
	if (rc) {
		lang_free(e, l);
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
	if (e) {
		strbuf_init(&e->key, 0);
		strbuf_init(&e->tip_name, 0);
		strbuf_init(&e->results_key, 0);
		strbuf_init(&e->group_names, 0);
		strbuf_init(&e->group_key, 0);
		strbuf_init(&e->group_joined, 0);
		strbuf_init(&e->group_text, 0);
		strbuf_init(&e->groups_key, 0);
	}
	if (!e || !(e->dir = strdup(dir)) ||
	    !(e->arena = mustache_arena_new()) ||
	    !(e->fmts = i18n_fmt_cache_new())) {
		if (e) {
			free(e->dir);
			mustache_arena_free(e->arena);
		}
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
static int render_model(struct render_engine *e,
			const struct mustache_value *v,
			struct render_output *out, struct dg_err *err)
{
	const struct mustache_template *text, *html, *subject = e->subject;
	int rc;

	/*
	 * whatever the calendar holds, a message stays mailable; the memory
	 * of what out held (a worker's last digest) is used again
	 */
	strbuf_reuse(&out->subject, 0);
	strbuf_reuse(&out->text, RENDER_PART_MAX);
	strbuf_reuse(&out->html, RENDER_PART_MAX);
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
	one_line(&out->subject);
	return rc;
}

/* ---- what colleagues are told about one person ---- */

int render_group_lines(struct render_engine *e, const struct render_input *in,
		       int (*fn)(const char *line, void *ctx), void *ctx,
		       struct dg_err *err)
{
	const struct mustache_value *meetings;
	struct mustache_value *m;
	struct hmap seen = HMAP_INIT(0); /* lines given, borrowed from m */
	size_t shown;
	int rc = render_build_model(e, in, RENDER_TIPS_MAX, &m, &shown, err);

	if (rc)
		return rc;
	meetings = mustache_map_get(m, "meetings");
	for (size_t i = 0; !rc && i < mustache_list_len(meetings); i++) {
		const struct mustache_value *d = mustache_map_get(
			mustache_list_get(meetings, i), "dynamics");

		for (size_t j = 0; !rc && j < mustache_list_len(d); j++) {
			const char *line = mustache_string_get(
				mustache_list_get(d, j), NULL);

			if (!line || hmap_get(&seen, line))
				continue;
			rc = hmap_put(&seen, line, (void *)line, NULL);
			rc = rc ? rc : fn(line, ctx);
		}
	}
	hmap_release(&seen);
	mustache_value_free(m);
	return rc;
}

int render_about(struct render_engine *e, const struct render_about *a,
		 enum render_about_format format, struct strbuf *out,
		 struct dg_err *err)
{
	const struct mustache_template *t;
	struct mustache_value *m;
	int rc = render_about_model(e, a, &m, err);

	if (rc)
		return rc;
	if (format == RENDER_ABOUT_JSON)
		rc = add_json(m, out, err);
	else
		rc = require_template(e, "about.txt", &t, err);
	if (!rc && format != RENDER_ABOUT_JSON)
		rc = mustache_render(t, m, e->cur->partials,
				     MUSTACHE_ESCAPE_NONE, out, err);
	mustache_value_free(m);
	return rc;
}

int render_about_value(struct render_engine *e, const struct render_about *a,
		       struct mustache_value **out, struct dg_err *err)
{
	*out = NULL;
	return render_about_model(e, a, out, err);
}

/*
 * A day too big for a morning read (more than RENDER_TIPS_BUDGET tips) or
 * for a mail (Gmail clips HTML over 102 KB) loses tips, one per person at
 * a time, and says so (the model's "trimmed"); the markup itself is never
 * cut. The model is built once: fewer tips are picked again in place
 * (render_repick_tips), which gives the model a build with fewer tips
 * would. Its values are made in the engine's arena and all freed at the
 * end with one reset, not one by one.
 */
int render_digest(struct render_engine *e, const struct render_input *in,
		  struct render_output *out, struct dg_err *err)
{
	/* the model's values live in the engine's arena, freed at once */
	struct mustache_arena *before = mustache_arena_use(e->arena);
	struct render_state st;
	struct mustache_value *m;
	int rc = render_model_begin(e, in, RENDER_TIPS_MAX, &st, &m, err);

	for (int tips = RENDER_TIPS_MAX; !rc && tips >= 0; tips--) {
		if (tips < RENDER_TIPS_MAX) {
			rc = render_repick_tips(&st, m, tips);
			if (rc) {
				rc = dg_errf(err, rc, "out of memory building "
						      "the digest of %s",
					     in->user->mail);
				break;
			}
		}
		if (tips && st.shown > RENDER_TIPS_BUDGET)
			continue;
		rc = render_model(e, m, out, err);
		if (rc || out->html.len <= RENDER_HTML_MAX)
			break;
	}
	mustache_value_free(m); /* nothing: the reset below frees it */
	render_state_release(&st);
	mustache_arena_use(before);
	mustache_arena_reset(e->arena);
	return rc;
}
