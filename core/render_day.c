#include "render_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "directory.h"
#include "err.h"

/* Five people with the user make a meeting large: a room, not a talk. */
#define LARGE_MEETING 5

static int put_bool(struct mustache_value *o, const char *key, bool b)
{
	return mustache_map_set(o, key, mustache_bool(b)) ? DG_ENOMEM : 0;
}

/* The slot of line's text in st's set: where it is, or where it goes. */
static size_t used_slot(const struct render_state *st,
			const struct render_line *line)
{
	size_t mask = st->used_slots - 1, i = (size_t)line->hash & mask;

	for (; st->used[i]; i = (i + 1) & mask) {
		const struct render_line *u = st->used[i];

		if (u->hash == line->hash && u->len == line->len &&
		    !memcmp(u->s, line->s, line->len))
			break;
	}
	return i;
}

/* Room in st's set for one more line, at most half full. */
static int used_room(struct render_state *st)
{
	const struct render_line **old = st->used;
	size_t nold = st->used_slots, cap;

	if (!st->used) {
		st->used = st->used_inline;
		st->used_slots = RENDER_USED_INLINE;
		memset(st->used_inline, 0, sizeof(st->used_inline));
	}
	if ((st->nused + 1) * 2 <= st->used_slots)
		return 0;
	cap = st->used_slots * 2;
	st->used = calloc(cap, sizeof(*st->used));
	if (!st->used) {
		st->used = old;
		return DG_ENOMEM;
	}
	st->used_slots = cap;
	for (size_t i = 0; i < nold; i++)
		if (old[i])
			st->used[used_slot(st, old[i])] = old[i];
	if (old != st->used_inline)
		free(old);
	return 0;
}

void render_used_clear(struct render_state *st)
{
	if (st->used)
		memset(st->used, 0, st->used_slots * sizeof(*st->used));
	st->nused = 0;
}

/*
 * Take line into tips unless the digest has it already. Lines are whole
 * sentences (a tip template writes one per line), so equal text is the
 * same advice.
 */
static int take(struct render_state *st, const struct render_line *line,
		struct mustache_value *tips, bool *taken)
{
	size_t i;

	*taken = false;
	if (used_room(st))
		return DG_ENOMEM;
	i = used_slot(st, line);
	if (st->used[i])
		return 0;
	if (mustache_list_push(tips, mustache_stringn(line->s, line->len)))
		return DG_ENOMEM;
	/* the cache's line outlives the digest's picking */
	st->used[i] = line;
	st->nused++;
	*taken = true;
	st->shown++;
	return 0;
}

int render_pick_tips(struct render_state *st,
		     const struct render_lines *const *sets, size_t nsets,
		     struct mustache_value *tips)
{
	size_t longest = 0;
	int picked = 0, rc = 0;

	for (size_t i = 0; i < nsets; i++)
		if (sets[i]->n > longest)
			longest = sets[i]->n;
	/* Round by round: each assessment's best line before any second. */
	for (size_t k = 0; !rc && k < longest; k++) {
		for (size_t i = 0; !rc && i < nsets; i++) {
			bool taken;

			if (k >= sets[i]->n)
				continue;
			if (picked >= st->max_tips) {
				if (st->max_tips < RENDER_TIPS_MAX)
					st->trimmed = true;
				return 0;
			}
			rc = take(st, &sets[i]->v[k], tips, &taken);
			picked += taken;
		}
	}
	return rc;
}

int render_repick_tips(struct render_state *st, struct mustache_value *model,
		       int max_tips)
{
	int rc = 0;

	/* what the first picking chose is dropped with the lists below */
	render_used_clear(st);
	st->max_tips = max_tips;
	st->trimmed = false;
	st->shown = 0;
	for (size_t i = 0; !rc && i < st->nsites; i++) {
		const struct render_tip_site *s = &st->sites[i];
		struct mustache_value *tips;

		if (s->repeat) { /* a repeat: the first meeting's tips */
			tips = mustache_value_copy(mustache_map_get(
				st->sites[s->orig].att, "tips"));
			rc = mustache_map_set(s->att, "tips", tips) ? DG_ENOMEM
								    : 0;
			continue;
		}
		tips = mustache_list_new();
		rc = tips ? render_pick_tips(st, st->cand + s->first, s->n,
					     tips)
			  : DG_ENOMEM;
		if (rc) {
			mustache_value_free(tips);
			break;
		}
		rc = mustache_map_set(s->att, "tips", tips) ? DG_ENOMEM : 0;
	}
	return rc ? rc : put_bool(model, "trimmed", st->trimmed);
}


