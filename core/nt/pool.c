#include "core/nt/pool.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/builds.h"
#include "core/util/bytes.h"
#include "core/nt/kdbg.h"
#include "core/nt/special_pool.h"
#include "core/xlat/layout.h"
#include "core/xlat/walk.h"

#define PROTECTED_POOL 0x80000000u   /* §6.3: compare tags without it */
#define POOL_SESSION_FLAG 0x20u      /* §6.3 flag masks */
#define SEGMENT_HEAP_ALIGN 16u       /* §6.4: headers sit on 16-byte steps */
/* Words either side of &PoolTrackTable searched for the big-page table. */
#define BIG_TABLE_SEARCH_WORDS 32
/* Bytes of one tracker or big-page entry a reader holds: the largest is
 * Windows 11's 0x50-byte _POOL_TRACKER_TABLE; a --layout file may claim
 * more, and is refused. */
#define POOL_ENTRY_MAX 128u

void pool_tag_text(uint32_t tag, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)(tag >> (8 * i) & 0x7f);
		out[i] = c >= 0x20 && c < 0x7f ? c : '.';
	}
	out[4] = 0;
}

bool pool_tag_parse(const char *s, uint32_t *tag)
{
	size_t n = strlen(s);
	if (n == 0 || n > 4)
		return false;
	*tag = 0;
	for (size_t i = 0; i < 4; i++)
		*tag |= (uint32_t)(uint8_t)(i < n ? s[i] : ' ') << (8 * i);
	return true;
}

const char *pool_kind_name(enum pool_kind k)
{
	return k == POOL_KIND_PAGED ? "paged" : k == POOL_KIND_SESSION ? "session" : "nonpaged";
}

const char *pool_state_name(enum pool_state s)
{
	return s == POOL_ALLOCATED ? "allocated" : s == POOL_FREE ? "free" : "unknown";
}

const char *pool_state_from_name(enum pool_state_from f)
{
	static const char *const names[] = { "none", "pool_type", "lfh_bitmap", "vs_chunk_header",
					     "big_page_table", "special_pool" };
	return names[f];
}

const char *pool_state_from_words(enum pool_state_from f)
{
	static const char *const words[] = { "-", "pool type", "LFH bitmap", "VS chunk header",
					     "big-page table", "special pool" };
	return words[f];
}

const char *pool_page_kind_name(enum pool_page_kind k)
{
	static const char *const names[] = { "classic", "lfh", "vs", "large", "special", "unknown" };
	return names[k];
}

static bool read_var(struct dump *d, unsigned field, uint64_t *addr, uint64_t *value)
{
	return dump_kdbg_field(d, field, 8, addr) && *addr && dump_read_ptr(d, *addr, value);
}

/* ---- tracker table ---- */

static bool tag_printable(uint32_t tag)
{
	for (int i = 0; i < 4; i++) {
		unsigned ch = tag >> (8 * i) & (i == 3 ? 0x7f : 0xff);
		if (ch < 0x20 || ch > 0x7e)
			return false;
	}
	return true;
}

/* Windows 8 and later count in one table per processor as well
 * (doc/structures.md, open question 8): the array of their addresses is a
 * kernel variable, and neither the KDBG nor the KPRCB (its PDB layout has
 * no pool tracker field) leads to it. */
static const char unsummed_tables[] =
	"this build also counts pool tags in one table per processor (nt!ExPoolTagTables, "
	"indexed by the processor number); that array is a kernel variable that neither the KDBG "
	"nor the KPRCB points at, so without symbols kdx cannot find it: the figures are the "
	"global PoolTrackTable's alone and can be lower than !poolused's";

