/* Opening a dump: the container gives physical pages; the rest (paging
 * mode, kernel DTB, KDBG, build, processors, bug check) comes from the crash
 * header when there is one, else from memory itself. */
#include "core/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/util/isolate.h"
#include "core/nt/kdbg.h"
#include "core/nt/layout_kdbg.h"

/* Heuristic scans are bounded so that opening stays O(1) in dump size. The
 * kernel's top-level table and the KDBG sit low in physical memory on real
 * machines (doc/address-space.md 3.4: MemProcFS scans the first 16 MiB). */
#define DTB_SCAN_BYTES (16ull << 20)
#define KDBG_SCAN_BYTES (64ull << 20)
#define KERNEL_IMAGE_SCAN_BYTES (32ull << 20)
/* A crafted image can be full of look-alikes; each costs a bounded search,
 * so the number of them tried is bounded too. */
#define MAX_SCAN_CANDIDATES 16

/* x64: a kernel-half PML4 slot maps the table itself (P, RW, supervisor,
 * not large), at least one other kernel slot is present, and every present
 * slot points into physical memory (a 32-bit directory read as 8-byte
 * entries fails this). */
static bool x64_top_table(const uint8_t *pg, uint64_t pa, uint64_t max_pa)
{
	bool self = false;
	int others = 0;
	for (int i = 256; i < 512; i++) {
		uint64_t e = le64(pg + 8 * i);
		if (!(e & 1))
			continue;
		if ((e & 0x000ffffffffff000ull) >= max_pa)
			return false;
		if ((e & 0x000ffffffffff000ull) == pa && (e & 0x87) == 0x03)
			self = true;
		else
			others++;
	}
	return self && others > 0;
}

/* x86 non-PAE: PD[0x300] maps the directory itself (doc/address-space.md §3.1, 3.4). */
static bool x86_top_table(const uint8_t *pg, uint64_t pa)
{
	uint32_t e = le32(pg + 0xc00);
	if ((e & 0xfffff083u) != (uint32_t)(pa | 3))
		return false;
	int kernel = 0;
	for (int i = 0x200; i < 0x400; i++)
		if (le32(pg + 4 * i) & 1)
			kernel++;
	return kernel > 1;
}

/* PAE: the directory for 0xC0000000 maps the four directories at its
 * entries 0..3, itself at entry 3 (doc/address-space.md §3.1: PD3[3]). */
static bool pae_pd3(const uint8_t *pg, uint64_t pa, uint64_t pds[4])
{
	for (int k = 0; k < 4; k++) {
		uint64_t e = le64(pg + 8 * k);
		if ((e & 0x81) != 0x01)
			return false;
		pds[k] = e & 0x000ffffffffff000ull;
	}
	return pds[3] == pa;
}

#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)

/* A top-level table any kernel could use (no self-map asked: Linux has
 * none): in the dump, some entry of the kernel half present, every present
 * one naming a page below max_pa (PAE: its reserved bits clear). */
static const char *top_table_fault(struct source *src, enum paging mode, uint64_t top,
				   uint64_t max_pa)
{
	uint8_t scratch[KDX_PAGE_SIZE];
	const uint8_t *pg = source_page(src, top >> KDX_PAGE_SHIFT, scratch);
	if (!pg)
		return "its page is not in the dump";
	const struct paging_desc *pd = paging_desc(mode);
	unsigned size = (unsigned)pd->entry_size, off = (unsigned)(top & (KDX_PAGE_SIZE - 1));
	unsigned entries = mode == PAGING_PAE ? 4 : KDX_PAGE_SIZE / size;
	int present = 0;
	for (unsigned i = entries / 2; i < entries; i++) {
		uint64_t e = le_bytes(pg + off + i * size, size);
		if (!(e & 1))
			continue;
		if ((e & pd->pfn_mask) >= max_pa)
			return "a kernel-half entry names a page beyond physical memory";
		if (mode == PAGING_PAE && (e & PAE_PDPTE_RESERVED))
			return "a kernel-half PDPTE has reserved bits set";
		present++;
	}
	return present ? NULL : "no kernel-half entry is present";
}

/* The CPUs' CR3 from their QEMU notes, CPU 0 first: the first whose table
 * passes top_table_fault; CR4 says PAE or not, and 5-level paging (LA57)
 * is not read. Candidates that fail are reported. */
