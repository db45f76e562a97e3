/* Windows kernel crash dumps: PAGEDUMP (32-bit) and PAGEDU64 (64-bit)
 * headers; full (run-based), legacy summary, bitmap, kernel bitmap and
 * RDMP range-list memory; triage and header-only dumps open for their
 * header facts.
 * Layout: doc/dump-format.md (sections cited per table). Page
 * lookups use indexes built from the run table or the bitmap at open; page
 * data is never read at open. */
#include "core/source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* §1 magic values, as little-endian u32 */
#define SIG_PAGE 0x45474150u
#define SIG_DUMP 0x504D5544u
#define SIG_DU64 0x34365544u
#define SIG_SDMP 0x504D4453u
#define SIG_FDMP 0x504D4446u
#define SIG_TRGD 0x44475254u
#define SIG_RDMP 0x504D4452u
#define FILL64 0x4547415045474150ull

#define MACHINE_I386 0x014C
#define MACHINE_AMD64 0x8664
#define MACHINE_ARM64 0xAA64
#define ATTR_ENCRYPTED (1u << 8)    /* §4 DUMP_FILE_ATTRIBUTES bit 8 */

/* DUMP_HEADER32 (§3) and DUMP_HEADER64 (§5); `word` is the size of the
 * pointer-sized fields; the memory descriptor is §4. */
struct header_layout {
	const char *name;
	uint32_t size, word, machine_type, max_runs;
	uint32_t major, minor, dtb, pfn_database, module_list, process_head;
	uint32_t machine, processors, bugcheck_code, bugcheck_params, kdbg;
	uint32_t pae_enabled;               /* 0: no such field */
	uint32_t memory_descriptor, comment, attributes, dump_type, required_space;
	uint32_t system_time, system_uptime;
	uint32_t summary_bitmap;            /* §6.3: bitmap offset in SUMMARY_DUMP */
};

static const struct header_layout header32 = {
	.name = "DUMP_HEADER32", .size = 0x1000, .word = 4, .machine_type = MACHINE_I386,
	.max_runs = 86, .major = 0x8, .minor = 0xC, .dtb = 0x10, .pfn_database = 0x14,
	.module_list = 0x18, .process_head = 0x1C, .machine = 0x20, .processors = 0x24,
	.bugcheck_code = 0x28, .bugcheck_params = 0x2C, .kdbg = 0x60, .pae_enabled = 0x5C,
	.memory_descriptor = 0x64, .comment = 0x820, .attributes = 0x8A0, .dump_type = 0xF88,
	.required_space = 0xFA0, .system_time = 0xFC0, .system_uptime = 0xFB8,
	.summary_bitmap = 0x20,
};

static const struct header_layout header64 = {
	.name = "DUMP_HEADER64", .size = 0x2000, .word = 8, .machine_type = MACHINE_AMD64,
	.max_runs = 43, .major = 0x8, .minor = 0xC, .dtb = 0x10, .pfn_database = 0x18,
	.module_list = 0x20, .process_head = 0x28, .machine = 0x30, .processors = 0x34,
	.bugcheck_code = 0x38, .bugcheck_params = 0x40, .kdbg = 0x80, .pae_enabled = 0,
	.memory_descriptor = 0x88, .comment = 0xFB0, .attributes = 0x1050, .dump_type = 0xF98,
	.required_space = 0xFA0, .system_time = 0xFA8, .system_uptime = 0x1030,
	.summary_bitmap = 0x28,
};

#define COMMENT_BYTES 128
#define TRIAGE_VALID_OFFSET 0x08    /* §6.4 */

/* Bitmap sub-header fields, relative to the sub-header: §6.2 (types 5, 6:
 * u64 counters) and §6.3 (type 2: u32 counters). */
struct bitmap_fields {
	uint32_t first_page, present, bits, bitmap, width;
};
static const struct bitmap_fields bitmap_v8 = { 0x20, 0x28, 0x30, 0x38, 8 };
static const struct bitmap_fields summary32 = { 0x0C, 0x14, 0x10, 0x20, 4 };
static const struct bitmap_fields summary64 = { 0x0C, 0x14, 0x10, 0x28, 4 };

/* RDMP sub-header at the end of the 64-bit header (§6.5; kdmp-parser is the
 * only public source): a common part, then per-type fields, then the range
 * table up to FirstPageOffset. */
#define RDMP_MARKER_VALUE 0x40u
enum {
	RDMP_MARKER = 0x00, RDMP_SIGNATURE = 0x04, RDMP_VALID_DUMP = 0x08,
	RDMP_METADATA_SIZE = 0x10, RDMP_FIRST_PAGE = 0x18,
	RDMP_METADATA = 0x20,               /* MetadataSize counts from here */
	RDMP_NUMBER_OF_RANGES = 0x20,       /* type 0xA: u32 */
	RDMP_TOTAL_PAGES = 0x28,            /* type 0xA: u64 */
	RDMP_TABLE = 0x30,                  /* {u64 BasePFN, u64 PageCount} */
	RDMP_ENTRY = 0x10,
};

struct run {
	uint64_t base, count;
	uint64_t file_page;                 /* pages stored before this run */
};

#define RANK_BLOCK_WORDS 8             /* one cumulative count per 512 bits */

