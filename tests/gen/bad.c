/* Corrupt variants for the readers' bad-input tests (issue 2's list), each
 * derived from a good fixture and written as bad-NAME.dmp (or .elf) with
 * bad-NAME.expect holding one line: a substring the reader's message must
 * contain (the offset or address at fault, or the word that names the
 * problem). Header offsets: doc/dump-format.md §5, §6.1, §6.2. */
#include "tests/gen/world.h"
#include "tests/gen/world_build.h"
#include "tests/gen/world_modules.h"
#include "tests/gen/world_pool.h"
#include "tests/gen/world_procs.h"
#include "core/nt/pool.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR64 0x2000u
#define DTB64 0x10u
#define KDBG64 0x80u
#define PROCESSORS64 0x34u
#define RUNS64 0x88u              /* PHYSICAL_MEMORY_DESCRIPTOR64 */
#define DUMP_TYPE64 0xf98u
#define BITMAP_TOTAL 0x2028u      /* TotalPresentPages */
#define BITMAP_BITS 0x2030u
#define BITMAP_START 0x2038u
#define ELF_MACHINE 0x12u
/* RDMP sub-header (§6.5) */
#define RDMP_MARKER 0x2000u
#define RDMP_SIGNATURE 0x2004u
#define RDMP_METADATA_SIZE 0x2010u
#define RDMP_FIRST_PAGE 0x2018u
#define RDMP_NUMBER_OF_RANGES 0x2020u
#define RDMP_TABLE 0x2030u

struct blob {
	uint8_t *data;
	size_t size;
};

