#!/bin/sh
# Runs the README's two set-up commands, exactly as written, each in a fresh
# minimal Debian root (debootstrap --variant=minbase) holding a clone of this
# repository's HEAD, the way a new user would on a fresh machine. A package
# that the set-up forgets to install fails here, not on the user's machine.
#
#   sh scripts/fresh-debian.sh [SUITE]     (as root; SUITE defaults to this machine's)
#
# Prints TAP (one test per README command) and exits non-zero when one fails.
# The base root and the downloaded .debs are cached in $KDX_FRESH_CACHE
# (default /var/cache/kdx-fresh); every run unpacks a new root from the cache
# and installs into it from scratch, so the cache saves downloads, not steps.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KDX_FRESH_CACHE:-/var/cache/kdx-fresh}
. /etc/os-release
suite=${1:-${VERSION_CODENAME:-}}

bail() { echo "Bail out! fresh-debian: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || bail "must run as root (debootstrap, chroot, mount)"
# The roots' mounts live in a mount namespace of their own, so they vanish
# with this script however it ends, and never show in the machine's tree.
if [ -z "${KDX_FRESH_NAMESPACE:-}" ]; then
	KDX_FRESH_NAMESPACE=1 exec unshare --mount --propagation private sh "$0" "$@"
	bail "cannot start a mount namespace (unshare --mount)"
fi
[ -n "$suite" ] || bail "no Debian suite given and none in /etc/os-release"

# What the script itself needs on this machine.
need=""
for tool in debootstrap:debootstrap tmux:tmux git:git; do
	command -v "${tool%%:*}" >/dev/null 2>&1 || need="$need ${tool#*:}"
done
if [ -n "$need" ]; then
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need; } \
		>/dev/null 2>&1 || bail "cannot install$need"
fi

# The mirror comes from this machine's own apt sources (one-line or deb822
# form), so no host name is written into the repository.
mirror_of_sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && awk -v s="$suite" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) == s) { print $i; exit } }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && awk -v s="$suite" '
			/^$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0 }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
			END { if (uri != "" && ok) print uri }' "$f"
	done
}
mirror=$(mirror_of_sources | head -n 1)
[ -n "$mirror" ] || bail "no apt source for '$suite' in /etc/apt/sources.list*"

# Commands from the README, exactly as a user would paste them.
readme_command() {
	sed -n "/<!-- $1 -->/,/<!-- end -->/p" "$top/README.md" | sed -n 's/^    //p'
}
demo_cmd=$(readme_command demo-command)
test_cmd=$(readme_command test-command)
[ -n "$demo_cmd" ] && [ -n "$test_cmd" ] || bail "README.md has no demo-command or test-command block"

mkdir -p "$cache/debs/partial" || bail "cannot create $cache"
base="$cache/$suite-minbase.tar.gz"
if [ ! -s "$base" ]; then
	echo "# building the $suite minbase root from $mirror (cached in $base)"
	stage=$(mktemp -d) || bail "no temporary directory"
	if ! debootstrap --variant=minbase "$suite" "$stage/root" "$mirror" >"$stage/log" 2>&1; then
		tail -n 20 "$stage/log" | sed 's/^/# /'
		rm -rf "$stage"
		bail "debootstrap $suite failed"
	fi
	tar -C "$stage/root" -czf "$base.tmp" . && mv "$base.tmp" "$base" || bail "cannot write $base"
	rm -rf "$stage"
fi

