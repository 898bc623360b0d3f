/*
 * match: who is in the room.
 *
 * Turns a meeting's attendees into people of the roster: addresses are
 * compared without regard to case, through roster aliases and the
 * tenant's proxyAddresses ("smtp:"/"SMTP:"), and a distribution list is
 * expanded to its members. Rooms and other resources, and the user
 * themself, are left out; unknown people are kept, without a profile.
 * Group lookups are not done here: the caller resolves the addresses that
 * match_is_known() does not know, and hands the groups in, so data only
 * flows forward.
 */
#ifndef DIGEST_MATCH_H
#define DIGEST_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "err.h"
#include "roster.h"

/* What match consults; all borrowed. */
struct match_directory {
	const struct roster *roster;
	const struct cal_user_list *users;  /* the tenant: proxyAddresses */
	const struct cal_group *groups;     /* resolved lists */
	size_t ngroups;
};

struct match_attendee {
	char *email;  /* the person's email when matched, else as invited */
	char *name;   /* roster name, else the invitation's name; may be NULL */
	const struct roster_person *person; /* borrowed; NULL if unmatched */
	const char *via; /* "direct", "alias" or "group"; NULL if unmatched */
	char *group;     /* via group: the list's name (or address) */
	bool external;   /* the address's domain is none of the tenant's */
	enum cal_attendee_type type;
};

struct match_list {
	struct match_attendee *v;
	size_t n;
	size_t alloc;
	size_t unmatched; /* attendees kept without a profile */
};

#define MATCH_LIST_INIT { .v = NULL, .n = 0, .alloc = 0, .unmatched = 0 }

/*
 * True when address is a roster person (email or alias) or a tenant
 * user's address: no group lookup is needed for it.
 */
bool match_is_known(const struct match_directory *d, const char *address);

/* True when address belongs to user (mail, UPN or a proxy address). */
bool match_is_self(const struct cal_user *user, const char *address);

/*
 * Append the attendees of ev, as seen by self, to out: each person once,
 * the organizer first, then the direct invitations in invitation order,
 * then the members of each list in the lists' order (so that someone
 * invited both ways is "direct"). self is left out under any of its
 * addresses and under its roster aliases. out is yours:
 * match_list_release() it.
 */
int match_event(const struct match_directory *d, const struct cal_user *self,
		const struct cal_event *ev, struct match_list *out,
		struct dg_err *err) __attribute__((warn_unused_result));

/*
 * The roster person that address designates, directly or through an
 * alias or a tenant proxy address; *via is set to "direct" or "alias".
 * NULL when none.
 */
const struct roster_person *match_person(const struct match_directory *d,
					 const char *address,
					 const char **via);

void match_list_release(struct match_list *l);

#endif
