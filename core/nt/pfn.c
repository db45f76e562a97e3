/* The PFN database: base, RAM runs, entries (doc/structures.md §8, doc/address-space.md §7). */
#include "core/nt/pfn.h"

#include <stdio.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/nt/kdbg.h"

/* Entries read per step of the scan: a few pages of the array. */
#define SCAN_CHUNK 256u
/* No machine kdx opens has more than 2^32 pages (16 TiB). */
#define MAX_RAM_PAGES (1ull << 32)

static const char *const list_keys[PFN_LIST_COUNT] = {
	"Zeroed", "Free", "Standby", "Modified", "ModifiedNoWrite", "Bad", "Active", "Transition",
};

const char *pfn_list_key(enum pfn_list l)
{
	return (unsigned)l < PFN_LIST_COUNT ? list_keys[l] : "unknown";
}

const char *pfn_list_label(enum pfn_list l)
{
	return l == PFN_ACTIVE ? "Active/Valid" : pfn_list_key(l);
}

bool pfn_list_is_linked(enum pfn_list l)
{
	return l != PFN_ACTIVE;
}

/* A list link; the terminator is every bit of the link set, so a link
 * narrower than the list end (Blink is 24 or 25 bits in the x86 Windows 8
 * and 10 MMPFN, Flink 32) reads as the list end too. */
static uint64_t link(const uint8_t *b, struct prof_bits f, uint64_t list_end)
{
	uint64_t v = prof_get_bits(b, f);
	return f.width < 64 && v == (1ull << f.width) - 1 ? list_end : v;
}

static void decode(const struct pfn_db *db, uint64_t pfn, const uint8_t *b, struct pfn_entry *e)
{
	const struct prof_mmpfn *M = db->p->mmpfn;
	memset(e, 0, sizeof *e);
	e->pfn = pfn;
	e->address = db->base + pfn * M->size;
	e->list = (enum pfn_list)prof_get_bits(b, M->page_location);
	e->flink = link(b, M->flink, M->list_end);
	e->blink = link(b, M->blink, M->list_end);
	e->share_count = prof_get_bits(b, M->share_count);
	field_u64(b, M->size, M->reference_count, 2, &e->reference_count);
	field_u64(b, M->size, M->pte_address, db->p->ptr_size, &e->pte_address);
	field_u64(b, M->size, M->original_pte, M->original_pte_size, &e->original_pte);
	e->pte_frame = prof_get_bits(b, M->pte_frame);
	e->modified = prof_get_bits(b, M->modified);
	e->prototype = prof_get_bits(b, M->prototype_pte);
}

int pfn_read(const struct pfn_db *db, uint64_t pfn, struct pfn_entry *e, struct kdx_error *err)
{
	unsigned size = db->p->mmpfn->size;
	uint8_t b[64];   /* an MMPFN is at most 0x30 bytes; a --layout file may claim more */
	uint64_t va = db->base + pfn * size;
	if (size > sizeof b)
		return kdx_fail(err, "%s: the layout's MMPFN is 0x%x bytes, more than the 0x%zx kdx "
				"reads", db->d->src->path, size, sizeof b);
	if (pfn >= MAX_RAM_PAGES)
		return kdx_fail(err, "%s: PFN 0x%llx is beyond any physical page (at most 0x%llx)",
				db->d->src->path, (unsigned long long)pfn,
				(unsigned long long)MAX_RAM_PAGES - 1);
	if (xlat_read(db->d->kernel, va, b, size, NULL) != size)
		return kdx_fail(err, "%s: PFN 0x%llx: its MMPFN at 0x%llx is not in the dump",
				db->d->src->path, (unsigned long long)pfn, (unsigned long long)va);
	decode(db, pfn, b, e);
	return 0;
}

bool pfn_is_ram(const struct pfn_db *db, uint64_t pfn)
{
	for (size_t i = 0; i < db->nruns; i++)
		if (pfn >= db->runs[i].first && pfn < db->runs[i].end)
			return true;
	return false;
}

