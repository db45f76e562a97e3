/* The pool panes (poolfind, pool, poolrefs): blocks, each row linking to
 * its bytes; o lists the pointers out of a block. */
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "views/doc/xalloc.h"

/* o: the pointers out of the block on this line (its row links to the
 * block's bytes or to its pointers: the address is the link's argument). */
static void act_pool_refs(struct app *a, int key)
{
	(void)key;
	const struct line *l = pane_cursor_line(app_pane(a));
	const char *arg = l && l->link ? strchr(l->link, ' ') : NULL;
	if (!arg) {
		app_message(a, false, "no pool block on this line");
		return;
	}
	/* The address alone: a link to the bytes also says their length. */
	char *line = xasprintf("poolrefs %.*s", (int)strcspn(arg + 1, " "), arg + 1);
	app_open(a, line, true);
	free(line);
}

static const struct key_binding pool_keys[] = {
	{ 'o', 0, "o", "pointers out of this block: into module images and other pool blocks",
	  act_pool_refs },
};
const struct key_table keys_pool = {
	"pool panes (poolfind, pool, poolrefs); Enter opens a block's bytes", pool_keys,
	sizeof pool_keys / sizeof pool_keys[0],
};

const struct pane_ops pane_pool_ops = { .kind = "pool", .keys = &keys_pool,
					.follow = pane_follow_line };
