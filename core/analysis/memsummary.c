#include "core/analysis/memsummary.h"

#include <stdio.h>
#include <string.h>

#include "core/nt/kdbg.h"
#include "core/xlat/layout.h"
#include "core/xlat/walk.h"
#include "core/nt/profile.h"

/* WinDbg's "Excessive ... Usage" line: kdx's threshold for it. */
#define EXCESSIVE_PERCENT 95
/* Fewer free system PTEs than this and drivers start failing to map. */
#define LOW_SYSTEM_PTES 1000

static struct mem_figure *add(struct mem_summary *s, const char *name, const char *label)
{
	struct mem_figure *f = &s->figures[s->count++];
	memset(f, 0, sizeof *f);
	f->name = name;
	snprintf(f->label, sizeof f->label, "%s", label);
	f->percent_of = -1;
	return f;
}

/* The value of the kernel variable whose address the KDBG field holds. */
static bool kdbg_var(struct dump *d, unsigned field, unsigned size, uint64_t *v)
{
	uint64_t addr;
	uint8_t b[8] = { 0 };
	if (!d->kernel || !dump_kdbg_field(d, field, 8, &addr) || !addr ||
	    xlat_read(d->kernel, addr, b, size, NULL) != size)
		return false;
	*v = 0;
	for (unsigned i = size; i-- > 0;)
		*v = (*v << 8) | b[i];
	return true;
}

static void var_figure(struct dump *d, struct mem_summary *s, const char *name, const char *label,
		       unsigned field, const char *var, uint64_t divisor)
{
	struct mem_figure *f = add(s, name, label);
	uint64_t v;
	f->has = kdbg_var(d, field, dump_ptr_size(d), &v);
	f->pages = f->has ? v / divisor : 0;
	f->source = f->has ? var : "KDBG field or its variable not in the dump";
}

/* Free PTEs: the empty leaf entries of the kernel's page tables present over
 * a range whose bounds KDBG variables hold. A walk the user cancels leaves
 * its figure pending. */
#define PENDING_SOURCE "not counted: walks the page tables (vm, info -w)"
#define CANCELLED_SOURCE "not counted: the walk was cancelled"

static struct mem_figure *pending(struct mem_summary *s, const char *name, const char *label,
				  const char *why)
{
	struct mem_figure *f = add(s, name, label);
	f->pending = true;
	f->source = why;
	return f;
}

/* 1 counted, 0 not in the dump, -1 cancelled. */
static int empty_ptes(struct dump *d, uint64_t start, uint64_t end, uint64_t *pages)
{
	struct pte_context ctx;
	struct region_walk rw;
	struct kdx_error err = { .msg = "" };
	layout_pte_context(d, &ctx);
	if (!ctx.format)
		return 0;
	if (layout_walk(d->src, &ctx, d->dtb, start, end, d->progress, "counting free PTEs", &rw,
			&err) < 0)
		return strstr(err.msg, "cancelled") ? -1 : 0;
	*pages += rw.empty;
	region_walk_free(&rw);
	return 1;
}

static void counted(struct mem_figure *f, int r, const char *source)
{
	f->has = r > 0;
	f->pending = r < 0;
	if (r <= 0)
		f->pages = 0;
	f->source = r > 0 ? source : r < 0 ? CANCELLED_SOURCE : "range bounds not in the dump";
}

static void free_ptes(struct dump *d, struct mem_summary *s, const char *name, const char *label,
		      unsigned start_field, unsigned end_field, const char *source)
{
	struct mem_figure *f = add(s, name, label);
	uint64_t start, end;
	int r = kdbg_var(d, start_field, dump_ptr_size(d), &start) &&
		kdbg_var(d, end_field, dump_ptr_size(d), &end);
	if (r)
		r = empty_ptes(d, start, end, &f->pages);
	counted(f, r, source);
}

/* Over the nonpaged pool's parts as the layout has them: on x86 XP/2003
 * MmNonPagedPoolStart..End also spans the system space between them. */
