/*
 * tz_int: what the files of module tz share; not for other modules.
 *
 * tz.c holds the zones (names, calendars, conversions, the span cache of
 * struct tz) and the zone-free date arithmetic; tz_label.c the labels of
 * instants in a zone and locale (struct tz_label). Both hand zone ids to
 * ICU as UTF-16 and word ICU's failures alike: the two helpers here, kept
 * inline so that each file compiles them as before the split.
 *
 * Errors: tz_icu_fail() fills *err and returns the DG_E* code.
 */
#ifndef DIGEST_TZ_INT_H
#define DIGEST_TZ_INT_H

#include <stdbool.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utypes.h>

#include "err.h"
#include "tz.h"

/* Zone names are short ASCII; a longer name is no zone at all. */
#define TZ_ZONE_MAX 128

/* DG_ENOMEM when ICU ran out of memory, else DG_EINTERNAL, with a sentence. */
static inline int tz_icu_fail(struct dg_err *err, UErrorCode st,
			      const char *what)
{
	if (st == U_MEMORY_ALLOCATION_ERROR)
		return dg_errf(err, DG_ENOMEM, "out of memory in ICU %s", what);
	return dg_errf(err, DG_EINTERNAL, "ICU %s failed: %s", what,
		       u_errorName(st));
}

/* s as UTF-16 in buf; false when it does not fit or is not UTF-8. */
static inline bool tz_to_uchars(const char *s, UChar *buf, int32_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	if (!s || strlen(s) >= (size_t)size)
		return false;
	u_strFromUTF8(buf, size, &len, s, -1, &st);
	return U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING;
}

#endif
