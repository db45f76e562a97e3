#!/bin/bash
# Opening dumps that real tools wrote (issue 11): the wall time of
# `kdx -c info` (best of three, from the disk cache) and its peak resident
# memory on every form tests/real/make-guest.sh writes of a QEMU guest with
# MEM_MIB of memory (default 4096), the flattened ones among them (issue 11
# asks under 100 ms for a flattened 4 GiB dump). A file kdx cannot open
# prints its error instead.
#
# The guest is kept in $KDX_BENCH_DIR/real (default /var/tmp/kdx-bench/real)
# while the packages and make-guest.sh stay the same; making a 4 GiB one
# takes several minutes and about 20 GiB of disk. Needs GNU time
# (/usr/bin/time, Debian package time) and root, as make-guest.sh does.
#   bash bench/real-open.sh [BUILD_DIR] [MEM_MIB]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-.}
mem=${2:-4096}
dir=${KDX_BENCH_DIR:-/var/tmp/kdx-bench}/real
kdx="$build/kdx"
[ -x "$kdx" ] || { echo "real-open.sh: no kdx in $build" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "real-open.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
guest=$(KDX_REAL_MEM_MIB=$mem bash "$top/tests/real/make-guest.sh" "$dir" x86_64)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "kdx -c info on the dumps of a $mem MiB x86_64 guest ($guest)"
printf '%-22s %10s %8s %10s\n' form MiB ms 'peak KiB'
for f in "$guest"/*.elf "$guest"/*.kdump "$guest"/*.flat "$guest"/*.raw; do
	[ -f "$f" ] || continue
	cat "$f" >/dev/null
	printf '%-22s %10d ' "$(basename "$f")" $(( $(stat -c %s "$f") >> 20 ))
	best_ms=""
	best_kib=""
	for _ in 1 2 3; do
		start=$(date +%s%N)
		if ! /usr/bin/time -f %M -o "$tmp/rss" "$kdx" -c info "$f" >/dev/null 2>"$tmp/err"; then
			best_ms=""
			break
		fi
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		kib=$(tail -1 "$tmp/rss")
		if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms best_kib=$kib; fi
	done
	if [ -n "$best_ms" ]; then
		printf '%8s %10s\n' "$best_ms" "$best_kib"
	else
		echo "cannot open: $(grep -v '^Command exited' "$tmp/err" | head -1)"
	fi
done
