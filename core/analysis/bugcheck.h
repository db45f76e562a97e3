/* Bug check codes kdx can name and explain (from Microsoft's bug check
 * reference), and the crash signatures of doc/scenarios.md §2. */
#ifndef KDX_BUGCHECK_H
#define KDX_BUGCHECK_H

#include <stdbool.h>
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

/* What a parameter is, and where it leads: an address in the pool (opens
 * `pool`), another address (opens the bytes), the driver whose name a
 * UNICODE_STRING at the address holds, or a plain value. */
enum bugcheck_arg { BUGCHECK_ARG_VALUE, BUGCHECK_ARG_POOL, BUGCHECK_ARG_ADDRESS,
		    BUGCHECK_ARG_DRIVER_NAME };

struct bugcheck_decoding {
	const char *cause;           /* what this code and subcode mean */
	const char *params[4];       /* what each parameter is; NULL: reserved */
	enum bugcheck_arg kinds[4];
};

/* The Driver Verifier bug checks (0xC4 by its subcode in parameter 1,
 * 0xC1 by parameter 4, 0xD5, 0xD6) as Microsoft's bug check reference
 * describes them; false for other codes and subcodes kdx does not know. */
bool bugcheck_decode(uint32_t code, const uint64_t params[4], struct bugcheck_decoding *out);

#endif
