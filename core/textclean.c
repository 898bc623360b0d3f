#include "textclean.h"

#include <stdint.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

bool textclean_invisible(int c)
{
	if (c == 0x200b || c == 0x200c || c == 0x200d || c == 0x2060 ||
	    c == 0xfeff)
		return true;
	return u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL);
}

int textclean_line(const char *s, size_t max, struct strbuf *out, bool *cut)
{
	const uint8_t *p = (const uint8_t *)s;
	int32_t i = 0, len;
	size_t n = strlen(s);
	int rc = 0;

	if (cut)
		*cut = max && n > max;
	if (max && n > max)
		n = max;
	/* ICU's indexes are int32_t: nothing shown on one line is longer */
	len = n > INT32_MAX ? INT32_MAX : (int32_t)n;
	while (!rc && i < len) {
		int32_t at = i;
		UChar32 c;

		/*
		 * Printable ASCII, most of any name or subject, is kept as it
		 * is (no bidi control or zero-width character is ASCII): a
		 * run of it at once, without asking ICU about each.
		 */
		while (i < len && p[i] >= 0x20 && p[i] < 0x7f)
			i++;
		if (i > at) {
			rc = strbuf_add(out, s + at, (size_t)(i - at));
			continue;
		}
		U8_NEXT(p, i, len, c);
		if (c < 0 && i >= len && max && (size_t)len == max)
			break; /* a character cut by the limit: drop it */
		if (c < 0)
			rc = strbuf_addstr(out, "\xef\xbf\xbd");
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 ||
			 c == 0x2029)
			rc = strbuf_addch(out, ' ');
		else if (!textclean_invisible(c))
			rc = strbuf_add(out, s + at, (size_t)(i - at));
	}
	return rc;
}
