/* core/layout: the self-map formulas on the check values of
 * doc/address-space.md §3.2, and the
 * region walk on generated worlds, compared with the worlds' own teaching
 * entries; progress and cancellation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/dump.h"
#include "core/xlat/layout.h"
#include "core/xlat/walk.h"
#include "views/command.h"
#include "tests/gen/world.h"
#include "tests/gen/world_pool.h"
#include "tests/unit/fixtures.h"

/* doc/address-space.md §3.2: x86 801544F4 -> PDE C0300800, PTE C0200550; Windows 10 with
 * index 0x1DA: 000001FE`151C0000 -> PXE .. PTE as captured by `!pte`. */
static void test_self_map_formulas(void **state)
{
	(void)state;
	struct self_map s;
	uint64_t v;
	self_map_bases(PAGING_X86, 0, &s);
	assert_true(self_map_entry_va(&s, PAGING_X86, 0, 0x801544f4, &v));
	assert_int_equal(v, 0xc0300800);
	assert_true(self_map_entry_va(&s, PAGING_X86, 1, 0x801544f4, &v));
	assert_int_equal(v, 0xc0200550);

	self_map_bases(PAGING_X64, 0x1da, &s);
	assert_int_equal(s.pte_base, 0xffffed0000000000ull);
	const uint64_t want[] = { 0xffffed76bb5da018ull, 0xffffed76bb403fc0ull,
				  0xffffed76807f8540ull, 0xffffed00ff0a8e00ull };
	for (int lv = 0; lv < 4; lv++) {
		assert_true(self_map_entry_va(&s, PAGING_X64, lv, 0x000001fe151c0000ull, &v));
		assert_int_equal(v, want[lv]);
	}
	/* doc/address-space.md §3.1: the self-map entries themselves. */
	self_map_bases(PAGING_PAE, 0, &s);
	assert_true(self_map_entry_va(&s, PAGING_PAE, 1, s.pde_base, &v));
	assert_int_equal(v, 0xc0603018);
	assert_false(self_map_entry_va(&s, PAGING_PAE, 0, 0x1000, &v));
	self_map_bases(PAGING_X64, 0x1ed, &s);
	assert_true(self_map_entry_va(&s, PAGING_X64, 0, s.pxe_base, &v));
	assert_int_equal(v, 0xfffff6fb7dbedf68ull);
}

struct progress_log {
	unsigned calls;
	uint64_t last_done, total;
	bool monotonic;
	unsigned cancel_after;      /* 0: never */
	char what[48];
};

static bool log_progress(void *ctx, uint64_t done, uint64_t total, const char *what)
{
	struct progress_log *p = ctx;
	if (done < p->last_done || done > total)
		p->monotonic = false;
	p->last_done = done;
	p->total = total;
	snprintf(p->what, sizeof p->what, "%s", what);
	return !(p->cancel_after && ++p->calls >= p->cancel_after);
}

static struct dump *open_world(const char *profile, struct world *w)
{
	struct kdx_error err;
	assert_int_equal(world_build(w, profile_by_name(profile), 7, &err), 0);
	char path[128];
	snprintf(path, sizeof path, "%s/%s.dmp", fixture_dir(), profile);
	assert_int_equal(gen_write(&w->img, GEN_FULL, path, &err), 0);
	struct dump *d;
	assert_int_equal(dump_open(path, &d, &err), 0);
	return d;
}

/* The paged pool holds the software-PTE teaching pages: the walk must count
 * exactly the world's entries of each state, and the layout must give the
 * world's bounds (its end exclusive, ours inclusive). */
