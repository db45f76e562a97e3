/* Owners of addresses (owner.h). */
#include "core/analysis/owner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xlat/walk.h"

/* Pages a reverse walk records at most (16 GiB of mappings). */
#define RMAP_MAX (4u << 20)

struct rmap_entry {
	uint64_t pfn, va;
	const struct process *process;
};

struct owner_index {
	struct dump *d;
	const struct paging_desc *pd;
	bool has_modules, has_procs, has_pool, has_pfn, has_layout;
	struct module_list modules;
	struct process_list procs;
	struct pool_ctx pool;
	struct pool_block *big;
	size_t nbig, capbig;
	struct pool_page *page;          /* the last pool page walked */
	bool page_valid;
	struct pfn_db pfn;
	uint64_t pfn_end;                /* VA after the last MMPFN of RAM */
	struct region_list regions;
	struct xlat **spaces;            /* per process, made on demand */
	bool *owned;
	struct rmap_entry *rmap;
	size_t nrmap;
	bool rmap_built;
	char note[256];
};

const char *owner_kind_name(enum owner_kind k)
{
	static const char *const names[] = { "unknown", "pool", "module", "stack", "pfn-database",
					     "page-table", "process", "region", "physical" };
	return names[k];
}

/* Why a part is missing; its message names the part. */
static void note(struct owner_index *ix, const struct kdx_error *e)
{
	size_t n = strlen(ix->note);
	snprintf(ix->note + n, sizeof ix->note - n, "%s%s", n ? "; " : "", e->msg);
}

static int add_big(void *ctx, const struct pool_block *b)
{
	struct owner_index *ix = ctx;
	if (ix->nbig == ix->capbig) {
		size_t cap = ix->capbig ? ix->capbig * 2 : 64;
		struct pool_block *g = realloc(ix->big, cap * sizeof *g);
		if (!g)
			return 1;
		ix->big = g;
		ix->capbig = cap;
	}
	ix->big[ix->nbig++] = *b;
	return 0;
}

int owner_index_new(struct dump *d, struct owner_index **out, struct kdx_error *err)
{
	struct owner_index *ix = calloc(1, sizeof *ix);
	if (!ix || !(ix->page = malloc(sizeof *ix->page))) {
		free(ix);
		return kdx_fail(err, "owner: out of memory");
	}
	ix->d = d;
	ix->pd = paging_desc(d->paging);
	struct kdx_error e = { .msg = "" };
	/* Without kernel structures every reader below fails the same way:
	 * said once. */
	bool structures = dump_need_structures(d, "modules, processes, pool, PFN database", &e) == 0;
	if (!structures)
		note(ix, &e);
	if (structures && !(ix->has_modules = modules_read(d, &ix->modules, &e) == 0))
		note(ix, &e);
	if (structures && !(ix->has_procs = process_list_read(d, &ix->procs, &e) == 0))
		note(ix, &e);
	/* No progress: after a cancelled search the reporter says stop, and
	 * the hits kept still need their owners. */
	if (structures && (ix->has_pool = pool_ctx_init(d, NULL, &ix->pool, &e) == 0)) {
		struct pool_big_table t;
		pool_big_find(&ix->pool, &t);
		pool_big_each(&ix->pool, &t, add_big, ix);
	} else if (structures) {
		note(ix, &e);
	}
	if (structures && (ix->has_pfn = pfn_db_open(d, &ix->pfn, &e) == 0) && ix->pfn.nruns)
		ix->pfn_end = ix->pfn.base + ix->pfn.runs[ix->pfn.nruns - 1].end * ix->pfn.p->mmpfn->size;
	else if (structures && !ix->has_pfn)
		note(ix, &e);
	if (!(ix->has_layout = layout_build(d, &ix->regions, &e) == 0))
		note(ix, &e);
	if (ix->has_procs) {
		ix->spaces = calloc(ix->procs.count ? ix->procs.count : 1, sizeof *ix->spaces);
		ix->owned = calloc(ix->procs.count ? ix->procs.count : 1, sizeof *ix->owned);
		if (!ix->spaces || !ix->owned) {
			owner_index_free(ix);
			return kdx_fail(err, "owner: out of memory");
		}
	}
	*out = ix;
	return 0;
}

void owner_index_free(struct owner_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; ix->spaces && i < ix->procs.count; i++)
		if (ix->owned[i])
			xlat_free(ix->spaces[i]);
	free(ix->spaces);
	free(ix->owned);
	if (ix->has_modules)
		modules_free(&ix->modules);
	if (ix->has_procs)
		process_list_free(&ix->procs);
	if (ix->has_layout)
		region_list_free(&ix->regions);
	free(ix->big);
	free(ix->page);
	free(ix->rmap);
	free(ix);
}

const char *owner_index_note(const struct owner_index *ix)
{
	return ix->note;
}

const struct process *owner_process(const struct owner_index *ix, uint32_t pid)
{
	return ix->has_procs ? process_by_pid(&ix->procs, pid) : NULL;
}

