#include "render_int.h"

#include <string.h>
#include <strings.h>

#include "directory.h"
#include "err.h"

/* Five people with the user make a meeting large: a room, not a talk. */
#define LARGE_MEETING 5

static int put_bool(json_object *o, const char *key, bool b)
{
	json_object *v = json_object_new_boolean(b);

	if (!v || json_object_object_add(o, key, v)) {
		json_object_put(v);
		return DG_ENOMEM;
	}
	return 0;
}

static int append(json_object *arr, json_object *v)
{
	if (!v || json_object_array_add(arr, v)) {
		json_object_put(v);
		return DG_ENOMEM;
	}
	return 0;
}

/*
 * Take line into tips unless the digest has it already. Lines are whole
 * sentences (a tip template writes one per line), so equal text is the
 * same advice.
 */
static int take(struct render_state *st, json_object *line,
		json_object *tips, bool *taken)
{
	const char *s = json_object_get_string(line);
	json_object *t;

	*taken = false;
	if (json_object_object_get_ex(st->used, s, NULL))
		return 0;
	t = json_object_new_boolean(1);
	if (!t || json_object_object_add(st->used, s, t)) {
		json_object_put(t);
		return DG_ENOMEM;
	}
	*taken = true;
	st->shown++;
	return append(tips, json_object_get(line));
}

int render_pick_tips(struct render_state *st, json_object *candidates,
		     json_object *tips)
{
	size_t nsets = json_object_array_length(candidates), longest = 0;
	int picked = 0, rc = 0;

	for (size_t i = 0; i < nsets; i++) {
		size_t n = json_object_array_length(
			json_object_array_get_idx(candidates, i));

		if (n > longest)
			longest = n;
	}
	/* Round by round: each assessment's best line before any second. */
	for (size_t k = 0; !rc && k < longest; k++) {
		for (size_t i = 0; !rc && i < nsets; i++) {
			json_object *set =
				json_object_array_get_idx(candidates, i);
			bool taken;

			if (k >= json_object_array_length(set))
				continue;
			if (picked >= st->max_tips) {
				if (st->max_tips < RENDER_TIPS_MAX)
					st->trimmed = true;
				return 0;
			}
			rc = take(st, json_object_array_get_idx(set, k), tips,
				  &taken);
			picked += taken;
		}
	}
	return rc;
}

static bool is_user(const struct cal_user *user, const char *address)
{
	return address && directory_is_self(user, address);
}

int render_meeting_facts(json_object *data, const struct plan_meeting *m,
			 const struct match_list *l, const char *email,
			 const struct cal_user *user)
{
	const char *org = m->event->organizer.address;
	size_t others = l ? l->n : 0;
	int rc;

	rc = put_bool(data, "one_on_one", others == 1);
	if (!rc)
		rc = put_bool(data, "organizes",
			      org && email && !strcasecmp(org, email));
	if (!rc)
		rc = put_bool(data, "you_organize", is_user(user, org));
	if (!rc)
		rc = put_bool(data, "large", others + 1 >= LARGE_MEETING);
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

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* One entry of holds[]: what the short line needs of a hold. */
static json_object *hold_entry(json_object *meeting, bool first)
{
	static const char *const keys[] = {"subject", "time_label", "all_day",
					   "private"};
	json_object *h = json_object_new_object();

	for (size_t i = 0; h && i < sizeof(keys) / sizeof(*keys); i++) {
		json_object *v = get(meeting, keys[i]);

		if (v && json_object_object_add(h, keys[i],
						json_object_get(v))) {
			json_object_put(v);
			json_object_put(h);
			return NULL;
		}
	}
	if (h && put_bool(h, "first", first)) {
		json_object_put(h);
		return NULL;
	}
	return h;
}

int render_holds(json_object *model, json_object *meetings)
{
	json_object *holds = json_object_new_array();
	json_object *count;
	int main_count = 0, rc = holds ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < json_object_array_length(meetings);
	     i++) {
		json_object *m = json_object_array_get_idx(meetings, i);

		if (!json_object_get_boolean(get(m, "hold"))) {
			main_count++;
			continue;
		}
		rc = append(holds, hold_entry(
					   m, !json_object_array_length(holds)));
	}
	if (!rc && json_object_object_add(model, "holds", holds))
		rc = DG_ENOMEM;
	else if (!rc)
		holds = NULL;
	json_object_put(holds);
	count = rc ? NULL : json_object_new_int(main_count);
	if (!rc && (!count || json_object_object_add(model, "main_count",
						     count))) {
		json_object_put(count);
		rc = DG_ENOMEM;
	}
	count = rc ? NULL
		   : json_object_new_int(
			     (int)json_object_array_length(meetings) -
			     main_count);
	if (!rc && (!count || json_object_object_add(model, "hold_count",
						     count))) {
		json_object_put(count);
		rc = DG_ENOMEM;
	}
	return rc;
}
