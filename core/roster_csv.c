#include "roster_csv.h"

#include "roster_build.h"
#include "text.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

/* CSV: libcsv splits fields; we count lines and give columns meaning. */

struct column {
	enum roster_column kind;
	char *name; /* lower-cased */
};

struct csv_reader {
	struct roster_build b;
	int rc;		   /* the first error; everything stops there */
	unsigned line;	   /* the physical line being parsed */
	unsigned rec_line; /* the line where the current record starts */
	bool in_record;
	char **fields; /* the current record */
	size_t nfields, afields;
	struct column *cols; /* the header, once read */
	size_t ncols;
};

static int csv_add_column(struct csv_reader *r, const char *field, size_t i)
{
	struct roster_build *b = &r->b;
	struct column *col = &r->cols[i];
	size_t k;

	col->name = text_trimmed(field, strlen(field), false);
	if (!col->name)
		return roster_build_nomem(b);
	if (!*col->name)
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: column %zu has no name", b->name,
			       r->rec_line, i + 1);
	text_lower(col->name);
	if (!roster_build_name_ok(col->name))
		return dg_errf(b->err, DG_EINVAL,
			       "%s:%u: column name '%s' may only hold "
			       "letters, digits, '_' and '-'",
			       b->name, r->rec_line, col->name);
	for (k = 0; k < i; k++)
		if (!strcmp(r->cols[k].name, col->name))
			return dg_errf(b->err, DG_EINVAL,
				       "%s:%u: column '%s' appears twice",
				       b->name, r->rec_line, col->name);
	col->kind = roster_build_column(col->name);
	return 0;
}

static int csv_read_header(struct csv_reader *r)
{
	bool email = false;
	size_t i;
	int rc;

	r->cols = calloc(r->nfields, sizeof(*r->cols));
	if (!r->cols)
		return roster_build_nomem(&r->b);
	r->ncols = r->nfields;
	for (i = 0; i < r->ncols; i++) {
		rc = csv_add_column(r, r->fields[i], i);
		if (rc)
			return rc;
		email = email || r->cols[i].kind == ROSTER_COLUMN_EMAIL;
	}
	if (!email)
		return dg_errf(r->b.err, DG_EINVAL, "%s:%u: no 'email' column",
			       r->b.name, r->rec_line);
	return 0;
}

