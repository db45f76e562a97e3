/* The world builder: a synthetic Windows kernel for one profile and seed.
 * Page tables follow doc/address-space.md (self-map §3, layouts §4,
 * PTE formats §2, generator notes §8), the KDBG follows
 * doc/dump-format.md §8, structure offsets come from core/profile. */
#include "tests/gen/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nt/kdbg.h"
#include "tests/gen/world_build.h"
#include "tests/gen/world_verifier.h"

/* RAM as a small machine reports it: the 640 KiB..1 MiB legacy hole and a
 * 1 MiB hole at 10 MiB, so large pages can straddle missing memory. Small
 * enough that every fixture generates in a fraction of a second. */
static const struct phys_range world_ram[] = {
	{ 0x1000, 0x9f000 }, { 0x100000, 0xa00000 }, { 0xb00000, 0x1000000 },
};
#define HOLE_PA 0xa00000ull
/* The allocator starts here (plus a seed-dependent step), so the kernel's
 * top-level table is the lowest self-mapping table in memory, where a
 * self-map scan of an image without a crash header finds it first. */
#define FIRST_ALLOC_PFN 0x100ull

#define KB(n) ((uint64_t)(n) << 10)
#define MB(n) ((uint64_t)(n) << 20)
#define GB(n) ((uint64_t)(n) << 30)

/* Entry flag bytes (doc/address-space.md §1.3, §8). */
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_PS 0x80ull
#define PTE_G 0x100ull
#define PTE_WRITE_SW 0x800ull       /* Windows' software Write bit 11 (§2.2) */
#define PTE_XD (1ull << 63)
#define KERNEL_TABLE (PTE_P | PTE_RW | PTE_A | PTE_D)           /* 0x63 */
#define USER_TABLE (KERNEL_TABLE | PTE_US)                      /* 0x67 */
#define WIN10_USER_TABLE (USER_TABLE | PTE_WRITE_SW)            /* 0x867 */
#define KERNEL_CODE (PTE_G | PTE_A | PTE_P)                     /* 0x121: G--A--KRV */
#define KERNEL_DATA (KERNEL_TABLE | PTE_G | PTE_WRITE_SW)       /* 0x963 */
#define LARGE_KERNEL (KERNEL_TABLE | PTE_PS | PTE_G)            /* 0x1e3 */
#define USER_READONLY (PTE_A | PTE_US | PTE_P)                  /* 0x025 */
#define PAE_PDPTE PTE_P             /* PDPTEs carry no RW/US/A (§1.3) */

enum { MM_READWRITE = 4, MM_DECOMMIT = 0x10 };  /* §2.7 */

enum region_id {
	R_PAGE_TABLES, R_SYSTEM_IMAGES, R_PFN_DATABASE, R_NONPAGED_POOL, R_PAGED_POOL,
	R_SYSTEM_PTES, R_SESSION, R_SYSTEM_CACHE, R_HYPERSPACE, R_NONPAGED_POOL_EXPANSION,
	R_SPECIAL_POOL, R_SPECIAL_POOL_NONPAGED, R_SPECIAL_POOL_PAGED, R_COUNT
};
static const char *const region_names[R_COUNT] = {
	"PageTables", "SystemImages", "PfnDatabase", "NonPagedPool", "PagedPool",
	"SystemPtes", "Session", "SystemCache", "HyperSpace", "NonPagedPoolExpansion",
	"SpecialPool", "SpecialPoolNonPaged", "SpecialPoolPaged",
};

/* Where the builder puts things that are not regions of their own. */
struct plan {
	uint64_t region_start[R_COUNT], region_size[R_COUNT];
	uint64_t large_va, large_pa;        /* one large page over RAM */
	uint64_t hole_large_va, hole_large_pa; /* one over the hole at 10 MiB */
	uint64_t giant_va;                  /* x64: a 1 GiB page over PA 1 GiB */
	uint64_t absent_top_va;             /* x64: a VA whose PML4E is zero */
	uint64_t absent_pdpte_va;           /* x64: PDPTE zero */
	uint64_t user_va;                   /* user half of the kernel DTB */
	int pde_level, pte_level;
	uint64_t next[R_COUNT];             /* bump pointers for kernel VA */
};

struct builder {
	struct world *w;
	const struct paging_desc *d;
	struct plan plan;
	uint64_t data_va, data_next;        /* the kernel image's .data */
	uint64_t pdpt_page, pdpt_next;      /* PAE: process PDPTs share pages */
};

/* ---- deterministic randomness (splitmix64) ---- */

