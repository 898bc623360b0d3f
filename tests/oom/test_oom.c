/*
 * oom: every parser of untrusted input and the renderer, with the Nth
 * allocation failing, for N = 1, 2, ... until the work no longer reaches
 * N allocations (failalloc.h). Each run must end in a clean error (a
 * negative status and a sentence) or succeed with exactly the result of
 * a run without failures, and must leave no block behind. The libraries
 * allocate through the same allocator, so a failure inside json-c,
 * libcsv, libetpan or ICU is one of the Ns too.
 *
 * Two passes: the Nth allocation alone fails (the work goes on with the
 * next ones succeeding, so a failure that is ignored shows), and every
 * allocation from the Nth on fails (so error paths that allocate show).
 * Under valgrind (`make test-valgrind`) and ASan (`make test-sanitize`)
 * the same loops also check every access; OOM_STRIDE=k runs only every
 * kth N, for slow hosts, and OOM_TEST=pattern only the tests it names.
 *
 * Inputs are the seed corpora of tests/fuzz/ and the real templates, so
 * $DIGEST_SRC is needed (skipped without it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-c/json_c_version.h>

#include "calendar.h"
#include "config.h"
#include "directory.h"
#include "err.h"
#include "failalloc.h"
#include "graphjson.h"
#include "hmap.h"
#include "logging.h"
#include "match.h"
#include "match_fixture.h"
#include "mime.h"
#include "mustache.h"
#include "plan.h"
#include "render.h"
#include "roster.h"
#include "roster_csv.h"
#include "roster_db.h"
#include "roster_jsonl.h"
#include "tz.h"
#include "store.h"
#include "strbuf.h"
#include "toml.h"
#include "unsubscribe.h"
#include "users.h"

/* One piece of work: it appends what it made to out, as text. */
typedef int work_fn(const void *ctx, struct strbuf *out, struct dg_err *err);

static size_t stride = 1;

/*
 * ICU's caches keep what a run made (and drop what they evict) until
 * u_cleanup(): a block allocated under them is no leak of ours.
 */
static const char *const icu_caches[] = {"UnifiedCache", "ListFormatter",
					 "umtx_initImplPreInit", NULL};

#include <dlfcn.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udateintervalformat.h>
#include <unicode/udatpg.h>
#include <unicode/ulistformatter.h>
#include <unicode/upluralrules.h>

#if JSON_C_VERSION_NUM < 0x001100
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
/*
 * json-c before 0.17 (Debian 12 has 0.16) does not survive every failed
 * allocation of its own: its parser uses the copy of an object's key
 * without a look (a NULL key crashes in the hash), and adding a key to an
 * object leaks the key's copy when the table cannot grow. So its parser,
 * and the adding of a copied key, run held (nothing in them fails): these
 * definitions come before the library's in the process and call it.
 * What json-c hands back (json_object_new_*() giving NULL) still fails.
 */
#define NEXT(name, var)                                                    \
	do {                                                               \
		if (!var) {                                                \
			void *sym = dlsym(RTLD_NEXT, name);                \
			memcpy(&var, &sym, sizeof(var));                   \
		}                                                          \
	} while (0)

struct json_object *json_tokener_parse_ex(struct json_tokener *tok,
					  const char *str, int len)
{
	static struct json_object *(*next)(struct json_tokener *,
					   const char *, int);
	struct json_object *j;

	NEXT("json_tokener_parse_ex", next);
	failalloc_hold();
	j = next(tok, str, len);
	failalloc_unhold();
	return j;
}

int json_object_object_add_ex(struct json_object *o, const char *key,
			      struct json_object *v, const unsigned opts)
{
	static int (*next)(struct json_object *, const char *,
			   struct json_object *, const unsigned);
	int held = !(opts & JSON_C_OBJECT_ADD_CONSTANT_KEY);
	int rc;

	NEXT("json_object_object_add_ex", next);
	if (held)
		failalloc_hold();
	rc = next(o, key, v, opts);
	if (held)
		failalloc_unhold();
	return rc;
}

int json_object_object_add(struct json_object *o, const char *key,
			   struct json_object *v)
{
	return json_object_object_add_ex(o, key, v, 0);
}
#endif

/* The name a symbol has in its library: "udat_open_72" for udat_open. */
#define SYMBOL_(x) #x
#define SYMBOL(x) SYMBOL_(x)

/* Set var to the next definition of the library function fn. */
#define NEXT_OF(var, fn)                                                   \
	do {                                                               \
		if (!var) {                                                \
			void *sym = dlsym(RTLD_NEXT, SYMBOL(fn));          \
			memcpy(&var, &sym, sizeof(var));                   \
		}                                                          \
	} while (0)

/*
 * ICU 72 crashes when an allocation fails inside SimpleDateFormat's
 * construction from a locale's styles (SimpleDateFormat::construct() goes
 * on into ures_getByKeyWithFallback() with what it could not make), which
 * udat_open() with styles, udatpg_open() and udtitvfmt_open() all reach.
 * So those three run held. Each name is a macro for the versioned one
 * (udat_open_72), which these define.
 */
UDateFormat *udat_open(UDateFormatStyle timeStyle, UDateFormatStyle dateStyle,
		       const char *locale, const UChar *tzID,
		       int32_t tzIDLength, const UChar *pattern,
		       int32_t patternLength, UErrorCode *status)
{
	static UDateFormat *(*next)(UDateFormatStyle, UDateFormatStyle,
				    const char *, const UChar *, int32_t,
				    const UChar *, int32_t, UErrorCode *);
	UDateFormat *f;

	NEXT_OF(next, udat_open);
	failalloc_hold();
	f = next(timeStyle, dateStyle, locale, tzID, tzIDLength, pattern,
		 patternLength, status);
	failalloc_unhold();
	return f;
}

UDateTimePatternGenerator *udatpg_open(const char *locale, UErrorCode *st)
{
	static UDateTimePatternGenerator *(*next)(const char *, UErrorCode *);
	UDateTimePatternGenerator *g;

	NEXT_OF(next, udatpg_open);
	failalloc_hold();
	g = next(locale, st);
	failalloc_unhold();
	return g;
}

/*
 * Out of memory, udtitvfmt_format() still succeeds with ICU's fallback
 * wording ("9:00 AM – 10:00 AM" for "9:00 – 10:00 AM"): the same facts,
 * so not a failure of ours, but not the result to compare. Held.
 */
