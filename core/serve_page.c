/*
 * serve_page: the pages behind a digest's links, and what their forms
 * change. Pages are mustache templates (templates/pages/), HTML-escaped;
 * the model of each is built here.
 */
#include "serve_int.h"

#include <string.h>

#include "logging.h"
#include "prefs.h"
#include "unsubscribe.h"

static const char *const page_names[] = {
	"pages/unsubscribe.html", "pages/prefs.html", "pages/invalid.html",
	"pages/error.html"};

int serve_pages_open(struct serve *s, struct dg_err *err)
{
	const struct mustache_template *t;
	int rc = mustache_partials_new_dir(s->o.templates, &s->pages, err);

	/* Compile them now: a broken page fails the start, not a request. */
	for (size_t i = 0; !rc && i < sizeof(page_names) / sizeof(*page_names);
	     i++) {
		rc = mustache_partials_get(s->pages, page_names[i], &t, err);
		if (rc == DG_ENOTFOUND)
			rc = dg_errf(err, rc, "%s/%s.mustache: no such page",
				     s->o.templates, page_names[i]);
	}
	return rc;
}

void serve_pages_close(struct serve *s)
{
	mustache_partials_free(s->pages);
	s->pages = NULL;
}

/* ---- the page model ---- */

struct page {
	const char *token;        /* the link's, from the query */
	const struct linktoken *t;
	unsigned status;
	const char *notice;       /* what was done */
	const char *error;        /* why nothing was done */
	struct prefs prefs;
	bool subscribed;
	struct mustache_value *m; /* the model */
};

static int set_str(struct mustache_value *m, const char *key, const char *v)
{
	return v ? mustache_map_set(m, key, mustache_string(v)) : 0;
}

static int set_bool(struct mustache_value *m, const char *key, bool v)
{
	return mustache_map_set(m, key, mustache_bool(v));
}

static enum MHD_Result render(struct serve *s, struct MHD_Connection *c,
			      const char *name, unsigned status,
			      const struct mustache_value *m,
			      const char *allow)
{
	const struct mustache_template *t = NULL;
	struct strbuf body = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	enum MHD_Result ret;
	int rc = mustache_partials_get(s->pages, name, &t, &err);

	if (!rc)
		rc = mustache_render(t, m, s->pages, MUSTACHE_ESCAPE_HTML,
				     &body, &err);
	if (rc) {
		logging_error("serve: %s", err.msg);
		strbuf_reset(&body);
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		if (strbuf_addstr(&body, "Something went wrong.\n"))
			return MHD_NO;
	}
	ret = serve_respond(c, status,
			    rc ? "text/plain; charset=utf-8"
			       : "text/html; charset=utf-8",
			    &body, allow);
	strbuf_release(&body);
	return ret;
}

static const char *status_text(unsigned status)
{
	switch (status) {
	case MHD_HTTP_BAD_REQUEST:
		return "That request could not be read.";
	case MHD_HTTP_NOT_FOUND:
		return "There is no page here.";
	case MHD_HTTP_METHOD_NOT_ALLOWED:
		return "This page does not take that kind of request.";
	case MHD_HTTP_CONTENT_TOO_LARGE:
		return "That request is too large.";
	case MHD_HTTP_UNSUPPORTED_MEDIA_TYPE:
		return "That form could not be read.";
	case MHD_HTTP_TOO_MANY_REQUESTS:
		return "Too many requests: wait a minute and try again.";
	default:
		return "Something went wrong.";
	}
}

enum MHD_Result serve_page_error(struct serve *s, struct MHD_Connection *c,
				 unsigned status, const char *allow)
{
	struct mustache_value *m = mustache_map_new();
	enum MHD_Result ret = MHD_NO;

	if (m && !set_str(m, "message", status_text(status)))
		ret = render(s, c, "pages/error.html", status, m, allow);
	mustache_value_free(m);
	return ret;
}

/* The same page and status for every link that does not open. */
static enum MHD_Result invalid(struct serve *s, struct MHD_Connection *c,
			       unsigned *status)
{
	struct mustache_value *m = mustache_map_new();
	enum MHD_Result ret = MHD_NO;

	*status = MHD_HTTP_BAD_REQUEST;
	if (m)
		ret = render(s, c, "pages/invalid.html", *status, m, NULL);
	mustache_value_free(m);
	return ret;
}

