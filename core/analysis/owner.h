/* Whose memory is this: the owner of a virtual address (a pool block or
 * big-page allocation, a module's section, a thread's kernel stack, the PFN
 * database, the page tables, a process's user range, else the layout
 * region), and for a physical page the virtual addresses that map it, from
 * the PFN database's PteAddress or, where that says nothing, a reverse walk
 * of the page tables the dump holds. Built once over the existing models
 * (modules, processes, pool, PFN database, layout); each part the dump
 * lacks is left out and named in the index's note. */
#ifndef KDX_OWNER_H
#define KDX_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/xlat/layout.h"
#include "core/nt/modules.h"
#include "core/nt/pfn.h"
#include "core/nt/pool.h"
#include "core/nt/process.h"

enum owner_kind {
	OWNER_UNKNOWN, OWNER_POOL, OWNER_MODULE, OWNER_STACK, OWNER_PFN_DATABASE,
	OWNER_PAGE_TABLE, OWNER_PROCESS, OWNER_REGION, OWNER_PHYSICAL,
};
/* JSON: "unknown", "pool", "module", "stack", "pfn-database", "page-table",
 * "process", "region", "physical". */
const char *owner_kind_name(enum owner_kind k);

#define OWNER_MAX_MAPPINGS 4

/* A virtual address that maps a physical page. */
struct owner_mapping {
	uint64_t va;
	const struct process *process;   /* NULL: the kernel's (system) space */
	const char *via;                 /* "pfn-database", "page-tables" */
};

struct owner {
	enum owner_kind kind;
	struct pool_block block;                 /* pool */
	const struct module *module;             /* module */
	const struct module_section *section;    /* module: NULL in the headers or a gap */
	uint64_t offset;                         /* module: into the section, else the image */
	const struct thread *thread;             /* stack */
	const struct process *process;           /* stack, process */
	uint64_t pfn;                            /* pfn-database: the entry; physical: the page */
	const char *level;                       /* page-table: "PTE", "PDE", ... */
	uint64_t entry, maps;                    /* page-table: entry VA, the VA it maps */
	const struct region *region;             /* region */
	/* physical */
	bool has_list;
	enum pfn_list list;
	struct owner_mapping mappings[OWNER_MAX_MAPPINGS];
	size_t nmappings;
};

struct owner_index;

/* Never fails for a missing part: the index then answers with less. */
int owner_index_new(struct dump *d, struct owner_index **out, struct kdx_error *err);
void owner_index_free(struct owner_index *ix);
/* Which parts could not be built ("" when all were). */
const char *owner_index_note(const struct owner_index *ix);

/* process: the space va was found in (NULL: the kernel's). */
void owner_of_va(struct owner_index *ix, uint64_t va, const struct process *process,
		 struct owner *o);
void owner_of_pa(struct owner_index *ix, uint64_t pa, struct owner *o);
/* The process with that PID, from the index's list. */
const struct process *owner_process(const struct owner_index *ix, uint32_t pid);

#endif
