#include "core/nt/special_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nt/pool.h"
#include "core/nt/verifier.h"
#include "core/util/builds.h"
#include "core/xlat/walk.h"

/* A candidate region, copied: adding regions moves the list. */
struct candidate {
	char name[24];
	uint64_t start, end;
};

/* Where the build keeps its special pool: XP/2003 reserve it from the
 * system PTEs (ReactOS ntoskrnl/mm/ARM3/special.c, MiInitializeSpecialPool);
 * Vista and later hand it dynamic system VA (doc/address-space.md §4.2-4.4). */
static bool candidate(const struct dump *d, const struct region *g)
{
	if (g->kind == REGION_DYNAMIC)
		return true;
	return g->kind == REGION_SYSTEM_PTES && d->has_build && d->build < NT_BUILD_VISTA;
}

struct found {
	uint64_t first, last;        /* pages */
	unsigned pages, paged;
};

/* Each special pool page is a mapped page with its guard page unmapped
 * after it: the last page of every run of mapped pages is a candidate. */
static int search(struct dump *d, const struct candidate *c, struct special_pool_search *out,
		  struct found *f, struct kdx_error *err)
{
	struct pte_context ctx;
	struct region_walk w;
	layout_pte_context(d, &ctx);
	if (layout_walk(d->src, &ctx, xlat_dtb(d->kernel), c->start, c->end, NULL, NULL, &w, err) < 0)
		return -1;
	out->truncated |= w.tables_truncated || w.ranges_truncated;
	uint8_t page[KDX_PAGE_SIZE], probe;
	for (size_t i = 0; i < w.nranges; i++) {
		if (w.ranges[i].large)
			continue;
		if (out->checked >= SPECIAL_POOL_MAX_CHECKS) {
			out->truncated = true;
			break;
		}
		uint64_t va = w.ranges[i].end & ~(uint64_t)(KDX_PAGE_SIZE - 1);
		struct pool_special s;
		out->checked++;
		if (xlat_read(d->kernel, va, page, sizeof page, NULL) != sizeof page ||
		    !pool_special_page(d->layout.profile, page, va, &s) ||
		    xlat_read(d->kernel, s.guard, &probe, 1, NULL) == 1)
			continue;
		if (!f->pages++)
			f->first = va;
		f->last = va;
		f->paged += s.paged;
	}
	region_walk_free(&w);
	return 0;
}

static int add_region(struct region_list *l, const struct candidate *c, const struct found *f,
		      struct kdx_error *err)
{
	const char *base = f->paged == f->pages ? "special-pool-paged"
			   : f->paged ? "special-pool" : "special-pool-nonpaged";
	struct region *g = region_list_push(l);
	if (!g)
		return kdx_fail(err, "layout: out of memory");
	snprintf(g->name, sizeof g->name, "%s", base);
	for (unsigned n = 2; region_find(l, g->name) != g; n++)
		snprintf(g->name, sizeof g->name, "%s-%u", base, n);
	g->description = "Driver Verifier's special pool: the span of its pages found here (its "
			 "bounds are kernel variables no KDBG field names)";
	g->start = f->first;
	g->end = f->last + 2 * KDX_PAGE_SIZE - 1;   /* through the last guard page */
	g->kind = REGION_SPECIAL_POOL;
	g->source = REGION_FROM_PAGES;
	snprintf(g->source_detail, sizeof g->source_detail, "%u special pool page%s in %s",
		 f->pages, f->pages == 1 ? "" : "s", c->name);
	return 0;
}

int special_pool_find(struct dump *d, struct region_list *l, struct special_pool_search *out,
		      struct kdx_error *err)
{
	memset(out, 0, sizeof *out);
	struct verifier_state v;
	struct kdx_error e;
	if (!d->layout.profile || (verifier_read(d, &v, &e) == 0 && !(v.level & VERIFIER_SPECIAL_POOL) &&
				   (!v.has_tag || !v.special_pool_tag)))
		return 0;
	out->searched_pool = true;
	struct candidate *cands = calloc(l->count + 1, sizeof *cands);
	if (!cands)
		return kdx_fail(err, "layout: out of memory");
	size_t n = 0, used = 0;
	for (size_t i = 0; i < l->count; i++) {
		const struct region *g = &l->items[i];
		if (!candidate(d, g))
			continue;
		struct candidate *c = &cands[n++];
		snprintf(c->name, sizeof c->name, "%s", g->name);
		c->start = g->start;
		c->end = g->end;
		used += (size_t)snprintf(out->searched + used, sizeof out->searched - used, "%s%s",
					 used ? ", " : "", g->name);
		if (used >= sizeof out->searched)
			used = sizeof out->searched - 1;
	}
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		struct found f = { 0 };
		r = search(d, &cands[i], out, &f, err);
		if (r == 0 && f.pages) {
			r = add_region(l, &cands[i], &f, err);
			out->pages += f.pages;
			out->paged += f.paged;
			out->regions++;
		}
	}
	free(cands);
	region_list_order(l);
	return r;
}
