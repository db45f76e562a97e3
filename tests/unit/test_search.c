/* The memory search's core against a generated world, in process: each hit
 * reaches the progress's item line the moment it is found, and a search
 * the progress stops keeps the hits found so far and says it was
 * cancelled (what the TUI's Esc does), through the command as the TUI
 * runs it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "tests/gen/world_search.h"
#include "views/command.h"
#include "tests/unit/fixtures.h"

struct watch {
	size_t items;                 /* item lines received */
	size_t stop_after;            /* stop at the first report after this many; 0: never */
	char last[96];
};

static bool stop_after_items(void *ctx, uint64_t done, uint64_t total, const char *what)
{
	(void)done;
	(void)total;
	struct watch *w = ctx;
	assert_true(strncmp(what, "search", 6) == 0);
	return !w->stop_after || w->items < w->stop_after;
}

static void count_item(void *ctx, const char *line)
{
	struct watch *w = ctx;
	w->items++;
	snprintf(w->last, sizeof w->last, "%s", line);
}

/* Runs `s -a kernel PREFIX` as the TUI does: through the command, with a
 * progress that may stop it. Returns the hits' VAs as the document lists
 * them. */
static const struct dnode *run(struct dump *d, struct watch *watch, struct doc *doc)
{
	const struct progress pr = { stop_after_items, watch, count_item };
	d->progress = &pr;
	struct kdx_error err;
	assert_int_equal(command_run(d, "s -a kernel " WORLD_PLANT_PREFIX, doc, &err), 0);
	d->progress = NULL;
	const struct dnode *hits = dn_get(doc->root, "hits");
	assert_non_null(hits);
	return hits;
}

static void test_cancel_keeps_hits(void **state)
{
	(void)state;
	struct world w;
	struct kdx_error err = { .msg = "" };
	if (world_build(&w, profile_by_name("win7-x64"), 11, &err) < 0)
		fail_msg("%s", err.msg);
	struct dump *d = fixture_open_world(&w, "search.dmp");

	struct watch all = { 0 };
	struct doc whole;
	const struct dnode *every = run(d, &all, &whole);
	assert_false(dn_get(whole.root, "cancelled")->v.b);
	assert_true(every->nkids >= 4);
	assert_int_equal(all.items, every->nkids);
	assert_non_null(strstr(all.last, WORLD_PLANT_PREFIX));

	struct watch one = { .stop_after = 1 };
	struct doc part;
	const struct dnode *some = run(d, &one, &part);
	assert_true(dn_get(part.root, "cancelled")->v.b);
	assert_true(some->nkids >= 1 && some->nkids < every->nkids);
	for (size_t i = 0; i < some->nkids; i++)
		assert_int_equal(dn_get(some->kids[i], "va")->v.u, dn_get(every->kids[i], "va")->v.u);
	assert_int_equal(one.items, some->nkids);

	doc_free(&whole);
	doc_free(&part);
	dump_close(d);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cancel_keeps_hits),
	};
	return cmocka_run_group_tests(tests, NULL, fixture_group_teardown);
}
