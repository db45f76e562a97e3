# TAP helpers for shell tests. Source it: . "$KDX_TESTLIB"
# Each check prints "ok N - what" or "not ok N - what"; done_testing prints
# the plan, so a script that dies early is reported as failed.
tap_n=0
tap_failed=0

tap_result() {  # tap_result STATUS DESCRIPTION [DIAGNOSTIC...]
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
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

done_testing() {
	[ "$tap_n" -gt 0 ] || bail "no test ran"
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

need_fixture() {  # need_fixture NAME: path of a generated fixture, or bail
	local f="$KDX_FIXTURES/$1"
	[ -f "$f" ] || bail "fixture $1 missing in $KDX_FIXTURES (run make check)"
	printf '%s\n' "$f"
}
