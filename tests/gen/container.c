/* Container writers: lay a gen_image out as a Windows crash dump (every
 * DumpType kdx reads), an ELF core or a raw image. Layouts follow
 * doc/dump-format.md; the offsets are transcribed here on their own
 * (not shared with core/source/source_windmp.c) so that reader and writer are checked
 * against each other. */
#include "tests/gen/gen.h"

#include <elf.h>
#include <errno.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define PAGE_BYTES KDX_PAGE_SIZE

int gen_image_init(struct gen_image *img, enum paging mode, const struct phys_range *ram,
		   size_t nram)
{
	memset(img, 0, sizeof *img);
	if (nram == 0 || nram > sizeof img->ram / sizeof img->ram[0])
		return -1;
	for (size_t i = 0; i < nram; i++) {
		if (ram[i].start % PAGE_BYTES || ram[i].end % PAGE_BYTES ||
		    ram[i].end <= ram[i].start || (i && ram[i].start < ram[i - 1].end))
			return -1;
		img->ram[i] = ram[i];
	}
	img->nram = nram;
	img->paging = mode;
	img->machine = mode == PAGING_X64 ? MACHINE_X64 : MACHINE_X86;
	img->processors = 1;
	img->max_pfn = ram[nram - 1].end / PAGE_BYTES;
	img->pages = calloc(img->max_pfn, sizeof *img->pages);
	img->kernel_page = calloc(img->max_pfn, sizeof *img->kernel_page);
	if (!img->pages || !img->kernel_page) {
		gen_image_free(img);
		return -1;
	}
	return 0;
}

void gen_image_free(struct gen_image *img)
{
	if (img->pages)
		for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++)
			free(img->pages[pfn]);
	free(img->pages);
	free(img->kernel_page);
	img->pages = NULL;
	img->kernel_page = NULL;
	img->max_pfn = 0;
}

bool gen_is_ram(const struct gen_image *img, uint64_t pfn)
{
	if (pfn >= img->max_pfn)
		return false;
	uint64_t pa = pfn * PAGE_BYTES;
	for (size_t i = 0; i < img->nram; i++)
		if (pa >= img->ram[i].start && pa < img->ram[i].end)
			return true;
	return false;
}

uint8_t *gen_page(struct gen_image *img, uint64_t pfn)
{
	if (!gen_is_ram(img, pfn))
		return NULL;
	if (!img->pages[pfn])
		img->pages[pfn] = calloc(1, PAGE_BYTES);
	return img->pages[pfn];
}

/* A store outside RAM is a bug in the scenario being built, not a runtime
 * condition: stop loudly rather than write a dump that silently lacks it. */
void gen_put_bytes(struct gen_image *img, uint64_t pa, const void *p, size_t n)
{
	const uint8_t *src = p;
	while (n) {
		uint8_t *page = gen_page(img, pa / PAGE_BYTES);
		if (!page) {
			fprintf(stderr, "kdx-gen: store to 0x%llx: not RAM (or out of memory)\n",
				(unsigned long long)pa);
			abort();
		}
		size_t off = pa % PAGE_BYTES, chunk = PAGE_BYTES - off;
		if (chunk > n)
			chunk = n;
		memcpy(page + off, src, chunk);
		src += chunk;
		pa += chunk;
		n -= chunk;
	}
}

static void le_store(uint8_t *dst, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		dst[i] = (uint8_t)(v >> (8 * i));
}

void gen_put32(struct gen_image *img, uint64_t pa, uint32_t v)
{
	uint8_t b[4];
	le_store(b, v, 4);
	gen_put_bytes(img, pa, b, 4);
}

void gen_put64(struct gen_image *img, uint64_t pa, uint64_t v)
{
	uint8_t b[8];
	le_store(b, v, 8);
	gen_put_bytes(img, pa, b, 8);
}

/* ---- Windows crash dump header: doc/dump-format.md sections 3, 4, 5, 7, 11 ---- */

/* One row per header width; pointer-sized fields are `word` bytes. */
struct dmp_layout {
	uint32_t header_size;
	unsigned word;
	const char *valid_dump;
	uint32_t machine_type;
	uint32_t dtb, pfn_database, module_list, process_head, machine, processors;
	uint32_t bugcheck_code, bugcheck_params, kdbg, pae_enabled;
	uint32_t memory_descriptor, context, context_size, exception, exception_size;
	uint32_t comment, attributes, boot_id, dump_type, required_space;
	uint32_t system_time, system_uptime, minidump_fields, secondary_state;
	uint32_t product_type, suite_mask, writer_status;
	/* §6.3: bitmap bytes after the legacy summary sub-header */
	uint32_t summary_bitmap;
};

static const struct dmp_layout layout32 = {
	.header_size = 0x1000, .word = 4, .valid_dump = "DUMP", .machine_type = 0x14C,
	.dtb = 0x10, .pfn_database = 0x14, .module_list = 0x18, .process_head = 0x1C,
	.machine = 0x20, .processors = 0x24, .bugcheck_code = 0x28, .bugcheck_params = 0x2C,
	.kdbg = 0x60, .pae_enabled = 0x5C, .memory_descriptor = 0x64,
	.context = 0x320, .context_size = 1200, .exception = 0x7D0, .exception_size = 0x50,
	.comment = 0x820, .attributes = 0x8A0, .boot_id = 0x8A4, .dump_type = 0xF88,
	.required_space = 0xFA0, .system_time = 0xFC0, .system_uptime = 0xFB8,
	.minidump_fields = 0xF8C, .secondary_state = 0xF90, .product_type = 0xF94,
	.suite_mask = 0xF98, .writer_status = 0xF9C, .summary_bitmap = 0x20,
};

