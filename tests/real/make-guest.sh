#!/bin/bash
# Real-tool fixtures (issue 11): boots Debian's own kernel in QEMU (TCG, two
# CPUs, KASLR on, no network) with a busybox initramfs, pauses the guest,
# and writes every dump form QEMU and makedumpfile offer, with a truth file
# from QEMU's monitor while the guest is paused.
#
# Installs qemu-system-x86, busybox-static, makedumpfile and socat from
# Debian (as root, like scripts/deps.sh); the kernel package
# (linux-image-amd64's current image; linux-image-686-pae's, with i386
# busybox, for the 32-bit guest) is downloaded and unpacked, never
# installed. -device vmcoreinfo and the guest's qemu_fw_cfg module put the
# guest's VMCOREINFO in the dumps.
#
#   bash tests/real/make-guest.sh [DIR] [ARCH...]
#
# ARCH is x86_64 and/or i686 (default both); KDX_REAL_MEM_MIB sets the
# guest's memory (default 256). Each guest goes in DIR/ARCH-KEY/ (DIR
# defaults to $KDX_REAL_DIR or /var/tmp/kdx-real), KEY naming the package
# versions, the memory and this script's checksum: a later run with the
# same reuses it, and other keys of that ARCH are removed. Prints each
# guest's directory. About a minute or two per guest. It holds:
#   qemu.elf                 dump-guest-memory (ELF, QEMU's CPU notes)
#   qemu-paging.elf          dump-guest-memory -p (segments by virtual
#                            address; past 65534 of them, PN_XNUM)
#   qemu-zlib.kdump.flat     dump-guest-memory -z as QEMU 7.2 writes it, in
#                            makedumpfile's flattened format
#   qemu-zlib.kdump          the same reassembled (makedumpfile -R)
#   qemu-pmemsave.raw        pmemsave of the RAM below 4 GiB
#   mdf-d0.kdump, mdf-d31.kdump, mdf-d31-lzo.kdump, mdf-d31.elf,
#   mdf-d31.kdump.flat       makedumpfile -c -d 0, -c -d 31, -l -d 31,
#                            -E -d 31, -F -c -d 31 of qemu.elf (x86_64
#                            only: Debian's makedumpfile reads its own
#                            architecture's kernels)
#   truth.json               arch, linux_release, vmcoreinfo (the guest's
#                            note, read with xp where /sys/kernel/vmcoreinfo
#                            says), cpus (CR3, CR4, paging mode from `info
#                            registers -a`), translations (gva2gpa through
#                            CPU 0 of kernel symbols from /proc/kallsyms
#                            and VMCOREINFO, pages of the direct map,
#                            vmemmap and module area, and two unmapped
#                            addresses: pa null), bytes (16 bytes read with
#                            xp at each translated address and through RAM)
#   console.log, registers.txt, vmcoreinfo.txt, makedumpfile.log,
#   qemu-formats.txt         what the truth was read from
set -eu -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-${KDX_REAL_DIR:-/var/tmp/kdx-real}}
shift || true
arches=${*:-x86_64 i686}
mem_mib=${KDX_REAL_MEM_MIB:-256}
# The pc machine keeps RAM below 4 GiB up to 3 GiB when the guest has 3.5
# GiB or more (the rest goes above 4 GiB): samples and pmemsave stay there.
low_mib=$mem_mib
[ "$mem_mib" -lt 3584 ] || low_mib=3072
boot_timeout=${KDX_REAL_BOOT_TIMEOUT:-300}
self_sum=$(cksum <"$top/tests/real/make-guest.sh" | cut -d' ' -f1)

log() { echo "make-guest: $*" >&2; }
die() { log "$*"; exit 1; }

apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq "$@"
}

# The host's tools, from Debian.
tools="qemu-system-x86 busybox-static makedumpfile socat jq"
missing=""
for p in $tools; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
apt_get update || log "apt-get update failed: using the package lists there are"
if [ -n "$missing" ]; then
	apt_get install -y --no-install-recommends $missing >/dev/null
fi
version_of() { dpkg-query -W -f='${Version}' "$1"; }

mkdir -p "$dir/debs"

