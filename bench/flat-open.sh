#!/bin/sh
# Open time of a flattened kdump file (QEMU's dump-guest-memory -z) of a
# 4 GiB machine, mostly zero pages as a guest's dump is, next to the same
# dump reassembled (read through libkdumpfile, probed in a child first).
# Prints the fastest of five runs of `kdx -c info` (process start to exit).
# Run from a built tree: sh bench/flat-open.sh [BUILD_DIR] [RAM_MIB]
set -e
build=${1:-.}
mib=${2:-4096}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in kdump-flat kdump-zlib; do
	"$build/kdx-gen" --profile win7-x64 --format $f --ram-mib "$mib" "$tmp/$f" >/dev/null
done
best() {
	b=
	for i in 1 2 3 4 5; do
		start=$(date +%s%N)
		"$build/kdx" -c info "$1" >/dev/null
		t=$(( ($(date +%s%N) - start) / 1000000 ))
		[ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
	done
	echo "$b"
}
records=$("$build/kdx" --json -c info "$tmp/kdump-flat" | jq -r '.[0].result.description')
echo "machine: $mib MiB of RAM; flattened file $(du -h "$tmp/kdump-flat" | cut -f1): $records"
echo "kdx -c info, flattened (read by kdx)           $(best "$tmp/kdump-flat") ms"
echo "kdx -c info, reassembled (read by libkdumpfile) $(best "$tmp/kdump-zlib") ms"