static const struct dmp_layout layout64 = {
	.header_size = 0x2000, .word = 8, .valid_dump = "DU64", .machine_type = 0x8664,
	.dtb = 0x10, .pfn_database = 0x18, .module_list = 0x20, .process_head = 0x28,
	.machine = 0x30, .processors = 0x34, .bugcheck_code = 0x38, .bugcheck_params = 0x40,
	.kdbg = 0x80, .pae_enabled = 0, .memory_descriptor = 0x88,
	.context = 0x348, .context_size = 3000, .exception = 0xF00, .exception_size = 0x98,
	.comment = 0xFB0, .attributes = 0x1050, .boot_id = 0x1054, .dump_type = 0xF98,
	.required_space = 0xFA0, .system_time = 0xFA8, .system_uptime = 0x1030,
	.minidump_fields = 0x1038, .secondary_state = 0x103C, .product_type = 0x1040,
	.suite_mask = 0x1044, .writer_status = 0x1048, .summary_bitmap = 0x28,
};

#define SUITE_MASK 0x110          /* VER_SUITE_TERMINAL | VER_SUITE_SINGLEUSERTS */
#define COMMENT_BYTES 128

/* §7.1 / §7.2: the context a kernel-mode stop leaves, as §11 recommends. */
static void put_context(uint8_t *ctx, const struct dmp_layout *L)
{
	if (L->word == 4) {
		le_store(ctx + 0x00, 0x1001F, 4);   /* ContextFlags */
		le_store(ctx + 0x8C, 0x00, 4);      /* SegGs */
		le_store(ctx + 0x90, 0x30, 4);      /* SegFs */
		le_store(ctx + 0x94, 0x23, 4);      /* SegEs */
		le_store(ctx + 0x98, 0x23, 4);      /* SegDs */
		le_store(ctx + 0xBC, 0x08, 4);      /* SegCs */
		le_store(ctx + 0xC8, 0x10, 4);      /* SegSs */
		return;
	}
	le_store(ctx + 0x30, 0x10001F, 4);          /* ContextFlags */
	le_store(ctx + 0x34, 0x1F80, 4);            /* MxCsr */
	le_store(ctx + 0x38, 0x10, 2);              /* SegCs */
	le_store(ctx + 0x3A, 0x2B, 2);              /* SegDs */
	le_store(ctx + 0x3C, 0x2B, 2);              /* SegEs */
	le_store(ctx + 0x3E, 0x53, 2);              /* SegFs */
	le_store(ctx + 0x40, 0x2B, 2);              /* SegGs */
	le_store(ctx + 0x42, 0x18, 2);              /* SegSs */
	le_store(ctx + 0x118, 0x1F80, 4);           /* FltSave.MxCsr */
}

static uint64_t ram_pages(const struct gen_image *img)
{
	uint64_t n = 0;
	for (size_t i = 0; i < img->nram; i++)
		n += (img->ram[i].end - img->ram[i].start) / PAGE_BYTES;
	return n;
}

/* The full header, PAGE-filled first (§5.1). */
static void build_header(uint8_t *h, const struct dmp_layout *L, const struct gen_image *img,
			 uint32_t dump_type, uint64_t file_size)
{
	for (uint32_t i = 0; i < L->header_size; i += 4)
		memcpy(h + i, "PAGE", 4);
	memset(h + L->context, 0, L->context_size);
	memset(h + L->exception, 0, L->exception_size);
	memset(h + L->comment, 0, COMMENT_BYTES);
	memcpy(h + 4, L->valid_dump, 4);
	le_store(h + 0x8, 0xF, 4);                  /* MajorVersion: free build */
	le_store(h + 0xC, img->build, 4);
	le_store(h + L->dtb, img->dtb, L->word);
	le_store(h + L->pfn_database, img->pfn_database, L->word);
	le_store(h + L->module_list, img->ps_loaded_module_list, L->word);
	le_store(h + L->process_head, img->ps_active_process_head, L->word);
	le_store(h + L->machine, L->machine_type, 4);
	le_store(h + L->processors, img->processors, 4);
	le_store(h + L->bugcheck_code, img->bugcheck_code, 4);
	for (int i = 0; i < 4; i++)
		le_store(h + L->bugcheck_params + i * L->word, img->bugcheck_params[i], L->word);
	le_store(h + L->kdbg, img->kdbg_va, L->word);

	/* §4: the RAM runs; bitmap and triage dumps carry them too. */
	uint8_t *pmd = h + L->memory_descriptor;
	le_store(pmd, img->nram, 4);
	le_store(pmd + 4, 0, 4);                    /* 64-bit padding, overwritten for 32 */
	le_store(pmd + L->word, ram_pages(img), L->word);
	for (size_t i = 0; i < img->nram; i++) {
		uint8_t *run = pmd + 2 * L->word + i * 2 * L->word;
		le_store(run, img->ram[i].start / PAGE_BYTES, L->word);
		le_store(run + L->word, (img->ram[i].end - img->ram[i].start) / PAGE_BYTES,
			 L->word);
	}

	put_context(h + L->context, L);
	memcpy(h + L->comment, img->comment, strnlen(img->comment, COMMENT_BYTES - 1));
	le_store(h + L->attributes, 0, 4);
	le_store(h + L->boot_id, 0, 4);
	le_store(h + L->dump_type, dump_type, 4);
	le_store(h + L->minidump_fields, 0, 4);
	le_store(h + L->secondary_state, 0, 4);
	le_store(h + L->product_type, 1, 4);
	le_store(h + L->suite_mask, SUITE_MASK, 4);
	le_store(h + L->writer_status, 0, 4);
	le_store(h + L->required_space, file_size, 8);
	le_store(h + L->system_time, img->system_time, 8);
	le_store(h + L->system_uptime, img->system_uptime, 8);
	if (L->word == 4) {
		h[L->pae_enabled] = img->paging == PAGING_PAE;
		memset(h + L->pae_enabled + 1, 0, 3);   /* KdSecondaryVersion, Spare3 */
	} else {
		le_store(h + 0x3C, 0, 4);               /* padding after BugCheckCode */
		le_store(h + 0xF9C, 0, 4);              /* padding after DumpType */
		le_store(h + 0x104C, 0x0200, 4);        /* Unused1, KdSecondaryVersion 2, Unused */
	}
}

