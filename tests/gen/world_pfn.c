/* The PFN database (doc/structures.md §8, doc/address-space.md §7 and §8):
 * every page the page tables map is Active with PteAddress naming its PTE
 * through the self-map and PteFrame the table holding it; the teaching
 * transition page is on the standby list with its page-file OriginalPte;
 * the page behind the teaching prototype PTE is a prototype page; the rest
 * of RAM is spread over the zeroed, free, standby, modified,
 * modified-no-write, bad and transition lists, linked by Flink/Blink. */
#include "tests/gen/world_pfn.h"

#include <stdlib.h>
#include <string.h>

#include "core/nt/kdbg.h"
#include "tests/gen/world_build.h"
#include "tests/gen/world_files.h"
#include "tests/gen/world_pool.h"
#include "tests/gen/world_procs.h"

const char *const world_page_list_names[WL_COUNT] = {
	"Zeroed", "Free", "Standby", "Modified", "ModifiedNoWrite", "Bad", "Active",
	"Transition",
};

struct pfn_builder {
	struct world *w;
	struct world_pfn *pf;
	const struct paging_desc *d;
	bool *assigned;
};

static void assign(struct pfn_builder *b, uint64_t pfn, uint8_t location, uint64_t pte_va,
		   uint64_t pte_frame)
{
	if (pfn >= b->w->img.max_pfn || b->assigned[pfn] || !gen_is_ram(&b->w->img, pfn))
		return;
	b->assigned[pfn] = true;
	struct world_pfn_entry *e = &b->pf->entries[pfn];
	e->location = location;
	e->pte_address = pte_va;
	e->pte_frame = pte_frame;
}

/* The VA at which the self-map shows the entry for va at level l. */
static uint64_t entry_va(struct pfn_builder *b, int level, uint64_t va)
{
	for (int l = b->d->levels - 1; l >= level; l--)
		va = world_pte_va(b->w, va);
	return va;
}

/* Walks a table at level, assigning every page an entry maps. Entries the
 * kernel's own table shares are skipped (already assigned from there).
 * Large pages come in a second pass and claim only allocated pages that
 * no 4 KiB mapping named: free RAM under the teaching 1 GiB page stays on
 * the page lists. */
static void scan(struct pfn_builder *b, uint64_t table, int level, uint64_t va_base,
		 const uint64_t *skip_same_as, bool large_pass)
{
	const struct paging_desc *d = b->d;
	struct world *w = b->w;
	uint64_t n = 1ull << d->index_bits[level];
	for (uint64_t i = 0; i < n; i++) {
		uint64_t ea = table + i * (uint64_t)d->entry_size;
		uint64_t e = world_get_phys(w, ea, (unsigned)d->entry_size);
		if (!(e & 1))
			continue;
		if (level == 0 && skip_same_as &&
		    e == world_get_phys(w, *skip_same_as + i * (uint64_t)d->entry_size,
					(unsigned)d->entry_size))
			continue;
		uint64_t va = paging_canonical(d, va_base | (i << d->shift[level]));
		bool large = (d->large_ok & (1u << level)) && (e & 0x80);
		uint64_t target = e & d->pfn_mask;
		uint64_t frame = table >> KDX_PAGE_SHIFT;
		if (target == (table & ~0xfffull))     /* the self-map entry */
			continue;
		if (large) {
			uint64_t size = paging_leaf_size(d, level);
			uint64_t first = (target & ~(size - 1)) >> KDX_PAGE_SHIFT;
			for (uint64_t p = first; large_pass && p < first + size / KDX_PAGE_SIZE &&
			     p < w->img.max_pfn; p++)
				if (w->used[p])
					assign(b, p, WL_ACTIVE, entry_va(b, level, va), frame);
			continue;
		}
		bool was = target >> KDX_PAGE_SHIFT < w->img.max_pfn &&
			   b->assigned[target >> KDX_PAGE_SHIFT];
		if (!large_pass)
			assign(b, target >> KDX_PAGE_SHIFT, WL_ACTIVE, entry_va(b, level, va), frame);
		if (level < d->levels - 1 && (large_pass || !was))
			scan(b, target, level + 1, va, NULL, large_pass);
	}
}

