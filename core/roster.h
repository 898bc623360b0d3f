/*
 * roster: the people digest knows, the model. roster_import.h reads them
 * from a CSV or JSON lines file, roster_db.h keeps them in the store.
 *
 * A roster file has a header (CSV) or keys (JSON lines): `email` is
 * required; `name`, `title`, `aliases` (separated by ';'), `digest` (yes or
 * no: receives digests; empty is yes), `profile` (visible or hidden: shown
 * in colleagues' digests; empty is visible) and `opt_out` (both at once:
 * no digest and hidden) are known; every other column is an assessment whose lower-cased name
 * (`disc`) names the assessment and whose cell (`D`) is the result. Results
 * become template paths (templates/tips/<assessment>/<result>), so names
 * must match [a-z0-9_-]+ and results [A-Za-z0-9_+-]+: nothing else can
 * reach the file system.
 *
 * Invariants of a roster that was read (or loaded from the store): every
 * email and alias is a valid address and unique among all emails and
 * aliases, compared case-insensitively (ASCII); name and title are never
 * NULL ("" when not given); a person without a result for an assessment
 * simply has no entry for it. A file with any bad row is refused whole,
 * and the message names the file and the line where the row starts
 * ("roster.csv:12: duplicate email ann@contoso.com (first on line 4)").
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure.
 */
#ifndef DIGEST_ROSTER_H
#define DIGEST_ROSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct roster_assessment {
	char *name;  /* "disc" */
	char *value; /* "D" */
};

struct roster_person {
	char *email; /* as written in the file */
	char *name;  /* "" when not given */
	char *title; /* "" when not given; may hold line breaks */
	char **aliases;
	size_t naliases;
	struct roster_assessment *assessments;
	size_t nassessments;
	unsigned line; /* where the row starts in the file; 0 from the store */
	bool opt_out;   /* no digest, and hidden: both at once */
	bool no_digest; /* digest = no: receives no digest */
	bool hidden;    /* profile = hidden: colleagues see no profile */
	/*
	 * NULL while the person is being built; once in a roster, the one
	 * allocation holding the arrays and strings above (roster_push
	 * packs them): then they are read-only, and only it is freed.
	 */
	char *block;
};

struct roster {
	struct roster_person *v;
	size_t n;
	size_t alloc;
};

#define ROSTER_INIT                                                            \
	{                                                                      \
		.v = NULL, .n = 0, .alloc = 0                                  \
	}

/*
 * The person whose email or alias is address, compared case-insensitively
 * (ASCII); NULL if none. Borrowed from r: valid until r changes.
 */
const struct roster_person *roster_find(const struct roster *r,
					const char *address);

/* The result of assessment name for p ("D"), or NULL if p has none. */
const char *roster_person_result(const struct roster_person *p,
				 const char *name);

/* Free everything r holds; r is then empty (as ROSTER_INIT). */
void roster_release(struct roster *r);

/*
 * Building blocks for code that fills a roster (the readers, after their
 * checks; the store, tests): they copy or move, they do not validate.
 *
 * roster_person_add_alias and roster_person_add_result copy their strings
 * into p (a packed p is first unpacked: slow, for tests). roster_push appends
 * p to r and takes over everything p holds (p is zeroed), packed into one
 * allocation (a roster holds a person in one block, not in a dozen:
 * hundreds of thousands of people fit in a third of the memory); on
 * failure p is unchanged. roster_reserve makes room for n people in all,
 * so that pushes up to n do not move or grow the array (a roster whose
 * size is known is made once). roster_person_release frees what p holds
 * and zeroes it.
 */
int roster_person_add_alias(struct roster_person *p, const char *address)
	__attribute__((warn_unused_result));
int roster_person_add_result(struct roster_person *p, const char *name,
			     const char *value)
	__attribute__((warn_unused_result));
int roster_push(struct roster *r, struct roster_person *p)
	__attribute__((warn_unused_result));
int roster_reserve(struct roster *r, size_t n)
	__attribute__((warn_unused_result));
void roster_person_release(struct roster_person *p);

#endif
