/*
 * calendar: the plain data a source yields for one user.
 *
 * Both sources (graph over HTTPS, fixtures from files) fill these structs
 * through the one Graph JSON parser (graphjson), so the rest of the flow
 * (plan, match, render) never sees json-c or libcurl. Strings are UTF-8,
 * malloc'd, owned by the struct that holds them, and NULL when Graph gave
 * none. Times stay as Graph wrote them (a local date-time plus a zone
 * name); plan turns them into instants, because only plan knows zones.
 */
#ifndef DIGEST_CALENDAR_H
#define DIGEST_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

struct hmap;

/* A Graph dateTimeTimeZone: "2026-11-24T09:00:00.0000000" + "UTC". */
struct cal_datetime {
	char *date_time;
	char *time_zone;
};

/* A Graph emailAddress. */
struct cal_address {
	char *name;
	char *address;
};

enum cal_attendee_type {
	CAL_ATTENDEE_REQUIRED,
	CAL_ATTENDEE_OPTIONAL,
	CAL_ATTENDEE_RESOURCE
};

struct cal_attendee {
	enum cal_attendee_type type;
	struct cal_address who;
	char *response; /* status.response: "accepted", "none", ... */
};

enum cal_sensitivity {
	CAL_SENSITIVITY_NORMAL,
	CAL_SENSITIVITY_PERSONAL,
	CAL_SENSITIVITY_PRIVATE,
	CAL_SENSITIVITY_CONFIDENTIAL
};

struct cal_event {
	char *id;
	char *subject;
	enum cal_sensitivity sensitivity;
	bool is_all_day;
	bool is_cancelled;
	char *response; /* responseStatus.response of the mailbox owner */
	char *show_as;  /* "busy", "free", "oof", ... */
	char *type;     /* "singleInstance", "occurrence", "exception" */
	struct cal_datetime start;
	struct cal_datetime end;
	char *location; /* location.displayName */
	char *join_url; /* onlineMeeting.joinUrl */
	/* onlineMeeting: the phone way in, as Graph wrote it */
	char *toll_number;      /* tollNumber: "+1 425 555 0100" */
	char *toll_free_number; /* tollFreeNumbers[0] */
	char *conference_id;    /* conferenceId: "123 456 789#" */
	struct cal_address organizer;
	struct cal_attendee *attendees;
	size_t nattendees;
	/*
	 * NULL, or the one allocation that holds every string above, the
	 * attendees' too (graphjson packs each event it reads so, with
	 * cal_event_pack()): then it alone is freed with the attendees
	 * array, and the strings are read-only.
	 */
	char *block;
};

struct cal_event_list {
	struct cal_event *v;
	size_t n;
	size_t alloc;
};

#define CAL_EVENT_LIST_INIT { .v = NULL, .n = 0, .alloc = 0 }

enum cal_autoreply {
	CAL_AUTOREPLY_DISABLED,
	CAL_AUTOREPLY_ALWAYS,
	CAL_AUTOREPLY_SCHEDULED
};

/* Bits of cal_mailbox.working_days: 1 << 0 is Sunday ... 1 << 6 Saturday. */
enum cal_weekday_bits {
	CAL_SUNDAY = 1 << 0,
	CAL_MONDAY = 1 << 1,
	CAL_TUESDAY = 1 << 2,
	CAL_WEDNESDAY = 1 << 3,
	CAL_THURSDAY = 1 << 4,
	CAL_FRIDAY = 1 << 5,
	CAL_SATURDAY = 1 << 6
};

/*
 * mailboxSettings.userPurpose: what kind of mailbox this is. Only people
 * (user, linked) read a digest; rooms, equipment and shared mailboxes are
 * users of the directory too, with a calendar full of other people's
 * meetings.
 */
enum cal_purpose {
	CAL_PURPOSE_UNKNOWN, /* absent, null, or a value Graph added later */
	CAL_PURPOSE_USER,
	CAL_PURPOSE_LINKED,
	CAL_PURPOSE_SHARED,
	CAL_PURPOSE_ROOM,
	CAL_PURPOSE_EQUIPMENT,
	CAL_PURPOSE_OTHERS
};