static void walk_profile(const char *profile)
{
	struct world w;
	struct dump *d = open_world(profile, &w);
	struct region_list l;
	struct kdx_error err;
	assert_int_equal(layout_build(d, &l, &err), 0);
	const struct world_region *pp = NULL;
	for (size_t i = 0; i < w.nregion; i++)
		if (strcmp(w.region[i].name, "PagedPool") == 0)
			pp = &w.region[i];
	assert_non_null(pp);
	const struct region *g = region_find(&l, "paged-pool");
	assert_non_null(g);
	assert_int_equal(g->start, pp->start);
	assert_int_equal(g->end, pp->end - 1);
	assert_int_equal(g->source, REGION_FROM_KDBG);
	assert_int_equal(l.self_map.index, w.self_map_index);

	uint64_t want[5] = { 0 };
	static const char *const states[5] = { "transition", "pagefile", "demand-zero",
					       "no-access", "prototype" };
	for (size_t i = 0; i < w.nxlat; i++) {
		uint64_t va = w.xlat[i].walk.va;
		/* the walk counts leaf entries; one stopped above is a table */
		if (w.xlat[i].walk.dtb != w.dtb || va < pp->start || va >= pp->end ||
		    (w.xlat[i].walk.stopped_at >= 0 &&
		     w.xlat[i].walk.stopped_at < paging_desc(w.img.paging)->levels - 1))
			continue;
		for (int s = 0; s < 5; s++)
			want[s] += strcmp(w.xlat[i].leaf.state, states[s]) == 0;
	}
	assert_true(want[0] + want[1] + want[2] + want[3] > 0);

	struct pte_context ctx;
	layout_pte_context(d, &ctx);
	struct progress_log log = { .monotonic = true };
	struct progress pr = { .update = log_progress, .ctx = &log };
	struct region_walk rw;
	assert_int_equal(layout_walk(d->src, &ctx, xlat_dtb(d->kernel), g->start, g->end,
				     &pr, "walking", &rw, &err), 0);
	assert_int_equal(rw.transition, want[0]);
	assert_int_equal(rw.pagefile, want[1]);
	assert_int_equal(rw.demand_zero, want[2]);
	assert_int_equal(rw.no_access, want[3]);
	assert_int_equal(rw.prototype, want[4]);
	assert_false(rw.tables_truncated);
	assert_true(log.monotonic);
	assert_int_equal(log.last_done, log.total);
	assert_int_equal(log.total, g->end - g->start + 1);
	assert_string_equal(log.what, "walking");
	/* Every mapped range lies inside the region. */
	for (size_t i = 0; i < rw.nranges; i++) {
		assert_true(rw.ranges[i].start >= g->start);
		assert_true(rw.ranges[i].end <= g->end);
	}
	region_walk_free(&rw);

	struct progress_log cancel = { .monotonic = true, .cancel_after = 1 };
	pr.ctx = &cancel;
	assert_int_equal(layout_walk(d->src, &ctx, xlat_dtb(d->kernel), g->start, g->end,
				     &pr, "walking", &rw, &err), -1);
	assert_string_equal(err.msg, "layout: walk cancelled");
	assert_null(rw.ranges);

	/* The command takes the dump's reporter: cancelling fails it and
	 * leaves an empty document; without one it runs to the end. */
	struct progress_log via_dump = { .monotonic = true, .cancel_after = 1 };
	pr.ctx = &via_dump;
	d->progress = &pr;
	struct doc doc;
	assert_int_equal(command_run(d, "layout paged-pool", &doc, &err), -1);
	assert_string_equal(err.msg, "layout: walk cancelled");
	assert_string_equal(via_dump.what, "walking paged-pool");
	assert_int_equal(doc.root->nkids, 0);
	doc_free(&doc);
	d->progress = NULL;
	assert_int_equal(command_run(d, "layout paged-pool", &doc, &err), 0);
	assert_non_null(dn_get(doc.root, "counts"));
	doc_free(&doc);

	region_list_free(&l);
	dump_close(d);
	world_free(&w);
}

static void test_walk_xp(void **state) { (void)state; walk_profile("xp-x86"); }
static void test_walk_pae(void **state) { (void)state; walk_profile("win7-x86-pae"); }
static void test_walk_win7(void **state) { (void)state; walk_profile("win7-x64"); }
static void test_walk_win10(void **state) { (void)state; walk_profile("win10-x64"); }