/* ---- output ---- */

struct out {
	FILE *f;
	const char *path;
	struct kdx_error *err;
	int failed;
};

static void out_bytes(struct out *o, const void *p, size_t n)
{
	if (!o->failed && n && fwrite(p, 1, n, o->f) != n) {
		o->failed = 1;
		kdx_fail(o->err, "%s: write failed: %s", o->path, strerror(errno));
	}
}

static void out_page(struct out *o, const struct gen_image *img, uint64_t pfn)
{
	static const uint8_t zero[PAGE_BYTES];
	out_bytes(o, img->pages[pfn] ? img->pages[pfn] : zero, PAGE_BYTES);
}

static void out_zeros(struct out *o, uint64_t n)
{
	static const uint8_t zero[PAGE_BYTES];
	while (n) {
		size_t chunk = n < sizeof zero ? (size_t)n : sizeof zero;
		out_bytes(o, zero, chunk);
		n -= chunk;
	}
}

static int out_close(struct out *o)
{
	if (fclose(o->f) != 0 && !o->failed) {
		o->failed = 1;
		kdx_fail(o->err, "%s: write failed: %s", o->path, strerror(errno));
	}
	if (o->failed)
		remove(o->path);
	return o->failed ? -1 : 0;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

/* Kernel dumps keep the kernel's pages; the RDMP kernel-and-user dump every
 * page the world put to use (its free pages were never written); the others
 * all RAM. */
bool gen_stores(const struct gen_image *img, enum gen_format fmt, uint64_t pfn)
{
	if (!gen_is_ram(img, pfn))
		return false;
	switch (fmt) {
	case GEN_SUMMARY: case GEN_BITMAP_KERNEL: case GEN_RDMP_KERNEL: case GEN_KDUMP_FILTERED:
		return img->kernel_page[pfn];
	case GEN_RDMP_ACTIVE:
		return img->kernel_page[pfn] || img->pages[pfn];
	case GEN_TRIAGE:
		return false;
	default:
		return true;
	}
}

/* Type 1, §6.1: the header, then every RAM run back to back. */
static void write_full(struct out *o, const struct gen_image *img, const struct dmp_layout *L,
		       uint8_t *h)
{
	build_header(h, L, img, GEN_FULL, L->header_size + ram_pages(img) * PAGE_BYTES);
	out_bytes(o, h, L->header_size);
	for (size_t i = 0; i < img->nram; i++)
		for (uint64_t pfn = img->ram[i].start / PAGE_BYTES;
		     pfn < img->ram[i].end / PAGE_BYTES; pfn++)
			out_page(o, img, pfn);
}

/* Types 2, 5, 6 (§6.2, §6.3): a sub-header and a bitmap at the end of the
 * header, then the stored pages in ascending PFN order from the first page
 * boundary after the bitmap. */
static void write_bitmap(struct out *o, const struct gen_image *img, const struct dmp_layout *L,
			 uint8_t *h, enum gen_format fmt)
{
	uint64_t bits = round_up(img->max_pfn, 64);
	uint64_t present = 0;
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++)
		present += gen_stores(img, fmt, pfn);
	uint32_t bitmap_at = fmt == GEN_SUMMARY ? L->summary_bitmap : 0x38;
	uint64_t sub_size = bitmap_at + bits / 8;
	uint64_t first_page = round_up(L->header_size + sub_size, PAGE_BYTES);

	uint8_t *sub = calloc(1, sub_size);
	if (!sub) {
		o->failed = 1;
		kdx_fail(o->err, "%s: out of memory for a %llu-bit bitmap", o->path,
			 (unsigned long long)bits);
		return;
	}
	memcpy(sub, fmt == GEN_BITMAP_FULL ? "FDMP" : "SDMP", 4);
	memcpy(sub + 4, "DUMP", 4);
	if (fmt == GEN_SUMMARY) {
		le_store(sub + 0x0C, first_page, 4);        /* HeaderSize */
		le_store(sub + 0x10, bits, 4);              /* BitmapSize */
		le_store(sub + 0x14, present, 4);           /* Pages */
		le_store(sub + 0x18, bits, 4);              /* Bitmap.SizeOfBitMap */
	} else {
		le_store(sub + 0x20, first_page, 8);        /* FirstPage */
		le_store(sub + 0x28, present, 8);           /* TotalPresentPages */
		le_store(sub + 0x30, bits, 8);              /* Pages (bit count) */
	}
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++)
		if (gen_stores(img, fmt, pfn))
			sub[bitmap_at + pfn / 8] |= (uint8_t)(1u << (pfn % 8));

	build_header(h, L, img, fmt, first_page + present * PAGE_BYTES);
	out_bytes(o, h, L->header_size);
	out_bytes(o, sub, sub_size);
	out_zeros(o, first_page - L->header_size - sub_size);
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++)
		if (gen_stores(img, fmt, pfn))
			out_page(o, img, pfn);
	free(sub);
}

