#include "core/xlat/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util/builds.h"
#include "core/nt/kdbg.h"
#include "core/nt/pe.h"
#include "core/nt/profile.h"
#include "core/source/notes.h"
#include "core/source/source.h"

const char *region_kind_name(enum region_kind k)
{
	static const char *const names[] = {
		[REGION_USER] = "user", [REGION_IMAGE] = "image",
		[REGION_PAGE_TABLES] = "page-tables", [REGION_HYPERSPACE] = "hyperspace",
		[REGION_CACHE] = "cache", [REGION_PAGED_POOL] = "paged-pool",
		[REGION_NONPAGED_POOL] = "nonpaged-pool", [REGION_SYSTEM_PTES] = "system-ptes",
		[REGION_SESSION] = "session", [REGION_PFN] = "pfn", [REGION_HAL] = "hal",
		[REGION_DYNAMIC] = "dynamic", [REGION_UNUSED] = "unused",
		[REGION_SPECIAL_POOL] = "special-pool", [REGION_DIRECT_MAP] = "direct-map",
		[REGION_VMALLOC] = "vmalloc", [REGION_VMEMMAP] = "vmemmap",
	};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

/* A kernel variable a KDBG field points at, dereferenced. */
static bool kdbg_variable(struct dump *d, unsigned field, uint64_t *value)
{
	uint64_t addr;
	return dump_kdbg_field(d, field, 8, &addr) && addr && dump_read_ptr(d, addr, value);
}

void layout_pte_context_for(struct dump *d, enum paging mode, struct pte_context *ctx)
{
	const struct pte_format *linux_format = d->os[0] ? pte_format_linux(mode) : NULL;
	/* A nearest build's column (a calibrated layout) lends structure
	 * offsets only: the PTE format is the build's era's; a DTB read in
	 * another mode than the kernel's gets its era's format too. */
	const struct profile *p = d->layout.nearest || mode != d->paging ? NULL : d->layout.profile;
	pte_context_init(ctx, mode, d->has_build, d->build,
			 linux_format ? linux_format : p ? pte_format_of(p->pte_family) : NULL);
	if (linux_format) {
		snprintf(ctx->family_note, sizeof ctx->family_note, "a Linux kernel: swap entries "
			 "and PROT_NONE as Linux 6.1's arch/x86 headers lay them out");
		ctx->family_assumed = false;
	} else if (d->os[0] && ctx->format) {
		snprintf(ctx->family_note, sizeof ctx->family_note, "a Linux kernel: x86 hardware "
			 "bits; kdx decodes no non-PAE Linux swap entries (not-present ones read "
			 "as %s)", ctx->format->name);
	}
	ctx->has_paged_pool_start = kdbg_variable(d, KDBG_MM_PAGED_POOL_START,
						  &ctx->paged_pool_start);
	ctx->has_subsection_bases = kdbg_variable(d, KDBG_MM_SUBSECTION_BASE, &ctx->subsection_base) &&
				    kdbg_variable(d, KDBG_MM_NONPAGED_POOL_END,
						  &ctx->nonpaged_pool_end);
}

void layout_pte_context(struct dump *d, struct pte_context *ctx)
{
	layout_pte_context_for(d, d->paging, ctx);
}

/* ---- Region rows: doc/address-space.md §4.1 (x86 XP/2003), 4.2 (x86 Vista+), 4.3 (x64 7),
 * 4.4 (x64 10). KDBG stores the address of each variable (doc/address-space.md §4). A list
 * may name a region twice: the first row whose bounds resolve wins, so a
 * KDBG row followed by a fixed row is "prefer the variable". */

enum bound_kind {
	B_FIXED,
	B_KDBG_VAR,        /* the variable the KDBG field points at */
	B_KDBG_VALUE,      /* the KDBG field itself (KernBase) */
	B_PTE_BASE, B_PDE_BASE, B_AFTER_PTE_SPACE,
	/* end bounds relative to the start */
	B_SIZE, B_KDBG_VAR_SIZE, B_PTE_SPACE_SIZE, B_PDE_SPACE_SIZE, B_IMAGE_SIZE, B_PFN_SIZE,
	B_MAPPED_RUN,      /* the run of mapped pages from the start */
	B_TABLES_RUN,      /* the run of present page tables from the start, to value if set */
	/* a start: the run of present page tables down from the variable */
	B_TABLES_BELOW_VAR,
	B_SLOT_END,        /* the end of the start's 512 GiB PML4 slot (doc/address-space.md §4.4) */
	/* a Linux kernel's, from its VMCOREINFO note (var: the key) */
	B_VMCOREINFO,      /* the value itself: SYMBOL(_stext) */
	B_VMCOREINFO_SIZE, /* an end: the start plus the number, less one */
	B_VMCOREINFO_PLUS, /* value plus the number: past KERNEL_IMAGE_SIZE */
	B_VMEMMAP_BASE,    /* what mem_section's first section_mem_map encodes */
	B_VMALLOC_BASE,    /* the lowest vmap area of vmap_area_list */
	B_SETUP_START, B_SETUP_END,  /* libaddrxlat's Linux set-up found it (field: which) */
};

struct bound {
	enum bound_kind kind;
	uint64_t value;
	unsigned field;
	const char *var;           /* KDBG variable name */
};

struct row {
	const char *name, *description;
	enum region_kind kind;
	struct bound start, end;
	bool end_exclusive;
};

struct row_list {
	const struct row *rows;
	size_t count;
};

#define FIXED(v) { B_FIXED, v, 0, NULL }
#define KVAR(f, n) { B_KDBG_VAR, 0, f, n }
#define SIZE(v) { B_SIZE, v, 0, NULL }
#define ROWS(a) { a, sizeof a / sizeof a[0] }

static const struct row user_x86[] = {
	{ "null", "no-access NULL region", REGION_UNUSED, FIXED(0), FIXED(0xffff), false },
	{ "user", "user space", REGION_USER, FIXED(0x10000),
	  KVAR(KDBG_MM_HIGHEST_USER_ADDRESS, "MmHighestUserAddress"), false },
	{ "user", "user space", REGION_USER, FIXED(0x10000), FIXED(0x7ffeffff), false },
};
static const struct row user_x64_7[] = {
	{ "user", "user space", REGION_USER, FIXED(0),
	  KVAR(KDBG_MM_HIGHEST_USER_ADDRESS, "MmHighestUserAddress"), false },
	{ "user", "user space (8 TiB)", REGION_USER, FIXED(0), FIXED(0x7fffffeffffull), false },
};
static const struct row user_x64_10[] = {
	{ "user", "user space", REGION_USER, FIXED(0),
	  KVAR(KDBG_MM_HIGHEST_USER_ADDRESS, "MmHighestUserAddress"), false },
	{ "user", "user space (128 TiB)", REGION_USER, FIXED(0), FIXED(0x7ffffffeffffull), false },
};
static const struct row user_guard[] = {
	{ "user-guard", "64 KiB no-access guard above user space", REGION_UNUSED,
	  KVAR(KDBG_MM_USER_PROBE_ADDRESS, "MmUserProbeAddress"), SIZE(0x10000), false },
};
static const struct row self_map_rows[] = {
	{ "pte-space", "PTE self-map: the page tables of the current process",
	  REGION_PAGE_TABLES, { B_PTE_BASE, 0, 0, NULL }, { B_PTE_SPACE_SIZE, 0, 0, NULL }, false },
	{ "pde-space", "page directories through the self-map",
	  REGION_PAGE_TABLES, { B_PDE_BASE, 0, 0, NULL }, { B_PDE_SPACE_SIZE, 0, 0, NULL }, false },
};
#define KERNBASE { B_KDBG_VALUE, 0, KDBG_KERNBASE, "KernBase" }
static const struct row kernel_image[] = {
	{ "kernel", "ntoskrnl image", REGION_IMAGE, KERNBASE, { B_IMAGE_SIZE, 0, 0, NULL }, false },
	{ "kernel", "ntoskrnl image (its mapped pages)", REGION_IMAGE, KERNBASE,
	  { B_MAPPED_RUN, 0, 0, NULL }, false },
};
/* The variables every build's KDBG states. */
static const struct row kdbg_rows[] = {
	{ "system-cache", "system cache", REGION_CACHE,
	  KVAR(KDBG_MM_SYSTEM_CACHE_START, "MmSystemCacheStart"),
	  KVAR(KDBG_MM_SYSTEM_CACHE_END, "MmSystemCacheEnd"), false },
	{ "paged-pool", "paged pool", REGION_PAGED_POOL,
	  KVAR(KDBG_MM_PAGED_POOL_START, "MmPagedPoolStart"),
	  KVAR(KDBG_MM_PAGED_POOL_END, "MmPagedPoolEnd"), false },
	{ "system-ptes", "system PTEs (stacks, MDL and I/O mappings, drivers)", REGION_SYSTEM_PTES,
	  KVAR(KDBG_MM_SYSTEM_PTES_START, "MmSystemPtesStart"),
	  KVAR(KDBG_MM_SYSTEM_PTES_END, "MmSystemPtesEnd"), false },
	{ "nonpaged-pool", "nonpaged pool", REGION_NONPAGED_POOL,
	  KVAR(KDBG_MM_NONPAGED_POOL_START, "MmNonPagedPoolStart"),
	  KVAR(KDBG_MM_NONPAGED_POOL_END, "MmNonPagedPoolEnd"), false },
	{ "session", "session space", REGION_SESSION,
	  KVAR(KDBG_MM_SESSION_BASE, "MmSessionBase"),
	  { B_KDBG_VAR_SIZE, 0, KDBG_MM_SESSION_SIZE, "MmSessionSize" }, false },
};
#define PFN_START KVAR(KDBG_MM_PFN_DATABASE, "MmPfnDatabase")
#define PFN_BY_SIZE { "pfn-database", "PFN database", REGION_PFN, PFN_START, \
	{ B_PFN_SIZE, 0, KDBG_MM_HIGHEST_PHYSICAL_PAGE, "MmHighestPhysicalPage" }, false }