int32_t udtitvfmt_format(const UDateIntervalFormat *formatter, UDate fromDate,
			 UDate toDate, UChar *result, int32_t resultCapacity,
			 UFieldPosition *position, UErrorCode *status)
{
	static int32_t (*next)(const UDateIntervalFormat *, UDate, UDate,
			       UChar *, int32_t, UFieldPosition *,
			       UErrorCode *);
	int32_t n;

	NEXT_OF(next, udtitvfmt_format);
	failalloc_hold();
	n = next(formatter, fromDate, toDate, result, resultCapacity,
		 position, status);
	failalloc_unhold();
	return n;
}

int32_t udat_format(const UDateFormat *format, UDate dateToFormat,
		    UChar *result, int32_t resultLength,
		    UFieldPosition *position, UErrorCode *status)
{
	static int32_t (*next)(const UDateFormat *, UDate, UChar *, int32_t,
			       UFieldPosition *, UErrorCode *);
	int32_t n;

	NEXT_OF(next, udat_format);
	failalloc_hold();
	n = next(format, dateToFormat, result, resultLength, position, status);
	failalloc_unhold();
	return n;
}

int32_t ulistfmt_format(const UListFormatter *listfmt,
			const UChar *const strings[],
			const int32_t *stringLengths, int32_t stringCount,
			UChar *result, int32_t resultCapacity,
			UErrorCode *status)
{
	static int32_t (*next)(const UListFormatter *, const UChar *const[],
			       const int32_t *, int32_t, UChar *, int32_t,
			       UErrorCode *);
	int32_t n;

	NEXT_OF(next, ulistfmt_format);
	failalloc_hold();
	n = next(listfmt, strings, stringLengths, stringCount, result,
		 resultCapacity, status);
	failalloc_unhold();
	return n;
}

UListFormatter *ulistfmt_open(const char *locale, UErrorCode *status)
{
	static UListFormatter *(*next)(const char *, UErrorCode *);
	UListFormatter *f;

	NEXT_OF(next, ulistfmt_open);
	failalloc_hold();
	f = next(locale, status);
	failalloc_unhold();
	return f;
}

UPluralRules *uplrules_open(const char *locale, UErrorCode *status)
{
	static UPluralRules *(*next)(const char *, UErrorCode *);
	UPluralRules *r;

	NEXT_OF(next, uplrules_open);
	failalloc_hold();
	r = next(locale, status);
	failalloc_unhold();
	return r;
}

/*
 * ICU 72 builds a zone's transition rules on the first question about its
 * transitions and crashes in OlsonTimeZone::initTransitionRules() when an
 * allocation fails there (or loses a rule's array of times, olsontz.cpp).
 */
UBool ucal_getTimeZoneTransitionDate(const UCalendar *cal,
				     UTimeZoneTransitionType type,
				     UDate *transition, UErrorCode *status)
{
	static UBool (*next)(const UCalendar *, UTimeZoneTransitionType,
			     UDate *, UErrorCode *);
	UBool found;

	NEXT_OF(next, ucal_getTimeZoneTransitionDate);
	failalloc_hold();
	found = next(cal, type, transition, status);
	failalloc_unhold();
	return found;
}

/*
 * ICU 72's GregorianCalendar::setGregorianChange() returns without
 * deleting the calendar it made when that calendar's constructor fails
 * (gregocal.cpp): a block lost per failure.
 */
void ucal_setGregorianChange(UCalendar *cal, UDate date, UErrorCode *status)
{
	static void (*next)(UCalendar *, UDate, UErrorCode *);

	NEXT_OF(next, ucal_setGregorianChange);
	failalloc_hold();
	next(cal, date, status);
	failalloc_unhold();
}

UDateIntervalFormat *udtitvfmt_open(const char *locale, const UChar *skeleton,
				    int32_t skeletonLength, const UChar *tzID,
				    int32_t tzIDLength, UErrorCode *status)
{
	static UDateIntervalFormat *(*next)(const char *, const UChar *,
					    int32_t, const UChar *, int32_t,
					    UErrorCode *);
	UDateIntervalFormat *f;

	NEXT_OF(next, udtitvfmt_open);
	failalloc_hold();
	f = next(locale, skeleton, skeletonLength, tzID, tzIDLength, status);
	failalloc_unhold();
	return f;
}

/* An input file of the repository, read before any failure is armed. */
static char *slurp(const char *rel, size_t *len)
{
	const char *src = getenv("DIGEST_SRC");
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;

	if (!src)
		skip();
	assert_int_equal(strbuf_addf(&path, "%s/%s", src, rel), 0);
	if (strbuf_read_file(&text, path.buf))
		fail_msg("cannot read %s", path.buf);
	strbuf_release(&path);
	*len = text.len;
	return strbuf_detach(&text, NULL);
}

static void quiet(enum logging_level level, const char *msg, void *ctx)
{
}

/*
 * Run w with the nth allocation failing, for every nth (every: 1) until w
 * makes fewer than n allocations. A leak is a block allocated by the
 * failing run and still there after it; with settle (work that keeps
 * state its next run replaces), the blocks counted after one more run.
 */
static void torture(const char *name, work_fn *w, const void *ctx,
		    bool persist, size_t every, bool settle)
{
	struct strbuf want = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t errors = 0, runs = 0, n;
	long live;

	/* Three times without failures: the first two fill the caches
	 * (iconv's modules, ICU's data, an engine's formatters), the third
	 * must leave no block behind. */
	for (int i = 0; i < 3; i++) {
		strbuf_reset(&want);
		live = failalloc_live();
		if (w(ctx, &want, &err))
			fail_msg("%s fails without a failure: %s", name,
				 err.msg);
		strbuf_release(&want);
		if (i == 2 && failalloc_live() != live)
			fail_msg("%s leaks %ld blocks without a failure", name,
				 failalloc_live() - live);
	}
	assert_int_equal(w(ctx, &want, &err), 0);
	for (n = 1;; n += every * stride) {
		struct strbuf got = STRBUF_INIT;
		size_t failed;
		int rc;

		live = failalloc_live();
		err = (struct dg_err)DG_ERR_INIT;
		failalloc_arm(n, persist);
		rc = w(ctx, &got, &err);
		failed = failalloc_disarm();
		if (rc) {
			if (rc > 0 || !err.msg[0])
				fail_msg("%s, allocation %zu failing: status "
					 "%d, message \"%s\"",
					 name, n, rc, err.msg);
			if (!failed)
				fail_msg("%s, allocation %zu: fails with no "
					 "failure: %s",
					 name, n, err.msg);
			errors++;
		} else if (got.len != want.len ||
			   memcmp(got.buf, want.buf, got.len)) {
			fprintf(stderr, "---- got\n%s\n---- instead of\n%s\n",
				got.buf ? got.buf : "",
				want.buf ? want.buf : "");
			fail_msg("%s, allocation %zu failing: succeeds with "
				 "another result (above)",
				 name, n);
		}
		strbuf_release(&got);
		if (settle) {
			/*
			 * The work keeps state (an engine's formatters) that
			 * its next run replaces: run it again, which must give
			 * the same result, and count the blocks then.
			 */
			err = (struct dg_err)DG_ERR_INIT;
			if (w(ctx, &got, &err))
				fail_msg("%s fails after allocation %zu "
					 "failed: %s",
					 name, n, err.msg);
			if (got.len != want.len ||
			    memcmp(got.buf, want.buf, got.len))
				fail_msg("%s gives another result after "
					 "allocation %zu failed",
					 name, n);
			strbuf_release(&got);
			if (failalloc_live() != live) {
				failalloc_leaks(icu_caches, true);
				fail_msg("%s, allocation %zu failing: %ld "
					 "blocks leak",
					 name, n, failalloc_live() - live);
			}
		} else if (failalloc_leaks(icu_caches, false)) {
			failalloc_leaks(icu_caches, true);
			fail_msg("%s, allocation %zu failing: %zu blocks leak",
				 name, n, failalloc_leaks(icu_caches, false));
		}
		if (!failed)
			break;
		runs++;
	}
	print_message("%s%s: %zu allocations, %zu runs (every %zu), %zu "
		      "clean errors\n",
		      name, persist ? " (persistent)" : "", failalloc_count(),
		      runs, every * stride, errors);
	strbuf_release(&want);
}

