/*
 * fuzz_roster: the roster readers, CSV (libcsv) and JSON lines. The first
 * byte picks the format, so one corpus grows for both.
 *
 * Invariants: on error the roster stays empty and the message is one
 * line; on success every person has a non-empty address that
 * roster_find() finds again, and the roster frees cleanly.
 */
#include "err.h"
#include "fuzz.h"
#include "roster.h"
#include "roster_csv.h"
#include "roster_jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *text = (const char *)data + 1;
	int rc;

	if (!size)
		return 0;
	if (data[0] & 1)
		rc = roster_read_jsonl(text, size - 1, "roster.jsonl", &r, &err);
	else
		rc = roster_read_csv(text, size - 1, "roster.csv", &r, &err);
	if (rc) {
		FUZZ_ASSERT(r.n == 0 && err.msg[0]);
		FUZZ_ASSERT(fuzz_one_line(err.msg));
		return 0;
	}
	for (size_t i = 0; i < r.n; i++) {
		FUZZ_ASSERT(r.v[i].email && r.v[i].email[0]);
		FUZZ_ASSERT(roster_find(&r, r.v[i].email));
	}
	roster_release(&r);
	return 0;
}
