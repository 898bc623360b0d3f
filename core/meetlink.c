#include "meetlink.h"

#include <ctype.h>
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "err.h"

const char *const meetlink_default_hosts[] = {
	"teams.microsoft.com", "teams.live.com", "zoom.us", "zoomgov.com",
	"webex.com", "meet.google.com", NULL};

/* 0, DG_ENOMEM for libcurl's out of memory, else DG_EINVAL */
static int curl_rc(CURLUcode c)
{
	return !c ? 0 : c == CURLUE_OUT_OF_MEMORY ? DG_ENOMEM : DG_EINVAL;
}

/*
 * The parts of url that decide: 0, DG_EINVAL when it is no http(s) URL,
 * DG_ENOMEM when memory ran out (which must not pass for "no URL").
 */
static int parse(const char *url, char **scheme, char **host, bool *userinfo)
{
	CURLU *u = curl_url();
	char *user = NULL, *password = NULL;
	CURLUcode c;
	int rc;

	*scheme = *host = NULL;
	if (!u)
		return DG_ENOMEM;
	rc = curl_rc(curl_url_set(u, CURLUPART_URL, url, 0));
	rc = rc ? rc : curl_rc(curl_url_get(u, CURLUPART_SCHEME, scheme, 0));
	rc = rc ? rc : curl_rc(curl_url_get(u, CURLUPART_HOST, host, 0));
	c = curl_url_get(u, CURLUPART_USER, &user, 0);
	if (!rc && c == CURLUE_OUT_OF_MEMORY)
		rc = DG_ENOMEM;
	c = curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
	if (!rc && c == CURLUE_OUT_OF_MEMORY)
		rc = DG_ENOMEM;
	*userinfo = user || password;
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	if (!rc && strcasecmp(*scheme, "https") && strcasecmp(*scheme, "http"))
		rc = DG_EINVAL;
	if (rc) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = *host = NULL;
	}
	return rc;
}

/* host is trusted, or a proper subdomain of it: "x.zoom.us" */
static bool host_matches(const char *host, const char *trusted)
{
	size_t h = strlen(host), t = strlen(trusted);

	if (!t)
		return false;
	if (h == t)
		return !strcasecmp(host, trusted);
	return h > t + 1 && host[h - t - 1] == '.' &&
	       !strcasecmp(host + h - t, trusted);
}

int meetlink_judge(const char *url, const char *const *hosts, bool *trusted)
{
	char *scheme, *host;
	bool userinfo;
	int rc;

	*trusted = false;
	/* a URL with controls or blanks is no link, whatever libcurl says */
	if (!url)
		return 0;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	rc = parse(url, &scheme, &host, &userinfo);
	if (rc)
		return rc == DG_ENOMEM ? rc : 0;
	if (!strcasecmp(scheme, "https") && !userinfo)
		for (const char *const *t = hosts ? hosts
						  : meetlink_default_hosts;
		     *t && !*trusted; t++)
			*trusted = host_matches(host, *t);
	curl_free(scheme);
	curl_free(host);
	return 0;
}

bool meetlink_trusted(const char *url, const char *const *hosts)
{
	bool trusted;

	return !meetlink_judge(url, hosts, &trusted) && trusted;
}

int meetlink_host(const char *url, struct strbuf *out)
{
	char *scheme, *host;
	bool userinfo;
	int rc;

	if (!url)
		return DG_EINVAL;
	rc = parse(url, &scheme, &host, &userinfo);
	if (rc)
		return rc;
	for (char *p = host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	rc = strbuf_addstr(out, host);
	curl_free(scheme);
	curl_free(host);
	return rc;
}
