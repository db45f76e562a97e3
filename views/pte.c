/* `pte [-e] VA [DTB]`: the translation of one address for people learning
 * it: the VA's bits split per level, the entry arithmetic, every field of
 * every entry, the Windows software state of a not-present leaf, and the
 * lazy system PDE of a process directory. `-e` adds a one-line explanation
 * of each set field (the TUI's `e` key re-runs the command with it toggled).
 * `pte -compare [VA]` sets x86, PAE and x64 side by side. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/xlat/layout.h"
#include "core/xlat/pte.h"
#include "views/commands.h"
#include "views/vtop.h"

#define HEX(v) ((unsigned long long)(v))

static const enum role level_roles[PAGING_MAX_LEVELS] = {
	ROLE_VA_L1, ROLE_VA_L2, ROLE_VA_L3, ROLE_VA_L4,
};

enum role pte_state_role(enum pte_state s)
{
	switch (s) {
	case PTE_STATE_VALID: return ROLE_PTE_VALID;
	case PTE_STATE_LARGE: return ROLE_PTE_LARGE;
	case PTE_STATE_TRANSITION: return ROLE_PTE_TRANSITION;
	case PTE_STATE_PAGEFILE: case PTE_STATE_SWAP: return ROLE_PTE_PAGEFILE;
	case PTE_STATE_PROT_NONE: return ROLE_PTE_TRANSITION;
	case PTE_STATE_PROTOTYPE: case PTE_STATE_VAD: return ROLE_PTE_PROTOTYPE;
	case PTE_STATE_DEMAND_ZERO: return ROLE_PTE_DEMAND_ZERO;
	case PTE_STATE_EMPTY: return ROLE_PTE_EMPTY;
	default: return ROLE_PTE_NOT_PRESENT;
	}
}

/* One group of VA bits: a level's index, the sign extension or the offset. */
struct va_group {
	const char *name;
	int hi, lo;
	enum role role;
	uint64_t value;
};

/* Splits va the way this walk used it: a large page makes the offset wider. */
static int va_groups(const struct walk *w, struct va_group *g)
{
	const struct paging_desc *m = w->mode;
	int n = 0, last = w->nlevels - 1;
	if (m->va_bits < 64 && m->va_bits > 32)
		g[n++] = (struct va_group){ "sign", 63, m->va_bits, ROLE_VA_SIGN, w->va >> m->va_bits };
	int leaf_level = m->levels - 1;
	if (last >= 0 && w->level[last].large)
		leaf_level = last;
	for (int i = 0; i <= leaf_level && i < m->levels; i++) {
		int lo = m->shift[i], hi = lo + m->index_bits[i] - 1;
		g[n++] = (struct va_group){ w->names[i], hi, lo, level_roles[i],
					    paging_index(m, i, w->va) };
	}
	int off_hi = m->shift[leaf_level] - 1;
	g[n++] = (struct va_group){ "offset", off_hi, 0, ROLE_VA_OFFSET,
				    w->va & ((1ull << (off_hi + 1)) - 1) };
	return n;
}

static void add_va_bits(struct dnode *root, const struct walk *w)
{
	struct va_group g[PAGING_MAX_LEVELS + 2];
	int n = va_groups(w, g);
	struct dnode *bits = dn_text(root), *names = dn_text(root), *values = dn_text(root);
	for (int i = 0; i < n; i++) {
		char digits[65], value[24];
		int width = g[i].hi - g[i].lo + 1, k = 0;
		for (int b = g[i].hi; b >= g[i].lo; b--)
			digits[k++] = (w->va >> b) & 1 ? '1' : '0';
		digits[k] = 0;
		snprintf(value, sizeof value, "0x%llx", HEX(g[i].value));
		int col = width;
		if ((int)strlen(g[i].name) > col)
			col = (int)strlen(g[i].name);
		if ((int)strlen(value) > col)
			col = (int)strlen(value);
		dn_span(bits, g[i].role, "%-*s ", col, digits);
		dn_span(names, g[i].role, "%-*s ", col, g[i].name);
		dn_span(values, g[i].role, "%-*s ", col, value);
	}
}

/* Adds the decoded fields, flags and state to the walk's level objects and
 * the arithmetic and field lines a person reads. */
/* space: " DTB" when the walk is not in the kernel's space, else "": the
 * entries' virtual addresses are the walked space's. */
