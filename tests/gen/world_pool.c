/* The pool of a generated world: the tag tracker table (doc/structures.md §6.5),
 * pool pages of POOL_HEADER blocks (§6.1-6.4), the big-page table (§6.7),
 * the paged pool descriptors and the KDBG memory variables !vm reads
 * (doc/dump-format.md §8.3). The memory-summary figures are counters in kernel
 * variables: on win10-x64 they are those of doc/scenarios.md §1, elsewhere
 * they move with the seed. */
#include "tests/gen/world_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nt/kdbg.h"
#include "tests/gen/world_build.h"
#include "tests/gen/world_files.h"
#include "tests/gen/world_pool_build.h"

#define TAG(s) ((uint32_t)(s)[0] | (uint32_t)(s)[1] << 8 | (uint32_t)(s)[2] << 16 | \
		(uint32_t)(s)[3] << 24)

/* Tags of the generated kernel's own allocations; all are in data/pooltag.txt. */
static const char *const nonpaged_tags[] = { "File", "Irp ", "Thre", "Proc", "Even", "Mdl ",
					     "Ntfr", "Vad " };
static const char *const paged_tags[] = { "MmSt", "CM31", "NtFs", "Toke", "ObNm", "Key " };
/* Tags of the mapped files' blocks that the lists above lack. */
static const char *const file_tags[] = { "MmCa", "IoNm" };
#define NTAGS(a) (sizeof a / sizeof a[0])

/* 2^9 + 1 entries: a power of two plus the entry ReactOS keeps apart (§6.5). */
#define TRACK_TABLE_ENTRIES 513u
/* A multiple of 0x1000 entries, as MemProcFS expects (§6.7). */
#define BIG_TABLE_ENTRIES 0x1000u

#define LEAK_BLOCK_BYTES_X64 0x100u
#define LEAK_BLOCK_BYTES_X86 0x80u
/* The second word of a leak block: one of 64 places in the kernel image. */
#define LEAK_KERNEL_POINTER_OFFSET 0x1000u
#define LEAK_KERNEL_POINTER_STEP 16u
#define LEAK_KERNEL_POINTERS 64u

/* doc/scenarios.md §1: the !vm figures of the demo dump (win10-x64). */
static const uint64_t case1_paged_pools[] = { 19071, 735, 747, 720, 746 };
#define CASE1_NONPAGED_USAGE 31369u
#define CASE1_NONPAGED_MAX 31986u
#define CASE1_PAGED_MAX 38912u
#define CASE1_FREE_SYSTEM_PTES 25102u
#define CASE1_FREE_NONPAGED_PTES 335u
#define CASE1_AVAILABLE 573277u

static uint64_t leak_pages_wanted, bulk_mib;

void world_pool_set_leak_pages(uint64_t pages)
{
	leak_pages_wanted = pages;
}

void world_pool_set_bulk_mib(uint64_t mib)
{
	bulk_mib = mib;
}


void world_tag_text(uint32_t tag, char out[5])
{
	for (int i = 0; i < 4; i++)
		out[i] = (char)(tag >> (8 * i));
	out[4] = 0;
}

static bool is_case1(const struct world *w)
{
	return strcmp(w->profile->name, "win10-x64") == 0;
}

/* The whole machine's tracker: what it counts of the pool usage the memory
 * summary reports (pool headers and the unused tails of pages are in the
 * usage, not in the tracker's bytes). */
#define WHOLE_TRACKED_PERMILLE 985u
/* Less of the paged pool's: its page segments' descriptor pages and the
 * tails of its LFH pages hold no blocks, and what the resident pages do
 * not hold must fit the paged-out ones. */
#define WHOLE_PAGED_TRACKED_PERMILLE 975u
/* The whole machine's leak beyond its small blocks: big-page allocations
 * of this size, enough for the tracker's nonpaged bytes to reach the usage. */
#define WHOLE_LEAK_ALLOC_BYTES 0x10000u

static uint64_t tracked_bytes(uint64_t usage_pages, unsigned permille)
{
	return usage_pages * KDX_PAGE_SIZE / 1000 * permille;
}

static uint64_t whole_leak_fill_bytes(const struct world *w, uint64_t leak_bytes)
{
	uint64_t target = tracked_bytes(CASE1_NONPAGED_USAGE, WHOLE_TRACKED_PERMILLE);
	if (!w->whole || !is_case1(w) || target < leak_bytes)
		return 0;
	return target - leak_bytes;
}

/* The next fill allocation: WHOLE_LEAK_ALLOC_BYTES, or the rest of the
 * open page segment when that is less, so that no segment keeps a free
 * tail of unmapped pages (they would count as free nonpaged PTEs). */
static uint64_t whole_leak_alloc_bytes(const struct pool_build *pb)
{
	uint64_t room = pb->segheap ? segheap_room(pb, false) * (uint64_t)KDX_PAGE_SIZE : 0;
	return room && room < WHOLE_LEAK_ALLOC_BYTES ? room : WHOLE_LEAK_ALLOC_BYTES;
}

static uint64_t leak_kernel_pointer(struct world *w)
{
	return w->kernel_base + LEAK_KERNEL_POINTER_OFFSET +
	       LEAK_KERNEL_POINTER_STEP * world_rnd_below(w, LEAK_KERNEL_POINTERS);
}

void pool_add_block(struct pool_build *pb, struct world_pool_block blk)
{
	struct world_pool *pl = pb->pool;
	if (pl->nblocks == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 256;
		pl->blocks = realloc(pl->blocks, pl->cap * sizeof *pl->blocks);
		if (!pl->blocks)
			abort();
	}
	pl->blocks[pl->nblocks++] = blk;
}

/* POOL_HEADER (§6.1): x86 packs 9-bit sizes and a 7-bit type into one
 * 32-bit word; x64 uses one byte per field. */
