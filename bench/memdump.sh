#!/bin/bash
# Prints the CPU time of a bulk memory read (`!db PA L 100000`, 1 MiB) in
# text and in JSON, best of three, on a generated win7-x64 raw image. A
# streamed read takes a few ms; building a node per byte took about 0.35 s.
# Run from a built tree:
#   bash bench/memdump.sh [BUILD_DIR]
set -e
build=${1:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/kdx-gen" --profile win7-x64 --format raw "$tmp/bench.raw" >/dev/null
echo "dump: $(du -h "$tmp/bench.raw" | cut -f1) raw image"
ticks=$(getconf CLK_TCK)
cpu_ms() {  # cpu_ms CMD...: the CPU time (user + system) CMD's children took
	local t0 t1
	t0=$(awk '{print $16 + $17}' /proc/$BASHPID/stat)
	"$@" >/dev/null
	t1=$(awk '{print $16 + $17}' /proc/$BASHPID/stat)
	echo $(( (t1 - t0) * 1000 / ticks ))
}
for mode in "" --json; do
	best=
	for _ in 1 2 3; do
		t=$(cpu_ms "$build/kdx" $mode -c '!db 0x100000 L 100000' "$tmp/bench.raw")
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "!db 1 MiB ${mode:-text}: $best ms of CPU (best of 3, $((1000 / ticks)) ms resolution)"
done
