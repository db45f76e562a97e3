#include "tui/pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/doc/xalloc.h"

size_t command_name_len(const char *line)
{
	return strcspn(line, " \t");
}

char *pane_follow_line(const struct pane *p)
{
	const struct line *l = pane_cursor_line(p);
	return l ? xstrdup(l->link) : NULL;
}

const struct pane_ops pane_doc_ops = { .kind = "doc", .follow = pane_follow_line };

const struct pane_ops *pane_ops_for(const char *command)
{
	static const struct {
		const char *word;
		const struct pane_ops *ops;
	} by_word[] = {
		{ "db", &pane_hex_ops }, { "dd", &pane_hex_ops }, { "dq", &pane_hex_ops },
		{ "!db", &pane_hex_ops }, { "!dd", &pane_hex_ops }, { "!dq", &pane_hex_ops },
		{ "pte", &pane_pte_ops }, { "layout", &pane_layout_ops },
		{ "poolfind", &pane_pool_ops }, { "pool", &pane_pool_ops },
		{ "poolrefs", &pane_pool_ops }, { "s", &pane_search_ops },
	};
	size_t len = command_name_len(command);
	for (size_t i = 0; i < sizeof by_word / sizeof by_word[0]; i++)
		if (strlen(by_word[i].word) == len && strncmp(command, by_word[i].word, len) == 0)
			return by_word[i].ops;
	return &pane_doc_ops;
}

struct pane *pane_new(int id, const struct pane_ops *ops)
{
	struct pane *p = xrealloc(NULL, sizeof *p);
	memset(p, 0, sizeof *p);
	p->id = id;
	p->ops = ops;
	doc_init(&p->doc, "");
	return p;
}

static void show_all(struct pane *p)
{
	p->vis = xrealloc(p->vis, p->lay.count * sizeof *p->vis);
	for (size_t i = 0; i < p->lay.count; i++)
		p->vis[i] = i;
	p->nvis = p->lay.count;
}

void pane_clear_filter(struct pane *p)
{
	size_t at = pane_cursor_layout_index(p);
	pcre2_code_free(p->re);
	pcre2_match_context_free(p->mctx);
	free(p->filter);
	p->re = NULL;
	p->mctx = NULL;
	p->filter = NULL;
	p->filter_failures = 0;
	show_all(p);
	pane_set_cursor_layout(p, at);
}

void pane_free(struct pane *p)
{
	if (!p)
		return;
	pane_clear_filter(p);
	layout_free(&p->lay);
	doc_free(&p->doc);
	free(p->vis);
	free(p);
}

void pane_set_doc(struct pane *p, struct doc *doc)
{
	pane_clear_filter(p);
	layout_free(&p->lay);
	doc_free(&p->doc);
	p->doc = *doc;
	memset(doc, 0, sizeof *doc);
	doc_layout(&p->doc, p->width, &p->lay);
	p->ops = p->ops == &pane_help_ops ? p->ops : pane_ops_for(p->doc.command);
	show_all(p);
	p->cursor = p->top = p->hscroll = p->link_index = 0;
}

/* The layout line of the new layout that shows what line old showed: the
 * same table row, else the same text, else the same place in proportion. */
static size_t same_line(const struct layout *lay, const struct line *old, size_t old_index,
			size_t old_count)
{
	char *text = line_text(old);
	size_t found = old_count ? old_index * lay->count / old_count : 0;
	for (size_t i = 0; i < lay->count; i++) {
		const struct line *l = &lay->lines[i];
		/* A row's line, not its table's header (which has row 0 too). */
		if (old->table ? l->table == old->table && l->row == old->row &&
				 l->kind == old->kind : false) {
			found = i;
			break;
		}
		char *t = old->table ? NULL : line_text(l);
		bool same = t && strcmp(t, text) == 0;
		free(t);
		if (same) {
			found = i;
			break;
		}
	}
	free(text);
	return found;
}