static uint64_t rnd(struct world *w)
{
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(struct world *w, uint64_t n)
{
	return rnd(w) % n;
}

/* ---- physical memory ---- */

/* Running out of the fixed RAM is a bug in the scenario, not an input error. */
static void out_of_ram(void)
{
	fprintf(stderr, "kdx-gen: the world does not fit its RAM\n");
	abort();
}

static bool pfn_free(const struct world *w, uint64_t pfn)
{
	return gen_is_ram(&w->img, pfn) && !w->used[pfn];
}

static uint64_t claim(struct world *w, uint64_t pfn, bool kernel)
{
	w->used[pfn] = true;
	w->img.kernel_page[pfn] = kernel;
	if (!gen_page(&w->img, pfn))
		out_of_ram();
	return pfn;
}

/* n contiguous free pages from the allocation cursor. */
static uint64_t alloc_pages(struct world *w, uint64_t n, bool kernel)
{
	for (uint64_t start = w->next_pfn; start + n <= w->img.max_pfn; start++) {
		uint64_t k = 0;
		while (k < n && pfn_free(w, start + k))
			k++;
		if (k < n) {
			start += k;
			continue;
		}
		for (k = 0; k < n; k++)
			claim(w, start + k, kernel);
		w->next_pfn = start + n;
		return start;
	}
	out_of_ram();
	return 0;
}

/* The first free page at or after pfn, below limit (inside a large page). */
static uint64_t alloc_near(struct world *w, uint64_t pfn, uint64_t limit)
{
	for (; pfn < limit; pfn++)
		if (pfn_free(w, pfn))
			return claim(w, pfn, true);
	out_of_ram();
	return 0;
}

static void read_phys(const struct gen_image *img, uint64_t pa, void *buf, size_t n)
{
	uint8_t *out = buf;
	while (n) {
		uint64_t pfn = pa >> KDX_PAGE_SHIFT;
		size_t off = pa & (KDX_PAGE_SIZE - 1), chunk = KDX_PAGE_SIZE - off;
		if (chunk > n)
			chunk = n;
		const uint8_t *pg = pfn < img->max_pfn ? img->pages[pfn] : NULL;
		if (pg)
			memcpy(out, pg + off, chunk);
		else
			memset(out, 0, chunk);
		out += chunk;
		pa += chunk;
		n -= chunk;
	}
}

static uint64_t get_le(const struct gen_image *img, uint64_t pa, unsigned size)
{
	uint8_t b[8] = { 0 };
	read_phys(img, pa, b, size);
	uint64_t v = 0;
	for (unsigned i = size; i-- > 0;)
		v = (v << 8) | b[i];
	return v;
}

static void put_le(struct gen_image *img, uint64_t pa, uint64_t v, unsigned size)
{
	if (size == 8)
		gen_put64(img, pa, v);
	else if (size == 4)
		gen_put32(img, pa, (uint32_t)v);
	else {
		uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
		gen_put_bytes(img, pa, b, size);
	}
}

/* Distinct, recognisable page contents: word i of page pfn. */
static void fill_pattern(struct world *w, uint64_t pfn)
{
	uint64_t salt = w->seed * 0x100000001b3ull;
	for (unsigned i = 0; i < KDX_PAGE_SIZE / 8; i++)
		gen_put64(&w->img, (pfn << KDX_PAGE_SHIFT) + 8 * i, (pfn << 20 | i) ^ salt);
}

/* ---- page tables ---- */

static uint64_t get_entry(const struct world *w, uint64_t pa)
{
	return get_le(&w->img, pa, (unsigned)paging_desc(w->img.paging)->entry_size);
}

static void set_entry(struct builder *b, uint64_t pa, uint64_t v)
{
	put_le(&b->w->img, pa, v, (unsigned)b->d->entry_size);
}

/* The column's software PTE layout (builds.tsv pte_family, §2.3-2.5):
 * x64 1809+ and Windows 10 PAE keep the page-file number in bits 12..15
 * and mark entries stored unswizzled with SwizzleBit 4 (§2.6). */
static bool pte_swizzled(const struct world *w)
{
	return w->profile->pte_family == PTE_FAMILY_X64_WIN10_RS5 ||
	       w->profile->pte_family == PTE_FAMILY_PAE_WIN10;
}

/* Windows 10 x64 sets its software Write bit in user paging-structure
 * entries (0x867, §8). */
static uint64_t user_table_flags(const struct world *w)
{
	bool win10_x64 = w->profile->pte_family == PTE_FAMILY_X64_WIN10 ||
			 w->profile->pte_family == PTE_FAMILY_X64_WIN10_RS5;
	return win10_x64 ? WIN10_USER_TABLE : USER_TABLE;
}

static uint64_t table_flags(const struct builder *b, int level, bool user)
{
	if (b->d->mode == PAGING_PAE && level == 0)
		return PAE_PDPTE;
	if (!user)
		return KERNEL_TABLE;
	return user_table_flags(b->w);
}

/* The table at `level` on the way to va from top, creating the missing
 * tables above it. User tables are left out of kernel dumps. */
static uint64_t table_at(struct builder *b, uint64_t top, uint64_t va, int level, bool user)
{
	const struct paging_desc *d = b->d;
	uint64_t table = top;
	for (int l = 0; l < level; l++) {
		uint64_t ea = table + paging_index(d, l, va) * (uint64_t)d->entry_size;
		uint64_t e = get_entry(b->w, ea);
		if (!(e & PTE_P)) {
			uint64_t pfn = alloc_pages(b->w, 1, !user);
			e = (pfn << KDX_PAGE_SHIFT) | table_flags(b, l, user);
			set_entry(b, ea, e);
		}
		table = e & d->pfn_mask;
	}
	return table;
}

/* Writes raw as the entry for va at level (0 = top). */
static void map_entry(struct builder *b, uint64_t top, uint64_t va, int level, uint64_t raw,
		      bool user)
{
	uint64_t table = table_at(b, top, va, level, user);
	set_entry(b, table + paging_index(b->d, level, va) * (uint64_t)b->d->entry_size, raw);
}

/* Software bits Windows keeps in valid x64 leaf entries (§2.2): 7's and
 * 8's SoftwareWsIndex (52..62), 1809's WsleAge (56..59) and WsleProtection
 * (60..62). Readers must mask them out of the PFN. */
static uint64_t valid_software_bits(struct builder *b)
{
	if (b->d->mode != PAGING_X64)
		return 0;
	if (b->w->profile->pte_family == PTE_FAMILY_X64_WIN10_RS5)
		return (rnd_below(b->w, 16) << 56) | ((uint64_t)MM_READWRITE << 60);
	return (1 + rnd_below(b->w, 0x7ff)) << 52;
}

static uint64_t leaf_flags(struct builder *b, uint64_t flags, bool exec)
{
	if (b->d->mode == PAGING_X86)
		return flags;
	return flags | valid_software_bits(b) | (exec ? 0 : PTE_XD);
}

static void map_page(struct builder *b, uint64_t va, uint64_t pfn, uint64_t flags, bool exec)
{
	map_entry(b, b->w->dtb, va, b->plan.pte_level,
		  (pfn << KDX_PAGE_SHIFT) | leaf_flags(b, flags, exec), false);
}

/* The walk of va from top as the tables stand, every page assumed stored. */
static void walk_built(const struct world *w, uint64_t top, uint64_t va, struct walk *out)
{
	const struct paging_desc *d = paging_desc(w->img.paging);
	memset(out, 0, sizeof *out);
	out->va = va;
	out->dtb = top;
	out->mode = d;
	out->stopped_at = -1;
	out->page_size = KDX_PAGE_SIZE;
	uint64_t table = top;
	for (int l = 0; l < d->levels; l++) {
		struct walk_level *lv = &out->level[l];
		lv->name = d->level_names[l];
		lv->table = table;
		lv->index = paging_index(d, l, va);
		lv->entry_address = table + lv->index * (uint64_t)d->entry_size;
		lv->entry = get_entry(w, lv->entry_address);
		lv->read = true;
		lv->present = lv->entry & PTE_P;
		lv->large = lv->present && (d->large_ok & (1u << l)) && (lv->entry & PTE_PS);
		out->nlevels = l + 1;
		if (!lv->present) {
			out->stopped_at = l;
			out->reason = XLAT_NOT_PRESENT;
			return;
		}
		if (lv->large || l == d->levels - 1) {
			uint64_t size = paging_leaf_size(d, l);
			out->pa = (lv->entry & d->pfn_mask & ~(size - 1)) | (va & (size - 1));
			out->page_size = size;
			out->page_in_dump = true;
			out->reason = XLAT_OK;
			return;
		}
		table = lv->entry & d->pfn_mask;
	}
}

/* Physical address of a kernel VA the builder has mapped. */
static uint64_t kernel_pa(struct builder *b, uint64_t va)
{
	struct walk wk;
	walk_built(b->w, b->w->dtb, va, &wk);
	if (wk.reason != XLAT_OK) {
		fprintf(stderr, "kdx-gen: store to unmapped kernel VA 0x%llx\n",
			(unsigned long long)va);
		abort();
	}
	return wk.pa;
}

static void kput(struct builder *b, uint64_t va, uint64_t v, unsigned size)
{
	put_le(&b->w->img, kernel_pa(b, va), v, size);
}

static void kput_ptr(struct builder *b, uint64_t va, uint64_t v)
{
	kput(b, va, v, b->w->profile->ptr_size);
}

static void kput_bytes(struct builder *b, uint64_t va, const void *p, size_t n)
{
	const uint8_t *s = p;
	for (size_t i = 0; i < n; i++)
		put_le(&b->w->img, kernel_pa(b, va + i), s[i], 1);
}

/* npages fresh kernel data pages at the region's next free VA. */
static uint64_t kalloc(struct builder *b, enum region_id r, uint64_t npages)
{
	uint64_t va = b->plan.next[r];
	uint64_t pfn = alloc_pages(b->w, npages, true);
	for (uint64_t i = 0; i < npages; i++)
		map_page(b, va + i * KDX_PAGE_SIZE, pfn + i, KERNEL_DATA, false);
	b->plan.next[r] = va + npages * KDX_PAGE_SIZE;
	return va;
}

/* ---- layout per profile (doc/address-space.md §3.1, §4) ---- */

static void set_region(struct plan *p, enum region_id r, uint64_t start, uint64_t size)
{
	p->region_start[r] = start;
	p->region_size[r] = size;
	p->next[r] = start;
}

static uint64_t x64_slot_va(unsigned slot)
{
	return 0xffff000000000000ull | ((uint64_t)slot << 39);
}

static void plan_x86(struct builder *b, bool pae)
{
	struct world *w = b->w;
	struct plan *p = &b->plan;
	uint64_t large = pae ? MB(2) : MB(4);
	p->pde_level = pae ? 1 : 0;
	p->pte_level = pae ? 2 : 1;
	w->kernel_base = (pae ? 0x82600000ull : 0x804d7000ull) + rnd_below(w, 64) * KB(4);
	w->kernel_size = KB(256) + rnd_below(w, 16) * KB(4);
	set_region(p, R_SYSTEM_IMAGES, w->kernel_base, w->kernel_size);
	p->large_va = 0x80000000ull;
	p->large_pa = pae ? MB(2) : MB(4);
	p->hole_large_va = 0x80000000ull + (pae ? MB(10) : MB(8));
	p->hole_large_pa = HOLE_PA & ~(large - 1);
	uint64_t pfn_db = pae ? 0x84000000ull : 0x81000000ull;
	set_region(p, R_PFN_DATABASE, pfn_db, MB(2));
	set_region(p, R_NONPAGED_POOL, pfn_db + MB(4), MB(8));
	/* XP/2003 (§4.1): the initial pool above sits in the boot region; the
	 * expansion ends below the crash-dump area, in one page table of its own. */
	if (w->profile->build < 6000) {
		set_region(p, R_NONPAGED_POOL_EXPANSION, 0xff800000ull, 0xffbe0000ull - 0xff800000ull);
		/* and the system cache its fixed 512 MiB above the working-set list */
		set_region(p, R_SYSTEM_CACHE, 0xc1000000ull, MB(512));
	}
	set_region(p, R_PAGED_POOL, (pae ? 0x8c000000ull : 0xe1000000ull) +
		   rnd_below(w, 8) * large, MB(32));
	set_region(p, R_SYSTEM_PTES, pae ? 0x90000000ull : 0xf0000000ull, MB(48));
	set_region(p, R_SESSION, pae ? 0x98000000ull : 0xbc000000ull, MB(64));
	set_region(p, R_PAGE_TABLES, 0xc0000000ull, pae ? MB(8) : MB(4));
	set_region(p, R_HYPERSPACE, pae ? 0xc0800000ull : 0xc0400000ull, MB(4));
	/* Driver Verifier's special pool: Vista and later give it dynamic
	 * system VA of its own (XP's comes from the system PTEs, placed
	 * with the verifier). */
	if (world_verifier_on() && w->profile->build >= 6000)
		set_region(p, R_SPECIAL_POOL, 0xa0000000ull, MB(4));
	p->user_va = 0x00010000ull;
	w->pte_base = 0xc0000000ull;
	w->pde_base = pae ? 0xc0600000ull : 0xc0300000ull;
	w->self_map_index = (unsigned)w->profile->va->self_map_index;
}

/* Distinct random kernel-half slots for 10's randomised regions (§3.3,
 * §4.4), kept clear of the fixed ones: KUSER_SHARED_DATA (0x1ef), the
 * system images (0x1f0) and the HAL area (0x1ff). */
static unsigned pick_slot(struct world *w, unsigned *taken, size_t ntaken)
{
	for (;;) {
		unsigned s = 0x100 + (unsigned)rnd_below(w, 0xef);
		bool clash = false;
		for (size_t i = 0; i < ntaken; i++)
			clash |= taken[i] == s;
		if (!clash) {
			taken[ntaken] = s;
			return s;
		}
	}
}

/* 8.1's regions have a PML4 slot each as 10's do, at fixed places (the
 * self-map at 0x1ED, §3.1); the public sources do not give the other
 * slots (doc/address-space.md, open question 17), so the generator picks
 * these, in the order plan_x64 fills them: PFN database, nonpaged pool,
 * paged pool, system PTEs, session, system cache, hyperspace, the empty
 * slot, special pool nonpaged and paged. */
static const unsigned fixed_slot[] = {
	0x1d0, 0x1c0, 0x180, 0x1a0, 0x1e0, 0x190, 0x1ee, 0x110, 0x120, 0x130,
};

/* The VA of the next region's slot: a random free one, or the fixed one. */
static uint64_t slot_of(struct world *w, bool random, unsigned fixed, unsigned *taken, size_t *n)
{
	return x64_slot_va(random ? pick_slot(w, taken, (*n)++) : fixed);
}

static void plan_x64(struct builder *b)
{
	struct world *w = b->w;
	struct plan *p = &b->plan;
	p->pde_level = 2;
	p->pte_level = 3;
	p->large_va = 0xfffff80000200000ull;
	p->large_pa = MB(2);
	p->hole_large_va = 0xfffff80000a00000ull;
	p->hole_large_pa = HOLE_PA;
	p->absent_pdpte_va = 0xfffff84000000000ull;
	p->user_va = 0x00010000ull;
	w->kernel_size = KB(256) + rnd_below(w, 16) * KB(4);
	uint64_t slot_size = GB(512);
	if (w->profile->va_layout == VA_LAYOUT_X64_10) {
		unsigned taken[R_COUNT + 2];
		size_t n = 0;
		bool random = w->profile->va->self_map_randomized;
		w->self_map_index = random ? pick_slot(w, taken, n++) : w->profile->va->self_map_index;
		w->kernel_base = 0xfffff80000000000ull + ((0x100 + rnd_below(w, 0x100)) << 21);
		static const enum region_id slotted[] = {
			R_PFN_DATABASE, R_NONPAGED_POOL, R_PAGED_POOL, R_SYSTEM_PTES,
			R_SESSION, R_SYSTEM_CACHE, R_HYPERSPACE,
		};
		for (size_t i = 0; i < sizeof slotted / sizeof slotted[0]; i++)
			set_region(p, slotted[i], slot_of(w, random, fixed_slot[i], taken, &n),
				   slot_size);
		p->absent_top_va = slot_of(w, random, fixed_slot[7], taken, &n);
		/* !vm's SpecialPoolNonPaged and SpecialPoolPaged: a slot each */
		if (world_verifier_on()) {
			set_region(p, R_SPECIAL_POOL_NONPAGED, slot_of(w, random, fixed_slot[8], taken, &n),
				   slot_size);
			set_region(p, R_SPECIAL_POOL_PAGED, slot_of(w, random, fixed_slot[9], taken, &n),
				   slot_size);
		}
	} else {
		w->self_map_index = w->profile->va->self_map_index;
		w->kernel_base = 0xfffff80002600000ull + rnd_below(w, 64) * KB(64);
		set_region(p, R_SYSTEM_PTES, 0xfffff88000000000ull, GB(128));
		set_region(p, R_PAGED_POOL, 0xfffff8a000000000ull, GB(128));
		set_region(p, R_SESSION, 0xfffff90000000000ull, slot_size);
		set_region(p, R_SYSTEM_CACHE, 0xfffff98000000000ull, GB(1024));
		set_region(p, R_PFN_DATABASE, 0xfffffa8000000000ull, MB(16));
		set_region(p, R_NONPAGED_POOL, 0xfffffa8001000000ull, GB(1));
		set_region(p, R_HYPERSPACE, 0xfffff70000000000ull, slot_size);
		/* in the dynamic kernel VA, beside the system cache (§4.3) */
		if (world_verifier_on())
			set_region(p, R_SPECIAL_POOL, 0xfffffa0000000000ull, GB(1));
		p->absent_top_va = 0xffff880000000000ull;
	}
	set_region(p, R_SYSTEM_IMAGES, w->kernel_base, w->kernel_size);
	w->pte_base = x64_slot_va(w->self_map_index);
	w->pde_base = w->pte_base | ((uint64_t)w->self_map_index << 30);
	set_region(p, R_PAGE_TABLES, w->pte_base, slot_size);
	p->giant_va = p->region_start[R_SYSTEM_CACHE];
}

/* The VA at which the self-map shows the PTE of va (§3.2). */
static uint64_t pte_va_of(const struct world *w, uint64_t va)
{
	switch (w->img.paging) {
	case PAGING_X86: return 0xc0000000ull + (va >> 12) * 4;
	case PAGING_PAE: return 0xc0000000ull + (va >> 12) * 8;
	default: return w->pte_base + ((va >> 9) & 0x7ffffffff8ull);
	}
}

/* ---- the kernel's top-level table and self-map (§3.1, §8) ---- */

static void build_top(struct builder *b)
{
	struct world *w = b->w;
	if (b->d->mode == PAGING_PAE) {
		/* PDPT page followed by its four directories: the layout the PAE
		 * top-table heuristic expects (§3.4). */
		uint64_t pfn = alloc_pages(w, 5, true);
		w->dtb = pfn << KDX_PAGE_SHIFT;
		for (unsigned k = 0; k < 4; k++) {
			uint64_t pd = (pfn + 1 + k) << KDX_PAGE_SHIFT;
			gen_put64(&w->img, w->dtb + 8 * k, pd | PAE_PDPTE);
			gen_put64(&w->img, ((pfn + 4) << KDX_PAGE_SHIFT) + 8 * k, pd | KERNEL_TABLE);
		}
		w->img.dtb = w->dtb;
		return;
	}
	w->dtb = alloc_pages(w, 1, true) << KDX_PAGE_SHIFT;
	set_entry(b, w->dtb + w->self_map_index * (uint64_t)b->d->entry_size,
		  w->dtb | KERNEL_TABLE);
	/* Real x64 CR3 values carry low flag bits (doc/dump-format.md §9): PCID 2 on
	 * 10, PWT on 7; readers must mask them. */
	uint64_t flags = 0;
	if (b->d->mode == PAGING_X64)
		flags = w->profile->va->self_map_randomized ? 0x2 : 0x8;
	w->img.dtb = w->dtb | flags;
}

/* x64 machines start in a real-mode stub below 1 MiB that names the PML4
 * (doc/address-space.md §3.4: first bytes E9 ?? 06 00 01 00 00 00, kernel entry at
 * +0x70, PML4 at +0xA0). */
static void build_low_stub(struct builder *b)
{
	struct world *w = b->w;
	if (b->d->mode != PAGING_X64)
		return;
	uint64_t pa = claim(w, 1, true) << KDX_PAGE_SHIFT;
	static const uint8_t jmp[8] = { 0xe9, 0x4d, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00 };
	gen_put_bytes(&w->img, pa, jmp, sizeof jmp);
	gen_put64(&w->img, pa + 0x70, w->kernel_base + 0x1000);
	gen_put64(&w->img, pa + 0xa0, w->dtb);
}

/* ---- teaching addresses ---- */

/* Records the walk of va from top as a teaching address; the walk read
 * back from the tables must be the one constructed. */
struct world_xlat *world_teach(struct world *w, const char *kind, uint64_t top, uint64_t va,
			       int expect_stop, uint64_t expect_pa)
{
	if (w->nxlat == WORLD_MAX_XLAT) {
		fprintf(stderr, "kdx-gen: more than %d teaching addresses\n", WORLD_MAX_XLAT);
		abort();
	}
	struct world_xlat *x = &w->xlat[w->nxlat++];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	walk_built(w, top, va, &x->walk);
	if (x->walk.stopped_at != expect_stop || (expect_stop < 0 && x->walk.pa != expect_pa)) {
		fprintf(stderr, "kdx-gen: teaching address %s (0x%llx): built walk stops at %d "
			"with PA 0x%llx, constructed %d / 0x%llx\n", kind, (unsigned long long)va,
			x->walk.stopped_at, (unsigned long long)x->walk.pa, expect_stop,
			(unsigned long long)expect_pa);
		abort();
	}
	const struct walk_level *leaf = &x->walk.level[x->walk.nlevels - 1];
	if (expect_stop < 0) {
		read_phys(&w->img, x->walk.pa, x->bytes, sizeof x->bytes);
		x->leaf.state = leaf->large ? "large" : "valid";
		x->leaf.has_pfn = true;
		x->leaf.pfn = (x->walk.pa & ~(x->walk.page_size - 1)) >> KDX_PAGE_SHIFT;
	} else {
		x->leaf.state = leaf->entry ? "not-present" : "empty";
	}
	return x;
}

static struct world_xlat *teach(struct builder *b, const char *kind, uint64_t va,
				int expect_stop, uint64_t expect_pa)
{
	return world_teach(b->w, kind, b->w->dtb, va, expect_stop, expect_pa);
}

static void teach_valid(struct builder *b, const char *kind, uint64_t va, uint64_t pa)
{
	teach(b, kind, va, -1, pa);
}

static void teach_absent(struct builder *b, const char *kind, uint64_t va, int level)
{
	teach(b, kind, va, level, 0);
}

/* A page of pattern bytes mapped at va; returns its PA. */
static uint64_t map_pattern_page(struct builder *b, uint64_t va, uint64_t flags, bool exec)
{
	uint64_t pfn = alloc_pages(b->w, 1, true);
	fill_pattern(b->w, pfn);
	map_page(b, va, pfn, flags, exec);
	return pfn << KDX_PAGE_SHIFT;
}

/* Large pages at every level the mode allows, one of them over the RAM
 * hole so its target page is not in any dump. */
static void build_large_pages(struct builder *b)
{
	struct world *w = b->w;
	struct plan *p = &b->plan;
	int lvl = p->pde_level;
	uint64_t size = paging_leaf_size(b->d, lvl);
	const char *kind = size == MB(4) ? "large-4m" : "large-2m";
	map_entry(b, w->dtb, p->large_va, lvl, p->large_pa | leaf_flags(b, LARGE_KERNEL, true),
		  false);
	uint64_t pfn = alloc_near(w, p->large_pa >> KDX_PAGE_SHIFT,
				  (p->large_pa + size) >> KDX_PAGE_SHIFT);
	fill_pattern(w, pfn);
	uint64_t off = (pfn << KDX_PAGE_SHIFT) - p->large_pa + 0x48;
	teach_valid(b, kind, p->large_va + off, p->large_pa + off);

	map_entry(b, w->dtb, p->hole_large_va, lvl,
		  p->hole_large_pa | leaf_flags(b, LARGE_KERNEL, false), false);
	off = HOLE_PA - p->hole_large_pa + 0x123;
	teach_valid(b, "large-over-hole", p->hole_large_va + off, p->hole_large_pa + off);

	if (b->d->mode != PAGING_X64)
		return;
	/* Above RAM (device memory): so RAM keeps pages that no table maps,
	 * and the walk ends at a page the dump does not hold. */
	map_entry(b, w->dtb, p->giant_va, 1, GB(1) | leaf_flags(b, LARGE_KERNEL, false), false);
	off = MB(5) + 0x88;
	teach_valid(b, "large-1g", p->giant_va + off, GB(1) + off);
}

/* Protection in bits 5..9 and the other software layouts of §2.3-2.6,
 * per PTE family: XP x86, PAE, x64 7 and 8 (the same positions for what is
 * written here), and the swizzled ones (x64 and PAE 1809+). */
static uint64_t sw_transition(uint64_t pfn, unsigned prot)
{
	return (pfn << KDX_PAGE_SHIFT) | PTE_WRITE_SW | ((uint64_t)prot << 5);
}

static uint64_t sw_pagefile(const struct world *w, uint64_t file, uint64_t offset, unsigned prot)
{
	uint64_t p = (uint64_t)prot << 5;
	if (w->img.paging == PAGING_X86)
		return (offset << 12) | p | (file << 1);
	if (pte_swizzled(w))   /* PageFileLow 12..15; SwizzleBit set: stored unswizzled */
		return (offset << 32) | (file << 12) | p | 0x10;
	return (offset << 32) | p | (file << 1);
}

static uint64_t sw_prototype(const struct world *w, uint64_t proto, uint64_t paged_pool_start)
{
	if (w->img.paging == PAGING_X86) {
		/* XP: 4-byte units from the paged-pool start, Low 1..7, High 11..31 */
		uint64_t units = (proto - paged_pool_start) >> 2;
		return ((units >> 7) << 11) | 0x400 | ((units & 0x7f) << 1);
	}
	if (w->img.paging == PAGING_PAE)
		return (proto << 32) | 0x400;
	return (proto << 16) | 0x400;
}

/* Subsection-format prototype PTE: PAE address in 32..63, x64 signed in
 * 16..63 (swizzled families: SwizzleBit 4 set), Protection 5..9,
 * Prototype 10. */
static uint64_t sw_subsection(const struct world *w, uint64_t subsection, unsigned prot)
{
	uint64_t p = ((uint64_t)prot << 5) | 0x400 | (pte_swizzled(w) ? 0x10 : 0);
	switch (w->img.paging) {
	case PAGING_PAE: return (subsection << 32) | p;
	case PAGING_X64: return (subsection << 16) | p;
	default:
		fprintf(stderr, "kdx-gen: no XP subsection PTE encoding (doc/address-space.md 2.3)\n");
		abort();
	}
}

static uint64_t sw_vad_marker(const struct world *w, unsigned prot)
{
	uint64_t high = w->img.paging == PAGING_X86 ? 0xfffff000ull : 0xffffffff00000000ull;
	return high | 0x400 | ((uint64_t)prot << 5);
}

/* Every software PTE kind, each with realistic flag bits: the paged-pool
 * kinds in the first page table of paged pool, the section kinds in a user
 * page table of the kernel's own address space (that table is user memory,
 * so kernel dumps do not hold it). */
static void build_software_ptes(struct builder *b)
{
	struct world *w = b->w;
	struct plan *p = &b->plan;
	uint64_t pp = p->region_start[R_PAGED_POOL];
	int lvl = p->pte_level;

	uint64_t tpfn = alloc_pages(w, 1, true);
	fill_pattern(w, tpfn);
	map_entry(b, w->dtb, pp + 0x1000, lvl, sw_transition(tpfn, MM_READWRITE), false);
	struct world_xlat *x = teach(b, "transition", pp + 0x1000, lvl, 0);
	x->leaf.state = "transition";
	x->leaf.has_pfn = true;
	x->leaf.pfn = tpfn;
	x->leaf.has_protection = true;
	x->leaf.protection = MM_READWRITE;

	uint64_t file = rnd_below(w, 2);
	uint64_t offset = 1 + rnd_below(w, w->img.paging == PAGING_X86 ? 0xffffe : 0xfffffffe);
	map_entry(b, w->dtb, pp + 0x2000, lvl, sw_pagefile(w, file, offset, MM_READWRITE), false);
	x = teach(b, "pagefile", pp + 0x2000, lvl, 0);
	x->leaf.state = "pagefile";
	x->leaf.has_protection = true;
	x->leaf.protection = MM_READWRITE;
	x->leaf.has_pagefile = true;
	x->leaf.pagefile_number = file;
	x->leaf.pagefile_offset = offset;

	map_entry(b, w->dtb, pp + 0x3000, lvl, (uint64_t)MM_READWRITE << 5, false);
	x = teach(b, "demand-zero", pp + 0x3000, lvl, 0);
	x->leaf.state = "demand-zero";
	x->leaf.has_protection = true;
	x->leaf.protection = MM_READWRITE;

	map_entry(b, w->dtb, pp + 0x4000, lvl, (uint64_t)MM_DECOMMIT << 5, false);
	x = teach(b, "decommitted", pp + 0x4000, lvl, 0);
	x->leaf.state = "no-access";
	x->leaf.has_protection = true;
	x->leaf.protection = MM_DECOMMIT;

	/* A prototype PTE: the valid PTE it names sits in a paged-pool page. */
	uint64_t proto_page = pp + 0x10000;
	map_pattern_page(b, proto_page, KERNEL_DATA, false);
	uint64_t proto = proto_page + 0x40;
	uint64_t target = alloc_pages(w, 1, false);
	fill_pattern(w, target);
	put_le(&w->img, kernel_pa(b, proto), (target << KDX_PAGE_SHIFT) |
	       leaf_flags(b, USER_READONLY, false), (unsigned)b->d->entry_size);
	map_entry(b, w->dtb, p->user_va, lvl, sw_prototype(w, proto, pp), true);
	x = teach(b, "prototype", p->user_va, lvl, 0);
	x->leaf.state = "prototype";
	x->leaf.has_prototype_address = true;
	x->leaf.prototype_address = proto;
	x->leaf.prototype = (struct world_proto_meaning){ .state = "valid", .has_pfn = true,
							  .pfn = target };

	map_entry(b, w->dtb, p->user_va + 0x1000, lvl, sw_vad_marker(w, MM_READWRITE), true);
	x = teach(b, "vad-prototype", p->user_va + 0x1000, lvl, 0);
	x->leaf.state = "vad";
	x->leaf.has_protection = true;
	x->leaf.protection = MM_READWRITE;
}

/* A not-present entry at each level the mode lets Windows leave empty
 * (PAE's four PDPTEs are always present). */
static void build_absent_entries(struct builder *b)
{
	struct world *w = b->w;
	struct plan *p = &b->plan;
	if (b->d->mode == PAGING_X64) {
		teach_absent(b, "not-present-pml4e", p->absent_top_va, 0);
		table_at(b, w->dtb, p->absent_pdpte_va, 1, false);
		teach_absent(b, "not-present-pdpte", p->absent_pdpte_va, 1);
	}
	/* A page table that was paged out: the directory entry holds a
	 * page-file software PTE (a not-present, non-zero upper entry). */
	uint64_t pde_va = p->region_start[R_PAGED_POOL] +
			  paging_leaf_size(b->d, p->pde_level);
	uint64_t offset = 1 + rnd_below(w, 0xffff);
	map_entry(b, w->dtb, pde_va, p->pde_level,
		  sw_pagefile(w, 0, offset, MM_READWRITE), false);
	struct world_xlat *x = teach(b, "not-present-pde", pde_va, p->pde_level, 0);
	x->leaf.state = "pagefile";
	x->leaf.has_protection = true;
	x->leaf.protection = MM_READWRITE;
	x->leaf.has_pagefile = true;
	x->leaf.pagefile_number = 0;
	x->leaf.pagefile_offset = offset;
	uint64_t end = w->kernel_base + w->kernel_size;
	map_entry(b, w->dtb, end, p->pte_level, 0, false);
	teach_absent(b, "not-present-pte", end, p->pte_level);
	/* Paged-pool allocations start past the teaching page table and the
	 * paged-out directory entry, which they must not overwrite. */
	p->next[R_PAGED_POOL] = pde_va + paging_leaf_size(b->d, p->pde_level);
}

/* ---- the kernel image, its variables and the KDBG ---- */

/* Header page and code read-only global, the last two pages .data. The
 * first pages hold the PE headers, exports, exported code and exception
 * directory (world_modules.c); the teaching code page lies past them. */
static void build_kernel_image(struct builder *b)
{
	struct world *w = b->w;
	uint64_t pages = w->kernel_size / KDX_PAGE_SIZE;
	uint64_t pfn = alloc_pages(w, pages, true);
	for (uint64_t i = 0; i < pages; i++) {
		bool data = i >= pages - 2;
		map_page(b, w->kernel_base + i * KDX_PAGE_SIZE, pfn + i,
			 data ? KERNEL_DATA : KERNEL_CODE, !data);
	}
	uint64_t code = w->kernel_base + KDX_PAGE_SIZE * (4 + rnd_below(w, pages - 6));
	uint64_t code_pfn = pfn + (code - w->kernel_base) / KDX_PAGE_SIZE;
	fill_pattern(w, code_pfn);
	teach_valid(b, "valid-4k-code", code + 0x10, (code_pfn << KDX_PAGE_SHIFT) + 0x10);
	b->data_va = w->kernel_base + (pages - 2) * KDX_PAGE_SIZE;
	b->data_next = b->data_va;
}

/* Space for a variable in .data's first page (pointer-aligned). */
static uint64_t data_alloc(struct builder *b, uint64_t size)
{
	uint64_t va = b->data_next;
	b->data_next += (size + 7) & ~7ull;
	if (b->data_next > b->data_va + KDX_PAGE_SIZE) {
		fprintf(stderr, "kdx-gen: kernel .data overflows\n");
		abort();
	}
	return va;
}

static void kvar_record(struct world *w, const char *name, unsigned kdbg_offset, uint64_t va,
			uint64_t value)
{
	if (w->nkvar == WORLD_MAX_KVARS) {
		fprintf(stderr, "kdx-gen: more than %d kernel variables\n", WORLD_MAX_KVARS);
		abort();
	}
	w->kvar[w->nkvar++] = (struct world_kvar){ name, kdbg_offset, va, value };
}

static uint64_t kvar(struct builder *b, const char *name, unsigned kdbg_offset, uint64_t value,
		     unsigned size)
{
	uint64_t va = data_alloc(b, size);
	kput(b, va, value, size);
	kvar_record(b->w, name, kdbg_offset, va, value);
	return va;
}

/* An empty LIST_ENTRY head (Flink = Blink = itself). */
static uint64_t kvar_list_head(struct builder *b, const char *name, unsigned kdbg_offset)
{
	unsigned ps = b->w->profile->ptr_size;
	uint64_t va = data_alloc(b, 2ull * ps);
	kput_ptr(b, va, va);
	kput_ptr(b, va + ps, va);
	kvar_record(b->w, name, kdbg_offset, va, va);
	return va;
}

/* PHYSICAL_MEMORY_DESCRIPTOR (doc/dump-format.md §4) of the world's RAM. */
static uint64_t build_memory_descriptor(struct builder *b)
{
	struct world *w = b->w;
	unsigned ps = w->profile->ptr_size;
	uint64_t head = ps == 8 ? 0x10 : 0x8;
	uint64_t va = data_alloc(b, head + w->img.nram * 2 * ps);
	uint64_t pages = 0;
	for (size_t i = 0; i < w->img.nram; i++) {
		uint64_t base = w->img.ram[i].start >> KDX_PAGE_SHIFT;
		uint64_t count = (w->img.ram[i].end - w->img.ram[i].start) >> KDX_PAGE_SHIFT;
		kput_ptr(b, va + head + i * 2 * ps, base);
		kput_ptr(b, va + head + i * 2 * ps + ps, count);
		pages += count;
	}
	kput(b, va, w->img.nram, 4);
	kput(b, va + (ps == 8 ? 8 : 4), pages, ps);
	return va;
}

struct crash {
	const char *profile;
	uint32_t code;
	const char *build_lab;
	uint32_t csd_version;        /* CmNtCSDVersion: service pack in bits 8..15 */
};
/* Bug checks of issue 3: 0xE2 manual crash, 0x1E access violation, 0x2B
 * panic stack switch, 0x7F double fault. */
static const struct crash crashes[] = {
	{ "xp-x86", 0xe2, "2600.xpsp_sp3_qfe.101209-1646", 0x300 },
	{ "win7-x86-pae", 0x1e, "7601.17514.x86fre.win7sp1_rtm.101119-1850", 0x100 },
	{ "win7-x64", 0x2b, "7601.17514.amd64fre.win7sp1_rtm.101119-1850", 0x100 },
	{ "win7-x64-2016", 0x2b, "7601.23418.amd64fre.win7sp1_ldr.160408-2045", 0x100 },
	{ "win10-x64", 0x7f, "19041.1.amd64fre.vb_release.191206-1406", 0 },
	{ "win10-2004-x86", 0x7f, "19041.1.x86fre.vb_release.191206-1406", 0 },
	{ "win11-x64", 0x1e, "22621.1.amd64fre.ni_release.220506-1250", 0 },
	{ "win11-21h2-x64", 0x7f, "22000.1.amd64fre.co_release.210604-1628", 0 },
	{ "win11-24h2-x64", 0x1e, "26100.1.amd64fre.ge_release.240331-1435", 0 },
	{ "future-x64", 0x7f, "30000.1.amd64fre.future_release.300101-1200", 0 },
	{ "win81-x64", 0x1e, "9600.16384.amd64fre.winblue_rtm.130821-1623", 0 },
	{ "win10-1809-x64", 0x7f, "17763.1.amd64fre.rs5_release.180914-1434", 0 },
};

static const struct crash *crash_of(const struct profile *p)
{
	for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
		if (strcmp(crashes[i].profile, p->name) == 0)
			return &crashes[i];
	return &crashes[0];
}

static void set_bugcheck(struct builder *b)
{
	struct world *w = b->w;
	struct gen_image *img = &w->img;
	img->bugcheck_code = crash_of(w->profile)->code;
	memset(img->bugcheck_params, 0, sizeof img->bugcheck_params);
	switch (img->bugcheck_code) {
	case 0x1e:   /* STATUS_ACCESS_VIOLATION at a kernel address, reading */
		img->bugcheck_params[0] = 0xc0000005u;
		img->bugcheck_params[1] = w->kernel_base + 0x2000 + rnd_below(w, 0x800);
		img->bugcheck_params[3] = 0x10 + 8 * rnd_below(w, 64);
		break;
	case 0x2b:   /* the trap frame on the panic stack */
		img->bugcheck_params[0] = b->plan.region_start[R_NONPAGED_POOL] + 0x7e40;
		break;
	case 0x7f:   /* EXCEPTION_DOUBLE_FAULT */
		img->bugcheck_params[0] = 8;
		break;
	default:
		break;
	}
}

/* One KPCR per processor with its embedded KPRCB (doc/structures.md §4); XP's boot
 * processor keeps its fixed KPCR at FFDFF000. */
static uint64_t build_processors(struct builder *b)
{
	struct world *w = b->w;
	const struct prof_kpcr *k = w->profile->kpcr;
	unsigned ps = w->profile->ptr_size;
	unsigned cap = ps == 8 ? 64 : 32;
	uint64_t block = data_alloc(b, (uint64_t)cap * ps);
	uint64_t pages = (k->size + KDX_PAGE_SIZE - 1) / KDX_PAGE_SIZE;
	for (unsigned i = 0; i < w->img.processors; i++) {
		uint64_t pcr;
		if (i == 0 && w->img.paging == PAGING_X86) {
			pcr = 0xffdff000ull;
			map_page(b, pcr, alloc_pages(w, 1, true), KERNEL_DATA, false);
		} else {
			pcr = kalloc(b, R_NONPAGED_POOL, pages);
		}
		uint64_t prcb = pcr + k->prcb;
		kput_ptr(b, pcr + k->self, pcr);
		kput_ptr(b, pcr + k->current_prcb, prcb);
		if (k->number != PROF_ABSENT)
			kput(b, pcr + k->number, i, 1);
		kput(b, prcb + k->prcb_number, i, k->prcb_number_size);
		kput_ptr(b, block + (uint64_t)i * ps, prcb);
		w->kpcr[i] = pcr;
	}
	return block;
}

static void kdbg_put(struct builder *b, unsigned off, uint64_t v, unsigned size)
{
	if (off + size <= b->w->profile->kdbg_size)
		kput(b, b->w->kdbg_va + off, v, size);
}

uint64_t world_kvar_new(struct world *w, const char *name, unsigned kdbg_offset, uint64_t value,
			unsigned size)
{
	uint64_t va = kvar(w->build, name, kdbg_offset, value, size);
	if (kdbg_offset)
		kdbg_put(w->build, kdbg_offset, va, 8);
	return va;
}

uint64_t world_kvar_struct(struct world *w, const char *name, unsigned kdbg_offset, uint64_t first,
			   unsigned bytes)
{
	struct builder *b = w->build;
	uint64_t va = data_alloc(b, bytes);
	kput_ptr(b, va, first);
	kvar_record(w, name, kdbg_offset, va, first);
	if (kdbg_offset)
		kdbg_put(b, kdbg_offset, va, 8);
	return va;
}

/* The KDBG (doc/dump-format.md §8): the header, KernBase, the addresses of the
 * kernel variables, and for 2003+ sizes the structure offsets the block
 * states itself (taken from the profile, so readers can cross-check). */
/* MmNonPagedPoolEnd: on XP/2003 the end of the expansion, so that
 * MmNonPagedPoolStart..End spans both parts (§4.1). */
static uint64_t nonpaged_pool_end(const struct plan *pl)
{
	enum region_id r = pl->region_size[R_NONPAGED_POOL_EXPANSION] ? R_NONPAGED_POOL_EXPANSION
									: R_NONPAGED_POOL;
	return pl->region_start[r] + pl->region_size[r] - 1;
}

static void build_kdbg(struct builder *b)
{
	struct world *w = b->w;
	const struct profile *p = w->profile;
	const struct plan *pl = &b->plan;
	w->kdbg_va = b->data_va + KDX_PAGE_SIZE + 8 * rnd_below(w, 64);
	uint64_t list = kvar_list_head(b, "KdpDebuggerDataListHead", 0);
	kput_ptr(b, list, w->kdbg_va);
	kput_ptr(b, list + p->ptr_size, w->kdbg_va);
	w->kvar[w->nkvar - 1].value = w->kdbg_va;
	kdbg_put(b, 0x0, list, 8);
	kdbg_put(b, 0x8, list, 8);
	kdbg_put(b, KDBG_OWNERTAG, KDBG_OWNER_TAG, 4);
	kdbg_put(b, KDBG_SIZE, p->kdbg_size, 4);
	kdbg_put(b, KDBG_KERNBASE, w->kernel_base, 8);
	if (p->paging == PAGING_PAE)
		kdbg_put(b, KDBG_FLAGS, 1, 2);

	uint64_t ram_pages = 0;
	for (size_t i = 0; i < w->img.nram; i++)
		ram_pages += (w->img.ram[i].end - w->img.ram[i].start) >> KDX_PAGE_SHIFT;
	const char *lab = crash_of(p)->build_lab;
	uint64_t lab_va = data_alloc(b, strlen(lab) + 1);
	kput_bytes(b, lab_va, lab, strlen(lab) + 1);
	uint64_t bugcheck = data_alloc(b, 5ull * p->ptr_size);
	kput_ptr(b, bugcheck, w->img.bugcheck_code);
	for (int i = 0; i < 4; i++)
		kput_ptr(b, bugcheck + (uint64_t)(i + 1) * p->ptr_size, w->img.bugcheck_params[i]);
	uint64_t cpus = build_processors(b);

	struct { const char *name; unsigned off; uint64_t value; unsigned size; } vars[] = {
		{ "KeTimeIncrement", KDBG_KE_TIME_INCREMENT, 156250, 4 },
		{ "MmPfnDatabase", KDBG_MM_PFN_DATABASE, pl->region_start[R_PFN_DATABASE], 0 },
		{ "MmSystemPtesStart", KDBG_MM_SYSTEM_PTES_START,
		  pl->region_start[R_SYSTEM_PTES], 0 },
		{ "MmSystemPtesEnd", KDBG_MM_SYSTEM_PTES_END,
		  pl->region_start[R_SYSTEM_PTES] + pl->region_size[R_SYSTEM_PTES] - 1, 0 },
		{ "MmLowestPhysicalPage", KDBG_MM_LOWEST_PHYSICAL_PAGE,
		  w->img.ram[0].start >> KDX_PAGE_SHIFT, 0 },
		{ "MmHighestPhysicalPage", KDBG_MM_HIGHEST_PHYSICAL_PAGE, w->img.max_pfn - 1, 0 },
		{ "MmNumberOfPhysicalPages", KDBG_MM_NUMBER_OF_PHYSICAL_PAGES, ram_pages, 0 },
		{ "MmMaximumNonPagedPoolInBytes", KDBG_MM_MAXIMUM_NONPAGED_POOL_IN_BYTES,
		  pl->region_size[R_NONPAGED_POOL], 0 },
		{ "MmNonPagedSystemStart", KDBG_MM_NONPAGED_SYSTEM_START,
		  pl->region_start[R_SYSTEM_PTES], 0 },
		{ "MmNonPagedPoolStart", KDBG_MM_NONPAGED_POOL_START,
		  pl->region_start[R_NONPAGED_POOL], 0 },
		{ "MmNonPagedPoolEnd", KDBG_MM_NONPAGED_POOL_END, nonpaged_pool_end(pl), 0 },
		{ "MmPagedPoolStart", KDBG_MM_PAGED_POOL_START, pl->region_start[R_PAGED_POOL], 0 },
		{ "MmPagedPoolEnd", KDBG_MM_PAGED_POOL_END,
		  pl->region_start[R_PAGED_POOL] + pl->region_size[R_PAGED_POOL] - 1, 0 },
		{ "MmSizeOfPagedPoolInBytes", KDBG_MM_SIZE_OF_PAGED_POOL_IN_BYTES,
		  pl->region_size[R_PAGED_POOL], 0 },
		{ "MmHighestUserAddress", KDBG_MM_HIGHEST_USER_ADDRESS,
		  p->va->highest_user_address, 0 },
		{ "MmSystemRangeStart", KDBG_MM_SYSTEM_RANGE_START, p->va->system_range_start, 0 },
		{ "MmUserProbeAddress", KDBG_MM_USER_PROBE_ADDRESS, p->va->user_probe_address, 0 },
		{ "CmNtCSDVersion", KDBG_CM_NT_CSD_VERSION, crash_of(p)->csd_version, 4 },
		{ "MmSessionBase", KDBG_MM_SESSION_BASE, pl->region_start[R_SESSION], 0 },
		{ "MmSessionSize", KDBG_MM_SESSION_SIZE, pl->region_size[R_SESSION], 0 },
		{ "MmPhysicalMemoryBlock", KDBG_MM_PHYSICAL_MEMORY_BLOCK,
		  build_memory_descriptor(b), 0 },
	};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		unsigned size = vars[i].size ? vars[i].size : p->ptr_size;
		world_kvar_new(w, vars[i].name, vars[i].off, vars[i].value, size);
	}
	/* XP/2003 x86 state the fixed system cache range (doc/address-space.md §4.1);
	 * the later kernels' cache is dynamic system VA. */
	if (p->ptr_size == 4 && pl->region_size[R_SYSTEM_CACHE]) {
		world_kvar_new(w, "MmSystemCacheStart", KDBG_MM_SYSTEM_CACHE_START,
			       pl->region_start[R_SYSTEM_CACHE], 4);
		world_kvar_new(w, "MmSystemCacheEnd", KDBG_MM_SYSTEM_CACHE_END,
			       pl->region_start[R_SYSTEM_CACHE] + pl->region_size[R_SYSTEM_CACHE] - 1, 4);
	}
	w->img.ps_loaded_module_list = kvar_list_head(b, "PsLoadedModuleList",
						      KDBG_PS_LOADED_MODULE_LIST);
	w->img.ps_active_process_head = kvar_list_head(b, "PsActiveProcessHead",
						       KDBG_PS_ACTIVE_PROCESS_HEAD);
	kdbg_put(b, KDBG_PS_LOADED_MODULE_LIST, w->img.ps_loaded_module_list, 8);
	kdbg_put(b, KDBG_PS_ACTIVE_PROCESS_HEAD, w->img.ps_active_process_head, 8);
	/* Arrays and strings: the field holds their address (§8.3). */
	kdbg_put(b, KDBG_NT_BUILD_LAB, lab_va, 8);
	kdbg_put(b, KDBG_KI_BUGCHECK_DATA, bugcheck, 8);
	kdbg_put(b, KDBG_KI_PROCESSOR_BLOCK, cpus, 8);

	const struct prof_kthread *kt = p->kthread;
	const struct prof_eprocess *ep = p->eprocess;
	kdbg_put(b, KDBG_OFFSET_KTHREAD_TEB, kt->teb, 2);
	kdbg_put(b, KDBG_OFFSET_KTHREAD_KERNEL_STACK, kt->kernel_stack, 2);
	kdbg_put(b, KDBG_OFFSET_KTHREAD_INITIAL_STACK, kt->initial_stack, 2);
	kdbg_put(b, KDBG_OFFSET_KTHREAD_APC_PROCESS, kt->apc_state_process, 2);
	kdbg_put(b, KDBG_OFFSET_KTHREAD_STATE, kt->state, 2);
	kdbg_put(b, KDBG_SIZE_EPROCESS, ep->size, 2);
	kdbg_put(b, KDBG_OFFSET_EPROCESS_PEB, ep->peb, 2);
	kdbg_put(b, KDBG_OFFSET_EPROCESS_PARENT_CID, ep->inherited_from_unique_process_id, 2);
	kdbg_put(b, KDBG_OFFSET_EPROCESS_DIRECTORY_TABLE_BASE, ep->directory_table_base, 2);
	kdbg_put(b, KDBG_SIZE_PRCB, p->kpcr->prcb_size, 2);
	kdbg_put(b, KDBG_OFFSET_PRCB_CURRENT_THREAD, p->kpcr->prcb_current_thread, 2);
	kdbg_put(b, KDBG_OFFSET_PRCB_NUMBER, p->kpcr->prcb_number, 2);
	kdbg_put(b, KDBG_SIZE_ETHREAD, p->ethread->size, 2);
	kdbg_put(b, KDBG_OFFSET_KTHREAD_STACK_LIMIT, kt->stack_limit, 4);
	kdbg_put(b, KDBG_OFFSET_KTHREAD_STACK_BASE, kt->stack_base, 4);
	kdbg_put(b, KDBG_OFFSET_PRCB_DPC_STACK, p->kpcr->prcb_dpc_stack, 2);
	/* PteBase holds PTE_BASE itself (doc/dump-format.md §8.3 note). */
	kdbg_put(b, KDBG_PTE_BASE, w->pte_base, 8);

	w->img.kdbg_va = w->kdbg_va;
	w->img.pfn_database = pl->region_start[R_PFN_DATABASE];
	teach_valid(b, "kdbg", w->kdbg_va, kernel_pa(b, w->kdbg_va));
}