static int load(const char *path, struct blob *b, struct kdx_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return kdx_fail(err, "%s: cannot open: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	b->data = n > 0 ? malloc((size_t)n) : NULL;
	b->size = n > 0 ? (size_t)n : 0;
	int ok = b->data && fread(b->data, 1, b->size, f) == b->size;
	fclose(f);
	if (!ok) {
		free(b->data);
		return kdx_fail(err, "%s: cannot read %ld bytes", path, n);
	}
	return 0;
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

/* Writes DIR/bad-NAME.EXT (size bytes of data) and its .expect file. */
static int emit(const char *dir, const char *name, const char *ext, const uint8_t *data,
		size_t size, const char *expect, struct kdx_error *err)
{
	char path[4096];
	for (int pass = 0; pass < 2; pass++) {
		snprintf(path, sizeof path, "%s/bad-%s.%s", dir, name, pass ? "expect" : ext);
		FILE *f = fopen(path, "wb");
		if (!f)
			return kdx_fail(err, "%s: cannot create: %s", path, strerror(errno));
		int ok = pass ? fprintf(f, "%s\n", expect) > 0
			      : (size == 0 || fwrite(data, 1, size, f) == size);
		if ((fclose(f) != 0) | !ok)
			return kdx_fail(err, "%s: write failed", path);
	}
	return 0;
}

/* Header-only variants: the good header and a few pages behind it. */
static int header_variants(const char *dir, const struct blob *full, struct kdx_error *err)
{
	size_t small = HDR64 + 4 * KDX_PAGE_SIZE;
	uint8_t *c = malloc(small);
	if (!c)
		return kdx_fail(err, "out of memory");
	int r = emit(dir, "empty", "dmp", full->data, 0, "empty", err);
	if (r == 0)
		r = emit(dir, "truncated-header", "dmp", full->data, 0x800, "truncated", err);
	struct { const char *name; unsigned off; uint64_t v; unsigned n; const char *expect; } v[] = {
		{ "signature", 0x0, 0x58474150, 4, "offset 0x0" },        /* "PAGX" */
		{ "validdump", 0x4, 0x35365544, 4, "offset 0x4" },        /* "DU65" */
		{ "dump-type", DUMP_TYPE64, 0x1234, 4, "offset 0xf98" },
		{ "runs-header", RUNS64, 44, 4, "offset 0x88" },          /* max is 43 */
		{ "processors", PROCESSORS64, 0xffffffff, 4,
		  "offset 0x34: NumberProcessors is 4294967295: expected 1 to 2048" },
	};
	for (size_t i = 0; r == 0 && i < sizeof v / sizeof v[0]; i++) {
		memcpy(c, full->data, small);
		put(c + v[i].off, v[i].v, v[i].n);
		r = emit(dir, v[i].name, "dmp", c, small, v[i].expect, err);
	}
	/* Two runs of 8 pages each: overlapping, then out of order. */
	struct { const char *name; uint64_t base0, base1; const char *expect; } runs[] = {
		{ "runs-overlap", 0x10, 0x14, "overlap" },
		{ "runs-order", 0x100, 0x10, "order" },
	};
	size_t two_runs = HDR64 + 16 * KDX_PAGE_SIZE;
	uint8_t *t = calloc(1, two_runs);
	if (!t)
		r = kdx_fail(err, "out of memory");
	for (size_t i = 0; r == 0 && i < sizeof runs / sizeof runs[0]; i++) {
		memcpy(t, full->data, HDR64);
		put(t + RUNS64, 2, 4);
		put(t + RUNS64 + 0x8, 16, 8);
		put(t + RUNS64 + 0x10, runs[i].base0, 8);
		put(t + RUNS64 + 0x18, 8, 8);
		put(t + RUNS64 + 0x20, runs[i].base1, 8);
		put(t + RUNS64 + 0x28, 8, 8);
		put(t + 0xfa0, two_runs, 8);
		r = emit(dir, runs[i].name, "dmp", t, two_runs, runs[i].expect, err);
	}
	/* One run whose byte size is 2^64 - 4 KiB: its end offset wraps past 2^64. */
	if (r == 0) {
		memcpy(t, full->data, HDR64);
		put(t + RUNS64, 1, 4);
		put(t + RUNS64 + 0x8, 0xfffffffffffffull, 8);
		put(t + RUNS64 + 0x10, 0, 8);
		put(t + RUNS64 + 0x18, 0xfffffffffffffull, 8);
		r = emit(dir, "runs-wrap", "dmp", t, two_runs, "Run[0] (PFN 0x0, 0xfffffffffffff "
			 "pages) starts at file offset 0x2000: expected at most the 0x10 pages "
			 "between there and the file size 0x12000", err);
	}
	free(t);
	free(c);
	return r;
}

/* A bitmap whose set bits (and TotalPresentPages) claim 64 pages more than
 * the file holds: the bits are set in a word that was clear. */
static int bitmap_variant(const char *dir, const struct blob *k, struct kdx_error *err)
{
	uint64_t bits = get(k->data + BITMAP_BITS, 8);
	for (uint64_t word = bits / 64; word-- > 0;) {
		uint8_t *p = k->data + BITMAP_START + word * 8;
		if (get(p, 8) != 0)
			continue;
		put(p, UINT64_MAX, 8);
		put(k->data + BITMAP_TOTAL, get(k->data + BITMAP_TOTAL, 8) + 64, 8);
		return emit(dir, "bitmap-pages", "dmp", k->data, k->size, "truncated", err);
	}
	return kdx_fail(err, "bitmap-pages: the kernel bitmap has no clear 64-page word");
}

static const struct world_xlat *xlat_of(const struct world *w, const char *kind)
{
	for (size_t i = 0; i < w->nxlat; i++)
		if (strcmp(w->xlat[i].kind, kind) == 0)
			return &w->xlat[i];
	return NULL;
}

/* Full-size variants: the KDBG pointer names a page in the RAM hole (the
 * dump opens with a warning naming that address), or is 0 (it names none:
 * the dump opens with a warning saying so), the CR3 names the hole. */
static int memory_variants(const char *dir, const struct world *w, struct blob *full,
			   struct kdx_error *err)
{
	char expect[32];
	const struct world_xlat *hole = xlat_of(w, "large-over-hole");
	put(full->data + KDBG64, hole->walk.va, 8);
	snprintf(expect, sizeof expect, "0x%llx", (unsigned long long)hole->walk.va);
	int r = emit(dir, "kdbg-unmapped", "dmp", full->data, full->size, expect, err);
	put(full->data + KDBG64, 0, 8);
	if (r == 0)
		r = emit(dir, "kdbg-zero", "dmp", full->data, full->size,
			 "KdDebuggerDataBlock is 0: it names no KDBG", err);
	put(full->data + KDBG64, w->kdbg_va, 8);
	uint64_t hole_pa = hole->walk.pa & ~(uint64_t)(KDX_PAGE_SIZE - 1);
	put(full->data + DTB64, hole_pa, 8);
	snprintf(expect, sizeof expect, "0x%llx", (unsigned long long)hole_pa);
	if (r == 0)
		r = emit(dir, "cr3", "dmp", full->data, full->size, expect, err);
	put(full->data + DTB64, w->img.dtb, 8);
	if (r == 0)
		r = emit(dir, "runs-file", "dmp", full->data, full->size - 3 * KDX_PAGE_SIZE,
			 "truncated", err);
	return r;
}

/* The plain ELF core: cut short, another machine, and its second RAM
 * segment moved over the first (two file offsets for one physical page). */
static int elf_variants(const char *dir, struct blob *elf, struct kdx_error *err)
{
	int r = emit(dir, "elf-truncated", "elf", elf->data, 0x30, "ELF", err);
	put(elf->data + ELF_MACHINE, 0x1234, 2);
	if (r == 0)
		r = emit(dir, "elf-machine", "elf", elf->data, elf->size, "offset 0x12", err);
	put(elf->data + ELF_MACHINE, EM_X86_64, 2);
	uint8_t *second = elf->data + get(elf->data + 0x20, 8) + 56;
	uint64_t paddr = get(second + 24, 8);
	put(second + 24, get(second - 56 + 24, 8), 8);
	if (r == 0)
		r = emit(dir, "elf-overlap", "elf", elf->data, elf->size,
			 "expected PT_LOAD segments that overlap to hold the same bytes", err);
	put(second + 24, paddr, 8);
	return r;
}

/* The PN_XNUM core (ELF64, paging-mode segments; doc/dump-format.md §10).
 * The last PT_LOAD's data cut off, the count in section 0 beyond the file,
 * the last PT_LOAD over the one before, and the first segment by virtual
 * address pointing a page before its RAM's bytes. */
static int elf_xnum_variants(const char *dir, struct blob *elf, struct kdx_error *err)
{
	uint64_t phoff = get(elf->data + 0x20, 8), shoff = get(elf->data + 0x28, 8);
	uint32_t count = (uint32_t)get(elf->data + shoff + 44, 4);
	uint8_t *last = elf->data + phoff + (uint64_t)(count - 1) * 56;
	uint8_t *prev = last - 56;
	char expect[64];
	snprintf(expect, sizeof expect, "segment %u (PT_LOAD)", count - 1);
	uint64_t cut = get(last + 8, 8) + get(last + 32, 8) - KDX_PAGE_SIZE;
	int r = emit(dir, "elf-xnum-truncated", "elf", elf->data, (size_t)cut, expect, err);
	uint32_t saved_count = count;
	put(elf->data + shoff + 44, 0x7fffffff, 4);
	if (r == 0)
		r = emit(dir, "elf-xnum-count", "elf", elf->data, elf->size,
			 "program header table of 2147483647 entries (PN_XNUM", err);
	put(elf->data + shoff + 44, saved_count, 4);
	uint64_t paddr = get(last + 24, 8);
	put(last + 24, get(prev + 24, 8), 8);
	if (r == 0)
		r = emit(dir, "elf-xnum-overlap", "elf", elf->data, elf->size, "overlap", err);
	put(last + 24, paddr, 8);
	uint8_t *alias = elf->data + phoff;
	while (alias < last && get(alias, 4) != PT_LOAD)
		alias += 56;
	put(alias + 8, get(alias + 8, 8) - KDX_PAGE_SIZE, 8);
	if (r == 0)
		r = emit(dir, "elf-xnum-alias", "elf", elf->data, elf->size,
			 "expected PT_LOAD segments that overlap to hold the same bytes", err);
	return r;
}

static void put_be(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* The flattened kdump (GEN_KDUMP_FLAT): its header's type, the stream cut
 * before the end marker and inside a record's data, a negative record
 * offset, the bitmap's record moved away (a gap where the bitmap should
 * be), and a page descriptor inside a record pointing past the
 * reassembled end. */
static int flat_variants(const char *dir, const struct blob *flat, struct kdx_error *err)
{
	uint8_t *c = malloc(flat->size);
	if (!c)
		return kdx_fail(err, "out of memory");
	char expect[160];
	memcpy(c, flat->data, flat->size);
	put_be(c + 16, 2);
	int r = emit(dir, "flat-type", "kdump", c, flat->size, "offset 0x10: flattened header type 2", err);
	memcpy(c, flat->data, flat->size);
	if (r == 0)
		r = emit(dir, "flat-truncated", "kdump", c, flat->size - 8,
			 "expected a record header or the end marker", err);
	uint64_t rec = gen_flat_record(flat->data, 2);
	snprintf(expect, sizeof expect, "offset 0x%llx: record 2 writes", (unsigned long long)rec);
	if (r == 0)
		r = emit(dir, "flat-cut-record", "kdump", c, (size_t)(rec + 16 + 100), expect, err);
	rec = gen_flat_record(flat->data, 1);
	put_be(c + rec, (uint64_t)-4096);
	snprintf(expect, sizeof expect, "offset 0x%llx: record 1 writes 4096 bytes at offset -4096",
		 (unsigned long long)rec);
	if (r == 0)
		r = emit(dir, "flat-negative", "kdump", c, flat->size, expect, err);
	memcpy(c, flat->data, flat->size);
	rec = gen_flat_record(flat->data, 2);                     /* the bitmaps, at 0x2000 */
	put_be(c + rec, 1ull << 40);
	if (r == 0)
		r = emit(dir, "flat-gap", "kdump", c, flat->size,
			 "offset 0x2000 of the reassembled dump (in no record): the bitmap's byte 0x0", err);
	memcpy(c, flat->data, flat->size);
	/* block 0's sub_hdr_size and bitmap_blocks (at 0x1B0, 0x1B4) give where
	 * the descriptors start */
	uint64_t sub = gen_flat_offset(flat->data, flat->size, 0x1B0);
	uint64_t counts = gen_flat_offset(flat->data, flat->size, 0x1B4);
	uint64_t desc = (1 + get(flat->data + sub, 4) + get(flat->data + counts, 4)) * 4096ull + 5 * 24;
	uint64_t at = gen_flat_offset(flat->data, flat->size, desc);
	put(c + at, 0x7FFFFFFF000ull, 8);
	snprintf(expect, sizeof expect, "offset 0x%llx of the reassembled dump (file offset "
		 "0x%llx): page descriptor 5 is", (unsigned long long)desc, (unsigned long long)at);
	if (r == 0)
		r = at ? emit(dir, "flat-descriptor", "kdump", c, flat->size, expect, err) :
			 kdx_fail(err, "flattened fixture: no record holds offset 0x%llx",
				  (unsigned long long)desc);
	free(c);
	return r;
}

int bad_fixtures_write(const char *dir, const struct world *w, struct kdx_error *err)
{
	char path[4096];
	struct blob full = { 0 }, kernel = { 0 }, elf = { 0 }, xnum = { 0 }, flat = { 0 };
	const char *name = w->profile->name;
	int r;
	snprintf(path, sizeof path, "%s/%s%s", dir, name, world_format_suffix(GEN_FULL));
	r = load(path, &full, err);
	snprintf(path, sizeof path, "%s/%s%s", dir, name, world_format_suffix(GEN_BITMAP_KERNEL));
	if (r == 0)
		r = load(path, &kernel, err);
	snprintf(path, sizeof path, "%s/%s%s", dir, name, world_format_suffix(GEN_ELF));
	if (r == 0)
		r = load(path, &elf, err);
	snprintf(path, sizeof path, "%s/%s%s", dir, name, world_format_suffix(GEN_ELF_XNUM));
	if (r == 0)
		r = load(path, &xnum, err);
	snprintf(path, sizeof path, "%s/%s%s", dir, name, world_format_suffix(GEN_KDUMP_FLAT));
	if (r == 0)
		r = load(path, &flat, err);
	if (r == 0)
		r = header_variants(dir, &full, err);
	if (r == 0)
		r = bitmap_variant(dir, &kernel, err);
	if (r == 0)
		r = memory_variants(dir, w, &full, err);
	if (r == 0)
		r = elf_variants(dir, &elf, err);
	if (r == 0)
		r = elf_xnum_variants(dir, &xnum, err);
	if (r == 0)
		r = flat_variants(dir, &flat, err);
	free(flat.data);
	free(xnum.data);
	free(full.data);
	free(kernel.data);
	free(elf.data);
	return r;
}

/* The self-map entries of the top table at top (doc/address-space.md §3.1):
 * x64 and x86 one top-level slot, PAE the fourth directory's entries 0..3. */
static size_t self_map_entries(const struct world *w, uint64_t top, uint64_t *at,
			       unsigned *size)
{
	const struct gen_image *img = &w->img;
	if (img->paging == PAGING_PAE) {
		const uint8_t *pdpt = img->pages[top >> KDX_PAGE_SHIFT] + (top & 0xfff);
		uint64_t pd3 = get(pdpt + 24, 8) & 0x000ffffffffff000ull;
		for (unsigned k = 0; k < 4; k++)
			at[k] = pd3 + 8 * k;
		*size = 8;
		return 4;
	}
	*size = img->paging == PAGING_X64 ? 8 : 4;
	at[0] = top + (uint64_t)w->self_map_index * *size;
	return 1;
}

/* PAE tables as real files show them, beside the kernel's PDPT in its page
 * (rootless PAE only; doc/address-space.md §1.3): at +0x20 a Linux kernel
 * directory's (PDPTEs 0-2 zero, 3 with the accessed bit QEMU guests show),
 * at +0x40 the kernel's four with that bit, at +0x60 eight non-PAE PDEs of
 * which the second is present (a PDPTE not present but not zero), and at
 * +0x80 eight empty PDEs. */
static void pdpt_cases(struct world *w, bool write)
{
	uint8_t *pg = gen_page(&w->img, w->dtb >> KDX_PAGE_SHIFT);
	for (unsigned k = 0; k < 4; k++) {
		uint64_t e = get(pg + 8 * k, 8);
		put(pg + 0x20 + 8 * k, write && k == 3 ? e | 0x20 : 0, 8);
		put(pg + 0x40 + 8 * k, write ? e | 0x20 : 0, 8);
		put(pg + 0x60 + 8 * k, write && k == 0 ? (e & ~0xfffull) << 32 | 0x67ull << 32 : 0, 8);
	}
}

/* rootless-PROFILE.elf: the profile's ELF core with the self-map entries of
 * every top table (the kernel's, each process's) cleared, so that no scan
 * finds a root and only a DTB given by hand translates; rootless-PROFILE.raw
 * the same RAM with no header to say the machine; rootless-PROFILE.qemu.elf
 * the same with QEMU's CPU notes, whose CR3 kdx takes. Every walk but those
 * through the self-map (the page tables' own VA range) is the profile's
 * truth's. The PAE one also holds pdpt_cases. */
int rootless_fixture_write(const char *dir, struct world *w, struct kdx_error *err)
{
	enum { MAX = 4 * (WORLD_MAX_PROCESSES + 1) };
	uint64_t at[MAX], saved[MAX];
	unsigned size = 0;
	size_t n = self_map_entries(w, w->dtb, at, &size);
	for (size_t p = 0; p < w->procs->nprocesses; p++)
		n += self_map_entries(w, w->procs->processes[p].dtb, at + n, &size);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = gen_page(&w->img, at[i] >> KDX_PAGE_SHIFT) + (at[i] & 0xfff);
		saved[i] = get(p, size);
		put(p, 0, size);
	}
	bool pae = w->img.paging == PAGING_PAE;
	if (pae)
		pdpt_cases(w, true);
	char path[4096];
	snprintf(path, sizeof path, "%s/rootless-%s.elf", dir, w->profile->name);
	int r = gen_write(&w->img, GEN_ELF, path, err);
	snprintf(path, sizeof path, "%s/rootless-%s.raw", dir, w->profile->name);
	if (r == 0)
		r = gen_write(&w->img, GEN_RAW, path, err);
	if (pae)
		pdpt_cases(w, false);
	/* The same as QEMU writes it: each CPU's note holds the kernel's CR3;
	 * then with CPU 0's beyond the RAM, so that CPU 1's serves. */
	snprintf(path, sizeof path, "%s/rootless-%s.qemu.elf", dir, w->profile->name);
	if (r == 0)
		r = gen_write(&w->img, GEN_ELF_QEMU, path, err);
	snprintf(path, sizeof path, "%s/rootless-%s.cpu1.qemu.elf", dir, w->profile->name);
	w->img.cpu_cr3[0] = w->img.ram[w->img.nram - 1].end + 0x10000000;
	if (r == 0)
		r = gen_write(&w->img, GEN_ELF_QEMU, path, err);
	w->img.cpu_cr3[0] = 0;
	for (size_t i = n; i-- > 0;)
		put(gen_page(&w->img, at[i] >> KDX_PAGE_SHIFT) + (at[i] & 0xfff), saved[i], size);
	return r;
}

/* Variants of the complete RDMP dump (type 0xA): its magic values, a
 * MetadataSize that disagrees with FirstPageOffset, a range list that
 * overflows the header or the file, ranges that claim more pages than the
 * file holds, ranges out of order. */
int bad_rdmp_fixtures_write(const char *dir, const struct world *w, struct kdx_error *err)
{
	char path[4096];
	struct blob full = { 0 };
	snprintf(path, sizeof path, "%s/%s%s", dir, w->profile->name,
		 world_format_suffix(GEN_RDMP_FULL));
	if (load(path, &full, err) < 0)
		return -1;
	uint64_t first_page = get(full.data + RDMP_FIRST_PAGE, 8);
	uint64_t slots = (first_page - RDMP_TABLE) / 16;
	struct { const char *name; unsigned off; uint64_t v; unsigned n; uint64_t off2, v2;
		 const char *expect; } v[] = {
		{ "rdmp-marker", RDMP_MARKER, 0x41, 4, 0, 0, "offset 0x2000: RDMP marker" },
		{ "rdmp-signature", RDMP_SIGNATURE, 0x504D4458, 4, 0, 0,      /* "XDMP" */
		  "offset 0x2004: RDMP Signature" },
		{ "rdmp-metadata", RDMP_METADATA_SIZE, first_page - 0x2020 + 0x10, 8, 0, 0,
		  "offset 0x2010: MetadataSize" },
		{ "rdmp-ranges-header", RDMP_NUMBER_OF_RANGES, slots + 1, 4, 0, 0,
		  "overflows the header" },
		{ "rdmp-ranges-file", RDMP_METADATA_SIZE, full.size, 8, RDMP_FIRST_PAGE,
		  0x2020 + full.size, "overflows the file" },
		{ "rdmp-order", RDMP_TABLE + 16, 0, 8, 0, 0, "order" },
	};
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof v / sizeof v[0]; i++) {
		uint8_t saved[16];
		memcpy(saved, full.data + v[i].off, sizeof saved);
		uint64_t saved2 = v[i].off2 ? get(full.data + v[i].off2, 8) : 0;
		put(full.data + v[i].off, v[i].v, v[i].n);
		if (v[i].off2)
			put(full.data + v[i].off2, v[i].v2, 8);
		r = emit(dir, v[i].name, "dmp", full.data, full.size, v[i].expect, err);
		memcpy(full.data + v[i].off, saved, sizeof saved);
		if (v[i].off2)
			put(full.data + v[i].off2, saved2, 8);
	}
	if (r == 0)
		r = emit(dir, "rdmp-pages", "dmp", full.data, full.size - KDX_PAGE_SIZE,
			 "truncated dump", err);
	free(full.data);
	return r;
}

