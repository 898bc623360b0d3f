#!/bin/sh
# Run every cmocka unit test program of a build under valgrind: any memory
# error or definite/indirect leak fails. Usage: valgrind-tests.sh BUILD_DIR
set -eu
build=${1:-build}
export DIGEST_SRC="$(cd "$(dirname "$0")/.." && pwd)"
# test_oom fails every allocation in turn (tests/oom/README.md): under
# valgrind every 37th is enough, the ordinary and ASan runs do them all.
export OOM_STRIDE=${OOM_STRIDE:-37}
failed=0
count=0
for t in "$build"/test_*; do
	[ -x "$t" ] || continue
	count=$((count + 1))
	# valgrind replaces every malloc it finds, test_oom's own too (see
	# tests/oom/README.md): for it, only libc's.
	synonyms=
	[ "$(basename "$t")" = test_oom ] &&
		synonyms=--soname-synonyms=somalloc=nouserintercepts
	if valgrind -q $synonyms --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$t" >"$t.valgrind.log" 2>&1; then
		echo "valgrind ok: $(basename "$t")"
	else
		echo "valgrind FAILED: $(basename "$t") (see $t.valgrind.log)"
		tail -40 "$t.valgrind.log"
		failed=$((failed + 1))
	fi
done
echo "valgrind: $((count - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
