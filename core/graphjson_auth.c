/*
 * graphjson_auth: the answers of the Microsoft identity platform (token
 * and device-code endpoints). Tokens are wiped from memory on release.
 */
#include "graphjson.h"
#include "graphjson_int.h"
#include "secret.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/*
 * A count of seconds: a JSON number or a numeric string (the v1 endpoint
 * sent strings and some proxies still do). Absent gives dflt.
 */
static int get_seconds(json_object *o, const char *key, long dflt, long *out,
		       struct dg_err *err)
{
	json_object *v = NULL;
	const char *s;
	char *end;
	long n;

	*out = dflt;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		n = i < 0 ? -1 : i > INT_MAX ? INT_MAX : (long)i;
	} else if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		errno = 0;
		n = strtol(s, &end, 10);
		if (!*s || *end || errno)
			n = -1;
	} else {
		return dg_errf(err, DG_EPARSE,
			       "field '%s' must be a number, "
			       "not %s",
			       key, graphjson_type_name(v));
	}
	if (n < 0)
		return dg_errf(err, DG_EPARSE,
			       "field '%s' is no count of "
			       "seconds",
			       key);
	*out = n;
	return 0;
}

int graphjson_token(const char *json, size_t len, struct graphjson_token *out,
		    struct dg_err *err)
{
	json_object *root;
	int rc;

	rc = graphjson_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = graphjson_str(root, "", "error", false, &out->error, err);
	if (!rc)
		rc = graphjson_str(root, "", "error_description", false,
				   &out->error_description, err);
	if (!rc)
		rc = graphjson_str(root, "", "access_token", false,
				   &out->access_token, err);
	if (!rc)
		rc = graphjson_str(root, "", "refresh_token", false,
				   &out->refresh_token, err);
	if (!rc)
		rc = get_seconds(root, "expires_in", 0, &out->expires_in, err);
	if (!rc && !out->error && !out->access_token)
		rc = dg_errf(err, DG_EPARSE,
			     "the answer has neither "
			     "'access_token' nor 'error'");
	json_object_put(root);
	if (rc)
		graphjson_token_release(out);
	return rc;
}

void graphjson_token_release(struct graphjson_token *t)
{
	secret_wipe(t->access_token);
	secret_wipe(t->refresh_token);
	free(t->error);
	free(t->error_description);
	memset(t, 0, sizeof(*t));
}

int graphjson_device_code(const char *json, size_t len,
			  struct graphjson_device_code *out, struct dg_err *err)
{
	json_object *root;
	int rc;

	rc = graphjson_root(json, len, &root, err);
	if (rc)
		return rc;
	rc = graphjson_str(root, "", "device_code", true, &out->device_code,
			   err);
	if (!rc)
		rc = graphjson_str(root, "", "user_code", true, &out->user_code,
				   err);
	if (!rc)
		rc = graphjson_str(root, "", "verification_uri", true,
				   &out->verification_uri, err);
	if (!rc)
		rc = graphjson_str(root, "", "message", false, &out->message,
				   err);
	if (!rc)
		rc = get_seconds(root, "expires_in", 900, &out->expires_in,
				 err);
	if (!rc)
		rc = get_seconds(root, "interval", 5, &out->interval, err);
	json_object_put(root);
	if (rc)
		graphjson_device_code_release(out);
	return rc;
}

void graphjson_device_code_release(struct graphjson_device_code *d)
{
	secret_wipe(d->device_code);
	free(d->user_code);
	free(d->verification_uri);
	free(d->message);
	memset(d, 0, sizeof(*d));
}