struct windmp {
	uint64_t data_start;                /* file offset of the first stored page */
	struct run *runs;
	size_t nruns;
	uint64_t bitmap_off, bits;
	uint64_t *rank;                     /* set bits before each 512-bit block */
};

static void windmp_free(struct windmp *w)
{
	if (!w)
		return;
	free(w->runs);
	free(w->rank);
	free(w);
}

static void windmp_close(struct source *s)
{
	windmp_free(s->priv);
	s->priv = NULL;
}

/* "PAGE" for 0x45474150; non-printable bytes as '.'. */
static const char *fourcc(uint32_t v, char out[5])
{
	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)(v >> (8 * i));
		out[i] = c >= 0x20 && c < 0x7F ? (char)c : '.';
	}
	out[4] = '\0';
	return out;
}

static uint64_t load_word(const struct dump_file *f, uint64_t off, uint32_t word)
{
	return word == 8 ? mf_u64(f, off) : mf_u32(f, off);
}

static bool is_fill(uint64_t v, uint32_t word)
{
	return word == 8 ? v == FILL64 : v == SIG_PAGE;
}

/* ---- page lookup ---- */

static const uint8_t *runs_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	(void)scratch;
	const struct windmp *w = s->priv;
	size_t lo = 0, hi = w->nruns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct run *r = &w->runs[mid];
		if (pfn < r->base)
			hi = mid;
		else if (pfn - r->base >= r->count)
			lo = mid + 1;
		else
			return s->file.data + w->data_start +
			       (r->file_page + (pfn - r->base)) * KDX_PAGE_SIZE;
	}
	return NULL;
}

/* Bitmap word i (bit n = PFN 64i+n), zero past the bitmap's last byte. */
static uint64_t bitmap_word(const struct source *s, uint64_t off, uint64_t bits, uint64_t i)
{
	uint64_t nbytes = (bits + 7) / 8, first = i * 8, v = 0;
	for (uint64_t b = 0; b < 8 && first + b < nbytes; b++)
		v |= (uint64_t)s->file.data[off + first + b] << (8 * b);
	return v;
}

static const uint8_t *bitmap_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	(void)scratch;
	const struct windmp *w = s->priv;
	if (pfn >= w->bits)
		return NULL;
	uint64_t word = pfn / 64, v = bitmap_word(s, w->bitmap_off, w->bits, word);
	unsigned bit = pfn % 64;
	if (!(v >> bit & 1))
		return NULL;
	uint64_t rank = w->rank[word / RANK_BLOCK_WORDS];
	for (uint64_t i = word - word % RANK_BLOCK_WORDS; i < word; i++)
		rank += (uint64_t)__builtin_popcountll(bitmap_word(s, w->bitmap_off, w->bits, i));
	rank += (uint64_t)__builtin_popcountll(v & ((1ull << bit) - 1));
	return s->file.data + w->data_start + rank * KDX_PAGE_SIZE;
}

/* Triage and header-only dumps store no physical pages. */
static const uint8_t *no_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	(void)s, (void)pfn, (void)scratch;
	return NULL;
}

static const struct source_ops runs_ops = { .page = runs_page, .close = windmp_close };
static const struct source_ops bitmap_ops = { .page = bitmap_page, .close = windmp_close };
static const struct source_ops no_memory_ops = { .page = no_page, .close = windmp_close };

/* ---- run tables (type 1, §4 and §6.1; RDMP ranges, §6.5) ---- */

static int add_range(struct phys_range **r, size_t *n, size_t *cap, uint64_t start_pfn,
		     uint64_t end_pfn, const char *path, struct kdx_error *err)
{
	uint64_t start = start_pfn << KDX_PAGE_SHIFT, end = end_pfn << KDX_PAGE_SHIFT;
	if (*n && (*r)[*n - 1].end == start) {
		(*r)[*n - 1].end = end;
		return 0;
	}
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct phys_range *grown = realloc(*r, ncap * sizeof *grown);
		if (!grown)
			return kdx_fail(err, "%s: out of memory for %zu ranges", path, ncap);
		*r = grown;
		*cap = ncap;
	}
	(*r)[(*n)++] = (struct phys_range){ start, end };
	return 0;
}

/* How a run table names its entries and their fields in messages. */
struct run_names {
	const char *entry, *base, *count;
};
static const struct run_names run_names = { "Run", "BasePage", "PageCount" };
static const struct run_names range_names = { "Range", "BasePfn", "PageCount" };

/* Appends entry i (its fields at file offsets at and count_at) to w->runs,
 * which has room for it: it must hold pages, end below 2^64 bytes, follow
 * the previous run without overlap, and fit the file after w->data_start. */
