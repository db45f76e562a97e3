/* Linux guests as QEMU dumps them, for the page-level panes. x86_64: 64 MiB
 * of RAM, the kernel's 4-level tables at swapper_pg_dir (init_top_pgt)
 * with the regions of the kernel's Documentation/x86/x86_64/mm.rst (the
 * direct map at 0xffff888000000000 in 2 MiB pages; vmalloc in 4 KiB pages,
 * one not present, and vmemmap where memory KASLR (arch/x86/mm/kaslr.c)
 * put them, not at mm.rst's bases; the kernel text at __START_KERNEL_map +
 * KERNELOFFSET in 2 MiB pages), every CPU's CR3 in QEMU's notes and a
 * VMCOREINFO note as the kernel writes it (kernel/crash_core.c and
 * arch/x86/kernel/machine_kexec_64.c: OSRELEASE, SYMBOL(swapper_pg_dir),
 * NUMBER(phys_base), KERNELOFFSET, KERNEL_IMAGE_SIZE; mem_section, whose
 * first section's section_mem_map encodes vmemmap, and vmap_area_list,
 * whose first area starts vmalloc). Each data page holds its physical
 * address in its first 8 bytes. ia32 PAE: the same RAM mapped from
 * PAGE_OFFSET 0xc0000000 in 2 MiB pages, vmalloc 8 MiB above it with its
 * first vmap_area on vmap_area_list (mm/vmalloc.c; VMCOREINFO names the
 * list and the offsets as 6.1's does), and CONFIG_X86_PAE=y in VMCOREINFO. The truth gives the walks in the kernel's
 * names for the levels (PGD, PUD, PMD, PTE; the P4D folded; PAE PGD, PMD,
 * PTE). */
#include "tests/gen/linux.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define START_KERNEL_MAP 0xffffffff80000000ull
#define KERNEL_OFFSET 0x2000000ull              /* KASLR: _text above 0xffffffff81000000 */
#define TEXT_VA (0xffffffff81000000ull + KERNEL_OFFSET)
#define PHYS_BASE 0x200000ull
#define TEXT_PA (TEXT_VA - START_KERNEL_MAP + PHYS_BASE)
#define TEXT_BYTES (8ull << 20)
#define PGD_VA (TEXT_VA + 0x600000)              /* swapper_pg_dir, in the image */
#define PGD_PA (PGD_VA - START_KERNEL_MAP + PHYS_BASE)
#define DIRECT_MAP 0xffff888000000000ull
#define KERNEL_IMAGE_SIZE (1ull << 30)          /* with KASLR */
#define MODULES_END 0xfffffffffeffffffull
#define VMALLOC 0xffffb4e0c0000000ull            /* 1 GiB aligned, as KASLR places it */
#define VMALLOC_SIZE (32ull << 40)
#define VMEMMAP 0xffffd7a5c0000000ull
#define VMEMMAP_SIZE (1ull << 40)
#define VMEMMAP_PA 0x1e00000ull
/* SPARSEMEM_EXTREME: mem_section points at roots of sections (in the
 * direct map); vmap_area_list's head is in the image, its first
 * vmap_area in the direct map. */
#define MEM_SECTION_PA 0x1100000ull
#define SECTIONS_PA 0x1101000ull
#define VMAP_AREA_PA 0x1102000ull
#define VMAP_AREA_LIST (TEXT_VA + 0x700000)
#define VMAP_AREA_LIST_OFF 40                     /* OFFSET(vmap_area.list) */
/* ia32 PAE: lowmem mapped from PAGE_OFFSET, vmalloc 8 MiB above its end */
#define PAGE_OFFSET_32 0xc0000000ull
#define PGD_PA_32 0x1a00000ull
#define VMALLOC_32 (PAGE_OFFSET_32 + RAM_END + (8ull << 20))
/* vmap_area_list (a list_head) and the first vmap_area, in lowmem, at the
 * offsets of 6.1's 686-pae build: va_start 0, list 20, list_head.next 0 */
