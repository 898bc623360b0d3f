/*
 * mustache: the template renderer of the digest (Debian ships no C one).
 *
 * It implements the whole mustache spec except lambdas: escaped and raw
 * interpolation, dotted names, the implicit iterator, sections, inverted
 * sections, comments, set delimiters, partials with standalone indentation,
 * inheritance ({{<parent}} with {{$block}} overrides) and dynamic names
 * ({{>*name}}, {{<*name}}). tests/conformance/mustache_spec.py runs the
 * public suite against it.
 *
 * A template is compiled once into a tree and rendered many times; a
 * compiled template is never changed by rendering, so one template may be
 * rendered from several threads at once. Partials come from a resolver
 * callback and are compiled once, on first use, into a cache held by a
 * struct mustache_partials; that cache is not locked: give each thread its
 * own.
 *
 * Data is a plain tree of struct mustache_value built by the caller, so
 * that no JSON library leaks through this interface. Truthiness follows
 * JavaScript, as most mustache users expect: null, false, 0, NaN, "" and
 * the empty list are false; every map is true. Interpolating a list or a
 * map renders nothing.
 *
 * Errors: int functions return 0 or a DG_E* code and fill *err. Compile
 * errors name the template, the line and the column ("digest.html:12:5:
 * section 'meetings' is never closed").
 */
#ifndef DIGEST_MUSTACHE_H
#define DIGEST_MUSTACHE_H

#include <stddef.h>
#include <stdint.h>

struct dg_err;
struct strbuf;

/* --- the data tree ------------------------------------------------------ */

enum mustache_kind {
	MUSTACHE_NULL,
	MUSTACHE_BOOL,
	MUSTACHE_INT,
	MUSTACHE_FLOAT,
	MUSTACHE_STRING,
	MUSTACHE_LIST,
	MUSTACHE_MAP
};

struct mustache_value;

/*
 * Constructors. Each returns a new value that is yours (free it with
 * mustache_value_free(), or hand it to a list or map), or NULL when out of
 * memory. Strings are copied; mustache_stringn() takes a length and the
 * bytes may hold NULs. mustache_null() and mustache_bool() give shared
 * constants (freeing them does nothing): a value is never changed in
 * place.
 */
struct mustache_value *mustache_null(void);
struct mustache_value *mustache_bool(int b);
struct mustache_value *mustache_int(int64_t i);
struct mustache_value *mustache_float(double d);
struct mustache_value *mustache_string(const char *s);
struct mustache_value *mustache_stringn(const char *s, size_t len);
struct mustache_value *mustache_list_new(void);
struct mustache_value *mustache_map_new(void);

/*
 * Append v to list. Takes ownership of v in every case, even on failure,
 * so a constructor's result can be passed straight in: a NULL v (a failed
 * constructor) gives DG_ENOMEM.
 */
int mustache_list_push(struct mustache_value *list, struct mustache_value *v)
	__attribute__((warn_unused_result));

/*
 * Set key (copied) to v in map, replacing an earlier value of that key.
 * Takes ownership of v in every case, as mustache_list_push() does.
 */
int mustache_map_set(struct mustache_value *map, const char *key,
		     struct mustache_value *v)
	__attribute__((warn_unused_result));

enum mustache_kind mustache_value_kind(const struct mustache_value *v);

/*
 * Reading a tree back (for the callers that build one model and also
 * inspect or print it). All results are borrowed from v. A value of
 * another kind reads as absent: NULL, 0 or false.
 */
const struct mustache_value *mustache_map_get(const struct mustache_value *map,
					      const char *key);
size_t mustache_map_len(const struct mustache_value *map);
/* The i-th key and value in insertion order (i < mustache_map_len). */
const char *mustache_map_key(const struct mustache_value *map, size_t i);
const struct mustache_value *mustache_map_value(
	const struct mustache_value *map, size_t i);
size_t mustache_list_len(const struct mustache_value *list);
const struct mustache_value *mustache_list_get(
	const struct mustache_value *list, size_t i);
/* The same item, to be changed in place (a model still being built). */
struct mustache_value *mustache_list_item(struct mustache_value *list,
					  size_t i);
/* A string's bytes (NUL-terminated; *len may be NULL), else NULL. */
const char *mustache_string_get(const struct mustache_value *v, size_t *len);
int mustache_bool_get(const struct mustache_value *v);
int64_t mustache_int_get(const struct mustache_value *v);
double mustache_float_get(const struct mustache_value *v);
/* Whether a section over v renders its content (see above). */
int mustache_truthy(const struct mustache_value *v);

/* A deep copy of v (yours), or NULL when out of memory. */
struct mustache_value *mustache_value_copy(const struct mustache_value *v);

/* Free v and everything it holds. NULL is a no-op. */
void mustache_value_free(struct mustache_value *v);

/* --- arenas ------------------------------------------------------------ */

/*
 * A model of thousands of values costs thousands of allocations to make
 * and as many to free. An arena makes them from a few large blocks and
 * frees them all at once: a caller that builds one tree, renders it and
 * drops it (a digest) puts an arena in use on its thread for that time.
 *
 * Ownership in an arena: while a is in use on this thread, every
 * constructor above (and mustache_value_copy()) on this thread allocates
 * from a, and the value belongs to a, not to whoever holds it:
 * mustache_value_free() on it does nothing, and mustache_arena_reset(a)
 * or mustache_arena_free(a) frees it with every other value of a. So a
 * value of a must be held only by values of a (or by nobody) and must
 * not be used after the reset; a list or map of a must hold only values
 * of a: a value made without the arena and added to it would be left
 * behind, never freed. Values made outside any arena keep the rules
 * above. The shared null, true and false belong to no one, as always.
 * An arena is not locked: use it on one thread at a time.
 */
