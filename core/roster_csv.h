/*
 * roster_csv: the CSV reader of the roster file, on top of libcsv.
 *
 * Rows are checked by roster_build, as the JSON lines reader's are, so
 * both formats refuse the same things with the same messages.
 */
#ifndef DIGEST_ROSTER_CSV_H
#define DIGEST_ROSTER_CSV_H

#include <stddef.h>

#include "err.h"
#include "roster.h"

/*
 * Read CSV (RFC 4180; a UTF-8 BOM is skipped; CRLF, LF or CR line ends)
 * from text of len bytes. name is the file name used in messages. Same
 * ownership as roster_read_file() (roster_import.h).
 */
int roster_read_csv(const char *text, size_t len, const char *name,
		    struct roster *out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
