/* The generator's own invariants, checked against the image bytes with a
 * page-table walker written here from the Intel layouts (not the world's
 * walker, not kdx's): the self-map entry, every teaching walk level by level,
 * the KDBG header and the kernel variables it names, what each format keeps,
 * and determinism for a seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <stdbool.h>

#include "core/nt/kdbg.h"
#include "core/util/bytes.h"
#include "tests/gen/world.h"
#include "tests/gen/world_files.h"
#include "tests/gen/world_modules.h"
#include "tests/gen/world_pfn.h"
#include "tests/gen/world_pool.h"
#include "tests/gen/world_procs.h"

/* Index shifts and entry sizes per mode: Intel SDM Vol. 3A ch. 4. */
struct mode {
	int levels, entry_size;
	int shift[4];
	unsigned index_mask[4];
	uint64_t addr_mask;
	unsigned large_levels;      /* bit l: PS may end the walk at level l */
};
static const struct mode modes[] = {
	[PAGING_X86] = { 2, 4, { 22, 12 }, { 0x3ff, 0x3ff }, 0xfffff000ull, 1u << 0 },
	[PAGING_PAE] = { 3, 8, { 30, 21, 12 }, { 3, 0x1ff, 0x1ff }, 0xffffffffff000ull, 1u << 1 },
	[PAGING_X64] = { 4, 8, { 39, 30, 21, 12 }, { 0x1ff, 0x1ff, 0x1ff, 0x1ff },
			 0xffffffffff000ull, (1u << 1) | (1u << 2) },
};

/* Little-endian bytes at pa (crossing pages; unstored pages read 0). */
static uint64_t phys(const struct gen_image *img, uint64_t pa, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = size; i-- > 0;) {
		uint64_t pfn = (pa + i) >> 12;
		assert_true(pfn < img->max_pfn);
		const uint8_t *pg = img->pages[pfn];
		v = (v << 8) | (pg ? pg[(pa + i) & 0xfff] : 0);
	}
	return v;
}

struct my_walk {
	int nlevels, stopped_at;
	uint64_t table[4], entry[4], pa;
	bool large[4];
};

static void my_walk(const struct world *w, uint64_t top, uint64_t va, struct my_walk *out)
{
	const struct mode *m = &modes[w->img.paging];
	uint64_t table = top;
	memset(out, 0, sizeof *out);
	out->stopped_at = -1;
	for (int l = 0; l < m->levels; l++) {
		uint64_t idx = (va >> m->shift[l]) & m->index_mask[l];
		uint64_t e = phys(&w->img, table + idx * (uint64_t)m->entry_size,
				  (unsigned)m->entry_size);
		out->table[l] = table;
		out->entry[l] = e;
		out->nlevels = l + 1;
		if (!(e & 1)) {
			out->stopped_at = l;
			return;
		}
		out->large[l] = (m->large_levels & (1u << l)) && (e & 0x80);
		if (out->large[l] || l == m->levels - 1) {
			uint64_t size = 1ull << m->shift[l];
			out->pa = (e & m->addr_mask & ~(size - 1)) | (va & (size - 1));
			return;
		}
		table = e & m->addr_mask;
	}
}

static uint64_t my_kernel_read(const struct world *w, uint64_t va, unsigned size)
{
	struct my_walk wk;
	my_walk(w, w->dtb, va, &wk);
	assert_int_equal(wk.stopped_at, -1);
	return phys(&w->img, wk.pa, size);
}

static const char *const profile_names[] = { "xp-x86", "win7-x86-pae", "win7-x64", "win10-x64",
					     "win11-x64" };
#define NPROFILES (sizeof profile_names / sizeof profile_names[0])

static void build(struct world *w, const char *name, uint64_t seed)
{
	struct kdx_error err = { .msg = "" };
	const struct profile *p = profile_by_name(name);
	assert_non_null(p);
	if (world_build(w, p, seed, &err) < 0)
		fail_msg("%s", err.msg);
}

/* Runs check on every profile's world for nseeds seeds from first. */
static void each_world(uint64_t first, uint64_t nseeds, void (*check)(const struct world *))
{
	for (size_t i = 0; i < NPROFILES; i++)
		for (uint64_t seed = first; seed < first + nseeds; seed++) {
			struct world w;
			build(&w, profile_names[i], seed);
			check(&w);
			world_free(&w);
		}
}