void pane_set_width(struct pane *p, size_t columns)
{
	if (columns == p->width)
		return;
	p->width = columns;
	struct layout old = p->lay;
	size_t at = pane_cursor_layout_index(p);
	char *pattern = xstrdup(p->filter);
	pane_clear_filter(p);
	doc_layout(&p->doc, p->width, &p->lay);
	size_t now = old.count ? same_line(&p->lay, &old.lines[at], at, old.count) : 0;
	layout_free(&old);
	show_all(p);
	if (pattern) {
		char ignored[256];
		pane_set_filter(p, pattern, NULL, ignored, sizeof ignored);
		free(pattern);
	}
	pane_set_cursor_layout(p, now);
	p->hscroll = 0;
}

const char *pane_title(const struct pane *p)
{
	return p->doc.title && *p->doc.title ? p->doc.title : p->doc.command;
}

const struct line *pane_cursor_line(const struct pane *p)
{
	return p->cursor < p->nvis ? &p->lay.lines[p->vis[p->cursor]] : NULL;
}

size_t pane_cursor_layout_index(const struct pane *p)
{
	return p->cursor < p->nvis ? p->vis[p->cursor] : 0;
}

void pane_set_cursor_layout(struct pane *p, size_t index)
{
	size_t c = 0;
	while (c + 1 < p->nvis && p->vis[c] < index)
		c++;
	p->cursor = c;
	p->link_index = 0;
}

void pane_scroll_into_view(struct pane *p, size_t rows)
{
	if (rows == 0)
		rows = 1;
	if (p->cursor < p->top)
		p->top = p->cursor;
	else if (p->cursor >= p->top + rows)
		p->top = p->cursor - rows + 1;
	/* No empty space below the last line while there is more above. */
	if (p->nvis > rows && p->top > p->nvis - rows)
		p->top = p->nvis - rows;
	if (p->nvis <= rows)
		p->top = 0;
}

void pane_move(struct pane *p, long delta, size_t rows)
{
	if (p->nvis == 0)
		return;
	long c = (long)p->cursor + delta;
	if (c < 0)
		c = 0;
	if ((size_t)c >= p->nvis)
		c = (long)p->nvis - 1;
	if ((size_t)c != p->cursor)
		p->link_index = 0;
	p->cursor = (size_t)c;
	pane_scroll_into_view(p, rows);
}

/* The columns a line's text takes (a character a column). */
size_t line_columns(const struct line *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->nspans; i++)
		for (const char *c = l->spans[i].text; *c; c++)
			n += ((unsigned char)*c & 0xc0) != 0x80;
	return n;
}

size_t pane_widest(const struct pane *p)
{
	size_t widest = 0;
	for (size_t i = 0; i < p->nvis; i++) {
		size_t n = line_columns(&p->lay.lines[p->vis[i]]);
		if (n > widest)
			widest = n;
	}
	return widest;
}

bool line_filterable(const struct line *l)
{
	return l->kind == LINE_TABLE_ROW || l->kind == LINE_FIELD || l->kind == LINE_TEXT;
}

/* 1 match, 0 no match, -1 a limit was hit. */
static int match_text(pcre2_code *re, pcre2_match_context *mctx, const char *text)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		abort();
	int rc = pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, mctx);
	pcre2_match_data_free(md);
	return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* The text of the line at i with the lines that go on from it (a wrapped
 * value, a compact row's fields), joined by blanks; *end: the index after
 * them. Caller frees. */
static char *group_text(const struct layout *lay, size_t i, size_t *end)
{
	char *text = line_text(&lay->lines[i]);
	for (*end = i + 1; *end < lay->count && lay->lines[*end].continued; ++*end) {
		char *more = line_text(&lay->lines[*end]);
		char *joined = xasprintf("%s %s", text, more + strspn(more, " "));
		free(text);
		free(more);
		text = joined;
	}
	return text;
}

bool pane_line_matches(struct pane *p, const struct line *l)
{
	if (!p->re || !line_filterable(l) || l->continued)
		return false;
	size_t end;
	char *text = group_text(&p->lay, (size_t)(l - p->lay.lines), &end);
	int m = match_text(p->re, p->mctx, text);
	free(text);
	return m == 1;
}

bool pane_match_range(const struct pane *p, const struct line *l, size_t *start, size_t *end)
{
	if (!p->re || !line_filterable(l))
		return false;
	char *text = line_text(l);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->re, NULL);
	if (!md)
		abort();
	int rc = pcre2_match(p->re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, p->mctx);
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		*start = ov[0];
		*end = ov[1] > ov[0] ? ov[1] : ov[0];
	}
	pcre2_match_data_free(md);
	free(text);
	return rc >= 0;
}