static void add_level_details(struct dnode *root, const struct walk *w,
			      const struct pte_decoded *dec, const struct self_map *sm,
			      enum paging mode, bool explain, const char *space)
{
	struct dnode *levels = dn_get(root, "levels");
	int esz = w->mode->entry_size;
	for (int i = 0; i < w->nlevels && levels && (size_t)i < levels->nkids; i++) {
		const struct walk_level *l = &w->level[i];
		struct dnode *o = levels->kids[i];
		uint64_t entry_va;
		bool has_va = self_map_entry_va(sm, mode, i, w->va, &entry_va);
		if (has_va)
			dn_label(dn_hex(o, "entry_va", entry_va, 0), "entry VA");
		else
			dn_label(dn_null(o, "entry_va"), "entry VA");
		if (!l->read) {
			dn_null(o, "flags");
			dn_null(o, "state");
			dn_flags(dn_null(o, "fields"), DN_JSON_ONLY);
		} else {
			if (dec[i].has_flags)
				dn_str(o, "flags", dec[i].flags);
			else
				dn_null(o, "flags");
			dn_role(dn_str(o, "state", pte_state_name(dec[i].state)),
				pte_state_role(dec[i].state));
			struct dnode *f = dn_flags(dn_object(o, "fields"), DN_JSON_ONLY);
			for (size_t k = 0; k < dec[i].nfields; k++)
				dn_uint(f, dec[i].fields[k].bits->name, dec[i].fields[k].value);
		}

		struct dnode *t = dn_text(root);
		dn_span(t, level_roles[i], "%-6s", l->name);
		char link[64];
		walk_table_link(w, i, link, sizeof link);
		dspan_link(dn_span(t, ROLE_ADDRESS, "0x%llx", HEX(l->table)), "%s", link);
		dn_span(t, ROLE_NORMAL, " + ");
		dn_span(t, level_roles[i], "0x%llx", HEX(l->index));
		dn_span(t, ROLE_NORMAL, " * %d = ", esz);
		dspan_link(dn_span(t, ROLE_ADDRESS, "0x%llx", HEX(l->entry_address)), "!dq 0x%llx",
			   HEX(l->entry_address));
		if (has_va) {
			dn_span(t, ROLE_MUTED, "  virtual ");
			dspan_link(dn_span(t, ROLE_ADDRESS, "0x%llx", HEX(entry_va)), "dq 0x%llx%s",
				   HEX(entry_va), space);
		}
		if (!l->read) {
			dn_span(dn_text(root), ROLE_DANGER, "      entry not in the dump");
			continue;
		}
		const struct pte_decoded *d = &dec[i];
		struct dnode *c = dn_text(root);
		dn_span(c, ROLE_MUTED, "      contains ");
		dn_span(c, ROLE_VALUE, "0x%0*llx", esz * 2, HEX(d->raw));
		if (d->has_flags) {
			dn_span(c, ROLE_MUTED, "  pfn ");
			dspan_link(dn_span(c, ROLE_VALUE, "0x%llx", HEX(d->pfn)), "!db 0x%llx",
				   HEX(d->pfn << KDX_PAGE_SHIFT));
			dn_span(c, pte_state_role(d->state), "  %s", d->flags);
		} else {
			dn_span(c, pte_state_role(d->state), "  not valid");
		}
		dn_span(c, ROLE_MUTED, "  %s: %s", d->format_name, d->detail);
		if (d->nfields) {
			struct dnode *fl = dn_text(root);
			dn_span(fl, ROLE_NORMAL, "     ");
			for (size_t k = 0; k < d->nfields; k++)
				dn_span(fl, d->fields[k].value ? ROLE_VALUE : ROLE_ZERO,
					d->fields[k].bits->width > 1 ? " %s=0x%llx" : " %s=%llx",
					d->fields[k].bits->name, HEX(d->fields[k].value));
		}
		for (size_t k = 0; explain && k < d->nfields; k++) {
			if (!d->fields[k].value)
				continue;
			struct dnode *e = dn_text(root);
			dn_span(e, ROLE_LABEL, "        %-22s", d->fields[k].bits->name);
			dn_span(e, ROLE_MUTED, "%s", d->fields[k].bits->explain);
		}
	}
}

/* The state of the walk: the entry where it stopped, or the last one. */
static const struct pte_decoded *final_entry(const struct walk *w, const struct pte_decoded *dec)
{
	int i = w->stopped_at >= 0 ? w->stopped_at : w->nlevels - 1;
	return i >= 0 && w->level[i].read ? &dec[i] : NULL;
}