/* Types 8, 9, 0xA (§6.5): the RDMP sub-header after the 64-bit header, the
 * stored pages' PFN ranges from +0x30, the pages right after the table
 * (FirstPageOffset = +0x20 + MetadataSize, not page-aligned, as in a real
 * file kdmp-parser issue 27 shows). Type 0xA states NumberOfRanges and
 * TotalNumberOfPages; type 8 ends its table with an all-zero entry (the
 * terminator kdmp-parser accepts), type 9 fills every slot. */
static void write_rdmp(struct out *o, const struct gen_image *img, const struct dmp_layout *L,
		       uint8_t *h, enum gen_format fmt)
{
	uint64_t nranges = 0, pages = 0;
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++) {
		bool in = gen_stores(img, fmt, pfn);
		nranges += in && (pfn == 0 || !gen_stores(img, fmt, pfn - 1));
		pages += in;
	}
	uint64_t slots = nranges + (fmt == GEN_RDMP_KERNEL);
	uint64_t sub_size = 0x30 + slots * 0x10;
	uint8_t *sub = calloc(1, sub_size);
	if (!sub) {
		o->failed = 1;
		kdx_fail(o->err, "%s: out of memory for %llu ranges", o->path,
			 (unsigned long long)nranges);
		return;
	}
	uint64_t first_page = L->header_size + sub_size;
	le_store(sub + 0x00, 0x40, 4);                  /* Marker */
	memcpy(sub + 0x04, "RDMP", 4);
	memcpy(sub + 0x08, "DUMP", 4);
	le_store(sub + 0x10, sub_size - 0x20, 8);       /* MetadataSize */
	le_store(sub + 0x18, first_page, 8);            /* FirstPageOffset */
	if (fmt == GEN_RDMP_FULL) {
		le_store(sub + 0x20, nranges, 4);       /* NumberOfRanges */
		le_store(sub + 0x28, pages, 8);         /* TotalNumberOfPages */
	}
	uint8_t *entry = sub + 0x30;
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++) {
		if (!gen_stores(img, fmt, pfn) || (pfn && gen_stores(img, fmt, pfn - 1)))
			continue;
		uint64_t end = pfn;
		while (end < img->max_pfn && gen_stores(img, fmt, end))
			end++;
		le_store(entry, pfn, 8);
		le_store(entry + 8, end - pfn, 8);
		entry += 0x10;
	}
	build_header(h, L, img, fmt, first_page + pages * PAGE_BYTES);
	out_bytes(o, h, L->header_size);
	out_bytes(o, sub, sub_size);
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++)
		if (gen_stores(img, fmt, pfn))
			out_page(o, img, pfn);
	free(sub);
}

/* Type 4, §6.4: TRIAGE_DUMP right after the header, the TRGD marker in the
 * last dword of the default-sized file, no memory. */
static void write_triage(struct out *o, const struct gen_image *img, const struct dmp_layout *L,
			 uint8_t *h)
{
	uint32_t size = L->word == 4 ? 0x10000 : 0x20000;
	uint8_t triage[0x80] = { 0 };
	le_store(triage + 0x04, size, 4);               /* SizeOfDump */
	le_store(triage + 0x08, size - 4, 4);           /* ValidOffset */
	build_header(h, L, img, GEN_TRIAGE, size);
	out_bytes(o, h, L->header_size);
	out_bytes(o, triage, sizeof triage);
	out_zeros(o, size - 4 - L->header_size - sizeof triage);
	out_bytes(o, "TRGD", 4);
}

static void write_crash_dump(struct out *o, const struct gen_image *img, enum gen_format fmt)
{
	const struct dmp_layout *L = img->machine == MACHINE_X64 ? &layout64 : &layout32;
	uint8_t *h = malloc(L->header_size);
	if (!h) {
		o->failed = 1;
		kdx_fail(o->err, "%s: out of memory", o->path);
		return;
	}
	if (fmt == GEN_FULL)
		write_full(o, img, L, h);
	else if (fmt == GEN_TRIAGE)
		write_triage(o, img, L, h);
	else if (fmt == GEN_RDMP_KERNEL || fmt == GEN_RDMP_ACTIVE || fmt == GEN_RDMP_FULL)
		write_rdmp(o, img, L, h, fmt);
	else
		write_bitmap(o, img, L, h, fmt);
	free(h);
}

/* ---- QEMU's ELF notes (its dump/dump.c and target/i386/arch_dump.c;
 * QEMUCPUState as contrib/elf2dmp/qemu_elf.h has it): per CPU an
 * NT_PRSTATUS ("CORE") and a "QEMU" note, then the guest's VMCOREINFO.
 * Registers other than CR0, CR3 and CR4 are left zero. ---- */

#define PRSTATUS64_SIZE 336             /* struct elf_prstatus, x86_64 */
#define PRSTATUS32_SIZE 144             /* i386 */
#define QEMU_STATE_SIZE 440             /* version 1, with kernel_gs_base */
#define QEMU_STATE_CR 392               /* cr[0] */

/* Appends one note at out + at (when out is not NULL); returns its size. */
static size_t put_note(uint8_t *out, size_t at, const char *name, uint32_t type,
		       const void *desc, size_t descsz)
{
	size_t namesz = strlen(name) + 1, size = 12 + round_up(namesz, 4) + round_up(descsz, 4);
	if (out) {
		memset(out + at, 0, size);
		le_store(out + at, namesz, 4);
		le_store(out + at + 4, descsz, 4);
		le_store(out + at + 8, type, 4);
		memcpy(out + at + 12, name, namesz);
		memcpy(out + at + 12 + round_up(namesz, 4), desc, descsz);
	}
	return size;
}

