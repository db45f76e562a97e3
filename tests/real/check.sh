#!/bin/bash
# kdx against the real-tool fixtures of tests/real/make-guest.sh (issue 11),
# as TAP: every dump form opens; every physical sample holds the bytes
# QEMU's `xp` read (a filtered dump may lack a page, and must say so as a
# hole); `vtop` through each CPU's CR3 given by hand, and through
# swapper_pg_dir's page, gives QEMU's `gva2gpa` answer; kdx finds a kernel
# root itself, translates through it, and names the kernel as Linux with
# the release VMCOREINFO gives; layout's direct map starts at PAGE_OFFSET
# (x86_64: page_offset_base; i686: the 3G/1G split), comes from the page
# tables, and maps QEMU's addresses inside it linearly.
#
# gva2gpa answered through CPU 0's CR3; the kernel half of every Linux
# address space maps the same, so through another CPU's CR3 and through
# swapper_pg_dir only kernel addresses are compared.
#
# A check found to fail for a known reason can be made TAP TODO by setting
# lib.sh's tap_todo to the reason before it; none is, today.
#
#   bash tests/real/check.sh KDX GUEST_DIR...
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
[ $# -ge 2 ] || bail "usage: check.sh KDX GUEST_DIR..."
kdx=$1
shift
command -v jq >/dev/null || bail "jq is needed (scripts/deps.sh installs it)"
[ -x "$kdx" ] || bail "no kdx at $kdx"
# A hang is a failure of its check, not of CI: each run gets two minutes.
run_kdx() { timeout 120 "$kdx" "$@"; }

# The files make-guest.sh writes: NAME|WHAT|KIND (raw: no machine type,
# which the user gives; filtered: pages may be left out).
forms='qemu.elf|QEMU dump-guest-memory ELF|
qemu-paging.elf|QEMU dump-guest-memory -p ELF (PN_XNUM)|
qemu-zlib.kdump.flat|QEMU kdump-zlib as QEMU writes it (flattened)|
qemu-zlib.kdump|QEMU kdump-zlib reassembled by makedumpfile -R|
qemu-pmemsave.raw|QEMU pmemsave of all RAM|raw
mdf-d0.kdump|makedumpfile -c -d 0|
mdf-d31.kdump|makedumpfile -c -d 31|filtered
mdf-d31-lzo.kdump|makedumpfile -l -d 31|filtered
mdf-d31.elf|makedumpfile -E -d 31|filtered
mdf-d31.kdump.flat|makedumpfile -F -c -d 31 (flattened)|filtered'

# pad HEX: 16 digits, so that addresses compare as strings.
pad() { local h=${1#0x}; printf '%016s' "$h" | tr ' ' 0; }

# vtops DTB [FLAG] < VAS: kdx's physical address for each VA (null where
# none), one a line, through DTB (no DTB: the root kdx found); with
# kdx_arch set, the machine given by --arch.
vtops() {
	local dtb=$1 flag=${2:-} cmds
	cmds=$(while read -r va; do printf 'vtop %s %s %s;' "$va" "$dtb" "$flag"; done)
	run_kdx ${kdx_arch:+--arch "$kdx_arch"} --json -c "$cmds" "$dump" 2>/dev/null |
		jq -r '.[] | .result.pa // "null"' 2>/dev/null
}

for guest in "$@"; do
	truth="$guest/truth.json"
	[ -f "$truth" ] || bail "no truth.json in $guest (run tests/real/make-guest.sh)"
	arch=$(jq -r .arch "$truth")
	release=$(jq -r .vmcoreinfo.OSRELEASE "$truth")
	echo "# $arch guest: Linux $release, QEMU $(jq -r .qemu "$truth"), $guest"
	case $arch in
	x86_64) kernel_half=0xffff800000000000 machine=x64 ;;
	*) kernel_half=0xc0000000 machine=x86 ;;
	esac
	# VAs with QEMU's answers; the kernel half's; swapper_pg_dir's page
	all_vas=$(jq -r '.translations[].va' "$truth")
	all_pas=$(jq -r '.translations[] | .pa // "null"' "$truth")
	sel_kernel="def pad: ltrimstr(\"0x\") | (\"0000000000000000\"[0:16 - length]) + .;
		[.translations[] | select((.va | pad) >= (\"$kernel_half\" | pad))]"
	kernel_vas=$(jq -r "$sel_kernel | .[].va" "$truth")
	kernel_pas=$(jq -r "$sel_kernel | .[] | .pa // \"null\"" "$truth")
	swapper=$(jq -r '.translations[] | select(.name == "swapper_pg_dir (VMCOREINFO)") | .pa' "$truth")
	# PAGE_OFFSET: page_offset_base on x86_64; the 3G/1G split on i686
	page_offset=$(jq -r '.translations[] | select(.name == "page_offset_base+0x1000") | .va' "$truth")
	page_offset=$(printf '0x%x' $((page_offset - 0x1000)))
	roots=$(jq -r '[.cpus[].cr3] | join(" ")' "$truth")
	ncpus=$(jq '.cpus | length' "$truth")
	pas=$(jq -r '.bytes[].pa' "$truth")
	want_bytes=$(jq -c '[.bytes[].bytes]' "$truth")
	nbytes=$(jq '.bytes | length' "$truth")

	bases_want=$(jq -c '[(.bases[] | select(.name == "page_offset_base") | .value),
		(.bases[] | select(.name == "vmemmap_base") | .value), ("0x" + .vmcoreinfo["SYMBOL(_stext)"])]' "$truth")
	# The names of the truth's mapped addresses that are not in the region they
	# should be (x86_64: the kernel image is above __START_KERNEL_map).
	in_region='def pad: ltrimstr("0x") | ("0000000000000000"[0:16 - length]) + .;
		[.[0].result.regions[] | {name, s: (.start | pad), e: (.end | pad)}] as $r
		| [$t[0].translations[] | select(.pa != null)
		   | (if (.name | test("^page_offset_base[+]")) then "direct-map"
		      elif (.name | test("^vmemmap_base[+]")) then "vmemmap"
		      elif (.name | test(" module$")) then "modules"
		      elif (.va | pad) >= "ffffffff80000000" then "kernel-text" else empty end) as $w
		   | (.va | pad) as $v
		   | select(any($r[]; .name == $w and .s <= $v and $v <= .e) | not)
		   | "\(.name) (\(.va)) not in \($w)"]'

	while IFS='|' read -r name what kind; do
		[ "$arch" = x86_64 ] || case $name in mdf-*) continue ;; esac  # no makedumpfile for i686
		dump="$guest/$name"
		label="$arch $name ($what)"

		if [ ! -f "$dump" ]; then
			tap_result 1 "$label: make-guest.sh wrote it"
			continue
		fi
		out=$(run_kdx --json -c info "$dump" 2>&1 >/dev/null); rc=$?
		tap_result "$rc" "$label: opens" "exit status $rc: $out"

		# Physical bytes, at every sampled address.
		json=$(run_kdx --json -c "$(printf '!db %s L 10;' $pas)" "$dump" 2>/dev/null)
		if [ "$kind" = filtered ]; then
			# Where kdx reports no hole its bytes are QEMU's; a hole is "not-in-dump".
			got=$(printf '%s' "$json" | jq -c --argjson want "$want_bytes" '
				[to_entries[] | .value.result as $r | select($r.holes == [])
				 | select($r.bytes != $want[.key]) | $r.address] + 
				[.[].result.holes[]? | select(.reason != "not-in-dump") | .address]' 2>&1)
			held=$(printf '%s' "$json" | jq '[.[].result | select(.holes == [])] | length' 2>/dev/null)
			[ "${held:-0}" -gt 0 ] || got="no sample held: $got"
			is "$got" "[]" "$label: the ${held:-0} of $nbytes samples it holds have QEMU's bytes, the others are holes"
		else
			got=$(printf '%s' "$json" | jq -c '[.[].result | .bytes + (if .holes == [] then "" else " (hole)" end)]' 2>&1)
			is "$got" "$want_bytes" "$label: $nbytes physical samples hold QEMU's bytes (xp)"
		fi

		if [ "$kind" = raw ]; then
			# No header says the machine: the user does (--arch).
			cr3=${roots%% *}
			got=$(printf '%s\n' "$all_vas" | kdx_arch=$machine vtops "$cr3")
			is "$got" "$all_pas" "$label: kdx --arch $machine: vtop VA $cr3 (CPU 0's CR3) gives QEMU's gva2gpa for $(printf '%s\n' "$all_vas" | wc -l) addresses"
			continue
		fi

		# Translation through each CPU's CR3 given by hand.
		n=0
		for cr3 in $roots; do
			if [ $n -eq 0 ]; then vas=$all_vas want=$all_pas; else vas=$kernel_vas want=$kernel_pas; fi
			got=$(printf '%s\n' "$vas" | vtops "$cr3")
			is "$got" "$want" "$label: vtop VA $cr3 (CPU $n's CR3) gives QEMU's gva2gpa for $(printf '%s\n' "$vas" | wc -l) addresses"
			if [ "$arch" = i686 ]; then
				got=$(printf '%s\n' "$vas" | vtops "$cr3" -pae)
				is "$got" "$want" "$label: vtop VA $cr3 -pae gives QEMU's gva2gpa"
			fi
			n=$((n + 1))
		done
		got=$(printf '%s\n' "$kernel_vas" | vtops "$swapper")
		is "$got" "$kernel_pas" "$label: vtop VA $swapper (swapper_pg_dir) gives QEMU's gva2gpa for the kernel addresses"

		# What kdx finds by itself; the processors, one per CPU note.
		info=$(run_kdx --json -c info "$dump" 2>/dev/null)
		root=$(printf '%s' "$info" | jq -r '.[0].result.cr3 // "none"')
		is "$(printf '%s' "$info" | jq -r '.[0].result.processors')" "$ncpus" "$label: info's processors are the guest's $ncpus CPUs"
		like " $roots $swapper " " $root " "$label: the kernel root kdx finds ($root) is a CPU's CR3 or swapper_pg_dir"
		got=$(printf '%s\n' "$kernel_vas" | vtops "")
		is "$got" "$kernel_pas" "$label: vtop VA through that root gives QEMU's gva2gpa for the kernel addresses"
		like "$(run_kdx -c info "$dump" 2>&1)" "Linux $release" "$label: info names the kernel: Linux $release"

		# A command that reads Windows structures names itself, then what
		# it read, then the real reason (once, on QEMU's ELF).
		if [ "$name" = qemu.elf ]; then
			why="Linux $release: kdx reads no Linux kernel structures yet"
			got=$(run_kdx -c lm "$dump" 2>&1; run_kdx -c stacks "$dump" 2>&1; run_kdx -c memusage "$dump" 2>&1)
			like "$got" "kdx: lm: modules: $why" "$label: lm fails naming itself, what it read and why"
			like "$got" "kdx: stacks: processes: $why" "$label: stacks too (not as processes)"
			like "$got" "kdx: memusage: PFN database: $why" "$label: memusage's error too (not the file's name)"
			got=$(run_kdx -c 's -a kernel "Linux version"' "$dump" 2>/dev/null | grep '^owners')
			like "$got" "owners           modules, processes, pool, PFN database: $why" "$label: search's owners line says why once"
		fi

		# layout's direct map: from PAGE_OFFSET, found in the page tables,
		# and every address of QEMU's inside it maps linearly.
		row=$(run_kdx --json -c layout "$dump" 2>/dev/null |
			jq -r '.[0].result.regions[] | select(.name == "direct-map") | "\(.start) \(.end) \(.source)"')
		read -r start end source <<<"$row"
		is "$start $source" "$page_offset page-tables" "$label: layout's direct map starts at PAGE_OFFSET, found in the page tables"
		inside=0 wrong=""
		while read -r va pa; do
			[[ $(pad "$va") < $(pad "${start:-0xffffffffffffffff}") || $(pad "$va") > $(pad "${end:-0}") ]] && continue
			inside=$((inside + 1))
			[ "$pa" = "$(printf '0x%x' $((va - start)))" ] || wrong="$wrong $va->$pa"
		done <<-EOF2
		$(jq -r '.translations[] | "\(.va) \(.pa)"' "$truth")
		EOF2
		[ $inside -gt 0 ] || wrong="no QEMU address inside"
		is "${wrong# }" "" "$label: the $inside of QEMU's addresses inside that direct map ($start-$end) map linearly"

		# Regions where this kernel put them: each base the guest's own
		# variables held, and each named address in its region.
		layout=$(run_kdx --json -c layout "$dump" 2>/dev/null)
		if [ "$arch" = i686 ]; then
			# lowmem: the RAM from PAGE_OFFSET, the image inside; modules above it
			got=$(printf '%s' "$layout" | jq -r '[.[0].result.regions[] | select(.name == "direct-map")
				| .start + " " + .["end"]] | .[0] // "none"')
			top=$((0xc0000000 + $(jq .memory_bytes "$truth") - 1))
			read -r ds de <<<"$got"
			ok_end=$([ "$ds" = 0xc0000000 ] && [ $((${de:-0})) -le $top ] && [ $((${de:-0})) -gt $((top - 0x400000)) ] && echo yes)
			is "${ok_end:-$got}" yes "$label: layout's direct map is the guest's RAM from PAGE_OFFSET (to $(printf 0x%x $top), less what the tables leave unmapped at the top)"
			got=$(printf '%s' "$layout" | jq -c --slurpfile t "$truth" '
				def pad: ltrimstr("0x") | ("00000000"[0:8 - length]) + .;
				[.[0].result.regions[] | select(.name == "direct-map") | {s: (.start | pad), e: (.end | pad)}][0] as $m
				| [$t[0].translations[] | select(.pa != null) | select((.va | pad) >= "c0000000")
				   | (.va | pad) as $v | ($m.s <= $v and $v <= $m.e) as $in
				   | select($in == (.name | test(" module$"))) | "\(.name) (\(.va))"]' 2>&1)
			is "$got" "[]" "$label: kernel symbols and page_offset_base+ lie in the direct map, the module outside it"
			like "$(run_kdx -c 's -a kernel "Linux version"' "$dump" 2>/dev/null)" "from             0xc0000000" \
				"$label: s -a kernel searches from PAGE_OFFSET 0xc0000000"
			continue
		fi
		got=$(printf '%s' "$layout" | jq -c '[.[0].result.regions[]
			| select(.name == "direct-map" or .name == "vmemmap" or .name == "kernel-text")
			| .start]' 2>&1)
		is "$got" "$bases_want" "$label: layout's direct map, vmemmap and kernel image start at page_offset_base, vmemmap_base and _stext"
		got=$(printf '%s' "$layout" | jq -c --slurpfile t "$truth" "$in_region" 2>&1)
		is "$got" "[]" "$label: every mapped address the truth names lies in its region (kernel symbols in kernel-text, page_offset_base+ in direct-map, vmemmap_base+ in vmemmap, modules)"
	done <<-EOF
	$forms
	EOF
done
done_testing