static int add_days(struct mustache_value *m, unsigned days)
{
	static const char *const labels[7] = {"Sunday",	  "Monday",
					      "Tuesday",  "Wednesday",
					      "Thursday", "Friday",
					      "Saturday"};
	struct mustache_value *list = mustache_list_new();
	int rc = list ? 0 : DG_ENOMEM;

	for (int i = 1; !rc && i <= 7; i++) { /* Monday first */
		int d = i % 7;
		struct mustache_value *e = mustache_map_new();

		rc = e ? 0 : DG_ENOMEM;
		rc = rc ? rc : set_str(e, "value", prefs_day_name(d));
		rc = rc ? rc : set_str(e, "label", labels[d]);
		rc = rc ? rc : set_bool(e, "checked", days & (1u << d));
		if (rc)
			mustache_value_free(e);
		else
			rc = mustache_list_push(list, e);
	}
	if (rc) {
		mustache_value_free(list);
		return rc;
	}
	return mustache_map_set(m, "days", list);
}

static int add_prefs(struct serve *s, struct page *pg)
{
	const struct prefs *p = &pg->prefs;
	struct mustache_value *about = NULL;
	struct dg_err err = DG_ERR_INIT;
	int rc = set_str(pg->m, "pause_until", p->pause_until);

	rc = rc ? rc : set_str(pg->m, "send_at", p->send_at);
	rc = rc ? rc : set_str(pg->m, "locale", p->locale);
	rc = rc ? rc : set_bool(pg->m, "profile_hidden",
				p->profile == PREFS_PROFILE_HIDDEN);
	rc = rc ? rc : add_days(pg->m, p->days);
	if (rc || !s->o.about)
		return rc;
	if (s->o.about(pg->t->address, &about, s->o.about_ctx, &err)) {
		logging_error("serve: cannot show what colleagues see: %s",
			      err.msg);
		return 0; /* the page is still worth showing */
	}
	return about ? mustache_map_set(pg->m, "about", about) : 0;
}

static int build_model(struct serve *s, struct page *pg)
{
	struct strbuf action = STRBUF_INIT, form = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *tok = pg->token;
	int rc;

	pg->m = mustache_map_new();
	rc = pg->m ? 0 : DG_ENOMEM;
	rc = rc ? rc : strbuf_addf(&action, "?token=%s", tok);
	rc = rc ? rc : linktoken_form_make(s->o.keys.current, tok, strlen(tok),
					   serve_now_ms(s) / 1000, &form, &err);
	rc = rc ? rc : set_str(pg->m, "action", action.buf);
	rc = rc ? rc : set_str(pg->m, "form", form.buf);
	rc = rc ? rc : set_str(pg->m, "address", pg->t->address);
	rc = rc ? rc : set_bool(pg->m, "subscribed", pg->subscribed);
	rc = rc ? rc : set_str(pg->m, "notice", pg->notice);
	rc = rc ? rc : set_str(pg->m, "error", pg->error);
	if (!rc && pg->t->purpose == LINKTOKEN_PREFS)
		rc = add_prefs(s, pg);
	strbuf_release(&action);
	strbuf_release(&form);
	return rc;
}

/* ---- what a POST changes ---- */

/* A store failure: logged (no address in it), 500, nothing promised. */
static void failed(struct page *pg, const struct dg_err *err)
{
	logging_error("serve: %s", err->msg);
	pg->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	pg->notice = NULL;
	pg->error = "Something went wrong on our side, and nothing changed. "
		    "Please try again later.";
}

static void set_subscribed(struct serve *s, struct page *pg, bool on)
{
	struct dg_err err = DG_ERR_INIT;
	int64_t now = serve_now_ms(s);
	int rc = on ? unsubscribe_undo(s->o.store, pg->t->address, &err)
		    : unsubscribe_record(s->o.store, pg->t->address, now,
					 &err);

	if (rc)
		return failed(pg, &err);
	pg->subscribed = on;
	pg->notice = on ? "You are subscribed again: the digest comes back "
			  "with the next run."
			: "You are unsubscribed: you will get no more "
			  "meeting digests.";
}

static void save_prefs(struct serve *s, const struct serve_form *f,
		       struct page *pg)
{
	struct prefs p = pg->prefs;
	struct dg_err err = DG_ERR_INIT;
	int rc;

