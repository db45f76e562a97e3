/* core/layout: the self-map formulas on the spec's check values, and the
 * region walk on generated worlds, compared with the worlds' own teaching
 * entries; progress and cancellation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/dump.h"
#include "core/layout.h"
#include "views/command.h"
#include "tests/gen/world.h"
#include "tests/unit/fixtures.h"

/* spec 3.2: x86 801544F4 -> PDE C0300800, PTE C0200550; Windows 10 with
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
	/* spec 3.1: the self-map entries themselves. */
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
		if (w.xlat[i].walk.dtb != w.dtb || va < pp->start || va >= pp->end)
			continue;
		for (int s = 0; s < 5; s++)
			want[s] += strcmp(w.xlat[i].leaf.state, states[s]) == 0;
	}
	assert_true(want[0] + want[1] + want[2] + want[3] > 0);

	struct pte_context ctx;
	layout_pte_context(d, &ctx);
	struct progress_log log = { .monotonic = true };
	struct progress pr = { log_progress, &log };
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
		cmocka_unit_test(test_walk_refuses_bad_range),
	};
	return cmocka_run_group_tests(tests, NULL, fixture_group_teardown);
}
