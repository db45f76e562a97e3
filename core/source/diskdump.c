/* kdump-compressed checks. Layout: libkdumpfile src/kdumpfile/diskdump.c
 * (disk_dump_header_32/_64, struct page_desc) and makedumpfile's
 * IMPLEMENTATION file. */
#include "core/source/diskdump.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"

/* block_size offset in the 32-bit and 64-bit headers: signature (8),
 * header_version (4), utsname (6 x 65), alignment, timeval, status. */
static const uint32_t block_size_at[2] = { 0x1A0, 0x1AC };
/* utsname.machine: after the signature, header_version and four 65-byte
 * utsname fields, in both layouts. */
#define UTS_MACHINE_AT (12 + 4 * 65)
#define UTS_LEN 65
/* Descriptors checked per view read. */
#define DESC_BATCH 256

static uint64_t popcount_range(const uint8_t *p, uint64_t nbytes)
{
	uint64_t n = 0;
	for (uint64_t i = 0; i < nbytes; i++)
		n += (uint64_t)__builtin_popcount(p[i]);
	return n;
}

/* QEMU's dump-guest-memory -z fills only utsname.machine ("x86_64", "i686"). */
static enum machine uts_machine(const uint8_t *h)
{
	char m[UTS_LEN + 1] = "";
	memcpy(m, h + UTS_MACHINE_AT, UTS_LEN);
	if (strcmp(m, "x86_64") == 0)
		return MACHINE_X64;
	if (strcmp(m, "i386") == 0 || strcmp(m, "i686") == 0)
		return MACHINE_X86;
	return MACHINE_UNKNOWN;
}

static int check_descriptors(const struct byte_view *v, const char *path,
			     const struct diskdump *dd, struct kdx_error *err)
{
	uint8_t batch[DESC_BATCH * DISKDUMP_PAGE_DESC_SIZE];
	char where[128];
	uint64_t size = view_size(v);
	for (uint64_t first = 0; first < dd->ndesc; first += DESC_BATCH) {
		uint64_t n = dd->ndesc - first < DESC_BATCH ? dd->ndesc - first : DESC_BATCH;
		uint64_t at = dd->desc_off + first * DISKDUMP_PAGE_DESC_SIZE;
		size_t got = view_read(v, at, batch, n * DISKDUMP_PAGE_DESC_SIZE);
		if (got != n * DISKDUMP_PAGE_DESC_SIZE)
			return kdx_fail(err, "%s: %s: page descriptor %llu is not in the file: "
					"expected the %llu descriptors the bitmap lists", path,
					view_where(v, at + got, where, sizeof where),
					(unsigned long long)(first + got / DISKDUMP_PAGE_DESC_SIZE),
					(unsigned long long)dd->ndesc);
		for (uint64_t i = 0; i < n; i++) {
			const uint8_t *d = batch + i * DISKDUMP_PAGE_DESC_SIZE;
			uint64_t off = le_bytes(d, 8);
			uint32_t len = (uint32_t)le_bytes(d + 8, 4), flags = (uint32_t)le_bytes(d + 12, 4);
			bool compressed = flags & DISKDUMP_COMPRESSED;
			/* Compressed data of a page never needs twice its size. */
			if (len == 0 || (!compressed && len != KDX_PAGE_SIZE) ||
			    (compressed && len > 2 * KDX_PAGE_SIZE) || off > size || len > size - off)
				return kdx_fail(err, "%s: %s: page descriptor %llu is %u "
						"bytes at 0x%llx: expected %s within the %s size "
						"0x%llx", path,
						view_where(v, at + i * DISKDUMP_PAGE_DESC_SIZE,
							   where, sizeof where),
						(unsigned long long)(first + i), len,
						(unsigned long long)off,
						compressed ? "compressed data of at most 8192 bytes" :
						"a 4096-byte page",
						v->flat ? "reassembled" : "file", (unsigned long long)size);
		}
	}
	return 0;
}

