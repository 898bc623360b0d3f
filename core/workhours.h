/*
 * workhours: each tenant user's time zone and working hours, as their
 * mailbox settings last said: table work_hours.
 *
 * A run fetches every reader's mailbox settings anyway; what they say
 * about the reader's zone and working week is kept here, so that the
 * digests of the reader's colleagues can say when a meeting falls
 * outside the reader's working hours without asking Graph about anyone
 * else (core/hours.h). A user is known by the directory's stable id; the
 * table survives `users sync`, which replaces table users as a whole.
 * Nothing but a zone, weekdays and two times of day is kept.
 *
 * Invariants: at most one row per user id; start_min and end_min are
 * both set (0..1439) or both NULL; days holds cal_weekday_bits (0: the
 * mailbox named no days). A row is written only when it changes, so a
 * run over unchanged mailboxes writes nothing.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_WORKHOURS_H
#define DIGEST_WORKHOURS_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "err.h"
#include "store.h"

struct workhours {
	char *time_zone; /* mailboxSettings.timeZone, as Graph wrote it */
	char *work_zone; /* workingHours.timeZone.name; NULL if none */
	unsigned days;   /* cal_weekday_bits; 0: none named */
	/* workingHours start and end in minutes after midnight of
	 * work_zone; -1 when unknown. end <= start: the hours run past
	 * midnight into the next day. */
	int start_min, end_min;
};

#define WORKHOURS_INIT                                                         \
	{                                                                      \
		.time_zone = NULL, .work_zone = NULL, .days = 0,               \
		.start_min = -1, .end_min = -1                                 \
	}

/*
 * What mb says of its owner's hours, copied into *out (yours:
 * workhours_release() it). Hours Graph wrote but plan cannot use (an end
 * before the start) are kept: here they are a night shift. DG_ENOMEM.
 */
int workhours_of_mailbox(const struct cal_mailbox *mb, struct workhours *out)
	__attribute__((warn_unused_result));

/* Whether a and b say the same. */
bool workhours_equal(const struct workhours *a, const struct workhours *b);

/*
 * Keep w as user_id's (mail: for `digest about` and for people); a row
 * that says the same already is left alone (*written false).
 */
int workhours_save(struct store *st, const char *user_id, const char *mail,
		   const struct workhours *w, int64_t now_ms, bool *written,
		   struct dg_err *err) __attribute__((warn_unused_result));

/* user_id's stored hours into *out (yours); *found false when none. */
int workhours_load(struct store *st, const char *user_id,
		   struct workhours *out, bool *found, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The reads of a run, for one user after another: workhours_load() with
 * its statement prepared once and kept. *out is yours (it borrows st,
 * which must outlive it): workhours_reads_close() it (NULL is a no-op)
 * before closing st.
 */
struct workhours_reads;

int workhours_reads_open(struct store *st, struct workhours_reads **out,
			 struct dg_err *err) __attribute__((warn_unused_result));
void workhours_reads_close(struct workhours_reads *r);

/* workhours_load() through r: the same answers. */
int workhours_reads_load(struct workhours_reads *r, const char *user_id,
			 struct workhours *out, bool *found,
			 struct dg_err *err)
	__attribute__((warn_unused_result));

/* The same for the user whose mail is mail (any case): the latest row. */
int workhours_load_mail(struct store *st, const char *mail,
			struct workhours *out, bool *found, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free what w holds; w is then as after WORKHOURS_INIT. */
void workhours_release(struct workhours *w);

#endif