work=$(mktemp -d) || bail "no temporary directory"
server="kdxfresh-$$"
roots=""
cleanup() {
	tmux -L "$server" kill-server 2>/dev/null
	for r in $roots; do
		for m in var/cache/apt/archives dev/pts dev proc; do
			mountpoint -q "$r/$m" && umount -l "$r/$m"
		done
	done
	# Never across a mount that is still there (the roots bind /dev).
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
git -C "$top" bundle create "$work/kdx.bundle" HEAD >/dev/null 2>&1 || bail "cannot bundle HEAD of $top"

new_root() {  # new_root NAME: a fresh root with a clone of HEAD in /root/kdx
	local r="$work/$1"
	mkdir -p "$r" && tar -C "$r" -xzf "$base" || return 1
	roots="$roots $r"
	mount -t proc proc "$r/proc" && mount --bind /dev "$r/dev" &&
		mount --bind /dev/pts "$r/dev/pts" &&
		mount --bind "$cache/debs" "$r/var/cache/apt/archives" || return 1
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	cp "$work/kdx.bundle" "$r/root/kdx.bundle"
	# What the README says a fresh machine needs before it can clone.
	in_root "$r" "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git ca-certificates &&
		git clone -q /root/kdx.bundle /root/kdx" >"$r.setup.log" 2>&1
}
in_root() {  # in_root ROOT COMMAND: as root, in a login-like clean environment
	chroot "$1" /usr/bin/env -i HOME=/root TERM=xterm-256color LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/sh -c "$2"
}
show_log() { tail -n "${2:-40}" "$1" 2>/dev/null | sed 's/^/# /'; }

echo "1..2"
failures=0

# 1. The demo command, in a terminal: kdx must draw its overview and quit on q.
if new_root demo; then
	r="$work/demo"
	tmux -L "$server" -f /dev/null new-session -d -x 120 -y 40 \
		"chroot $r /usr/bin/env -i HOME=/root TERM=xterm-256color LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/sh -c 'cd /root/kdx && { $demo_cmd; } 2>/root/demo.err; echo \$? >/root/demo.rc'; sleep 600"
	shown=no waited=0
	while [ "$waited" -lt 1800 ] && [ ! -f "$r/root/demo.rc" ]; do
		if tmux -L "$server" capture-pane -p 2>/dev/null | grep -q 'Dump overview'; then
			shown=yes
			break
		fi
		sleep 2
		waited=$((waited + 2))
	done
	[ "$shown" = yes ] && tmux -L "$server" send-keys q
	waited=0
	while [ "$waited" -lt 30 ] && [ ! -f "$r/root/demo.rc" ]; do sleep 1; waited=$((waited + 1)); done
	rc=$(cat "$r/root/demo.rc" 2>/dev/null)
	if [ "$shown" = yes ] && [ "$rc" = 0 ]; then
		echo "ok 1 - demo command in a fresh $suite root: kdx --demo drew the overview and quit on q"
	else
		echo "not ok 1 - demo command in a fresh $suite root (overview shown: $shown, exit status: ${rc:-none})"
		tmux -L "$server" capture-pane -p 2>/dev/null | sed 's/^/# screen: /'
		show_log "$r/root/demo.err"
		failures=$((failures + 1))
	fi
	tmux -L "$server" kill-server 2>/dev/null
else
	echo "not ok 1 - demo command: cannot set up a fresh $suite root"
	show_log "$work/demo.setup.log"
	failures=$((failures + 1))
fi

# 2. The test command, to its end, in a root of its own (nothing left by 1).
if new_root test; then
	r="$work/test"
	if in_root "$r" "cd /root/kdx && { $test_cmd; }" >"$work/test.log" 2>&1; then
		echo "ok 2 - test command in a fresh $suite root: $(grep -E '^# (TOTAL|PASS|FAIL):' "$r/root/kdx/test-suite.log" | tr -s ' ' | tr '\n' ' ')"
	else
		echo "not ok 2 - test command in a fresh $suite root"
		grep -E '^(FAIL|ERROR):' "$r/root/kdx/test-suite.log" 2>/dev/null | sed 's/^/# /'
		show_log "$work/test.log" 60
		failures=$((failures + 1))
	fi
else
	echo "not ok 2 - test command: cannot set up a fresh $suite root"
	show_log "$work/test.setup.log"
	failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]
