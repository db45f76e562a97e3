/* The segment-heap pool of 19H1+ builds (structs §6.4; offsets in
 * data/layouts/segheap.tsv): page segments aligned to their size whose
 * first pages are one range descriptor per page; LFH subsegments (equal
 * blocks, a 2-bit allocation bitmap, BlockOffsets encoded with the LFH key
 * and the subsegment's page number); VS subsegments (chunks behind headers
 * encoded with the heap key and the header's address; a free chunk's tree
 * links overwrite where a POOL_HEADER would be); large ranges for the
 * big-page table's allocations. The keys are per boot: drawn from the seed
 * and written to the truth, never to a place a reader could look them up. */
#include <stdlib.h>

#include "tests/gen/world_build.h"
#include "tests/gen/world_pool_build.h"

/* _HEAP_PAGE_RANGE_DESCRIPTOR.RangeFlags of a range's first page
 * (MemProcFS vmm/vmmwinpool.c): large 3, LFH 11, VS 15; 0 here: free. */
enum { RANGE_FREE = 0, RANGE_LARGE = 3, RANGE_LFH = 11, RANGE_VS = 15 };
#define SEGMENT_HEAP_SIGNATURE 0xddeeddeeu   /* _SEGMENT_HEAP.Signature at +0x10 (§6.4) */
#define LFH_BITMAP_ALLOCATED 1u              /* 2 bits a block; 1 = allocated */
#define VS_MIN_CHUNK_UNITS 3u                /* header, POOL_HEADER, 16 bytes of data */
#define MAX_UNIT_SIZE 255u                   /* UnitSize is a UCHAR */
/* Look-alikes stay clear of the first blocks, where the search plants go. */
#define LOOKALIKE_MIN_SLOT 4u

static const char *pool_region(bool paged)
{
	return paged ? "PagedPool" : "NonPagedPool";
}

static unsigned segment_pages(const struct prof_segheap *S)
{
	return S->seg_bytes / KDX_PAGE_SIZE;
}

void segheap_init(struct pool_build *pb)
{
	struct world *w = pb->w;
	struct world_pool *pl = pb->pool;
	pl->segment_heap = true;
	pl->heap_key = world_rnd_below(w, 1ull << 32) << 32 | world_rnd_below(w, 1ull << 32);
	pl->lfh_key = (uint32_t)world_rnd_below(w, 1ull << 32);
	for (int i = 0; i < 2; i++) {
		pb->segment_heap_va[i] = world_data_alloc(w, 0x40);
		world_kput(w, pb->segment_heap_va[i] + 0x10, SEGMENT_HEAP_SIGNATURE, 4);
	}
}

static void put_descriptor(struct pool_build *pb, uint64_t base, unsigned index, unsigned flags,
			   unsigned unit)
{
	const struct prof_segheap *S = pb->segheap;
	uint64_t d = base + (uint64_t)index * S->desc_size;
	world_kput(pb->w, d + S->desc_range_flags, flags, 1);
	world_kput(pb->w, d + S->desc_unit_size, unit, 1);
}

/* The rest of the segment as free ranges; its pages stay unmapped and no
 * later allocation of the pool lands in them. */
static void segment_close(struct pool_build *pb, bool paged)
{
	struct segheap_segment *s = &pb->seg[paged];
	if (!s->open)
		return;
	unsigned total = segment_pages(pb->segheap), left = total - s->next;
	world_region_reserve(pb->w, pool_region(paged), left);
	while (left) {
		unsigned n = left > MAX_UNIT_SIZE ? MAX_UNIT_SIZE : left;
		put_descriptor(pb, s->base, s->next, RANGE_FREE, n);
		s->next += n;
		left -= n;
	}
	s->open = false;
}

/* A new segment at the pool's next aligned address: ListEntry linking to
 * itself, Signature = segment ^ heap ^ heap key ^ the static key. */
static void segment_open(struct pool_build *pb, bool paged)
{
	struct world *w = pb->w;
	const struct prof_segheap *S = pb->segheap;
	struct segheap_segment *s = &pb->seg[paged];
	uint64_t next = world_region_reserve(w, pool_region(paged), 0);
	uint64_t pad = (S->seg_bytes - next % S->seg_bytes) % S->seg_bytes;
	world_region_reserve(w, pool_region(paged), pad / KDX_PAGE_SIZE);
	s->base = world_region_pages(w, pool_region(paged), S->first_descriptor);
	s->next = S->first_descriptor;
	s->open = true;
	world_kput(w, s->base, s->base, pb->ps);
	world_kput(w, s->base + pb->ps, s->base, pb->ps);
	world_kput(w, s->base + S->seg_signature,
		   s->base ^ pb->segment_heap_va[paged] ^ pb->pool->heap_key ^ S->signature_key, 8);
}