static void add_state(struct dnode *root, const struct pte_decoded *d)
{
	if (!d) {
		dn_null(root, "flags");
		dn_null(root, "state");
	} else {
		if (d->has_flags)
			dn_str(root, "flags", d->flags);
		else
			dn_null(root, "flags");
		dn_role(dn_str(root, "state", pte_state_name(d->state)), pte_state_role(d->state));
	}
	if (d && d->has_pfn)
		dn_link(dn_hex(root, "pfn", d->pfn, 0), "!db 0x%llx", HEX(d->pfn << KDX_PAGE_SHIFT));
	else
		dn_null(root, "pfn");
	if (d && d->has_protection) {
		dn_flags(dn_uint(root, "protection", d->protection), DN_HEX_SHOWN);
		dn_label(dn_str(root, "protection_name", pte_protection_name(d->protection)),
			 "protection name");
	} else {
		dn_null(root, "protection");
		dn_label(dn_null(root, "protection_name"), "protection name");
	}
	if (d && d->has_pagefile) {
		dn_flags(dn_label(dn_uint(root, "pagefile_number", d->pagefile_number), "page file"),
			 DN_HEX_SHOWN);
		dn_label(dn_hex(root, "pagefile_offset", d->pagefile_offset, 0), "page file offset");
	} else {
		dn_label(dn_null(root, "pagefile_number"), "page file");
		dn_label(dn_null(root, "pagefile_offset"), "page file offset");
	}
	if (d && d->has_swap) {
		dn_flags(dn_label(dn_uint(root, "swap_type", d->swap_type), "swap type"),
			 DN_HEX_SHOWN);
		dn_label(dn_hex(root, "swap_offset", d->swap_offset, 0), "swap offset");
	}
	if (d && d->has_prototype_address)
		dn_link(dn_label(dn_hex(root, "prototype_address", d->prototype_address, 0),
				 "prototype PTE"), "dq 0x%llx", HEX(d->prototype_address));
	else
		dn_label(dn_null(root, "prototype_address"), "prototype PTE");
}

/* doc/address-space.md §2.1: a prototype PTE names a kernel VA holding the entry that
 * really describes the page; read it through the same address space and
 * decode it in turn (it is never a further indirection). */
static void add_prototype(struct dnode *root, struct xlat *space, const struct pte_context *ctx,
			  uint64_t address)
{
	struct dnode *o = dn_label(dn_object(root, "prototype"), "Prototype PTE");
	dn_link(dn_hex(o, "address", address, 0), "dq 0x%llx", HEX(address));
	unsigned esz = (unsigned)paging_desc(ctx->format->mode)->entry_size;
	uint8_t b[8] = { 0 };
	uint64_t pa;
	enum xlat_reason why = xlat_to_phys(space, address, &pa);
	struct hole_list holes = { 0 };
	bool read = why == XLAT_OK && xlat_read(space, address, b, esz, &holes) == esz &&
		    holes.count == 0;
	hole_list_free(&holes);
	if (why == XLAT_OK)
		dn_label(dn_hex(o, "pa", pa, 0), "physical address");
	else
		dn_label(dn_null(o, "pa"), "physical address");
	if (!read) {
		dn_null(o, "entry");
		dn_null(o, "state");
		dn_str(o, "error", why == XLAT_OK ? "the prototype PTE's page is not in the dump"
			: "the prototype PTE's address does not translate");
		return;
	}
	uint64_t raw = 0;
	for (unsigned i = esz; i-- > 0;)
		raw = (raw << 8) | b[i];
	struct pte_decoded p;
	pte_decode_prototype_pte(ctx, raw, &p);
	dn_hex(o, "entry", raw, 0);
	dn_role(dn_str(o, "state", pte_state_name(p.state)), pte_state_role(p.state));
	dn_label(dn_str(o, "format", p.format_name), "format");
	dn_str(o, "detail", p.detail);
	if (p.has_flags)
		dn_str(o, "flags", p.flags);
	struct dnode *f = dn_flags(dn_object(o, "fields"), DN_JSON_ONLY);
	for (size_t k = 0; k < p.nfields; k++)
		dn_uint(f, p.fields[k].bits->name, p.fields[k].value);
	if (p.has_pfn)
		dn_link(dn_hex(o, "pfn", p.pfn, 0), "!db 0x%llx", HEX(p.pfn << KDX_PAGE_SHIFT));
	if (p.has_protection) {
		dn_flags(dn_uint(o, "protection", p.protection), DN_HEX_SHOWN);
		dn_label(dn_str(o, "protection_name", pte_protection_name(p.protection)),
			 "protection name");
	}
	if (p.has_pagefile) {
		dn_flags(dn_label(dn_uint(o, "pagefile_number", p.pagefile_number), "page file"),
			 DN_HEX_SHOWN);
		dn_label(dn_hex(o, "pagefile_offset", p.pagefile_offset, 0), "page file offset");
	}
	if (p.has_subsection_address)
		dn_link(dn_label(dn_hex(o, "subsection_address", p.subsection_address, 0),
				 "SUBSECTION"), "dq 0x%llx", HEX(p.subsection_address));
	struct dnode *t = dn_text(root);
	dn_span(t, ROLE_PTE_PROTOTYPE, "prototype PTE ");
	dn_span(t, ROLE_ADDRESS, "0x%llx", HEX(address));
	dn_span(t, ROLE_MUTED, " contains ");
	dn_span(t, ROLE_VALUE, "0x%0*llx", (int)esz * 2, HEX(raw));
	dn_span(t, pte_state_role(p.state), "  %s: %s", p.format_name, p.detail);
	if (p.has_subsection_address) {
		struct dnode *l = dn_text(root);
		dn_span(l, ROLE_PTE_PROTOTYPE, "Subsection: 0x%llx", HEX(p.subsection_address));
	}
}