/* The lookup: by name, and by machine, paging mode and build. */
static void test_profile_lookup(void **state)
{
	(void)state;
	static const struct {
		enum machine machine;
		enum paging paging;
		unsigned build;
		const char *column;   /* NULL: no column serves the build */
	} picks[] = {
		{ MACHINE_X86, PAGING_X86, 2600, "xp-x86" },
		{ MACHINE_X86, PAGING_PAE, 7600, "win7-x86-pae" },
		{ MACHINE_X64, PAGING_X64, 7601, "win7-x64" },
		{ MACHINE_X64, PAGING_X64, 19041, "win10-x64" },
		{ MACHINE_X64, PAGING_X64, 9200, "win8-x64" },
		{ MACHINE_X64, PAGING_X64, 10586, "win10-1511-x64" },
		{ MACHINE_X64, PAGING_X64, 18363, "win10-1903-x64" },
		{ MACHINE_X86, PAGING_PAE, 19045, "win10-2004-x86" },
		{ MACHINE_X64, PAGING_X64, 22621, "win11-x64" },
		{ MACHINE_X64, PAGING_X64, 22000, "win11-21h2-x64" },
		{ MACHINE_X64, PAGING_X64, 26100, "win11-24h2-x64" },
		{ MACHINE_X64, PAGING_X64, 26200, NULL },
		{ MACHINE_X86, PAGING_X86, 9600, NULL },    /* x86 is PAE only from 8 */
		{ MACHINE_X86, PAGING_PAE, 22000, NULL },   /* no x86 Windows 11 */
	};
	for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
		assert_ptr_equal(profile_select(picks[i].machine, picks[i].paging, true, picks[i].build),
				 picks[i].column ? profile_by_name(picks[i].column) : NULL);
	assert_null(profile_select(MACHINE_X64, PAGING_X64, false, 7601));
	assert_true(profile_serves(profile_by_name("win7-sp1-x86"), MACHINE_X86, PAGING_X86, 7601));
	assert_true(profile_serves(profile_by_name("win7-x86-2016"), MACHINE_X86, PAGING_X86, 7601));
	assert_true(profile_serves(profile_by_name("2003-sp2-x64"), MACHINE_X64, PAGING_X64, 3790));
	assert_null(profile_by_name("win12-x64"));
	/* One build, two layouts: both serve 7601 (the KDBG chooses: layout-kdbg.test). */
	assert_true(profile_serves(profile_by_name("win7-x64-2016"), MACHINE_X64, PAGING_X64, 7601));
	const struct profile *w10 = profile_by_name("win10-x64");
	assert_int_equal(w10->eprocess->active_process_links, 0x448);
	assert_int_equal(w10->kdbg_size, 0x380);
	assert_int_equal(profile_by_name("win7-x86-pae")->mmpfn->size, 0x1c);
}

static void check_self_map(const struct world *w)
{
	if (w->img.paging == PAGING_PAE) {
		/* The fourth directory maps the four directories, itself last. */
		uint64_t pd3 = phys(&w->img, w->dtb + 24, 8) & ~0xfffull;
		for (int k = 0; k < 4; k++)
			assert_int_equal(phys(&w->img, pd3 + 8 * k, 8),
					 (phys(&w->img, w->dtb + 8 * k, 8) & ~0xfffull) | 0x63);
		assert_int_equal(phys(&w->img, pd3 + 24, 8) & ~0xfffull, pd3);
	} else {
		int es = modes[w->img.paging].entry_size;
		uint64_t e = phys(&w->img, w->dtb + w->self_map_index * (uint64_t)es,
				  (unsigned)es);
		assert_int_equal(e, w->dtb | 0x63);
	}
	if (w->img.paging == PAGING_X64) {
		assert_int_equal(w->pte_base, 0xffff000000000000ull |
				 ((uint64_t)w->self_map_index << 39));
		assert_int_equal(w->img.dtb & ~0xfffull, w->dtb);
		assert_int_not_equal(w->img.dtb & 0xfff, 0);
	}
}

/* x64 7 keeps the fixed slot 0x1ED; 10 picks one in 0x100..0x1FF per seed. */
static void test_self_map_index(void **state)
{
	(void)state;
	struct world w;
	build(&w, "win7-x64", 5);
	assert_int_equal(w.self_map_index, 0x1ed);
	assert_int_equal(w.pte_base, 0xfffff68000000000ull);
	world_free(&w);
	unsigned seen[8];
	size_t distinct = 0;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		build(&w, "win10-x64", seed);
		assert_in_range(w.self_map_index, 0x100, 0x1ff);
		bool known = false;
		for (size_t k = 0; k < distinct; k++)
			known |= seen[k] == w.self_map_index;
		if (!known)
			seen[distinct++] = w.self_map_index;
		world_free(&w);
	}
	assert_true(distinct >= 4);
}

static void check_walks(const struct world *w)
{
	assert_true(w->nxlat >= 16);
	for (size_t i = 0; i < w->nxlat; i++) {
		const struct world_xlat *x = &w->xlat[i];
		struct my_walk m;
		my_walk(w, x->walk.dtb, x->walk.va, &m);
		assert_int_equal(x->walk.nlevels, m.nlevels);
		assert_int_equal(x->walk.stopped_at, m.stopped_at);
		for (int l = 0; l < m.nlevels; l++) {
			const struct walk_level *lv = &x->walk.level[l];
			int es = modes[w->img.paging].entry_size;
			uint64_t idx = (x->walk.va >> modes[w->img.paging].shift[l]) &
				       modes[w->img.paging].index_mask[l];
			assert_int_equal(lv->table, m.table[l]);
			assert_int_equal(lv->index, idx);
			assert_int_equal(lv->entry_address, m.table[l] + idx * (uint64_t)es);
			assert_int_equal(lv->entry, m.entry[l]);
			assert_int_equal(lv->present, m.entry[l] & 1);
			assert_int_equal(lv->large, m.large[l]);
			assert_true(lv->read);
		}
		if (m.stopped_at >= 0) {
			assert_int_equal(x->walk.reason, XLAT_NOT_PRESENT);
			continue;
		}
		assert_int_equal(x->walk.reason, XLAT_OK);
		assert_int_equal(x->walk.pa, m.pa);
		uint8_t bytes[16];
		for (int k = 0; k < 16; k++)
			bytes[k] = gen_is_ram(&w->img, (m.pa + k) >> 12) ?
				   (uint8_t)phys(&w->img, m.pa + k, 1) : 0;
		assert_memory_equal(x->bytes, bytes, 16);
	}
}

static void test_teaching_walks_match_the_image(void **state)
{
	(void)state;
	each_world(1, 12, check_walks);
}

static const struct world_xlat *find(const struct world *w, const char *kind)
{
	for (size_t i = 0; i < w->nxlat; i++)
		if (strcmp(w->xlat[i].kind, kind) == 0)
			return &w->xlat[i];
	fail_msg("no teaching address of kind %s", kind);
	return NULL;
}

