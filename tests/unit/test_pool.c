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

#include "core/analysis/memsummary.h"
#include "core/nt/mmst.h"
#include "core/nt/modules.h"
#include "core/nt/pool.h"
#include "core/analysis/poolrefs.h"
#include "core/analysis/pooltag.h"
#include "core/analysis/tagowner.h"
#include "tests/unit/fixtures.h"
#include "tests/gen/world_files.h"
#include "tests/gen/world_modules.h"
#include "tests/gen/world_pool.h"

static struct world w;

#define TAG_FILE 0x656c6946u   /* "File": a kernel tag no driver image holds */

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
	struct kdx_error err = { .msg = "" };
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
	assert_int_equal(pool_ctx_init(d, NULL, &c, &err), 0);
	assert_int_equal(pool_scan_tag(&c, w.pool->leak_tag, 0, NULL, NULL, &s, &err), 0);
	uint64_t bytes = 0;
	for (size_t i = 0; i < s.count; i++)
		bytes += s.blocks[i].size;
	assert_int_equal(s.count, w.pool->leak_blocks);
	assert_int_equal(bytes, w.pool->leak_bytes);
	assert_int_equal(s.broken_pages, 0);
	pool_scan_free(&s);

	struct mem_summary m;
	memsummary_build(d, true, &m);
	for (size_t i = 0; i < w.pool->nvm; i++) {
		const struct mem_figure *f = memsummary_figure(&m, w.pool->vm[i].name);
		assert_non_null(f);
		assert_int_equal(f->has, w.pool->vm[i].has);
		assert_int_equal(f->pages, w.pool->vm[i].pages);
	}
	dump_close(d);
}

/* Stops at the second report of the page scan (the page-table walk
 * reports before it): the scan has begun when it is cancelled. */
static bool cancel_second(void *ctx, uint64_t done, uint64_t total, const char *what)
{
	(void)done;
	(void)total;
	return strcmp(what, "scanning pool pages") != 0 || ++*(int *)ctx < 2;
}

struct hits {
	uint32_t tag;
	uint64_t count;
};

static void count_hit(void *ctx, const struct pool_block *b, bool unverified)
{
	struct hits *h = ctx;
	assert_false(unverified);
	assert_int_equal(b->tag, h->tag);
	h->count++;
}

/* Cancelled, the scan keeps the blocks it found and says so. */
static void test_scan_cancel(void **state)
{
	(void)state;
	struct dump *d = open_world("cancel.dmp");
	struct pool_ctx c;
	struct pool_scan s;
	struct kdx_error err;
	int calls = 0;
	const struct progress stop = { .update = cancel_second, .ctx = &calls };
	d->progress = &stop;
	struct hits h = { w.pool->leak_tag, 0 };
	assert_int_equal(pool_ctx_init(d, d->progress, &c, &err), 0);
	assert_int_equal(pool_scan_tag(&c, w.pool->leak_tag, 0, count_hit, &h, &s, &err), 0);
	assert_int_equal(calls, 2);
	assert_true(s.cancelled);
	assert_int_equal(s.found, h.count);
	assert_int_equal(s.count, h.count);
	assert_true(s.found <= w.pool->leak_blocks);
	assert_true(s.scanned_bytes > 0 && s.scanned_bytes <= 256 * KDX_PAGE_SIZE);
	pool_scan_free(&s);
	d->progress = NULL;
	dump_close(d);
}

/* Cancelled in the page-table walk, before any page: nothing found, and
 * said so. */
static bool cancel_walk(void *ctx, uint64_t done, uint64_t total, const char *what)
{
	(void)ctx;
	(void)done;
	(void)total;
	return strcmp(what, "walking the pool's page tables") != 0;
}

static void test_walk_cancel(void **state)
{
	(void)state;
	struct dump *d = open_world("cancel-walk.dmp");
	struct pool_ctx c;
	struct pool_scan s;
	struct kdx_error err;
	assert_int_equal(pool_ctx_init(d, NULL, &c, &err), 0);
	const struct progress stop = { .update = cancel_walk };
	d->progress = &stop;
	assert_int_equal(pool_scan_tag(&c, TAG_FILE, 0, NULL, NULL, &s, &err), 0);
	assert_true(s.cancelled);
	assert_int_equal(s.scanned_bytes, 0);
	pool_scan_free(&s);
	d->progress = NULL;
	dump_close(d);
}