static const struct world_region *world_region_named(const struct world *w, const char *name)
{
	for (size_t i = 0; i < w->nregion; i++)
		if (strcmp(w->region[i].name, name) == 0)
			return &w->region[i];
	return NULL;
}

/* doc/address-space.md §4.1: on XP the nonpaged pool is the initial part (the mapped run
 * from MmNonPagedPoolStart) and the expansion (present tables down from
 * MmNonPagedPoolEnd), each with the world's bounds; the walk of each finds
 * the world's pool pages in it. Vista+ x86 keeps the one KDBG range. */
static void test_nonpaged_parts_xp(void **state)
{
	(void)state;
	struct world w;
	struct dump *d = open_world("xp-x86", &w);
	struct region_list l;
	struct kdx_error err;
	assert_int_equal(layout_build(d, &l, &err), 0);
	static const char *const truth[] = { "NonPagedPool", "NonPagedPoolExpansion" };
	static const char *const names[] = { "nonpaged-pool", "nonpaged-pool-expansion" };
	static const char *const details[] = { "KDBG MmNonPagedPoolStart; end: mapped pages",
					       "KDBG MmNonPagedPoolEnd; start: present page tables" };
	uint64_t start[LAYOUT_NONPAGED_PARTS], end[LAYOUT_NONPAGED_PARTS];
	assert_int_equal(layout_nonpaged_pool(d, start, end), 2);
	struct pte_context ctx;
	layout_pte_context(d, &ctx);
	for (int i = 0; i < 2; i++) {
		const struct world_region *want = world_region_named(&w, truth[i]);
		const struct region *g = region_find(&l, names[i]);
		assert_non_null(want);
		assert_non_null(g);
		assert_int_equal(g->start, want->start);
		assert_int_equal(g->end, want->end - 1);
		assert_int_equal(g->kind, REGION_NONPAGED_POOL);
		assert_int_equal(g->source, REGION_FROM_KDBG);
		assert_string_equal(g->source_detail, details[i]);
		assert_int_equal(start[i], g->start);
		assert_int_equal(end[i], g->end);
		size_t pages = 0;
		for (size_t k = 0; k < w.pool->npages; k++)
			pages += w.pool->pages[k].va >= want->start && w.pool->pages[k].va < want->end;
		assert_true(pages > 0);
		struct region_walk rw;
		assert_int_equal(layout_walk(d->src, &ctx, xlat_dtb(d->kernel), g->start, g->end,
					     NULL, NULL, &rw, &err), 0);
		assert_true(rw.valid >= pages);
		region_walk_free(&rw);
	}
	region_list_free(&l);
	dump_close(d);
	world_free(&w);

	d = open_world("win7-x86-pae", &w);
	const struct world_region *np = world_region_named(&w, "NonPagedPool");
	assert_non_null(np);
	assert_null(world_region_named(&w, "NonPagedPoolExpansion"));
	assert_int_equal(layout_nonpaged_pool(d, start, end), 1);
	assert_int_equal(start[0], np->start);
	assert_int_equal(end[0], np->end - 1);
	dump_close(d);
	world_free(&w);
}

/* doc/address-space.md §4.1: XP's system cache is the fixed range KDBG
 * MmSystemCacheStart/End state, above the system working-set list; Vista+
 * x86 has no such range (its cache is dynamic system VA). */
static void test_system_cache_xp(void **state)
{
	(void)state;
	struct world w;
	struct region_list l;
	struct kdx_error err;
	struct dump *d = open_world("xp-x86", &w);
	assert_int_equal(layout_build(d, &l, &err), 0);
	const struct world_region *want = world_region_named(&w, "SystemCache");
	const struct region *g = region_find(&l, "system-cache");
	assert_non_null(want);
	assert_non_null(g);
	assert_int_equal(g->start, want->start);
	assert_int_equal(g->end, want->end - 1);
	assert_int_equal(g->kind, REGION_CACHE);
	assert_int_equal(g->source, REGION_FROM_KDBG);
	const struct region *ws = region_find(&l, "system-ws");
	assert_non_null(ws);
	assert_true(ws->end < g->start);
	region_list_free(&l);
	dump_close(d);
	world_free(&w);

	d = open_world("win7-x86-pae", &w);
	assert_int_equal(layout_build(d, &l, &err), 0);
	assert_null(world_region_named(&w, "SystemCache"));
	assert_null(region_find(&l, "system-cache"));
	region_list_free(&l);
	dump_close(d);
	world_free(&w);
}

