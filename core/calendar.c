#include "calendar.h"
#include "err.h"
#include "hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void cal_datetime_release(struct cal_datetime *dt)
{
	free(dt->date_time);
	free(dt->time_zone);
	dt->date_time = NULL;
	dt->time_zone = NULL;
}

void cal_address_release(struct cal_address *a)
{
	free(a->name);
	free(a->address);
	a->name = NULL;
	a->address = NULL;
}

/* Every string field of ev, its attendees' too, for fn to visit. */
static void each_string(struct cal_event *ev, void (*fn)(char **, void *),
			void *arg)
{
	char **own[] = {
		&ev->id, &ev->subject, &ev->response, &ev->show_as, &ev->type,
		&ev->start.date_time, &ev->start.time_zone,
		&ev->end.date_time, &ev->end.time_zone, &ev->location,
		&ev->join_url, &ev->toll_number, &ev->toll_free_number,
		&ev->conference_id, &ev->organizer.name,
		&ev->organizer.address
	};

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		fn(own[i], arg);
	for (size_t i = 0; i < ev->nattendees; i++) {
		fn(&ev->attendees[i].who.name, arg);
		fn(&ev->attendees[i].who.address, arg);
		fn(&ev->attendees[i].response, arg);
	}
}

static void count_string(char **s, void *arg)
{
	if (*s)
		*(size_t *)arg += strlen(*s) + 1;
}

static void place_string(char **s, void *arg)
{
	char **at = arg;
	size_t len;

	if (!*s)
		return;
	len = strlen(*s) + 1;
	memcpy(*at, *s, len);
	*s = *at;
	*at += len;
}

int cal_event_pack(struct cal_event *ev)
{
	size_t size = 0;
	char *at;

	each_string(ev, count_string, &size);
	ev->block = malloc(size ? size : 1);
	if (!ev->block)
		return DG_ENOMEM;
	at = ev->block;
	each_string(ev, place_string, &at);
	return 0;
}

void cal_event_forget(struct cal_event *ev)
{
	free(ev->attendees);
	memset(ev, 0, sizeof(*ev));
}

void cal_event_release(struct cal_event *ev)
{
	if (ev->block) {
		free(ev->block);
		cal_event_forget(ev);
		return;
	}
	free(ev->id);
	free(ev->subject);
	free(ev->response);
	free(ev->show_as);
	free(ev->type);
	cal_datetime_release(&ev->start);
	cal_datetime_release(&ev->end);
	free(ev->location);
	free(ev->join_url);
	free(ev->toll_number);
	free(ev->toll_free_number);
	free(ev->conference_id);
	cal_address_release(&ev->organizer);
	for (size_t i = 0; i < ev->nattendees; i++) {
		cal_address_release(&ev->attendees[i].who);
		free(ev->attendees[i].response);
	}
	free(ev->attendees);
	memset(ev, 0, sizeof(*ev));
}

void cal_event_list_release(struct cal_event_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		cal_event_release(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

void cal_mailbox_release(struct cal_mailbox *mb)
{
	free(mb->time_zone);
	free(mb->working_zone);
	cal_datetime_release(&mb->autoreply_start);
	cal_datetime_release(&mb->autoreply_end);
	free(mb->locale);
	memset(mb, 0, sizeof(*mb));
}

void cal_user_release(struct cal_user *u)
{
	if (u->block) {
		free(u->block);
		memset(u, 0, sizeof(*u));
		return;
	}
	free(u->id);
	free(u->mail);
	free(u->display_name);
	free(u->given_name);
	free(u->surname);
	free(u->user_principal_name);
	for (size_t i = 0; i < u->nproxy; i++)
		free(u->proxy_addresses[i]);
	free(u->proxy_addresses);
	memset(u, 0, sizeof(*u));
}

void cal_user_list_release(struct cal_user_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		cal_user_release(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

void cal_group_release(struct cal_group *g)
{
	free(g->id);
	free(g->mail);
	free(g->display_name);
	for (size_t i = 0; i < g->nmembers; i++)
		cal_address_release(&g->members[i]);
	free(g->members);
	if (g->listed)
		hmap_release(g->listed);
	free(g->listed);
	memset(g, 0, sizeof(*g));
}

/* Grow a zeroed array of size-byte elements to hold one more. */
static void *push_slot(void **v, size_t *n, size_t *alloc, size_t size)
{
	char *p;

	if (*n == *alloc) {
		size_t cap = *alloc ? *alloc * 2 : 8;

		p = realloc(*v, cap * size);
		if (!p)
			return NULL;
		*v = p;
		*alloc = cap;
	}
	p = (char *)*v + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

int cal_event_list_push(struct cal_event_list *list, struct cal_event **out)
{
	*out = push_slot((void **)&list->v, &list->n, &list->alloc,
			 sizeof(*list->v));
	return *out ? 0 : DG_ENOMEM;
}

int cal_user_list_push(struct cal_user_list *list, struct cal_user **out)
{
	*out = push_slot((void **)&list->v, &list->n, &list->alloc,
			 sizeof(*list->v));
	return *out ? 0 : DG_ENOMEM;
}

int cal_user_list_reserve(struct cal_user_list *list, size_t n)
{
	struct cal_user *v;

	if (n <= list->alloc)
		return 0;
	if (n > SIZE_MAX / sizeof(*v))
		return DG_ENOMEM;
	v = realloc(list->v, n * sizeof(*v));
	if (!v)
		return DG_ENOMEM;
	list->v = v;
	list->alloc = n;
	return 0;
}
