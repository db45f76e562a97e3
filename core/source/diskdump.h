/* The kdump-compressed (diskdump) header, bitmaps and page descriptors,
 * checked once at open over a byte view: the file itself (read on through
 * libkdumpfile) or a flattened file's records (read on by kdx). */
#ifndef KDX_DISKDUMP_H
#define KDX_DISKDUMP_H

#include "core/source/flat.h"
#include "core/source/source.h"

#define DISKDUMP_PAGE_DESC_SIZE 24      /* u64 offset, u32 size, u32 flags, u64 page_flags */
/* page_desc.flags (makedumpfile's diskdump_mod.h DUMP_DH_COMPRESSED_*) */
#define DISKDUMP_ZLIB 0x01
#define DISKDUMP_LZO 0x02
#define DISKDUMP_SNAPPY 0x04
#define DISKDUMP_ZSTD 0x20
#define DISKDUMP_COMPRESSED (DISKDUMP_ZLIB | DISKDUMP_LZO | DISKDUMP_SNAPPY | DISKDUMP_ZSTD)

struct diskdump {
	uint8_t *ram;               /* NULL: one bitmap, of the pages stored */
	uint8_t *stored;
	uint64_t bitmap_bytes;      /* of each */
	uint32_t max_mapnr;
	uint64_t desc_off;          /* the first page descriptor */
	uint64_t ndesc;             /* one per stored page */
	uint32_t status;            /* the header's DUMP_DH_COMPRESSED_* */
	enum machine machine;       /* from utsname.machine; unknown when it says nothing */
	uint64_t note_off, note_size;   /* the ELF notes (sub-header, version 4 on) */
};

/* Checks the header, reads both bitmaps and checks every page descriptor
 * against the view's size. On failure the one-line message. */
int diskdump_check(const struct byte_view *v, const char *path, struct diskdump *dd,
		   struct kdx_error *err);
void diskdump_free(struct diskdump *dd);
/* Reads the ELF notes the sub-header points to (QEMU writes each CPU's
 * registers and the guest's VMCOREINFO there) into out; a note area that
 * is not in the view, or larger than DISKDUMP_MAX_NOTES, is passed over
 * with a warning. */
#define DISKDUMP_MAX_NOTES (16u << 20)
void diskdump_notes(const struct byte_view *v, const struct diskdump *dd, struct dump_notes *out,
		    struct kdx_warnings *warnings);
/* The present ranges are the stored-pages bitmap's runs; the RAM bitmap,
 * when there is one, counts s->ram_pages. */
int diskdump_ranges(struct source *s, const struct diskdump *dd, struct kdx_error *err);

#endif