static void free_nonpaged_ptes(struct dump *d, struct mem_summary *s)
{
	struct mem_figure *f = add(s, "free_nonpaged_ptes", "Free nonpaged PTEs");
	uint64_t start[LAYOUT_NONPAGED_PARTS], end[LAYOUT_NONPAGED_PARTS];
	size_t n = layout_nonpaged_pool(d, start, end);
	int r = n > 0;
	for (size_t i = 0; r > 0 && i < n; i++)
		r = empty_ptes(d, start[i], end[i], &f->pages);
	counted(f, r, n > 1 ? "empty PTEs of the initial nonpaged pool and its expansion"
			    : "empty PTEs from MmNonPagedPoolStart to End");
}

/* ExpPagedPoolDescriptor: the address of an array of POOL_DESCRIPTOR
 * pointers, pools 0 to ExpNumberOfPagedPools. */
static void paged_pools(struct dump *d, struct mem_summary *s, const struct profile *p)
{
	static const char *const names[MEM_MAX_PAGED_POOLS + 1] = {
		"paged_pool_0", "paged_pool_1", "paged_pool_2", "paged_pool_3", "paged_pool_4",
		"paged_pool_5", "paged_pool_6", "paged_pool_7", "paged_pool_8", "paged_pool_9",
		"paged_pool_10", "paged_pool_11", "paged_pool_12", "paged_pool_13",
		"paged_pool_14", "paged_pool_15", "paged_pool_16",
	};
	struct mem_figure *total = add(s, "paged_pool_usage", "PagedPool usage");
	uint64_t n, array;
	if (p && p->pool_descriptor->pages == PROF_ABSENT) {
		total->source = "no POOL_DESCRIPTOR layout for this build";
		return;
	}
	if (!p || !kdbg_var(d, KDBG_EXP_NUMBER_OF_PAGED_POOLS, 4, &n) ||
	    !dump_kdbg_field(d, KDBG_EXP_PAGED_POOL_DESCRIPTOR, 8, &array) || !array) {
		total->source = p ? "ExpPagedPoolDescriptor not in the dump"
				  : "no structure layout for this build";
		return;
	}
	if (n > MEM_MAX_PAGED_POOLS)
		n = MEM_MAX_PAGED_POOLS;
	const struct prof_pool_descriptor *pd = p->pool_descriptor;
	size_t at = s->count - 1;
	uint64_t sum = 0;
	bool all = true;
	for (uint64_t i = 0; i <= n; i++) {
		char label[40];
		snprintf(label, sizeof label, "PagedPool %u usage", (unsigned)i);
		struct mem_figure *f = add(s, names[i], label);
		uint64_t desc, c[4] = { 0 };
		uint16_t off[4] = { pd->pages, pd->big_pages, pd->pages_freed, pd->big_pages_freed };
		bool ok = dump_read_ptr(d, array + i * dump_ptr_size(d), &desc) && desc;
		for (int k = 0; ok && k < 4; k++) {
			uint8_t b[8] = { 0 };
			if (off[k] == PROF_ABSENT)
				continue;
			ok = xlat_read(d->kernel, desc + off[k], b, pd->counter_size, NULL) ==
			     pd->counter_size;
			for (unsigned j = pd->counter_size; j-- > 0;)
				c[k] = (c[k] << 8) | b[j];
		}
		f->has = ok;
		f->pages = ok ? c[0] - c[2] + c[1] - c[3] : 0;
		f->source = ok ? "POOL_DESCRIPTOR page counters" : "descriptor not in the dump";
		all &= ok;
		sum += f->pages;
	}
	total = &s->figures[at];
	total->has = all;
	total->pages = sum;
	total->source = all ? "sum of the paged pools" : "a paged pool descriptor is missing";
}

const struct mem_figure *memsummary_figure(const struct mem_summary *s, const char *name)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->figures[i].name, name) == 0)
			return &s->figures[i];
	return NULL;
}

static void warn(struct mem_summary *s, const char *text)
{
	if (s->nwarnings < MEM_MAX_WARNINGS)
		snprintf(s->warnings[s->nwarnings++], sizeof s->warnings[0], "%s", text);
}

