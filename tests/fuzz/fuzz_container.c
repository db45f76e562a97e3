/* libFuzzer: one part of a Windows crash dump at a time, in memory. The
 * input replaces the bytes at FUZZ_AT of a tiny valid dump of format
 * FUZZ_FORMAT (the file grows when the input runs past its end), and the
 * crash-dump reader probes the result:
 *   fuzz_header   FUZZ_AT 0      the header (a full dump)
 *   fuzz_runs     FUZZ_AT 0x88   the run table (PhysicalMemoryBlockBuffer)
 *   fuzz_bitmap   FUZZ_AT 0x2000 the bitmap header and bitmap (type 6)
 * A seed is the template's own bytes there (tests/fuzz/corpus). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_memory.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *template, *buf;
static size_t template_size;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	template = fuzz_tiny_dump(FUZZ_FORMAT, &template_size);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = FUZZ_AT + size > template_size ? FUZZ_AT + size : template_size;
	uint8_t *b = realloc(buf, n);
	if (!b)
		return 0;
	buf = b;
	memcpy(buf, template, template_size);
	memcpy(buf + FUZZ_AT, data, size);
	fuzz_probe_buffer(source_windmp_probe, "input.dmp", buf, n);
	return 0;
}
