/* A Linux x86_64 guest as QEMU dumps it, for the page-level panes: 64 MiB
 * of RAM, the kernel's 4-level tables at swapper_pg_dir (init_top_pgt)
 * with the regions of the kernel's Documentation/x86/x86_64/mm.rst (the
 * direct map at 0xffff888000000000 in 2 MiB pages, vmalloc at
 * 0xffffc90000000000 in 4 KiB pages, one not present, vmemmap at
 * 0xffffea0000000000, the kernel text at __START_KERNEL_map +
 * KERNELOFFSET in 2 MiB pages), every CPU's CR3 in QEMU's notes and a
 * VMCOREINFO note as the kernel writes it (kernel/crash_core.c and
 * arch/x86/kernel/machine_kexec_64.c: OSRELEASE, SYMBOL(swapper_pg_dir),
 * NUMBER(phys_base), KERNELOFFSET). Each data page holds its physical
 * address in its first 8 bytes. The truth gives the walks in the kernel's
 * names for the levels (PGD, PUD, PMD, PTE; the P4D folded). */
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
#define VMALLOC 0xffffc90000000000ull
#define VMEMMAP 0xffffea0000000000ull
#define VMEMMAP_PA 0x1e00000ull
#define VMALLOC_PAGES 8                          /* the last one not present */
#define RAM_END (64ull << 20)
#define LARGE (1ull << 21)
#define P 0x1ull                                 /* present */
#define RW 0x2ull
#define PS 0x80ull                               /* page size: a 2 MiB leaf */
#define NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static const char *const level_names[4] = { "PGD", "PUD", "PMD", "PTE" };

