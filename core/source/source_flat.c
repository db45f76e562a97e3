/* Flattened kdump-compressed files (QEMU's dump-guest-memory -z,
 * makedumpfile -F), read by kdx itself: libkdumpfile 0.5.1 does not know
 * the flattened format, and a reassembled copy of a multi-GB dump is what
 * reading it directly avoids. The records are indexed at open (flat.c); a
 * page is its descriptor's data, read through the index and decompressed
 * as the descriptor's flags say. */
#include "core/source/diskdump.h"
#include "core/source/source.h"

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/util/bytes.h"

#define RANK_BLOCK_BITS 512     /* the stored-pages count is kept per block of the bitmap */

struct flat_source {
	struct flat_file flat;
	struct byte_view view;
	struct diskdump dd;
	uint64_t *rank;             /* stored pages before each RANK_BLOCK_BITS block */
	uint8_t packed[2 * KDX_PAGE_SIZE];      /* a page's compressed data */
};

static void flat_source_free(struct flat_source *fs)
{
	if (!fs)
		return;
	flat_free(&fs->flat);
	diskdump_free(&fs->dd);
	free(fs->rank);
	free(fs);
}

static void flat_close(struct source *s)
{
	flat_source_free(s->priv);
	s->priv = NULL;
}

static int build_rank(struct flat_source *fs)
{
	uint64_t blocks = fs->dd.bitmap_bytes * 8 / RANK_BLOCK_BITS + 1;
	fs->rank = malloc(blocks * sizeof *fs->rank);
	if (!fs->rank)
		return -1;
	uint64_t n = 0;
	for (uint64_t b = 0; b < blocks; b++) {
		fs->rank[b] = n;
		for (uint64_t i = b * RANK_BLOCK_BITS / 8;
		     i < (b + 1) * RANK_BLOCK_BITS / 8 && i < fs->dd.bitmap_bytes; i++)
			n += (uint64_t)__builtin_popcount(fs->dd.stored[i]);
	}
	return 0;
}

/* The stored pages before pfn: its page descriptor's index. */
static uint64_t rank_of(const struct flat_source *fs, uint64_t pfn)
{
	uint64_t n = fs->rank[pfn / RANK_BLOCK_BITS];
	for (uint64_t i = pfn / RANK_BLOCK_BITS * RANK_BLOCK_BITS / 8; i < pfn / 8; i++)
		n += (uint64_t)__builtin_popcount(fs->dd.stored[i]);
	return n + (uint64_t)__builtin_popcount(fs->dd.stored[pfn / 8] & ((1u << (pfn % 8)) - 1));
}

/* Decompresses into a whole page; false unless exactly one page comes out. */
static bool unpack(uint32_t flags, const uint8_t *in, size_t len, uint8_t *page)
{
	if (flags & DISKDUMP_ZLIB) {
		uLongf out = KDX_PAGE_SIZE;
		return uncompress(page, &out, in, len) == Z_OK && out == KDX_PAGE_SIZE;
	}
	if (flags & DISKDUMP_LZO) {
		lzo_uint out = KDX_PAGE_SIZE;
		return lzo1x_decompress_safe(in, len, page, &out, NULL) == LZO_E_OK &&
		       out == KDX_PAGE_SIZE;
	}
	if (flags & DISKDUMP_SNAPPY) {
		size_t out = 0;
		if (snappy_uncompressed_length((const char *)in, len, &out) != SNAPPY_OK ||
		    out != KDX_PAGE_SIZE)
			return false;
		return snappy_uncompress((const char *)in, len, (char *)page, &out) == SNAPPY_OK &&
		       out == KDX_PAGE_SIZE;
	}
	size_t out = ZSTD_decompress(page, KDX_PAGE_SIZE, in, len);
	return !ZSTD_isError(out) && out == KDX_PAGE_SIZE;
}