static bool dtb_from_notes(struct dump *d)
{
	const struct dump_notes *n = &d->src->notes;
	uint64_t max_pa = d->src->nranges ? d->src->ranges[d->src->nranges - 1].end : 0;
	for (uint32_t i = 0; i < n->ncpus; i++) {
		const struct cpu_note *c = &n->cpu[i];
		enum paging mode = d->machine == MACHINE_X64 ? PAGING_X64 :
				   c->cr4 & CR4_PAE ? PAGING_PAE : PAGING_X86;
		const char *why = !(c->cr0 & CR0_PG) ? "paging is off (CR0.PG clear)" :
				  d->machine == MACHINE_UNKNOWN ? "the machine is unknown" :
				  mode == PAGING_X64 && (c->cr4 & CR4_LA57) ?
				  "5-level paging (CR4.LA57), which kdx does not read" :
				  top_table_fault(d->src, mode, c->cr3 & paging_desc(mode)->dtb_mask,
						  max_pa);
		if (why) {
			kdx_warn(&d->warnings, "CR3 0x%llx from QEMU CPU %u note passed over: %s",
				 (unsigned long long)c->cr3, i, why);
			continue;
		}
		d->paging = mode;
		d->has_dtb = true;
		d->dtb_cpu = &n->cpu[i];
		d->dtb_raw = c->cr3;
		d->dtb = c->cr3 & paging_desc(mode)->dtb_mask;
		snprintf(d->cpu_origin, sizeof d->cpu_origin, "QEMU CPU %u note", i);
		d->dtb_origin = d->cpu_origin;
		return true;
	}
	return false;
}

static bool pae_find_pdpt(struct source *src, const uint64_t pds[4], uint64_t limit,
			  uint64_t *pdpt)
{
	uint8_t scratch[KDX_PAGE_SIZE];
	for (uint64_t pfn = 0; pfn < limit / KDX_PAGE_SIZE; pfn++) {
		const uint8_t *pg = source_page(src, pfn, scratch);
		if (!pg)
			continue;
		for (unsigned off = 0; off < KDX_PAGE_SIZE; off += 32) {
			int k = 0;
			while (k < 4 && (le64(pg + off + 8 * k) & ~0xfffull) == pds[k] &&
			       (le64(pg + off + 8 * k) & 1))
				k++;
			if (k == 4) {
				*pdpt = (pfn << KDX_PAGE_SHIFT) + off;
				return true;
			}
		}
	}
	return false;
}

/* Finds the kernel DTB in an image without a crash header. modes lists the
 * paging modes the container allows, most specific first. */
static bool scan_for_dtb(struct source *src, const enum paging *modes, size_t nmodes,
			 enum paging *found, uint64_t *dtb)
{
	uint8_t scratch[KDX_PAGE_SIZE];
	uint64_t max_pa = src->nranges ? src->ranges[src->nranges - 1].end : 0;
	unsigned pae_candidates = 0;
	for (size_t m = 0; m < nmodes; m++)
		for (uint64_t pfn = 0; pfn < DTB_SCAN_BYTES / KDX_PAGE_SIZE; pfn++) {
			const uint8_t *pg = source_page(src, pfn, scratch);
			uint64_t pa = pfn << KDX_PAGE_SHIFT, pds[4];
			if (!pg)
				continue;
			if ((modes[m] == PAGING_X64 && x64_top_table(pg, pa, max_pa)) ||
			    (modes[m] == PAGING_X86 && x86_top_table(pg, pa))) {
				*found = modes[m];
				*dtb = pa;
				return true;
			}
			if (modes[m] == PAGING_PAE && pae_candidates < MAX_SCAN_CANDIDATES &&
			    pae_pd3(pg, pa, pds) && ++pae_candidates &&
			    pae_find_pdpt(src, pds, DTB_SCAN_BYTES, dtb)) {
				*found = PAGING_PAE;
				return true;
			}
		}
	return false;
}

unsigned dump_ptr_size(const struct dump *d)
{
	return d->machine == MACHINE_X86 ? 4 : 8;
}

bool dump_kdbg_field(const struct dump *d, unsigned off, unsigned size, uint64_t *val)
{
	if (!d->kdbg || off + size > d->kdbg_size)
		return false;
	uint64_t v = le_bytes(d->kdbg + off, size);
	/* 32-bit kernels keep pointers in 64-bit slots (doc/dump-format.md §8.4). */
	if (size == 8 && d->machine == MACHINE_X86)
		v &= 0xffffffffull;
	*val = v;
	return true;
}

