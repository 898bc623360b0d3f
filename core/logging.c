#include "logging.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

static logging_fn *routine;
static void *routine_ctx;

void logging_set_routine(logging_fn *fn, void *ctx)
{
	routine = fn;
	routine_ctx = ctx;
}

void logging_get_routine(logging_fn **fn, void **ctx)
{
	*fn = routine;
	*ctx = routine_ctx;
}

void logging_msg(enum logging_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!routine)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one line whatever the arguments held: see err.h */
	dg_oneline(line);
	routine(level, line, routine_ctx);
}