void pool_put_header(struct pool_build *pb, uint64_t va, unsigned prev_units, unsigned index,
		     unsigned units, unsigned type, uint32_t tag)
{
	if (pb->hdr->header_size == 8) {
		uint32_t word = prev_units | index << 9 | units << 16 | type << 25;
		world_kput(pb->w, va, word, 4);
	} else {
		uint8_t b[4] = { (uint8_t)prev_units, (uint8_t)index, (uint8_t)units, (uint8_t)type };
		world_kput_bytes(pb->w, va, b, 4);
	}
	world_kput(pb->w, va + 4, tag, 4);
}

static uint32_t pick(struct world *w, const char *const *tags, size_t n)
{
	const char *t = tags[world_rnd_below(w, n)];   /* TAG() reads its argument 4 times */
	return TAG(t);
}

uint32_t pool_pick_tag(struct pool_build *pb, bool paged)
{
	return paged ? pick(pb->w, paged_tags, NTAGS(paged_tags)) :
		       pick(pb->w, nonpaged_tags, NTAGS(nonpaged_tags));
}

void pool_fill_leak_block(struct pool_build *pb, uint64_t data)
{
	world_kput(pb->w, data, pb->leak_target, pb->ps);
	world_kput(pb->w, data + pb->ps, leak_kernel_pointer(pb->w), pb->ps);
}

static const struct world_region *region_of(const struct world *w, const char *name)
{
	for (size_t i = 0; i < w->nregion; i++)
		if (strcmp(w->region[i].name, name) == 0)
			return &w->region[i];
	return NULL;
}

/* Where the free nonpaged PTEs are: XP/2003's expansion (doc/address-space.md §4.1;
 * its initial part is mapped whole), else the one nonpaged pool. */
static const char *nonpaged_spare(const struct world *w)
{
	return region_of(w, "NonPagedPoolExpansion") ? "NonPagedPoolExpansion" : "NonPagedPool";
}

void pool_record_page(struct pool_build *pb, uint64_t va, enum world_page_kind kind)
{
	struct world_pool *pl = pb->pool;
	pl->pages = realloc(pl->pages, (pl->npages + 1) * sizeof *pl->pages);
	if (!pl->pages)
		abort();
	pl->pages[pl->npages++] = (struct world_pool_page){
		.va = va, .first_block = pl->nblocks, .kind = kind, .first_free = pl->nfree_chunks };
}

void pool_end_page(struct pool_build *pb)
{
	struct world_pool *pl = pb->pool;
	struct world_pool_page *pg = &pl->pages[pl->npages - 1];
	pg->nblocks = pl->nblocks - pg->first_block;
	pg->nfree = pl->nfree_chunks - pg->first_free;
}

/* A fresh page of the pool, recorded; its blocks follow in blocks[]. Where
 * the nonpaged pool has two parts, every other page is in the expansion. */
static uint64_t new_page(struct pool_build *pb, bool paged, enum world_page_kind kind)
{
	const char *np = pb->pool->npages % 2 ? nonpaged_spare(pb->w) : "NonPagedPool";
	uint64_t va = world_region_pages(pb->w, paged ? "PagedPool" : np, 1);
	pool_record_page(pb, va, kind);
	return va;
}

/* A classic page (§6.2): blocks tile it from offset 0, each PreviousSize
 * the BlockSize before it; free blocks have PoolType 0, keep their old tag
 * and hold a LIST_ENTRY. leak_tag != 0 fills the page with leak blocks.
 * A segment-heap build whose heap metadata has no layout (segheap.tsv
 * empty) gets the same blocks without PreviousSize and free blocks: what
 * a reader sees is headers in front of data (§6.4), no state it could
 * know, so the truth states none either. */
static void classic_page(struct pool_build *pb, bool paged, uint32_t leak_tag)
{
	struct world *w = pb->w;
	const struct prof_pool *h = pb->hdr;
	bool heap = h->segment_heap;
	uint64_t va = new_page(pb, paged, heap ? WORLD_PAGE_UNKNOWN : WORLD_PAGE_CLASSIC);
	unsigned page_units = KDX_PAGE_SIZE / h->block_unit, off = 0, prev = 0;
	unsigned leak_units = (h->block_unit == 16 ? LEAK_BLOCK_BYTES_X64 : LEAK_BLOCK_BYTES_X86) /
			      h->block_unit;
	while (off < page_units) {
		unsigned left = page_units - off;
		unsigned units = leak_tag ? leak_units : 2 + (unsigned)world_rnd_below(w, 30);
		if (units > left || left - units < 2)
			units = left;
		bool free_block = !leak_tag && !heap && world_rnd_below(w, 6) == 0;
		uint32_t tag = leak_tag ? leak_tag : pool_pick_tag(pb, paged);
		unsigned type = free_block ? 0 : paged ? h->paged_allocated : h->nonpaged_allocated;
		unsigned index = paged ? 1 + (unsigned)world_rnd_below(w, 4) : 0;
		uint64_t at = va + (uint64_t)off * h->block_unit;
		pool_put_header(pb, at, heap ? 0 : prev, index, units, type, tag);
		uint64_t data = at + h->header_size;
		if (free_block && units >= 2) {
			world_kput(w, data, data, pb->ps);
			world_kput(w, data + pb->ps, data, pb->ps);
		} else if (leak_tag) {
			pool_fill_leak_block(pb, data);
		}
		pool_add_block(pb, (struct world_pool_block){
			.address = at, .size = (uint64_t)units * h->block_unit,
			.previous_size = heap ? 0 : (uint64_t)prev * h->block_unit, .tag = tag,
			.paged = paged, .state = heap ? WORLD_BLOCK_UNKNOWN : free_block ?
			WORLD_BLOCK_FREE : WORLD_BLOCK_ALLOCATED });
		prev = units;
		off += units;
	}
	pool_end_page(pb);
}

/* One block of a page laid around structures another builder placed. */
struct placed_block {
	uint64_t data, end;          /* the structure's VA; where the block ends */
	uint32_t tag;
};

/* Headers in front of structures already in a page (the mapped files'):
 * each block runs from its header to the next one; on classic pages a pad
 * block opens the page when the first header does not start it, and a free
 * block closes it. Segment-heap pages need neither. */
