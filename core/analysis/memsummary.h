/* The memory summary (WinDbg !vm): figures in pages from the KDBG's
 * memory variables (doc/dump-format.md 8.3), the paged pool
 * descriptors, and free-PTE counts from the page tables; with the
 * warnings the figures call for. */
#ifndef KDX_MEMSUMMARY_H
#define KDX_MEMSUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"

#define MEM_MAX_FIGURES 32
#define MEM_MAX_PAGED_POOLS 16      /* ReactOS caps the paged pools at 16 (+ pool 0) */
#define MEM_MAX_WARNINGS 4

struct mem_figure {
	const char *name;           /* JSON id: "nonpaged_pool_usage" */
	char label[40];             /* "NonPagedPool usage" */
	bool has;
	uint64_t pages;
	const char *source;         /* what it came from, or why it is unavailable */
	bool pending;               /* needs a page-table walk that was not asked for */
	int percent_of;             /* index of the figure it is a share of, or -1 */
};

struct mem_summary {
	struct mem_figure figures[MEM_MAX_FIGURES];
	size_t count;
	uint64_t paging_files;
	bool has_paging_files;
	char warnings[MEM_MAX_WARNINGS][64];
	size_t nwarnings;
};

/* Never fails: a figure the dump cannot give is marked unavailable. With
 * walks false it reads O(1) pages: the figures that walk page tables (the
 * free PTEs and the warning they raise) are left pending; with walks true
 * they are counted, reporting to d->progress. */
void memsummary_build(struct dump *d, bool walks, struct mem_summary *out);
const struct mem_figure *memsummary_figure(const struct mem_summary *s, const char *name);

#endif