static int add_run(struct source *s, struct windmp *w, const struct run_names *n, uint64_t at,
		   uint64_t count_at, uint64_t base, uint64_t count, struct kdx_error *err)
{
	size_t i = w->nruns;
	uint64_t stored = i ? w->runs[i - 1].file_page + w->runs[i - 1].count : 0;
	uint64_t max_pages = (s->file.size - w->data_start) / KDX_PAGE_SIZE;
	if (count == 0)
		return kdx_fail(err, "%s: offset 0x%llx: %s[%zu].%s is 0: expected at least one "
				"page", s->path, (unsigned long long)count_at, n->entry, i,
				n->count);
	if (base > (UINT64_MAX >> KDX_PAGE_SHIFT) - count)
		return kdx_fail(err, "%s: offset 0x%llx: %s[%zu] is PFN 0x%llx + 0x%llx pages: "
				"expected a run that ends below 2^64 bytes", s->path,
				(unsigned long long)at, n->entry, i, (unsigned long long)base,
				(unsigned long long)count);
	if (i) {
		const struct run *prev = &w->runs[i - 1];
		uint64_t prev_end = prev->base + prev->count;
		if (base < prev->base)
			return kdx_fail(err, "%s: offset 0x%llx: %s[%zu].%s is 0x%llx: expected "
					"at least 0x%llx (runs out of order: %s[%zu] starts at "
					"0x%llx)", s->path, (unsigned long long)at, n->entry, i,
					n->base, (unsigned long long)base,
					(unsigned long long)prev_end, n->entry, i - 1,
					(unsigned long long)prev->base);
		if (base < prev_end)
			return kdx_fail(err, "%s: offset 0x%llx: %s[%zu].%s is 0x%llx: expected "
					"at least 0x%llx (runs overlap: %s[%zu] ends there)",
					s->path, (unsigned long long)at, n->entry, i, n->base,
					(unsigned long long)base, (unsigned long long)prev_end,
					n->entry, i - 1);
	}
	/* Only figures that cannot wrap: a hostile count times the page size
	 * can pass 2^64. */
	if (count > max_pages - stored)
		return kdx_fail(err, "%s: offset 0x%llx: %s[%zu] (PFN 0x%llx, 0x%llx pages) "
				"starts at file offset 0x%llx: expected at most the 0x%llx pages "
				"between there and the file size 0x%llx (truncated dump)", s->path,
				(unsigned long long)at, n->entry, i, (unsigned long long)base,
				(unsigned long long)count,
				(unsigned long long)(w->data_start + stored * KDX_PAGE_SIZE),
				(unsigned long long)(max_pages - stored),
				(unsigned long long)s->file.size);
	w->runs[w->nruns++] = (struct run){ base, count, stored };
	return 0;
}

static uint64_t runs_pages(const struct windmp *w)
{
	return w->nruns ? w->runs[w->nruns - 1].file_page + w->runs[w->nruns - 1].count : 0;
}

/* The present ranges are the runs, adjacent ones merged. */
static int publish_runs(struct source *s, const struct windmp *w, struct kdx_error *err)
{
	struct phys_range *r = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; i < w->nruns && rc == 0; i++)
		rc = add_range(&r, &n, &cap, w->runs[i].base, w->runs[i].base + w->runs[i].count,
			       s->path, err);
	if (rc == 0)
		rc = source_set_ranges(s, r, n, err);
	free(r);
	return rc;
}

static int read_runs(struct source *s, const struct header_layout *L, struct windmp *w,
		     struct kdx_error *err)
{
	const struct dump_file *f = &s->file;
	uint64_t pmd = L->memory_descriptor, word = L->word;
	uint32_t nruns = mf_u32(f, pmd);
	if (nruns == SIG_PAGE)
		return kdx_fail(err, "%s: offset 0x%llx: NumberOfRuns is 0x%x (the PAGE header "
				"fill): expected 1 to %u runs", s->path, (unsigned long long)pmd,
				nruns, L->max_runs);
	if (nruns == 0 || nruns > L->max_runs)
		return kdx_fail(err, "%s: offset 0x%llx: NumberOfRuns is %u: expected 1 to %u "
				"(the run table must fit the header's PhysicalMemoryBlock)",
				s->path, (unsigned long long)pmd, nruns, L->max_runs);
	uint64_t npages = load_word(f, pmd + word, L->word);
	if (is_fill(npages, L->word))
		return kdx_fail(err, "%s: offset 0x%llx: NumberOfPages is 0x%llx (the PAGE header "
				"fill): expected the number of pages in the runs", s->path,
				(unsigned long long)(pmd + word), (unsigned long long)npages);
	w->runs = calloc(nruns, sizeof *w->runs);
	if (!w->runs)
		return kdx_fail(err, "%s: out of memory for %u runs", s->path, nruns);
	w->data_start = L->size;
	for (uint32_t i = 0; i < nruns; i++) {
		uint64_t at = pmd + 2 * word + i * 2 * word;
		if (add_run(s, w, &run_names, at, at + word, load_word(f, at, L->word),
			    load_word(f, at + word, L->word), err) < 0)
			return -1;
	}
	if (runs_pages(w) != npages)
		kdx_warn(&s->warnings, "offset 0x%llx: NumberOfPages is %llu but the runs hold "
			 "%llu pages; using the runs", (unsigned long long)(pmd + word),
			 (unsigned long long)npages, (unsigned long long)runs_pages(w));
	return publish_runs(s, w, err);
}

/* Types 8, 9 and 0xA (§6.5). MetadataSize counts from +0x20 to the first
 * page, so the table has (FirstPageOffset - 0x2030) / 16 slots. How many
 * are used differs by type: 0xA states NumberOfRanges and TotalNumberOfPages
 * (MetadataSize can overstate the table, kdmp-parser issue 27); 8 and 9 state
 * neither, and kdmp-parser ends the table at an entry with PFN 0. The
 * reading used goes to `info -v`. */
