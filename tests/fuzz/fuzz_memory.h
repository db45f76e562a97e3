/* libFuzzer helpers for harnesses that never touch the disk per input: a
 * source whose "file" is a buffer in memory (so a container reader's probe
 * runs on the bytes directly), and a tiny generated dump to start from. */
#ifndef KDX_FUZZ_MEMORY_H
#define KDX_FUZZ_MEMORY_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/source/source.h"
#include "tests/fuzz/fuzz_file.h"
#include "tests/gen/gen.h"

/* Runs probe on data as if it were the file name; on success reads a few
 * pages of every range. The source never owns data. */
static inline void fuzz_probe_buffer(int (*probe)(struct source *, struct kdx_error *),
				     const char *name, const uint8_t *data, size_t size)
{
	struct source *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(name)))
		abort();
	s->file = (struct dump_file){ s->path, -1, size ? data : NULL, size };
	struct kdx_error err = { .msg = "" };
	int r = probe(s, &err);
	if (r < 0)
		fuzz_check_error(err.msg, name);
	if (r > 0) {
		uint8_t buf[2 * KDX_PAGE_SIZE];
		for (size_t i = 0; i < s->nranges && i < 8; i++) {
			source_read_phys(s, s->ranges[i].start, buf, sizeof buf);
			source_read_phys(s, s->ranges[i].end - KDX_PAGE_SIZE, buf, KDX_PAGE_SIZE);
		}
		source_read_phys(s, UINT64_MAX - KDX_PAGE_SIZE, buf, sizeof buf);
	} else {
		s->ops = NULL;   /* a failing reader leaves nothing to close */
	}
	s->file.data = NULL;
	source_close(s);
}

/* A tiny x64 machine (five RAM pages in two ranges, a few bytes in each)
 * written in format fmt and read back: a seed-sized valid container. */
static inline uint8_t *fuzz_tiny_dump(enum gen_format fmt, size_t *size)
{
	static const struct phys_range ram[] = { { 0x1000, 0x4000 }, { 0x6000, 0x8000 } };
	struct gen_image img;
	if (gen_image_init(&img, PAGING_X64, ram, 2) < 0)
		abort();
	img.dtb = 0x1000;
	img.build = 19041;
	img.kdbg_va = 0xfffff80000001000ull;
	for (uint64_t pfn = 1; pfn < img.max_pfn; pfn++)
		if (gen_is_ram(&img, pfn)) {
			gen_put64(&img, pfn << KDX_PAGE_SHIFT, 0x1000 * pfn + 0x63);
			img.kernel_page[pfn] = pfn % 2;
		}
	struct kdx_error err = { .msg = "" };
	const char *path = fuzz_file_write(3, "template.dmp", NULL, 0);
	if (gen_write(&img, fmt, path, &err) < 0) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort();
	}
	gen_image_free(&img);
	FILE *f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) < 0)
		abort();
	long n = ftell(f);
	uint8_t *buf = malloc((size_t)n);
	rewind(f);
	if (n <= 0 || !buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*size = (size_t)n;
	return buf;
}

#endif
