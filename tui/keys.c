#include "tui/keys.h"

#include <stdio.h>

const struct key_binding *key_lookup(const struct key_table *t, int key)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->count; i++) {
		const struct key_binding *b = &t->keys[i];
		if (key == b->key || (b->last && key > b->key && key <= b->last))
			return b;
	}
	return NULL;
}

const struct key_table *const *key_tables(size_t *count)
{
	static const struct key_table *const all[] = {
		&keys_global, &keys_hex, &keys_pte, &keys_layout, &keys_pool, &keys_search, &keys_prompt,
		&keys_picker, &keys_sort,
	};
	*count = sizeof all / sizeof all[0];
	return all;
}

const char *kdx_key_name(int key, char *buf, size_t size)
{
	static const struct {
		int key;
		const char *name;
	} named[] = {
		{ K_TAB, "Tab" }, { K_ENTER, "Enter" }, { K_ESC, "Esc" },
		{ K_BACKSPACE, "Backspace" }, { ' ', "Space" },
		{ K_UP, "Up" }, { K_DOWN, "Down" }, { K_LEFT, "Left" }, { K_RIGHT, "Right" },
		{ K_PGUP, "PgUp" }, { K_PGDN, "PgDn" }, { K_HOME, "Home" }, { K_END, "End" },
		{ K_BTAB, "Shift-Tab" }, { K_DELETE, "Delete" }, { K_RESIZE, "Resize" },
		{ K_WHEEL_UP, "WheelUp" }, { K_WHEEL_DOWN, "WheelDown" },
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].key == key) {
			snprintf(buf, size, "%s", named[i].name);
			return buf;
		}
	if (key >= 1 && key < 32)
		snprintf(buf, size, "Ctrl-%c", 'A' + key - 1);
	else if (key > 32 && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "U+%04X", (unsigned)key);
	return buf;
}
