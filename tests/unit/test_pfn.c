/* The PFN database and mapped-file readers against generated worlds, in
 * process: every RAM page's entry and the page-list totals exact on every
 * profile, every mapped file with its exact resident pages; the base
 * found through each reading of the header's PfnDataBase when the KDBG's
 * is wrong; the scan cancelled; hostile memory runs, a subsection cycle
 * and a bad FILE_OBJECT giving bounded, clear results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "core/nt/kdbg.h"
#include "core/nt/mapped_files.h"
#include "core/nt/pfn.h"
#include "tests/gen/world_files.h"
#include "tests/gen/world_pfn.h"
#include "tests/unit/fixtures.h"

static void build(struct world *w, const char *profile)
{
	struct kdx_error err = { .msg = "" };
	if (world_build(w, profile_by_name(profile), 7, &err) < 0)
		fail_msg("%s: %s", profile, err.msg);
}

/* Stores v at kernel VA va of the world's image, translated by d. */
static const struct world_file *world_file_at(const struct world *w, uint64_t ca)
{
	for (size_t i = 0; i < w->files->nfiles; i++)
		if (w->files->files[i].control_area == ca)
			return &w->files->files[i];
	return NULL;
}

/* Every mapped file of the world found, with its exact resident pages. */
static void check_files(const struct world *w, const struct mapped_files *m)
{
	assert_int_equal(m->count, w->files->nfiles);
	for (size_t i = 0; i < m->count; i++) {
		const struct mapped_file_use *f = &m->files[i];
		const struct world_file *want = world_file_at(w, f->control_area);
		assert_non_null(want);
		assert_string_equal(f->name, want->name);
		assert_int_equal(f->segment, want->segment);
		assert_int_equal(f->file_object, want->file_object);
		assert_int_equal(f->total_ptes, want->total_ptes);
		assert_int_equal(f->pages[PFN_ACTIVE], want->resident_valid);
		assert_int_equal(f->pages[PFN_STANDBY], want->resident_standby);
		assert_int_equal(f->resident, want->resident_valid + want->resident_standby);
		assert_int_equal(f->npfns, f->resident);
		for (unsigned k = 0; k < want->total_ptes; k++) {
			if (want->state[k] == WP_SUBSECTION)
				continue;
			bool listed = false;
			for (size_t j = 0; j < f->npfns; j++)
				listed |= f->pfns[j] == want->pfn[k];
			assert_true(listed);
		}
		if (i)
			assert_true(m->files[i - 1].resident >= f->resident);
	}
}

