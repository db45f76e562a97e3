/* The system address-space layout: regions with their bounds and where each
 * bound came from (KDBG variable, the build's fixed layout, or the page
 * tables), resolved from per-family rows. The self-map is in selfmap.h, the
 * walk of a region's page tables in walk.h. Facts: doc/address-space.md §4. */
#ifndef KDX_CORE_LAYOUT_H
#define KDX_CORE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/xlat/pte.h"
#include "core/xlat/selfmap.h"

enum region_kind {
	REGION_USER, REGION_IMAGE, REGION_PAGE_TABLES, REGION_HYPERSPACE, REGION_CACHE,
	REGION_PAGED_POOL, REGION_NONPAGED_POOL, REGION_SYSTEM_PTES, REGION_SESSION,
	REGION_PFN, REGION_HAL, REGION_DYNAMIC, REGION_UNUSED, REGION_SPECIAL_POOL,
	/* a Linux kernel's (its Documentation/x86/x86_64/mm.rst) */
	REGION_DIRECT_MAP, REGION_VMALLOC, REGION_VMEMMAP,
};
const char *region_kind_name(enum region_kind k);   /* "paged-pool", ... */

struct region {
	char name[24];              /* short id, one word: "paged-pool" */
	const char *description;    /* "paged pool" */
	uint64_t start, end;        /* end inclusive */
	enum region_kind kind;
	enum region_source source;
	char source_detail[80];     /* "KDBG MmPagedPoolStart, MmPagedPoolEnd" */
	bool nested;                /* inside an earlier region of the list */
};

struct region_list {
	struct region *items;
	size_t count, cap;
	struct self_map self_map;
	bool dynamic;               /* x86 Vista+: system VA handed out dynamically */
	const char *layout_name;    /* "x86 XP/2003", "x64 Windows 7", ... */
	const char *fixed_cite;     /* where fixed bounds come from; NULL: the layout's name */
	const char *layout_note;    /* what its rows leave out, or NULL */
	char warning[640];          /* why bounds are not what they could be; or empty */
};

/* The PTE decoding facts of this dump: format family by build (a Linux
 * kernel's own), and the paged-pool start XP/2003 prototype addresses are
 * relative to; _for reads tables of another mode than the kernel's. */
void layout_pte_context(struct dump *d, struct pte_context *ctx);
void layout_pte_context_for(struct dump *d, enum paging mode, struct pte_context *ctx);

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
/* The system half of the address space: every kernel VA of the dump's mode
 * (x64 the upper canonical half; 32-bit Windows 2 GiB up, Linux from
 * PAGE_OFFSET 0xC0000000). */
void layout_system_range(const struct dump *d, uint64_t *start, uint64_t *end);
/* By name (case-insensitive) or by index in the list. */
const struct region *region_find(const struct region_list *l, const char *name);

#endif