/* keep bounds what is kept, not what is found: every block is counted,
 * passed on and its bytes summed. */
static void test_scan_keep(void **state)
{
	(void)state;
	struct dump *d = open_world("keep.dmp");
	struct pool_ctx c;
	struct pool_scan s;
	struct kdx_error err;
	struct hits h = { w.pool->leak_tag, 0 };
	assert_int_equal(pool_ctx_init(d, NULL, &c, &err), 0);
	assert_int_equal(pool_scan_tag(&c, w.pool->leak_tag, 3, count_hit, &h, &s, &err), 0);
	assert_false(s.cancelled);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.found, w.pool->leak_blocks);
	assert_int_equal(h.count, w.pool->leak_blocks);
	assert_int_equal(s.bytes, w.pool->leak_bytes);
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
	assert_int_equal(pool_ctx_init(d, NULL, &c, &err), 0);
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

/* The module list as built, in load order; the PE sections of every image,
 * session images read through a session member's page tables. */
static void test_modules(void **state)
{
	(void)state;
	struct dump *d = open_world("modules.dmp");
	struct module_list ml;
	struct kdx_error err;
	assert_int_equal(modules_read(d, &ml, &err), 0);
	assert_true(ml.complete);
	assert_string_equal(ml.note, "");
	assert_int_equal(ml.count, w.modules->nmodules);
	for (size_t i = 0; i < ml.count; i++) {
		const struct world_module *want = &w.modules->modules[i];
		const struct module *got = &ml.items[i];
		assert_string_equal(got->name, want->name);
		assert_string_equal(got->full_name, want->full_name);
		assert_int_equal(got->base, want->base);
		assert_int_equal(got->size, want->size);
		assert_int_equal(got->entry_point, want->entry_point);
		assert_int_equal(got->ldr, want->ldr);
		assert_true(got->headers_read);
		assert_int_equal(got->session_image, want->session_image);
		assert_ptr_equal(got->reader, want->session_image ? ml.session : d->kernel);
		const struct module_section *text = module_section_at(got, 0x2000);
		assert_non_null(text);
		assert_string_equal(text->name, ".text");
		assert_true(text->code);
		assert_ptr_equal(modules_find(&ml, want->base + want->size - 1), got);
	}
	modules_free(&ml);
	dump_close(d);
}

/* The leaking tag is in exactly one driver's code, at the slot the
 * builder chose: one candidate, in .text, and that driver is the owner. */
static void test_tagowner(void **state)
{
	(void)state;
	struct dump *d = open_world("tagowner.dmp");
	struct module_list ml;
	struct tag_owner o;
	struct kdx_error err;
	assert_int_equal(modules_read(d, &ml, &err), 0);
	uint32_t tags[] = { TAG_FILE, w.pool->leak_tag };
	assert_int_equal(tagowner_search(d, &ml, tags, 2, &o, &err), 0);
	const struct world_module *want = &w.modules->modules[w.modules->tag_driver];
	assert_int_equal(o.count, 1);
	assert_int_equal(o.hits, 1);
	assert_int_equal(o.items[0].tag, 1);
	assert_true(o.items[0].code);
	assert_string_equal(ml.items[o.items[0].module].name, want->name);
	assert_int_equal(o.items[0].offset, want->tag_slot - want->base);
	assert_string_equal(ml.items[o.items[0].module].sections[o.items[0].section].name, ".text");
	assert_ptr_equal(tagowner_best(&ml, &o, 1), &ml.items[o.items[0].module]);
	assert_null(tagowner_best(&ml, &o, 0));
	assert_string_equal(want->name, w.pool->leak_owner);
	tagowner_free(&o);
	modules_free(&ml);
	dump_close(d);
}

/* A Flink that leads back to an entry already read: the walk stops there,
 * keeps what it read and says why; a hostile name length stays bounded. */
/* The tag's bytes also in the kernel's .data (the first module): the code
 * hit still ranks first, the data hit follows, both counted. */
