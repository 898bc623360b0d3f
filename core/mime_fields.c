/*
 * The header fields of a message, as libetpan's struct mailimf_fields:
 * the part of mime that turns a struct mime_message into Date, From, To,
 * Subject, Message-ID and the extra headers, each checked and cleaned by
 * mimehdr first (see mime.h for the rules).
 */
#include "mime_int.h"
#include "mimehdr.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Headers mime_build writes itself; an extra one would be a second copy. */
static const char *const own_headers[] = {"Date",
					  "From",
					  "To",
					  "Cc",
					  "Bcc",
					  "Subject",
					  "Message-ID",
					  "MIME-Version",
					  "Content-Type",
					  "Content-Transfer-Encoding",
					  NULL};

int mime_oom(struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM,
		       "out of memory while building a message");
}

/*
 * The mailbox for (name, addr); libetpan adopts the strings, so they are
 * detached from the buffers. NULL when out of memory.
 */
static struct mailimf_mailbox *new_mailbox(struct strbuf *name,
					   struct strbuf *addr)
{
	struct mailimf_mailbox *mb;
	char *n = NULL, *a;

	if (name->len) {
		n = strbuf_detach(name, NULL);
		if (!n)
			return NULL;
	}
	a = strbuf_detach(addr, NULL);
	mb = a ? mailimf_mailbox_new(n, a) : NULL;
	if (!mb) {
		free(n);
		free(a);
	}
	return mb;
}

/* mailimf_field_new() takes one argument per field type; we use five. */
static struct mailimf_field *new_field(int type, struct mailimf_orig_date *d,
				       struct mailimf_from *from,
				       struct mailimf_to *to,
				       struct mailimf_message_id *mid,
				       struct mailimf_subject *subject)
{
	return mailimf_field_new(type, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
				 NULL, d, from, NULL, NULL, to, NULL, NULL, mid,
				 NULL, NULL, subject, NULL, NULL, NULL);
}

/* Append f (adopted, may be NULL) to fields. */
static int add_field(struct mailimf_fields *fields, struct mailimf_field *f,
		     struct dg_err *err)
{
	if (!f)
		return mime_oom(err);
	if (mailimf_fields_add(fields, f) != MAILIMF_NO_ERROR) {
		mailimf_field_free(f);
		return mime_oom(err);
	}
	return 0;
}

/*
 * Date in UTC, built here: libetpan's own date computes the zone as
 * seconds * 100 / 3600, wrong for half-hour zones (+0550 for India).
 */
int mime_fields_add_date(struct mailimf_fields *fields, int64_t when,
		    struct dg_err *err)
{
	struct mailimf_date_time *dt;
	struct mailimf_orig_date *od;
	struct mailimf_field *f;
	time_t t = (time_t)when;
	struct tm tm;

	if ((int64_t)t != when || !gmtime_r(&t, &tm) || tm.tm_year < 0 ||
	    tm.tm_year > 9999 - 1900)
		return dg_errf(err, DG_EINVAL,
			       "message date %lld is outside the years "
			       "1900-9999",
			       (long long)when);
	dt = mailimf_date_time_new(tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900,
				   tm.tm_hour, tm.tm_min, tm.tm_sec, 0);
	od = dt ? mailimf_orig_date_new(dt) : NULL;
	if (!od) {
		if (dt)
			mailimf_date_time_free(dt);
		return mime_oom(err);
	}
	f = new_field(MAILIMF_FIELD_ORIG_DATE, od, NULL, NULL, NULL, NULL);
	if (!f)
		mailimf_orig_date_free(od);
	return add_field(fields, f, err);
}

/*
 * libetpan's mailimf_*_new_empty() leak their new list when the second
 * allocation fails (libetpan 1.9.4): these do the same without the leak.
 */
struct mailimf_fields *mime_fields_new(void)
{
	clist *l = clist_new();
	struct mailimf_fields *f = l ? mailimf_fields_new(l) : NULL;

	if (l && !f)
		clist_free(l);
	return f;
}

static struct mailimf_mailbox_list *mailbox_list_new_empty(void)
{
	clist *l = clist_new();
	struct mailimf_mailbox_list *m = l ? mailimf_mailbox_list_new(l) : NULL;