bool dump_read_ptr(struct dump *d, uint64_t va, uint64_t *val)
{
	if (!d->kernel)
		return false;
	return xlat_read_uint(d->kernel, va, dump_ptr_size(d), val);
}

/* A KDBG block header at p: OwnerTag and a plausible Size (doc/dump-format.md §10, check 8). */
static bool kdbg_header_ok(const uint8_t *p, uint32_t *size)
{
	*size = le32(p + KDBG_SIZE);
	return le32(p + KDBG_OWNERTAG) == KDBG_OWNER_TAG && *size % 8 == 0 &&
	       *size >= KDBG_MIN_SIZE && *size <= KDBG_MAX_SIZE;
}

/* Loads the KDBG at va; else why not in why (for the caller's warning). */
static bool load_kdbg_virt(struct dump *d, uint64_t va, char *why, size_t whysize)
{
	uint8_t hdr[0x18];
	struct hole_list holes = { 0 };
	size_t got = xlat_read(d->kernel, va, hdr, sizeof hdr, &holes);
	hole_list_free(&holes);
	uint32_t size;
	if (got != sizeof hdr) {
		snprintf(why, whysize, "KDBG at 0x%llx: page not in the dump",
			 (unsigned long long)va);
		return false;
	}
	if (!kdbg_header_ok(hdr, &size)) {
		snprintf(why, whysize, "KDBG at 0x%llx: OwnerTag 0x%08x, Size 0x%x: expected "
			 "'KDBG' and a size from 0x%x to 0x%x (an encoded block?)",
			 (unsigned long long)va, le32(hdr + KDBG_OWNERTAG), le32(hdr + KDBG_SIZE),
			 KDBG_MIN_SIZE, KDBG_MAX_SIZE);
		return false;
	}
	d->kdbg = malloc(size);
	if (!d->kdbg || xlat_read(d->kernel, va, d->kdbg, size, NULL) != size) {
		free(d->kdbg);
		d->kdbg = NULL;
		snprintf(why, whysize, "KDBG at 0x%llx: its 0x%x bytes are not all in the dump",
			 (unsigned long long)va, size);
		return false;
	}
	d->kdbg_size = size;
	d->kdbg_va = va;
	d->has_kdbg = true;
	return true;
}

/* The VA of a physical address inside the kernel image, found by walking
 * the image's pages from KernBase (bounded). */
static bool kernel_va_of(struct dump *d, uint64_t kernbase, uint64_t pa, uint64_t *va)
{
	uint64_t want = pa & ~(uint64_t)(KDX_PAGE_SIZE - 1);
	for (uint64_t off = 0; off < KERNEL_IMAGE_SCAN_BYTES; off += KDX_PAGE_SIZE) {
		uint64_t p;
		if (xlat_to_phys(d->kernel, kernbase + off, &p) == XLAT_OK && p == want) {
			*va = kernbase + off + (pa & (KDX_PAGE_SIZE - 1));
			return true;
		}
	}
	return false;
}

/* Images without a crash header, or whose header's KDBG pointer fails:
 * look for the KDBG signature in low physical memory (doc/dump-format.md §8.1
 * "fallback scan"), and check that its KernBase is a kernel address that maps the
 * block. Bounded: KDBG_SCAN_BYTES and MAX_SCAN_CANDIDATES. */
static bool scan_for_kdbg(struct dump *d)
{
	uint8_t scratch[KDX_PAGE_SIZE];
	unsigned candidates = 0;
	for (uint64_t pfn = 0; pfn < KDBG_SCAN_BYTES / KDX_PAGE_SIZE &&
	     candidates < MAX_SCAN_CANDIDATES; pfn++) {
		const uint8_t *pg = source_page(d->src, pfn, scratch);
		if (!pg)
			continue;
		for (unsigned off = 0; off + 0x18 <= KDX_PAGE_SIZE &&
		     candidates < MAX_SCAN_CANDIDATES; off += 8) {
			uint32_t size;
			if (!kdbg_header_ok(pg + off, &size))
				continue;
			candidates++;
			uint64_t pa = (pfn << KDX_PAGE_SHIFT) + off, va;
			uint8_t kb[8];
			if (source_read_phys(d->src, pa + KDBG_KERNBASE, kb, 8) != 8)
				continue;
			uint64_t kernbase = le64(kb);
			if (d->machine == MACHINE_X86)
				kernbase &= 0xffffffffull;
			char why[160];
			if (kernel_va_of(d, kernbase, pa, &va) && load_kdbg_virt(d, va, why, sizeof why)) {
				d->kdbg_origin = "signature scan";
				return true;
			}
		}
	}
	return false;
}

