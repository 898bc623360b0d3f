/*
 * graphjson_int: the parse of graphjson_parse.c and the field readers of
 * graphjson.c, which every file of the graphjson module uses:
 * graphjson_cal.c (mailbox settings), graphjson_events.c (events),
 * graphjson_dir.c (users, groups), graphjson_auth.c (sign-in answers) and
 * graphjson_batch.c ($batch), and the tokens of graphjson_doc.c. Nothing
 * outside the module includes this header: json-c and yajl stay inside
 * graphjson.
 *
 * Every reader names a field "pre.key" in its messages, takes absent and
 * null for the same, and gives DG_EPARSE for a wrong type; strings from
 * the answer are quoted at most 40 bytes long, control characters
 * replaced.
 */
#ifndef DIGEST_GRAPHJSON_INT_H
#define DIGEST_GRAPHJSON_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "err.h"
#include "graphjson.h"
#include "strbuf.h"

/* How a field name is printed: pre may be "" (a top-level field). */
#define GRAPHJSON_FIELD "'%s%s%s'"
#define GRAPHJSON_FIELD_ARGS(pre, key) (pre), *(pre) ? "." : "", (key)

/* One value of a Graph string enum; a list of them ends with a NULL name. */
struct graphjson_enum_name {
	const char *name;
	int value;
};

/* ---- graphjson_doc.c: a text as a flat list of tokens ---- */

enum graphjson_kind {
	GRAPHJSON_ABSENT, /* no token: graphjson_doc_kind() of GRAPHJSON_NONE */
	GRAPHJSON_NULL,
	GRAPHJSON_FALSE,
	GRAPHJSON_TRUE,
	GRAPHJSON_NUMBER,
	GRAPHJSON_STRING,
	GRAPHJSON_KEY, /* an object's key; its value is the next token */
	GRAPHJSON_OBJECT,
	GRAPHJSON_ARRAY
};

/*
 * One token, in text order: an object is followed by its keys, each
 * followed by its value; an array by its items.
 */
struct graphjson_tok {
	unsigned char kind; /* enum graphjson_kind */
	/* a string, key or number: its bytes; a container: its members */
	uint32_t len;
	uint32_t off; /* a string, key or number: where in text */
	uint32_t end; /* the token after this one and all it holds */
};

/* No such token: a key that is not there. */
#define GRAPHJSON_NONE ((size_t)-1)

/*
 * A text read by yajl: its tokens (the first one the whole value) and
 * their strings, each ended by a NUL, in one block. Strings are strict
 * UTF-8 without NUL: a text with others is not read (below).
 */
struct graphjson_doc {
	struct graphjson_tok *tok;
	size_t n, alloc;
	char *text;
	size_t len, size;
};

/* An empty doc, or NULL (out of memory): graphjson_doc_free() it. */
struct graphjson_doc *graphjson_doc_new(void);

/*
 * Read json into d, replacing what d held; its room is kept from text to
 * text (a reader's doc grows to the largest answer once, and its pages
 * are not touched anew for each). DG_EPARSE when yajl refuses the text
 * or it holds what json-c would read otherwise (see graphjson_doc.c):
 * the caller then parses it with json-c, which has the words for what is
 * wrong. DG_ENOMEM. No message either way; on failure d is empty.
 */
int graphjson_doc_read(struct graphjson_doc *d, const char *json,
		       size_t len);

void graphjson_doc_free(struct graphjson_doc *d);

/*
 * r's doc, made on first use (NULL: out of memory), borrowed: a $batch
 * answer read into it lives until it is released, and r reads no other
 * one before that.
 */
struct graphjson_doc *graphjson_reader_doc(struct graphjson_reader *r);

/* The string, key or number t, NUL-terminated. */
static inline const char *graphjson_doc_str(const struct graphjson_doc *d,
					    size_t t)
{
	return d->text + d->tok[t].off;
}

/* The kind of token t; GRAPHJSON_ABSENT for GRAPHJSON_NONE. */
static inline enum graphjson_kind graphjson_doc_kind(
	const struct graphjson_doc *d, size_t t)
{
	return t == GRAPHJSON_NONE ? GRAPHJSON_ABSENT
				   : (enum graphjson_kind)d->tok[t].kind;
}

/* Whether t gives no value: absent or null, which readers take alike. */
static inline bool graphjson_doc_none(const struct graphjson_doc *d,
				      size_t t)
{
	return graphjson_doc_kind(d, t) <= GRAPHJSON_NULL;
}