static uint64_t get64(struct gen_image *img, uint64_t pa)
{
	const uint8_t *p = gen_page(img, pa >> 12) + (pa & 0xfff);
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* The table below entry `e` of table `table`, allocated from *next. */
static uint64_t subtable(struct gen_image *img, uint64_t table, unsigned index, uint64_t *next)
{
	uint64_t e = get64(img, table + 8 * index);
	if (e & P)
		return e & PTE_ADDR;
	uint64_t t = *next;
	*next += 0x1000;
	gen_put64(img, table + 8 * index, t | P | RW);
	return t;
}

static unsigned idx(uint64_t va, int level)
{
	return (unsigned)(va >> (39 - 9 * level)) & 511;
}

/* Maps va to pa, a 2 MiB leaf when large; flags beyond P|RW|PS from extra. */
static void map(struct gen_image *img, uint64_t va, uint64_t pa, bool large, uint64_t extra,
		uint64_t *next)
{
	uint64_t t = PGD_PA;
	int leaf = large ? 2 : 3;
	for (int l = 0; l < leaf; l++)
		t = subtable(img, t, idx(va, l), next);
	gen_put64(img, t + 8 * idx(va, leaf), pa | P | RW | (large ? PS : 0) | extra);
}

/* The truth's walk, read back from the tables as any reader would. */
static void walk(struct gen_image *img, struct linux_xlat *x)
{
	uint64_t t = PGD_PA;
	x->nlevels = 0;
	x->pa = 0;
	x->present = false;
	for (int l = 0; l < 4; l++) {
		struct linux_level *lv = &x->level[x->nlevels++];
		lv->name = level_names[l];
		lv->table = t;
		lv->index = idx(x->va, l);
		lv->entry_address = t + 8 * lv->index;
		lv->entry = get64(img, lv->entry_address);
		lv->large = l == 2 && (lv->entry & PS);
		if (!(lv->entry & P))
			return;
		if (lv->large || l == 3) {
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

int linux_guest_build(struct linux_guest *g, struct kdx_error *err)
{
	memset(g, 0, sizeof *g);
	const struct phys_range ram[] = { { 0, 0x9f000 }, { 0x100000, RAM_END } };
	struct gen_image *img = &g->img;
	if (gen_image_init(img, PAGING_X64, ram, 2) < 0)
		return kdx_fail(err, "linux-x64: cannot set up its RAM");
	img->processors = 2;
	img->dtb = PGD_PA;
	/* the page tables after swapper_pg_dir, in the kernel image */
	uint64_t next = PGD_PA + 0x1000;
	gen_page(img, PGD_PA >> 12);
	for (uint64_t off = 0; off < TEXT_BYTES; off += LARGE)
		map(img, TEXT_VA + off, TEXT_PA + off, true, 0, &next);
	for (uint64_t pa = 0; pa < RAM_END; pa += LARGE)
		map(img, DIRECT_MAP + pa, pa, true, NX, &next);
	for (unsigned i = 0; i + 1 < VMALLOC_PAGES; i++)
		map(img, VMALLOC + i * 0x1000ull, 0x2800000 + i * 0x3000ull, false, NX, &next);
	map(img, VMEMMAP, VMEMMAP_PA, true, NX, &next);
	/* data pages: their own address first (none among the page tables) */
	for (unsigned i = 0; i + 1 < VMALLOC_PAGES; i++)
		tag_page(img, 0x2800000 + i * 0x3000ull);
	tag_page(img, TEXT_PA);
	tag_page(img, TEXT_PA + 0x123000);
	tag_page(img, VMEMMAP_PA);
	tag_page(img, 0x1234000);
	snprintf(g->vmcoreinfo, sizeof g->vmcoreinfo,
		 "OSRELEASE=%s\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=%llx\n"
		 "SYMBOL(init_top_pgt)=%llx\nSYMBOL(_stext)=%llx\nNUMBER(phys_base)=%llu\n"
		 "NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=%llx\n"
		 "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n", LINUX_RELEASE,
		 (unsigned long long)PGD_VA, (unsigned long long)PGD_VA,
		 (unsigned long long)TEXT_VA, (unsigned long long)PHYS_BASE,
		 (unsigned long long)KERNEL_OFFSET);
	img->vmcoreinfo = g->vmcoreinfo;
	static const struct { uint64_t va; const char *region; } samples[] = {
		{ DIRECT_MAP + 0x1234567, "direct map" },
		{ DIRECT_MAP + 0x2800abc, "direct map" },
		{ VMALLOC + 0x10, "vmalloc" },
		{ VMALLOC + 0x3ff8, "vmalloc" },
		{ VMALLOC + (VMALLOC_PAGES - 1) * 0x1000ull + 0x20, "vmalloc" },
		{ VMEMMAP + 0x40, "vmemmap" },
		{ TEXT_VA + 0x18, "kernel text" },
		{ TEXT_VA + 0x123008, "kernel text" },
		{ PGD_VA, "kernel text" },
		{ 0xffffc90040000000ull, "vmalloc" },
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		struct linux_xlat *x = &g->xl[g->nxl++];
		x->va = samples[i].va;
		x->region = samples[i].region;
		walk(img, x);
	}
	return 0;
}

/* The truth in the keys batch.test and kdx's info and vtop use. */
static int write_truth(const struct linux_guest *g, const char *path, enum gen_format fmt,
		       const char *origin, struct kdx_error *err)
{
	uint64_t pages = 0;
	for (uint64_t pfn = 0; pfn < g->img.max_pfn; pfn++)
		pages += gen_is_ram(&g->img, pfn);
	FILE *f = fopen(path, "w");
	if (!f)
		return kdx_fail(err, "%s: cannot create: %s", path, strerror(errno));
	fprintf(f, "{\n  \"generator\": \"kdx-gen linux-x64\",\n  \"info\": {\n"
		"    \"format\": \"%s\",\n    \"dump_type\": null,\n    \"build\": null,\n"
		"    \"kdbg\": null,\n    \"bugcheck\": null,\n    \"physical_pages\": %llu,\n"
		"    \"machine\": \"x64\",\n    \"paging\": \"x64\",\n    \"cr3\": \"0x%llx\",\n"
		"    \"cr3_origin\": \"%s\",\n    \"processors\": %u,\n"
		"    \"kernel\": \"Linux %s: no Windows kernel; page-level panes work\",\n"
		"    \"swapper_pg_dir\": \"0x%llx\",\n    \"kernel_offset\": \"0x%llx\",\n"
		"    \"phys_base\": \"0x%llx\"\n  },\n"
		"  \"regions\": [\n"
		"    { \"name\": \"direct-map\", \"start\": \"0x%llx\", \"end\": \"0x%llx\" },\n"
		"    { \"name\": \"kernel-text\", \"start\": \"0x%llx\", \"end\": \"0x%llx\" }\n"
		"  ],\n  \"translations\": [",
		gen_is_kdump(fmt) ? "kdump" : "elf", (unsigned long long)pages,
		(unsigned long long)PGD_PA, origin, g->img.processors, LINUX_RELEASE,
		(unsigned long long)PGD_VA, (unsigned long long)KERNEL_OFFSET,
		(unsigned long long)PHYS_BASE, (unsigned long long)DIRECT_MAP,
		(unsigned long long)(DIRECT_MAP + RAM_END - 1), (unsigned long long)TEXT_VA,
		(unsigned long long)(TEXT_VA + TEXT_BYTES - 1));
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

int linux_fixtures_write(const char *dir, struct kdx_error *err)
{
	struct linux_guest g;
	if (linux_guest_build(&g, err) < 0)
		return -1;
	/* The last: every CPU's CR3 beyond the RAM, so that only VMCOREINFO's
	 * swapper_pg_dir leads to the tables. */
	static const struct { enum gen_format fmt; const char *suffix; bool bad_cr3; } out[] = {
		{ GEN_ELF_QEMU, ".qemu.elf", false }, { GEN_KDUMP_FLAT, ".flat.kdump", false },
		{ GEN_ELF_QEMU, ".swapper.qemu.elf", true },
	};
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof out / sizeof out[0]; i++) {
		char path[4096], truth[4096 + 16];
		snprintf(path, sizeof path, "%s/linux-x64%s", dir, out[i].suffix);
		snprintf(truth, sizeof truth, "%s.truth.json", path);
		for (uint32_t c = 0; c < g.img.processors; c++)
			g.img.cpu_cr3[c] = out[i].bad_cr3 ? RAM_END + 0x100000 : 0;
		r = gen_write(&g.img, out[i].fmt, path, err);
		if (r == 0)
			r = write_truth(&g, truth, out[i].fmt, out[i].bad_cr3 ? "VMCOREINFO swapper_pg_dir" :
					"QEMU CPU 0 note", err);
	}
	gen_image_free(&g.img);
	return r;
}