static void test_every_profile(void **state)
{
	(void)state;
	for (const struct profile *const *p = kdx_profiles; *p; p++) {
		struct world w;
		if (world_unbuildable(*p)) {   /* a column without a generated kernel */
			struct kdx_error err = { .msg = "" };
			assert_int_equal(world_build(&w, *p, 7, &err), -1);
			assert_non_null(strstr(err.msg, world_unbuildable(*p)));
			continue;
		}
		build(&w, (*p)->name);
		struct dump *d = fixture_open_world(&w, "every.dmp");
		struct pfn_db db;
		struct kdx_error err = { .msg = "" };
		if (pfn_db_open(d, &db, &err) < 0)
			fail_msg("%s: %s", (*p)->name, err.msg);
		assert_int_equal(db.base, w.pfn->database);
		assert_string_equal(db.base_origin, "KDBG MmPfnDatabase (the variable's value)");
		assert_string_equal(db.runs_origin, "KDBG MmPhysicalMemoryBlock");

		uint64_t ram = 0;
		for (uint64_t pfn = 0; pfn < w.img.max_pfn; pfn++) {
			assert_int_equal(pfn_is_ram(&db, pfn), gen_is_ram(&w.img, pfn));
			if (!gen_is_ram(&w.img, pfn))
				continue;
			ram++;
			const struct world_pfn_entry *want = &w.pfn->entries[pfn];
			struct pfn_entry e;
			assert_int_equal(pfn_read(&db, pfn, &e, &err), 0);
			assert_int_equal(e.list, want->location);
			assert_int_equal(e.pte_address, want->pte_address);
			assert_int_equal(e.pte_frame, want->pte_frame);
			assert_int_equal(e.original_pte, want->original_pte);
			assert_int_equal(e.prototype, want->prototype);
			assert_int_equal(e.modified, want->modified);
			if (e.list == PFN_ACTIVE)
				assert_int_equal(e.share_count, 1);
		}
		assert_int_equal(db.pages, ram);
		/* each list's head has no predecessor */
		for (int l = 0; l < WL_COUNT; l++) {
			struct pfn_entry e;
			if (l == WL_ACTIVE || w.pfn->list_head[l] == (*p)->mmpfn->list_end)
				continue;
			assert_int_equal(pfn_read(&db, w.pfn->list_head[l], &e, &err), 0);
			assert_int_equal(e.blink, (*p)->mmpfn->list_end);
		}

		struct mapped_files m;
		if (mapped_files_scan(&db, &m, &err) < 0)
			fail_msg("%s: %s", (*p)->name, err.msg);
		for (int l = 0; l < PFN_LIST_COUNT; l++)
			assert_int_equal(m.totals.pages[l], w.pfn->totals[l]);
		assert_int_equal(m.totals.unreadable, 0);
		check_files(&w, &m);

		/* one page without the scan */
		const struct world_file *wf = &w.files->files[0];
		for (unsigned k = 0; k < wf->total_ptes; k++)
			if (wf->state[k] != WP_SUBSECTION) {
				struct pfn_entry e;
				struct mapped_file_use *f = calloc(1, sizeof *f);
				assert_non_null(f);
				assert_int_equal(pfn_read(&db, wf->pfn[k], &e, &err), 0);
				assert_int_equal(mapped_file_of_page(&db, &e, f), 1);
				assert_string_equal(f->name, wf->name);
				free(f);
				break;
			}
		mapped_files_free(&m);
		dump_close(d);
		world_free(&w);
	}
}

/* The KDBG's MmPfnDatabase variable is wrong: the header's PfnDataBase
 * (the array, as the generator writes it) is used; written as the
 * variable's address (QEMU, elf2dmp), that reading is used. */
static void test_base_from_header(void **state)
{
	(void)state;
	struct world w;
	build(&w, "win7-x64");
	const struct world_kvar *var = world_kvar(&w, "MmPfnDatabase");
	struct dump *d = fixture_open_world(&w, "good.dmp");
	fixture_poke(&w, d, var->address, 0x1000, 8);
	dump_close(d);

	d = fixture_open_world(&w, "header-array.dmp");
	struct pfn_db db;
	struct kdx_error err = { .msg = "" };
	assert_int_equal(pfn_db_open(d, &db, &err), 0);
	assert_int_equal(db.base, w.pfn->database);
	assert_string_equal(db.base_origin, "crash header PfnDataBase (the array)");
	assert_non_null(strstr(db.base_note, "KDBG MmPfnDatabase"));
	/* the variable right again but the KDBG's field cleared, and the
	 * header naming the variable */
	fixture_poke(&w, d, var->address, w.pfn->database, 8);
	fixture_poke(&w, d, w.kdbg_va + KDBG_MM_PFN_DATABASE, 0, 8);
	dump_close(d);

	w.img.pfn_database = var->address;
	d = fixture_open_world(&w, "header-variable.dmp");
	assert_int_equal(pfn_db_open(d, &db, &err), 0);
	assert_int_equal(db.base, w.pfn->database);
	assert_string_equal(db.base_origin, "crash header PfnDataBase (the variable's address)");
	dump_close(d);

	w.img.pfn_database = 0x2000;
	d = fixture_open_world(&w, "no-base.dmp");
	assert_int_equal(pfn_db_open(d, &db, &err), -1);
	assert_non_null(strstr(err.msg, "no PFN database"));
	assert_non_null(strstr(err.msg, "crash header PfnDataBase 0x2000"));
	dump_close(d);
	world_free(&w);
}

/* Stops at the second report: the scan has begun when it is cancelled. */
static bool cancel_second(void *ctx, uint64_t done, uint64_t total, const char *what)
{
	assert_string_equal(what, "reading the PFN database");
	assert_true(done < total);
	return ++*(int *)ctx < 2;
}