/* A Graph mailboxSettings. */
struct cal_mailbox {
	char *time_zone;      /* Windows ("Pacific Standard Time") or IANA */
	unsigned working_days; /* cal_weekday_bits; 0 when Graph gave none */
	bool has_working_days;
	/*
	 * workingHours.startTime/endTime in minutes after local midnight
	 * (of working_zone), when has_working_hours.
	 */
	bool has_working_hours;
	int work_start_min, work_end_min;
	/* workingHours.timeZone.name: "Pacific Standard Time", or
	 * "Customized Time Zone" (a customTimeZone); NULL if none */
	char *working_zone;
	enum cal_purpose purpose;
	enum cal_autoreply autoreply;
	struct cal_datetime autoreply_start; /* scheduled only */
	struct cal_datetime autoreply_end;
	char *locale; /* language.locale, "en-US"; NULL if none */
};

/* A Graph user. */
struct cal_user {
	char *id;
	char *mail;
	char *display_name;
	char *given_name; /* givenName: greet by it, never a split name */
	char *surname;
	char *user_principal_name;
	char **proxy_addresses; /* as Graph gives them: "SMTP:a@b", "smtp:c@d" */
	size_t nproxy;
	/*
	 * NULL, or the one allocation that holds the strings above and the
	 * proxy_addresses array (users_load packs each user of a run so;
	 * strings in it may share bytes): then it alone is freed, and the
	 * strings are read-only.
	 */
	char *block;
};

struct cal_user_list {
	struct cal_user *v;
	size_t n;
	size_t alloc;
};

#define CAL_USER_LIST_INIT { .v = NULL, .n = 0, .alloc = 0 }

/* A distribution list or Microsoft 365 group and its (transitive) members. */
struct cal_group {
	char *id;
	char *mail;
	char *display_name;
	struct cal_address *members;
	size_t nmembers;
	size_t members_alloc; /* slots in members */
	/*
	 * The members' addresses, letter case ignored, keys borrowed from
	 * members: made by the reader of member pages so that each member
	 * is looked up once, whatever the group's size. Owned; may be NULL.
	 */
	struct hmap *listed;
};

void cal_datetime_release(struct cal_datetime *dt);
void cal_address_release(struct cal_address *a);
void cal_event_release(struct cal_event *ev);
void cal_event_list_release(struct cal_event_list *list);
void cal_mailbox_release(struct cal_mailbox *mb);
void cal_user_release(struct cal_user *u);
void cal_user_list_release(struct cal_user_list *list);
void cal_group_release(struct cal_group *g);

/*
 * Copy every string of ev, borrowed from elsewhere (a parsed answer),
 * into one block that ev then owns (ev->block); the attendees array is
 * ev's already. DG_ENOMEM leaves ev's strings borrowed: the caller drops
 * them (cal_event_forget()).
 */
int cal_event_pack(struct cal_event *ev) __attribute__((warn_unused_result));

/*
 * Drop an event whose strings are borrowed (not yet packed): free the
 * attendees array only, and zero ev.
 */
void cal_event_forget(struct cal_event *ev);

/*
 * Append a zeroed slot to the list; *out points at it (valid until the next
 * push). DG_ENOMEM on failure.
 */
int cal_event_list_push(struct cal_event_list *list, struct cal_event **out)
	__attribute__((warn_unused_result));
int cal_user_list_push(struct cal_user_list *list, struct cal_user **out)
	__attribute__((warn_unused_result));

/*
 * Make room for n users in all (those in list included), so that pushes
 * up to n allocate nothing: a list whose size is known is made once, with
 * no doubling slack. DG_ENOMEM (list unchanged) on failure.
 */
int cal_user_list_reserve(struct cal_user_list *list, size_t n)
	__attribute__((warn_unused_result));

#endif