int diskdump_check(const struct byte_view *v, const char *path, struct diskdump *dd,
		   struct kdx_error *err)
{
	memset(dd, 0, sizeof *dd);
	char where[128];
	uint8_t h[KDX_PAGE_SIZE] = { 0 };
	view_read(v, 0, h, sizeof h);
	const uint64_t bs = KDX_PAGE_SIZE;
	int layout = -1;
	for (int i = 0; i < 2 && layout < 0; i++)
		if (le_bytes(h + block_size_at[i], 4) == bs)
			layout = i;
	if (layout < 0)
		return kdx_fail(err, "%s: %s: block_size is %u (32-bit layout) / %u "
				"(64-bit layout at 0x%x): expected 4096", path,
				view_where(v, block_size_at[0], where, sizeof where),
				(uint32_t)le_bytes(h + block_size_at[0], 4),
				(uint32_t)le_bytes(h + block_size_at[1], 4), block_size_at[1]);
	uint32_t at = block_size_at[layout];
	int32_t version = (int32_t)le_bytes(h + 8, 4), sub_blocks = (int32_t)le_bytes(h + at + 4, 4);
	uint32_t bitmap_blocks = (uint32_t)le_bytes(h + at + 8, 4);
	dd->max_mapnr = (uint32_t)le_bytes(h + at + 12, 4);
	dd->status = (uint32_t)le_bytes(h + at - 4, 4);
	dd->machine = uts_machine(h);
	/* kdump_sub_header: offset_note and size_note after phys_base,
	 * dump_level, split, start_pfn, end_pfn, offset_vmcoreinfo and
	 * size_vmcoreinfo (unsigned long: 4 bytes in the 32-bit layout). */
	uint8_t sub[64] = { 0 };
	if (version >= 4 && view_has(v, KDX_PAGE_SIZE, sub, sizeof sub)) {
		dd->note_off = le_bytes(sub + (layout ? 48 : 32), 8);
		dd->note_size = le_bytes(sub + (layout ? 56 : 40), layout ? 8 : 4);
	}
	if (version < 0)
		return kdx_fail(err, "%s: %s: header_version is %d: expected >= 0",
				path, view_where(v, 8, where, sizeof where), version);
	if (sub_blocks < 0)
		return kdx_fail(err, "%s: %s: sub_hdr_size is %d: expected >= 0",
				path, view_where(v, at + 4, where, sizeof where), sub_blocks);
	uint64_t bitmap_off = (1 + (uint64_t)sub_blocks) * bs;
	uint64_t bitmap_size = (uint64_t)bitmap_blocks * bs;
	uint64_t size = view_size(v);
	if (bitmap_blocks == 0 || bitmap_size * 8 < dd->max_mapnr || bitmap_off > size ||
	    bitmap_size > size - bitmap_off)
		return kdx_fail(err, "%s: %s: bitmap_blocks is %u: expected a bitmap "
				"covering max_mapnr %u pages within the %s size 0x%llx", path,
				view_where(v, at + 8, where, sizeof where), bitmap_blocks, dd->max_mapnr,
				v->flat ? "reassembled" : "file", (unsigned long long)size);
	uint8_t *maps = malloc(bitmap_size);
	if (!maps)
		return kdx_fail(err, "%s: out of memory for a %llu-byte bitmap", path,
				(unsigned long long)bitmap_size);
	size_t got = view_read(v, bitmap_off, maps, bitmap_size);
	if (got != bitmap_size) {
		free(maps);
		return kdx_fail(err, "%s: %s: the bitmap's byte 0x%llx is in no record: "
				"expected %llu bitmap bytes", path,
				view_where(v, bitmap_off + got, where, sizeof where),
				(unsigned long long)got,
				(unsigned long long)bitmap_size);
	}
	/* As libkdumpfile's read_bitmap: a bitmap twice the needed size holds
	 * the RAM map, then the map of the pages stored. */
	dd->bitmap_bytes = bitmap_size;
	dd->stored = maps;
	if (dd->max_mapnr <= bitmap_size * 8 / 2) {
		dd->bitmap_bytes /= 2;
		dd->ram = maps;
		dd->stored = maps + dd->bitmap_bytes;
	}
	dd->ndesc = popcount_range(dd->stored, dd->bitmap_bytes);
	dd->desc_off = bitmap_off + bitmap_size;
	if (dd->ndesc > (size - dd->desc_off) / DISKDUMP_PAGE_DESC_SIZE) {
		kdx_fail(err, "%s: %s: the bitmap lists %llu stored pages: expected "
			 "their %d-byte descriptors within the %s size 0x%llx (truncated dump)",
			 path, view_where(v, dd->desc_off, where, sizeof where), (unsigned long long)dd->ndesc,
			 DISKDUMP_PAGE_DESC_SIZE, v->flat ? "reassembled" : "file",
			 (unsigned long long)size);
		diskdump_free(dd);
		return -1;
	}
	if (check_descriptors(v, path, dd, err) < 0) {
		diskdump_free(dd);
		return -1;
	}
	return 0;
}

void diskdump_free(struct diskdump *dd)
{
	free(dd->ram ? dd->ram : dd->stored);
	dd->ram = dd->stored = NULL;
}

void diskdump_notes(const struct byte_view *v, const struct diskdump *dd, struct dump_notes *out,
		    struct kdx_warnings *warnings)
{
	if (!dd->note_size)
		return;
	uint8_t *buf = dd->note_size <= DISKDUMP_MAX_NOTES ? malloc(dd->note_size) : NULL;
	char where[128];
	if (buf && view_has(v, dd->note_off, buf, dd->note_size))
		notes_parse(buf, dd->note_size, out);
	else
		kdx_warn(warnings, "%s: the sub-header's %llu bytes of ELF notes are not all in "
			 "the dump (or more than %u): CPU registers and VMCOREINFO unread",
			 view_where(v, dd->note_off, where, sizeof where),
			 (unsigned long long)dd->note_size, DISKDUMP_MAX_NOTES);
	free(buf);
}

static bool bit_set(const uint8_t *map, uint64_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

int diskdump_ranges(struct source *s, const struct diskdump *dd, struct kdx_error *err)
{
	uint64_t end_pfn = dd->max_mapnr < dd->bitmap_bytes * 8 ? dd->max_mapnr : dd->bitmap_bytes * 8;
	struct phys_range *r = NULL;
	size_t n = 0, cap = 0;
	for (uint64_t pfn = 0; pfn < end_pfn; pfn++) {
		if (!bit_set(dd->stored, pfn))
			continue;
		uint64_t end = pfn;
		while (end < end_pfn && bit_set(dd->stored, end))
			end++;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct phys_range *grown = realloc(r, ncap * sizeof *grown);
			if (!grown) {
				free(r);
				return kdx_fail(err, "%s: out of memory for %zu ranges", s->path, ncap);
			}
			r = grown;
			cap = ncap;
		}
		r[n++] = (struct phys_range){ pfn << KDX_PAGE_SHIFT, end << KDX_PAGE_SHIFT };
		pfn = end;
	}
	int rc = source_set_ranges(s, r, n, err);
	free(r);
	if (dd->ram)
		for (uint64_t pfn = 0; pfn < end_pfn; pfn++)
			s->ram_pages += bit_set(dd->ram, pfn);
	return rc;
}
