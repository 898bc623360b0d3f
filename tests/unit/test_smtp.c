/*
 * smtp: what is refused before anything reaches the network. Addresses
 * that could inject SMTP commands, settings that cannot work or would
 * leak the password. Talking to a server is tested end to end
 * (tests/e2e/t1900-smtp-send.py); the pool's own bookkeeping here, with
 * connections that loopback refuses at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "smtp.h"
#include "strbuf.h"

/* Port 9 (discard) on loopback: never contacted by these tests. */
static struct smtp_settings plain_settings(void)
{
	struct smtp_settings s = SMTP_SETTINGS_INIT;

	s.host = "127.0.0.1";
	s.port = 9;
	s.tls = CONFIG_TLS_NONE;
	return s;
}

static void assert_refused(const struct smtp_settings *s, const char *part)
{
	struct dg_err err = DG_ERR_INIT;
	struct smtp *c = (struct smtp *)&err; /* must be reset to NULL */

	assert_int_equal(smtp_open(s, &c, &err), DG_EINVAL);
	assert_null(c);
	assert_int_equal(err.code, DG_EINVAL);
	if (!strstr(err.msg, part))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
}

static void assert_address_refused(const char *addr, const char *part)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(smtp_check_address(addr, "recipient", &err),
			 DG_EINVAL);
	if (!strstr(err.msg, part))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
}

/* ---- addresses --------------------------------------------------------- */

static void test_smtp__plain_address_is_accepted(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(smtp_check_address("ana.lima+digest@example.com",
					    "recipient", &err), 0);
	assert_int_equal(err.code, 0);
}

static void test_smtp__utf8_address_is_accepted(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(smtp_check_address("jörg@exämple.de", "recipient",
					    &err), 0);
}

static void test_smtp__crlf_injection_is_refused_and_shown_escaped(
	void **state)
{
	assert_address_refused("a@b>\r\nRSET",
			       "recipient address \"a@b>\\r\\nRSET\" is not "
			       "valid: it contains '>'");
}

static void test_smtp__line_feed_is_refused(void **state)
{
	assert_address_refused("a@b\nRCPT TO:x@y", "it contains a line feed");
}

static void test_smtp__carriage_return_is_refused(void **state)
{
	assert_address_refused("a@b\rx", "it contains a carriage return");
}

static void test_smtp__angle_bracket_is_refused(void **state)
{
	assert_address_refused("<a@b", "it contains '<'");
}

static void test_smtp__space_is_refused(void **state)
{
	assert_address_refused("a b@c", "it contains a space");
}

static void test_smtp__control_character_is_refused_shown_as_hex(
	void **state)
{
	assert_address_refused("a\x01@b", "\"a\\x01@b\" is not valid: it "
			       "contains a control character");
}

static void test_smtp__delete_character_is_refused(void **state)
{
	assert_address_refused("a\x7f@b", "control character");
}

static void test_smtp__empty_address_is_refused(void **state)
{
	assert_address_refused("", "it is empty");
}

static void test_smtp__missing_address_is_refused(void **state)
{
	assert_address_refused(NULL, "no recipient address given");
}

static void test_smtp__address_without_at_is_refused(void **state)
{
	assert_address_refused("postmaster", "not of the form local@domain");
}

static void test_smtp__address_with_no_domain_is_refused(void **state)
{
	assert_address_refused("ana@", "not of the form local@domain");
}

static void test_smtp__address_with_empty_local_part_is_refused(void **state)
{
	assert_address_refused("@example.com", "not of the form");
}

static void test_smtp__address_over_254_bytes_is_refused_and_cut(
	void **state)
{
	char addr[300];
	struct dg_err err = DG_ERR_INIT;

	memset(addr, 'a', sizeof(addr));
	memcpy(addr + 280, "@example.com", 13);
	assert_int_equal(smtp_check_address(addr, "recipient", &err),
			 DG_EINVAL);
	assert_non_null(strstr(err.msg, "longer than 254 bytes"));
	assert_non_null(strstr(err.msg, "...\""));
}

static void test_smtp__invalid_utf8_is_refused(void **state)
{
	assert_address_refused("a\xc3@b", "not valid UTF-8");
}

static void test_smtp__overlong_utf8_is_refused(void **state)
{
	assert_address_refused("a\xc0\xaf@b", "not valid UTF-8");
}

static void test_smtp__utf8_surrogate_is_refused(void **state)
{
	assert_address_refused("a\xed\xa0\x80@b", "not valid UTF-8");
}