int pool_tracker_read(struct dump *d, struct pool_tracker *t, struct kdx_error *err)
{
	memset(t, 0, sizeof *t);
	if (dump_need_structures(d, "poolused", err) < 0)
		return -1;
	const struct profile *p = d->layout.profile;
	uint64_t var;
	if (!d->has_kdbg || !read_var(d, KDBG_POOL_TRACK_TABLE, &var, &t->table))
		return kdx_fail(err, "poolused: KDBG PoolTrackTable (+0x%x) or the variable it names "
				"is not in the dump", KDBG_POOL_TRACK_TABLE);
	const struct prof_pool_tracker *pt = p->pool_tracker;
	uint8_t probe[POOL_ENTRY_MAX];
	if (pt->size > sizeof probe)
		return kdx_fail(err, "poolused: the layout's tracker entry is 0x%x bytes, more than "
				"the 0x%x kdx reads", pt->size, POOL_ENTRY_MAX);
	if (!t->table || xlat_read(d->kernel, t->table, probe, pt->size, NULL) != pt->size)
		return kdx_fail(err, "poolused: PoolTrackTable (at 0x%llx) is 0x%llx, which is not "
				"mapped in the dump: expected the tracker array",
				(unsigned long long)var, (unsigned long long)t->table);
	/* PoolTrackTableSize: the word just before the pointer (§6.5, †). */
	if (!dump_read_ptr(d, var - dump_ptr_size(d), &t->claimed) || t->claimed < 2)
		return kdx_fail(err, "poolused: no entry count before PoolTrackTable (0x%llx)",
				(unsigned long long)var);
	t->read = t->claimed > POOL_TRACKER_MAX_ENTRIES ? POOL_TRACKER_MAX_ENTRIES : t->claimed;
	size_t bytes = (size_t)t->read * pt->size;
	uint8_t *buf = malloc(bytes);
	t->rows = calloc(t->read, sizeof *t->rows);
	if (!buf || !t->rows) {
		free(buf);
		pool_tracker_free(t);
		return kdx_fail(err, "poolused: out of memory for %llu entries",
				(unsigned long long)t->read);
	}
	struct hole_list holes = { 0 };
	xlat_read(d->kernel, t->table, buf, bytes, &holes);
	uint64_t unprintable = 0;
	for (uint64_t i = 0; i < t->read; i++) {
		const uint8_t *e = buf + i * pt->size;
		uint32_t key = (uint32_t)le_bytes(e + pt->key, 4) & ~PROTECTED_POOL;
		if (!key)
			continue;
		/* Past a bogus count the entries are other data: keys that are
		 * no tag are counted, not listed. */
		if (!tag_printable(key)) {
			unprintable++;
			continue;
		}
		struct pool_tracker_row *r = &t->rows[t->count++];
		r->tag = key;
		r->nonpaged_allocs = le_bytes(e + pt->nonpaged_allocs, pt->counter_size);
		r->nonpaged_frees = le_bytes(e + pt->nonpaged_frees, pt->counter_size);
		r->nonpaged_bytes = le_bytes(e + pt->nonpaged_bytes, pt->bytes_size);
		r->paged_allocs = le_bytes(e + pt->paged_allocs, pt->counter_size);
		r->paged_frees = le_bytes(e + pt->paged_frees, pt->counter_size);
		r->paged_bytes = le_bytes(e + pt->paged_bytes, pt->bytes_size);
	}
	uint64_t missing = 0;
	for (size_t i = 0; i < holes.count; i++)
		missing += holes.items[i].size;
	hole_list_free(&holes);
	free(buf);
	int n = snprintf(t->note, sizeof t->note, "PoolTrackTable, %llu entries",
			 (unsigned long long)t->claimed);
	if (t->claimed > t->read)
		n += snprintf(t->note + n, sizeof t->note - (size_t)n, " claimed; read the first %llu",
			      (unsigned long long)t->read);
	if (missing)
		n += snprintf(t->note + n, sizeof t->note - (size_t)n, "; %llu bytes not in the dump",
			      (unsigned long long)missing);
	if (unprintable)
		n += snprintf(t->note + n, sizeof t->note - (size_t)n,
			      "; %llu entries with keys that are no tag skipped",
			      (unsigned long long)unprintable);
	if (p->pool_tracker->per_processor_tables) {
		snprintf(t->note + n, sizeof t->note - (size_t)n, "; per-processor tables not summed");
		t->unsummed = unsummed_tables;
	}
	return 0;
}

void pool_tracker_free(struct pool_tracker *t)
{
	free(t->rows);
	t->rows = NULL;
	t->count = 0;
}

/* ---- pages and blocks ---- */

/* Page segments are aligned to their size and begin with their header:
 * candidates are the aligned addresses of the mapped pool runs. */
#define KEY_SEGMENTS 64u

#define WALK_WHAT "walking the pool's page tables"

/* fn for each mapped run of [start, end] (inclusive); -1 only when
 * progress cancelled the walk (a range the mode cannot map has no runs). */
static int mapped_runs(const struct pool_ctx *c, uint64_t start, uint64_t end,
		       const struct progress *progress,
		       void (*fn)(void *ctx, uint64_t start, uint64_t end), void *ctx,
		       struct kdx_error *err)
{
	struct pte_context pc;
	struct region_walk rw;
	layout_pte_context(c->d, &pc);
	if (!pc.format)
		return 0;
	if (layout_walk(c->d->src, &pc, c->d->dtb, start, end, progress, WALK_WHAT, &rw, err) < 0)
		return err->code == KDX_ERR_CANCELLED ? -1 : 0;
	for (size_t i = 0; i < rw.nranges; i++)   /* end exclusive */
		fn(ctx, rw.ranges[i].start, rw.ranges[i].start + rw.ranges[i].pages * KDX_PAGE_SIZE);
	region_walk_free(&rw);
	return 0;
}

