/*
 * directory: who an address is, for the whole run.
 *
 * The run's address book: the roster (emails and aliases), the tenant's
 * users (mail, user principal name, smtp proxy addresses), the tenant's
 * domains, and the distribution lists found among attendees. Every
 * question is a hash lookup that ignores ASCII letter case, so no per-user
 * or per-attendee step costs time that grows with the tenant.
 *
 * Lists. An attendee address that is neither a roster person nor a tenant
 * user, and whose domain is one of the tenant's, may be a list. The
 * directory asks the source about it once per run (the one group cache of
 * the program: found or not found, the answer is kept), within two caps:
 * at most limits.per_meeting such addresses of one meeting and at most
 * limits.per_run distinct addresses in the run are looked up; the others
 * are taken for people without a profile ("no profile"), and counted in
 * directory_stats. An invitation with thousands of made-up addresses
 * thus costs a bounded number of requests. Addresses outside the tenant's
 * domains are never lists of the tenant and are not looked up.
 *
 * Ownership: the roster, the users and the source are borrowed and must
 * outlive the directory; the lists it found are its own.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_DIRECTORY_H
#define DIGEST_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "err.h"
#include "roster.h"

struct source;
struct directory;

/* Defaults of [digest] max_list_lookups and ..._per_meeting. */
#define DIRECTORY_PER_RUN 2000
#define DIRECTORY_PER_MEETING 50

struct directory_limits {
	size_t per_run;     /* distinct addresses looked up as lists; 0: default */
	size_t per_meeting; /* addresses of one meeting; 0: default */
};

struct directory_stats {
	size_t lookups;  /* addresses asked about */
	size_t lists;    /* of them, lists */
	size_t capped;   /* addresses not asked about: over a cap */
};

/*
 * Index roster and users. src (may be NULL: no list is ever found)
 * answers list lookups. *out is yours: directory_close() it.
 */
int directory_open(const struct roster *roster,
		   const struct cal_user_list *users, struct source *src,
		   const struct directory_limits *limits,
		   struct directory **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free d and the lists it holds. NULL is a no-op. */
void directory_close(struct directory *d);

/*
 * The roster person that address designates: its email or alias
 * ("direct" or "alias" in *via), or the roster entry of a tenant user who
 * has address among its proxy addresses ("alias"). NULL when none.
 */
const struct roster_person *directory_person(const struct directory *d,
					     const char *address,
					     const char **via);

/* True when address is user's (mail, UPN or smtp proxy), any case. */
bool directory_is_self(const struct cal_user *user, const char *address);

/* The tenant user with address as mail, UPN or smtp proxy; or NULL. */
const struct cal_user *directory_user(const struct directory *d,
				      const char *address);

/* A roster person or a tenant user: no list lookup is needed. */
bool directory_is_known(const struct directory *d, const char *address);

/* The address's domain is none of the tenant's users' domains. */
bool directory_is_external(const struct directory *d, const char *address);

/* The list whose mail is address, when a lookup found one; else NULL. */
const struct cal_group *directory_group(const struct directory *d,
					const char *address);

/*
 * Look up, as lists, the addresses of ev that need it (see above), as
 * seen by self (self's own addresses are not looked up), within the
 * caps. Answers are kept for the run. Fails only when the source fails
 * as a whole (not for an address that is no list).
 */
int directory_resolve(struct directory *d, const struct cal_user *self,
		      const struct cal_event *ev, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The same, ahead and without waiting, for a streaming run: ask the
 * source about the addresses of ev that need it (once each), and add to
 * *pending the number of ev's addresses whose answer is still out. Tell
 * the directory of each answer with directory_answered(); when a later
 * directory_ask() for ev adds nothing to *pending, directory_resolve()
 * for ev costs no request (unless a lookup failed: then it asks again,
 * and says why it failed).
 */
int directory_ask(struct directory *d, const struct cal_user *self,
		  const struct cal_event *ev, size_t *pending,
		  struct dg_err *err) __attribute__((warn_unused_result));

/* The source has the answer about address (see source_on_answer). */
int directory_answered(struct directory *d, const char *address,
		       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Put g (taken over, *g zeroed) in the directory as the list of its
 * mail, as a lookup would. DG_EEXISTS (g untouched) when that address
 * has an answer already.
 */
int directory_add_group(struct directory *d, struct cal_group *g,
			struct dg_err *err) __attribute__((warn_unused_result));

void directory_get_stats(const struct directory *d,
			 struct directory_stats *out);

#endif
