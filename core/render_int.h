/*
 * render_int: what render.c and render_day.c share; not for other modules.
 *
 * render_day.c holds the choices that make a digest a morning-sized read:
 * which tips a person gets in a meeting (at most three, picked for it,
 * never a sentence twice in one digest), which calendar entries are only
 * holds (no one else in them), and the day's extras at the top (the
 * meetings that matter, the absences, the holds in one line). render.c
 * builds the rest of the model and renders it.
 */
#ifndef DIGEST_RENDER_INT_H
#define DIGEST_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "hmap.h"
#include "match.h"
#include "mustache.h"
#include "plan.h"

/* Tips a person gets in one meeting, at most; trimming lowers it. */
#define RENDER_TIPS_MAX 3
/*
 * Tips one digest shows at most before each person gets fewer: with the
 * list of meetings on top and a card for each, a 12-meeting day then
 * stays within five phone screens (375 px wide).
 */
#define RENDER_TIPS_BUDGET 12
/* [digest] max_people_per_meeting when the caller gives none. */
#define RENDER_PEOPLE_MAX 8

/*
 * One digest's choices while its model is built. The maps own their
 * tables only: keys and values point into the model being built.
 */
struct render_state {
	struct hmap seen; /* email -> the tips list of their first meeting */
	struct hmap used; /* tip sentence -> itself: none twice a digest */
	int max_tips;      /* RENDER_TIPS_MAX, lower when trimming */
	bool trimmed;      /* a tip was left out for max_tips < the max */
	size_t shown;      /* tips picked so far (repeats not counted) */
	size_t max_people; /* more profiled people: group line only */
	const struct cal_user *user; /* borrowed */
};

/*
 * Pick at most st->max_tips tips out of candidates (an array with one
 * array of lines per assessment) into tips: the first line of each
 * assessment, then the second, and so on (templates put the lines for
 * this meeting first), leaving out sentences the digest already has.
 * Returns 0 or DG_ENOMEM.
 */
int render_pick_tips(struct render_state *st,
		     const struct mustache_value *candidates,
		     struct mustache_value *tips);

/*
 * Facts about meeting m a tip template may use, added to data:
 * one_on_one (the person is the only one with the user), organizes (the
 * person called the meeting), you_organize, large (five or more people
 * with the user). Returns 0 or DG_ENOMEM.
 */
int render_meeting_facts(struct mustache_value *data, const struct plan_meeting *m,
			 const struct match_list *l, const char *email,
			 const struct cal_user *user);

/*
 * A hold: the user alone with the calendar entry: l (the matched
 * attendees, NULL for a private meeting) is empty, and the event invites
 * no one else but rooms and was not organized by someone else. Lunch, focus time, an
 * all-day "Company Holiday" without attendees.
 */
bool render_is_hold(const struct plan_meeting *m, const struct match_list *l,
		    const struct cal_user *user);

/*
 * The holds of the model's meetings[] (each with "hold" set) in one list
 * for one short line: "holds" [{subject, time_label, all_day, private,
 * first}], "main_count", how many meetings are not holds, and
 * "hold_count", how many are. Returns 0 or DG_ENOMEM.
 */
int render_holds(struct mustache_value *model,
		 const struct mustache_value *meetings);

#endif
