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
 *
 * A $batch answer is parsed once, whole: the body of each answer in it
 * is handed on as a struct graphjson_value (JSON parsed already), and the
 * readers of batched answers take either text or such a value (the
 * *_value functions), with the same rules and messages. An answer as
 * Graph writes it is read by yajl into tokens, and its pages of events
 * become events straight from them, without json-c's tree (most of a
 * run's JSON, and once a fifth of its CPU); anything else is parsed by
 * json-c as ever. yajl stays inside this module too.
 */
#ifndef DIGEST_GRAPHJSON_H
#define DIGEST_GRAPHJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "err.h"
#include "strbuf.h"

/*
 * A JSON value parsed already: the body of one answer of a $batch
 * (struct graphjson_subanswer), borrowed from the batch that holds it.
 * Its content is read as the text it came from would be: a reader that
 * wants an object refuses anything else as it refuses such text.
 */
struct graphjson_value;

/*
 * Append v written back as JSON text to out (compact, as json-c writes
 * it), for a caller that wants the text after all. DG_ENOMEM, or
 * DG_ETOOBIG past out's limit.
 */
int graphjson_value_write(const struct graphjson_value *v, struct strbuf *out)
	__attribute__((warn_unused_result));

/*
 * A reader of many JSON texts, one after another: it keeps json-c's
 * parser state (a few KB) from text to text instead of allocating it for
 * each. A text that fails to parse leaves it ready for the next one. Not
 * for two threads at once: one reader per thread (a graph handle keeps
 * one for its $batch answers).
 */
struct graphjson_reader;

