/*
 * roster_jsonl: the JSON lines reader of the roster file, on json-c.
 *
 * Rows are checked by roster_build, as the CSV reader's are, so both
 * formats refuse the same things with the same messages.
 */
#ifndef DIGEST_ROSTER_JSONL_H
#define DIGEST_ROSTER_JSONL_H

#include <stddef.h>

#include "err.h"
#include "roster.h"

/*
 * Read JSON lines: one object per line with the keys of the CSV header;
 * aliases is an array of strings or a ';'-separated string, opt_out a
 * boolean, an assessment a string or an integer (null or "": no result).
 * Blank lines are skipped. Same ownership as
 * roster_read_file() (roster_import.h).
 */
int roster_read_jsonl(const char *text, size_t len, const char *name,
		      struct roster *out, struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
