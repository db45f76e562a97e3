/* A pane: one command's document, laid out, with the reader's state over it
 * (cursor, scroll, filter, sort). Like htop's panels and tig's views, a pane
 * is an object: its ops add keys and decide what Enter follows. No ncurses
 * here; screen.c draws panes. */
#ifndef KDX_PANE_H
#define KDX_PANE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/keys.h"
#include "core/util/progress.h"
#include "views/doc/doc.h"
#include "views/doc/lines.h"

struct pane;

/* Each kind of pane keeps its ops, keys and actions in a file of its own
 * (pane_hex.c, pane_pte.c, ...), as tig keeps a view. */
struct pane_ops {
	const char *kind;                 /* "doc", "hex", "pte", "layout", "help" */
	const struct key_table *keys;     /* looked up before the global keys, or NULL */
	/* The command Enter runs from the cursor (caller frees), or NULL. */
	char *(*follow)(const struct pane *p);
	/* The pane's own question at the prompt (the hex pane's address, the
	 * PTE pane's DTB): its label, and what is done with the answer
	 * (typed is not empty). NULL when the pane asks none. */
	const char *prompt_label;
	void (*prompt_answer)(struct app *a, const char *typed);
	/* Puts the cursor on the row a link names (LINK_ROW_MARK); NULL: the
	 * row of the pane's first table. */
	void (*open_row)(struct pane *p, size_t row);
};

extern const struct pane_ops pane_doc_ops, pane_hex_ops, pane_pte_ops, pane_layout_ops,
	pane_help_ops, pane_pool_ops, pane_search_ops;

/* The hit of the newest search pane nearest after (dir 1) or before (-1)
 * the address from: its VA, or its PA (*phys) for a physical search. */
bool search_hit_near(const struct app *a, uint64_t from, int dir, uint64_t *addr, bool *phys);

/* Follows the cursor line's own link: most panes' follow. */
char *pane_follow_line(const struct pane *p);

/* The length of a command line's first word, its command name. */
size_t command_name_len(const char *line);

/* Bounds PCRE2 work per line: a pathological pattern fails the line (and is
 * reported) instead of freezing the screen. */
#define FILTER_MATCH_LIMIT 100000
#define FILTER_DEPTH_LIMIT 1000

struct pane {
	int id;                           /* stable across content changes, for history */
	const struct pane_ops *ops;
	struct doc doc;
	struct layout lay;
	size_t *vis;                      /* visible lines: indexes into lay.lines */
	size_t nvis;
	size_t cursor;                    /* index into vis */
	size_t top;                       /* first visible line shown */
	size_t hscroll;                   /* columns scrolled sideways */
	size_t width;                     /* columns laid out for (doc_layout); 0: unlimited */
	size_t link_index;                /* hex: which linked span of the line is selected */
	char *filter;                     /* the pattern as typed; NULL: none */
	pcre2_code *re;
	pcre2_match_context *mctx;
	size_t filter_failures;           /* lines whose match hit a limit */
};

/* The ops for a command line: the hex view for db/dd/dq and their
 * physical (!) forms, the PTE and layout panes for pte and layout, the
 * document pane for everything else. */
const struct pane_ops *pane_ops_for(const char *command);

struct pane *pane_new(int id, const struct pane_ops *ops);
void pane_free(struct pane *p);
/* Takes ownership of doc; resets cursor, filter and sort. */
void pane_set_doc(struct pane *p, struct doc *doc);
const char *pane_title(const struct pane *p);
/* Lays the document out again for a screen width columns wide (compact
 * below LAYOUT_COMPACT_BELOW), keeping the filter and the cursor's row. */
void pane_set_width(struct pane *p, size_t columns);

/* The layout line under the cursor, or NULL when the pane is empty. */
const struct line *pane_cursor_line(const struct pane *p);
size_t pane_cursor_layout_index(const struct pane *p);
/* Puts the cursor on layout line index (or the next visible one). */
void pane_set_cursor_layout(struct pane *p, size_t index);
/* Moves by delta lines, clamped; then keeps the cursor inside rows. */
void pane_move(struct pane *p, long delta, size_t rows);
void pane_scroll_into_view(struct pane *p, size_t rows);

/* Compiles pattern; on a syntax error returns false with PCRE2's message
 * and the offset in msg. An empty pattern clears the filter. Filtering many
 * lines reports to progress and stops, keeping the old filter, when it is
 * cancelled (msg then says so). */
bool pane_set_filter(struct pane *p, const char *pattern, const struct progress *progress,
		     char *msg, size_t msgsize);
void pane_clear_filter(struct pane *p);
/* Whether the line is one a filter selects from (rows, fields, text). */
bool line_filterable(const struct line *l);
/* The columns a line's text takes (a character a column). */
size_t line_columns(const struct line *l);
/* The columns of the widest line shown: Right scrolls no further than its
 * end. */
size_t pane_widest(const struct pane *p);
/* Whether layout line l matches the pane's pattern. */
bool pane_line_matches(struct pane *p, const struct line *l);
/* The bytes of the line's text the pattern's first match covers. */
bool pane_match_range(const struct pane *p, const struct line *l, size_t *start, size_t *end);
/* Moves to the next (dir 1) or previous (-1) matching line; false if none. */
bool pane_find_match(struct pane *p, int dir);

/* The table s sorts: the one under the cursor, else the pane's first;
 * NULL when the pane has none. */
const struct dnode *pane_sort_table(const struct pane *p);
/* Sorts table by its column (table_columns order): a new column largest
 * first when it holds numbers, A to Z otherwise; the sorted column again
 * flips the order. The header marks the column and the direction; msg
 * says it with the column's label. */
void pane_sort_by(struct pane *p, const struct dnode *table, size_t column, char *msg,
		  size_t msgsize);
/* S: the sorted table in the other order; false with msg set when no
 * table is sorted yet. */
bool pane_sort_reverse(struct pane *p, char *msg, size_t msgsize);

#endif