/* The result in `!pte`'s words (doc/address-space.md §2.8), and the page's first bytes. */
static void add_result_lines(struct dump *d, struct dnode *root, const struct walk *w,
			     const struct pte_decoded *fin)
{
	struct dnode *t = dn_text(root);
	if (w->stopped_at < 0 && w->reason != XLAT_INVALID) {
		dn_span(t, ROLE_OK, "physical address ");
		dspan_link(dn_span(t, ROLE_ADDRESS, "0x%llx", HEX(w->pa)), "!db 0x%llx", HEX(w->pa));
		if (w->page_size > KDX_PAGE_SIZE)
			dn_span(t, ROLE_PTE_LARGE, "  large page of 0x%llx bytes ends the walk at the %s",
				HEX(w->page_size), w->level[w->nlevels - 1].name);
		if (!w->page_in_dump) {
			dn_span(t, ROLE_WARNING, "  (page not in the dump)");
			return;
		}
		uint8_t b[16];
		size_t n = phys_read(d->src, w->pa, b, sizeof b, NULL);
		struct dnode *bytes = dn_text(root);
		dn_span(bytes, ROLE_MUTED, "first bytes ");
		for (size_t i = 0; i < n; i++)
			dn_span(bytes, b[i] ? ROLE_VALUE : ROLE_ZERO, " %02x", b[i]);
		return;
	}
	if (!fin) {
		dn_span(t, ROLE_DANGER, "the walk stopped: %s entry not in the dump",
			w->nlevels ? w->level[w->nlevels - 1].name : "top");
		return;
	}
	dn_span(t, pte_state_role(fin->state), "%s not valid", w->level[w->stopped_at].name);
	struct dnode *c = dn_text(root);
	switch (fin->state) {
	case PTE_STATE_TRANSITION: dn_span(c, ROLE_PTE_TRANSITION, "Transition: 0x%llx", HEX(fin->pfn)); break;
	case PTE_STATE_VAD: dn_span(c, ROLE_PTE_PROTOTYPE, "Proto: VAD"); break;
	case PTE_STATE_PROTOTYPE:
		if (fin->has_prototype_address)
			dspan_link(dn_span(c, ROLE_PTE_PROTOTYPE, "Proto: 0x%llx",
					   HEX(fin->prototype_address)),
				   "dq 0x%llx", HEX(fin->prototype_address));
		else
			dn_span(c, ROLE_PTE_PROTOTYPE, "Proto: address unknown");
		break;
	case PTE_STATE_PAGEFILE:
		dn_span(c, ROLE_PTE_PAGEFILE, "PageFile: 0x%llx  Offset: 0x%llx",
			HEX(fin->pagefile_number), HEX(fin->pagefile_offset));
		break;
	case PTE_STATE_SWAP:
		dn_span(c, ROLE_PTE_PAGEFILE, "Swap type: %llu  Offset: 0x%llx",
			HEX(fin->swap_type), HEX(fin->swap_offset));
		break;
	case PTE_STATE_PROT_NONE:
		dn_span(c, ROLE_PTE_TRANSITION, "PROT_NONE: frame 0x%llx", HEX(fin->pfn));
		break;
	default: dn_span(c, pte_state_role(fin->state), "%s", fin->detail); break;
	}
	if (fin->has_protection) {
		struct dnode *p = dn_text(root);
		dn_span(p, ROLE_LABEL, "Protect: ");
		dn_span(p, ROLE_VALUE, "0x%x - %s", fin->protection,
			pte_protection_name(fin->protection));
	}
}

