#include "roster_jsonl.h"

#include "roster_build.h"
#include "text.h"
#include "strbuf.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* JSON lines: one object per line, keys as the CSV header's. */

/* A JSON string may hide a NUL ("\u0000") that C strings would cut. */
static int json_string_ok(struct roster_build *b, unsigned line,
			  const char *key, struct json_object *val)
{
	if (text_is_utf8(json_object_get_string(val),
			 (size_t)json_object_get_string_len(val)))
		return 0;
	return dg_errf(b->err, DG_EINVAL,
		       "%s:%u: the value of '%s' holds a NUL character or a "
		       "broken \\u escape",
		       b->name, line, key);
}

static int json_text(struct roster_build *b, unsigned line, const char *key,
		     struct json_object *val, bool text, char **out)
{
	int rc;

	if (json_object_is_type(val, json_type_null))
		return 0;
	if (!json_object_is_type(val, json_type_string))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: '%s' must be a string", b->name, line,
			       key);
	rc = json_string_ok(b, line, key, val);
	if (rc)
		return rc;
	*out = text_trimmed(json_object_get_string(val),
			    (size_t)json_object_get_string_len(val), text);
	return *out ? 0 : roster_build_nomem(b);
}

/* Add the ';'-separated addresses of the JSON string val. */
static int json_alias_string(struct roster_build *b, struct roster_person *p,
			     struct json_object *val)
{
	int rc = json_string_ok(b, p->line, "aliases", val);

	if (rc)
		return rc;
	if (roster_build_aliases(p, json_object_get_string(val),
				 (size_t)json_object_get_string_len(val)))
		return roster_build_nomem(b);
	return 0;
}

static int json_aliases(struct roster_build *b, struct roster_person *p,
			struct json_object *val)
{
	size_t i, n;
	int rc;

	if (json_object_is_type(val, json_type_null))
		return 0;
	if (json_object_is_type(val, json_type_string))
		return json_alias_string(b, p, val);
	if (!json_object_is_type(val, json_type_array))
		goto bad;
	n = json_object_array_length(val);
	for (i = 0; i < n; i++) {
		struct json_object *one = json_object_array_get_idx(val, i);

		if (!json_object_is_type(one, json_type_string))
			goto bad;
		rc = json_alias_string(b, p, one);
		if (rc)
			return rc;
	}
	return 0;
bad:
	return dg_errf(b->err, DG_EINVAL,
		       "%s:%u: 'aliases' must be a list of strings or one "
		       "';'-separated string",
		       b->name, p->line);
}

static int json_result(struct roster_build *b, struct roster_person *p,
		       const char *key, struct json_object *val)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	if (!roster_build_name_ok(key))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: key '%s' may only hold letters, digits, "
			       "'_' and '-'",
			       b->name, p->line, key);
	if (roster_person_result(p, key))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: key '%s' appears twice", b->name,
			       p->line, key);
	if (json_object_is_type(val, json_type_int)) {
		rc = strbuf_addf(&sb, "%lld",
				 (long long)json_object_get_int64(val));
	} else if (json_object_is_type(val, json_type_string)) {
		rc = json_string_ok(b, p->line, key, val);
		if (rc)
			return rc;
		rc = strbuf_addstr(&sb, json_object_get_string(val));
	} else if (!json_object_is_type(val, json_type_null)) {
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: the %s result must be a string or an "
			       "integer",
			       b->name, p->line, key);
	}
	strbuf_trim(&sb);
	if (!rc && sb.len)
		rc = roster_person_add_result(p, key, sb.buf);
	strbuf_release(&sb);
	return rc ? roster_build_nomem(b) : 0;
}

static int json_opt_out(struct roster_build *b, struct roster_person *p,
			struct json_object *val)
{
	if (json_object_is_type(val, json_type_null))
		return 0;
	if (!json_object_is_type(val, json_type_boolean))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: opt_out must be true or false, not %s",
			       b->name, p->line,
			       json_object_to_json_string_ext(
				       val, JSON_C_TO_STRING_PLAIN));
	p->opt_out = json_object_get_boolean(val);
	return 0;
}

/* A known key given twice (json-c keeps the last of exact repeats). */
static int json_once(struct roster_build *b, const struct roster_person *p,
		     const char *key, const void *field)
{
	if (!field)
		return 0;
	return dg_errf(b->err, DG_EINVAL, "%s:%u: key '%s' appears twice",
		       b->name, p->line, key);
}