static void test_smtp__role_names_the_envelope_sender(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(smtp_check_address("x", "envelope sender", &err),
			 DG_EINVAL);
	assert_non_null(strstr(err.msg, "envelope sender address \"x\""));
}

/* ---- settings ---------------------------------------------------------- */

static void test_smtp__valid_settings_open_with_no_network(void **state)
{
	struct smtp_settings s = plain_settings();
	struct dg_err err = DG_ERR_INIT;
	struct smtp *c = NULL;

	assert_int_equal(smtp_open(&s, &c, &err), 0);
	assert_non_null(c);
	smtp_close(c);
}

static void test_smtp__every_tls_mode_opens(void **state)
{
	static const enum config_tls modes[] = {
		CONFIG_TLS_STARTTLS, CONFIG_TLS_IMPLICIT, CONFIG_TLS_NONE
	};
	struct smtp_settings s = plain_settings();
	size_t i;

	for (i = 0; i < 3; i++) {
		struct dg_err err = DG_ERR_INIT;
		struct smtp *c = NULL;

		s.tls = modes[i];
		assert_int_equal(smtp_open(&s, &c, &err), 0);
		smtp_close(c);
	}
}

static void test_smtp__ipv6_host_and_address_literal_helo_open(void **state)
{
	struct smtp_settings s = plain_settings();
	struct dg_err err = DG_ERR_INIT;
	struct smtp *c = NULL;

	s.host = "::1";
	s.helo = "[192.0.2.1]";
	assert_int_equal(smtp_open(&s, &c, &err), 0);
	smtp_close(c);
}

static void test_smtp__missing_host_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.host = NULL;
	assert_refused(&s, "[smtp] host must be a host name or an IP");
}

static void test_smtp__host_with_a_path_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.host = "mail.example.com/evil";
	assert_refused(&s, "[smtp] host");
}

static void test_smtp__host_with_credentials_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.host = "user:pw@mail.example.com";
	assert_refused(&s, "[smtp] host");
}

static void test_smtp__port_zero_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.port = 0;
	assert_refused(&s, "[smtp] port 0 is not between 1 and 65535");
}

static void test_smtp__port_above_65535_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.port = 65536;
	assert_refused(&s, "[smtp] port 65536");
}

static void test_smtp__unknown_tls_mode_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.tls = (enum config_tls)7;
	assert_refused(&s, "[smtp] tls must be");
}

static void test_smtp__negative_timeout_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.timeout = -1;
	assert_refused(&s, "must not be negative");
}

static void test_smtp__helo_with_a_line_break_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.helo = "mail.example.com\r\nRSET";
	assert_refused(&s, "[smtp] helo must be a domain name");
}

static void test_smtp__unreadable_ca_file_is_named(void **state)
{
	struct smtp_settings s = plain_settings();

	s.ca_file = "/nonexistent/ca.pem";
	assert_refused(&s, "[smtp] ca_file /nonexistent/ca.pem cannot be "
		       "read: No such file");
}

static void test_smtp__password_but_no_username_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.password = "hunter2";
	assert_refused(&s, "a password is set but no username");
}

static void test_smtp__username_but_no_password_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.username = "digest";
	assert_refused(&s, "the password is empty");
}

static void test_smtp__username_with_a_line_break_is_refused(void **state)
{
	struct smtp_settings s = plain_settings();

	s.username = "digest\r\nQUIT";
	s.password = "hunter2";
	assert_refused(&s, "[smtp] username must be");
}

static void test_smtp__password_in_clear_to_remote_host_is_refused(
	void **state)
{
	struct smtp_settings s = plain_settings();
	struct dg_err err = DG_ERR_INIT;
	struct smtp *c = NULL;

	s.host = "mail.example.com";
	s.username = "digest";
	s.password = "hunter2";
	assert_refused(&s, "would send the password to mail.example.com "
		       "unencrypted");
	assert_int_equal(smtp_open(&s, &c, &err), DG_EINVAL);
	assert_null(strstr(err.msg, "hunter2"));
}

static void test_smtp__password_in_clear_to_loopback_is_allowed(void **state)
{
	struct smtp_settings s = plain_settings();
	struct dg_err err = DG_ERR_INIT;
	struct smtp *c = NULL;

	s.username = "digest";
	s.password = "hunter2";
	assert_int_equal(smtp_open(&s, &c, &err), 0);
	smtp_close(c);
}

