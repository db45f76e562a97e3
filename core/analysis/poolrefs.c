#include "core/analysis/poolrefs.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"

struct covering {
	uint64_t va;
	struct pool_block *out;
	bool hit;
};

static int covers(void *ctx, const struct pool_block *b)
{
	struct covering *c = ctx;
	if (b->state != POOL_FREE && c->va >= b->address && c->va - b->address < b->size) {
		*c->out = *b;
		c->hit = true;
		return 1;
	}
	return 0;
}

/* The allocated block holding va: the page walk first, then the big-page
 * table. */
static bool pool_block_containing(const struct pool_ctx *c, const struct pool_big_table *bt,
				  uint64_t va, struct pool_block *out)
{
	bool in_pool = c->has_pp && va >= c->pp_start && va <= c->pp_end;
	for (size_t i = 0; i < c->n_np; i++)
		in_pool |= va >= c->np_start[i] && va <= c->np_end[i];
	if (!in_pool)
		return false;
	struct pool_page *pg = malloc(sizeof *pg);
	if (!pg)
		return false;
	pool_walk_page(c, va, pg);
	bool hit = false;
	for (size_t i = 0; i < pg->count && !hit; i++)
		if (va >= pg->blocks[i].address && va - pg->blocks[i].address < pg->blocks[i].size) {
			*out = pg->blocks[i];
			hit = true;
		}
	/* A page of small blocks is no big allocation. */
	bool small_page = pg->pool_page;
	free(pg);
	if (hit || small_page)
		return hit;
	struct covering cov = { va, out, false };
	pool_big_each(c, bt, covers, &cov);
	return cov.hit;
}

static bool add_ref(struct poolrefs *r, size_t *cap, const struct poolref *ref)
{
	if (r->count == POOLREFS_MAX) {
		r->truncated = true;
		return true;
	}
	if (r->count == *cap) {
		size_t n = *cap ? *cap * 2 : 32;
		struct poolref *items = realloc(r->items, n * sizeof *items);
		if (!items)
			return false;
		r->items = items;
		*cap = n;
	}
	r->items[r->count++] = *ref;
	return true;
}

int poolrefs_find(const struct pool_ctx *c, const struct module_list *ml, uint64_t va,
		  struct poolrefs *r, struct kdx_error *err)
{
	memset(r, 0, sizeof *r);
	struct pool_big_table bt;
	pool_big_find(c, &bt);
	if (!pool_block_containing(c, &bt, va, &r->block))
		return kdx_fail(err, "poolrefs: 0x%llx is in no allocated pool block (page walk and "
				"big-page table)", (unsigned long long)va);
	r->data = r->block.address + (r->block.big ? 0 : c->p->pool->header_size);
	r->data_size = r->block.address + r->block.size - r->data;
	if (r->data_size > POOLREFS_MAX_BYTES)
		r->data_size = POOLREFS_MAX_BYTES;
	uint8_t *buf = malloc(r->data_size ? r->data_size : 1);
	if (!buf)
		return kdx_fail(err, "poolrefs: out of memory");
	struct hole_list holes = { 0 };
	xlat_read(c->d->kernel, r->data, buf, r->data_size, &holes);
	for (size_t i = 0; i < holes.count; i++)
		r->missing_bytes += holes.items[i].size;
	hole_list_free(&holes);
	unsigned ps = dump_ptr_size(c->d);
	size_t cap = 0;
	for (uint64_t off = 0; off + ps <= r->data_size; off += ps) {
		r->words++;
		uint64_t v = le_bytes(buf + off, ps);
		struct poolref ref = { .offset = off, .value = v, .section = -1 };
		const struct module *m = modules_find(ml, v);
		if (m) {
			const struct module_section *s = module_section_at(m, v - m->base);
			ref.kind = POOLREF_MODULE;
			ref.module = (size_t)(m - ml->items);
			ref.section = s ? (int)(s - m->sections) : -1;
		} else if (pool_block_containing(c, &bt, v, &ref.target)) {
			ref.kind = POOLREF_POOL;
		} else {
			continue;
		}
		if (!add_ref(r, &cap, &ref)) {
			free(buf);
			poolrefs_free(r);
			return kdx_fail(err, "poolrefs: out of memory");
		}
	}
	free(buf);
	return 0;
}

void poolrefs_free(struct poolrefs *r)
{
	free(r->items);
	r->items = NULL;
	r->count = 0;
}