/* The notes QEMU writes for img, into out (NULL: only their size). */
static size_t qemu_notes(const struct gen_image *img, uint8_t *out)
{
	uint8_t prstatus[PRSTATUS64_SIZE] = { 0 }, state[QEMU_STATE_SIZE] = { 0 };
	uint64_t cr4 = img->cr4 ? img->cr4 : img->paging == PAGING_X86 ? 0x690 : 0x6b0;
	size_t at = 0;
	for (uint32_t i = 0; i < img->processors && i < GEN_MAX_CPUS; i++) {
		at += put_note(out, at, "CORE", NT_PRSTATUS, prstatus,
			       img->machine == MACHINE_X64 ? PRSTATUS64_SIZE : PRSTATUS32_SIZE);
		le_store(state, 1, 4);                  /* version */
		le_store(state + 4, QEMU_STATE_SIZE, 4);
		le_store(state + QEMU_STATE_CR, 0x80050033, 8);         /* PG, WP, NE, ET, MP, PE */
		le_store(state + QEMU_STATE_CR + 24, img->cpu_cr3[i] ? img->cpu_cr3[i] : img->dtb, 8);
		le_store(state + QEMU_STATE_CR + 32, cr4, 8);
		at += put_note(out, at, "QEMU", 0, state, sizeof state);
	}
	if (img->vmcoreinfo)
		at += put_note(out, at, "VMCOREINFO", 0, img->vmcoreinfo, strlen(img->vmcoreinfo));
	return at;
}

/* ---- ELF core: one PT_LOAD per RAM range, p_paddr = physical address ---- */

#define XNUM_FILLER 65536u      /* PT_NULL entries before the loads in GEN_ELF_XNUM */

static void elf_load(struct out *o, bool is64, uint64_t va, uint64_t pa, uint64_t len,
		     uint64_t off)
{
	if (is64) {
		Elf64_Phdr p = { .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
			.p_offset = off, .p_vaddr = va, .p_paddr = pa,
			.p_filesz = len, .p_memsz = len, .p_align = PAGE_BYTES };
		out_bytes(o, &p, sizeof p);
	} else {
		Elf32_Phdr p = { .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
			.p_offset = (Elf32_Off)off, .p_vaddr = (Elf32_Addr)va,
			.p_paddr = (Elf32_Addr)pa, .p_filesz = (Elf32_Word)len,
			.p_memsz = (Elf32_Word)len, .p_align = PAGE_BYTES };
		out_bytes(o, &p, sizeof p);
	}
}

/* The file offset of RAM byte pa when the RAM ranges follow each other from data. */
static uint64_t elf_ram_offset(const struct gen_image *img, uint64_t data, uint64_t pa)
{
	for (size_t i = 0; i < img->nram; i++) {
		if (pa < img->ram[i].end)
			return data + pa - img->ram[i].start;
		data += img->ram[i].end - img->ram[i].start;
	}
	return 0;
}

bool gen_is_elf(enum gen_format fmt)
{
	return fmt == GEN_ELF || fmt == GEN_ELF_PAGING || fmt == GEN_ELF_XNUM || fmt == GEN_ELF_QEMU;
}

/* The paging-mode forms hold a PT_LOAD per virtual page besides the RAM's. */
static bool elf_paging_form(enum gen_format fmt)
{
	return fmt == GEN_ELF_PAGING || fmt == GEN_ELF_XNUM;
}

uint64_t gen_elf_headers(const struct gen_image *img, enum gen_format fmt)
{
	return (fmt == GEN_ELF_XNUM ? XNUM_FILLER : 0) + (fmt == GEN_ELF_QEMU) + img->nram +
	       (elf_paging_form(fmt) ? img->nvpages : 0);
}

