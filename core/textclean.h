/*
 * textclean: untrusted calendar text made safe to show on one line.
 *
 * Subjects, locations and names come from whoever sent the invitation.
 * Shown as they are, a line break would start a fake entry in the text
 * part, and Unicode's bidirectional controls would reorder what the reader
 * sees ("Budget \u202Egnp.exe\u202C review" displays as "Budget exe.png
 * review"); zero-width characters hide differences between look-alikes.
 *
 * Invariants of the text textclean_line() appends: valid UTF-8 (a bad
 * sequence becomes U+FFFD); no control character (C0, DEL, C1) and no
 * line or paragraph separator (each becomes a space);
 * no bidi control (ICU's Bidi_Control property: U+061C, U+200E/F,
 * U+202A-202E, U+2066-2069) and no zero-width character (U+200B-200D,
 * U+2060, U+FEFF); at most max bytes of the input are kept, cut between
 * characters.
 * Errors: 0, or DG_ENOMEM / DG_ETOOBIG from the strbuf.
 */
#ifndef DIGEST_TEXTCLEAN_H
#define DIGEST_TEXTCLEAN_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/*
 * Append the clean form of s to out, from at most max bytes of s (0: no
 * limit). *cut (may be NULL) tells whether s was longer.
 */
int textclean_line(const char *s, size_t max, struct strbuf *out, bool *cut)
	__attribute__((warn_unused_result));

/* Whether code point c is one textclean_line() removes. */
bool textclean_invisible(int c);

#endif
