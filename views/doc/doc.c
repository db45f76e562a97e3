#include "views/doc/doc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/doc/xalloc.h"

static void dn_free(struct dnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		dn_free(n->kids[i]);
	for (size_t i = 0; i < n->nspans; i++) {
		free(n->spans[i].text);
		free(n->spans[i].link);
	}
	if (n->kind == DN_STR)
		free(n->v.s);
	if (n->kind == DN_LINES && n->lines->free)
		n->lines->free(n->lines_priv);
	free(n->spans);
	free(n->kids);
	free(n->key);
	free(n->label);
	free(n->link);
	free(n);
}

void doc_init(struct doc *d, const char *command)
{
	memset(d, 0, sizeof *d);
	d->command = xstrdup(command ? command : "");
	d->root = xrealloc(NULL, sizeof *d->root);
	memset(d->root, 0, sizeof *d->root);
	d->root->kind = DN_OBJECT;
}

void doc_free(struct doc *d)
{
	dn_free(d->root);
	free(d->command);
	free(d->title);
	free(d->windbg);
	free(d->refine);
	free(d->sorted_by);
	memset(d, 0, sizeof *d);
}

static void set_field(char **field, const char *fmt, va_list ap)
{
	free(*field);
	*field = xvasprintf(fmt, ap);
}

#define DOC_SETTER(name, field) \
	void name(struct doc *d, const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		set_field(&d->field, fmt, ap); \
		va_end(ap); \
	}
DOC_SETTER(doc_set_title, title)
DOC_SETTER(doc_set_windbg, windbg)
DOC_SETTER(doc_set_refine, refine)

static struct dnode *add(struct dnode *parent, const char *key, enum dnode_kind kind)
{
	struct dnode *n = xrealloc(NULL, sizeof *n);
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->key = xstrdup(key);
	if (parent->nkids == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 8;
		parent->kids = xrealloc(parent->kids, parent->cap * sizeof *parent->kids);
	}
	parent->kids[parent->nkids++] = n;
	return n;
}

struct dnode *dn_object(struct dnode *p, const char *key) { return add(p, key, DN_OBJECT); }
struct dnode *dn_array(struct dnode *p, const char *key) { return add(p, key, DN_ARRAY); }
struct dnode *dn_null(struct dnode *p, const char *key) { return add(p, key, DN_NULL); }
struct dnode *dn_text(struct dnode *p) { return add(p, NULL, DN_TEXT); }

struct dnode *dn_bool(struct dnode *p, const char *key, bool v)
{
	struct dnode *n = add(p, key, DN_BOOL);
	n->v.b = v;
	return n;
}

struct dnode *dn_int(struct dnode *p, const char *key, int64_t v)
{
	struct dnode *n = add(p, key, DN_INT);
	n->v.i = v;
	return n;
}

struct dnode *dn_uint(struct dnode *p, const char *key, uint64_t v)
{
	struct dnode *n = add(p, key, DN_UINT);
	n->v.u = v;
	return n;
}

struct dnode *dn_cid(struct dnode *p, const char *key, uint64_t v)
{
	return dn_flags(dn_uint(p, key, v), DN_CID);
}

struct dnode *dn_hex(struct dnode *p, const char *key, uint64_t v, int width)
{
	struct dnode *n = add(p, key, DN_HEX);
	n->v.u = v;
	n->width = width;
	return n;
}

struct dnode *dn_str(struct dnode *p, const char *key, const char *s)
{
	if (!s)
		return dn_null(p, key);
	struct dnode *n = add(p, key, DN_STR);
	n->v.s = xstrdup(s);
	return n;
}

struct dnode *dn_strf(struct dnode *p, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct dnode *n = add(p, key, DN_STR);
	n->v.s = xvasprintf(fmt, ap);
	va_end(ap);
	return n;
}

struct dnode *dn_lines(struct dnode *p, size_t n, const struct dn_lines_ops *ops, void *priv)
{
	struct dnode *node = add(p, NULL, DN_LINES);
	node->lines = ops;
	node->lines_priv = priv;
	node->nlines = n;
	return node;
}

struct dspan *dn_span(struct dnode *t, enum role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	t->spans = xrealloc(t->spans, (t->nspans + 1) * sizeof *t->spans);
	struct dspan *s = &t->spans[t->nspans++];
	s->text = xvasprintf(fmt, ap);
	s->role = role;
	s->link = NULL;
	va_end(ap);
	return s;
}

struct dnode *dn_label(struct dnode *n, const char *label)
{
	free(n->label);
	n->label = xstrdup(label);
	return n;
}

