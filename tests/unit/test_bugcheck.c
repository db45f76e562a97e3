/* The Driver Verifier bug checks decoded from their parameters, as
 * Microsoft's bug check reference gives them: 0xC4 by parameter 1, 0xC1
 * by parameter 4, 0xD5 and 0xD6, and which parameters lead to the pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/analysis/bugcheck.h"

static void test_c4_leak(void **state)
{
	(void)state;
	const uint64_t p[4] = { 0x62, 0xffff800012345678ull, 0xffff800012340000ull, 5 };
	struct bugcheck_decoding d;
	assert_true(bugcheck_decode(0xC4, p, &d));
	assert_string_equal(d.cause, "a driver unloaded without freeing its pool allocations");
	assert_string_equal(d.params[1], "name of the driver");
	assert_int_equal(d.kinds[1], BUGCHECK_ARG_DRIVER_NAME);
	assert_string_equal(d.params[3], "allocations not freed (paged and nonpaged)");
	assert_int_equal(d.kinds[3], BUGCHECK_ARG_VALUE);
	const uint64_t unknown[4] = { 0x1001, 0, 0, 0 };
	assert_false(bugcheck_decode(0xC4, unknown, &d));
}

static void test_c1_subtypes(void **state)
{
	(void)state;
	struct bugcheck_decoding d;
	const uint64_t after[4] = { 0xffffa000001fe0ull, 0xffffa000002000ull, 0, 0x24 };
	assert_true(bugcheck_decode(0xC1, after, &d));
	assert_string_equal(d.params[0], "address being freed");
	assert_int_equal(d.kinds[0], BUGCHECK_ARG_POOL);
	assert_string_equal(d.params[1], "address of the corrupted bytes");
	assert_int_equal(d.kinds[1], BUGCHECK_ARG_ADDRESS);
	assert_null(d.params[2]);
	assert_string_equal(d.params[3], "subcode");
	const uint64_t size[4] = { 0xffffa000001fe0ull, 0x20, 0x40, 0x22 };
	assert_true(bugcheck_decode(0xC1, size, &d));
	assert_string_equal(d.params[1], "bytes requested");
	assert_string_equal(d.params[2], "bytes given to the caller");
	const uint64_t none[4] = { 0, 0, 0, 0x99 };
	assert_false(bugcheck_decode(0xC1, none, &d));
}

static void test_d5_d6(void **state)
{
	(void)state;
	struct bugcheck_decoding d;
	const uint64_t p[4] = { 0xffffa00000201000ull, 1, 0xfffff80012345678ull, 0 };
	assert_true(bugcheck_decode(0xD6, p, &d));
	assert_string_equal(d.cause, "a driver accessed memory beyond the end of its allocation");
	assert_string_equal(d.params[0], "memory referenced");
	assert_int_equal(d.kinds[0], BUGCHECK_ARG_POOL);
	assert_int_equal(d.kinds[2], BUGCHECK_ARG_ADDRESS);
	assert_null(d.params[3]);
	assert_true(bugcheck_decode(0xD5, p, &d));
	assert_string_equal(d.cause, "a driver referenced special pool memory freed earlier");
	assert_false(bugcheck_decode(0x7F, p, &d));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(bugcheck_lookup(0xC1)->name, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION");
	assert_string_equal(bugcheck_lookup(0xD5)->name, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL");
	assert_string_equal(bugcheck_lookup(0xD6)->name, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c4_leak),
		cmocka_unit_test(test_c1_subtypes),
		cmocka_unit_test(test_d5_d6),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