/* x86: one MMPFN per physical page (doc/address-space.md §7). */
static const struct row pfn_x86[] = { PFN_BY_SIZE };
/* x64 7: the nonpaged pool follows the PFN database (doc/address-space.md §4.3). */
static const struct row pfn_x64_7[] = {
	{ "pfn-database", "PFN database", REGION_PFN, PFN_START,
	  KVAR(KDBG_MM_NONPAGED_POOL_START, "MmNonPagedPoolStart"), true },
	PFN_BY_SIZE,
};
/* x64 10: its own PML4 slot (doc/address-space.md §4.4). */
static const struct row pfn_x64_10[] = {
	{ "pfn-database", "PFN database", REGION_PFN, PFN_START, { B_SLOT_END, 0, 0, NULL }, false },
};
static const struct row x86_fixed[] = {
	{ "hyperspace", "hyperspace and the process working-set list", REGION_HYPERSPACE,
	  { B_AFTER_PTE_SPACE, 0, 0, NULL }, SIZE(4u << 20), false },
	{ "crash-dump", "crash dump driver area", REGION_HAL, FIXED(0xffbe0000), FIXED(0xffbfffff),
	  false },
	{ "hal", "HAL area (KPCR, KUSER_SHARED_DATA kernel view)", REGION_HAL,
	  FIXED(0xffc00000), FIXED(0xffffffff), false },
};
/* x86 XP/2003 nonpaged pool in two parts (doc/address-space.md §4.1): the initial part in
 * the boot region "when large pages are usable", bounds "KernBase,
 * MmPfnDatabase, MmNonPagedPoolStart", and the "nonpaged pool expansion"
 * ending at FFBDFFFF, bounds "MmNonPagedPoolStart/End, MmNonPagedSystemStart".
 * The public sources do not say which variable bounds which part; this table is the
 * one place that decides, from what the page tables show: the initial part
 * is the run of mapped pages from MmNonPagedPoolStart, the expansion ends at
 * MmNonPagedPoolEnd and starts where the present page tables below it stop,
 * not below MmNonPagedSystemStart. These rows come before kdbg_rows so they
 * win over its single MmNonPagedPoolStart..End, which on XP spans the system
 * space between the parts. */
