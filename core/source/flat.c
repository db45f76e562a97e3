/* The flattened format, as makedumpfile's IMPLEMENTATION file and
 * makedumpfile.h describe it (QEMU's dump/dump.c writes the same): a
 * 4096-byte header { char signature[16] = "makedumpfile", int64 type = 1,
 * int64 version = 1 }, then records { int64 offset, int64 buf_size, data },
 * all integers big-endian, ended by a record whose offset is -1.
 * `makedumpfile -R` replays the records in order, so where two overlap (a
 * header rewritten at the end) the later one holds. */
#include "core/source/flat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAT_SIGNATURE "makedumpfile"
#define FLAT_SIGNATURE_BYTES 16
#define FLAT_HEADER_SIZE 4096       /* MAX_SIZE_MDF_HEADER */
#define FLAT_TYPE 1                 /* TYPE_FLAT_HEADER */
#define FLAT_VERSION 1              /* VERSION_FLAT_HEADER */
#define FLAT_RECORD_HEADER 16

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

bool flat_signature(const struct dump_file *f)
{
	static const uint8_t sig[FLAT_SIGNATURE_BYTES] = FLAT_SIGNATURE;
	return dump_file_has(f, 0, FLAT_SIGNATURE_BYTES) &&
	       memcmp(f->data, sig, FLAT_SIGNATURE_BYTES) == 0;
}

/* A record, or one end of it in the sweep below. */
struct flat_record {
	uint64_t start, end, file_off;
};

struct flat_event {
	uint64_t pos;
	size_t rec;                 /* stream order: a higher index was written later */
	bool open;
};

