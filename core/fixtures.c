#include "fixtures.h"
#include "graphjson.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Longest $skiptoken we turn into a file name (NAME_MAX is 255). */
#define SKIPTOKEN_MAX 200

struct fixtures {
	char *dir; /* as given, without trailing slashes */
};

/* How read_pages() hands each page to its parser. */
struct page_reader {
	int (*read)(const char *json, size_t len, void *ctx, char **next_link,
		    struct dg_err *err);
	void *ctx;
};

/* A user as messages name them. */
static const char *user_label(const struct cal_user *u)
{
	if (u->mail)
		return u->mail;
	if (u->user_principal_name)
		return u->user_principal_name;
	return u->id ? u->id : "(without id)";
}

/* One path segment that stays where it is put. */
static bool is_safe_segment(const char *s, size_t len)
{
	size_t i;

	if (!len || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == '\\' || (unsigned char)s[i] < 0x20)
			return false;
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Append s[0..len) with %XX decoded; a NUL or a broken escape is refused. */
static int decode(struct strbuf *out, const char *s, size_t len,
		  struct dg_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < len ? hexval(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return dg_errf(err, DG_EINVAL, "the nextLink "
					       "has a broken %%-escape");
			c = hi * 16 + lo;
			i += 2;
		}
		if (!c)
			return dg_errf(err, DG_EINVAL, "the nextLink encodes a "
				       "NUL byte");
		rc = strbuf_addch(out, c);
		if (rc)
			return dg_errf(err, rc, "out of memory");
	}
	return 0;
}

/* Every segment of the relative path rel must be safe. */
static int check_inside(const char *rel, struct dg_err *err)
{
	const char *p = rel;

	for (;;) {
		size_t len = strcspn(p, "/");

		if (!is_safe_segment(p, len))
			return dg_errf(err, DG_EINVAL, "the nextLink points "
				       "outside the recording (an empty, '.' "
				       "or '..' path segment, a backslash or "
				       "a control character)");
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static bool is_token_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '~' || c == '+' ||
	       c == '=' || c == '-';
}

/* Append ".skip-N" or ".skiptoken-T" for the value of $skip/$skiptoken. */
static int add_suffix(struct strbuf *out, bool token, const struct strbuf *v,
		      struct dg_err *err)
{
	size_t i;

	if (!v->len || v->len > (token ? SKIPTOKEN_MAX : 18))
		return dg_errf(err, DG_EINVAL, "the nextLink's $skip%s is "
			       "empty or too long", token ? "token" : "");
	for (i = 0; i < v->len; i++) {
		int c = (unsigned char)v->buf[i];

		if (token ? !is_token_char(c) : !isdigit(c))
			return dg_errf(err, DG_EINVAL, "the nextLink's $skip%s "
				       "cannot name a file", token ? "token"
				       : " is not a number and");
	}
	if (strbuf_addf(out, ".skip%s-%s", token ? "token" : "", v->buf))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
}

/* Find $skip or $skiptoken in query[0..len) (names may be %24-encoded). */
static int page_suffix(const char *query, size_t len, struct strbuf *out,
		       struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
	const char *p = query, *end = query + len;
	bool found = false;
	int rc = 0;

	while (!rc && !found && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		strbuf_reset(&name);
		strbuf_reset(&value);
		if (eq)
			rc = decode(&name, p, (size_t)(eq - p), err);
		if (!rc && eq && (!strcmp(name.buf, "$skiptoken") ||
				  !strcmp(name.buf, "$skip"))) {
			found = true;
			rc = decode(&value, eq + 1, (size_t)(stop - eq - 1),
				    err);
			if (!rc)
				rc = add_suffix(out, name.len > 5, &value, err);
		}
		p = amp ? amp + 1 : end;
	}
	if (!rc && !found)
		rc = dg_errf(err, DG_EINVAL, "the nextLink has neither "
			     "$skip nor $skiptoken");
	strbuf_release(&name);
	strbuf_release(&value);
	return rc;
}

int fixtures_page_path(const char *next_link, struct strbuf *out,
		       struct dg_err *err)
{
	static const char prefix[] = "/v1.0/";
	const char *scheme = strstr(next_link, "://");
	const char *path, *query, *end;
	size_t n0 = out->len;
	int rc;

	path = scheme ? strchr(scheme + 3, '/') : NULL;
	if (!path)
		return dg_errf(err, DG_EINVAL, "the nextLink is not an "
			       "absolute URL");
	if (strncmp(path, prefix, sizeof(prefix) - 1))
		return dg_errf(err, DG_EINVAL, "the nextLink does not point "
			       "into Graph v1.0 (a path starting /v1.0/)");
	path += sizeof(prefix) - 1;
	query = path + strcspn(path, "?#");
	end = query + strcspn(query, "#");
	rc = decode(out, path, (size_t)(query - path), err);
	if (!rc)
		rc = check_inside(out->buf + n0, err);
	if (!rc)
		rc = page_suffix(*query == '?' ? query + 1 : query,
				 (size_t)(end - query) - (*query == '?'), out,
				 err);
	if (!rc && strbuf_addstr(out, ".json"))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (rc)
		strbuf_setlen(out, n0);
	return rc;
}

/* dir/rel into path (reset first). */
static int join(const struct fixtures *fx, const char *rel,
		struct strbuf *path, struct dg_err *err)
{
	strbuf_reset(path);
	if (strbuf_addf(path, "%s/%s", fx->dir, rel))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
}

/* Read the file at path into text (reset first). */
static int slurp(const char *path, struct strbuf *text, struct dg_err *err)
{
	int rc;

	strbuf_reset(text);
	rc = strbuf_read_file(text, path);
	if (rc == DG_EIO && errno == ENOENT)
		return dg_errf(err, DG_ENOTFOUND, "%s: no such file", path);
	if (rc == DG_EIO)
		return dg_errf(err, rc, "%s: cannot read: %s", path,
			       strerror(errno));
	if (rc == DG_ETOOBIG)
		return dg_errf(err, rc, "%s: larger than %zu bytes", path,
			       FIXTURES_FILE_MAX);
	if (rc)
		return dg_errf(err, rc, "%s: out of memory", path);
	return 0;
}

/* Is rel among the '\n'-separated names of seen? */
static bool was_seen(const struct strbuf *seen, const char *rel)
{
	size_t len = strlen(rel);
	const char *p = seen->buf;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n == len && !memcmp(p, rel, len))
			return true;
		p += n + (p[n] ? 1 : 0);
	}
	return false;
}

