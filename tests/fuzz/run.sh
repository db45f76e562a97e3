#!/bin/sh
# Runs libFuzzer targets for SECONDS each (default 30), each from a copy of
# its minimized corpus in tests/fuzz/corpus/TARGET; findings land in
# OUT/crashes (OUT: $FUZZ_OUT, default fuzz-out). Prints per target the
# executions it survived. From a build configured with
#   ../configure --enable-fuzzers CC=clang && make fuzz
# run: sh ../tests/fuzz/run.sh [SECONDS [TARGET...]]
# With FUZZ_MERGE=1 what the run found is merged back, minimized, into
# tests/fuzz/corpus. Exit status: 0 no finding, 1 a finding, 2 no targets.
# The mutation test (tests/batch/fuzz.test, in make check) needs none of this.
set -u
secs=${1:-30}
[ $# -gt 0 ] && shift
all="fuzz_header fuzz_runs fuzz_bitmap fuzz_xlat fuzz_processes fuzz_modules fuzz_sessions
fuzz_tracker fuzz_pool_page fuzz_big_pages fuzz_mapped_files fuzz_source fuzz_dump fuzz_theme
fuzz_pooltag fuzz_command"
targets=${*:-$all}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-fuzz-out}
mkdir -p "$out/crashes"
status=0
for t in $targets; do
	if [ ! -x "./tests/fuzz/$t" ]; then
		echo "$t: not built (configure --enable-fuzzers CC=clang, then make fuzz)"
		exit 2
	fi
	rm -rf "$out/corpus/$t" && mkdir -p "$out/corpus/$t"
	cp "$src/tests/fuzz/corpus/$t/"* "$out/corpus/$t/" 2>/dev/null || true
	ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1} \
	"./tests/fuzz/$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$out/crashes/$t-" "$out/corpus/$t" \
		>"$out/$t.log" 2>&1
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log")
	if ls "$out/crashes/$t-"* >/dev/null 2>&1; then
		echo "$t: FINDING after ${runs:-?} executions (see $out/$t.log and $out/crashes)"
		status=1
	else
		echo "$t: ${runs:-?} executions in $secs s (${rate:-?} exec/s), no finding"
	fi
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		mkdir -p "$src/tests/fuzz/corpus/$t.new"
		"./tests/fuzz/$t" -merge=1 "$src/tests/fuzz/corpus/$t.new" "$out/corpus/$t" \
			>>"$out/$t.log" 2>&1
		rm -rf "$src/tests/fuzz/corpus/$t" && mv "$src/tests/fuzz/corpus/$t.new" \
			"$src/tests/fuzz/corpus/$t"
	fi
done
exit $status
