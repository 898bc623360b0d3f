/*
 * graph: what a URL may be (https://, or http:// to the loopback; no
 * controls; one origin) and how ours are written.
 */
#include "graph.h"
#include "graph_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t graph_origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p || p == url)
		return 0;
	p += 3;
	p += strcspn(p, "/?#");
	return (size_t)(p - url);
}

bool graph_loopback_http(const char *url)
{
	static const char *const hosts[] = {"127.0.0.1", "localhost", "[::1]"};
	const char *host = url + 7;
	size_t i, n;

	if (strncasecmp(url, "http://", 7))
		return false;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		n = strlen(hosts[i]);
		if (!strncasecmp(host, hosts[i], n) &&
		    strchr(":/", host[n] ? host[n] : '/'))
			return true;
	}
	return false;
}

bool graph_url_allowed(const char *url)
{
	return !strncasecmp(url, "https://", 8) || graph_loopback_http(url);
}

bool graph_has_controls(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return true;
	return false;
}

int graph_escape(const char *s, struct strbuf *out)
{
	char *e = curl_easy_escape(NULL, s, 0);
	int rc;

	if (!e)
		return DG_ENOMEM;
	rc = strbuf_addstr(out, e);
	curl_free(e);
	return rc;
}

int graph_groups_where(const char *field, const char *value,
		       struct strbuf *url)
{
	struct strbuf f = STRBUF_INIT;
	int rc = strbuf_addf(&f, "%s eq '", field);

	/* OData quotes a quote by doubling it. */
	for (const char *p = value; !rc && *p; p++)
		rc = *p == '\'' ? strbuf_addstr(&f, "''")
				 : strbuf_addch(&f, *p);
	if (!rc)
		rc = strbuf_addch(&f, '\'');
	if (!rc)
		rc = strbuf_addstr(url, "/groups?$filter=");
	if (!rc)
		rc = graph_escape(f.buf, url);
	if (!rc)
		rc = strbuf_addstr(url, "&$select=id,mail,displayName");
	strbuf_release(&f);
	return rc;
}
