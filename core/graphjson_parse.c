/*
 * graphjson_parse: the text of an answer made one json-c object, the part
 * of graphjson every reader starts with (graphjson_int.h): the reader
 * that keeps json-c's tokener from text to text, the checks of the whole
 * text before json-c sees it (empty, too large, a NUL byte), whether its
 * strings are strict UTF-8 without \u0000 (so that the field readers
 * need not check them one by one), the messages of invalid JSON with
 * their line and column, and a $batch body parsed already taken as the
 * same object (or written back as text). Apart from graphjson.c because
 * it reads bytes, not fields: it knows nothing of Graph's answers.
 */
#include "graphjson.h"
#include "graphjson_int.h"
#include "jsonw.h"
#include "text.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Line and column (1-based) of byte off, for messages on invalid JSON. */
static void position_of(const char *json, size_t off, size_t *line,
			size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (json[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * What a reader keeps from text to text: json-c's tokener, made once and
 * reset before each parse (json_tokener_new() allocates its state and a
 * stack of 32 levels, a request large enough to make glibc consolidate
 * its free lists each time).
 */
struct graphjson_reader {
	struct json_tokener *tok;
	struct graphjson_doc *doc; /* for $batch answers: graphjson_doc.c */
};

int graphjson_reader_new(struct graphjson_reader **out, struct dg_err *err)
{
	struct graphjson_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r)
		r->tok = json_tokener_new();
	if (!r || !r->tok) {
		free(r);
		return dg_errf(err, DG_ENOMEM, "out of memory parsing JSON");
	}
	*out = r;
	return 0;
}

void graphjson_reader_free(struct graphjson_reader *r)
{
	if (!r)
		return;
	json_tokener_free(r->tok);
	graphjson_doc_free(r->doc);
	free(r);
}

struct graphjson_doc *graphjson_reader_doc(struct graphjson_reader *r)
{
	if (!r->doc)
		r->doc = graphjson_doc_new();
	return r->doc;
}

/* The checks before json-c sees the text. */
static int check_text(const char *json, size_t len, struct dg_err *err)
{
	size_t line, col;
	const char *nul;

	if (!len)
		return dg_errf(err, DG_EPARSE,
			       "invalid JSON: the text is empty");
	if (len > INT_MAX)
		return dg_errf(err, DG_ETOOBIG,
			       "the JSON text is too large (%zu bytes)", len);
	/* json-c would stop there and call it "unexpected end of data". */
	nul = memchr(json, '\0', len);
	if (nul) {
		position_of(json, (size_t)(nul - json), &line, &col);
		return dg_errf(err, DG_EPARSE, "invalid JSON at line %zu, "
			       "column %zu (byte %zu): a NUL byte", line, col,
			       (size_t)(nul - json));
	}
	return 0;
}

/*
 * Whether json-c's own UTF-8 check (JSON_TOKENER_VALIDATE_UTF8) would
 * pass every byte of the text: a byte of 0x80 and up opens a sequence of
 * 1 to 3 bytes 10xxxxxx (110xxxxx, 1110xxxx, 11110xxx), nothing more,
 * and the text does not end inside one. json-c checks each byte it reads
 * once, in order, with a call per byte;
 * this reads ASCII eight bytes at a time. When it says yes, json-c is
 * spared its check (a tenth of its parse); when it says no, json-c parses
 * with its check, so a text is refused with the same message as ever.
 * (Fields are checked again, more strictly, as they are read:
 * graphjson_string_of(), unless graphjson_strings_valid() found them all
 * valid.)
 */
static bool utf8_passes_jsonc(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned need = 0;
	size_t i = 0;

	while (i < len) {
		unsigned char c;

		if (!need)
			i += text_ascii_span(text + i, len - i);
		if (i == len)
			break;
		c = s[i++];
		if (need) {
			if ((c & 0xc0) != 0x80)
				return false;
			need--;
		} else if (c >= 0x80) {
			if ((c & 0xe0) == 0xc0)
				need = 1;
			else if ((c & 0xf0) == 0xe0)
				need = 2;
			else if ((c & 0xf8) == 0xf0)
				need = 3;
			else
				return false;
		}
	}
	/* json-c refuses a text that ends inside a sequence too */
	return !need;
}

/* Whether the text has the escape \u0000, which json-c makes a NUL. */
static bool has_escaped_nul(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	/* memchr() skips the long runs without a backslash fast */
	while ((p = memchr(p, '\\', (size_t)(end - p)))) {
		if (end - p >= 6 && !memcmp(p, "\\u0000", 6))
			return true;
		p++;
	}
	return false;
}

/*
 * Whether text is strict UTF-8 as text_is_utf8() judges it, but for NUL
 * bytes (check_text() refused those already). ASCII is read eight bytes
 * at a time. When this says yes, utf8_passes_jsonc() would too.
 */
static bool strict_utf8(const char *text, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		i += text_ascii_span(text + i, len - i);
		if (i == len)
			break;
		n = text_utf8_seq(text + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/*
 * Whether every string json-c makes of text is valid UTF-8 without NUL
 * (graphjson_int.h): the text is strict UTF-8 and has no \u0000. An
 * escaped backslash before "u0000" counts as the escape too: its strings
 * are then checked one by one, as ever.
 */
bool graphjson_strings_valid(const char *text, size_t len)
{
	return strict_utf8(text, len) && !has_escaped_nul(text, len);
}

/* One parse of json by r's tokener with flags; left reset for the next. */
static json_object *parse_once(struct graphjson_reader *r, const char *json,
			       size_t len, int flags,
			       enum json_tokener_error *jerr, size_t *end)
{
	json_object *o;

	json_tokener_reset(r->tok);
	json_tokener_set_flags(r->tok, flags);
	o = json_tokener_parse_ex(r->tok, json, (int)len);
	*jerr = json_tokener_get_error(r->tok);
	*end = json_tokener_get_parse_end(r->tok);
	/* a failed parse leaves its partial objects on the stack */
	json_tokener_reset(r->tok);
	if (*jerr != json_tokener_success || !o) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * Parse json with r's tokener. A text json-c's UTF-8 check would pass is
 * parsed without it; should that parse fail, the text is parsed again
 * with it, because json-c words some failures at a byte that opens a
 * sequence as "invalid utf-8 string": every refusal keeps its message.
 */
static int parse_with(struct graphjson_reader *r, const char *json,
		      size_t len, json_object **root, bool *utf8,
		      struct dg_err *err)
{
	const int checked = JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8;
	enum json_tokener_error jerr = json_tokener_success;
	size_t end = 0, line, col;
	json_object *o = NULL;

	*utf8 = graphjson_strings_valid(json, len);
	if (*utf8 || utf8_passes_jsonc(json, len))
		o = parse_once(r, json, len, JSON_TOKENER_STRICT, &jerr, &end);
	if (!o)
		o = parse_once(r, json, len, checked, &jerr, &end);
	if (jerr == json_tokener_continue)
		return dg_errf(err, DG_EPARSE, "invalid JSON: the text ends "
			       "early, after %zu bytes", len);
	if (!o) {
		position_of(json, end < len ? end : len, &line, &col);
		return dg_errf(err, DG_EPARSE, "invalid JSON at line %zu, "
			       "column %zu (byte %zu): %s", line, col, end,
			       json_tokener_error_desc(jerr));
	}
	if (!json_object_is_type(o, json_type_object)) {
		dg_errf(err, DG_EPARSE, "the JSON text is %s, not an object",
			graphjson_type_name(o));
		json_object_put(o);
		return DG_EPARSE;
	}
	*root = o;
	return 0;
}

int graphjson_root_read(struct graphjson_reader *r, const char *json,
			size_t len, json_object **root, bool *utf8,
			struct dg_err *err)
{
	struct graphjson_reader *own = NULL;
	bool valid = false;
	int rc;

	*root = NULL;
	rc = check_text(json, len, err);
	if (!rc && !r)
		rc = graphjson_reader_new(&own, err);
	if (!rc)
		rc = parse_with(r ? r : own, json, len, root, &valid, err);
	graphjson_reader_free(own);
	if (utf8)
		*utf8 = !rc && valid;
	return rc;
}

/* Parse text that must be one JSON object. *root is yours: put it. */
int graphjson_root(const char *json, size_t len, json_object **root,
		   struct dg_err *err)
{
	return graphjson_root_read(NULL, json, len, root, NULL, err);
}

/*
 * The object v holds, as graphjson_root() gives it from text: a $batch
 * body that is an array (or no value) is refused with the same sentence.
 * A body read as tokens is made json-c's tree here, for the readers that
 * read trees.
 */
static enum json_type value_type(const struct graphjson_value *v)
{
	if (!v)
		return json_type_null;
	if (v->doc)
		return graphjson_doc_type(v->doc, v->tok);
	return json_object_get_type(v->obj);
}

int graphjson_value_root(const struct graphjson_value *v, json_object **root,
			 struct dg_err *err)
{
	enum json_type type = value_type(v);

	*root = NULL;
	if (type != json_type_object)
		return dg_errf(err, DG_EPARSE,
			       "the JSON text is %s, not an object",
			       graphjson_type_word(type));
	*root = v->doc ? graphjson_doc_tree(v->doc, v->tok)
		       : json_object_get(v->obj);
	return *root ? 0 : dg_errf(err, DG_ENOMEM,
				   "out of memory reading an answer");
}

int graphjson_value_write(const struct graphjson_value *v, struct strbuf *out)
{
	json_object *o = v->obj;
	int rc;

	if (!v->doc)
		return jsonw_write(o, JSONW_PLAIN, out);
	o = graphjson_doc_tree(v->doc, v->tok);
	if (!o && graphjson_doc_kind(v->doc, v->tok) != GRAPHJSON_NULL)
		return DG_ENOMEM;
	rc = jsonw_write(o, JSONW_PLAIN, out);
	json_object_put(o);
	return rc;
}
