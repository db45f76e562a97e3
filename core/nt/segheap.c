#include "core/nt/segheap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"

#define SESSION_FLAG 0x20u            /* structs §6.3 */
#define MAX_KEY_SUBSEGMENTS 64u       /* subsegments examined to solve a key */
#define MAX_KEY_RANGE_BYTES 0x10000u  /* and the largest kept for it */
#define MAX_WALK 1024u
/* The largest range kept in memory: a whole segment. */
#define MAX_RANGE_BYTES 0x100000u
#define VS_MIN_CHUNK_BYTES 0x20u

void segheap_range_free(struct segheap_range *r)
{
	free(r->data);
	free(r->page_read);
	free(r->items);
	r->data = NULL;
	r->page_read = NULL;
	r->items = NULL;
	r->walked = false;
	r->data_bytes = r->data_cap = 0;
	r->cached_segment = 0;
}

static unsigned segment_pages(const struct prof_segheap *S)
{
	return S->seg_bytes / KDX_PAGE_SIZE;
}

/* The descriptors of the segment at base: from the first after the
 * header, each range's UnitSize steps to the next; they must land on the
 * segment's end exactly. */
static bool read_segment(struct dump *d, const struct prof_segheap *S, uint64_t base,
			 struct segheap_range *r)
{
	r->cached_segment = base;
	r->segment_ok = false;
	unsigned n = segment_pages(S);
	size_t bytes = (size_t)n * S->desc_size;
	uint8_t *buf = malloc(bytes);
	if (!buf)
		return false;
	if (xlat_read(d->kernel, base, buf, bytes, NULL) != bytes) {
		snprintf(r->why, sizeof r->why, "the segment header at 0x%llx is not in the dump",
			 (unsigned long long)base);
		free(buf);
		return false;
	}
	memset(r->descriptors, 0, sizeof r->descriptors);
	memset(r->flags_at, 0, sizeof r->flags_at);
	unsigned i = S->first_descriptor, ranges = 0;
	while (i < n && n <= 256) {
		const uint8_t *e = buf + (size_t)i * S->desc_size;
		unsigned unit = e[S->desc_unit_size] ? e[S->desc_unit_size] : 1;
		r->descriptors[i] = (uint8_t)unit;
		r->flags_at[i] = e[S->desc_range_flags];
		ranges += r->flags_at[i] == SEGHEAP_RANGE_LFH || r->flags_at[i] == SEGHEAP_RANGE_VS ||
			  r->flags_at[i] == SEGHEAP_RANGE_LARGE;
		i += unit;
	}
	free(buf);
	if (i != n || !ranges) {
		snprintf(r->why, sizeof r->why, "0x%llx holds no range descriptors that tile a "
			 "page segment", (unsigned long long)base);
		return false;
	}
	r->segment_ok = true;
	return true;
}

static bool read_range(struct dump *d, struct segheap_range *r)
{
	if (r->data && r->data_start == r->start && r->data_bytes == r->bytes)
		return true;
	r->walked = false;
	if (r->bytes > r->data_cap) {   /* buffers kept for the next range of a scan */
		free(r->data);
		free(r->page_read);
		r->data = malloc(r->bytes);
		r->page_read = malloc(r->bytes / KDX_PAGE_SIZE * sizeof *r->page_read);
		r->data_cap = r->bytes;
		if (!r->data || !r->page_read) {
			segheap_range_free(r);
			return false;
		}
	}
	r->data_start = r->start;
	r->data_bytes = r->bytes;
	for (uint64_t p = 0; p < r->bytes / KDX_PAGE_SIZE; p++) {
		uint8_t *at = r->data + p * KDX_PAGE_SIZE;
		r->page_read[p] = xlat_read(d->kernel, r->start + p * KDX_PAGE_SIZE, at,
					    KDX_PAGE_SIZE, NULL) == KDX_PAGE_SIZE;
		if (!r->page_read[p])
			memset(at, 0, KDX_PAGE_SIZE);
	}
	return true;
}

