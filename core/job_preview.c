/*
 * job_preview: one user's digest on request: `preview` (built, never
 * sent nor recorded), `resend` (one more copy, always sent) and the
 * group lines `about` shows.
 */
#include "job.h"
#include "job_int.h"

#include <stdlib.h>
#include <string.h>

#include "queue.h"

/* How many copies of (user, date) exist: the next one's attempt number. */
static unsigned next_attempt(struct job_ctx *c, const char *user,
			     const char *date)
{
	unsigned n = 0;
	struct dg_err err = DG_ERR_INIT;

	if (queue_count(c->store, user, date, &n, &err))
		n = 0;
	return n + 1;
}

static int resend_user(struct job_ctx *c, const struct cal_user *u,
		       struct job_summary *sum, struct dg_err *err)
{
	struct strbuf msg = STRBUF_INIT, id = STRBUF_INIT;
	enum deliver_result result;
	struct queue_msg row;
	struct job_user ju;
	int rc;

	job_user_init(&ju);
	memset(&row, 0, sizeof(row));
	rc = job_user_build(c, u, &ju, err);
	if (!rc && ju.skip_reason)
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s gets no digest on %s: %s", u->mail,
			     ju.target.date, ju.skip_reason);
	if (!rc)
		rc = job_user_message(c, &ju,
				   c->queued ? next_attempt(c, u->mail,
							    ju.target.date)
					     : 1,
				   &msg, &id, err);
	if (!rc && !c->queued) {
		rc = deliver_stdout(c->o->cfg, c->o->out_fd, c->o->now_ms,
				    u->mail, &msg, err);
		sum->sent += !rc;
	} else if (!rc) {
		rc = queue_put(c->store, u->mail, ju.target.date, "resend",
			       u->mail, id.buf, msg.buf, msg.len, c->o->now_ms,
			       &row.id, err);
		row.user = (char *)u->mail;
		row.date = ju.target.date;
		row.kind = (char *)"resend";
		row.recipient = (char *)u->mail;
		row.message = msg.buf;
		row.message_len = msg.len;
		if (!rc)
			rc = deliver_one(c->deliver, &row, &result, err);
	}
	strbuf_release(&msg);
	strbuf_release(&id);
	job_user_release(&ju);
	return rc;
}

int job_resend(const struct job_opts *o, const char *user,
	       struct job_summary *sum, struct dg_err *err)
{
	const struct cal_user *u;
	struct job_ctx c;
	int rc;

	memset(sum, 0, sizeof(*sum));
	c.sum = sum;
	rc = job_ctx_open(&c, o, true, err);
	c.sum = sum;
	if (!rc)
		rc = job_tenant_user(&c, user, &u, err);
	if (!rc)
		rc = resend_user(&c, u, sum, err);
	job_ctx_release(&c);
	if (rc)
		return rc;
	return job_undelivered(sum) ? DG_ETEMP : 0;
}

static int preview_user(struct job_ctx *c, const struct cal_user *u,
			enum job_format format, struct strbuf *out,
			struct dg_err *err)
{
	struct render_output r = RENDER_OUTPUT_INIT;
	struct render_input in;
	struct job_user ju;
	int rc;

	job_user_init(&ju);
	rc = job_user_build(c, u, &ju, err);
	if (!rc)
		rc = job_user_links(c, &ju, err);
	in = job_user_input(&ju);
	if (rc)
		goto out;
	if (format == JOB_FORMAT_JSON) {
		rc = render_json(c->engine, &in, out, err);
	} else if (ju.skip_reason) {
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s gets no digest on %s: %s", u->mail,
			     ju.target.date, ju.skip_reason);
	} else if (format == JOB_FORMAT_MIME) {
		struct strbuf id = STRBUF_INIT;

		rc = job_user_message(c, &ju, 1, out, &id, err);
		strbuf_release(&id);
	} else {
		rc = render_digest(c->engine, &in, &r, err);
		if (!rc)
			rc = strbuf_addbuf(out, format == JOB_FORMAT_HTML ?
							&r.html :
							&r.text);
	}
out:
	render_output_release(&r);
	job_user_release(&ju);
	return rc;
}

int job_preview(const struct job_opts *o, const char *user,
		enum job_format format, struct strbuf *out, struct dg_err *err)
{
	const struct cal_user *u;
	struct job_ctx c;
	int rc;

	rc = job_ctx_open(&c, o, false, err);
	if (!rc)
		rc = job_tenant_user(&c, user, &u, err);
	if (!rc)
		rc = preview_user(&c, u, format, out, err);
	job_ctx_release(&c);
	return rc;
}

struct line_list {
	char **v;
	size_t n;
};

static int add_line(const char *line, void *ctx)
{
	struct line_list *l = ctx;
	char **grown = realloc(l->v, (l->n + 1) * sizeof(*l->v));

	if (!grown)
		return DG_ENOMEM;
	l->v = grown;
	l->v[l->n] = strdup(line);
	return l->v[l->n] ? (l->n++, 0) : DG_ENOMEM;
}

int job_group_lines(const struct job_opts *o, const char *user,
		    char ***lines, size_t *n, struct dg_err *err)
{
	struct line_list l = {NULL, 0};
	const struct cal_user *u;
	struct render_input in;
	struct job_user ju;
	struct job_ctx c;
	int rc;

	*lines = NULL;
	*n = 0;
	job_user_init(&ju);
	rc = job_ctx_open(&c, o, false, err);
	if (!rc)
		rc = job_tenant_user(&c, user, &u, err);
	if (!rc)
		rc = job_user_build(&c, u, &ju, err);
	in = job_user_input(&ju);
	if (!rc && !ju.skip_reason)
		rc = render_group_lines(c.engine, &in, add_line, &l, err);
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory");
	job_user_release(&ju);
	job_ctx_release(&c);
	if (rc) {
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
		return rc;
	}
	*lines = l.v;
	*n = l.n;
	return 0;
}