static const struct row nonpaged_x86_xp[] = {
	{ "nonpaged-pool", "initial nonpaged pool", REGION_NONPAGED_POOL,
	  KVAR(KDBG_MM_NONPAGED_POOL_START, "MmNonPagedPoolStart"), { B_MAPPED_RUN, 0, 0, NULL },
	  false },
	{ "nonpaged-pool-expansion", "nonpaged pool expansion", REGION_NONPAGED_POOL,
	  { B_TABLES_BELOW_VAR, 0, KDBG_MM_NONPAGED_POOL_END, NULL },
	  KVAR(KDBG_MM_NONPAGED_POOL_END, "MmNonPagedPoolEnd"), false },
};
static const struct row x86_xp_fixed[] = {
	{ "system-ws", "system (cache) working-set list", REGION_CACHE,
	  FIXED(0xc0c00000), FIXED(0xc0ffffff), false },
};
static const struct row x64_7_fixed[] = {
	{ "unused-system", "unused system space", REGION_UNUSED,
	  KVAR(KDBG_MM_SYSTEM_RANGE_START, "MmSystemRangeStart"), FIXED(0xfffff67fffffffffull),
	  false },
	{ "hyperspace", "hyperspace (process working-set list)", REGION_HYPERSPACE,
	  FIXED(0xfffff70000000000ull), FIXED(0xfffff77fffffffffull), false },
	{ "shared-page", "KUSER_SHARED_DATA", REGION_HAL,
	  FIXED(0xfffff78000000000ull), FIXED(0xfffff78000000fffull), false },
	{ "system-ws", "system cache working set", REGION_CACHE,
	  FIXED(0xfffff78000001000ull), FIXED(0xfffff7ffffffffffull), false },
	{ "loader", "initial loader mappings: kernel, HAL, boot drivers", REGION_IMAGE,
	  FIXED(0xfffff80000000000ull), FIXED(0xfffff87fffffffffull), false },
	/* Fallbacks after kdbg_rows. */
	{ "system-ptes", "system PTEs", REGION_SYSTEM_PTES,
	  FIXED(0xfffff88000000000ull), FIXED(0xfffff89fffffffffull), false },
	{ "paged-pool", "paged pool", REGION_PAGED_POOL,
	  FIXED(0xfffff8a000000000ull), FIXED(0xfffff8bfffffffffull), false },
	{ "session", "session space (PML4 slot 0x1f2)", REGION_SESSION,
	  FIXED(0xfffff90000000000ull), FIXED(0xfffff97fffffffffull), false },
	{ "dynamic", "dynamic kernel VA: system cache views, special pool", REGION_DYNAMIC,
	  FIXED(0xfffff98000000000ull), FIXED(0xfffffa7fffffffffull), false },
	{ "hal", "HAL and loader mappings", REGION_HAL,
	  FIXED(0xffffffffffc00000ull), FIXED(0xffffffffffffffffull), false },
};
static const struct row x64_10_fixed[] = {
	{ "shared-page", "KUSER_SHARED_DATA", REGION_HAL,
	  FIXED(0xfffff78000000000ull), FIXED(0xfffff78000000fffull), false },
	{ "system-images", "system images slot", REGION_IMAGE,
	  FIXED(0xfffff80000000000ull), FIXED(0xfffff87fffffffffull), false },
};

