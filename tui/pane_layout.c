/* The layout pane: the regions, and a region's page-table walk; b shows a
 * mapped range's bytes. */
#include <stdlib.h>

#include "tui/app.h"
#include "views/doc/xalloc.h"

/* b: the hex view of the line's first address that opens one (a mapped
 * range's start); Enter follows the row's own link instead. */
static void act_layout_bytes(struct app *a, int key)
{
	(void)key;
	const struct line *l = pane_cursor_line(app_pane(a));
	for (size_t i = 0; l && i < l->nspans; i++)
		if (l->spans[i].link && pane_ops_for(l->spans[i].link) == &pane_hex_ops) {
			char *line = xstrdup(l->spans[i].link);
			app_open(a, line, true);
			free(line);
			return;
		}
	app_message(a, false, "no memory to show on this line (Enter on a region walks it)");
}

static const struct key_binding layout_keys[] = {
	{ 'b', 0, "b", "bytes of the mapped range in the hex view", act_layout_bytes },
};
const struct key_table keys_layout = {
	"layout pane; Enter walks a region (Esc cancels), then opens a range's PTE", layout_keys,
	sizeof layout_keys / sizeof layout_keys[0],
};

const struct pane_ops pane_layout_ops = { .kind = "layout", .keys = &keys_layout,
					  .follow = pane_follow_line };
