#include "views/doc/lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/doc/xalloc.h"

static struct line *new_line(struct layout *l, enum line_kind kind)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->lines = xrealloc(l->lines, l->cap * sizeof *l->lines);
	}
	struct line *ln = &l->lines[l->count++];
	memset(ln, 0, sizeof *ln);
	ln->kind = kind;
	return ln;
}

/* Appends text padded to width (left or right aligned); width 0: as is. */
static void span(struct line *ln, enum role role, const char *text, size_t width,
		 bool right, const char *link)
{
	size_t len = strlen(text);
	size_t pad = width > len ? width - len : 0;
	char *buf = xrealloc(NULL, len + pad + 1);
	if (right) {
		memset(buf, ' ', pad);
		memcpy(buf + pad, text, len);
	} else {
		memcpy(buf, text, len);
		memset(buf + len, ' ', pad);
	}
	buf[len + pad] = 0;
	ln->spans = xrealloc(ln->spans, (ln->nspans + 1) * sizeof *ln->spans);
	struct dspan *s = &ln->spans[ln->nspans++];
	s->text = buf;
	s->role = role;
	s->link = xstrdup(link);
	if (link && !ln->link)
		ln->link = s->link;
}

static bool is_scalar(const struct dnode *n)
{
	return n->kind <= DN_STR;
}

static bool is_number(const struct dnode *n)
{
	return n->kind == DN_INT || n->kind == DN_UINT || n->kind == DN_HEX;
}

static enum role value_role(const struct dnode *n)
{
	if (n->role != ROLE_NORMAL)
		return n->role;
	switch (n->kind) {
	case DN_NULL: return ROLE_MUTED;
	case DN_INT: return n->v.i ? ROLE_VALUE : ROLE_ZERO;
	case DN_UINT: case DN_HEX: return n->v.u ? ROLE_VALUE : ROLE_ZERO;
	case DN_BOOL: return ROLE_VALUE;
	default: return ROLE_NORMAL;
	}
}

static bool shown(const struct dnode *n)
{
	return !(n->flags & DN_JSON_ONLY);
}

static bool is_table(const struct dnode *n)
{
	if (n->kind != DN_ARRAY)
		return false;
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->kind != DN_OBJECT)
			return false;
	return n->nkids > 0;
}

/* A table column: the path of a scalar leaf of the first row. */
struct column {
	char *path;      /* "nonpaged.allocs" */
	char *label;     /* "nonpaged allocs" */
	size_t width;
	bool right;
	bool spare;      /* DN_SPARE: left out first where the table does not fit */
};

static void collect_columns(const struct dnode *obj, const char *path, const char *label,
			    struct column **cols, size_t *n)
{
	for (size_t i = 0; i < obj->nkids; i++) {
		const struct dnode *k = obj->kids[i];
		if (!shown(k) || !k->key || k->kind == DN_ARRAY || k->kind == DN_TEXT)
			continue;
		char *p = xasprintf("%s%s%s", path, *path ? "." : "", k->key);
		char *lb = xasprintf("%s%s%s", label, *label ? " " : "", dn_label_of(k));
		if (k->kind == DN_OBJECT) {
			collect_columns(k, p, lb, cols, n);
			free(p);
			free(lb);
			continue;
		}
		*cols = xrealloc(*cols, (*n + 1) * sizeof **cols);
		(*cols)[*n] = (struct column){ p, lb, strlen(lb),
					       is_number(k) || (k->flags & DN_RIGHT),
					       k->flags & DN_SPARE };
		(*n)++;
	}
}

size_t table_columns(const struct dnode *table, struct table_column **out)
{
	struct column *cols = NULL;
	size_t n = 0;
	*out = NULL;
	if (!is_table(table))
		return 0;
	collect_columns(table->kids[0], "", "", &cols, &n);
	*out = xrealloc(NULL, (n ? n : 1) * sizeof **out);
	for (size_t c = 0; c < n; c++) {
		const struct dnode *v = NULL;
		for (size_t r = 0; r < table->nkids && (!v || v->kind == DN_NULL); r++)
			v = dn_get(table->kids[r], cols[c].path);
		(*out)[c] = (struct table_column){ cols[c].path, cols[c].label, v && is_number(v) };
	}
	free(cols);
	return n;
}

