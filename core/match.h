/*
 * match: who is in the room.
 *
 * Turns a meeting's attendees into people of the roster: addresses are
 * compared without regard to case, through roster aliases and the
 * tenant's proxyAddresses ("smtp:"/"SMTP:"), and a distribution list is
 * expanded to its members. Rooms and other resources, and the user
 * themself, are left out; unknown people are kept, without a profile.
 * Lookups go to the run's directory (hash indexes, see directory.h);
 * lists are not looked up here: the caller has the directory resolve a
 * meeting first (directory_resolve), so data only flows forward.
 */
#ifndef DIGEST_MATCH_H
#define DIGEST_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "err.h"
#include "directory.h"
#include "roster.h"

/*
 * One person in the room. Every string is borrowed, not copied: from the
 * roster person or the directory's list (both live for the run), or from
 * the event invited (its attendee's address and name). A match_list is
 * thus valid as long as the events it was made of and the directory:
 * release it before them.
 */
struct match_attendee {
	const char *email; /* the person's email when matched, else as invited */
	const char *name;  /* roster name, else the invitation's; may be NULL */
	const struct roster_person *person; /* NULL if unmatched */
	const char *via; /* "direct", "alias" or "group"; NULL if unmatched */
	const char *group; /* via group: the list's name (or address) */
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
 * Append the attendees of ev, as seen by self, to out: each person once,
 * the organizer first, then the direct invitations in invitation order,
 * then the members of each list in the lists' order (so that someone
 * invited both ways is "direct"). self is left out under any of its
 * addresses and under its roster aliases. out is yours:
 * match_list_release() it before ev and d (its strings are theirs).
 */
int match_event(const struct directory *d, const struct cal_user *self,
		const struct cal_event *ev, struct match_list *out,
		struct dg_err *err) __attribute__((warn_unused_result));

void match_list_release(struct match_list *l);

#endif
