/*
 * meetlink: which meeting join URLs a digest shows as links.
 *
 * A join URL comes from whoever sent the invitation. Shown as a "Join
 * online" button it hides its host, so only URLs of known meeting
 * services become links: https, no userinfo (teams.microsoft.com@evil
 * .example is a login name, not a host), and a host equal to a trusted
 * one or a proper subdomain of it (us02web.zoom.us, but never
 * teams.microsoft.com.evil.example). URLs are parsed by libcurl's URL
 * API, the same parser that would fetch them.
 *
 * Any other http(s) URL is shown as text with its host next to it.
 */
#ifndef DIGEST_MEETLINK_H
#define DIGEST_MEETLINK_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* Teams, Zoom, Webex and Google Meet: the default of [digest] meeting_hosts */
extern const char *const meetlink_default_hosts[];

/*
 * Whether url may be a link: see above. hosts is a NULL-terminated list
 * (NULL: meetlink_default_hosts). Host names compare case-insensitively.
 */
bool meetlink_trusted(const char *url, const char *const *hosts);

/*
 * The same, telling out of memory apart: *trusted is set and 0 returned,
 * or DG_ENOMEM (and *trusted false) when libcurl ran out of memory.
 */
int meetlink_judge(const char *url, const char *const *hosts, bool *trusted)
	__attribute__((warn_unused_result));

/*
 * Append the host of an http(s) url to out (lower case, IDN as written).
 * DG_EINVAL when url is no http(s) URL with a host; DG_ENOMEM.
 */
int meetlink_host(const char *url, struct strbuf *out)
	__attribute__((warn_unused_result));

#endif