static const struct {
	enum va_layout family;
	const char *name;
	struct row_list lists[9];
	const char *note;          /* what the rows leave out, and why */
} layouts[] = {
	{ VA_LAYOUT_X86_XP, "x86 XP/2003", { ROWS(user_x86), ROWS(user_guard), ROWS(self_map_rows),
	  ROWS(kernel_image), ROWS(nonpaged_x86_xp), ROWS(kdbg_rows), ROWS(pfn_x86),
	  ROWS(x86_fixed), ROWS(x86_xp_fixed) }, NULL },
	{ VA_LAYOUT_X86_DYNAMIC, "x86 Vista and later (dynamic system VA)", { ROWS(user_x86),
	  ROWS(user_guard), ROWS(self_map_rows), ROWS(kernel_image), ROWS(kdbg_rows),
	  ROWS(pfn_x86), ROWS(x86_fixed) }, NULL },
	{ VA_LAYOUT_X64_7, "x64 Windows 7", { ROWS(user_x64_7), ROWS(user_guard),
	  ROWS(self_map_rows), ROWS(kernel_image), ROWS(kdbg_rows), ROWS(pfn_x64_7),
	  ROWS(x64_7_fixed) }, NULL },
	{ VA_LAYOUT_X64_10, "x64 Windows 8.1 and later", { ROWS(user_x64_10), ROWS(user_guard),
	  ROWS(self_map_rows), ROWS(kernel_image), ROWS(kdbg_rows), ROWS(pfn_x64_10),
	  ROWS(x64_10_fixed) },
	  "no hyperspace row: no KDBG variable names its slot and the public sources give "
	  "none from 8.1 on (doc/address-space.md §4.4)" },
};

/* A mapped run longer than this is not an image or an array kdx knows. */
#define MAX_RUN_PAGES 65536u

struct resolver {
	struct dump *d;
	const struct region_list *list;
	const struct profile *profile;
	char detail[80];
	bool from_kdbg, from_vmcoreinfo, from_scan, from_setup;
};

/* Names a variable a bound came from: "KDBG MmPagedPoolStart, ...". */
static void note_source(struct resolver *r, const char *from, const char *var)
{
	size_t n = strlen(r->detail);
	snprintf(r->detail + n, sizeof r->detail - n, "%s%s", n ? ", " : from, var);
}

static void note_var(struct resolver *r, const char *var)
{
	note_source(r, "KDBG ", var);
	r->from_kdbg = true;
}

static bool vmcoreinfo_var(struct resolver *r, const char *key, uint64_t *v)
{
	if (!vmcoreinfo_num(&r->d->src->notes, key, v))
		return false;
	note_source(r, "VMCOREINFO ", key);
	r->from_vmcoreinfo = true;
	return true;
}

/* Linux ia32: PAGE_OFFSET (the 3G/1G split) and the most low memory. */
#define LINUX_PAGE_OFFSET_32 0xc0000000ull
#define LINUX_MAXMEM_32 (896ull << 20)

/* A Linux x86_64 kernel address (the upper half). */
static bool linux_kernel_va(uint64_t v)
{
	return v >= 0xffff800000000000ull;
}

/* include/linux/mmzone.h: with SPARSEMEM_VMEMMAP each section's
 * section_mem_map holds vmemmap (the struct page of PFN 0) with flags in
 * its low bits (SECTION_MARKED_PRESENT, SECTION_HAS_MEM_MAP, ...); the map
 * starts on a page. SYMBOL(mem_section) is the array of sections, or with
 * SPARSEMEM_EXTREME an array of pointers to them: a pointer has no flag. */
#define SECTION_PRESENT_MAP 0x3ull
static bool vmemmap_base(struct resolver *r, uint64_t *v)
{
	uint64_t sections, off, x;
	if (!vmcoreinfo_num(&r->d->src->notes, "SYMBOL(mem_section)", &sections) ||
	    !vmcoreinfo_num(&r->d->src->notes, "OFFSET(mem_section.section_mem_map)", &off) ||
	    !dump_read_ptr(r->d, sections + off, &x))
		return false;
	if ((x & SECTION_PRESENT_MAP) != SECTION_PRESENT_MAP &&
	    (!dump_read_ptr(r->d, sections, &x) || !dump_read_ptr(r->d, x + off, &x)))
		return false;
	if ((x & SECTION_PRESENT_MAP) != SECTION_PRESENT_MAP || !linux_kernel_va(x))
		return false;
	*v = x & ~(uint64_t)(KDX_PAGE_SIZE - 1);
	note_source(r, "VMCOREINFO ", "mem_section's section_mem_map");
	r->from_vmcoreinfo = true;
	return true;
}

/* vmap_area_list is kept in address order (mm/vmalloc.c); its first area
 * is the lowest vmalloc address in use, and vmalloc_base is PUD-aligned
 * (arch/x86/mm/kaslr.c), 1 GiB. */
#define PUD_SIZE (1ull << 30)
static bool vmalloc_base(struct resolver *r, uint64_t *v)
{
	const struct dump_notes *n = &r->d->src->notes;
	uint64_t head, list, start, next, x;
	if (!vmcoreinfo_num(n, "SYMBOL(vmap_area_list)", &head) ||
	    !vmcoreinfo_num(n, "OFFSET(vmap_area.list)", &list) ||
	    !vmcoreinfo_num(n, "OFFSET(vmap_area.va_start)", &start) ||
	    !dump_read_ptr(r->d, head, &next) || next == head || next < list ||
	    !dump_read_ptr(r->d, next - list + start, &x) || !linux_kernel_va(x))
		return false;
	*v = x & ~(PUD_SIZE - 1);
	note_source(r, "VMCOREINFO ", "vmap_area_list's first area");
	r->from_vmcoreinfo = true;
	return true;
}

/* What libaddrxlat's Linux set-up found in the page tables: field 0 the
 * direct map, 1 the kernel text. */
