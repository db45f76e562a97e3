/* Driver Verifier in a generated world: MmVerifierData (KDBG) and
 * MmSpecialPoolTag in every world, zero with the verifier off; with it on,
 * its flags and counters, special pool pages holding the leaking driver's
 * allocations, and the bug check 0xC4/0x62 naming that driver. */
#ifndef KDX_GEN_WORLD_VERIFIER_H
#define KDX_GEN_WORLD_VERIFIER_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/gen/world.h"

#define WORLD_SPECIAL_PAGES 3
#define WORLD_MAX_VERIFIER_FIELDS 48

/* One allocation on a special pool page: the data at the page end, the
 * header at the page start, the guard page after it. */
struct world_special {
	uint64_t page, data, bytes, guard;
	uint32_t tag;
	uint8_t pattern;
	bool paged;
};

struct world_verifier {
	bool active;
	const char *const *flag_names;      /* of level, in bit order; NULL-terminated */
	uint64_t data;                      /* MmVerifierData */
	uint32_t level;
	uint64_t values[WORLD_MAX_VERIFIER_FIELDS];   /* the profile's fields after Level */
	uint32_t special_pool_tag;
	struct world_special special[WORLD_SPECIAL_PAGES];
	size_t nspecial;
	const char *driver;                 /* the one the bug check names */
	uint64_t outstanding;               /* its allocations still in the pool */
};

/* kdx-gen --verifier: worlds built from now on run Driver Verifier. */
void world_set_verifier(bool on);
bool world_verifier_on(void);

#endif