static bool is_user(const struct cal_user *user, const char *address)
{
	return address && directory_is_self(user, address);
}

unsigned render_meeting_facts(const struct plan_meeting *m,
			      const struct match_list *l, const char *email,
			      const struct cal_user *user)
{
	const char *org = m->event->organizer.address;
	size_t others = l ? l->n : 0;
	unsigned facts = RENDER_FACT_MEETING;

	if (others == 1)
		facts |= RENDER_FACT_ONE_ON_ONE;
	if (org && email && !strcasecmp(org, email))
		facts |= RENDER_FACT_ORGANIZES;
	if (is_user(user, org))
		facts |= RENDER_FACT_YOU_ORGANIZE;
	if (others + 1 >= LARGE_MEETING)
		facts |= RENDER_FACT_LARGE;
	return facts;
}

int render_put_facts(struct mustache_value *data, unsigned facts)
{
	int rc;

	if (!(facts & RENDER_FACT_MEETING))
		return 0;
	rc = put_bool(data, "one_on_one", facts & RENDER_FACT_ONE_ON_ONE);
	if (!rc)
		rc = put_bool(data, "organizes", facts & RENDER_FACT_ORGANIZES);
	if (!rc)
		rc = put_bool(data, "you_organize",
			      facts & RENDER_FACT_YOU_ORGANIZE);
	if (!rc)
		rc = put_bool(data, "large", facts & RENDER_FACT_LARGE);
	return rc;
}

bool render_is_hold(const struct plan_meeting *m, const struct match_list *l,
		    const struct cal_user *user)
{
	const struct cal_event *ev = m->event;

	/* match keeps everyone but the user and rooms, profiled or not. */
	if (l && l->n)
		return false;
	if (ev->organizer.address && !is_user(user, ev->organizer.address))
		return false;
	for (size_t i = 0; i < ev->nattendees; i++) {
		const struct cal_attendee *a = &ev->attendees[i];

		if (a->type == CAL_ATTENDEE_RESOURCE || !a->who.address)
			continue;
		if (!is_user(user, a->who.address))
			return false;
	}
	return true;
}

/* One entry of holds[]: what the short line needs of a hold. */
static struct mustache_value *hold_entry(const struct mustache_value *meeting,
					 bool first)
{
	static const char *const keys[] = {"subject", "time_label", "all_day",
					   "private"};
	struct mustache_value *h = mustache_map_new();

	for (size_t i = 0; h && i < sizeof(keys) / sizeof(*keys); i++) {
		const struct mustache_value *v =
			mustache_map_get(meeting, keys[i]);

		/* a null field is left out, as an absent one */
		if (mustache_value_kind(v) != MUSTACHE_NULL &&
		    mustache_map_set(h, keys[i], mustache_value_copy(v))) {
			mustache_value_free(h);
			return NULL;
		}
	}
	if (h && put_bool(h, "first", first)) {
		mustache_value_free(h);
		return NULL;
	}
	return h;
}

int render_holds(struct mustache_value *model,
		 const struct mustache_value *meetings)
{
	struct mustache_value *holds = mustache_list_new();
	int main_count = 0, rc = holds ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < mustache_list_len(meetings); i++) {
		const struct mustache_value *m = mustache_list_get(meetings, i);

		if (!mustache_bool_get(mustache_map_get(m, "hold"))) {
			main_count++;
			continue;
		}
		rc = mustache_list_push(holds,
					hold_entry(m, !mustache_list_len(holds)))
			     ? DG_ENOMEM
			     : 0;
	}
	if (rc) {
		mustache_value_free(holds);
		return rc;
	}
	if (mustache_map_set(model, "holds", holds) ||
	    mustache_map_set(model, "main_count", mustache_int(main_count)) ||
	    mustache_map_set(model, "hold_count",
			     mustache_int((int64_t)mustache_list_len(meetings) -
					  main_count)))
		return DG_ENOMEM;
	return 0;
}
