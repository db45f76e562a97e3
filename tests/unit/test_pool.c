/* The pool readers against a generated win7-x64 world, in process: exact
 * tracker rows and leak, a pool page block by block, and the corrupt
 * variants (a page whose blocks do not tile it, a tracker pointer outside
 * any mapping, a huge claimed count) giving bounded, clear results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "core/memsummary.h"
#include "core/pool.h"
#include "core/pooltag.h"
#include "tests/unit/fixtures.h"
#include "tests/gen/world_pool.h"

static struct world w;

static int setup(void **state)
{
	(void)state;
	struct kdx_error err;
	return world_build(&w, profile_by_name("win7-x64"), 7, &err);
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	fixture_cleanup();
	return 0;
}

static struct dump *open_world(const char *name)
{
	char path[256];
	struct kdx_error err = { "" };
	snprintf(path, sizeof path, "%s/%s", fixture_dir(), name);
	assert_int_equal(gen_write(&w.img, GEN_FULL, path, &err), 0);
	struct dump *d = NULL;
	if (dump_open(path, &d, &err) < 0)
		fail_msg("%s", err.msg);
	return d;
}

/* Stores v at kernel VA va of the world's image (through the dump's own
 * translation, which the xlat tests check). */
static void poke(struct dump *d, uint64_t va, uint64_t v, unsigned size)
{
	uint64_t pa;
	assert_int_equal(xlat_to_phys(d->kernel, va, &pa), XLAT_OK);
	for (unsigned i = 0; i < size; i++)
		w.img.pages[(pa + i) >> 12][(pa + i) & 0xfff] = (uint8_t)(v >> (8 * i));
}

static void test_tracker_rows(void **state)
{
	(void)state;
	struct dump *d = open_world("good.dmp");
	struct pool_tracker t;
	struct kdx_error err;
	assert_int_equal(pool_tracker_read(d, &t, &err), 0);
	assert_int_equal(t.count, w.pool->nrows);
	assert_int_equal(t.claimed, w.pool->track_table_entries);
	for (size_t i = 0; i < w.pool->nrows; i++) {
		const struct world_tracker_row *want = &w.pool->rows[i];
		const struct pool_tracker_row *got = NULL;
		for (size_t k = 0; k < t.count; k++)
			if (t.rows[k].tag == want->tag)
				got = &t.rows[k];
		assert_non_null(got);
		assert_int_equal(got->nonpaged_allocs, want->nonpaged_allocs);
		assert_int_equal(got->nonpaged_frees, want->nonpaged_frees);
		assert_int_equal(got->nonpaged_bytes, want->nonpaged_bytes);
		assert_int_equal(got->paged_allocs, want->paged_allocs);
		assert_int_equal(got->paged_bytes, want->paged_bytes);
	}
	pool_tracker_free(&t);

	struct pool_ctx c;
	struct pool_scan s;
	assert_int_equal(pool_ctx_init(d, &c, &err), 0);
	assert_int_equal(pool_scan_tag(&c, w.pool->leak_tag, NULL, NULL, &s, &err), 0);
	uint64_t bytes = 0;
	for (size_t i = 0; i < s.count; i++)
		bytes += s.blocks[i].size;
	assert_int_equal(s.count, w.pool->leak_blocks);
	assert_int_equal(bytes, w.pool->leak_bytes);
	assert_int_equal(s.broken_pages, 0);
	pool_scan_free(&s);

	struct mem_summary m;
	memsummary_build(d, &m);
	for (size_t i = 0; i < w.pool->nvm; i++) {
		const struct mem_figure *f = memsummary_figure(&m, w.pool->vm[i].name);
		assert_non_null(f);
		assert_int_equal(f->has, w.pool->vm[i].has);
		assert_int_equal(f->pages, w.pool->vm[i].pages);
	}
	dump_close(d);
}

static int cancel_at_once(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	(void)done;
	(void)total;
	return 1;
}

static void test_scan_cancel(void **state)
{
	(void)state;
	struct dump *d = open_world("cancel.dmp");
	struct pool_ctx c;
	struct pool_scan s;
	struct kdx_error err;
	assert_int_equal(pool_ctx_init(d, &c, &err), 0);
	assert_int_equal(pool_scan_tag(&c, w.pool->leak_tag, cancel_at_once, NULL, &s, &err), 0);
	assert_true(s.cancelled);
	assert_true(s.count < w.pool->leak_blocks);
	pool_scan_free(&s);
	dump_close(d);
}

