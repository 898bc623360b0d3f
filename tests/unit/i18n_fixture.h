/*
 * i18n_fixture: what the unit tests of i18n_fmt and i18n_list share, a
 * set of formats opened alone. Not a test program itself: included by
 * test_i18n_fmt.c and test_i18n_list.c after cmocka.h.
 */
#ifndef DIGEST_I18N_FIXTURE_H
#define DIGEST_I18N_FIXTURE_H

#include "i18n_fmt.h"

/* A set of locale in Europe/Berlin; yours: i18n_fmt_close() it. */
static struct i18n_fmt *fmt(const char *locale)
{
	struct i18n_fmt *f = NULL;
	struct dg_err err = DG_ERR_INIT;

	if (i18n_fmt_open(locale, "Europe/Berlin", &f, &err))
		fail_msg("i18n_fmt_open: %s", err.msg);
	return f;
}

#endif