/* A table none of whose rows matched shows neither its header nor its
 * section title, nor the blank line after it. Returns the new count. */
static size_t drop_empty_tables(const struct pane *p, size_t *vis, size_t nvis)
{
	const struct line *lines = p->lay.lines;
	size_t out = 0;
	for (size_t i = 0; i < nvis; i++) {
		const struct line *l = &lines[vis[i]];
		if (l->kind == LINE_TABLE_HEADER &&
		    (i + 1 == nvis || lines[vis[i + 1]].kind != LINE_TABLE_ROW ||
		     lines[vis[i + 1]].table != l->table)) {
			if (out && lines[vis[out - 1]].kind == LINE_SECTION)
				out--;
			if (i + 1 < nvis && lines[vis[i + 1]].kind == LINE_BLANK)
				i++;
			continue;
		}
		vis[out++] = vis[i];
	}
	return out;
}

/* Filtering reports progress once per this many lines. */
#define FILTER_PROGRESS_STEP 2048

bool pane_set_filter(struct pane *p, const char *pattern, const struct progress *progress,
		     char *msg, size_t msgsize)
{
	if (!*pattern) {
		pane_clear_filter(p);
		snprintf(msg, msgsize, "filter cleared");
		return true;
	}
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF,
				       &code, &offset, NULL);
	if (!re) {
		PCRE2_UCHAR text[256];
		pcre2_get_error_message(code, text, sizeof text);
		snprintf(msg, msgsize, "filter /%s/: %s at offset %zu", pattern, (char *)text,
			 (size_t)offset);
		return false;
	}
	pcre2_match_context *mctx = pcre2_match_context_create(NULL);
	if (!mctx)
		abort();
	pcre2_set_match_limit(mctx, FILTER_MATCH_LIMIT);
	pcre2_set_depth_limit(mctx, FILTER_DEPTH_LIMIT);

	size_t *vis = xrealloc(NULL, p->lay.count * sizeof *vis);
	size_t nvis = 0, rows = 0, matched = 0, failures = 0;
	for (size_t i = 0; i < p->lay.count; i++) {
		if (i % FILTER_PROGRESS_STEP == 0 && i &&
		    !progress_update(progress, i, p->lay.count, "filtering")) {
			free(vis);
			pcre2_match_context_free(mctx);
			pcre2_code_free(re);
			snprintf(msg, msgsize, "filter /%s/ cancelled", pattern);
			return false;
		}
		const struct line *l = &p->lay.lines[i];
		if (!line_filterable(l)) {
			vis[nvis++] = i;
			continue;
		}
		/* A line and those that go on from it match as one. */
		rows++;
		size_t end;
		char *text = group_text(&p->lay, i, &end);
		int m = match_text(re, mctx, text);
		free(text);
		if (m < 0)
			failures++;
		if (m == 1) {
			for (size_t k = i; k < end; k++)
				vis[nvis++] = k;
			matched++;
		}
		i = end - 1;
	}
	nvis = drop_empty_tables(p, vis, nvis);
	size_t at = pane_cursor_layout_index(p);
	pane_clear_filter(p);
	free(p->vis);
	p->vis = vis;
	p->nvis = nvis;
	p->re = re;
	p->mctx = mctx;
	p->filter_failures = failures;
	p->filter = xstrdup(pattern);
	pane_set_cursor_layout(p, at);
	p->top = 0;
	/* As less does: the cursor goes to the first match from where it was. */
	const struct line *cur = pane_cursor_line(p);
	if (cur && !pane_line_matches(p, cur))
		pane_find_match(p, 1);
	int n = snprintf(msg, msgsize, "filter /%s/: %zu of %zu lines match", pattern, matched, rows);
	if (failures && n > 0 && (size_t)n < msgsize)
		snprintf(msg + n, msgsize - (size_t)n,
			 " (%zu lines hit the PCRE2 match or depth limit and are hidden)", failures);
	return true;
}

