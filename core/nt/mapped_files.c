/* Mapped files: prototype pages -> SUBSECTION or SEGMENT -> CONTROL_AREA ->
 * FILE_OBJECT name (doc/structures.md §9). */
#include "core/nt/mapped_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/xlat/layout.h"
#include "core/xlat/pte.h"
#include "core/nt/ustr.h"

/* How far in front of an inline prototype PTE its SEGMENT is looked for:
 * PTEs of the first 4096 pages of the segment. */
#define SEGMENT_SEARCH_PTES 4096u
#define IO_TYPE_FILE 5        /* FILE_OBJECT.Type (§9) */

/* Reads size bytes at va through the kernel's address space. */
static bool kread(struct dump *d, uint64_t va, void *buf, size_t size)
{
	return xlat_read(d->kernel, va, buf, size, NULL) == size;
}

static uint64_t ptr_at(const struct pfn_db *db, const uint8_t *b, unsigned off)
{
	return le_bytes(b + off, db->p->ptr_size);
}

static unsigned pte_size(const struct pfn_db *db)
{
	return (unsigned)paging_desc(db->d->paging)->entry_size;
}

/* FilePointer -> FILE_OBJECT (Type 5) -> FileName (§9 steps 4 and 5). */
static void read_name(const struct pfn_db *db, uint64_t file_pointer, struct mapped_file_use *f)
{
	const struct prof_section *S = db->p->section;
	unsigned ps = db->p->ptr_size;
	/* EX_FAST_REF keeps a reference count in the low 3 (x86) or 4 bits */
	uint64_t fo = S->ca_file_pointer_fast_ref ? file_pointer & ~(uint64_t)(ps == 8 ? 0xf : 0x7) :
						    file_pointer;
	f->file_object = fo;
	uint8_t b[0x100];
	if (!fo || S->fo_size > sizeof b || !kread(db->d, fo, b, S->fo_size)) {
		snprintf(f->problem, sizeof f->problem, "FilePointer 0x%llx: no FILE_OBJECT there",
			 (unsigned long long)fo);
		return;
	}
	uint64_t type = le_bytes(b + S->fo_type, 2);
	if (type != IO_TYPE_FILE) {
		snprintf(f->problem, sizeof f->problem,
			 "FILE_OBJECT 0x%llx: Type %llu, expected 5 (IO_TYPE_FILE)",
			 (unsigned long long)fo, (unsigned long long)type);
		return;
	}
	if (!ustr_read(db->d, fo + S->fo_file_name, f->name, sizeof f->name))
		snprintf(f->problem, sizeof f->problem,
			 "FILE_OBJECT 0x%llx: the FileName buffer is not in the dump",
			 (unsigned long long)fo);
}

/* The control area with its checks (§9 step 5): Segment.ControlArea points
 * back, SizeOfSegment is TotalNumberOfPtes pages, every subsection from the
 * one right after the control area names it. Returns false when one fails. */
static bool load_control_area(const struct pfn_db *db, uint64_t ca, struct mapped_file_use *f)
{
	const struct prof_section *S = db->p->section;
	struct dump *d = db->d;
	uint8_t b[0x100];
	memset(f, 0, sizeof *f);
	f->control_area = ca;
	if (!ca || S->ca_size > sizeof b || S->seg_size > sizeof b || S->sub_size > sizeof b ||
	    !kread(d, ca, b, S->ca_size))
		return false;
	f->segment = ptr_at(db, b, S->ca_segment);
	uint64_t file_pointer = ptr_at(db, b, S->ca_file_pointer);
	uint8_t s[0x100];
	if (!f->segment || !kread(d, f->segment, s, S->seg_size) ||
	    ptr_at(db, s, S->seg_control_area) != ca)
		return false;
	f->total_ptes = le_bytes(s + S->seg_total_number_of_ptes, 4);
	if (f->total_ptes == 0 ||
	    le_bytes(s + S->seg_size_of_segment, 8) != f->total_ptes * KDX_PAGE_SIZE)
		return false;
	f->prototype_pte_bytes = f->total_ptes * pte_size(db);
	uint64_t sub = ca + S->ca_size;
	uint64_t seen[MAPPED_MAX_SUBSECTIONS];
	for (size_t n = 0; sub && n < MAPPED_MAX_SUBSECTIONS; n++) {
		for (size_t k = 0; k < n; k++)
			if (seen[k] == sub)
				return f->nranges > 0;     /* a cycle: keep what was read */
		seen[n] = sub;
		uint8_t u[0x100];
		if (!kread(d, sub, u, S->sub_size) || ptr_at(db, u, S->sub_control_area) != ca)
			break;
		uint64_t base = ptr_at(db, u, S->sub_subsection_base);
		uint64_t count = le_bytes(u + S->sub_ptes_in_subsection, 4);
		if (base && count)
			f->ranges[f->nranges++] = (struct proto_range){ base, count };
		sub = ptr_at(db, u, S->sub_next_subsection);
	}
	if (f->nranges == 0)
		return false;
	read_name(db, file_pointer, f);
	return true;
}

