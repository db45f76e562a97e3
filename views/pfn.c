/* `pfn PFN`: WinDbg !pfn. One MMPFN decoded (doc/structures.md §8): the list, the
 * links or share count, the reference count, the PTE that maps the page
 * (a hardware PTE through the self-map, or a prototype PTE and its mapped
 * file), the OriginalPte decoded, and the page table holding the PTE. */
#include <stdlib.h>

#include "core/xlat/layout.h"
#include "core/nt/mapped_files.h"
#include "core/xlat/pte.h"
#include "views/commands.h"

static enum role list_role(enum pfn_list l)
{
	switch (l) {
	case PFN_ACTIVE: return ROLE_OK;
	case PFN_BAD: return ROLE_DANGER;
	case PFN_MODIFIED: case PFN_MODIFIED_NO_WRITE: return ROLE_WARNING;
	default: return ROLE_VALUE;
	}
}

/* A list link: a PFN to follow, or the terminator (doc/structures.md §8 notes). */
static void add_link(const struct pfn_db *db, struct dnode *root, const char *key,
		     const char *label, uint64_t pfn)
{
	if (pfn == db->p->mmpfn->list_end) {
		dn_label(dn_strf(root, key, "end of list"), label);
		return;
	}
	dn_link(dn_label(dn_hex(root, key, pfn, 0), label), "pfn 0x%llx", (unsigned long long)pfn);
}

/* A hardware PTE's address inside the self-map gives the VA it maps. */
static bool mapped_va(struct dump *d, uint64_t pte_address, uint64_t *va)
{
	struct self_map sm;
	layout_find_self_map(d->src, d->paging, d->dtb, &sm);
	return sm.found && self_map_mapped_va(&sm, d->paging, pte_address, va);
}

static void add_pte(struct dump *d, const struct pfn_db *db, const struct pfn_entry *e,
		    struct dnode *root)
{
	struct dnode *pa = dn_label(dn_hex(root, "pte_address", e->pte_address, 0), "PteAddress");
	uint64_t va;
	if (e->prototype) {
		dn_link(pa, "dq 0x%llx", (unsigned long long)e->pte_address);
		struct mapped_file_use *f = calloc(1, sizeof *f);
		if (f && mapped_file_of_page(db, e, f))
			dn_link(dn_role(dn_label(dn_str(root, "mapped_file", f->name[0] ? f->name :
							  f->problem), "mapped file"), ROLE_NAME),
				"memusage 0x%llx", (unsigned long long)f->control_area);
		else
			dn_label(dn_null(root, "mapped_file"), "mapped file");
		free(f);
		dn_label(dn_null(root, "mapped_va"), "maps");
	} else if (e->pte_address && mapped_va(d, e->pte_address, &va)) {
		dn_link(pa, "pte 0x%llx", (unsigned long long)va);
		dn_link(dn_role(dn_label(dn_hex(root, "mapped_va", va, 0), "maps"), ROLE_ADDRESS),
			"pte 0x%llx", (unsigned long long)va);
	} else {
		dn_label(dn_null(root, "mapped_va"), "maps");
	}
	dn_link(dn_label(dn_hex(root, "pte_frame", e->pte_frame, 0), "PteFrame"), "pfn 0x%llx",
		(unsigned long long)e->pte_frame);
}

/* OriginalPte: the software PTE restored when the page leaves memory,
 * decoded as a last-level entry. */
static void add_original(struct dump *d, const struct pfn_entry *e, struct dnode *root)
{
	struct pte_context ctx;
	layout_pte_context(d, &ctx);
	struct pte_decoded dec;
	pte_decode(&ctx, paging_desc(d->paging)->levels - 1, e->original_pte, &dec);
	struct dnode *o = dn_label(dn_object(root, "original_pte"), "OriginalPte");
	dn_hex(o, "raw", e->original_pte, 0);
	dn_str(o, "state", pte_state_name(dec.state));
	dn_str(o, "format", dec.format_name);
	dn_str(o, "detail", dec.detail);
	struct dnode *fields = dn_array(o, "fields");
	for (size_t i = 0; i < dec.nfields; i++) {
		struct dnode *f = dn_object(fields, NULL);
		dn_str(f, "name", dec.fields[i].bits->name);
		dn_hex(f, "value", dec.fields[i].value, 0);
	}
	if (dec.has_prototype_address)
		dn_link(dn_label(dn_hex(o, "prototype_address", dec.prototype_address, 0),
				 "prototype or subsection address"), "dq 0x%llx",
			(unsigned long long)dec.prototype_address);
	if (dec.has_pagefile)
		dn_label(dn_strf(o, "pagefile", "file %llu, offset 0x%llx",
				 (unsigned long long)dec.pagefile_number,
				 (unsigned long long)dec.pagefile_offset), "page file");
}

static int run_pfn(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	uint64_t pfn;
	if (number_arg(err, &cmd_pfn, argc, argv, "a PFN", &pfn) < 0)
		return -1;
	struct pfn_db db;
	struct pfn_entry e;
	if (pfn_db_open(d, &db, err) < 0 || pfn_read(&db, pfn, &e, err) < 0)
		return -1;
	doc_set_title(out, "PFN 0x%llx: %s", (unsigned long long)pfn, pfn_list_label(e.list));
	struct dnode *r = out->root;
	dn_hex(r, "pfn", pfn, 0);
	dn_link(dn_label(dn_hex(r, "physical_address", pfn << KDX_PAGE_SHIFT, 0),
			 "physical address"), "!db 0x%llx", (unsigned long long)pfn << KDX_PAGE_SHIFT);
	dn_link(dn_label(dn_hex(r, "entry", e.address, 0), "MMPFN at"), "dq 0x%llx",
		(unsigned long long)e.address);
	dn_label(dn_str(r, "database_origin", db.base_origin), "PFN database from");
	dn_role(dn_label(dn_bool(r, "ram", pfn_is_ram(&db, pfn)), "in a RAM run"),
		pfn_is_ram(&db, pfn) ? ROLE_OK : ROLE_WARNING);
	dn_flags(dn_str(r, "list", pfn_list_key(e.list)), DN_JSON_ONLY);
	dn_role(dn_label(dn_str(r, "list_label", pfn_list_label(e.list)), "list"),
		list_role(e.list));
	if (pfn_list_is_linked(e.list)) {
		add_link(&db, r, "flink", "Flink", e.flink);
		add_link(&db, r, "blink", "Blink", e.blink);
		dn_label(dn_null(r, "share_count"), "share count");
	} else {
		dn_label(dn_null(r, "flink"), "Flink");
		dn_label(dn_null(r, "blink"), "Blink");
		dn_label(dn_uint(r, "share_count", e.share_count), "share count");
	}
	dn_label(dn_uint(r, "reference_count", e.reference_count), "reference count");
	dn_bool(r, "modified", e.modified);
	dn_label(dn_bool(r, "prototype", e.prototype), "prototype PTE");
	add_pte(d, &db, &e, r);
	add_original(d, &e, r);
	return 0;
}

const struct command cmd_pfn = {
	.name = "pfn", .usage = "pfn PFN",
	.summary = "one PFN database entry: list, counts, its PTE, OriginalPte, PteFrame",
	.windbg = "!pfn",
	.run = run_pfn,
};