	if (l && !m)
		clist_free(l);
	return m;
}

static struct mailimf_address_list *address_list_new_empty(void)
{
	clist *l = clist_new();
	struct mailimf_address_list *a = l ? mailimf_address_list_new(l) : NULL;

	if (l && !a)
		clist_free(l);
	return a;
}

static int add_from_field(struct mailimf_fields *fields,
			  struct mailimf_mailbox *mb, struct dg_err *err)
{
	struct mailimf_mailbox_list *list;
	struct mailimf_from *from;
	struct mailimf_field *f;

	list = mailbox_list_new_empty();
	if (!list || mailimf_mailbox_list_add(list, mb) != MAILIMF_NO_ERROR) {
		mailimf_mailbox_free(mb);
		if (list)
			mailimf_mailbox_list_free(list);
		return mime_oom(err);
	}
	from = mailimf_from_new(list);
	if (!from) {
		mailimf_mailbox_list_free(list);
		return mime_oom(err);
	}
	f = new_field(MAILIMF_FIELD_FROM, NULL, from, NULL, NULL, NULL);
	if (!f)
		mailimf_from_free(from);
	return add_field(fields, f, err);
}

static int add_to_field(struct mailimf_fields *fields,
			struct mailimf_mailbox *mb, struct dg_err *err)
{
	struct mailimf_address_list *list;
	struct mailimf_address *addr;
	struct mailimf_field *f;
	struct mailimf_to *to;

	addr = mailimf_address_new(MAILIMF_ADDRESS_MAILBOX, mb, NULL);
	if (!addr) {
		mailimf_mailbox_free(mb);
		return mime_oom(err);
	}
	list = address_list_new_empty();
	if (!list || mailimf_address_list_add(list, addr) != MAILIMF_NO_ERROR) {
		mailimf_address_free(addr);
		if (list)
			mailimf_address_list_free(list);
		return mime_oom(err);
	}
	to = mailimf_to_new(list);
	if (!to) {
		mailimf_address_list_free(list);
		return mime_oom(err);
	}
	f = new_field(MAILIMF_FIELD_TO, NULL, NULL, to, NULL, NULL);
	if (!f)
		mailimf_to_free(to);
	return add_field(fields, f, err);
}

static int add_from(struct mailimf_fields *fields, const char *from,
		    struct dg_err *err)
{
	struct strbuf raw = STRBUF_INIT, name = STRBUF_INIT;
	struct strbuf addr = STRBUF_INIT;
	struct mailimf_mailbox *mb;
	int rc;

	rc = mimehdr_parse_from(from, &raw, &addr, err);
	if (!rc)
		rc = mimehdr_display_name(raw.buf, &name, err);
	if (!rc) {
		mb = new_mailbox(&name, &addr);
		rc = mb ? add_from_field(fields, mb, err) : mime_oom(err);
	}
	strbuf_release(&raw);
	strbuf_release(&name);
	strbuf_release(&addr);
	return rc;
}

static int add_to(struct mailimf_fields *fields, const char *to_name,
		  const char *to_address, struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT, addr = STRBUF_INIT;
	struct mailimf_mailbox *mb;
	int rc;

	rc = mimehdr_check_address("recipient address", to_address, err);
	if (!rc && to_name)
		rc = mimehdr_display_name(to_name, &name, err);
	if (!rc && strbuf_addstr(&addr, to_address))
		rc = mime_oom(err);
	if (!rc) {
		mb = new_mailbox(&name, &addr);
		rc = mb ? add_to_field(fields, mb, err) : mime_oom(err);
	}
	strbuf_release(&name);
	strbuf_release(&addr);
	return rc;
}

static int add_message_id(struct mailimf_fields *fields, const char *id,
			  struct dg_err *err)
{
	struct mailimf_message_id *mid;
	struct mailimf_field *f;
	char *copy;
	int rc;

	rc = mimehdr_check_message_id(id, err);
	if (rc)
		return rc;
	copy = strdup(id);
	mid = copy ? mailimf_message_id_new(copy) : NULL;
	if (!mid) {
		free(copy);
		return mime_oom(err);
	}
	f = new_field(MAILIMF_FIELD_MESSAGE_ID, NULL, NULL, NULL, mid, NULL);
	if (!f)
		mailimf_message_id_free(mid);
	return add_field(fields, f, err);
}