static int read_rdmp(struct source *s, const struct header_layout *L, uint32_t dump_type,
		     struct windmp *w, struct kdx_error *err)
{
	const struct dump_file *f = &s->file;
	uint64_t sub = L->size, table = sub + RDMP_TABLE;
	char a[5];
	if (L->word != 8)
		return kdx_fail(err, "%s: offset 0x%x: DumpType is %u (an RDMP range-list dump) "
				"in a 32-bit header: expected a 64-bit header, the only kind "
				"described publicly", s->path, L->dump_type, dump_type);
	if (!dump_file_has(f, sub, RDMP_TABLE))
		return kdx_fail(err, "%s: offset 0x%llx: file size is 0x%llx: expected the "
				"0x%x-byte RDMP sub-header to follow the header (truncated dump)",
				s->path, (unsigned long long)sub, (unsigned long long)f->size,
				RDMP_TABLE);
	struct { uint32_t off, want; const char *name, *text; } magic[] = {
		{ RDMP_MARKER, RDMP_MARKER_VALUE, "RDMP marker", "the marker" },
		{ RDMP_SIGNATURE, SIG_RDMP, "RDMP Signature", "\"RDMP\"" },
		{ RDMP_VALID_DUMP, SIG_DUMP, "RDMP ValidDump", "\"DUMP\"" },
	};
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++) {
		uint32_t v = mf_u32(f, sub + magic[i].off);
		if (v != magic[i].want)
			return kdx_fail(err, "%s: offset 0x%llx: %s is 0x%08x (\"%s\"): expected "
					"0x%08x (%s)", s->path,
					(unsigned long long)(sub + magic[i].off), magic[i].name, v,
					fourcc(v, a), magic[i].want, magic[i].text);
	}
	uint64_t metadata = mf_u64(f, sub + RDMP_METADATA_SIZE);
	uint64_t first_page = mf_u64(f, sub + RDMP_FIRST_PAGE);
	uint64_t first_at = sub + RDMP_FIRST_PAGE, meta_at = sub + RDMP_METADATA_SIZE;
	if (metadata > UINT64_MAX - (sub + RDMP_METADATA) ||
	    first_page != sub + RDMP_METADATA + metadata)
		return kdx_fail(err, "%s: offset 0x%llx: MetadataSize is 0x%llx: expected "
				"FirstPageOffset 0x%llx - 0x%llx (the metadata ends where the "
				"pages start)", s->path, (unsigned long long)meta_at,
				(unsigned long long)metadata, (unsigned long long)first_page,
				(unsigned long long)(sub + RDMP_METADATA));
	if (first_page < table || first_page > f->size)
		return kdx_fail(err, "%s: offset 0x%llx: FirstPageOffset is 0x%llx: expected "
				"0x%llx to 0x%llx (the range list at 0x%llx overflows the %s)",
				s->path, (unsigned long long)first_at,
				(unsigned long long)first_page, (unsigned long long)table,
				(unsigned long long)f->size, (unsigned long long)table,
				first_page < table ? "header" : "file");
	uint64_t slots = (first_page - table) / RDMP_ENTRY, used = slots;
	uint64_t total = UINT64_MAX;
	if (dump_type == 0xA) {
		uint64_t count_at = sub + RDMP_NUMBER_OF_RANGES;
		used = mf_u32(f, count_at);
		if (used == 0 || used > slots)
			return kdx_fail(err, "%s: offset 0x%llx: NumberOfRanges is %llu: expected "
					"1 to %llu (the range list must end by FirstPageOffset "
					"0x%llx, or it overflows the header)", s->path,
					(unsigned long long)count_at, (unsigned long long)used,
					(unsigned long long)slots, (unsigned long long)first_page);
		total = mf_u64(f, sub + RDMP_TOTAL_PAGES);
	}
	w->runs = calloc(used ? used : 1, sizeof *w->runs);
	if (!w->runs)
		return kdx_fail(err, "%s: out of memory for %llu ranges", s->path,
				(unsigned long long)used);
	w->data_start = first_page;
	uint64_t i = 0;
	bool stopped_at_total = false;
	for (; i < used; i++) {
		uint64_t at = table + i * RDMP_ENTRY;
		uint64_t base = mf_u64(f, at), count = mf_u64(f, at + 8);
		/* PFN 0 after the first entry cannot continue an ascending table. */
		if (dump_type != 0xA && base == 0 && (i > 0 || count == 0))
			break;
		if (runs_pages(w) >= total) {
			stopped_at_total = true;
			break;
		}
		if (add_run(s, w, &range_names, at, at + 8, base, count, err) < 0)
			return -1;
	}
	if (w->nruns == 0)
		return kdx_fail(err, "%s: offset 0x%llx: the RDMP range list is empty: expected "
				"at least one range of pages", s->path, (unsigned long long)table);
	if (dump_type == 0xA) {
		kdx_warn(&s->choices, "RDMP ranges: %zu from NumberOfRanges%s, of %llu slots "
			 "before FirstPageOffset", w->nruns,
			 stopped_at_total ? ", stopping once TotalNumberOfPages was reached "
			 "(kdmp-parser)" : "", (unsigned long long)slots);
		if (runs_pages(w) != total)
			kdx_warn(&s->warnings, "offset 0x%llx: TotalNumberOfPages is %llu but the "
				 "ranges hold %llu pages; using the ranges",
				 (unsigned long long)(sub + RDMP_TOTAL_PAGES),
				 (unsigned long long)total, (unsigned long long)runs_pages(w));
	} else if (i < used) {
		kdx_warn(&s->choices, "RDMP ranges: %zu, ended by an entry with PFN 0 at 0x%llx "
			 "(kdmp-parser's terminator), of %llu slots before FirstPageOffset",
			 w->nruns, (unsigned long long)(table + i * RDMP_ENTRY),
			 (unsigned long long)slots);
	} else {
		kdx_warn(&s->choices, "RDMP ranges: %zu, every slot before FirstPageOffset "
			 "(MetadataSize)", w->nruns);
	}
	return publish_runs(s, w, err);
}

