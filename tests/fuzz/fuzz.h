/*
 * fuzz: what every harness under tests/fuzz/ shares.
 *
 * A harness defines LLVMFuzzerTestOneInput() and nothing else. Built with
 * clang and -fsanitize=fuzzer (cmake -DDIGEST_FUZZ=ON, `make fuzz`) it is
 * a libFuzzer target; built with any compiler and replay.c it is an
 * ordinary program that runs the inputs it is given once each, which is
 * how ctest replays tests/fuzz/regressions/ and the seed corpora.
 *
 * A harness checks invariants, not only "no crash": FUZZ_ASSERT() prints
 * what broke and aborts, which both drivers report as a failure.
 */
#ifndef DIGEST_FUZZ_H
#define DIGEST_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

/*
 * A NUL-terminated copy of data (which may hold NULs of its own), or NULL
 * when memory runs out (the harness then returns: not a finding).
 */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Split data at the first occurrence of the byte 0xff (never in UTF-8),
 * so one input can carry several strings: returns the length of the
 * first part and moves *data / *size past it and its separator.
 */
static inline size_t fuzz_take(const uint8_t **data, size_t *size)
{
	const uint8_t *end = memchr(*data, 0xff, *size);
	size_t n = end ? (size_t)(end - *data) : *size;

	*data += end ? n + 1 : n;
	*size -= end ? n + 1 : n;
	return n;
}

/* Whether s[0..len) is well-formed UTF-8 (RFC 3629: no surrogates). */
static inline bool fuzz_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i];
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Whether s has no byte below 0x20 (other than tab) and no DEL. */
static inline bool fuzz_one_line(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

#endif