static void test_cancel(void **state)
{
	(void)state;
	struct world w;
	build(&w, "win10-x64");
	struct dump *d = fixture_open_world(&w, "cancel.dmp");
	struct pfn_db db;
	struct kdx_error err = { .msg = "" };
	assert_int_equal(pfn_db_open(d, &db, &err), 0);
	int calls = 0;
	const struct progress stop = { .update = cancel_second, .ctx = &calls };
	d->progress = &stop;
	struct mapped_files m;
	assert_int_equal(mapped_files_scan(&db, &m, &err), -1);
	assert_string_equal(err.msg, "pfn: scan cancelled");
	assert_int_equal(calls, 2);
	assert_null(m.files);
	d->progress = NULL;
	dump_close(d);
	world_free(&w);
}

/* The physical memory descriptor is not believed with a huge run count,
 * nor with a last run reaching far past the PFN array: the dump's own
 * ranges are used (a full dump holds all of RAM, so the totals stay
 * exact). */
static void test_hostile_runs(void **state)
{
	(void)state;
	for (int variant = 0; variant < 2; variant++) {
		struct world w;
		build(&w, "win7-x64");
		struct dump *d = fixture_open_world(&w, "good.dmp");
		uint64_t var = world_kvar(&w, "MmPhysicalMemoryBlock")->address, desc, runs, pages;
		assert_true(dump_read_ptr(d, var, &desc));
		assert_true(dump_read_ptr(d, desc, &runs));
		assert_true(dump_read_ptr(d, desc + 8, &pages));
		runs &= 0xffffffff;
		if (variant == 0) {
			fixture_poke(&w, d, desc, 0x7fffffff, 4);
		} else {
			uint64_t count_at = desc + 0x10 + (runs - 1) * 0x10 + 8, count;
			assert_true(dump_read_ptr(d, count_at, &count));
			fixture_poke(&w, d, count_at, count + (1ull << 30), 8);
			fixture_poke(&w, d, desc + 8, pages + (1ull << 30), 8);
		}
		dump_close(d);

		d = fixture_open_world(&w, "hostile-runs.dmp");
		struct pfn_db db;
		struct kdx_error err = { .msg = "" };
		assert_int_equal(pfn_db_open(d, &db, &err), 0);
		assert_string_equal(db.runs_origin, "the pages the dump holds");
		struct pfn_totals t;
		assert_int_equal(pfn_scan(&db, NULL, NULL, &t, &err), 0);
		for (int l = 0; l < PFN_LIST_COUNT; l++)
			assert_int_equal(t.pages[l], w.pfn->totals[l]);
		dump_close(d);
		world_free(&w);
	}
}

/* A subsection linked to itself ends the chain; a FILE_OBJECT of another
 * type leaves the file counted but unnamed, saying why. */
static void test_hostile_files(void **state)
{
	(void)state;
	struct world w;
	build(&w, "win7-x64");
	const struct prof_section *S = w.profile->section;
	struct dump *d = fixture_open_world(&w, "good.dmp");
	const struct world_file *cyc = &w.files->files[0], *bad = &w.files->files[1];
	fixture_poke(&w, d, cyc->subsection + S->sub_next_subsection, cyc->subsection, 8);
	fixture_poke(&w, d, bad->file_object + S->fo_type, 6, 2);
	dump_close(d);

	d = fixture_open_world(&w, "hostile-files.dmp");
	struct pfn_db db;
	struct kdx_error err = { .msg = "" };
	assert_int_equal(pfn_db_open(d, &db, &err), 0);
	struct mapped_files m;
	assert_int_equal(mapped_files_scan(&db, &m, &err), 0);
	const struct mapped_file_use *f = mapped_files_by_control_area(&m, cyc->control_area);
	assert_non_null(f);
	assert_int_equal(f->nranges, 1);
	assert_int_equal(f->resident, cyc->resident_valid + cyc->resident_standby);
	f = mapped_files_by_control_area(&m, bad->control_area);
	assert_non_null(f);
	assert_string_equal(f->name, "");
	assert_non_null(strstr(f->problem, "Type 6, expected 5"));
	assert_int_equal(f->resident, bad->resident_valid + bad->resident_standby);
	mapped_files_free(&m);
	dump_close(d);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_profile),
		cmocka_unit_test(test_base_from_header),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_hostile_runs),
		cmocka_unit_test(test_hostile_files),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fixture_cleanup();
	return rc;
}