struct segment_list {
	uint64_t size, bases[KEY_SEGMENTS];
	size_t n;
};

static void add_segments(void *ctx, uint64_t start, uint64_t end)
{
	struct segment_list *l = ctx;
	for (uint64_t b = (start + l->size - 1) & ~(l->size - 1); b < end && b >= start &&
	     l->n < KEY_SEGMENTS; b += l->size)
		l->bases[l->n++] = b;
}

static int solve_keys(struct pool_ctx *c, const struct progress *progress, struct kdx_error *err)
{
	struct segment_list l = { .size = segheap_layout(c->p)->seg_bytes };
	for (size_t i = 0; i < c->n_np; i++)
		if (mapped_runs(c, c->np_start[i], c->np_end[i], progress, add_segments, &l, err) < 0)
			return -1;
	if (c->has_pp && mapped_runs(c, c->pp_start, c->pp_end, progress, add_segments, &l, err) < 0)
		return -1;
	segheap_solve_keys(c->d, c->p, l.bases, l.n, &c->keys);
	return 0;
}

int pool_ctx_init(struct dump *d, const struct progress *progress, struct pool_ctx *c,
		  struct kdx_error *err)
{
	memset(c, 0, sizeof *c);
	c->d = d;
	c->p = d->layout.profile;
	if (dump_need_structures(d, "pool", err) < 0)
		return -1;
	uint64_t a;
	/* x86 XP/2003: MmNonPagedPoolStart..End spans the system space between
	 * the initial part and the expansion; the layout tells the parts. */
	c->n_np = layout_nonpaged_pool(d, c->np_start, c->np_end);
	c->has_pp = read_var(d, KDBG_MM_PAGED_POOL_START, &a, &c->pp_start) &&
		    read_var(d, KDBG_MM_PAGED_POOL_END, &a, &c->pp_end) && c->pp_end > c->pp_start;
	if (segheap_layout(c->p) && solve_keys(c, progress, err) < 0)
		return -1;
	return 0;
}

static bool in_paged(const struct pool_ctx *c, uint64_t va)
{
	return c->has_pp && va >= c->pp_start && va <= c->pp_end;
}

/* §6.3: XP/2003 odd = nonpaged; 7 and later bit 0 = paged. */
static enum pool_kind kind_of(const struct pool_ctx *c, unsigned type, uint64_t va)
{
	if (type == 0)
		return in_paged(c, va) ? POOL_KIND_PAGED : POOL_KIND_NONPAGED;
	if (type & POOL_SESSION_FLAG)
		return POOL_KIND_SESSION;
	bool paged = c->p->build < NT_BUILD_VISTA ? !(type & 1) : (type & 1);
	return paged ? POOL_KIND_PAGED : POOL_KIND_NONPAGED;
}

struct header {
	unsigned prev, index, units, type;
	uint32_t tag;
};

static struct header decode(const struct prof_pool *h, const uint8_t *p)
{
	struct header r;
	if (h->header_size == 8) {
		uint32_t w = (uint32_t)le_bytes(p, 4);
		r = (struct header){ w & 0x1ff, w >> 9 & 0x7f, w >> 16 & 0x1ff, w >> 25 & 0x7f, 0 };
	} else {
		r = (struct header){ p[0], p[1], p[2], p[3], 0 };
	}
	r.tag = (uint32_t)le_bytes(p + 4, 4);
	return r;
}

static struct pool_block block_at(const struct pool_ctx *c, uint64_t va, const struct header *hd,
				   enum pool_state state, enum pool_state_from from)
{
	const struct prof_pool *h = c->p->pool;
	return (struct pool_block){
		.address = va, .size = (uint64_t)hd->units * h->block_unit,
		.previous_size = (uint64_t)hd->prev * h->block_unit, .tag = hd->tag & ~PROTECTED_POOL,
		.pool_index = hd->index, .raw_type = hd->type,
		.kind = kind_of(c, hd->type, va), .state = state, .from = from,
	};
}

static void add_page_block(const struct pool_ctx *c, struct pool_page *pg, uint64_t off,
			   const struct header *hd, enum pool_state state, enum pool_state_from from)
{
	pg->blocks[pg->count++] = block_at(c, pg->va + off, hd, state, from);
}