static bool setup_bound(struct resolver *r, const struct bound *b, bool end, uint64_t *v)
{
	const struct linux_regions *lr = xlat_linux_regions(r->d->kernel);
	if (!lr || !(b->field ? lr->has_ktext : lr->has_direct))
		return false;
	*v = b->field ? (end ? lr->ktext_end : lr->ktext_start)
		      : (end ? lr->direct_end : lr->direct_start);
	r->from_setup = true;
	return true;
}

static bool kdbg_var(struct resolver *r, const struct bound *b, uint64_t *v)
{
	uint64_t addr;
	if (!dump_kdbg_field(r->d, b->field, 8, &addr) || !addr || !dump_read_ptr(r->d, addr, v))
		return false;
	note_var(r, b->var);
	return true;
}

/* SizeOfImage of the PE image at base. */
static bool image_size(struct dump *d, uint64_t base, uint64_t *size)
{
	uint8_t page[KDX_PAGE_SIZE];
	struct pe_headers *h = malloc(sizeof *h);
	bool ok = h && xlat_read(d->kernel, base, page, sizeof page, NULL) == sizeof page &&
		  !pe_read_headers(page, sizeof page, 0, h) && h->size_of_image;
	if (ok)
		*size = h->size_of_image;
	free(h);
	return ok;
}

/* The run of present page tables (PDEs, the level above the leaf) from
 * the one mapping from, down to floor or up to limit: its lowest VA
 * (down) or its highest (up). */
static bool tables_run(struct dump *d, uint64_t from, uint64_t limit, bool up, uint64_t *v)
{
	const struct paging_desc *pd = xlat_mode(d->kernel);
	int level = pd->levels - 2;
	uint64_t chunk = 1ull << pd->shift[level];
	uint64_t base = from & ~(chunk - 1);
	struct walk w;
	xlat_walk(d->kernel, base, &w);
	if (w.nlevels <= level || !w.level[level].present)
		return false;
	for (uint64_t n = 0; n < MAX_RUN_PAGES && (up ? limit - base >= 2 * chunk - 1
					: base >= chunk && base - chunk >= limit); n++) {
		uint64_t next = up ? base + chunk : base - chunk;
		xlat_walk(d->kernel, next, &w);
		if (w.nlevels <= level || !w.level[level].present)
			break;
		base = next;
	}
	*v = up ? base + chunk - 1 : base;
	return true;
}

static bool resolve(struct resolver *r, const struct bound *b, uint64_t start, uint64_t *v)
{
	const struct self_map *s = &r->list->self_map;
	uint64_t x, x_pa, floor;
	switch (b->kind) {
	case B_FIXED: *v = b->value; return true;
	case B_KDBG_VAR: return kdbg_var(r, b, v) && *v;
	case B_KDBG_VALUE:
		if (!dump_kdbg_field(r->d, b->field, 8, v) || !*v)
			return false;
		note_var(r, b->var);
		return true;
	case B_PTE_BASE: case B_PDE_BASE: case B_AFTER_PTE_SPACE:
		if (!s->pte_base)
			return false;
		r->from_scan = s->source == REGION_FROM_PAGE_TABLES;
		*v = b->kind == B_PTE_BASE ? s->pte_base : b->kind == B_PDE_BASE ? s->pde_base
			: s->pte_base + s->pte_space_size;
		return true;
	case B_SIZE: *v = start + b->value - 1; return true;
	case B_KDBG_VAR_SIZE:
		if (!kdbg_var(r, b, &x) || !x)
			return false;
		*v = start + x - 1;
		return true;
	case B_PTE_SPACE_SIZE:
		*v = start + s->pte_space_size - 1;
		return true;
	case B_PDE_SPACE_SIZE: {
		const struct paging_desc *pd = xlat_mode(r->d->kernel);
		*v = start + s->pte_space_size / (KDX_PAGE_SIZE / pd->entry_size) - 1;
		return true;
	}
	case B_IMAGE_SIZE:
		if (!image_size(r->d, start, &x))
			return false;
		*v = start + x - 1;
		return true;
	case B_PFN_SIZE:
		if (!r->profile || r->profile->mmpfn->size == PROF_ABSENT || !kdbg_var(r, b, &x))
			return false;
		*v = start + (x + 1) * r->profile->mmpfn->size - 1;
		return true;
	case B_MAPPED_RUN:
		*v = start | (KDX_PAGE_SIZE - 1);
		for (x = 0; x < MAX_RUN_PAGES && xlat_to_phys(r->d->kernel, *v + 1, &x_pa) == XLAT_OK;
		     x++)
			*v += KDX_PAGE_SIZE;
		r->from_scan = true;
		return xlat_to_phys(r->d->kernel, start, &x_pa) == XLAT_OK;
	case B_TABLES_RUN:
		r->from_scan = true;
		return tables_run(r->d, start, b->value ? b->value : UINT64_MAX, true, v);
	case B_SLOT_END:
		*v = start | ((1ull << 39) - 1);
		return true;
	case B_VMCOREINFO: return vmcoreinfo_var(r, b->var, v);
	case B_VMCOREINFO_SIZE:
		if (!vmcoreinfo_var(r, b->var, &x) || !x)
			return false;
		*v = start + x - 1;
		return true;
	case B_VMCOREINFO_PLUS:
		if (!vmcoreinfo_var(r, b->var, &x))
			return false;
		*v = b->value + x;
		return true;
	case B_VMEMMAP_BASE: return vmemmap_base(r, v);
	case B_VMALLOC_BASE: return vmalloc_base(r, v);
	case B_SETUP_START: return setup_bound(r, b, false, v);
	case B_SETUP_END: return setup_bound(r, b, true, v);
	case B_TABLES_BELOW_VAR:
		if (!dump_kdbg_field(r->d, b->field, 8, &x) || !x || !dump_read_ptr(r->d, x, &x))
			return false;
		r->from_scan = true;
		/* The system PTEs from MmNonPagedSystemStart may have present
		 * tables right below (doc/address-space.md §4.1 lists it among the bounds). */
		if (!kdbg_variable(r->d, KDBG_MM_NONPAGED_SYSTEM_START, &floor))
			floor = 0;
		return tables_run(r->d, x, floor, false, v);
	}
	return false;
}

