/* A bounded walk of one range of an address space's page tables, read
 * straight from the source: the leaf entries by state, the mapped ranges and
 * the non-zero not-present entries. Facts: doc/address-space.md §2 and 4. */
#ifndef KDX_CORE_WALK_H
#define KDX_CORE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/util/progress.h"
#include "core/xlat/pte.h"

struct source;

struct mapped_range {
	uint64_t start, end;        /* end inclusive */
	uint64_t pages;             /* 4 KiB pages */
	bool large;                 /* mapped by large pages */
};

/* A not-present entry that is not zero: what a walk counts and lists. */
struct absent_entry {
	uint64_t va;                /* the first address it maps (canonical) */
	uint64_t entry_address;     /* physical address of the entry */
	uint64_t raw;
	int level;                  /* 0: the top level */
	enum pte_state state;
};

#define LAYOUT_MAX_RANGES 4096
#define LAYOUT_MAX_ABSENT 4096
#define LAYOUT_MAX_TABLES 262144u

struct region_walk {
	/* Leaf entries by state. Large counts the large entries themselves. */
	uint64_t valid, large, transition, pagefile, prototype, demand_zero, vad, no_access, empty;
	uint64_t swap, prot_none;   /* a Linux kernel's */
	uint64_t absent_pages;      /* under not-present entries above the leaf level */
	uint64_t not_in_dump_pages; /* under tables the dump does not hold */
	uint64_t tables;            /* tables read */
	bool tables_truncated;      /* stopped at LAYOUT_MAX_TABLES */
	struct mapped_range *ranges;
	size_t nranges, cap;
	bool ranges_truncated;      /* more than LAYOUT_MAX_RANGES */
	struct absent_entry *absent;  /* non-zero not-present entries, in VA order */
	size_t nabsent, absent_cap;
	bool absent_truncated;      /* more than LAYOUT_MAX_ABSENT */
};

/* Walks [start, end] (inclusive) of the address space with top table dtb
 * (masked) directly through the source's pages, telling progress (may be
 * NULL) the bytes of VA walked, under the label what. Returns 0, or -1 with
 * err set when cancelled ("layout: walk cancelled", nothing kept) or when
 * the range is not one the mode can map. */
int layout_walk(struct source *src, const struct pte_context *ctx, uint64_t dtb,
		uint64_t start, uint64_t end, const struct progress *progress, const char *what,
		struct region_walk *out, struct kdx_error *err);
void region_walk_free(struct region_walk *w);

#endif