# apt_i386 ARGS...: apt-get and apt-cache for i386 packages, with their own
# package lists under DIR, so the host's architectures stay as they are.
apt_i386_opts() {
	echo "-o APT::Architecture=i386 -o APT::Architectures=i386
		-o Dir::State::Lists=$dir/apt-i386/lists -o Dir::Cache=$dir/apt-i386/cache
		-o Dir::State::status=$dir/apt-i386/status"
}
i386_ready=""
apt_i386_update() {
	[ -n "$i386_ready" ] && return
	mkdir -p "$dir/apt-i386/lists/partial" "$dir/apt-i386/cache/archives/partial"
	touch "$dir/apt-i386/status"
	apt-get $(apt_i386_opts) -qq update ||
		log "apt-get update (i386) failed: using the lists there are"
	i386_ready=1
}

# fetch_deb PKG [i386]: the path of PKG's candidate .deb, downloaded once.
fetch_deb() {
	local pkg=$1 opts="" ver deb
	if [ "${2:-}" = i386 ]; then apt_i386_update; opts=$(apt_i386_opts); fi
	ver=$(apt-cache $opts show --no-all-versions "$pkg" | sed -n 's/^Version: //p' | head -1)
	[ -n "$ver" ] || die "no candidate for $pkg in the package lists"
	deb=$(ls "$dir/debs/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -1 || true)
	if [ -z "$deb" ]; then
		(cd "$dir/debs" && apt-get $opts -qq download "$pkg:${2:-amd64}" 2>/dev/null) ||
			die "cannot download $pkg $ver"
		deb=$(ls "$dir/debs/${pkg}_${ver//:/%3a}_"*.deb | head -1)
	fi
	echo "$deb"
}

# image_of META [i386]: the kernel image package the meta-package names.
image_of() {
	local opts=""
	if [ "${2:-}" = i386 ]; then apt_i386_update; opts=$(apt_i386_opts); fi
	apt-cache $opts depends "$1" | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -1
}

# qmp JSON: sends one QMP command on the open session, prints its reply.
qmp() {
	local line
	printf '%s\n' "$1" >&6
	while IFS= read -r -t 600 line <&5; do
		case $line in
		*'"event"'*) continue ;;
		*'"error"'*) printf '%s\n' "$line"; return 1 ;;
		*'"return"'*) printf '%s\n' "$line"; return 0 ;;
		esac
	done
	die "QMP: no reply to $1"
}
hmp() {  # hmp COMMAND: a human-monitor command's output
	qmp "$(jq -cn --arg c "$1" '{execute: "human-monitor-command", arguments: {"command-line": $c}}')" |
		jq -r .return
}