/* A candidate base is the array when the entry of the kernel's top table
 * reads as an active page, and (outside PAE, whose PDPT is no page table)
 * names itself as the table holding its PTE: the self-map entry. */
static bool base_checks_out(struct pfn_db *db, uint64_t base)
{
	struct pfn_entry e;
	uint64_t top = db->d->dtb >> KDX_PAGE_SHIFT;
	db->base = base;
	if (base == 0 || pfn_read(db, top, &e, NULL) < 0 || e.list != PFN_ACTIVE)
		return false;
	return db->d->paging == PAGING_PAE || e.pte_frame == top;
}

static void note_rejected(struct pfn_db *db, const char *what, uint64_t value)
{
	size_t n = strlen(db->base_note);
	snprintf(db->base_note + n, sizeof db->base_note - n,
		 "%s%s 0x%llx: the top table's entry is not an active page there", n ? "; " : "",
		 what, (unsigned long long)value);
}

/* KDBG MmPfnDatabase holds the variable's address; the crash header's
 * PfnDataBase is the array itself (MemProcFS, real dumps) or the
 * variable's address (QEMU, elf2dmp): doc/dump-format.md §12.8. */
static int find_base(struct pfn_db *db, struct kdx_error *err)
{
	struct dump *d = db->d;
	uint64_t var, value;
	if (dump_kdbg_field(d, KDBG_MM_PFN_DATABASE, 8, &var) && var) {
		if (dump_read_ptr(d, var, &value) && base_checks_out(db, value)) {
			db->base_origin = "KDBG MmPfnDatabase (the variable's value)";
			return 0;
		}
		note_rejected(db, "KDBG MmPfnDatabase at", var);
	}
	uint64_t h = d->src->facts.pfn_database;
	if (d->src->facts.has_crash_header && h) {
		if (base_checks_out(db, h)) {
			db->base_origin = "crash header PfnDataBase (the array)";
			return 0;
		}
		if (dump_read_ptr(d, h, &value) && base_checks_out(db, value)) {
			db->base_origin = "crash header PfnDataBase (the variable's address)";
			return 0;
		}
		note_rejected(db, "crash header PfnDataBase", h);
	}
	return kdx_fail(err, "PFN database: the dump names no PFN database: %s",
			db->base_note[0] ? db->base_note :
			"neither the KDBG nor a crash header names MmPfnDatabase");
}

static int add_run(struct pfn_db *db, uint64_t first, uint64_t count)
{
	if (count == 0)
		return 0;
	if (db->nruns == PFN_MAX_RUNS || count > MAX_RAM_PAGES - db->pages ||
	    first > MAX_RAM_PAGES - count ||
	    (db->nruns && first < db->runs[db->nruns - 1].end))
		return -1;
	db->runs[db->nruns++] = (struct pfn_run){ first, first + count };
	db->pages += count;
	return 0;
}

/* The kernel's PHYSICAL_MEMORY_DESCRIPTOR (KDBG MmPhysicalMemoryBlock
 * points at a pointer to it; layout of doc/dump-format.md §4): NumberOfRuns,
 * NumberOfPages, then (BasePage, PageCount) pairs of pointer size. */
static bool runs_from_kernel(struct pfn_db *db)
{
	struct dump *d = db->d;
	unsigned ps = dump_ptr_size(d);
	uint64_t var, desc;
	uint8_t head[16];
	if (!dump_kdbg_field(d, KDBG_MM_PHYSICAL_MEMORY_BLOCK, 8, &var) || !var ||
	    !dump_read_ptr(d, var, &desc) || !desc ||
	    xlat_read(d->kernel, desc, head, 2 * ps, NULL) != 2 * ps)
		return false;
	uint64_t nruns = le_bytes(head, 4);
	uint64_t claimed = le_bytes(head + ps, ps);
	if (nruns == 0 || nruns > PFN_MAX_RUNS)
		return false;
	for (uint64_t i = 0; i < nruns; i++) {
		uint8_t run[16];
		if (xlat_read(d->kernel, desc + 2 * ps + i * 2 * ps, run, 2 * ps, NULL) !=
		    2 * ps)
			return false;
		uint64_t first = le_bytes(run, ps), count = le_bytes(run + ps, ps);
		if (add_run(db, first, count) < 0)
			return false;
	}
	/* A descriptor claiming pages the array does not describe is not
	 * believed: the scan stays bounded by what the dump maps. */
	struct pfn_entry last;
	if (db->pages != claimed || pfn_read(db, db->runs[db->nruns - 1].end - 1, &last, NULL) < 0)
		return false;
	db->runs_origin = "KDBG MmPhysicalMemoryBlock";
	return true;
}