/* §6.2: blocks tile the page from 0, PreviousSize chains them. */
static void walk_classic(const struct pool_ctx *c, const uint8_t *page, struct pool_page *pg)
{
	const struct prof_pool *h = c->p->pool;
	unsigned off = 0, prev = 0;
	while (off < KDX_PAGE_SIZE) {
		struct header hd = decode(h, page + off);
		const char *why = NULL;
		if (hd.units == 0)
			why = "BlockSize is 0";
		else if (off + hd.units * h->block_unit > KDX_PAGE_SIZE)
			why = "the block runs past the page end";
		else if (hd.prev != prev)
			why = "PreviousSize does not match the block before";
		if (why) {
			pg->broken = pg->count > 0;
			pg->break_at = pg->va + off;
			snprintf(pg->why, sizeof pg->why, "%s (BlockSize %u, PreviousSize %u)", why,
				 hd.units, hd.prev);
			break;
		}
		add_page_block(c, pg, off, &hd, hd.type == 0 ? POOL_FREE : POOL_ALLOCATED,
			       POOL_FROM_POOL_TYPE);
		prev = hd.units;
		off += hd.units * h->block_unit;
	}
	/* One header that passes by chance is not a pool page. */
	if (pg->broken && pg->count < 2) {
		pg->broken = false;
		pg->count = 0;
	}
	pg->pool_page = pg->count > 0;
	pg->kind = pg->pool_page ? POOL_PAGE_CLASSIC : POOL_PAGE_UNKNOWN;
}

/* §6.4: a header on a 16-byte step whose block stays inside the page,
 * whose PoolType is an allocated one and whose tag is printable. */
static bool header_plausible(const struct prof_pool *h, const uint8_t *page, unsigned off,
			     struct header *hd)
{
	*hd = decode(h, page + off);
	unsigned type = hd->type & ~POOL_SESSION_FLAG;
	return hd->units >= 2 && off + hd->units * h->block_unit <= KDX_PAGE_SIZE &&
	       (type == h->nonpaged_allocated || type == h->paged_allocated) &&
	       tag_printable(hd->tag);
}

/* No metadata to go by: every plausible header is a block of unknown
 * state. Headers sit on block units (16 bytes on x64, 8 on x86, §6.4). */
static void header_scan(const struct pool_ctx *c, const uint8_t *page, struct pool_page *pg)
{
	const struct prof_pool *h = c->p->pool;
	for (unsigned off = 0; off + h->header_size <= KDX_PAGE_SIZE && pg->count < 512;) {
		struct header hd;
		if (header_plausible(h, page, off, &hd)) {
			add_page_block(c, pg, off, &hd, POOL_UNKNOWN, POOL_FROM_NONE);
			off += hd.units * h->block_unit;
		} else {
			off += h->block_unit;
		}
	}
}

/* Plausible headers where the subsegment's walk put no block; with a tag,
 * only those carrying it (a scan's quick test first). */
static void find_lookalikes(const struct pool_ctx *c, const uint8_t *page, struct pool_page *pg,
			    uint32_t only_tag)
{
	const struct prof_pool *h = c->p->pool;
	size_t k = 0;
	for (unsigned off = 0; off + h->header_size <= KDX_PAGE_SIZE &&
	     pg->nlookalikes < sizeof pg->lookalikes / sizeof pg->lookalikes[0];
	     off += SEGMENT_HEAP_ALIGN) {
		if (only_tag && ((uint32_t)le_bytes(page + off + 4, 4) & ~PROTECTED_POOL) != only_tag)
			continue;
		while (k < pg->count && pg->blocks[k].address < pg->va + off)
			k++;
		struct header hd;
		if ((k < pg->count && pg->blocks[k].address == pg->va + off) ||
		    !header_plausible(h, page, off, &hd))
			continue;
		pg->lookalikes[pg->nlookalikes++] = block_at(c, pg->va + off, &hd, POOL_UNKNOWN,
							     POOL_FROM_NONE);
	}
}

/* The subsegment's blocks that start on this page, their states from its
 * metadata; VS free chunks apart. */
