/* One pool block as a table row: shared by `pool` and `poolfind`; the
 * address argument of `pool` and `poolrefs`. */
#ifndef KDX_VIEWS_POOLBLOCK_H
#define KDX_VIEWS_POOLBLOCK_H

#include "core/nt/pool.h"
#include "views/command.h"

/* address (opens the hex view), size, previous size, type, tag, state. */
struct dnode *pool_block_row(struct dump *d, struct dnode *table, const struct pool_block *b);

/* c's one argument, ADDR: an address in the system half, where the pools
 * are (`pool 0` is a mistake, not a page to show). */
int pool_address_arg(struct dump *d, const struct command *c, int argc, char **argv,
		     uint64_t *va, struct kdx_error *err);

#endif