static void headers_around(struct pool_build *pb, bool paged, const struct placed_block *pl_blocks,
			   size_t n)
{
	const struct prof_pool *h = pb->hdr;
	uint64_t page = pl_blocks[0].data & ~(uint64_t)(KDX_PAGE_SIZE - 1);
	/* Outside any page segment: no metadata says what is free. */
	pool_record_page(pb, page, h->segment_heap ? WORLD_PAGE_UNKNOWN : WORLD_PAGE_CLASSIC);
	unsigned type = paged ? h->paged_allocated : h->nonpaged_allocated;
	uint64_t at = page, prev = 0;
	for (size_t i = 0; i <= n; i++) {
		bool last = i == n;
		if (last && h->segment_heap)
			break;
		uint64_t next = last ? page + KDX_PAGE_SIZE : pl_blocks[i].data - h->header_size;
		if (h->segment_heap)
			at = next;
		if (next > at) {   /* the gap before this header: a pad, or the free tail */
			unsigned units = (unsigned)((next - at) / h->block_unit);
			uint32_t tag = pl_blocks[last ? n - 1 : i].tag;
			pool_put_header(pb, at, (unsigned)prev, 0, units, 0, tag);
			pool_add_block(pb, (struct world_pool_block){
				.address = at, .size = next - at, .previous_size = prev * h->block_unit,
				.tag = tag, .paged = paged, .state = WORLD_BLOCK_FREE });
			prev = units;
			at = next;
		}
		if (last)
			break;
		uint64_t end = i + 1 < n ? pl_blocks[i + 1].data - h->header_size :
			       (pl_blocks[i].end + h->block_unit - 1) & ~(uint64_t)(h->block_unit - 1);
		unsigned units = (unsigned)((end - at) / h->block_unit);
		pool_put_header(pb, at, h->segment_heap ? 0 : (unsigned)prev, paged ? 1 : 0, units, type,
			   pl_blocks[i].tag);
		pool_add_block(pb, (struct world_pool_block){
			.address = at, .size = end - at,
			.previous_size = h->segment_heap ? 0 : prev * h->block_unit,
			.tag = pl_blocks[i].tag, .paged = paged,
			.state = h->segment_heap ? WORLD_BLOCK_UNKNOWN : WORLD_BLOCK_ALLOCATED });
		prev = units;
		at = end;
	}
	pool_end_page(pb);
}

/* The mapped files' structures as pool blocks (doc/structures.md §6.6, §9): the
 * CONTROL_AREA (with its first SUBSECTION) an MmCa block, the FILE_OBJECT
 * a File block, its SECTION_OBJECT_POINTERS and name buffer blocks of the
 * file system; the SEGMENT (with inline prototype PTEs on XP..7) an MmSt
 * block, and on 10 the separate prototype-PTE array another MmSt block. */
static void file_blocks(struct pool_build *pb)
{
	struct world *w = pb->w;
	const struct prof_section *S = w->profile->section;
	unsigned es = (unsigned)paging_desc(w->profile->paging)->entry_size;
	for (size_t i = 0; w->files && i < w->files->nfiles; i++) {
		const struct world_file *f = &w->files->files[i];
		uint64_t sop = world_kget(w, f->file_object + S->fo_section_object_pointer, pb->ps);
		uint64_t name_len = world_kget(w, f->file_object + S->fo_file_name + 2, 2);
		uint64_t name = world_kget(w, f->file_object + S->fo_file_name + pb->ps, pb->ps);
		const struct placed_block nonpaged[] = {
			{ f->control_area, f->subsection + S->sub_size, TAG("MmCa") },
			{ f->file_object, f->file_object + S->fo_size, TAG("File") },
			{ sop, sop + 3ull * pb->ps, TAG("NtFs") },
			{ name, name + name_len, TAG("IoNm") },
		};
		headers_around(pb, false, nonpaged, NTAGS(nonpaged));
		uint64_t ptes_end = f->prototype_ptes + (uint64_t)f->total_ptes * es;
		bool inline_ptes = S->seg_the_ptes != PROF_ABSENT;
		const struct placed_block segment[] = {
			{ f->segment, inline_ptes ? ptes_end : f->segment + S->seg_size, TAG("MmSt") },
		};
		headers_around(pb, true, segment, 1);
		const struct placed_block ptes[] = { { f->prototype_ptes, ptes_end, TAG("MmSt") } };
		if (!inline_ptes)
			headers_around(pb, true, ptes, 1);
	}
}

/* Segment heap: every third ordinary page starts a two-page VS
 * subsegment; the others and the leak's are LFH subsegments. */
static void pool_page(struct pool_build *pb, bool paged, uint32_t leak_tag)
{
	if (!pb->segheap)
		classic_page(pb, paged, leak_tag);
	else if (!leak_tag && pb->calls++ % 3 == 2)
		segheap_vs_pages(pb, paged, 2);
	else
		segheap_lfh_page(pb, paged, leak_tag);
}

/* An unusual tag no pooltag.txt names: an upper-case letter and three
 * lower-case ones that spell nothing known. */
static uint32_t leak_tag_for(struct world *w)
{
	char t[4] = { (char)('Q' + world_rnd_below(w, 8)), (char)('q' + world_rnd_below(w, 8)),
		      (char)('j' + world_rnd_below(w, 8)), (char)('v' + world_rnd_below(w, 4)) };
	return TAG(t);
}

/* §6.5 hash: h = Tag * 40543, index = (low32(h) ^ (h >> 32)) & Mask with
 * Mask = Size - 2, then linear probing. */
static size_t track_slot(const struct world_tracker_row *placed, size_t entries, uint32_t tag)
{
	uint64_t h = (uint64_t)tag * 40543u;
	size_t mask = entries - 2;
	size_t i = ((uint32_t)h ^ (uint32_t)(h >> 32)) & mask;
	while (placed[i].tag)
		i = (i + 1) & mask;
	return i;
}

