/* `vtop VA [DTB]`: a virtual address translated level by level. */
#include <string.h>

#include "views/commands.h"
#include "views/vtop.h"

int walk_args(struct dump *d, int argc, char **argv, const char *usage, uint64_t *va,
	      struct xlat **space, bool *owned, struct kdx_error *err)
{
	uint64_t dtb = 0;
	if (argc < 2 || argc > 3 || !parse_number(argv[1], va) ||
	    (argc == 3 && !parse_number(argv[2], &dtb)))
		return kdx_fail(err, "usage: %s", usage);
	if (!d->kernel)
		return kdx_fail(err, "%s: no kernel page tables known for this dump", argv[0]);
	const struct paging_desc *m = xlat_mode(d->kernel);
	if (!paging_is_canonical(m, *va))
		return kdx_fail(err, "%s: 0x%llx is not a valid %s address%s", argv[0],
				(unsigned long long)*va, m->name,
				m->va_bits == 48 ? " (bits 63..48 must copy bit 47)" : " (32 bits)");
	/* WinDbg's `!pte ADDR 1` (a literal entry address), `!pte START END`
	 * and `!vtop DIRBASE VA` put other things second: not a DTB. */
	if (argc == 3 && dtb < KDX_PAGE_SIZE)
		return kdx_fail(err, "%s: %s is not a DTB: page tables are never in the first "
				"page (WinDbg's literal form '!pte ADDR 1' is not implemented)",
				argv[0], argv[2]);
	if (argc == 3 && dtb > (m->pfn_mask | (KDX_PAGE_SIZE - 1)))
		return kdx_fail(err, "%s: %s is not a DTB: it is above every physical address "
				"(kdx takes '%s VA [DTB]'; %s)", argv[0], argv[2], argv[0],
				strstr(argv[0], "vtop") ?
				"WinDbg's !vtop takes the DTB first" :
				"WinDbg's range form '!pte START END' is not implemented");
	*owned = argc == 3;
	*space = d->kernel;
	if (*owned) {
		*space = xlat_new(d->src, d->paging, dtb, err);
		if (!*space)
			return -1;
	}
	return 0;
}

void walk_to_doc(const struct walk *w, struct dnode *root)
{
	int digits = w->mode->entry_size * 2;
	dn_role(dn_label(dn_hex(root, "va", w->va, 0), "virtual address"), ROLE_ADDRESS);
	dn_link(dn_label(dn_hex(root, "dtb", w->dtb, 0), "DTB"), "!dq 0x%llx",
		(unsigned long long)w->dtb);
	struct dnode *levels = dn_label(dn_array(root, "levels"), "Levels");
	for (int i = 0; i < w->nlevels; i++) {
		const struct walk_level *l = &w->level[i];
		struct dnode *o = dn_object(levels, NULL);
		dn_str(o, "level", l->name);
		dn_link(dn_hex(o, "table", l->table, 0), "!dq 0x%llx", (unsigned long long)l->table);
		dn_flags(dn_uint(o, "index", l->index), DN_HEX_SHOWN);
		dn_label(dn_hex(o, "entry_address", l->entry_address, 0), "entry address");
		if (l->read)
			dn_hex(o, "entry", l->entry, digits);
		else
			dn_role(dn_label(dn_null(o, "entry"), "entry"), ROLE_DANGER);
		dn_role(dn_bool(o, "present", l->present), l->present ? ROLE_OK : ROLE_WARNING);
		dn_bool(o, "large", l->large);
		if (!l->read)
			dn_role(o, ROLE_DANGER);
	}
	if (w->stopped_at < 0 && w->reason != XLAT_INVALID) {
		struct dnode *pa = dn_label(dn_hex(root, "pa", w->pa, 0), "physical address");
		dn_role(pa, w->page_in_dump ? ROLE_OK : ROLE_WARNING);
		if (w->page_in_dump)
			dn_link(pa, "!db 0x%llx", (unsigned long long)w->pa);
	} else {
		dn_label(dn_null(root, "pa"), "physical address");
	}
	if (w->stopped_at >= 0)
		dn_role(dn_label(dn_str(root, "stopped_at", w->level[w->stopped_at].name),
				 "stopped at"), ROLE_DANGER);
	else
		dn_label(dn_null(root, "stopped_at"), "stopped at");
	dn_role(dn_str(root, "reason", xlat_reason_name(w->reason)),
		w->reason == XLAT_OK ? ROLE_OK : ROLE_DANGER);
	if (w->page_size > KDX_PAGE_SIZE)
		dn_label(dn_hex(root, "page_size", w->page_size, 0), "large page size");
}

static int run_vtop(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	uint64_t va;
	struct xlat *space;
	bool owned;
	if (walk_args(d, argc, argv, cmd_vtop.usage, &va, &space, &owned, err) < 0)
		return -1;
	struct walk w;
	xlat_walk(space, va, &w);
	doc_set_title(out, "Translation of 0x%llx", (unsigned long long)va);
	walk_to_doc(&w, out->root);
	if (owned)
		xlat_free(space);
	return 0;
}

const struct command cmd_vtop = {
	.name = "vtop", .usage = "vtop VA [DTB]",
	.summary = "translate a virtual address level by level",
	.windbg = "!vtop",
	.run = run_vtop,
};