static const struct world_xlat *teaching(const struct world *w, const char *kind)
{
	for (size_t i = 0; i < w->nxlat; i++)
		if (strcmp(w->xlat[i].kind, kind) == 0)
			return &w->xlat[i];
	return NULL;
}

/* Writes an integer bit field of the MMPFN at entry. */
static void put_bits(struct world *w, uint64_t entry, struct prof_bits f, uint64_t v)
{
	unsigned size = (f.bit + f.width + 7) / 8;
	size = size <= 1 ? 1 : size <= 2 ? 2 : size <= 4 ? 4 : 8;
	uint64_t mask = (f.width >= 64 ? UINT64_MAX : (1ull << f.width) - 1) << f.bit;
	uint64_t old = world_kget(w, entry + f.offset, size);
	world_kput(w, entry + f.offset, (old & ~mask) | ((v << f.bit) & mask), size);
}

static void store(struct pfn_builder *b, uint64_t pfn, uint64_t flink, uint64_t blink)
{
	struct world *w = b->w;
	const struct prof_mmpfn *M = w->profile->mmpfn;
	const struct world_pfn_entry *e = &b->pf->entries[pfn];
	uint64_t at = b->pf->database + pfn * M->size;
	put_bits(w, at, M->flink, flink);
	put_bits(w, at, M->blink, blink);
	world_kput(w, at + M->pte_address, e->pte_address, w->profile->ptr_size);
	if (M->reference_count != PROF_ABSENT)   /* 2003 RTM x86: not in its column */
		world_kput(w, at + M->reference_count, e->location == WL_ACTIVE, 2);
	put_bits(w, at, M->page_location, e->location);
	put_bits(w, at, M->modified, e->modified);
	put_bits(w, at, M->prototype_pte, e->prototype);
	world_kput(w, at + M->original_pte, e->original_pte, M->original_pte_size);
	put_bits(w, at, M->pte_frame, e->pte_frame);
}

/* The whole machine's pages that are not available: modified, a few
 * modified-no-write and transition pages, one bad page. */
static uint8_t held_list(uint64_t k)
{
	return k == 7 ? WL_BAD : k % 97 == 5 ? WL_MODIFIED_NO_WRITE :
	       k % 89 == 3 ? WL_TRANSITION : WL_MODIFIED;
}

static uint8_t available_list(struct world *w)
{
	uint64_t r = world_rnd_below(w, 100);
	return r < 65 ? WL_ZEROED : r < 85 ? WL_FREE : WL_STANDBY;
}

/* Free RAM over the lists: mostly zeroed, then free, standby, modified;
 * a few modified-no-write and transition pages, one bad page. */
static uint8_t list_for(struct world *w, uint64_t k)
{
	uint8_t held = held_list(k);
	if (held != WL_MODIFIED)
		return held;
	uint64_t r = world_rnd_below(w, 100);
	return r < 55 ? WL_ZEROED : r < 75 ? WL_FREE : r < 90 ? WL_STANDBY : WL_MODIFIED;
}

/* The page-list heads the KDBG names: MMPFNLIST's Total, ListName, Flink
 * and Blink, each a pointer wide (doc/structures.md §8); the memory
 * summary's Modified pages is the modified list's Total. */