/* Large pages sit at the levels the mode allows, with the page sizes of
 * doc/address-space.md §1.1; not-present entries stop at the level their kind names. */
static void test_walk_kinds(void **state)
{
	(void)state;
	static const struct { const char *profile, *kind; int level; uint64_t page_size; } cases[] = {
		{ "xp-x86", "large-4m", 0, 4u << 20 },
		{ "win7-x86-pae", "large-2m", 1, 2u << 20 },
		{ "win7-x64", "large-2m", 2, 2u << 20 },
		{ "win10-x64", "large-1g", 1, 1u << 30 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct world w;
		build(&w, cases[i].profile, 9);
		const struct world_xlat *x = find(&w, cases[i].kind);
		assert_int_equal(x->walk.nlevels, cases[i].level + 1);
		assert_true(x->walk.level[cases[i].level].large);
		assert_int_equal(x->walk.page_size, cases[i].page_size);
		world_free(&w);
	}
	static const struct { const char *kind; int level; } absent[] = {
		{ "not-present-pml4e", 0 }, { "not-present-pdpte", 1 }, { "not-present-pde", 2 },
		{ "not-present-pte", 3 }, { "transition", 3 }, { "pagefile", 3 },
		{ "prototype", 3 }, { "vad-prototype", 3 }, { "demand-zero", 3 },
		{ "decommitted", 3 },
	};
	struct world w;
	build(&w, "win10-x64", 9);
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
		assert_int_equal(find(&w, absent[i].kind)->walk.stopped_at, absent[i].level);
	/* Spec 2.6 encodings: demand zero Prot<<5, decommitted 0x200, VAD marker. */
	assert_int_equal(find(&w, "demand-zero")->walk.level[3].entry, 0x80);
	assert_int_equal(find(&w, "decommitted")->walk.level[3].entry, 0x200);
	assert_int_equal(find(&w, "vad-prototype")->walk.level[3].entry, 0xffffffff00000480ull);
	const struct world_xlat *t = find(&w, "transition");
	assert_int_equal(t->walk.level[3].entry, (t->leaf.pfn << 12) | 0x880);
	world_free(&w);
}

static void check_kdbg(const struct world *w)
{
	uint64_t k = w->kdbg_va;
	assert_int_equal(w->img.kdbg_va, k);
	assert_int_equal(my_kernel_read(w, k + KDBG_OWNERTAG, 4), KDBG_OWNER_TAG);
	assert_int_equal(my_kernel_read(w, k + KDBG_SIZE, 4), w->profile->kdbg_size);
	assert_int_equal(my_kernel_read(w, k + KDBG_KERNBASE, 8), w->kernel_base);
	assert_int_equal(my_kernel_read(w, k + KDBG_PS_ACTIVE_PROCESS_HEAD, 8),
			 w->img.ps_active_process_head);
	assert_int_equal(my_kernel_read(w, k + KDBG_PS_LOADED_MODULE_LIST, 8),
			 w->img.ps_loaded_module_list);
	/* Every variable field names the variable, which holds its value. */
	unsigned ps = w->profile->ptr_size;
	for (size_t v = 0; v < w->nkvar; v++) {
		const struct world_kvar *kv = &w->kvar[v];
		if (kv->kdbg_offset)
			assert_int_equal(my_kernel_read(w, k + kv->kdbg_offset, 8),
					 kv->address);
		unsigned size = strcmp(kv->name, "KeTimeIncrement") == 0 ||
				strcmp(kv->name, "CmNtCSDVersion") == 0 ? 4 : ps;
		assert_int_equal(my_kernel_read(w, kv->address, size), kv->value);
	}
	const struct world_kvar *pfn = world_kvar(w, "MmPfnDatabase");
	assert_non_null(pfn);
	assert_int_equal(pfn->value, w->img.pfn_database);
	/* The PFN array is mapped over its whole length. */
	my_kernel_read(w, pfn->value + w->img.max_pfn * w->profile->mmpfn->size - 1, 1);
	if (w->profile->kdbg_size >= KDBG_PTE_BASE + 8)
		assert_int_equal(my_kernel_read(w, k + KDBG_PTE_BASE, 8), w->pte_base);
	/* KiProcessorBlock: one KPRCB per processor, then NULL. */
	const uint64_t block = my_kernel_read(w, k + KDBG_KI_PROCESSOR_BLOCK, 8);
	for (unsigned c = 0; c <= w->img.processors; c++) {
		uint64_t prcb = my_kernel_read(w, block + c * ps, ps);
		assert_int_equal(prcb, c < w->img.processors ?
				 w->kpcr[c] + w->profile->kpcr->prcb : 0);
	}
}

/* Kernel dumps keep the kernel (top table, KDBG page) and drop user page
 * tables; the RAM hole is in no dump but reads as zeros in a raw image. */
static void test_formats(void **state)
{
	(void)state;
	struct world w;
	build(&w, "win7-x64", 3);
	uint64_t hole = 0xa00000 >> 12;
	assert_false(world_page_in_dump(&w, GEN_FULL, hole));
	assert_true(world_page_in_dump(&w, GEN_RAW, hole));
	assert_false(world_page_in_dump(&w, GEN_TRIAGE, w.dtb >> 12));
	assert_true(world_page_in_dump(&w, GEN_BITMAP_KERNEL, w.dtb >> 12));
	assert_true(world_physical_pages(&w, GEN_BITMAP_KERNEL) <
		    world_physical_pages(&w, GEN_BITMAP_FULL));
	assert_int_equal(world_physical_pages(&w, GEN_RAW), w.img.max_pfn);

	struct walk in;
	world_walk_in(&w, find(&w, "shared-user-data-user"), GEN_BITMAP_KERNEL, &in);
	assert_int_equal(in.reason, XLAT_NOT_IN_DUMP);
	assert_int_equal(in.stopped_at, 1);
	assert_false(in.level[1].read);
	world_walk_in(&w, find(&w, "shared-user-data-user"), GEN_FULL, &in);
	assert_int_equal(in.reason, XLAT_OK);
	world_walk_in(&w, find(&w, "large-over-hole"), GEN_FULL, &in);
	assert_int_equal(in.reason, XLAT_NOT_IN_DUMP);
	assert_int_equal(in.stopped_at, -1);
	assert_false(in.page_in_dump);
	world_walk_in(&w, find(&w, "large-over-hole"), GEN_RAW, &in);
	assert_int_equal(in.reason, XLAT_OK);
	world_free(&w);
}

/* Little-endian bytes at va under top, translating each page touched. */
static uint64_t vread(const struct world *w, uint64_t top, uint64_t va, unsigned size)
{
	unsigned first = (va & 0xfff) + size > 0x1000 ? 0x1000 - (unsigned)(va & 0xfff) : size;
	struct my_walk wk;
	my_walk(w, top, va, &wk);
	assert_int_equal(wk.stopped_at, -1);
	uint64_t v = phys(&w->img, wk.pa, first);
	if (first < size)
		v |= vread(w, top, va + first, size - first) << (8 * first);
	return v;
}

/* Walks a LIST_ENTRY ring from head (bounded) and checks each entry minus
 * off is the next expected record, and that every Blink points back. */
static void check_ring(const struct world *w, uint64_t top, uint64_t head, unsigned off,
		       const uint64_t *records, size_t n)
{
	unsigned ps = w->profile->ptr_size;
	uint64_t prev = head, cur = vread(w, top, head, ps);
	size_t i = 0;
	for (; cur != head && i <= n; i++) {
		assert_true(i < n);
		assert_int_equal(cur - off, records[i]);
		assert_int_equal(vread(w, top, cur + ps, ps), prev);
		prev = cur;
		cur = vread(w, top, cur, ps);
	}
	assert_int_equal(i, n);
	assert_int_equal(vread(w, top, head + ps, ps), prev);
}

static void check_processes(const struct world *w)
{
	const struct world_procs *P = w->procs;
	const struct prof_eprocess *E = w->profile->eprocess;
	const struct prof_kthread *K = w->profile->kthread;
	const struct prof_ethread *T = w->profile->ethread;
	unsigned ps = w->profile->ptr_size;
	uint64_t eps[WORLD_MAX_PROCESSES];
	for (size_t i = 0; i < P->nprocesses; i++)
		eps[i] = P->processes[i].eprocess;
	check_ring(w, w->dtb, w->img.ps_active_process_head, E->active_process_links, eps,
		   P->nprocesses);
	for (size_t i = 0; i < P->nprocesses; i++) {
		const struct world_process *p = &P->processes[i];
		uint64_t e = p->eprocess;
		assert_int_equal(vread(w, w->dtb, e, 1), 3);
		assert_int_equal(vread(w, w->dtb, e + E->unique_process_id, ps), p->pid);
		assert_int_equal(vread(w, w->dtb, e + E->inherited_from_unique_process_id, ps),
				 p->ppid);
		assert_int_equal(vread(w, w->dtb, e + E->directory_table_base, ps), p->dtb_field);
		assert_int_equal(vread(w, w->dtb, e + E->active_threads, 4), p->nthreads);
		char name[16] = { 0 };
		for (unsigned k = 0; k < E->image_file_name_size && k < 15; k++)
			name[k] = (char)vread(w, w->dtb, e + E->image_file_name + k, 1);
		assert_string_equal(name, p->name);
		uint64_t ets[WORLD_MAX_THREADS];
		for (size_t k = 0; k < p->nthreads; k++)
			ets[k] = P->threads[p->first_thread + k].ethread;
		check_ring(w, w->dtb, e + E->thread_list_head, T->thread_list_entry, ets, p->nthreads);
		check_ring(w, w->dtb, e + E->kprocess_thread_list_head, K->thread_list_entry, ets,
			   p->nthreads);
		/* Every address space maps the kernel image and the process list. */
		assert_int_equal(vread(w, p->dtb, w->kdbg_va + KDBG_OWNERTAG, 4), KDBG_OWNER_TAG);
	}
	const struct prof_stack *S = w->profile->stack;
	for (size_t i = 0; i < P->nthreads; i++) {
		const struct world_thread *t = &P->threads[i];
		uint64_t e = t->ethread;
		assert_int_equal(vread(w, w->dtb, e, 1), 6);
		assert_int_equal(vread(w, w->dtb, e + T->cid_unique_thread, ps), t->tid);
		assert_int_equal(vread(w, w->dtb, e + T->cid_unique_process, ps), t->pid);
		assert_int_equal(vread(w, w->dtb, e + K->stack_base, ps), t->stack_base);
		assert_int_equal(vread(w, w->dtb, e + K->stack_limit, ps), t->stack_limit);
		assert_int_equal(vread(w, w->dtb, e + K->kernel_stack, ps), t->kernel_stack);
		assert_int_equal(vread(w, w->dtb, e + K->user_time, 4), t->user_time);
		assert_int_equal(t->stack_base - t->stack_limit, S->size);
		assert_true(t->stack_limit < t->kernel_stack && t->kernel_stack <= t->initial_stack &&
			    t->initial_stack <= t->stack_base);
		/* committed stack pages, one invalid guard PTE below the limit */
		vread(w, w->dtb, t->stack_limit, 1);
		vread(w, w->dtb, t->stack_base - 1, 1);
		struct my_walk g;
		my_walk(w, w->dtb, t->stack_limit - 1, &g);
		assert_int_not_equal(g.stopped_at, -1);
	}
	const struct world_thread *deep = &P->threads[P->deep_thread];
	assert_int_equal(deep->cpu, 0);
	const struct prof_kpcr *kp0 = w->profile->kpcr;
	for (unsigned c = 0; c < w->img.processors; c++) {
		uint64_t top = vread(w, w->dtb, w->kpcr[c] + kp0->prcb + kp0->prcb_dpc_stack, ps);
		assert_int_equal(top, P->dpc_stack[c]);
		vread(w, w->dtb, top - S->size, 1);
		vread(w, w->dtb, top - 1, 1);
	}
	const struct prof_kpcr *kp = w->profile->kpcr;
	assert_int_equal(vread(w, w->dtb, w->kpcr[0] + kp->prcb + kp->prcb_current_thread, ps),
			 deep->ethread);
}

/* Sessions: members linked through ProcessList, session space mapped the
 * same way in every member and differently across sessions. */
static void check_sessions(const struct world *w)
{
	const struct world_procs *P = w->procs;
	const struct prof_session *L = w->profile->session;
	const struct prof_eprocess *E = w->profile->eprocess;
	assert_in_range(P->nsessions, 2, 3);
	uint64_t pool_pa[WORLD_MAX_SESSIONS];
	for (size_t s = 0; s < P->nsessions; s++) {
		const struct world_session *ss = &P->sessions[s];
		uint64_t eps[16];
		for (size_t k = 0; k < ss->nmembers; k++)
			eps[k] = P->processes[ss->members[k]].eprocess;
		check_ring(w, ss->member_dtb, ss->mm_session_space + L->process_list,
			   E->session_process_links, eps, ss->nmembers);
		assert_int_equal(vread(w, ss->member_dtb, ss->mm_session_space + L->session_id, 4),
				 ss->id);
		struct my_walk m;
		my_walk(w, ss->member_dtb, ss->paged_pool_start, &m);
		assert_int_equal(m.stopped_at, -1);
		pool_pa[s] = m.pa;
		for (size_t k = 0; k < ss->nmembers; k++) {
			const struct world_process *p = &P->processes[ss->members[k]];
			assert_int_equal(p->session, ss->id);
			my_walk(w, p->dtb, ss->paged_pool_start, &m);
			assert_int_equal(m.pa, pool_pa[s]);
		}
		for (size_t o = 0; o < s; o++)
			assert_int_not_equal(pool_pa[o], pool_pa[s]);
		my_walk(w, w->dtb, ss->paged_pool_start, &m);
		assert_int_not_equal(m.stopped_at, -1);
	}
}

/* The lazy system PDE: one process lacks a system entry the kernel's
 * directory (and every other process's) has. */
static void check_lazy_pde(const struct world *w)
{
	const struct world_procs *P = w->procs;
	struct my_walk k, lazy, other;
	my_walk(w, w->dtb, P->lazy_va, &k);
	my_walk(w, P->processes[P->lazy_process].dtb, P->lazy_va, &lazy);
	assert_int_equal(k.stopped_at, -1);
	assert_int_equal(lazy.stopped_at, P->lazy_level);
	assert_int_equal(lazy.entry[P->lazy_level], 0);
	for (size_t i = 1; i < P->nprocesses; i++)
		if (i != P->lazy_process) {
			my_walk(w, P->processes[i].dtb, P->lazy_va, &other);
			assert_int_equal(other.pa, k.pa);
		}
}

static void check_address_spaces(const struct world *w)
{
	check_processes(w);
	check_sessions(w);
	check_lazy_pde(w);
}

static void test_processes_threads_sessions(void **state)
{
	(void)state;
	each_world(1, 6, check_address_spaces);
}

static uint64_t image_top(const struct world *w, const struct world_module *m)
{
	return m->session_image ? w->procs->sessions[0].member_dtb : w->dtb;
}

/* x64 unwind data read back (PE format: UNWIND_INFO codes): the frame is
 * the return address, one slot per pushed register and the allocation. */
static uint32_t unwound_frame(const struct world *w, const struct world_module *m,
			      uint32_t info_rva)
{
	uint64_t top = image_top(w, m), u = m->base + info_rva;
	unsigned count = (unsigned)vread(w, top, u + 2, 1);
	uint32_t frame = 8;
	for (unsigned k = 0; k < count; k++) {
		unsigned code = (unsigned)vread(w, top, u + 4 + 2 * k + 1, 1);
		unsigned op = code & 0xf, info = code >> 4;
		if (op == 0)
			frame += 8;
		else if (op == 2)
			frame += 8 * info + 8;
		else if (op == 1 && info == 0)
			frame += 8 * (uint32_t)vread(w, top, u + 4 + 2 * ++k, 2);
		else
			fail_msg("unexpected unwind op %u", op);
	}
	return frame;
}

static void check_module_image(const struct world *w, const struct world_module *m)
{
	uint64_t top = image_top(w, m);
	bool pe64 = w->img.paging == PAGING_X64;
	assert_int_equal(vread(w, top, m->base, 2), 0x5a4d);
	uint64_t nt = m->base + vread(w, top, m->base + 0x3c, 4);
	assert_int_equal(vread(w, top, nt, 4), 0x4550);
	assert_int_equal(vread(w, top, nt + 4, 2), pe64 ? 0x8664 : 0x14c);
	uint64_t opt = nt + 24;
	assert_int_equal(vread(w, top, opt, 2), pe64 ? 0x20b : 0x10b);
	assert_int_equal(vread(w, top, opt + 56, 4), m->size);
	assert_int_equal(vread(w, top, opt + (pe64 ? 24 : 28), pe64 ? 8 : 4), m->base);
	uint64_t dirs = opt + (pe64 ? 112 : 96);
	/* exports: names sorted, each naming its function's address */
	uint32_t exp = (uint32_t)vread(w, top, dirs, 4);
	size_t nexports = 0;
	for (size_t i = 0; i < m->nfunctions; i++)
		nexports += m->functions[i].name[0] != 0;
	if (!nexports) {
		assert_int_equal(exp, 0);
	} else {
		uint64_t e = m->base + exp;
		assert_int_equal(vread(w, top, e + 24, 4), nexports);
		uint64_t funcs = m->base + vread(w, top, e + 28, 4);
		uint64_t names = m->base + vread(w, top, e + 32, 4);
		uint64_t ords = m->base + vread(w, top, e + 36, 4);
		char prev[48] = "";
		for (size_t i = 0; i < nexports; i++) {
			char name[48] = { 0 };
			uint64_t at = m->base + vread(w, top, names + 4 * i, 4);
			for (size_t k = 0; k + 1 < sizeof name; k++)
				if (!(name[k] = (char)vread(w, top, at + k, 1)))
					break;
			assert_true(strcmp(prev, name) < 0);
			strcpy(prev, name);
			unsigned ord = (unsigned)vread(w, top, ords + 2 * i, 2);
			uint64_t fn = m->base + vread(w, top, funcs + 4 * ord, 4);
			bool found = false;
			for (size_t k = 0; k < m->nfunctions; k++)
				found |= strcmp(m->functions[k].name, name) == 0 &&
					 m->functions[k].start == fn;
			assert_true(found);
		}
	}
	if (!pe64)
		return;
	/* exception directory: one RUNTIME_FUNCTION per function */
	uint32_t pdata = (uint32_t)vread(w, top, dirs + 8 * 3, 4);
	assert_int_equal(vread(w, top, dirs + 8 * 3 + 4, 4), 12 * m->nfunctions);
	for (size_t i = 0; i < m->nfunctions; i++) {
		uint64_t rf = m->base + pdata + 12 * i;
		const struct world_function *f = &m->functions[i];
		assert_int_equal(m->base + vread(w, top, rf, 4), f->start);
		assert_int_equal(m->base + vread(w, top, rf + 4, 4), f->end);
		assert_int_equal(unwound_frame(w, m, (uint32_t)vread(w, top, rf + 8, 4)),
				 f->frame_size);
	}
}

/* Whether the 4 tag bytes occur anywhere in the module's image. */
static bool image_holds(const struct world *w, const struct world_module *m, uint32_t tag)
{
	uint64_t top = image_top(w, m);
	for (uint64_t off = 0; off + 4 <= m->size; off++)
		if (vread(w, top, m->base + off, 4) == tag)
			return true;
	return false;
}

static void check_modules(const struct world *w)
{
	const struct world_modules *M = w->modules;
	const struct prof_ldr *L = w->profile->ldr;
	unsigned ps = w->profile->ptr_size;
	uint64_t ldrs[WORLD_MAX_MODULES];
	for (size_t i = 0; i < M->nmodules; i++)
		ldrs[i] = M->modules[i].ldr;
	check_ring(w, w->dtb, w->img.ps_loaded_module_list, L->in_load_order_links, ldrs,
		   M->nmodules);
	assert_string_equal(M->modules[0].name, "ntoskrnl.exe");
	assert_int_equal(M->modules[0].base, w->kernel_base);
	for (size_t i = 0; i < M->nmodules; i++) {
		const struct world_module *m = &M->modules[i];
		assert_int_equal(vread(w, w->dtb, m->ldr + L->dll_base, ps), m->base);
		assert_int_equal(vread(w, w->dtb, m->ldr + L->size_of_image, 4), m->size);
		uint64_t name = m->ldr + L->base_dll_name;
		size_t len = (size_t)vread(w, w->dtb, name, 2) / 2;
		uint64_t buf = vread(w, w->dtb, name + (ps == 8 ? 8 : 4), ps);
		char text[32] = { 0 };
		for (size_t k = 0; k < len && k + 1 < sizeof text; k++)
			text[k] = (char)vread(w, w->dtb, buf + 2 * k, 2);
		assert_string_equal(text, m->name);
		check_module_image(w, m);
		assert_int_equal(image_holds(w, m, w->pool->leak_tag), i == M->tag_driver);
	}
	assert_string_equal(w->pool->leak_owner, M->modules[M->tag_driver].name);
}

static const struct world_module *module_at(const struct world *w, uint64_t va)
{
	for (size_t i = 0; i < w->modules->nmodules; i++) {
		const struct world_module *m = &w->modules->modules[i];
		if (va >= m->base && va < m->base + m->size)
			return m;
	}
	fail_msg("0x%llx is in no module", (unsigned long long)va);
	return NULL;
}

/* x64: .pdata lookup of the RIP's function, its frame from UNWIND_INFO. */
static uint32_t frame_of(const struct world *w, uint64_t rip)
{
	const struct world_module *m = module_at(w, rip);
	uint64_t dirs = m->base + vread(w, w->dtb, m->base + 0x3c, 4) + 24 + 112;
	uint64_t pdata = m->base + vread(w, w->dtb, dirs + 8 * 3, 4);
	uint32_t n = (uint32_t)vread(w, w->dtb, dirs + 8 * 3 + 4, 4) / 12;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t rf = pdata + 12 * i;
		if (rip >= m->base + vread(w, w->dtb, rf, 4) &&
		    rip < m->base + vread(w, w->dtb, rf + 4, 4))
			return unwound_frame(w, m, (uint32_t)vread(w, w->dtb, rf + 8, 4));
	}
	fail_msg("no RUNTIME_FUNCTION for 0x%llx", (unsigned long long)rip);
	return 0;
}

