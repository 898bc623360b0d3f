#include "clock.h"
#include "tz.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read exactly n digits at *p into *out. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int parse(const char *p, int64_t *out_ms)
{
	int h, mi, s, oh = 0, om = 0, sign = 0, ms = 0;
	struct tz_civil date;
	struct tm tm;

	if (!tz_scan_date(&p, &date))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) ||
	    *p++ != ':' || digits(&p, 2, &s))
		return -1;
	if (*p == '.') {
		int scale = 100;

		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om))
			return -1;
	} else {
		return -1;
	}
	if (*p || h > 23 || mi > 59 || s > 60 || oh > 23 || om > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = date.year - 1900;
	tm.tm_mon = date.month - 1;
	tm.tm_mday = date.day;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s == 60 ? 59 : s;
	*out_ms = ((int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60)) *
			  1000 + ms;
	return 0;
}

int clock_parse_rfc3339(const char *s, const char *what, int64_t *out_ms,
			struct dg_err *err)
{
	if (!s || parse(s, out_ms))
		return dg_errf(err, DG_EINVAL,
			       "%s: '%s' is not an RFC 3339 date-time with an "
			       "offset, such as 2026-11-23T06:00:00Z",
			       what, s ? s : "");
	return 0;
}

void clock_format_utc(int64_t ms, char *buf, unsigned long size)
{
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_deadline(int ms, struct timespec *until)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (long)(ms % 1000) * 1000000;
	if (until->tv_nsec >= 1000000000) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000;
	}
}
