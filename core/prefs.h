/*
 * prefs: each recipient's own choices about their digest and profile.
 *
 * A person may pause their digest until a date, choose the weekdays they
 * get it on, pick the local time it is sent at (over [digest] send_at)
 * and the language it is written in (over the mailbox's), and hide their
 * own profile from colleagues' digests. They choose on the preferences
 * page of `digest serve`; support sets the same with `digest prefs`.
 * Choices live in the store's prefs table, apart from the roster, so a
 * roster import never undoes them; a hidden profile chosen here wins over
 * the roster's "visible".
 *
 * Invariants: a stored row always passes the prefs_parse_* checks; an
 * address has at most one row, compared case-insensitively (ASCII).
 * Errors: 0 or a DG_E* code with *err filled; DG_EINVAL for a value that
 * does not parse, with a message saying what is expected.
 */
#ifndef DIGEST_PREFS_H
#define DIGEST_PREFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "strbuf.h"

/* The skip reasons that come from a person's own choices. */
#define PREFS_SKIP_PAUSED "paused"
#define PREFS_SKIP_DAY_NOT_CHOSEN "day_not_chosen"

/* A locale tag ("de-CH", "pt-BR") is at most this long. */
#define PREFS_LOCALE_MAX 35

enum prefs_profile {
	PREFS_PROFILE_ROSTER = 0, /* no choice: the roster decides */
	PREFS_PROFILE_VISIBLE,
	PREFS_PROFILE_HIDDEN
};

struct prefs {
	char pause_until[11]; /* "YYYY-MM-DD": none before that date; "" */
	unsigned days;        /* bit d set: gets it on weekday d (0 Sunday);
				 0: no choice, the mailbox's working days */
	char send_at[6];      /* "HH:MM" local, over [digest] send_at; "" */
	char locale[PREFS_LOCALE_MAX + 1]; /* "" : the mailbox's */
	enum prefs_profile profile;
};

#define PREFS_INIT                                                     \
	{                                                              \
		.pause_until = "", .days = 0, .send_at = "", .locale = "", \
		.profile = PREFS_PROFILE_ROSTER                        \
	}

/* All seven weekdays. */
#define PREFS_ALL_DAYS 0x7fu

/*
 * Read address's choices into *out; PREFS_INIT when they made none (not
 * an error).
 */
int prefs_get(struct store *st, const char *address, struct prefs *out,
	      struct dg_err *err) __attribute__((warn_unused_result));

/*
 * The reads of a run, for one person after another: prefs_get() with its
 * statement prepared once (on first use) instead of once a person. Open
 * it on st and close it before st (a statement kept open would keep st's
 * connection from closing); one thread at a time, as st. *out is yours:
 * prefs_reads_close() it (NULL is a no-op).
 */
struct prefs_reads;

int prefs_reads_open(struct store *st, struct prefs_reads **out,
		     struct dg_err *err) __attribute__((warn_unused_result));
void prefs_reads_close(struct prefs_reads *r);

/* prefs_get() through r: the same answers. */
int prefs_reads_get(struct prefs_reads *r, const char *address,
		    struct prefs *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Store p as address's choices, replacing the earlier ones, at now_ms.
 * DG_EINVAL when a field would not pass its prefs_parse_* check.
 */
int prefs_set(struct store *st, const char *address, const struct prefs *p,
	      int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Parsers of the values a person or an operator types, each of len bytes
 * (not NUL-terminated). An empty value clears the choice.
 *   date:   "YYYY-MM-DD", a real calendar date
 *   days:   "mon,tue,..." (any case, three or more letters of each name,
 *           "," or blanks between), or "all"
 *   send_at "HH:MM", 00:00..23:59
 *   locale: a BCP 47 tag: 2 or 3 letters, then "-" and letters or digits
 *   profile "visible" | "hidden" | "roster"
 */
int prefs_parse_date(const char *s, size_t len, struct prefs *p,
		     struct dg_err *err) __attribute__((warn_unused_result));
int prefs_parse_days(const char *s, size_t len, struct prefs *p,
		     struct dg_err *err) __attribute__((warn_unused_result));
int prefs_parse_send_at(const char *s, size_t len, struct prefs *p,
			struct dg_err *err)
	__attribute__((warn_unused_result));
int prefs_parse_locale(const char *s, size_t len, struct prefs *p,
		       struct dg_err *err) __attribute__((warn_unused_result));
int prefs_parse_profile(const char *s, size_t len, struct prefs *p,
			struct dg_err *err)
	__attribute__((warn_unused_result));

/* Append days as "mon,tue,..." ("" when no choice) to out. */
int prefs_format_days(unsigned days, struct strbuf *out)
	__attribute__((warn_unused_result));

/* The short name of weekday d (0 Sunday): "sun".."sat". */
const char *prefs_day_name(int d);

/*
 * Why p gives no digest on date ("YYYY-MM-DD") falling on weekday (0
 * Sunday): PREFS_SKIP_PAUSED while date is before pause_until,
 * PREFS_SKIP_DAY_NOT_CHOSEN when days are chosen and weekday is not one
 * of them; NULL when p lets it through.
 */
const char *prefs_skip_reason(const struct prefs *p, const char *date,
			      int weekday);

/*
 * The skip reason of a run, given plan's (plan_reason, NULL or a
 * PLAN_SKIP_* string) and the person's choices: opted out and out of
 * office stand; then a pause, then a weekday not chosen; chosen weekdays
 * replace the mailbox's working days, so "not_working_day" only stands
 * when the person chose none.
 */
const char *prefs_decide(const char *plan_reason, const struct prefs *p,
			 const char *date, int weekday);

/*
 * Append p in words, "paused until 2026-12-01; days mon,tue; sends at
 * 06:30; language de-CH; profile hidden" ("" when empty), to out.
 */
int prefs_describe(const struct prefs *p, struct strbuf *out)
	__attribute__((warn_unused_result));

/*
 * Call fn for every address with choices, by address; a non-zero return
 * from fn stops and is returned.
 */
int prefs_each(struct store *st,
	       int (*fn)(const char *address, const struct prefs *p,
			 void *ctx),
	       void *ctx, struct dg_err *err)
	__attribute__((warn_unused_result));

/* True when p hides the profile, or p leaves it to a hiding roster. */
bool prefs_profile_hidden(const struct prefs *p, bool roster_hidden);

/* True when p holds no choice at all. */
bool prefs_is_empty(const struct prefs *p);

#endif
