#!/bin/sh
# The first screen's cost against dump size: `kdx -c info` (the overview the
# TUI opens with) on generated win10-x64 dumps with 1 and 8 GiB of nonpaged
# pool (kdx-gen --pool-mib), its wall time and peak memory, next to
# `info -w`, which also walks the page tables for the free-PTE figures.
# The overview should cost the same at both sizes. Needs GNU time
# (/usr/bin/time, Debian package time) for peak memory, and about 10 GiB
# of free disk and memory for the 8 GiB dump (its generation takes minutes).
# Run from a built tree (a build without sanitizers gives the real figures):
#   sh bench/firstscreen.sh [BUILD_DIR] [SMALL_MIB LARGE_MIB]
set -e
build=${1:-.}
small=${2:-1024}
large=${3:-8192}
[ -x /usr/bin/time ] || { echo "firstscreen.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure MIB COMMAND: prints "ms peak_kib" of the best of three runs
measure() {
	best_ms='' best_kib=''
	for _ in 1 2 3; do
		start=$(date +%s%N)
		kib=$(/usr/bin/time -f %M "$build/kdx" -c "$2" "$tmp/$1.dmp" 2>&1 >/dev/null | tail -1)
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
		if [ -z "$best_kib" ] || [ "$kib" -lt "$best_kib" ]; then best_kib=$kib; fi
	done
	echo "$best_ms $best_kib"
}

for mib in "$small" "$large"; do
	"$build/kdx-gen" --profile win10-x64 --format full --pool-mib "$mib" "$tmp/$mib.dmp" >/dev/null
	cat "$tmp/$mib.dmp" >/dev/null    # both sizes from the disk cache
done
printf '%-26s %10s %10s %8s\n' "" "$small MiB" "$large MiB" "ratio"
for cmd in info 'info -w'; do
	set -- $(measure "$small" "$cmd") $(measure "$large" "$cmd")
	printf '%-26s %8s ms %8s ms %7s\n' "kdx -c '$cmd' time" "$1" "$3" \
		"$(awk "BEGIN { printf \"%.2fx\", $3 / ($1 > 0 ? $1 : 1) }")"
	printf '%-26s %7s KiB %7s KiB %7s\n' "kdx -c '$cmd' peak memory" "$2" "$4" \
		"$(awk "BEGIN { printf \"%.2fx\", $4 / $2 }")"
done
for mib in "$small" "$large"; do
	echo "$mib MiB dump: $(( $(stat -c %s "$tmp/$mib.dmp") / 1048576 )) MiB file"
done