/* Walks the deep thread's stack from KernelStack the way a debugger does
 * (x64 unwind data, x86 EBP chain) and compares with the frames built. */
static void check_stack(const struct world *w, const struct world_thread *t)
{
	const struct world_modules *M = w->modules;
	unsigned ps = w->profile->ptr_size;
	bool x64 = w->img.paging == PAGING_X64;
	uint64_t ks = vread(w, w->dtb, t->ethread + w->profile->kthread->kernel_stack, ps);
	assert_int_equal(ks, t->kernel_stack);
	uint64_t rip = vread(w, w->dtb, ks + (x64 ? 0 : 4), ps);
	uint64_t sp = ks + 8, ebp = x64 ? 0 : vread(w, w->dtb, ks, 4);
	size_t i = 0, in_driver = 0;
	for (; rip && i < t->nframes; i++) {
		const struct world_frame *f = &M->frames[t->first_frame + i];
		assert_int_equal(rip, f->rip);
		assert_int_equal(sp, f->sp);
		uint32_t size = x64 ? frame_of(w, rip) : (uint32_t)(ebp + 8 - sp);
		assert_int_equal(size, f->frame_size);
		in_driver += module_at(w, rip) == &M->modules[M->deep_driver];
		if (x64) {
			rip = vread(w, w->dtb, sp + size - 8, 8);
		} else {
			rip = vread(w, w->dtb, ebp + 4, 4);
			ebp = vread(w, w->dtb, ebp, 4);
		}
		sp += size;
	}
	assert_int_equal(rip, 0);
	assert_int_equal(i, t->nframes);
	assert_int_equal(sp, t->initial_stack);
	if (t == &w->procs->threads[w->procs->deep_thread]) {
		assert_true(ks - t->stack_limit < 1024);
		assert_true(in_driver >= 6);
	}
}

