#include "i18n.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicode/uloc.h>

#include "i18n_int.h"
#include "logging.h"
#include "mustache.h"

/* Longest tag taken from a mailbox; real ones are under 20 bytes. */
#define TAG_MAX 64

/* ---- tags ---- */

/* Letters, digits and '-' only: what may become a folder name. */
static bool tag_chars_ok(const char *tag)
{
	size_t n = strlen(tag);

	if (!n || n >= TAG_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)tag[i]) && tag[i] != '-')
			return false;
	return true;
}

/* As i18n_int.h says. */
int i18n_tag_to_id(const char *tag, char *id, int32_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t parsed = 0, len;
	char lang[ULOC_LANG_CAPACITY];

	if (!tag || !tag_chars_ok(tag))
		return 0;
	len = uloc_forLanguageTag(tag, id, size, &parsed, &st);
	if (st == U_MEMORY_ALLOCATION_ERROR)
		return DG_ENOMEM;
	if (U_FAILURE(st) || len <= 0 || len >= size ||
	    parsed != (int32_t)strlen(tag))
		return 0;
	len = uloc_getLanguage(id, lang, sizeof(lang), &st);
	if (st == U_MEMORY_ALLOCATION_ERROR)
		return DG_ENOMEM;
	return U_SUCCESS(st) && len > 0 && strcmp(lang, "und");
}

int i18n_tag_check(const char *tag, bool *valid)
{
	char id[ULOC_FULLNAME_CAPACITY];
	int rc = i18n_tag_to_id(tag, id, sizeof(id));

	*valid = rc > 0;
	return rc < 0 ? rc : 0;
}

bool i18n_tag_valid(const char *tag)
{
	char id[ULOC_FULLNAME_CAPACITY];

	return i18n_tag_to_id(tag, id, sizeof(id)) > 0;
}

const char *i18n_choose(const char *override, const char *preference,
			const char *mailbox, const char *configured)
{
	const char *order[] = { override, preference, mailbox, configured };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (order[i] && i18n_tag_valid(order[i]))
			return order[i];
	return I18N_DEFAULT_LOCALE;
}

/* The language subtag of an ICU id or tag ("de_AT" -> "de"). */
static void language_of(const char *id, char *lang, int32_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	char canon[ULOC_FULLNAME_CAPACITY];

	if (i18n_tag_to_id(id, canon, sizeof(canon)) <= 0)
		snprintf(canon, sizeof(canon), "%s", id);
	uloc_getLanguage(canon, lang, size, &st);
	if (U_FAILURE(st))
		lang[0] = '\0';
}

/* ---- the chain of folders ---- */

static bool is_dir(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISDIR(sb.st_mode);
}

static int chain_push(struct i18n_templates *t, const char *folder)
{
	char **v = realloc(t->chain, (t->nchain + 1) * sizeof(*v));

	if (!v)
		return DG_ENOMEM;
	t->chain = v;
	v[t->nchain] = strdup(folder);
	if (!v[t->nchain])
		return DG_ENOMEM;
	t->nchain++;
	return 0;
}

/* de_AT, de: every ancestor whose folder exists, as a BCP 47 tag. */
static int build_chain(struct i18n_templates *t, const char *id)
{
	char cur[ULOC_FULLNAME_CAPACITY], tag[TAG_MAX];
	struct strbuf path = STRBUF_INIT;
	int rc = 0;

	snprintf(cur, sizeof(cur), "%s", id);
	while (!rc && cur[0] && strcmp(cur, "root")) {
		UErrorCode st = U_ZERO_ERROR;
		char parent[ULOC_FULLNAME_CAPACITY];
		int32_t n = uloc_toLanguageTag(cur, tag, sizeof(tag), 0, &st);

		if (st == U_MEMORY_ALLOCATION_ERROR) {
			rc = DG_ENOMEM;
			break;
		}
		if (U_SUCCESS(st) && n > 0 && n < (int32_t)sizeof(tag) &&
		    tag_chars_ok(tag)) {
			strbuf_reset(&path);
			rc = strbuf_addf(&path, "%s/%s", t->dir, tag);
			if (!rc && is_dir(path.buf))
				rc = chain_push(t, tag);
		}
		st = U_ZERO_ERROR;
		uloc_getParent(cur, parent, sizeof(parent), &st);
		if (st == U_MEMORY_ALLOCATION_ERROR)
			rc = DG_ENOMEM;
		if (U_FAILURE(st) || !strcmp(parent, cur))
			break;
		memcpy(cur, parent, sizeof(cur));
	}
	strbuf_release(&path);
	return rc;
}

