/* A document: what a view builds and every renderer draws. It is a typed
 * tree (the JSON result) whose nodes also carry display hints: a label, a
 * semantic role, and a link (a command to run when the user follows it).
 * Arrays of objects are tables; DN_TEXT lines are for people only. */
#ifndef KDX_DOC_H
#define KDX_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "views/doc/role.h"

enum dnode_kind {
	DN_NULL, DN_BOOL, DN_INT, DN_UINT, DN_HEX, DN_STR,
	DN_OBJECT, DN_ARRAY,
	DN_TEXT,         /* a display line made of spans; not in JSON */
	DN_LINES,        /* display lines made on demand (dn_lines); not in JSON */
};

enum dnode_flags {
	DN_JSON_ONLY = 1u << 0,     /* omitted by the text and TUI renderers */
	DN_RIGHT = 1u << 1,         /* right-align in tables (numbers default to it) */
	DN_CID = 1u << 2,           /* DN_UINT: a Client ID (PID, TID), see dn_cid */
	DN_SPARE = 1u << 3,         /* a table cell another column shows another way (ticks
				     * beside a time): its column is left out first where
				     * the table does not fit the screen */
	DN_HEX_SHOWN = 1u << 4,     /* DN_UINT: a number in JSON, hex (0x) to people */
	DN_SHOWN_ONLY = 1u << 5,    /* omitted from JSON: words for people beside a JSON-only key */
	DN_TUI_ONLY = 1u << 6,      /* DN_TEXT: a hint at the explorer's keys ("Enter: ..."),
				     * left out of printed text as JSON leaves out all text */
	DN_BLANK = 1u << 7,         /* DN_NULL: shown as nothing rather than "-" */
};

struct dspan {
	char *text;
	enum role role;
	char *link;      /* NULL: none */
};

struct line_sink;

/* What makes a DN_LINES block's lines: line(i) writes line i to the sink
 * (dn_put), free releases priv with the document. */
struct dn_lines_ops {
	void (*line)(void *priv, size_t i, struct line_sink *out);
	void (*free)(void *priv);
};

struct dnode {
	enum dnode_kind kind;
	char *key;       /* key inside an object, NULL inside an array */
	char *label;     /* human label; NULL means the key */
	enum role role;
	char *link;
	unsigned flags;
	int width;       /* DN_HEX: digits shown to people (0 = as needed) */
	union {
		bool b;
		int64_t i;
		uint64_t u;
		char *s;
	} v;
	struct dnode **kids;
	size_t nkids, cap;
	struct dspan *spans;
	size_t nspans;
	/* DN_LINES: nlines lines made by lines->line(lines_priv, i, ...). */
	const struct dn_lines_ops *lines;
	void *lines_priv;
	size_t nlines;
};

struct doc {
	char *command;   /* the command line that built it */
	char *title;
	char *windbg;    /* the equivalent WinDbg command, NULL if none */
	/* A command that builds this document whole when whole means walking
	 * the dump (it was built in O(1) with figures pending); the TUI runs it
	 * once the first screen is drawn. NULL: the document is whole. */
	char *refine;
	struct dnode *root;
	/* A table sorted by the reader (the TUI's s), its header marked: the
	 * table, the column's path ("nonpaged.bytes") and the direction.
	 * NULL: none. */
	const struct dnode *sorted_table;
	char *sorted_by;
	bool sorted_descending;
};

void doc_init(struct doc *d, const char *command);
void doc_free(struct doc *d);
void doc_set_title(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_set_windbg(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_set_refine(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adders: parent is an object (key required) or an array (key NULL). They
 * return the new node so callers can set label, role or link. */
struct dnode *dn_object(struct dnode *parent, const char *key);
struct dnode *dn_array(struct dnode *parent, const char *key);
struct dnode *dn_null(struct dnode *parent, const char *key);
struct dnode *dn_bool(struct dnode *parent, const char *key, bool v);
struct dnode *dn_int(struct dnode *parent, const char *key, int64_t v);
struct dnode *dn_uint(struct dnode *parent, const char *key, uint64_t v);
struct dnode *dn_hex(struct dnode *parent, const char *key, uint64_t v, int width);
/* A Client ID (process or thread ID): a number in JSON; people see it in hex
 * as WinDbg shows Cids, so that it can be typed back as an argument (hex by
 * default), with the decimal beside it, "0x164 (0n356)", where a table has
 * room (dn_value_text_narrow leaves it out). */
struct dnode *dn_cid(struct dnode *parent, const char *key, uint64_t v);
struct dnode *dn_str(struct dnode *parent, const char *key, const char *s);
struct dnode *dn_strf(struct dnode *parent, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct dnode *dn_text(struct dnode *parent);
struct dspan *dn_span(struct dnode *text, enum role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Many uniform display lines (a 1 MiB memory dump is 65536 of them) as one
 * node: batch output streams them as plain text and the TUI lays them out
 * as spans, so no node per line or per value is built. priv is owned. */
struct dnode *dn_lines(struct dnode *parent, size_t n, const struct dn_lines_ops *ops,
		       void *priv);
/* Appends len bytes of text in role, with a link (NULL: none), to the line
 * being made. */
void dn_put(struct line_sink *out, enum role role, const char *text, size_t len,
	    const char *link);

/* A link may end with the row its pane opens on: "poolused #0" opens the
 * pool tags with the cursor on row 0 of the first table (the biggest
 * tag), not on the first line. The TUI takes the mark off the command. */
#define LINK_ROW_MARK " #"

struct dnode *dn_label(struct dnode *n, const char *label);
struct dnode *dn_role(struct dnode *n, enum role role);
struct dnode *dn_link(struct dnode *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dspan_link(struct dspan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct dnode *dn_flags(struct dnode *n, unsigned flags);

const char *dn_label_of(const struct dnode *n);
struct dnode *dn_get(const struct dnode *obj, const char *key);
/* The value as people see it (hex with 0x, booleans yes/no, null "-"). */
char *dn_value_text(const struct dnode *n);
/* As dn_value_text, without what a table short of room leaves out: a Cid's
 * decimal ("0x164"). */
char *dn_value_text_narrow(const struct dnode *n);

/* Sorts a table (array of objects) by the value under key; nested keys are
 * written "parent.child". Numbers compare numerically. Stable. */
void dn_sort_table(struct dnode *table, const char *key, bool descending);

#endif