bool segheap_find_range(struct dump *d, const struct prof_segheap *S, uint64_t va,
			struct segheap_range *r)
{
	uint64_t base = va & ~(uint64_t)(S->seg_bytes - 1);
	r->found = false;
	if (base != r->cached_segment && !read_segment(d, S, base, r))
		return false;
	if (!r->segment_ok)
		return false;
	unsigned page = (unsigned)((va - base) / KDX_PAGE_SIZE), i = S->first_descriptor;
	if (page < i) {
		snprintf(r->why, sizeof r->why, "the page segment's own header");
		return false;
	}
	while (i + r->descriptors[i] <= page)
		i += r->descriptors[i];
	r->segment = base;
	r->start = base + (uint64_t)i * KDX_PAGE_SIZE;
	r->bytes = (uint64_t)r->descriptors[i] * KDX_PAGE_SIZE;
	r->flags = r->flags_at[i];
	r->found = true;
	if ((r->flags == SEGHEAP_RANGE_LFH || r->flags == SEGHEAP_RANGE_VS) &&
	    r->bytes <= MAX_RANGE_BYTES)
		return read_range(d, r);
	return true;
}

static bool range_loaded(const struct segheap_range *r)
{
	return r->found && r->data && r->data_start == r->start && r->data_bytes == r->bytes;
}

const uint8_t *segheap_page_bytes(const struct segheap_range *r, uint64_t page_va)
{
	if (!range_loaded(r) || page_va < r->start || page_va - r->start >= r->bytes)
		return NULL;
	uint64_t i = (page_va - r->start) / KDX_PAGE_SIZE;
	return r->page_read[i] ? r->data + i * KDX_PAGE_SIZE : NULL;
}

/* A POOL_HEADER of an allocation, units long (structs §6.1, §6.3): the
 * size given, a printable tag, an allocated PoolType. */
static bool header_is(const struct profile *P, const uint8_t *p, unsigned units)
{
	unsigned size, type;
	if (P->pool->header_size == 8) {
		uint32_t w = (uint32_t)le_bytes(p, 4);
		size = w >> 16 & 0x1ff;
		type = w >> 25 & 0x7f;
	} else {
		size = p[2];
		type = p[3];
	}
	type &= ~SESSION_FLAG;
	if (size != units || (type != P->pool->nonpaged_allocated && type != P->pool->paged_allocated))
		return false;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[4 + i] & (i == 3 ? 0x7f : 0xff);
		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return true;
}

static unsigned header_units(const struct profile *P, const uint8_t *p)
{
	return P->pool->header_size == 8 ? (unsigned)(le_bytes(p, 4) >> 16 & 0x1ff) : p[2];
}

/* ---- LFH ---- */

static uint32_t lfh_offsets_plain(const struct prof_segheap *S, const uint8_t *sub,
				  uint64_t va, uint32_t key)
{
	return (uint32_t)le_bytes(sub + S->lfh_block_offsets, 4) ^ key ^ (uint32_t)(va >> 12);
}

bool segheap_lfh_geometry(const struct profile *P, const struct segheap_keys *k,
			  const struct segheap_range *r, unsigned *block_size, unsigned *first)
{
	const struct prof_segheap *S = segheap_layout(P);
	if (!k->lfh_known || !range_loaded(r) || !r->page_read[0])
		return false;
	uint32_t plain = lfh_offsets_plain(S, r->data, r->start, k->lfh_key);
	*block_size = plain & 0xffff;
	*first = plain >> 16;
	return *block_size >= P->pool->block_unit && *block_size < KDX_PAGE_SIZE &&
	       *first >= S->lfh_block_bitmap && *first < r->bytes;
}

/* The headers on an LFH subsegment's first page: the first one's offset
 * and size, if every header found agrees with it. */
static bool lfh_from_headers(const struct profile *P, const uint8_t *page, unsigned *bs,
			     unsigned *first)
{
	const struct prof_segheap *S = segheap_layout(P);
	*bs = 0;
	/* blocks start after at least one bitmap word, on the block unit */
	unsigned start = (S->lfh_block_bitmap + 8u + P->pool->block_unit - 1) & ~(P->pool->block_unit - 1u);
	for (unsigned off = start; off + P->pool->header_size <= KDX_PAGE_SIZE; off += P->pool->block_unit) {
		unsigned units = header_units(P, page + off);
		if (!units || !header_is(P, page + off, units))
			continue;
		if (!*bs) {
			*bs = units * P->pool->block_unit;
			*first = off;
			off += *bs - P->pool->block_unit;
		} else if (units * P->pool->block_unit != *bs || (off - *first) % *bs) {
			return false;
		} else {
			off += *bs - P->pool->block_unit;
		}
	}
	return *bs != 0;
}