/* Without the descriptor: the pages the dump holds (all of RAM in a full
 * dump, fewer in bitmap dumps). */
static bool runs_from_source(struct pfn_db *db)
{
	const struct source *s = db->d->src;
	for (size_t i = 0; i < s->nranges; i++) {
		uint64_t first = s->ranges[i].start >> KDX_PAGE_SHIFT;
		uint64_t end = (s->ranges[i].end + KDX_PAGE_SIZE - 1) >> KDX_PAGE_SHIFT;
		if (add_run(db, first, end - first) < 0)
			return false;
	}
	db->runs_origin = "the pages the dump holds";
	return db->nruns > 0;
}

int pfn_db_open(struct dump *d, struct pfn_db *db, struct kdx_error *err)
{
	memset(db, 0, sizeof *db);
	db->d = d;
	if (dump_need_structures(d, "PFN database", err) < 0)
		return -1;
	db->p = d->layout.profile;
	if (find_base(db, err) < 0)
		return -1;
	if (!runs_from_kernel(db)) {
		db->nruns = 0;
		db->pages = 0;
		if (!runs_from_source(db))
			return kdx_fail(err, "PFN database: no physical memory runs: neither "
					"MmPhysicalMemoryBlock nor the dump's own ranges are usable");
	}
	return 0;
}

/* Whether [a, a + n) meets one of the holes. */
static bool in_hole(const struct hole_list *h, uint64_t a, uint64_t n)
{
	for (size_t i = 0; i < h->count; i++)
		if (a < h->items[i].address + h->items[i].size && h->items[i].address < a + n)
			return true;
	return false;
}

int pfn_scan(const struct pfn_db *db,
	     int (*fn)(void *ctx, const struct pfn_entry *e, struct kdx_error *err), void *ctx,
	     struct pfn_totals *totals, struct kdx_error *err)
{
	uint8_t buf[SCAN_CHUNK * 64];
	unsigned size = db->p->mmpfn->size;
	uint64_t done = 0;
	memset(totals, 0, sizeof *totals);
	for (size_t r = 0; r < db->nruns; r++)
		for (uint64_t pfn = db->runs[r].first; pfn < db->runs[r].end;) {
			if (!progress_update(db->d->progress, done, db->pages,
					     "reading the PFN database"))
				return kdx_fail_as(err, KDX_ERR_CANCELLED, "pfn: scan cancelled");
			uint64_t n = db->runs[r].end - pfn;
			n = n < SCAN_CHUNK ? n : SCAN_CHUNK;
			uint64_t va = db->base + pfn * size;
			struct hole_list holes = { 0 };
			xlat_read(db->d->kernel, va, buf, n * size, &holes);
			for (uint64_t i = 0; i < n; i++) {
				if (holes.count && in_hole(&holes, va + i * size, size)) {
					if (!totals->unreadable++)
						totals->first_unreadable = pfn + i;
					continue;
				}
				struct pfn_entry e;
				decode(db, pfn + i, buf + i * size, &e);
				totals->pages[e.list]++;
				if (fn && fn(ctx, &e, err) < 0) {
					hole_list_free(&holes);
					return -1;
				}
			}
			hole_list_free(&holes);
			pfn += n;
			done += n;
		}
	return 0;
}
