#!/bin/sh
# The first screen's cost against dump size, on generated win10-x64 dumps
# with 1 and 8 GiB of nonpaged pool (kdx-gen --pool-mib): the wall time and
# peak memory (GNU time's maximum resident set) of `kdx -c info` (the
# overview the explorer opens with), next to `info -w`, which also walks the
# page tables for the free-PTE figures; then, when tmux is there, the
# explorer itself: the time until the overview is on the screen, until the
# walked figures fill it in, and its peak memory. The overview should cost
# the same at both sizes. The peak resident memory counts the dump's pages
# kdx maps from the file (page cache the kernel can take back; a fault maps
# its neighbours too), so a walk of 8 GiB's page tables shows there; the
# peak heap (valgrind's massif, when valgrind is installed) is kdx's own.
#
# The dumps are kept between runs in $KDX_BENCH_DIR (default
# /var/tmp/kdx-bench), named after the checksum of a small dump of the same
# generator (1 MiB of pool, a tenth of a second), so a generator that writes
# other bytes makes new ones (and the old ones are removed); generating the
# 8 GiB one takes minutes and needs about 10 GiB of free disk and memory.
# Needs GNU time (/usr/bin/time, Debian package time). Run from a built
# tree (a build without sanitizers gives the real figures):
#   sh bench/firstscreen.sh [BUILD_DIR] [SMALL_MIB LARGE_MIB]
set -e
build=${1:-.}
small=${2:-1024}
large=${3:-8192}
dir=${KDX_BENCH_DIR:-/var/tmp/kdx-bench}
[ -x /usr/bin/time ] || { echo "firstscreen.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
mkdir -p "$dir"
tmp=$(mktemp -d)
server="kdxbench-$$"
trap 'tmux -L "$server" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
"$build/kdx-gen" --profile win10-x64 --format full --pool-mib 1 "$tmp/key.dmp" >/dev/null
key=$(cat "$tmp/key.dmp" "$tmp/key.dmp.truth.json" | cksum | cut -d' ' -f1)
rm -f "$tmp/key.dmp" "$tmp/key.dmp.truth.json"

dump_of() { echo "$dir/win10-x64-pool$1-gen$key.dmp"; }

for mib in "$small" "$large"; do
	dump=$(dump_of "$mib")
	if [ -f "$dump" ] && [ -f "$dump.truth.json" ]; then
		echo "reusing $dump"
	else
		rm -f "$dir"/win10-x64-pool"$mib"-gen*.dmp "$dir"/win10-x64-pool"$mib"-gen*.dmp.truth.json
		echo "generating $dump"
		"$build/kdx-gen" --profile win10-x64 --format full --pool-mib "$mib" "$dump.part" >/dev/null
		mv "$dump.part.truth.json" "$dump.truth.json"
		mv "$dump.part" "$dump"
	fi
	cat "$dump" >/dev/null    # both sizes from the disk cache
done

# best3 COMMAND...: "ms peak_kib" of the best of three runs
best3() {
	best_ms='' best_kib=''
	for _ in 1 2 3; do
		start=$(date +%s%N)
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		kib=$(tail -1 "$tmp/rss")
		if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
		if [ -z "$best_kib" ] || [ "$kib" -lt "$best_kib" ]; then best_kib=$kib; fi
	done
	echo "$best_ms $best_kib"
}

# heap COMMAND...: the peak heap in KiB (valgrind's massif)
heap() {
	valgrind -q --tool=massif --massif-out-file="$tmp/massif" "$@" >/dev/null
	sed -n 's/^mem_heap_B=//p' "$tmp/massif" | sort -n | tail -1 | awk '{ print int($1 / 1024) }'
}

# row LABEL UNIT SMALL LARGE
row() {
	printf '%-34s %9s %-3s %9s %-3s %7s\n' "$1" "$3" "$2" "$4" "$2" \
		"$(awk "BEGIN { printf \"%.2fx\", $4 / ($3 > 0 ? $3 : 1) }")"
}

screen_has() { tmux -L "$server" capture-pane -p | grep -qF -- "$1"; }
# wait_screen has|lacks TEXT: polls every 10 ms, 120 s at most
wait_screen() {
	for _ in $(seq 12000); do
		if screen_has "$2"; then [ "$1" = has ] && return; else [ "$1" = lacks ] && return; fi
		sleep 0.01
	done
	echo "firstscreen.sh: the explorer's screen never $1 '$2'" >&2
	exit 1
}

# explorer MIB: "ms_overview ms_filled peak_kib" of the explorer on the dump,
# polled every 10 ms (tmux's own time is in it: an upper bound).
explorer() {
	tmux -L "$server" kill-server 2>/dev/null || true
	start=$(date +%s%N)
	tmux -L "$server" -f /dev/null new-session -d -x 160 -y 50 \
		"env TERM=tmux-256color LC_ALL=C.UTF-8 /usr/bin/time -f %M -o $tmp/tui.rss $build/kdx $(dump_of "$1")"
	wait_screen has "Dump overview"
	shown=$(( ($(date +%s%N) - start) / 1000000 ))
	wait_screen lacks "not counted: walks"
	filled=$(( ($(date +%s%N) - start) / 1000000 ))
	tmux -L "$server" send-keys q
	for _ in $(seq 600); do [ -s "$tmp/tui.rss" ] && break; sleep 0.05; done
	echo "$shown $filled $(tail -1 "$tmp/tui.rss")"
	rm -f "$tmp/tui.rss"
}

printf '%-34s %13s %13s %7s\n' "" "$small MiB" "$large MiB" "ratio"
for cmd in info 'info -w'; do
	set -- $(best3 "$build/kdx" -c "$cmd" "$(dump_of "$small")") \
		$(best3 "$build/kdx" -c "$cmd" "$(dump_of "$large")")
	row "kdx -c '$cmd' time" ms "$1" "$3"
	row "kdx -c '$cmd' peak memory" KiB "$2" "$4"
	if command -v valgrind >/dev/null; then
		row "kdx -c '$cmd' peak heap" KiB "$(heap "$build/kdx" -c "$cmd" "$(dump_of "$small")")" \
			"$(heap "$build/kdx" -c "$cmd" "$(dump_of "$large")")"
	fi
done
if command -v tmux >/dev/null; then
	# explorer3 MIB: the best of three of each figure
	explorer3() {
		for _ in 1 2 3; do explorer "$1"; done |
			sort -n -k1,1 | awk 'NR == 1 { a = $1; b = $2; c = $3 }
				{ if ($2 < b) b = $2; if ($3 < c) c = $3 } END { print a, b, c }'
	}
	set -- $(explorer3 "$small") $(explorer3 "$large")
	row "explorer: overview on screen" ms "$1" "$4"
	row "explorer: walked figures filled in" ms "$2" "$5"
	row "explorer: peak memory" KiB "$3" "$6"
fi
for mib in "$small" "$large"; do
	echo "$mib MiB dump: $(( $(stat -c %s "$(dump_of "$mib")") / 1048576 )) MiB file"
done