# guest ARCH: builds, boots and dumps one guest into DIR/ARCH-KEY.
guest() {
	local arch=$1 meta deb_arch qemu image kdeb bdeb key out work start
	case $arch in
	x86_64) meta=linux-image-amd64 deb_arch="" qemu=qemu-system-x86_64 ;;
	i686) meta=linux-image-686-pae deb_arch=i386 qemu=qemu-system-i386 ;;
	*) die "unknown ARCH $arch (x86_64 or i686)" ;;
	esac
	image=$(image_of "$meta" $deb_arch)
	[ -n "$image" ] || die "$meta names no kernel image in the package lists"
	kdeb=$(fetch_deb "$image" $deb_arch)
	if [ -n "$deb_arch" ]; then bdeb=$(fetch_deb busybox-static i386); else bdeb=""; fi
	key=$(printf '%s\n' "$(basename "$kdeb")" "${bdeb:+$(basename "$bdeb")}" \
		"qemu $(version_of qemu-system-x86)" "busybox $(version_of busybox-static)" \
		"makedumpfile $(version_of makedumpfile)" "script $self_sum" "memory $mem_mib" | cksum | cut -d' ' -f1)
	out="$dir/$arch-$key"
	if [ -f "$out/truth.json" ]; then
		log "$arch: reusing $out"
		echo "$out"
		return
	fi
	for old in "$dir/$arch"-*; do [ -d "$old" ] && rm -rf "$old"; done
	start=$(date +%s)
	work="$out.part"
	rm -rf "$work"
	mkdir -p "$work/k" "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"

	# The kernel and the one module the guest loads (qemu_fw_cfg, which
	# hands the guest's VMCOREINFO to QEMU), unpacked from the package.
	dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$work/k" --wildcards \
		'./boot/vmlinuz-*' '*/qemu_fw_cfg.ko'
	if [ -n "$bdeb" ]; then
		dpkg-deb --fsys-tarfile "$bdeb" | tar -x -C "$work/k" ./bin/busybox
		cp "$work/k/bin/busybox" "$work/root/bin/busybox"
	else
		cp /bin/busybox "$work/root/bin/busybox"
	fi
	cp "$(find "$work/k" -name qemu_fw_cfg.ko | head -1)" "$work/root/qemu_fw_cfg.ko"
	cat >"$work/root/init" <<-'EOF'
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	insmod /qemu_fw_cfg.ko
	echo "KDX-RELEASE $(uname -r) $(uname -m)"
	grep -E ' [TtDdBbRr] (_text|_stext|_etext|_edata|init_task|init_mm|swapper_pg_dir|init_top_pgt|linux_banner|jiffies_64|page_offset_base|vmemmap_base|vmalloc_base|phys_base|start_kernel|panic|printk|_printk|schedule|do_sys_open|idt_table|empty_zero_page|high_memory|max_pfn|mem_map|fw_cfg_sysfs_probe)$' /proc/kallsyms |
		sed 's/^/KDX-SYM /'
	grep '^qemu_fw_cfg ' /proc/modules | sed 's/^/KDX-MODULE /'
	echo "KDX-VMCOREINFO $(cat /sys/kernel/vmcoreinfo)"
	echo KDX-READY
	while :; do sleep 3600; done
	EOF
	chmod +x "$work/root/init"
	(cd "$work/root" && find . | "$work/root/bin/busybox" cpio -o -H newc -F "$work/initrd.cpio" 2>/dev/null) ||
		(cd "$work/root" && find . | busybox cpio -o -H newc -F "$work/initrd.cpio" 2>/dev/null)

	log "$arch: booting $(basename "$kdeb") in $qemu"
	"$qemu" -machine pc -accel tcg -m "${mem_mib}M" -smp 2 -nic none -display none \
		-no-reboot -kernel "$work"/k/boot/vmlinuz-* -initrd "$work/initrd.cpio" \
		-append "console=ttyS0 panic=-1 quiet" -device vmcoreinfo \
		-serial "file:$work/console.log" -monitor none \
		-qmp "unix:$work/qmp.sock,server=on,wait=off" -pidfile "$work/qemu.pid" -daemonize
	local pid
	pid=$(cat "$work/qemu.pid")
	# shellcheck disable=SC2064
	trap "kill $pid 2>/dev/null || true" EXIT
	local waited=0
	until grep -q KDX-READY "$work/console.log" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || die "$arch: QEMU exited before the guest was up: $(tail -5 "$work/console.log")"
		[ "$waited" -lt "$boot_timeout" ] || die "$arch: the guest was not up after ${boot_timeout}s"
		sleep 1
		waited=$((waited + 1))
	done
	log "$arch: guest up after ${waited}s"

	# The session's pipes on fixed descriptors: bash closes a coprocess's
	# own in the subshells of $(...).
	coproc QMP { socat - "UNIX-CONNECT:$work/qmp.sock"; }
	exec 5<&"${QMP[0]}" 6>&"${QMP[1]}"
	local greeting
	IFS= read -r -t 30 greeting <&5 || die "$arch: no QMP greeting"
	qmp '{"execute":"qmp_capabilities"}' >/dev/null
	qmp '{"execute":"stop"}' >/dev/null

	truth "$arch" "$work" >"$work/truth.part"
	dumps "$arch" "$work"
	qmp '{"execute":"quit"}' >/dev/null || true
	exec 5<&- 6>&-
	wait "$QMP_PID" 2>/dev/null || true
	trap - EXIT
	mv "$work/truth.part" "$work/truth.json"
	rm -rf "$work/k" "$work/root" "$work/qmp.sock" "$work/qemu.pid"
	mv "$work" "$out"
	log "$arch: done in $(( $(date +%s) - start ))s: $(du -sh "$out" | cut -f1) in $out"
	echo "$out"
}