/* The PFN database array (filled by the PFN builder) and a few page
 * tables of the system PTE range built ahead, as the boot does. */
static void build_system_ranges(struct builder *b)
{
	struct world *w = b->w;
	uint64_t bytes = w->img.max_pfn * w->profile->mmpfn->size;
	kalloc(b, R_PFN_DATABASE, (bytes + KDX_PAGE_SIZE - 1) / KDX_PAGE_SIZE);
	unsigned tables = b->d->mode == PAGING_X86 ? 12 : 2;
	uint64_t span = paging_leaf_size(b->d, b->plan.pde_level);
	for (unsigned i = 0; i < tables; i++)
		table_at(b, w->dtb, b->plan.region_start[R_SYSTEM_PTES] + i * span,
			 b->plan.pte_level, false);
}

/* KUSER_SHARED_DATA: one page, a kernel view and a read-only user view. */
static void build_shared_user_data(struct builder *b)
{
	struct world *w = b->w;
	const struct prof_va *v = w->profile->va;
	uint64_t pa = map_pattern_page(b, v->shared_user_data_kernel, KERNEL_DATA, false);
	teach_valid(b, "shared-user-data-kernel", v->shared_user_data_kernel + 0x30, pa + 0x30);
	map_entry(b, w->dtb, v->shared_user_data_user, b->plan.pte_level,
		  pa | leaf_flags(b, USER_READONLY, false), true);
	teach_valid(b, "shared-user-data-user", v->shared_user_data_user + 0x30, pa + 0x30);
}

