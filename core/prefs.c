#include "prefs.h"
#include "store_db.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const day_names[7] = {"sun", "mon", "tue", "wed",
					 "thu", "fri", "sat"};
static const char *const day_full[7] = {"sunday",   "monday", "tuesday",
					"wednesday", "thursday", "friday",
					"saturday"};

const char *prefs_day_name(int d)
{
	return d >= 0 && d < 7 ? day_names[d] : "";
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100) || y % 400 == 0;
}

static bool date_ok(const char *s, size_t len)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) ||
	    !digits(s + 5, 2) || !digits(s + 8, 2))
		return false;
	y = num(s, 4);
	m = num(s + 5, 2);
	d = num(s + 8, 2);
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

int prefs_parse_date(const char *s, size_t len, struct prefs *p,
		     struct dg_err *err)
{
	if (len && !date_ok(s, len))
		return dg_errf(err, DG_EINVAL,
			       "a pause lasts until a date YYYY-MM-DD, such "
			       "as 2026-12-31");
	memcpy(p->pause_until, s, len);
	p->pause_until[len] = '\0';
	return 0;
}

/* The weekday named by s[0..n): "mon", "Monday", "tues"; -1 if none. */
static int day_of(const char *s, size_t n)
{
	if (n < 3)
		return -1;
	for (int d = 0; d < 7; d++)
		if (n <= strlen(day_full[d]) &&
		    !strncasecmp(s, day_full[d], n))
			return d;
	return -1;
}

int prefs_parse_days(const char *s, size_t len, struct prefs *p,
		     struct dg_err *err)
{
	unsigned days = 0;
	size_t i = 0;

	if (len == 3 && !strncasecmp(s, "all", 3)) {
		p->days = PREFS_ALL_DAYS;
		return 0;
	}
	while (i < len) {
		size_t j = i;
		int d;

		while (j < len && isalpha((unsigned char)s[j]))
			j++;
		d = day_of(s + i, j - i);
		if (d < 0)
			return dg_errf(err, DG_EINVAL,
				       "weekdays are a list such as "
				       "mon,tue,thu (or all)");
		days |= 1u << d;
		while (j < len && (s[j] == ',' || s[j] == ' '))
			j++;
		i = j;
	}
	p->days = days;
	return 0;
}

int prefs_parse_send_at(const char *s, size_t len, struct prefs *p,
			struct dg_err *err)
{
	if (len && (len != 5 || s[2] != ':' || !digits(s, 2) ||
		    !digits(s + 3, 2) || num(s, 2) > 23 || num(s + 3, 2) > 59))
		return dg_errf(err, DG_EINVAL,
			       "a send time is HH:MM, from 00:00 to 23:59");
	memcpy(p->send_at, s, len);
	p->send_at[len] = '\0';
	return 0;
}

/* language ("-" subtag)*: 2-3 letters, then subtags of 1-8 alnum. */
static bool locale_ok(const char *s, size_t len)
{
	size_t i = 0, part;

	while (i < len && isalpha((unsigned char)s[i]))
		i++;
	if (i < 2 || i > 3)
		return false;
	while (i < len) {
		if (s[i] != '-' && s[i] != '_')
			return false;
		part = ++i;
		while (i < len && isalnum((unsigned char)s[i]))
			i++;
		if (i == part || i - part > 8)
			return false;
	}
	return true;
}

int prefs_parse_locale(const char *s, size_t len, struct prefs *p,
		       struct dg_err *err)
{
	if (len && (len > PREFS_LOCALE_MAX || !locale_ok(s, len)))
		return dg_errf(err, DG_EINVAL,
			       "a language is a tag such as en-US, de or "
			       "pt-BR");
	for (size_t i = 0; i < len; i++)
		p->locale[i] = s[i] == '_' ? '-' : s[i];
	p->locale[len] = '\0';
	return 0;
}

int prefs_parse_profile(const char *s, size_t len, struct prefs *p,
			struct dg_err *err)
{
	static const char *const names[] = {"roster", "visible", "hidden"};

	if (!len) {
		p->profile = PREFS_PROFILE_ROSTER;
		return 0;
	}
	for (int i = 0; i < 3; i++)
		if (len == strlen(names[i]) && !strncmp(s, names[i], len)) {
			p->profile = (enum prefs_profile)i;
			return 0;
		}
	return dg_errf(err, DG_EINVAL,
		       "a profile is visible, hidden or roster");
}