static bool covers(const struct pfn_db *db, const struct mapped_file_use *f, uint64_t pte)
{
	for (size_t i = 0; i < f->nranges; i++)
		if (pte >= f->ranges[i].base &&
		    (pte - f->ranges[i].base) / pte_size(db) < f->ranges[i].count)
			return true;
	return false;
}

/* Inline prototype PTEs (XP..7): the SEGMENT whose PrototypePte is its
 * own ThePtes[0] and whose PTEs reach the page's PTE (§9 step 1). */
static uint64_t control_area_from_segment(const struct pfn_db *db, const struct pfn_entry *e)
{
	const struct prof_section *S = db->p->section;
	if (S->seg_the_ptes == PROF_ABSENT)
		return 0;
	unsigned es = pte_size(db);
	uint64_t lowest = e->pte_address - S->seg_the_ptes - (uint64_t)(SEGMENT_SEARCH_PTES - 1) * es;
	if (lowest > e->pte_address)
		return 0;
	size_t span = (size_t)(e->pte_address - lowest) + S->seg_size;
	uint8_t *w = calloc(1, span);
	if (!w)
		return 0;
	xlat_read(db->d->kernel, lowest, w, span, NULL);
	uint64_t ca = 0;
	for (uint64_t k = 0; k < SEGMENT_SEARCH_PTES && !ca; k++) {
		uint64_t seg = e->pte_address - S->seg_the_ptes - k * es;
		const uint8_t *s = w + (seg - lowest);
		if (ptr_at(db, s, S->seg_prototype_pte) == seg + S->seg_the_ptes &&
		    k < le_bytes(s + S->seg_total_number_of_ptes, 4))
			ca = ptr_at(db, s, S->seg_control_area);
	}
	free(w);
	return ca;
}

/* The candidate control area of a prototype page. A subsection-format
 * OriginalPte names the page's SUBSECTION (doc/address-space.md §2, doc/structures.md §9 step
 * 2); a page-file or demand-zero one belongs to a page-file-backed
 * section; anything else (XP keeps no decodable subsection form) leaves
 * the SEGMENT in front of inline PTEs. */
static uint64_t control_area_of(const struct pfn_db *db, const struct pte_context *ctx,
				const struct pfn_entry *e)
{
	struct pte_decoded dec;
	pte_decode(ctx, paging_desc(db->d->paging)->levels - 1, e->original_pte, &dec);
	uint64_t ca = 0;
	if (dec.state == PTE_STATE_PROTOTYPE)
		return dec.has_prototype_address &&
		       dump_read_ptr(db->d, dec.prototype_address + db->p->section->sub_control_area,
				     &ca) ? ca : 0;
	if (dec.state == PTE_STATE_PAGEFILE || dec.state == PTE_STATE_DEMAND_ZERO)
		return 0;
	return control_area_from_segment(db, e);
}

int mapped_file_of_page(const struct pfn_db *db, const struct pfn_entry *e,
			struct mapped_file_use *out)
{
	struct pte_context ctx;
	layout_pte_context(db->d, &ctx);
	if (!e->prototype)
		return 0;
	return load_control_area(db, control_area_of(db, &ctx, e), out) &&
	       covers(db, out, e->pte_address);
}

/* Scan state: control areas already tried, and what came of it. */
struct tried {
	uint64_t control_area;
	size_t file;                 /* index into files, or SIZE_MAX: rejected */
};

/* A subsection's PTEs [base, end) and its file: the index pages are
 * looked up in, sorted by base. */
struct indexed_range {
	uint64_t base, end;
	size_t file;
};

struct scan {
	const struct pfn_db *db;
	struct pte_context ctx;
	struct mapped_files *m;
	struct tried *tried;
	size_t ntried, captried;
	struct indexed_range *index;
	size_t nindex, capindex;
};

static int grow(void **items, size_t *cap, size_t need, size_t size, struct kdx_error *err)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 16;
	void *p = realloc(*items, n * size);
	if (!p)
		return kdx_fail(err, "mapped files: out of memory");
	*items = p;
	*cap = n;
	return 0;
}