static uint64_t kvar_new(struct world *w, const char *name, unsigned kdbg_offset, uint64_t value,
			 unsigned size)
{
	if (w->nkvar == WORLD_MAX_KVARS) {
		fprintf(stderr, "kdx-gen: more than %d kernel variables\n", WORLD_MAX_KVARS);
		abort();
	}
	uint64_t va = world_data_alloc(w, size);
	world_kput(w, va, value, size);
	w->kvar[w->nkvar++] = (struct world_kvar){ name, kdbg_offset, va, value };
	if (kdbg_offset && kdbg_offset + 8 <= w->profile->kdbg_size)
		world_kput(w, w->kdbg_va + kdbg_offset, va, 8);
	return va;
}

/* Two pointer-sized variables in adjacent words (the layout the reader
 * relies on for the tracker's size and finds the big-page table by). */
static void kvar_pair(struct world *w, const char *first, unsigned first_kdbg, uint64_t first_value,
		      const char *second, unsigned second_kdbg, uint64_t second_value)
{
	unsigned ps = w->profile->ptr_size;
	if (w->nkvar + 2 > WORLD_MAX_KVARS)
		abort();
	uint64_t va = world_data_alloc(w, 2ull * ps);
	world_kput(w, va, first_value, ps);
	world_kput(w, va + ps, second_value, ps);
	w->kvar[w->nkvar++] = (struct world_kvar){ first, first_kdbg, va, first_value };
	w->kvar[w->nkvar++] = (struct world_kvar){ second, second_kdbg, va + ps, second_value };
	if (second_kdbg)
		world_kput(w, w->kdbg_va + second_kdbg, va + ps, 8);
}

/* Changes a variable the base builder created (the pool limits). */
static void kvar_set(struct world *w, const char *name, uint64_t value)
{
	for (size_t i = 0; i < w->nkvar; i++)
		if (strcmp(w->kvar[i].name, name) == 0) {
			w->kvar[i].value = value;
			world_kput(w, w->kvar[i].address, value, w->profile->ptr_size);
			return;
		}
	fprintf(stderr, "kdx-gen: no kernel variable %s\n", name);
	abort();
}

static void tracker_row(struct world *w, struct world_tracker_row *r, bool paged, uint32_t tag)
{
	uint64_t outstanding = 1 + world_rnd_below(w, 60);
	uint64_t allocs = outstanding + world_rnd_below(w, 50000);
	uint64_t bytes = outstanding * (0x40 + 0x10 * world_rnd_below(w, 24));
	r->tag = tag;
	if (paged) {
		r->paged_allocs = allocs;
		r->paged_frees = allocs - outstanding;
		r->paged_bytes = bytes;
	} else {
		r->nonpaged_allocs = allocs;
		r->nonpaged_frees = allocs - outstanding;
		r->nonpaged_bytes = bytes;
	}
}

/* The whole machine's paged pool: MmSt (the prototype PTEs of mapped
 * files, doc/scenarios.md §5) holds what the other tags leave of the usage. */
static void track_paged_usage(struct world_pool *pl)
{
	uint64_t usage = 0, others = 0;
	for (size_t i = 0; i < NTAGS(case1_paged_pools); i++)
		usage += case1_paged_pools[i];
	struct world_tracker_row *mmst = NULL;
	for (size_t i = 0; i < pl->nrows; i++) {
		if (pl->rows[i].tag == TAG("MmSt"))
			mmst = &pl->rows[i];
		else
			others += pl->rows[i].paged_bytes;
	}
	uint64_t bytes = tracked_bytes(usage, WHOLE_PAGED_TRACKED_PERMILLE) - others;
	uint64_t outstanding = bytes / 0x400;
	mmst->paged_allocs = mmst->paged_frees + outstanding;
	mmst->paged_bytes = bytes;
}

/* PoolTrackTableSize sits in the word just before PoolTrackTable, the
 * layout Volatility's pooltracker reads (§6.5); KDBG+0x1B8 holds the
 * address of the pointer. */
static void build_tracker(struct pool_build *pb)
{
	struct world *w = pb->w;
	struct world_pool *pl = pb->pool;
	const struct prof_pool_tracker *t = w->profile->pool_tracker;
	size_t n = NTAGS(nonpaged_tags) + NTAGS(paged_tags) + NTAGS(file_tags) + 1;
	pl->rows = calloc(n, sizeof *pl->rows);
	struct world_tracker_row *placed = calloc(TRACK_TABLE_ENTRIES, sizeof *placed);
	if (!pl->rows || !placed)
		abort();
	for (size_t i = 0; i < NTAGS(nonpaged_tags); i++)
		tracker_row(w, &pl->rows[pl->nrows++], false, TAG(nonpaged_tags[i]));
	for (size_t i = 0; i < NTAGS(paged_tags); i++)
		tracker_row(w, &pl->rows[pl->nrows++], true, TAG(paged_tags[i]));
	for (size_t i = 0; i < NTAGS(file_tags); i++)
		tracker_row(w, &pl->rows[pl->nrows++], false, TAG(file_tags[i]));
	if (w->whole && is_case1(w))
		track_paged_usage(pl);
	struct world_tracker_row *leak = &pl->rows[pl->nrows++];
	leak->tag = pl->leak_tag;
	leak->nonpaged_frees = world_rnd_below(w, 400);
	leak->nonpaged_allocs = leak->nonpaged_frees + pl->leak_blocks;
	leak->nonpaged_bytes = pl->leak_bytes;

	uint64_t bytes = (uint64_t)TRACK_TABLE_ENTRIES * t->size;
	uint64_t table = world_region_pages(w, "NonPagedPool", (bytes + KDX_PAGE_SIZE - 1) / KDX_PAGE_SIZE);
	for (size_t i = 0; i < pl->nrows; i++) {
		const struct world_tracker_row *r = &pl->rows[i];
		size_t slot = track_slot(placed, TRACK_TABLE_ENTRIES, r->tag);
		placed[slot] = *r;
		uint64_t e = table + slot * t->size;
		world_kput(w, e + t->key, r->tag, 4);
		world_kput(w, e + t->nonpaged_allocs, r->nonpaged_allocs, t->counter_size);
		world_kput(w, e + t->nonpaged_frees, r->nonpaged_frees, t->counter_size);
		world_kput(w, e + t->nonpaged_bytes, r->nonpaged_bytes, t->bytes_size);
		world_kput(w, e + t->paged_allocs, r->paged_allocs, t->counter_size);
		world_kput(w, e + t->paged_frees, r->paged_frees, t->counter_size);
		world_kput(w, e + t->paged_bytes, r->paged_bytes, t->bytes_size);
	}
	free(placed);
	kvar_pair(w, "PoolTrackTableSize", 0, TRACK_TABLE_ENTRIES, "PoolTrackTable",
		  KDBG_POOL_TRACK_TABLE, table);
	pl->track_table = table;
	pl->track_table_entries = TRACK_TABLE_ENTRIES;
}

