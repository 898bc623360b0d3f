/*
 * graphjson: Microsoft Graph v1.0 JSON answers turned into the plain
 * structs of calendar.h.
 *
 * Both sources (graph over HTTPS, fixtures from files) hand the bytes they
 * got to these functions, so json-c never leaves this module and both see
 * the same rules:
 *
 * - The text must be one JSON object in valid UTF-8, parsed in json-c's
 *   strict mode (which still lets single-quoted names and NaN through);
 *   otherwise DG_EPARSE with json-c's reason and the line, column and byte
 *   offset. A NUL byte, raw or escaped, is refused: it would cut a string
 *   short in C.
 * - Unknown fields are ignored. An optional field may be absent or null:
 *   strings become NULL (an empty string too), booleans false, enums their
 *   default. A field that is present with the wrong type is an error even
 *   when optional: a producer that sends a number for a subject is broken,
 *   and guessing would hide it.
 * - A required field missing or of the wrong type is DG_EPARSE, naming the
 *   item (1-based position in "value", plus its id when it has one) and the
 *   field: event 3 ("AAMk..."): field 'start.dateTime' is missing.
 *   Ids and other calendar text quoted in messages are cut short and their
 *   control characters replaced, so a hostile value cannot forge log lines.
 * - Enum values are compared case-insensitively (Graph's own examples mix
 *   "scheduled" and "Scheduled"). Unknown values: a sensitivity becomes
 *   private (a meeting we cannot classify is never shown in full), an
 *   attendee type becomes required (a person, so matching still applies),
 *   an automatic-replies status becomes disabled (a digest too many beats
 *   a silently missing one), an unknown day name in workingHours is left
 *   out. Each of these is reported through logging_warn().
 * - The page functions append to the caller's list and hand back the
 *   page's @odata.nextLink. On error nothing is appended (the items this
 *   call added are released again) and *next_link is NULL.
 *
 * Nothing here knows about time zones: date-times stay as Graph wrote
 * them; only the shape "YYYY-MM-DDTHH:MM:SS" is checked.
 */
#ifndef DIGEST_GRAPHJSON_H
#define DIGEST_GRAPHJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "err.h"

/*
 * A page of GET /users?$select=id,mail,displayName,userPrincipalName,
 * proxyAddresses. Required per user: id. Users without mail are kept (the
 * caller decides). *next_link is yours (free()), NULL on the last page.
 */
int graphjson_users_page(const char *json, size_t len,
			 struct cal_user_list *out, char **next_link,
			 struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * GET /users/{id}/mailboxSettings. Every part is optional, except that a
 * "scheduled" automatic reply needs both scheduled date-times. *out must
 * be zeroed; on success it is yours: cal_mailbox_release() it. On error it
 * is left zeroed.
 */
int graphjson_mailbox(const char *json, size_t len, struct cal_mailbox *out,
		      struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * A page of GET /users/{id}/calendarView. Required per event: id, start and
 * end with their dateTime and timeZone. Attendees of an unknown type count
 * as required; emailAddress parts may be NULL. *next_link as above.
 */
int graphjson_events_page(const char *json, size_t len,
			  struct cal_event_list *out, char **next_link,
			  struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * A page of GET /groups (with or without $filter=mail eq '...'): look for
 * the group whose mail is address (ASCII case-insensitive). When found,
 * *found is true and out->id, mail, display_name are filled (out must be
 * zeroed; it is yours: cal_group_release()); members are not touched.
 * Required per group: id. *next_link as above, also when found.
 */
int graphjson_group_find(const char *json, size_t len, const char *address,
			 struct cal_group *out, bool *found, char **next_link,
			 struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * A page of GET /groups/{id}/transitiveMembers: append to g->members every
 * member that can receive mail as a person: users, and organisational
 * contacts (external people in a distribution list), with a non-empty
 * mail. Nested groups (already flattened by "transitive") and devices are
 * skipped, and an address already in g->members (case-insensitive) is not
 * added twice. An item without @odata.type counts as a user.
 */
int graphjson_members_page(const char *json, size_t len, struct cal_group *g,
			   char **next_link, struct dg_err *err)
	__attribute__((warn_unused_result));

/* A Graph error body: {"error": {"code", "message", "innerError"}}. */
struct graphjson_error {
	char *code;       /* "ErrorItemNotFound"; may be "" */
	char *message;    /* NULL if none; server text, not for branching */
	char *request_id; /* innerError.request-id, for support; may be NULL */
};

#define GRAPHJSON_ERROR_INIT                                           \
	{ .code = NULL, .message = NULL, .request_id = NULL }

/*
 * Parse an error body. Required: error.code. *out must be zeroed; on
 * success it is yours: graphjson_error_release() it.
 */
int graphjson_error_body(const char *json, size_t len,
			 struct graphjson_error *out, struct dg_err *err)
	__attribute__((warn_unused_result));

void graphjson_error_release(struct graphjson_error *e);

#endif
