/* One pool block as a table row: shared by `pool` and `poolfind`. */
#ifndef KDX_VIEWS_POOLBLOCK_H
#define KDX_VIEWS_POOLBLOCK_H

#include "core/nt/pool.h"
#include "views/command.h"

/* address (opens the hex view), size, previous size, type, tag, state. */
struct dnode *pool_block_row(struct dump *d, struct dnode *table, const struct pool_block *b);

#endif
