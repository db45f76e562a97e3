#include "core/analysis/pooldiff.h"

#include <stdlib.h>
#include <string.h>

static int by_tag(const void *a, const void *b)
{
	uint32_t x = ((const struct pool_diff_row *)a)->tag, y = ((const struct pool_diff_row *)b)->tag;
	return x < y ? -1 : x > y;
}

/* Growth of nonpaged bytes, biggest first; then by tag, so the order is
 * the same on every run. */
static int by_growth(const void *a, const void *b)
{
	const struct pool_diff_row *x = a, *y = b;
	int64_t gx = pool_diff_change(x->before.nonpaged_bytes, x->after.nonpaged_bytes);
	int64_t gy = pool_diff_change(y->before.nonpaged_bytes, y->after.nonpaged_bytes);
	if (gx != gy)
		return gx > gy ? -1 : 1;
	return by_tag(a, b);
}

static int row_by_tag(const void *a, const void *b)
{
	uint32_t x = ((const struct pool_tracker_row *)a)->tag;
	uint32_t y = ((const struct pool_tracker_row *)b)->tag;
	return x < y ? -1 : x > y;
}

/* The rows sorted by tag; a tag a hostile table lists twice keeps one row. */
static struct pool_tracker_row *sorted_unique(const struct pool_tracker *t, size_t *n)
{
	struct pool_tracker_row *r = malloc((t->count ? t->count : 1) * sizeof *r);
	if (!r)
		return NULL;
	memcpy(r, t->rows, t->count * sizeof *r);
	qsort(r, t->count, sizeof *r, row_by_tag);
	*n = 0;
	for (size_t i = 0; i < t->count; i++)
		if (*n == 0 || r[*n - 1].tag != r[i].tag)
			r[(*n)++] = r[i];
	return r;
}

int pool_diff_build(const struct pool_tracker *before, const struct pool_tracker *after,
		    struct pool_diff *out, struct kdx_error *err)
{
	memset(out, 0, sizeof *out);
	size_t na, nb;
	struct pool_tracker_row *a = sorted_unique(before, &na), *b = sorted_unique(after, &nb);
	out->rows = calloc(na + nb + 1, sizeof *out->rows);
	if (!a || !b || !out->rows) {
		free(a);
		free(b);
		free(out->rows);
		out->rows = NULL;
		return kdx_fail(err, "pooldiff: out of memory for %zu rows",
				before->count + after->count);
	}
	for (size_t i = 0, k = 0; i < na || k < nb;) {
		struct pool_diff_row *r = &out->rows[out->count++];
		bool take_a = i < na && (k == nb || a[i].tag <= b[k].tag);
		bool take_b = k < nb && (i == na || b[k].tag <= a[i].tag);
		r->tag = take_a ? a[i].tag : b[k].tag;
		r->before.tag = r->after.tag = r->tag;
		if (take_a) {
			r->in_before = true;
			r->before = a[i++];
		}
		if (take_b) {
			r->in_after = true;
			r->after = b[k++];
		}
	}
	free(a);
	free(b);
	qsort(out->rows, out->count, sizeof *out->rows, by_growth);
	return 0;
}

void pool_diff_free(struct pool_diff *d)
{
	free(d->rows);
	d->rows = NULL;
	d->count = 0;
}