struct big_alloc {
	uint64_t va, bytes;
	uint32_t tag;
	bool paged, freed;
};

/* §6.7: every entry starts free (Va = 1); a freed one keeps its stale
 * address with bit 0 set. Slot: h = Va >> 12, h ^= h>>8 ^ h>>16 ^ h>>24,
 * index = h & (Size - 1), linear probing. */
static void build_big_pages(struct pool_build *pb, const struct big_alloc *allocs, size_t n)
{
	struct world *w = pb->w;
	struct world_pool *pl = pb->pool;
	const struct prof_big_page *bp = w->profile->big_page;
	uint64_t bytes = (uint64_t)BIG_TABLE_ENTRIES * bp->size;
	uint64_t table = world_region_pages(w, "NonPagedPool", bytes / KDX_PAGE_SIZE);
	bool *taken = calloc(BIG_TABLE_ENTRIES, sizeof *taken);
	if (!taken)
		abort();
	for (uint32_t i = 0; i < BIG_TABLE_ENTRIES; i++)
		world_kput(w, table + (uint64_t)i * bp->size + bp->va, 1, pb->ps);
	for (size_t k = 0; k < n; k++) {
		const struct big_alloc *a = &allocs[k];
		uint64_t h = a->va >> 12;
		h ^= h >> 8 ^ h >> 16 ^ h >> 24;
		size_t i = h & (BIG_TABLE_ENTRIES - 1);
		while (taken[i])
			i = (i + 1) & (BIG_TABLE_ENTRIES - 1);
		taken[i] = true;
		uint64_t e = table + i * bp->size;
		uint32_t type = a->paged ? 1 : w->profile->pool->segment_heap ? 0x200 : 0;
		world_kput(w, e + bp->va, a->va | a->freed, pb->ps);
		world_kput(w, e + bp->key, a->tag, 4);
		if (bp->number_of_pages != PROF_ABSENT)
			world_kput(w, e + bp->number_of_pages, a->bytes / KDX_PAGE_SIZE, 4);
		if (bp->number_of_bytes != PROF_ABSENT)
			world_kput(w, e + bp->number_of_bytes, a->bytes, pb->ps);
		if (bp->pool_type != PROF_ABSENT)
			world_kput(w, e + bp->pool_type, type, 4);
		if (bp->packed_pool_type.offset != PROF_ABSENT)
			world_kput(w, e + bp->packed_pool_type.offset,
				   (uint64_t)type << bp->packed_pool_type.bit, 4);
		pool_add_block(pb, (struct world_pool_block){
			.address = a->va, .size = a->bytes, .tag = a->tag, .paged = a->paged,
			.big = true, .state = a->freed ? WORLD_BLOCK_FREE : WORLD_BLOCK_ALLOCATED });
	}
	free(taken);
	/* Beside the tracker variables: no KDBG field names the table (§6.7). */
	kvar_pair(w, "PoolBigPageTable", 0, table, "PoolBigPageTableSize", 0, BIG_TABLE_ENTRIES);
	pl->big_table = table;
	pl->big_table_entries = BIG_TABLE_ENTRIES;
}

/* Segment heap: a large range of a page segment. */
static uint64_t big_alloc_pages(struct pool_build *pb, bool paged, uint64_t pages)
{
	if (pb->segheap)
		return segheap_large(pb, paged, pages);
	return world_region_pages(pb->w, paged ? "PagedPool" : "NonPagedPool", pages);
}

static void add_figure(struct world_pool *pl, const char *name, bool has, uint64_t pages)
{
	if (pl->nvm < WORLD_MAX_VM_FIGURES)
		pl->vm[pl->nvm++] = (struct world_vm_figure){ name, has, pages };
}

/* Leaves exactly target zero PTEs in the page tables of the region (the
 * free PTEs a reader counts): adds empty tables when there are too few,
 * maps surplus entries to one shared page when there are too many. The
 * region's tables are contiguous from its start (the builders bump-allocate). */
static void set_free_ptes(struct world *w, const char *region, uint64_t target, uint64_t shared_pfn)
{
	const struct world_region *r = region_of(w, region);
	const struct paging_desc *d = paging_desc(w->img.paging);
	uint64_t per_table = KDX_PAGE_SIZE / (uint64_t)d->entry_size;
	uint64_t span = per_table * KDX_PAGE_SIZE, tables = 0, empty = 0, pa;
	/* A region may end inside its last table (XP's expansion): count the
	 * entries up to its end only. */
	uint64_t in_last = ((r->end - r->start) % span) / KDX_PAGE_SIZE;
	uint64_t ntables = (r->end - r->start + span - 1) / span;
	while (tables < ntables &&
	       (world_leaf_table_present(w, r->start + tables * span, &pa) || empty < target)) {
		pa = world_leaf_table(w, r->start + tables * span);
		uint64_t n = tables + 1 == ntables && in_last ? in_last : per_table;
		for (uint64_t i = 0; i < n; i++)
			empty += w->img.pages[pa >> KDX_PAGE_SHIFT] == NULL ||
				 !memcmp(w->img.pages[pa >> KDX_PAGE_SHIFT] + i * d->entry_size,
					 "\0\0\0\0\0\0\0\0", (size_t)d->entry_size);
		tables++;
	}
	uint64_t top = r->start + tables * span < r->end ? r->start + tables * span : r->end;
	for (uint64_t va = top; empty > target && va > r->start;) {
		va -= KDX_PAGE_SIZE;
		pa = world_leaf_table(w, va);
		uint64_t idx = (va / KDX_PAGE_SIZE) % per_table;
		const uint8_t *pg = w->img.pages[pa >> KDX_PAGE_SHIFT];
		if (pg && memcmp(pg + idx * d->entry_size, "\0\0\0\0\0\0\0\0", (size_t)d->entry_size))
			continue;
		world_map_data_page(w, va, shared_pfn);
		empty--;
	}
}