static bool pool_owner(struct owner_index *ix, uint64_t va, struct owner *o)
{
	const struct pool_ctx *c = &ix->pool;
	for (size_t i = 0; i < ix->nbig; i++)
		if (va >= ix->big[i].address && va - ix->big[i].address < ix->big[i].size) {
			o->kind = OWNER_POOL;
			o->block = ix->big[i];
			return true;
		}
	bool in = c->has_pp && va >= c->pp_start && va <= c->pp_end;
	for (size_t i = 0; i < c->n_np && !in; i++)
		in = va >= c->np_start[i] && va <= c->np_end[i];
	if (!in)
		return false;
	uint64_t page = va & ~(uint64_t)(KDX_PAGE_SIZE - 1);
	if (!ix->page_valid || ix->page->va != page) {
		pool_walk_page(c, page, ix->page);
		ix->page_valid = true;
	}
	for (size_t i = 0; i < ix->page->count; i++) {
		const struct pool_block *b = &ix->page->blocks[i];
		if (va >= b->address && va - b->address < b->size) {
			o->kind = OWNER_POOL;
			o->block = *b;
			return true;
		}
	}
	return false;
}

static bool page_table_owner(struct owner_index *ix, uint64_t va, struct owner *o)
{
	const struct self_map *s = &ix->regions.self_map;
	if (!ix->has_layout || !s->pte_space_size || va < s->pte_base ||
	    va - s->pte_base >= s->pte_space_size)
		return false;
	/* The tables above the PTEs sit inside the PTE space, top last. */
	const struct paging_desc *pd = ix->pd;
	uint64_t bases[PAGING_MAX_LEVELS] = { 0 };
	int levels = pd->levels;
	bases[levels - 1] = s->pte_base;
	if (levels >= 2)
		bases[levels - 2] = s->pde_base;
	if (levels == 4) {
		bases[1] = s->ppe_base;
		bases[0] = s->pxe_base;
	}
	int level = levels - 1;
	for (int l = 0; l < levels - 1; l++) {
		uint64_t span = (1ull << (pd->va_bits - pd->shift[l])) * (uint64_t)pd->entry_size;
		if (bases[l] && va >= bases[l] && va - bases[l] < span) {
			level = l;
			break;
		}
	}
	o->kind = OWNER_PAGE_TABLE;
	o->level = pd->level_names[level];
	o->entry = va & ~(uint64_t)(pd->entry_size - 1);
	uint64_t maps = o->entry;
	for (int l = level; l < levels; l++)
		self_map_mapped_va(s, pd->mode, maps, &maps);
	o->maps = maps;
	return true;
}

static const struct region *region_of(const struct owner_index *ix, uint64_t va)
{
	const struct region *best = NULL;
	for (size_t i = 0; ix->has_layout && i < ix->regions.count; i++) {
		const struct region *r = &ix->regions.items[i];
		if (va >= r->start && va <= r->end && (!best || r->nested))
			best = r;
	}
	return best;
}

void owner_of_va(struct owner_index *ix, uint64_t va, const struct process *process,
		 struct owner *o)
{
	memset(o, 0, sizeof *o);
	const struct region *user = ix->has_layout ? region_find(&ix->regions, "user") : NULL;
	if (process && (!user || va <= user->end)) {
		o->kind = OWNER_PROCESS;
		o->process = process;
		return;
	}
	const struct module *m = ix->has_modules ? modules_find(&ix->modules, va) : NULL;
	if (m) {
		o->kind = OWNER_MODULE;
		o->module = m;
		o->section = module_section_at(m, va - m->base);
		o->offset = va - m->base - (o->section ? o->section->rva : 0);
		return;
	}
	for (size_t i = 0; ix->has_procs && i < ix->procs.nthreads; i++) {
		const struct thread *t = &ix->procs.threads[i];
		if (va >= t->stack_limit && va < t->stack_base) {
			o->kind = OWNER_STACK;
			o->thread = t;
			o->process = &ix->procs.processes[t->process];
			return;
		}
	}
	if (ix->has_pool && pool_owner(ix, va, o))
		return;
	if (ix->has_pfn && va >= ix->pfn.base && va < ix->pfn_end) {
		o->kind = OWNER_PFN_DATABASE;
		o->pfn = (va - ix->pfn.base) / ix->pfn.p->mmpfn->size;
		return;
	}
	if (page_table_owner(ix, va, o))
		return;
	if ((o->region = region_of(ix, va)))
		o->kind = OWNER_REGION;
}

static struct xlat *space_of(struct owner_index *ix, const struct process *p)
{
	size_t i = (size_t)(p - ix->procs.processes);
	if (!ix->spaces[i]) {
		struct kdx_error e;
		ix->spaces[i] = process_space(ix->d, p, &ix->owned[i], &e);
	}
	return ix->spaces[i];
}

static void add_mapping(struct owner *o, uint64_t va, const struct process *p, const char *via)
{
	for (size_t i = 0; i < o->nmappings; i++)
		if (o->mappings[i].va == va && o->mappings[i].process == p)
			return;
	if (o->nmappings < OWNER_MAX_MAPPINGS)
		o->mappings[o->nmappings++] = (struct owner_mapping){ va, p, via };
}