static void test_tagowner_ranking(void **state)
{
	(void)state;
	const struct world_module *nt = &w.modules->modules[0];
	const struct world_module *want = &w.modules->modules[w.modules->tag_driver];
	uint64_t data_hit = nt->base + nt->size - 0x100;   /* the last page is .data */
	struct dump *d = open_world("rank.dmp");
	uint64_t saved;
	assert_true(dump_read_ptr(d, data_hit, &saved));
	poke(d, data_hit, w.pool->leak_tag, 4);
	dump_close(d);
	d = open_world("rank.dmp");
	struct module_list ml;
	struct tag_owner o;
	struct kdx_error err;
	assert_int_equal(modules_read(d, &ml, &err), 0);
	assert_int_equal(tagowner_search(d, &ml, &w.pool->leak_tag, 1, &o, &err), 0);
	assert_int_equal(o.count, 2);
	assert_true(o.items[0].code);
	assert_string_equal(ml.items[o.items[0].module].name, want->name);
	assert_false(o.items[1].code);
	assert_int_equal(o.items[1].module, 0);
	assert_int_equal(o.items[1].offset, nt->size - 0x100);
	assert_string_equal(ml.items[0].sections[o.items[1].section].name, ".data");
	assert_ptr_equal(tagowner_best(&ml, &o, 0), &ml.items[o.items[0].module]);
	tagowner_free(&o);
	modules_free(&ml);
	poke(d, data_hit, saved, 8);
	dump_close(d);
}

/* A hostile SizeOfImage: that image is searched only up to the bound, the
 * search still ends and still names the owner. */
static void test_tagowner_huge_image(void **state)
{
	(void)state;
	const struct world_module *m1 = &w.modules->modules[1];
	struct dump *d = open_world("huge.dmp");
	poke(d, m1->ldr + 0x40, 0xfffff000u, 4);          /* SizeOfImage, x64 (§5) */
	dump_close(d);
	d = open_world("huge.dmp");
	struct module_list ml;
	struct tag_owner o;
	struct kdx_error err;
	assert_int_equal(modules_read(d, &ml, &err), 0);
	assert_int_equal(ml.items[1].size, 0xfffff000u);
	assert_int_equal(tagowner_search(d, &ml, &w.pool->leak_tag, 1, &o, &err), 0);
	assert_int_equal(o.clipped_images, 1);
	assert_true(o.searched_bytes + o.missing_bytes <= TAGOWNER_MAX_TOTAL);
	assert_string_equal(tagowner_best(&ml, &o, 0)->name, w.pool->leak_owner);
	tagowner_free(&o);
	modules_free(&ml);
	poke(d, m1->ldr + 0x40, m1->size, 4);
	dump_close(d);
}

static void test_module_ring_loop(void **state)
{
	(void)state;
	const struct world_module *m1 = &w.modules->modules[1], *m3 = &w.modules->modules[3];
	struct dump *d = open_world("ring.dmp");
	poke(d, m3->ldr, m1->ldr, 8);                 /* InLoadOrderLinks.Flink (§5) */
	poke(d, m1->ldr + 0x58, 0xfffe, 2);           /* BaseDllName.Length, x64 */
	dump_close(d);
	d = open_world("ring.dmp");
	struct module_list ml;
	struct kdx_error err;
	assert_int_equal(modules_read(d, &ml, &err), 0);
	assert_false(ml.complete);
	assert_int_equal(ml.count, 4);
	assert_non_null(strstr(ml.note, "loops back to an entry already read"));
	assert_true(strlen(ml.items[1].name) < MODULE_NAME_MAX);
	modules_free(&ml);
	poke(d, m3->ldr, w.modules->modules[4].ldr, 8);
	poke(d, m1->ldr + 0x58, 2 * strlen(m1->name), 2);
	dump_close(d);
}

/* A leak block points at another pool block's data and into the kernel
 * image: both come out, with the block and the module they lead to. */