#define TORTURE(name, w, ctx)                                              \
	do {                                                               \
		torture(name, w, ctx, false, 1, false);                    \
		torture(name, w, ctx, true, 1, false);                     \
	} while (0)

/* ---- TOML and the config ---- */

static int toml_work(const void *ctx, struct strbuf *out, struct dg_err *err)
{
	const struct strbuf *text = ctx;
	struct toml_value *root = NULL;
	int rc = toml_parse(text->buf, text->len, &root, err);

	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < toml_table_size(root); i++)
		if (strbuf_addf(out, "%s:%s\n", toml_table_key(root, i),
				toml_type_name(toml_type(
					toml_table_at(root, i)))))
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
	toml_free(root);
	return rc;
}

static int config_work(const void *ctx, struct strbuf *out,
		       struct dg_err *err)
{
	struct config cfg;
	int rc = config_load(&cfg, ctx, err);

	if (rc)
		return rc;
	if (strbuf_addf(out, "%s %s %s", cfg.store.path, cfg.digest.from,
			cfg.digest.locale ? cfg.digest.locale : "-"))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	config_release(&cfg);
	return rc;
}

static void test_oom__toml_and_config(void **state)
{
	static const char *const files[] = {
		"tests/fuzz/corpus/toml/example.toml",
		"tests/fuzz/corpus/toml/types.toml"};
	static const char *const configs[] = {
		"tests/fuzz/corpus/config/example.toml",
		"tests/fuzz/corpus/config/graph.toml"};

	for (size_t i = 0; i < 2; i++) {
		struct strbuf text = STRBUF_INIT;

		text.buf = slurp(files[i], &text.len);
		TORTURE(files[i], toml_work, &text);
		free(text.buf);
	}
	for (size_t i = 0; i < 2; i++) {
		struct strbuf path = STRBUF_INIT;

		assert_int_equal(strbuf_addf(&path, "%s/%s",
					     getenv("DIGEST_SRC"), configs[i]),
				 0);
		TORTURE(configs[i], config_work, path.buf);
		strbuf_release(&path);
	}
}

/* ---- the Graph JSON entry points ---- */

struct input {
	const char *file;
	char *text;
	size_t len;
};

static int add_next(struct strbuf *out, char *next, struct dg_err *err)
{
	int rc = strbuf_addf(out, "next %s\n", next ? next : "-");

	free(next);
	return rc ? dg_errf(err, DG_ENOMEM, "out of memory") : 0;
}

static int nomem(struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM, "out of memory");
}

static int events_work(const void *ctx, struct strbuf *out,
		       struct dg_err *err)
{
	const struct input *in = ctx;
	struct cal_event_list l = CAL_EVENT_LIST_INIT;
	char *next = NULL;
	int rc = graphjson_events_page(in->text, in->len, &l, &next, err);

	for (size_t i = 0; !rc && i < l.n; i++) {
		const struct cal_event *e = &l.v[i];

		if (strbuf_addf(out, "%s|%s|%s|%s|%zu|%s\n", e->id,
				e->subject ? e->subject : "-",
				e->start.date_time, e->end.time_zone,
				e->nattendees,
				e->join_url ? e->join_url : "-"))
			rc = nomem(err);
	}
	if (!rc)
		rc = add_next(out, next, err);
	else
		free(next);
	cal_event_list_release(&l);
	return rc;
}

static int mailbox_work(const void *ctx, struct strbuf *out,
			struct dg_err *err)
{
	const struct input *in = ctx;
	struct cal_mailbox mb;
	int rc;

	memset(&mb, 0, sizeof(mb));
	rc = graphjson_mailbox(in->text, in->len, &mb, err);
	if (rc)
		return rc;
	if (strbuf_addf(out, "%s|%s|%d", mb.time_zone ? mb.time_zone : "-",
			mb.locale ? mb.locale : "-", (int)mb.autoreply))
		rc = nomem(err);
	cal_mailbox_release(&mb);
	return rc;
}

static int users_work(const void *ctx, struct strbuf *out,
		      struct dg_err *err)
{
	const struct input *in = ctx;
	struct cal_user_list l = CAL_USER_LIST_INIT;
	char *next = NULL;
	int rc = graphjson_users_page(in->text, in->len, &l, &next, err);

	for (size_t i = 0; !rc && i < l.n; i++)
		if (strbuf_addf(out, "%s|%s|%zu\n", l.v[i].id,
				l.v[i].mail ? l.v[i].mail : "-",
				l.v[i].nproxy))
			rc = nomem(err);
	if (!rc)
		rc = add_next(out, next, err);
	else
		free(next);
	cal_user_list_release(&l);
	return rc;
}

static int user_work(const void *ctx, struct strbuf *out, struct dg_err *err)
{
	const struct input *in = ctx;
	struct cal_user u;
	int rc;

	memset(&u, 0, sizeof(u));
	rc = graphjson_user(in->text, in->len, &u, err);
	if (rc)
		return rc;
	if (strbuf_addf(out, "%s|%s|%s", u.id, u.mail ? u.mail : "-",
			u.given_name ? u.given_name : "-"))
		rc = nomem(err);
	cal_user_release(&u);
	return rc;
}

