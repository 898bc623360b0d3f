/*
 * mime-build: mime_build() from the command line, for the end-to-end
 * tests that parse its output with other readers (Python's email).
 *
 * Reads one JSON object on stdin:
 *   {"from", "to_name" (may be null), "to_address", "subject", "text",
 *    "html", "date" (epoch seconds), "message_id",
 *    "extra": [[name, value], ...]}
 * and writes the message to stdout. Exit 0, or 1 with the error on stderr.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mime.h"
#include "strbuf.h"

static const char *get_string(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The [name, value] pairs of "extra"; *out is yours: free() it. */
static int get_extra(struct json_object *obj, struct mime_header **out,
		     size_t *n)
{
	struct json_object *arr, *pair;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(obj, "extra", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return -1;
	*n = json_object_array_length(arr);
	*out = calloc(*n ? *n : 1, sizeof(**out));
	if (!*out)
		return -1;
	for (i = 0; i < *n; i++) {
		pair = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(pair, json_type_array) ||
		    json_object_array_length(pair) != 2)
			return -1;
		(*out)[i].name = json_object_get_string(
			json_object_array_get_idx(pair, 0));
		(*out)[i].value = json_object_get_string(
			json_object_array_get_idx(pair, 1));
	}
	return 0;
}

int main(void)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct mime_message m = {0};
	struct mime_header *extra = NULL;
	struct json_object *obj, *date;
	int rc = 1;

	if (strbuf_read_fd(&in, 0)) {
		fprintf(stderr, "mime-build: cannot read stdin\n");
		return 1;
	}
	obj = json_tokener_parse(in.buf);
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		fprintf(stderr, "mime-build: stdin is not a JSON object\n");
		goto out;
	}
	m.from = get_string(obj, "from");
	m.to_name = get_string(obj, "to_name");
	m.to_address = get_string(obj, "to_address");
	m.subject = get_string(obj, "subject");
	m.text = get_string(obj, "text");
	m.html = get_string(obj, "html");
	m.message_id = get_string(obj, "message_id");
	if (json_object_object_get_ex(obj, "date", &date))
		m.date = json_object_get_int64(date);
	if (get_extra(obj, &extra, &m.nextra)) {
		fprintf(stderr, "mime-build: \"extra\" must be a list of "
				"[name, value] pairs\n");
		goto out;
	}
	m.extra = extra;
	if (mime_build(&m, &out, &err)) {
		fprintf(stderr, "mime-build: %s\n", err.msg);
		goto out;
	}
	if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout)) {
		fprintf(stderr, "mime-build: cannot write stdout\n");
		goto out;
	}
	rc = 0;
out:
	free(extra);
	json_object_put(obj);
	strbuf_release(&in);
	strbuf_release(&out);
	return rc;
}