int prefs_format_days(unsigned days, struct strbuf *out)
{
	int rc = 0;
	bool first = true;

	for (int d = 1; !rc && d <= 7; d++) { /* Monday first */
		if (!(days & (1u << (d % 7))))
			continue;
		rc = strbuf_addf(out, "%s%s", first ? "" : ",",
				 day_names[d % 7]);
		first = false;
	}
	return rc;
}

const char *prefs_skip_reason(const struct prefs *p, const char *date,
			      int weekday)
{
	if (p->pause_until[0] && strcmp(date, p->pause_until) < 0)
		return PREFS_SKIP_PAUSED;
	if (p->days && weekday >= 0 && weekday < 7 &&
	    !(p->days & (1u << weekday)))
		return PREFS_SKIP_DAY_NOT_CHOSEN;
	return NULL;
}

/* plan.h's PLAN_SKIP_NOT_WORKING_DAY (plan is a layer above; the unit
 * test holds the two equal). */
#define NOT_WORKING_DAY "not_working_day"

const char *prefs_decide(const char *plan_reason, const struct prefs *p,
			 const char *date, int weekday)
{
	const char *why;

	if (plan_reason && strcmp(plan_reason, NOT_WORKING_DAY))
		return plan_reason;
	why = prefs_skip_reason(p, date, weekday);
	if (why)
		return why;
	return p->days ? NULL : plan_reason;
}

int prefs_describe(const struct prefs *p, struct strbuf *out)
{
	const char *sep = "";
	int rc = 0;

	if (p->pause_until[0]) {
		rc = strbuf_addf(out, "paused until %s", p->pause_until);
		sep = "; ";
	}
	if (!rc && p->days) {
		rc = strbuf_addf(out, "%sdays ", sep);
		rc = rc ? rc : prefs_format_days(p->days, out);
		sep = "; ";
	}
	if (!rc && p->send_at[0]) {
		rc = strbuf_addf(out, "%ssends at %s", sep, p->send_at);
		sep = "; ";
	}
	if (!rc && p->locale[0]) {
		rc = strbuf_addf(out, "%slanguage %s", sep, p->locale);
		sep = "; ";
	}
	if (!rc && p->profile != PREFS_PROFILE_ROSTER)
		rc = strbuf_addf(out, "%sprofile %s", sep,
				 p->profile == PREFS_PROFILE_HIDDEN
					 ? "hidden"
					 : "visible");
	return rc;
}

bool prefs_profile_hidden(const struct prefs *p, bool roster_hidden)
{
	if (p->profile == PREFS_PROFILE_HIDDEN)
		return true;
	if (p->profile == PREFS_PROFILE_VISIBLE)
		return false;
	return roster_hidden;
}

bool prefs_is_empty(const struct prefs *p)
{
	return !p->pause_until[0] && !p->days && !p->send_at[0] &&
	       !p->locale[0] && p->profile == PREFS_PROFILE_ROSTER;
}

/* ---- the prefs table ---- */

static const char *const profile_names[] = {NULL, "visible", "hidden"};

static int check_address(struct store *st, const char *address,
			 struct dg_err *err)
{
	if (!address || !*address)
		return dg_errf(err, DG_EINVAL,
			       "%s: preferences need an address",
			       store_path(st));
	return 0;
}

static void copy_col(sqlite3_stmt *stmt, int col, char *dst, size_t size)
{
	const unsigned char *v = sqlite3_column_text(stmt, col);
	size_t n = v ? strlen((const char *)v) : 0;

	if (n >= size)
		n = 0; /* the CHECKs keep this from happening */
	memcpy(dst, v ? (const char *)v : "", n);
	dst[n] = '\0';
}

static void row_to_prefs(sqlite3_stmt *stmt, struct prefs *out)
{
	const unsigned char *profile = sqlite3_column_text(stmt, 4);

	copy_col(stmt, 0, out->pause_until, sizeof(out->pause_until));
	out->days = (unsigned)sqlite3_column_int(stmt, 1) & PREFS_ALL_DAYS;
	copy_col(stmt, 2, out->send_at, sizeof(out->send_at));
	copy_col(stmt, 3, out->locale, sizeof(out->locale));
	out->profile = PREFS_PROFILE_ROSTER;
	if (profile && !strcmp((const char *)profile, "visible"))
		out->profile = PREFS_PROFILE_VISIBLE;
	else if (profile && !strcmp((const char *)profile, "hidden"))
		out->profile = PREFS_PROFILE_HIDDEN;
}

