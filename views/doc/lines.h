/* Lays a document out as lines of styled spans: the text renderer prints
 * them and the TUI draws them, so both show the same thing. */
#ifndef KDX_DOC_LINES_H
#define KDX_DOC_LINES_H

#include "views/doc/doc.h"

enum line_kind {
	LINE_TEXT, LINE_FIELD, LINE_SECTION, LINE_TABLE_HEADER, LINE_TABLE_ROW, LINE_BLANK,
	LINE_BLOCK,     /* doc_layout_stream only: a DN_LINES node's lines, unmade */
};

struct line {
	enum line_kind kind;
	struct dspan *spans;        /* owned by the layout */
	size_t nspans;
	const char *link;           /* row link, else the first cell link; borrowed */
	const struct dnode *table;  /* header and row lines: their table; LINE_BLOCK: its node */
	size_t row;                 /* row lines: index in table->kids */
	/* Goes on from the line before: a wrapped value's next line, or a
	 * compact table row's next field. A filter keeps or hides them with
	 * the line they go on from. */
	bool continued;
};

struct layout {
	struct line *lines;
	size_t count, cap;
	size_t width;               /* columns laid out for; 0: unlimited */
	const struct doc *doc;      /* the document laid out; borrowed */
	bool stream;                /* printed text: DN_LINES nodes left as LINE_BLOCK
				     * lines, DN_TUI_ONLY hints left out */
};

/* A table's columns as the layout shows them: the path of each shown
 * scalar leaf of its first row ("nonpaged.bytes", the key dn_sort_table
 * takes), its label on screen ("nonpaged bytes"), and whether it holds
 * numbers. */
struct table_column {
	char *path;
	char *label;
	bool number;
};
size_t table_columns(const struct dnode *table, struct table_column **out);
void table_columns_free(struct table_column *cols, size_t n);

/* The header's mark of the sorted column: largest (or last) first, or
 * smallest first. ASCII, so every terminal shows it. */
#define SORT_MARK_DESCENDING " v"
#define SORT_MARK_ASCENDING " ^"

/* A table too wide for the screen first leaves out its spare columns
 * (DN_SPARE) and then its Cids' decimals. Below this many columns (a
 * projector, a small window) one still too wide is laid out as stacked
 * rows, one "label  value" line per cell, and long text lines wrap: every
 * field stays in view without scrolling sideways. From it up, it scrolls
 * sideways. */
#define LAYOUT_COMPACT_BELOW 120

/* Where a DN_LINES line is written: the spans of a DN_TEXT node (laid out
 * like any text line), or else a plain text buffer (batch output). */
struct line_sink {
	struct dnode *text;
	char *buf;
	size_t len, cap;
};

/* Lays d out for width columns (0: unlimited, as batch output prints). */
void doc_layout(const struct doc *d, size_t width, struct layout *out);
/* As doc_layout(d, 0, out) for printed text: each DN_LINES node stays one
 * LINE_BLOCK line (its spans: the indent) for the caller to stream, and
 * the explorer's hints (DN_TUI_ONLY) are left out. */
void doc_layout_stream(const struct doc *d, struct layout *out);
void layout_free(struct layout *l);
/* The line as plain text (caller frees). */
char *line_text(const struct line *l);

#endif
