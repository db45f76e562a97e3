#!/bin/sh
# Proves that a refactoring left batch output unchanged: runs a fixed set of
# batch commands (every command, text and --json) on every generated fixture
# and records stdout, stderr and the exit status per dump, or compares them
# with an earlier recording.
#
#   sh tests/batch-identical.sh record DIR   [KDX [FIXTURES]]
#   sh tests/batch-identical.sh compare DIR  [KDX [FIXTURES]]
#
# KDX defaults to ./kdx, FIXTURES to tests/fixtures (both from the build
# directory). Record with the build before the change, compare with the build
# after it: compare exits 1 and prints the diff when any byte differs.
# Command arguments (addresses, threads, tags, PFNs) come from each fixture's
# truth file, so every profile exercises the same commands on its own data.
set -u
mode=${1:-}; out=${2:-}
kdx=$(cd "$(dirname "${3:-./kdx}")" && pwd)/$(basename "${3:-./kdx}")
fixtures=$(cd "${4:-tests/fixtures}" && pwd)
case "$mode" in record|compare) ;; *) sed -n '2,14p' "$0"; exit 2 ;; esac
[ -n "$out" ] || { echo "batch-identical: no output directory" >&2; exit 2; }
command -v jq >/dev/null || { echo "batch-identical: jq is needed" >&2; exit 2; }
[ -x "$kdx" ] || { echo "batch-identical: $kdx is not a program" >&2; exit 2; }

# The commands for one dump, one per line, their arguments from its truth.
commands() {  # commands TRUTH
	t=$1
	first() { jq -r "$1 // empty" "$t" 2>/dev/null | head -n 1; }
	va=$(first '[.translations[]?.va][0]')
	pva=$(first '[.process_translations[]?.va][0]')
	pdtb=$(first '[.process_translations[]?.dtb][0]')
	pa=$(first '[.translations[]? | select(.pa != null) | .pa][0]')
	region=$(first '[.regions[]?.name][0]')
	tid=$(first '.deep_stack_thread')
	tid=${tid:+0n$tid}   # IDs are typed as arguments: hex by default
	ethread=$(first '[.threads[]?.ethread][0]')
	pid=$(first '[.threads[]?.pid][-1]')
	pid=${pid:+0n$pid}
	block=$(first '[.pool.pages[]?.blocks[]? | select(.state == "allocated") | .address][0]')
	big=$(first '[.pool.big_pages.allocations[]?.address][0]')
	tag=$(first '[.pool.tracker.rows[]?.tag][0]')
	ca=$(first '[.mapped_files[]?.control_area][0]')
	pfn=$(first '[.pfn.entries[]?.pfn][0]')
	session=$(first '[.sessions[]?.id][0]')
	cat <<-EOF
	help
	help pte
	info
	info -v
	vm
	lm
	layout
	pte -compare
	poolused
	poolused ^[A-M]
	process
	process 0 0
	threads
	threads -sort kernel
	threads -sort user
	threads -sort total
	stacks
	kf
	k
	session
	sprocess
	memusage
	EOF
	for c in "vtop $va" "pte $va" "pte -e $va" "pte -compare $va" \
		"db $va" "dd $va L 8" "dq $va L 4" "!db $pa" "!dd $pa L 8" "!dq $pa L 4" \
		"vtop $pva $pdtb" "pte $pva $pdtb" "layout $region" \
		"kf $tid" "stack $tid" "kf $ethread" "threads $pid" \
		"pool $block" "pool $big" "poolrefs $block" "poolfind $tag" "tagowner $tag" \
		"memusage $ca" "pfn $pfn" "sprocess $session"; do
		case "$c" in *" ") ;; *) printf '%s\n' "$c" ;; esac
	done
	# Commands that must fail, with their messages.
	printf '%s\n' "vtop 0x10" "pool 0x10" "pfn 0xffffffffff" "stack 0xffff" "bogus"
}

# The pooltag.txt kdx read is named by its absolute path, which differs
# between two checkouts; the comparison is of everything else.
same_paths() { sed 's|/[^" ]*/pooltag\.txt|POOLTAG.TXT|g'; }

run_all() {  # run_all DIR
	rm -rf "$1" && mkdir -p "$1" || exit 2
	cd "$fixtures" || exit 2
	for dump in *.dmp *.elf *.raw; do
		[ -f "$dump" ] || continue
		o=$1/$dump
		if [ -f "$dump.truth.json" ]; then
			commands "$dump.truth.json" >"$o.commands"
		else
			echo info >"$o.commands"
		fi
		# One invocation per command keeps a failing command from hiding others.
		while IFS= read -r c; do
			printf '== %s\n' "$c"
			"$kdx" -c "$c" "$dump" 2>&1; echo "rc=$?"
			"$kdx" -c "$c" --json "$dump" 2>&1; echo "rc=$?"
		done <"$o.commands" | same_paths >"$o.out"
	done
	# Two dumps at once: the pool diff, in both modes.
	{
		"$kdx" -c "pooldiff win10-x64.kernel.dmp" win10-x64.full.dmp 2>&1; echo "rc=$?"
		"$kdx" --json --diff win7-x64.full.dmp win7-x64.kernel.dmp 2>&1; echo "rc=$?"
	} | same_paths >"$1/pooldiff.out"
}

case "$mode" in
record)
	mkdir -p "$out" && out=$(cd "$out" && pwd)
	run_all "$out"
	echo "recorded $(ls "$out"/*.out | wc -l) outputs in $out"
	;;
compare)
	out=$(cd "$out" && pwd) || exit 2
	now=$(mktemp -d) || exit 2
	run_all "$now/new"
	if diff -r "$out" "$now/new" >"$now/diff"; then
		echo "identical: $(ls "$out"/*.out | wc -l) outputs, $(cat "$out"/*.commands | wc -l) commands"
		rm -rf "$now"
	else
		cat "$now/diff" | head -n 200
		echo "batch-identical: output differs (full diff in $now/diff)" >&2
		exit 1
	fi
	;;
esac