static char **json_text_slot(struct roster_person *p, enum roster_column kind)
{
	if (kind == ROSTER_COLUMN_EMAIL)
		return &p->email;
	return kind == ROSTER_COLUMN_NAME ? &p->name : &p->title;
}

static int json_field(struct roster_build *b, struct roster_person *p,
		      const char *key, struct json_object *val)
{
	enum roster_column kind = roster_build_column(key);
	char **slot;
	int rc;

	switch (kind) {
	case ROSTER_COLUMN_EMAIL:
	case ROSTER_COLUMN_NAME:
	case ROSTER_COLUMN_TITLE:
		slot = json_text_slot(p, kind);
		rc = json_once(b, p, key, *slot);
		return rc ? rc
			  : json_text(b, p->line, key, val,
				      kind != ROSTER_COLUMN_EMAIL, slot);
	case ROSTER_COLUMN_ALIASES:
		rc = json_once(b, p, key, p->aliases);
		return rc ? rc : json_aliases(b, p, val);
	case ROSTER_COLUMN_OPT_OUT:
		return json_opt_out(b, p, val);
	case ROSTER_COLUMN_RESULT:
		break;
	}
	return json_result(b, p, key, val);
}

static int json_fields(struct roster_build *b, struct roster_person *p,
		       struct json_object *obj)
{
	struct strbuf key = STRBUF_INIT;
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	int rc = 0;

	for (; !rc && !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		strbuf_reset(&key);
		if (strbuf_addstr(&key, json_object_iter_peek_name(&it))) {
			rc = roster_build_nomem(b);
			break;
		}
		strbuf_trim(&key);
		text_lower(key.buf);
		rc = json_field(b, p, key.buf,
				json_object_iter_peek_value(&it));
	}
	strbuf_release(&key);
	return rc;
}

static struct json_object *json_parse_line(struct roster_build *b,
					   const char *s, size_t len,
					   unsigned line, int *rc)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	enum json_tokener_error jerr;

	*rc = 0;
	if (!tok) {
		*rc = roster_build_nomem(b);
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success &&
	    text_has_content(s + json_tokener_get_parse_end(tok),
			     len - json_tokener_get_parse_end(tok)))
		*rc = dg_errf(b->err, DG_EPARSE,
			      "%s:%u: text after the JSON object; each line "
			      "must hold exactly one",
			      b->name, line);
	else if (jerr == json_tokener_continue)
		*rc = dg_errf(b->err, DG_EPARSE,
			      "%s:%u: the line ends inside a JSON value; each "
			      "line must hold one whole object",
			      b->name, line);
	else if (jerr != json_tokener_success)
		*rc = dg_errf(b->err, DG_EPARSE, "%s:%u: not valid JSON: %s",
			      b->name, line, json_tokener_error_desc(jerr));
	else if (!json_object_is_type(obj, json_type_object))
		*rc = dg_errf(b->err, DG_EPARSE,
			      "%s:%u: each line must be a JSON object", b->name,
			      line);
	json_tokener_free(tok);
	if (*rc) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static int jsonl_line(struct roster_build *b, const char *s, size_t len,
		      unsigned line)
{
	struct roster_person p = {.line = line};
	struct json_object *obj;
	int rc;

	if (!text_is_utf8(s, len))
		return dg_errf(b->err, DG_EPARSE,
			       "%s:%u: not UTF-8 text; save the roster as "
			       "UTF-8",
			       b->name, line);
	if (len > INT32_MAX)
		return dg_errf(b->err, DG_ETOOBIG,
			       "%s:%u: the line is too long", b->name, line);
	obj = json_parse_line(b, s, len, line, &rc);
	if (rc)
		return rc;
	rc = json_fields(b, &p, obj);
	if (!rc)
		rc = roster_build_add(b, &p);
	roster_person_release(&p);
	json_object_put(obj);
	return rc;
}

int roster_read_jsonl(const char *text, size_t len, const char *name,
		      struct roster *out, struct dg_err *err)
{
	struct roster_build b;
	size_t pos = 0, end;
	unsigned line = 0;
	int rc = 0;

	roster_build_init(&b, name, out, err);
	text_skip_bom(&text, &len);
	while (!rc && pos < len) {
		end = text_line_end(text, len, pos);
		line++;
		if (text_has_content(text + pos, end - pos))
			rc = jsonl_line(&b, text + pos, end - pos, line);
		pos = end;
	}
	roster_build_release(&b);
	if (rc)
		roster_release(out);
	return rc;
}
