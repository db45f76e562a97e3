/* The world builder's helpers for the parts of a world built in their own
 * files (world_pool.c). Valid only while world_build() runs. */
#ifndef KDX_GEN_WORLD_BUILD_H
#define KDX_GEN_WORLD_BUILD_H

#include "tests/gen/world.h"

uint64_t world_rnd_below(struct world *w, uint64_t n);
/* The VA at which a teaching large page maps the n bytes at pa a second
 * time; false when none does. */
bool world_pa_alias(const struct world *w, uint64_t pa, uint64_t n, uint64_t *va);
/* npages fresh kernel data pages at the next free VA of the named region
 * ("NonPagedPool", "PagedPool"); returns the first VA. */
uint64_t world_region_pages(struct world *w, const char *region, uint64_t npages);
void world_kput(struct world *w, uint64_t va, uint64_t v, unsigned size);
void world_kput_bytes(struct world *w, uint64_t va, const void *p, size_t n);
/* Pointer-aligned space in the kernel image's .data. */
uint64_t world_data_alloc(struct world *w, uint64_t size);
/* Physical address of the page table holding va's PTE, created if absent. */
uint64_t world_leaf_table(struct world *w, uint64_t va);
/* The same without creating it: false when an upper entry is absent. */
bool world_leaf_table_present(struct world *w, uint64_t va, uint64_t *table_pa);
void world_map_data_page(struct world *w, uint64_t va, uint64_t pfn);
void world_map_code_page(struct world *w, uint64_t va, uint64_t pfn);
uint64_t world_alloc_pages(struct world *w, uint64_t n);

uint64_t world_alloc_user_pages(struct world *w, uint64_t n);
void world_fill_pattern(struct world *w, uint64_t pfn);
uint64_t world_get_phys(const struct world *w, uint64_t pa, unsigned size);
void world_put_phys(struct world *w, uint64_t pa, uint64_t v, unsigned size);
uint64_t world_kget(const struct world *w, uint64_t va, unsigned size);
/* The walk of va from top (a masked DTB) as the tables stand; world_pa
 * aborts when va does not translate. */
void world_walk(const struct world *w, uint64_t top, uint64_t va, struct walk *out);
uint64_t world_pa(const struct world *w, uint64_t top, uint64_t va);
/* Writes raw as va's entry at level (0 = top) under top, creating tables. */
void world_map_entry(struct world *w, uint64_t top, uint64_t va, int level, uint64_t raw,
		     bool user);
void world_map_user_page(struct world *w, uint64_t top, uint64_t va, uint64_t pfn);
void world_map_kernel_page_in(struct world *w, uint64_t top, uint64_t va, uint64_t pfn);
/* A process's top-level table sharing the kernel's system entries. */
uint64_t world_new_address_space(struct world *w);
/* VA space of a region without mapping it; the region's bounds. */
uint64_t world_region_reserve(struct world *w, const char *region, uint64_t npages);
uint64_t world_region_start(const struct world *w, const char *region);
uint64_t world_region_end(const struct world *w, const char *region);
/* A teaching address: the walk of va from top must stop at expect_stop
 * (-1: translate to expect_pa). */
struct world_xlat *world_teach(struct world *w, const char *kind, uint64_t top, uint64_t va,
			       int expect_stop, uint64_t expect_pa);

/* A kernel variable of size bytes in .data holding value, recorded in the
 * truth; a nonzero kdbg_offset makes that KDBG field name it (when the
 * build's block is long enough). Returns its VA. */
uint64_t world_kvar_new(struct world *w, const char *name, unsigned kdbg_offset, uint64_t value,
			unsigned size);
/* The same for a structure of bytes bytes whose first field, pointer wide,
 * holds first (the rest zero, for the caller to fill). */
uint64_t world_kvar_struct(struct world *w, const char *name, unsigned kdbg_offset, uint64_t first,
			   unsigned bytes);
/* Re-reads a pointer-sized kernel variable (a list head that gained
 * entries) into its kvar record. */
void world_kvar_refresh(struct world *w, const char *name);

/* The self-map VA of va's PTE (doc/address-space.md §3.2); a page-file software
 * PTE in the profile's format (§2). */
uint64_t world_pte_va(const struct world *w, uint64_t va);
uint64_t world_pagefile_pte(const struct world *w, uint64_t file, uint64_t offset,
			    unsigned prot);

/* Prototype PTE forms for section objects: subsection format (not XP),
 * transition, and a valid read-only page. */
uint64_t world_subsection_pte(const struct world *w, uint64_t subsection, unsigned prot);
/* A prototype-format PTE naming the prototype PTE at proto (§2.3-2.5). */
uint64_t world_prototype_pte(const struct world *w, uint64_t proto);
uint64_t world_transition_pte(uint64_t pfn, unsigned prot);
/* Writes a kernel leaf entry (a software PTE) for va. */
void world_map_kernel_pte(struct world *w, uint64_t va, uint64_t raw);
/* Whether a leaf entry maps a page: valid, transition or page file; and
 * whether it is in the page file. */
bool world_pte_maps_page(const struct world *w, uint64_t raw);
bool world_pte_in_pagefile(const struct world *w, uint64_t raw);
uint64_t world_user_valid_pte(struct world *w, uint64_t pfn);

/* world_procs.c: sessions, processes and threads; before the pool. */
int world_build_procs(struct world *w, struct kdx_error *err);
void world_procs_free(struct world *w);
/* Maps a kernel page at a session-space VA for every member of session. */
void world_session_map_page(struct world *w, size_t session, uint64_t va, uint64_t pfn);

/* world_modules.c: PsLoadedModuleList and the images; after processes
 * (session images need the sessions). place_tag runs after the pool. */
int world_build_modules(struct world *w, struct kdx_error *err);
void world_modules_place_tag(struct world *w);
void world_modules_free(struct world *w);

/* world_files.c: mapped files and their prototype PTEs; before the pool. */
int world_build_files(struct world *w, struct kdx_error *err);
void world_files_free(struct world *w);

/* world_pfn.c: the PFN database; last, once every page is placed. */
int world_build_pfn(struct world *w, struct kdx_error *err);
void world_pfn_free(struct world *w);

/* world_search.c: the search plants; before the pool (whose figures count
 * the free system PTEs), the pool's once it exists, and the free page's
 * once the PFN database does. */
int world_build_search(struct world *w, struct kdx_error *err);
void world_search_pool(struct world *w);
void world_search_free_page(struct world *w);
void world_search_free(struct world *w);

/* world_pool.c: the pool and the memory-summary variables; called last. */
int world_build_pool(struct world *w, struct kdx_error *err);
void world_pool_free(struct world *w);

/* world_verifier.c: Driver Verifier; after the pool and the modules. */
int world_build_verifier(struct world *w, struct kdx_error *err);
void world_verifier_free(struct world *w);

#endif
