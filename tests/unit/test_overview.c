/* The first screen is O(1) in dump size: `info` reads as many pages of a
 * dump with 64 MiB more nonpaged pool as of the same machine without it,
 * and leaves the figures that walk page tables pending; `info -w` and `vm`
 * count them, matching the generator. Pages are counted at the source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "tests/unit/fixtures.h"
#include "tests/gen/world_pool.h"
#include "views/command.h"

#define BULK_MIB 64

static uint64_t pages_read;
static const struct source_ops *real_ops;

static const uint8_t *counting_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	pages_read++;
	return real_ops->page(s, pfn, scratch);
}

static void counting_close(struct source *s)
{
	real_ops->close(s);
}

static const struct source_ops counting_ops = { counting_page, counting_close };

struct generated {
	struct world w;
	struct dump *d;
};

static void open_machine(struct generated *m, uint64_t bulk_mib, const char *name)
{
	struct kdx_error err = { .msg = "" };
	world_set_extra_ram(bulk_mib ? (bulk_mib + bulk_mib / 32 + 8) << 20 : 0);
	world_pool_set_bulk_mib(bulk_mib);
	int r = world_build(&m->w, profile_by_name("win10-x64"), 4, &err);
	world_set_extra_ram(0);
	world_pool_set_bulk_mib(0);
	if (r < 0)
		fail_msg("%s", err.msg);
	char *path = fixture_path(name);
	assert_int_equal(gen_write(&m->w.img, GEN_FULL, path, &err), 0);
	if (dump_open(path, &m->d, &err) < 0)
		fail_msg("%s", err.msg);
	free(path);
	real_ops = m->d->src->ops;
	m->d->src->ops = &counting_ops;
}

static void close_machine(struct generated *m)
{
	dump_close(m->d);
	world_free(&m->w);
}

/* The pages line's command reads, and its document. */
static uint64_t run(struct generated *m, const char *line, struct doc *doc)
{
	struct kdx_error err = { .msg = "" };
	pages_read = 0;
	if (command_run(m->d, line, doc, &err) < 0)
		fail_msg("%s: %s", line, err.msg);
	return pages_read;
}

static const struct dnode *figure(const struct doc *doc, const char *name)
{
	const struct dnode *mem = dn_get(doc->root, "memory");
	const struct dnode *figs = mem ? dn_get(mem, "figures") : dn_get(doc->root, "figures");
	assert_non_null(figs);
	for (size_t i = 0; i < figs->nkids; i++) {
		const struct dnode *n = dn_get(figs->kids[i], "name");
		if (n && strcmp(n->v.s, name) == 0)
			return figs->kids[i];
	}
	fail_msg("no figure %s", name);
	return NULL;
}

static uint64_t truth_pages(const struct world *w, const char *name)
{
	for (size_t i = 0; i < w->pool->nvm; i++)
		if (strcmp(w->pool->vm[i].name, name) == 0)
			return w->pool->vm[i].pages;
	fail_msg("no truth figure %s", name);
	return 0;
}

static void info_reads_as_much_of_a_bigger_dump(void **state)
{
	(void)state;
	struct generated small, big;
	open_machine(&small, 0, "small.dmp");
	open_machine(&big, BULK_MIB, "big.dmp");
	struct doc ds, db;
	uint64_t small_pages = run(&small, "info", &ds);
	uint64_t big_pages = run(&big, "info", &db);
	assert_true(small_pages > 0);
	assert_int_equal(big_pages, small_pages);
	/* the walk's figures wait, and the TUI is told how to complete them */
	assert_int_equal(dn_get(figure(&db, "free_nonpaged_ptes"), "pages")->kind, DN_NULL);
	assert_true(dn_get(figure(&db, "free_nonpaged_ptes"), "pending")->v.b);
	assert_string_equal(db.refine, "info -w");
	doc_free(&ds);
	doc_free(&db);

	/* info -w walks: the bigger pool costs its page tables, and counts */
	struct doc ws, wb;
	uint64_t small_walk = run(&small, "info -w", &ws);
	uint64_t big_walk = run(&big, "info -w", &wb);

	assert_true(big_walk >= small_walk + BULK_MIB / 2);
	assert_null(wb.refine);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "free_nonpaged_ptes" : "free_system_ptes";
		assert_false(dn_get(figure(&wb, name), "pending")->v.b);
		assert_int_equal(dn_get(figure(&wb, name), "pages")->v.u, truth_pages(&big.w, name));
		assert_int_equal(dn_get(figure(&ws, name), "pages")->v.u, truth_pages(&small.w, name));
	}
	doc_free(&ws);
	doc_free(&wb);
	close_machine(&small);
	close_machine(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(info_reads_as_much_of_a_bigger_dump),
	};
	return cmocka_run_group_tests(tests, NULL, fixture_group_teardown);
}
