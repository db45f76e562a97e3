/* Two dumps' pool tracker tables side by side (kdx --diff A B): the change
 * in every column, sorted by growth of nonpaged bytes, the leak between two
 * crashes first. */
#ifndef KDX_POOLDIFF_H
#define KDX_POOLDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nt/pool.h"

struct pool_diff_row {
	uint32_t tag;
	bool in_before, in_after;
	struct pool_tracker_row before, after;   /* zero where the tag is absent */
};

struct pool_diff {
	struct pool_diff_row *rows;
	size_t count;
};

/* Signed change of one counter. */
static inline int64_t pool_diff_change(uint64_t before, uint64_t after)
{
	return (int64_t)(after - before);
}

int pool_diff_build(const struct pool_tracker *before, const struct pool_tracker *after,
		    struct pool_diff *out, struct kdx_error *err);
void pool_diff_free(struct pool_diff *d);

#endif
