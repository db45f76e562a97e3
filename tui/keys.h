/* Keys: codes independent of ncurses (screen.c translates), and the key
 * tables every mode dispatches through. Help and tests are generated from
 * the same tables, so a key cannot work without being documented. */
#ifndef KDX_KEYS_H
#define KDX_KEYS_H

#include <stddef.h>

#define KEY_CTRL(c) ((c) & 0x1f)

enum {
	K_TAB = '\t', K_ENTER = '\n', K_ESC = 27, K_BACKSPACE = 127,
	/* Past Unicode, so they never clash with a typed character. */
	K_UP = 0x110000, K_DOWN, K_LEFT, K_RIGHT, K_PGUP, K_PGDN, K_HOME, K_END,
	K_BTAB, K_DELETE, K_RESIZE, K_WHEEL_UP, K_WHEEL_DOWN,
};

struct app;

struct key_binding {
	int key;
	int last;               /* a range key..last (1..9); 0: the one key */
	const char *name;       /* as help shows it: "m<letter>", "Shift-Tab" */
	const char *help;
	void (*run)(struct app *a, int key);
};

struct key_table {
	const char *title;      /* help section */
	const struct key_binding *keys;
	size_t count;
};

/* The binding for key in t, or NULL. */
const struct key_binding *key_lookup(const struct key_table *t, int key);

/* The tables, in help order: global keys, the hex, PTE, layout, pool and
 * search panes', the prompt's, the theme picker's. */
extern const struct key_table keys_global, keys_hex, keys_pte, keys_layout, keys_prompt,
	keys_picker, keys_pool, keys_search, keys_sort;
const struct key_table *const *key_tables(size_t *count);

/* A key's readable name ("j", "Enter", "Ctrl-U"), in buf. */
const char *kdx_key_name(int key, char *buf, size_t size);

#endif