/*
 * Read the page first and every page its nextLinks reach, giving each to
 * r. DG_ENOTFOUND only if first itself is missing; a missing later page is
 * DG_EIO (the recording is broken), and so is a nextLink loop.
 */
static int read_pages(const struct fixtures *fx, const char *first,
		      const struct page_reader *r, struct dg_err *err)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf seen = STRBUF_INIT, text;
	char *next = NULL;
	int rc;

	strbuf_init(&text, FIXTURES_FILE_MAX);
	rc = strbuf_addstr(&rel, first);
	if (rc)
		rc = dg_errf(err, rc, "out of memory");
	while (!rc) {
		bool later = seen.len > 0;

		rc = join(fx, rel.buf, &path, err);
		if (!rc && (strbuf_addstr(&seen, rel.buf) ||
			    strbuf_addch(&seen, '\n')))
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
		if (!rc)
			rc = slurp(path.buf, &text, err);
		if (rc == DG_ENOTFOUND && later)
			rc = dg_errf(err, DG_EIO, "%s: no such file, yet a "
				     "nextLink points at it", path.buf);
		if (rc)
			break;
		rc = r->read(text.buf, text.len, r->ctx, &next, err);
		if (rc || !next)
			break;
		strbuf_reset(&rel);
		rc = fixtures_page_path(next, &rel, err);
		free(next);
		next = NULL;
		if (!rc && was_seen(&seen, rel.buf))
			rc = dg_errf(err, DG_EIO, "its nextLink leads back to "
				     "%s, a loop", rel.buf);
	}
	/* slurp() named the file already; the parsers cannot. */
	if (rc && rc != DG_ENOTFOUND && (!err || strncmp(err->msg, path.buf,
							 path.len)))
		dg_err_prefix(err, "%s", path.buf);
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&seen);
	strbuf_release(&text);
	return rc;
}