/* A block whose BlockSize overshoots its page: the walk stops there,
 * names the place, and the blocks before it stay listed. */
static void test_bad_tiling(void **state)
{
	(void)state;
	const struct world_pool_page *pg = &w.pool->pages[0];
	const struct world_pool_block *third = &w.pool->blocks[pg->first_block + 2];
	struct dump *d = open_world("tiling.dmp");
	poke(d, third->address + 2, 0xff, 1);   /* x64 BlockSize byte (§6.1) */
	dump_close(d);
	d = open_world("tiling.dmp");
	struct pool_ctx c;
	struct kdx_error err;
	assert_int_equal(pool_ctx_init(d, &c, &err), 0);
	struct pool_page *p = malloc(sizeof *p);
	pool_walk_page(&c, pg->va, p);
	assert_true(p->broken);
	assert_int_equal(p->break_at, third->address);
	assert_int_equal(p->count, 2);
	assert_non_null(strstr(p->why, "past the page end"));
	free(p);
	poke(d, third->address + 2, third->size / 16, 1);
	dump_close(d);
}

static void test_tracker_pointer_unmapped(void **state)
{
	(void)state;
	const struct world_kvar *v = world_kvar(&w, "PoolTrackTable");
	struct dump *d = open_world("tracker.dmp");
	poke(d, v->address, 0xfffff6fb7dbe0000ull, 8);
	dump_close(d);
	d = open_world("tracker.dmp");
	struct pool_tracker t;
	struct kdx_error err;
	assert_int_equal(pool_tracker_read(d, &t, &err), -1);
	assert_non_null(strstr(err.msg, "not mapped"));
	assert_non_null(strstr(err.msg, "0xfffff6fb7dbe0000"));
	poke(d, v->address, v->value, 8);
	dump_close(d);
}

static void test_huge_count(void **state)
{
	(void)state;
	const struct world_kvar *v = world_kvar(&w, "PoolTrackTableSize");
	struct dump *d = open_world("count.dmp");
	poke(d, v->address, 0x7fffffffull, 8);
	dump_close(d);
	d = open_world("count.dmp");
	struct pool_tracker t;
	struct kdx_error err;
	assert_int_equal(pool_tracker_read(d, &t, &err), 0);
	assert_int_equal(t.claimed, 0x7fffffffull);
	assert_int_equal(t.read, POOL_TRACKER_MAX_ENTRIES);
	assert_int_equal(t.count, w.pool->nrows);
	assert_non_null(strstr(t.note, "claimed; read the first 65537"));
	pool_tracker_free(&t);
	poke(d, v->address, v->value, 8);
	dump_close(d);
}

static void test_pooltag_parse(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/pooltag.txt", fixture_dir());
	FILE *f = fopen(path, "w");
	fputs("// comment\nrem also a comment\n\n Irp  - nt!io - Io, IRP packets\n"
	      "Xy - only a description\n", f);
	fclose(f);
	struct pooltag_db db;
	struct kdx_error err;
	assert_int_equal(pooltag_load(path, &db, &err), 0);
	assert_int_equal(db.count, 2);
	uint32_t tag;
	assert_true(pool_tag_parse("Irp", &tag));
	const struct pooltag_entry *e = pooltag_lookup(&db, tag);
	assert_non_null(e);
	assert_string_equal(e->owner, "nt!io");
	assert_string_equal(e->description, "Io, IRP packets");
	assert_true(pool_tag_parse("Xy", &tag));
	e = pooltag_lookup(&db, tag);
	assert_null(e->owner);
	assert_string_equal(e->description, "only a description");
	pooltag_free(&db);
	f = fopen(path, "w");
	fputs("TooLongTag - x\n", f);
	fclose(f);
	assert_int_equal(pooltag_load(path, &db, &err), -1);
	assert_non_null(strstr(err.msg, ":1: expected"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracker_rows),
		cmocka_unit_test(test_scan_cancel),
		cmocka_unit_test(test_bad_tiling),
		cmocka_unit_test(test_tracker_pointer_unmapped),
		cmocka_unit_test(test_huge_count),
		cmocka_unit_test(test_pooltag_parse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