static int members_work(const void *ctx, struct strbuf *out,
			struct dg_err *err)
{
	const struct input *in = ctx;
	struct cal_group g;
	char *next = NULL;
	int rc;

	memset(&g, 0, sizeof(g));
	rc = graphjson_members_page(in->text, in->len, &g, &next, err);
	for (size_t i = 0; !rc && i < g.nmembers; i++)
		if (strbuf_addf(out, "%s\n", g.members[i].address))
			rc = nomem(err);
	if (!rc)
		rc = add_next(out, next, err);
	else
		free(next);
	cal_group_release(&g);
	return rc;
}

static int member_users_work(const void *ctx, struct strbuf *out,
			     struct dg_err *err)
{
	const struct input *in = ctx;
	struct cal_user_list l = CAL_USER_LIST_INIT;
	char *next = NULL;
	int rc = graphjson_member_users_page(in->text, in->len, &l, &next,
					     err);

	for (size_t i = 0; !rc && i < l.n; i++)
		if (strbuf_addf(out, "%s\n", l.v[i].id))
			rc = nomem(err);
	if (!rc)
		rc = add_next(out, next, err);
	else
		free(next);
	cal_user_list_release(&l);
	return rc;
}

static int group_find_work(const void *ctx, struct strbuf *out,
			   struct dg_err *err)
{
	const struct input *in = ctx;
	struct cal_group g;
	bool found = false;
	char *next = NULL;
	size_t matches = 0;
	int rc;

	memset(&g, 0, sizeof(g));
	rc = graphjson_group_find(in->text, in->len, "sales@contoso.com", &g,
				  &found, &next, err);
	if (!rc && strbuf_addf(out, "%d %s\n", found, found ? g.id : "-"))
		rc = nomem(err);
	if (!rc)
		rc = add_next(out, next, err);
	else
		free(next);
	cal_group_release(&g);
	if (rc)
		return rc;
	memset(&g, 0, sizeof(g));
	next = NULL;
	rc = graphjson_group_named(in->text, in->len, "Sales", &g, &matches,
				   &next, err);
	if (!rc && strbuf_addf(out, "%zu %s\n", matches,
			       matches ? g.id : "-"))
		rc = nomem(err);
	if (!rc)
		rc = add_next(out, next, err);
	else
		free(next);
	cal_group_release(&g);
	return rc;
}

static int batch_work(const void *ctx, struct strbuf *out,
		      struct dg_err *err)
{
	const struct input *in = ctx;
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	int rc = graphjson_batch_answer(in->text, in->len, &b, err);
	const struct graphjson_subrequest req[] = {
		{"1", "GET", "/users/a@contoso.com/mailboxSettings", NULL},
		{"2", "GET", "/users/a/calendarView?x=\"y\"",
		 "outlook.timezone=\"UTC\""},
	};

	for (size_t i = 0; !rc && i < b.n; i++) {
		struct cal_event_list l = CAL_EVENT_LIST_INIT;
		char *next = NULL;

		/* a parsed body is read as a page, as the graph source does */
		if (b.v[i].value)
			rc = graphjson_events_page_value(b.v[i].value, &l,
							 &next, err);
		if (rc == DG_EPARSE)
			rc = 0;
		if (!rc && strbuf_addf(out, "%s %ld %s %zu %s %zu\n",
				       b.v[i].id, b.v[i].status,
				       b.v[i].retry_after ? b.v[i].retry_after
							  : "-",
				       b.v[i].body_len,
				       b.v[i].value ? "json" : "-", l.n))
			rc = nomem(err);
		free(next);
		cal_event_list_release(&l);
	}
	graphjson_batch_release(&b);
	if (!rc)
		rc = graphjson_batch_request(req, 2, out, err);
	return rc;
}

static int auth_work(const void *ctx, struct strbuf *out, struct dg_err *err)
{
	const struct input *in = ctx;
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct graphjson_device_code d = GRAPHJSON_DEVICE_CODE_INIT;
	struct graphjson_error e = GRAPHJSON_ERROR_INIT;
	struct dg_err ignored = DG_ERR_INIT;
	int rc = 0;

	/* Each file is one of the three shapes: whichever parses. */
	if (!graphjson_token(in->text, in->len, &t, &ignored)) {
		if (strbuf_addf(out, "token %s %s %ld\n",
				t.access_token ? "yes" : "no",
				t.error ? t.error : "-", t.expires_in))
			rc = nomem(err);
	} else if (ignored.code == DG_ENOMEM) {
		rc = dg_errf(err, DG_ENOMEM, "%s", ignored.msg);
	}
	graphjson_token_release(&t);
	if (!rc && !graphjson_device_code(in->text, in->len, &d, &ignored)) {
		if (strbuf_addf(out, "device %s %ld\n", d.user_code,
				d.interval))
			rc = nomem(err);
	} else if (!rc && ignored.code == DG_ENOMEM) {
		rc = dg_errf(err, DG_ENOMEM, "%s", ignored.msg);
	}
	graphjson_device_code_release(&d);
	if (!rc && !graphjson_error_body(in->text, in->len, &e, &ignored)) {
		if (strbuf_addf(out, "error %s\n", e.code))
			rc = nomem(err);
	} else if (!rc && ignored.code == DG_ENOMEM) {
		rc = dg_errf(err, DG_ENOMEM, "%s", ignored.msg);
	}
	graphjson_error_release(&e);
	return rc;
}

static void graph_inputs(const char *dir, const char *const *names,
			 size_t n, work_fn *w)
{
	for (size_t i = 0; i < n; i++) {
		struct strbuf rel = STRBUF_INIT;
		struct input in;
		size_t skip;

		assert_int_equal(strbuf_addf(&rel, "tests/fuzz/corpus/%s/%s",
					     dir, names[i]),
				 0);
		in.file = rel.buf;
		in.text = slurp(rel.buf, &in.len);
		/* these harnesses take their first byte as a selector */
		skip = !strcmp(dir, "graph_directory") ||
		       !strcmp(dir, "graph_auth") ||
		       !strcmp(dir, "graph_batch");
		in.text += skip;
		in.len -= skip;
		TORTURE(rel.buf, w, &in);
		free(in.text - skip);
		strbuf_release(&rel);
	}
}

#define INPUTS(dir, w, ...)                                                \
	do {                                                               \
		static const char *const names[] = {__VA_ARGS__};          \
		graph_inputs(dir, names, sizeof(names) / sizeof(*names),   \
			     w);                                           \
	} while (0)

