#include "directory.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hmap.h"
#include "source.h"

/* What the run knows about an address looked up as a list. */
enum answer_state {
	ANSWER_GROUP,     /* a list: group holds it */
	ANSWER_NOT_GROUP, /* asked: no list (or none we can read) */
	ANSWER_CAPPED     /* not asked: over the run's cap */
};

struct answer {
	char *address; /* the key */
	enum answer_state state;
	struct cal_group group;
};

struct directory {
	const struct roster *roster;
	const struct cal_user_list *users;
	struct source *src;
	struct directory_limits limits;
	struct hmap people;  /* roster email or alias -> roster_person */
	struct hmap tenant;  /* mail, UPN, smtp proxy -> cal_user */
	struct hmap domains; /* domain of a tenant address -> cal_user */
	struct hmap answers; /* address -> struct answer */
	struct hmap asked;   /* address -> its own copy: answer pending */
	struct directory_stats stats;
};

/*
 * ASCII letter case folded in line: the reader's addresses are compared
 * with every attendee's, a call per byte (or per prefix) would cost more
 * than the compare.
 */
static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* "smtp:a@b" and "SMTP:a@b" hold a@b; X500: and others hold no mail. */
static const char *proxy_address(const char *proxy)
{
	static const char prefix[] = "smtp:";

	/* a shorter proxy differs at its NUL */
	for (size_t i = 0; i < sizeof(prefix) - 1; i++)
		if (fold((unsigned char)proxy[i]) != prefix[i])
			return NULL;
	return proxy + sizeof(prefix) - 1;
}

static const char *domain_of(const char *address)
{
	const char *at = strrchr(address, '@');

	return at ? at + 1 : "";
}

/* An address seen twice keeps its first owner, as a scan would. */
static int put(struct hmap *m, const char *key, void *value)
{
	int rc;

	if (!key || !*key)
		return 0;
	rc = hmap_put(m, key, value, NULL);
	return rc == DG_EEXISTS ? 0 : rc;
}

/* The i-th address of u: mail, UPN, then its smtp proxies; may be NULL. */
static const char *user_address(const struct cal_user *u, size_t i)
{
	if (i == 0)
		return u->mail;
	if (i == 1)
		return u->user_principal_name;
	return proxy_address(u->proxy_addresses[i - 2]);
}

/* How many entries u gives the tenant index: its addresses, each once. */
static size_t user_entries(const struct cal_user *u)
{
	size_t n = 0;

	for (size_t i = 0; i < u->nproxy + 2; i++) {
		const char *a = user_address(u, i);
		bool again = !a || !*a;

		for (size_t j = 0; j < i && !again; j++)
			again = user_address(u, j) &&
				!strcasecmp(user_address(u, j), a);
		n += !again;
	}
	return n;
}

/*
 * Both indexes made their final size at once, from the counts: a run's
 * roster and tenant hold hundreds of thousands of addresses, and a map
 * that doubles as it fills holds its old and new arrays at once.
 */
static int reserve(struct directory *d)
{
	size_t people = 0, tenant = 0;

	for (size_t i = 0; d->roster && i < d->roster->n; i++)
		people += 1 + d->roster->v[i].naliases;
	for (size_t i = 0; d->users && i < d->users->n; i++)
		tenant += user_entries(&d->users->v[i]);
	if (hmap_reserve(&d->people, people) ||
	    hmap_reserve(&d->tenant, tenant))
		return DG_ENOMEM;
	return 0;
}

static int index_roster(struct directory *d)
{
	const struct roster *r = d->roster;
	int rc = 0;

	for (size_t i = 0; r && !rc && i < r->n; i++) {
		struct roster_person *p = &r->v[i];

		rc = put(&d->people, p->email, p);
		for (size_t j = 0; !rc && j < p->naliases; j++)
			rc = put(&d->people, p->aliases[j], p);
	}
	return rc;
}

static int index_address(struct directory *d, const char *address,
			 struct cal_user *u)
{
	int rc;

	if (!address)
		return 0;
	rc = put(&d->tenant, address, u);
	if (!rc && strchr(address, '@'))
		rc = put(&d->domains, domain_of(address), u);
	return rc;
}

static int index_users(struct directory *d)
{
	const struct cal_user_list *l = d->users;
	int rc = 0;

	for (size_t i = 0; l && !rc && i < l->n; i++) {
		struct cal_user *u = &l->v[i];

		rc = index_address(d, u->mail, u);
		if (!rc)
			rc = put(&d->tenant, u->user_principal_name, u);
		for (size_t j = 0; !rc && j < u->nproxy; j++)
			rc = index_address(d, proxy_address(
						   u->proxy_addresses[j]), u);
	}
	return rc;
}

int directory_open(const struct roster *roster,
		   const struct cal_user_list *users, struct source *src,
		   const struct directory_limits *limits,
		   struct directory **out, struct dg_err *err)
{
	struct directory *d = calloc(1, sizeof(*d));
	int rc;