/* How a process's entry can differ from the kernel's at the same level. */
struct kernel_difference {
	const char *key;            /* JSON */
	const char *says;
	enum role role;
};
static const struct kernel_difference diff_missing = {
	"missing", "lazy: not yet copied from the kernel's (filled on first touch)", ROLE_WARNING };
static const struct kernel_difference diff_process_only = {
	"process-only", "mapped for this process only (e.g. session space)", ROLE_MUTED };
static const struct kernel_difference diff_own_table = {
	"own-table", "the process's own copy of the table (e.g. PAE's four directories)",
	ROLE_MUTED };
static const struct kernel_difference diff_other = {
	"different", "a different mapping", ROLE_MUTED };

static const struct kernel_difference *difference(const struct walk_level *own,
						  const struct walk_level *kernel)
{
	if (own->entry == kernel->entry)
		return NULL;
	if (!own->present && kernel->present)
		return &diff_missing;
	if (own->present && !kernel->present)
		return &diff_process_only;
	if (own->present && !own->large && !kernel->large)
		return &diff_own_table;
	return &diff_other;
}

/* doc/address-space.md §5.3, 8 and doc/scenarios.md §6: a process directory's system entries
 * are copied from the kernel's on first touch; mark each level whose entry
 * differs, with the kernel's entry beside it. */
static void add_lazy_marker(struct dump *d, struct dnode *root, const struct walk *w)
{
	struct walk k;
	xlat_walk(d->kernel, w->va, &k);
	struct dnode *levels = dn_get(root, "levels");
	const char *lazy_level = NULL;
	bool header = false;
	for (int lv = 0; levels && (size_t)lv < levels->nkids && lv < w->nlevels; lv++) {
		struct dnode *o = levels->kids[lv];
		bool comparable = lv < k.nlevels && w->level[lv].read && k.level[lv].read;
		const struct kernel_difference *how =
			comparable ? difference(&w->level[lv], &k.level[lv]) : NULL;
		if (comparable)
			dn_flags(dn_hex(o, "kernel_entry", k.level[lv].entry, 0), DN_JSON_ONLY);
		else
			dn_flags(dn_null(o, "kernel_entry"), DN_JSON_ONLY);
		dn_flags(dn_bool(o, "differs_from_kernel", how != NULL), DN_JSON_ONLY);
		if (how)
			dn_flags(dn_str(o, "kernel_difference", how->key), DN_JSON_ONLY);
		else
			dn_flags(dn_null(o, "kernel_difference"), DN_JSON_ONLY);
		if (!how)
			continue;
		if (!lazy_level && how == &diff_missing)
			lazy_level = w->level[lv].name;
		if (!header) {
			struct dnode *h = dn_text(root);
			dn_span(h, ROLE_WARNING, "system entries that differ from the kernel's directory:");
		}
		header = true;
		struct dnode *t = dn_text(root);
		dn_span(t, level_roles[lv], "  %-6s", w->level[lv].name);
		dn_span(t, ROLE_NORMAL, "process 0x%0*llx  kernel 0x%0*llx  ", w->mode->entry_size * 2,
			HEX(w->level[lv].entry), w->mode->entry_size * 2, HEX(k.level[lv].entry));
		dn_span(t, how->role, "%s", how->says);
	}
	dn_label(dn_bool(root, "lazy_system_entry", lazy_level != NULL), "lazy system entry");
	if (lazy_level)
		dn_label(dn_str(root, "lazy_system_level", lazy_level), "lazy system level");
	else
		dn_label(dn_null(root, "lazy_system_level"), "lazy system level");
}

