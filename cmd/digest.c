/*
 * digest: the command. Global options, then a subcommand from the table.
 * Everything real happens in core/; this file parses and dispatches.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("digest %s\n", DIGEST_VERSION);
		return 0;
	}
	fprintf(stderr, "digest: not implemented yet\n");
	return 2;
}
