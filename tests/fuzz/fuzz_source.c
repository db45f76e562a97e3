/* libFuzzer: the container readers (source_open and page reads) on any
 * bytes, once named .dmp (crash dump, ELF, kdump probes) and once .raw. */
#include <stdint.h>
#include <stdlib.h>

#include "core/source/source.h"
#include "tests/fuzz/fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_some_pages(struct source *s)
{
	uint8_t buf[2 * KDX_PAGE_SIZE];
	for (size_t i = 0; i < s->nranges && i < 8; i++) {
		source_read_phys(s, s->ranges[i].start, buf, sizeof buf);
		source_read_phys(s, s->ranges[i].end - KDX_PAGE_SIZE, buf, KDX_PAGE_SIZE);
		source_has_page(s, s->ranges[i].end >> KDX_PAGE_SHIFT);
	}
	source_read_phys(s, 0, buf, sizeof buf);
	source_read_phys(s, UINT64_MAX - KDX_PAGE_SIZE, buf, sizeof buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "input.dmp", "input.raw" };
	for (unsigned i = 0; i < 2; i++) {
		const char *path = fuzz_file_write(i, names[i], data, size);
		struct source *s;
		struct kdx_error err = { .msg = "" };
		if (source_open(path, &s, &err) < 0) {
			fuzz_check_error(err.msg, path);
			continue;
		}
		read_some_pages(s);
		source_close(s);
	}
	return 0;
}
