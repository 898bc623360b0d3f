/*
 * serve_int: what serve.c (the libmicrohttpd side) and serve_page.c (the
 * pages and what their forms change) share. Private to the serve module.
 */
#ifndef DIGEST_SERVE_INT_H
#define DIGEST_SERVE_INT_H

#include <microhttpd.h>
#include <sys/socket.h>

#include "serve.h"
#include "serve_req.h"
#include "strbuf.h"

struct budget;

struct serve {
	struct serve_opts o;
	struct MHD_Daemon *d;
	struct sockaddr_storage addr;
	struct strbuf origin; /* "https://example.com" */
	struct strbuf path;   /* "/unsubscribe" */
	struct strbuf cert, key;
	struct budget *budgets;
	struct mustache_partials *pages;
};

int64_t serve_now_ms(const struct serve *s);

/* Queue body with the common headers (and Allow, when given). */
enum MHD_Result serve_respond(struct MHD_Connection *c, unsigned status,
			      const char *type, const struct strbuf *body,
			      const char *allow);

/* Compile the pages of templates/pages; free them. */
int serve_pages_open(struct serve *s, struct dg_err *err)
	__attribute__((warn_unused_result));
void serve_pages_close(struct serve *s);

/* The error page for status (404, 405, 413, 415, 429, ...). */
enum MHD_Result serve_page_error(struct serve *s, struct MHD_Connection *c,
				 unsigned status, const char *allow);

/*
 * Answer a request on the link path: the token of the query, the method
 * and, for a POST, its form. *status says what was answered.
 */
enum MHD_Result serve_link(struct serve *s, struct MHD_Connection *c,
			   enum serve_method m, const struct serve_form *f,
			   unsigned *status);

#endif
