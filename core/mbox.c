#include "mbox.h"

#include <string.h>
#include <time.h>

/* asctime's names, fixed: strftime's %a and %b follow the locale. */
static const char *const wday_names[] = {"Sun", "Mon", "Tue", "Wed",
					 "Thu", "Fri", "Sat"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec"};

static int check_sender(const char *s, struct dg_err *err)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return dg_errf(err, DG_EINVAL,
				       "mbox sender is not valid: it has a "
				       "blank or a control character at "
				       "position %zu",
				       i + 1);
	return 0;
}

/* "From sender Tue Nov 24 07:00:00 2026\n" (asctime's layout, UTC). */
static int add_from_line(struct strbuf *out, const char *sender, int64_t when,
			 struct dg_err *err)
{
	time_t t = (time_t)when;
	struct tm tm;
	int rc;

	if ((int64_t)t != when || !gmtime_r(&t, &tm) || tm.tm_year < -1899 ||
	    tm.tm_year > 9999 - 1900)
		return dg_errf(err, DG_EINVAL,
			       "mbox date %lld is outside "
			       "the years 1-9999",
			       (long long)when);
	rc = strbuf_addf(out, "From %s %s %s %2d %02d:%02d:%02d %d\n", sender,
			 wday_names[tm.tm_wday], month_names[tm.tm_mon],
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 tm.tm_year + 1900);
	if (rc)
		return dg_errf(err, rc, "cannot add to the mbox buffer (%s)",
			       dg_strerror(rc));
	return 0;
}

/* Whether line[0..n) matches /^>*From /: such lines get one more '>'. */
static int needs_quote(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && line[i] == '>')
		i++;
	return n - i >= 5 && !memcmp(line + i, "From ", 5);
}

/* msg with LF line ends and mboxrd quoting, and the blank line after it. */
static int add_body(struct strbuf *out, const char *msg, size_t len)
{
	size_t i = 0, n, eol;
	int rc = 0;

	while (!rc && i < len) {
		const char *nl = memchr(msg + i, '\n', len - i);

		eol = nl ? (size_t)(nl - msg) : len;
		n = eol - i;
		if (nl && n && msg[eol - 1] == '\r')
			n--;
		if (needs_quote(msg + i, n))
			rc = strbuf_addch(out, '>');
		if (!rc)
			rc = strbuf_add(out, msg + i, n);
		if (!rc)
			rc = strbuf_addch(out, '\n');
		i = eol + 1;
	}
	return rc ? rc : strbuf_addch(out, '\n');
}

int mbox_append(struct strbuf *out, const char *envelope_from, int64_t when,
		const char *msg, size_t len, struct dg_err *err)
{
	const char *sender = envelope_from && *envelope_from ? envelope_from
							     : "MAILER-DAEMON";
	int rc;

	if (!msg && len)
		return dg_errf(err, DG_EINVAL, "mbox message is missing");
	rc = check_sender(sender, err);
	if (!rc)
		rc = add_from_line(out, sender, when, err);
	if (rc)
		return rc;
	rc = add_body(out, msg, len);
	if (rc)
		return dg_errf(err, rc,
			       "cannot add a message of %zu bytes to "
			       "the mbox buffer (%s)",
			       len, dg_strerror(rc));
	return 0;
}
