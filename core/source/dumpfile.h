/* A dump file opened read-only and mapped whole: opening costs O(1) in its
 * size, and readers serve page pointers without copying. */
#ifndef KDX_DUMPFILE_H
#define KDX_DUMPFILE_H

#include <stdint.h>

#include "core/util/error.h"

struct dump_file {
	const char *path;
	int fd;
	const uint8_t *data;   /* NULL for an empty file */
	uint64_t size;
};

/* Refuses directories, FIFOs and other non-files; maps regular files. */
int dump_file_open(const char *path, struct dump_file *f, struct kdx_error *err);
void dump_file_close(struct dump_file *f);

/* Bounds-checked little-endian loads; out-of-range reads return 0 and are
 * the caller's to prevent with dump_file_has(). */
int dump_file_has(const struct dump_file *f, uint64_t off, uint64_t len);
uint16_t mf_u16(const struct dump_file *f, uint64_t off);
uint32_t mf_u32(const struct dump_file *f, uint64_t off);
uint64_t mf_u64(const struct dump_file *f, uint64_t off);

#endif
