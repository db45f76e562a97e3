/* The search pane (:s): one row per hit; Enter opens the hit's owner (its
 * pool block, module, thread, PTE, PFN), d the hit's bytes. The hex view
 * walks the newest search's hits with n and N (search_hit_near). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

static bool hit_address(const struct dnode *row, bool *phys, uint64_t *addr)
{
	const struct dnode *va = dn_get(row, "va"), *pa = dn_get(row, "pa");
	*phys = !va || va->kind != DN_HEX;
	const struct dnode *at = *phys ? pa : va;
	if (!at || at->kind != DN_HEX)
		return false;
	*addr = at->v.u;
	return true;
}

/* d: the bytes of the hit on this line. */
static void act_hit_bytes(struct app *a, int key)
{
	(void)key;
	const struct line *l = pane_cursor_line(app_pane(a));
	const struct dnode *hits = l && l->table ? l->table : NULL;
	bool phys;
	uint64_t addr;
	if (!hits || !hits->key || strcmp(hits->key, "hits") != 0 ||
	    !hit_address(hits->kids[l->row], &phys, &addr)) {
		app_message(a, false, "no hit on this line");
		return;
	}
	char line[48];
	snprintf(line, sizeof line, "%s 0x%llx", phys ? "!db" : "db", (unsigned long long)addr);
	app_open(a, line, true);
}

bool search_hit_near(const struct app *a, uint64_t from, int dir, uint64_t *addr, bool *phys)
{
	const struct dnode *hits = NULL;
	for (size_t i = a->npanes; i-- > 0 && !hits;)
		if (a->panes[i]->ops == &pane_search_ops)
			hits = dn_get(a->panes[i]->doc.root, "hits");
	bool found = false;
	for (size_t i = 0; hits && i < hits->nkids; i++) {
		uint64_t at;
		bool p;
		if (!hit_address(hits->kids[i], &p, &at) || (dir > 0 ? at <= from : at >= from))
			continue;
		if (!found || (dir > 0 ? at < *addr : at > *addr)) {
			*addr = at;
			*phys = p;
			found = true;
		}
	}
	return found;
}

static const struct key_binding search_keys[] = {
	{ 'd', 0, "d", "the hit's bytes in the hex view (then n and N walk the hits)", act_hit_bytes },
};
const struct key_table keys_search = {
	"search pane (:s); Enter opens the hit's owner", search_keys,
	sizeof search_keys / sizeof search_keys[0],
};

const struct pane_ops pane_search_ops = { .kind = "search", .keys = &keys_search,
					  .follow = pane_follow_line };
