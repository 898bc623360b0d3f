/*
 * i18n_list: names joined as the reader's language joins a list
 * ("A, B and C"), with the set of formats of the reader (i18n_fmt.h).
 *
 * The answer is ICU's, byte for byte. Most languages' lists only put
 * words between the names: those words are found once per set (for the
 * sets of a cache, once per language: in the base the set borrows), by
 * asking ICU about probes (private-use characters no name has) and
 * checking the answer against names that change the words elsewhere
 * (Spanish "e" for "y" before "i"), and then lists are joined without ICU;
 * names that are all ASCII need no UTF-8 check first. Spanish, Hebrew
 * and any language whose lists fail the check are ICU's, remembered in
 * the lists memo of the set (its cache's, shared by its sets: a list does
 * not depend on the zone).
 *
 * Invariants: a list of one plain name is that name; a list by words is
 * the one ICU would give; nothing is global.
 * Ownership: items are borrowed for the call; the text goes into the
 * caller's strbuf.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_I18N_LIST_H
#define DIGEST_I18N_LIST_H

#include <stddef.h>

#include "err.h"
#include "i18n_fmt.h"
#include "strbuf.h"

/*
 * Append items joined as the language joins a list ("A, B and C"): ICU's
 * answer, byte for byte. Where the language's list only puts words
 * between the names (found once per set, or per language of a cache, by
 * asking ICU about probes and checked against names that change the
 * words elsewhere, as Spanish "e" for "y"), the words are put in without
 * ICU; Spanish, Hebrew and any language whose lists fail the check are
 * ICU's, through the memo.
 */
int i18n_list(struct i18n_fmt *f, const char *const *items, size_t n,
	      struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
