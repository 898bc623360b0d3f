#include "mimeqp.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libetpan's soft break: before a byte once the line is past this. */
#define QP_MAX_COL 72
/* Output is gathered here and appended to the strbuf in pieces. */
#define CHUNK 4096
/* At most one soft break and one escape: the output of one input byte. */
#define MAX_PER_BYTE 6

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

static const char hex[] = "0123456789ABCDEF";

struct qp_out {
	struct strbuf *sb;
	int rc;
	unsigned col; /* octets on the output line so far */
	size_t n;     /* octets in buf */
	char buf[CHUNK];
};

static void flush(struct qp_out *o)
{
	if (!o->rc && o->n)
		o->rc = strbuf_add(o->sb, o->buf, o->n);
	o->n = 0;
}

/* Room for want more octets in buf. */
static void reserve(struct qp_out *o, size_t want)
{
	if (o->n + want > sizeof(o->buf))
		flush(o);
}

/* Encode the bytes of one line (no line end among them). */
static void put_bytes(struct qp_out *o, const unsigned char *s, size_t len)
{
	while (len && !o->rc) {
		size_t take = (sizeof(o->buf) - o->n) / MAX_PER_BYTE;
		unsigned col = o->col;
		char *p = o->buf + o->n;

		if (take < 64) {
			flush(o);
			continue;
		}
		if (take > len)
			take = len;
		len -= take;
		for (const unsigned char *e = s + take; s < e;) {
			size_t run = 0, most;

			if (col > QP_MAX_COL) {
				memcpy(p, "=\r\n", 3);
				p += 3;
				col = 0;
			}
			/* raw bytes up to the next escape or soft break */
			most = QP_MAX_COL + 1 - col;
			if (most > (size_t)(e - s))
				most = (size_t)(e - s);
			/* copied as they are looked at: memcpy() of short
			 * runs costs more than this */
			while (run < most && qp_raw[s[run]]) {
				p[run] = (char)s[run];
				run++;
			}
			if (run) {
				p += run;
				col += (unsigned)run;
				s += run;
				continue;
			}
			p[0] = '=';
			p[1] = hex[*s >> 4];
			p[2] = hex[*s & 15];
			p += 3;
			col += 3;
			s++;
		}
		o->n = (size_t)(p - o->buf);
		o->col = col;
	}
}

/* A hard break, after a soft one when the line is past the column. */
static void put_line_end(struct qp_out *o)
{
	reserve(o, 5);
	if (o->col > QP_MAX_COL) {
		memcpy(o->buf + o->n, "=\r\n", 3);
		o->n += 3;
	}
	memcpy(o->buf + o->n, "\r\n", 2);
	o->n += 2;
	o->col = 0;
}

/* ---- lines kept from message to message ---- */

/* Lines shorter than this cost less to encode than to look up. */
#define LINE_MIN 16
/* Hashes of the lines seen once: the candidates to keep. */
#define GHOSTS 4096

struct line_slot {
	uint64_t hash;
	uint64_t used; /* the lines' clock when last used */
	char *data;    /* the line (len bytes), then its encoding; NULL: none */
	uint32_t len, elen;
	unsigned col;  /* the column after the encoding */
};

/* Two slots a hash: slots[2i], slots[2i + 1]. */
struct mimeqp_lines {
	struct line_slot slots[MIMEQP_LINES];
	uint64_t ghosts[GHOSTS];
	uint64_t clock;
};

struct mimeqp_lines *mimeqp_lines_new(void)
{
	return calloc(1, sizeof(struct mimeqp_lines));
}

void mimeqp_lines_free(struct mimeqp_lines *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < MIMEQP_LINES; i++)
		free(l->slots[i].data);
	free(l);
}

/* A line's hash, eight bytes at a time. */
static uint64_t line_hash(const unsigned char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	h ^= h >> 32;
	return h;
}

