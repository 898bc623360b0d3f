/*
 * tz: labels, instants shown in one zone and locale with ICU's date
 * formats (the time of day, the date, the weekday, the zone's city), and
 * the memo of a label's last answers (tz.h, struct tz_label).
 *
 * They are apart from tz.c because they share nothing with its calendars
 * and their span cache but a zone id: a label is one of ICU's date
 * formats (udat), not a calendar (ucal), and answers in words of a
 * language, where tz.c answers in numbers.
 */
#include "tz.h"
#include "tz_int.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

#include "memo.h"

/* CLDR 42 puts U+202F before AM/PM; plain-text mail shows it poorly. */
#define NARROW_NBSP 0x202F

struct tz_label {
	UDateFormat *fmt;
	bool none; /* TZ_LABEL_CITY of a zone without a city: "" */
	struct memo *memo; /* answers by instant; NULL: none kept */
};

/* ICU's locale id for a BCP 47 tag ("en-US" -> "en_US"). */
static void icu_locale(const char *tag, char *id, int32_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	len = uloc_forLanguageTag(tag, id, size, NULL, &st);
	if (U_SUCCESS(st) && len > 0 && len < size)
		return;
	/* Not a tag ICU can read: its own fallback takes it from here. */
	if (strlen(tag) < (size_t)size)
		memcpy(id, tag, strlen(tag) + 1);
	else
		id[0] = '\0';
}

/* A pattern format ("VVV", "EEEE") of zone uzone in locale id. */
static UDateFormat *pattern_open(const char *id, const UChar *uzone,
				 const char *pattern, UErrorCode *st)
{
	UChar upat[8];

	u_uastrcpy(upat, pattern);
	return udat_open(UDAT_PATTERN, UDAT_PATTERN, id, uzone, -1, upat, -1,
			 st);
}

/*
 * Whether fmt (a "VVV" format) shows the city of a zone ICU does not
 * know, its "Unknown City": the city of Etc/UTC and Etc/GMT+5 too.
 */
static bool unknown_city(const char *id, UDateFormat *fmt)
{
	UChar unknown[TZ_ZONE_MAX], mine[64], theirs[64];
	UErrorCode st = U_ZERO_ERROR;
	UDateFormat *u;
	int32_t a, b;

	u_uastrcpy(unknown, "Etc/Unknown");
	u = pattern_open(id, unknown, "VVV", &st);
	a = udat_format(fmt, 0, mine, 64, NULL, &st);
	b = udat_format(u, 0, theirs, 64, NULL, &st);
	udat_close(u);
	return U_FAILURE(st) || (a == b && !u_strncmp(mine, theirs, a));
}

int tz_label_open(const char *iana, const char *locale,
		  enum tz_label_style style, struct tz_label **out,
		  struct dg_err *err)
{
	char id[ULOC_FULLNAME_CAPACITY];
	UChar uzone[TZ_ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	UDateFormat *fmt;
	bool none = false;

	*out = NULL;
	icu_locale(locale, id, sizeof(id));
	if (!tz_to_uchars(iana, uzone, TZ_ZONE_MAX))
		return dg_errf(err, DG_EINTERNAL, "zone id is too long");
	if (style == TZ_LABEL_TIME)
		fmt = udat_open(UDAT_SHORT, UDAT_NONE, id, uzone, -1, NULL, 0,
				&st);
	else if (style == TZ_LABEL_CITY)
		fmt = pattern_open(id, uzone, "VVV", &st);
	else if (style == TZ_LABEL_WEEKDAY)
		fmt = pattern_open(id, uzone, "EEEE", &st);
	else
		fmt = udat_open(UDAT_NONE, UDAT_FULL, id, uzone, -1, NULL, 0,
				&st);
	if (U_FAILURE(st))
		return tz_icu_fail(err, st, "udat_open");
	if (style == TZ_LABEL_CITY)
		none = unknown_city(id, fmt);
	*out = malloc(sizeof(**out));
	if (!*out) {
		udat_close(fmt);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	(*out)->fmt = fmt;
	(*out)->none = none;
	/* out of memory, answers are only not remembered */
	(*out)->memo = memo_new(TZ_LABEL_SLOTS);
	return 0;
}

void tz_label_close(struct tz_label *l)
{
	if (!l)
		return;
	udat_close(l->fmt);
	memo_free(l->memo);
	free(l);
}

void tz_label_stats(const struct tz_label *l, struct memo_stats *out)
{
	memo_stats(l->memo, out);
}

/* A copy of text[0..len) in *out, yours. */
static int copy_out(const char *text, size_t len, char **out,
		    struct dg_err *err)
{
	*out = malloc(len + 1);
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	memcpy(*out, text, len);
	(*out)[len] = '\0';
	return 0;
}

static int utf16_to_utf8(const UChar *u, int32_t len, char **out,
			 struct dg_err *err)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	u_strToUTF8(NULL, 0, &n, u, len, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return tz_icu_fail(err, st, "u_strToUTF8");
	*out = malloc((size_t)n + 1);
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	st = U_ZERO_ERROR;
	u_strToUTF8(*out, n + 1, NULL, u, len, &st);
	if (U_FAILURE(st)) {
		free(*out);
		*out = NULL;
		return tz_icu_fail(err, st, "u_strToUTF8");
	}
	return 0;
}

int tz_label(struct tz_label *l, int64_t ms, char **out, struct dg_err *err)
{
	UChar small[64], *u = small;
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;
	int ret;
	size_t known;
	const char *text;

	*out = NULL;
	if (l->none)
		return copy_out("", 0, out, err);
	text = memo_get(l->memo, &ms, sizeof(ms), &known);
	if (text)
		return copy_out(text, known, out, err);
	len = udat_format(l->fmt, (UDate)ms, small, 64, NULL, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		u = malloc(((size_t)len + 1) * sizeof(*u));
		if (!u)
			return dg_errf(err, DG_ENOMEM, "out of memory");
		st = U_ZERO_ERROR;
		len = udat_format(l->fmt, (UDate)ms, u, len + 1, NULL, &st);
	}
	if (U_FAILURE(st)) {
		ret = tz_icu_fail(err, st, "udat_format");
	} else {
		for (int32_t i = 0; i < len; i++)
			if (u[i] == NARROW_NBSP)
				u[i] = ' ';
		ret = utf16_to_utf8(u, len, out, err);
	}
	if (!ret)
		memo_put(l->memo, &ms, sizeof(ms), *out, strlen(*out));
	if (u != small)
		free(u);
	return ret;
}