/*
 * ICU formats in the reader's locale when the text is in its language,
 * else in the text's language: "pt-BR" with English text gets "en".
 */
static int pick_format_locale(struct i18n_templates *t)
{
	char a[ULOC_LANG_CAPACITY], b[ULOC_LANG_CAPACITY];

	language_of(t->locale, a, sizeof(a));
	language_of(t->language, b, sizeof(b));
	t->format_locale = strdup(strcmp(a, b) ? t->language : t->locale);
	return t->format_locale ? 0 : DG_ENOMEM;
}

int i18n_templates_open(const char *dir, const char *locale,
			struct i18n_templates **out, struct dg_err *err)
{
	struct i18n_templates *t = calloc(1, sizeof(*t));
	char id[ULOC_FULLNAME_CAPACITY];
	int valid = locale ? i18n_tag_to_id(locale, id, sizeof(id)) : 0;
	int rc;

	*out = NULL;
	if (!t || valid < 0) {
		free(t);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	t->dir = strdup(dir);
	t->locale = strdup(valid ? locale : I18N_DEFAULT_LOCALE);
	rc = t->dir && t->locale ? 0 : DG_ENOMEM;
	if (!rc && valid)
		rc = build_chain(t, id);
	if (!rc) {
		t->language = strdup(t->nchain ? t->chain[0]
					       : I18N_DEFAULT_LANGUAGE);
		rc = t->language ? 0 : DG_ENOMEM;
	}
	if (!rc)
		rc = pick_format_locale(t);
	if (rc) {
		i18n_templates_free(t);
		return dg_errf(err, rc, "out of memory");
	}
	*out = t;
	return 0;
}

void i18n_templates_free(struct i18n_templates *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nchain; i++)
		free(t->chain[i]);
	free(t->chain);
	free(t->dir);
	free(t->locale);
	free(t->language);
	free(t->format_locale);
	free(t);
}

/* Whether the chain's language is the default set's own. */
static bool speaks_default(const struct i18n_templates *t)
{
	char lang[ULOC_LANG_CAPACITY];

	language_of(t->language, lang, sizeof(lang));
	return !strcmp(lang, I18N_DEFAULT_LANGUAGE);
}

int i18n_resolve(const char *name, struct strbuf *out, void *ctx,
		 struct dg_err *err)
{
	struct i18n_templates *t = ctx;
	struct strbuf folder = STRBUF_INIT;
	int rc = DG_ENOTFOUND;

	for (size_t i = 0; rc == DG_ENOTFOUND && i < t->nchain; i++) {
		strbuf_reset(&folder);
		rc = strbuf_addf(&folder, "%s/%s", t->dir, t->chain[i]);
		if (rc)
			break;
		rc = mustache_resolve_dir(name, out, folder.buf, err);
	}
	strbuf_release(&folder);
	if (rc != DG_ENOTFOUND)
		return rc == DG_ENOMEM ? dg_errf(err, rc, "out of memory") : rc;
	rc = mustache_resolve_dir(name, out, t->dir, err);
	if (!rc && t->nchain && !speaks_default(t))
		logging_warn("%s/%s/%s.mustache: no translation; using the "
			     "default %s/%s.mustache",
			     t->dir, t->chain[t->nchain - 1], name, t->dir,
			     name);
	return rc;
}

/* ---- digest check ---- */

/* A top-level folder that holds a language: "de", "de-AT", "zh-Hant". */
static bool is_language_folder(const char *name)
{
	size_t n = 0;

	while (islower((unsigned char)name[n]))
		n++;
	if (n < 2 || n > 3 || (name[n] && name[n] != '-'))
		return false;
	return i18n_tag_valid(name);
}