static int add_subject(struct mailimf_fields *fields, const char *subject,
		       struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct mailimf_subject *subj = NULL;
	struct mailimf_field *f;
	char *value;
	int rc;

	rc = mimehdr_subject(subject, &sb, err);
	if (rc)
		return rc;
	value = strbuf_detach(&sb, NULL);
	if (value)
		subj = mailimf_subject_new(value);
	if (!subj) {
		free(value);
		return mime_oom(err);
	}
	f = new_field(MAILIMF_FIELD_SUBJECT, NULL, NULL, NULL, NULL, subj);
	if (!f)
		mailimf_subject_free(subj);
	return add_field(fields, f, err);
}

static int check_extra_name(const char *name, struct dg_err *err)
{
	size_t i;
	int rc;

	rc = mimehdr_check_name(name, err);
	for (i = 0; !rc && own_headers[i]; i++)
		if (!strcasecmp(name, own_headers[i]))
			rc = dg_errf(err, DG_EINVAL,
				     "extra header \"%s\" is not allowed: "
				     "the message builder writes it itself",
				     name);
	return rc;
}

static int add_extra(struct mailimf_fields *fields, const struct mime_header *h,
		     struct dg_err *err)
{
	struct strbuf value = STRBUF_INIT;
	struct mailimf_optional_field *opt;
	struct mailimf_field *f;
	char *name, *v;
	int rc;

	rc = check_extra_name(h->name, err);
	if (!rc)
		rc = mimehdr_extra_value(h->name, h->value, &value, err);
	if (rc) {
		strbuf_release(&value);
		return rc;
	}
	name = strdup(h->name);
	v = strbuf_detach(&value, NULL);
	/*
	 * Not mailimf_field_new_custom(): when its second allocation fails
	 * it frees name and v, and when its first fails it does not
	 * (libetpan 1.9.4), so a caller cannot know whose they are.
	 */
	opt = name && v ? mailimf_optional_field_new(name, v) : NULL;
	if (!opt) {
		free(name);
		free(v);
		return mime_oom(err);
	}
	f = mailimf_field_new(MAILIMF_FIELD_OPTIONAL_FIELD, NULL, NULL, NULL,
			      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			      NULL, NULL, opt);
	if (!f)
		mailimf_optional_field_free(opt); /* name and v with it */
	return add_field(fields, f, err);
}

int mime_fields_check(const struct mime_message *m, struct dg_err *err)
{
	const char *missing = NULL;
	size_t i;

	if (!m)
		return dg_errf(err, DG_EINVAL, "no message to build");
	if (!m->from)
		missing = "from";
	else if (!m->to_address)
		missing = "to_address";
	else if (!m->subject)
		missing = "subject";
	else if (!m->text)
		missing = "text";
	else if (!m->html)
		missing = "html";
	else if (!m->message_id)
		missing = "message_id";
	else if (m->nextra && !m->extra)
		missing = "extra";
	if (missing)
		return dg_errf(err, DG_EINVAL, "message has no %s", missing);
	for (i = 0; i < m->nextra; i++)
		if (!m->extra[i].name || !m->extra[i].value)
			return dg_errf(err, DG_EINVAL,
				       "extra header %zu has no %s", i + 1,
				       m->extra[i].name ? "value" : "name");
	return 0;
}

int mime_fields_add(struct mailimf_fields *fields,
		    const struct mime_message *m, struct dg_err *err)
{
	size_t i;
	int rc;

	rc = mime_fields_add_date(fields, m->date, err);
	if (!rc)
		rc = add_from(fields, m->from, err);
	if (!rc)
		rc = add_to(fields, m->to_name, m->to_address, err);
	if (!rc)
		rc = add_subject(fields, m->subject, err);
	if (!rc)
		rc = add_message_id(fields, m->message_id, err);
	for (i = 0; i < m->nextra && !rc; i++)
		rc = add_extra(fields, &m->extra[i], err);
	return rc;
}