#define VMAP_LIST_PA_32 0x1c00000ull
#define VMAP_AREA_PA_32 0x1c00100ull
#define VMAP_AREA_LIST_OFF_32 20
#define VMALLOC_PAGES 8                          /* the last one not present */
#define VMALLOC_PA 0x2800000ull
#define RAM_END (64ull << 20)
#define LARGE (1ull << 21)
#define P 0x1ull                                 /* present */
#define RW 0x2ull
#define PS 0x80ull                               /* page size: a 2 MiB leaf */
#define NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* The paging the guest's tables use: 4-level x86_64 or 3-level PAE. */
struct shape {
	int levels, large_level;
	int shift[4];
	unsigned mask[4];
	uint64_t top_flags;                      /* a PAE PDPTE has no R/W bit */
	const char *names[4];
};
static const struct shape x64_shape = { 4, 2, { 39, 30, 21, 12 }, { 511, 511, 511, 511 },
	P | RW, { "PGD", "PUD", "PMD", "PTE" } };
static const struct shape pae_shape = { 3, 1, { 30, 21, 12 }, { 3, 511, 511 },
	P, { "PGD", "PMD", "PTE" } };

static uint64_t get64(struct gen_image *img, uint64_t pa)
{
	const uint8_t *p = gen_page(img, pa >> 12) + (pa & 0xfff);
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static unsigned idx(const struct shape *sh, uint64_t va, int level)
{
	return (unsigned)(va >> sh->shift[level]) & sh->mask[level];
}

/* Writes the entry for va at the leaf level (the large-page level when
 * large); missing tables are allocated from *next. */
static void put_leaf(struct gen_image *img, const struct shape *sh, uint64_t root, uint64_t va,
		     uint64_t entry, bool large, uint64_t *next)
{
	uint64_t t = root;
	int leaf = large ? sh->large_level : sh->levels - 1;
	for (int l = 0; l < leaf; l++) {
		uint64_t at = t + 8 * idx(sh, va, l), e = get64(img, at);
		if (!(e & P)) {
			e = *next | (l ? P | RW : sh->top_flags);
			*next += 0x1000;
			gen_put64(img, at, e);
		}
		t = e & PTE_ADDR;
	}
	gen_put64(img, t + 8 * idx(sh, va, leaf), entry);
}

/* Maps va to pa, a 2 MiB leaf when large; flags beyond P|RW|PS from extra. */
static void map(struct gen_image *img, const struct shape *sh, uint64_t root, uint64_t va,
		uint64_t pa, bool large, uint64_t extra, uint64_t *next)
{
	put_leaf(img, sh, root, va, pa | P | RW | (large ? PS : 0) | extra, large, next);
}

/* Not-present entries as Linux 6.1 writes them (arch/x86/include/asm/
 * pgtable_64.h __swp_entry; PAE the same in pgtable-3level.h
 * __swp_pteval_entry): a swap entry keeps the type in bits 59..63 and the
 * offset inverted from bit 9 (SWP_OFFSET_SHIFT 14, SWP_TYPE_BITS 5), here
 * with _PAGE_SWP_SOFT_DIRTY (bit 1); a PROT_NONE entry is PAGE_NONE
 * (_PAGE_PROTNONE, the Global bit, and Accessed) with the page's frame
 * inverted (pgtable-invert.h), here written to as well. Both sit after
 * the vmalloc pages. */
#define SWAP_TYPE 1ull
#define SWAP_OFFSET 0x12345ull
#define PROT_NONE_PA 0x2a5000ull
#define SWAP_VA(vmalloc) ((vmalloc) + VMALLOC_PAGES * 0x1000ull)
#define PROT_NONE_VA(vmalloc) ((vmalloc) + (VMALLOC_PAGES + 1) * 0x1000ull)

static void put_not_present(struct linux_guest *g, const struct shape *sh, uint64_t vmalloc,
			    uint64_t *next)
{
	uint64_t swap = (~SWAP_OFFSET << 14 >> 5) | SWAP_TYPE << 59 | RW;
	uint64_t prot_none = (~PROT_NONE_PA & PTE_ADDR) | 0x100 | 0x40 | 0x20;
	put_leaf(&g->img, sh, g->img.dtb, SWAP_VA(vmalloc), swap, false, next);
	put_leaf(&g->img, sh, g->img.dtb, PROT_NONE_VA(vmalloc), prot_none, false, next);
	g->absent[0] = (struct linux_absent){ SWAP_VA(vmalloc), "swap", true, SWAP_TYPE,
					      SWAP_OFFSET, 0 };
	g->absent[1] = (struct linux_absent){ PROT_NONE_VA(vmalloc), "prot-none", false, 0, 0,
					      PROT_NONE_PA >> 12 };
	g->absent[2] = (struct linux_absent){ vmalloc + (VMALLOC_PAGES - 1) * 0x1000ull, "empty",
					      false, 0, 0, 0 };
}

/* The truth's walk, read back from the tables as any reader would. */
static void walk(struct gen_image *img, const struct shape *sh, uint64_t root,
		 struct linux_xlat *x)
{
	uint64_t t = root;
	x->nlevels = 0;
	x->pa = 0;
	x->present = false;
	for (int l = 0; l < sh->levels; l++) {
		struct linux_level *lv = &x->level[x->nlevels++];
		lv->name = sh->names[l];
		lv->table = t;
		lv->index = idx(sh, x->va, l);
		lv->entry_address = t + 8 * lv->index;
		lv->entry = get64(img, lv->entry_address);
		lv->large = l == sh->large_level && (lv->entry & PS);
		if (!(lv->entry & P))
			return;
		if (lv->large || l == sh->levels - 1) {
			uint64_t size = lv->large ? LARGE : 0x1000;
			x->pa = (lv->entry & PTE_ADDR & ~(size - 1)) | (x->va & (size - 1));
			x->present = true;
			return;
		}
		t = lv->entry & PTE_ADDR;
	}
}

static void tag_page(struct gen_image *img, uint64_t pa)
{
	gen_put64(img, pa & ~0xfffull, pa & ~0xfffull);
}

struct sample {
	uint64_t va;
	const char *region;
};

static void add_samples(struct linux_guest *g, const struct shape *sh,
			const struct sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct linux_xlat *x = &g->xl[g->nxl++];
		x->va = s[i].va;
		x->region = s[i].region;
		walk(&g->img, sh, g->img.dtb, x);
	}
}

