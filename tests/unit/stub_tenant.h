/*
 * stub_tenant: a small Graph tenant on stub_http, for unit tests of the
 * users sync and the graph source. Not a test program: included by
 * test_*.c, which also include stub_http.h and json-c.
 *
 * Users id-0 .. id-(TENANT_USERS-1) with mail userN@contoso.com, plus
 * id-room without mail; /users pages of 3 (nextLink with $skiptoken).
 * id-3 has no mailbox (404 MailboxNotEnabledForRESTAPI). Each mailbox has
 * 7 events, pages of 5 (nextLink with $skip). Group g-sales (mail
 * sales@contoso.com, name Sales): members id-1, a group, a contact, and on
 * a second page id-2. $batch answers in reverse order. The token endpoint
 * wants client secret "s3cr3t".
 */
#ifndef DIGEST_STUB_TENANT_H
#define DIGEST_STUB_TENANT_H

#include <curl/curl.h>
#include <json-c/json.h>

#define TENANT_USERS 8

struct tenant {
	struct stub http;
	int groups_refused; /* answer /groups with 403 */
	int broken;	    /* id-4's 2nd events page, id-5's mailbox */
	int forged_mail;    /* id-room's mail holds a CR LF and a line */
	int tokens;	    /* token requests */
	int batches;	    /* $batch POSTs */
	int gets;	    /* Graph requests, batched ones included */
	int group_queries;
	char filter[256];      /* the last $filter, decoded */
	char view_query[1024]; /* the last first-page calendarView query */
	char view_prefer[128];
};

static void tenant_lock(struct tenant *t)
{
	pthread_mutex_lock(&t->http.lock);
}

static void tenant_unlock(struct tenant *t)
{
	pthread_mutex_unlock(&t->http.lock);
}

static char *tenant_error(int *status, int code, const char *name,
			  const char *msg)
{
	*status = code;
	return stub_strf("{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
			 name, msg);
}

/*
 * The decoded value of query parameter name in target, into out; a name
 * starting with '$' may also come as "%24" (Graph's nextLinks do that).
 */
static void tenant_param(const char *target, const char *name, char *out,
			 size_t size)
{
	const char *q = strchr(target, '?'), *v = NULL;
	size_t n = strlen(name);

	out[0] = '\0';
	while (q && *q && !v) {
		q++;
		if (!strncmp(q, name, n) && q[n] == '=')
			v = q + n + 1;
		else if (name[0] == '$' && !strncmp(q, "%24", 3) &&
			 !strncmp(q + 3, name + 1, n - 1) && q[n + 2] == '=')
			v = q + n + 3;
		else
			q = strchr(q, '&');
	}
	if (v) {
		int len;
		char *d =
			curl_easy_unescape(NULL, v, (int)strcspn(v, "&"), &len);

		snprintf(out, size, "%s", d);
		curl_free(d);
	}
}

static char *tenant_users(struct tenant *t, const char *target)
{
	char skip[16];
	int from, i;
	struct strbuf b = STRBUF_INIT;

	tenant_param(target, "$skiptoken", skip, sizeof(skip));
	from = (int)strtol(skip, NULL, 10);
	assert_int_equal(strbuf_addstr(&b, "{\"value\":["), 0);
	for (i = from; i < from + 3 && i <= TENANT_USERS; i++) {
		if (i == TENANT_USERS)
			assert_int_equal(strbuf_addf(&b,
						     "%s{\"id\":\"id-room\","
						     "\"mail\":%s}",
						     i > from ? "," : "",
						     t->forged_mail
						     ? "\"r@contoso.com\\r\\n"
						       "ERROR forged\""
						     : "null"),
					 0);
		else
			assert_int_equal(
				strbuf_addf(
					&b,
					"%s{\"id\":\"id-%d\",\"mail\":\"user%d@"
					"contoso.com\",\"displayName\":\"User "
					"%d\","
					"\"proxyAddresses\":[\"SMTP:user%d@"
					"contoso."
					"com\",\"smtp:u%d@contoso.com\"]}",
					i > from ? "," : "", i, i, i, i, i),
				0);
	}
	assert_int_equal(strbuf_addch(&b, ']'), 0);
	if (from + 3 <= TENANT_USERS)
		assert_int_equal(strbuf_addf(&b,
					     ",\"@odata.nextLink\":\"%s/"
					     "users?$top=999&$skiptoken=%d\"",
					     t->http.base, from + 3),
				 0);
	assert_int_equal(strbuf_addch(&b, '}'), 0);
	return strbuf_detach(&b, NULL);
}

