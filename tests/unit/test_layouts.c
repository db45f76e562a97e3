/* Every layout table (data/layouts/, doc/layouts.md) against the rules of
 * its format, for every build column: each field inside its structure, no
 * two fields of known width overlapping, bit fields inside their integer,
 * an ETHREAD that starts with its whole KTHREAD, a KPRCB inside its KPCR,
 * a PTE format and address-space family that fit the column's paging.
 * A mistyped offset in a new column fails here before any dump is read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/nt/profile.h"

static const void *table_of(const struct profile *p, const struct layout_field *f)
{
	return *(const void *const *)((const char *)p + f->table_member);
}

static unsigned u16_at(const void *table, size_t off)
{
	uint16_t v;
	memcpy(&v, (const char *)table + off, sizeof v);
	return v;
}

/* The width in bytes of an offset field in this build; 0 when unchecked. */
static unsigned width_of(const struct profile *p, const char *w)
{
	if (strcmp(w, "ptr") == 0)
		return p->ptr_size;
	if (strcmp(w, "list") == 0)
		return 2 * p->ptr_size;
	if (strcmp(w, "ustr") == 0)
		return p->ptr_size == 8 ? 16 : 8;
	if (strcmp(w, "*") == 0 || !*w)
		return 0;
	return (unsigned)atoi(w);
}

static void test_fields_inside_their_structure(void **state)
{
	(void)state;
	int checked = 0;
	for (const struct profile *const *pp = kdx_profiles; *pp; pp++)
		for (const struct layout_field *f = layout_fields; f->table; f++) {
			const struct profile *p = *pp;
			const void *t = table_of(p, f);
			const struct layout_field *b = layout_bound_of(f);
			if (!b || (f->kind != LAYOUT_OFF && f->kind != LAYOUT_BITS))
				continue;
			unsigned size = u16_at(t, b->offset);
			unsigned off, end;
			if (f->kind == LAYOUT_BITS) {
				struct prof_bits bits;
				memcpy(&bits, (const char *)t + f->offset, sizeof bits);
				if (bits.offset == PROF_ABSENT)
					continue;
				off = bits.offset;
				end = off + (bits.bit + bits.width + 7) / 8;
				if (bits.width == 0 || bits.bit + bits.width > 64)
					fail_msg("%s %s.%s: bits %u..%u", p->name, f->table, f->name,
						 bits.bit, bits.bit + bits.width);
			} else {
				off = u16_at(t, f->offset);
				if (off == PROF_ABSENT)
					continue;
				end = off + (width_of(p, f->width) ? width_of(p, f->width) : 1);
			}
			if (end > size)
				fail_msg("%s %s.%s: 0x%x..0x%x outside %s 0x%x", p->name, f->table,
					 f->name, off, end, b->name, size);
			checked++;
		}
	assert_true(checked > 400);
}

static void test_no_overlap(void **state)
{
	(void)state;
	for (const struct profile *const *pp = kdx_profiles; *pp; pp++)
		for (const struct layout_field *f = layout_fields; f->table; f++)
			for (const struct layout_field *g = f + 1; g->table; g++) {
				const struct profile *p = *pp;
				if (strcmp(f->table, g->table) != 0 || f->kind != LAYOUT_OFF ||
				    g->kind != LAYOUT_OFF || layout_bound_of(f) != layout_bound_of(g))
					continue;
				unsigned fw = width_of(p, f->width), gw = width_of(p, g->width);
				const void *t = table_of(p, f);
				unsigned fo = u16_at(t, f->offset), go = u16_at(t, g->offset);
				if (!fw || !gw || fo == PROF_ABSENT || go == PROF_ABSENT)
					continue;
				if (fo < go + gw && go < fo + fw)
					fail_msg("%s %s: %s (0x%x, %u bytes) overlaps %s (0x%x, %u bytes)",
						 p->name, f->table, f->name, fo, fw, g->name, go, gw);
			}
}

/* An ETHREAD begins with its KTHREAD, an EPROCESS with its KPROCESS, a
 * KPCR holds its KPRCB: the sizes must nest. */
static void test_sizes_nest(void **state)
{
	(void)state;
	for (const struct profile *const *pp = kdx_profiles; *pp; pp++) {
		const struct profile *p = *pp;
		assert_true(p->kthread->size < p->ethread->size);
		assert_true(p->ethread->create_time >= p->kthread->size);
		assert_true(p->kpcr->prcb + p->kpcr->prcb_size <= p->kpcr->size);
		assert_true(p->pool->header_size <= p->pool->block_unit * 2);
		assert_true(p->stack->size <= p->stack->large_size);
		assert_true(p->stack->large_commit <= p->stack->large_size);
		assert_true(p->min_build <= p->build && p->build <= p->max_build);
		assert_true(p->ptr_size == (p->machine == MACHINE_X64 ? 8u : 4u));
	}
}

/* Every table names the build and the public source of every column. */
static void test_every_column_cites_its_source(void **state)
{
	(void)state;
	for (const struct profile *const *pp = kdx_profiles; *pp; pp++)
		for (int i = 0; i < LAYOUT_TABLES; i++) {
			const struct layout_origin *o = &(*pp)->origin[i];
			assert_non_null(o->table);
			assert_true(strlen(o->taken_from) > 0 && strcmp(o->taken_from, "-") != 0);
			assert_true(strlen(o->source) > 8);
		}
}

/* A column's PTE format is one of its paging mode's, the one the build
 * eras of core/util/builds.h give its build (a column that differs from
 * its era must change the era rule with it). */
static void test_pte_family_fits_the_column(void **state)
{
	(void)state;
	for (const struct profile *const *pp = kdx_profiles; *pp; pp++) {
		const struct pte_format *f = pte_format_of((*pp)->pte_family);
		assert_non_null(f);
		assert_int_equal(f->mode, (*pp)->paging);
		assert_int_equal(f->family, pte_format_for((*pp)->paging, true, (*pp)->build)->family);
		bool x64 = (*pp)->paging == PAGING_X64;
		assert_true(x64 == ((*pp)->va_layout == VA_LAYOUT_X64_7 ||
				    (*pp)->va_layout == VA_LAYOUT_X64_10));
	}
}

/* The bounded field read: an absent field or one past the bytes read fails
 * with 0, one that ends on the last byte reads. */
static void test_field_read_is_bounded(void **state)
{
	(void)state;
	const uint8_t rec[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint64_t v = 1;
	uint32_t v32 = 1;
	assert_true(field_u64(rec, sizeof rec, 4, 4, &v));
	assert_int_equal(v, 0x88776655);
	assert_true(field_u32(rec, sizeof rec, 0, 8, &v32));
	assert_int_equal(v32, 0x44332211);
	assert_false(field_u64(rec, sizeof rec, PROF_ABSENT, 4, &v));
	assert_int_equal(v, 0);
	v = 1;
	assert_false(field_u64(rec, sizeof rec, 5, 4, &v));
	assert_int_equal(v, 0);
	assert_false(field_u64(rec, sizeof rec, 0xfff0, 8, &v));
	assert_false(field_u32(rec, 4, 2, 4, &v32));
	assert_int_equal(v32, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_inside_their_structure),
		cmocka_unit_test(test_no_overlap),
		cmocka_unit_test(test_sizes_nest),
		cmocka_unit_test(test_every_column_cites_its_source),
		cmocka_unit_test(test_pte_family_fits_the_column),
		cmocka_unit_test(test_field_read_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