/* x86_64: KASLR text, a direct map, vmalloc, vmemmap. */
static void build_x64(struct linux_guest *g)
{
	struct gen_image *img = &g->img;
	const struct shape *sh = &x64_shape;
	img->dtb = PGD_PA;
	/* the page tables after swapper_pg_dir, in the kernel image */
	uint64_t next = PGD_PA + 0x1000;
	gen_page(img, PGD_PA >> 12);
	for (uint64_t off = 0; off < TEXT_BYTES; off += LARGE)
		map(img, sh, PGD_PA, TEXT_VA + off, TEXT_PA + off, true, 0, &next);
	for (uint64_t pa = 0; pa < RAM_END; pa += LARGE)
		map(img, sh, PGD_PA, DIRECT_MAP + pa, pa, true, NX, &next);
	for (unsigned i = 0; i + 1 < VMALLOC_PAGES; i++)
		map(img, sh, PGD_PA, VMALLOC + i * 0x1000ull, VMALLOC_PA + i * 0x3000ull, false, NX,
		    &next);
	put_not_present(g, sh, VMALLOC, &next);
	map(img, sh, PGD_PA, VMEMMAP, VMEMMAP_PA, true, NX, &next);
	tag_page(img, TEXT_PA);
	tag_page(img, TEXT_PA + 0x123000);
	tag_page(img, VMEMMAP_PA);
	/* section 0's section_mem_map: vmemmap less PFN 0, with
	 * SECTION_MARKED_PRESENT, HAS_MEM_MAP, IS_ONLINE and IS_EARLY */
	gen_put64(img, MEM_SECTION_PA, DIRECT_MAP + SECTIONS_PA);
	gen_put64(img, SECTIONS_PA, VMEMMAP | 0xf);
	uint64_t list_pa = VMAP_AREA_LIST - START_KERNEL_MAP + PHYS_BASE;
	gen_put64(img, list_pa, DIRECT_MAP + VMAP_AREA_PA + VMAP_AREA_LIST_OFF);
	gen_put64(img, VMAP_AREA_PA, VMALLOC);
	gen_put64(img, VMAP_AREA_PA + 8, VMALLOC + 0x8000);
	gen_put64(img, VMAP_AREA_PA + VMAP_AREA_LIST_OFF, VMAP_AREA_LIST);
	snprintf(g->vmcoreinfo, sizeof g->vmcoreinfo,
		 "OSRELEASE=%s\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=%llx\n"
		 "SYMBOL(init_top_pgt)=%llx\nSYMBOL(_stext)=%llx\nNUMBER(phys_base)=%llu\n"
		 "SYMBOL(mem_section)=%llx\nLENGTH(mem_section)=4096\nSIZE(mem_section)=32\n"
		 "OFFSET(mem_section.section_mem_map)=0\nSYMBOL(vmap_area_list)=%llx\n"
		 "OFFSET(vmap_area.va_start)=0\nOFFSET(vmap_area.list)=%d\n"
		 "NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=%llx\n"
		 "NUMBER(KERNEL_IMAGE_SIZE)=%llu\n", LINUX_RELEASE,
		 (unsigned long long)PGD_VA, (unsigned long long)PGD_VA,
		 (unsigned long long)TEXT_VA, (unsigned long long)PHYS_BASE,
		 (unsigned long long)(DIRECT_MAP + MEM_SECTION_PA),
		 (unsigned long long)VMAP_AREA_LIST, VMAP_AREA_LIST_OFF,
		 (unsigned long long)KERNEL_OFFSET, (unsigned long long)KERNEL_IMAGE_SIZE);
	static const struct sample samples[] = {
		{ DIRECT_MAP + 0x1234567, "direct map" },
		{ DIRECT_MAP + 0x2800abc, "direct map" },
		{ VMALLOC + 0x10, "vmalloc" },
		{ VMALLOC + 0x3ff8, "vmalloc" },
		{ VMALLOC + (VMALLOC_PAGES - 1) * 0x1000ull + 0x20, "vmalloc" },
		{ VMEMMAP + 0x40, "vmemmap" },
		{ TEXT_VA + 0x18, "kernel text" },
		{ TEXT_VA + 0x123008, "kernel text" },
		{ PGD_VA, "kernel text" },
		{ VMALLOC + 0x40000000ull, "vmalloc" },
		{ SWAP_VA(VMALLOC) + 0x10, "vmalloc" },
		{ PROT_NONE_VA(VMALLOC) + 0x10, "vmalloc" },
	};
	add_samples(g, sh, samples, sizeof samples / sizeof samples[0]);
	static const struct linux_region regions[] = {
		{ "direct-map", DIRECT_MAP, DIRECT_MAP + RAM_END - 1 },
		{ "vmalloc", VMALLOC, VMALLOC + VMALLOC_SIZE - 1 },
		{ "vmemmap", VMEMMAP, VMEMMAP + VMEMMAP_SIZE - 1 },
		{ "kernel-map", START_KERNEL_MAP, START_KERNEL_MAP + KERNEL_IMAGE_SIZE - 1 },
		{ "kernel-text", TEXT_VA, TEXT_VA + TEXT_BYTES - 1 },
		{ "modules", START_KERNEL_MAP + KERNEL_IMAGE_SIZE, MODULES_END },
	};
	g->nregions = sizeof regions / sizeof regions[0];
	memcpy(g->regions, regions, sizeof regions);
}

