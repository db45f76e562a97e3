/* libFuzzer: pooltag.txt files. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis/pooltag.h"
#include "tests/fuzz/fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_write(0, "pooltag.txt", data, size);
	struct pooltag_db db;
	struct kdx_error err = { .msg = "" };
	if (pooltag_load(path, &db, &err) < 0) {
		fuzz_check_error(err.msg, path);
		return 0;
	}
	/* every loaded tag is found again */
	for (size_t i = 0; i < db.count; i++)
		if (!pooltag_lookup(&db, db.items[i].tag))
			abort();
	uint32_t first = 0;
	memcpy(&first, data, size < 4 ? size : 4);
	pooltag_lookup(&db, first);
	pooltag_free(&db);
	return 0;
}
