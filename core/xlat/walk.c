#include "core/xlat/walk.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/source/source.h"

/* ---- The region walk: tables read straight from the source, one page per
 * table, bounded by LAYOUT_MAX_TABLES (a hostile directory can point every
 * entry back at itself). */

struct walker {
	struct source *src;
	const struct pte_context *ctx;
	const struct paging_desc *pd;
	uint64_t lo, hi;            /* the range, in unsigned va_bits-wide form */
	const struct progress *progress;
	const char *what;
	struct region_walk *out;
	struct kdx_error *err;
	uint8_t scratch[PAGING_MAX_LEVELS][KDX_PAGE_SIZE];
	bool oom;
};

static uint64_t va_low(const struct paging_desc *pd, uint64_t va)
{
	return pd->va_bits == 64 ? va : va & ((1ull << pd->va_bits) - 1);
}

static void add_range(struct walker *w, uint64_t lo, uint64_t hi, bool large)
{
	struct region_walk *o = w->out;
	uint64_t start = paging_canonical(w->pd, lo), end = paging_canonical(w->pd, hi);
	uint64_t pages = ((hi - lo) >> KDX_PAGE_SHIFT) + 1;
	if (o->nranges) {
		struct mapped_range *last = &o->ranges[o->nranges - 1];
		if (last->end + 1 == start && last->large == large) {
			last->end = end;
			last->pages += pages;
			return;
		}
	}
	if (o->nranges == LAYOUT_MAX_RANGES) {
		o->ranges_truncated = true;
		return;
	}
	if (o->nranges == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct mapped_range *p = realloc(o->ranges, cap * sizeof *p);
		if (!p) {
			w->oom = true;
			return;
		}
		o->ranges = p;
		o->cap = cap;
	}
	o->ranges[o->nranges++] = (struct mapped_range){ start, end, pages, large };
}

static void add_absent(struct walker *w, int level, uint64_t entry_address, uint64_t raw,
		       uint64_t va, enum pte_state state)
{
	struct region_walk *o = w->out;
	if (o->nabsent == LAYOUT_MAX_ABSENT) {
		o->absent_truncated = true;
		return;
	}
	if (o->nabsent == o->absent_cap) {
		size_t cap = o->absent_cap ? o->absent_cap * 2 : 64;
		struct absent_entry *p = realloc(o->absent, cap * sizeof *p);
		if (!p) {
			w->oom = true;
			return;
		}
		o->absent = p;
		o->absent_cap = cap;
	}
	o->absent[o->nabsent++] = (struct absent_entry){ paging_canonical(w->pd, va), entry_address,
							 raw, level, state };
}

static void count_leaf(struct walker *w, uint64_t raw, uint64_t va, uint64_t entry_address)
{
	struct region_walk *o = w->out;
	if (raw == 0) {
		o->empty++;
		return;
	}
	if (raw & 1) {
		o->valid++;
		add_range(w, va, va + KDX_PAGE_SIZE - 1, false);
		return;
	}
	struct pte_decoded dec;
	pte_decode(w->ctx, w->pd->levels - 1, raw, &dec);
	switch (dec.state) {
	case PTE_STATE_TRANSITION: o->transition++; break;
	case PTE_STATE_PAGEFILE: o->pagefile++; break;
	case PTE_STATE_PROTOTYPE: o->prototype++; break;
	case PTE_STATE_DEMAND_ZERO: o->demand_zero++; break;
	case PTE_STATE_VAD: o->vad++; break;
	case PTE_STATE_SWAP: o->swap++; break;
	case PTE_STATE_PROT_NONE: o->prot_none++; break;
	default: o->no_access++; break;
	}
	add_absent(w, w->pd->levels - 1, entry_address, raw, va, dec.state);
}