static int index_file(struct scan *s, size_t file, struct kdx_error *err)
{
	const struct mapped_file_use *f = &s->m->files[file];
	uint64_t es = pte_size(s->db);
	for (size_t r = 0; r < f->nranges; r++) {
		uint64_t base = f->ranges[r].base;
		uint64_t end = f->ranges[r].count > (UINT64_MAX - base) / es ?
			       UINT64_MAX : base + f->ranges[r].count * es;
		if (grow((void **)&s->index, &s->capindex, s->nindex + 1, sizeof *s->index, err) < 0)
			return -1;
		size_t at = s->nindex;
		while (at > 0 && s->index[at - 1].base > base)
			at--;
		memmove(s->index + at + 1, s->index + at, (s->nindex - at) * sizeof *s->index);
		s->index[at] = (struct indexed_range){ base, end, file };
		s->nindex++;
	}
	return 0;
}

/* The file whose subsection holds pte, SIZE_MAX if none: the last range
 * starting at or below pte. (Overlapping ranges, which only a corrupt dump
 * has, fall back to the control-area route.) */
static size_t indexed_file(const struct scan *s, uint64_t pte)
{
	size_t lo = 0, hi = s->nindex;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->index[mid].base <= pte)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && pte < s->index[lo - 1].end ? s->index[lo - 1].file : SIZE_MAX;
}

/* The file for control area ca: known, rejected (SIZE_MAX), or loaded now. */
static int file_for(struct scan *s, uint64_t ca, size_t *file, struct kdx_error *err)
{
	for (size_t i = 0; i < s->ntried; i++)
		if (s->tried[i].control_area == ca) {
			*file = s->tried[i].file;
			return 0;
		}
	struct mapped_files *m = s->m;
	if (grow((void **)&s->tried, &s->captried, s->ntried + 1, sizeof *s->tried, err) < 0 ||
	    grow((void **)&m->files, &m->cap, m->count + 1, sizeof *m->files, err) < 0)
		return -1;
	*file = load_control_area(s->db, ca, &m->files[m->count]) ? m->count++ : SIZE_MAX;
	s->tried[s->ntried++] = (struct tried){ ca, *file };
	return *file == SIZE_MAX ? 0 : index_file(s, *file, err);
}

static int count_page(struct mapped_file_use *f, const struct pfn_entry *e, struct kdx_error *err)
{
	if (grow((void **)&f->pfns, &f->cap, f->npfns + 1, sizeof *f->pfns, err) < 0)
		return -1;
	f->pfns[f->npfns++] = e->pfn;
	f->pages[e->list]++;
	f->resident++;
	return 0;
}

static int on_entry(void *ctx, const struct pfn_entry *e, struct kdx_error *err)
{
	struct scan *s = ctx;
	struct mapped_files *m = s->m;
	if (!e->prototype)
		return 0;
	m->prototype_pages++;
	size_t file = indexed_file(s, e->pte_address);
	if (file != SIZE_MAX)
		return count_page(&m->files[file], e, err);
	uint64_t ca = control_area_of(s->db, &s->ctx, e);
	if (ca && file_for(s, ca, &file, err) < 0)
		return -1;
	if (file != SIZE_MAX && covers(s->db, &m->files[file], e->pte_address))
		return count_page(&m->files[file], e, err);
	if (!m->unattributed++)
		m->first_unattributed = e->pfn;
	return 0;
}

static int by_resident(const void *a, const void *b)
{
	const struct mapped_file_use *x = a, *y = b;
	if (x->resident != y->resident)
		return x->resident < y->resident ? 1 : -1;
	return x->control_area < y->control_area ? -1 : x->control_area > y->control_area;
}

int mapped_files_scan(const struct pfn_db *db, struct mapped_files *out, struct kdx_error *err)
{
	memset(out, 0, sizeof *out);
	struct scan s = { .db = db, .m = out };
	layout_pte_context(db->d, &s.ctx);
	int rc = pfn_scan(db, on_entry, &s, &out->totals, err);
	free(s.tried);
	free(s.index);
	if (rc < 0) {
		mapped_files_free(out);
		return -1;
	}
	if (out->count)   /* files is NULL when none was found */
		qsort(out->files, out->count, sizeof *out->files, by_resident);
	return 0;
}

void mapped_files_free(struct mapped_files *m)
{
	for (size_t i = 0; i < m->count; i++)
		free(m->files[i].pfns);
	free(m->files);
	memset(m, 0, sizeof *m);
}

const struct mapped_file_use *mapped_files_by_control_area(const struct mapped_files *m,
							   uint64_t control_area)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->files[i].control_area == control_area)
			return &m->files[i];
	return NULL;
}
