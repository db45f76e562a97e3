/* The kernel pools without symbols: the tag tracker table (doc/structures.md §6.5),
 * pool pages and their POOL_HEADER blocks (§6.1-6.4), the big-page table
 * (§6.7), and a tag scan over the pool regions. */
#ifndef KDX_POOL_H
#define KDX_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/util/progress.h"
#include "core/nt/profile.h"
#include "core/nt/segheap.h"

/* Bounds against hostile counts: ReactOS's largest tracker table is
 * 2^16 + 1 entries; big-page tables grow by doubling from 0x1000. */
#define POOL_TRACKER_MAX_ENTRIES 0x10001u
#define POOL_BIG_MAX_ENTRIES 0x100000u

struct pool_tracker_row {
	uint32_t tag;
	uint64_t nonpaged_allocs, nonpaged_frees, nonpaged_bytes;
	uint64_t paged_allocs, paged_frees, paged_bytes;
};

struct pool_tracker {
	uint64_t table;              /* PoolTrackTable's value */
	uint64_t claimed, read;      /* entries: PoolTrackTableSize, and those read */
	struct pool_tracker_row *rows;
	size_t count;
	char note[160];              /* which tables were summed, bounds applied */
	const char *unsummed;        /* the build's per-processor tables kdx cannot
					find, and why; NULL when it has none */
};

int pool_tracker_read(struct dump *d, struct pool_tracker *out, struct kdx_error *err);
void pool_tracker_free(struct pool_tracker *t);

enum pool_kind { POOL_KIND_NONPAGED, POOL_KIND_PAGED, POOL_KIND_SESSION };
enum pool_state { POOL_ALLOCATED, POOL_FREE, POOL_UNKNOWN };
/* What decided a block's state: the classic PoolType (0 = free), the LFH
 * allocation bitmap, a decoded VS chunk header, the big-page table's free
 * bit, or nothing (the state is unknown). */
enum pool_state_from { POOL_FROM_NONE, POOL_FROM_POOL_TYPE, POOL_FROM_LFH_BITMAP,
		       POOL_FROM_VS_HEADER, POOL_FROM_BIG_PAGE_TABLE, POOL_FROM_SPECIAL_POOL };
/* What a page is: tiled classic blocks, an LFH or VS subsegment page, a
 * large allocation, a special pool page, or none of these kdx can tell. */
enum pool_page_kind { POOL_PAGE_CLASSIC, POOL_PAGE_LFH, POOL_PAGE_VS, POOL_PAGE_LARGE,
		      POOL_PAGE_SPECIAL, POOL_PAGE_UNKNOWN };
const char *pool_kind_name(enum pool_kind k);     /* "nonpaged", "paged", "session" */
const char *pool_state_name(enum pool_state s);   /* "allocated", "free", "unknown" */
const char *pool_state_from_name(enum pool_state_from f);  /* "pool_type", "lfh_bitmap", ... */
const char *pool_state_from_words(enum pool_state_from f); /* the same for people */
const char *pool_page_kind_name(enum pool_page_kind k);    /* "classic", "lfh", ... */

struct pool_block {
	uint64_t address;            /* of the header (big pages: the allocation) */
	uint64_t size, previous_size;
	uint32_t tag;
	unsigned pool_index, raw_type;
	enum pool_kind kind;
	enum pool_state state;
	enum pool_state_from from;
	bool big;
};

struct pool_chunk {
	uint64_t address, size;
};

/* A special pool page (Driver Verifier): one allocation ending at the page
 * end, its header at the page start, the rest a pattern, a guard page
 * after it. */
struct pool_special {
	uint64_t header, data, bytes, guard;
	uint32_t tag;
	uint8_t pattern;
	bool paged;
	bool guard_absent;           /* the guard page is not mapped, as it should be */
};
/* Whether the page at va (its bytes) is laid out as a special pool page;
 * fills s but for guard_absent. */
bool pool_special_page(const struct profile *p, const uint8_t *page, uint64_t va,
		       struct pool_special *s);