/* ia32 PAE: lowmem from PAGE_OFFSET (the kernel text inside it), vmalloc
 * above it; no KASLR. libaddrxlat bounds the direct map by the vmalloc
 * start it reads from vmap_area_list; kdx ends it where the linear
 * mapping of lowmem does. */
static void build_pae(struct linux_guest *g)
{
	struct gen_image *img = &g->img;
	const struct shape *sh = &pae_shape;
	img->dtb = PGD_PA_32;
	uint64_t next = PGD_PA_32 + 0x1000;
	gen_page(img, PGD_PA_32 >> 12);
	for (uint64_t pa = 0; pa < RAM_END; pa += LARGE)
		map(img, sh, PGD_PA_32, PAGE_OFFSET_32 + pa, pa, true, NX, &next);
	for (unsigned i = 0; i + 1 < VMALLOC_PAGES; i++)
		map(img, sh, PGD_PA_32, VMALLOC_32 + i * 0x1000ull, VMALLOC_PA + i * 0x3000ull,
		    false, 0, &next);
	put_not_present(g, sh, VMALLOC_32, &next);
	tag_page(img, 0x1000000);
	gen_put32(img, VMAP_LIST_PA_32,
		  (uint32_t)(PAGE_OFFSET_32 + VMAP_AREA_PA_32 + VMAP_AREA_LIST_OFF_32));
	gen_put32(img, VMAP_AREA_PA_32, (uint32_t)VMALLOC_32);
	g->vmap_start_pa = VMAP_AREA_PA_32;
	snprintf(g->vmcoreinfo, sizeof g->vmcoreinfo,
		 "OSRELEASE=%s\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=%llx\n"
		 "SYMBOL(_stext)=c1000000\nSYMBOL(vmap_area_list)=%llx\nSIZE(list_head)=8\n"
		 "OFFSET(list_head.next)=0\nOFFSET(list_head.prev)=4\n"
		 "OFFSET(vmap_area.va_start)=0\nOFFSET(vmap_area.list)=%d\nCONFIG_X86_PAE=y\n",
		 LINUX_RELEASE_32, (unsigned long long)(PAGE_OFFSET_32 + PGD_PA_32),
		 (unsigned long long)(PAGE_OFFSET_32 + VMAP_LIST_PA_32), VMAP_AREA_LIST_OFF_32);
	static const struct sample samples[] = {
		{ PAGE_OFFSET_32 + 0x1234567, "direct map" },
		{ PAGE_OFFSET_32 + 0x1000010, "kernel text" },
		{ VMALLOC_32 + 0x10, "vmalloc" },
		{ VMALLOC_32 + 0x3ff8, "vmalloc" },
		{ VMALLOC_32 + (VMALLOC_PAGES - 1) * 0x1000ull + 0x20, "vmalloc" },
		{ 0xf0000000, "vmalloc" },
		{ 0x08048000, "user" },
		{ SWAP_VA(VMALLOC_32) + 0x10, "vmalloc" },
		{ PROT_NONE_VA(VMALLOC_32) + 0x10, "vmalloc" },
	};
	add_samples(g, sh, samples, sizeof samples / sizeof samples[0]);
	g->nregions = 1;
	g->regions[0] = (struct linux_region){ "direct-map", PAGE_OFFSET_32,
					       PAGE_OFFSET_32 + RAM_END - 1 };
}