/* The self-map seen from both ends: the VA at which the top table appears,
 * and the VA of the kernel base's own PTE (§3.2). */
static void build_self_map_cases(struct builder *b)
{
	struct world *w = b->w;
	uint64_t top_va;
	uint64_t top_pa = w->dtb;
	if (b->d->mode == PAGING_X86)
		top_va = w->pde_base;
	else if (b->d->mode == PAGING_PAE) {
		top_va = w->pde_base + 3 * KDX_PAGE_SIZE;
		top_pa = w->dtb + 4 * KDX_PAGE_SIZE;
	} else {
		uint64_t i = w->self_map_index;
		top_va = w->pde_base | (i << 21) | (i << 12);
	}
	teach_valid(b, "self-map-top", top_va, top_pa);
	struct walk kb;
	walk_built(w, w->dtb, w->kernel_base, &kb);
	teach_valid(b, "self-map-pte", pte_va_of(w, w->kernel_base),
		    kb.level[kb.nlevels - 1].entry_address);
}

/* The initial part's end is where its allocations stopped: the run of
 * mapped pages from MmNonPagedPoolStart (§4.1), known once all are made. */
static void end_initial_nonpaged_pool(struct builder *b)
{
	struct world *w = b->w;
	if (!b->plan.region_size[R_NONPAGED_POOL_EXPANSION])
		return;
	for (size_t i = 0; i < w->nregion; i++)
		if (strcmp(w->region[i].name, region_names[R_NONPAGED_POOL]) == 0)
			w->region[i].end = b->plan.next[R_NONPAGED_POOL];
}