static bool lfh_confirms(const struct profile *P, const uint8_t *page, uint64_t va,
			 uint32_t key)
{
	unsigned bs, first;
	if (!lfh_from_headers(P, page, &bs, &first))
		return false;
	uint32_t plain = lfh_offsets_plain(segheap_layout(P), page, va, key);
	unsigned dbs = plain & 0xffff, dfirst = plain >> 16;
	return dbs == bs && dfirst <= first && (first - dfirst) % bs == 0;
}

/* ---- VS ---- */

struct vs_chunk {
	unsigned cost, size, prev, allocated, pad;
};

static struct vs_chunk vs_decode(const uint8_t *p, uint64_t va, uint64_t key)
{
	uint64_t v = le_bytes(p, 8) ^ va ^ key;
	return (struct vs_chunk){ (unsigned)(v & 0xffff), (unsigned)(v >> 16 & 0xffff),
				  (unsigned)(v >> 32 & 0xffff), (unsigned)(v >> 48 & 0xff),
				  (unsigned)(v >> 56) };
}

/* Where an allocated chunk's POOL_HEADER is: after the chunk header, or at
 * the next page's start when the block would straddle it (MemProcFS). */
static void vs_block(const struct profile *P, uint64_t chunk, uint64_t bytes, uint64_t *at,
		     uint64_t *size)
{
	uint64_t hdr = segheap_layout(P)->vs_chunk_header;
	*at = chunk + hdr;
	*size = bytes - hdr;
	if (*size < 0xff0 && (*at & (KDX_PAGE_SIZE - 1)) + *size > KDX_PAGE_SIZE + 0x40) {
		uint64_t adj = KDX_PAGE_SIZE - (*at & (KDX_PAGE_SIZE - 1));
		*at += adj;
		*size -= adj;
	}
}

static int vs_walk(const struct profile *P, uint64_t key, const struct segheap_range *r,
		   struct segheap_item *out, size_t max, char *why, size_t why_size)
{
	const struct prof_segheap *S = segheap_layout(P);
	uint64_t off = S->vs_first_chunk;
	unsigned prev = 0;
	size_t n = 0;
	while (off < r->bytes) {
		uint64_t va = r->start + off;
		if (!r->page_read[off / KDX_PAGE_SIZE]) {
			snprintf(why, why_size, "the chunk at 0x%llx is not in the dump",
				 (unsigned long long)va);
			return -1;
		}
		struct vs_chunk c = vs_decode(r->data + off, va, key);
		uint64_t bytes = (uint64_t)c.size * 16;
		const char *bad = c.size * 16u < VS_MIN_CHUNK_BYTES || off + bytes > r->bytes ?
				  "its size runs out of the subsegment" :
				  (n > 0 && c.prev != prev) ? "its previous size does not match" :
				  c.allocated > 1 || c.pad ? "its Allocated byte is not 0 or 1" : NULL;
		uint64_t at = va, size = bytes;
		if (!bad && c.allocated) {
			vs_block(P, va, bytes, &at, &size);
			if (at + P->pool->header_size > r->start + r->bytes ||
			    !header_is(P, r->data + (at - r->start), (unsigned)(size / P->pool->block_unit)))
				bad = "no POOL_HEADER of its size follows it";
		}
		if (bad) {
			snprintf(why, why_size, "the chunk at 0x%llx decodes badly: %s",
				 (unsigned long long)va, bad);
			return -1;
		}
		if (out && n < max)
			out[n] = (struct segheap_item){ at, size, c.allocated ? 1 : 0, c.allocated != 0 };
		n++;
		prev = c.size;
		off += bytes;
	}
	return (int)n;
}

/* The blocks of a VS range (needs the heap key) or an LFH range (needs
 * the LFH key), in order; returns the count, or -1 when the metadata does
 * not hold together (why says where). */