static void check_stacks(const struct world *w)
{
	for (size_t i = 0; i < w->procs->nthreads; i++)
		check_stack(w, &w->procs->threads[i]);
}

/* The PFN database read back with the profile's MMPFN layout: every RAM
 * entry as built, each page list a Flink/Blink chain from its head that
 * holds exactly its total, every list represented, and the PteAddress of
 * teaching pages naming the very entry that maps them. */
static void check_pfn(const struct world *w)
{
	const struct world_pfn *pf = w->pfn;
	const struct prof_mmpfn *M = w->profile->mmpfn;
	uint8_t e[0x30];
	uint64_t counted[WL_COUNT] = { 0 };
	for (uint64_t pfn = 0; pfn < w->img.max_pfn; pfn++) {
		if (!gen_is_ram(&w->img, pfn))
			continue;
		for (unsigned k = 0; k < M->size; k++)
			e[k] = (uint8_t)vread(w, w->dtb, pf->database + pfn * M->size + k, 1);
		const struct world_pfn_entry *we = &pf->entries[pfn];
		uint64_t loc = prof_get_bits(e, M->page_location);
		assert_int_equal(loc, we->location);
		assert_int_equal(le_bytes(e + M->pte_address, w->profile->ptr_size), we->pte_address);
		assert_int_equal(prof_get_bits(e, M->pte_frame), we->pte_frame);
		assert_int_equal(prof_get_bits(e, M->prototype_pte), we->prototype);
		assert_int_equal(le_bytes(e + M->original_pte, M->original_pte_size), we->original_pte);
		counted[loc]++;
	}
	for (int l = 0; l < WL_COUNT; l++) {
		assert_int_equal(counted[l], pf->totals[l]);
		assert_true(pf->totals[l] > 0);
		if (l == WL_ACTIVE)
			continue;
		uint64_t pfn = pf->list_head[l], prev = M->list_end, n = 0;
		while (pfn != M->list_end && n <= pf->totals[l]) {
			uint64_t at = pf->database + pfn * M->size;
			for (unsigned k = 0; k < M->size; k++)
				e[k] = (uint8_t)vread(w, w->dtb, at + k, 1);
			assert_int_equal(prof_get_bits(e, M->page_location), (uint64_t)l);
			assert_int_equal(prof_get_bits(e, M->blink), prev);
			prev = pfn;
			pfn = prof_get_bits(e, M->flink);
			n++;
		}
		assert_int_equal(n, pf->totals[l]);
	}
	static const char *const kinds[] = { "valid-4k-code", "kdbg", "transition" };
	unsigned es = (unsigned)modes[w->img.paging].entry_size;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const struct world_xlat *x = find(w, kinds[i]);
		const struct world_pfn_entry *we = &pf->entries[x->leaf.pfn];
		const struct walk_level *leaf = &x->walk.level[x->walk.nlevels - 1];
		assert_int_equal(vread(w, w->dtb, we->pte_address, es), leaf->entry);
		assert_int_equal(we->pte_frame, leaf->table >> 12);
	}
	assert_int_equal(pf->entries[find(w, "transition")->leaf.pfn].location, WL_STANDBY);
}