static bool maps_page(struct xlat *x, uint64_t va, uint64_t pfn)
{
	uint64_t pa;
	return x && xlat_to_phys(x, va, &pa) == XLAT_OK && pa >> KDX_PAGE_SHIFT == pfn;
}

/* PteAddress names the PTE through the self-map; the VA it maps is the
 * page's, in the kernel's space or in the user space of a process whose
 * tables hold that PTE (the translation is checked, not assumed). */
static void pfn_mappings(struct owner_index *ix, const struct pfn_entry *e, struct owner *o)
{
	uint64_t va;
	if (!ix->has_layout || e->prototype ||
	    !self_map_mapped_va(&ix->regions.self_map, ix->pd->mode, e->pte_address, &va))
		return;
	const struct region *user = region_find(&ix->regions, "user");
	if (!user || va > user->end) {
		if (maps_page(ix->d->kernel, va, e->pfn))
			add_mapping(o, va, NULL, "pfn-database");
		return;
	}
	for (size_t i = 0; ix->has_procs && i < ix->procs.count; i++) {
		const struct process *p = &ix->procs.processes[i];
		if (maps_page(space_of(ix, p), va, e->pfn))
			add_mapping(o, va, p, "pfn-database");
	}
}

static int by_pfn(const void *a, const void *b)
{
	const struct rmap_entry *x = a, *y = b;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn ? 1 : x->va < y->va ? -1 : x->va > y->va;
}

static void rmap_space(struct owner_index *ix, struct xlat *x, const struct process *p,
		       uint64_t start, uint64_t end)
{
	struct pte_context ctx;
	layout_pte_context(ix->d, &ctx);
	struct region_walk w;
	struct kdx_error e;
	if (!x || layout_walk(ix->d->src, &ctx, xlat_dtb(x), start, end, NULL, NULL, &w, &e) < 0)
		return;
	for (size_t i = 0; i < w.nranges; i++)
		for (uint64_t va = w.ranges[i].start;; va += KDX_PAGE_SIZE) {
			uint64_t pa;
			if (ix->nrmap < RMAP_MAX && xlat_to_phys(x, va, &pa) == XLAT_OK) {
				if (ix->nrmap % 4096 == 0) {
					struct rmap_entry *g = realloc(ix->rmap, (ix->nrmap + 4096) * sizeof *g);
					if (!g)
						break;
					ix->rmap = g;
				}
				ix->rmap[ix->nrmap++] = (struct rmap_entry){ pa >> KDX_PAGE_SHIFT, va, p };
			}
			if (va >= w.ranges[i].end - (KDX_PAGE_SIZE - 1))
				break;
		}
	region_walk_free(&w);
}

/* Every mapping of the kernel's space and of each process's user space,
 * by PFN: built once, the first time the PFN database names no mapping. */
static void rmap_build(struct owner_index *ix)
{
	ix->rmap_built = true;
	const struct region *user = ix->has_layout ? region_find(&ix->regions, "user") : NULL;
	if (!user)
		return;
	uint64_t kstart, kend;
	layout_system_range(ix->d, &kstart, &kend);
	rmap_space(ix, ix->d->kernel, NULL, kstart, kend);
	for (size_t i = 0; ix->has_procs && i < ix->procs.count; i++)
		rmap_space(ix, space_of(ix, &ix->procs.processes[i]), &ix->procs.processes[i], 0,
			   user->end);
	qsort(ix->rmap, ix->nrmap, sizeof *ix->rmap, by_pfn);
}

/* Mappings are found per page; the hit is at pa's offset in it. */
static void page_offsets(struct owner *o, uint64_t pa)
{
	for (size_t i = 0; i < o->nmappings; i++)
		o->mappings[i].va += pa & (KDX_PAGE_SIZE - 1);
}

void owner_of_pa(struct owner_index *ix, uint64_t pa, struct owner *o)
{
	memset(o, 0, sizeof *o);
	o->kind = OWNER_PHYSICAL;
	o->pfn = pa >> KDX_PAGE_SHIFT;
	struct pfn_entry e;
	struct kdx_error err;
	if (ix->has_pfn && pfn_is_ram(&ix->pfn, o->pfn) && pfn_read(&ix->pfn, o->pfn, &e, &err) == 0) {
		o->has_list = true;
		o->list = e.list;
		if (e.list == PFN_ACTIVE)
			pfn_mappings(ix, &e, o);
	}
	if (o->nmappings) {
		page_offsets(o, pa);
		return;
	}
	if (!ix->rmap_built)
		rmap_build(ix);
	struct rmap_entry key = { o->pfn, 0, NULL };
	size_t lo = 0, hi = ix->nrmap;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (by_pfn(&ix->rmap[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ix->nrmap && ix->rmap[i].pfn == o->pfn; i++)
		add_mapping(o, ix->rmap[i].va, ix->rmap[i].process, "page-tables");
	page_offsets(o, pa);
}