int fixtures_open(const char *dir, struct fixtures **out,
		  struct dg_err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct fixtures *fx;
	size_t len = strlen(dir);
	struct stat st;

	*out = NULL;
	if (stat(dir, &st))
		return dg_errf(err, errno == ENOENT ? DG_ENOTFOUND : DG_EIO,
			       "fixtures folder %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return dg_errf(err, DG_EINVAL, "fixtures folder %s is not a "
			       "folder", dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	fx = calloc(1, sizeof(*fx));
	if (fx)
		fx->dir = strndup(dir, len);
	if (!fx || !fx->dir) {
		fixtures_close(fx);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	if (join(fx, "users.json", &path, err)) {
		fixtures_close(fx);
		return DG_ENOMEM;
	}
	if (stat(path.buf, &st)) {
		dg_errf(err, DG_ENOTFOUND, "fixtures folder %s is not a Graph "
			"recording: %s is missing", dir, path.buf);
		strbuf_release(&path);
		fixtures_close(fx);
		return DG_ENOTFOUND;
	}
	strbuf_release(&path);
	*out = fx;
	return 0;
}

void fixtures_close(struct fixtures *fx)
{
	if (!fx)
		return;
	free(fx->dir);
	free(fx);
}

static int users_page(const char *json, size_t len, void *ctx,
		      char **next_link, struct dg_err *err)
{
	return graphjson_users_page(json, len, ctx, next_link, err);
}

int fixtures_users(struct fixtures *fx, struct cal_user_list *out,
		   struct dg_err *err)
{
	struct page_reader r = { users_page, out };
	size_t n0 = out->n;
	int rc;

	rc = read_pages(fx, "users.json", &r, err);
	while (rc && out->n > n0)
		cal_user_release(&out->v[--out->n]);
	return rc;
}

/* users/{id}/name: the id must be one path segment. */
static int user_file(const struct cal_user *u, const char *name,
		     struct strbuf *rel, struct dg_err *err)
{
	if (!u->id || !is_safe_segment(u->id, strlen(u->id)))
		return dg_errf(err, DG_EINVAL, "user %s: the id cannot name a "
			       "folder of the recording", user_label(u));
	if (strbuf_addf(rel, "users/%s/%s", u->id, name))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
}

int fixtures_mailbox(struct fixtures *fx, const struct cal_user *u,
		     struct cal_mailbox *out, struct dg_err *err)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT, text;
	int rc;

	strbuf_init(&text, FIXTURES_FILE_MAX);
	rc = user_file(u, "mailboxSettings.json", &rel, err);
	if (rc)
		return rc;
	rc = join(fx, rel.buf, &path, err);
	if (!rc)
		rc = slurp(path.buf, &text, err);
	if (rc == DG_ENOTFOUND) {
		dg_errf(err, rc, "user %s has no mailbox (%s missing)",
			user_label(u), path.buf);
	} else if (rc) {
		dg_err_prefix(err, "user %s", user_label(u));
	} else {
		rc = graphjson_mailbox(text.buf, text.len, out, err);
		if (rc)
			dg_err_prefix(err, "user %s: %s", user_label(u),
				      path.buf);
	}
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

static int events_page(const char *json, size_t len, void *ctx,
		       char **next_link, struct dg_err *err)
{
	return graphjson_events_page(json, len, ctx, next_link, err);
}

int fixtures_events(struct fixtures *fx, const struct cal_user *u,
		    struct cal_event_list *out, struct dg_err *err)
{
	struct page_reader r = { events_page, out };
	struct strbuf rel = STRBUF_INIT;
	size_t n0 = out->n;
	int rc;

	rc = user_file(u, "calendarView.json", &rel, err);
	if (rc)
		return rc;
	rc = read_pages(fx, rel.buf, &r, err);
	if (rc == DG_ENOTFOUND)
		dg_errf(err, rc, "user %s has no calendar (%s/%s missing)",
			user_label(u), fx->dir, rel.buf);
	else if (rc)
		dg_err_prefix(err, "user %s", user_label(u));
	while (rc && out->n > n0)
		cal_event_release(&out->v[--out->n]);
	strbuf_release(&rel);
	return rc;
}

/* What group_page() looks for and fills. */
struct group_search {
	const char *address;
	struct cal_group *out;
	bool found;
};

static int group_page(const char *json, size_t len, void *ctx,
		      char **next_link, struct dg_err *err)
{
	struct group_search *gs = ctx;
	int rc;

	rc = graphjson_group_find(json, len, gs->address, gs->out,
				  &gs->found, next_link, err);
	if (!rc && gs->found) {
		/* Found: the later pages cannot change the answer. */
		free(*next_link);
		*next_link = NULL;
	}
	return rc;
}

static int members_page(const char *json, size_t len, void *ctx,
			char **next_link, struct dg_err *err)
{
	return graphjson_members_page(json, len, ctx, next_link, err);
}

static int read_members(struct fixtures *fx, const char *address,
			struct cal_group *g, struct dg_err *err)
{
	struct page_reader r = { members_page, g };
	struct strbuf rel = STRBUF_INIT;
	int rc;

	if (!is_safe_segment(g->id, strlen(g->id)))
		return dg_errf(err, DG_EINVAL, "group %s: the id cannot name "
			       "a folder of the recording", address);
	if (strbuf_addf(&rel, "groups/%s/transitiveMembers.json", g->id))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = read_pages(fx, rel.buf, &r, err);
	if (rc == DG_ENOTFOUND)
		rc = dg_errf(err, DG_EIO, "group %s: %s/%s is missing",
			     address, fx->dir, rel.buf);
	else if (rc)
		dg_err_prefix(err, "group %s", address);
	strbuf_release(&rel);
	return rc;
}

int fixtures_group(struct fixtures *fx, const char *address,
		   struct cal_group *out, struct dg_err *err)
{
	struct group_search gs = { address, out, false };
	struct page_reader r = { group_page, &gs };
	int rc;

	if (!address || !*address)
		return dg_errf(err, DG_EINVAL, "no address to look up as a "
			       "group");
	rc = read_pages(fx, "groups.json", &r, err);
	if (rc == DG_ENOTFOUND)
		return dg_errf(err, rc, "%s is not a group (the recording "
			       "%s has no groups.json)", address, fx->dir);
	if (!rc && !gs.found)
		return dg_errf(err, DG_ENOTFOUND, "%s is not a group in "
			       "%s/groups.json", address, fx->dir);
	if (!rc)
		rc = read_members(fx, address, out, err);
	if (rc)
		cal_group_release(out);
	return rc;
}
