#!/bin/sh
# Prints kdx's open time and translated-read throughput next to plain pread
# of the same file, on a generated win10-x64 dump. Run from a built tree:
#   sh bench/run.sh [BUILD_DIR]
set -e
build=${1:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/kdx-gen" --profile win10-x64 --format full "$tmp/bench.dmp" >/dev/null
truth="$tmp/bench.dmp.truth.json"
base=$(jq -r .kernel.base "$truth")
size=$(jq -r .kernel.size "$truth")
echo "dump: $(du -h "$tmp/bench.dmp" | cut -f1), kernel image $base + $size"
"$build/bench/kdx-bench" "$tmp/bench.dmp" "$base" "$size"
# Open time of the whole program, for comparison with the core figure.
start=$(date +%s%N)
"$build/kdx" -c info "$tmp/bench.dmp" >/dev/null
echo "kdx -c info          $(( ($(date +%s%N) - start) / 1000000 )) ms (process start to exit)"
