/* A dump file opened read-only and mapped whole: opening costs O(1) in its
 * size, and readers serve page pointers without copying. */
#ifndef KDX_MAPPED_FILE_H
#define KDX_MAPPED_FILE_H

#include <stdint.h>

#include "error.h"

struct mapped_file {
	const char *path;
	int fd;
	const uint8_t *data;   /* NULL for an empty file */
	uint64_t size;
};

/* Refuses directories, FIFOs and other non-files; maps regular files. */
int mapped_file_open(const char *path, struct mapped_file *f, struct kdx_error *err);
void mapped_file_close(struct mapped_file *f);

/* Bounds-checked little-endian loads; out-of-range reads return 0 and are
 * the caller's to prevent with mapped_file_has(). */
int mapped_file_has(const struct mapped_file *f, uint64_t off, uint64_t len);
uint16_t mf_u16(const struct mapped_file *f, uint64_t off);
uint32_t mf_u32(const struct mapped_file *f, uint64_t off);
uint64_t mf_u64(const struct mapped_file *f, uint64_t off);

#endif