void table_columns_free(struct table_column *cols, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		free(cols[c].path);
		free(cols[c].label);
	}
	free(cols);
}

/* The sorted column's label gets the direction's mark. */
static void mark_sorted(const struct layout *l, const struct dnode *t, struct column *cols,
			size_t ncols)
{
	const struct doc *d = l->doc;
	if (!d || d->sorted_table != t || !d->sorted_by)
		return;
	for (size_t c = 0; c < ncols; c++)
		if (strcmp(cols[c].path, d->sorted_by) == 0) {
			char *marked = xasprintf("%s%s", cols[c].label, d->sorted_descending ?
						 SORT_MARK_DESCENDING : SORT_MARK_ASCENDING);
			free(cols[c].label);
			cols[c].label = marked;
			cols[c].width = strlen(marked);
		}
}

static bool compact(const struct layout *l)
{
	return l->width && l->width < LAYOUT_COMPACT_BELOW;
}

/* A row with a role of its own (a stack near its limit) is one band of
 * it, every cell included: a theme that gives the role a background
 * (high-contrast, mono's standout) would otherwise stripe the row where
 * its addresses and names keep their own colours. */
static void row_role(struct line *ln, const struct dnode *row)
{
	if (row->role != ROLE_NORMAL)
		for (size_t i = 0; i < ln->nspans; i++)
			ln->spans[i].role = row->role;
}

/* A text line continued on the next screen line starts this much further
 * in than its first line's text. */
#define WRAP_INDENT 2

/* Where text that does not fit goes on: lines of this kind, table and row
 * (an Enter, sort or filter on them acts as on the first), their text from
 * column start. */
struct wrap {
	enum line_kind kind;
	const struct dnode *table;
	size_t row;
	const char *link;
	size_t start;
};

static struct line *wrap_line(struct layout *l, const struct wrap *w)
{
	struct line *ln = new_line(l, w->kind);
	ln->table = w->table;
	ln->row = w->row;
	ln->continued = true;
	if (w->start)
		span(ln, ROLE_NORMAL, "", w->start, false, NULL);
	if (w->link)
		ln->link = w->link;
	return ln;
}

/* Appends text to *ln, at column *col, and on a compact screen goes on
 * to new lines (w) where it would reach the last column: breaks go at
 * blanks, a word longer than the room is cut. */
static void put_wrapped(struct layout *l, struct line **ln, size_t *col, const struct wrap *w,
			enum role role, const char *text, const char *link)
{
	const char *p = text;
	/* The last column stays free: a line that reaches it looks cut. */
	while (compact(l) && *col + strlen(p) >= l->width && l->width > w->start + 8) {
		size_t room = l->width - 1 - *col, cut = room;
		while (cut > 0 && p[cut] != ' ')
			cut--;
		if (cut == 0 && *col > w->start) {
			*ln = wrap_line(l, w);
			*col = w->start;
			continue;
		}
		if (cut == 0)
			cut = room;
		char *piece = strndup(p, cut);
		if (!piece)
			abort();
		span(*ln, role, piece, 0, false, link);
		free(piece);
		p += cut;
		p += strspn(p, " ");
		*ln = wrap_line(l, w);
		*col = w->start;
	}
	if (*p || !*text) {
		span(*ln, role, p, 0, false, link);
		*col += strlen(p);
	}
}

/* A table too wide for a compact screen: each row as a block of
 * "label  value" lines, blocks apart by a blank line. Every line is the
 * row's (table, row, link), so Enter, sorting and the split view act on
 * the row from any of them. */