static char *tenant_event(int k)
{
	return stub_strf("{\"id\":\"ev-%d\",\"subject\":\"Meeting %d\","
			 "\"start\":{\"dateTime\":\"2026-11-24T%02d:00:00."
			 "0000000\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime"
			 "\":\"2026-11-24T%02d:30:00.0000000\",\"timeZone\":"
			 "\"UTC\"}}",
			 k, k, 8 + k, 8 + k);
}

static char *tenant_view(struct tenant *t, const char *id, const char *target,
			 const char *prefer, int *status)
{
	struct strbuf b = STRBUF_INIT;
	char skip[16], start[64];
	int from, k;

	tenant_param(target, "startDateTime", start, sizeof(start));
	if (!start[0])
		return tenant_error(status, 400, "ErrorInvalidParameter",
				    "This request requires a time window");
	tenant_param(target, "$skip", skip, sizeof(skip));
	tenant_lock(t);
	if (!skip[0])
		snprintf(t->view_query, sizeof(t->view_query), "%s",
			 strchr(target, '?') + 1);
	snprintf(t->view_prefer, sizeof(t->view_prefer), "%s", prefer);
	tenant_unlock(t);
	from = (int)strtol(skip, NULL, 10);
	if (t->broken && from && !strcmp(id, "id-4"))
		return strdup("{\"value\":{\"id\":\"ev-bad\"}}");
	assert_int_equal(strbuf_addstr(&b, "{\"value\":["), 0);
	for (k = from; k < from + 5 && k < 7; k++) {
		char *ev = tenant_event(k);

		assert_int_equal(
			strbuf_addf(&b, "%s%s", k > from ? "," : "", ev), 0);
		free(ev);
	}
	assert_int_equal(strbuf_addch(&b, ']'), 0);
	if (from + 5 < 7)
		assert_int_equal(strbuf_addf(&b,
					     ",\"@odata.nextLink\":\"%s/"
					     "users/%s/calendarView?"
					     "startDateTime=%s&%%24skip=%d\"",
					     t->http.base, id, start, from + 5),
				 0);
	assert_int_equal(strbuf_addch(&b, '}'), 0);
	return strbuf_detach(&b, NULL);
}

static char *tenant_groups(struct tenant *t, const char *target, int *status)
{
	char filter[256];

	tenant_param(target, "$filter", filter, sizeof(filter));
	tenant_lock(t);
	t->group_queries++;
	snprintf(t->filter, sizeof(t->filter), "%s", filter);
	tenant_unlock(t);
	if (t->groups_refused)
		return tenant_error(status, 403, "Authorization_RequestDenied",
				    "Insufficient privileges to complete the "
				    "operation.");
	if (!strcasecmp(filter, "mail eq 'sales@contoso.com'") ||
	    !strcmp(filter, "displayName eq 'Sales'"))
		return strdup("{\"value\":[{\"id\":\"g-sales\",\"mail\":"
			      "\"sales@contoso.com\",\"displayName\":"
			      "\"Sales\"}]}");
	return strdup("{\"value\":[]}");
}

static char *tenant_members(struct tenant *t, const char *target)
{
	if (strstr(target, "$skiptoken=2"))
		return strdup("{\"value\":[{\"@odata.type\":\"#microsoft."
			      "graph.user\",\"id\":\"id-2\",\"mail\":"
			      "\"user2@contoso.com\"}]}");
	return stub_strf("{\"value\":[{\"@odata.type\":\"#microsoft.graph."
			 "user\",\"id\":\"id-1\",\"mail\":\"user1@contoso."
			 "com\",\"displayName\":\"User 1\"},{\"@odata.type\""
			 ":\"#microsoft.graph.group\",\"id\":\"g2\",\"mail\":"
			 "\"sub@contoso.com\"},{\"@odata.type\":\"#microsoft."
			 "graph.orgContact\",\"id\":\"c1\",\"mail\":\"pat@"
			 "fabrikam.com\",\"displayName\":\"Pat\"}],"
			 "\"@odata.nextLink\":\"%s/groups/g-sales/"
			 "transitiveMembers?$skiptoken=2\"}",
			 t->http.base);
}