static void add_regions(struct builder *b)
{
	struct world *w = b->w;
	for (int r = 0; r < R_COUNT; r++)
		if (b->plan.region_size[r])
			w->region[w->nregion++] = (struct world_region){
				region_names[r], b->plan.region_start[r],
				b->plan.region_start[r] + b->plan.region_size[r] };
}

static uint64_t extra_ram, whole_ram_end;

void world_set_extra_ram(uint64_t bytes)
{
	extra_ram = bytes;
}

uint64_t world_extra_ram(void)
{
	return extra_ram;
}

void world_set_whole_machine(uint64_t ram_end)
{
	whole_ram_end = ram_end;
}

/* The kernel's translated teaching pages, for the paging-mode ELF core's
 * PT_LOADs by virtual address (gen_image.vpages): one per VA page, several
 * sharing a physical page where the kernel maps it twice (the shared user
 * data page). */
static void record_vpages(struct world *w)
{
	struct gen_image *img = &w->img;
	const size_t cap = sizeof img->vpages / sizeof img->vpages[0];
	for (size_t i = 0; i < w->nxlat && img->nvpages < cap; i++) {
		const struct walk *wk = &w->xlat[i].walk;
		uint64_t va = wk->va & ~(uint64_t)(KDX_PAGE_SIZE - 1);
		uint64_t pa = wk->pa & ~(uint64_t)(KDX_PAGE_SIZE - 1);
		if (wk->stopped_at >= 0 || wk->dtb != w->dtb || !gen_is_ram(img, pa >> KDX_PAGE_SHIFT))
			continue;
		size_t k = 0;
		while (k < img->nvpages && img->vpages[k].va != va)
			k++;
		if (k == img->nvpages)
			img->vpages[img->nvpages++] = (struct gen_vpage){ va, pa };
	}
}

