/*
 * The one summary line of a run on stderr, its counts put into words by
 * ICU's plural rules (MessageFormat), not by hand: "1 digest sent",
 * "2 digests sent". The patterns are a table, one per kind of run, so a
 * translation replaces the table, not the code.
 */
#include <stdio.h>

#include <unicode/umsg.h>
#include <unicode/ustring.h>

#include "cmd.h"
#include "job.h"

/* Arguments: 0 sent or ready, 1 skipped, 2 waiting, 3 deferred,
 * 4 failed, 5 not tried. Every count goes through a plural so that
 * every argument is a double for ICU. */
static const char run_pattern[] =
	"{0,plural,one{# digest}other{# digests}} sent, "
	"{1,plural,other{# skipped}}, {2,plural,other{# waiting}}, "
	"{3,plural,other{# deferred}}, {4,plural,other{# failed}}"
	"{5,plural,=0{}other{, # not tried}}";

static const char dry_run_pattern[] =
	"{0,plural,one{# digest}other{# digests}} ready (dry run, nothing "
	"sent), {1,plural,other{# skipped}}, {2,plural,other{# waiting}}, "
	"{3,plural,other{# deferred}}, {4,plural,other{# failed}}"
	"{5,plural,=0{}other{, # not tried}}";

/* The counts as words into out (UTF-8); -1 if ICU fails. */
static int format_counts(const char *pattern, const struct job_summary *s,
			 size_t first, char *out, int32_t size)
{
	UChar upat[512], ures[512];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	u_strFromUTF8(upat, 512, &n, pattern, -1, &st);
	if (U_FAILURE(st))
		return -1;
	n = u_formatMessage("en", upat, n, ures, 512, &st, (double)first,
			    (double)s->skipped, (double)s->waiting,
			    (double)s->deferred, (double)s->failed,
			    (double)s->untried);
	if (U_FAILURE(st))
		return -1;
	u_strToUTF8(out, size, NULL, ures, n, &st);
	return U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING ? -1 : 0;
}

void cmd_print_summary(const struct job_summary *s, bool dry_run)
{
	char line[1024];

	if (format_counts(dry_run ? dry_run_pattern : run_pattern, s,
			  dry_run ? s->ready : s->sent, line,
			  (int32_t)sizeof(line))) {
		/* ICU failed: the numbers still go out, without words. */
		cmd_info("%zu %zu %zu %zu %zu %zu",
			 dry_run ? s->ready : s->sent, s->skipped, s->waiting,
			 s->deferred, s->failed, s->untried);
		return;
	}
	cmd_info("%s", line);
}