static bool is_system_va(struct dump *d, uint64_t va)
{
	const struct paging_desc *m = xlat_mode(d->kernel);
	if (m->va_bits == 48)
		return (va >> 47) & 1;
	return va >= 0x80000000u;
}

static int run_compare(struct dump *d, int argc, char **argv, struct doc *out,
		       struct kdx_error *err);

static int run_pte(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	char *args[5] = { argv[0] };
	int nargs = 1;
	bool explain = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-compare") == 0)
			return run_compare(d, argc, argv, out, err);
		if (strcmp(argv[i], "-e") == 0)
			explain = true;
		else if (nargs < 5)
			args[nargs++] = argv[i];
		else
			return arg_extra(err, &cmd_pte, argv[i]);
	}
	uint64_t va;
	struct walk_space ws;
	if (walk_args(d, nargs, args, &cmd_pte, &va, &ws, err) < 0)
		return -1;
	struct xlat *space = ws.space;
	bool owned = ws.owned;
	enum paging paging = xlat_mode(space)->mode;
	struct self_map sm = { 0 };
	/* A Linux kernel has no self-map (0xc0000000 up is its direct map on
	 * ia32), so no address there stands for an entry. */
	if (!d->os[0])
		layout_find_self_map(d->src, paging, xlat_dtb(space), &sm);
	/* As WinDbg's !pte, the address of an entry (in the self-map) stands
	 * for the translation it takes part in: up one level per step. */
	uint64_t typed = va, mapped;
	int steps = 0;
	while (steps < xlat_mode(space)->levels && self_map_mapped_va(&sm, paging, va, &mapped)) {
		va = mapped;
		steps++;
	}
	struct walk w;
	xlat_walk(space, va, &w);
	if (steps)
		dn_role(dn_label(dn_strf(out->root, "entry_of", "0x%llx is the %s of 0x%llx in the "
					 "page tables' self-map: its walk, as !pte shows it "
					 "('vtop 0x%llx' translates the address itself)", HEX(typed),
					 w.level[w.mode->levels - steps].name, HEX(va), HEX(typed)),
				 "entry address"), ROLE_WARNING);
	struct pte_context ctx;
	layout_pte_context_for(d, paging, &ctx);
	struct pte_decoded dec[PAGING_MAX_LEVELS];
	for (int i = 0; i < w.nlevels; i++)
		if (w.level[i].read)
			pte_decode(&ctx, i, w.level[i].entry, &dec[i]);

	doc_set_title(out, "PTE of 0x%llx (%s, %s%s)", HEX(va), w.mode->name, ctx.format->name,
		      ctx.family_assumed ? ", assumed" : "");
	doc_set_windbg(out, "!pte 0x%llx", HEX(va));
	struct dnode *root = out->root;
	walk_space_to_doc(&ws, root);
	add_va_bits(root, &w);
	struct dnode *fam = dn_label(dn_object(root, "pte_format"), "PTE format");
	dn_str(fam, "family", ctx.format->name);
	dn_role(dn_bool(fam, "assumed", ctx.family_assumed),
		ctx.family_assumed ? ROLE_WARNING : ROLE_NORMAL);
	dn_role(dn_str(fam, "note", ctx.family_note), ctx.family_assumed ? ROLE_WARNING : ROLE_MUTED);
	walk_to_doc(&w, root);
	struct dnode *idx = dn_flags(dn_array(root, "indexes"), DN_JSON_ONLY);
	for (int i = 0; i < w.mode->levels; i++)
		dn_uint(idx, NULL, paging_index(w.mode, i, va));
	char space_arg[24] = "";
	if (owned)
		snprintf(space_arg, sizeof space_arg, " 0x%llx", HEX(xlat_dtb(space)));
	add_level_details(root, &w, dec, &sm, paging, explain, space_arg);
	const struct pte_decoded *fin = final_entry(&w, dec);
	add_state(root, fin);
	if (fin && fin->state == PTE_STATE_PROTOTYPE && fin->has_prototype_address)
		add_prototype(root, space, &ctx, fin->prototype_address);
	add_result_lines(d, root, &w, fin);
	if (owned && d->kernel && xlat_dtb(space) != xlat_dtb(d->kernel) && is_system_va(d, va))
		add_lazy_marker(d, root, &w);
	struct dnode *hint = dn_text(root);
	dn_span(hint, ROLE_MUTED, "WinDbg: ");
	dn_span(hint, ROLE_NAME, "!pte 0x%llx", HEX(va));
	dn_span(hint, ROLE_MUTED, "   ");
	dn_span(hint, ROLE_NAME, "!vtop 0x%llx 0x%llx", HEX(xlat_dtb(space)), HEX(va));
	if (owned)
		xlat_free(space);
	return 0;
}