static void test_oom__graph_json(void **state)
{
	INPUTS("graph_events", events_work, "two-events.json",
	       "empty-next.json");
	INPUTS("graph_mailbox", mailbox_work, "settings.json",
	       "scheduled.json");
	INPUTS("graph_directory", users_work, "users-page.json");
	INPUTS("graph_directory", user_work, "user.json");
	INPUTS("graph_directory", members_work, "members.json");
	INPUTS("graph_directory", member_users_work, "member-users.json");
	INPUTS("graph_directory", group_find_work, "group-find.json",
	       "group-named.json");
	INPUTS("graph_batch", batch_work, "answer.json", "events.json");
	INPUTS("graph_auth", auth_work, "token.json", "token-error.json",
	       "device-code.json", "error.json");
}

/* ---- the roster ---- */

static int roster_work(const void *ctx, struct strbuf *out,
		       struct dg_err *err)
{
	const struct input *in = ctx;
	struct roster r = ROSTER_INIT;
	/* The corpus's first byte picks the format (fuzz_roster.c). */
	int rc = in->text[0] & 1
			 ? roster_read_jsonl(in->text + 1, in->len - 1,
					     in->file, &r, err)
			 : roster_read_csv(in->text + 1, in->len - 1,
					   in->file, &r, err);

	for (size_t i = 0; !rc && i < r.n; i++) {
		const struct roster_person *p = &r.v[i];

		if (strbuf_addf(out, "%s|%s|%s|%zu|%zu|%d%d%d\n", p->email,
				p->name, p->title, p->naliases,
				p->nassessments, p->opt_out, p->no_digest,
				p->hidden))
			rc = nomem(err);
		for (size_t k = 0; !rc && k < p->nassessments; k++)
			if (strbuf_addf(out, " %s=%s\n",
					p->assessments[k].name,
					p->assessments[k].value))
				rc = nomem(err);
	}
	roster_release(&r);
	return rc;
}

static void test_oom__roster(void **state)
{
	INPUTS("roster", roster_work, "roster.csv", "quoted.csv",
	       "roster.jsonl");
}

/* ---- the run's tables: the maps, users and roster from the store ---- */

static int hmap_work(const void *ctx, struct strbuf *out, struct dg_err *err)
{
	enum { N = 300, R = 100 };
	static char keys[N][16];
	struct hmap grown = HMAP_INIT(HMAP_NOCASE), sized = HMAP_INIT(0);
	const struct hmap_entry *e;
	size_t pos = 0, walked = 0;
	int rc = 0;

	(void)ctx;
	for (int i = 0; i < N; i++)
		snprintf(keys[i], sizeof(keys[i]), "Key%d", i);
	if (hmap_reserve(&sized, R))
		rc = nomem(err);
	for (int i = 0; !rc && i < N; i++)
		if (hmap_put(&grown, keys[i], keys[i], NULL))
			rc = nomem(err);
	for (int i = 0; !rc && i < R; i++)
		if (hmap_put(&sized, keys[i], keys[i], NULL))
			rc = nomem(err);
	for (int i = 0; !rc && i < N; i += 3)
		hmap_remove(&grown, keys[i]);
	while (!rc && (e = hmap_next(&grown, &pos)))
		walked++;
	for (int i = 0; !rc && i < N; i++)
		if (strbuf_addch(out, hmap_get(&grown, keys[i]) ? '1' : '0'))
			rc = nomem(err);
	if (!rc && strbuf_addf(out, " %zu %zu %zu", grown.n, walked, sized.n))
		rc = nomem(err);
	hmap_release(&grown);
	hmap_release(&sized);
	return rc;
}

/* A store holding a roster and users, made before any failure. */
struct tables {
	char dir[64];
	char path[96];
};

static const char tables_roster[] =
	"email,name,title,aliases,disc,enneagram\n"
	"ana.adams@contoso.com,Ana Adams,Engineer,ana@contoso.com,C,1\n"
	"ben.baker@contoso.com,Ben Baker,,ben@contoso.com;bb@contoso.com,S,\n"
	"cy.chen@contoso.com,,,,,9\n";

static void tables_make(struct tables *t)
{
	static char *proxies[][3] = {
		{(char *)"SMTP:ana.adams@contoso.com",
		 (char *)"smtp:ana@contoso.com",
		 (char *)"SIP:ana.adams@contoso.com"},
		{(char *)"SMTP:dee@fabrikam.com", (char *)"smtp:d@contoso.com",
		 NULL},
	};
	struct cal_user v[3] = {
		{.id = (char *)"1", .mail = (char *)"ana.adams@contoso.com",
		 .user_principal_name = (char *)"ana.adams@contoso.com",
		 .display_name = (char *)"Ana Adams",
		 .given_name = (char *)"Ana", .surname = (char *)"Adams",
		 .proxy_addresses = proxies[0], .nproxy = 3},
		{.id = (char *)"2", .mail = (char *)"dee@fabrikam.com",
		 .user_principal_name = (char *)"dee@contoso.onmicrosoft.com",
		 .proxy_addresses = proxies[1], .nproxy = 2},
		{.id = (char *)"3", .mail = (char *)"ben.baker@contoso.com"},
	};
	struct cal_user_list users = {.v = v, .n = 3};
	struct roster r = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = NULL;
	size_t n;

	snprintf(t->dir, sizeof(t->dir), "/tmp/test_oom.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/digest.db", t->dir);
	if (store_open(t->path, &st, &err) ||
	    roster_read_csv(tables_roster, strlen(tables_roster),
			    "roster.csv", &r, &err) ||
	    roster_db_replace(st, &r, &err) ||
	    users_replace(st, &users, 1000, &n, &err))
		fail_msg("the store of the tables: %s", err.msg);
	roster_release(&r);
	store_close(st);
}