/* A range of pages: its first descriptor has the flags and the size in
 * pages, the others their distance from it (UnitOffset). Not resident,
 * its pages are reserved and left for the caller to map. */
static uint64_t range_at(struct pool_build *pb, bool paged, unsigned pages, unsigned flags,
			 bool resident)
{
	struct segheap_segment *s = &pb->seg[paged];
	if (!s->open || s->next + pages > segment_pages(pb->segheap)) {
		segment_close(pb, paged);
		segment_open(pb, paged);
	}
	uint64_t va = resident ? world_region_pages(pb->w, pool_region(paged), pages) :
		      world_region_reserve(pb->w, pool_region(paged), pages);
	if (va != s->base + (uint64_t)s->next * KDX_PAGE_SIZE)
		abort();   /* something else allocated inside the open segment */
	put_descriptor(pb, s->base, s->next, flags, pages);
	for (unsigned i = 1; i < pages; i++)
		put_descriptor(pb, s->base, s->next + i, 0, i);
	s->next += pages;
	return va;
}

static uint64_t range_new(struct pool_build *pb, bool paged, unsigned pages, unsigned flags)
{
	return range_at(pb, paged, pages, flags, true);
}

unsigned segheap_room(const struct pool_build *pb, bool paged)
{
	const struct segheap_segment *s = &pb->seg[paged];
	return s->open ? segment_pages(pb->segheap) - s->next : 0;
}

uint64_t segheap_paged_out_page(struct pool_build *pb, bool paged)
{
	return range_at(pb, paged, 1, RANGE_LFH, false);
}

void segheap_close(struct pool_build *pb)
{
	segment_close(pb, false);
	segment_close(pb, true);
}

uint64_t segheap_large(struct pool_build *pb, bool paged, uint64_t pages)
{
	return range_new(pb, paged, (unsigned)pages, RANGE_LARGE);
}

static void plant_lookalike(struct pool_build *pb, uint64_t at, enum world_page_kind kind)
{
	struct world_pool *pl = pb->pool;
	for (size_t i = 0; i < pl->nlookalikes; i++)
		if (pl->lookalikes[i].kind == kind)
			return;
	/* BlockSize 2: no LFH bucket here has 0x20-byte blocks. */
	pool_put_header(pb, at, 0, 0, 2, pb->hdr->nonpaged_allocated, pl->leak_tag);
	pl->lookalikes[pl->nlookalikes++] = (struct world_lookalike){ at, pl->leak_tag, kind };
}

/* One page of equal blocks after the subsegment header and its bitmap.
 * Ordinary pages leave a few slots never used (zero) and free some blocks,
 * which keep their old POOL_HEADER; pages of one tag (fill_tag: the leak's
 * or the whole machine's MmSt) are full, the leak's blocks holding its
 * pointers. */
void segheap_lfh_page(struct pool_build *pb, bool paged, uint32_t fill_tag)
{
	struct world *w = pb->w;
	const struct prof_segheap *S = pb->segheap;
	const struct prof_pool *h = pb->hdr;
	uint64_t va = range_new(pb, paged, 1, RANGE_LFH);
	pool_record_page(pb, va, WORLD_PAGE_LFH);
	unsigned bs = fill_tag ? 0x100 : 0x30 + 0x10 * (unsigned)world_rnd_below(w, 20);
	unsigned n = (KDX_PAGE_SIZE - S->lfh_block_bitmap) / bs, first;
	for (;;) {   /* the bitmap takes 2 bits a block, in 64-bit words */
		unsigned bitmap = (2 * n + 63) / 64 * 8;
		first = (S->lfh_block_bitmap + bitmap + 15) & ~15u;
		if (first + n * bs <= KDX_PAGE_SIZE)
			break;
		n--;
	}
	pb->pool->pages[pb->pool->npages - 1].lfh_block_size = bs;
	uint32_t offsets = (bs | (uint32_t)first << 16) ^ pb->pool->lfh_key ^ (uint32_t)(va >> 12);
	world_kput(w, va + S->lfh_block_offsets, offsets, 4);
	unsigned used = fill_tag ? n : n - (unsigned)world_rnd_below(w, n / 4 + 1);
	for (unsigned i = 0; i < used; i++) {
		uint64_t at = va + first + (uint64_t)i * bs;
		bool free_block = !fill_tag && i > 0 && world_rnd_below(w, 5) == 0;
		uint32_t tag = fill_tag ? fill_tag : pool_pick_tag(pb, paged);
		pool_put_header(pb, at, 0, 0, bs / h->block_unit,
				paged ? h->paged_allocated : h->nonpaged_allocated, tag);
		if (fill_tag == pb->pool->leak_tag)
			pool_fill_leak_block(pb, at + h->header_size);
		else if (!fill_tag && !free_block && bs >= 0x60 && i >= LOOKALIKE_MIN_SLOT)
			plant_lookalike(pb, at + 0x20, WORLD_PAGE_LFH);
		if (!free_block) {
			uint64_t word = va + S->lfh_block_bitmap + (uint64_t)i / 32 * 8;
			uint64_t bits = world_kget(w, word, 8) |
					(uint64_t)LFH_BITMAP_ALLOCATED << (2 * (i % 32));
			world_kput(w, word, bits, 8);
		}
		pool_add_block(pb, (struct world_pool_block){
			.address = at, .size = bs, .tag = tag, .paged = paged,
			.state = free_block ? WORLD_BLOCK_FREE : WORLD_BLOCK_ALLOCATED });
	}
	pool_end_page(pb);
}

