# TAP helpers for shell tests. Source it: . "$KDX_TESTLIB"
# Each check prints "ok N - what" or "not ok N - what"; done_testing prints
# the plan, so a script that dies early is reported as failed.
# While tap_todo holds a reason, checks are TAP TODO: "not ok N - what #
# TODO reason" is shown with its diagnostics but fails nothing, and is no pass.
tap_n=0
tap_failed=0
tap_todo=""

tap_result() {  # tap_result STATUS DESCRIPTION [DIAGNOSTIC...]
	local todo=""
	[ -z "$tap_todo" ] || todo=" # TODO $tap_todo"
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2$todo"
	else
		echo "not ok $tap_n - $2$todo"
		[ -n "$todo" ] || tap_failed=$((tap_failed + 1))
		shift 2
		for d in "$@"; do printf '%s\n' "$d" | sed 's/^/# /'; done
	fi
}

ok() {  # ok DESCRIPTION COMMAND...: passes when the command succeeds
	local desc=$1; shift
	if "$@" >/dev/null 2>&1; then tap_result 0 "$desc"; else tap_result 1 "$desc" "failed: $*"; fi
}

is() {  # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then tap_result 0 "$3"; else tap_result 1 "$3" "got:  $1" "want: $2"; fi
}

like() {  # like GOT SUBSTRING DESCRIPTION
	case "$1" in
	*"$2"*) tap_result 0 "$3" ;;
	*) tap_result 1 "$3" "got:  $1" "want substring: $2" ;;
	esac
}

bail() {  # bail REASON: the test cannot go on (missing fixture, tool)
	echo "Bail out! $1"
	exit 1
}

kdbg_file_offset() {  # kdbg_file_offset DUMP SIZE: where the KDBG block is in the file,
	# found by its OwnerTag "KDBG" (at +0x10) followed by its Size; empty if none
	local want at
	want=$(printf '%02x%02x0000' $(($2 & 0xff)) $(($2 >> 8)))
	LC_ALL=C grep -obUa KDBG "$1" | cut -d: -f1 | while read -r at; do
		if [ "$(dd if="$1" bs=1 skip=$((at + 4)) count=4 2>/dev/null | od -An -tx1 |
			tr -d ' \n')" = "$want" ]; then
			echo $((at - 0x10))
			break
		fi
	done
}

put_le16() {  # put_le16 FILE OFFSET VALUE: overwrites two bytes of a copy in place
	printf "$(printf '\\%03o\\%03o' $(($3 & 0xff)) $((($3 >> 8) & 0xff)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

va_file_offset() {  # va_file_offset DUMP VA: where the byte at a kernel VA is in a full
	# crash dump's file: its RAM ranges follow the header (one page on x86, two on x64)
	"$KDX" --json -c "vtop $2; info -v" "$1" 2>/dev/null | jq -r '
		def hex: ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 +
			(if $c >= 97 then $c - 87 else $c - 48 end));
		(.[0].result.pa | hex) as $pa | .[1].result as $i |
		reduce $i.ranges[] as $r ({at: (if $i.machine == "x64" then 8192 else 4096 end), off: null};
			if .off == null and $pa >= ($r.start | hex) and $pa < ($r.end | hex)
			then .off = .at + $pa - ($r.start | hex) else .at += $r.pages * 4096 end) | .off'
}

put_zeros() {  # put_zeros FILE OFFSET COUNT: overwrites COUNT bytes of a copy with zeros
	dd if=/dev/zero of="$1" bs=1 seek="$2" count="$3" conv=notrunc 2>/dev/null
}

done_testing() {
	[ "$tap_n" -gt 0 ] || bail "no test ran"
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# The profiles whose full dumps the fixture set holds (tests/gen/main.c):
# the structure panes' tests loop over them.
FULL_PROFILES='xp-x86 win7-x86-pae win7-x64 win10-x64 win11-x64 win81-x64 win10-1809-x64 win10-2004-x86 win7-x64-2016 win11-21h2-x64 win11-24h2-x64'

need_fixture() {  # need_fixture NAME: path of a generated fixture, or bail
	local f="$KDX_FIXTURES/$1"
	[ -f "$f" ] || bail "fixture $1 missing in $KDX_FIXTURES (run make check)"
	printf '%s\n' "$f"
}