int linux_guest_build(struct linux_guest *g, enum paging mode, struct kdx_error *err)
{
	memset(g, 0, sizeof *g);
	const struct phys_range ram[] = { { 0, 0x9f000 }, { 0x100000, RAM_END } };
	struct gen_image *img = &g->img;
	if (gen_image_init(img, mode, ram, 2) < 0)
		return kdx_fail(err, "linux: cannot set up its RAM");
	img->processors = 2;
	if (mode == PAGING_X64)
		build_x64(g);
	else
		build_pae(g);
	img->vmcoreinfo = g->vmcoreinfo;
	for (unsigned i = 0; i + 1 < VMALLOC_PAGES; i++)
		tag_page(img, VMALLOC_PA + i * 0x3000ull);
	tag_page(img, 0x1234000);
	return 0;
}

/* The truth in the keys batch.test and kdx's info and vtop use. */
static int write_truth(const struct linux_guest *g, const char *path, enum gen_format fmt,
		       const char *origin, struct kdx_error *err)
{
	const struct gen_image *img = &g->img;
	uint64_t pages = 0;
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++)
		pages += gen_is_ram(img, pfn);
	FILE *f = fopen(path, "w");
	if (!f)
		return kdx_fail(err, "%s: cannot create: %s", path, strerror(errno));
	bool x64 = img->paging == PAGING_X64;
	fprintf(f, "{\n  \"generator\": \"kdx-gen linux\",\n  \"info\": {\n"
		"    \"format\": \"%s\",\n    \"dump_type\": null,\n    \"build\": null,\n"
		"    \"kdbg\": null,\n    \"bugcheck\": null,\n    \"physical_pages\": %llu,\n"
		"    \"machine\": \"%s\",\n    \"paging\": \"%s\",\n    \"cr3\": \"0x%llx\",\n"
		"    \"cr3_origin\": \"%s\",\n    \"processors\": %u,\n"
		"    \"kernel\": \"Linux %s: no Windows kernel; page-level panes work\"\n  },\n"
		"  \"regions\": [", gen_is_kdump(fmt) ? "kdump" : "elf", (unsigned long long)pages,
		x64 ? "x64" : "x86", x64 ? "x64" : "pae", (unsigned long long)img->dtb, origin,
		img->processors, x64 ? LINUX_RELEASE : LINUX_RELEASE_32);
	for (size_t i = 0; i < g->nregions; i++)
		fprintf(f, "%s\n    { \"name\": \"%s\", \"start\": \"0x%llx\", \"end\": \"0x%llx\" }",
			i ? "," : "", g->regions[i].name, (unsigned long long)g->regions[i].start,
			(unsigned long long)g->regions[i].end);
	fprintf(f, "\n  ],\n  \"not_present\": [");
	for (size_t i = 0; i < sizeof g->absent / sizeof g->absent[0]; i++) {
		const struct linux_absent *a = &g->absent[i];
		fprintf(f, "%s\n    { \"va\": \"0x%llx\", \"state\": \"%s\", ", i ? "," : "",
			(unsigned long long)a->va, a->state);
		if (a->swap)
			fprintf(f, "\"swap_type\": %llu, \"swap_offset\": \"0x%llx\", ",
				(unsigned long long)a->swap_type, (unsigned long long)a->swap_offset);
		else
			fprintf(f, "\"swap_type\": null, \"swap_offset\": null, ");
		if (a->pfn)
			fprintf(f, "\"pfn\": \"0x%llx\" }", (unsigned long long)a->pfn);
		else
			fprintf(f, "\"pfn\": null }");
	}
	fprintf(f, "\n  ],\n  \"translations\": [");
	for (size_t i = 0; i < g->nxl; i++) {
		const struct linux_xlat *x = &g->xl[i];
		fprintf(f, "%s\n    {\n      \"va\": \"0x%llx\",\n      \"region\": \"%s\",\n"
			"      \"levels\": [", i ? "," : "", (unsigned long long)x->va, x->region);
		for (int l = 0; l < x->nlevels; l++) {
			const struct linux_level *lv = &x->level[l];
			fprintf(f, "%s\n        { \"level\": \"%s\", \"table\": \"0x%llx\", "
				"\"index\": %u, \"entry_address\": \"0x%llx\", \"entry\": \"0x%llx\", "
				"\"present\": %s, \"large\": %s }", l ? "," : "", lv->name,
				(unsigned long long)lv->table, lv->index,
				(unsigned long long)lv->entry_address, (unsigned long long)lv->entry,
				lv->entry & P ? "true" : "false", lv->large ? "true" : "false");
		}
		if (x->present)
			fprintf(f, "\n      ],\n      \"pa\": \"0x%llx\",\n      \"stopped_at\": null,\n"
				"      \"reason\": null\n    }", (unsigned long long)x->pa);
		else
			fprintf(f, "\n      ],\n      \"pa\": null,\n      \"stopped_at\": \"%s\",\n"
				"      \"reason\": \"not-present\"\n    }", x->level[x->nlevels - 1].name);
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		return kdx_fail(err, "%s: write failed", path);
	return 0;
}