static void lay_stacked_rows(struct layout *l, const struct dnode *t, const char *indent,
			     const struct column *cols, size_t ncols)
{
	size_t lw = 0;
	for (size_t c = 0; c < ncols; c++)
		if (strlen(cols[c].label) > lw)
			lw = strlen(cols[c].label);
	for (size_t r = 0; r < t->nkids; r++) {
		const struct dnode *row = t->kids[r];
		if (r)
			new_line(l, LINE_BLANK);
		for (size_t c = 0; c < ncols; c++) {
			const struct dnode *v = dn_get(row, cols[c].path);
			struct line *ln = new_line(l, LINE_TABLE_ROW);
			ln->table = t;
			ln->row = r;
			ln->continued = c > 0;
			span(ln, ROLE_NORMAL, indent, 0, false, NULL);
			span(ln, ROLE_LABEL, cols[c].label, lw, false, NULL);
			span(ln, ROLE_LABEL, "  ", 0, false, NULL);
			size_t col = strlen(indent) + lw + 2;
			const char *link = row->link ? row->link : v ? v->link : NULL;
			struct wrap w = { LINE_TABLE_ROW, t, r, link, col };
			char *s = v ? dn_value_text(v) : xstrdup("-");
			size_t first = l->count - 1;
			put_wrapped(l, &ln, &col, &w, v ? value_role(v) : ROLE_MUTED, s,
				    v ? v->link : NULL);
			free(s);
			for (size_t i = first; i < l->count; i++) {
				if (row->link)
					l->lines[i].link = row->link;
				row_role(&l->lines[i], row);
			}
		}
	}
}

/* How a table fits the screen: every column with Cids' decimals, else
 * without the spare columns (the sorted one stays), else without the
 * decimals too. */
enum table_fit { FIT_FULL, FIT_NO_SPARE, FIT_NARROW };

static bool column_shown(const struct layout *l, const struct dnode *t, const struct column *c,
			 enum table_fit fit)
{
	const struct doc *d = l->doc;
	bool sorted = d && d->sorted_table == t && d->sorted_by && strcmp(c->path, d->sorted_by) == 0;
	return fit == FIT_FULL || !c->spare || sorted;
}

static char *cell_text(const struct dnode *v, enum table_fit fit)
{
	return !v ? xstrdup("-") : fit == FIT_NARROW ? dn_value_text_narrow(v) : dn_value_text(v);
}

/* The table's width at fit; sets each column's width and alignment. */
static size_t table_width(const struct layout *l, const struct dnode *t, const char *indent,
			  struct column *cols, size_t ncols, enum table_fit fit)
{
	size_t total = strlen(indent), shown = 0;
	for (size_t c = 0; c < ncols; c++) {
		cols[c].width = strlen(cols[c].label);
		/* A column of numbers is right-aligned whatever its first row
		 * holds (a null "-" there must not move the column when the
		 * rows are sorted). */
		for (size_t r = 0; r < t->nkids; r++) {
			const struct dnode *v = dn_get(t->kids[r], cols[c].path);
			char *s = cell_text(v, fit);
			size_t len = strlen(s);
			if (len > cols[c].width)
				cols[c].width = len;
			if (v && is_number(v))
				cols[c].right = true;
			free(s);
		}
		if (column_shown(l, t, &cols[c], fit))
			total += cols[c].width + (shown++ ? 2 : 0);
	}
	return total;
}

static void lay_table(struct layout *l, const struct dnode *t, const char *indent)
{
	struct column *cols = NULL;
	size_t ncols = 0;
	collect_columns(t->kids[0], "", "", &cols, &ncols);
	mark_sorted(l, t, cols, ncols);
	/* The last column stays free: a line that reaches it looks cut. */
	enum table_fit fit = FIT_FULL;
	size_t total = table_width(l, t, indent, cols, ncols, fit);
	while (l->width && total >= l->width && fit < FIT_NARROW)
		total = table_width(l, t, indent, cols, ncols, ++fit);
	if (compact(l) && total >= l->width) {
		table_width(l, t, indent, cols, ncols, FIT_FULL);
		lay_stacked_rows(l, t, indent, cols, ncols);
		goto done;
	}
	struct line *h = new_line(l, LINE_TABLE_HEADER);
	h->table = t;
	span(h, ROLE_HEADER, indent, 0, false, NULL);
	for (size_t c = 0, shown = 0; c < ncols; c++) {
		if (!column_shown(l, t, &cols[c], fit))
			continue;
		if (shown++)
			span(h, ROLE_HEADER, "  ", 0, false, NULL);
		span(h, ROLE_HEADER, cols[c].label, cols[c].width, cols[c].right, NULL);
	}
	for (size_t r = 0; r < t->nkids; r++) {
		const struct dnode *row = t->kids[r];
		struct line *ln = new_line(l, LINE_TABLE_ROW);
		ln->table = t;
		ln->row = r;
		span(ln, ROLE_NORMAL, indent, 0, false, NULL);
		for (size_t c = 0, shown = 0; c < ncols; c++) {
			if (!column_shown(l, t, &cols[c], fit))
				continue;
			if (shown++)
				span(ln, ROLE_NORMAL, "  ", 0, false, NULL);
			const struct dnode *v = dn_get(row, cols[c].path);
			char *s = cell_text(v, fit);
			span(ln, v ? value_role(v) : ROLE_MUTED, s, cols[c].width, cols[c].right,
			     v ? v->link : NULL);
			free(s);
		}
		if (row->link)
			ln->link = row->link;   /* the row's own link wins over its cells' */
		row_role(ln, row);
	}
done:
	for (size_t c = 0; c < ncols; c++) {
		free(cols[c].path);
		free(cols[c].label);
	}
	free(cols);
}

