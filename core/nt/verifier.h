/* Driver Verifier without symbols: the level flags and counters of
 * _MM_DRIVER_VERIFIER_DATA (KDBG MmVerifierData, layout per build in the
 * profile) and the special pool tag (KDBG MmSpecialPoolTag). */
#ifndef KDX_VERIFIER_H
#define KDX_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"

#define VERIFIER_MAX_COUNTERS 48
#define VERIFIER_SPECIAL_POOL 0x1u   /* the Level flag of special pool */
#define VERIFIER_MAX_FLAGS 32

struct verifier_counter {
	const char *name;            /* the PDB's field name */
	uint64_t value;
};

struct verifier_state {
	uint64_t data;               /* the address of MmVerifierData */
	uint32_t level;              /* its Level: the verifier flags */
	struct verifier_counter counters[VERIFIER_MAX_COUNTERS];
	size_t ncounters;
	bool has_tag;
	uint32_t special_pool_tag;
	uint64_t tag_at;             /* the address of MmSpecialPoolTag */
};

int verifier_read(struct dump *d, struct verifier_state *out, struct kdx_error *err);

/* The names of the flags set in level (verifier /querysettings wording);
 * bits kdx has no name for come back as "0x..." in buf. Returns the count. */
size_t verifier_flag_names(uint32_t level, const char *names[VERIFIER_MAX_FLAGS],
			   char buf[VERIFIER_MAX_FLAGS][12]);

#endif