const char *world_unbuildable(const struct profile *p)
{
	if (p->paging == PAGING_X86 && p->va_layout != VA_LAYOUT_X86_XP)
		return "x86 without PAE is laid out the XP way only (not Vista's or 7's)";
	if (p->stack->size == 0 || p->stack->large_size == 0)   /* - in stack.tsv */
		return "the column's kernel stack size is unknown";
	return NULL;
}

int world_build(struct world *w, const struct profile *p, uint64_t seed, struct kdx_error *err)
{
	const char *why = world_unbuildable(p);
	if (why)
		return kdx_fail(err, "%s: the generator cannot build this kernel: %s", p->name, why);
	memset(w, 0, sizeof *w);
	w->profile = p;
	w->seed = seed;
	w->rng = seed ^ 0x6b6478ull;
	struct phys_range ram[sizeof world_ram / sizeof world_ram[0]];
	memcpy(ram, world_ram, sizeof ram);
	ram[sizeof ram / sizeof ram[0] - 1].end += extra_ram;
	w->whole = whole_ram_end > ram[sizeof ram / sizeof ram[0] - 1].end;
	if (w->whole)
		ram[sizeof ram / sizeof ram[0] - 1].end = whole_ram_end;
	if (gen_image_init(&w->img, p->paging, ram, sizeof ram / sizeof ram[0]) < 0)
		return kdx_fail(err, "%s: cannot set up %zu RAM ranges", p->name,
				sizeof world_ram / sizeof world_ram[0]);
	w->used = calloc(w->img.max_pfn, sizeof *w->used);
	if (!w->used) {
		gen_image_free(&w->img);
		return kdx_fail(err, "%s: out of memory", p->name);
	}
	struct builder b = { .w = w, .d = paging_desc(p->paging) };
	w->build = &b;
	w->next_pfn = FIRST_ALLOC_PFN + rnd_below(w, 64);
	w->img.build = p->build;
	w->img.processors = 1 + (uint32_t)rnd_below(w, WORLD_MAX_CPUS);
	w->img.system_time = 132800000000000000ull + rnd_below(w, 1ull << 50);
	w->img.system_uptime = 36000000000ull + rnd_below(w, 1ull << 40);
	snprintf(w->img.comment, sizeof w->img.comment, "kdx-gen %s seed %llu", p->name,
		 (unsigned long long)seed);
	if (p->paging == PAGING_X64)
		plan_x64(&b);
	else
		plan_x86(&b, p->paging == PAGING_PAE);
	add_regions(&b);
	build_top(&b);
	build_low_stub(&b);
	build_large_pages(&b);
	build_kernel_image(&b);
	set_bugcheck(&b);
	build_kdbg(&b);
	build_system_ranges(&b);
	build_shared_user_data(&b);
	build_software_ptes(&b);
	build_absent_entries(&b);
	build_self_map_cases(&b);
	int r = world_build_procs(w, err);
	if (r == 0)
		r = world_build_modules(w, err);
	if (r == 0)
		r = world_build_files(w, err);
	if (r == 0)
		r = world_build_search(w, err);
	if (r == 0)
		r = world_build_pool(w, err);
	if (r == 0)
		world_modules_place_tag(w);
	if (r == 0)
		world_search_pool(w);
	if (r == 0)
		r = world_build_verifier(w, err);
	if (r == 0)
		r = world_build_pfn(w, err);
	if (r == 0)
		world_search_free_page(w);
	if (r == 0)
		record_vpages(w);
	end_initial_nonpaged_pool(&b);
	w->build = NULL;
	if (r < 0)
		world_free(w);
	return r;
}