struct mustache_arena;

/* A new, empty arena (yours: mustache_arena_free), or NULL (no memory). */
struct mustache_arena *mustache_arena_new(void);

/*
 * Put a in use for this thread's constructors (NULL: none, malloc) and
 * return the arena that was in use before, to be put back with another
 * call when done.
 */
struct mustache_arena *mustache_arena_use(struct mustache_arena *a);

/*
 * Free every value made in a at once; a is empty again and keeps some of
 * its blocks for the next values (at most MUSTACHE_ARENA_KEEP bytes).
 */
#define MUSTACHE_ARENA_KEEP ((size_t)1 << 20)
void mustache_arena_reset(struct mustache_arena *a);

/* Free a and every value made in it. NULL is a no-op. a must not be in use. */
void mustache_arena_free(struct mustache_arena *a);

struct json_object;

/*
 * The data of JSON j (a json-c object, borrowed): objects become maps,
 * arrays lists, null (and a NULL j) null. Yours: free it with
 * mustache_value_free(); NULL when out of memory (mustache_json.c).
 */
struct mustache_value *mustache_from_json(struct json_object *j);

/* --- templates ---------------------------------------------------------- */

struct mustache_template;

/*
 * Compile text (len bytes, copied) into a template. name is only used in
 * messages: give the file name. *out is yours: mustache_template_free() it.
 * DG_EPARSE on a malformed template (unclosed tag or section, mismatched
 * closing tag, bad set-delimiter tag, empty or blank tag name).
 */
int mustache_compile(const char *text, size_t len, const char *name,
		     struct mustache_template **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* The name given to mustache_compile(); borrowed from t. */
const char *mustache_template_name(const struct mustache_template *t);

/*
 * What data t reads, for a caller that keeps what t renders and must know
 * what the output depends on: fn(name, len, ctx) for the first part of
 * every name a tag of t looks up ("a" of {{a.b}}), in sections and blocks
 * too, once a tag. The implicit iterator {{.}} is left out: it reads a
 * section's value (whose name is told) or the data as a whole, which
 * renders the same whatever its fields hold. Returns 1 when t also
 * renders a partial or a parent (whose names t cannot tell: its output
 * may then read anything), else 0.
 */
typedef void mustache_name_fn(const char *name, size_t len, void *ctx);
int mustache_template_names(const struct mustache_template *t,
			    mustache_name_fn *fn, void *ctx);

/* Free t. NULL is a no-op. */
void mustache_template_free(struct mustache_template *t);

/* --- partials ----------------------------------------------------------- */

/*
 * A resolver appends the text of the partial called name to out and
 * returns 0, returns DG_ENOTFOUND when there is no such partial (it then
 * renders as nothing, as the spec wants), or fails with another DG_E* code
 * and a message in err (the rendering fails).
 */
typedef int mustache_resolve_fn(const char *name, struct strbuf *out, void *ctx,
				struct dg_err *err);

/*
 * The ready-made resolver: ctx is a folder path (const char *); partial x
 * is the file <folder>/x.mustache. Names may hold '/' ("tips/disc/D") but
 * an absolute name, an empty, "." or ".." part is refused with DG_EINVAL,
 * so that a name taken from data never leaves the folder.
 */
int mustache_resolve_dir(const char *name, struct strbuf *out, void *ctx,
			 struct dg_err *err);

struct mustache_partials;

/*
 * A cache of compiled partials in front of resolve (with its ctx, which
 * must outlive the cache). *out is yours: mustache_partials_free() it.
 */
int mustache_partials_new(mustache_resolve_fn *resolve, void *ctx,
			  struct mustache_partials **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* The same with mustache_resolve_dir() on a copy of dir. */
int mustache_partials_new_dir(const char *dir, struct mustache_partials **out,
			      struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The compiled template called name, resolved and compiled on first use.
 * *out is borrowed from p, valid until mustache_partials_free(p).
 * DG_ENOTFOUND when the resolver knows no such name.
 */
int mustache_partials_get(struct mustache_partials *p, const char *name,
			  const struct mustache_template **out,
			  struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free p and every template it compiled. NULL is a no-op. */
void mustache_partials_free(struct mustache_partials *p);

/* --- rendering ---------------------------------------------------------- */

enum mustache_escape {
	MUSTACHE_ESCAPE_HTML, /* {{x}} escapes & < > " ' (for HTML parts) */
	MUSTACHE_ESCAPE_NONE  /* {{x}} is verbatim (for text parts) */
};

/*
 * Partials and parents may nest this deep; deeper is taken for endless
 * recursion and fails, naming the partial.
 */
#define MUSTACHE_MAX_DEPTH 64

/*
 * The work budget of one mustache_render(): at most this many tags and
 * texts are rendered, so that sections over lists nested in each other
 * (whose work multiplies) fail with DG_ETOOBIG instead of running for
 * ever. A digest of 40 meetings of 40 people takes about a hundred
 * thousand.
 */
#define MUSTACHE_MAX_STEPS 10000000UL

/*
 * Render t with data (NULL: no data) and append the result to out, within
 * out's size limit. partials may be NULL: every partial then renders as
 * nothing; with partials, a partial the resolver does not know renders as
 * nothing too, with a logging_warn() the first time. On failure nothing is
 * appended (out is emptied only if memory runs out while appending, as
 * strbuf does) and err names the template and line: DG_EINVAL for endless
 * recursion, DG_ETOOBIG past the limit or the work budget, or the resolver's or compiler's
 * code for a partial.
 */
int mustache_render(const struct mustache_template *t,
		    const struct mustache_value *data,
		    struct mustache_partials *partials,
		    enum mustache_escape escape, struct strbuf *out,
		    struct dg_err *err) __attribute__((warn_unused_result));

#endif
