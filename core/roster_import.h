/*
 * roster_import: the roster file read into the model and into the store.
 *
 * The file is CSV or JSON lines (roster.h says what its columns mean);
 * roster_csv and roster_jsonl read the formats, roster_build checks each
 * row the same way for both, roster_db stores the result as a whole. A
 * file with any bad row is refused whole and changes nothing.
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure;
 * messages name the file (and the line).
 */
#ifndef DIGEST_ROSTER_IMPORT_H
#define DIGEST_ROSTER_IMPORT_H

#include <stddef.h>

#include "err.h"
#include "roster.h"
#include "store.h"

/*
 * Read the roster file at path: JSON lines when the name ends in .jsonl or
 * .ndjson, CSV otherwise. out must be empty (ROSTER_INIT or released);
 * on success it is yours: roster_release() it. On error out stays empty.
 */
int roster_read_file(const char *path, struct roster *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Read the file at path and replace the roster in st with it, in one
 * transaction that also records the file's path and BLAKE2b hash in the
 * meta keys "roster.file" and "roster.hash". A bad file changes nothing.
 * *npeople (may be NULL) gets the number of people imported.
 */
int roster_import(struct store *st, const char *path, size_t *npeople,
		  struct dg_err *err) __attribute__((warn_unused_result));

/*
 * roster_import() when the file's content differs from the last import
 * (its hash in "roster.hash"), else nothing: the configured roster file
 * is read once per run, and editing it is all an operator has to do.
 */
int roster_sync(struct store *st, const char *path, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
