/* digest serve [--listen ADDR:PORT]: the links of each digest, over HTTP. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "about.h"
#include "cmd.h"
#include "serve.h"
#include "store.h"
#include "unsubscribe.h"

const char usage_serve[] =
	"usage: digest serve [--listen ADDR:PORT]\n"
	"\n"
	"Answer the links of each digest over HTTP until stopped (SIGTERM):\n"
	"the path of [digest] unsubscribe_url shows the unsubscribe page or\n"
	"the preferences page (the token says which), takes the one-click\n"
	"POST of RFC 8058 and the pages' forms; /healthz answers \"ok\".\n"
	"Meant to run behind a TLS proxy, or with [serve] tls_cert_file and\n"
	"tls_key_file.\n"
	"\n"
	"  -l, --listen ADDR:PORT  where to listen (default: [serve] listen,\n"
	"                          else 127.0.0.1:8080); port 0: any free\n"
	"  -h, --help              this help\n";

#define LISTEN_DEFAULT "127.0.0.1:8080"

struct keys {
	unsigned char current[UNSUBSCRIBE_KEYBYTES];
	unsigned char previous[UNSUBSCRIBE_KEYBYTES];
	bool have_previous;
};

static int load_keys(const struct config *cfg, struct keys *k,
		     struct dg_err *err)
{
	int rc = unsubscribe_key_read(&cfg->digest.unsubscribe_key,
				      "[digest] unsubscribe key", k->current,
				      err);

	if (rc || !secret_isset(&cfg->digest.unsubscribe_key_previous))
		return rc;
	k->have_previous = true;
	return unsubscribe_key_read(&cfg->digest.unsubscribe_key_previous,
				    "[digest] previous unsubscribe key",
				    k->previous, err);
}

static int64_t fixed_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

/* Wait for SIGTERM or SIGINT; the server runs on its own thread. */
static void wait_for_stop(void)
{
	const struct timespec tick = {.tv_sec = 0, .tv_nsec = 200000000};

	while (!cmd_stop)
		nanosleep(&tick, NULL);
}

static int serve(struct cmd_ctx *ctx, const struct config *cfg,
		 const char *listen, struct dg_err *err)
{
	struct keys k = {.have_previous = false};
	struct about *about = NULL;
	struct store *st = NULL;
	struct serve *s = NULL;
	struct serve_opts o = {.listen = listen,
			       .url = cfg->digest.unsubscribe_url,
			       .templates = cfg->digest.templates,
			       .tls_cert_file = cfg->serve.tls_cert_file,
			       .tls_key_file = cfg->serve.tls_key_file};
	int rc = load_keys(cfg, &k, err);

	if (!rc)
		rc = store_open(cfg->store.path, &st, err);
	if (!rc)
		rc = about_open(cfg, st, &about, err);
	o.keys.current = k.current;
	o.keys.previous = k.have_previous ? k.previous : NULL;
	o.store = st;
	o.about = about_value;
	o.about_ctx = about;
	/* --now, or the clock of a recorded tenant, as the other commands */
	if (ctx->now_fixed || (cfg->source.kind == CONFIG_SOURCE_FIXTURES &&
			       cfg->source.recorded_at)) {
		o.now_ms = fixed_now;
		o.now_ctx = &ctx->now_ms;
	}
	if (!rc)
		rc = serve_start(&o, &s, err);
	if (!rc) {
		fprintf(stderr,
			"digest: serving %s and /healthz over HTTP%s on %s, "
			"port %u\n",
			serve_link_path(s), o.tls_cert_file ? "S" : "", listen,
			serve_port(s));
		wait_for_stop();
		fprintf(stderr, "digest: stopped serving\n");
	}
	serve_stop(s);
	about_close(about);
	store_close(st);
	sodium_memzero(&k, sizeof(k));
	return rc;
}

int cmd_serve(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct dg_err err = DG_ERR_INIT;
	const char *listen = NULL;
	struct config cfg;
	int c, rc;

	while ((c = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		default:
			return cmd_option_end(c, usage_serve);
		}
	}
	if (cmd_check_rest("serve", usage_serve, argc, argv, false, NULL,
			   NULL) ||
	    cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	if (sodium_init() < 0) {
		config_release(&cfg);
		return EXIT_SOME_FAILED;
	}
	if (!listen)
		listen = cfg.serve.listen ? cfg.serve.listen : LISTEN_DEFAULT;
	rc = serve(ctx, &cfg, listen, &err);
	if (rc)
		cmd_error("%s", err.msg);
	config_release(&cfg);
	return cmd_exit_code(rc == DG_ENOTFOUND ? DG_EINVAL : rc);
}
