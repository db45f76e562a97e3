/* core/util/isolate: a child's report comes back whole; a child that hangs,
 * dies or leaves without a report is told apart, and kdx goes on. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util/isolate.h"

struct report {
	int value;
	char text[16];
};

static void answers(void *arg, void *report)
{
	struct report *r = report;
	r->value = *(int *)arg;
	strcpy(r->text, "done");
}

static void hangs(void *arg, void *report)
{
	(void)arg;
	(void)report;
	for (;;)
		pause();
}

static void dies(void *arg, void *report)
{
	(void)arg;
	(void)report;
	raise(SIGTERM);
}

static void leaves(void *arg, void *report)
{
	(void)arg;
	(void)report;
	_exit(0);
}

static struct isolate_outcome run(void (*work)(void *, void *), struct report *r)
{
	int arg = 42;
	struct isolate_outcome how;
	struct kdx_error err = { .msg = "" };
	memset(r, 0xff, sizeof *r);
	assert_int_equal(isolate_run(work, &arg, r, sizeof *r, 1, "test", &how, &err), 0);
	return how;
}

static void test_report(void **state)
{
	(void)state;
	struct report r;
	assert_int_equal(run(answers, &r).end, ISOLATE_DONE);
	assert_int_equal(r.value, 42);
	assert_string_equal(r.text, "done");
}

static void test_hang(void **state)
{
	(void)state;
	struct report r;
	assert_int_equal(run(hangs, &r).end, ISOLATE_TIMED_OUT);
}

static void test_death(void **state)
{
	(void)state;
	struct report r;
	struct isolate_outcome how = run(dies, &r);
	assert_int_equal(how.end, ISOLATE_KILLED);
	assert_int_equal(how.signal, SIGTERM);
}

static void test_no_report(void **state)
{
	(void)state;
	struct report r;
	assert_int_equal(run(leaves, &r).end, ISOLATE_NO_REPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_hang),
		cmocka_unit_test(test_death),
		cmocka_unit_test(test_no_report),
	};
	return cmocka_run_group_tests_name("isolate", tests, NULL, NULL);
}
