#!/bin/sh
# Runs each libFuzzer target for SECONDS (default 60) on seed corpora made
# by the generator; crashes land in DIR/crashes (default: fuzz-out in the
# build tree). From a build configured with
#   ../configure --enable-fuzzers CC=clang
# run: sh ../tests/fuzz/run.sh [SECONDS [TARGET...]]
# The mutation test (tests/batch/fuzz.test, in make check) needs none of this.
set -eu
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_source fuzz_dump fuzz_theme fuzz_pooltag fuzz_command}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-fuzz-out}
mkdir -p "$out/crashes"
if [ ! -d "$out/fixtures" ]; then
	mkdir -p "$out/fixtures"
	./kdx-gen --fixtures "$out/fixtures"
fi
seed() {  # seed TARGET: fills $out/corpus/TARGET once
	dir=$out/corpus/$1
	[ -d "$dir" ] && return
	mkdir -p "$dir"
	case $1 in
	fuzz_source|fuzz_dump)
		# the small dumps: headers, bitmap kernel dumps, triage, bad inputs
		find "$out/fixtures" -type f ! -name '*.json' ! -name '*.expect' -size -3M \
			-exec cp {} "$dir" \; ;;
	fuzz_theme) cp "$src"/themes/*.theme "$dir" ;;
	fuzz_pooltag) cp "$src/data/pooltag.txt" "$dir" ;;
	fuzz_command)
		i=0
		for c in 'info -v' 'vtop fffff80002710000' 'pte -e fffff80002710000 0x102000' \
			'layout PagedPool' 'db fffff80002710000 L 0n64' 'dq 0x0`fffff800 l8' \
			'!dd 1000 L10' 'threads 4 -sort total' 'stack 60' 'kf 60' 'sprocess 1' \
			'poolused ^Mm' 'poolfind Usnv' 'tagowner Usnv' 'pool fffffa8001046000' \
			'poolrefs fffffa8001046120' 'memusage' 'pfn 0x1ec' 'help !vtop'; do
			i=$((i + 1))
			printf '%s' "$c" > "$dir/seed-$i"
		done ;;
	esac
}
for t in $targets; do
	seed "$t"
	echo "== $t: $secs s"
	ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1} \
	"./tests/fuzz/$t" -max_total_time="$secs" -max_len=3200000 -rss_limit_mb=2048 \
		-timeout=20 -artifact_prefix="$out/crashes/$t-" "$out/corpus/$t" \
		2>"$out/$t.log" || echo "$t: stopped with a finding (see $out/$t.log)"
	tail -3 "$out/$t.log"
done
ls "$out/crashes"
