#!/bin/sh
# Build the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan) in
# $FUZZ_BUILD (build-fuzz) and run each for $FUZZ_SECONDS (60) on a copy
# of its seed corpus. Any crash, leak, timeout or broken invariant fails
# the run; the input that did it is left in $FUZZ_BUILD/artifacts/<target>/
# (add it to tests/fuzz/regressions/<target>/ once fixed).
# The last line is "fuzz: N targets, M executions, K crashes".
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
BUILD=${FUZZ_BUILD:-build-fuzz}
JOBS=${JOBS:-2}

CC=clang cmake -S . -B "$BUILD" -DDIGEST_FUZZ=ON -DDIGEST_WERROR=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target fuzz-targets >/dev/null

targets=0 execs=0 crashes=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	work="$BUILD/corpus/$short"
	art="$BUILD/artifacts/$short"
	log="$BUILD/logs/$short.log"
	mkdir -p "$work" "$art" "$(dirname "$log")"
	cp -n tests/fuzz/corpus/"$short"/* "$work"/ 2>/dev/null || true
	if [ -d tests/fuzz/regressions/"$short" ]; then
		cp -n tests/fuzz/regressions/"$short"/* "$work"/ 2>/dev/null ||
			true
	fi
	targets=$((targets + 1))
	if "$BUILD/$name" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$art/" "$work" >"$log" 2>&1; then
		status=ok
	else
		status=FAILED
		crashes=$((crashes + 1))
	fi
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	execs=$((execs + ${n:-0}))
	echo "$short: $status, ${n:-0} executions" >&2
	if [ "$status" = FAILED ]; then
		grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" |
			head -n 8 >&2 || true
	fi
done
echo "fuzz: $targets targets, $execs executions, $crashes crashes"
[ "$crashes" -eq 0 ]