/* ---- bitmaps (types 2, 5, 6: §6.2, §6.3) ---- */

static uint64_t popcount_bits(const struct source *s, uint64_t off, uint64_t bits)
{
	uint64_t words = (bits + 63) / 64, total = 0;
	for (uint64_t i = 0; i < words; i++) {
		uint64_t v = bitmap_word(s, off, bits, i);
		if (i == words - 1 && bits % 64)
			v &= (1ull << (bits % 64)) - 1;
		total += (uint64_t)__builtin_popcountll(v);
	}
	return total;
}

/* Checks one reading of the sub-header: that the bitmap lies in the file and
 * its set bits number `present`. */
static int check_bitmap_counts(const struct source *s, uint64_t sub, const struct bitmap_fields *F,
			       uint64_t bits, uint64_t present, const char *bits_name,
			       uint64_t bits_at, const char *present_name, uint64_t present_at,
			       struct kdx_error *err)
{
	uint64_t bitmap = sub + F->bitmap, room = s->file.size - bitmap;
	if (bits == 0)
		return kdx_fail(err, "%s: offset 0x%llx: %s is 0: expected at least one bit",
				s->path, (unsigned long long)bits_at, bits_name);
	if (bits / 8 + (bits % 8 != 0) > room)
		return kdx_fail(err, "%s: offset 0x%llx: %s is %llu: expected at most %llu "
				"(the bitmap would end past the end of the file at 0x%llx)",
				s->path, (unsigned long long)bits_at, bits_name,
				(unsigned long long)bits, (unsigned long long)(room * 8),
				(unsigned long long)s->file.size);
	uint64_t counted = popcount_bits(s, bitmap, bits);
	if (counted != present)
		return kdx_fail(err, "%s: offset 0x%llx: %s is %llu: expected %llu, the number "
				"of set bits in the %llu-bit bitmap", s->path,
				(unsigned long long)present_at, present_name,
				(unsigned long long)present, (unsigned long long)counted,
				(unsigned long long)bits);
	return 0;
}

static uint64_t next_bit(const struct source *s, const struct windmp *w, uint64_t from, bool set)
{
	for (uint64_t i = from / 64; i * 64 < w->bits; i++) {
		uint64_t v = bitmap_word(s, w->bitmap_off, w->bits, i);
		if (!set)
			v = ~v;
		if (i == from / 64)
			v &= ~0ull << (from % 64);
		if (v) {
			uint64_t pfn = i * 64 + (uint64_t)__builtin_ctzll(v);
			return pfn < w->bits ? pfn : w->bits;
		}
	}
	return w->bits;
}

static int index_bitmap(struct source *s, struct windmp *w, struct kdx_error *err)
{
	uint64_t words = (w->bits + 63) / 64;
	uint64_t blocks = (words + RANK_BLOCK_WORDS - 1) / RANK_BLOCK_WORDS;
	w->rank = malloc(blocks * sizeof *w->rank);
	if (!w->rank)
		return kdx_fail(err, "%s: out of memory for the index of a %llu-bit bitmap",
				s->path, (unsigned long long)w->bits);
	uint64_t total = 0;
	for (uint64_t i = 0; i < words; i++) {
		if (i % RANK_BLOCK_WORDS == 0)
			w->rank[i / RANK_BLOCK_WORDS] = total;
		total += (uint64_t)__builtin_popcountll(bitmap_word(s, w->bitmap_off, w->bits, i));
	}

	struct phys_range *r = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (uint64_t pfn = next_bit(s, w, 0, true); pfn < w->bits && rc == 0;) {
		uint64_t end = next_bit(s, w, pfn, false);
		rc = add_range(&r, &n, &cap, pfn, end, s->path, err);
		pfn = end < w->bits ? next_bit(s, w, end, true) : w->bits;
	}
	if (rc == 0)
		rc = source_set_ranges(s, r, n, err);
	free(r);
	return rc;
}

