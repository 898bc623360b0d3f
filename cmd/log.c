/*
 * What digest says on stderr: core's log lines (through the core/logging
 * hook) and the command's own messages, as text ("digest: ...") or, with
 * --log-format json or [log] format = "json", as one JSON object per line
 * for a log collector. stdout is never touched here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd.h"
#include "logging.h"

static enum config_log_format format = CONFIG_LOG_TEXT;
static bool format_fixed; /* --log-format given: the config does not win */

static void print_json(enum logging_level level, const char *msg,
		       const struct logging_fields *f)
{
	struct strbuf line = STRBUF_INIT;

	if (logging_json_line(&line, clock_now_ms(), level, msg, f))
		fprintf(stderr, "{\"level\":\"error\",\"message\":"
				"\"out of memory formatting a log line\"}\n");
	else
		fputs(line.buf, stderr);
	strbuf_release(&line);
}

static void print_line(enum logging_level level, const char *msg,
		       const struct logging_fields *f, bool core)
{
	static const char *const prefix[] = { "error: ", "warning: ", "",
					      "debug: " };

	if (level == LOGGING_DEBUG && !getenv("DIGEST_DEBUG"))
		return;
	cmd_progress_clear();
	if (format == CONFIG_LOG_JSON)
		print_json(level, msg, f);
	else
		fprintf(stderr, "digest: %s%s\n", core ? prefix[level] : "",
			msg);
}

/* The core/logging routine. */
static void log_core(enum logging_level level, const char *msg, void *ctx)
{
	(void)ctx;
	print_line(level, msg, logging_current_fields(), true);
}

void cmd_log_start(void)
{
	logging_set_routine(log_core, NULL);
}

int cmd_log_set_format(const char *name)
{
	if (!strcmp(name, "text"))
		format = CONFIG_LOG_TEXT;
	else if (!strcmp(name, "json"))
		format = CONFIG_LOG_JSON;
	else
		return -1;
	format_fixed = true;
	return 0;
}

void cmd_log_config(const struct config *cfg)
{
	if (!format_fixed)
		format = cfg->log.format;
}

__attribute__((format(printf, 2, 0)))
static void vsay(enum logging_level level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	print_line(level, msg, NULL, false);
}

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(LOGGING_ERROR, fmt, ap);
	va_end(ap);
}

void cmd_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(LOGGING_INFO, fmt, ap);
	va_end(ap);
}
