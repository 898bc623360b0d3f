/*
 * toml: the TOML 1.0 reader: the parser, which builds the tree of
 * toml_tree.c (behind toml_int.h) from the tokens of toml_scan.c.
 */
#include "toml.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "toml_int.h"
#include "toml_scalar.h"
#include "toml_scan.h"

/*
 * Nesting of arrays and inline tables, and parts of a dotted key, are
 * bounded so that recursion (here and in toml_free) stays shallow.
 */
#define MAX_NESTING 128
#define MAX_KEY_PARTS 128

/* One part of a key, as written: "a" of a.b.c. */
struct key_part {
	char *s;
	size_t len;
	int line;
	int col;
};

struct key_path {
	struct key_part parts[MAX_KEY_PARTS];
	size_t n;
};

struct parser {
	struct toml_cursor c;
	struct toml_value *root;
	struct toml_value *current; /* the table of the last [header] */
	int depth;
};

/* Messages. */

static int nomem(struct parser *ps)
{
	return toml_scan_errf(&ps->c, DG_ENOMEM, ps->c.line, ps->c.col,
			      "out of memory");
}

static bool is_bare_char(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* One key part for a message: bare when it can be, else quoted. */
static int show_part(struct strbuf *sb, const struct key_part *part)
{
	bool bare = part->len > 0;
	int rc = 0;

	for (size_t i = 0; i < part->len && bare; i++)
		bare = is_bare_char((unsigned char)part->s[i]);
	if (bare)
		return strbuf_add(sb, part->s, part->len);
	rc = strbuf_addch(sb, '"');
	for (size_t i = 0; i < part->len && !rc; i++) {
		unsigned char ch = (unsigned char)part->s[i];

		if (ch < 0x20 || ch == 0x7F)
			rc = strbuf_addf(sb, "\\u%04X", ch);
		else if (ch == '"' || ch == '\\')
			rc = strbuf_addf(sb, "\\%c", ch);
		else
			rc = strbuf_addch(sb, (char)ch);
	}
	return rc ? rc : strbuf_addch(sb, '"');
}

/* The key path up to and including part upto, as a reader would write it. */
static void show_key(struct strbuf *name, const struct key_path *kp,
		     size_t upto)
{
	int rc = 0;

	for (size_t i = 0; i <= upto && !rc; i++) {
		if (i)
			rc = strbuf_addch(name, '.');
		if (!rc)
			rc = show_part(name, &kp->parts[i]);
	}
	/* Too long for a message or out of memory: name it vaguely. */
	if (rc && strbuf_addstr(name, "(a long key)"))
		strbuf_reset(name);
}

/* The key path up to part upto names old, which is in the way. */
static int redefined(struct parser *ps, const struct key_path *kp, size_t upto,
		     const struct toml_value *old)
{
	const struct key_part *at = &kp->parts[upto];
	const char *kind = "key ", *verb, *then = "";
	struct strbuf name;
	int rc;

	if (old->type == TOML_TABLE && old->origin & ORIGIN_INLINE) {
		kind = "";
		verb = "is an inline table defined on";
		then = ": it cannot be extended";
	} else if (old->type == TOML_ARRAY && old->origin & ORIGIN_AOT) {
		kind = "";
		verb = "is an array of tables defined on";
		then = ": only a [[header]] adds to it";
	} else if (old->type == TOML_ARRAY) {
		kind = "";
		verb = "is an array defined on";
		then = ": it cannot be extended";
	} else if (old->type == TOML_TABLE && old->origin & ORIGIN_HEADER) {
		kind = "table ";
		verb = "is already defined by its header on";
	} else if (old->type == TOML_TABLE && old->origin & ORIGIN_DOTTED) {
		kind = "table ";
		verb = "is already defined by dotted keys on";
	} else if (old->type == TOML_TABLE) {
		verb = "is already a table, named on";
	} else {
		verb = "is already defined on";
	}
	strbuf_init(&name, 200);
	show_key(&name, kp, upto);
	rc = toml_scan_errf(&ps->c, DG_EPARSE, at->line, at->col,
			    "%s'%s' %s line %d%s", kind, name.buf, verb,
			    old->line, then);
	strbuf_release(&name);
	return rc;
}

/* Keys. */

static void key_path_release(struct key_path *kp)
{
	for (size_t i = 0; i < kp->n; i++)
		free(kp->parts[i].s);
	kp->n = 0;
}

static int parse_key_part(struct parser *ps, struct key_part *part)
{
	struct strbuf sb = STRBUF_INIT;
	int ch = toml_scan_peek(&ps->c, 0);
	int rc;

	part->line = ps->c.line;
	part->col = ps->c.col;
	if (ch == '"' || ch == '\'') {
		rc = toml_scan_string(&ps->c, false, &sb);
		if (rc) {
			strbuf_release(&sb);
			return rc;
		}
	} else {
		const char *s = ps->c.p;

		while (s < ps->c.end && is_bare_char((unsigned char)*s))
			s++;
		if (s == ps->c.p) {
			char what[32];

			toml_scan_describe(&ps->c, what, sizeof(what));
			return toml_scan_errf(&ps->c, DG_EPARSE, part->line,
					      part->col,
					      "expected a key, found %s", what);
		}
		if (strbuf_add(&sb, ps->c.p, (size_t)(s - ps->c.p)))
			return nomem(ps);
		toml_scan_advance(&ps->c, (size_t)(s - ps->c.p));
	}
	part->len = sb.len;
	part->s = strbuf_detach(&sb, NULL);
	return part->s ? 0 : nomem(ps);
}

/* key = part *( ws '.' ws part ), leaving the cursor after the last. */
static int parse_key(struct parser *ps, struct key_path *kp)
{
	for (;;) {
		int rc;

		if (kp->n == MAX_KEY_PARTS)
			return toml_scan_errf(
				&ps->c, DG_EPARSE, ps->c.line, ps->c.col,
				"a key has at most %d parts", MAX_KEY_PARTS);
		rc = parse_key_part(ps, &kp->parts[kp->n]);
		if (rc)
			return rc;
		kp->n++;
		toml_scan_skip_ws(&ps->c);
		if (toml_scan_peek(&ps->c, 0) != '.')
			return 0;
		toml_scan_advance(&ps->c, 1);
		toml_scan_skip_ws(&ps->c);
	}
}

/* Values. */

static int parse_value(struct parser *ps, struct toml_value **out);

/* Spaces, tabs, comments and new lines, as allowed inside arrays. */
static void skip_blank(struct parser *ps)
{
	for (;;) {
		int ch = toml_scan_peek(&ps->c, 0);

		if (ch == ' ' || ch == '\t') {
			toml_scan_skip_ws(&ps->c);
		} else if (ch == '\n') {
			toml_scan_advance(&ps->c, 1);
		} else if (ch == '\r') {
			toml_scan_advance(&ps->c, 2);
		} else if (ch == '#') {
			const char *nl = memchr(ps->c.p, '\n',
						(size_t)(ps->c.end - ps->c.p));

			toml_scan_advance(&ps->c,
					  nl ? (size_t)(nl - ps->c.p)
					     : (size_t)(ps->c.end - ps->c.p));
			/* A CR before the LF is part of the line end. */
		} else {
			return;
		}
	}
}

static int found_errf(struct parser *ps, const char *expected)
{
	char what[32];

	toml_scan_describe(&ps->c, what, sizeof(what));
	return toml_scan_errf(&ps->c, DG_EPARSE, ps->c.line, ps->c.col,
			      "expected %s, found %s", expected, what);
}

static int enter(struct parser *ps)
{
	if (ps->depth == MAX_NESTING)
		return toml_scan_errf(&ps->c, DG_EPARSE, ps->c.line, ps->c.col,
				      "arrays and inline tables nest at most "
				      "%d deep",
				      MAX_NESTING);
	ps->depth++;
	return 0;
}

static int parse_array(struct parser *ps, struct toml_value *arr)
{
	int rc = enter(ps);

	if (rc)
		return rc;
	toml_scan_advance(&ps->c, 1);
	for (;;) {
		struct toml_value *item;

		skip_blank(ps);
		if (toml_scan_peek(&ps->c, 0) == ']')
			break;
		rc = parse_value(ps, &item);
		if (rc)
			return rc;
		if (toml_tree_push(arr, item))
			return nomem(ps);
		skip_blank(ps);
		if (toml_scan_peek(&ps->c, 0) == ',') {
			toml_scan_advance(&ps->c, 1);
			continue;
		}
		if (toml_scan_peek(&ps->c, 0) != ']')
			return found_errf(ps, "',' or ']' in the array");
	}
	toml_scan_advance(&ps->c, 1);
	ps->depth--;
	return 0;
}

static int parse_keyval(struct parser *ps, struct toml_value *table);

/* The pairs of a non-empty inline table, up to its closing brace. */
static int parse_inline_pairs(struct parser *ps, struct toml_value *tab)
{
	for (;;) {
		int rc = parse_keyval(ps, tab);

		if (rc)
			return rc;
		toml_scan_skip_ws(&ps->c);
		if (toml_scan_peek(&ps->c, 0) == '}')
			return 0;
		if (toml_scan_peek(&ps->c, 0) != ',')
			return found_errf(ps, "',' or '}' in the inline table "
					      "(it must be on one line)");
		toml_scan_advance(&ps->c, 1);
		toml_scan_skip_ws(&ps->c);
		if (toml_scan_peek(&ps->c, 0) == '}')
			return toml_scan_errf(&ps->c, DG_EPARSE, ps->c.line,
					      ps->c.col,
					      "an inline table cannot end "
					      "with a comma");
	}
}

/* { key = value, ... } on one line, no comma after the last. */
static int parse_inline_table(struct parser *ps, struct toml_value *tab)
{
	int rc = enter(ps);

	if (rc)
		return rc;
	toml_scan_advance(&ps->c, 1);
	toml_scan_skip_ws(&ps->c);
	if (toml_scan_peek(&ps->c, 0) != '}') {
		rc = parse_inline_pairs(ps, tab);
		if (rc)
			return rc;
	}
	toml_scan_advance(&ps->c, 1);
	toml_tree_freeze(tab);
	ps->depth--;
	return 0;
}

static bool match_word(struct parser *ps, const char *word)
{
	size_t len = strlen(word);

	return (size_t)(ps->c.end - ps->c.p) >= len &&
	       !memcmp(ps->c.p, word, len);
}

static int parse_string_value(struct parser *ps, struct toml_value *v)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = toml_scan_string(&ps->c, true, &sb);

	if (rc) {
		strbuf_release(&sb);
		return rc;
	}
	v->u.str.s = strbuf_detach(&sb, &v->u.str.len);
	return v->u.str.s ? 0 : nomem(ps);
}