/* Whether the build's POOL_DESCRIPTOR has a layout (pool_descriptor.tsv):
 * without one its paged pools' usage is not known to a reader. */
static bool descriptors_known(const struct world *w)
{
	return w->profile->pool_descriptor->pages != PROF_ABSENT;
}

/* ExpPagedPoolDescriptor: an array of POOL_DESCRIPTOR pointers, pools 0
 * to ExpNumberOfPagedPools; each descriptor's live page counters (a page
 * each, left as it is, when the build's descriptor has no layout). */
static void build_paged_descriptors(struct pool_build *pb, const uint64_t *pages, size_t n)
{
	struct world *w = pb->w;
	const struct prof_pool_descriptor *pd = w->profile->pool_descriptor;
	if (!descriptors_known(w))
		pd = &(const struct prof_pool_descriptor){ .size = KDX_PAGE_SIZE };
	uint64_t bytes = (uint64_t)n * pd->size;
	uint64_t base = world_region_pages(w, "NonPagedPool", (bytes + KDX_PAGE_SIZE - 1) / KDX_PAGE_SIZE);
	uint64_t array = world_data_alloc(w, n * pb->ps);
	for (size_t i = 0; i < n; i++) {
		uint64_t desc = base + i * pd->size;
		uint64_t big = pages[i] / (3 + world_rnd_below(w, 5));
		uint64_t small = pages[i] - big;
		world_kput(w, array + i * pb->ps, desc, pb->ps);
		if (!descriptors_known(w))
			continue;
		if (pd->pages_freed != PROF_ABSENT) {
			uint64_t freed = world_rnd_below(w, 100000), big_freed = world_rnd_below(w, 1000);
			world_kput(w, desc + pd->pages, small + freed, pd->counter_size);
			world_kput(w, desc + pd->pages_freed, freed, pd->counter_size);
			world_kput(w, desc + pd->big_pages, big + big_freed, pd->counter_size);
			world_kput(w, desc + pd->big_pages_freed, big_freed, pd->counter_size);
		} else {
			world_kput(w, desc + pd->pages, small, pd->counter_size);
			world_kput(w, desc + pd->big_pages, big, pd->counter_size);
		}
	}
	if (w->nkvar == WORLD_MAX_KVARS)
		abort();
	w->kvar[w->nkvar++] = (struct world_kvar){ "ExpPagedPoolDescriptor",
		KDBG_EXP_PAGED_POOL_DESCRIPTOR, array, base };
	world_kput(w, w->kdbg_va + KDBG_EXP_PAGED_POOL_DESCRIPTOR, array, 8);
	kvar_new(w, "ExpNumberOfPagedPools", KDBG_EXP_NUMBER_OF_PAGED_POOLS, n - 1, 4);
}

static const char *const paged_pool_names[] = {
	"paged_pool_0", "paged_pool_1", "paged_pool_2", "paged_pool_3", "paged_pool_4",
};

void world_pool_set_figure(struct world *w, const char *name, uint64_t pages)
{
	for (size_t i = 0; i < w->pool->nvm; i++)
		if (strcmp(w->pool->vm[i].name, name) == 0)
			w->pool->vm[i] = (struct world_vm_figure){ w->pool->vm[i].name, true, pages };
}

/* The pages of [start, end) whose leaf entries are in state (a
 * world_pte_* test): what a walk of the range counts. */
static uint64_t count_ptes(struct world *w, uint64_t start, uint64_t end,
			   bool (*state)(const struct world *w, uint64_t raw))
{
	unsigned es = (unsigned)paging_desc(w->img.paging)->entry_size;
	uint64_t n = 0, pa;
	for (uint64_t va = start; va < end; va += KDX_PAGE_SIZE)
		n += world_leaf_table_present(w, va, &pa) &&
		     state(w, world_get_phys(w, pa + (va / KDX_PAGE_SIZE) % (KDX_PAGE_SIZE / es) * es,
					     es));
	return n;
}

/* The whole machine's paged pool holds a page for every page its usage
 * counts: after the pages built so far, page segments of MmSt LFH pages
 * (the prototype PTEs of mapped files), one in WHOLE_PAGED_RESIDENT_EVERY
 * resident, the others paged out (page-file PTEs), so the dump stays
 * small. A segment's descriptor pages count too; a segment ends early
 * where the next could not hold its descriptors and a page. The fill's
 * pages are left out of the truth's page list: it counts them. */
#define WHOLE_PAGED_RESIDENT_EVERY 6u
#define WHOLE_PAGED_PAGEFILE_OFFSET 0x100000u

