/* Shared by the pool builders (world_pool.c, world_segheap.c): the state of
 * one pool being built and the pieces every page kind writes. */
#ifndef KDX_GEN_WORLD_POOL_BUILD_H
#define KDX_GEN_WORLD_POOL_BUILD_H

#include "tests/gen/world_pool.h"

/* An open page segment of one pool (segment heap only). */
struct segheap_segment {
	uint64_t base;
	unsigned next;               /* the next free descriptor */
	bool open;
};

struct pool_build {
	struct world *w;
	struct world_pool *pool;
	const struct prof_pool *hdr;
	const struct prof_segheap *segheap;   /* the build's segment-heap layout, or NULL */
	unsigned ps;
	uint64_t leak_target;         /* a pointer the leak's blocks hold */
	struct segheap_segment seg[2];   /* nonpaged, paged */
	uint64_t segment_heap_va[2];     /* the _SEGMENT_HEAP each segment names */
	uint64_t calls;                  /* pool_page calls, bulk ones included */
};

void pool_add_block(struct pool_build *pb, struct world_pool_block blk);
/* A page recorded in the truth; its blocks follow in blocks[]. */
void pool_record_page(struct pool_build *pb, uint64_t va, enum world_page_kind kind);
/* Closes the page just recorded: its blocks are those added since. */
void pool_end_page(struct pool_build *pb);
void pool_put_header(struct pool_build *pb, uint64_t va, unsigned prev_units, unsigned index,
		     unsigned units, unsigned type, uint32_t tag);
uint32_t pool_pick_tag(struct pool_build *pb, bool paged);
/* The two pointers every leak block holds first. */
void pool_fill_leak_block(struct pool_build *pb, uint64_t data);

/* Segment heap (world_segheap.c): builds whose heap metadata has a layout. */
void segheap_init(struct pool_build *pb);
void segheap_lfh_page(struct pool_build *pb, bool paged, uint32_t fill_tag);
void segheap_vs_pages(struct pool_build *pb, bool paged, unsigned pages);
uint64_t segheap_large(struct pool_build *pb, bool paged, uint64_t pages);
/* The pages left in the pool's open segment (0: none open). */
unsigned segheap_room(const struct pool_build *pb, bool paged);
/* A one-page LFH range whose page is not mapped: the caller writes its PTE. */
uint64_t segheap_paged_out_page(struct pool_build *pb, bool paged);
/* Ends the open segments, so later allocations in the pools fall outside. */
void segheap_close(struct pool_build *pb);

#endif
