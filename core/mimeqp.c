#include "mimeqp.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* libetpan's soft break: before a byte once the line is past this. */
#define QP_MAX_COL 72
/* The text is looked at in blocks of this many bytes, a bit a byte. */
#define BLOCK 64
/*
 * The most the stops of one block write: an escape after a soft break
 * (6 octets) for each byte, a run carried from the blocks before (and
 * its soft breaks) and the 16 octets a run's copy may write past it.
 */
#define BLOCK_OUT (BLOCK * 6 + 2 * (QP_MAX_COL + 4) + 16)
/* Runs up to this long are copied 16 bytes at a time. */
#define RUN_COPY (QP_MAX_COL + 1)
/* Output is gathered here and appended to the strbuf in pieces. */
#define CHUNK 4096

/*
 * 1: the byte is written as it is; 0: as =XX. libetpan 1.9.4's choice
 * (mailmime_write_generic.c): tab, space, 33-126 but !"#$=?@[\]^_`{|}~
 * and F.
 */
static const unsigned char qp_raw[256] = {
	/* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	/* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* ' '  */ 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* '0'  */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0,
	/* '@'  */ 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 'P'  */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	/* '`'  */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 'p'  */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	/* 0x80 and up: 0 */
};

/* The two hex digits of byte c are hex[2c] and hex[2c + 1]. */
static const char hex[] = "000102030405060708090A0B0C0D0E0F"
			  "101112131415161718191A1B1C1D1E1F"
			  "202122232425262728292A2B2C2D2E2F"
			  "303132333435363738393A3B3C3D3E3F"
			  "404142434445464748494A4B4C4D4E4F"
			  "505152535455565758595A5B5C5D5E5F"
			  "606162636465666768696A6B6C6D6E6F"
			  "707172737475767778797A7B7C7D7E7F"
			  "808182838485868788898A8B8C8D8E8F"
			  "909192939495969798999A9B9C9D9E9F"
			  "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF"
			  "B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"
			  "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF"
			  "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
			  "E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEF"
			  "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF";

struct qp_out {
	struct strbuf *sb;
	int rc;
	char buf[CHUNK];
};

/* Where the output goes on: the next octet in buf, and its column. */
struct qp_pos {
	char *p;
	unsigned col;
};

/* Append what buf holds, up to p, to the strbuf; returns buf. */
static char *flush(struct qp_out *o, char *p)
{
	if (!o->rc && p > o->buf)
		o->rc = strbuf_add(o->sb, o->buf, (size_t)(p - o->buf));
	return o->buf;
}

/* p, or buf after a flush when fewer than want octets are left. */
static char *reserve(struct qp_out *o, char *p, size_t want)
{
	return (size_t)(o->buf + sizeof(o->buf) - p) < want ? flush(o, p) : p;
}

/*
 * A bit for each of the n bytes at s (n <= BLOCK) that qp_raw says is
 * escaped, a byte at a time: the last bytes of a text (where 16 at a
 * time would read past its end), and every block without SSE2.
 */
static uint64_t table_stops(const unsigned char *s, size_t n)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++)
		m |= (uint64_t)!qp_raw[s[i]] << i;
	return m;
}

#ifdef __SSE2__
/* 0xff for the bytes of x in [lo, hi]: lo moved to the least signed byte */
static __m128i in_range(__m128i x, char lo, char hi)
{
	__m128i y = _mm_sub_epi8(x, _mm_set1_epi8((char)(lo - 128)));

	return _mm_cmplt_epi8(y, _mm_set1_epi8((char)(hi - lo - 127)));
}

/*
 * A bit for each of the 16 bytes at s that stops a raw run: those
 * qp_raw says are escaped, and tab (rare; put_block lets it through, and
 * one compare fewer here is cheaper).
 */
static uint64_t stops16(const unsigned char *s)
{
	__m128i x = _mm_loadu_si128((const void *)s);
	/* below ' ' or above 'z', 0x80 and up too */
	__m128i bad = _mm_cmpgt_epi8(_mm_sub_epi8(x, _mm_set1_epi8(' ' - 128)),
				     _mm_set1_epi8('z' - ' ' - 128));

	bad = _mm_or_si128(bad, in_range(x, '!', '$'));
	bad = _mm_or_si128(bad, in_range(x, '?', '@'));
	bad = _mm_or_si128(bad, in_range(x, '[', '`'));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8('=')));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8('F')));
	return (unsigned)_mm_movemask_epi8(bad);
}

/*
 * A bit for each byte of the block at s that is not written as it is:
 * sixteen at a time, in a few instructions (SSE2 is in every x86-64).
 */
static uint64_t stops(const unsigned char *s)
{
	return stops16(s) | stops16(s + 16) << 16 | stops16(s + 32) << 32 |
	       stops16(s + 48) << 48;
}
#else
static uint64_t stops(const unsigned char *s)
{
	return table_stops(s, BLOCK);
}
#endif

