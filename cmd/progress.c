/*
 * The progress line: on a terminal, one line on stderr redrawn in place
 * ("calendars 120/1000 · requests 340 · throttled 12"); elsewhere nothing,
 * because the job already logs a line per user. Log lines first clear it
 * (cmd_progress_clear), so the two never mix.
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"

static int on_tty = -1;
static int shown;

void cmd_progress(const struct source_progress *p, void *ctx)
{
	(void)ctx;
	if (on_tty < 0)
		on_tty = isatty(STDERR_FILENO);
	if (!on_tty)
		return;
	if (p->total)
		fprintf(stderr,
			"\r\033[K%s %zu/%zu \xc2\xb7 requests %zu "
			"\xc2\xb7 throttled %zu",
			p->stage, p->done, p->total, p->requests, p->throttled);
	else
		fprintf(stderr,
			"\r\033[K%s %zu \xc2\xb7 requests %zu "
			"\xc2\xb7 throttled %zu",
			p->stage, p->done, p->requests, p->throttled);
	fflush(stderr);
	shown = 1;
}

void cmd_progress_clear(void)
{
	if (!shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	shown = 0;
}