	rc = prefs_parse_date(f->pause_until, strlen(f->pause_until), &p,
			      &err);
	rc = rc ? rc : prefs_parse_send_at(f->send_at, strlen(f->send_at),
					   &p, &err);
	rc = rc ? rc : prefs_parse_locale(f->locale, strlen(f->locale), &p,
					  &err);
	if (rc) {
		pg->status = MHD_HTTP_BAD_REQUEST;
		pg->error = "Nothing was saved: a date, a time or a "
			    "language was not in the form shown.";
		return;
	}
	p.days = f->days;
	p.profile = !strcmp(f->profile, "hidden") ? PREFS_PROFILE_HIDDEN
						   : PREFS_PROFILE_ROSTER;
	if (prefs_set(s->o.store, pg->t->address, &p, serve_now_ms(s), &err))
		return failed(pg, &err);
	pg->prefs = p;
	pg->notice = "Saved. The next digest follows these choices.";
}

static bool form_checks(struct serve *s, struct MHD_Connection *c,
			const struct serve_form *f, struct page *pg)
{
	struct dg_err err = DG_ERR_INIT;

	if (!serve_origin_ok(s->origin.buf,
			     MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 "Origin"),
			     MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 "Sec-Fetch-Site"))) {
		pg->status = MHD_HTTP_FORBIDDEN;
		pg->error = "This form was sent from another site: nothing "
			    "changed.";
		return false;
	}
	if (linktoken_form_check(&s->o.keys, pg->token, strlen(pg->token),
				 f->form, strlen(f->form),
				 serve_now_ms(s) / 1000, &err)) {
		pg->status = MHD_HTTP_FORBIDDEN;
		pg->error = "This page was out of date, so nothing changed. "
			    "It is fresh now: try again.";
		return false;
	}
	return true;
}

static void apply(struct serve *s, struct MHD_Connection *c,
		  const struct serve_form *f, struct page *pg)
{
	if (f->bad) {
		pg->status = MHD_HTTP_BAD_REQUEST;
		pg->error = "That form could not be read: nothing changed.";
		return;
	}
	/* RFC 8058: the mail provider's POST, no form, no Origin. */
	if (f->one_click)
		return set_subscribed(s, pg, false);
	if (!form_checks(s, c, f, pg))
		return;
	if (!strcmp(f->action, "unsubscribe"))
		return set_subscribed(s, pg, false);
	if (!strcmp(f->action, "subscribe"))
		return set_subscribed(s, pg, true);
	if (!strcmp(f->action, "save") && pg->t->purpose == LINKTOKEN_PREFS)
		return save_prefs(s, f, pg);
	pg->status = MHD_HTTP_BAD_REQUEST;
	pg->error = "That form could not be read: nothing changed.";
}

static int load_state(struct serve *s, struct page *pg, struct dg_err *err)
{
	bool out = false;
	int rc = unsubscribe_is_opted_out(s->o.store, pg->t->address, &out,
					  err);

	pg->subscribed = !out;
	if (!rc && pg->t->purpose == LINKTOKEN_PREFS)
		rc = prefs_get(s->o.store, pg->t->address, &pg->prefs, err);
	return rc;
}

enum MHD_Result serve_link(struct serve *s, struct MHD_Connection *c,
			   enum serve_method m, const struct serve_form *f,
			   unsigned *status)
{
	const char *tok =
		MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	struct page pg = {.token = tok, .status = MHD_HTTP_OK};
	struct dg_err err = DG_ERR_INIT;
	struct linktoken t;
	enum MHD_Result ret = MHD_NO;

	if (!tok || linktoken_open(&s->o.keys, tok, strlen(tok),
				   serve_now_ms(s) / 1000, &t, &err))
		return invalid(s, c, status);
	pg.t = &t;
	if (load_state(s, &pg, &err))
		failed(&pg, &err);
	else if (m == SERVE_METHOD_POST)
		apply(s, c, f, &pg);
	if (!build_model(s, &pg))
		ret = render(s, c,
			     t.purpose == LINKTOKEN_PREFS
				     ? "pages/prefs.html"
				     : "pages/unsubscribe.html",
			     pg.status, pg.m, NULL);
	*status = pg.status;
	mustache_value_free(pg.m);
	return ret;
}