/* One page as a pool page: classic builds walk the PreviousSize chain from
 * offset 0; segment-heap builds walk the subsegment the page segment's
 * descriptors name, and look for headers at block-unit steps (16 bytes on
 * x64, 8 on x86) where there is none, or where the build's heap metadata
 * has no layout. Headers the heap's metadata contradicts are look-alikes. */
struct pool_page {
	uint64_t va;
	bool readable;
	bool pool_page;              /* at least one block checked */
	bool broken;                 /* the chain stops before the page end */
	uint64_t break_at;
	char why[120];
	enum pool_page_kind kind;
	uint64_t segment, range_start, range_bytes;   /* segment heap */
	uint64_t lfh_block_size;
	char kind_why[120];          /* how the kind was found, or why it is unknown */
	char walk_why[120];          /* the subsegment's metadata did not hold: why */
	struct pool_special special; /* kind special */
	struct pool_block blocks[512];
	size_t count;
	struct pool_chunk free_chunks[128];   /* VS: free chunks starting on the page */
	size_t nfree;
	struct pool_block lookalikes[64];
	size_t nlookalikes;
};

/* The pool context of a dump: profile and region bounds. */
struct pool_ctx {
	struct dump *d;
	const struct profile *p;
	/* inclusive; the nonpaged pool in up to two parts (x86 XP/2003) */
	uint64_t np_start[2], np_end[2], pp_start, pp_end;
	size_t n_np;
	bool has_pp;
	struct segheap_keys keys;    /* segment heap: solved at init */
};
/* Solving the segment heap's keys walks the pool's page tables, telling
 * progress (NULL: none); cancelled, it fails with KDX_ERR_CANCELLED. */
int pool_ctx_init(struct dump *d, const struct progress *progress, struct pool_ctx *c,
		  struct kdx_error *err);
void pool_walk_page(const struct pool_ctx *c, uint64_t va, struct pool_page *out);

/* The big-page table: located beside PoolTrackTable (no KDBG field names
 * it, §6.7) and checked entry by entry. */
struct pool_big_table {
	bool found;
	uint64_t table, entries;
	char how[120];
};
void pool_big_find(const struct pool_ctx *c, struct pool_big_table *out);
/* Calls fn for every used or freed entry; stops when fn returns nonzero. */
void pool_big_each(const struct pool_ctx *c, const struct pool_big_table *t,
		   int (*fn)(void *ctx, const struct pool_block *b), void *ctx);

/* A scan for tag (compared without the protected bit 31): big pages
 * first, then every mapped page of the nonpaged and paged pool ranges and
 * of the special pool regions the layout finds,
 * telling the dump's progress of each phase (the page-table walk, then the
 * bytes scanned). Each hit goes to on_hit (may be NULL) the moment it is
 * found, so that the TUI shows hits arriving; the first keep blocks and
 * look-alikes (0: all) are kept, the rest only counted. Cancelled, it
 * returns 0 with cancelled set and the hits found so far; failed, it keeps
 * nothing and returns -1. */
typedef void (*pool_hit_fn)(void *ctx, const struct pool_block *b, bool unverified);
struct pool_scan {
	struct pool_block *blocks;       /* kept, in scan order */
	size_t count, cap;
	struct pool_block *lookalikes;   /* hits the heap's metadata contradicts */
	size_t nlookalikes, caplookalikes;
	uint64_t found, found_lookalikes;   /* kept or not */
	uint64_t bytes;                  /* of the blocks found that are not free */
	uint64_t scanned_bytes;
	/* Pages of the ranges not scanned: paged out (page-file PTEs), in
	 * transition (not mapped), mapped or under tables the dump lacks. */
	uint64_t paged_out_pages, transition_pages, missing_pages;
	uint64_t broken_pages, first_broken;
	bool cancelled;
	char note[200];
};
int pool_scan_tag(const struct pool_ctx *c, uint32_t tag, size_t keep, pool_hit_fn on_hit,
		  void *ctx, struct pool_scan *out, struct kdx_error *err);
void pool_scan_free(struct pool_scan *s);

/* "Irp " <-> 0x20707249: four bytes, little-endian. */
void pool_tag_text(uint32_t tag, char out[5]);
bool pool_tag_parse(const char *s, uint32_t *tag);

#endif
