/* Strings planted for the memory search (`s`), as built: where each one is
 * (virtual and physical) and who owns that memory, in the keys of kdx's
 * own `s` JSON. One ASCII and one UTF-16LE string in pool blocks, one in a
 * driver's .data, one in a thread's kernel stack, one in a user page of a
 * process, one in a view of a mapped file in that process (its PFN entry
 * names the file's prototype PTE, so only a reverse walk of the page tables
 * finds the VA), one in a free physical page no page table maps, and one across
 * the page boundary of a system-PTE mapping whose two pages are not
 * physically adjacent (an MDL mapping). */
#ifndef KDX_GEN_WORLD_SEARCH_H
#define KDX_GEN_WORLD_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/gen/world.h"

/* Every planted text starts with this; nothing else in a world holds it. */
#define WORLD_PLANT_PREFIX "kdx-plant-"

enum world_plant_owner {
	PLANT_POOL, PLANT_MODULE, PLANT_STACK, PLANT_PROCESS, PLANT_PHYSICAL, PLANT_REGION,
};

struct world_plant {
	const char *name;             /* "pool-ascii", "module-data", ... */
	bool utf16;
	char text[48];
	bool has_va;                  /* false: the free physical page */
	uint64_t va;
	uint64_t pa;                  /* of the first byte */
	uint64_t pa_end;              /* of the last byte (another page when it straddles) */
	bool has_alias;               /* a teaching large page maps the bytes again */
	uint64_t alias;               /* there */
	bool kernel;                  /* in the kernel's space (else a process's) */
	enum world_plant_owner owner;
	size_t index;                 /* pool: block; module; stack: thread; process */
	uint64_t offset;              /* module: into .data */
	const char *region;           /* region: kdx's layout name */
	uint8_t list;                 /* physical: enum world_page_list */
	const char *mapped_via;       /* where kdx finds the VA of the page: "pfn-database"
				       * (PteAddress), "page-tables" (a reverse walk); NULL: unmapped */
};

#define WORLD_MAX_PLANTS 12

struct world_search {
	struct world_plant plants[WORLD_MAX_PLANTS];
	size_t nplants;
};

#endif