static int read_bitmap(struct source *s, const struct header_layout *L, uint32_t dump_type,
		       struct windmp *w, struct kdx_error *err)
{
	const struct dump_file *f = &s->file;
	const struct bitmap_fields *F = dump_type != 2 ? &bitmap_v8 :
					L->word == 8 ? &summary64 : &summary32;
	uint64_t sub = L->size;
	char a[5], b[5];
	if (!dump_file_has(f, sub, F->bitmap))
		return kdx_fail(err, "%s: offset 0x%llx: file size is 0x%llx: expected the "
				"0x%x-byte bitmap sub-header to follow the header (truncated "
				"dump)", s->path, (unsigned long long)sub,
				(unsigned long long)f->size, F->bitmap);
	uint32_t sig = mf_u32(f, sub), valid = mf_u32(f, sub + 4);
	if (sig != SIG_SDMP && sig != SIG_FDMP)
		return kdx_fail(err, "%s: offset 0x%llx: bitmap Signature is 0x%08x (\"%s\"): "
				"expected 0x%08x (\"SDMP\") or 0x%08x (\"FDMP\")", s->path,
				(unsigned long long)sub, sig, fourcc(sig, a), SIG_SDMP, SIG_FDMP);
	if (valid != SIG_DUMP)
		return kdx_fail(err, "%s: offset 0x%llx: bitmap ValidDump is 0x%08x (\"%s\"): "
				"expected 0x%08x (\"DUMP\")", s->path,
				(unsigned long long)(sub + 4), valid, fourcc(valid, a), SIG_DUMP);
	if ((dump_type == 5 && sig != SIG_FDMP) || (dump_type == 6 && sig != SIG_SDMP))
		kdx_warn(&s->choices, "DumpType %u with a %s bitmap signature: accepted, as "
			 "every reader accepts either (doc/dump-format.md §12.3)", dump_type, fourcc(sig, b));
	if (L->word == 4 && dump_type != 2)
		kdx_warn(&s->choices, "32-bit bitmap dump: sub-header read at 0x1000, as "
			 "Volatility 3 does (its only source, doc/dump-format.md §12.13)");

	uint64_t first_at = sub + F->first_page, present_at = sub + F->present;
	uint64_t bits_at = sub + F->bits;
	uint64_t first_page = load_word(f, first_at, F->width);
	uint64_t present = load_word(f, present_at, F->width);
	uint64_t bits = load_word(f, bits_at, F->width);
	if (dump_type == 2) {
		if (check_bitmap_counts(s, sub, F, bits, present, "BitmapSize", bits_at, "Pages",
					present_at, err) < 0)
			return -1;
		uint32_t size_of_bitmap = mf_u32(f, sub + 0x18);
		if (size_of_bitmap != bits)
			kdx_warn(&s->warnings, "offset 0x%llx: Bitmap.SizeOfBitMap is %u but "
				 "BitmapSize is %llu; using BitmapSize",
				 (unsigned long long)(sub + 0x18), size_of_bitmap,
				 (unsigned long long)bits);
	} else if (check_bitmap_counts(s, sub, F, bits, present, "Pages (bit count)", bits_at,
				       "TotalPresentPages", present_at, err) == 0) {
		kdx_warn(&s->choices, "bitmap header: +0x28 read as the present-page count and "
			 "+0x30 as the bit count (Rekall, kdmp-parser, Volatility 3, LeechCore, "
			 "rizin; doc/dump-format.md §12.1)");
	} else if (check_bitmap_counts(s, sub, F, present, bits, "TotalPresentPages",
				       present_at, "Pages", bits_at, NULL) == 0) {
		uint64_t t = bits;
		bits = present;
		present = t;
		kdx_warn(&s->choices, "bitmap header: +0x28 read as the bit count and +0x30 as "
			 "the present-page count (Volatility 2 order), the only reading the "
			 "bitmap supports (doc/dump-format.md §12.1)");
	} else {
		return -1;
	}

	uint64_t bitmap_end = sub + F->bitmap + bits / 8 + (bits % 8 != 0);
	if (first_page % KDX_PAGE_SIZE || first_page < bitmap_end)
		return kdx_fail(err, "%s: offset 0x%llx: FirstPage is 0x%llx: expected a "
				"page-aligned offset at or after the end of the bitmap (0x%llx)",
				s->path, (unsigned long long)first_at,
				(unsigned long long)first_page, (unsigned long long)bitmap_end);
	if (first_page > f->size || present > (f->size - first_page) / KDX_PAGE_SIZE)
		return kdx_fail(err, "%s: offset 0x%llx: bitmap has %llu present pages from "
				"file offset 0x%llx: expected them to end within the file size "
				"0x%llx (the file holds %llu pages; truncated dump)", s->path,
				(unsigned long long)present_at, (unsigned long long)present,
				(unsigned long long)first_page, (unsigned long long)f->size,
				(unsigned long long)(first_page > f->size ? 0 :
					(f->size - first_page) / KDX_PAGE_SIZE));
	w->data_start = first_page;
	w->bitmap_off = sub + F->bitmap;
	w->bits = bits;
	return index_bitmap(s, w, err);
}

/* ---- header facts (§3, §5, §9) ---- */

