/*
 * fixtures: a recorded Graph tenant read back from files.
 *
 * A recording is a folder that mirrors Graph's URL paths (relative to
 * /v1.0/) with ".json" added: GET /users is users.json, GET
 * /users/{id}/calendarView is users/{id}/calendarView.json. The page an
 * @odata.nextLink reaches is the same name with ".skip-N" or
 * ".skiptoken-T" before ".json", after its $skip=N or $skiptoken=T. The
 * files hold Graph's answers byte for byte and go through graphjson like
 * live answers, so the demo and the tests exercise the real parser.
 *
 * Invariants: a recording is a recording: events come back as recorded,
 * whatever window is asked (the planner picks the day). Only files inside
 * the folder are read: a nextLink or an id that would leave it is refused.
 * Every error names the file, and the user when there is one.
 *
 * Most callers want source.h, which wraps this module; tests and tools may
 * use it directly.
 */
#ifndef DIGEST_FIXTURES_H
#define DIGEST_FIXTURES_H

#include "calendar.h"
#include "err.h"
#include "strbuf.h"

/* Largest file of a recording; a Graph page is far below it. */
#define FIXTURES_FILE_MAX ((size_t)64 << 20)

struct fixtures;

/*
 * Open the recording in folder dir (users.json must be there). *out is
 * yours: fixtures_close() it. DG_ENOTFOUND if dir or users.json is absent.
 */
int fixtures_open(const char *dir, struct fixtures **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Append every user of every users page; on error nothing is appended. */
int fixtures_users(struct fixtures *fx, struct cal_user_list *out,
		   struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Read users/{u->id}/mailboxSettings.json into *out (zeroed by the
 * caller; cal_mailbox_release() it). DG_ENOTFOUND when the file is
 * missing: the user has no mailbox.
 */
int fixtures_mailbox(struct fixtures *fx, const struct cal_user *u,
		     struct cal_mailbox *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Append every event of every calendarView page of u; on error nothing is
 * appended. DG_ENOTFOUND when the first page is missing.
 */
int fixtures_events(struct fixtures *fx, const struct cal_user *u,
		    struct cal_event_list *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Look address up (case-insensitively) in groups.json and its pages and
 * fill *out (zeroed by the caller; cal_group_release() it) with the group
 * and its transitive members. DG_ENOTFOUND if no group has that mail (a
 * recording without groups.json has no groups); a group whose members
 * file is missing is DG_EIO: the recording is incomplete.
 */
int fixtures_group(struct fixtures *fx, const char *address,
		   struct cal_group *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free fx. NULL is a no-op. */
void fixtures_close(struct fixtures *fx);

/*
 * Append to out the file name (relative to the recording) of the page a
 * nextLink points at: "https://graph.microsoft.com/v1.0/users?$top=6&
 * $skiptoken=X" gives "users.skiptoken-X.json". The path is percent-
 * decoded and must stay inside the recording (no "." or ".." segment, no
 * backslash); the skiptoken must be made of [A-Za-z0-9._~+=-]. DG_EINVAL
 * otherwise.
 */
int fixtures_page_path(const char *next_link, struct strbuf *out,
		       struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
