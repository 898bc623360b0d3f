#include "meetlink.h"

#include <ctype.h>
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "err.h"

const char *const meetlink_default_hosts[] = {
	"teams.microsoft.com", "teams.live.com", "zoom.us", "zoomgov.com",
	"webex.com", "meet.google.com", NULL};

/* The parts of url that decide; false when it is no http(s) URL. */
static bool parse(const char *url, char **scheme, char **host, bool *userinfo)
{
	CURLU *u = curl_url();
	char *user = NULL, *password = NULL;
	bool ok;

	*scheme = *host = NULL;
	if (!u)
		return false;
	ok = !curl_url_set(u, CURLUPART_URL, url, 0) &&
	     !curl_url_get(u, CURLUPART_SCHEME, scheme, 0) &&
	     !curl_url_get(u, CURLUPART_HOST, host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
	*userinfo = user || password;
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	if (ok && strcasecmp(*scheme, "https") && strcasecmp(*scheme, "http"))
		ok = false;
	if (!ok) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = *host = NULL;
	}
	return ok;
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

bool meetlink_trusted(const char *url, const char *const *hosts)
{
	char *scheme, *host;
	bool userinfo, ok = false;

	/* a URL with controls or blanks is no link, whatever libcurl says */
	if (!url)
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return false;
	if (!parse(url, &scheme, &host, &userinfo))
		return false;
	if (!strcasecmp(scheme, "https") && !userinfo)
		for (const char *const *t = hosts ? hosts
						  : meetlink_default_hosts;
		     *t && !ok; t++)
			ok = host_matches(host, *t);
	curl_free(scheme);
	curl_free(host);
	return ok;
}

int meetlink_host(const char *url, struct strbuf *out)
{
	char *scheme, *host;
	bool userinfo;
	int rc;

	if (!url || !parse(url, &scheme, &host, &userinfo))
		return DG_EINVAL;
	for (char *p = host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	rc = strbuf_addstr(out, host);
	curl_free(scheme);
	curl_free(host);
	return rc;
}