static void read_comment(const struct dump_file *f, uint64_t off, char *out)
{
	size_t n = 0;
	bool fill = true;
	for (size_t i = 0; i < COMMENT_BYTES; i++)
		fill &= f->data[off + i] == (uint8_t)"PAGE"[i % 4];
	for (; !fill && n < COMMENT_BYTES && f->data[off + n]; n++) {
		uint8_t c = f->data[off + n];
		out[n] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	out[n] = '\0';
}

static uint64_t unless_fill(uint64_t v, uint32_t word)
{
	return is_fill(v, word) ? 0 : v;
}

static void read_facts(struct source *s, const struct header_layout *L, uint32_t dump_type)
{
	const struct dump_file *f = &s->file;
	struct crash_facts *c = &s->facts;
	c->has_crash_header = true;
	c->dump_type = dump_type;
	c->machine = L->word == 8 ? MACHINE_X64 : MACHINE_X86;
	c->paging = L->word == 8 ? PAGING_X64 : f->data[L->pae_enabled] ? PAGING_PAE : PAGING_X86;
	c->dtb = load_word(f, L->dtb, L->word);
	c->has_dtb = !is_fill(c->dtb, L->word);
	c->major_version = mf_u32(f, L->major);
	c->build = mf_u32(f, L->minor);
	c->has_build = c->build != SIG_PAGE;
	c->kdbg_va = unless_fill(load_word(f, L->kdbg, L->word), L->word);
	c->has_kdbg = c->kdbg_va != 0;
	c->ps_loaded_module_list = unless_fill(load_word(f, L->module_list, L->word), L->word);
	c->ps_active_process_head = unless_fill(load_word(f, L->process_head, L->word), L->word);
	c->pfn_database = unless_fill(load_word(f, L->pfn_database, L->word), L->word);
	c->processors = unless_fill(mf_u32(f, L->processors), 4);
	c->bugcheck_code = mf_u32(f, L->bugcheck_code);
	c->has_bugcheck = c->bugcheck_code != SIG_PAGE;
	for (int i = 0; i < 4; i++)
		c->bugcheck_params[i] = load_word(f, L->bugcheck_params + i * L->word, L->word);
	c->system_time = unless_fill(mf_u64(f, L->system_time), 8);
	c->system_uptime = unless_fill(mf_u64(f, L->system_uptime), 8);
	read_comment(f, L->comment, c->comment);
}

static int check_header(struct source *s, const struct header_layout *L, struct kdx_error *err)
{
	const struct dump_file *f = &s->file;
	uint32_t machine = mf_u32(f, L->machine);
	if (machine == MACHINE_ARM64)
		return kdx_fail(err, "%s: offset 0x%x: MachineImageType is 0x%x (ARM64): expected "
				"0x%x (AMD64); ARM64 dumps are not supported", s->path, L->machine,
				machine, MACHINE_AMD64);
	if (machine != L->machine_type)
		return kdx_fail(err, "%s: offset 0x%x: MachineImageType is 0x%x: expected 0x%x "
				"(%s) for a %s header", s->path, L->machine, machine,
				L->machine_type, L->word == 8 ? "AMD64" : "i386",
				L->word == 8 ? "DU64" : "DUMP");
	/* At most 32 processors on x86, 32 groups of 64 on x64 (Windows
	 * Server 2022's 2048); the fill is "not stated", counted from the KDBG. */
	uint32_t processors = mf_u32(f, L->processors), most = L->word == 8 ? 2048 : 32;
	if (processors != SIG_PAGE && (processors == 0 || processors > most))
		return kdx_fail(err, "%s: offset 0x%x: NumberProcessors is %u: expected 1 to %u "
				"(the most a%s Windows kernel runs)", s->path, L->processors,
				processors, most, L->word == 8 ? "n x64" : " 32-bit");
	uint32_t attributes = mf_u32(f, L->attributes);
	if (attributes != SIG_PAGE && (attributes & ATTR_ENCRYPTED))
		return kdx_fail(err, "%s: offset 0x%x: Attributes is 0x%x: expected bit 8 "
				"(EncryptedDumpData) clear; the page data is encrypted", s->path,
				L->attributes, attributes);
	uint64_t required = mf_u64(f, L->required_space);
	if (required != f->size) {
		if (L->word == 4 && (uint32_t)required == f->size)
			kdx_warn(&s->choices, "RequiredDumpSpace read as a u32 (QEMU's layout, "
				 "doc/dump-format.md §12): the u64 does not match the file size");
		else
			kdx_warn(&s->warnings, "offset 0x%x: RequiredDumpSpace is 0x%llx but the "
				 "file is 0x%llx bytes", L->required_space,
				 (unsigned long long)required, (unsigned long long)f->size);
	}
	return 0;
}

static void check_triage(struct source *s, const struct header_layout *L)
{
	const struct dump_file *f = &s->file;
	uint64_t at = L->size + TRIAGE_VALID_OFFSET;
	uint32_t valid = mf_u32(f, at);
	if (!dump_file_has(f, at, 4) || !dump_file_has(f, valid, 4) ||
	    mf_u32(f, valid) != SIG_TRGD)
		kdx_warn(&s->warnings, "offset 0x%llx: triage ValidOffset 0x%x does not point at "
			 "a TRGD marker", (unsigned long long)at, valid);
}

static const char *dump_kind(uint32_t dump_type)
{
	switch (dump_type) {
	case 1: return "complete memory dump (run-based)";
	case 2: return "legacy kernel summary dump (SDMP)";
	case 3: return "header-only dump: holds no memory, only the header facts";
	case 4: return "triage (mini) dump: holds no full memory, only the header facts";
	case 5: return "complete bitmap dump (FDMP)";
	case 6: return "kernel bitmap dump (SDMP)";
	case 8: return "kernel memory dump (RDMP, .dump /k)";
	case 9: return "kernel and user memory dump (RDMP, .dump /ka)";
	case 0xA: return "complete memory dump (RDMP, .dump /f)";
	default: return NULL;
	}
}

static int check_dump_type(const struct source *s, const struct header_layout *L,
			   uint32_t dump_type, struct kdx_error *err)
{
	if (dump_kind(dump_type))
		return 0;
	if (dump_type == 7)
		return kdx_fail(err, "%s: offset 0x%x: DumpType is 7 (DUMP_TYPE_AUTOMATIC, not a "
				"file layout): expected 1 to 6 or 8 to 0xA", s->path,
				L->dump_type);
	return kdx_fail(err, "%s: offset 0x%x: DumpType is 0x%x: expected a known dump type "
			"(1 full, 2 summary, 3 header, 4 triage, 5 bitmap, 6 kernel bitmap, "
			"8/9/0xA RDMP)", s->path, L->dump_type, dump_type);
}

/* The header's checks: 1 with *layout and *type set for a crash dump whose
 * header holds, 0 for another format, -1 on a bad header. */
static int probe_header(struct source *s, const struct header_layout **layout,
			uint32_t *type, struct kdx_error *err)
{
	const struct dump_file *f = &s->file;
	char a[5];
	/* The first probe: an empty file is no format at all; say so plainly. */
	if (f->size == 0)
		return kdx_fail(err, "%s: offset 0x0: file is empty: expected a dump (a crash "
				"dump header, an ELF core, a kdump file or a raw image)", s->path);
	uint32_t sig = mf_u32(f, 0), valid = mf_u32(f, 4);
	if (f->size < 4 || (sig != SIG_PAGE && valid != SIG_DUMP && valid != SIG_DU64))
		return 0;
	if (sig != SIG_PAGE)
		return kdx_fail(err, "%s: offset 0x0: Signature is 0x%08x (\"%s\"): expected "
				"0x%08x (\"PAGE\")", s->path, sig, fourcc(sig, a), SIG_PAGE);
	if (f->size < 8)
		return kdx_fail(err, "%s: offset 0x0: file size is 0x%llx: expected at least "
				"0x1000 bytes of crash dump header (truncated header)", s->path,
				(unsigned long long)f->size);
	if (valid != SIG_DUMP && valid != SIG_DU64)
		return kdx_fail(err, "%s: offset 0x4: ValidDump is 0x%08x (\"%s\"): expected "
				"0x%08x (\"DUMP\") or 0x%08x (\"DU64\")", s->path, valid,
				fourcc(valid, a), SIG_DUMP, SIG_DU64);
	const struct header_layout *L = valid == SIG_DU64 ? &header64 : &header32;
	if (f->size < L->size)
		return kdx_fail(err, "%s: offset 0x0: file size is 0x%llx: expected at least "
				"0x%x bytes for the %s (truncated header)", s->path,
				(unsigned long long)f->size, L->size, L->name);
	if (check_header(s, L, err) < 0)
		return -1;
	*type = mf_u32(f, L->dump_type);
	if (check_dump_type(s, L, *type, err) < 0)
		return -1;
	*layout = L;
	return 1;
}

/* The facts and description the header states, without the memory. */
static void header_facts(struct source *s, const struct header_layout *L, uint32_t dump_type)
{
	read_facts(s, L, dump_type);
	s->facts.holds_memory = dump_type != 3 && dump_type != 4;
	snprintf(s->description, sizeof s->description, "%s%s %s",
		 L->word == 8 ? "64-bit" : "32-bit",
		 s->facts.paging == PAGING_PAE ? " PAE" : "", dump_kind(dump_type));
}

int source_windmp_header(struct source *s)
{
	const struct header_layout *L;
	uint32_t dump_type;
	struct kdx_error ignored;
	if (probe_header(s, &L, &dump_type, &ignored) <= 0)
		return 0;
	header_facts(s, L, dump_type);
	return 1;
}

int source_windmp_probe(struct source *s, struct kdx_error *err)
{
	const struct header_layout *L;
	uint32_t dump_type;
	int probed = probe_header(s, &L, &dump_type, err);
	if (probed <= 0)
		return probed;
	struct windmp *w = calloc(1, sizeof *w);
	if (!w)
		return kdx_fail(err, "%s: out of memory", s->path);
	int rc = 0;
	if (dump_type == 1)
		rc = read_runs(s, L, w, err);
	else if (dump_type == 2 || dump_type == 5 || dump_type == 6)
		rc = read_bitmap(s, L, dump_type, w, err);
	else if (dump_type >= 8 && dump_type <= 0xA)
		rc = read_rdmp(s, L, dump_type, w, err);
	else if (dump_type == 4)
		check_triage(s, L);
	if (rc < 0) {
		windmp_free(w);
		return -1;
	}
	header_facts(s, L, dump_type);
	s->priv = w;
	s->ops = w->runs ? &runs_ops : s->facts.holds_memory ? &bitmap_ops : &no_memory_ops;
	s->format = "windows-crash-dump";
	return 1;
}