static int walk_table(struct walker *w, int level, uint64_t table, uint64_t base)
{
	const struct paging_desc *pd = w->pd;
	struct region_walk *o = w->out;
	if (o->tables >= LAYOUT_MAX_TABLES) {
		o->tables_truncated = true;
		return 0;
	}
	const uint8_t *page;
	unsigned n = 1u << pd->index_bits[level];
	unsigned esz = (unsigned)pd->entry_size;
	uint64_t span = 1ull << pd->shift[level];
	uint64_t first = w->lo > base ? (w->lo - base) >> pd->shift[level] : 0;
	uint64_t last = (w->hi - base) >> pd->shift[level];
	if (last >= n)
		last = n - 1;
	if (pd->mode == PAGING_PAE && level == 0) {
		/* The PDPT is 32 bytes, not necessarily page-aligned. */
		if (source_read_phys(w->src, table, w->scratch[0], 32) != 32)
			page = NULL;
		else
			page = w->scratch[0];
	} else {
		page = source_page(w->src, table >> KDX_PAGE_SHIFT, w->scratch[level]);
	}
	if (!page) {
		uint64_t lo = base + first * span, hi = base + last * span + (span - 1);
		o->not_in_dump_pages += ((hi - lo) >> KDX_PAGE_SHIFT) + 1;
		return 0;
	}
	o->tables++;
	bool leaf = level == pd->levels - 1;
	for (uint64_t i = first; i <= last; i++) {
		uint64_t raw = le_bytes(page + i * esz, esz), va = base + i * span;
		/* every table entry above the leaves: at most 2 MiB between reports,
		 * so Esc stops a walk of a big pool at once */
		if (!leaf &&
		    !progress_update(w->progress, va < w->lo ? 0 : va - w->lo, w->hi - w->lo + 1,
				     w->what))
			return kdx_fail_as(w->err, KDX_ERR_CANCELLED, "layout: walk cancelled");
		uint64_t entry_address = table + i * esz;
		if (leaf) {
			count_leaf(w, raw, va, entry_address);
			if (w->oom)
				return kdx_fail(w->err, "layout: out of memory");
			continue;
		}
		uint64_t lo = va < w->lo ? w->lo : va, hi = va + span - 1 > w->hi ? w->hi : va + span - 1;
		if (!(raw & 1)) {
			o->absent_pages += ((hi - lo) >> KDX_PAGE_SHIFT) + 1;
			if (raw) {
				struct pte_decoded dec;
				pte_decode(w->ctx, level, raw, &dec);
				add_absent(w, level, entry_address, raw, va, dec.state);
			}
			continue;
		}
		if ((pd->large_ok & (1u << level)) && (raw & 0x80)) {
			o->large++;
			add_range(w, lo, hi, true);
			continue;
		}
		if (walk_table(w, level + 1, raw & pd->pfn_mask, va) < 0)
			return -1;
		if (w->oom)
			return kdx_fail(w->err, "layout: out of memory");
	}
	return 0;
}

int layout_walk(struct source *src, const struct pte_context *ctx, uint64_t dtb,
		uint64_t start, uint64_t end, const struct progress *progress, const char *what,
		struct region_walk *out, struct kdx_error *err)
{
	memset(out, 0, sizeof *out);
	const struct paging_desc *pd = paging_desc(ctx->format->mode);
	if (!paging_is_canonical(pd, start) || !paging_is_canonical(pd, end) || end < start ||
	    (pd->va_bits == 48 && (start >> 47) != (end >> 47)))
		return kdx_fail(err, "layout: 0x%llx-0x%llx is not a range of one %s half",
				(unsigned long long)start, (unsigned long long)end, pd->name);
	struct walker *w = calloc(1, sizeof *w);
	if (!w)
		return kdx_fail(err, "layout: out of memory");
	*w = (struct walker){ .src = src, .ctx = ctx, .pd = pd, .lo = va_low(pd, start),
			      .hi = va_low(pd, end), .progress = progress,
			      .what = what, .out = out, .err = err };
	int r = walk_table(w, 0, dtb, 0);
	if (r == 0)
		progress_update(progress, w->hi - w->lo + 1, w->hi - w->lo + 1, what);
	free(w);
	if (r < 0)
		region_walk_free(out);
	return r;
}

void region_walk_free(struct region_walk *w)
{
	free(w->ranges);
	free(w->absent);
	w->ranges = NULL;
	w->absent = NULL;
	w->nranges = w->cap = w->nabsent = w->absent_cap = 0;
}