static void patch_u32(const char *path, uint64_t off, uint32_t v)
{
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	uint8_t b[4] = { v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24 };
	assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
	assert_int_equal(fwrite(b, 1, 4, f), 4);
	assert_int_equal(fclose(f), 0);
}

static uint64_t expansion_start(const char *path)
{
	struct dump *d;
	struct region_list l;
	struct kdx_error err;
	assert_int_equal(dump_open(path, &d, &err), 0);
	assert_int_equal(layout_build(d, &l, &err), 0);
	const struct region *g = region_find(&l, "nonpaged-pool-expansion");
	assert_non_null(g);
	uint64_t start = g->start;
	region_list_free(&l);
	dump_close(d);
	return start;
}

/* The expansion's start follows the present page tables down from
 * MmNonPagedPoolEnd, but not below MmNonPagedSystemStart: a raw XP image
 * (file offset = physical address) with the page table below made present,
 * then MmNonPagedSystemStart moved up to the expansion. */
static void test_expansion_start_floor(void **state)
{
	(void)state;
	struct world w;
	struct kdx_error err;
	assert_int_equal(world_build(&w, profile_by_name("xp-x86"), 7, &err), 0);
	char path[128];
	snprintf(path, sizeof path, "%s/xp-floor.raw", fixture_dir());
	assert_int_equal(gen_write(&w.img, GEN_RAW, path, &err), 0);
	const struct world_region *x = world_region_named(&w, "NonPagedPoolExpansion");
	assert_non_null(x);
	assert_int_equal(expansion_start(path), x->start);

	struct dump *d;
	uint64_t var_pa, pde;
	assert_int_equal(dump_open(path, &d, &err), 0);
	uint64_t pd = xlat_dtb(d->kernel);
	assert_int_equal(xlat_to_phys(d->kernel, world_kvar(&w, "MmNonPagedSystemStart")->address,
				      &var_pa), XLAT_OK);
	assert_true(dump_read_ptr(d, 0xc0300000u + (x->start >> 22) * 4, &pde));
	dump_close(d);
	patch_u32(path, pd + ((x->start >> 22) - 1) * 4, (uint32_t)pde);
	assert_int_equal(expansion_start(path), x->start - (4u << 20));
	patch_u32(path, var_pa, (uint32_t)x->start);
	assert_int_equal(expansion_start(path), x->start);
	world_free(&w);
}

/* A range across the x64 canonical hole is refused, not walked. */
static void test_walk_refuses_bad_range(void **state)
{
	(void)state;
	struct pte_context ctx = { .format = pte_format_of(PTE_FAMILY_X64_WIN7) };
	struct region_walk rw;
	struct kdx_error err;
	assert_int_equal(layout_walk(NULL, &ctx, 0, 0x1000, 0xffff800000000000ull, NULL, "walking",
				     &rw, &err), -1);
	assert_non_null(strstr(err.msg, "not a range"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_map_formulas),
		cmocka_unit_test(test_walk_xp),
		cmocka_unit_test(test_walk_pae),
		cmocka_unit_test(test_walk_win7),
		cmocka_unit_test(test_walk_win10),
		cmocka_unit_test(test_nonpaged_parts_xp),
		cmocka_unit_test(test_system_cache_xp),
		cmocka_unit_test(test_expansion_start_floor),
		cmocka_unit_test(test_walk_refuses_bad_range),
	};
	return cmocka_run_group_tests(tests, NULL, fixture_group_teardown);
}
