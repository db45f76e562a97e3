/* The translation walk as document nodes: shared by `vtop` and `pte`. */
#ifndef KDX_VTOP_H
#define KDX_VTOP_H

#include "core/xlat/pte.h"
#include "views/command.h"

/* Parses "VA [DTB]" at argv[1..]; *space is the kernel's address space or a
 * new one for DTB (then *owned is true and the caller frees it). */
int walk_args(struct dump *d, int argc, char **argv, const char *usage, uint64_t *va,
	      struct xlat **space, bool *owned, struct kdx_error *err);

/* Adds vtop's JSON keys (va, dtb, levels, pa, stopped_at, reason) and the
 * level table a person reads. */
void walk_to_doc(const struct walk *w, struct dnode *root);

/* The colour of an entry's state (valid, transition, page file, ...). */
enum role pte_state_role(enum pte_state s);

#endif