static void whole_paged_pool(struct pool_build *pb, uint64_t usage)
{
	struct world *w = pb->w;
	struct world_pool *pl = pb->pool;
	uint64_t start = world_region_start(w, "PagedPool");
	uint64_t mapped = count_ptes(w, start, world_region_reserve(w, "PagedPool", 0),
				     world_pte_maps_page);
	unsigned seg = pb->segheap->seg_bytes / KDX_PAGE_SIZE, desc = pb->segheap->first_descriptor;
	size_t nblocks = pl->nblocks, npages = pl->npages;
	uint64_t left = usage > mapped ? usage - mapped : 0;
	segheap_close(pb);
	while (left > desc) {
		left -= desc;
		uint64_t k = left < seg - desc ? left : seg - desc, rest = left - k;
		if (rest && rest <= desc)
			k -= desc + 1 - rest;
		for (uint64_t i = 0; i < k; i++) {
			if (world_rnd_below(w, WHOLE_PAGED_RESIDENT_EVERY) == 0) {
				segheap_lfh_page(pb, true, TAG("MmSt"));
				pl->paged_resident_fill++;
				continue;
			}
			uint64_t va = segheap_paged_out_page(pb, true);
			world_map_kernel_pte(w, va, world_pagefile_pte(w, 0, WHOLE_PAGED_PAGEFILE_OFFSET +
								      pl->paged_out_fill, 4));   /* read/write */
			pl->paged_out_fill++;
		}
		left -= k;
		segheap_close(pb);
	}
	for (size_t i = nblocks; i < pl->nblocks; i++)
		pl->paged_fill_blocks += pl->blocks[i].state == WORLD_BLOCK_ALLOCATED;
	pl->nblocks = nblocks;
	pl->npages = npages;
	uint64_t end = world_region_reserve(w, "PagedPool", 0);
	pl->paged_mapped = count_ptes(w, start, end, world_pte_maps_page);
	pl->paged_out = count_ptes(w, start, end, world_pte_in_pagefile);
}

/* The KDBG memory variables (§8.3) and the figures !vm derives from them. */
static void build_memory_summary(struct pool_build *pb)
{
	struct world *w = pb->w;
	struct world_pool *pl = pb->pool;
	bool case1 = w->whole && is_case1(w);   /* the demo: its RAM holds the figures */
	uint64_t np_max, np_usage, pp_max, avail, free_sys, free_np, pools[5];
	size_t npools;
	const struct world_kvar *phys = world_kvar(w, "MmNumberOfPhysicalPages");
	uint64_t ram = phys->value, main_stream = 0;
	if (case1) {
		np_max = CASE1_NONPAGED_MAX;
		np_usage = CASE1_NONPAGED_USAGE;
		pp_max = CASE1_PAGED_MAX;
		avail = CASE1_AVAILABLE;
		free_sys = CASE1_FREE_SYSTEM_PTES;
		free_np = CASE1_FREE_NONPAGED_PTES;
		npools = NTAGS(case1_paged_pools);
		memcpy(pools, case1_paged_pools, sizeof pools);
	} else {
		/* Figures of the machine's own RAM, which they fit (nonpaged pool
		 * is resident), drawn apart: the same with or without --pool-mib's
		 * extra RAM and pages (the first-screen test compares the two). */
		main_stream = w->rng;
		w->rng = w->seed ^ 0x6d6d7600000000ull;
		ram = phys->value - world_extra_ram() / KDX_PAGE_SIZE;
		np_max = ram / 2 + world_rnd_below(w, ram / 4);
		np_usage = np_max / 2 + world_rnd_below(w, np_max / 3);
		pp_max = 30000 + world_rnd_below(w, 20000);
		avail = ram / 4 + world_rnd_below(w, ram / 2);
		free_sys = free_np = 0;
		npools = 2 + world_rnd_below(w, 4);
		for (size_t i = 0; i < npools; i++)
			pools[i] = 200 + world_rnd_below(w, i ? 1000 : 10000);
	}
	uint64_t room = ram - avail;
	uint64_t resident = avail + world_rnd_below(w, room < 50000 ? room : 50000);
	uint64_t limit = ram + 500000 + world_rnd_below(w, 500000);
	uint64_t committed = limit / 2 + world_rnd_below(w, limit / 3);
	unsigned ps = pb->ps;
	kvar_set(w, "MmMaximumNonPagedPoolInBytes", np_max * KDX_PAGE_SIZE);
	kvar_set(w, "MmSizeOfPagedPoolInBytes", pp_max * KDX_PAGE_SIZE);
	kvar_new(w, "MmAllocatedNonPagedPool", KDBG_MM_ALLOCATED_NON_PAGED_POOL, np_usage, ps);
	kvar_new(w, "MmAvailablePages", KDBG_MM_AVAILABLE_PAGES, avail, ps);
	kvar_new(w, "MmResidentAvailablePages", KDBG_MM_RESIDENT_AVAILABLE_PAGES, resident, ps);
	kvar_new(w, "MmTotalCommitLimit", KDBG_MM_TOTAL_COMMIT_LIMIT, limit, ps);
	kvar_new(w, "MmTotalCommittedPages", KDBG_MM_TOTAL_COMMITTED_PAGES, committed, ps);
	kvar_new(w, "MmNumberOfPagingFiles", KDBG_MM_NUMBER_OF_PAGING_FILES, 1, 4);
	build_paged_descriptors(pb, pools, npools);

	/* Free PTEs last: every other mapping of the two ranges is in place. */
	uint64_t shared = world_alloc_pages(w, 1);
	if (!case1) {
		free_sys = 1000 + world_rnd_below(w, 500);
		free_np = 100 + world_rnd_below(w, 200);
	}
	set_free_ptes(w, "SystemPtes", free_sys, shared);
	set_free_ptes(w, nonpaged_spare(w), free_np, shared);
	if (!case1)
		w->rng = main_stream;

	uint64_t paged_total = 0;
	for (size_t i = 0; i < npools; i++)
		paged_total += pools[i];
	if (case1 && w->whole)
		whole_paged_pool(pb, paged_total);
	add_figure(pl, "physical_memory", true, phys->value);
	add_figure(pl, "available_pages", true, avail);
	add_figure(pl, "resident_available", true, resident);
	add_figure(pl, "modified_pages", false, 0);      /* set with the PFN database */
	add_figure(pl, "free_system_ptes", true, free_sys);
	add_figure(pl, "free_nonpaged_ptes", true, free_np);
	add_figure(pl, "nonpaged_pool_usage", true, np_usage);
	add_figure(pl, "nonpaged_pool_max", true, np_max);
	bool per_pool = descriptors_known(w);
	for (size_t i = 0; per_pool && i < npools; i++)
		add_figure(pl, paged_pool_names[i], true, pools[i]);
	add_figure(pl, "paged_pool_usage", per_pool, paged_total);
	add_figure(pl, "paged_pool_max", true, pp_max);
	add_figure(pl, "committed_pages", true, committed);
	add_figure(pl, "commit_limit", true, limit);
	/* The rules of core/analysis/memsummary.c, stated independently. */
	if (np_usage * 100 > np_max * 95)
		pl->warnings[pl->nwarnings++] = "Excessive NonPaged Pool Usage";
	if (per_pool && paged_total * 100 > pp_max * 95)
		pl->warnings[pl->nwarnings++] = "Excessive Paged Pool Usage";
}

