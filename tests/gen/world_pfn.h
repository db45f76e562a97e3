/* The PFN database of a generated world, as built: one MMPFN per RAM page
 * (doc/structures.md §8), every page list represented, so that page
 * list totals have exact answers. Entries outside the RAM ranges (the
 * holes) are left zero and are not counted. */
#ifndef KDX_GEN_WORLD_PFN_H
#define KDX_GEN_WORLD_PFN_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/gen/world.h"

/* _MMLISTS (doc/structures.md §8). */
enum world_page_list {
	WL_ZEROED, WL_FREE, WL_STANDBY, WL_MODIFIED, WL_MODIFIED_NO_WRITE, WL_BAD,
	WL_ACTIVE, WL_TRANSITION, WL_COUNT
};

struct world_pfn_entry {
	uint8_t location;             /* enum world_page_list */
	bool prototype;               /* PrototypePte: PteAddress is a prototype PTE */
	bool modified;
	uint64_t pte_address;         /* VA of the PTE that maps (or last mapped) it, 0 if none */
	uint64_t pte_frame;           /* PFN of the table holding that PTE */
	uint64_t original_pte;
};

struct world_pfn {
	uint64_t database;            /* MmPfnDatabase */
	uint64_t totals[WL_COUNT];    /* pages per list, RAM pages only */
	uint64_t list_head[WL_COUNT]; /* first PFN of each linked list, or list_end */
	struct world_pfn_entry *entries;   /* max_pfn entries, by PFN */
};

extern const char *const world_page_list_names[WL_COUNT];

#endif