	*out = NULL;
	if (!d)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	d->roster = roster;
	d->users = users;
	d->src = src;
	if (limits)
		d->limits = *limits;
	if (!d->limits.per_run)
		d->limits.per_run = DIRECTORY_PER_RUN;
	if (!d->limits.per_meeting)
		d->limits.per_meeting = DIRECTORY_PER_MEETING;
	hmap_init(&d->people, HMAP_NOCASE);
	hmap_init(&d->tenant, HMAP_NOCASE);
	hmap_init(&d->domains, HMAP_NOCASE);
	hmap_init(&d->answers, HMAP_NOCASE);
	hmap_init(&d->asked, HMAP_NOCASE);
	rc = reserve(d);
	if (!rc)
		rc = index_roster(d);
	if (!rc)
		rc = index_users(d);
	if (rc) {
		directory_close(d);
		return dg_errf(err, rc, "out of memory indexing the roster "
			       "and the users");
	}
	*out = d;
	return 0;
}

static void answer_free(struct answer *a)
{
	free(a->address);
	cal_group_release(&a->group);
	free(a);
}

void directory_close(struct directory *d)
{
	const struct hmap_entry *e;
	size_t pos = 0;

	if (!d)
		return;
	while ((e = hmap_next(&d->answers, &pos)))
		answer_free(e->value);
	hmap_release(&d->answers);
	pos = 0;
	while ((e = hmap_next(&d->asked, &pos)))
		free(e->value);
	hmap_release(&d->asked);
	hmap_release(&d->people);
	hmap_release(&d->tenant);
	hmap_release(&d->domains);
	free(d);
}

/*
 * a and b the same address, letter case aside. Called for each attendee
 * against each of the reader's addresses: most differ in the first letter,
 * told without a call.
 */
static bool same_address(const char *a, const char *b)
{
	return a && fold((unsigned char)*a) == fold((unsigned char)*b) &&
	       !strcasecmp(a, b);
}

bool directory_is_self(const struct cal_user *user, const char *address)
{
	if (!user || !address)
		return false;
	if (same_address(user->mail, address) ||
	    same_address(user->user_principal_name, address))
		return true;
	for (size_t i = 0; i < user->nproxy; i++)
		if (same_address(proxy_address(user->proxy_addresses[i]),
				 address))
			return true;
	return false;
}

const struct cal_user *directory_user(const struct directory *d,
				      const char *address)
{
	return hmap_get(&d->tenant, address);
}

const struct roster_person *directory_person(const struct directory *d,
					     const char *address,
					     const char **via)
{
	const struct roster_person *p;
	const struct cal_user *u;

	if (!address)
		return NULL;
	p = hmap_get(&d->people, address);
	if (p) {
		*via = strcasecmp(p->email, address) ? "alias" : "direct";
		return p;
	}
	/* The tenant knows the person under another address. */
	u = directory_user(d, address);
	if (!u)
		return NULL;
	for (size_t i = 0; i < u->nproxy + 1; i++) {
		const char *a = i < u->nproxy ?
					proxy_address(u->proxy_addresses[i]) :
					u->mail;

		if (a && (p = hmap_get(&d->people, a))) {
			*via = "alias";
			return p;
		}
	}
	return NULL;
}

bool directory_is_known(const struct directory *d, const char *address)
{
	const char *via;

	return directory_person(d, address, &via) ||
	       directory_user(d, address);
}

bool directory_is_external(const struct directory *d, const char *address)
{
	if (!d->users)
		return false;
	return !hmap_get(&d->domains, domain_of(address));
}

const struct cal_group *directory_group(const struct directory *d,
					const char *address)
{
	const struct answer *a = hmap_get(&d->answers, address);

	return a && a->state == ANSWER_GROUP ? &a->group : NULL;
}

static int remember(struct directory *d, const char *address,
		    enum answer_state state, struct cal_group *g)
{
	struct answer *a = calloc(1, sizeof(*a));
	int rc;

	if (!a || !(a->address = strdup(address))) {
		free(a);
		return DG_ENOMEM;
	}
	a->state = state;
	rc = hmap_put(&d->answers, a->address, a, NULL);
	if (rc) {
		answer_free(a);
		return rc;
	}
	if (g) {
		a->group = *g;
		memset(g, 0, sizeof(*g));
	}
	return 0;
}

int directory_add_group(struct directory *d, struct cal_group *g,
			struct dg_err *err)
{
	int rc;

	if (!g->mail)
		return dg_errf(err, DG_EINVAL, "a list without mail");
	rc = remember(d, g->mail, ANSWER_GROUP, g);
	if (rc == DG_EEXISTS)
		return dg_errf(err, rc, "%s is in the directory already",
			       g->mail);
	if (rc)
		return dg_errf(err, rc, "out of memory");
	d->stats.lists++;
	return 0;
}