/* The bulk pages: built like any, then dropped from the records. */
static void bulk_pages(struct pool_build *pb)
{
	struct world_pool *pl = pb->pool;
	for (uint64_t i = 0; i < bulk_mib * (1024 * 1024 / KDX_PAGE_SIZE); i++) {
		size_t nblocks = pl->nblocks, npages = pl->npages, nfree = pl->nfree_chunks;
		/* one page each: segment-heap bulk is LFH pages only */
		if (pb->segheap)
			segheap_lfh_page(pb, false, 0);
		else
			classic_page(pb, false, 0);
		pl->nblocks = nblocks;
		pl->npages = npages;
		pl->nfree_chunks = nfree;
	}
}

int world_build_pool(struct world *w, struct kdx_error *err)
{
	struct world_pool *pl = calloc(1, sizeof *pl);
	if (!pl)
		return kdx_fail(err, "%s: out of memory", w->profile->name);
	w->pool = pl;
	struct pool_build pb = { .w = w, .pool = pl, .hdr = w->profile->pool,
				 .segheap = segheap_layout(w->profile),
				 .ps = w->profile->ptr_size };
	pl->leak_tag = leak_tag_for(w);
	if (pb.segheap)
		segheap_init(&pb);

	/* Ordinary pages first, so the leak's blocks can point at one of them. */
	for (int i = 0; i < 6; i++)
		pool_page(&pb, false, 0);
	for (int i = 0; i < 5; i++)
		pool_page(&pb, true, 0);
	/* The first allocated block from a random one on. */
	size_t target = world_rnd_below(w, pl->nblocks);
	while (pl->blocks[target].state == WORLD_BLOCK_FREE)
		target = (target + 1) % pl->nblocks;
	pb.leak_target = pl->blocks[target].address + pb.hdr->header_size;
	pl->leak_points_at = pb.leak_target;
	pl->leak_points_into_kernel_min = w->kernel_base + LEAK_KERNEL_POINTER_OFFSET;
	pl->leak_points_into_kernel_max = w->kernel_base + LEAK_KERNEL_POINTER_OFFSET +
					  LEAK_KERNEL_POINTER_STEP * (LEAK_KERNEL_POINTERS - 1);
	size_t first_leak = pl->nblocks;
	uint64_t seed_pages = 16 + world_rnd_below(w, 8);
	uint64_t leak_pages = leak_pages_wanted ? leak_pages_wanted : seed_pages;
	/* --leak-pages and --pool-mib draw their pages from streams of their
	 * own, so that worlds of one seed differ in those pages alone: pooldiff
	 * compares such pairs (every other tag's counters the same in both),
	 * and the first-screen test a machine with and without a bigger pool. */
	uint64_t main_stream = w->rng;
	if (leak_pages_wanted)
		w->rng = w->seed ^ 0x6b61656c00000000ull;
	for (uint64_t i = 0; i < leak_pages; i++)
		pool_page(&pb, false, pl->leak_tag);
	if (leak_pages_wanted)
		w->rng = main_stream;
	if (bulk_mib) {
		main_stream = w->rng;
		w->rng = w->seed ^ 0x6b6c756200000000ull;
		bulk_pages(&pb);
		w->rng = main_stream;
	}

	static const struct big_alloc fixed[] = {
		{ 0, 0x3000, 0, false, false },       /* tag 0: the leak's */
		{ 0, 0x2000, 0, false, false },
		{ 0, 0x2000, TAG("MmSt"), true, false },
		{ 0, 0x4000, TAG("CM31"), true, false },
		{ 0, 0x2000, TAG("Irp "), false, true },
	};
	for (size_t i = first_leak; i < pl->nblocks; i++) {
		pl->leak_blocks++;
		pl->leak_bytes += pl->blocks[i].size;
	}
	uint64_t fill = whole_leak_fill_bytes(w, pl->leak_bytes);
	/* at most one short allocation per full one */
	size_t nbig = 0, cap = NTAGS(fixed) + 2 * (fill / WHOLE_LEAK_ALLOC_BYTES) + 1;
	struct big_alloc *big = calloc(cap, sizeof *big);
	if (!big)
		return kdx_fail(err, "%s: out of memory", w->profile->name);
	for (size_t i = 0; i < NTAGS(fixed) || fill >= whole_leak_alloc_bytes(&pb); i++, nbig++) {
		big[i] = i < NTAGS(fixed) ? fixed[i] :
			 (struct big_alloc){ 0, whole_leak_alloc_bytes(&pb), 0, false, false };
		if (i >= NTAGS(fixed))
			fill -= big[i].bytes;
		big[i].tag = big[i].tag ? big[i].tag : pl->leak_tag;
		big[i].va = big_alloc_pages(&pb, big[i].paged, big[i].bytes / KDX_PAGE_SIZE);
		if (i >= NTAGS(fixed)) {   /* what the small leak blocks hold too */
			world_kput(w, big[i].va, pb.leak_target, pb.ps);
			world_kput(w, big[i].va + pb.ps, leak_kernel_pointer(w), pb.ps);
		}
		if (big[i].tag == pl->leak_tag) {
			pl->leak_blocks++;
			pl->leak_bytes += big[i].bytes;
		}
	}
	if (pb.segheap)
		segheap_close(&pb);
	file_blocks(&pb);
	build_big_pages(&pb, big, nbig);
	free(big);
	build_tracker(&pb);
	build_memory_summary(&pb);
	return 0;
}

void world_pool_free(struct world *w)
{
	if (!w->pool)
		return;
	free(w->pool->rows);
	free(w->pool->blocks);
	free(w->pool->pages);
	free(w->pool->free_chunks);
	free(w->pool);
	w->pool = NULL;
}
