#!/bin/sh
# Prints how long `memusage` (one pass over every MMPFN plus the mapped
# files) takes on a generated win10-x64 full dump with MIB more MiB of RAM
# (default 512), and the scan rate. Run from a built tree:
#   sh bench/memusage.sh [BUILD_DIR] [MIB]
set -e
build=${1:-.}
mib=${2:-512}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/kdx-gen" --profile win10-x64 --format full --pool-mib "$mib" "$tmp/bench.dmp" >/dev/null
pages=$(jq -r .pfn.ram_pages "$tmp/bench.dmp.truth.json")
echo "dump: $(du -h "$tmp/bench.dmp" | cut -f1), $pages RAM pages"
start=$(date +%s%N)
"$build/kdx" -c memusage "$tmp/bench.dmp" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "kdx -c memusage      $ms ms (process start to exit)"
echo "entries per second   $(( pages * 1000 / (ms ? ms : 1) ))"
