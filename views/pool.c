/* `pool ADDR`: the pool page holding ADDR with every block, the one
 * holding ADDR marked; for a big allocation, its big-page table entry. */
#include <stdlib.h>

#include "core/nt/pool.h"
#include "views/commands.h"
#include "views/poolblock.h"

struct covering {
	uint64_t va;
	struct pool_block found;
	bool hit;
};

static int covers(void *ctx, const struct pool_block *b)
{
	struct covering *c = ctx;
	if (b->state == POOL_ALLOCATED && c->va >= b->address && c->va - b->address < b->size) {
		c->found = *b;
		c->hit = true;
		return 1;
	}
	return 0;
}

static int run_pool(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	uint64_t va;
	if (argc != 2 || !parse_number(argv[1], &va))
		return kdx_fail(err, "usage: %s", cmd_pool.usage);
	struct pool_ctx c;
	if (pool_ctx_init(d, &c, err) < 0)
		return -1;
	struct pool_page *pg = malloc(sizeof *pg);
	if (!pg)
		return kdx_fail(err, "pool: out of memory");
	pool_walk_page(&c, va, pg);
	char a[24];
	format_address(d, pg->va, a, sizeof a);
	doc_set_title(out, "Pool page %s", a);
	struct dnode *r = out->root;
	dn_role(dn_label(dn_hex(r, "page", pg->va, 0), "page"), ROLE_ADDRESS);
	dn_bool(r, "readable", pg->readable);
	dn_label(dn_str(r, "walk", c.p->pool->segment_heap ?
			"segment heap: headers found at 16-byte steps; free blocks cannot be told "
			"from headers" : "PreviousSize chain from the page start"), "walk");
	struct dnode *t = dn_label(dn_array(r, "blocks"), "Blocks");
	for (size_t i = 0; i < pg->count; i++) {
		const struct pool_block *b = &pg->blocks[i];
		bool here = va >= b->address && va - b->address < b->size;
		struct dnode *o = pool_block_row(d, t, b);
		dn_label(dn_str(o, "current", here ? "*" : ""), "");
		if (here)
			dn_role(o, ROLE_SELECTION);
	}
	if (pg->broken) {
		dn_role(dn_label(dn_hex(r, "broken_at", pg->break_at, 0), "chain breaks at"),
			ROLE_DANGER);
		dn_role(dn_str(r, "why", pg->why), ROLE_DANGER);
	} else {
		dn_label(dn_null(r, "broken_at"), "chain breaks at");
	}
	struct pool_big_table bt;
	pool_big_find(&c, &bt);
	struct covering cov = { .va = va };
	pool_big_each(&c, &bt, covers, &cov);
	if (cov.hit) {
		struct dnode *big = dn_label(dn_array(r, "big_page"), "Big-page table entry");
		pool_block_row(d, big, &cov.found);
	} else {
		dn_label(dn_null(r, "big_page"), "big-page entry");
	}
	if (!pg->pool_page && !cov.hit)
		dn_role(dn_str(r, "note", pg->readable ? "no pool blocks on this page" :
			       "the page is not in the dump"), ROLE_WARNING);
	free(pg);
	return 0;
}

const struct command cmd_pool = {
	.name = "pool", .usage = "pool ADDR",
	.summary = "the pool page of an address: blocks, sizes, types, tags; big-page entry",
	.windbg = "!pool",
	.run = run_pool,
};