static bool walk_subsegment(const struct pool_ctx *c, const uint8_t *page, struct pool_page *pg,
			    struct segheap_range *r)
{
	const struct prof_pool *h = c->p->pool;
	segheap_walk_cached(c->p, &c->keys, r);
	if (r->nitems < 0) {
		snprintf(pg->walk_why, sizeof pg->walk_why, "%s", r->walk_why);
		return false;
	}
	bool vs = r->flags == SEGHEAP_RANGE_VS;
	for (int i = 0; i < r->nitems; i++) {
		const struct segheap_item *it = &r->items[i];
		if ((it->header & ~(uint64_t)(KDX_PAGE_SIZE - 1)) != pg->va)
			continue;
		if (vs && it->state == 0) {
			if (pg->nfree < sizeof pg->free_chunks / sizeof pg->free_chunks[0])
				pg->free_chunks[pg->nfree++] = (struct pool_chunk){ it->header, it->size };
			continue;
		}
		if (!it->pool_header || pg->count == 512)
			continue;
		struct header hd = decode(h, page + (it->header - pg->va));
		enum pool_state st = it->state == 1 ? POOL_ALLOCATED : it->state == 0 ? POOL_FREE :
				     POOL_UNKNOWN;
		pg->blocks[pg->count++] = block_at(c, it->header, &hd, st,
						   st == POOL_UNKNOWN ? POOL_FROM_NONE :
						   vs ? POOL_FROM_VS_HEADER : POOL_FROM_LFH_BITMAP);
	}
	return true;
}

/* Special pool (ReactOS ntoskrnl/mm/ARM3/special.c, the layout Driver
 * Verifier's special pool documentation describes): the page filled with
 * one pattern byte, which the header at the page start repeats in
 * BlockSize; the header's low 16 bits the bytes requested (0x8000:
 * paged); the allocation ends at the page end, aligned down to the header
 * size. A mapped page is a live allocation; the next page is the guard. */
#define SPECIAL_POOL_PAGED 0x8000u

bool pool_special_page(const struct profile *p, const uint8_t *page, uint64_t va,
		       struct pool_special *s)
{
	unsigned hdr = p->pool->header_size;
	uint32_t first = (uint32_t)le_bytes(page, 4);
	uint64_t bytes = first & 0xffff & ~SPECIAL_POOL_PAGED;
	uint8_t pattern = page[2];
	uint32_t tag = (uint32_t)le_bytes(page + 4, 4);
	if (!bytes || bytes > KDX_PAGE_SIZE - hdr || !tag_printable(tag))
		return false;
	uint64_t data = (KDX_PAGE_SIZE - bytes) & ~(uint64_t)(hdr - 1);
	for (uint64_t i = hdr; i < data; i++)
		if (page[i] != pattern)
			return false;
	*s = (struct pool_special){
		.header = va, .data = va + data, .bytes = bytes, .guard = va + KDX_PAGE_SIZE,
		.tag = tag & ~PROTECTED_POOL, .pattern = pattern, .paged = first & SPECIAL_POOL_PAGED,
	};
	return true;
}

static bool walk_special(const struct pool_ctx *c, const uint8_t *page, struct pool_page *pg)
{
	struct pool_special *s = &pg->special;
	if (!pool_special_page(c->p, page, pg->va, s))
		return false;
	uint8_t probe;
	s->guard_absent = xlat_read(c->d->kernel, s->guard, &probe, 1, NULL) != 1;
	pg->kind = POOL_PAGE_SPECIAL;
	snprintf(pg->kind_why, sizeof pg->kind_why, "a special pool page: pattern 0x%02x from "
		 "the header to the allocation", s->pattern);
	pg->blocks[pg->count++] = (struct pool_block){
		.address = s->data, .size = s->bytes, .tag = s->tag,
		.kind = s->paged ? POOL_KIND_PAGED : POOL_KIND_NONPAGED, .state = POOL_ALLOCATED,
		.from = POOL_FROM_SPECIAL_POOL,
	};
	pg->pool_page = true;
	return true;
}

static void walk_segment_heap(const struct pool_ctx *c, const uint8_t *page, struct pool_page *pg,
			      struct segheap_range *r, uint32_t only_tag)
{
	pg->kind = POOL_PAGE_UNKNOWN;
	if (!r->found) {
		if (walk_special(c, page, pg))
			return;
		snprintf(pg->kind_why, sizeof pg->kind_why, "no page segment: %s", r->why);
		header_scan(c, page, pg);
		pg->pool_page = pg->count > 0;
		return;
	}
	pg->segment = r->segment;
	pg->range_start = r->start;
	pg->range_bytes = r->bytes;
	snprintf(pg->kind_why, sizeof pg->kind_why, "RangeFlags %u of the range descriptor in the "
		 "page segment at 0x%llx", r->flags, (unsigned long long)r->segment);
	if (r->flags == SEGHEAP_RANGE_LARGE) {
		pg->kind = POOL_PAGE_LARGE;
	} else if (r->flags == SEGHEAP_RANGE_LFH || r->flags == SEGHEAP_RANGE_VS) {
		pg->kind = r->flags == SEGHEAP_RANGE_LFH ? POOL_PAGE_LFH : POOL_PAGE_VS;
		unsigned bs, first;
		if (pg->kind == POOL_PAGE_LFH && segheap_lfh_geometry(c->p, &c->keys, r, &bs, &first))
			pg->lfh_block_size = bs;
		if (!walk_subsegment(c, page, pg, r)) {
			/* Metadata unreadable: the headers alone, states unknown. */
			pg->count = pg->nfree = 0;
			header_scan(c, page, pg);
			pg->pool_page = pg->count > 0;
			return;
		}
	} else {
		header_scan(c, page, pg);
		pg->pool_page = pg->count > 0;
		return;
	}
	find_lookalikes(c, page, pg, only_tag);
	pg->pool_page = pg->count > 0 || pg->nfree > 0;
}