/*
 * The statement of reads, prepared on first use and kept: a run reads
 * the choices of one person after another with the same one.
 */
struct prefs_reads {
	struct store *st;
	sqlite3_stmt *get;
};

int prefs_reads_open(struct store *st, struct prefs_reads **out,
		     struct dg_err *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	(*out)->st = st;
	return 0;
}

void prefs_reads_close(struct prefs_reads *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->get);
	free(r);
}

/*
 * prefs_get(), through the statement kept in *slot (prepared into it the
 * first time, reset after use), or a fresh one when slot is NULL.
 */
static int get_prefs(struct store *st, sqlite3_stmt **slot,
		     const char *address, struct prefs *out,
		     struct dg_err *err)
{
	static const struct prefs none = PREFS_INIT;
	static const char what[] = "cannot read preferences";
	sqlite3_stmt *stmt = NULL;
	int rc = check_address(st, address, err);

	*out = none;
	if (!rc)
		rc = store_db_kept(st, slot,
				   "SELECT pause_until, days, send_at, "
				   "locale, profile FROM prefs "
				   "WHERE address = ?1",
				   &stmt, what, err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, address, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		row_to_prefs(stmt, out);
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = store_db_fail(st, what, err);
	}
	store_db_kept_done(slot, stmt);
	return rc;
}

int prefs_get(struct store *st, const char *address, struct prefs *out,
	      struct dg_err *err)
{
	return get_prefs(st, NULL, address, out, err);
}

int prefs_reads_get(struct prefs_reads *r, const char *address,
		    struct prefs *out, struct dg_err *err)
{
	return get_prefs(r->st, &r->get, address, out, err);
}

/* What prefs_set stores must read back the same. */
static int check_prefs(const struct prefs *p, struct dg_err *err)
{
	struct prefs copy = PREFS_INIT;
	int rc;

	rc = prefs_parse_date(p->pause_until, strnlen(p->pause_until, 11),
			      &copy, err);
	if (!rc)
		rc = prefs_parse_send_at(p->send_at, strnlen(p->send_at, 6),
					 &copy, err);
	if (!rc)
		rc = prefs_parse_locale(p->locale,
					strnlen(p->locale,
						PREFS_LOCALE_MAX + 1),
					&copy, err);
	if (!rc && ((p->days & ~PREFS_ALL_DAYS) ||
		    (unsigned)p->profile > PREFS_PROFILE_HIDDEN))
		rc = dg_errf(err, DG_EINVAL, "preferences out of range");
	return rc;
}

static void bind_text_or_null(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(stmt, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

int prefs_set(struct store *st, const char *address, const struct prefs *p,
	      int64_t now_ms, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = check_address(st, address, err);

	if (!rc)
		rc = check_prefs(p, err);
	if (!rc)
		rc = store_db_prepare(
			st,
			"INSERT INTO prefs(address, pause_until, days, "
			"send_at, locale, profile, updated_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
			"ON CONFLICT(address) DO UPDATE SET "
			"pause_until = ?2, days = ?3, send_at = ?4, "
			"locale = ?5, profile = ?6, updated_at = ?7",
			&stmt, "cannot store preferences", err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, address, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 2, p->pause_until);
	sqlite3_bind_int(stmt, 3, (int)p->days);
	bind_text_or_null(stmt, 4, p->send_at);
	bind_text_or_null(stmt, 5, p->locale);
	bind_text_or_null(stmt, 6, profile_names[p->profile]);
	sqlite3_bind_int64(stmt, 7, now_ms);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, "cannot store preferences", err);
	sqlite3_finalize(stmt);
	return rc;
}

int prefs_each(struct store *st,
	       int (*fn)(const char *address, const struct prefs *p,
			 void *ctx),
	       void *ctx, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = store_db_prepare(st,
				  "SELECT pause_until, days, send_at, locale, "
				  "profile, address FROM prefs "
				  "ORDER BY address",
				  &stmt, "cannot read preferences", err);
	int step = SQLITE_DONE;

	while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct prefs p = PREFS_INIT;

		row_to_prefs(stmt, &p);
		if (!prefs_is_empty(&p))
			rc = fn((const char *)sqlite3_column_text(stmt, 5), &p,
				ctx);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_db_fail(st, "cannot read preferences", err);
	sqlite3_finalize(stmt);
	return rc;
}
