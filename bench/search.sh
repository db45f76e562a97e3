#!/bin/sh
# s (memory search) over at least 1 GiB of mapped nonpaged pool of a
# generated win10-x64 dump (kdx-gen --pool-mib): a literal, a regex and a
# UTF-16 search, kdx's throughput (process start to exit) next to `grep -c`
# and `grep -P -c` of the same bytes over the same dump file, in the same
# run; then kdx's literal path (PCRE2 JIT) against memmem on the same pages,
# and the owner lookup of 10,000 hits (bench/kdx-bench-search). The file is
# read once first, so everything runs from the disk cache. Run from a built
# tree (a build without sanitizers gives the real figures):
#   sh bench/search.sh [BUILD_DIR] [POOL_MIB]
set -e
build=${1:-.}
mib=${2:-1024}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dump="$tmp/pool.dmp"
"$build/kdx-gen" --profile win10-x64 --format full --pool-mib "$mib" "$dump" >/dev/null
file_bytes=$(stat -c %s "$dump")
cat "$dump" >/dev/null
range=$("$build/kdx" --json -c layout "$dump" |
	jq -r '.[0].result.regions[] | select(.name == "nonpaged-pool") | "\(.start) \(.end)"')

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rate() { echo $(( $1 / 1048576 * 1000 / ($2 > 0 ? $2 : 1) )); }

# kdx: s over the pool range; grep: the same bytes over the whole file
run() {  # run LABEL KDX_PATTERN_ARGS GREP_ARGS...
	label=$1 kargs=$2
	shift 2
	start=$(date +%s%N)
	out=$("$build/kdx" --json -c "s $kargs -summary" "$dump")
	kdx_ms=$(ms "$start")
	scanned=$(printf '%s' "$out" | jq .[0].result.scanned_bytes)
	hits=$(printf '%s' "$out" | jq .[0].result.total_hits)
	engine=$(printf '%s' "$out" | jq -r .[0].result.engine)
	start=$(date +%s%N)
	lines=$(LC_ALL=C grep -c -a "$@" "$dump" || true)
	grep_ms=$(ms "$start")
	printf '%-8s kdx %5s MiB/s (%s, %s ms, %s MiB, %s hits)   grep -c %s %5s MiB/s (%s ms, %s MiB, %s lines)\n' \
		"$label" "$(rate "$scanned" "$kdx_ms")" "$engine" "$kdx_ms" $(( scanned / 1048576 )) "$hits" \
		"$1" "$(rate "$file_bytes" "$grep_ms")" "$grep_ms" $(( file_bytes / 1048576 )) "$lines"
}

echo "dump: $(( file_bytes / 1048576 )) MiB, nonpaged pool $range"
set -- $range
pool="$1 $2"
run literal "-a $pool \"kdx-plant-pool\"" -F "kdx-plant-pool"
run literal "-a $pool \"kdx-plant-pool\"" -P "kdx-plant-pool"
run regex "-r $pool \"/kdx-plant-[a-z]+-[0-9a-f]+/\"" -P "kdx-plant-[a-z]+-[0-9a-f]+"
run utf-16 "-u $pool \"kdx-plant-pool\"" -P 'k\x00d\x00x\x00-\x00p\x00l\x00a\x00n\x00t\x00-\x00p\x00o\x00o\x00l\x00'
echo "kdx's literal path (PCRE2 JIT) against memmem on the same pages, and owners (a pool tag: many hits):"
"$build/bench/kdx-bench-search" "$dump" "$1" "$2" "Irp "
