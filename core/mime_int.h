/*
 * mime_int: what the files of module mime share; not for other modules.
 *
 * mime_fields.c turns a struct mime_message into the header fields of
 * the message (libetpan's struct mailimf_fields): Date, From, To,
 * Subject, Message-ID and the extra headers, each checked and cleaned as
 * mime.h says. mime.c writes the message from them (its MIME header, the
 * parts, the bodies mimeqp encodes), and the Date of mime_set_date().
 *
 * Ownership: the fields are the caller's; mailimf_fields_free() them.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_MIME_INT_H
#define DIGEST_MIME_INT_H

#include <stdint.h>

#include <libetpan/libetpan.h>

#include "err.h"
#include "mime.h"

/* DG_ENOMEM and the sentence of mime's every out-of-memory failure. */
int mime_oom(struct dg_err *err);

/* An empty set of header fields; NULL when out of memory. */
struct mailimf_fields *mime_fields_new(void);

/* DG_EINVAL naming the first field of m that is missing, or 0. */
int mime_fields_check(const struct mime_message *m, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Add the header fields of m to fields, in the order they are written:
 * Date, From, To, Subject, Message-ID, the extra headers. m is checked
 * (mime_fields_check()) already.
 */
int mime_fields_add(struct mailimf_fields *fields,
		    const struct mime_message *m, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Add Date: when (seconds since the epoch), written in UTC (+0000). */
int mime_fields_add_date(struct mailimf_fields *fields, int64_t when,
			 struct dg_err *err)
	__attribute__((warn_unused_result));

#endif