/*
 * The values of the n keys of object obj, in one pass (as
 * graphjson_slots()): at[i] is the token of keys[i]'s value (its last,
 * when the key is repeated, as json-c keeps it), or GRAPHJSON_NONE.
 */
void graphjson_doc_slots(const struct graphjson_doc *d, size_t obj,
			 const char *const *keys, size_t n, size_t *at);

/* The value of key in object obj, or GRAPHJSON_NONE. */
size_t graphjson_doc_get(const struct graphjson_doc *d, size_t obj,
			 const char *key);

/*
 * Token t as json-c would have parsed it: a new object (yours: put it),
 * NULL for null or when out of memory.
 */
json_object *graphjson_doc_tree(const struct graphjson_doc *d, size_t t);

/* The json-c type token t would have (null for GRAPHJSON_NONE). */
enum json_type graphjson_doc_type(const struct graphjson_doc *d, size_t t);

/*
 * A value parsed already (graphjson.h): a $batch answer's body, owned by
 * the batch it came in. Either json-c's tree of it (obj), or token tok
 * of the batch's doc, read without a tree by the readers that know how
 * (graphjson_events_page_value()) and made a tree for the others.
 */
struct graphjson_value {
	json_object *obj;
	const struct graphjson_doc *doc;
	size_t tok;
	bool utf8; /* its strings need no check: graphjson_root_read() */
};

/* ---- graphjson_parse.c: the text made one object ---- */

/* Parse text that must be one JSON object. *root is yours: put it. */
int graphjson_root(const char *json, size_t len, json_object **root,
		   struct dg_err *err);

/*
 * The same with r's tokener (NULL: one made for this text only). *utf8
 * (utf8 may be NULL) says whether every string json-c made of the text is
 * valid UTF-8 without NUL, as graphjson_string_of() would find it: the
 * text is strict UTF-8 (json-c only checks the shape of its sequences)
 * and holds no \u0000 escape (json-c turns other escapes into valid
 * UTF-8, a lone surrogate into U+FFFD).
 */
int graphjson_root_read(struct graphjson_reader *r, const char *json,
			size_t len, json_object **root, bool *utf8,
			struct dg_err *err);

/*
 * Whether every string json-c makes of text is valid UTF-8 without NUL:
 * the text is strict UTF-8 and has no \u0000 (see graphjson_root_read()).
 */
bool graphjson_strings_valid(const char *text, size_t len);

/*
 * The object v holds, as graphjson_root() would give it from text (an
 * array or a string is DG_EPARSE with the same sentence). *root is yours:
 * put it (a value read without a tree gets one made here).
 */
int graphjson_value_root(const struct graphjson_value *v, json_object **root,
			 struct dg_err *err);

/* ---- graphjson.c: the field readers ---- */

/* key of obj: *out NULL when absent or null; wrong type is DG_EPARSE. */
int graphjson_field(json_object *obj, const char *pre, const char *key,
		    enum json_type want, bool required, json_object **out,
		    struct dg_err *err);

/*
 * One field of an object as one pass over the object found it: an object
 * read field by field costs a hash and a string compare per field, one
 * read in one pass a byte compare per key (and a string compare when it
 * matches). json-c keeps one entry per key (a repeated key's last value,
 * as a lookup would find it).
 */
struct graphjson_slot {
	json_object *v; /* borrowed; NULL when absent or null */
	bool present;   /* the key is there, its value maybe null */
	bool utf8;      /* strings in v need no check (graphjson_root_read) */
};

/*
 * The n keys (none of them "") of obj (an object) into slots[0..n), in one
 * pass: slots[i] holds the value of keys[i]. Keys are compared exactly, as
 * a lookup compares them. utf8: obj comes from a text whose strings need
 * no check (graphjson_root_read()); each slot says so.
 */
void graphjson_slots(json_object *obj, const char *const *keys, size_t n,
		     bool utf8, struct graphjson_slot *slots);

/* graphjson_field() on a field found already. */
int graphjson_field_at(const struct graphjson_slot *s, const char *pre,
		       const char *key, enum json_type want, bool required,
		       json_object **out, struct dg_err *err);

/*
 * graphjson_str() without the copy: *out is borrowed from the parsed
 * value (NULL as graphjson_str() gives NULL).
 */
int graphjson_str_at(const struct graphjson_slot *s, const char *pre,
		     const char *key, bool required, const char **out,
		     struct dg_err *err);