/* _HEAP_VS_CHUNK_HEADER.Sizes (MemProcFS's x64 layout): MemoryCost b0-15,
 * UnsafeSize b16-31 and UnsafePrevSize b32-47 in 16-byte units,
 * Allocated b48-55; stored XORed with the header's address and the key. */
static void put_chunk_header(struct pool_build *pb, uint64_t at, unsigned units, unsigned prev,
			     bool allocated, unsigned cost)
{
	uint64_t plain = cost | (uint64_t)units << 16 | (uint64_t)prev << 32 |
			 (uint64_t)allocated << 48;
	world_kput(pb->w, at, plain ^ at ^ pb->pool->heap_key, 8);
}

/* A VS subsegment of some pages: chunks from vs_first_chunk on the first
 * page and from offset 0 on the others, none crossing a page, each
 * allocated one a chunk header, a POOL_HEADER and data. */
void segheap_vs_pages(struct pool_build *pb, bool paged, unsigned pages)
{
	struct world *w = pb->w;
	struct world_pool *pl = pb->pool;
	const struct prof_segheap *S = pb->segheap;
	const struct prof_pool *h = pb->hdr;
	uint64_t va = range_new(pb, paged, pages, RANGE_VS);
	unsigned size = pages * KDX_PAGE_SIZE / 16;
	world_kput(w, va, va, pb->ps);
	world_kput(w, va + pb->ps, va, pb->ps);
	world_kput(w, va + S->vs_subsegment_size, size, 2);
	world_kput(w, va + S->vs_signature, size ^ S->vs_signature_xor, 2);
	unsigned prev = 0;
	for (unsigned p = 0; p < pages; p++) {
		uint64_t page = va + (uint64_t)p * KDX_PAGE_SIZE;
		pool_record_page(pb, page, WORLD_PAGE_VS);
		for (unsigned off = p ? 0 : S->vs_first_chunk; off < KDX_PAGE_SIZE;) {
			unsigned left = (KDX_PAGE_SIZE - off) / 16;
			unsigned units = VS_MIN_CHUNK_UNITS + (unsigned)world_rnd_below(w, 24);
			if (units > left || left - units < VS_MIN_CHUNK_UNITS)
				units = left;
			uint64_t chunk = page + off;
			bool free_chunk = world_rnd_below(w, 5) == 0;
			put_chunk_header(pb, chunk, units, prev, !free_chunk,
					 free_chunk ? 1 + (unsigned)world_rnd_below(w, 3) : 0);
			if (free_chunk) {
				/* the free-tree node: links to other chunks */
				world_kput(w, chunk + 8, va + S->vs_first_chunk, pb->ps);
				world_kput(w, chunk + 16, chunk, pb->ps);
				pl->free_chunks = realloc(pl->free_chunks,
							  (pl->nfree_chunks + 1) * sizeof *pl->free_chunks);
				if (!pl->free_chunks)
					abort();
				pl->free_chunks[pl->nfree_chunks++] =
					(struct world_chunk){ chunk, (uint64_t)units * 16 };
			} else {
				uint64_t at = chunk + S->vs_chunk_header;
				uint32_t tag = pool_pick_tag(pb, paged);
				pool_put_header(pb, at, 0, 0, units - 1,
						paged ? h->paged_allocated : h->nonpaged_allocated, tag);
				if (units >= 6)
					plant_lookalike(pb, at + 0x30, WORLD_PAGE_VS);
				pool_add_block(pb, (struct world_pool_block){
					.address = at, .size = (uint64_t)(units - 1) * 16, .tag = tag,
					.paged = paged, .state = WORLD_BLOCK_ALLOCATED });
			}
			prev = units;
			off += units * 16;
		}
		pool_end_page(pb);
	}
}