/* ---- helpers for the parts built in other files (world_build.h) ---- */

bool world_pa_alias(const struct world *w, uint64_t pa, uint64_t n, uint64_t *va)
{
	const struct plan *p = &w->build->plan;
	uint64_t size = paging_leaf_size(w->build->d, p->pde_level);
	const uint64_t bases[][2] = { { p->large_pa, p->large_va },
				      { p->hole_large_pa, p->hole_large_va } };
	for (size_t i = 0; i < 2; i++)
		if (pa >= bases[i][0] && pa - bases[i][0] + n <= size) {
			*va = bases[i][1] + (pa - bases[i][0]);
			return true;
		}
	return false;
}

uint64_t world_rnd_below(struct world *w, uint64_t n)
{
	return rnd_below(w, n);
}

static int region_named(const char *name)
{
	for (int r = 0; r < R_COUNT; r++)
		if (strcmp(region_names[r], name) == 0)
			return r;
	fprintf(stderr, "kdx-gen: no region %s\n", name);
	abort();
}

uint64_t world_region_pages(struct world *w, const char *region, uint64_t npages)
{
	return kalloc(w->build, (enum region_id)region_named(region), npages);
}

void world_kput(struct world *w, uint64_t va, uint64_t v, unsigned size)
{
	kput(w->build, va, v, size);
}

void world_kput_bytes(struct world *w, uint64_t va, const void *p, size_t n)
{
	kput_bytes(w->build, va, p, n);
}

uint64_t world_data_alloc(struct world *w, uint64_t size)
{
	return data_alloc(w->build, size);
}

uint64_t world_leaf_table(struct world *w, uint64_t va)
{
	return table_at(w->build, w->dtb, va, w->build->plan.pte_level, false);
}

bool world_leaf_table_present(struct world *w, uint64_t va, uint64_t *table_pa)
{
	struct walk wk;
	int lvl = w->build->plan.pte_level;
	walk_built(w, w->dtb, va, &wk);
	if (wk.nlevels <= lvl || wk.level[lvl - 1].large)
		return false;
	*table_pa = wk.level[lvl].table;
	return true;
}

void world_map_data_page(struct world *w, uint64_t va, uint64_t pfn)
{
	map_page(w->build, va, pfn, KERNEL_DATA, false);
}

uint64_t world_subsection_pte(const struct world *w, uint64_t subsection, unsigned prot)
{
	return sw_subsection(w, subsection, prot);
}

uint64_t world_prototype_pte(const struct world *w, uint64_t proto)
{
	return sw_prototype(w, proto, w->build->plan.region_start[R_PAGED_POOL]);
}

void world_map_kernel_pte(struct world *w, uint64_t va, uint64_t raw)
{
	map_entry(w->build, w->dtb, va, w->build->plan.pte_level, raw, false);
}

/* Software, not prototype, not transition, with an offset in the file
 * (the layout of sw_pagefile; offset 0 is demand zero). */
bool world_pte_in_pagefile(const struct world *w, uint64_t raw)
{
	return !(raw & (1 | 0x400 | PTE_WRITE_SW)) &&
	       (w->img.paging == PAGING_X86 ? raw >> 12 : raw >> 32);
}

/* Valid, transition (sw_transition: a frame) or in the page file. */
bool world_pte_maps_page(const struct world *w, uint64_t raw)
{
	return (raw & 1) || (raw & (0x400 | PTE_WRITE_SW)) == PTE_WRITE_SW ||
	       world_pte_in_pagefile(w, raw);
}

uint64_t world_transition_pte(uint64_t pfn, unsigned prot)
{
	return sw_transition(pfn, prot);
}

uint64_t world_user_valid_pte(struct world *w, uint64_t pfn)
{
	return (pfn << KDX_PAGE_SHIFT) | leaf_flags(w->build, USER_READONLY, false);
}

