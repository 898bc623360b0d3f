#include "render_int.h"

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

/*
 * Take line into tips unless the digest has it already. Lines are whole
 * sentences (a tip template writes one per line), so equal text is the
 * same advice.
 */
static int take(struct render_state *st, const struct mustache_value *line,
		struct mustache_value *tips, bool *taken)
{
	size_t len;
	const char *s = mustache_string_get(line, &len);

	*taken = false;
	if (!s || hmap_get(&st->used, s))
		return 0;
	if (mustache_list_push(tips, mustache_stringn(s, len)))
		return DG_ENOMEM;
	/* the copy in tips is the key: it lives as long as the model */
	s = mustache_string_get(
		mustache_list_get(tips, mustache_list_len(tips) - 1), NULL);
	if (hmap_put(&st->used, s, (void *)s, NULL))
		return DG_ENOMEM;
	*taken = true;
	st->shown++;
	return 0;
}

int render_pick_tips(struct render_state *st,
		     const struct mustache_value *candidates,
		     struct mustache_value *tips)
{
	size_t nsets = mustache_list_len(candidates), longest = 0;
	int picked = 0, rc = 0;

	for (size_t i = 0; i < nsets; i++) {
		size_t n = mustache_list_len(mustache_list_get(candidates, i));

		if (n > longest)
			longest = n;
	}
	/* Round by round: each assessment's best line before any second. */
	for (size_t k = 0; !rc && k < longest; k++) {
		for (size_t i = 0; !rc && i < nsets; i++) {
			const struct mustache_value *set =
				mustache_list_get(candidates, i);
			bool taken;

			if (k >= mustache_list_len(set))
				continue;
			if (picked >= st->max_tips) {
				if (st->max_tips < RENDER_TIPS_MAX)
					st->trimmed = true;
				return 0;
			}
			rc = take(st, mustache_list_get(set, k), tips, &taken);
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
	hmap_release(&st->seen);
	hmap_release(&st->used);
	st->max_tips = max_tips;
	st->trimmed = false;
	st->shown = 0;
	for (size_t i = 0; !rc && i < st->nsites; i++) {
		const struct render_tip_site *s = &st->sites[i];
		struct mustache_value *tips;

		if (!s->candidates) { /* a repeat: the first meeting's tips */
			tips = mustache_value_copy(
				hmap_get(&st->seen, s->email));
			rc = mustache_map_set(s->att, "tips", tips) ? DG_ENOMEM
								    : 0;
			continue;
		}
		tips = mustache_list_new();
		rc = tips ? render_pick_tips(st, s->candidates, tips)
			  : DG_ENOMEM;
		if (rc) {
			mustache_value_free(tips);
			break;
		}
		/* the attendee owns the list; seen only points at it */
		rc = mustache_map_set(s->att, "tips", tips) ? DG_ENOMEM : 0;
		if (!rc && hmap_put(&st->seen, s->email, tips, NULL))
			rc = DG_ENOMEM;
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
