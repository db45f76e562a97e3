/* The PFN database without symbols: where the MMPFN array is (KDBG
 * MmPfnDatabase or the crash header's PfnDataBase, whichever the dump
 * supports), which physical pages it describes (the kernel's
 * PHYSICAL_MEMORY_DESCRIPTOR), and one entry decoded by the profile
 * (doc/structures.md §8, doc/address-space.md §7). */
#ifndef KDX_PFN_H
#define KDX_PFN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/nt/profile.h"

/* _MMLISTS, the PageLocation values (doc/structures.md §8). */
enum pfn_list {
	PFN_ZEROED, PFN_FREE, PFN_STANDBY, PFN_MODIFIED, PFN_MODIFIED_NO_WRITE, PFN_BAD,
	PFN_ACTIVE, PFN_TRANSITION, PFN_LIST_COUNT
};
/* JSON keys: "Zeroed", "Free", "Standby", "Modified", "ModifiedNoWrite",
 * "Bad", "Active", "Transition". */
const char *pfn_list_key(enum pfn_list l);
/* For people: "Active/Valid" for the active list, otherwise the key. */
const char *pfn_list_label(enum pfn_list l);
/* Whether Flink/Blink link the page into a list (all but active pages). */
bool pfn_list_is_linked(enum pfn_list l);

/* A run of RAM pages, in PFNs; end exclusive. */
struct pfn_run {
	uint64_t first, end;
};

/* More runs than any PHYSICAL_MEMORY_DESCRIPTOR in a dump header holds
 * (doc/dump-format.md §4: 86 on x86). */
#define PFN_MAX_RUNS 128

struct pfn_db {
	struct dump *d;
	const struct profile *p;
	uint64_t base;               /* the MMPFN array */
	const char *base_origin;     /* which candidate held it */
	char base_note[240];         /* the candidates that did not */
	struct pfn_run runs[PFN_MAX_RUNS];
	size_t nruns;
	uint64_t pages;              /* RAM pages over the runs */
	const char *runs_origin;
};

/* Finds the array and the RAM runs. Fails when the dump has no kernel
 * address space, no profile for its build, or no candidate base whose
 * entries check out. */
int pfn_db_open(struct dump *d, struct pfn_db *db, struct kdx_error *err);

struct pfn_entry {
	uint64_t pfn;
	uint64_t address;            /* VA of the MMPFN */
	enum pfn_list list;
	uint64_t flink, blink;       /* list pages */
	uint64_t share_count;        /* active pages (the same bits as Blink) */
	uint64_t reference_count;
	uint64_t pte_address, original_pte, pte_frame;
	bool modified, prototype;
};

/* Reads the entry of one page (any PFN, RAM or not). */
int pfn_read(const struct pfn_db *db, uint64_t pfn, struct pfn_entry *e, struct kdx_error *err);
/* Whether pfn lies in one of the RAM runs. */
bool pfn_is_ram(const struct pfn_db *db, uint64_t pfn);

struct pfn_totals {
	uint64_t pages[PFN_LIST_COUNT];
	uint64_t unreadable;         /* RAM pages whose entry the dump does not hold */
	uint64_t first_unreadable;
};

/* Visits the entry of every RAM page in PFN order, totalling the lists;
 * fn (may be NULL) fails the scan by returning -1 with err set. Reports to
 * the dump's progress and fails ("pfn: scan cancelled") when told to stop. */
int pfn_scan(const struct pfn_db *db,
	     int (*fn)(void *ctx, const struct pfn_entry *e, struct kdx_error *err), void *ctx,
	     struct pfn_totals *totals, struct kdx_error *err);

#endif
