/* Themes: each semantic role (views/doc/role.h) gets a foreground, a background
 * and attributes. Theme files hold one `color ROLE FG BG [ATTR...]` line
 * each. This file knows nothing about the terminal: screen.c turns a theme
 * into ncurses colour pairs with theme_terminal_color(). */
#ifndef KDX_THEME_H
#define KDX_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "views/doc/role.h"

enum color_kind { COLOR_DEFAULT, COLOR_INDEX, COLOR_RGB };

struct color {
	enum color_kind kind;
	uint8_t index;              /* COLOR_INDEX: 0-255, the xterm numbering */
	uint32_t rgb;               /* COLOR_RGB: 0xrrggbb */
};

enum theme_attr {
	ATTR_BOLD = 1u << 0, ATTR_UNDERLINE = 1u << 1, ATTR_REVERSE = 1u << 2,
	ATTR_DIM = 1u << 3, ATTR_ITALIC = 1u << 4, ATTR_BLINK = 1u << 5,
	ATTR_STANDOUT = 1u << 6,
};

struct style {
	struct color fg, bg;
	unsigned attrs;             /* enum theme_attr bits */
	bool set;                   /* given by a theme file (not the fallback) */
};

struct theme {
	char name[64];
	struct style roles[ROLE_COUNT];
};

/* Problems found while loading, each "file:line: what"; loading goes on. */
#define THEME_MAX_WARNINGS 32
struct theme_warnings {
	char items[THEME_MAX_WARNINGS][256];
	size_t count;
	size_t dropped;
};
void theme_warn(struct theme_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Every role plain: terminal default colours, no attributes. */
void theme_init_plain(struct theme *t, const char *name);

/* Applies the lines of text (a theme file's contents) over t. where names
 * the file in warnings. Unknown roles, colours and attributes are warned
 * about and skipped; the other lines still apply. */
void theme_parse(struct theme *t, const char *text, const char *where, struct theme_warnings *w);

/* Parses "red", "bright-red", "color123", "#rrggbb" or "default". */
bool theme_parse_color(const char *s, struct color *out);

/* The terminal colour for c on a terminal with ncolors colours (8, 16, 256
 * or more): -1 for the terminal default, else the nearest index. */
int theme_terminal_color(struct color c, int ncolors);

/* Colour index i (0-255) in the xterm palette: the reference for nearest
 * colours; 16-255 (the cube and the grey ramp) are the same on every
 * 256-colour terminal, 0-15 are whatever the user's palette says. */
uint32_t theme_xterm_rgb(unsigned i);

/* Whether the cursor line (the selection role) stands out from normal text
 * with ncolors colours (0: none): by reverse video or standout, or by a
 * background of its own that differs from the normal one (and, where that
 * is the terminal's unknown default, is neither near black nor near white).
 * Where it would not, the screen draws it in reverse video. */
bool theme_selection_visible(const struct theme *t, int ncolors);

/* Where themes are looked for, in order. */
enum theme_origin { THEME_USER, THEME_INSTALLED, THEME_SOURCE_TREE };
const char *theme_origin_name(enum theme_origin o);

struct theme_entry {
	char name[64];
	char path[512];
	enum theme_origin origin;
};

struct theme_list {
	struct theme_entry *items;  /* sorted by name; a name appears once */
	size_t count;
};

/* Lists the themes of every search directory; the first directory holding
 * a name wins. */
void theme_list_find(struct theme_list *out);
void theme_list_free(struct theme_list *l);
/* Index of name in l, or -1. */
int theme_list_index(const struct theme_list *l, const char *name);

/* Loads theme name: the default theme first (so roles the theme leaves out
 * keep the default's), then the theme's own file. Returns false (with a
 * warning) when no file holds the theme; t is then the default theme. */
bool theme_load(struct theme *t, const char *name, struct theme_warnings *w);

/* --list-themes output. */
void theme_list_print(FILE *out, const struct theme_list *l, const char *current);

#endif