/* only_tag: a scan for that tag; the page's look-alikes of other tags are
 * not looked for. On the segment heap the page comes from its range's
 * bytes where they were read. */
static void walk_page(const struct pool_ctx *c, uint64_t va, struct pool_page *pg,
		      struct segheap_range *r, uint32_t only_tag)
{
	memset(pg, 0, offsetof(struct pool_page, blocks));
	pg->count = pg->nfree = pg->nlookalikes = 0;
	pg->va = va & ~(uint64_t)(KDX_PAGE_SIZE - 1);
	pg->kind = POOL_PAGE_UNKNOWN;
	uint8_t buf[KDX_PAGE_SIZE];
	const struct prof_segheap *S = segheap_layout(c->p);
	const uint8_t *page = S && segheap_find_range(c->d, S, pg->va, r) ?
			      segheap_page_bytes(r, pg->va) : NULL;
	if (page) {
		pg->readable = true;
	} else {
		page = buf;
		pg->readable = xlat_read(c->d->kernel, pg->va, buf, sizeof buf, NULL) == sizeof buf;
	}
	if (!pg->readable)
		return;
	if (S) {
		walk_segment_heap(c, page, pg, r, only_tag);
	} else if (c->p->pool->segment_heap) {   /* no layout of the heap's metadata */
		snprintf(pg->kind_why, sizeof pg->kind_why, "no segment-heap layout for this build");
		header_scan(c, page, pg);
		pg->pool_page = pg->count > 0;
	} else {
		walk_classic(c, page, pg);
		if (!pg->pool_page)
			walk_special(c, page, pg);
	}
}

void pool_walk_page(const struct pool_ctx *c, uint64_t va, struct pool_page *pg)
{
	struct segheap_range r = { 0 };
	walk_page(c, va, pg, &r, 0);
	segheap_range_free(&r);
}

/* ---- big pages ---- */

static bool big_entry_ok(uint64_t va)
{
	return (va & 1) || (va & (KDX_PAGE_SIZE - 1)) == 0;
}

void pool_big_find(const struct pool_ctx *c, struct pool_big_table *t)
{
	memset(t, 0, sizeof *t);
	struct dump *d = c->d;
	uint64_t var, table;
	unsigned ps = dump_ptr_size(d);
	const struct prof_big_page *bp = c->p->big_page;
	if (!read_var(d, KDBG_POOL_TRACK_TABLE, &var, &table)) {
		snprintf(t->how, sizeof t->how, "not found: PoolTrackTable is not in the dump");
		return;
	}
	for (int k = -BIG_TABLE_SEARCH_WORDS; k < BIG_TABLE_SEARCH_WORDS; k++) {
		uint64_t at = var + (uint64_t)((int64_t)k * ps), ptr, n;
		if (!dump_read_ptr(d, at, &ptr) || !dump_read_ptr(d, at + ps, &n) ||
		    n < 0x100 || n > POOL_BIG_MAX_ENTRIES || (n & (n - 1)) || !ptr ||
		    (ptr & (KDX_PAGE_SIZE - 1)))
			continue;
		uint8_t e[POOL_ENTRY_MAX];
		bool ok = bp->size <= sizeof e;
		for (unsigned i = 0; ok && i < 16; i++)
			ok = xlat_read(d->kernel, ptr + i * bp->size, e, bp->size, NULL) == bp->size &&
			     big_entry_ok(le_bytes(e + bp->va, ps));
		if (ok) {
			t->found = true;
			t->table = ptr;
			t->entries = n;
			snprintf(t->how, sizeof t->how, "pointer and count %+d words from PoolTrackTable",
				 k);
			return;
		}
	}
	snprintf(t->how, sizeof t->how, "not found within %d words of PoolTrackTable (no KDBG field "
		 "names it)", BIG_TABLE_SEARCH_WORDS);
}