static int parse_scalar(struct parser *ps, struct toml_value *v)
{
	struct toml_scalar sc;
	int rc = toml_scalar_scan(&ps->c, &sc);

	if (rc)
		return rc;
	v->type = sc.type;
	if (sc.type == TOML_INTEGER) {
		v->u.i = sc.i;
	} else if (sc.type == TOML_FLOAT) {
		v->u.f = sc.f;
	} else {
		v->u.str.s = sc.text;
		v->u.str.len = strlen(sc.text);
	}
	return 0;
}

/* *out is yours on success. */
static int parse_value(struct parser *ps, struct toml_value **out)
{
	int ch = toml_scan_peek(&ps->c, 0);
	struct toml_value *v;
	int rc;

	v = toml_tree_new(TOML_STRING, ps->c.line, ps->c.col);
	if (!v)
		return nomem(ps);
	if (ch == '"' || ch == '\'') {
		rc = parse_string_value(ps, v);
	} else if (ch == '[') {
		v->type = TOML_ARRAY;
		rc = parse_array(ps, v);
	} else if (ch == '{') {
		v->type = TOML_TABLE;
		rc = parse_inline_table(ps, v);
	} else if (match_word(ps, "true") || match_word(ps, "false")) {
		v->type = TOML_BOOL;
		v->u.b = ch == 't';
		toml_scan_advance(&ps->c, v->u.b ? 4 : 5);
		rc = 0;
	} else {
		rc = parse_scalar(ps, v);
	}
	if (rc) {
		toml_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

/* Key/value pairs. */

/*
 * Walk a key's leading parts from *table, making tables as needed, for a
 * dotted key (header false) or a [header] (true; *table is the root).
 * A dotted key may go through tables it or a [header] path made, never
 * into a table a [header] defined, an inline table or an array. A header
 * makes implicit tables, and an array of tables stands for its last
 * element.
 */
static int walk_key(struct parser *ps, const struct key_path *kp,
		    bool header, struct toml_value **table)
{
	unsigned closed = header ? ORIGIN_INLINE
				 : ORIGIN_INLINE | ORIGIN_HEADER;

	for (size_t i = 0; i + 1 < kp->n; i++) {
		const struct key_part *part = &kp->parts[i];
		struct toml_value *v =
			toml_tree_find(*table, part->s, part->len);

		if (!v) {
			v = toml_tree_new(TOML_TABLE, part->line, part->col);
			if (!v || toml_tree_add(*table, part->s, part->len, v))
				return nomem(ps);
			v->origin = ORIGIN_IMPLICIT;
		} else if (header && v->type == TOML_ARRAY &&
			   v->origin & ORIGIN_AOT) {
			v = v->u.arr.items[v->u.arr.n - 1];
		} else if (v->type != TOML_TABLE || v->origin & closed) {
			return redefined(ps, kp, i, v);
		}
		/* Defined by dotted keys: no [header] may define it now. */
		if (!header)
			v->origin = ORIGIN_DOTTED;
		*table = v;
	}
	return 0;
}

static int parse_keyval(struct parser *ps, struct toml_value *table)
{
	struct key_path kp = {.n = 0};
	struct toml_value *v = NULL, *old;
	const struct key_part *last;
	int rc;

	rc = parse_key(ps, &kp);
	if (!rc && toml_scan_peek(&ps->c, 0) != '=')
		rc = found_errf(ps, "'=' after a key");
	if (!rc)
		rc = walk_key(ps, &kp, false, &table);
	if (rc)
		goto out;
	last = &kp.parts[kp.n - 1];
	old = toml_tree_find(table, last->s, last->len);
	if (old) {
		rc = redefined(ps, &kp, kp.n - 1, old);
		goto out;
	}
	toml_scan_advance(&ps->c, 1);
	toml_scan_skip_ws(&ps->c);
	rc = parse_value(ps, &v);
	if (!rc && toml_tree_add(table, last->s, last->len, v))
		rc = nomem(ps);
out:
	key_path_release(&kp);
	return rc;
}

/* Table headers. */

/* [a.b]: define the table, unless something already did. */
static int define_table(struct parser *ps, const struct key_path *kp,
			struct toml_value *parent, int line, int col)
{
	const struct key_part *last = &kp->parts[kp->n - 1];
	struct toml_value *v = toml_tree_find(parent, last->s, last->len);

	if (!v) {
		v = toml_tree_new(TOML_TABLE, line, col);
		if (!v || toml_tree_add(parent, last->s, last->len, v))
			return nomem(ps);
	} else if (v->type != TOML_TABLE || v->origin != ORIGIN_IMPLICIT) {
		return redefined(ps, kp, kp->n - 1, v);
	}
	v->origin = ORIGIN_HEADER;
	v->line = line;
	v->column = col;
	ps->current = v;
	return 0;
}

/* [[a.b]]: add a table to the array of tables, made if new. */
static int add_aot_element(struct parser *ps, const struct key_path *kp,
			   struct toml_value *parent, int line, int col)
{
	const struct key_part *last = &kp->parts[kp->n - 1];
	struct toml_value *arr = toml_tree_find(parent, last->s, last->len);
	struct toml_value *v;

	if (!arr) {
		arr = toml_tree_new(TOML_ARRAY, line, col);
		if (!arr || toml_tree_add(parent, last->s, last->len, arr))
			return nomem(ps);
		arr->origin = ORIGIN_AOT;
	} else if (arr->type != TOML_ARRAY || !(arr->origin & ORIGIN_AOT)) {
		return redefined(ps, kp, kp->n - 1, arr);
	}
	v = toml_tree_new(TOML_TABLE, line, col);
	if (!v || toml_tree_push(arr, v))
		return nomem(ps);
	v->origin = ORIGIN_HEADER;
	ps->current = v;
	return 0;
}

static int parse_header(struct parser *ps)
{
	int line = ps->c.line, col = ps->c.col;
	bool aot = toml_scan_peek(&ps->c, 1) == '[';
	struct key_path kp = {.n = 0};
	struct toml_value *parent;
	int rc;

	toml_scan_advance(&ps->c, aot ? 2 : 1);
	toml_scan_skip_ws(&ps->c);
	rc = parse_key(ps, &kp);
	if (rc)
		goto out;
	if (toml_scan_peek(&ps->c, 0) != ']' ||
	    (aot && toml_scan_peek(&ps->c, 1) != ']')) {
		rc = found_errf(ps, aot ? "']]' to close the header"
					: "']' to close the header");
		goto out;
	}
	toml_scan_advance(&ps->c, aot ? 2 : 1);
	parent = ps->root;
	rc = walk_key(ps, &kp, true, &parent);
	if (!rc && aot)
		rc = add_aot_element(ps, &kp, parent, line, col);
	else if (!rc)
		rc = define_table(ps, &kp, parent, line, col);
out:
	key_path_release(&kp);
	return rc;
}

/* The document. */

/* After a key/value or a header: an optional comment, then a new line. */
static int end_of_line(struct parser *ps, const char *after)
{
	char what[32];
	int ch;

	toml_scan_skip_ws(&ps->c);
	ch = toml_scan_peek(&ps->c, 0);
	if (ch == '#') {
		while (ps->c.p < ps->c.end && *ps->c.p != '\n' &&
		       *ps->c.p != '\r')
			toml_scan_advance(&ps->c, 1);
		ch = toml_scan_peek(&ps->c, 0);
	}
	if (ch < 0)
		return 0;
	if (ch == '\n' || ch == '\r') {
		toml_scan_advance(&ps->c, ch == '\n' ? 1 : 2);
		return 0;
	}
	toml_scan_describe(&ps->c, what, sizeof(what));
	return toml_scan_errf(&ps->c, DG_EPARSE, ps->c.line, ps->c.col,
			      "expected the end of the line after %s, "
			      "found %s",
			      after, what);
}

static int parse_document(struct parser *ps)
{
	for (;;) {
		int ch, rc;

		toml_scan_skip_ws(&ps->c);
		ch = toml_scan_peek(&ps->c, 0);
		if (ch < 0)
			return 0;
		if (ch == '[') {
			rc = parse_header(ps);
			if (!rc)
				rc = end_of_line(ps, "a table header");
		} else if (ch == '#' || ch == '\n' || ch == '\r') {
			rc = end_of_line(ps, "a comment");
		} else {
			rc = parse_keyval(ps, ps->current);
			if (!rc)
				rc = end_of_line(ps, "a value");
		}
		if (rc)
			return rc;
	}
}

int toml_parse(const char *text, size_t len, struct toml_value **root,
	       struct dg_err *err)
{
	return toml_parse_named(text, len, NULL, root, err);
}

int toml_parse_named(const char *text, size_t len, const char *name,
		     struct toml_value **root, struct dg_err *err)
{
	struct parser ps = {
		.c = {.p = text,
		      .end = text + len,
		      .line = 1,
		      .col = 1,
		      .name = name,
		      .err = err},
	};
	int rc;

	*root = NULL;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		ps.c.p += 3;
	rc = toml_scan_check_text(&ps.c);
	if (rc)
		return rc;
	ps.root = toml_tree_new(TOML_TABLE, 1, 1);
	if (!ps.root)
		return nomem(&ps);
	ps.current = ps.root;
	rc = parse_document(&ps);
	if (rc) {
		toml_free(ps.root);
		return rc;
	}
	*root = ps.root;
	return 0;
}

int toml_datetime_parse(const char *text, size_t len, enum toml_type *type,
			char **normalized, struct dg_err *err)
{
	struct toml_cursor c = {
		.p = text, .end = text + len, .line = 1, .col = 1, .err = err};
	struct toml_scalar sc;
	int rc;

	*normalized = NULL;
	rc = toml_scan_check_text(&c);
	if (!rc)
		rc = toml_scalar_scan(&c, &sc);
	if (rc)
		return rc;
	if (sc.type == TOML_INTEGER || sc.type == TOML_FLOAT || c.p != c.end) {
		free(sc.text);
		return dg_errf(err, DG_EPARSE, "'%.*s' is not a date-time",
			       len > 40 ? 40 : (int)len, text);
	}
	*type = sc.type;
	*normalized = sc.text;
	return 0;
}