/* A new reader. *out is yours: graphjson_reader_free() it. DG_ENOMEM. */
int graphjson_reader_new(struct graphjson_reader **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free r. NULL is a no-op. */
void graphjson_reader_free(struct graphjson_reader *r);

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

/* The same, of a value parsed already (a batched answer). */
int graphjson_mailbox_value(const struct graphjson_value *v,
			    struct cal_mailbox *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * A page of GET /users/{id}/calendarView. Required per event: id, start and
 * end with their dateTime and timeZone. Attendees of an unknown type count
 * as required; emailAddress parts may be NULL. *next_link as above.
 * An event that breaks these rules (or holds a NUL) is left out with a
 * logging_warn() naming it and why; the page still succeeds, so one bad
 * invitation cannot take a reader's whole day away.
 */
int graphjson_events_page(const char *json, size_t len,
			  struct cal_event_list *out, char **next_link,
			  struct dg_err *err)
	__attribute__((warn_unused_result));

/* The same, of a value parsed already (a batched answer). */
int graphjson_events_page_value(const struct graphjson_value *v,
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

/* The same, of a value parsed already (a batched answer). */
int graphjson_group_find_value(const struct graphjson_value *v,
			       const char *address, struct cal_group *out,
			       bool *found, char **next_link,
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

/* The same, of a value parsed already (a batched answer). */
int graphjson_members_page_value(const struct graphjson_value *v,
				 struct cal_group *g, char **next_link,
				 struct dg_err *err)
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

/* The same, of a value parsed already (a batched answer). */
int graphjson_error_value(const struct graphjson_value *v,
			  struct graphjson_error *out, struct dg_err *err)
	__attribute__((warn_unused_result));

void graphjson_error_release(struct graphjson_error *e);

/* ---- the directory: graphjson_dir.c -------------------------------- */

/*
 * The single user of GET /me?$select=id,mail,displayName,
 * userPrincipalName,proxyAddresses (or GET /users/{id}). Required: id.
 * *out must be zeroed; on success it is yours: cal_user_release().
 */
int graphjson_user(const char *json, size_t len, struct cal_user *out,
		   struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * A page of GET /groups/{id}/transitiveMembers?$select=id,mail,...: append
 * the members that are users (@odata.type #microsoft.graph.user, or none)
 * to out, parsed like graphjson_users_page(); groups, contacts and devices
 * are skipped. *next_link as above.
 */
int graphjson_member_users_page(const char *json, size_t len,
				struct cal_user_list *out, char **next_link,
				struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * A page of GET /groups?$filter=...: count in *matches the groups whose
 * mail or displayName is name (ASCII case-insensitive); the first one
 * found (when *matches was 0 on entry) goes to out (zeroed by the caller;
 * cal_group_release() it). *matches is not reset, so it adds up over
 * pages. *next_link as above.
 */
int graphjson_group_named(const char *json, size_t len, const char *name,
			  struct cal_group *out, size_t *matches,
			  char **next_link, struct dg_err *err)
	__attribute__((warn_unused_result));

/* ---- JSON batching: graphjson_batch.c ----------------------------- */

/* One request of a $batch: what goes into its "requests" array. */
struct graphjson_subrequest {
	const char *id;     /* unique in the batch */
	const char *method; /* "GET" */
	const char *url;    /* relative to the version root: "/users/x" */
	const char *prefer; /* the Prefer header's value, or NULL */
};

/*
 * Append the JSON body of POST /$batch for the n requests in v to out.
 * Strings are escaped by json-c, so a URL or header cannot break out.
 */
int graphjson_batch_request(const struct graphjson_subrequest *v, size_t n,
			    struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * One answer of a $batch. Everything is borrowed from the batch (valid
 * until graphjson_batch_release()): the body is parsed once, with the
 * batch, and read by the *_value functions, never written out as text
 * and parsed again.
 */
struct graphjson_subanswer {
	const char *id;
	long status;             /* the HTTP status of this request */
	const char *retry_after; /* its Retry-After header (any case), or NULL */
	/* an object or array body, parsed; NULL when none or a string */
	const struct graphjson_value *value;
	const char *body; /* a string body as is, or NULL */
	size_t body_len;  /* of a string body; 0 otherwise */
};

struct graphjson_batch_tree; /* what the answers borrow from */

struct graphjson_batch {
	struct graphjson_subanswer *v;
	size_t n;
	struct graphjson_batch_tree *tree;
};

#define GRAPHJSON_BATCH_INIT { .v = NULL, .n = 0, .tree = NULL }

/*
 * Parse the answer of POST /$batch: {"responses": [{id, status, headers,
 * body}]}, in whatever order the server chose. Required per answer: id (a
 * string) and status (a number from 100 to 599); a body is an object,
 * an array or a string. *out must be empty; on success it is yours:
 * graphjson_batch_release().
 */
int graphjson_batch_answer(const char *json, size_t len,
			   struct graphjson_batch *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The same, parsed with reader r (NULL: a parser for this answer only).
 * The answers may borrow r's buffers: release them before r reads
 * another $batch answer.
 */
int graphjson_batch_read(struct graphjson_reader *r, const char *json,
			 size_t len, struct graphjson_batch *out,
			 struct dg_err *err) __attribute__((warn_unused_result));

void graphjson_batch_release(struct graphjson_batch *b);

/* ---- sign-in: graphjson_auth.c ------------------------------------ */

/*
 * An answer of the Microsoft identity platform's token endpoint: either
 * a token (access_token set) or an error (error set). error_description
 * is the server's text ("AADSTS7000215: Invalid client secret ...",
 * followed by trace lines); it never contains the secret we sent.
 */
struct graphjson_token {
	char *access_token;
	char *refresh_token; /* NULL unless the grant returns one */
	long expires_in;     /* seconds; 0 when absent */
	char *error;         /* OAuth code: "invalid_grant", ... */
	char *error_description;
};

#define GRAPHJSON_TOKEN_INIT                                           \
	{ .access_token = NULL, .refresh_token = NULL, .expires_in = 0,  \
	  .error = NULL, .error_description = NULL }

/*
 * Parse a token endpoint answer (success or error shape). A text with
 * neither access_token nor error is DG_EPARSE. expires_in may be a number
 * or a numeric string (both are seen). *out must be zeroed; it is yours:
 * graphjson_token_release() it (which wipes the tokens).
 */
int graphjson_token(const char *json, size_t len, struct graphjson_token *out,
		    struct dg_err *err)
	__attribute__((warn_unused_result));

void graphjson_token_release(struct graphjson_token *t);

/* The answer of POST .../oauth2/v2.0/devicecode. */
struct graphjson_device_code {
	char *device_code;
	char *user_code;
	char *verification_uri;
	char *message; /* ready-made instructions; may be NULL */
	long expires_in; /* seconds, 900 when absent */
	long interval;   /* seconds between polls, 5 when absent */
};

#define GRAPHJSON_DEVICE_CODE_INIT                                     \
	{ .device_code = NULL, .user_code = NULL,                      \
	  .verification_uri = NULL, .message = NULL, .expires_in = 0,  \
	  .interval = 0 }

/*
 * Parse a device-code answer. Required: device_code, user_code,
 * verification_uri. *out must be zeroed; graphjson_device_code_release().
 */
int graphjson_device_code(const char *json, size_t len,
			  struct graphjson_device_code *out,
			  struct dg_err *err)
	__attribute__((warn_unused_result));

void graphjson_device_code_release(struct graphjson_device_code *d);

#endif