static void excessive(struct mem_summary *s, const char *usage, const char *max, const char *text)
{
	const struct mem_figure *u = memsummary_figure(s, usage), *m = memsummary_figure(s, max);
	if (u && m && u->has && m->has && u->pages * 100 > m->pages * EXCESSIVE_PERCENT)
		warn(s, text);
}

void memsummary_build(struct dump *d, bool walks, struct mem_summary *s)
{
	memset(s, 0, sizeof *s);
	const struct profile *p = d->layout.profile;
	var_figure(d, s, "physical_memory", "Physical memory", KDBG_MM_NUMBER_OF_PHYSICAL_PAGES,
		   "MmNumberOfPhysicalPages", 1);
	var_figure(d, s, "available_pages", "Available pages", KDBG_MM_AVAILABLE_PAGES,
		   "MmAvailablePages", 1);
	var_figure(d, s, "resident_available", "ResAvail pages", KDBG_MM_RESIDENT_AVAILABLE_PAGES,
		   "MmResidentAvailablePages", 1);
	/* MMPFNLIST.Total is its first field, pointer wide, in every build
	 * (doc/structures.md §8). */
	var_figure(d, s, "modified_pages", "Modified pages", KDBG_MM_MODIFIED_PAGE_LIST_HEAD,
		   "MmModifiedPageListHead.Total", 1);
	if (walks) {
		free_ptes(d, s, "free_system_ptes", "Free system PTEs", KDBG_MM_SYSTEM_PTES_START,
			  KDBG_MM_SYSTEM_PTES_END, "empty PTEs from MmSystemPtesStart to End");
		free_nonpaged_ptes(d, s);
	} else {
		pending(s, "free_system_ptes", "Free system PTEs", PENDING_SOURCE);
		pending(s, "free_nonpaged_ptes", "Free nonpaged PTEs", PENDING_SOURCE);
	}
	var_figure(d, s, "nonpaged_pool_usage", "NonPagedPool usage",
		   KDBG_MM_ALLOCATED_NON_PAGED_POOL, "MmAllocatedNonPagedPool", 1);
	var_figure(d, s, "nonpaged_pool_max", "NonPagedPool maximum",
		   KDBG_MM_MAXIMUM_NONPAGED_POOL_IN_BYTES, "MmMaximumNonPagedPoolInBytes",
		   KDX_PAGE_SIZE);
	s->figures[s->count - 2].percent_of = (int)s->count - 1;
	paged_pools(d, s, p);
	size_t paged = s->count;
	var_figure(d, s, "paged_pool_max", "PagedPool maximum", KDBG_MM_SIZE_OF_PAGED_POOL_IN_BYTES,
		   "MmSizeOfPagedPoolInBytes", KDX_PAGE_SIZE);
	for (size_t i = 0; i < paged; i++)
		if (strcmp(s->figures[i].name, "paged_pool_usage") == 0)
			s->figures[i].percent_of = (int)paged;
	var_figure(d, s, "committed_pages", "Committed pages", KDBG_MM_TOTAL_COMMITTED_PAGES,
		   "MmTotalCommittedPages", 1);
	var_figure(d, s, "commit_limit", "Commit limit", KDBG_MM_TOTAL_COMMIT_LIMIT,
		   "MmTotalCommitLimit", 1);
	s->figures[s->count - 2].percent_of = (int)s->count - 1;
	s->has_paging_files = kdbg_var(d, KDBG_MM_NUMBER_OF_PAGING_FILES, 4, &s->paging_files);

	excessive(s, "nonpaged_pool_usage", "nonpaged_pool_max", "Excessive NonPaged Pool Usage");
	excessive(s, "paged_pool_usage", "paged_pool_max", "Excessive Paged Pool Usage");
	const struct mem_figure *pte = memsummary_figure(s, "free_system_ptes");
	if (pte && pte->has && pte->pages < LOW_SYSTEM_PTES)
		warn(s, "Running out of system PTEs");
}