void pool_big_each(const struct pool_ctx *c, const struct pool_big_table *t,
		   int (*fn)(void *ctx, const struct pool_block *b), void *ctx)
{
	const struct prof_big_page *bp = c->p->big_page;
	unsigned ps = dump_ptr_size(c->d);
	uint8_t chunk[KDX_PAGE_SIZE * 4];
	uint64_t per = sizeof chunk / bp->size;
	for (uint64_t i = 0; t->found && i < t->entries; i += per) {
		uint64_t n = t->entries - i < per ? t->entries - i : per;
		xlat_read(c->d->kernel, t->table + i * bp->size, chunk, n * bp->size, NULL);
		for (uint64_t k = 0; k < n; k++) {
			const uint8_t *e = chunk + k * bp->size;
			uint64_t va = le_bytes(e + bp->va, ps);
			if ((va & ~1ull) == 0)
				continue;
			unsigned type = 0;
			uint64_t size;
			if (bp->number_of_pages != PROF_ABSENT)
				size = le_bytes(e + bp->number_of_pages, 4) * KDX_PAGE_SIZE;
			else
				size = le_bytes(e + bp->number_of_bytes, ps);
			if (bp->pool_type != PROF_ABSENT)
				type = (unsigned)le_bytes(e + bp->pool_type, 4);
			else if (bp->packed_pool_type.offset != PROF_ABSENT)
				type = (unsigned)prof_get_bits(e, bp->packed_pool_type);
			uint64_t at = va & ~1ull;
			bool paged = bp->pool_type == PROF_ABSENT && bp->packed_pool_type.offset == PROF_ABSENT
				     ? in_paged(c, at) : (type & 1);
			struct pool_block b = {
				.address = at, .size = size, .tag = (uint32_t)le_bytes(e + bp->key, 4) & ~PROTECTED_POOL,
				.raw_type = type, .kind = paged ? POOL_KIND_PAGED : POOL_KIND_NONPAGED,
				.state = (va & 1) ? POOL_FREE : POOL_ALLOCATED,
				.from = POOL_FROM_BIG_PAGE_TABLE, .big = true,
			};
			if (fn(ctx, &b))
				return;
		}
	}
}

/* ---- scan ---- */

static void list_add(struct pool_block **list, size_t *count, size_t *cap,
		     const struct pool_block *b)
{
	if (*count == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		struct pool_block *nb = realloc(*list, n * sizeof *nb);
		if (!nb)
			return;
		*list = nb;
		*cap = n;
	}
	(*list)[(*count)++] = *b;
}

struct scan {
	const struct pool_ctx *c;
	uint32_t tag;
	size_t keep;
	pool_hit_fn on_hit;
	void *ctx;
	struct pool_scan *s;
};

static void scan_hit(struct scan *sc, const struct pool_block *b, bool unverified)
{
	struct pool_scan *s = sc->s;
	if (unverified) {
		if (!sc->keep || s->nlookalikes < sc->keep)
			list_add(&s->lookalikes, &s->nlookalikes, &s->caplookalikes, b);
		s->found_lookalikes++;
	} else {
		if (!sc->keep || s->count < sc->keep)
			list_add(&s->blocks, &s->count, &s->cap, b);
		s->found++;
		if (b->state != POOL_FREE)
			s->bytes += b->size;
	}
	if (sc->on_hit)
		sc->on_hit(sc->ctx, b, unverified);
}

static int big_match(void *ctx, const struct pool_block *b)
{
	struct scan *sc = ctx;
	if (b->tag == sc->tag)
		scan_hit(sc, b, false);
	return 0;
}

/* Pages between progress reports: 256 KiB, a few ms on a loaded machine. */
#define SCAN_REPORT_PAGES 64u

/* The mapped pages of rw; false when progress says stop. */
static bool scan_pages(struct scan *sc, const struct region_walk *rw, struct pool_page *pg,
		       struct segheap_range *range, uint64_t *done, uint64_t total)
{
	struct pool_scan *s = sc->s;
	unsigned pages = 0;
	for (size_t i = 0; i < rw->nranges; i++)
		for (uint64_t va = rw->ranges[i].start; va < rw->ranges[i].end; va += KDX_PAGE_SIZE) {
			if (pages++ % SCAN_REPORT_PAGES == 0 &&
			    !progress_update(sc->c->d->progress, *done, total, "scanning pool pages"))
				return false;
			walk_page(sc->c, va, pg, range, sc->tag);
			*done += KDX_PAGE_SIZE;
			if (pg->readable)
				s->scanned_bytes += KDX_PAGE_SIZE;
			else
				s->missing_pages++;
			if (pg->broken && !s->broken_pages++)
				s->first_broken = pg->break_at;
			for (size_t k = 0; k < pg->count; k++)
				if (pg->blocks[k].tag == sc->tag)
					scan_hit(sc, &pg->blocks[k], false);
			for (size_t k = 0; k < pg->nlookalikes; k++)
				if (pg->lookalikes[k].tag == sc->tag)
					scan_hit(sc, &pg->lookalikes[k], true);
		}
	return true;
}

