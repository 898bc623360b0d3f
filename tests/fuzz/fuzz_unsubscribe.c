/*
 * fuzz_unsubscribe: the one-click unsubscribe token, which arrives from
 * anyone on the internet (a link, `digest serve`), and the key parser.
 *
 * Invariants: a token is accepted only if it verifies, that is only if it
 * is exactly the token our key makes for the address it carries; a token
 * made for any address verifies back to that address; a refused token
 * gets one message whatever was wrong with it.
 */
#include "err.h"
#include "fuzz.h"
#include "strbuf.h"
#include "unsubscribe.h"

static const unsigned char key[UNSUBSCRIBE_KEYBYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static char refused[DG_ERR_MAX];

static void verify(const char *token)
{
	struct strbuf addr = STRBUF_INIT, again = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (unsubscribe_verify(key, sizeof(key), token, &addr, &err)) {
		if (!refused[0])
			memcpy(refused, err.msg, sizeof(refused));
		FUZZ_ASSERT(!strcmp(err.msg, refused));
		goto out;
	}
	FUZZ_ASSERT(!unsubscribe_token(key, sizeof(key), addr.buf, &again,
				       &err));
	FUZZ_ASSERT(!strcmp(again.buf, token));
out:
	strbuf_release(&addr);
	strbuf_release(&again);
}

static void round_trip(const char *address)
{
	struct strbuf token = STRBUF_INIT, addr = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (!unsubscribe_token(key, sizeof(key), address, &token, &err)) {
		FUZZ_ASSERT(!unsubscribe_verify(key, sizeof(key), token.buf,
						&addr, &err));
		FUZZ_ASSERT(!strcmp(addr.buf, address));
	}
	strbuf_release(&token);
	strbuf_release(&addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	unsigned char k[UNSUBSCRIBE_KEYBYTES];
	struct dg_err err = DG_ERR_INIT;

	if (!s)
		return 0;
	verify(s);
	round_trip(s);
	if (unsubscribe_key_parse(s, k, &err))
		for (size_t i = 0; i < sizeof(k); i++)
			FUZZ_ASSERT(!k[i]);
	free(s);
	return 0;
}
