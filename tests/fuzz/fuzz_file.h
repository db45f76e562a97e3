/* libFuzzer targets whose parser takes a path: the input is written to a
 * file of a given name in a private directory, removed at exit. */
#ifndef KDX_FUZZ_FILE_H
#define KDX_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[64];
static char fuzz_paths[4][128];

static void fuzz_file_cleanup(void)
{
	for (size_t i = 0; i < sizeof fuzz_paths / sizeof fuzz_paths[0]; i++)
		if (fuzz_paths[i][0])
			unlink(fuzz_paths[i]);
	rmdir(fuzz_dir);
}

/* The path of slot's file, name inside the directory, now holding data. */
static inline const char *fuzz_file_write(unsigned slot, const char *name, const uint8_t *data,
					  size_t size)
{
	if (!fuzz_dir[0]) {
		strcpy(fuzz_dir, "/tmp/kdx-fuzz-XXXXXX");
		if (!mkdtemp(fuzz_dir))
			abort();
		atexit(fuzz_file_cleanup);
	}
	snprintf(fuzz_paths[slot], sizeof fuzz_paths[slot], "%s/%s", fuzz_dir, name);
	FILE *f = fopen(fuzz_paths[slot], "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	return fuzz_paths[slot];
}

/* The hostile-input rule for a failed open: one line naming the file. */
static inline void fuzz_check_error(const char *msg, const char *path)
{
	if (!strstr(msg, path) || strchr(msg, '\n')) {
		fprintf(stderr, "bad error message: %s\n", msg);
		abort();
	}
}

#endif
