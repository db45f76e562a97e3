/* Who a pool block points at: every pointer-sized word inside the block
 * whose value lies in a loaded module's image or in another pool block.
 * The way forward when a tag has no known owner. */
#ifndef KDX_POOLREFS_H
#define KDX_POOLREFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nt/modules.h"
#include "core/nt/pool.h"

/* Bytes of one block read (big allocations can be large) and references
 * kept. */
#define POOLREFS_MAX_BYTES (1u << 20)
#define POOLREFS_MAX 4096u

enum poolref_kind { POOLREF_MODULE, POOLREF_POOL };

struct poolref {
	uint64_t offset;            /* of the word, from the block's data start */
	uint64_t value;
	enum poolref_kind kind;
	size_t module;              /* POOLREF_MODULE: index into the module list */
	int section;                /* its section, -1: none */
	struct pool_block target;   /* POOLREF_POOL: the block the value lies in */
};

struct poolrefs {
	struct pool_block block;    /* the block holding the address asked for */
	uint64_t data, data_size;   /* the bytes searched */
	struct poolref *items;
	size_t count;
	uint64_t words, missing_bytes;
	bool truncated;             /* more than POOLREFS_MAX references */
};

/* ml may be empty (no module list): then only pool targets are found.
 * Fails when va is in no block the page walk or the big-page table knows. */
int poolrefs_find(const struct pool_ctx *c, const struct module_list *ml, uint64_t va,
		  struct poolrefs *out, struct kdx_error *err);
void poolrefs_free(struct poolrefs *r);

#endif