/* n without the blanks at the end of s[0..n). */
static size_t without_blanks(const unsigned char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/*
 * Copy s[0..n) to p (n <= RUN_COPY), sixteen bytes at a time: a call to
 * memcpy() costs more than the short runs of a digest. The text has 16
 * bytes past n unless near_end; p has room for 16 octets past n.
 */
__attribute__((always_inline)) static inline void
copy_run(char *p, const unsigned char *s, size_t n, bool near_end)
{
	if (near_end) {
		memcpy(p, s, n);
		return;
	}
	memcpy(p, s, 16); /* most runs: n <= 16 */
	for (size_t i = 16; i < n; i += 16)
		memcpy(p + i, s + i, 16);
}

static char *soft_break(char *p)
{
	memcpy(p, "=\r\n", 3);
	return p + 3;
}

/*
 * Raw bytes s[0..n) at any column, a soft break before each byte once the
 * line is past QP_MAX_COL. Room is made piece by piece (a long run comes
 * from many blocks) and left for the rest of a block (BLOCK_OUT).
 */
static struct qp_pos put_run(struct qp_out *o, struct qp_pos w,
			     const unsigned char *s, size_t n,
			     const unsigned char *end)
{
	while (n) {
		size_t take;

		w.p = reserve(o, w.p, 3 + RUN_COPY + BLOCK_OUT);
		if (w.col > QP_MAX_COL) {
			w.p = soft_break(w.p);
			w.col = 0;
		}
		take = QP_MAX_COL + 1 - w.col;
		if (take > n)
			take = n;
		copy_run(w.p, s, take, end - s < RUN_COPY + 16);
		w.p += take;
		w.col += (unsigned)take;
		s += take;
		n -= take;
	}
	return w;
}

/* put_run_to() of a run longer than a line: soft breaks after it too. */
static struct qp_pos put_long_run(struct qp_out *o, struct qp_pos w,
				  const unsigned char *s, size_t n,
				  const unsigned char *end)
{
	w = put_run(o, w, s, n, end);
	if (w.col > QP_MAX_COL) {
		w.p = soft_break(w.p);
		w.col = 0;
	}
	return w;
}

/*
 * Before a stop (an escape, a line end): the run s[0..n) and the soft
 * breaks it and the stop need. Most runs fit the line: a copy, no soft
 * break; most others cross it once.
 */
__attribute__((always_inline)) static inline struct qp_pos
put_run_to(struct qp_out *o, struct qp_pos w, const unsigned char *s, size_t n,
	   const unsigned char *end, bool near_end)
{
	size_t take;

	if (w.col + n <= QP_MAX_COL) {
		copy_run(w.p, s, n, near_end);
		w.p += n;
		w.col += (unsigned)n;
		return w;
	}
	if (n > QP_MAX_COL)
		return put_long_run(o, w, s, n, end);
	/* across the line once: a soft break in it, or before it */
	take = w.col > QP_MAX_COL ? 0 : QP_MAX_COL + 1 - w.col;
	copy_run(w.p, s, take, near_end);
	w.p = soft_break(w.p + take);
	copy_run(w.p, s + take, n - take, near_end);
	w.p += n - take;
	w.col = (unsigned)(n - take);
	return w;
}

/*
 * The stops of the block at b (bits m), from the run that starts at s:
 * each ends a raw run and is an escape or a line end (or a tab, part of
 * the run). Returns where the run after the last one starts. Inlined,
 * like the functions it calls for each stop, because a call per stop
 * costs as much as the stop (near_end is then a constant).
 */
__attribute__((always_inline)) static inline const unsigned char *
put_block(struct qp_out *o, struct qp_pos *at, const unsigned char *s,
	  const unsigned char *b, uint64_t m, const unsigned char *end,
	  bool near_end)
{
	struct qp_pos w = *at;

	for (; m; m &= m - 1) {
		const unsigned char *stop = b + __builtin_ctzll(m);
		unsigned c = *stop;

		if (c <= '\r') { /* the few controls that are no escape */
			if (c == '\t' || stop < s) /* stop < s: LF of CRLF */
				continue;
			if (c == '\n' || c == '\r') {
				w = put_run_to(
					o, w, s,
					without_blanks(s, (size_t)(stop - s)),
					end, near_end);
				memcpy(w.p, "\r\n", 2);
				w.p += 2;
				w.col = 0;
				s = stop + (c == '\r' && stop + 1 < end &&
							    stop[1] == '\n'
						    ? 2
						    : 1);
				continue;
			}
		}
		w = put_run_to(o, w, s, (size_t)(stop - s), end, near_end);
		w.p[0] = '=';
		memcpy(w.p + 1, hex + 2 * c, 2);
		w.p += 3;
		w.col += 3;
		s = stop + 1;
	}
	*at = w;
	return s;
}

/* The stops of the block at b, or of the last bytes of the text. */
static uint64_t block_stops(const unsigned char *b, const unsigned char *end)
{
	return end - b >= BLOCK ? stops(b) : table_stops(b, (size_t)(end - b));
}

int mimeqp_encode(const char *text, size_t len, struct strbuf *out)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + len;
	struct qp_out o = {.sb = out};
	struct qp_pos w = {o.buf, 0};

	/* Digests are mostly ASCII: room for that in one allocation. */
	o.rc = strbuf_grow(out, len + len / 4 + 64);
	for (const unsigned char *b = s; b < end && !o.rc; b += BLOCK) {
		w.p = reserve(&o, w.p, BLOCK_OUT);
		/* the 16 bytes a copy may read past a stop: in the text */
		if (end - b >= BLOCK + 16)
			s = put_block(&o, &w, s, b, stops(b), end, false);
		else
			s = put_block(&o, &w, s, b, block_stops(b, end), end,
				      true);
	}
	if (!o.rc)
		w = put_run(&o, w, s, without_blanks(s, (size_t)(end - s)),
			    end);
	flush(&o, w.p);
	return o.rc;
}
