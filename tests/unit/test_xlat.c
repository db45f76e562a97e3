/* Translation on all three paging modes, checked against page tables built
 * by hand here (independent of the world generator): exact physical
 * addresses, per-level records, holes, large pages, and the self-map scan
 * that finds the DTB in images without a crash header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <stdbool.h>

#include "core/dump.h"
#include "tests/gen/gen.h"

static char tmpdir[] = "/tmp/kdx-xlat-XXXXXX";

/* RAM 0..8 MiB and 12..16 MiB: 8..12 MiB is a hole in every image. */
static const struct phys_range ram[] = { { 0, 8u << 20 }, { 12u << 20, 16u << 20 } };
#define HOLE_PA (9u << 20)
#define MB(n) ((uint64_t)(n) << 20)

/* Every data page starts with its own physical address. */
static void tag_page(struct gen_image *img, uint64_t pa)
{
	gen_put64(img, pa, pa);
	gen_put64(img, pa + 8, ~pa);
}

static char *write_image(struct gen_image *img, enum gen_format fmt, const char *name)
{
	char *path;
	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	struct kdx_error err;
	assert_int_equal(gen_write(img, fmt, path, &err), 0);
	return path;
}

static struct dump *open_ok(const char *path)
{
	struct dump *d = NULL;
	struct kdx_error err = { .msg = "" };
	int r = dump_open(path, &d, &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	return d;
}

/* x64: PML4 0x1000 (self-map slot 0x1ED), kernel PDPT 0x2000, PD 0x3000,
 * PT 0x4000. VAs under 0xffffffff80000000 (PML4 0x1ff, PDPT 0x1fe). */
#define X64_BASE 0xffffffff80000000ull
static void build_x64(struct gen_image *img)
{
	assert_int_equal(gen_image_init(img, PAGING_X64, ram, 2), 0);
	img->dtb = 0x1000 | 0x2;   /* flag bits must be masked off */
	gen_put64(img, 0x1000 + 8 * 0x1ed, 0x1000 | 0x63);
	gen_put64(img, 0x1000 + 8 * 0x1ff, 0x2000 | 0x03);
	gen_put64(img, 0x2000 + 8 * 0x1fe, 0x3000 | 0x03);
	gen_put64(img, 0x2000 + 8 * 0x1fd, MB(0) | 0x83);   /* 1 GiB page at PA 0 */
	gen_put64(img, 0x3000 + 8 * 0, 0x4000 | 0x03);
	gen_put64(img, 0x3000 + 8 * 1, MB(2) | 0x1000 | 0x83); /* 2 MiB, PAT bit 12 set */
	gen_put64(img, 0x3000 + 8 * 2, HOLE_PA | 0x03);      /* PT not in the dump */
	/* PTE 5 -> 0x5000 with NX and software bits 52..62 set (must be masked). */
	gen_put64(img, 0x4000 + 8 * 5, 0x8000000000000000ull | (0x7full << 52) | 0x5000 | 0x63);
	gen_put64(img, 0x4000 + 8 * 6, 0x6000 | 0x63);
	gen_put64(img, 0x4000 + 8 * 7, 0xa1dd0880);          /* transition: not present */
	gen_put64(img, 0x4000 + 8 * 8, MB(12) | 0x63);
	gen_put64(img, 0x4000 + 8 * 9, (MB(9) + 0x1000) | 0x63); /* page in the hole */
	tag_page(img, 0x5000);
	tag_page(img, 0x6000);
	tag_page(img, MB(12));
	tag_page(img, MB(2));
	tag_page(img, MB(3) + 0x1000);
}

static void check_x64(struct dump *d)
{
	assert_int_equal(d->paging, PAGING_X64);
	assert_int_equal(d->dtb, 0x1000);
	struct walk w;
	xlat_walk(d->kernel, X64_BASE + 5 * 0x1000 + 0x123, &w);
	assert_int_equal(w.reason, XLAT_OK);
	assert_int_equal(w.nlevels, 4);
	assert_int_equal(w.stopped_at, -1);
	assert_int_equal(w.pa, 0x5123);
	assert_string_equal(w.level[0].name, "PML4E");
	assert_int_equal(w.level[0].table, 0x1000);
	assert_int_equal(w.level[0].index, 0x1ff);
	assert_int_equal(w.level[0].entry_address, 0x1ff8);
	assert_int_equal(w.level[0].entry, 0x2003);
	assert_string_equal(w.level[1].name, "PDPTE");
	assert_int_equal(w.level[1].index, 0x1fe);
	assert_int_equal(w.level[1].entry_address, 0x2ff0);
	assert_string_equal(w.level[2].name, "PDE");
	assert_int_equal(w.level[2].entry_address, 0x3000);
	assert_string_equal(w.level[3].name, "PTE");
	assert_int_equal(w.level[3].table, 0x4000);
	assert_int_equal(w.level[3].index, 5);
	assert_int_equal(w.level[3].entry_address, 0x4028);
	assert_true(w.level[3].entry >> 63);
	assert_true(w.level[3].present);
	assert_false(w.level[3].large);

	/* 2 MiB page: PAT (bit 12) is not part of the address. */
	xlat_walk(d->kernel, X64_BASE + MB(2) + 0x1abc, &w);
	assert_int_equal(w.reason, XLAT_OK);
	assert_int_equal(w.nlevels, 3);
	assert_true(w.level[2].large);
	assert_int_equal(w.page_size, MB(2));
	assert_int_equal(w.pa, MB(2) + 0x1abc);

	/* 1 GiB page at PDPT index 0x1fd. */
	xlat_walk(d->kernel, 0xffffffff40000000ull + MB(3) + 0x1008, &w);
	assert_int_equal(w.reason, XLAT_OK);
	assert_int_equal(w.nlevels, 2);
	assert_true(w.level[1].large);
	assert_int_equal(w.page_size, 1ull << 30);
	assert_int_equal(w.pa, MB(3) + 0x1008);

	/* Not present at each level. */
	xlat_walk(d->kernel, 0xffff800000000000ull, &w);   /* PML4 slot 0x100 empty */
	assert_int_equal(w.reason, XLAT_NOT_PRESENT);
	assert_int_equal(w.stopped_at, 0);
	assert_int_equal(w.level[0].entry, 0);
	xlat_walk(d->kernel, 0xffffff8000000000ull, &w);   /* PDPT slot 0 empty */
	assert_int_equal(w.stopped_at, 1);
	xlat_walk(d->kernel, X64_BASE + MB(8), &w);        /* PDE 4 empty */
	assert_int_equal(w.reason, XLAT_NOT_PRESENT);
	assert_int_equal(w.stopped_at, 2);
	xlat_walk(d->kernel, X64_BASE + 7 * 0x1000, &w);   /* transition PTE */
	assert_int_equal(w.reason, XLAT_NOT_PRESENT);
	assert_int_equal(w.stopped_at, 3);
	assert_int_equal(w.level[3].entry, 0xa1dd0880);
	assert_true(w.level[3].read);

	/* A page table that is not in the dump. A raw image stores the RAM
	 * hole as zeros, so there the table reads as empty instead. */
	bool raw = strcmp(d->src->format, "raw") == 0;
	xlat_walk(d->kernel, X64_BASE + MB(4), &w);
	assert_int_equal(w.reason, raw ? XLAT_NOT_PRESENT : XLAT_NOT_IN_DUMP);
	assert_int_equal(w.stopped_at, 3);
	assert_int_equal(w.level[3].read, raw);
	assert_int_equal(w.level[3].table, HOLE_PA);

	/* A mapped page the dump does not hold: translated, but a hole. */
	xlat_walk(d->kernel, X64_BASE + 9 * 0x1000, &w);
	assert_int_equal(w.reason, raw ? XLAT_OK : XLAT_NOT_IN_DUMP);
	assert_int_equal(w.stopped_at, -1);
	assert_int_equal(w.pa, MB(9) + 0x1000);

	/* Non-canonical. */
	xlat_walk(d->kernel, 0x0000900000000000ull, &w);
	assert_int_equal(w.reason, XLAT_INVALID);

	/* A read across pages 5..9: 5 and 6 read, 7 not present, 8 read, 9 absent. */
	uint8_t buf[5 * 4096];
	struct hole_list holes = { 0 };
	size_t got = xlat_read(d->kernel, X64_BASE + 5 * 0x1000, buf, sizeof buf, &holes);
	assert_int_equal(got, (raw ? 4 : 3) * 4096);
	assert_int_equal(holes.count, raw ? 1 : 2);
	assert_int_equal(holes.items[0].address, X64_BASE + 7 * 0x1000);
	assert_int_equal(holes.items[0].size, 4096);
	assert_int_equal(holes.items[0].reason, XLAT_NOT_PRESENT);
	if (!raw) {
		assert_int_equal(holes.items[1].address, X64_BASE + 9 * 0x1000);
		assert_int_equal(holes.items[1].reason, XLAT_NOT_IN_DUMP);
	}
	uint64_t v;
	memcpy(&v, buf, 8);
	assert_int_equal(v, 0x5000);
	memcpy(&v, buf + 4096, 8);
	assert_int_equal(v, 0x6000);
	memcpy(&v, buf + 3 * 4096, 8);
	assert_int_equal(v, MB(12));
	assert_int_equal(buf[2 * 4096 + 17], 0);   /* hole bytes read as zero */
	hole_list_free(&holes);

	/* The cached path agrees with the walk. */
	uint64_t pa;
	assert_int_equal(xlat_to_phys(d->kernel, X64_BASE + 6 * 0x1000 + 8, &pa), XLAT_OK);
	assert_int_equal(pa, 0x6008);
	assert_int_equal(xlat_to_phys(d->kernel, X64_BASE + 6 * 0x1000 + 16, &pa), XLAT_OK);
	assert_int_equal(pa, 0x6010);
	assert_int_equal(xlat_to_phys(d->kernel, X64_BASE + 7 * 0x1000, &pa), XLAT_NOT_PRESENT);
}

/* PAE: PDPT at 0x1020 (32-byte aligned, not page aligned), PDs at 0x2000..
 * 0x5000 (PD3 = 0x5000 maps the four PDs at entries 0..3), PT 0x6000. */
static void build_pae(struct gen_image *img)
{
	assert_int_equal(gen_image_init(img, PAGING_PAE, ram, 2), 0);
	img->dtb = 0x1020;
	for (int k = 0; k < 4; k++) {
		gen_put64(img, 0x1020 + 8 * k, (0x2000 + 0x1000 * k) | 0x01);
		gen_put64(img, 0x5000 + 8 * k, (0x2000 + 0x1000 * k) | 0x63);
	}
	gen_put64(img, 0x4000 + 8 * 0, 0x6000 | 0x63);            /* 0x80000000 */
	gen_put64(img, 0x4000 + 8 * 1, MB(4) | 0xe3);             /* 0x80200000: 2 MiB */
	gen_put64(img, 0x6000 + 8 * 3, 0x8000000000000000ull | MB(12) | 0x63);
	tag_page(img, MB(12));
	tag_page(img, MB(4) + 0x3000);
}

static void check_pae(struct dump *d)
{
	assert_int_equal(d->paging, PAGING_PAE);
	assert_int_equal(d->dtb, 0x1020);
	struct walk w;
	xlat_walk(d->kernel, 0x80003010, &w);
	assert_int_equal(w.reason, XLAT_OK);
	assert_int_equal(w.nlevels, 3);
	assert_string_equal(w.level[0].name, "PDPTE");
	assert_int_equal(w.level[0].table, 0x1020);
	assert_int_equal(w.level[0].index, 2);
	assert_int_equal(w.level[0].entry_address, 0x1030);
	assert_string_equal(w.level[1].name, "PDE");
	assert_int_equal(w.level[1].table, 0x4000);
	assert_string_equal(w.level[2].name, "PTE");
	assert_int_equal(w.level[2].entry_address, 0x6018);
	assert_int_equal(w.pa, MB(12) + 0x10);
	xlat_walk(d->kernel, 0x80203008, &w);
	assert_int_equal(w.nlevels, 2);
	assert_true(w.level[1].large);
	assert_int_equal(w.pa, MB(4) + 0x3008);
	xlat_walk(d->kernel, 0x80000000 + 4 * 0x1000, &w);
	assert_int_equal(w.reason, XLAT_NOT_PRESENT);
	assert_int_equal(w.stopped_at, 2);
	xlat_walk(d->kernel, 0x80600000, &w);
	assert_int_equal(w.stopped_at, 1);
	xlat_walk(d->kernel, 0x100000000ull, &w);
	assert_int_equal(w.reason, XLAT_INVALID);
	/* The self-map: PTE of 0x80003000 is visible at 0xC0000000 + (va >> 12) * 8. */
	uint64_t pte;
	assert_int_equal(xlat_read(d->kernel, 0xc0000000ull + (0x80003000ull >> 12) * 8, &pte, 8, NULL), 8);
	assert_int_equal(pte, 0x8000000000000000ull | MB(12) | 0x63);
}

/* x86: PD 0x1000 with the self-map at PD[0x300], PT 0x2000. */
static void build_x86(struct gen_image *img)
{
	assert_int_equal(gen_image_init(img, PAGING_X86, ram, 2), 0);
	img->dtb = 0x1000;
	gen_put32(img, 0x1000 + 4 * 0x300, 0x1000 | 0x63);
	gen_put32(img, 0x1000 + 4 * 0x200, 0x2000 | 0x63);       /* 0x80000000 */
	gen_put32(img, 0x1000 + 4 * 0x201, MB(4) | 0xe3);        /* 0x80400000: 4 MiB */
	gen_put32(img, 0x2000 + 4 * 1, MB(12) | 0x63);
	gen_put32(img, 0x2000 + 4 * 2, 0x80);                    /* demand zero */
	tag_page(img, MB(12));
	tag_page(img, MB(4) + MB(1));
}

static void check_x86(struct dump *d)
{
	assert_int_equal(d->paging, PAGING_X86);
	assert_int_equal(d->dtb, 0x1000);
	struct walk w;
	xlat_walk(d->kernel, 0x80001004, &w);
	assert_int_equal(w.reason, XLAT_OK);
	assert_int_equal(w.nlevels, 2);
	assert_string_equal(w.level[0].name, "PDE");
	assert_int_equal(w.level[0].index, 0x200);
	assert_int_equal(w.level[0].entry_address, 0x1800);
	assert_string_equal(w.level[1].name, "PTE");
	assert_int_equal(w.level[1].entry_address, 0x2004);
	assert_int_equal(w.level[1].entry, MB(12) | 0x63);
	assert_int_equal(w.pa, MB(12) + 4);
	xlat_walk(d->kernel, 0x80500010, &w);
	assert_int_equal(w.nlevels, 1);
	assert_true(w.level[0].large);
	assert_int_equal(w.page_size, MB(4));
	assert_int_equal(w.pa, MB(5) + 0x10);
	xlat_walk(d->kernel, 0x80002000, &w);
	assert_int_equal(w.reason, XLAT_NOT_PRESENT);
	assert_int_equal(w.stopped_at, 1);
	assert_int_equal(w.level[1].entry, 0x80);
	xlat_walk(d->kernel, 0x10000000, &w);
	assert_int_equal(w.stopped_at, 0);
	/* PDE of 0x80001000 through the self-map at 0xC0300000. */
	uint32_t pde;
	assert_int_equal(xlat_read(d->kernel, 0xc0300000 + 0x200 * 4, &pde, 4, NULL), 4);
	assert_int_equal(pde, 0x2063);
}

/* A raw image crowded with KDBG look-alikes whose KernBase maps but whose
 * blocks are mapped nowhere: each costs a bounded search for its VA, so
 * kdx must try only a bounded number of them (no hang on crafted input). */
static void test_kdbg_lookalikes(void **state)
{
	(void)state;
	struct gen_image img;
	build_x64(&img);
	uint8_t rec[24] = { 0 };
	memcpy(rec + 0x10, "KDBG", 4);
	rec[0x14] = 0x40;
	rec[0x15] = 0x03;   /* Size 0x340 */
	for (uint64_t pa = MB(12); pa + sizeof rec <= MB(16); pa += sizeof rec) {
		gen_put_bytes(&img, pa, rec, sizeof rec);
		/* KernBase at +0x18 falls in the next record's first word. */
		gen_put64(&img, pa + 0x18 < MB(16) ? pa + 0x18 : pa, X64_BASE);
	}
	char *path = write_image(&img, GEN_RAW, "lookalikes.raw");
	gen_image_free(&img);
	struct dump *d = open_ok(path);
	assert_false(d->has_kdbg);
	bool warned = false;
	for (size_t i = 0; i < d->warnings.count; i++)
		warned |= strstr(d->warnings.items[i], "no KDBG found") != NULL;
	assert_true(warned);
	dump_close(d);
	unlink(path);
	free(path);
}

struct mode_case {
	const char *name;
	void (*build)(struct gen_image *);
	void (*check)(struct dump *);
	enum gen_format fmt;
};

static void run_case(void **state)
{
	const struct mode_case *c = *state;
	struct gen_image img;
	c->build(&img);
	char *path = write_image(&img, c->fmt, c->name);
	gen_image_free(&img);
	struct dump *d = open_ok(path);
	assert_non_null(d->kernel);
	if (c->fmt == GEN_RAW)
		assert_string_equal(d->dtb_origin, "self-map scan");
	c->check(d);
	dump_close(d);
	unlink(path);
	free(path);
}

static const struct mode_case cases[] = {
	{ "x64.dmp", build_x64, check_x64, GEN_FULL },
	{ "x64.raw", build_x64, check_x64, GEN_RAW },
	{ "pae.dmp", build_pae, check_pae, GEN_FULL },
	{ "pae.raw", build_pae, check_pae, GEN_RAW },
	{ "x86.dmp", build_x86, check_x86, GEN_FULL },
	{ "x86.raw", build_x86, check_x86, GEN_RAW },
};

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	enum { NCASES = sizeof cases / sizeof cases[0] };
	struct CMUnitTest tests[NCASES + 1];
	for (size_t i = 0; i < NCASES; i++)
		tests[i] = (struct CMUnitTest){ cases[i].name, run_case, NULL, NULL,
						(void *)&cases[i] };
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_kdbg_lookalikes);
	return _cmocka_run_group_tests("xlat", tests, NCASES + 1, setup, teardown);
}