static void lay_object(struct layout *l, const struct dnode *obj, int depth);

/* A text node as one line, or on a compact screen as several. */
static void lay_text(struct layout *l, const struct dnode *k, const char *indent)
{
	size_t lead = k->nspans ? strspn(k->spans[0].text, " ") : 0;
	size_t col = strlen(indent);
	struct wrap w = { LINE_TEXT, NULL, 0, k->link, col + lead + WRAP_INDENT };
	struct line *ln = new_line(l, LINE_TEXT);
	if (*indent)
		span(ln, ROLE_NORMAL, indent, 0, false, NULL);
	if (k->link)
		ln->link = k->link;
	for (size_t s = 0; s < k->nspans; s++)
		put_wrapped(l, &ln, &col, &w, k->spans[s].role, k->spans[s].text, k->spans[s].link);
}

void dn_put(struct line_sink *out, enum role role, const char *text, size_t len,
	    const char *link)
{
	if (out->text) {
		struct dspan *s = dn_span(out->text, role, "%.*s", (int)len, text);
		if (link)
			dspan_link(s, "%s", link);
		return;
	}
	if (out->len + len + 1 > out->cap) {
		out->cap = (out->len + len + 1) * 2;
		out->buf = xrealloc(out->buf, out->cap);
	}
	memcpy(out->buf + out->len, text, len);
	out->len += len;
	out->buf[out->len] = 0;
}

/* A DN_LINES node: one LINE_BLOCK for a streaming caller, else each line
 * made into a text node's spans and laid out as text. */
static void lay_lines(struct layout *l, const struct dnode *k, const char *indent)
{
	if (l->stream) {
		struct line *ln = new_line(l, LINE_BLOCK);
		span(ln, ROLE_NORMAL, indent, 0, false, NULL);
		ln->table = k;
		return;
	}
	for (size_t i = 0; i < k->nlines; i++) {
		struct dnode text = { .kind = DN_TEXT };
		struct line_sink sink = { .text = &text };
		k->lines->line(k->lines_priv, i, &sink);
		lay_text(l, &text, indent);
		for (size_t s = 0; s < text.nspans; s++) {
			free(text.spans[s].text);
			free(text.spans[s].link);
		}
		free(text.spans);
	}
}

static void blank_before_block(struct layout *l)
{
	if (l->count && l->lines[l->count - 1].kind != LINE_BLANK)
		new_line(l, LINE_BLANK);
}