static int parse_opt_out(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "1"};
	static const char *const no[] = {"", "false", "no", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!text_casecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (!text_casecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return DG_EINVAL;
}

static int csv_cell(struct csv_reader *r, struct roster_person *p,
		    const struct column *col, const char *cell)
{
	size_t len = strlen(cell);
	char *v;
	int rc = 0;

	if (col->kind == ROSTER_COLUMN_ALIASES)
		return roster_build_aliases(p, cell, len)
			       ? roster_build_nomem(&r->b)
			       : 0;
	v = text_trimmed(cell, len,
			 col->kind == ROSTER_COLUMN_NAME ||
				 col->kind == ROSTER_COLUMN_TITLE);
	if (!v)
		return roster_build_nomem(&r->b);
	switch (col->kind) {
	case ROSTER_COLUMN_EMAIL:
		p->email = v;
		return 0;
	case ROSTER_COLUMN_NAME:
		p->name = v;
		return 0;
	case ROSTER_COLUMN_TITLE:
		p->title = v;
		return 0;
	case ROSTER_COLUMN_OPT_OUT:
		if (parse_opt_out(v, &p->opt_out))
			rc = dg_errf(r->b.err, DG_EINVAL,
				     "%s:%u: opt_out must be true or false, "
				     "not '%s'",
				     r->b.name, p->line, v);
		break;
	case ROSTER_COLUMN_RESULT:
		if (*v && roster_person_add_result(p, col->name, v))
			rc = roster_build_nomem(&r->b);
		break;
	case ROSTER_COLUMN_ALIASES:
		break;
	}
	free(v);
	return rc;
}

static bool csv_row_is_empty(const struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (text_has_content(r->fields[i], strlen(r->fields[i])))
			return false;
	return true;
}

static int csv_read_row(struct csv_reader *r)
{
	struct roster_person p = {0};
	size_t i;
	int rc = 0;

	/* Spreadsheets export trailing ",,,," rows: they say nothing. */
	if (csv_row_is_empty(r))
		return 0;
	if (r->nfields != r->ncols)
		return dg_errf(r->b.err, DG_EINVAL,
			       "%s:%u: row has %zu fields but the header has "
			       "%zu",
			       r->b.name, r->rec_line, r->nfields, r->ncols);
	p.line = r->rec_line;
	for (i = 0; !rc && i < r->ncols; i++)
		rc = csv_cell(r, &p, &r->cols[i], r->fields[i]);
	if (!rc)
		rc = roster_build_add(&r->b, &p);
	roster_person_release(&p);
	return rc;
}

static void csv_clear_fields(struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	r->nfields = 0;
}

static void csv_on_field(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;
	char *copy;

	if (r->rc)
		return;
	if (r->nfields == r->afields) {
		size_t alloc = r->afields ? r->afields * 2 : 16;
		char **v = realloc(r->fields, alloc * sizeof(*v));

		if (!v) {
			r->rc = roster_build_nomem(&r->b);
			return;
		}
		r->fields = v;
		r->afields = alloc;
	}
	copy = malloc(len + 1);
	if (!copy) {
		r->rc = roster_build_nomem(&r->b);
		return;
	}
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	r->fields[r->nfields++] = copy;
}

static void csv_on_record(int c, void *data)
{
	struct csv_reader *r = data;

	r->in_record = false;
	if (!r->rc)
		r->rc = r->cols ? csv_read_row(r) : csv_read_header(r);
	csv_clear_fields(r);
}

/* libcsv stopped: a strict-mode error is a quoting mistake on this line. */
static int csv_parse_error(struct csv_reader *r, struct csv_parser *parser)
{
	int code = csv_error(parser);

	if (code != CSV_EPARSE)
		return dg_errf(r->b.err, DG_ENOMEM, "%s:%u: %s", r->b.name,
			       r->line, csv_strerror(code));
	return dg_errf(r->b.err, DG_EPARSE,
		       "%s:%u: %s (a field holding '\"' must be quoted, the "
		       "quote doubled)",
		       r->b.name, r->line, csv_strerror(code));
}

/*
 * Feed libcsv one physical line at a time: it knows no line numbers, and
 * this way a record starts on the first line with content fed while no
 * record was open.
 */
static int csv_feed(struct csv_reader *r, struct csv_parser *parser,
		    const char *text, size_t len)
{
	size_t pos = 0, end;

	while (pos < len && !r->rc) {
		end = text_line_end(text, len, pos);
		r->line++;
		if (!text_is_utf8(text + pos, end - pos))
			return dg_errf(r->b.err, DG_EPARSE,
				       "%s:%u: not UTF-8 text; save the roster "
				       "as UTF-8",
				       r->b.name, r->line);
		if (!r->in_record && text_has_content(text + pos, end - pos)) {
			r->in_record = true;
			r->rec_line = r->line;
		}
		if (csv_parse(parser, text + pos, end - pos, csv_on_field,
			      csv_on_record, r) != end - pos &&
		    !r->rc)
			return csv_parse_error(r, parser);
		pos = end;
	}
	if (r->rc)
		return r->rc;
	if (csv_fini(parser, csv_on_field, csv_on_record, r) && !r->rc)
		return dg_errf(r->b.err, DG_EPARSE,
			       "%s:%u: unterminated quote: a quoted field "
			       "starting in this row never ends",
			       r->b.name, r->rec_line);
	if (!r->rc && !r->cols)
		return dg_errf(r->b.err, DG_EINVAL,
			       "%s: the file is empty; a roster needs a "
			       "header row with an 'email' column",
			       r->b.name);
	return r->rc;
}

static void csv_reader_release(struct csv_reader *r)
{
	size_t i;

	csv_clear_fields(r);
	free(r->fields);
	for (i = 0; i < r->ncols; i++)
		free(r->cols[i].name);
	free(r->cols);
	roster_build_release(&r->b);
}

int roster_read_csv(const char *text, size_t len, const char *name,
		    struct roster *out, struct dg_err *err)
{
	struct csv_reader r = {.rc = 0};
	struct csv_parser parser;
	int rc;

	roster_build_init(&r.b, name, out, err);
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI))
		return dg_errf(err, DG_ENOMEM, "%s: out of memory", name);
	text_skip_bom(&text, &len);
	rc = csv_feed(&r, &parser, text, len);
	csv_free(&parser);
	csv_reader_release(&r);
	if (rc)
		roster_release(out);
	return rc;
}
