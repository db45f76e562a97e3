/* libFuzzer: command lines (word splitting, parse_number, every command's
 * arguments) against one small generated dump, opened once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dump.h"
#include "tests/fuzz/fuzz_file.h"
#include "tests/gen/world.h"
#include "views/command.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dump *dump;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct world w;
	struct kdx_error err = { .msg = "" };
	const char *path = fuzz_file_write(0, "win7-x64.kernel.dmp", NULL, 0);
	if (world_build(&w, profile_by_name("win7-x64"), 3, &err) < 0 ||
	    gen_write(&w.img, GEN_BITMAP_KERNEL, path, &err) < 0 || dump_open(path, &dump, &err) < 0) {
		fprintf(stderr, "fuzz_command: %s\n", err.msg);
		abort();
	}
	world_free(&w);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	uint64_t v;
	parse_number(line, &v);
	struct doc doc;
	struct kdx_error err = { .msg = "" };
	command_run(dump, line, &doc, &err);
	doc_free(&doc);
	free(line);
	return 0;
}