static void write_elf(struct out *o, const struct gen_image *img, enum gen_format fmt)
{
	bool is64 = img->machine == MACHINE_X64, xnum = fmt == GEN_ELF_XNUM;
	bool notes = fmt == GEN_ELF_QEMU;
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t shentsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	uint64_t filler = xnum ? XNUM_FILLER : 0, nph = gen_elf_headers(img, fmt);
	size_t nvpages = elf_paging_form(fmt) ? img->nvpages : 0;
	uint64_t shoff = ehsize + nph * phentsize;
	uint64_t notes_at = shoff + (xnum ? shentsize : 0);
	size_t notes_size = notes ? qemu_notes(img, NULL) : 0;
	uint8_t *blob = notes ? malloc(notes_size) : NULL;
	uint64_t data = round_up(notes_at + notes_size, PAGE_BYTES);
	if (notes && !blob) {
		o->failed = 1;
		kdx_fail(o->err, "%s: out of memory", o->path);
		return;
	}
	if (!is64 && img->ram[img->nram - 1].end > UINT32_MAX) {
		o->failed = 1;
		kdx_fail(o->err, "%s: RAM ends at 0x%llx: an ELF32 core holds at most 4 GiB",
			 o->path, (unsigned long long)img->ram[img->nram - 1].end);
		free(blob);
		return;
	}
	unsigned char ident[EI_NIDENT] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
		is64 ? ELFCLASS64 : ELFCLASS32, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE };
	uint16_t phnum = xnum ? PN_XNUM : (uint16_t)nph;
	if (is64) {
		Elf64_Ehdr e = { .e_type = ET_CORE, .e_machine = EM_X86_64,
			.e_version = EV_CURRENT, .e_phoff = sizeof e, .e_ehsize = sizeof e,
			.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = phnum,
			.e_shoff = xnum ? shoff : 0, .e_shentsize = xnum ? sizeof(Elf64_Shdr) : 0,
			.e_shnum = xnum };
		memcpy(e.e_ident, ident, EI_NIDENT);
		out_bytes(o, &e, sizeof e);
	} else {
		Elf32_Ehdr e = { .e_type = ET_CORE, .e_machine = EM_386,
			.e_version = EV_CURRENT, .e_phoff = sizeof e, .e_ehsize = sizeof e,
			.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = phnum,
			.e_shoff = xnum ? (Elf32_Off)shoff : 0,
			.e_shentsize = xnum ? sizeof(Elf32_Shdr) : 0, .e_shnum = xnum };
		memcpy(e.e_ident, ident, EI_NIDENT);
		out_bytes(o, &e, sizeof e);
	}
	out_zeros(o, filler * phentsize);       /* PT_NULL is 0 */
	if (notes && is64) {
		Elf64_Phdr p = { .p_type = PT_NOTE, .p_offset = notes_at, .p_filesz = notes_size };
		out_bytes(o, &p, sizeof p);
	} else if (notes) {
		Elf32_Phdr p = { .p_type = PT_NOTE, .p_offset = (Elf32_Off)notes_at,
			.p_filesz = (Elf32_Word)notes_size };
		out_bytes(o, &p, sizeof p);
	}
	for (size_t i = 0; i < nvpages; i++)
		elf_load(o, is64, img->vpages[i].va, img->vpages[i].pa, PAGE_BYTES,
			 elf_ram_offset(img, data, img->vpages[i].pa));
	uint64_t off = data;
	for (size_t i = 0; i < img->nram; i++) {
		uint64_t len = img->ram[i].end - img->ram[i].start;
		elf_load(o, is64, 0, img->ram[i].start, len, off);
		off += len;
	}
	/* Section header 0 holds the real count (gABI "Extended Program Header Numbering"). */
	if (xnum && is64) {
		Elf64_Shdr sh = { .sh_info = (Elf64_Word)nph };
		out_bytes(o, &sh, sizeof sh);
	} else if (xnum) {
		Elf32_Shdr sh = { .sh_info = (Elf32_Word)nph };
		out_bytes(o, &sh, sizeof sh);
	}
	if (notes) {
		qemu_notes(img, blob);
		out_bytes(o, blob, notes_size);
		free(blob);
	}
	out_zeros(o, data - notes_at - notes_size);
	for (size_t i = 0; i < img->nram; i++)
		for (uint64_t pfn = img->ram[i].start / PAGE_BYTES;
		     pfn < img->ram[i].end / PAGE_BYTES; pfn++)
			out_page(o, img, pfn);
}

/* ---- kdump-compressed (makedumpfile's IMPLEMENTATION): the 64-bit
 * disk_dump_header, the kdump_sub_header and QEMU's notes, the RAM bitmap and the
 * stored-pages bitmap (bit = PFN, least significant first), a 24-byte
 * page_desc per stored page, then the pages' data. The flattened form
 * (makedumpfile.h's makedumpfile_header and makedumpfile_data_header, all
 * big-endian) writes the same bytes as records { offset, size, data }. ---- */

#define FLAT_RECORD_MAX (16 * 1024)     /* QEMU's DataCache: 4 pages */
#define KDUMP_PACKED_MAX (2 * PAGE_BYTES)
#define KDUMP_SUB_HEADER 104            /* kdump_sub_header, 64-bit, version 6 */

/* page_desc.flags and the header's status: DUMP_DH_COMPRESSED_* */
enum kdump_pack { PACK_NONE = 0, PACK_ZLIB = 0x1, PACK_LZO = 0x2, PACK_SNAPPY = 0x4,
		  PACK_ZSTD = 0x20 };

bool gen_is_kdump(enum gen_format fmt)
{
	return fmt == GEN_KDUMP || fmt == GEN_KDUMP_FILTERED || fmt == GEN_KDUMP_ZLIB ||
	       fmt == GEN_KDUMP_FLAT || fmt == GEN_KDUMP_FLAT_LZO ||
	       fmt == GEN_KDUMP_FLAT_SNAPPY || fmt == GEN_KDUMP_FLAT_ZSTD;
}

static enum kdump_pack kdump_pack_of(enum gen_format fmt)
{
	switch (fmt) {
	case GEN_KDUMP_ZLIB: case GEN_KDUMP_FLAT: return PACK_ZLIB;
	case GEN_KDUMP_FLAT_LZO: return PACK_LZO;
	case GEN_KDUMP_FLAT_SNAPPY: return PACK_SNAPPY;
	case GEN_KDUMP_FLAT_ZSTD: return PACK_ZSTD;
	default: return PACK_NONE;
	}
}

