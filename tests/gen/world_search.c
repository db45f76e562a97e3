/* The search plants (world_search.h). Texts carry the seed, so each world's
 * differ; positions are fixed offsets inside owners picked by rule, so the
 * plants draw nothing from the world's random stream. */
#include "tests/gen/world_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gen/world_build.h"
#include "tests/gen/world_files.h"
#include "tests/gen/world_modules.h"
#include "tests/gen/world_pfn.h"
#include "tests/gen/world_pool.h"
#include "tests/gen/world_procs.h"

/* Inside a block: past any header (8 or 16 bytes) and off the 16-byte
 * steps where a segment-heap reader looks for headers. */
#define BLOCK_OFFSET 0x18u
/* Inside a driver's .data and a stack's lowest page. */
#define DATA_OFFSET 0x1f0u
#define STACK_OFFSET 0x48u
/* A user VA no generated process maps otherwise. */
#define USER_PAGE_VA 0x6f0000ull
/* The straddling text starts this many bytes before its page ends. */
#define STRADDLE_HEAD 8u

static struct world_plant *plant(struct world *w, const char *name, bool utf16)
{
	struct world_search *s = w->search;
	if (s->nplants == WORLD_MAX_PLANTS) {
		fprintf(stderr, "kdx-gen: more than %d plants\n", WORLD_MAX_PLANTS);
		abort();
	}
	struct world_plant *p = &s->plants[s->nplants++];
	p->name = name;
	p->utf16 = utf16;
	p->mapped_via = "pfn-database";
	snprintf(p->text, sizeof p->text, WORLD_PLANT_PREFIX "%s-%llx", name,
		 (unsigned long long)w->seed);
	return p;
}

static size_t encoded_size(const struct world_plant *p)
{
	return strlen(p->text) * (p->utf16 ? 2 : 1);
}

/* Writes the text at va of the space top, recording where its bytes are. */
static void put_virtual(struct world *w, struct world_plant *p, uint64_t top, uint64_t va)
{
	size_t n = strlen(p->text);
	for (size_t i = 0; i < n; i++) {
		size_t unit = p->utf16 ? 2 : 1;
		uint64_t pa = world_pa(w, top, va + i * unit);
		world_put_phys(w, pa, (uint8_t)p->text[i], (unsigned)unit);
	}
	p->has_va = true;
	p->va = va;
	p->pa = world_pa(w, top, va);
	p->pa_end = world_pa(w, top, va + encoded_size(p) - 1);
	p->has_alias = p->pa_end - p->pa == encoded_size(p) - 1 &&
		       world_pa_alias(w, p->pa, encoded_size(p), &p->alias);
}

/* An ordinary allocated small block of the pool kind, big enough, not the
 * one the leak points at. */
static size_t pick_block(const struct world *w, bool paged, size_t need)
{
	const struct world_pool *pl = w->pool;
	for (size_t i = 0; i < pl->nblocks; i++) {
		const struct world_pool_block *b = &pl->blocks[i];
		if (!b->big && b->paged == paged && b->state != WORLD_BLOCK_FREE &&
		    b->tag != pl->leak_tag && b->size >= BLOCK_OFFSET + need &&
		    !(pl->leak_points_at >= b->address && pl->leak_points_at < b->address + b->size))
			return i;
	}
	fprintf(stderr, "kdx-gen: no pool block for a search plant\n");
	abort();
}

static void plant_pool(struct world *w, const char *name, bool utf16, bool paged)
{
	struct world_plant *p = plant(w, name, utf16);
	p->owner = PLANT_POOL;
	p->kernel = true;
	p->index = pick_block(w, paged, encoded_size(p));
	put_virtual(w, p, w->dtb, w->pool->blocks[p->index].address + BLOCK_OFFSET);
}

static void plant_module(struct world *w)
{
	const struct world_modules *M = w->modules;
	for (size_t i = 1; i < M->nmodules; i++) {
		uint64_t va = M->modules[i].base + M->modules[i].data_rva + DATA_OFFSET;
		if (M->modules[i].session_image)
			continue;
		struct world_plant *q = plant(w, "module-data", false);
		q->owner = PLANT_MODULE;
		q->kernel = true;
		q->index = i;
		q->offset = DATA_OFFSET;
		put_virtual(w, q, w->dtb, va);
		return;
	}
}

/* A thread other than the deep one: its lowest stack page is unused. */
static void plant_stack(struct world *w)
{
	const struct world_procs *P = w->procs;
	size_t t = P->deep_thread == 0 ? 1 : 0;
	struct world_plant *p = plant(w, "stack", false);
	p->owner = PLANT_STACK;
	p->kernel = true;
	p->index = t;
	put_virtual(w, p, w->dtb, P->threads[t].stack_limit + STACK_OFFSET);
}

