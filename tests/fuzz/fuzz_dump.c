/* libFuzzer: dump_open (DTB and KDBG scans) on any bytes, then every
 * structure-walking command of tests/fuzz/commands.h. */
#include <stdint.h>
#include <stdlib.h>

#include "core/dump.h"
#include "tests/fuzz/commands.h"
#include "tests/fuzz/fuzz_file.h"
#include "views/command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_write(0, "input.dmp", data, size);
	struct dump *d;
	struct kdx_error err = { .msg = "" };
	if (dump_open(path, &d, &err) < 0) {
		fuzz_check_error(err.msg, path);
		return 0;
	}
	/* the generator's x64 layout: the kernel, the first pool pages */
	static const struct fuzz_addresses guesses = {
		0xfffff80002710000ull, 0xfffffa800100a000ull, 0xfffffa800100b000ull,
		0xfffffa8001046000ull, "Proc",
	};
	char lines[FUZZ_MAX_COMMANDS][FUZZ_COMMAND_LEN];
	size_t n = fuzz_command_lines(&guesses, lines);
	for (size_t i = 0; i < n; i++) {
		struct doc doc;
		struct kdx_error e = { .msg = "" };
		command_run(d, lines[i], &doc, &e);
		doc_free(&doc);
	}
	dump_close(d);
	return 0;
}