static const uint8_t *flat_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	struct flat_source *fs = s->priv;
	const struct diskdump *dd = &fs->dd;
	if (pfn >= dd->max_mapnr || pfn / 8 >= dd->bitmap_bytes ||
	    !(dd->stored[pfn / 8] >> (pfn % 8) & 1))
		return NULL;
	uint8_t d[DISKDUMP_PAGE_DESC_SIZE];
	if (!view_has(&fs->view, dd->desc_off + rank_of(fs, pfn) * DISKDUMP_PAGE_DESC_SIZE, d,
		      sizeof d))
		return NULL;
	uint64_t off = le_bytes(d, 8);
	uint32_t len = (uint32_t)le_bytes(d + 8, 4), flags = (uint32_t)le_bytes(d + 12, 4);
	if (!(flags & DISKDUMP_COMPRESSED))
		return len == KDX_PAGE_SIZE && view_has(&fs->view, off, scratch, KDX_PAGE_SIZE) ?
		       scratch : NULL;
	if (len > sizeof fs->packed || !view_has(&fs->view, off, fs->packed, len))
		return NULL;
	return unpack(flags, fs->packed, len, scratch) ? scratch : NULL;
}

static const struct source_ops flat_ops = { .page = flat_page, .close = flat_close };

static const char *compression_name(uint32_t status)
{
	return status & DISKDUMP_ZLIB ? "zlib" : status & DISKDUMP_LZO ? "lzo" :
	       status & DISKDUMP_SNAPPY ? "snappy" : status & DISKDUMP_ZSTD ? "zstd" :
	       "uncompressed";
}

int source_flat_probe(struct source *s, struct kdx_error *err)
{
	if (!flat_signature(&s->file))
		return 0;
	struct flat_source *fs = calloc(1, sizeof *fs);
	if (!fs)
		return kdx_fail(err, "%s: out of memory", s->path);
	fs->view = (struct byte_view){ &s->file, &fs->flat };
	if (flat_index(&s->file, s->path, &fs->flat, err) < 0) {
		free(fs);
		return -1;
	}
	uint8_t sig[8] = { 0 };
	view_read(&fs->view, 0, sig, sizeof sig);
	int rc = 0;
	if (memcmp(sig, "KDUMP   ", 8) && memcmp(sig, "DISKDUMP", 8))
		rc = kdx_fail(err, "%s: offset 0x0 of the reassembled dump: signature %.8s: "
			      "expected KDUMP or DISKDUMP (a flattened ELF core is read once "
			      "reassembled: makedumpfile -R)", s->path,
			      memcmp(sig, "\x7f" "ELF", 4) ? "unknown" : "ELF");
	if (rc == 0)
		rc = diskdump_check(&fs->view, s->path, &fs->dd, err);
	if (rc == 0)
		diskdump_notes(&fs->view, &fs->dd, &s->notes, &s->warnings);
	if (rc == 0 && fs->dd.machine == MACHINE_UNKNOWN)
		rc = kdx_fail(err, "%s: offset 0x%x of the reassembled dump: utsname.machine "
			      "names no x86 machine: expected x86_64, i686 or i386", s->path,
			      12 + 4 * 65);
	if (rc == 0 && build_rank(fs) < 0)
		rc = kdx_fail(err, "%s: out of memory", s->path);
	if (rc < 0) {
		flat_source_free(fs);
		return -1;
	}
	s->priv = fs;
	s->ops = &flat_ops;
	s->format = "kdump";
	snprintf(s->description, sizeof s->description, "flattened kdump-compressed dump, "
		 "%llu records, %s (read by kdx)", (unsigned long long)fs->flat.records,
		 compression_name(fs->dd.status));
	s->facts.machine = fs->dd.machine;
	s->facts.paging = fs->dd.machine == MACHINE_X64 ? PAGING_X64 : PAGING_UNKNOWN;
	s->facts.holds_memory = true;
	if (diskdump_ranges(s, &fs->dd, err) < 0) {
		flat_close(s);
		s->ops = NULL;
		return -1;
	}
	return 1;
}