struct region *region_list_push(struct region_list *l)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct region *p = realloc(l->items, cap * sizeof *p);
		if (!p)
			return NULL;
		l->items = p;
		l->cap = cap;
	}
	struct region *r = &l->items[l->count++];
	memset(r, 0, sizeof *r);
	return r;
}

static bool named(const struct region_list *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return true;
	return false;
}

static int add_row(struct dump *d, struct region_list *l, const struct profile *prof,
		   const struct row *row, struct kdx_error *err)
{
	if (named(l, row->name))
		return 0;
	struct resolver r = { .d = d, .list = l, .profile = prof };
	uint64_t start, end;
	if (!resolve(&r, &row->start, 0, &start) || !resolve(&r, &row->end, start, &end))
		return 0;
	if (row->end_exclusive)
		end--;
	const struct paging_desc *pd = xlat_mode(d->kernel);
	if (end < start || !paging_is_canonical(pd, start) || !paging_is_canonical(pd, end))
		return 0;
	struct region *g = region_list_push(l);
	if (!g)
		return kdx_fail(err, "layout: out of memory");
	snprintf(g->name, sizeof g->name, "%s", row->name);
	g->description = row->description;
	g->start = start;
	g->end = end;
	g->kind = row->kind;
	if (r.from_setup) {
		g->source = REGION_FROM_PAGE_TABLES;
		snprintf(g->source_detail, sizeof g->source_detail,
			 "libaddrxlat's Linux set-up: the linear run the page tables map");
	} else if (r.from_kdbg || r.from_vmcoreinfo) {
		g->source = r.from_kdbg ? REGION_FROM_KDBG : REGION_FROM_VMCOREINFO;
		snprintf(g->source_detail, sizeof g->source_detail, "%s%s", r.detail,
			 row->end.kind == B_MAPPED_RUN ? "; end: mapped pages"
			 : row->end.kind == B_TABLES_RUN ? "; end: present page tables"
			 : row->start.kind == B_TABLES_BELOW_VAR ? "; start: present page tables" : "");
	} else if (r.from_scan) {
		g->source = REGION_FROM_PAGE_TABLES;
		if (row->end.kind == B_MAPPED_RUN)
			snprintf(g->source_detail, sizeof g->source_detail, "mapped pages");
		else if (row->end.kind == B_TABLES_RUN)
			snprintf(g->source_detail, sizeof g->source_detail, "present page tables");
		else
			snprintf(g->source_detail, sizeof g->source_detail,
				 "self-map slot 0x%x found in the PML4", l->self_map.index);
	} else {
		g->source = REGION_FROM_FIXED;
		if (l->fixed_cite)
			snprintf(g->source_detail, sizeof g->source_detail, "%s", l->fixed_cite);
		else
			snprintf(g->source_detail, sizeof g->source_detail, "fixed layout (%s)",
				 l->layout_name);
	}
	return 0;
}

static bool covered(const struct region_list *l, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < l->count; i++)
		if (start <= l->items[i].end && end >= l->items[i].start)
			return true;
	return false;
}

/* doc/address-space.md §4.2 (x86 Vista+: page-directory-sized chunks) and 4.4 (x64 10:
 * PML4 slots): system VA in use that no variable names, as the kernel's
 * directory shows it. x86 runs of chunks merge; x64 slots stay apart. */
