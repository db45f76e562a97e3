/* The PTE self-map of the kernel's address space: the top-table slot that
 * maps the tables themselves, found in the page tables or preset by the
 * build, and the entry addresses that follow from it. Facts:
 * doc/address-space.md §3. */
#ifndef KDX_CORE_SELFMAP_H
#define KDX_CORE_SELFMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/xlat/paging.h"

struct source;

/* Where a fact of the layout came from: a region's bounds, the self-map. */
enum region_source {
	REGION_FROM_KDBG, REGION_FROM_FIXED, REGION_FROM_PAGE_TABLES,
	REGION_FROM_PAGES,          /* what the mapped pages hold */
	REGION_FROM_VMCOREINFO,     /* a Linux kernel's VMCOREINFO note */
};
const char *region_source_name(enum region_source s); /* "kdbg", "fixed", "page-tables", ... */

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

#endif
