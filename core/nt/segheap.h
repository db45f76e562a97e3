/* The segment-heap pool of 19H1+ builds without symbols (structs §6.4):
 * page segments and their range descriptors, LFH and VS subsegments, and
 * the per-boot keys their metadata is encoded with, solved from the dump
 * itself where POOL_HEADERs give the plaintext. */
#ifndef KDX_SEGHEAP_H
#define KDX_SEGHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/nt/profile.h"

/* _HEAP_PAGE_RANGE_DESCRIPTOR.RangeFlags of a range's first page
 * (MemProcFS vmm/vmmwinpool.c). */
enum { SEGHEAP_RANGE_LARGE = 3, SEGHEAP_RANGE_LFH = 11, SEGHEAP_RANGE_VS = 15 };

/* One chunk of a VS walk or slot of an LFH walk. */
struct segheap_item {
	uint64_t header;             /* the POOL_HEADER's address (free VS chunk: the chunk's) */
	uint64_t size;               /* POOL_HEADER block; free VS chunk: the whole chunk */
	int state;                   /* 1 allocated, 0 free, -1 unknown */
	bool pool_header;            /* a POOL_HEADER of the expected size is there */
};

/* The range holding an address, and its bytes (read once, reused while
 * the next address falls in the same range). */
struct segheap_range {
	uint64_t segment, start, bytes;
	unsigned flags;
	bool found;
	char why[96];                /* not found: why */
	/* cache */
	uint64_t cached_segment;
	bool segment_ok;
	uint8_t descriptors[256];    /* UnitSize per descriptor */
	uint8_t flags_at[256];
	uint8_t *data;               /* the range's bytes, unread pages zero */
	uint64_t data_start, data_bytes, data_cap;
	bool *page_read;             /* per page of data: in the dump */
	struct segheap_item *items;  /* the walk of the range in data, once made */
	int nitems;                  /* -1: the walk failed, why in walk_why */
	bool walked;
	char walk_why[120];
};
void segheap_range_free(struct segheap_range *r);
/* Finds the range holding va; false when va's segment base holds no
 * descriptors that tile the segment. Fills r->data with the range. */
bool segheap_find_range(struct dump *d, const struct prof_segheap *S, uint64_t va,
			struct segheap_range *r);

/* The bytes of one page of the found range, or NULL when they were not
 * read (a large or unknown range, or a page not in the dump). */
const uint8_t *segheap_page_bytes(const struct segheap_range *r, uint64_t page_va);

/* The keys, solved from the dump or not. */
struct segheap_keys {
	bool heap_known, lfh_known;
	uint64_t heap_key;
	uint32_t lfh_key;
	unsigned heap_chunks, heap_subsegments;   /* chunks and subsegments that confirm it */
	unsigned lfh_subsegments;
	char heap_how[200], lfh_how[200];
};
/* Solves the keys from the subsegments of the page segments at bases[]. */
void segheap_solve_keys(struct dump *d, const struct profile *P, const uint64_t *bases,
			size_t n, struct segheap_keys *k);

/* The walk of r's range, made once and kept in r (items, nitems, walk_why). */
void segheap_walk_cached(const struct profile *P, const struct segheap_keys *k,
			 struct segheap_range *r);
/* LFH: the block size and first block offset, decoded. */
bool segheap_lfh_geometry(const struct profile *P, const struct segheap_keys *k,
			  const struct segheap_range *r, unsigned *block_size, unsigned *first);

#endif
