/*
 * fuzz_graph_mailbox: mailboxSettings (graphjson_mailbox).
 *
 * Invariants: on error *out stays zeroed; a scheduled automatic reply
 * always has both its date-times; working days fit in seven bits.
 */
#include "calendar.h"
#include "err.h"
#include "fuzz.h"
#include "graphjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cal_mailbox zero;
	struct cal_mailbox mb = {0};
	struct dg_err err = DG_ERR_INIT;

	if (graphjson_mailbox((const char *)data, size, &mb, &err)) {
		FUZZ_ASSERT(!memcmp(&mb, &zero, sizeof(mb)));
		FUZZ_ASSERT(err.msg[0] && fuzz_one_line(err.msg));
		return 0;
	}
	if (mb.autoreply == CAL_AUTOREPLY_SCHEDULED) {
		FUZZ_ASSERT(mb.autoreply_start.date_time &&
			    mb.autoreply_start.time_zone);
		FUZZ_ASSERT(mb.autoreply_end.date_time &&
			    mb.autoreply_end.time_zone);
	}
	FUZZ_ASSERT(mb.working_days < 1u << 7);
	cal_mailbox_release(&mb);
	return 0;
}