static void tables_remove(struct tables *t)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char p[128];

	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffixes[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static int tables_say(const struct directory *d, const char *address,
		      struct strbuf *out)
{
	const char *via = "-";
	const struct roster_person *p = directory_person(d, address, &via);
	const struct cal_user *u = directory_user(d, address);

	return strbuf_addf(out, "%s: %s %s %s %s %d\n", address,
			   p ? p->email : "-", via, u ? u->id : "-",
			   u && u->given_name ? u->given_name : "-",
			   directory_is_external(d, address));
}

/*
 * What a run loads (store opening and closing held: the store's own
 * paths are not this test's) and the directory over it.
 */
static int tables_work(const void *ctx, struct strbuf *out,
		       struct dg_err *err)
{
	static const char *const asked[] = {
		"ANA@contoso.com", "d@contoso.com", "dee@contoso.onmicrosoft.com",
		"bb@contoso.com", "cy.chen@contoso.com", "x@example.org"};
	const struct tables *t = ctx;
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct roster r = ROSTER_INIT;
	struct directory *d = NULL;
	struct store *st = NULL;
	int rc;

	failalloc_hold();
	rc = store_open(t->path, &st, err);
	failalloc_unhold();
	if (!rc)
		rc = roster_db_load(st, &r, err);
	if (!rc)
		rc = users_load(st, USERS_ALL, &users, err);
	if (!rc)
		rc = directory_open(&r, &users, NULL, NULL, &d, err);
	for (size_t i = 0; !rc && i < sizeof(asked) / sizeof(*asked); i++)
		if (tables_say(d, asked[i], out))
			rc = nomem(err);
	directory_close(d);
	cal_user_list_release(&users);
	roster_release(&r);
	failalloc_hold();
	store_close(st);
	failalloc_unhold();
	return rc;
}

static void test_oom__the_runs_tables(void **state)
{
	struct tables t;

	(void)state;
	TORTURE("hmap", hmap_work, NULL);
	tables_make(&t);
	TORTURE("roster, users and directory", tables_work, &t);
	tables_remove(&t);
}

/* ---- mustache ---- */

struct mustache_case {
	const char *template;
	const char *partial;
};

static int resolve_one(const char *name, struct strbuf *out, void *ctx,
		       struct dg_err *err)
{
	const struct mustache_case *c = ctx;

	if (strcmp(name, "p"))
		return dg_errf(err, DG_ENOTFOUND, "no partial '%s'", name);
	if (strbuf_addstr(out, c->partial))
		return nomem(err);
	return 0;
}

static struct mustache_value *data(void)
{
	struct mustache_value *root = mustache_map_new();
	struct mustache_value *list = mustache_list_new();

	if (!root || !list)
		goto fail;
	for (int i = 0; i < 3; i++) {
		struct mustache_value *item = mustache_map_new();

		if (!item ||
		    mustache_map_set(item, "name",
				     mustache_string(i ? "Ann" : "<Zoë>")) ||
		    mustache_map_set(item, "n", mustache_int(i)) ||
		    mustache_map_set(item, "f", mustache_float(i / 2.0))) {
			mustache_value_free(item);
			goto fail;
		}
		if (mustache_list_push(list, item)) /* takes item */
			goto fail;
	}
	/* map_set takes list, whatever it returns */
	int rc = mustache_map_set(root, "people", list);

	list = NULL;
	if (rc)
		goto fail;
	if (mustache_map_set(root, "title", mustache_string("Budget & co")) ||
	    mustache_map_set(root, "ok", mustache_bool(1)) ||
	    mustache_map_set(root, "none", mustache_null()))
		goto fail;
	return root;
fail:
	mustache_value_free(list);
	mustache_value_free(root);
	return NULL;
}

static int mustache_work(const void *ctx, struct strbuf *out,
			 struct dg_err *err)
{
	const struct mustache_case *c = ctx;
	struct mustache_template *t = NULL;
	struct mustache_partials *p = NULL;
	struct mustache_value *v = data();
	int rc;

	if (!v)
		return nomem(err);
	rc = mustache_compile(c->template, strlen(c->template), "oom", &t,
			      err);
	if (!rc)
		rc = mustache_partials_new(resolve_one, (void *)c, &p, err);
	for (int e = 0; !rc && e < 2; e++)
		rc = mustache_render(t, v, p,
				     e ? MUSTACHE_ESCAPE_NONE
				       : MUSTACHE_ESCAPE_HTML,
				     out, err);
	mustache_partials_free(p);
	mustache_template_free(t);
	mustache_value_free(v);
	return rc;
}

/* The same with the data made in an arena of its own. */
static int mustache_arena_work(const void *ctx, struct strbuf *out,
			       struct dg_err *err)
{
	struct mustache_arena *a = mustache_arena_new(), *before;
	int rc;

	if (!a)
		return nomem(err);
	before = mustache_arena_use(a);
	rc = mustache_work(ctx, out, err);
	mustache_arena_use(before);
	mustache_arena_free(a);
	return rc;
}

static void test_oom__mustache(void **state)
{
	static const struct mustache_case cases[] = {
		{"{{title}} {{{title}}}\n{{#people}}\n- {{name}} {{n}} {{f}}"
		 "{{#ok}}!{{/ok}}{{^none}}?{{/none}}\n{{/people}}\n"
		 "{{> p}}{{=<% %>=}}<% title %>\n",
		 "partial {{#people}}{{.}}{{name}}{{/people}}|"
		 "{{#people.0}}{{name}}{{/people.0}}\n"},
		{"{{<p}}{{$x}}block {{title}}{{/x}}{{/p}}\n"
		 "{{! comment }}{{#people}}{{> p}}{{/people}}\n",
		 "{{$x}}default{{/x}} {{name}}\n"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		TORTURE(i ? "mustache parents" : "mustache sections",
			mustache_work, &cases[i]);
	TORTURE("mustache sections, data in an arena", mustache_arena_work,
		&cases[0]);
}

/* ---- the digest renderer, with the real templates ---- */

#define DAY_START_MS INT64_C(1795507200000)

struct day {
	struct cal_user user;
	struct roster roster;
	struct plan_target target;
	struct cal_event events[3];
	struct plan_meeting meetings[3];
	struct plan_meeting away;
	struct match_list lists[3];
	struct plan_day day;
	struct render_input in;
	char *dir;
};

static struct day the_day;

static char *xdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static void add_person(struct roster *r, const char *email, const char *name,
		       const char *disc, const char *enneagram)
{
	struct roster_person p;

	memset(&p, 0, sizeof(p));
	p.email = xdup(email);
	p.name = xdup(name);
	p.title = xdup("Engineer");
	if (disc)
		assert_int_equal(roster_person_add_result(&p, "disc", disc), 0);
	if (enneagram)
		assert_int_equal(
			roster_person_add_result(&p, "enneagram", enneagram),
			0);
	assert_int_equal(roster_push(r, &p), 0);
}

static void add_meeting(struct day *d, const char *id, const char *subject,
			int from, int to, const char *organizer)
{
	size_t i = d->day.n++;
	struct plan_meeting *m = &d->meetings[i];
	struct cal_event *ev = &d->events[i];

	ev->id = xdup(id);
	ev->subject = xdup(subject);
	ev->location = xdup("Room 4 & <Annex>");
	ev->join_url = xdup("https://teams.microsoft.com/l/meetup-join/x");
	ev->organizer.address = xdup(organizer);
	m->event = ev;
	snprintf(m->start, sizeof(m->start), "2026-11-24T%02d:00:00-08:00",
		 from);
	snprintf(m->end, sizeof(m->end), "2026-11-24T%02d:00:00-08:00", to);
	m->start_label = xdup(from < 12 ? "9:00 AM" : "1:00 PM");
	m->end_label = xdup(from < 12 ? "10:00 AM" : "2:00 PM");
	m->start_ms = DAY_START_MS + from * 3600000;
	m->end_ms = DAY_START_MS + to * 3600000;
	d->lists[i] = (struct match_list)MATCH_LIST_INIT;
}

static void add_attendee(struct day *d, const char *email, const char *via)
{
	struct match_list *l = &d->lists[d->day.n - 1];
	struct match_attendee *a = realloc(l->v, (l->n + 1) * sizeof(*a));

	assert_non_null(a);
	l->v = a;
	a += l->n++;
	memset(a, 0, sizeof(*a));
	a->email = xdup(email);
	a->person = roster_find(&d->roster, email);
	a->name = xdup(a->person ? a->person->name : "Guest");
	a->via = a->person ? via : NULL;
	a->group = strcmp(via, "group") ? NULL : xdup("Sales");
	a->external = !strstr(email, "@contoso.com");
	if (!a->person)
		l->unmatched++;
}

static int day_setup(void **state)
{
	struct day *d = &the_day;
	const char *src = getenv("DIGEST_SRC");
	struct strbuf dir = STRBUF_INIT;

	if (!src)
		return 0;
	if (strbuf_addf(&dir, "%s/templates", src))
		return -1;
	d->dir = strbuf_detach(&dir, NULL);
	d->user.mail = xdup("zoe@contoso.com");
	d->user.display_name = xdup("Zoë Martin");
	d->user.given_name = xdup("Zoë");
	add_person(&d->roster, "zoe@contoso.com", "Zoë Martin", "I", "3");
	add_person(&d->roster, "ann@contoso.com", "Ann Archer", "D", "8");
	add_person(&d->roster, "carl@contoso.com", "Carl Chen", "C", "5");
	add_person(&d->roster, "omer@contoso.com", "Ömer Yılmaz", "S", NULL);
	d->target = (struct plan_target)PLAN_TARGET_INIT;
	memcpy(d->target.date, "2026-11-24", 11);
	d->target.zone = xdup("America/Los_Angeles");
	d->target.locale = xdup("en-US");
	d->target.start_ms = DAY_START_MS;
	d->target.end_ms = DAY_START_MS + 24 * 3600 * 1000;
	d->day = (struct plan_day)PLAN_DAY_INIT;
	d->day.meetings = d->meetings;
	d->day.date_label = xdup("Tuesday, November 24, 2026");
	add_meeting(d, "AAMk-1", "Budget <review>", 9, 10, "ann@contoso.com");
	add_attendee(d, "ann@contoso.com", "direct");
	add_attendee(d, "carl@contoso.com", "direct");
	add_attendee(d, "omer@contoso.com", "group");
	add_attendee(d, "guest@fabrikam.example", "direct");
	add_meeting(d, "AAMk-2", "Focus", 13, 14, "zoe@contoso.com");
	add_meeting(d, "AAMk-3", "1:1", 15, 16, "carl@contoso.com");
	add_attendee(d, "carl@contoso.com", "direct");
	d->away.start_label = xdup("7:00 AM");
	d->away.end_label = xdup("8:00 AM");
	d->away.start_ms = DAY_START_MS + 7 * 3600000;
	d->away.end_ms = DAY_START_MS + 8 * 3600000;
	d->day.away = &d->away;
	d->day.naway = 1;
	d->in.user = &d->user;
	d->in.target = &d->target;
	d->in.day = &d->day;
	d->in.attendees = d->lists;
	d->in.self = roster_find(&d->roster, "zoe@contoso.com");
	d->in.unsubscribe_url = "https://digest.example/u/TOKEN";
	d->in.prefs_url = "https://digest.example/p/TOKEN";
	d->in.max_people_per_meeting = 3;
	return 0;
}

static int day_teardown(void **state)
{
	struct day *d = &the_day;

	for (size_t i = 0; i < d->day.n; i++) {
		own_list_release(&d->lists[i]);
		cal_event_release(&d->events[i]);
		free(d->meetings[i].start_label);
		free(d->meetings[i].end_label);
	}
	free(d->away.start_label);
	free(d->away.end_label);
	free(d->day.date_label);
	plan_target_release(&d->target);
	roster_release(&d->roster);
	cal_user_release(&d->user);
	free(d->dir);
	return 0;
}

static int open_work(const void *ctx, struct strbuf *out, struct dg_err *err)
{
	struct render_engine *e;
	int rc = render_open(the_day.dir, "{{date}}: {{meeting_count}}", &e,
			     err);

	if (!rc)
		render_close(e);
	return rc;
}

struct render_case {
	struct render_engine *engine; /* NULL: open and close one each run */
	struct render_input in;
};

static int render_work(const void *ctx, struct strbuf *out,
		       struct dg_err *err)
{
	const struct render_case *c = ctx;
	struct render_engine *e = c->engine;
	struct render_output o = RENDER_OUTPUT_INIT;
	int rc = 0;

	if (!e)
		rc = render_open(the_day.dir, NULL, &e, err);
	if (!rc)
		rc = render_digest(e, &c->in, &o, err);
	if (!rc && (strbuf_addf(out, "%s\n%s\n%s\n", o.subject.buf,
				o.text.buf, o.html.buf)))
		rc = nomem(err);
	if (!rc)
		rc = render_json(e, &c->in, out, err);
	render_output_release(&o);
	if (!c->engine)
		render_close(e);
	return rc;
}

static void test_oom__render(void **state)
{
	static const char *const locales[] = {"en-US", "de-DE", "fr-FR",
					       "es-ES", "ja-JP"};
	struct render_case c = {.engine = NULL, .in = the_day.in};
	struct dg_err err = DG_ERR_INIT;

	if (!the_day.dir)
		skip();
	/* Compiling the default set's templates. */
	TORTURE("render_open", open_work, NULL);
	/*
	 * A digest in a language the engine has not loaded yet (its folder,
	 * partials and tips read on first use), then one more: some 3,600
	 * allocations, so every 7th fails, one at a time (the full sweep
	 * costs minutes; the warm runs below sweep every allocation).
	 */
	c.in.locale = "de-DE";
	torture("render_open + render_digest de-DE, every 7th", render_work,
		&c, false, 7, false);
	/* Each language with an engine that has its templates already. */
	if (render_open(the_day.dir, NULL, &c.engine, &err))
		fail_msg("render_open: %s", err.msg);
	for (size_t i = 0; i < sizeof(locales) / sizeof(*locales); i++) {
		char name[64];

		c.in.locale = locales[i];
		/*
		 * ~1,350 allocations each (the tips cached after the first
		 * run), each run twice (settle): a full
		 * sweep costs minutes, so every 3rd one at a time and every
		 * 11th on and on in English, every 23rd in the others.
		 */
		snprintf(name, sizeof(name), "render_digest %s", locales[i]);
		torture(name, render_work, &c, false, i ? 23 : 3, true);
		if (!i)
			torture(name, render_work, &c, true, 11, true);
	}
	render_close(c.engine);
}

/* ---- the message and the unsubscribe token ---- */

static int mime_work(const void *ctx, struct strbuf *out, struct dg_err *err)
{
	struct mime_header extra[] = {
		{"List-Unsubscribe",
		 "<https://digest.example/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA>"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
	};
	struct mime_message m = {
		.from = "Meeting digest <digest@example.com>",
		.to_name = "Zoë \"Z\" Martin",
		.to_address = "zoe@contoso.com",
		.subject = "3 meetings tomorrow: Budget \u202ereview with Ömer and "
			   "a subject long enough to be folded over two lines",
		.text = "Good morning, Zoë.\n\nYour day: 9:00 AM Budget\n"
			"A line that comes again = kept\n"
			"A line that comes again = kept\n",
		.html = "<p>Good morning, Zo&euml;.</p>\n<p>Budget</p>\n"
			"<td style=\"padding:0 14px 4px 14px;\">\n"
			"<td style=\"padding:0 14px 4px 14px;\">\n",
		.date = 1795000000,
		.message_id = "digest.0123@example.com",
		.extra = extra,
		.nextra = 2,
	};

	size_t from = out->len;
	int rc = mime_build(&m, out, err);
	char *b = rc ? NULL : strstr(out->buf + from, "boundary=\"=_");

	(void)ctx;
	/* the boundary is random: the same one each time, to compare */
	if (b) {
		char boundary[64];
		size_t n = strcspn(b + 10, "\"");

		if (n >= sizeof(boundary))
			return dg_errf(err, DG_EINVAL, "long boundary");
		memcpy(boundary, b + 10, n);
		boundary[n] = '\0';
		for (char *p = out->buf + from;
		     (p = strstr(p, boundary)) != NULL; p += n)
			memset(p + 2, 'x', n - 2);
	}
	return rc;
}

static const unsigned char key[UNSUBSCRIBE_KEYBYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static int unsubscribe_work(const void *ctx, struct strbuf *out,
			    struct dg_err *err)
{
	struct strbuf token = STRBUF_INIT, url = STRBUF_INIT;
	unsigned char k[UNSUBSCRIBE_KEYBYTES];
	int rc = unsubscribe_key_parse(
		"0102030405060708090a0b0c0d0e0f10"
		"1112131415161718191a1b1c1d1e1f20\n",
		k, err);

	if (!rc)
		rc = unsubscribe_token(key, sizeof(key), "zoe@contoso.com",
				       &token, err);
	if (!rc)
		rc = unsubscribe_url("https://digest.example/u/{token}",
				     token.buf, &url, err);
	if (!rc)
		rc = unsubscribe_verify(k, sizeof(k), token.buf, out, err);
	if (!rc && strbuf_addf(out, "\n%s\n", url.buf))
		rc = nomem(err);
	strbuf_release(&token);
	strbuf_release(&url);
	return rc;
}

static void test_oom__mime_and_unsubscribe(void **state)
{
	TORTURE("mime_build", mime_work, NULL);
	TORTURE("unsubscribe token", unsubscribe_work, NULL);
}

/* ---- time zones ---- */

/*
 * Zones opened fresh (their transition rules are built lazily, on the
 * first conversion) and taken across a transition both ways, as a run's
 * plan and render do.
 */
static int tz_work(const void *ctx, struct strbuf *out, struct dg_err *err)
{
	static const char *const zones[] = {"Europe/Berlin",
					    "America/New_York",
					    "Australia/Lord_Howe", "Asia/Tokyo"};
	static const struct tz_civil walls[] = {
		{.year = 2026, .month = 3, .day = 28, .hour = 12},
		{.year = 2026, .month = 3, .day = 29, .hour = 12},
		{.year = 2026, .month = 11, .day = 24, .hour = 9},
	};
	int rc = 0;

	(void)ctx;
	for (size_t i = 0; !rc && i < sizeof(zones) / sizeof(*zones); i++) {
		struct tz *z = NULL;

		rc = tz_open(zones[i], &z, err);
		for (size_t k = 0; !rc && k < sizeof(walls) / sizeof(*walls);
		     k++) {
			struct tz_civil back;
			char text[40];
			int64_t ms;
			int offset;

			rc = tz_local_to_ms(z, &walls[k], &ms, err);
			if (!rc)
				rc = tz_ms_to_local(z, ms + 86400000, &back,
						    &offset, err);
			if (!rc)
				rc = tz_format_rfc3339(z, ms, text,
						       sizeof(text), err);
			if (!rc && strbuf_addf(out, "%s %d %d\n", text,
					       back.day, offset))
				rc = nomem(err);
		}
		tz_close(z);
	}
	return rc;
}

static void test_oom__time_zones(void **state)
{
	(void)state;
	/* ucal_open() fills ICU's cache of calendars far down its stack */
	failalloc_deep_stacks(true);
	torture("tz", tz_work, NULL, false, 1, false);
	torture("tz", tz_work, NULL, true, 1, false);
	failalloc_deep_stacks(false);
}

int main(void)
{
	const char *s = getenv("OOM_STRIDE");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom__toml_and_config),
		cmocka_unit_test(test_oom__graph_json),
		cmocka_unit_test(test_oom__roster),
		cmocka_unit_test(test_oom__the_runs_tables),
		cmocka_unit_test(test_oom__mustache),
		cmocka_unit_test(test_oom__render),
		cmocka_unit_test(test_oom__mime_and_unsubscribe),
		cmocka_unit_test(test_oom__time_zones),
	};

	if (s && atoi(s) > 0)
		stride = (size_t)atoi(s);

	/* Under valgrind without --soname-synonyms=somalloc=nouserintercepts
	 * (scripts/valgrind-tests.sh), its malloc replaces ours: say so */
	{
		void *volatile probe;

		failalloc_arm(1, false);
		probe = malloc(16);
		if (!failalloc_disarm()) {
			free(probe);
			fprintf(stderr, "test_oom: allocations do not reach "
					"failalloc (valgrind needs "
					"--soname-synonyms=somalloc="
					"nouserintercepts)\n");
			return 1;
		}
	}
	if (getenv("OOM_TEST"))
		cmocka_set_test_filter(getenv("OOM_TEST"));
	logging_set_routine(quiet, NULL);
	return cmocka_run_group_tests(tests, day_setup, day_teardown);
}
