/* The system address-space layout: regions with their bounds and where each
 * bound came from (KDBG variable, the build's fixed layout, or the page
 * tables), the PTE self-map, and a bounded walk of one region's page tables.
 * Facts: doc/address-space.md sections 3 and 4. */
#ifndef KDX_CORE_LAYOUT_H
#define KDX_CORE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/util/progress.h"
#include "core/xlat/pte.h"

enum region_kind {
	REGION_USER, REGION_IMAGE, REGION_PAGE_TABLES, REGION_HYPERSPACE, REGION_CACHE,
	REGION_PAGED_POOL, REGION_NONPAGED_POOL, REGION_SYSTEM_PTES, REGION_SESSION,
	REGION_PFN, REGION_HAL, REGION_DYNAMIC, REGION_UNUSED, REGION_SPECIAL_POOL,
};
const char *region_kind_name(enum region_kind k);   /* "paged-pool", ... */

enum region_source {
	REGION_FROM_KDBG, REGION_FROM_FIXED, REGION_FROM_PAGE_TABLES,
	REGION_FROM_PAGES,          /* what the mapped pages hold */
};
const char *region_source_name(enum region_source s); /* "kdbg", "fixed", "page-tables", "pages" */

struct region {
	char name[24];              /* short id, one word: "paged-pool" */
	const char *description;    /* "paged pool" */
	uint64_t start, end;        /* end inclusive */
	enum region_kind kind;
	enum region_source source;
	char source_detail[80];     /* "KDBG MmPagedPoolStart, MmPagedPoolEnd" */
	bool nested;                /* inside an earlier region of the list */
};

/* The PTE self-map of the kernel's address space (doc/address-space.md §3). */
struct self_map {
	bool found;
	unsigned index;             /* x86 PD slot, PAE PDPT slot, x64 PML4 slot */
	unsigned matches;           /* slots mapping the top table (x64 scan) */
	uint64_t pte_base, pde_base, ppe_base, pxe_base;   /* ppe/pxe: x64 only */
	uint64_t pte_space_size;
	enum region_source source;  /* fixed, or page-tables (randomised index) */
	bool kdbg_checked, kdbg_agrees;    /* KDBG PteBase (1607+) */
};

struct region_list {
	struct region *items;
	size_t count, cap;
	struct self_map self_map;
	bool dynamic;               /* x86 Vista+: system VA handed out dynamically */
	const char *layout_name;    /* "x86 XP/2003", "x64 Windows 7", ... */
};

/* The PTE decoding facts of this dump: format family by build, and the
 * paged-pool start XP/2003 prototype addresses are relative to. */
void layout_pte_context(struct dump *d, struct pte_context *ctx);

/* Builds the region list of the dump's kernel address space. */
int layout_build(struct dump *d, struct region_list *out, struct kdx_error *err);
void region_list_free(struct region_list *l);
/* A new zeroed region at the list's end (NULL: out of memory); after
 * adding, region_list_order sorts the list and marks the nested ones. */
struct region *region_list_push(struct region_list *l);
void region_list_order(struct region_list *l);
/* The ranges of the nonpaged pool in the layout: one, or on x86 XP/2003 the
 * initial part and the expansion (doc/address-space.md §4.1), by start; how many were found
 * (0: the layout cannot be built or names none). */
#define LAYOUT_NONPAGED_PARTS 2
size_t layout_nonpaged_pool(struct dump *d, uint64_t start[LAYOUT_NONPAGED_PARTS],
			    uint64_t end[LAYOUT_NONPAGED_PARTS]);
/* The system half of the address space: every kernel VA of the mode
 * (x64 the upper canonical half, 32-bit modes 2 GiB up). */
void layout_system_range(enum paging mode, uint64_t *start, uint64_t *end);
/* By name (case-insensitive) or by index in the list. */
const struct region *region_find(const struct region_list *l, const char *name);

/* The bases that follow from a self-map slot (doc/address-space.md §3.1, 3.2); the index is
 * used for x64 only, 32-bit Windows keeps the preset bases. */
void self_map_bases(enum paging mode, unsigned x64_index, struct self_map *out);
/* Finds the self-map in the top table at dtb (masked). 32-bit modes always
 * get the preset bases; found says whether the table agrees. */
void layout_find_self_map(struct source *src, enum paging mode, uint64_t dtb,
			  struct self_map *out);
/* The virtual address of the entry that maps va at level (0 = top),
 * through the self-map; false when no self-map is known. */
bool self_map_entry_va(const struct self_map *s, enum paging mode, int level, uint64_t va,
		       uint64_t *entry_va);

/* The inverse: the VA whose entry one level down lives at entry_va (for a
 * PTE, the page it maps); false when entry_va is outside the PTE space. */
bool self_map_mapped_va(const struct self_map *s, enum paging mode, uint64_t entry_va,
			uint64_t *va);

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