/* Keep the encoding just written at o->buf[at..] for line s[0..len). */
static void keep_line(struct mimeqp_lines *l, struct line_slot *pair,
		      uint64_t h, const unsigned char *s, size_t len,
		      const struct qp_out *o, size_t at)
{
	struct line_slot *v = !pair[0].data   ? &pair[0]
			      : !pair[1].data ? &pair[1]
			      : pair[0].used <= pair[1].used ? &pair[0]
							     : &pair[1];
	size_t elen = o->n - at;
	char *data = malloc(len + elen);

	if (!data) /* not kept: encoded again next time */
		return;
	free(v->data);
	memcpy(data, s, len);
	memcpy(data + len, o->buf + at, elen);
	*v = (struct line_slot){.hash = h, .used = ++l->clock, .data = data,
				.len = (uint32_t)len, .elen = (uint32_t)elen,
				.col = o->col};
}

/*
 * put_bytes() for one whole line (LINE_MIN to MIMEQP_LINE_MAX bytes, at
 * column 0): its encoding copied when l keeps it, else encoded, and kept
 * when its hash was seen before.
 */
static void put_line(struct qp_out *o, struct mimeqp_lines *l,
		     const unsigned char *s, size_t len)
{
	uint64_t h = line_hash(s, len);
	struct line_slot *pair = &l->slots[h % (MIMEQP_LINES / 2) * 2];
	uint64_t *ghost = &l->ghosts[h % GHOSTS];
	size_t at;

	for (int i = 0; i < 2; i++) {
		struct line_slot *v = &pair[i];

		if (v->data && v->hash == h && v->len == len &&
		    !memcmp(v->data, s, len)) {
			reserve(o, v->elen);
			memcpy(o->buf + o->n, v->data + len, v->elen);
			o->n += v->elen;
			o->col = v->col;
			v->used = ++l->clock;
			return;
		}
	}
	if (*ghost != h) { /* seen once: counted, not kept */
		*ghost = h;
		put_bytes(o, s, len);
		return;
	}
	/* room for the whole encoding, in one piece */
	reserve(o, 64 * MAX_PER_BYTE + len * MAX_PER_BYTE);
	at = o->n;
	put_bytes(o, s, len);
	if (!o->rc)
		keep_line(l, pair, h, s, len, o, at);
}

/*
 * A short line (under LINE_MIN bytes, at column 0) of raw bytes only,
 * and its line end: copied as they are (no escape, no soft break), 1;
 * else 0, nothing written. Half the lines of a digest's HTML are such
 * ("<tr>", "</td>"), where a call to put_bytes() costs more than them.
 */
static int put_short(struct qp_out *o, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len && qp_raw[s[i]])
		i++;
	if (i < len)
		return 0;
	reserve(o, LINE_MIN + 2);
	memcpy(o->buf + o->n, s, len);
	memcpy(o->buf + o->n + len, "\r\n", 2);
	o->n += len + 2;
	o->col = 0;
	return 1;
}

int mimeqp_encode(const char *text, size_t len, struct strbuf *out)
{
	return mimeqp_encode_lines(NULL, text, len, out);
}

int mimeqp_encode_lines(struct mimeqp_lines *l, const char *text,
			size_t len, struct strbuf *out)
{
	const char *s = text, *end = text + len;
	struct qp_out o = {.sb = out};
	bool has_cr;

	/* Digests are mostly ASCII: room for that in one allocation. */
	o.rc = strbuf_grow(out, len + len / 4 + 64);
	/* a text without CR (a rendered digest) needs no look for one */
	has_cr = memchr(s, '\r', len) != NULL;
	while (s < end && !o.rc) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *cr = has_cr ? memchr(s, '\r', (size_t)((eol ? eol : end) - s)) : NULL;
		size_t keep;

		if (cr)
			eol = cr;
		else if (!eol)
			eol = end;
		keep = (size_t)(eol - s);
		while (keep && (s[keep - 1] == ' ' || s[keep - 1] == '\t'))
			keep--;
		/* a short line of raw bytes goes out whole, its end with it */
		if (eol == end || keep >= LINE_MIN ||
		    !put_short(&o, (const unsigned char *)s, keep)) {
			if (l && keep >= LINE_MIN && keep <= MIMEQP_LINE_MAX)
				put_line(&o, l, (const unsigned char *)s, keep);
			else
				put_bytes(&o, (const unsigned char *)s, keep);
			if (eol == end)
				break;
			put_line_end(&o);
		}
		/* CRLF is one line end, a lone CR or LF another */
		s = eol + (*eol == '\r' && eol + 1 < end && eol[1] == '\n' ? 2
									    : 1);
	}
	flush(&o);
	return o.rc;
}