uint64_t world_pte_va(const struct world *w, uint64_t va)
{
	return pte_va_of(w, va);
}

uint64_t world_pagefile_pte(const struct world *w, uint64_t file, uint64_t offset,
			    unsigned prot)
{
	return sw_pagefile(w, file, offset, prot);
}

void world_map_code_page(struct world *w, uint64_t va, uint64_t pfn)
{
	map_page(w->build, va, pfn, KERNEL_CODE, true);
}

uint64_t world_alloc_pages(struct world *w, uint64_t n)
{
	return alloc_pages(w, n, true);
}

uint64_t world_alloc_user_pages(struct world *w, uint64_t n)
{
	return alloc_pages(w, n, false);
}

void world_fill_pattern(struct world *w, uint64_t pfn)
{
	fill_pattern(w, pfn);
}

uint64_t world_get_phys(const struct world *w, uint64_t pa, unsigned size)
{
	return get_le(&w->img, pa, size);
}

void world_put_phys(struct world *w, uint64_t pa, uint64_t v, unsigned size)
{
	put_le(&w->img, pa, v, size);
}

void world_walk(const struct world *w, uint64_t top, uint64_t va, struct walk *out)
{
	walk_built(w, top, va, out);
}

uint64_t world_pa(const struct world *w, uint64_t top, uint64_t va)
{
	struct walk wk;
	walk_built(w, top, va, &wk);
	if (wk.reason != XLAT_OK) {
		fprintf(stderr, "kdx-gen: access to unmapped VA 0x%llx (DTB 0x%llx)\n",
			(unsigned long long)va, (unsigned long long)top);
		abort();
	}
	return wk.pa;
}

uint64_t world_kget(const struct world *w, uint64_t va, unsigned size)
{
	return get_le(&w->img, world_pa(w, w->dtb, va), size);
}

void world_map_entry(struct world *w, uint64_t top, uint64_t va, int level, uint64_t raw,
		     bool user)
{
	map_entry(w->build, top, va, level, raw, user);
}

void world_map_user_page(struct world *w, uint64_t top, uint64_t va, uint64_t pfn)
{
	struct builder *b = w->build;
	map_entry(b, top, va, b->plan.pte_level, (pfn << KDX_PAGE_SHIFT) |
		  leaf_flags(b, user_table_flags(w) | PTE_WRITE_SW,
			     false), true);
}

void world_map_kernel_page_in(struct world *w, uint64_t top, uint64_t va, uint64_t pfn)
{
	struct builder *b = w->build;
	map_entry(b, top, va, b->plan.pte_level,
		  (pfn << KDX_PAGE_SHIFT) | leaf_flags(b, KERNEL_DATA, false), false);
}

/* A process's top-level table: the kernel half copied from the kernel's
 * (the system entries every process shares) and its own self-map entry
 * (§3.1). PAE: a 32-byte PDPT inside a shared page, four new directories,
 * the system ones (2, 3) copied. */
uint64_t world_new_address_space(struct world *w)
{
	struct builder *b = w->build;
	uint64_t es = (uint64_t)b->d->entry_size;
	if (b->d->mode == PAGING_PAE) {
		if (!b->pdpt_page || b->pdpt_next == KDX_PAGE_SIZE) {
			b->pdpt_page = alloc_pages(w, 1, true) << KDX_PAGE_SHIFT;
			b->pdpt_next = 0x20;
		}
		uint64_t pdpt = b->pdpt_page + b->pdpt_next;
		b->pdpt_next += 0x20;
		uint64_t pds = alloc_pages(w, 4, true) << KDX_PAGE_SHIFT;
		for (unsigned k = 0; k < 4; k++) {
			uint64_t pd = pds + k * KDX_PAGE_SIZE;
			gen_put64(&w->img, pdpt + 8 * k, pd | PAE_PDPTE);
			uint64_t kpd = get_le(&w->img, w->dtb + 8 * k, 8) & b->d->pfn_mask;
			for (unsigned i = 0; k >= 2 && i < 512; i++)
				gen_put64(&w->img, pd + 8 * i, get_le(&w->img, kpd + 8 * i, 8));
		}
		for (unsigned k = 0; k < 4; k++)
			gen_put64(&w->img, pds + 3 * KDX_PAGE_SIZE + 8 * k,
				  (pds + k * KDX_PAGE_SIZE) | KERNEL_TABLE);
		return pdpt;
	}
	uint64_t top = alloc_pages(w, 1, true) << KDX_PAGE_SHIFT;
	uint64_t n = 1ull << b->d->index_bits[0];
	for (uint64_t i = n / 2; i < n; i++)
		set_entry(b, top + i * es, get_entry(w, w->dtb + i * es));
	set_entry(b, top + w->self_map_index * es, top | KERNEL_TABLE);
	return top;
}

uint64_t world_region_reserve(struct world *w, const char *region, uint64_t npages)
{
	int r = region_named(region);
	uint64_t va = w->build->plan.next[r];
	w->build->plan.next[r] += npages * KDX_PAGE_SIZE;
	return va;
}

uint64_t world_region_start(const struct world *w, const char *region)
{
	return w->build->plan.region_start[region_named(region)];
}

uint64_t world_region_end(const struct world *w, const char *region)
{
	int r = region_named(region);
	return w->build->plan.region_start[r] + w->build->plan.region_size[r];
}

void world_free(struct world *w)
{
	world_pool_free(w);
	world_procs_free(w);
	world_modules_free(w);
	world_pfn_free(w);
	world_search_free(w);
	world_files_free(w);
	world_verifier_free(w);
	gen_image_free(&w->img);
	free(w->used);
	w->used = NULL;
}

bool world_page_in_dump(const struct world *w, enum gen_format fmt, uint64_t pfn)
{
	return fmt == GEN_RAW ? pfn < w->img.max_pfn : gen_stores(&w->img, fmt, pfn);
}

uint64_t world_physical_pages(const struct world *w, enum gen_format fmt)
{
	uint64_t n = 0;
	for (uint64_t pfn = 0; pfn < w->img.max_pfn; pfn++)
		n += world_page_in_dump(w, fmt, pfn);
	return n;
}

void world_walk_in(const struct world *w, const struct world_xlat *x, enum gen_format fmt,
		   struct walk *out)
{
	*out = x->walk;
	for (int l = 0; l < out->nlevels; l++) {
		struct walk_level *lv = &out->level[l];
		if (world_page_in_dump(w, fmt, lv->table >> KDX_PAGE_SHIFT))
			continue;
		lv->read = lv->present = lv->large = false;
		lv->entry = 0;
		out->nlevels = l + 1;
		out->stopped_at = l;
		out->reason = XLAT_NOT_IN_DUMP;
		out->pa = 0;
		out->page_size = KDX_PAGE_SIZE;
		out->page_in_dump = false;
		return;
	}
	if (out->stopped_at < 0) {
		out->page_in_dump = world_page_in_dump(w, fmt, out->pa >> KDX_PAGE_SHIFT);
		out->reason = out->page_in_dump ? XLAT_OK : XLAT_NOT_IN_DUMP;
	}
}

void world_kvar_refresh(struct world *w, const char *name)
{
	for (size_t i = 0; i < w->nkvar; i++)
		if (strcmp(w->kvar[i].name, name) == 0)
			w->kvar[i].value = world_kget(w, w->kvar[i].address, w->profile->ptr_size);
}

const struct world_kvar *world_kvar(const struct world *w, const char *name)
{
	for (size_t i = 0; i < w->nkvar; i++)
		if (strcmp(w->kvar[i].name, name) == 0)
			return &w->kvar[i];
	return NULL;
}

static const struct { enum gen_format fmt; const char *name, *suffix; } formats[] = {
	{ GEN_FULL, "full", ".full.dmp" },
	{ GEN_SUMMARY, "summary", ".summary.dmp" },
	{ GEN_TRIAGE, "triage", ".triage.dmp" },
	{ GEN_BITMAP_FULL, "bitmap", ".bitmap.dmp" },
	{ GEN_BITMAP_KERNEL, "kernel", ".kernel.dmp" },
	{ GEN_ELF, "elf", ".elf" },
	{ GEN_ELF_PAGING, "elf-paging", ".paging.elf" },
	{ GEN_ELF_XNUM, "elf-xnum", ".xnum.elf" },
	{ GEN_ELF_QEMU, "elf-qemu", ".qemu.elf" },
	{ GEN_KDUMP, "kdump", ".kdump" },
	{ GEN_KDUMP_FILTERED, "kdump-filtered", ".filtered.kdump" },
	{ GEN_KDUMP_ZLIB, "kdump-zlib", ".zlib.kdump" },
	{ GEN_KDUMP_FLAT, "kdump-flat", ".flat.kdump" },
	{ GEN_KDUMP_FLAT_LZO, "kdump-flat-lzo", ".lzo.flat.kdump" },
	{ GEN_KDUMP_FLAT_SNAPPY, "kdump-flat-snappy", ".snappy.flat.kdump" },
	{ GEN_KDUMP_FLAT_ZSTD, "kdump-flat-zstd", ".zstd.flat.kdump" },
	{ GEN_RAW, "raw", ".raw" },
	{ GEN_RDMP_KERNEL, "rdmp-kernel", ".rdmp-kernel.dmp" },
	{ GEN_RDMP_ACTIVE, "rdmp-active", ".rdmp-active.dmp" },
	{ GEN_RDMP_FULL, "rdmp-full", ".rdmp-full.dmp" },
};

const char *world_format_name(enum gen_format fmt)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].fmt == fmt)
			return formats[i].name;
	return "unknown";
}

const char *world_format_suffix(enum gen_format fmt)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].fmt == fmt)
			return formats[i].suffix;
	return "";
}

bool world_format_parse(const char *name, enum gen_format *fmt)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0) {
			*fmt = formats[i].fmt;
			return true;
		}
	return false;
}