/* Each guest as QEMU writes it, and with every CPU's CR3 beyond the RAM,
 * so that only VMCOREINFO's swapper_pg_dir leads to the tables. The ia32
 * guest also with its first vmap_area starting in user space, which
 * libaddrxlat's Linux set-up refuses: CPU 0's CR3 then translates by hand
 * and layout shows the kernel's default lowmem (896 MiB). kdx-gen writes
 * kdump files of 64-bit machines only. */
int linux_fixtures_write(const char *dir, struct kdx_error *err)
{
	static const struct { enum paging mode; const char *name; enum gen_format fmt;
			      const char *suffix; bool bad_cr3, bad_vmap; } out[] = {
		{ PAGING_X64, "linux-x64", GEN_ELF_QEMU, ".qemu.elf", false, false },
		{ PAGING_X64, "linux-x64", GEN_KDUMP_FLAT, ".flat.kdump", false, false },
		{ PAGING_X64, "linux-x64", GEN_KDUMP_ZLIB, ".kdump", false, false },
		{ PAGING_X64, "linux-x64", GEN_ELF_QEMU, ".swapper.qemu.elf", true, false },
		{ PAGING_PAE, "linux-pae", GEN_ELF_QEMU, ".qemu.elf", false, false },
		{ PAGING_PAE, "linux-pae", GEN_ELF_QEMU, ".swapper.qemu.elf", true, false },
		{ PAGING_PAE, "linux-pae", GEN_ELF_QEMU, ".badvmap.qemu.elf", false, true },
	};
	struct linux_guest *g = malloc(sizeof *g);
	if (!g)
		return kdx_fail(err, "out of memory");
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof out / sizeof out[0]; i++) {
		if (i == 0 || out[i].mode != out[i - 1].mode) {
			if (i)
				gen_image_free(&g->img);
			r = linux_guest_build(g, out[i].mode, err);
			if (r < 0)
				break;
		}
		char path[4096], truth[4096 + 16];
		snprintf(path, sizeof path, "%s/%s%s", dir, out[i].name, out[i].suffix);
		snprintf(truth, sizeof truth, "%s.truth.json", path);
		for (uint32_t c = 0; c < g->img.processors; c++)
			g->img.cpu_cr3[c] = out[i].bad_cr3 ? RAM_END + 0x100000 : 0;
		if (out[i].bad_vmap)
			gen_put32(&g->img, g->vmap_start_pa, 0x1000);
		r = gen_write(&g->img, out[i].fmt, path, err);
		if (r == 0)
			r = write_truth(g, truth, out[i].fmt, out[i].bad_cr3 ?
					"VMCOREINFO swapper_pg_dir" : "QEMU CPU 0 note", err);
		if (out[i].bad_vmap)
			gen_put32(&g->img, g->vmap_start_pa, (uint32_t)VMALLOC_32);
	}
	gen_image_free(&g->img);
	free(g);
	return r;
}
