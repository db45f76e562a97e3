/* Driver Verifier's special pool, located from its pages. No KDBG field
 * bounds it: XP/2003 keep MmSpecialPoolStart/End, later builds the system
 * VA type map and, on x64 10, MiVisibleState's region table, all kernel
 * variables found only with symbols. So kdx looks where the build puts it
 * (doc/address-space.md §4): the system PTEs on XP/2003, the dynamic system
 * VA from Vista on, for pages laid out as special pool pages. */
#ifndef KDX_SPECIAL_POOL_H
#define KDX_SPECIAL_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/xlat/layout.h"

/* Pages read at most, over all the regions searched. */
#define SPECIAL_POOL_MAX_CHECKS 16384u

struct special_pool_search {
	bool searched_pool;          /* false: the verifier's state says special pool is off */
	unsigned pages, paged;       /* special pool pages found; of them, paged */
	unsigned regions;            /* special-pool regions added */
	uint64_t checked;            /* pages read */
	bool truncated;              /* a walk or the check bound cut the search short */
	char searched[160];          /* the regions searched, by name */
};

/* Unless MmVerifierData's Level lacks the special pool flag and
 * MmSpecialPoolTag is 0 (special pool off), searches the candidate regions
 * of l and adds, for each one holding special
 * pool pages, a region of kind special-pool from its first such page to the
 * last one's guard page (named special-pool, or special-pool-paged and
 * special-pool-nonpaged when its pages are all of one kind); then orders l. */
int special_pool_find(struct dump *d, struct region_list *l, struct special_pool_search *out,
		      struct kdx_error *err);

#endif
