#include "status.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "clock.h"
#include "jsonw.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

int status_format_text(const struct queue_status_row *rows, size_t n,
		       struct strbuf *out)
{
	int rc = strbuf_addf(out, "%-32s %-10s %-8s %-8s %-20s %s\n", "USER",
			     "DATE", "OUTCOME", "ATTEMPTS", "AT", "REASON");

	for (size_t i = 0; !rc && i < n; i++) {
		const struct queue_status_row *r = &rows[i];
		char at[32];
		const char *why =
			r->reason && *r->reason ? r->reason : r->last_reply;

		clock_format_utc(r->at, at, sizeof(at));
		rc = strbuf_addf(out, "%-32s %-10s %-8s %-8u %-20s %s\n",
				 r->user, r->date, r->outcome, r->attempts, at,
				 or_dash(why));
	}
	return rc;
}

static int add(json_object *o, const char *key, json_object *v)
{
	if (json_object_object_add(o, key, v)) {
		json_object_put(v);
		return DG_ENOMEM;
	}
	return 0;
}

static json_object *row_json(const struct queue_status_row *r)
{
	json_object *o = json_object_new_object();
	char at[32];
	int rc = o ? 0 : DG_ENOMEM;

	clock_format_utc(r->at, at, sizeof(at));
	rc = rc ? rc : add(o, "user", json_object_new_string(r->user));
	rc = rc ? rc : add(o, "date", json_object_new_string(r->date));
	rc = rc ? rc : add(o, "outcome", json_object_new_string(r->outcome));
	rc = rc ? rc
		: add(o, "reason",
		      r->reason ? json_object_new_string(r->reason) : NULL);
	rc = rc ? rc
		: add(o, "attempts", json_object_new_int((int)r->attempts));
	rc = rc ? rc : add(o, "at", json_object_new_string(at));
	rc = rc ? rc
		: add(o, "last_reply",
		      r->last_reply ? json_object_new_string(r->last_reply)
				    : NULL);
	if (rc) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int status_format_json(const struct queue_status_row *rows, size_t n,
		       struct strbuf *out, struct dg_err *err)
{
	json_object *a = json_object_new_array();
	int rc = a ? 0 : DG_ENOMEM;

	for (size_t i = 0; !rc && i < n; i++) {
		json_object *o = row_json(&rows[i]);

		if (!o || json_object_array_add(a, o)) {
			json_object_put(o);
			rc = DG_ENOMEM;
		}
	}
	if (!rc)
		rc = jsonw_write(a, JSONW_PRETTY, out);
	if (!rc)
		rc = strbuf_addch(out, '\n');
	json_object_put(a);
	return rc ? dg_errf(err, rc, "out of memory formatting the status") : 0;
}

/*
 * A delegated user whose sign-in was refused shows as failed, "needs
 * reconnect", whatever the day: the fix is theirs (digest connect).
 */
static int add_reconnects(struct store *st, struct queue_status_row **rows,
			  size_t *n, struct dg_err *err)
{
	struct auth_connected *v = NULL;
	size_t nv = 0;
	int rc = auth_store_list(st, &v, &nv, err);

	for (size_t i = 0; !rc && i < nv; i++) {
		struct queue_status_row *r = NULL, *grown;
		struct strbuf why = STRBUF_INIT;

		if (!v[i].needs_reconnect)
			continue;
		for (size_t j = 0; j < *n && !r; j++)
			if (!strcasecmp((*rows)[j].user, v[i].user))
				r = &(*rows)[j];
		if (!r) {
			grown = realloc(*rows, (*n + 1) * sizeof(**rows));
			if (!grown) {
				rc = DG_ENOMEM;
				break;
			}
			*rows = grown;
			r = &(*rows)[(*n)++];
			memset(r, 0, sizeof(*r));
			r->user = strdup(v[i].user);
			r->date = strdup("-");
		}
		rc = strbuf_addf(&why,
				 "needs reconnect: %s; run 'digest "
				 "connect'",
				 v[i].reason ? v[i].reason : "sign-in refused");
		free(r->outcome);
		free(r->reason);
		r->outcome = strdup("failed");
		r->reason = strbuf_detach(&why, NULL);
		if (rc || !r->user || !r->date || !r->outcome || !r->reason)
			rc = DG_ENOMEM;
	}
	auth_store_list_free(v, nv);
	return rc == DG_ENOMEM ? dg_errf(err, rc, "out of memory") : rc;
}

int status_rows(struct store *st, const char *date,
		struct queue_status_row **rows, size_t *n, struct dg_err *err)
{
	int rc = queue_status(st, date, rows, n, err);

	if (!rc)
		rc = add_reconnects(st, rows, n, err);
	return rc;
}