/* One Graph request: path after /v1.0, its prefer header. */
static char *tenant_route(struct tenant *t, const char *target,
			  const char *prefer, int *status)
{
	char id[64] = "", what[64] = "";

	tenant_lock(t);
	t->gets++;
	tenant_unlock(t);
	*status = 200;
	if (!strncmp(target, "/users?", 7))
		return tenant_users(t, target);
	if (!strncmp(target, "/groups?", 8))
		return tenant_groups(t, target, status);
	if (!strncmp(target, "/groups/g-sales/transitiveMembers", 33))
		return tenant_members(t, target);
	if (sscanf(target, "/users/%63[^/]/%63[^?]", id, what) != 2)
		return tenant_error(status, 404, "Request_ResourceNotFound",
				    target);
	if (!strcmp(id, "id-3"))
		return tenant_error(status, 404, "MailboxNotEnabledForRESTAPI",
				    "The mailbox is either inactive, "
				    "soft-deleted, or is hosted on-premise.");
	if (!strcmp(what, "mailboxSettings") && t->broken &&
	    !strcmp(id, "id-5"))
		return strdup("{\"timeZone\":5}");
	if (!strcmp(what, "mailboxSettings"))
		return strdup("{\"timeZone\":\"UTC\",\"language\":{\"locale\""
			      ":\"en-US\"}}");
	if (!strcmp(what, "calendarView"))
		return tenant_view(t, id, target, prefer, status);
	return tenant_error(status, 404, "Request_ResourceNotFound", target);
}

static char *tenant_batch(struct tenant *t, const char *body)
{
	json_object *root = json_tokener_parse(body), *reqs, *out, *arr;
	size_t i, n;

	assert_true(json_object_object_get_ex(root, "requests", &reqs));
	n = json_object_array_length(reqs);
	assert_true(n <= 20);
	tenant_lock(t);
	t->batches++;
	tenant_unlock(t);
	arr = json_object_new_array();
	for (i = n; i-- > 0;) {
		json_object *r = json_object_array_get_idx(reqs, i);
		json_object *id, *url, *h, *p = NULL, *a, *b;
		int status;
		char *text;

		json_object_object_get_ex(r, "id", &id);
		json_object_object_get_ex(r, "url", &url);
		if (json_object_object_get_ex(r, "headers", &h))
			json_object_object_get_ex(h, "Prefer", &p);
		text = tenant_route(t, json_object_get_string(url),
				    p ? json_object_get_string(p) : "",
				    &status);
		b = json_tokener_parse(text);
		free(text);
		a = json_object_new_object();
		json_object_object_add(a, "id", json_object_get(id));
		json_object_object_add(a, "status",
				       json_object_new_int(status));
		json_object_object_add(a, "body", b);
		json_object_array_add(arr, a);
	}
	out = json_object_new_object();
	json_object_object_add(out, "responses", arr);
	body = json_object_to_json_string_ext(
		out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	body = strdup(body);
	json_object_put(out);
	json_object_put(root);
	return (char *)body;
}

static void tenant_answer(void *ctx, const struct stub_request *rq,
			  struct stub_response *rs)
{
	struct tenant *t = ctx;

	if (strstr(rq->target, "/oauth2/v2.0/token")) {
		tenant_lock(t);
		t->tokens++;
		tenant_unlock(t);
		if (!strstr(rq->body, "client_secret=s3cr3t&")) {
			rs->status = 401;
			rs->body = strdup("{\"error\":\"invalid_client\","
					  "\"error_description\":\"AADSTS"
					  "7000215: Invalid client secret "
					  "provided.\"}");
			return;
		}
		rs->body = strdup("{\"access_token\":\"app-token\","
				  "\"expires_in\":3599}");
		return;
	}
	if (strcmp(rq->authorization, "Bearer app-token")) {
		rs->status = 401;
		rs->body = strdup("{\"error\":{\"code\":"
				  "\"InvalidAuthenticationToken\"}}");
		return;
	}
	if (!strcmp(rq->target, "/v1.0/$batch")) {
		rs->body = tenant_batch(t, rq->body);
		return;
	}
	assert_int_equal(strncmp(rq->target, "/v1.0/", 6), 0);
	rs->body = tenant_route(t, rq->target + 5, rq->prefer, &rs->status);
}

/* Start the tenant and point cfg's [graph] at it (app mode). */
static void tenant_start(struct tenant *t, struct config *cfg, char *login,
			 size_t size)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(stub_start(&t->http, tenant_answer, t), 0);
	snprintf(login, size, "http://127.0.0.1:%d", t->http.port);
	cfg->file = (char *)"digest.toml";
	cfg->graph.base_url = t->http.base;
	cfg->graph.login_url = login;
	cfg->graph.tenant = (char *)"contoso";
	cfg->graph.client_id = (char *)"app-id";
	cfg->graph.client_secret.env = (char *)"TEST_TENANT_SECRET";
	cfg->graph.timeout = 10;
	cfg->graph.auth = CONFIG_AUTH_APP;
	setenv("TEST_TENANT_SECRET", "s3cr3t", 1);
}

#endif