/* Mapped files by the route of doc/structures.md §9: FILE_OBJECT -> section object
 * pointers -> CONTROL_AREA -> SEGMENT and SUBSECTION, with the checks
 * dumpfiles makes; resident pages counted the !memusage way, from PFN
 * entries whose prototype PTE lies inside the subsection. */
static void check_files(const struct world *w)
{
	const struct world_files *F = w->files;
	const struct prof_section *S = w->profile->section;
	const struct prof_mmpfn *M = w->profile->mmpfn;
	unsigned ps = w->profile->ptr_size;
	unsigned es = (unsigned)modes[w->img.paging].entry_size;
	assert_in_range(F->nfiles, 4, WORLD_MAX_FILES);
	for (size_t i = 0; i < F->nfiles; i++) {
		const struct world_file *f = &F->files[i];
		uint64_t fo = f->file_object;
		assert_int_equal(vread(w, w->dtb, fo + S->fo_type, 2), 5);
		uint64_t sop = vread(w, w->dtb, fo + S->fo_section_object_pointer, ps);
		uint64_t ca = vread(w, w->dtb, sop, ps);
		assert_int_equal(ca, f->control_area);
		uint64_t fp = vread(w, w->dtb, ca + S->ca_file_pointer, ps);
		if (S->ca_file_pointer_fast_ref)
			fp &= ps == 8 ? ~0xfull : ~0x7ull;
		assert_int_equal(fp, fo);
		uint64_t seg = vread(w, w->dtb, ca + S->ca_segment, ps);
		assert_int_equal(vread(w, w->dtb, seg + S->seg_control_area, ps), ca);
		uint64_t n = vread(w, w->dtb, seg + S->seg_total_number_of_ptes, 4);
		assert_int_equal(n, f->total_ptes);
		assert_int_equal(vread(w, w->dtb, seg + S->seg_size_of_segment, 8), n * 4096);
		uint64_t sub = ca + S->ca_size;
		assert_int_equal(vread(w, w->dtb, sub + S->sub_control_area, ps), ca);
		uint64_t base = vread(w, w->dtb, sub + S->sub_subsection_base, ps);
		assert_int_not_equal(base & 0xfff, 0);
		assert_int_equal(base, vread(w, w->dtb, seg + S->seg_prototype_pte, ps));
		uint64_t ptes = vread(w, w->dtb, sub + S->sub_ptes_in_subsection, 4);
		char name[80] = { 0 };
		uint64_t len = vread(w, w->dtb, fo + S->fo_file_name, 2) / 2;
		uint64_t buf = vread(w, w->dtb, fo + S->fo_file_name + (ps == 8 ? 8 : 4), ps);
		for (uint64_t k = 0; k < len && k + 1 < sizeof name; k++)
			name[k] = (char)vread(w, w->dtb, buf + 2 * k, 2);
		assert_string_equal(name, f->name);
		uint64_t resident = 0;
		uint8_t e[0x30];
		for (uint64_t pfn = 0; pfn < w->img.max_pfn; pfn++) {
			if (!gen_is_ram(&w->img, pfn))
				continue;
			for (unsigned k = 0; k < M->size; k++)
				e[k] = (uint8_t)vread(w, w->dtb, w->pfn->database + pfn * M->size + k, 1);
			uint64_t pte = le_bytes(e + M->pte_address, ps);
			if (prof_get_bits(e, M->prototype_pte) && pte >= base && pte < base + ptes * es)
				resident++;
		}
		assert_int_equal(resident, f->resident_valid + f->resident_standby);
		assert_int_equal(vread(w, w->dtb, ca + S->ca_number_of_pfn_references, 4), resident);
	}
}