static void test_poolrefs(void **state)
{
	(void)state;
	struct dump *d = open_world("refs.dmp");
	struct pool_ctx c;
	struct module_list ml;
	struct poolrefs r;
	struct kdx_error err;
	assert_int_equal(pool_ctx_init(d, NULL, &c, &err), 0);
	assert_int_equal(modules_read(d, &ml, &err), 0);
	const struct world_pool_block *leak = NULL;
	for (size_t i = 0; i < w.pool->nblocks && !leak; i++)
		if (w.pool->blocks[i].tag == w.pool->leak_tag && !w.pool->blocks[i].big)
			leak = &w.pool->blocks[i];
	assert_non_null(leak);
	assert_int_equal(poolrefs_find(&c, &ml, leak->address + 0x20, &r, &err), 0);
	assert_int_equal(r.block.address, leak->address);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.items[0].offset, 0);
	assert_int_equal(r.items[0].kind, POOLREF_POOL);
	assert_int_equal(r.items[0].value, w.pool->leak_points_at);
	assert_int_equal(r.items[0].target.address + 16, w.pool->leak_points_at);
	assert_int_equal(r.items[1].offset, 8);
	assert_int_equal(r.items[1].kind, POOLREF_MODULE);
	assert_string_equal(ml.items[r.items[1].module].name, "ntoskrnl.exe");
	assert_in_range(r.items[1].value, w.pool->leak_points_into_kernel_min,
			w.pool->leak_points_into_kernel_max);
	poolrefs_free(&r);
	assert_int_equal(poolrefs_find(&c, &ml, w.kernel_base, &r, &err), -1);
	assert_non_null(strstr(err.msg, "in no allocated pool block"));
	modules_free(&ml);
	dump_close(d);
}

/* MmSt blocks lead to their files; a CONTROL_AREA that no longer points
 * back at its SEGMENT leaves that block unknown, saying why. */
static void test_mmst_files(void **state)
{
	(void)state;
	const struct world_file *f0 = &w.files->files[0];
	struct dump *d = open_world("mmst.dmp");
	poke(d, f0->control_area, 0, 8);              /* CONTROL_AREA.Segment (§9) */
	dump_close(d);
	d = open_world("mmst.dmp");
	struct pool_ctx c;
	struct pool_scan s;
	struct kdx_error err;
	assert_int_equal(pool_ctx_init(d, NULL, &c, &err), 0);
	assert_int_equal(pool_scan_tag(&c, 0x74536d4du, 0, NULL, NULL, &s, &err), 0);
	struct mmst_file *files = calloc(s.count, sizeof *files);
	mmst_resolve(&c, s.blocks, s.count, files);
	size_t named = 0, broken = 0;
	for (size_t i = 0; i < s.count; i++) {
		if (s.blocks[i].address + 16 == f0->segment) {
			assert_int_equal(files[i].kind, MMST_UNKNOWN);
			assert_string_equal(files[i].why,
					    "the CONTROL_AREA does not point back at the SEGMENT");
			broken++;
		}
		for (size_t k = 1; k < w.files->nfiles; k++)
			if (s.blocks[i].address + 16 == w.files->files[k].segment) {
				assert_int_equal(files[i].kind, MMST_SEGMENT);
				assert_string_equal(files[i].name, w.files->files[k].name);
				assert_int_equal(files[i].total_ptes, w.files->files[k].total_ptes);
				assert_int_equal(files[i].resident_valid, w.files->files[k].resident_valid);
				assert_int_equal(files[i].resident_transition,
						 w.files->files[k].resident_standby);
				named++;
			}
	}
	assert_int_equal(broken, 1);
	assert_int_equal(named, w.files->nfiles - 1);
	free(files);
	pool_scan_free(&s);
	poke(d, f0->control_area, f0->segment, 8);
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
		cmocka_unit_test(test_walk_cancel),
		cmocka_unit_test(test_scan_keep),
		cmocka_unit_test(test_bad_tiling),
		cmocka_unit_test(test_tracker_pointer_unmapped),
		cmocka_unit_test(test_huge_count),
		cmocka_unit_test(test_pooltag_parse),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_tagowner),
		cmocka_unit_test(test_tagowner_ranking),
		cmocka_unit_test(test_tagowner_huge_image),
		cmocka_unit_test(test_module_ring_loop),
		cmocka_unit_test(test_poolrefs),
		cmocka_unit_test(test_mmst_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
