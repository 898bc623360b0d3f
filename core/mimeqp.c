#include "mimeqp.h"

#include <stdbool.h>
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

int mimeqp_encode(const char *text, size_t len, struct strbuf *out)
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
		put_bytes(&o, (const unsigned char *)s, keep);
		if (eol == end)
			break;
		put_line_end(&o);
		/* CRLF is one line end, a lone CR or LF another */
		s = eol + (*eol == '\r' && eol + 1 < end && eol[1] == '\n' ? 2
									    : 1);
	}
	flush(&o);
	return o.rc;
}
