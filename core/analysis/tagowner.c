#include "core/analysis/tagowner.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util/bytes.h"

static int add_hit(struct tag_owner *o, size_t *cap, size_t tag, const struct module *m,
		   size_t index, uint64_t offset)
{
	o->hits++;
	if (o->count == TAGOWNER_MAX_CANDIDATES)
		return 0;
	if (o->count == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		struct tag_candidate *items = realloc(o->items, n * sizeof *items);
		if (!items)
			return -1;
		o->items = items;
		*cap = n;
	}
	const struct module_section *s = module_section_at(m, offset);
	o->items[o->count++] = (struct tag_candidate){
		.tag = tag, .module = index, .offset = offset,
		.section = s ? (int)(s - m->sections) : -1, .code = s && s->code,
	};
	return 0;
}

/* Code hits first; the search already produced module and offset order,
 * which the merge keeps. */
static int rank(struct tag_owner *o)
{
	struct tag_candidate *sorted = malloc((o->count ? o->count : 1) * sizeof *sorted);
	if (!sorted)
		return -1;
	size_t n = 0;
	for (int code = 1; code >= 0; code--)
		for (size_t i = 0; i < o->count; i++)
			if (o->items[i].code == code)
				sorted[n++] = o->items[i];
	free(o->items);
	o->items = sorted;
	return 0;
}

int tagowner_search(struct dump *d, const struct module_list *ml, const uint32_t *tags,
		    size_t ntags, struct tag_owner *o, struct kdx_error *err)
{
	memset(o, 0, sizeof *o);
	if (ntags > TAGOWNER_MAX_TAGS)
		return kdx_fail(err, "tagowner: more than %u tags at once", TAGOWNER_MAX_TAGS);
	uint64_t total = 0, done = 0;
	for (size_t i = 0; i < ml->count; i++)
		total += ml->items[i].size < TAGOWNER_MAX_IMAGE ? ml->items[i].size : TAGOWNER_MAX_IMAGE;
	if (total > TAGOWNER_MAX_TOTAL)
		total = TAGOWNER_MAX_TOTAL;
	size_t cap = 0;
	/* Three bytes of the page before, so a constant across a page edge counts. */
	uint8_t buf[3 + KDX_PAGE_SIZE];
	for (size_t i = 0; i < ml->count; i++) {
		const struct module *m = &ml->items[i];
		uint64_t size = m->size, room = TAGOWNER_MAX_TOTAL - done;
		if (size > TAGOWNER_MAX_IMAGE || size > room) {
			size = TAGOWNER_MAX_IMAGE < room ? TAGOWNER_MAX_IMAGE : room;
			o->clipped_images++;
		}
		size_t carry = 0;
		for (uint64_t off = 0; off < size; off += KDX_PAGE_SIZE) {
			if (!progress_update(d->progress, done, total, "searching module images")) {
				tagowner_free(o);
				return kdx_fail_as(err, KDX_ERR_CANCELLED, "tagowner: search cancelled");
			}
			uint64_t len = size - off < KDX_PAGE_SIZE ? size - off : KDX_PAGE_SIZE;
			done += len;
			if (xlat_read(m->reader, m->base + off, buf + carry, len, NULL) != len) {
				o->missing_bytes += len;
				carry = 0;
				continue;
			}
			o->searched_bytes += len;
			size_t n = carry + len;
			for (size_t k = 0; k + 4 <= n; k++) {
				uint32_t word = le32(buf + k);
				for (size_t t = 0; t < ntags; t++)
					if (word == tags[t] && add_hit(o, &cap, t, m, i, off + k - carry) < 0) {
						tagowner_free(o);
						return kdx_fail(err, "tagowner: out of memory");
					}
			}
			carry = n < 3 ? n : 3;
			memmove(buf, buf + n - carry, carry);
		}
	}
	if (rank(o) < 0) {
		tagowner_free(o);
		return kdx_fail(err, "tagowner: out of memory");
	}
	return 0;
}

void tagowner_free(struct tag_owner *o)
{
	free(o->items);
	o->items = NULL;
	o->count = 0;
}

const struct module *tagowner_best(const struct module_list *ml, const struct tag_owner *o,
				   size_t tag)
{
	for (size_t i = 0; i < o->count && o->items[i].code; i++)
		if (o->items[i].tag == tag)
			return &ml->items[o->items[i].module];
	return NULL;
}

struct sized_tag {
	uint64_t bytes;
	uint32_t tag;
};

static int by_bytes_desc(const void *a, const void *b)
{
	const struct sized_tag *x = a, *y = b;
	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

void tagowner_search_biggest(struct dump *d, const struct pool_tracker *t,
			     bool (*skip)(void *ctx, uint32_t tag), void *ctx,
			     struct searched_owners *so)
{
	memset(so, 0, sizeof *so);
	struct kdx_error e;
	struct sized_tag *c = malloc((t->count ? t->count : 1) * sizeof *c);
	if (!c || modules_read(d, &so->ml, &e) < 0) {
		free(c);
		return;
	}
	so->have_modules = true;
	size_t n = 0;
	for (size_t i = 0; i < t->count; i++) {
		uint64_t bytes = t->rows[i].nonpaged_bytes + t->rows[i].paged_bytes;
		if (bytes && !(skip && skip(ctx, t->rows[i].tag)))
			c[n++] = (struct sized_tag){ bytes, t->rows[i].tag };
	}
	qsort(c, n, sizeof *c, by_bytes_desc);
	for (size_t i = 0; i < n && i < TAGOWNER_MAX_TAGS; i++)
		so->tags[so->ntags++] = c[i].tag;
	free(c);
	struct tag_owner o;
	if (tagowner_search(d, &so->ml, so->tags, so->ntags, &o, &e) < 0)
		return;
	for (size_t i = 0; i < so->ntags; i++)
		so->owner[i] = tagowner_best(&so->ml, &o, i);
	tagowner_free(&o);
}

const struct module *tagowner_searched(const struct searched_owners *so, uint32_t tag)
{
	for (size_t i = 0; i < so->ntags; i++)
		if (so->tags[i] == tag)
			return so->owner[i];
	return NULL;
}

const char *tag_owner_name(const struct pooltag_entry *e, const struct module *found,
			   const char **from)
{
	*from = e && e->owner ? "pooltag.txt" : found ? "image search" : NULL;
	return e && e->owner ? e->owner : found ? found->name : NULL;
}

bool tagowner_driver_tag(struct dump *d, const char *driver, uint32_t *tag)
{
	struct pool_tracker t;
	struct kdx_error e;
	if (pool_tracker_read(d, &t, &e) < 0)
		return false;
	struct searched_owners so;
	tagowner_search_biggest(d, &t, NULL, NULL, &so);
	bool found = false;
	for (size_t i = 0; i < so.ntags && !found; i++)
		if (so.owner[i] && strcasecmp(so.owner[i]->name, driver) == 0) {
			*tag = so.tags[i];
			found = true;
		}
	if (so.have_modules)
		modules_free(&so.ml);
	pool_tracker_free(&t);
	return found;
}