static int add_unnamed_system_va(struct dump *d, struct region_list *l, struct kdx_error *err)
{
	const struct paging_desc *pd = xlat_mode(d->kernel);
	bool x64 = pd->mode == PAGING_X64;
	int level = x64 ? 0 : pd->levels - 2;
	uint64_t chunk = 1ull << pd->shift[level];
	uint64_t system_start = 0x80000000u, addr;
	if (!x64 && dump_kdbg_field(d, KDBG_MM_SYSTEM_RANGE_START, 8, &addr) && addr)
		dump_read_ptr(d, addr, &system_start);
	uint64_t first = x64 ? 256 : system_start / chunk, count = x64 ? 512 : (1ull << 32) / chunk;
	unsigned n = 0;
	struct region *last = NULL;
	for (uint64_t i = first; i < count; i++) {
		uint64_t va = paging_canonical(pd, i * chunk), end = va + chunk - 1;
		struct walk w;
		xlat_walk(d->kernel, va, &w);
		if (w.nlevels <= level || !w.level[level].present || covered(l, va, end))
			continue;
		if (!x64 && last && last->end + 1 == va) {
			last->end = end;
			continue;
		}
		last = region_list_push(l);
		if (!last)
			return kdx_fail(err, "layout: out of memory");
		snprintf(last->name, sizeof last->name, "dynamic-%u", ++n);
		last->description = x64 ? "PML4 slot in use that no variable names"
					: "dynamically assigned system VA (present PDEs)";
		last->start = va;
		last->end = end;
		last->kind = REGION_DYNAMIC;
		last->source = REGION_FROM_PAGE_TABLES;
		snprintf(last->source_detail, sizeof last->source_detail, "present %s of the kernel",
			 pd->level_names[level]);
	}
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct region *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

static void check_kdbg_pte_base(struct dump *d, struct self_map *s)
{
	uint64_t v, deref;
	if (!s->found || !dump_kdbg_field(d, KDBG_PTE_BASE, 8, &v) || !v)
		return;
	/* doc/address-space.md, open question 8: the field may hold the base or MmPteBase's address. */
	s->kdbg_checked = true;
	s->kdbg_agrees = v == s->pte_base || (dump_read_ptr(d, v, &deref) && deref == s->pte_base);
}

/* ---- A Linux kernel's layout: each region where this kernel put it, as
 * libaddrxlat's Linux set-up found it in the page tables or as VMCOREINFO
 * leads to it; else at the bases and sizes of the kernel's
 * Documentation/x86/x86_64/mm.rst (4-level paging), which KASLR
 * (CONFIG_RANDOMIZE_BASE, CONFIG_RANDOMIZE_MEMORY) moves. ---- */

#define SETUP(which, end) { (end) ? B_SETUP_END : B_SETUP_START, 0, which, NULL }
#define START_KERNEL_MAP 0xffffffff80000000ull   /* __START_KERNEL_map */
static const struct row linux_x64[] = {
	{ "user", "user space (128 TiB)", REGION_USER, FIXED(0), FIXED(0x7fffffffffffull), false },
	{ "direct-map", "direct map of all physical memory", REGION_DIRECT_MAP,
	  SETUP(0, false), SETUP(0, true), false },
	{ "direct-map", "direct map of all physical memory (mm.rst base)", REGION_DIRECT_MAP,
	  FIXED(0xffff888000000000ull), FIXED(0xffffc87fffffffffull), false },
	{ "vmalloc", "vmalloc/ioremap space (32 TiB)", REGION_VMALLOC,
	  { B_VMALLOC_BASE, 0, 0, NULL }, SIZE(32ull << 40), false },
	{ "vmalloc", "vmalloc/ioremap space (mm.rst base)", REGION_VMALLOC,
	  FIXED(0xffffc90000000000ull), FIXED(0xffffe8ffffffffffull), false },
	{ "vmemmap", "virtual memory map: the struct page array (1 TiB)", REGION_VMEMMAP,
	  { B_VMEMMAP_BASE, 0, 0, NULL }, SIZE(1ull << 40), false },
	{ "vmemmap", "virtual memory map: the struct page array (mm.rst base)", REGION_VMEMMAP,
	  FIXED(0xffffea0000000000ull), FIXED(0xffffeaffffffffffull), false },
	{ "kernel-map", "kernel text mapping space (KERNEL_IMAGE_SIZE)", REGION_IMAGE,
	  FIXED(START_KERNEL_MAP), { B_VMCOREINFO_SIZE, 0, 0, "NUMBER(KERNEL_IMAGE_SIZE)" }, false },
	{ "kernel-map", "kernel text mapping space (mm.rst)", REGION_IMAGE,
	  FIXED(START_KERNEL_MAP), FIXED(0xffffffff9fffffffull), false },
	{ "kernel-text", "the kernel image, where KASLR put it", REGION_IMAGE,
	  SETUP(1, false), SETUP(1, true), false },
	/* cleanup_highmap (arch/x86/mm/init_64.c) leaves the kernel map's PMDs
	 * from _text to the image's end and clears the others; inside, pages
	 * between text, rodata and data are unmapped. */
	{ "kernel-text", "the kernel image, where KASLR put it", REGION_IMAGE,
	  { B_VMCOREINFO, 0, 0, "SYMBOL(_stext)" }, { B_TABLES_RUN, 0, 0, NULL }, false },
	{ "modules", "module mapping space", REGION_IMAGE,
	  { B_VMCOREINFO_PLUS, START_KERNEL_MAP, 0, "NUMBER(KERNEL_IMAGE_SIZE)" },
	  FIXED(0xfffffffffeffffffull), false },
	{ "modules", "module mapping space (mm.rst)", REGION_IMAGE,
	  FIXED(0xffffffffa0000000ull), FIXED(0xfffffffffeffffffull), false },
};
/* ia32: PAGE_OFFSET 0xC0000000 (arch/x86/Kconfig, VMSPLIT_3G, the
 * default); low memory is the RAM mapped from there, at most MAXMEM, 896
 * MiB (arch/x86/include/asm/pgtable_32_areas.h: what the 128 MiB of
 * vmalloc, fixmap and pkmap space leave), as far as the kernel's page
 * tables run on: vmalloc starts VMALLOC_OFFSET, 8 MiB, past its end. */
static const struct row linux_x86[] = {
	{ "user", "user space (3 GiB)", REGION_USER, FIXED(0), FIXED(LINUX_PAGE_OFFSET_32 - 1),
	  false },
	{ "direct-map", "low memory, mapped from PAGE_OFFSET", REGION_DIRECT_MAP,
	  SETUP(0, false), SETUP(0, true), false },
	{ "direct-map", "low memory: the RAM mapped from PAGE_OFFSET, at most 896 MiB",
	  REGION_DIRECT_MAP, FIXED(LINUX_PAGE_OFFSET_32),
	  { B_TABLES_RUN, LINUX_PAGE_OFFSET_32 + LINUX_MAXMEM_32 - 1, 0, NULL }, false },
	{ "direct-map", "low memory, mapped from PAGE_OFFSET (at most 896 MiB)",
	  REGION_DIRECT_MAP, FIXED(LINUX_PAGE_OFFSET_32), SIZE(LINUX_MAXMEM_32), false },
};

static int linux_layout(struct dump *d, struct region_list *out, struct kdx_error *err)
{
	bool x64 = d->paging == PAGING_X64;
	out->layout_name = x64 ? "Linux x86_64 (4-level paging)" : "Linux ia32";
	out->fixed_cite = x64 ? "Linux Documentation/x86/x86_64/mm.rst" :
		"Linux arch/x86/Kconfig PAGE_OFFSET; pgtable_32_areas.h MAXMEM";
	if (!xlat_linux_regions(d->kernel))
		snprintf(out->warning, sizeof out->warning, "%s: no region comes from libaddrxlat's "
			 "set-up; layout reads VMCOREINFO and the page tables, else defaults",
			 d->linux_setup_fault);
	const struct row *rows = x64 ? linux_x64 : linux_x86;
	size_t n = x64 ? sizeof linux_x64 / sizeof linux_x64[0] : sizeof linux_x86 / sizeof linux_x86[0];
	for (size_t i = 0; i < n; i++)
		if (add_row(d, out, NULL, &rows[i], err) < 0) {
			region_list_free(out);
			return -1;
		}
	region_list_order(out);
	return 0;
}

int layout_build(struct dump *d, struct region_list *out, struct kdx_error *err)
{
	memset(out, 0, sizeof *out);
	if (!d->kernel)
		return kdx_fail(err, "layout: no kernel page tables known for this dump");
	if (d->os[0])
		return linux_layout(d, out, err);
	/* The column's family; a build kdx has no column for gets its era's. */
	enum va_layout fam;
	const struct profile *prof = d->layout.nearest ? NULL : d->layout.profile;
	if (prof)
		fam = prof->va_layout;
	else if (d->paging == PAGING_X64)
		fam = d->has_build && d->build < NT_BUILD_WIN81 ? VA_LAYOUT_X64_7 : VA_LAYOUT_X64_10;
	else
		fam = d->has_build && d->build < NT_BUILD_VISTA ? VA_LAYOUT_X86_XP : VA_LAYOUT_X86_DYNAMIC;
	size_t li = 0;
	while (layouts[li].family != fam)
		li++;
	out->layout_name = layouts[li].name;
	out->layout_note = layouts[li].note;
	out->dynamic = fam == VA_LAYOUT_X86_DYNAMIC;
	layout_find_self_map(d->src, d->paging, xlat_dtb(d->kernel), &out->self_map);
	check_kdbg_pte_base(d, &out->self_map);
	for (size_t i = 0; i < sizeof layouts[li].lists / sizeof layouts[li].lists[0]; i++) {
		const struct row_list *rl = &layouts[li].lists[i];
		for (size_t j = 0; j < rl->count; j++)
			if (add_row(d, out, prof, &rl->rows[j], err) < 0) {
				region_list_free(out);
				return -1;
			}
	}
	if ((out->dynamic || fam == VA_LAYOUT_X64_10) && add_unnamed_system_va(d, out, err) < 0) {
		region_list_free(out);
		return -1;
	}
	region_list_order(out);
	return 0;
}

void region_list_order(struct region_list *l)
{
	qsort(l->items, l->count, sizeof *l->items, by_start);
	uint64_t reach = 0;
	for (size_t i = 0; i < l->count; i++) {
		struct region *g = &l->items[i];
		g->nested = i > 0 && g->end <= reach;
		if (g->end > reach)
			reach = g->end;
	}
}

void region_list_free(struct region_list *l)
{
	free(l->items);
	memset(l, 0, sizeof *l);
}

size_t layout_nonpaged_pool(struct dump *d, uint64_t start[LAYOUT_NONPAGED_PARTS],
			    uint64_t end[LAYOUT_NONPAGED_PARTS])
{
	struct region_list l;
	struct kdx_error err;
	size_t n = 0;
	if (layout_build(d, &l, &err) < 0)
		return 0;
	for (size_t i = 0; i < l.count && n < LAYOUT_NONPAGED_PARTS; i++)
		if (l.items[i].kind == REGION_NONPAGED_POOL) {
			start[n] = l.items[i].start;
			end[n++] = l.items[i].end;
		}
	region_list_free(&l);
	return n;
}

const struct region *region_find(const struct region_list *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcasecmp(l->items[i].name, name) == 0)
			return &l->items[i];
	char *end;
	unsigned long idx = strtoul(name, &end, 10);
	if (*name && !*end && idx < l->count)
		return &l->items[idx];
	return NULL;
}

void layout_system_range(const struct dump *d, uint64_t *start, uint64_t *end)
{
	bool x64 = d->paging == PAGING_X64;
	*start = x64 ? 0xffff800000000000ull : d->os[0] ? LINUX_PAGE_OFFSET_32 : 0x80000000ull;
	*end = x64 ? ~0ull : 0xffffffffull;
}