/* The first process with a user space. */
static size_t user_process(const struct world *w)
{
	const struct world_procs *P = w->procs;
	for (size_t i = 0; i < P->nprocesses; i++)
		if (P->processes[i].peb)
			return i;
	fprintf(stderr, "kdx-gen: no process with a user space for the search plants\n");
	abort();
}

/* A fresh user page in the first process with a user space. */
static void plant_user(struct world *w)
{
	size_t i = user_process(w);
	uint64_t dtb = w->procs->processes[i].dtb;
	struct walk wk;
	world_walk(w, dtb, USER_PAGE_VA, &wk);
	if (wk.reason == XLAT_OK) {
		fprintf(stderr, "kdx-gen: the search plant's user page is taken\n");
		abort();
	}
	world_map_user_page(w, dtb, USER_PAGE_VA, world_alloc_user_pages(w, 1));
	struct world_plant *p = plant(w, "user", false);
	p->owner = PLANT_PROCESS;
	p->index = i;
	put_virtual(w, p, dtb, USER_PAGE_VA + DATA_OFFSET);
}

/* A view of a mapped file: the page after the user plant's maps a resident
 * page of the first file. Its PFN entry's PteAddress names the file's
 * prototype PTE, not the process's PTE, as for every section-backed page,
 * so only a walk of the process's page tables finds this mapping. */
static void plant_mapped_view(struct world *w)
{
	const struct world_file *f = &w->files->files[0];
	unsigned k = 0;
	while (k < f->total_ptes && f->state[k] != WP_VALID)
		k++;
	if (w->files->nfiles == 0 || k == f->total_ptes) {
		fprintf(stderr, "kdx-gen: no resident file page for the search plant\n");
		abort();
	}
	size_t i = user_process(w);
	uint64_t dtb = w->procs->processes[i].dtb;
	world_map_user_page(w, dtb, USER_PAGE_VA + KDX_PAGE_SIZE, f->pfn[k]);
	struct world_plant *p = plant(w, "mapped-view", false);
	p->owner = PLANT_PROCESS;
	p->index = i;
	p->mapped_via = "page-tables";
	put_virtual(w, p, dtb, USER_PAGE_VA + KDX_PAGE_SIZE + DATA_OFFSET);
}

/* Three system-PTE pages mapping three physical pages out of order: the
 * text runs from the end of the first VA page, physically the highest,
 * into the second, physically the lowest. */
static void plant_straddle(struct world *w)
{
	uint64_t va = world_region_reserve(w, "SystemPtes", 3);
	uint64_t pfn = world_alloc_pages(w, 3);
	world_map_data_page(w, va, pfn + 2);
	world_map_data_page(w, va + KDX_PAGE_SIZE, pfn);
	world_map_data_page(w, va + 2 * KDX_PAGE_SIZE, pfn + 1);
	struct world_plant *p = plant(w, "straddle", false);
	p->owner = PLANT_REGION;
	p->kernel = true;
	p->region = "system-ptes";
	put_virtual(w, p, w->dtb, va + KDX_PAGE_SIZE - STRADDLE_HEAD);
}

int world_build_search(struct world *w, struct kdx_error *err)
{
	w->search = calloc(1, sizeof *w->search);
	if (!w->search)
		return kdx_fail(err, "%s: out of memory", w->profile->name);
	plant_module(w);
	plant_stack(w);
	plant_user(w);
	plant_mapped_view(w);
	plant_straddle(w);
	return 0;
}

void world_search_pool(struct world *w)
{
	plant_pool(w, "pool-ascii", false, false);
	plant_pool(w, "pool-utf16", true, true);
}

/* Once the PFN database exists: a page on the free list that no table
 * maps, holding the last plant. */
void world_search_free_page(struct world *w)
{
	uint64_t alias;
	for (uint64_t pfn = w->img.max_pfn; pfn-- > 0;) {
		if (w->used[pfn] || !gen_is_ram(&w->img, pfn) || w->pfn->entries[pfn].location != WL_FREE ||
		    world_pa_alias(w, pfn << KDX_PAGE_SHIFT, KDX_PAGE_SIZE, &alias))
			continue;
		struct world_plant *p = plant(w, "free-page", false);
		p->owner = PLANT_PHYSICAL;
		p->list = WL_FREE;
		p->mapped_via = NULL;
		p->pa = (pfn << KDX_PAGE_SHIFT) + DATA_OFFSET;
		p->pa_end = p->pa + encoded_size(p) - 1;
		for (size_t i = 0; i < strlen(p->text); i++)
			world_put_phys(w, p->pa + i, (uint8_t)p->text[i], 1);
		return;
	}
	fprintf(stderr, "kdx-gen: no free page for the search plant\n");
	abort();
}

void world_search_free(struct world *w)
{
	free(w->search);
	w->search = NULL;
}