static int cmp_event(const void *a, const void *b)
{
	const struct flat_event *x = a, *y = b;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Max-heap of open records by stream order. */
static void heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;
	while (i && h[(i - 1) / 2] < v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static void heap_pop(size_t *h, size_t *n)
{
	size_t v = h[--*n], i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] > h[c])
			c++;
		if (h[c] <= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
}

static void add_extent(struct flat_file *ff, uint64_t start, uint64_t end, uint64_t file_off)
{
	struct flat_extent *last = ff->n ? &ff->ext[ff->n - 1] : NULL;
	if (last && last->end == start && last->file_off + (last->end - last->start) == file_off)
		last->end = end;
	else
		ff->ext[ff->n++] = (struct flat_extent){ start, end, file_off };
}

/* The disjoint extents the records leave once replayed: a sweep over their
 * ends, where at each point the latest open record holds the bytes.
 * O(n log n) however the records overlap. */
static int build_extents(struct flat_file *ff, const struct flat_record *r, size_t n)
{
	struct flat_event *ev = malloc(2 * n * sizeof *ev);
	size_t *heap = malloc(n * sizeof *heap), nheap = 0;
	bool *closed = calloc(n, sizeof *closed);
	ff->ext = malloc(2 * n * sizeof *ff->ext);
	if (!ev || !heap || !closed || !ff->ext) {
		free(ev);
		free(heap);
		free(closed);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		ev[2 * i] = (struct flat_event){ r[i].start, i, true };
		ev[2 * i + 1] = (struct flat_event){ r[i].end, i, false };
	}
	qsort(ev, 2 * n, sizeof *ev, cmp_event);
	for (size_t i = 0; i < 2 * n;) {
		uint64_t pos = ev[i].pos;
		for (; i < 2 * n && ev[i].pos == pos; i++) {
			if (ev[i].open)
				heap_push(heap, &nheap, ev[i].rec);
			else
				closed[ev[i].rec] = true;
		}
		while (nheap && closed[heap[0]])
			heap_pop(heap, &nheap);
		if (!nheap)
			continue;
		/* An open record still has its end event ahead. */
		const struct flat_record *top = &r[heap[0]];
		add_extent(ff, pos, ev[i].pos, top->file_off + (pos - top->start));
	}
	free(ev);
	free(heap);
	free(closed);
	ff->size = ff->n ? ff->ext[ff->n - 1].end : 0;
	return 0;
}

int flat_index(const struct dump_file *f, const char *path, struct flat_file *out,
	       struct kdx_error *err)
{
	memset(out, 0, sizeof *out);
	if (!dump_file_has(f, 0, FLAT_HEADER_SIZE))
		return kdx_fail(err, "%s: offset 0x0: file size is %llu: expected the %d-byte "
				"flattened header (truncated file)", path,
				(unsigned long long)f->size, FLAT_HEADER_SIZE);
	uint64_t type = be64(f->data + 16), version = be64(f->data + 24);
	if (type != FLAT_TYPE || version != FLAT_VERSION)
		return kdx_fail(err, "%s: offset 0x10: flattened header type %lld, version %lld: "
				"expected type 1, version 1", path, (long long)type,
				(long long)version);
	/* Every record takes at least its 16-byte header: the count is bounded. */
	size_t cap = 0, n = 0;
	struct flat_record *r = NULL;
	uint64_t pos = FLAT_HEADER_SIZE;
	for (;;) {
		if (!dump_file_has(f, pos, FLAT_RECORD_HEADER)) {
			free(r);
			return kdx_fail(err, "%s: offset 0x%llx: end of file after %zu records: "
					"expected a record header or the end marker (offset -1; "
					"truncated file)", path, (unsigned long long)pos, n);
		}
		uint64_t off = be64(f->data + pos), size = be64(f->data + pos + 8);
		if (off == UINT64_MAX)
			break;
		if (off > INT64_MAX || size > INT64_MAX - off || !dump_file_has(f, pos + 16, size)) {
			free(r);
			return kdx_fail(err, "%s: offset 0x%llx: record %zu writes %lld bytes at "
					"offset %lld: expected a non-negative offset and size, the "
					"data within the file size 0x%llx", path,
					(unsigned long long)pos, n, (long long)size, (long long)off,
					(unsigned long long)f->size);
		}
		if (size && n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct flat_record *grown = realloc(r, ncap * sizeof *grown);
			if (!grown) {
				free(r);
				return kdx_fail(err, "%s: out of memory for %zu records", path, ncap);
			}
			r = grown;
			cap = ncap;
		}
		if (size)
			r[n++] = (struct flat_record){ off, off + size, pos + 16 };
		pos += 16 + size;
	}
	out->records = n;
	int rc = n ? build_extents(out, r, n) : 0;
	free(r);
	if (rc < 0) {
		flat_free(out);
		return kdx_fail(err, "%s: out of memory indexing %zu records", path, n);
	}
	return 0;
}

void flat_free(struct flat_file *ff)
{
	free(ff->ext);
	ff->ext = NULL;
	ff->n = 0;
}

/* The first extent that ends after off. */
static size_t extent_at(const struct flat_extent *ext, size_t n, uint64_t off)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ext[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct flat_extent *extent_find(const struct flat_extent *ext, size_t n, uint64_t off)
{
	size_t i = extent_at(ext, n, off);
	return i < n && ext[i].start <= off ? &ext[i] : NULL;
}

uint64_t view_size(const struct byte_view *v)
{
	return v->flat ? v->flat->size : v->file->size;
}

size_t view_read(const struct byte_view *v, uint64_t off, void *buf, size_t len)
{
	if (!v->flat) {
		uint64_t have = off < v->file->size ? v->file->size - off : 0;
		size_t n = len < have ? len : (size_t)have;
		if (n)
			memcpy(buf, v->file->data + off, n);
		return n;
	}
	const struct flat_file *ff = v->flat;
	size_t lo = extent_at(ff->ext, ff->n, off);
	size_t done = 0;
	for (; lo < ff->n && done < len; lo++) {
		const struct flat_extent *e = &ff->ext[lo];
		uint64_t cur = off + done;
		if (e->start > cur)
			break;
		uint64_t have = e->end - cur;
		size_t n = len - done < have ? len - done : (size_t)have;
		memcpy((uint8_t *)buf + done, v->file->data + e->file_off + (cur - e->start), n);
		done += n;
	}
	return done;
}

bool view_has(const struct byte_view *v, uint64_t off, void *buf, size_t len)
{
	return view_read(v, off, buf, len) == len;
}

const char *view_where(const struct byte_view *v, uint64_t off, char *buf, size_t size)
{
	if (!v->flat) {
		snprintf(buf, size, "offset 0x%llx", (unsigned long long)off);
		return buf;
	}
	const struct flat_extent *e = extent_find(v->flat->ext, v->flat->n, off);
	if (e)
		snprintf(buf, size, "offset 0x%llx of the reassembled dump (file offset 0x%llx)",
			 (unsigned long long)off, (unsigned long long)(e->file_off + (off - e->start)));
	else
		snprintf(buf, size, "offset 0x%llx of the reassembled dump (in no record)",
			 (unsigned long long)off);
	return buf;
}
