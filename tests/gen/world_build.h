/* The world builder's helpers for the parts of a world built in their own
 * files (world_pool.c). Valid only while world_build() runs. */
#ifndef KDX_GEN_WORLD_BUILD_H
#define KDX_GEN_WORLD_BUILD_H

#include "world.h"

uint64_t world_rnd_below(struct world *w, uint64_t n);
/* npages fresh kernel data pages at the next free VA of the named region
 * ("NonPagedPool", "PagedPool"); returns the first VA. */
uint64_t world_region_pages(struct world *w, const char *region, uint64_t npages);
void world_kput(struct world *w, uint64_t va, uint64_t v, unsigned size);
void world_kput_bytes(struct world *w, uint64_t va, const void *p, size_t n);
/* Pointer-aligned space in the kernel image's .data. */
uint64_t world_data_alloc(struct world *w, uint64_t size);
/* Physical address of the page table holding va's PTE, created if absent. */
uint64_t world_leaf_table(struct world *w, uint64_t va);
/* The same without creating it: false when an upper entry is absent. */
bool world_leaf_table_present(struct world *w, uint64_t va, uint64_t *table_pa);
void world_map_data_page(struct world *w, uint64_t va, uint64_t pfn);
uint64_t world_alloc_pages(struct world *w, uint64_t n);

/* world_pool.c: the pool and the memory-summary variables; called last. */
int world_build_pool(struct world *w, struct kdx_error *err);
void world_pool_free(struct world *w);

#endif