static void test_pfn_database(void **state)
{
	(void)state;
	each_world(6, 1, check_pfn);
	each_world(6, 2, check_files);
}

static void test_modules(void **state)
{
	(void)state;
	each_world(5, 2, check_modules);
	each_world(5, 3, check_stacks);
}

static void test_self_map(void **state)
{
	(void)state;
	each_world(11, 1, check_self_map);
}

static void test_kdbg(void **state)
{
	(void)state;
	each_world(21, 2, check_kdbg);
}

static bool same_image(const struct gen_image *a, const struct gen_image *b)
{
	if (a->max_pfn != b->max_pfn || a->dtb != b->dtb || a->kdbg_va != b->kdbg_va)
		return false;
	for (uint64_t pfn = 0; pfn < a->max_pfn; pfn++) {
		if (!a->pages[pfn] != !b->pages[pfn] || a->kernel_page[pfn] != b->kernel_page[pfn])
			return false;
		if (a->pages[pfn] && memcmp(a->pages[pfn], b->pages[pfn], 4096) != 0)
			return false;
	}
	return true;
}

static void test_determinism(void **state)
{
	(void)state;
	for (size_t i = 0; i < NPROFILES; i++) {
		struct world a, b, c;
		build(&a, profile_names[i], 77);
		build(&b, profile_names[i], 77);
		build(&c, profile_names[i], 78);
		assert_true(same_image(&a.img, &b.img));
		assert_int_equal(a.nxlat, b.nxlat);
		for (size_t k = 0; k < a.nxlat; k++)
			assert_int_equal(a.xlat[k].walk.pa, b.xlat[k].walk.pa);
		assert_false(same_image(&a.img, &c.img));
		assert_true(a.kernel_base != c.kernel_base || a.kdbg_va != c.kdbg_va);
		world_free(&a);
		world_free(&b);
		world_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_lookup),
		cmocka_unit_test(test_self_map),
		cmocka_unit_test(test_self_map_index),
		cmocka_unit_test(test_teaching_walks_match_the_image),
		cmocka_unit_test(test_walk_kinds),
		cmocka_unit_test(test_kdbg),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_processes_threads_sessions),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_pfn_database),
		cmocka_unit_test(test_determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