# truth ARCH WORK: the truth file, as JSON, from the paused guest's monitor.
truth() {
	local arch=$1 work=$2 regs va pa
	regs=$(hmp 'info registers -a')
	printf '%s\n' "$regs" >"$work/registers.txt"
	# CPU#N lines, then CR0=... CR2=... CR3=... CR4=... and EFER=...: each
	# CPU's root and its paging mode (CR4.PAE, bit 5; EFER.LMA, bit 10).
	local cpus
	cpus=$(printf '%s\n' "$regs" | tr -d '\r' | awk '
		/^CPU#/ { cpu = substr($1, 5) + 0 }
		{ for (i = 1; i <= NF; i++) if ($i ~ /^(CR3|CR4|EFER)=/) v[cpu, substr($i, 1, index($i, "=") - 1)] = substr($i, index($i, "=") + 1) }
		END { for (c = 0; (c, "CR3") in v; c++) print c, v[c, "CR3"], v[c, "CR4"], v[c, "EFER"] }' |
		while read -r cpu cr3 cr4 efer; do
			local paging=x86
			if [ $((16#$efer & 0x400)) -ne 0 ]; then paging=x64
			elif [ $((16#$cr4 & 0x20)) -ne 0 ]; then paging=pae; fi
			printf '%d 0x%x 0x%x %s\n' "$cpu" $((16#$cr3)) $((16#$cr4)) "$paging"
		done)

	# The guest's VMCOREINFO note, read where /sys/kernel/vmcoreinfo says
	# it is: its KEY=VALUE lines.
	local note vmcoreinfo
	note=$(sed -n 's/^KDX-VMCOREINFO \(0x\)\{0,1\}\([0-9a-f]*\) \([0-9a-f]*\).*/\2 \3/p' "$work/console.log" | tr -d '\r')
	[ -n "$note" ] || die "$arch: the guest printed no VMCOREINFO address"
	vmcoreinfo=$(printf "$(hmp "xp /$((16#${note#* }))xb 0x${note% *}" | tr -d '\r' |
		sed 's/^[0-9a-f]*://; s/ 0x/\\x/g' | tr -d ' \n')" | tr '\0' '\n' | grep -a '^[A-Z][-A-Z_]*\(([^)]*)\)\{0,1\}=')
	printf '%s\n' "$vmcoreinfo" >"$work/vmcoreinfo.txt"

	# Kernel addresses: what the guest printed, the symbols VMCOREINFO
	# names, and pages in the regions
	# its *_base variables give (read through CPU 0's page tables).
	local syms bases=""
	syms=$(sed -n 's/^KDX-SYM \([0-9a-f]*\) . \([A-Za-z_0-9]*\).*/\1 \2/p' "$work/console.log" | tr -d '\r')
	for b in page_offset_base vmemmap_base; do
		va=$(printf '%s\n' "$syms" | awk -v n=$b '$2 == n { print $1 }')
		[ -n "$va" ] || continue
		pa=$(hmp "x /1gx 0x$va" | sed -n 's/^[0-9a-f]*: *0x\([0-9a-f]*\).*/\1/p')
		bases="$bases $b=$pa"
	done
	# 32-bit x86 has no page_offset_base: its direct map starts at PAGE_OFFSET.
	[ "$arch" = i686 ] && bases="page_offset_base=c0000000"
	local vas
	vas=$(printf '%s\n' "$syms" | awk '{ printf "0x%s %s\n", $1, $2 }'
		printf '%s\n' "$vmcoreinfo" | sed -n 's/^SYMBOL(\([^)]*\))=\([0-9a-f]*\)$/0x\2 \1 (VMCOREINFO)/p')
	for kv in $bases; do
		local name=${kv%%=*} base=$((0x${kv#*=}))
		case $name in
		page_offset_base)
			for off in 0x1000 0x100000 0x1000000 $(( (low_mib << 20) - 0x1000 )); do
				vas="$vas
$(printf '0x%x' $((base + off))) page_offset_base+$(printf '0x%x' $off)"
			done ;;
		vmemmap_base)
			for pfn in 0x100 0x1000 0x8000; do
				vas="$vas
$(printf '0x%x' $((base + pfn * 64))) vmemmap_base+pfn$pfn"
			done ;;
		esac
	done
	local mod
	mod=$(sed -n 's/^KDX-MODULE .* \(0x[0-9a-f]*\).*/\1/p' "$work/console.log" | tr -d '\r' | head -1)
	[ -n "$mod" ] && vas="$vas
$mod qemu_fw_cfg module"
	# Two that no page table maps.
	vas="$vas
0x0 null
0x1000 user page 1"

	local translations="" line name
	while read -r va name; do
		[ -n "$va" ] || continue
		line=$(hmp "gva2gpa $va" | tr -d '\r')
		case $line in
		gpa:*) pa=$(printf '%s' "$line" | sed 's/^gpa: *//') ;;
		*) pa=null ;;
		esac
		translations="$translations$(jq -cn --arg va "$va" --arg name "$name" --arg pa "$pa" \
			'{va: $va, name: $name, pa: (if $pa == "null" then null else $pa end)}')
"
	done <<-EOF
	$vas
	EOF

	# Physical bytes: 16 at each translated address, and at a spread of
	# addresses through RAM (skipping the legacy VGA and ROM hole).
	local pas samples=""
	pas=$(printf '%s' "$translations" | jq -r 'select(.pa) | .pa' | sort -u)
	local step=$(( (low_mib << 20) / 48 & ~0xfff )) a
	for a in $(seq 0 47); do
		a=$(( a * step + (a * 0x238 & 0xff0) ))
		[ "$a" -ge $((0xa0000)) ] && [ "$a" -lt $((0x100000)) ] && continue
		pas="$pas $(printf '0x%x' $a)"
	done
	for pa in $pas; do
		local bytes
		bytes=$(hmp "xp /16xb $pa" | tr -d '\r' | sed 's/^[0-9a-f]*://' | tr -s ' \n' ' ' |
			sed 's/0x//g' | tr -d ' ')
		samples="$samples$(jq -cn --arg pa "$pa" --arg b "$bytes" '{pa: $pa, bytes: $b}')
"
	done

	local release
	release=$(sed -n 's/^KDX-RELEASE \([^ ]*\) .*/\1/p' "$work/console.log" | tr -d '\r')
	jq -n --arg arch "$arch" --arg release "$release" --argjson mem $((mem_mib << 20)) \
		--arg qemu "$(version_of qemu-system-x86)" --arg makedumpfile "$(version_of makedumpfile)" \
		--arg cpus "$cpus" --arg bases "$bases" --arg vmcoreinfo "$vmcoreinfo" \
		--argjson translations "[$(printf '%s' "$translations" | paste -sd, -)]" \
		--argjson bytes "[$(printf '%s' "$samples" | paste -sd, -)]" '
		{arch: $arch, linux_release: $release, memory_bytes: $mem,
		 qemu: $qemu, makedumpfile: $makedumpfile,
		 cpus: [$cpus | split("\n")[] | select(length > 0) | split(" ")
			| {cpu: (.[0] | tonumber), cr3: .[1], cr4: .[2], paging: .[3]}],
		 vmcoreinfo: [$vmcoreinfo | split("\n")[] | select(length > 0)
			| capture("^(?<k>[^=]*)=(?<v>.*)$") | {key: .k, value: .v}] | from_entries,
		 bases: [$bases | split(" ")[] | select(length > 0) | split("=") | {name: .[0], value: ("0x" + .[1])}],
		 translations: $translations, bytes: $bytes}'
}

# dumps ARCH WORK: every form of dump of the paused guest.
dumps() {
	local arch=$1 work=$2 formats f
	formats=$(qmp '{"execute":"query-dump-guest-memory-capability"}' | jq -r '.return.formats[]')
	printf '%s\n' "$formats" >"$work/qemu-formats.txt"
	dump() {  # dump FILE FORMAT PAGING
		qmp "$(jq -cn --arg f "file:$work/$1" --arg fmt "$2" --argjson p "$3" \
			'{execute: "dump-guest-memory", arguments: {paging: $p, protocol: $f, format: $fmt}}')" >/dev/null ||
			log "$arch: dump-guest-memory $2 failed"
	}
	dump qemu.elf elf false
	dump qemu-paging.elf elf true
	for f in $formats; do
		case $f in
		kdump-zlib) dump qemu-zlib.kdump.flat "$f" false ;;
		kdump-lzo) dump qemu-lzo.kdump.flat "$f" false ;;
		kdump-snappy) dump qemu-snappy.kdump.flat "$f" false ;;
		esac
	done
	qmp "$(jq -cn --arg f "$work/qemu-pmemsave.raw" --argjson n $((low_mib << 20)) \
		'{execute: "pmemsave", arguments: {val: 0, size: $n, filename: $f}}')" >/dev/null

	# makedumpfile: QEMU's flattened files reassembled, and conversions of
	# QEMU's ELF (VMCOREINFO gives it the kernel's layout). Debian's
	# makedumpfile reads its own architecture's kernels only, so the
	# 32-bit guest has no conversions.
	for f in "$work"/qemu-*.kdump.flat; do
		[ -f "$f" ] || continue
		makedumpfile -R "${f%.flat}" <"$f" >>"$work/makedumpfile.log" 2>&1 ||
			log "$arch: makedumpfile -R $(basename "$f") failed"
	done
	[ "$arch" = x86_64 ] || return 0
	phdrs_first "$work/qemu.elf" "$work/mdf-input.elf"
	mdf() {  # mdf OUT ARGS...
		local o=$1; shift
		makedumpfile "$@" "$work/mdf-input.elf" "$work/$o" >>"$work/makedumpfile.log" 2>&1 ||
			{ log "$arch: makedumpfile $* failed"; rm -f "$work/$o"; }
	}
	mdf mdf-d0.kdump -c -d 0
	mdf mdf-d31.kdump -c -d 31
	mdf mdf-d31-lzo.kdump -l -d 31
	mdf mdf-d31.elf -E -d 31
	makedumpfile -F -c -d 31 "$work/mdf-input.elf" >"$work/mdf-d31.kdump.flat" 2>>"$work/makedumpfile.log" ||
		{ log "$arch: makedumpfile -F failed"; rm -f "$work/mdf-d31.kdump.flat"; }
	rm -f "$work/mdf-input.elf"
}

# phdrs_first IN OUT: a copy of QEMU's ELF core with its program headers
# moved to just after the ELF header, and no section headers. makedumpfile
# 1.7.2 reads the program headers there whatever e_phoff says ("Can't get
# the number of PT_LOAD"); QEMU 7.2 puts its section headers there. The
# notes and segments stay where they are.
phdrs_first() {
	local in=$1 out=$2 class ehsize phoff phentsize phnum
	num() { od -An -tu"$2" -j "$1" -N "$2" "$in" | tr -d ' '; }  # num OFFSET SIZE
	class=$(num 4 1)
	if [ "$class" = 2 ]; then
		ehsize=64 phoff=$(num 32 8) phentsize=$(num 54 2) phnum=$(num 56 2)
	else
		ehsize=52 phoff=$(num 28 4) phentsize=$(num 42 2) phnum=$(num 44 2)
	fi
	cp "$in" "$out"
	chmod u+w "$out"
	dd if="$in" bs=1 skip="$phoff" count=$((phentsize * phnum)) 2>/dev/null |
		dd of="$out" bs=1 seek="$ehsize" conv=notrunc 2>/dev/null
	if [ "$class" = 2 ]; then
		# e_phoff = 64, e_shoff = 0; e_shnum = e_shstrndx = 0
		printf '\100\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' | dd of="$out" bs=1 seek=32 conv=notrunc 2>/dev/null
		printf '\0\0\0\0' | dd of="$out" bs=1 seek=60 conv=notrunc 2>/dev/null
	else
		# e_phoff = 52, e_shoff = 0; e_shnum = e_shstrndx = 0
		printf '\64\0\0\0\0\0\0\0' | dd of="$out" bs=1 seek=28 conv=notrunc 2>/dev/null
		printf '\0\0\0\0' | dd of="$out" bs=1 seek=48 conv=notrunc 2>/dev/null
	fi
}

for arch in $arches; do
	guest "$arch"
done