/* The header's KDBG pointer first; when it leads nowhere, or the header
 * names none (KdDebuggerDataBlock 0 or the fill), the scan. */
static void find_kdbg(struct dump *d)
{
	const struct crash_facts *f = &d->src->facts;
	char why[160] = "";
	if (f->has_kdbg && load_kdbg_virt(d, f->kdbg_va, why, sizeof why)) {
		d->kdbg_origin = "crash header";
		return;
	}
	bool named_none = f->has_crash_header && !f->has_kdbg;
	if (named_none)
		snprintf(why, sizeof why, "KdDebuggerDataBlock is 0: it names no KDBG");
	if (scan_for_kdbg(d)) {
		if (named_none)
			d->kdbg_origin = "signature scan (the crash header names none)";
		if (why[0])
			kdx_warn(&d->warnings, "the crash header's %s; found the KDBG by its "
				 "signature at 0x%llx", why, (unsigned long long)d->kdbg_va);
		return;
	}
	if (why[0])
		kdx_warn(&d->warnings, "the crash header's %s, and no KDBG signature in the "
			 "first %llu MiB of physical memory; pool, process and module panes are "
			 "unavailable", why, (unsigned long long)(KDBG_SCAN_BYTES >> 20));
	else
		kdx_warn(&d->warnings, "no KDBG found in the first %llu MiB of physical memory (it "
			 "may be encoded, as on Windows 8 and later); page-level panes still work",
			 (unsigned long long)(KDBG_SCAN_BYTES >> 20));
}