struct dnode *dn_role(struct dnode *n, enum role role)
{
	n->role = role;
	return n;
}

struct dnode *dn_link(struct dnode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(n->link);
	n->link = xvasprintf(fmt, ap);
	va_end(ap);
	return n;
}

void dspan_link(struct dspan *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(s->link);
	s->link = xvasprintf(fmt, ap);
	va_end(ap);
}

struct dnode *dn_flags(struct dnode *n, unsigned flags)
{
	n->flags |= flags;
	return n;
}

const char *dn_label_of(const struct dnode *n)
{
	return n->label ? n->label : n->key ? n->key : "";
}

struct dnode *dn_get(const struct dnode *obj, const char *key)
{
	if (!obj || obj->kind != DN_OBJECT)
		return NULL;
	const char *dot = strchr(key, '.');
	size_t len = dot ? (size_t)(dot - key) : strlen(key);
	for (size_t i = 0; i < obj->nkids; i++) {
		struct dnode *k = obj->kids[i];
		if (k->key && strlen(k->key) == len && memcmp(k->key, key, len) == 0)
			return dot ? dn_get(k, dot + 1) : k;
	}
	return NULL;
}

char *dn_value_text_narrow(const struct dnode *n)
{
	if (n->kind == DN_UINT && n->flags & DN_CID)
		return xasprintf("0x%" PRIx64, n->v.u);
	return dn_value_text(n);
}

char *dn_value_text(const struct dnode *n)
{
	switch (n->kind) {
	case DN_NULL: return xstrdup(n->flags & DN_BLANK ? "" : "-");
	case DN_BOOL: return xstrdup(n->v.b ? "yes" : "no");
	case DN_INT: return xasprintf("%" PRId64, n->v.i);
	case DN_UINT:
		if (n->flags & DN_CID)
			return xasprintf("0x%" PRIx64 " (0n%" PRIu64 ")", n->v.u, n->v.u);
		if (n->flags & DN_HEX_SHOWN)
			return xasprintf("0x%" PRIx64, n->v.u);
		return xasprintf("%" PRIu64, n->v.u);
	case DN_HEX: return xasprintf("0x%0*" PRIx64, n->width, n->v.u);
	case DN_STR: return xstrdup(n->v.s);
	case DN_ARRAY: return xasprintf("(%zu)", n->nkids);
	default: return xstrdup("");
	}
}

static int kind_rank(const struct dnode *n)
{
	if (!n || n->kind == DN_NULL)
		return 0;
	return (n->kind == DN_STR || n->kind == DN_BOOL) ? 2 : 1;
}

static int compare_values(const struct dnode *a, const struct dnode *b)
{
	int ra = kind_rank(a), rb = kind_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 0)
		return 0;
	if (ra == 2) {
		if (a->kind == DN_BOOL && b->kind == DN_BOOL)
			return (int)a->v.b - (int)b->v.b;
		char *sa = dn_value_text(a), *sb = dn_value_text(b);
		int c = strcmp(sa, sb);
		free(sa);
		free(sb);
		return c;
	}
	if (a->kind == DN_INT || b->kind == DN_INT) {
		int64_t x = a->kind == DN_INT ? a->v.i : (int64_t)a->v.u;
		int64_t y = b->kind == DN_INT ? b->v.i : (int64_t)b->v.u;
		return x < y ? -1 : x > y;
	}
	return a->v.u < b->v.u ? -1 : a->v.u > b->v.u;
}

struct sort_item {
	struct dnode *row;
	const struct dnode *val;
};

static void merge_sort(struct sort_item *a, struct sort_item *tmp, size_t n, bool desc)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(a, tmp, h, desc);
	merge_sort(a + h, tmp, n - h, desc);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		int c = compare_values(a[i].val, a[j].val);
		/* Take from the left on ties: stable in both directions. */
		if (desc ? c >= 0 : c <= 0)
			tmp[k++] = a[i++];
		else
			tmp[k++] = a[j++];
	}
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

void dn_sort_table(struct dnode *table, const char *key, bool descending)
{
	size_t n = table->nkids;
	if (n < 2)
		return;
	struct sort_item *items = xrealloc(NULL, 2 * n * sizeof *items);
	for (size_t i = 0; i < n; i++) {
		items[i].row = table->kids[i];
		items[i].val = dn_get(table->kids[i], key);
	}
	merge_sort(items, items + n, n, descending);
	for (size_t i = 0; i < n; i++)
		table->kids[i] = items[i].row;
	free(items);
}
