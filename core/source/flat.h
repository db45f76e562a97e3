/* makedumpfile's flattened format (makedumpfile -F, QEMU's
 * dump-guest-memory -z): a stream of records, each a write of buf_size bytes
 * at an offset of the dump it stands for, which `makedumpfile -R` would
 * replay into a file. kdx indexes the records instead and reads the
 * reassembled bytes through the index, without a copy. */
#ifndef KDX_FLAT_H
#define KDX_FLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/source/dumpfile.h"
#include "core/util/error.h"

/* Reassembled bytes [start, end) are the file's bytes from file_off. */
struct flat_extent {
	uint64_t start, end, file_off;
};

struct flat_file {
	struct flat_extent *ext;    /* ascending, disjoint: a later record wins */
	size_t n;
	uint64_t records;           /* data records in the stream */
	uint64_t size;              /* end of the last extent */
};

/* The extent of ext[0..n) (ascending, disjoint) holding off, or NULL. */
const struct flat_extent *extent_find(const struct flat_extent *ext, size_t n, uint64_t off);

/* Whether f starts with the flattened header's signature. */
bool flat_signature(const struct dump_file *f);
/* Indexes every record. Fails with the one-line message (file, offset,
 * what was expected) on a bad header, a record past the end of the file, an
 * offset or size out of range, or a missing end marker. */
int flat_index(const struct dump_file *f, const char *path, struct flat_file *out,
	       struct kdx_error *err);
void flat_free(struct flat_file *ff);

/* The bytes of a dump at its own offsets: the file's, or a flattened
 * file's reassembled through its index. */
struct byte_view {
	const struct dump_file *file;
	const struct flat_file *flat;   /* NULL: the file's own bytes */
};

uint64_t view_size(const struct byte_view *v);
/* Copies up to len bytes from off; returns how many were there before the
 * first byte no record holds (or the end). */
size_t view_read(const struct byte_view *v, uint64_t off, void *buf, size_t len);
/* view_read that wants all len bytes. */
bool view_has(const struct byte_view *v, uint64_t off, void *buf, size_t len);
/* "offset 0x..." for a message; a flattened file's also names the file
 * offset that holds it. Returns buf. */
const char *view_where(const struct byte_view *v, uint64_t off, char *buf, size_t size);

#endif
