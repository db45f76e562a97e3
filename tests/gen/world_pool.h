/* The pool of a generated world, as built: what `vm`, `poolused`, `pool`,
 * `poolfind` and `tagowner` must report. truth.c writes it as JSON; the
 * unit tests compare against it in process. */
#ifndef KDX_GEN_WORLD_POOL_H
#define KDX_GEN_WORLD_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/gen/world.h"

struct world_tracker_row {
	uint32_t tag;
	uint64_t nonpaged_allocs, nonpaged_frees, nonpaged_bytes;
	uint64_t paged_allocs, paged_frees, paged_bytes;
};

enum world_block_state { WORLD_BLOCK_ALLOCATED, WORLD_BLOCK_FREE, WORLD_BLOCK_UNKNOWN };

struct world_pool_block {
	uint64_t address;             /* of the POOL_HEADER; big pages: the allocation */
	uint64_t size;                /* bytes, header included */
	uint64_t previous_size;       /* bytes */
	uint32_t tag;
	bool paged;
	bool big;                     /* from the big-page table */
	enum world_block_state state;
};

struct world_pool_page {
	uint64_t va;
	size_t first_block, nblocks;  /* into blocks[] */
};

/* A figure of the memory summary; has = false: the build gives no source. */
struct world_vm_figure {
	const char *name;
	bool has;
	uint64_t pages;
};

#define WORLD_MAX_VM_FIGURES 24
#define WORLD_MAX_VM_WARNINGS 4

struct world_pool {
	uint64_t track_table, track_table_entries;
	struct world_tracker_row *rows;
	size_t nrows;
	struct world_pool_block *blocks;   /* small blocks by page, then big pages */
	size_t nblocks, cap;
	struct world_pool_page *pages;
	size_t npages;
	uint64_t big_table, big_table_entries;
	uint32_t leak_tag;
	uint64_t leak_blocks, leak_bytes;
	const char *leak_owner;            /* module name; NULL until images exist */
	/* Every small leak block holds these two pointers first: the data of
	 * another pool block, then a VA inside the kernel image. */
	uint64_t leak_points_at, leak_points_into_kernel_min, leak_points_into_kernel_max;
	struct world_vm_figure vm[WORLD_MAX_VM_FIGURES];
	size_t nvm;
	const char *warnings[WORLD_MAX_VM_WARNINGS];
	size_t nwarnings;
};

/* kdx-gen --leak-pages N: worlds built from now on fill N pages with the
 * leak (0, the default: 16 to 23 pages, chosen by the seed). The same seed
 * with a bigger N is the same machine later, the leak grown. */
void world_pool_set_leak_pages(uint64_t pages);
/* kdx-gen --pool-mib N (benchmarks): worlds built from now on carry N MiB
 * more nonpaged pool pages of ordinary blocks, left out of the truth's page
 * list so it stays small. The world needs the RAM (world_set_extra_ram). */
void world_pool_set_bulk_mib(uint64_t mib);

/* The tag as text: four bytes, little-endian, as WinDbg prints them. */
void world_tag_text(uint32_t tag, char out[5]);

#endif