/* ---- sending: what is refused before the network ----------------------- */

static void test_smtp__send_refuses_bad_recipient_naming_server(
	void **state)
{
	struct smtp_settings s = plain_settings();
	struct strbuf reply = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	enum smtp_outcome outcome = SMTP_SENT;
	struct smtp *c = NULL;

	assert_int_equal(smtp_open(&s, &c, &err), 0);
	assert_int_equal(smtp_send(c, "digest@example.com", "a@b>\r\nRSET",
				   "x\r\n", 3, &outcome, &reply, &err),
			 DG_EINVAL);
	assert_int_equal(outcome, SMTP_PERMFAIL);
	assert_string_equal(err.msg, "smtp 127.0.0.1:9: recipient address "
			    "\"a@b>\\r\\nRSET\" is not valid: it contains "
			    "'>'");
	assert_string_equal(reply.buf, "");
	strbuf_release(&reply);
	smtp_close(c);
}

static void test_smtp__send_refuses_injected_sender(void **state)
{
	struct smtp_settings s = plain_settings();
	struct dg_err err = DG_ERR_INIT;
	enum smtp_outcome outcome = SMTP_SENT;
	struct smtp *c = NULL;

	assert_int_equal(smtp_open(&s, &c, &err), 0);
	assert_int_equal(smtp_send(c, "a@x>\r\nRSET\r\nNOOP <x", "b@y",
				   "x\r\n", 3, &outcome, NULL, &err),
			 DG_EINVAL);
	assert_int_equal(outcome, SMTP_PERMFAIL);
	assert_non_null(strstr(err.msg, "envelope sender address"));
	smtp_close(c);
}

static void test_smtp__send_refuses_an_empty_message(void **state)
{
	struct smtp_settings s = plain_settings();
	struct dg_err err = DG_ERR_INIT;
	enum smtp_outcome outcome = SMTP_SENT;
	struct smtp *c = NULL;

	assert_int_equal(smtp_open(&s, &c, &err), 0);
	assert_int_equal(smtp_send(c, "a@x", "b@y", "", 0, &outcome, NULL,
				   &err), DG_EINVAL);
	assert_int_equal(outcome, SMTP_PERMFAIL);
	assert_string_equal(err.msg, "smtp 127.0.0.1:9: the message is empty");
	smtp_close(c);
}

static void test_smtp__ipv6_server_is_named_in_brackets(void **state)
{
	struct smtp_settings s = plain_settings();
	struct dg_err err = DG_ERR_INIT;
	enum smtp_outcome outcome;
	struct smtp *c = NULL;

	s.host = "::1";
	s.port = 2525;
	assert_int_equal(smtp_open(&s, &c, &err), 0);
	assert_int_equal(smtp_send(c, "a@x", "b", "x", 1, &outcome, NULL,
				   &err), DG_EINVAL);
	assert_non_null(strstr(err.msg, "smtp [::1]:2525: "));
	smtp_close(c);
}

/* ---- the pool ---------------------------------------------------------- */

