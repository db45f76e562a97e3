/* The process, thread, stack and session readers against generated worlds,
 * in process: every process, thread and session exactly as built, stack
 * figures and risk, and damage poked into the dump (a cyclic ring, a
 * Blink that does not point back, a thread of another process, a saved
 * stack pointer below the limit) giving bounded, clear results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "core/nt/process.h"
#include "core/nt/session.h"
#include "core/util/percent.h"
#include "tests/gen/world_procs.h"
#include "tests/unit/fixtures.h"

static void check_world(const char *profile)
{
	struct world w;
	struct kdx_error err;
	assert_int_equal(world_build(&w, profile_by_name(profile), 11, &err), 0);
	struct dump *d = fixture_open_world(&w, "procs.dmp");
	const struct world_procs *P = w.procs;
	struct process_list pl;
	assert_int_equal(process_list_read(d, &pl, &err), 0);
	assert_true(pl.walk.complete);
	assert_int_equal(pl.time_increment, 156250);
	assert_int_equal(pl.count, P->nprocesses);
	for (size_t i = 0; i < P->nprocesses; i++) {
		const struct world_process *want = &P->processes[i];
		const struct process *got = &pl.processes[i];
		assert_string_equal(got->name, want->name);
		assert_int_equal(got->pid, want->pid);
		assert_int_equal(got->ppid, want->ppid);
		assert_int_equal(got->eprocess, want->eprocess);
		assert_int_equal(got->dtb_raw, want->dtb_field);
		assert_int_equal(got->dtb, want->dtb);
		assert_int_equal(got->has_session_id, want->session != WORLD_NO_SESSION);
		if (got->has_session_id)
			assert_int_equal(got->session_id, want->session);
		assert_int_equal(got->create_time, want->create_time);
		assert_int_equal(got->nthreads, want->nthreads);
		assert_true(got->thread_walk.complete);
		assert_string_equal(got->thread_walk.note, "");
	}
	assert_int_equal(pl.nthreads, P->nthreads);
	for (size_t i = 0; i < P->nthreads; i++) {
		const struct world_thread *want = &P->threads[i];
		const struct thread *got = &pl.threads[i];
		assert_int_equal(got->tid, want->tid);
		assert_int_equal(got->pid, want->pid);
		assert_int_equal(got->ethread, want->ethread);
		assert_int_equal(got->state, want->state);
		assert_int_equal(got->wait_reason, want->wait_reason);
		assert_int_equal(got->kernel_time, want->kernel_time);
		assert_int_equal(got->user_time, want->user_time);
		assert_int_equal(got->cpu, want->cpu);
		assert_int_equal(got->stack_base, want->stack_base);
		assert_int_equal(got->stack_limit, want->stack_limit);
		assert_int_equal(got->kernel_stack, want->kernel_stack);
		assert_int_equal(got->stack_used, want->stack_base - want->kernel_stack);
		/* rounded: ((used * 100) / size + 0.5) */
		assert_int_equal(got->stack_percent,
				 ((want->stack_base - want->kernel_stack) * 200 +
				  (want->stack_base - want->stack_limit)) /
					 (2 * (want->stack_base - want->stack_limit)));
		assert_int_equal(got->guard, GUARD_PRESENT);
		assert_int_equal(got->risk == STACK_RISK_DANGER, i == P->deep_thread);
	}
	assert_int_equal(process_ticks_ms(&pl, 64), 1000);

	struct session_list sl;
	assert_int_equal(session_list_read(d, &pl, &sl, &err), 0);
	assert_int_equal(sl.count, P->nsessions);
	for (size_t i = 0; i < P->nsessions; i++) {
		const struct world_session *want = &P->sessions[i];
		const struct session *got = session_by_id(&sl, want->id);
		assert_non_null(got);
		assert_int_equal(got->address, want->mm_session_space);
		assert_int_equal(got->has_paged_pool, want->has_paged_pool);
		if (got->has_paged_pool) {
			assert_int_equal(got->paged_pool_start, want->paged_pool_start);
			assert_int_equal(got->paged_pool_end, want->paged_pool_end);
		}
		assert_int_equal(got->reference_count, want->nmembers);
		assert_true(got->walk.complete);
		assert_int_equal(got->unlinked, 0);
		assert_int_equal(got->nmembers, want->nmembers);
		for (size_t k = 0; k < want->nmembers; k++)
			assert_int_equal(got->members[k].process, want->members[k]);
	}
	session_list_free(&sl);
	process_list_free(&pl);
	dump_close(d);
	world_free(&w);
}

