/*
 * fuzz_config: config_load() over arbitrary file contents (the TOML reader
 * and every key check of config.c).
 *
 * config_load() reads a path, so the input goes to a memory file first.
 * Invariants: success gives the required keys set; failure gives a
 * one-line message (it is printed as one log line), and either way
 * config_release() frees everything.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "fuzz.h"

static int memfd = -1;
static char path[64];

static bool write_input(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("digest.toml", 0);
		if (memfd < 0)
			return false;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct dg_err err = DG_ERR_INIT;

	if (!write_input(data, size))
		return 0;
	if (config_load(&cfg, path, &err)) {
		FUZZ_ASSERT(err.msg[0]);
		FUZZ_ASSERT(!strchr(err.msg, '\n') && !strchr(err.msg, '\r'));
		return 0;
	}
	FUZZ_ASSERT(cfg.store.path && cfg.digest.from);
	config_release(&cfg);
	return 0;
}