static int segheap_walk(const struct profile *P, const struct segheap_keys *k,
			const struct segheap_range *r, struct segheap_item *out, size_t max,
			char *why, size_t why_size)
{
	if (!range_loaded(r)) {
		snprintf(why, why_size, "the range is not readable");
		return -1;
	}
	if (r->flags == SEGHEAP_RANGE_VS) {
		if (!k->heap_known) {
			snprintf(why, why_size, "the heap key was not recovered");
			return -1;
		}
		return vs_walk(P, k->heap_key, r, out, max, why, why_size);
	}
	unsigned bs, first;
	if (!segheap_lfh_geometry(P, k, r, &bs, &first)) {
		snprintf(why, why_size, k->lfh_known ? "the LFH offsets decode to nothing sensible" :
			 "the LFH key was not recovered");
		return -1;
	}
	const struct prof_segheap *S = segheap_layout(P);
	size_t n = 0;
	for (uint64_t off = first, i = 0; off + bs <= r->bytes; off += bs, i++) {
		if ((off & (KDX_PAGE_SIZE - 1)) + bs > KDX_PAGE_SIZE)
			continue;   /* blocks never cross a page (MemProcFS) */
		uint64_t word = S->lfh_block_bitmap + i / 32 * 8;
		unsigned bits = word + 8 <= KDX_PAGE_SIZE && r->page_read[0] ?
				(unsigned)(le_bytes(r->data + word, 8) >> (2 * (i % 32)) & 3) : 3;
		bool hdr = r->page_read[off / KDX_PAGE_SIZE] &&
			   header_is(P, r->data + off, bs / P->pool->block_unit);
		if (out && n < max)
			out[n] = (struct segheap_item){ r->start + off, bs,
							bits == 1 ? 1 : bits == 0 ? 0 : -1, hdr };
		n++;
	}
	return (int)n;
}

void segheap_walk_cached(const struct profile *P, const struct segheap_keys *k,
			 struct segheap_range *r)
{
	if (r->walked)
		return;
	r->walked = true;
	if (!r->items)
		r->items = malloc(MAX_WALK * sizeof *r->items);
	r->nitems = r->items ? segheap_walk(P, k, r, r->items, MAX_WALK, r->walk_why,
					    sizeof r->walk_why) : -1;
	if (!r->items)
		snprintf(r->walk_why, sizeof r->walk_why, "out of memory");
	if (r->nitems > (int)MAX_WALK)
		r->nitems = MAX_WALK;
}

/* ---- keys ---- */

/* The heap key from the second chunk of a VS subsegment whose first two
 * chunks are allocated: their POOL_HEADERs give the second chunk's size
 * and previous size; an allocated chunk is taken to have MemoryCost 0 and
 * Allocated 1, which the walk over the further chunks then confirms. */
static bool vs_candidate(const struct profile *P, const struct segheap_range *r, uint64_t *key)
{
	const struct prof_segheap *S = segheap_layout(P);
	uint64_t a = S->vs_first_chunk, hdr = S->vs_chunk_header;
	if (!r->page_read[0] || a + hdr + P->pool->header_size > KDX_PAGE_SIZE)
		return false;
	unsigned ua = header_units(P, r->data + a + hdr);
	if (!ua || !header_is(P, r->data + a + hdr, ua))
		return false;
	uint64_t sa = (hdr + (uint64_t)ua * P->pool->block_unit) / 16, b = a + sa * 16;
	if (b + hdr + P->pool->header_size > KDX_PAGE_SIZE)
		return false;
	unsigned ub = header_units(P, r->data + b + hdr);
	if (!ub || !header_is(P, r->data + b + hdr, ub))
		return false;
	uint64_t sb = (hdr + (uint64_t)ub * P->pool->block_unit) / 16;
	uint64_t plain = sb << 16 | sa << 32 | 1ull << 48;
	*key = le_bytes(r->data + b, 8) ^ (r->start + b) ^ plain;
	return true;
}

struct key_ranges {
	struct segheap_range r[MAX_KEY_SUBSEGMENTS];
	size_t n;
};

/* The LFH and VS subsegments of the given segments, read (bounded). */
static void collect(struct dump *d, const struct profile *P, const uint64_t *bases, size_t n,
		    unsigned flags, struct key_ranges *kr)
{
	const struct prof_segheap *S = segheap_layout(P);
	kr->n = 0;
	for (size_t s = 0; s < n && kr->n < MAX_KEY_SUBSEGMENTS; s++) {
		struct segheap_range scan = { 0 };
		for (uint64_t va = bases[s] + (uint64_t)S->first_descriptor * KDX_PAGE_SIZE;
		     va < bases[s] + S->seg_bytes && kr->n < MAX_KEY_SUBSEGMENTS;) {
			if (!segheap_find_range(d, S, va, &scan))
				break;
			uint64_t next = scan.start + scan.bytes;
			if (scan.flags == flags && range_loaded(&scan) &&
			    scan.bytes <= MAX_KEY_RANGE_BYTES) {
				kr->r[kr->n++] = scan;
				scan.data = NULL;
				scan.page_read = NULL;
				scan.items = NULL;
				scan.walked = false;
				scan.data_bytes = scan.data_cap = 0;
			}
			va = next;
		}
		segheap_range_free(&scan);
	}
}

