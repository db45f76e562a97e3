/* Bug check codes kdx can name and explain (from Microsoft's bug check
 * reference), and the crash signatures of doc/scenarios.md §2. */
#ifndef KDX_BUGCHECK_H
#define KDX_BUGCHECK_H

#include <stdint.h>

struct bugcheck_info {
	uint32_t code;
	const char *name;
	const char *meaning;
};

/* NULL when the code is not in kdx's table. */
const struct bugcheck_info *bugcheck_lookup(uint32_t code);

/* A one-line reading of code + parameters when they form a known signature
 * (e.g. 0x7F with parameter 1 = 8: double fault, usually a kernel stack
 * overflow), else NULL. */
const char *bugcheck_signature(uint32_t code, const uint64_t params[4]);

#endif
