/* The document model and its renderers: the same tree prints as text and
 * as JSON, tables sort stably, numbers parse the WinDbg way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "views/command.h"
#include "views/doc/doc.h"
#include "views/doc/lines.h"
#include "views/doc/render.h"

static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void text_of(FILE *f, const void *d) { render_text(f, d); }
static void json_of(FILE *f, const void *d) { render_json_value(f, ((const struct doc *)d)->root); }

static void build_sample(struct doc *d)
{
	doc_init(d, "sample");
	dn_str(d->root, "format", "raw");
	dn_hex(d->root, "cr3", 0x1aa000, 0);
	dn_null(d->root, "build");
	dn_flags(dn_str(d->root, "secret", "json only"), DN_JSON_ONLY);
	struct dnode *t = dn_label(dn_array(d->root, "rows"), "Rows");
	const char *tags[] = { "MmSt", "Leak", "Ntfx" };
	uint64_t bytes[] = { 4096, 999999, 4096 };
	for (int i = 0; i < 3; i++) {
		struct dnode *r = dn_object(t, NULL);
		dn_str(r, "tag", tags[i]);
		struct dnode *np = dn_object(r, "nonpaged");
		dn_uint(np, "bytes", bytes[i]);
	}
	dn_span(dn_text(d->root), ROLE_WARNING, "display %s", "only");
}

static void test_json(void **state)
{
	(void)state;
	struct doc d;
	build_sample(&d);
	char *j = capture(json_of, &d);
	assert_string_equal(j, "{\"format\": \"raw\", \"cr3\": \"0x1aa000\", \"build\": null, "
			    "\"secret\": \"json only\", \"rows\": [{\"tag\": \"MmSt\", \"nonpaged\": "
			    "{\"bytes\": 4096}}, {\"tag\": \"Leak\", \"nonpaged\": {\"bytes\": 999999}}, "
			    "{\"tag\": \"Ntfx\", \"nonpaged\": {\"bytes\": 4096}}]}");
	free(j);
	doc_free(&d);
}

static void test_text(void **state)
{
	(void)state;
	struct doc d;
	build_sample(&d);
	char *t = capture(text_of, &d);
	assert_string_equal(t,
			    "format  raw\n"
			    "cr3     0x1aa000\n"
			    "build   -\n"
			    "\n"
			    "Rows\n"
			    "tag   nonpaged bytes\n"
			    "MmSt            4096\n"
			    "Leak          999999\n"
			    "Ntfx            4096\n"
			    "\n"
			    "display only\n");
	free(t);
	doc_free(&d);
}

static void test_sort_stable(void **state)
{
	(void)state;
	struct doc d;
	build_sample(&d);
	struct dnode *t = dn_get(d.root, "rows");
	dn_sort_table(t, "nonpaged.bytes", true);
	assert_string_equal(dn_get(t->kids[0], "tag")->v.s, "Leak");
	assert_string_equal(dn_get(t->kids[1], "tag")->v.s, "MmSt");
	assert_string_equal(dn_get(t->kids[2], "tag")->v.s, "Ntfx");
	dn_sort_table(t, "nonpaged.bytes", false);
	assert_string_equal(dn_get(t->kids[0], "tag")->v.s, "MmSt");
	assert_string_equal(dn_get(t->kids[1], "tag")->v.s, "Ntfx");
	assert_string_equal(dn_get(t->kids[2], "tag")->v.s, "Leak");
	dn_sort_table(t, "tag", false);
	assert_string_equal(dn_get(t->kids[0], "tag")->v.s, "Leak");
	doc_free(&d);
}

static void test_layout_links(void **state)
{
	(void)state;
	struct doc d;
	doc_init(&d, "x");
	struct dnode *t = dn_array(d.root, "t");
	struct dnode *r = dn_object(t, NULL);
	dn_link(dn_hex(r, "a", 0x10, 0), "db 0x10");
	struct dnode *r2 = dn_link(dn_object(t, NULL), "thread 2");
	dn_link(dn_hex(r2, "a", 0x20, 0), "db 0x20");
	struct layout l;
	doc_layout(&d, 0, &l);
	assert_int_equal(l.count, 4);   /* section, header, two rows */
	assert_int_equal(l.lines[2].kind, LINE_TABLE_ROW);
	assert_string_equal(l.lines[2].link, "db 0x10");
	assert_string_equal(l.lines[3].link, "thread 2");
	assert_int_equal(l.lines[3].row, 1);
	layout_free(&l);
	doc_free(&d);
}

static void test_parse_number(void **state)
{
	(void)state;
	uint64_t v;
	assert_true(parse_number("fffff800`00001000", &v));
	assert_int_equal(v, 0xfffff80000001000ull);
	assert_true(parse_number("0x10", &v));
	assert_int_equal(v, 16);
	assert_true(parse_number("10", &v));
	assert_int_equal(v, 16);
	assert_true(parse_number("0n10", &v));
	assert_int_equal(v, 10);
	assert_false(parse_number("0n1f", &v));
	assert_false(parse_number("", &v));
	assert_false(parse_number("1ffffffffffffffff", &v));
	char *argv[] = { "db", "1000", "L", "20", "L0n8", NULL };
	int i = 2;
	uint64_t n;
	assert_true(parse_length(5, argv, &i, &n));
	assert_int_equal(n, 0x20);
	assert_int_equal(i, 4);
	assert_true(parse_length(5, argv, &i, &n));
	assert_int_equal(n, 8);
}

static void test_json_escape(void **state)
{
	(void)state;
	struct doc d;
	doc_init(&d, "x");
	dn_str(d.root, "s", "a\"b\\c\n\x01");
	char *j = capture(json_of, &d);
	assert_string_equal(j, "{\"s\": \"a\\\"b\\\\c\\n\\u0001\"}");
	free(j);
	doc_free(&d);
}

static void test_quoting(void **state)
{
	(void)state;
	char *q = command_quote("a b");
	assert_string_equal(q, "\"a b\"");
	free(q);
	q = command_quote("x\"y\\z");
	assert_string_equal(q, "\"x\\\"y\\\\z\"");
	free(q);
	q = command_quote("plain");
	assert_string_equal(q, "plain");
	free(q);
	q = command_quote("");
	assert_string_equal(q, "\"\"");
	free(q);

	/* A quoted word reaches the command whole; help needs no dump. */
	struct doc d;
	struct kdx_error err = { .msg = "" };
	assert_int_equal(command_run(NULL, "help \"in\"fo", &d, &err), 0);
	struct dnode *rows = dn_get(d.root, "commands");
	assert_int_equal(rows->nkids, 1);
	assert_string_equal(dn_get(rows->kids[0], "usage")->v.s, "info [-v] [-w]");
	doc_free(&d);
	assert_int_equal(command_run(NULL, "help \"info", &d, &err), -1);
	assert_string_equal(err.msg, "help \"info: offset 5: unterminated quote");
	doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_sort_stable),
		cmocka_unit_test(test_layout_links),
		cmocka_unit_test(test_parse_number),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_quoting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
