/*
 * i18n: the reader's language and the templates in it.
 *
 * Everything a reader sees comes from template files or from ICU, never
 * from C strings. A digest is written in one language, chosen from the
 * reader's locale through a fallback chain of template folders: for
 * "de-AT", templates/de-AT/ first, then templates/de/, then the default
 * set at the root of templates/, which is English. A file missing from a
 * language folder falls back alone, with a warning naming it, so one
 * untranslated tip never turns the whole digest English.
 *
 * When no template folder serves the locale's language (a "pt-BR" reader
 * and no templates/pt), the text is the default set's and ICU formats
 * (i18n_fmt.h, i18n_list.h) in the default language too: a template set
 * names its format_locale, so a digest never mixes two languages.
 *
 * Invariants: a folder name is always a tag ICU produced from the locale
 * (letters, digits and '-'), so a locale from a mailbox cannot name a
 * path outside the templates folder. No global state.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_I18N_H
#define DIGEST_I18N_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

/* The language of the default set, at the root of the templates folder. */
#define I18N_DEFAULT_LANGUAGE "en"

/* The locale when nobody names one. */
#define I18N_DEFAULT_LOCALE "en-US"

/* --- choosing the locale ------------------------------------------------ */

/* Whether tag is a whole BCP 47 tag ICU reads ("de-AT", "ja"). */
bool i18n_tag_valid(const char *tag);

/*
 * The same, telling out of memory apart: 0 with *valid set, or DG_ENOMEM
 * (ICU could not allocate: not a verdict on the tag).
 */
int i18n_tag_check(const char *tag, bool *valid)
	__attribute__((warn_unused_result));

/*
 * The reader's locale: the first valid tag of override (preview
 * --locale), preference (the reader's own setting), mailbox (Graph's
 * language.locale) and configured ([digest] locale), else
 * I18N_DEFAULT_LOCALE. Each may be NULL or empty. Borrowed: one of the
 * arguments or the constant.
 */
const char *i18n_choose(const char *override, const char *preference,
			const char *mailbox, const char *configured);

/* --- templates in a language -------------------------------------------- */

struct i18n_templates {
	char *dir;	    /* the templates folder */
	char *locale;	    /* the reader's tag, as given */
	char **chain;	    /* language folders that exist, specific first */
	size_t nchain;
	char *language;	    /* chain[0], else I18N_DEFAULT_LANGUAGE */
	char *format_locale; /* ICU formats in this locale (see above) */
};

/*
 * The template set of locale under dir. *out is yours: free it with
 * i18n_templates_free(). An invalid locale means the default set.
 */
int i18n_templates_open(const char *dir, const char *locale,
			struct i18n_templates **out, struct dg_err *err)
	__attribute__((warn_unused_result));

void i18n_templates_free(struct i18n_templates *t);

/*
 * A mustache_resolve_fn; ctx is a struct i18n_templates. Partial x is
 * <dir>/<folder>/x.mustache for the first folder of the chain that has
 * it, else <dir>/x.mustache, with a logging_warn() naming the missing
 * translation when the chain's language is not the default one.
 */
int i18n_resolve(const char *name, struct strbuf *out, void *ctx,
		 struct dg_err *err) __attribute__((warn_unused_result));

/*
 * digest check: for every language folder under dir, append one line to
 * report per template of the default set that neither the folder nor a
 * more general one of its chain has ("de-AT/x" may come from "de/x"),
 * and per file that does not compile. *problems: how many lines.
 */
int i18n_check(const char *dir, struct strbuf *report, size_t *problems,
	       struct dg_err *err) __attribute__((warn_unused_result));

#endif
