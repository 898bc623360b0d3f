#include "logging.h"
#include "err.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

static logging_fn *routine;
static void *routine_ctx;
/* The fields of the line in the routine's hands, for logging_current_fields. */
static const struct logging_fields *current;
/*
 * One line in the routine's hands at a time: the threads that compose or
 * send messages may log too, and the routine (and current) are shared.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

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

__attribute__((format(printf, 3, 0))) static void
logging_vemit(enum logging_level level, const struct logging_fields *f,
	      const char *fmt, va_list ap)
{
	char line[1024];

	if (!routine)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* one line whatever the arguments held: see err.h */
	dg_oneline(line);
	pthread_mutex_lock(&lock);
	current = f;
	routine(level, line, routine_ctx);
	current = NULL;
	pthread_mutex_unlock(&lock);
}

void logging_msg(enum logging_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logging_vemit(level, NULL, fmt, ap);
	va_end(ap);
}

void logging_outcome(enum logging_level level, const struct logging_fields *f,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logging_vemit(level, f, fmt, ap);
	va_end(ap);
}

const struct logging_fields *logging_current_fields(void)
{
	return current;
}

const char *logging_level_name(enum logging_level level)
{
	switch (level) {
	case LOGGING_ERROR: return "error";
	case LOGGING_WARN: return "warning";
	case LOGGING_INFO: return "info";
	case LOGGING_DEBUG: return "debug";
	}
	return "info";
}

/* "2026-11-23T10:00:00.123Z" */
static int add_time(json_object *o, int64_t ms)
{
	time_t secs;
	char buf[64];
	struct tm tm;
	size_t n;

	if (ms < 0)
		ms = 0;
	secs = (time_t)(ms / 1000);
	if (!gmtime_r(&secs, &tm))
		return -1;
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%03uZ", (unsigned)(ms % 1000));
	return json_object_object_add(o, "time", json_object_new_string(buf));
}

/* Add key: s when s is set; json-c takes the new string. */
static int add_str(json_object *o, const char *key, const char *s)
{
	json_object *v;

	if (!s)
		return 0;
	v = json_object_new_string(s);
	if (!v)
		return -1;
	return json_object_object_add(o, key, v);
}

int logging_json_line(struct strbuf *out, int64_t time_ms,
		      enum logging_level level, const char *msg,
		      const struct logging_fields *f)
{
	json_object *o = json_object_new_object();
	const char *text;
	int rc = -1;

	if (!o)
		return DG_ENOMEM;
	if (!add_time(o, time_ms) &&
	    !add_str(o, "level", logging_level_name(level)) &&
	    (!f || (!add_str(o, "user", f->user) &&
		    !add_str(o, "date", f->date) &&
		    !add_str(o, "outcome", f->outcome) &&
		    !add_str(o, "reason", f->reason))) &&
	    !add_str(o, "message", msg))
		rc = 0;
	/* PLAIN: no spaces; NOSLASHESCAPE: URLs stay readable. */
	text = rc ? NULL
		  : json_object_to_json_string_ext(
			    o, JSON_C_TO_STRING_PLAIN |
				       JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = text ? strbuf_addstr(out, text) : DG_ENOMEM;
	if (!rc)
		rc = strbuf_addch(out, '\n');
	json_object_put(o);
	return rc;
}
