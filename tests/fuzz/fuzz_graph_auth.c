/*
 * fuzz_graph_auth: the sign-in answers (token endpoint, device code) and
 * Graph's error body, which every failed call is read with.
 *
 * Invariants: a token answer is either a token or an error, never
 * neither; a device-code answer has its three required fields and no
 * negative timing; on error the outputs stay empty.
 */
#include "err.h"
#include "fuzz.h"
#include "graphjson.h"

static void token(const char *json, size_t len)
{
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (graphjson_token(json, len, &t, &err)) {
		FUZZ_ASSERT(!t.access_token && !t.error);
		FUZZ_ASSERT(fuzz_one_line(err.msg));
		return;
	}
	FUZZ_ASSERT(t.access_token || t.error);
	graphjson_token_release(&t);
}

static void device_code(const char *json, size_t len)
{
	struct graphjson_device_code d = GRAPHJSON_DEVICE_CODE_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (graphjson_device_code(json, len, &d, &err)) {
		FUZZ_ASSERT(!d.device_code && fuzz_one_line(err.msg));
		return;
	}
	FUZZ_ASSERT(d.device_code && d.user_code && d.verification_uri);
	FUZZ_ASSERT(d.interval >= 0 && d.expires_in >= 0);
	graphjson_device_code_release(&d);
}

static void error_body(const char *json, size_t len)
{
	struct graphjson_error e = GRAPHJSON_ERROR_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (graphjson_error_body(json, len, &e, &err)) {
		FUZZ_ASSERT(!e.code && fuzz_one_line(err.msg));
		return;
	}
	FUZZ_ASSERT(e.code);
	graphjson_error_release(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data + 1;

	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		token(json, size - 1);
		break;
	case 1:
		device_code(json, size - 1);
		break;
	default:
		error_body(json, size - 1);
		break;
	}
	return 0;
}
