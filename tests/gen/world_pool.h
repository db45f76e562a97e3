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

/* What the heap's metadata makes of a page (structs §6.4): classic pages
 * tile from offset 0; segment-heap pages are LFH or VS subsegment pages;
 * "unknown" pages hold blocks outside any page segment. */
enum world_page_kind { WORLD_PAGE_CLASSIC, WORLD_PAGE_LFH, WORLD_PAGE_VS, WORLD_PAGE_UNKNOWN };

struct world_pool_page {
	uint64_t va;
	size_t first_block, nblocks;  /* into blocks[] */
	enum world_page_kind kind;
	uint64_t lfh_block_size;      /* LFH pages */
	size_t first_free, nfree;     /* VS pages: into free_chunks[] */
};

/* A free VS chunk: its header's address and size, header included. */
struct world_chunk {
	uint64_t address, size;
};

/* A POOL_HEADER planted where the heap's metadata says no block starts:
 * inside an LFH block's data or a VS chunk's data. */
struct world_lookalike {
	uint64_t address;
	uint32_t tag;
	enum world_page_kind kind;
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
	/* Segment heap (19H1+): the per-boot keys the metadata is encoded with,
	 * the free VS chunks and the planted look-alikes. */
	bool segment_heap;
	uint64_t heap_key;
	uint32_t lfh_key;
	struct world_chunk *free_chunks;
	size_t nfree_chunks;
	struct world_lookalike lookalikes[4];
	size_t nlookalikes;
	uint64_t big_table, big_table_entries;
	uint32_t leak_tag;
	uint64_t leak_blocks, leak_bytes;
	const char *leak_owner;            /* module name; NULL until images exist */
	/* Every small leak block holds these two pointers first: the data of
	 * another pool block, then a VA inside the kernel image. */
	uint64_t leak_points_at, leak_points_into_kernel_min, leak_points_into_kernel_max;
	/* The whole machine's paged pool (0 elsewhere): its pages whose PTEs
	 * map one (valid, transition, page file), those in the page file, and
	 * the fill's resident and paged-out pages, its MmSt blocks. */
	uint64_t paged_mapped, paged_out;
	uint64_t paged_resident_fill, paged_out_fill, paged_fill_blocks;
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

/* Sets a memory-summary figure built later than the pool (Modified pages,
 * with the PFN database). */
void world_pool_set_figure(struct world *w, const char *name, uint64_t pages);

#endif