/* Every column the generator builds: the fixtures' kernels and the rest
 * (ETHREAD fields 8 bytes later from 7601.23418, 0x50 later in Windows 11,
 * 24H2's EPROCESS with every field moved, sessions without a paged pool
 * range from 22H2). */
static void test_every_column(void **state)
{
	(void)state;
	size_t built = 0;
	for (const struct profile *const *p = kdx_profiles; *p; p++) {
		if (world_unbuildable(*p))
			continue;
		print_message("# %s\n", (*p)->name);   /* names the column a failure is in */
		check_world((*p)->name);
		built++;
	}
	assert_true(built > 40);
}

/* Damage is poked into the world's image, then the dump rewritten. */
static void test_damage(void **state)
{
	(void)state;
	struct world w;
	struct kdx_error err;
	assert_int_equal(world_build(&w, profile_by_name("win7-x64"), 5, &err), 0);
	const struct profile *p = w.profile;
	const struct world_procs *P = w.procs;
	struct dump *d = fixture_open_world(&w, "good.dmp");
	uint64_t links = p->eprocess->active_process_links;
	/* The third process's Blink names the first: the ring stops there. */
	fixture_poke(&w, d, P->processes[2].eprocess + links + 8, P->processes[0].eprocess + links, 8);
	const struct world_thread *deep = &P->threads[P->deep_thread];
	/* The deep thread's saved pointer below its limit: an overflow. */
	fixture_poke(&w, d, deep->ethread + p->kthread->kernel_stack, deep->stack_limit - 0x40, 8);
	/* A hog thread claims to belong to System. */
	const struct world_process *hog = &P->processes[P->nprocesses - 1];
	const struct world_thread *t1 = &P->threads[hog->first_thread + 1];
	dump_close(d);
	d = fixture_open_world(&w, "blink.dmp");
	struct process_list pl;
	assert_int_equal(process_list_read(d, &pl, &err), 0);
	assert_false(pl.walk.complete);
	assert_int_equal(pl.count, 2);
	assert_non_null(strstr(pl.walk.note, "Blink does not point back"));
	const struct thread *t = thread_find(&pl, deep->tid);
	assert_non_null(t);
	assert_false(t->sp_in_stack);
	assert_int_equal(t->risk, STACK_RISK_DANGER);
	assert_non_null(strstr(t->note, "below"));
	process_list_free(&pl);
	dump_close(d);

	/* Undo the Blink; make the hog's second thread System's, and loop the
	 * last process back to the first. */
	d = fixture_open_world(&w, "blink2.dmp");
	fixture_poke(&w, d, P->processes[2].eprocess + links + 8, P->processes[1].eprocess + links, 8);
	unsigned owner = p->kthread->process;
	fixture_poke(&w, d, t1->ethread + owner, P->processes[0].eprocess, 8);
	fixture_poke(&w, d, hog->eprocess + links, P->processes[0].eprocess + links, 8);
	dump_close(d);
	d = fixture_open_world(&w, "cycle.dmp");
	assert_int_equal(process_list_read(d, &pl, &err), 0);
	assert_false(pl.walk.complete);
	assert_int_equal(pl.count, P->nprocesses);
	assert_non_null(strstr(pl.walk.note, "loops back"));
	const struct process *h = &pl.processes[P->nprocesses - 1];
	assert_false(h->thread_walk.complete);
	assert_int_equal(h->nthreads, 1);
	assert_non_null(strstr(h->thread_walk.note, "owning process"));
	process_list_free(&pl);
	dump_close(d);
	world_free(&w);
}

/* Shares are rounded half up, never cut; huge (hostile) figures neither
 * wrap nor divide by zero. */
static void test_percent_of(void **state)
{
	(void)state;
	assert_int_equal(percent_of(0x468, 0x6000), 5);   /* 4.58% */
	assert_int_equal(percent_of(0x448, 0x6000), 4);   /* 4.45% */
	assert_int_equal(percent_of(1, 200), 1);          /* 0.5%: half up */
	assert_int_equal(percent_of(2, 3), 67);
	assert_int_equal(percent_of(0x5f58, 0x6000), 99);
	assert_int_equal(percent_of(5, 0), 0);
	assert_int_equal(percent_of(UINT64_MAX, UINT64_MAX), 100);
	assert_int_equal(percent_of(UINT64_MAX / 2, UINT64_MAX), 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_column),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_percent_of),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	fixture_cleanup();
	return r;
}