static void lay_object(struct layout *l, const struct dnode *obj, int depth)
{
	char indent[64];
	int ind = depth * 2 < 60 ? depth * 2 : 60;
	memset(indent, ' ', (size_t)ind);
	indent[ind] = 0;
	size_t lw = 0;
	for (size_t i = 0; i < obj->nkids; i++) {
		const struct dnode *k = obj->kids[i];
		if (shown(k) && (is_scalar(k) || (k->kind == DN_ARRAY && !is_table(k)))) {
			size_t n = strlen(dn_label_of(k));
			if (n > lw)
				lw = n;
		}
	}
	for (size_t i = 0; i < obj->nkids; i++) {
		const struct dnode *k = obj->kids[i];
		if (!shown(k) || (l->stream && k->flags & DN_TUI_ONLY))
			continue;
		if (k->kind == DN_TEXT) {
			lay_text(l, k, indent);
			continue;
		}
		if (k->kind == DN_LINES) {
			lay_lines(l, k, indent);
			continue;
		}
		if (is_scalar(k)) {
			struct line *ln = new_line(l, LINE_FIELD);
			span(ln, ROLE_NORMAL, indent, 0, false, NULL);
			span(ln, ROLE_LABEL, dn_label_of(k), lw, false, NULL);
			span(ln, ROLE_LABEL, "  ", 0, false, NULL);
			/* A long value goes on under itself, past the labels. */
			size_t col = strlen(indent) + lw + 2;
			struct wrap w = { LINE_FIELD, NULL, 0, k->link, col };
			char *v = dn_value_text(k);
			put_wrapped(l, &ln, &col, &w, value_role(k), v, k->link);
			free(v);
			continue;
		}
		if (k->kind == DN_ARRAY && !is_table(k)) {
			/* Short values share a line; strings get a line each. */
			bool one_per_line = false;
			for (size_t j = 0; j < k->nkids; j++)
				if (k->kids[j]->kind == DN_STR)
					one_per_line = true;
			struct line *ln = new_line(l, LINE_FIELD);
			span(ln, ROLE_NORMAL, indent, 0, false, NULL);
			span(ln, ROLE_LABEL, dn_label_of(k), lw, false, NULL);
			span(ln, ROLE_LABEL, "  ", 0, false, NULL);
			if (k->nkids == 0)
				span(ln, ROLE_MUTED, "(none)", 0, false, NULL);
			for (size_t j = 0; j < k->nkids; j++) {
				const struct dnode *e = k->kids[j];
				if (e->kind == DN_TEXT || !shown(e))
					continue;
				if (one_per_line && j > 0) {
					ln = new_line(l, LINE_FIELD);
					span(ln, ROLE_NORMAL, indent, 0, false, NULL);
					span(ln, ROLE_LABEL, "", lw + 2, false, NULL);
				}
				char *v = dn_value_text(e);
				span(ln, value_role(e), v, 0, false, e->link);
				free(v);
				if (!one_per_line && j + 1 < k->nkids)
					span(ln, ROLE_NORMAL, " ", 0, false, NULL);
			}
			continue;
		}
		blank_before_block(l);
		struct line *sec = new_line(l, LINE_SECTION);
		span(sec, ROLE_NORMAL, indent, 0, false, NULL);
		span(sec, ROLE_TITLE, dn_label_of(k), 0, false, k->link);
		if (k->kind == DN_ARRAY) {
			lay_table(l, k, indent);
		} else {
			lay_object(l, k, depth + 1);
		}
		if (i + 1 < obj->nkids)
			blank_before_block(l);
	}
}

static void layout_doc(const struct doc *d, size_t width, bool stream, struct layout *out)
{
	memset(out, 0, sizeof *out);
	out->width = width;
	out->doc = d;
	out->stream = stream;
	lay_object(out, d->root, 0);
	while (out->count && out->lines[out->count - 1].kind == LINE_BLANK)
		out->count--;
}

void doc_layout(const struct doc *d, size_t width, struct layout *out)
{
	layout_doc(d, width, false, out);
}

void doc_layout_stream(const struct doc *d, struct layout *out)
{
	layout_doc(d, 0, true, out);
}

void layout_free(struct layout *l)
{
	for (size_t i = 0; i < l->cap && i < l->count; i++) {
		for (size_t s = 0; s < l->lines[i].nspans; s++) {
			free(l->lines[i].spans[s].text);
			free(l->lines[i].spans[s].link);
		}
		free(l->lines[i].spans);
	}
	free(l->lines);
	memset(l, 0, sizeof *l);
}

char *line_text(const struct line *ln)
{
	size_t n = 0;
	for (size_t i = 0; i < ln->nspans; i++)
		n += strlen(ln->spans[i].text);
	char *s = xrealloc(NULL, n + 1);
	char *p = s;
	for (size_t i = 0; i < ln->nspans; i++) {
		size_t k = strlen(ln->spans[i].text);
		memcpy(p, ln->spans[i].text, k);
		p += k;
	}
	*p = 0;
	return s;
}