/* The nonpaged parts and the paged pool: each walked once, then scanned. */
/* The nonpaged parts and the paged pool, then the special pool regions the
 * layout found (Driver Verifier's allocations live outside the pools). */
#define SCAN_RANGES 8

/* The special-pool regions of l that no range in start/end holds. */
static void add_special_ranges(const struct region_list *l, uint64_t *start, uint64_t *end,
			       size_t *n)
{
	for (size_t i = 0; i < l->count && *n < SCAN_RANGES; i++) {
		const struct region *g = &l->items[i];
		bool inside = false;
		for (size_t k = 0; k < *n; k++)
			inside |= g->start >= start[k] && g->end <= end[k];
		if (g->kind == REGION_SPECIAL_POOL && !inside) {
			start[*n] = g->start;
			end[(*n)++] = g->end;
		}
	}
}

int pool_scan_tag(const struct pool_ctx *c, uint32_t tag, size_t keep, pool_hit_fn on_hit,
		  void *ctx, struct pool_scan *s, struct kdx_error *err)
{
	memset(s, 0, sizeof *s);
	tag &= ~PROTECTED_POOL;
	if (!c->n_np && !c->has_pp)
		return kdx_fail(err, "poolfind: the KDBG pool bounds (MmNonPagedPoolStart/End, "
				"MmPagedPoolStart/End) are not in the dump");
	struct pte_context pc;
	layout_pte_context(c->d, &pc);
	if (!pc.format)
		return kdx_fail(err, "poolfind: no PTE format for this dump");
	uint64_t start[SCAN_RANGES], end[SCAN_RANGES];
	size_t n = 0;
	for (size_t i = 0; i < c->n_np; i++, n++) {
		start[n] = c->np_start[i];
		end[n] = c->np_end[i];
	}
	if (c->has_pp) {
		start[n] = c->pp_start;
		end[n++] = c->pp_end;
	}
	struct region_list regions;
	struct special_pool_search sp;
	struct kdx_error lerr;
	if (layout_build(c->d, &regions, &lerr) == 0) {
		if (special_pool_find(c->d, &regions, &sp, &lerr) == 0)
			add_special_ranges(&regions, start, end, &n);
		region_list_free(&regions);
	}
	struct scan sc = { c, tag, keep, on_hit, ctx, s };
	struct pool_big_table bt;
	pool_big_find(c, &bt);
	pool_big_each(c, &bt, big_match, &sc);
	struct region_walk rw[SCAN_RANGES] = { 0 };
	uint64_t total = 0, done = 0;
	size_t walked = 0;
	int r = 0;
	for (; walked < n && r == 0; walked++) {
		r = layout_walk(c->d->src, &pc, c->d->dtb, start[walked], end[walked],
				c->d->progress, WALK_WHAT, &rw[walked], err);
		for (size_t k = 0; r == 0 && k < rw[walked].nranges; k++)
			total += rw[walked].ranges[k].pages * KDX_PAGE_SIZE;
		s->paged_out_pages += rw[walked].pagefile;
		s->transition_pages += rw[walked].transition;
		s->missing_pages += rw[walked].not_in_dump_pages;
		if (r == 0 && rw[walked].ranges_truncated)
			snprintf(s->note, sizeof s->note, "the pool range has more than %d mapped "
				 "runs; the scan covered the first ones", LAYOUT_MAX_RANGES);
	}
	struct pool_page *pg = r == 0 ? malloc(sizeof *pg) : NULL;
	if (r == 0 && !pg)
		r = kdx_fail(err, "poolfind: out of memory");
	struct segheap_range range = { 0 };
	for (size_t i = 0; r == 0 && i < n && !s->cancelled; i++)
		s->cancelled = !scan_pages(&sc, &rw[i], pg, &range, &done, total);
	free(pg);
	segheap_range_free(&range);
	for (size_t i = 0; i < walked; i++)
		region_walk_free(&rw[i]);
	if (r < 0 && err->code == KDX_ERR_CANCELLED) {
		s->cancelled = true;
		r = 0;
	}
	if (r < 0)
		pool_scan_free(s);
	return r;
}

void pool_scan_free(struct pool_scan *s)
{
	free(s->blocks);
	free(s->lookalikes);
	s->blocks = s->lookalikes = NULL;
	s->count = s->cap = s->nlookalikes = s->caplookalikes = 0;
}
