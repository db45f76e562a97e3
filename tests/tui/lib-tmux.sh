# Drives the real kdx in a private tmux server. Source after tests/lib.sh:
#   . "$KDX_TESTLIB"; . "$(dirname "$0")/lib-tmux.sh"
# tui_start [ENV=VALUE...] -- [KDX ARGS...] starts kdx in a 120x40 window;
# the server is killed when the script exits.
command -v tmux >/dev/null || bail "tmux is not installed (apt-get install tmux)"
[ -x "$KDX" ] || bail "KDX is not set to the kdx binary"

# Each tui_start gets a server of its own: a server just killed may still be
# shutting down on its socket when the next session starts.
tui_starts=0
tui_server="kdxtest-$$-0"
tui_tmp=$(mktemp -d "${TMPDIR:-/tmp}/kdx-tui.XXXXXX") || bail "no temporary directory"
tui_cleanup() {
	local i=0
	while [ "$i" -le "$tui_starts" ]; do
		tmux -L "kdxtest-$$-$i" kill-server 2>/dev/null
		i=$((i + 1))
	done
	rm -rf "$tui_tmp"
}
trap tui_cleanup EXIT

# A raw physical image with known bytes: "kdx test image" at 0, zeros on.
tui_image="$tui_tmp/test.raw"
head -c 1048576 /dev/zero >"$tui_image"
printf 'kdx test image' | dd of="$tui_image" conv=notrunc status=none
# The user's own settings must not leak in; tests write their own here.
mkdir -p "$tui_tmp/config"

# Sanitizer builds start and draw slower; polls give up after this long.
tui_timeout=${KDX_TUI_TIMEOUT:-15}

tui_start() {  # tui_start [ENV=VALUE...] -- [ARGS...]; ARGS default to the image
	local envs="" args=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs="$envs $(printf '%q' "$1")"
		shift
	done
	[ "$1" = "--" ] && shift
	if [ $# -eq 0 ]; then set -- "$tui_image"; fi
	for a in "$@"; do args="$args $(printf '%q' "$a")"; done
	tui_starts=$((tui_starts + 1))
	tui_server="kdxtest-$$-$tui_starts"
	tmux -L "$tui_server" -f /dev/null new-session -d -x 120 -y 40 \
		"env XDG_CONFIG_HOME=$tui_tmp/config TERM=tmux-256color LC_ALL=C.UTF-8 $envs $KDX $args; echo kdx exited \$?; sleep 600" ||
		bail "tmux cannot start a session"
	tmux -L "$tui_server" set-option -g window-size manual >/dev/null
}

tui_keys() {  # tui_keys KEY...: tmux key names (Enter, Tab, BSpace, Escape, C-u) or text
	tmux -L "$tui_server" send-keys "$@"
}

tui_type() {  # tui_type TEXT: sent literally
	tmux -L "$tui_server" send-keys -l "$1"
}

tui_screen() { tmux -L "$tui_server" capture-pane -p; }
tui_screen_escapes() { tmux -L "$tui_server" capture-pane -p -e; }

tui_wait() {  # tui_wait TEXT: polls the screen until TEXT shows; 1 on timeout
	local end=$(( $(date +%s) + tui_timeout ))
	while [ "$(date +%s)" -le "$end" ]; do
		case "$(tui_screen)" in *"$1"*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

tui_wait_gone() {  # tui_wait_gone TEXT: polls until TEXT is no longer shown
	local end=$(( $(date +%s) + tui_timeout ))
	while [ "$(date +%s)" -le "$end" ]; do
		case "$(tui_screen)" in *"$1"*) ;; *) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

tui_line() {  # tui_line ERE: polls until a screen line matches ERE and prints
	# the first that does; 1 on timeout
	local end=$(( $(date +%s) + tui_timeout ))
	while [ "$(date +%s)" -le "$end" ]; do
		tui_screen | grep -m1 -E -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

see() {  # see TEXT DESCRIPTION: waits for TEXT, one TAP result
	if tui_wait "$1"; then
		tap_result 0 "$2"
	else
		tap_result 1 "$2" "screen never showed: $1" "$(tui_screen)"
	fi
}

tui_field() {  # tui_field LABEL: the value beside LABEL on the screen's first "LABEL  value" line
	tui_screen | sed -n "s/^$1  *//p" | head -1
}

line_of() {  # line_of N: line N (1-based) of the screen
	tui_screen | sed -n "${1}p"
}

tui_resize() {  # tui_resize COLUMNS ROWS
	tmux -L "$tui_server" resize-window -x "$1" -y "$2"
}

tui_quit() {  # tui_quit DESCRIPTION: q must end kdx with status 0
	tui_keys q
	see "kdx exited 0" "$1"
}

tui_sort() {  # tui_sort LABEL: s, the picker's row LABEL, Enter (in a table
	# not sorted yet, whose picker starts on its first column)
	local screen top row i
	tui_keys s
	tui_wait "sort by (Enter, Esc)" || return 1
	screen=$(tui_screen)
	top=$(printf '%s\n' "$screen" | grep -n "sort by (Enter, Esc)" | head -1 | cut -d: -f1)
	row=$(printf '%s\n' "$screen" | grep -nE "[│|] $1 +[│|]" | head -1 | cut -d: -f1)
	[ -n "$top" ] && [ -n "$row" ] || return 1
	for ((i = top + 1; i < row; i++)); do tui_keys j; done
	tui_keys Enter
}