/* ---- corrupt variants (issue 3): the dump opens; a list or count lies ---- */

static void vput(struct world *w, uint64_t va, uint64_t v, unsigned size)
{
	world_put_phys(w, world_pa(w, w->dtb, va), v, size);
}

static void corrupt(struct world *w, const char *kind, const char *field, uint64_t at,
		    uint64_t value, unsigned size)
{
	vput(w, at, value, size);
	w->corruption = (struct world_corruption){ .kind = kind, .field = field, .address = at,
						   .value = value };
}

enum corruption_id {
	C_PROCESS_CYCLE, C_MODULE_CYCLE, C_THREAD_UNMAPPED, C_HUGE_COUNT,
	C_POOL_TILING, C_POOL_TRACKER_UNMAPPED, C_POOL_HUGE_TAG_COUNT, C_COUNT
};
static const char *const corruption_names[C_COUNT] = {
	"process-cycle", "module-cycle", "thread-list-unmapped", "huge-thread-count",
	"pool-tiling", "pool-tracker-unmapped", "pool-huge-tag-count",
};

/* The first pool page's third block claims 0xff units, past the page end
 * (x64 POOL_HEADER BlockSize byte, doc/structures.md §6.1; the
 * variants derive from win7-x64): the walk keeps the two blocks before it. */