/* A loopback port bound but not listening: a connection is refused. */
static int refusing_port(int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

struct done_calls {
	pthread_t caller;
	atomic_int calls;
	atomic_int on_caller; /* calls made on the caller's thread */
};

static void count_done(void *ctx)
{
	struct done_calls *d = ctx;

	if (pthread_equal(pthread_self(), d->caller))
		atomic_fetch_add(&d->on_caller, 1);
	atomic_fetch_add(&d->calls, 1);
}

/*
 * Each finished send, failed ones too, is told to the hook, on the
 * sending thread: the caller may be waiting elsewhere meanwhile.
 */
static void test_smtp__pool_tells_of_each_finished_send(void **state)
{
	struct smtp_settings s = plain_settings();
	struct done_calls d = { .caller = pthread_self() };
	struct dg_err err = DG_ERR_INIT;
	enum smtp_outcome outcome;
	struct smtp_pool *p = NULL;
	struct smtp_result r;
	int fd, got = 0;

	s.port = refusing_port(&fd);
	assert_int_equal(smtp_pool_open(&s, 2, &p, &err), 0);
	smtp_pool_on_done(p, count_done, &d);
	assert_int_equal(smtp_pool_add(p, "a@example.com", "b@example.com",
				       "x\r\n", 3, NULL, &outcome, &err), 0);
	assert_int_equal(smtp_pool_add(p, "a@example.com", "c@example.com",
				       "x\r\n", 3, NULL, &outcome, &err), 0);
	while (got < 2) {
		assert_int_equal(smtp_pool_run(p, 1000, &err), 0);
		while (smtp_pool_next(p, &r)) {
			assert_int_not_equal(r.status, 0);
			assert_int_equal(r.outcome, SMTP_TEMPFAIL);
			got++;
		}
	}
	/* the threads are gone after close: every call has been made */
	smtp_pool_close(p);
	close(fd);
	assert_int_equal(atomic_load(&d.calls), 2);
	assert_int_equal(atomic_load(&d.on_caller), 0);
}

static void test_smtp__close_of_null_is_a_no_op(void **state)
{
	smtp_close(NULL);
}

static void test_smtp__tls_modes_have_their_config_names(void **state)
{
	assert_string_equal(smtp_tls_name(CONFIG_TLS_STARTTLS), "starttls");
	assert_string_equal(smtp_tls_name(CONFIG_TLS_IMPLICIT), "implicit");
	assert_string_equal(smtp_tls_name(CONFIG_TLS_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp__plain_address_is_accepted),
		cmocka_unit_test(test_smtp__utf8_address_is_accepted),
		cmocka_unit_test(
			test_smtp__crlf_injection_is_refused_and_shown_escaped),
		cmocka_unit_test(test_smtp__line_feed_is_refused),
		cmocka_unit_test(test_smtp__carriage_return_is_refused),
		cmocka_unit_test(test_smtp__angle_bracket_is_refused),
		cmocka_unit_test(test_smtp__space_is_refused),
		cmocka_unit_test(
			test_smtp__control_character_is_refused_shown_as_hex),
		cmocka_unit_test(test_smtp__delete_character_is_refused),
		cmocka_unit_test(test_smtp__empty_address_is_refused),
		cmocka_unit_test(test_smtp__missing_address_is_refused),
		cmocka_unit_test(test_smtp__address_without_at_is_refused),
		cmocka_unit_test(test_smtp__address_with_no_domain_is_refused),
		cmocka_unit_test(
			test_smtp__address_with_empty_local_part_is_refused),
		cmocka_unit_test(
			test_smtp__address_over_254_bytes_is_refused_and_cut),
		cmocka_unit_test(test_smtp__invalid_utf8_is_refused),
		cmocka_unit_test(test_smtp__overlong_utf8_is_refused),
		cmocka_unit_test(test_smtp__utf8_surrogate_is_refused),
		cmocka_unit_test(test_smtp__role_names_the_envelope_sender),
		cmocka_unit_test(
			test_smtp__valid_settings_open_with_no_network),
		cmocka_unit_test(test_smtp__every_tls_mode_opens),
		cmocka_unit_test(
			test_smtp__ipv6_host_and_address_literal_helo_open),
		cmocka_unit_test(test_smtp__missing_host_is_refused),
		cmocka_unit_test(test_smtp__host_with_a_path_is_refused),
		cmocka_unit_test(test_smtp__host_with_credentials_is_refused),
		cmocka_unit_test(test_smtp__port_zero_is_refused),
		cmocka_unit_test(test_smtp__port_above_65535_is_refused),
		cmocka_unit_test(test_smtp__unknown_tls_mode_is_refused),
		cmocka_unit_test(test_smtp__negative_timeout_is_refused),
		cmocka_unit_test(test_smtp__helo_with_a_line_break_is_refused),
		cmocka_unit_test(test_smtp__unreadable_ca_file_is_named),
		cmocka_unit_test(
			test_smtp__password_but_no_username_is_refused),
		cmocka_unit_test(
			test_smtp__username_but_no_password_is_refused),
		cmocka_unit_test(
			test_smtp__username_with_a_line_break_is_refused),
		cmocka_unit_test(
			test_smtp__password_in_clear_to_remote_host_is_refused),
		cmocka_unit_test(
			test_smtp__password_in_clear_to_loopback_is_allowed),
		cmocka_unit_test(
			test_smtp__send_refuses_bad_recipient_naming_server),
		cmocka_unit_test(test_smtp__send_refuses_injected_sender),
		cmocka_unit_test(test_smtp__send_refuses_an_empty_message),
		cmocka_unit_test(test_smtp__ipv6_server_is_named_in_brackets),
		cmocka_unit_test(test_smtp__pool_tells_of_each_finished_send),
		cmocka_unit_test(test_smtp__close_of_null_is_a_no_op),
		cmocka_unit_test(test_smtp__tls_modes_have_their_config_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
