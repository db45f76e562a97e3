/* The translation walk as document nodes: shared by `vtop` and `pte`. */
#ifndef KDX_VTOP_H
#define KDX_VTOP_H

#include "core/xlat/pte.h"
#include "views/command.h"

/* The address space a walk goes through. */
struct walk_space {
	struct xlat *space;
	bool owned;                 /* a DTB's space: the caller frees it */
	char paging_choice[256];    /* how a DTB's paging mode was chosen, "" if known */
};

/* Parses "VA [DTB [-x64|-pae|-nopae]]" at argv[1..]: the kernel's address
 * space, or a new one for DTB, read in the dump's paging mode, or with no
 * kernel root known in the mode -x64/-pae/-nopae names (one the dump's
 * machine allows; a raw image says none), or on a 32-bit x86 dump the
 * tables carry further. */
int walk_args(struct dump *d, int argc, char **argv, const struct command *c, uint64_t *va,
	      struct walk_space *ws, struct kdx_error *err);
/* paging_choice, when the mode had to be chosen. */
void walk_space_to_doc(const struct walk_space *ws, struct dnode *root);

/* Adds vtop's JSON keys (va, dtb, levels, pa, stopped_at, reason) and the
 * level table a person reads. */
void walk_to_doc(const struct walk *w, struct dnode *root);

/* The link of a level's table: the page that holds it, in entries of the
 * walk's size (!dq, or !dd for 4-byte entries), opened on the entry's row
 * (LINK_ROW_MARK), not at the page's top. */
void walk_table_link(const struct walk *w, int level, char *buf, size_t size);

/* The colour of an entry's state (valid, transition, page file, ...). */
enum role pte_state_role(enum pte_state s);

#endif