static uint64_t be_load(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

uint64_t gen_flat_record(const uint8_t *data, unsigned index)
{
	uint64_t pos = 4096;                    /* after MAX_SIZE_MDF_HEADER */
	for (unsigned i = 0; i < index; i++)
		pos += 16 + be_load(data + pos + 8);
	return pos;
}

uint64_t gen_flat_offset(const uint8_t *data, size_t size, uint64_t want)
{
	uint64_t at = 0;
	for (uint64_t pos = 4096; pos + 16 <= size;) {
		uint64_t off = be_load(data + pos), len = be_load(data + pos + 8);
		if (off == UINT64_MAX || len > size - pos - 16)
			break;
		if (want >= off && want - off < len)
			at = pos + 16 + (want - off);
		pos += 16 + len;
	}
	return at;
}

/* Where kdump bytes go: the file at their offset, or a flattened record. */
struct kdump_sink {
	struct out *o;
	bool flat;
};

static void be_store(uint8_t *dst, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		dst[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void sink_at(struct kdump_sink *k, uint64_t off, const void *p, size_t n)
{
	if (k->flat) {
		uint8_t h[16];
		be_store(h, off);
		be_store(h + 8, n);
		out_bytes(k->o, h, sizeof h);
	} else if (!k->o->failed && fseeko(k->o->f, (off_t)off, SEEK_SET) != 0) {
		k->o->failed = 1;
		kdx_fail(k->o->err, "%s: seek to 0x%llx failed: %s", k->o->path,
			 (unsigned long long)off, strerror(errno));
	}
	out_bytes(k->o, p, n);
}

/* makedumpfile's cache_data: bytes leave in whole FLAT_RECORD_MAX pieces,
 * so a descriptor or a page's data may be cut between two records. */
struct kdump_cache {
	struct kdump_sink *sink;
	uint64_t off;               /* of buf[0] */
	size_t len;
	uint8_t buf[FLAT_RECORD_MAX];
};

static void cache_flush(struct kdump_cache *c)
{
	if (c->len)
		sink_at(c->sink, c->off, c->buf, c->len);
	c->off += c->len;
	c->len = 0;
}

static void cache_put(struct kdump_cache *c, const void *p, size_t n)
{
	const uint8_t *src = p;
	while (n) {
		size_t k = sizeof c->buf - c->len < n ? sizeof c->buf - c->len : n;
		memcpy(c->buf + c->len, src, k);
		c->len += k;
		src += k;
		n -= k;
		if (c->len == sizeof c->buf)
			cache_flush(c);
	}
}

/* The page compressed into out, or 0 when that does not make it smaller
 * (the writers then store it as it is). */
static size_t pack_page(enum kdump_pack pack, const uint8_t *page, uint8_t *out, void *lzo_work)
{
	size_t n = 0;
	if (pack == PACK_ZLIB) {
		uLongf len = KDUMP_PACKED_MAX;
		n = compress2(out, &len, page, PAGE_BYTES, Z_BEST_SPEED) == Z_OK ? len : 0;
	} else if (pack == PACK_LZO) {
		lzo_uint len = KDUMP_PACKED_MAX;
		n = lzo1x_1_compress(page, PAGE_BYTES, out, &len, lzo_work) == LZO_E_OK ? len : 0;
	} else if (pack == PACK_SNAPPY) {
		size_t len = KDUMP_PACKED_MAX;
		n = snappy_compress((const char *)page, PAGE_BYTES, (char *)out, &len) ==
		    SNAPPY_OK ? len : 0;
	} else if (pack == PACK_ZSTD) {
		size_t len = ZSTD_compress(out, KDUMP_PACKED_MAX, page, PAGE_BYTES, 1);
		n = ZSTD_isError(len) ? 0 : len;
	}
	return n < PAGE_BYTES ? n : 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static void write_kdump(struct out *o, const struct gen_image *img, enum gen_format fmt)
{
	enum kdump_pack pack = kdump_pack_of(fmt);
	bool flat = fmt >= GEN_KDUMP_FLAT && fmt <= GEN_KDUMP_FLAT_ZSTD;
	uint64_t map_blocks = round_up(round_up(img->max_pfn, 8) / 8, PAGE_BYTES) / PAGE_BYTES;
	uint64_t map_bytes = map_blocks * PAGE_BYTES, stored = 0;
	uint8_t *block = calloc(1, PAGE_BYTES), *maps = calloc(2, map_bytes);
	uint8_t *packed = malloc(KDUMP_PACKED_MAX);
	/* QEMU puts the notes right after the sub-header, in its blocks. */
	size_t notes_size = qemu_notes(img, NULL);
	uint64_t sub_blocks = round_up(KDUMP_SUB_HEADER + notes_size, PAGE_BYTES) / PAGE_BYTES;
	uint8_t *sub = calloc(sub_blocks, PAGE_BYTES);
	void *lzo_work = malloc(LZO1X_1_MEM_COMPRESS);
	struct kdump_cache *desc = calloc(1, sizeof *desc), *data = calloc(1, sizeof *data);
	if (!block || !maps || !packed || !sub || !lzo_work || !desc || !data ||
	    lzo_init() != LZO_E_OK) {
		o->failed = 1;
		kdx_fail(o->err, "%s: out of memory", o->path);
		goto out;
	}
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++) {
		if (gen_is_ram(img, pfn))
			maps[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
		if (gen_stores(img, fmt, pfn)) {
			maps[map_bytes + pfn / 8] |= (uint8_t)(1u << (pfn % 8));
			stored++;
		}
	}
	struct kdump_sink sink = { o, flat };
	if (flat) {
		memcpy(block, "makedumpfile", 12);
		be_store(block + 16, 1);                /* type: TYPE_FLAT_HEADER */
		be_store(block + 24, 1);                /* version */
		out_bytes(o, block, PAGE_BYTES);        /* MAX_SIZE_MDF_HEADER */
		memset(block, 0, PAGE_BYTES);
	}
	uint8_t counts[16];
	le_store(counts, 2 * map_blocks, 4);            /* bitmap_blocks */
	le_store(counts + 4, img->max_pfn, 4);          /* max_mapnr */
	memset(counts + 8, 0, 8);                       /* total_ram_blocks, device_blocks */
	memcpy(block, "KDUMP   ", 8);
	le_store(block + 8, 6, 4);                      /* header_version */
	memcpy(block + 12 + 4 * 65, "x86_64", 6);       /* utsname.machine, the rest empty */
	le_store(block + 0x1A8, pack, 4);               /* status */
	le_store(block + 0x1AC, PAGE_BYTES, 4);         /* block_size */
	le_store(block + 0x1B0, sub_blocks, 4);         /* sub_hdr_size */
	/* The flattened file states the counts in a record of their own at the
	 * end: only a reader that lets the later record win sees them. */
	if (!flat)
		memcpy(block + 0x1B4, counts, sizeof counts);
	le_store(block + 0x1CC, img->processors, 4);    /* nr_cpus */
	sink_at(&sink, 0, block, PAGE_BYTES);
	le_store(sub + 8, fmt == GEN_KDUMP_FILTERED ? 31 : 0, 4);      /* dump_level */
	le_store(sub + 48, PAGE_BYTES + KDUMP_SUB_HEADER, 8);           /* offset_note */
	le_store(sub + 56, notes_size, 8);              /* size_note */
	le_store(sub + 96, img->max_pfn, 8);            /* max_mapnr_64 (version 6) */
	qemu_notes(img, sub + KDUMP_SUB_HEADER);
	sink_at(&sink, PAGE_BYTES, sub, sub_blocks * PAGE_BYTES);
	*desc = (struct kdump_cache){ .sink = &sink, .off = (1 + sub_blocks) * PAGE_BYTES };
	cache_put(desc, maps, 2 * map_bytes);
	cache_flush(desc);
	uint64_t zero_at = desc->off + stored * 24;
	*data = (struct kdump_cache){ .sink = &sink, .off = zero_at };
	static const uint8_t zero[PAGE_BYTES];
	/* QEMU stores one all-zero page first, and every zero page's
	 * descriptor points to it. */
	if (pack != PACK_NONE)
		cache_put(data, zero, PAGE_BYTES);
	for (uint64_t pfn = 0; pfn < img->max_pfn && !o->failed; pfn++) {
		if (!gen_stores(img, fmt, pfn))
			continue;
		const uint8_t *page = img->pages[pfn] ? img->pages[pfn] : zero;
		uint8_t d[24] = { 0 };
		size_t n = pack != PACK_NONE ? pack_page(pack, page, packed, lzo_work) : 0;
		if (pack != PACK_NONE && all_zero(page, PAGE_BYTES)) {
			le_store(d, zero_at, 8);
			le_store(d + 8, PAGE_BYTES, 4);
		} else {
			le_store(d, data->off + data->len, 8);  /* offset */
			le_store(d + 8, n ? n : PAGE_BYTES, 4); /* size */
			le_store(d + 12, n ? pack : 0, 4);      /* flags */
			cache_put(data, n ? packed : page, n ? n : PAGE_BYTES);
		}
		cache_put(desc, d, sizeof d);
	}
	cache_flush(desc);
	cache_flush(data);
	if (flat) {
		uint8_t end[16];
		sink_at(&sink, 0x1B4, counts, sizeof counts);
		memset(end, 0xff, sizeof end);          /* END_FLAG_FLAT_HEADER */
		out_bytes(o, end, sizeof end);
	}
out:
	free(sub);
	free(block);
	free(maps);
	free(packed);
	free(lzo_work);
	free(desc);
	free(data);
}

/* ---- raw: offset = physical address; holes are left sparse ---- */

static void write_raw(struct out *o, const struct gen_image *img)
{
	for (size_t i = 0; i < img->nram && !o->failed; i++) {
		if (fseeko(o->f, (off_t)img->ram[i].start, SEEK_SET) != 0) {
			o->failed = 1;
			kdx_fail(o->err, "%s: seek to 0x%llx failed: %s", o->path,
				 (unsigned long long)img->ram[i].start, strerror(errno));
			return;
		}
		for (uint64_t pfn = img->ram[i].start / PAGE_BYTES;
		     pfn < img->ram[i].end / PAGE_BYTES; pfn++)
			out_page(o, img, pfn);
	}
}

int gen_write(const struct gen_image *img, enum gen_format fmt, const char *path,
	      struct kdx_error *err)
{
	switch (fmt) {
	case GEN_FULL: case GEN_SUMMARY: case GEN_TRIAGE:
	case GEN_BITMAP_FULL: case GEN_BITMAP_KERNEL: case GEN_ELF: case GEN_ELF_PAGING:
	case GEN_ELF_XNUM: case GEN_ELF_QEMU: case GEN_RAW:
		break;
	case GEN_KDUMP: case GEN_KDUMP_FILTERED: case GEN_KDUMP_ZLIB: case GEN_KDUMP_FLAT:
	case GEN_KDUMP_FLAT_LZO: case GEN_KDUMP_FLAT_SNAPPY: case GEN_KDUMP_FLAT_ZSTD:
		if (img->machine != MACHINE_X64)
			return kdx_fail(err, "%s: kdump files are written for x64 only", path);
		break;
	case GEN_RDMP_KERNEL: case GEN_RDMP_ACTIVE: case GEN_RDMP_FULL:
		if (img->machine != MACHINE_X64)
			return kdx_fail(err, "%s: RDMP dumps are 64-bit only", path);
		break;
	default:
		return kdx_fail(err, "%s: unknown generator format %d", path, (int)fmt);
	}
	if (img->nram == 0 || !img->pages)
		return kdx_fail(err, "%s: image has no RAM", path);
	struct out o = { .f = fopen(path, "wb"), .path = path, .err = err };
	if (!o.f)
		return kdx_fail(err, "%s: cannot create: %s", path, strerror(errno));
	if (gen_is_elf(fmt))
		write_elf(&o, img, fmt);
	else if (fmt == GEN_RAW)
		write_raw(&o, img);
	else if (gen_is_kdump(fmt))
		write_kdump(&o, img, fmt);
	else
		write_crash_dump(&o, img, fmt);
	return out_close(&o);
}
