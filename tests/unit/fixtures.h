/* Temporary dump files for unit tests: a private directory, a gen_image
 * whose every RAM page carries a recognisable pattern, written in one
 * container format. Include after <cmocka.h>. */
#ifndef KDX_TESTS_FIXTURES_H
#define KDX_TESTS_FIXTURES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dump.h"
#include "tests/gen/gen.h"
#include "tests/gen/world.h"

static char fixture_tmpdir[64];

/* The directory, created on first use. */
static inline const char *fixture_dir(void)
{
	if (!fixture_tmpdir[0]) {
		strcpy(fixture_tmpdir, "/tmp/kdx-test-XXXXXX");
		assert_non_null(mkdtemp(fixture_tmpdir));
	}
	return fixture_tmpdir;
}

/* Removes the directory and the files in it. */
static inline void fixture_cleanup(void)
{
	if (!fixture_tmpdir[0])
		return;
	DIR *d = opendir(fixture_tmpdir);
	if (d) {
		for (struct dirent *e; (e = readdir(d));) {
			char path[sizeof fixture_tmpdir + 256];
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(path, sizeof path, "%s/%s", fixture_tmpdir, e->d_name);
				if (unlink(path) < 0)
					rmdir(path);
			}
		}
		closedir(d);
	}
	rmdir(fixture_tmpdir);
	fixture_tmpdir[0] = '\0';
}

/* cmocka group teardown that removes the temporary files. */
static inline int fixture_group_teardown(void **state)
{
	(void)state;
	fixture_cleanup();
	return 0;
}

/* A malloc'd path for name inside the directory. */
static inline char *fixture_path(const char *name)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", fixture_dir(), name) > 0);
	return path;
}

/* The pattern page for pfn: its physical address as a u64, then bytes that
 * depend on both the PFN and the offset. */
static inline void fixture_pattern(uint64_t pfn, uint8_t *page)
{
	for (uint32_t i = 0; i < KDX_PAGE_SIZE; i++)
		page[i] = (uint8_t)(pfn * 37 + i * 11 + (i >> 8));
	uint64_t pa = pfn << KDX_PAGE_SHIFT;
	for (int i = 0; i < 8; i++)
		page[i] = (uint8_t)(pa >> (8 * i));
}

/* A machine with the given RAM, every RAM page holding its pattern. */
static inline void fixture_image(struct gen_image *img, enum paging mode,
				 const struct phys_range *ram, size_t nram)
{
	assert_int_equal(gen_image_init(img, mode, ram, nram), 0);
	for (size_t r = 0; r < nram; r++)
		for (uint64_t pfn = ram[r].start >> KDX_PAGE_SHIFT;
		     pfn < ram[r].end >> KDX_PAGE_SHIFT; pfn++)
			fixture_pattern(pfn, gen_page(img, pfn));
}

/* Writes img as name in the directory; returns the malloc'd path. */
static inline char *fixture_write(const struct gen_image *img, enum gen_format fmt,
				  const char *name)
{
	char *path = fixture_path(name);
	struct kdx_error err = { .msg = "" };
	if (gen_write(img, fmt, path, &err) < 0)
		fail_msg("gen_write %s: %s", path, err.msg);
	return path;
}

/* Writes a generated world as a full dump named name and opens it. */
static inline struct dump *fixture_open_world(struct world *w, const char *name)
{
	char *path = fixture_path(name);
	struct kdx_error err = { .msg = "" };
	assert_int_equal(gen_write(&w->img, GEN_FULL, path, &err), 0);
	struct dump *d = NULL;
	if (dump_open(path, &d, &err) < 0)
		fail_msg("%s", err.msg);
	free(path);
	return d;
}

/* Stores the size-byte value v at kernel VA va of the world's image, byte
 * by byte (a store may cross pages), through the dump d opened from it:
 * reopen after poking to read the change. */
static inline void fixture_poke(struct world *w, struct dump *d, uint64_t va, uint64_t v,
				unsigned size)
{
	for (unsigned i = 0; i < size; i++) {
		uint64_t pa;
		assert_int_equal(xlat_to_phys(d->kernel, va + i, &pa), XLAT_OK);
		gen_page(&w->img, pa >> KDX_PAGE_SHIFT)[pa & 0xfff] = (uint8_t)(v >> (8 * i));
	}
}

#endif