struct walk {
	const char *dir;
	struct strbuf *report;
	size_t *problems;
	const char *lang;		  /* NULL: listing the default set */
	char **names;			  /* the default set, relative */
	size_t nnames;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static int add_name(struct walk *w, const char *rel)
{
	char **v = realloc(w->names, (w->nnames + 1) * sizeof(*v));

	if (!v)
		return DG_ENOMEM;
	w->names = v;
	v[w->nnames] = strdup(rel);
	if (!v[w->nnames])
		return DG_ENOMEM;
	w->nnames++;
	return 0;
}

/* A language's file must compile; a broken one is a problem to report. */
static int check_compiles(struct walk *w, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	struct mustache_template *t = NULL;
	struct dg_err quiet = DG_ERR_INIT;
	int rc = strbuf_read_file(&text, path);

	if (!rc && mustache_compile(text.buf, text.len, path, &t, &quiet)) {
		(*w->problems)++;
		rc = strbuf_addf(w->report, "%s\n", quiet.msg);
	} else if (rc) {
		(*w->problems)++;
		rc = strbuf_addf(w->report, "%s: cannot read it\n", path);
	}
	mustache_template_free(t);
	strbuf_release(&text);
	return rc;
}

/*
 * NEEDSWORK: the pages of `digest serve` and `digest about`'s text are in
 * English only; language folders need not have them yet.
 */
static bool english_only(const char *name)
{
	return !strcmp(name, "pages") || !strcmp(name, "about.txt.mustache");
}

/* Every *.mustache under base/rel; the root skips language folders. */
static int walk_dir(struct walk *w, const char *base, const char *rel)
{
	struct strbuf path = STRBUF_INIT, sub = STRBUF_INIT;
	DIR *d;
	struct dirent *de;
	int rc = strbuf_addf(&path, "%s%s%s", base, *rel ? "/" : "", rel);

	d = rc ? NULL : opendir(path.buf);
	while (!rc && d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!*rel && !w->lang && (is_language_folder(de->d_name) ||
					  english_only(de->d_name)))
			continue;
		strbuf_reset(&sub);
		rc = strbuf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "",
				 de->d_name);
		strbuf_reset(&path);
		rc = rc ? rc : strbuf_addf(&path, "%s/%s", base, sub.buf);
		if (rc)
			break;
		if (is_dir(path.buf))
			rc = walk_dir(w, base, sub.buf);
		else if (ends_with(de->d_name, ".mustache") && !w->lang)
			rc = add_name(w, sub.buf);
		else if (ends_with(de->d_name, ".mustache"))
			rc = check_compiles(w, path.buf);
	}
	if (d)
		closedir(d);
	strbuf_release(&path);
	strbuf_release(&sub);
	return rc;
}

/* Report each default template that lang's chain does not translate. */
static int check_language(struct walk *w, const char *lang)
{
	struct i18n_templates *t = NULL;
	struct strbuf path = STRBUF_INIT;
	struct dg_err quiet = DG_ERR_INIT;
	int rc = i18n_templates_open(w->dir, lang, &t, &quiet);

	w->lang = lang;
	if (!rc)
		rc = walk_dir(w, w->dir, lang);
	for (size_t i = 0; !rc && i < w->nnames; i++) {
		bool found = false;

		for (size_t j = 0; !rc && !found && j < t->nchain; j++) {
			strbuf_reset(&path);
			rc = strbuf_addf(&path, "%s/%s/%s", w->dir,
					 t->chain[j], w->names[i]);
			found = !rc && !access(path.buf, R_OK);
		}
		if (!rc && !found) {
			(*w->problems)++;
			rc = strbuf_addf(w->report,
					 "%s/%s: no %s (the default set has "
					 "it)\n",
					 w->dir, lang, w->names[i]);
		}
	}
	strbuf_release(&path);
	i18n_templates_free(t);
	return rc;
}

int i18n_check(const char *dir, struct strbuf *report, size_t *problems,
	       struct dg_err *err)
{
	struct walk w = { .dir = dir, .report = report, .problems = problems };
	DIR *d;
	struct dirent *de;
	int rc;

	*problems = 0;
	rc = walk_dir(&w, dir, "");
	d = rc ? NULL : opendir(dir);
	if (!rc && !d)
		rc = dg_errf(err, DG_EIO, "%s: %s", dir, strerror(errno));
	while (!rc && d && (de = readdir(d))) {
		struct strbuf path = STRBUF_INIT;

		if (!is_language_folder(de->d_name))
			continue;
		rc = strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (!rc && is_dir(path.buf))
			rc = check_language(&w, de->d_name);
		strbuf_release(&path);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < w.nnames; i++)
		free(w.names[i]);
	free(w.names);
	if (rc && rc != DG_EIO)
		return dg_errf(err, rc, "out of memory checking %s", dir);
	return rc;
}
