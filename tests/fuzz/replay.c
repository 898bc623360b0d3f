/*
 * replay: run a fuzz harness once over each file given, or over each file
 * of each folder given, without libFuzzer. ctest uses it (built with the
 * ordinary compiler) to replay tests/fuzz/regressions/<target>/ and the
 * seed corpus, so every input that once found a bug stays a test.
 *
 * Exit status: 0 when every input ran (a broken invariant aborts), 2 when
 * an input cannot be read.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "strbuf.h"

static int run_file(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return 2;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

/* Files of dir in name order, so that a failure is reproducible. */
static int run_dir(const char *dir, size_t *count)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	int rc = 0;

	if (n < 0) {
		fprintf(stderr, "replay: cannot read folder %s\n", dir);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT;
		struct stat st;

		if (!rc && names[i]->d_name[0] != '.' &&
		    !strbuf_addf(&path, "%s/%s", dir, names[i]->d_name) &&
		    !stat(path.buf, &st) && S_ISREG(st.st_mode)) {
			rc = run_file(path.buf);
			(*count)++;
		}
		strbuf_release(&path);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		int rc;

		if (stat(argv[i], &st)) {
			/* an absent folder (no regression yet) is fine */
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = run_dir(argv[i], &count);
		} else {
			rc = run_file(argv[i]);
			count++;
		}
		if (rc)
			return rc;
	}
	printf("replay: %zu inputs\n", count);
	return 0;
}
