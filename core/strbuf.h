/*
 * strbuf: the one growable string buffer of the project.
 *
 * Modelled on git's strbuf with curl dynbuf's size limit. Every string the
 * program builds (URL, SQL, header, message body) is built with it.
 *
 * Invariants: buf is never NULL (after STRBUF_INIT it points at a shared
 * empty string); buf[len] is always '\0'; the data may itself hold NUL
 * bytes; alloc is private. An append that would pass max, or that runs out
 * of memory, empties and frees the buffer and returns DG_ETOOBIG or
 * DG_ENOMEM; the buffer stays usable. Pointers into buf are valid only until
 * the next append.
 */
#ifndef DIGEST_STRBUF_H
#define DIGEST_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* The default limit: no string of ours is legitimately bigger. */
#define STRBUF_MAX_DEFAULT ((size_t)256 << 20)

extern char strbuf_slopbuf[1];

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
};

#define STRBUF_INIT                                                    \
	{                                                              \
		.buf = strbuf_slopbuf, .len = 0, .alloc = 0,           \
		.max = STRBUF_MAX_DEFAULT                              \
	}

/* Set up sb with a size limit (0: the default). Allocates nothing. */
void strbuf_init(struct strbuf *sb, size_t max);

/* Free the contents; sb is then as after strbuf_init with the same max. */
void strbuf_release(struct strbuf *sb);

/* Empty the string, keep the memory. */
void strbuf_reset(struct strbuf *sb);

/*
 * Empty the string, keep the memory, and set the limit (0: the default):
 * a buffer filled again and again (a worker's, one message after another)
 * grows once, not each time.
 */
void strbuf_reuse(struct strbuf *sb, size_t max);

/*
 * Hand out the string: the result is yours, free() it; sb is reset.
 * Returns NULL only when out of memory (an empty sb allocates "").
 * len may be NULL.
 */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/*
 * Make room for extra more bytes (plus the NUL): half again the memory
 * sb has, or exactly that room when it is more, so a buffer made room
 * for at once is not allocated bigger than asked.
 */
int strbuf_grow(struct strbuf *sb, size_t extra)
	__attribute__((warn_unused_result));

/* Shorten to len (len <= sb->len). */
void strbuf_setlen(struct strbuf *sb, size_t len);

/* strbuf_add() of what does not fit the memory sb has: grows it first. */
int strbuf_add_grow(struct strbuf *sb, const void *data, size_t len)
	__attribute__((warn_unused_result));

/*
 * Append data[0..len). Inline because it is the most called function of
 * the program (every template's output goes through it): an append that
 * fits the memory sb has, and its limit, is a copy and no call.
 */
__attribute__((warn_unused_result)) static inline int
strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (len < sb->alloc - sb->len && len <= sb->max - sb->len) {
		if (len) /* data may be NULL then */
			memcpy(sb->buf + sb->len, data, len);
		sb->len += len;
		sb->buf[sb->len] = '\0';
		return 0;
	}
	return strbuf_add_grow(sb, data, len);
}

__attribute__((warn_unused_result)) static inline int
strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

__attribute__((warn_unused_result)) static inline int
strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	return strbuf_add(sb, &ch, 1);
}
int strbuf_addbuf(struct strbuf *sb, const struct strbuf *other)
	__attribute__((warn_unused_result));
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0), warn_unused_result));

/* Remove white space at both ends. */
void strbuf_trim(struct strbuf *sb);

/*
 * Append the whole content of the file at path. DG_EIO with errno kept on
 * a read error (the buffer keeps what it had before the call).
 */
int strbuf_read_file(struct strbuf *sb, const char *path)
	__attribute__((warn_unused_result));

/*
 * Write the whole buffer to fd, going on after short writes and EINTR.
 * DG_EIO with errno kept on failure.
 */
int strbuf_write_fd(const struct strbuf *sb, int fd)
	__attribute__((warn_unused_result));

/* Append everything readable from fd until EOF. */
int strbuf_read_fd(struct strbuf *sb, int fd)
	__attribute__((warn_unused_result));

#endif