/* Ask the source about address; remember what it says. */
static int look_up(struct directory *d, const char *address,
		   struct dg_err *err)
{
	char *asked = hmap_remove(&d->asked, address);
	struct cal_group g;
	int rc;

	/* Asked ahead and not heard of yet: this lookup takes its place. */
	if (asked) {
		free(asked);
		d->stats.lookups--;
	}
	if (d->stats.lookups >= d->limits.per_run) {
		d->stats.capped++;
		return remember(d, address, ANSWER_CAPPED, NULL);
	}
	memset(&g, 0, sizeof(g));
	d->stats.lookups++;
	rc = d->src ? source_group(d->src, address, &g, err) : DG_ENOTFOUND;
	if (rc && rc != DG_ENOTFOUND) {
		cal_group_release(&g);
		return rc;
	}
	d->stats.lists += !rc;
	rc = remember(d, address, rc ? ANSWER_NOT_GROUP : ANSWER_GROUP,
		      rc ? NULL : &g);
	cal_group_release(&g);
	return rc ? dg_errf(err, rc, "out of memory") : 0;
}

/* Whether address could be a list of the tenant at all. */
static bool may_be_list(const struct directory *d,
			const struct cal_user *self,
			const struct cal_attendee *a)
{
	return a->type != CAL_ATTENDEE_RESOURCE && a->who.address &&
	       *a->who.address && !directory_is_self(self, a->who.address) &&
	       !directory_is_known(d, a->who.address) &&
	       !directory_is_external(d, a->who.address);
}

/*
 * What to do about one candidate address of a meeting: the caps apply
 * in the same order whether the lookup is made now or asked ahead, so
 * every reader of a meeting sees the same lists.
 */
enum candidate { KNOWN, LOOK_UP, CAPPED };

static enum candidate candidate(struct directory *d, const char *address,
				size_t *seen)
{
	if ((*seen)++ >= d->limits.per_meeting) {
		if (!hmap_get(&d->answers, address))
			d->stats.capped++;
		return KNOWN;
	}
	if (hmap_get(&d->answers, address))
		return KNOWN;
	if (hmap_get(&d->asked, address))
		return LOOK_UP;
	if (d->stats.lookups >= d->limits.per_run) {
		d->stats.capped++;
		return CAPPED;
	}
	return LOOK_UP;
}

int directory_resolve(struct directory *d, const struct cal_user *self,
		      const struct cal_event *ev, struct dg_err *err)
{
	size_t seen = 0;

	for (size_t i = 0; i < ev->nattendees; i++) {
		const struct cal_attendee *a = &ev->attendees[i];
		enum candidate what;
		int rc = 0;

		if (!may_be_list(d, self, a))
			continue;
		what = candidate(d, a->who.address, &seen);
		if (what == CAPPED)
			rc = remember(d, a->who.address, ANSWER_CAPPED, NULL);
		else if (what == LOOK_UP)
			rc = look_up(d, a->who.address, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Ask the source about address ahead; its answer comes later. */
static int ask(struct directory *d, const char *address, struct dg_err *err)
{
	char *key = strdup(address);
	int rc;

	if (!key || hmap_put(&d->asked, key, key, NULL)) {
		free(key);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	d->stats.lookups++;
	rc = source_ask_group(d->src, address, err);
	return rc;
}

int directory_ask(struct directory *d, const struct cal_user *self,
		  const struct cal_event *ev, size_t *pending,
		  struct dg_err *err)
{
	size_t seen = 0;

	for (size_t i = 0; i < ev->nattendees; i++) {
		const struct cal_attendee *a = &ev->attendees[i];
		const char *address = a->who.address;
		int rc = 0;

		if (!may_be_list(d, self, a))
			continue;
		switch (candidate(d, address, &seen)) {
		case KNOWN:
			break;
		case CAPPED:
			rc = remember(d, address, ANSWER_CAPPED, NULL);
			break;
		case LOOK_UP:
			if (!d->src)
				rc = look_up(d, address, err);
			else if (!hmap_get(&d->asked, address))
				rc = ask(d, address, err);
			*pending += d->src != NULL;
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int directory_answered(struct directory *d, const char *address,
		       struct dg_err *err)
{
	char *key = hmap_remove(&d->asked, address);
	struct cal_group g;
	int rc;

	if (!key)
		return 0; /* told twice, or never asked */
	memset(&g, 0, sizeof(g));
	rc = source_group(d->src, key, &g, err);
	if (rc && rc != DG_ENOTFOUND) {
		/* Not remembered: the user's own lookup asks again. */
		d->stats.lookups--;
		cal_group_release(&g);
		free(key);
		return 0;
	}
	d->stats.lists += !rc;
	rc = remember(d, key, rc ? ANSWER_NOT_GROUP : ANSWER_GROUP,
		      rc ? NULL : &g);
	cal_group_release(&g);
	free(key);
	return rc ? dg_errf(err, rc, "out of memory") : 0;
}

void directory_get_stats(const struct directory *d,
			 struct directory_stats *out)
{
	*out = d->stats;
}
