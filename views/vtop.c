/* `vtop VA [DTB]`: a virtual address translated level by level. */
#include <stdio.h>
#include <string.h>

#include "views/commands.h"
#include "views/vtop.h"

#include "core/util/bytes.h"

/* 32-bit x86 with no kernel root known: the DTB may head PAE or non-PAE
 * tables (doc/address-space.md §1.3). PAE reads four PDPTEs at the DTB:
 * each zero (Linux's kernel directory has only the fourth) or present with
 * its reserved bits clear and its directory in the dump, one at least
 * present. A non-PAE directory's first eight PDEs fail that. */
static int pick_x86_paging(struct dump *d, uint64_t dtb, struct walk_space *ws,
			   struct kdx_error *err)
{
	uint64_t pdpt = dtb & paging_desc(PAGING_PAE)->dtb_mask;
	const char *why = NULL;
	char present[16] = "";
	unsigned k, npresent = 0;
	uint64_t e = 0;
	for (k = 0; k < 4 && !why; k++) {
		uint8_t b[8];
		if (phys_read(d->src, pdpt + 8 * k, b, 8, NULL) != 8)
			why = "not in the dump";
		else if (!((e = le_bytes(b, 8)) & 1))
			why = e ? "is not present and not zero" : NULL;
		else if (e & PAE_PDPTE_RESERVED)
			why = "has reserved bits set";
		else if (!source_has_page(d->src, (e & 0x000ffffffffff000ull) >> KDX_PAGE_SHIFT))
			why = "names a directory the dump lacks";
		else
			snprintf(present + strlen(present), sizeof present - strlen(present),
				 "%s%u", npresent++ ? ", " : "", k);
	}
	if (!why && !npresent)
		snprintf(ws->paging_choice, sizeof ws->paging_choice, "x86 by the tables: the "
			 "four PDPTEs at 0x%llx are zero, so the DTB heads no PAE tables (-pae "
			 "forces PAE)", (unsigned long long)pdpt);
	else if (why)
		snprintf(ws->paging_choice, sizeof ws->paging_choice, "x86 by the tables: PDPTE "
			 "%u at 0x%llx (0x%llx) %s, so the DTB heads no PAE tables (-pae forces "
			 "PAE)", k - 1, (unsigned long long)(pdpt + 8 * (k - 1)),
			 (unsigned long long)e, why);
	else if (npresent == 4)
		snprintf(ws->paging_choice, sizeof ws->paging_choice, "pae by the tables: the "
			 "four PDPTEs at 0x%llx are present, reserved bits clear, directories in "
			 "the dump (-nopae forces non-PAE)", (unsigned long long)pdpt);
	else
		snprintf(ws->paging_choice, sizeof ws->paging_choice, "pae by the tables: %s %s "
			 "of the four at 0x%llx %s present (reserved bits clear, %s in the dump), "
			 "the others zero (-nopae forces non-PAE)", npresent > 1 ? "PDPTEs" : "PDPTE",
			 present, (unsigned long long)pdpt, npresent > 1 ? "are" : "is",
			 npresent > 1 ? "directories" : "directory");
	enum paging mode = why || !npresent ? PAGING_X86 : PAGING_PAE;
	ws->space = xlat_new(d->src, mode, dtb, err);
	return ws->space ? 0 : -1;
}