/* Side by side: the same concepts in the three paging modes (doc/address-space.md §1.2, 3). */
static int run_compare(struct dump *d, int argc, char **argv, struct doc *out,
		       struct kdx_error *err)
{
	uint64_t va = 0;
	bool has_va = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-compare") == 0 || strcmp(argv[i], "-e") == 0)
			continue;
		if (has_va || !parse_number(argv[i], &va))
			return kdx_fail(err, "usage: pte -compare [VA]");
		has_va = true;
	}
	unsigned x64_index = 0x1ed;
	if (d->paging == PAGING_X64 && d->kernel) {
		struct self_map own;
		layout_find_self_map(d->src, d->paging, xlat_dtb(d->kernel), &own);
		if (own.found)
			x64_index = own.index;
	}
	doc_set_title(out, "Paging modes side by side%s", has_va ? " for one address" : "");
	struct dnode *rows = dn_label(dn_array(out->root, "modes"), "Paging modes");
	static const enum paging modes[] = { PAGING_X86, PAGING_PAE, PAGING_X64 };
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		const struct paging_desc *pd = paging_desc(modes[m]);
		struct self_map sm;
		self_map_bases(modes[m], x64_index, &sm);
		struct dnode *r = dn_object(rows, NULL);
		if (modes[m] == d->paging)
			dn_role(r, ROLE_SELECTION);
		dn_str(r, "mode", pd->name);
		dn_uint(r, "levels", (uint64_t)pd->levels);
		dn_label(dn_uint(r, "entry_size", (uint64_t)pd->entry_size), "entry bytes");
		char split[48] = "";
		for (int i = 0; i < pd->levels; i++)
			snprintf(split + strlen(split), sizeof split - strlen(split), "%d+",
				 pd->index_bits[i]);
		snprintf(split + strlen(split), sizeof split - strlen(split), "12");
		dn_label(dn_str(r, "split", split), "index bits");
		dn_label(dn_uint(r, "va_bits", (uint64_t)pd->va_bits), "VA bits");
		dn_label(dn_hex(r, "pte_base", sm.pte_base, 0), "PTE base");
		dn_label(dn_hex(r, "pde_base", sm.pde_base, 0), "PDE base");
		uint64_t self = 0;
		for (int lv = 0; lv < pd->levels; lv++) {
			const uint64_t bases[] = { sm.pte_base, sm.pde_base, sm.ppe_base, sm.pxe_base };
			uint64_t own = bases[pd->levels - 1 - lv];
			if (own && self_map_entry_va(&sm, modes[m], lv, own, &self))
				break;
		}
		dn_label(dn_hex(r, "self_map_entry", self, 0), "self-map entry");
		dn_label(dn_hex(r, "pte_space", sm.pte_space_size, 0), "PTE space bytes");
		if (!has_va)
			continue;
		bool fits = paging_is_canonical(pd, va);
		struct dnode *ix = dn_label(dn_array(r, "indexes"), "indexes");
		uint64_t pte_va = 0;
		if (fits) {
			for (int i = 0; i < pd->levels; i++)
				dn_uint(ix, NULL, paging_index(pd, i, va));
			self_map_entry_va(&sm, modes[m], pd->levels - 1, va, &pte_va);
		}
		dn_flags(ix, DN_JSON_ONLY);
		char shown[64] = "";
		for (size_t i = 0; i < ix->nkids; i++)
			snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s0x%llx",
				 i ? " " : "", HEX(ix->kids[i]->v.u));
		dn_label(dn_str(r, "index_values", fits ? shown : "-"), "indexes");
		if (fits)
			dn_label(dn_hex(r, "pte_va", pte_va, 0), "PTE VA");
		else
			dn_label(dn_null(r, "pte_va"), "PTE VA");
	}
	return 0;
}

const struct command cmd_pte = {
	.name = "pte", .usage = "pte [-e] VA [DTB [-x64|-pae|-nopae]] | pte -compare [VA]",
	.summary = "decode the page-table entries of an address, bit by bit",
	.windbg = "!pte",
	.run = run_pte,
};
