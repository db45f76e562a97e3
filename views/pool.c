/* `pool ADDR`: the pool page holding ADDR with every block, the one
 * holding ADDR marked; for a big allocation, its big-page table entry. */
#include <stdlib.h>

#include "core/nt/pool.h"
#include "core/xlat/layout.h"
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

static void special_to_doc(struct dnode *r, const struct pool_special *s)
{
	struct dnode *o = dn_label(dn_object(r, "special"), "Special pool");
	dn_link(dn_label(dn_hex(o, "allocation", s->data, 0), "allocation"), "db 0x%llx",
		(unsigned long long)s->data);
	dn_label(dn_uint(o, "bytes", s->bytes), "bytes requested");
	dn_link(dn_label(dn_hex(o, "header", s->header, 0), "header"), "db 0x%llx",
		(unsigned long long)s->header);
	char tag[5];
	pool_tag_text(s->tag, tag);
	dn_role(dn_str(o, "tag", tag), ROLE_NAME);
	dn_str(o, "type", s->paged ? "paged" : "nonpaged");
	dn_label(dn_hex(o, "pattern", s->pattern, 2), "fill pattern");
	dn_link(dn_label(dn_hex(o, "guard", s->guard, 0), "guard page"), "pte 0x%llx",
		(unsigned long long)s->guard);
	dn_role(dn_label(dn_bool(o, "guard_absent", s->guard_absent), "guard not mapped"),
		s->guard_absent ? ROLE_OK : ROLE_DANGER);
}

static const char *walk_text(const struct pool_ctx *c, const struct pool_page *pg)
{
	switch (pg->kind) {
	case POOL_PAGE_CLASSIC:
		return "PreviousSize chain from the page start; PoolType 0 is free";
	case POOL_PAGE_LFH:
		return "LFH slots from the decoded BlockOffsets; states from the allocation bitmap";
	case POOL_PAGE_VS:
		return "VS chunks from the subsegment start, headers decoded; states from their "
		       "Allocated bit";
	case POOL_PAGE_LARGE:
		return "a large range of the page segment: no POOL_HEADERs";
	case POOL_PAGE_SPECIAL:
		return "one allocation at the page end, its header at the page start";
	case POOL_PAGE_UNKNOWN:
		break;
	}
	return c->p->pool->segment_heap ? "headers found at block-unit steps; no heap metadata "
					  "tells their states" :
					  "PreviousSize chain from the page start";
}

int pool_address_arg(struct dump *d, const struct command *c, int argc, char **argv,
		     uint64_t *va, struct kdx_error *err)
{
	if (number_arg(err, c, argc, argv, "a pool address", va) < 0)
		return -1;
	uint64_t start, end;
	layout_system_range(d, &start, &end);
	if (*va < start || *va > end)
		return kdx_fail(err, "%s: %s: expected a pool address: 0x%llx is below the system "
				"half (0x%llx up), where the pools are (usage: %s)", c->name, argv[1],
				(unsigned long long)*va, (unsigned long long)start, c->usage);
	return 0;
}

static int run_pool(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	uint64_t va;
	if (pool_address_arg(d, &cmd_pool, argc, argv, &va, err) < 0)
		return -1;
	struct pool_ctx c;
	if (pool_ctx_init(d, d->progress, &c, err) < 0)
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
	struct pool_big_table bt;
	pool_big_find(&c, &bt);
	struct covering cov = { .va = va };
	pool_big_each(&c, &bt, covers, &cov);
	enum pool_page_kind kind = cov.hit ? POOL_PAGE_LARGE : pg->kind;
	dn_role(dn_str(r, "kind", pool_page_kind_name(kind)), ROLE_NAME);
	if (cov.hit)
		dn_label(dn_str(r, "kind_from", "the big-page table"), "kind from");
	else if (pg->kind_why[0])
		dn_label(dn_str(r, "kind_from", pg->kind_why), "kind from");
	if (pg->kind == POOL_PAGE_LFH)
		dn_label(dn_uint(r, "lfh_block_size", pg->lfh_block_size), "LFH block size");
	if (pg->segment) {
		dn_link(dn_label(dn_hex(r, "segment", pg->segment, 0), "page segment"), "db 0x%llx",
			(unsigned long long)pg->segment);
		dn_label(dn_hex(r, "range", pg->range_start, 0), "range");
		dn_label(dn_uint(r, "range_bytes", pg->range_bytes), "range bytes");
	}
	dn_label(dn_str(r, "walk", walk_text(&c, pg)), "walk");
	if (pg->kind == POOL_PAGE_SPECIAL)
		special_to_doc(r, &pg->special);
	if (pg->walk_why[0])
		dn_role(dn_label(dn_str(r, "walk_failed", pg->walk_why), "metadata"), ROLE_WARNING);
	struct dnode *t = dn_label(dn_array(r, "blocks"), "Blocks");
	for (size_t i = 0; i < pg->count; i++) {
		const struct pool_block *b = &pg->blocks[i];
		bool here = va >= b->address && va - b->address < b->size;
		struct dnode *o = pool_block_row(d, t, b);
		dn_flags(dn_label(dn_str(o, "from", pool_state_from_words(b->from)), "from"),
			 DN_SHOWN_ONLY);
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
	if (pg->kind == POOL_PAGE_VS) {
		struct dnode *f = dn_label(dn_array(r, "free_chunks"), "Free VS chunks");
		for (size_t i = 0; i < pg->nfree; i++) {
			struct dnode *o = dn_object(f, NULL);
			dn_role(dn_hex(o, "address", pg->free_chunks[i].address, 0), ROLE_ADDRESS);
			dn_uint(o, "size", pg->free_chunks[i].size);
			dn_link(o, "db 0x%llx", (unsigned long long)pg->free_chunks[i].address);
		}
	}
	if (pg->nlookalikes) {
		struct dnode *l = dn_label(dn_array(r, "lookalikes"),
					   "Headers the heap's metadata puts inside other blocks "
					   "(not blocks)");
		for (size_t i = 0; i < pg->nlookalikes; i++)
			pool_block_row(d, l, &pg->lookalikes[i]);
	}
	if (c.keys.heap_how[0]) {
		/* The keys decode LFH and VS metadata; on other pages they are
		 * noise to people (JSON keeps them). */
		unsigned shown = pg->kind == POOL_PAGE_LFH || pg->kind == POOL_PAGE_VS ? 0 : DN_JSON_ONLY;
		if (c.keys.heap_known)
			dn_flags(dn_label(dn_hex(r, "heap_key", c.keys.heap_key, 0), "VS heap key"), shown);
		else
			dn_flags(dn_label(dn_null(r, "heap_key"), "VS heap key"), shown);
		dn_flags(dn_label(dn_str(r, "heap_key_how", c.keys.heap_how), ""), shown);
		if (c.keys.lfh_known)
			dn_flags(dn_label(dn_hex(r, "lfh_key", c.keys.lfh_key, 0), "LFH key"), shown);
		else
			dn_flags(dn_label(dn_null(r, "lfh_key"), "LFH key"), shown);
		dn_flags(dn_label(dn_str(r, "lfh_key_how", c.keys.lfh_how), ""), shown);
	}
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