static void solve_heap(const struct profile *P, struct key_ranges *kr, struct segheap_keys *k)
{
	char why[96];
	for (size_t i = 0; i < kr->n && !k->heap_known; i++) {
		uint64_t key;
		if (!vs_candidate(P, &kr->r[i], &key))
			continue;
		unsigned chunks = 0, subs = 0;
		bool contradicted = false;
		for (size_t j = 0; j < kr->n && !contradicted; j++) {
			int c = vs_walk(P, key, &kr->r[j], NULL, 0, why, sizeof why);
			contradicted = c < 0 && j == i;
			if (c > 0) {
				chunks += (unsigned)c;
				subs++;
			}
		}
		/* The two chunks it came from do not count; a further one must. */
		if (contradicted || chunks < 3)
			continue;
		k->heap_known = true;
		k->heap_key = key;
		k->heap_chunks = chunks - 2;
		k->heap_subsegments = subs;
		snprintf(k->heap_how, sizeof k->heap_how, "solved from the POOL_HEADER sizes of the "
			 "first two chunks at 0x%llx; %u further chunks in %u VS subsegments decode "
			 "into consistent chains", (unsigned long long)(kr->r[i].start +
			 segheap_layout(P)->vs_first_chunk), chunks - 2, subs);
	}
	if (!k->heap_known)
		snprintf(k->heap_how, sizeof k->heap_how, "not recovered: %zu VS subsegments "
			 "examined, none gave a key that the further chunks confirm", kr->n);
}

static void solve_lfh(const struct profile *P, struct key_ranges *kr, struct segheap_keys *k)
{
	unsigned best = 0;
	for (size_t i = 0; i < kr->n; i++) {
		unsigned bs, first;
		if (!kr->r[i].page_read[0] || !lfh_from_headers(P, kr->r[i].data, &bs, &first))
			continue;
		uint32_t key = (uint32_t)le_bytes(kr->r[i].data + segheap_layout(P)->lfh_block_offsets, 4) ^
			       (uint32_t)(kr->r[i].start >> 12) ^ (bs | (uint32_t)first << 16);
		unsigned confirms = 0;
		for (size_t j = 0; j < kr->n; j++)
			confirms += j != i && kr->r[j].page_read[0] &&
				    lfh_confirms(P, kr->r[j].data, kr->r[j].start, key);
		if (confirms > best) {
			best = confirms;
			k->lfh_known = true;
			k->lfh_key = key;
			k->lfh_subsegments = confirms;
			snprintf(k->lfh_how, sizeof k->lfh_how, "solved from the block size and first "
				 "block of the LFH subsegment at 0x%llx (its POOL_HEADERs); confirmed "
				 "on %u further LFH subsegments", (unsigned long long)kr->r[i].start,
				 confirms);
		}
	}
	if (!k->lfh_known)
		snprintf(k->lfh_how, sizeof k->lfh_how, "not recovered: %zu LFH subsegments "
			 "examined, no key read from one is confirmed by another", kr->n);
}

void segheap_solve_keys(struct dump *d, const struct profile *P, const uint64_t *bases,
			size_t n, struct segheap_keys *k)
{
	memset(k, 0, sizeof *k);
	struct key_ranges *kr = malloc(sizeof *kr);
	if (!kr) {
		snprintf(k->heap_how, sizeof k->heap_how, "not recovered: out of memory");
		snprintf(k->lfh_how, sizeof k->lfh_how, "not recovered: out of memory");
		return;
	}
	collect(d, P, bases, n, SEGHEAP_RANGE_VS, kr);
	solve_heap(P, kr, k);
	for (size_t i = 0; i < kr->n; i++)
		segheap_range_free(&kr->r[i]);
	collect(d, P, bases, n, SEGHEAP_RANGE_LFH, kr);
	solve_lfh(P, kr, k);
	for (size_t i = 0; i < kr->n; i++)
		segheap_range_free(&kr->r[i]);
	free(kr);
}