bool pane_find_match(struct pane *p, int dir)
{
	if (!p->re || p->nvis == 0)
		return false;
	for (size_t step = 1; step < p->nvis; step++) {
		size_t c = (p->cursor + p->nvis + (size_t)dir * step) % p->nvis;
		if (pane_line_matches(p, &p->lay.lines[p->vis[c]])) {
			p->cursor = c;
			p->link_index = 0;
			return true;
		}
	}
	return false;
}

const struct dnode *pane_sort_table(const struct pane *p)
{
	const struct line *l = pane_cursor_line(p);
	if (l && l->table)
		return l->table;
	for (size_t i = 0; i < p->lay.count; i++)
		if (p->lay.lines[i].table)
			return p->lay.lines[i].table;
	return NULL;
}

/* Sorts the document's marked table as marked; the table node stays where
 * it is, only its rows move, so the layout is rebuilt and the cursor put
 * back on its line. */
static void apply_sort(struct pane *p, const struct table_column *col, char *msg,
		       size_t msgsize)
{
	static const char *const order[2][2] = {
		{ "A to Z", "Z to A" }, { "smallest first", "largest first" },
	};
	const char *how = order[col->number][p->doc.sorted_descending];
	size_t at = pane_cursor_layout_index(p);
	char *pattern = xstrdup(p->filter);
	dn_sort_table((struct dnode *)p->doc.sorted_table, p->doc.sorted_by,
		      p->doc.sorted_descending);
	/* A document that says its order (a "sorted_by" field at its top)
	 * says the reader's now. */
	struct dnode *said = dn_get(p->doc.root, "sorted_by");
	if (said && said->kind == DN_STR) {
		free(said->v.s);
		said->v.s = xasprintf("%s, %s", col->label, how);
	}
	pane_clear_filter(p);
	layout_free(&p->lay);
	doc_layout(&p->doc, p->width, &p->lay);
	show_all(p);
	if (pattern) {
		char ignored[256];
		pane_set_filter(p, pattern, NULL, ignored, sizeof ignored);
		free(pattern);
	}
	pane_set_cursor_layout(p, at);
	snprintf(msg, msgsize, "sorted by %s, %s (S reverses)", col->label, how);
}

void pane_sort_by(struct pane *p, const struct dnode *table, size_t column, char *msg,
		  size_t msgsize)
{
	struct table_column *cols;
	size_t n = table_columns(table, &cols);
	if (column >= n) {
		snprintf(msg, msgsize, "sort: this table has no such column");
		table_columns_free(cols, n);
		return;
	}
	if (p->doc.sorted_table == table && p->doc.sorted_by &&
	    strcmp(p->doc.sorted_by, cols[column].path) == 0) {
		p->doc.sorted_descending = !p->doc.sorted_descending;
	} else {
		free(p->doc.sorted_by);
		p->doc.sorted_table = table;
		p->doc.sorted_by = xstrdup(cols[column].path);
		p->doc.sorted_descending = cols[column].number;
	}
	apply_sort(p, &cols[column], msg, msgsize);
	table_columns_free(cols, n);
}

bool pane_sort_reverse(struct pane *p, char *msg, size_t msgsize)
{
	if (!p->doc.sorted_table) {
		snprintf(msg, msgsize, "no table is sorted yet: s picks a column");
		return false;
	}
	p->doc.sorted_descending = !p->doc.sorted_descending;
	struct table_column *cols;
	size_t n = table_columns(p->doc.sorted_table, &cols), c = 0;
	while (c < n && strcmp(cols[c].path, p->doc.sorted_by) != 0)
		c++;
	if (c < n)
		apply_sort(p, &cols[c], msg, msgsize);
	table_columns_free(cols, n);
	return true;
}