static void list_heads(struct world *w, const struct world_pfn *pf, const uint64_t *last)
{
	static const struct { uint8_t list; const char *name; unsigned kdbg; } heads[] = {
		{ WL_ZEROED, "MmZeroedPageListHead", KDBG_MM_ZEROED_PAGE_LIST_HEAD },
		{ WL_FREE, "MmFreePageListHead", KDBG_MM_FREE_PAGE_LIST_HEAD },
		{ WL_STANDBY, "MmStandbyPageListHead", KDBG_MM_STANDBY_PAGE_LIST_HEAD },
		{ WL_MODIFIED, "MmModifiedPageListHead", KDBG_MM_MODIFIED_PAGE_LIST_HEAD },
		{ WL_MODIFIED_NO_WRITE, "MmModifiedNoWritePageListHead",
		  KDBG_MM_MODIFIED_NO_WRITE_PAGE_LIST_HEAD },
	};
	unsigned ps = w->profile->ptr_size;
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		uint8_t l = heads[i].list;
		uint64_t va = world_kvar_struct(w, heads[i].name, heads[i].kdbg, pf->totals[l], 4 * ps);
		world_kput(w, va + ps, l, 4);
		world_kput(w, va + 2ull * ps, pf->list_head[l], ps);
		world_kput(w, va + 3ull * ps, last[l], ps);
	}
	world_pool_set_figure(w, "modified_pages", pf->totals[WL_MODIFIED]);
}