static void break_pool_tiling(struct world *w)
{
	struct world_pool *pool = w->pool;
	struct world_pool_page *pg = &pool->pages[0];
	const struct world_pool_block *third = &pool->blocks[pg->first_block + 2];
	corrupt(w, "bad-tiling", "BlockSize", third->address + 2, 0xff, 1);
	snprintf(w->corruption.reason, sizeof w->corruption.reason,
		 "the block runs past the page end");
	w->corruption.broken_page = pg->va;
	w->corruption.broken_at = third->address;
	for (size_t i = 2; i < pg->nblocks; i++) {
		const struct world_pool_block *lost = &pool->blocks[pg->first_block + i];
		if (lost->tag == pool->leak_tag) {
			pool->leak_blocks--;
			pool->leak_bytes -= lost->size;
		}
	}
	pg->nblocks = 2;
}

/* Breaks w as variant c and trims the truth to what a reader can reach. */
static void apply(struct world *w, enum corruption_id c)
{
	struct world_procs *P = w->procs;
	const struct prof_eprocess *E = w->profile->eprocess;
	unsigned ps = w->profile->ptr_size;
	size_t hog = 0;
	for (size_t i = 0; i < P->nprocesses; i++)
		if (strcmp(P->processes[i].name, "EATCPU.EXE") == 0)
			hog = i;
	switch (c) {
	case C_PROCESS_CYCLE:   /* the fourth process links back to the second */
		corrupt(w, "cycle", "ActiveProcessLinks",
			P->processes[3].eprocess + E->active_process_links,
			P->processes[1].eprocess + E->active_process_links, ps);
		P->nprocesses = 4;
		break;
	case C_MODULE_CYCLE: {  /* the fifth module links back to the third */
		struct world_modules *M = w->modules;
		unsigned links = w->profile->ldr->in_load_order_links;
		corrupt(w, "cycle", "InLoadOrderLinks", M->modules[4].ldr + links,
			M->modules[2].ldr + links, ps);
		M->nmodules = 5;
		break;
	}
	case C_THREAD_UNMAPPED: {   /* the hog's first thread links into a hole */
		struct world_process *h = &P->processes[hog];
		const struct world_thread *t = &P->threads[h->first_thread];
		uint64_t hole = w->kernel_base + w->kernel_size + 0x10;
		corrupt(w, "unmapped-link", "ThreadListEntry",
			t->ethread + w->profile->ethread->thread_list_entry, hole, ps);
		vput(w, t->ethread + w->profile->kthread->thread_list_entry, hole, ps);
		h->nthreads = 1;
		break;
	}
	case C_HUGE_COUNT:
		corrupt(w, "huge-count", "ActiveThreads", P->processes[hog].eprocess +
			E->active_threads, 0x7fffffff, 4);
		break;
	case C_POOL_TILING:
		break_pool_tiling(w);
		break;
	case C_POOL_TRACKER_UNMAPPED: {   /* the page just past the kernel image */
		const struct world_kvar *v = world_kvar(w, "PoolTrackTable");
		corrupt(w, "unmapped-pointer", "PoolTrackTable", v->address,
			w->kernel_base + w->kernel_size, ps);
		snprintf(w->corruption.reason, sizeof w->corruption.reason,
			 "0x%llx, which is not mapped", (unsigned long long)w->corruption.value);
		w->corruption.reader_fails = true;
		w->pool->track_table = w->corruption.value;
		w->pool->nrows = 0;
		break;
	}
	case C_POOL_HUGE_TAG_COUNT: {   /* the reader reads up to its cap */
		const struct world_kvar *v = world_kvar(w, "PoolTrackTableSize");
		corrupt(w, "huge-count", "PoolTrackTableSize", v->address, 0x7fffffff, ps);
		w->corruption.tracker_read = POOL_TRACKER_MAX_ENTRIES;
		snprintf(w->corruption.reason, sizeof w->corruption.reason,
			 "%llu entries claimed; read the first %llu",
			 (unsigned long long)w->corruption.value,
			 (unsigned long long)w->corruption.tracker_read);
		w->pool->track_table_entries = w->corruption.value;
		break;
	}
	default:
		break;
	}
}

int corrupt_fixtures_write(const char *dir, const struct profile *p, uint64_t seed,
			   struct kdx_error *err)
{
	for (int c = 0; c < C_COUNT; c++) {
		struct world w;
		char path[4096], truth[4200];
		if (world_build(&w, p, seed, err) < 0)
			return -1;
		apply(&w, (enum corruption_id)c);
		snprintf(path, sizeof path, "%s/corrupt-%s.dmp", dir, corruption_names[c]);
		snprintf(truth, sizeof truth, "%s.truth.json", path);
		int r = gen_write(&w.img, GEN_BITMAP_KERNEL, path, err) < 0 ||
			truth_write(&w, GEN_BITMAP_KERNEL, truth, err) < 0 ? -1 : 0;
		world_free(&w);
		if (r < 0)
			return -1;
	}
	return 0;
}
