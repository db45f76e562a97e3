#!/bin/bash
# Keystroke-to-screen time of the real TUI: kdx runs in a private tmux
# server on the demo dump; in each pane (hex view, help, threads) up to N
# Down keystrokes are sent at once, and the time until the status line shows
# their effect is divided by their number. It includes tmux's own work, so
# it is an upper bound of kdx's redraw. Run from a built tree:
#   bash bench/redraw.sh [BUILD_DIR] [N]
set -e
build=${1:-.}
n=${2:-300}
server="kdxbench-$$"
tmp=$(mktemp -d)
trap 'tmux -L "$server" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
"$build/kdx-gen" --demo "$tmp/demo.dmp" >/dev/null
kdbg=$("$build/kdx" -c info --json "$tmp/demo.dmp" | jq -r '.[0].result.kdbg')

wait_for() {  # wait_for TEXT: polls the screen (10 s at most)
	for _ in $(seq 2000); do
		tmux -L "$server" capture-pane -p | grep -qF -- "$1" && return 0
		sleep 0.005
	done
	echo "bench: the screen never showed: $1" >&2
	exit 1
}

measure() {  # measure LABEL COMMAND PANE: opens COMMAND in tab PANE, sends j keys
	tmux -L "$server" send-keys ":" && tmux -L "$server" send-keys -l "$2" &&
		tmux -L "$server" send-keys Enter
	wait_for "[$3/$3]"
	wait_for "line 1/"
	local total keys=() start end k
	total=$(tmux -L "$server" capture-pane -p | sed -n 's/.*line 1\/\([0-9]*\).*/\1/p')
	k=$(( n < total - 1 ? n : total - 1 ))
	for _ in $(seq "$k"); do keys+=(j); done
	start=$(date +%s%N)
	tmux -L "$server" send-keys "${keys[@]}"
	wait_for "line $((k + 1))/"
	end=$(date +%s%N)
	awk -v l="$1" -v t="$((end - start))" -v k="$k" -v r="$total" \
		'BEGIN { printf "%-24s %6.2f ms a keystroke (%d keys, %d lines)\n", l, t / 1e6 / k, k, r }'
}

tmux -L "$server" -f /dev/null new-session -d -x 160 -y 50 \
	"env TERM=tmux-256color LC_ALL=C.UTF-8 $build/kdx $tmp/demo.dmp"
wait_for "Dump overview"
# The overview is tab 1; hex views reuse tab 2; other panes open new tabs.
measure "hex view" "db $kdbg L10000" 2
measure "help (commands)" "help" 3
measure "threads, every thread" "threads" 4
