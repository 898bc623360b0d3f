#include "compose.h"

#include <stdlib.h>
#include <string.h>

#include "linktoken.h"
#include "mime.h"
#include "unsubscribe.h"

int compose_init(struct compose *c, const struct config *cfg,
		 struct render_engine *engine, int64_t now_ms,
		 struct dg_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->engine = engine;
	c->from = cfg->digest.from;
	c->links_url = cfg->digest.unsubscribe_url;
	c->now_ms = now_ms;
	if (!c->links_url)
		return 0;
	rc = unsubscribe_key_read(&cfg->digest.unsubscribe_key,
				  "[digest] unsubscribe key", c->key, err);
	c->has_key = !rc;
	return rc;
}

void compose_release(struct compose *c)
{
	sodium_memzero(c->key, sizeof(c->key));
	c->has_key = false;
}

/* One of the user's links: [digest] unsubscribe_url with a token. */
static int link_of(const struct compose *c, const char *address,
		   enum linktoken_purpose purpose, int days, struct strbuf *url,
		   struct dg_err *err)
{
	int64_t expires = c->now_ms / 1000 + (int64_t)days * 86400;
	struct strbuf token = STRBUF_INIT;
	int rc = linktoken_seal(c->key, purpose, address, expires, &token,
				err);

	if (!rc)
		rc = unsubscribe_url(c->links_url, token.buf, url, err);
	strbuf_release(&token);
	return rc;
}

int compose_links(const struct compose *c, const char *address,
		  struct strbuf *unsub, struct strbuf *prefs,
		  struct dg_err *err)
{
	int rc;

	if (!c->has_key)
		return 0;
	rc = link_of(c, address, LINKTOKEN_UNSUBSCRIBE,
		     LINKTOKEN_UNSUBSCRIBE_DAYS, unsub, err);
	return rc ? rc
		  : link_of(c, address, LINKTOKEN_PREFS, LINKTOKEN_PREFS_DAYS,
			    prefs, err);
}

int compose_message(const struct compose *c, const struct render_input *in,
		    unsigned attempt, struct strbuf *msg, struct strbuf *id,
		    struct dg_err *err)
{
	struct render_output own = RENDER_OUTPUT_INIT;
	struct render_output *r = c->keep ? c->keep : &own;
	struct strbuf unsub = STRBUF_INIT;
	struct mime_header extra[5];
	struct mime_message m;
	int rc = render_digest(c->engine, in, r, err);

	if (!rc)
		rc = mime_message_id(in->user->mail, in->target->date, attempt,
				     c->from, id, err);
	memset(&m, 0, sizeof(m));
	/*
	 * RFC 3834: keeps auto-responders (out of office) from answering.
	 * Exchange ignores it and wants its own header; Precedence: bulk is
	 * what older responders and vacation(1) look at.
	 */
	extra[m.nextra++] = (struct mime_header){ "Auto-Submitted",
						  "auto-generated" };
	extra[m.nextra++] = (struct mime_header){ "X-Auto-Response-Suppress",
						  "OOF, AutoReply" };
	extra[m.nextra++] = (struct mime_header){ "Precedence", "bulk" };
	if (!rc && in->unsubscribe_url) {
		rc = strbuf_addf(&unsub, "<%s>", in->unsubscribe_url);
		extra[m.nextra++] = (struct mime_header){ "List-Unsubscribe",
							  unsub.buf };
		extra[m.nextra++] = (struct mime_header){
			"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
		};
	}
	if (!rc) {
		m.from = c->from;
		m.to_name = in->user->display_name;
		m.to_address = in->user->mail;
		m.subject = r->subject.buf;
		m.text = r->text.buf;
		m.html = r->html.buf;
		m.date = c->now_ms / 1000;
		m.message_id = id->buf;
		m.extra = extra;
		rc = mime_build(&m, msg, err);
	}
	strbuf_release(&unsub);
	render_output_release(&own);
	return rc;
}
