#include "strbuf.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Shared, never written: an empty buffer needs no allocation. */
char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t max)
{
	sb->buf = strbuf_slopbuf;
	sb->len = 0;
	sb->alloc = 0;
	sb->max = max ? max : STRBUF_MAX_DEFAULT;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, sb->max);
}

void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
}

void strbuf_reuse(struct strbuf *sb, size_t max)
{
	strbuf_setlen(sb, 0);
	sb->max = max ? max : STRBUF_MAX_DEFAULT;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *s;

	if (len)
		*len = sb->len;
	if (!sb->alloc) {
		s = strdup("");
	} else {
		s = sb->buf;
	}
	strbuf_init(sb, sb->max);
	return s;
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t want, cap;
	char *p;

	if (extra > sb->max || sb->len > sb->max - extra) {
		strbuf_release(sb);
		return DG_ETOOBIG;
	}
	want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return 0;
	/*
	 * Half again (git's alloc_nr), or what was asked for when that is
	 * more: a buffer sized at once (a message, from its parts) is
	 * allocated at that size, not up to half again over it.
	 */
	cap = !sb->alloc ? 64
	      : sb->alloc / 2 < SIZE_MAX / 3 ? sb->alloc + sb->alloc / 2
					     : want;
	if (cap < want)
		cap = want;
	if (cap > sb->max + 1)
		cap = sb->max + 1;
	p = realloc(sb->alloc ? sb->buf : NULL, cap);
	if (!p) {
		strbuf_release(sb);
		return DG_ENOMEM;
	}
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = cap;
	return 0;
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->alloc)
		return;
	if (len > sb->len)
		len = sb->len;
	sb->len = len;
	sb->buf[len] = '\0';
}

int strbuf_add_grow(struct strbuf *sb, const void *data, size_t len)
{
	int rc = strbuf_grow(sb, len);

	if (rc)
		return rc;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addbuf(struct strbuf *sb, const struct strbuf *other)
{
	return strbuf_add(sb, other->buf, other->len);
}

int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return DG_EINVAL;
	rc = strbuf_grow(sb, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

void strbuf_trim(struct strbuf *sb)
{
	size_t start = 0, end = sb->len;

	while (end > 0 && isspace((unsigned char)sb->buf[end - 1]))
		end--;
	while (start < end && isspace((unsigned char)sb->buf[start]))
		start++;
	if (!sb->alloc)
		return;
	memmove(sb->buf, sb->buf + start, end - start);
	strbuf_setlen(sb, end - start);
}

int strbuf_read_fd(struct strbuf *sb, int fd)
{
	size_t old = sb->len;
	ssize_t n;
	int rc;

	for (;;) {
		rc = strbuf_grow(sb, 8192);
		if (rc)
			return rc;
		n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			strbuf_setlen(sb, old);
			errno = saved;
			return DG_EIO;
		}
		if (n == 0)
			break;
		sb->len += (size_t)n;
		sb->buf[sb->len] = '\0';
	}
	return 0;
}

int strbuf_write_fd(const struct strbuf *sb, int fd)
{
	const char *p = sb->buf;
	size_t len = sb->len;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return DG_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int strbuf_read_file(struct strbuf *sb, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0)
		return DG_EIO;
	rc = strbuf_read_fd(sb, fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
