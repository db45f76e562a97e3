#!/bin/sh
# poolfind's scan throughput next to `grep -c` of the same tag over the same
# dump file, in the same run, on a generated win10-x64 dump with at least
# 1 GiB of nonpaged pool (kdx-gen --pool-mib). The file is read once first,
# so both run from the disk cache. Then how soon poolfind answers Esc
# (bench/kdx-bench-progress): the longest wait between two progress calls in
# each phase (the explorer sees Esc only at a call), and the time from Esc to
# the laid-out pane when cancelled at a few points of the scan, for a tag
# with many blocks (File) and the 10000 blocks the explorer lists.
# Run from a built tree (a build without sanitizers gives the real figures):
#   sh bench/poolfind.sh [BUILD_DIR] [POOL_MIB]
set -e
build=${1:-.}
mib=${2:-1024}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dump="$tmp/pool.dmp"
"$build/kdx-gen" --profile win10-x64 --format full --pool-mib "$mib" "$dump" >/dev/null
tag=$(jq -r .pool.leak.tag "$dump.truth.json")
file_bytes=$(stat -c %s "$dump")
cat "$dump" >/dev/null

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rate() { echo $(( $1 / 1048576 * 1000 / ($2 > 0 ? $2 : 1) )); }

start=$(date +%s%N)
"$build/kdx" --json -c "poolfind $tag" "$dump" >"$tmp/out.json"
kdx_ms=$(ms "$start")
scanned=$(jq .[0].result.scanned_bytes "$tmp/out.json")
unknown=$(jq '[.[0].result.blocks[] | select(.state == "unknown")] | length' "$tmp/out.json")
found=$(jq '.[0].result.blocks | length' "$tmp/out.json")
start=$(date +%s%N)
hits=$(grep -c "$tag" "$dump" || true)
grep_ms=$(ms "$start")

echo "dump: $(( file_bytes / 1048576 )) MiB, $(( scanned / 1048576 )) MiB of pool pages mapped, tag '$tag'"
echo "kdx poolfind  $(rate "$scanned" "$kdx_ms") MiB/s  ($kdx_ms ms for $(( scanned / 1048576 )) MiB of pool, process start to exit)"
echo "grep -c       $(rate "$file_bytes" "$grep_ms") MiB/s  ($grep_ms ms for the whole file, $hits lines)"
echo "states not recovered: $unknown of the $found blocks found"
echo "poolfind as the explorer runs it (progress, the first 10000 blocks listed):"
"$build/bench/kdx-bench-progress" "$dump" "poolfind File" 50 $(( kdx_ms / 4 )) $(( kdx_ms / 2 ))