int walk_args(struct dump *d, int argc, char **argv, const struct command *c, uint64_t *va,
	      struct walk_space *ws, struct kdx_error *err)
{
	memset(ws, 0, sizeof *ws);
	enum paging forced = PAGING_UNKNOWN;
	char *args[3];
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (i && strcmp(argv[i], "-pae") == 0)
			forced = PAGING_PAE;
		else if (i && strcmp(argv[i], "-nopae") == 0)
			forced = PAGING_X86;
		else if (i && strcmp(argv[i], "-x64") == 0)
			forced = PAGING_X64;
		else if (n < 3)
			args[n++] = argv[i];
		else
			return arg_extra(err, c, argv[i]);
	}
	uint64_t dtb = 0;
	if (n < 2)
		return arg_fail(err, c, NULL, "a VA");
	if (!parse_number(args[1], va))
		return arg_fail(err, c, args[1], "a VA (a number)");
	if (n == 3 && !parse_number(args[2], &dtb))
		return arg_fail(err, c, args[2], "a DTB (a number)");
	/* A flag reads a DTB given by hand, in a mode the dump's machine allows. */
	enum machine flagged = forced == PAGING_X64 ? MACHINE_X64 : MACHINE_X86;
	if (forced != PAGING_UNKNOWN && n != 3)
		return kdx_fail(err, "%s: -x64, -pae and -nopae choose how a DTB given by hand is "
				"read: expected VA DTB", args[0]);
	if (forced != PAGING_UNKNOWN && d->machine != MACHINE_UNKNOWN && d->machine != flagged)
		return kdx_fail(err, "%s: the dump is from an %s machine: %s reads a DTB of an "
				"%s one", args[0], machine_name(d->machine),
				forced == PAGING_X64 ? "-x64" : forced == PAGING_PAE ? "-pae" : "-nopae",
				machine_name(flagged));
	if (n == 3 && dtb < KDX_PAGE_SIZE)
		return kdx_fail(err, "%s: %s is not a DTB: page tables are never in the first "
				"page (WinDbg's literal form '!pte ADDR 1' is not implemented)",
				args[0], args[2]);
	if (n == 2 && !d->kernel)
		return kdx_fail(err, "%s: no kernel page tables known for this dump (give a DTB: "
				"%s VA DTB)", args[0], args[0]);
	if (n == 2) {
		ws->space = d->kernel;
	} else if (d->kernel && forced == PAGING_UNKNOWN) {
		ws->space = xlat_new(d->src, d->paging, dtb, err);
	} else if (forced != PAGING_UNKNOWN || d->machine == MACHINE_X64) {
		ws->space = xlat_new(d->src, forced != PAGING_UNKNOWN ? forced : PAGING_X64, dtb,
				     err);
	} else if (d->machine == MACHINE_X86) {
		if (pick_x86_paging(d, dtb, ws, err) < 0)
			return -1;
	} else {
		return kdx_fail(err, "%s: the dump does not say which machine it is from: "
				"expected -x64, -pae or -nopae (32-bit x86) to read the DTB, or "
				"kdx --arch x64|x86", args[0]);
	}
	if (!ws->space)
		return -1;
	ws->owned = n == 3;
	const struct paging_desc *m = xlat_mode(ws->space);
	if (!paging_is_canonical(m, *va)) {
		if (ws->owned)
			xlat_free(ws->space);
		return kdx_fail(err, "%s: 0x%llx is not a valid %s address%s", args[0],
				(unsigned long long)*va, m->name,
				m->va_bits == 48 ? " (bits 63..48 must copy bit 47)" : " (32 bits)");
	}
	/* WinDbg's `!pte ADDR 1` (a literal entry address), `!pte START END`
	 * and `!vtop DIRBASE VA` put other things second: not a DTB. */
	if (ws->owned && dtb > (m->pfn_mask | (KDX_PAGE_SIZE - 1))) {
		xlat_free(ws->space);
		return kdx_fail(err, "%s: %s is not a DTB: it is above every physical address "
				"(kdx takes '%s VA [DTB]'; %s)", args[0], args[2], args[0],
				strstr(args[0], "vtop") ?
				"WinDbg's !vtop takes the DTB first" :
				"WinDbg's range form '!pte START END' is not implemented");
	}
	return 0;
}

void walk_space_to_doc(const struct walk_space *ws, struct dnode *root)
{
	if (ws->paging_choice[0])
		dn_label(dn_str(root, "paging_choice", ws->paging_choice), "paging");
}

void walk_table_link(const struct walk *w, int level, char *buf, size_t size)
{
	const struct walk_level *l = &w->level[level];
	int esz = w->mode->entry_size;
	uint64_t page = l->table & ~(uint64_t)(KDX_PAGE_SIZE - 1);
	snprintf(buf, size, "!d%c 0x%llx L0x%x" LINK_ROW_MARK "%llu", esz == 4 ? 'd' : 'q',
		 (unsigned long long)page, KDX_PAGE_SIZE / esz,
		 (unsigned long long)((l->entry_address - page) / 16));
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
		char link[64];
		walk_table_link(w, i, link, sizeof link);
		dn_link(dn_hex(o, "table", l->table, 0), "%s", link);
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
	struct walk_space ws;
	if (walk_args(d, argc, argv, &cmd_vtop, &va, &ws, err) < 0)
		return -1;
	struct walk w;
	xlat_walk(ws.space, va, &w);
	doc_set_title(out, "Translation of 0x%llx", (unsigned long long)va);
	walk_space_to_doc(&ws, out->root);
	walk_to_doc(&w, out->root);
	if (ws.owned)
		xlat_free(ws.space);
	return 0;
}

const struct command cmd_vtop = {
	.name = "vtop", .usage = "vtop VA [DTB [-x64|-pae|-nopae]]",
	.summary = "translate a virtual address level by level",
	.windbg = "!vtop",
	.run = run_vtop,
};