int world_build_pfn(struct world *w, struct kdx_error *err)
{
	struct world_pfn *pf = calloc(1, sizeof *pf);
	bool *assigned = calloc(w->img.max_pfn, sizeof *assigned);
	if (pf)
		pf->entries = calloc(w->img.max_pfn, sizeof *pf->entries);
	if (!pf || !assigned || !pf->entries) {
		if (pf)
			free(pf->entries);
		free(pf);
		free(assigned);
		return kdx_fail(err, "%s: out of memory", w->profile->name);
	}
	w->pfn = pf;
	const struct world_kvar *db = world_kvar(w, "MmPfnDatabase");
	pf->database = db->value;
	struct pfn_builder b = { w, pf, paging_desc(w->profile->paging), assigned };

	/* the teaching transition page: standby, its page-file form saved */
	const struct world_xlat *t = teaching(w, "transition");
	uint64_t tpfn = t->leaf.pfn;
	assign(&b, tpfn, WL_STANDBY, world_pte_va(w, t->walk.va),
	       t->walk.level[t->walk.nlevels - 1].table >> KDX_PAGE_SHIFT);
	pf->entries[tpfn].original_pte = world_pagefile_pte(w, 0, 0x1000 + tpfn, 4);
	/* the page behind the teaching prototype PTE */
	const struct world_xlat *p = teaching(w, "prototype");
	uint64_t proto = p->leaf.prototype_address;
	uint64_t ppte = world_kget(w, proto, (unsigned)b.d->entry_size);
	uint64_t ppfn = (ppte & b.d->pfn_mask) >> KDX_PAGE_SHIFT;
	assign(&b, ppfn, WL_ACTIVE, proto, world_pa(w, w->dtb, proto) >> KDX_PAGE_SHIFT);
	pf->entries[ppfn].prototype = true;

	/* mapped-file pages: their PTE is a prototype PTE in the segment */
	unsigned es = (unsigned)b.d->entry_size;
	for (size_t i = 0; i < w->files->nfiles; i++) {
		const struct world_file *f = &w->files->files[i];
		for (unsigned k = 0; k < f->total_ptes; k++) {
			if (f->state[k] == WP_SUBSECTION)
				continue;
			uint64_t pte = f->prototype_ptes + (uint64_t)k * es;
			assign(&b, f->pfn[k], f->state[k] == WP_VALID ? WL_ACTIVE : WL_STANDBY, pte,
			       world_pa(w, w->dtb, pte) >> KDX_PAGE_SHIFT);
			pf->entries[f->pfn[k]].prototype = true;
			if (b.d->mode != PAGING_X86)
				pf->entries[f->pfn[k]].original_pte =
					world_subsection_pte(w, f->subsection, 4);
		}
	}
		/* Top tables: their own self-map entry maps them (a PAE PDPT is no
	 * page table, so it counts with the unmapped pages below). */
	uint64_t self_entry = entry_va(&b, 0, w->pte_base);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i <= w->procs->nprocesses; i++) {
			uint64_t top = i ? w->procs->processes[i - 1].dtb : w->dtb;
			if (i && top == w->dtb)
				continue;
			if (b.d->mode != PAGING_PAE)
				assign(&b, top >> KDX_PAGE_SHIFT, WL_ACTIVE, self_entry,
				       top >> KDX_PAGE_SHIFT);
			scan(&b, top, 0, 0, i ? &w->dtb : NULL, pass == 1);
		}
	/* other allocated pages (PAE PDPT pages, the boot stub): active, unmapped */
	for (uint64_t pfn = 0; pfn < w->img.max_pfn; pfn++)
		if (w->used[pfn])
			assign(&b, pfn, WL_ACTIVE, 0, 0);
	/* The whole machine: the lists whose pages are available (zeroed,
	 * free, standby) hold exactly MmAvailablePages, the standby pages
	 * placed above included; the rest go evenly among them. */
	uint64_t unassigned = 0, available = 0, placed = 0, k = 0, held = 0;
	if (w->whole) {
		for (uint64_t pfn = 0; pfn < w->img.max_pfn; pfn++) {
			unassigned += gen_is_ram(&w->img, pfn) && !assigned[pfn];
			placed += assigned[pfn] && pf->entries[pfn].location == WL_STANDBY;
		}
		available = world_kvar(w, "MmAvailablePages")->value - placed;
		if (available > unassigned) {
			free(assigned);
			return kdx_fail(err, "%s: %llu available pages do not fit %llu free pages of RAM",
					w->profile->name, (unsigned long long)available,
					(unsigned long long)unassigned);
		}
	}
	for (uint64_t pfn = 0; pfn < w->img.max_pfn; pfn++)
		if (gen_is_ram(&w->img, pfn) && !assigned[pfn]) {
			uint8_t list = !w->whole ? list_for(w, k) :
				       (k + 1) * available / unassigned > k * available / unassigned ?
				       available_list(w) : held_list(held++);
			k++;
			assign(&b, pfn, list, 0, 0);
			pf->entries[pfn].modified = list == WL_MODIFIED ||
						    list == WL_MODIFIED_NO_WRITE;
			/* standby and modified pages remember where they go */
			if (list == WL_STANDBY || list == WL_MODIFIED)
				pf->entries[pfn].original_pte = world_pagefile_pte(w, 0, pfn, 4);
		}

	/* link the lists in PFN order and store every entry */
	uint64_t end = w->profile->mmpfn->list_end;
	uint64_t last[WL_COUNT];
	for (int l = 0; l < WL_COUNT; l++)
		pf->list_head[l] = last[l] = end;
	for (uint64_t pfn = 0; pfn < w->img.max_pfn; pfn++) {
		if (!gen_is_ram(&w->img, pfn))
			continue;
		uint8_t l = pf->entries[pfn].location;
		pf->totals[l]++;
		if (l == WL_ACTIVE)
			continue;
		if (last[l] == end)
			pf->list_head[l] = pfn;
		last[l] = pfn;
	}
	uint64_t prev[WL_COUNT];
	for (int l = 0; l < WL_COUNT; l++)
		prev[l] = end;
	for (uint64_t pfn = 0; pfn < w->img.max_pfn; pfn++) {
		if (!gen_is_ram(&w->img, pfn))
			continue;
		uint8_t l = pf->entries[pfn].location;
		if (l == WL_ACTIVE) {
			store(&b, pfn, 0, 1);          /* WsIndex 0, ShareCount 1 */
			continue;
		}
		uint64_t next = end;
		for (uint64_t q = pfn + 1; q <= last[l] && last[l] != end; q++)
			if (gen_is_ram(&w->img, q) && pf->entries[q].location == l) {
				next = q;
				break;
			}
		store(&b, pfn, next, prev[l]);
		prev[l] = pfn;
	}
	list_heads(w, pf, last);
	free(assigned);
	return 0;
}

void world_pfn_free(struct world *w)
{
	if (w->pfn)
		free(w->pfn->entries);
	free(w->pfn);
	w->pfn = NULL;
}