/* NtBuildLab ("7601.17514.x86fre...") gives the build when no header does. */
static void build_from_kdbg(struct dump *d)
{
	uint64_t va;
	char lab[16] = { 0 };
	if (!dump_kdbg_field(d, KDBG_NT_BUILD_LAB, 8, &va) || !va ||
	    xlat_read(d->kernel, va, lab, sizeof lab - 1, NULL) != sizeof lab - 1)
		return;
	uint32_t b = 0;
	int digits = 0;
	for (const char *p = lab; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
		b = b * 10 + (uint32_t)(*p - '0');
	if (digits >= 4) {
		d->build = b;
		d->has_build = true;
	}
}

/* KiProcessorBlock: one KPRCB pointer per processor, NULL-terminated
 * (doc/dump-format.md §7.4; capacity 64 on x64, 32 on x86). */
static void processors_from_kdbg(struct dump *d)
{
	uint64_t arr;
	if (!dump_kdbg_field(d, KDBG_KI_PROCESSOR_BLOCK, 8, &arr) || !arr)
		return;
	unsigned cap = d->machine == MACHINE_X86 ? 32 : 64, n = 0;
	uint64_t p;
	while (n < cap && dump_read_ptr(d, arr + n * dump_ptr_size(d), &p) && p)
		n++;
	d->processors = n;
}

/* KiBugcheckData: code then four parameters, pointer-sized each. */
static void bugcheck_from_kdbg(struct dump *d)
{
	uint64_t va, v[5];
	if (!dump_kdbg_field(d, KDBG_KI_BUGCHECK_DATA, 8, &va) || !va)
		return;
	for (int i = 0; i < 5; i++)
		if (!dump_read_ptr(d, va + (uint64_t)i * dump_ptr_size(d), &v[i]))
			return;
	if (!v[0])
		return;
	struct crash_facts *f = &d->src->facts;
	f->has_bugcheck = true;
	f->bugcheck_code = (uint32_t)v[0];
	memcpy(f->bugcheck_params, v + 1, sizeof f->bugcheck_params);
}

static void find_paging(struct dump *d)
{
	struct source *s = d->src;
	const struct crash_facts *f = &s->facts;
	d->machine = f->machine;
	d->paging = f->paging;
	if (f->has_dtb && d->paging != PAGING_UNKNOWN) {
		d->has_dtb = true;
		d->dtb_raw = f->dtb;
		d->dtb = f->dtb & paging_desc(d->paging)->dtb_mask;
		d->dtb_origin = "crash header";
		return;
	}
	/* A Linux guest without a usable CR3: libaddrxlat places swapper_pg_dir
	 * (linux_space); it has no self-map to scan for. */
	if (!f->holds_memory || dtb_from_notes(d) || d->os[0])
		return;
	static const enum paging any[] = { PAGING_X64, PAGING_PAE, PAGING_X86 };
	static const enum paging x86[] = { PAGING_PAE, PAGING_X86 };
	const enum paging *modes = any;
	size_t n = 3;
	if (d->paging != PAGING_UNKNOWN) {
		modes = &d->paging;
		n = 1;
	} else if (d->machine == MACHINE_X86) {
		modes = x86;
		n = 2;
	} else if (d->machine == MACHINE_X64) {
		n = 1;
	}
	enum paging found;
	uint64_t dtb;
	if (!scan_for_dtb(s, modes, n, &found, &dtb)) {
		kdx_warn(&d->warnings, "no kernel page-table root found in the first %llu MiB "
			 "(no self-referencing top-level table): only physical views work",
			 (unsigned long long)(DTB_SCAN_BYTES >> 20));
		return;
	}
	d->paging = found;
	d->machine = found == PAGING_X64 ? MACHINE_X64 : MACHINE_X86;
	d->has_dtb = true;
	d->dtb = d->dtb_raw = dtb;
	d->dtb_origin = "self-map scan";
}

/* libaddrxlat's Linux set-up reads the dump's pages: hostile tables could
 * keep it busy, so it runs in a child (core/util/isolate.h) that has this
 * long; it takes milliseconds on a real guest. */
#define LINUX_SETUP_SECONDS 10

struct linux_setup_report {
	int result;                     /* xlat_linux_setup's return value */
	struct linux_setup setup;
	char msg[sizeof ((struct kdx_error *)0)->msg];
};

static void linux_setup_child(void *arg, void *report)
{
	const struct dump *d = arg;
	struct linux_setup_report *rep = report;
	struct kdx_error e = { .msg = "" };
	rep->result = xlat_linux_setup(d->src, d->machine, d->dtb_cpu, &rep->setup, &e);
	memcpy(rep->msg, e.msg, sizeof rep->msg);
}

/* The kernel's translator from libaddrxlat's Linux set-up, run bounded;
 * NULL with why it gave none. */
static struct xlat *linux_setup(struct dump *d, struct kdx_error *err)
{
	struct linux_setup_report rep;
	struct isolate_outcome how;
	if (isolate_run(linux_setup_child, d, &rep, sizeof rep, LINUX_SETUP_SECONDS,
			"libaddrxlat's Linux set-up", &how, err) < 0)
		return NULL;
	rep.msg[sizeof rep.msg - 1] = '\0';
	if (how.end == ISOLATE_TIMED_OUT)
		kdx_fail(err, "libaddrxlat's Linux set-up did not finish within %d s",
			 LINUX_SETUP_SECONDS);
	else if (how.end == ISOLATE_KILLED)
		kdx_fail(err, "libaddrxlat's Linux set-up died with signal %d (%s)", how.signal,
			 strsignal(how.signal));
	else if (how.end != ISOLATE_DONE)
		kdx_fail(err, "libaddrxlat's Linux set-up gave no report");
	else if (rep.result < 0)
		kdx_fail(err, "%s", rep.msg);
	else
		return xlat_new_linux(d->src, &rep.setup, err);
	return NULL;
}

/* A Linux guest's kernel address space, set up by libaddrxlat's own Linux
 * support (the CPU note's CR3 when one served, else swapper_pg_dir from
 * VMCOREINFO); where it cannot, a note's CR3 still translates by hand and
 * layout shows the kernel's default regions, saying why. */
static void linux_space(struct dump *d)
{
	struct kdx_error e = { .msg = "" };
	struct xlat *x = linux_setup(d, &e);
	uint64_t max_pa = d->src->nranges ? d->src->ranges[d->src->nranges - 1].end : 0;
	const char *why = x && !d->has_dtb ?
		top_table_fault(d->src, xlat_mode(x)->mode, xlat_dtb(x), max_pa) : NULL;
	if (!x || why) {
		if (!x)
			snprintf(d->linux_setup_fault, sizeof d->linux_setup_fault, "%s", e.msg);
		kdx_warn(&d->warnings, "%s: %s%s%s", d->os, x ? "swapper_pg_dir from VMCOREINFO: " :
			 e.msg, x ? why : "", d->has_dtb ? "; the CPU's CR3 translates by hand, and "
			 "layout reads no region from libaddrxlat" : "; only physical views work");
		xlat_free(x);
		return;
	}
	d->kernel = x;
	d->paging = xlat_mode(x)->mode;
	if (!d->has_dtb) {
		d->has_dtb = true;
		d->dtb = d->dtb_raw = xlat_dtb(x);
		d->dtb_origin = "VMCOREINFO swapper_pg_dir";
	}
}

int dump_open(const char *path, struct dump **out, struct kdx_error *err)
{
	return dump_open_as(path, MACHINE_UNKNOWN, out, err);
}

int dump_open_as(const char *path, enum machine machine, struct dump **out,
		 struct kdx_error *err)
{
	struct dump *d = calloc(1, sizeof *d);
	if (!d)
		return kdx_fail(err, "%s: out of memory", path);
	if (source_open(path, &d->src, err) < 0) {
		free(d);
		return -1;
	}
	struct crash_facts *f = &d->src->facts;
	if (machine != MACHINE_UNKNOWN && f->machine != MACHINE_UNKNOWN && f->machine != machine) {
		kdx_fail(err, "%s: the dump says it is from an %s machine: --arch %s is for a dump "
			 "that does not say (a raw image)", path, machine_name(f->machine),
			 machine_name(machine));
		goto fail;
	}
	if (machine != MACHINE_UNKNOWN && f->machine == MACHINE_UNKNOWN) {
		f->machine = machine;
		kdx_warn(&d->warnings, "the dump does not say which machine it is from: %s, as "
			 "--arch says", machine_name(machine));
	}
	for (size_t i = 0; i < d->src->warnings.count; i++)
		kdx_warn(&d->warnings, "%s", d->src->warnings.items[i]);
	d->processors = f->processors;
	d->has_build = f->has_build;
	d->build = f->build;
	char release[65];
	if (vmcoreinfo_str(&d->src->notes, "OSRELEASE", release, sizeof release))
		snprintf(d->os, sizeof d->os, "Linux %s", release);
	find_paging(d);
	if (d->os[0] && f->holds_memory)
		linux_space(d);
	if (d->has_dtb && f->holds_memory && !source_has_page(d->src, d->dtb >> KDX_PAGE_SHIFT)) {
		kdx_fail(err, "%s: offset 0x10: DirectoryTableBase is 0x%llx: page 0x%llx is not in the dump: "
			 "expected the kernel's top-level page table", path,
			 (unsigned long long)d->dtb_raw,
			 (unsigned long long)(d->dtb >> KDX_PAGE_SHIFT));
		goto fail;
	}
	if (d->has_dtb) {
		if (!d->kernel)
			d->kernel = xlat_new(d->src, d->paging, d->dtb, err);
		if (!d->kernel)
			goto fail;
		if (!d->os[0] && f->holds_memory)
			find_kdbg(d);
	}
	if (d->has_kdbg) {
		if (!d->has_build)
			build_from_kdbg(d);
		if (!d->processors)
			processors_from_kdbg(d);
		if (!f->has_crash_header)
			bugcheck_from_kdbg(d);
	}
	dump_layout_resolve(d);
	*out = d;
	return 0;
fail:
	dump_close(d);
	return -1;
}

int dump_need_structures(const struct dump *d, const char *what, struct kdx_error *err)
{
	if (d->os[0])
		return kdx_fail_as(err, KDX_ERR_NO_DATA, "%s: %s: kdx reads no Linux kernel "
				   "structures yet (the page-level commands work: vtop, pte, layout, "
				   "db, s)", what, d->os);
	if (!d->kernel)
		return kdx_fail_as(err, KDX_ERR_NO_DATA, "%s: no kernel page tables known for "
				   "this dump", what);
	if (!d->layout.profile && d->has_build)
		return kdx_fail_as(err, KDX_ERR_NO_LAYOUT, "%s: no structure layout for build %u",
				   what, d->build);
	if (!d->layout.profile)
		return kdx_fail_as(err, KDX_ERR_NO_LAYOUT, "%s: no structure layout: the dump "
				   "names no build", what);
	return 0;
}

void dump_close(struct dump *d)
{
	if (!d)
		return;
	xlat_free(d->kernel);
	source_close(d->src);
	free(d->kdbg);
	dump_layout_free(&d->layout);
	kdx_warnings_free(&d->warnings);
	free(d);
}