/* An optional boolean found already: absent or null is false. */
int graphjson_bool_at(const struct graphjson_slot *s, const char *pre,
		      const char *key, bool *out, struct dg_err *err);

/*
 * graphjson_sub_str() on a field found already, borrowed: the string key
 * of the optional object s (named sub).
 */
int graphjson_sub_str_at(const struct graphjson_slot *s, const char *sub,
			 const char *key, const char **out,
			 struct dg_err *err);

/* A string field copied into *out (yours); optional "" gives NULL. */
int graphjson_str(json_object *obj, const char *pre, const char *key,
		  bool required, char **out, struct dg_err *err);

/*
 * The string value of v, refused when it hides a NUL byte. *out is set on
 * every path (borrowed from v).
 */
int graphjson_string_of(json_object *v, const char *pre, const char *key,
			const char **out, struct dg_err *err);

/* A copy of s into *out (yours); DG_ENOMEM says so. */
int graphjson_copy_string(const char *s, char **out, struct dg_err *err);

/* An optional string inside an optional object: location.displayName. */
int graphjson_sub_str(json_object *obj, const char *sub, const char *key,
		      char **out, struct dg_err *err);

/*
 * Look up the enum string s in names. A value we do not know gives unknown
 * and a warning (Graph grew a value we should learn about); fallback says
 * in words what we do with it instead.
 */
int graphjson_enum_of(const char *s, const char *pre, const char *key,
		      const struct graphjson_enum_name *names, int unknown,
		      const char *fallback);

/* The value of the enum string s in names, quietly; false: none. */
bool graphjson_enum_find(const char *s,
			 const struct graphjson_enum_name *names, int *out);

/* An optional enum string field: absent or null gives dflt. */
int graphjson_enum(json_object *obj, const char *pre, const char *key,
		   const struct graphjson_enum_name *names, int dflt,
		   int unknown, const char *fallback, int *out,
		   struct dg_err *err);

/* graphjson_enum() on a field found already. */
int graphjson_enum_at(const struct graphjson_slot *s, const char *pre,
		      const char *key, const struct graphjson_enum_name *names,
		      int dflt, int unknown, const char *fallback, int *out,
		      struct dg_err *err);

/* Whether s opens with "YYYY-MM-DDTHH:MM:SS", as a dateTime must. */
bool graphjson_is_datetime(const char *s);

/*
 * The keys of a dateTimeTimeZone and of an emailAddress object, for
 * graphjson_slots() and graphjson_doc_slots() alike.
 */
extern const char *const graphjson_dtz_keys[2];
extern const char *const graphjson_address_keys[2];

/* A dateTimeTimeZone field of obj; full is its printed name. */
int graphjson_datetime(json_object *obj, const char *pre, const char *key,
		       const char *full, bool required,
		       struct cal_datetime *dt, struct dg_err *err);

/*
 * graphjson_datetime() on a field found already, borrowed: dt's strings
 * point into the parsed value (never release them); both NULL on error.
 */
int graphjson_datetime_at(const struct graphjson_slot *s, const char *pre,
			  const char *key, const char *full, bool required,
			  struct cal_datetime *dt, struct dg_err *err);

/*
 * An emailAddress object's name and address; pre names the object. a's
 * strings are borrowed from o (never release them).
 */
int graphjson_address_at(json_object *o, const char *pre, bool utf8,
			 struct cal_address *a, struct dg_err *err);

/* "a number", "an object", ...: the type of o, for messages. */
const char *graphjson_type_name(json_object *o);

/* The same words for a type. */
const char *graphjson_type_word(enum json_type t);

/*
 * A collection page root (an object, parsed): its "value" array and its
 * @odata.nextLink (yours; NULL on error).
 */
int graphjson_page(json_object *root, json_object **value, char **next_link,
		   struct dg_err *err);

/* Item i of value, which must be an object ("kind 3 must be ..."). */
int graphjson_item(json_object *value, size_t i, const char *kind,
		   json_object **out, struct dg_err *err);

/* Prefix err with "kind N" or "kind N ("label")"; returns the code. */
int graphjson_item_error(struct dg_err *err, const char *kind, size_t i,
			 json_object *item, const char *label_key);

/* The fields of a user object (id required) into u. */
int graphjson_user_fields(json_object *o, struct cal_user *u,
			  struct dg_err *err);

/* The fields of a group object (id required) into g; no members. */
int graphjson_group_fields(json_object *o, struct cal_group *g,
			   struct dg_err *err);

#endif
