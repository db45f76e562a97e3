/* `memusage [FLAGS|CONTROL_AREA]`: WinDbg !memusage. The page-list totals
 * of the PFN database, the MmSt tag beside the prototype PTEs of the mapped
 * files (doc/structures.md §6.6, §9 step 7), and the mapped files ranked by
 * resident pages (WinDbg's flag 8: the page lists alone); with a control
 * area, that file's structures and pages. */
#include <stdlib.h>

#include "core/nt/mapped_files.h"
#include "core/nt/pool.h"
#include "views/commands.h"

#define KB_PER_PAGE (KDX_PAGE_SIZE / 1024)

static void add_database(const struct pfn_db *db, struct dnode *root)
{
	dn_link(dn_label(dn_hex(root, "database", db->base, 0), "PFN database"), "dq 0x%llx",
		(unsigned long long)db->base);
	dn_label(dn_str(root, "database_origin", db->base_origin), "found through");
	if (db->base_note[0])
		dn_role(dn_label(dn_str(root, "database_rejected", db->base_note), "not the array"),
			ROLE_MUTED);
	dn_label(dn_str(root, "runs_origin", db->runs_origin), "physical pages from");
}

static void add_lists(const struct pfn_db *db, const struct pfn_totals *t, struct dnode *root)
{
	struct dnode *rows = dn_label(dn_array(root, "lists"), "Page lists");
	for (int l = 0; l < PFN_LIST_COUNT; l++) {
		struct dnode *o = dn_object(rows, NULL);
		dn_flags(dn_str(o, "list", pfn_list_key(l)), DN_JSON_ONLY);
		dn_role(dn_label(dn_str(o, "label", pfn_list_label(l)), "list"), ROLE_NAME);
		dn_uint(o, "pages", t->pages[l]);
		dn_uint(o, "kb", t->pages[l] * KB_PER_PAGE);
		if (l == PFN_BAD && t->pages[l])
			dn_role(o, ROLE_DANGER);
	}
	dn_label(dn_uint(root, "ram_pages", db->pages), "RAM pages");
	struct dnode *u = dn_label(dn_uint(root, "unreadable_pages", t->unreadable),
				   "entries not in the dump");
	if (t->unreadable)
		dn_link(dn_role(u, ROLE_WARNING), "pfn 0x%llx",
			(unsigned long long)t->first_unreadable);
}

/* MmSt holds the prototype PTEs of sections (pooltag.txt, doc/structures.md §6.6):
 * the tracker's paged bytes beside what the mapped files' segments need;
 * `poolfind MmSt` names the file behind each block. */
static void add_mmst(struct dump *d, const struct mapped_files *m, struct dnode *root)
{
	struct dnode *o = dn_label(dn_object(root, "mmst"), "MmSt (prototype PTEs)");
	uint64_t files_bytes = 0, files_ptes = 0;
	for (size_t i = 0; i < m->count; i++) {
		files_bytes += m->files[i].prototype_pte_bytes;
		files_ptes += m->files[i].total_ptes;
	}
	struct pool_tracker t;
	struct kdx_error e;
	uint32_t tag;
	bool found = false;
	if (pool_tag_parse("MmSt", &tag) && pool_tracker_read(d, &t, &e) == 0) {
		for (size_t i = 0; i < t.count; i++)
			if (t.rows[i].tag == tag) {
				dn_link(dn_label(dn_uint(o, "tracker_paged_bytes",
							 t.rows[i].paged_bytes), "tracker paged bytes"),
					"poolused MmSt");
				found = true;
			}
		pool_tracker_free(&t);
	}
	if (!found)
		dn_label(dn_null(o, "tracker_paged_bytes"), "tracker paged bytes");
	dn_link(dn_label(dn_uint(o, "mapped_file_bytes", files_bytes),
			 "the mapped files' prototype PTE bytes"), "poolfind MmSt");
	dn_label(dn_uint(o, "mapped_file_ptes", files_ptes), "the mapped files' prototype PTEs");
	dn_label(dn_uint(o, "mapped_files", m->count), "mapped files");
}

static void add_files(const struct mapped_files *m, struct dnode *root)
{
	dn_label(dn_uint(root, "prototype_pages", m->prototype_pages), "pages with prototype PTEs");
	struct dnode *u = dn_label(dn_uint(root, "unattributed_pages", m->unattributed),
				   "of them in no mapped file");
	if (m->unattributed)
		dn_link(dn_role(u, ROLE_MUTED), "pfn 0x%llx", (unsigned long long)m->first_unattributed);
	struct dnode *rows = dn_label(dn_array(root, "files"), "Mapped files by resident pages");
	for (size_t i = 0; i < m->count; i++) {
		const struct mapped_file_use *f = &m->files[i];
		struct dnode *o = dn_object(rows, NULL);
		if (f->name[0])
			dn_role(dn_str(o, "name", f->name), ROLE_NAME);
		else
			dn_role(dn_str(o, "name", f->problem), ROLE_WARNING);
		dn_uint(o, "resident", f->resident);
		dn_uint(o, "kb", f->resident * KB_PER_PAGE);
		dn_label(dn_uint(o, "active", f->pages[PFN_ACTIVE]), "active");
		dn_label(dn_uint(o, "standby", f->pages[PFN_STANDBY]), "standby");
		dn_label(dn_uint(o, "modified", f->pages[PFN_MODIFIED] +
				 f->pages[PFN_MODIFIED_NO_WRITE]), "modified");
		dn_label(dn_uint(o, "mmst_bytes", f->prototype_pte_bytes), "MmSt bytes");
		dn_role(dn_label(dn_hex(o, "control_area", f->control_area, 0), "control area"),
			ROLE_ADDRESS);
		dn_link(o, "memusage 0x%llx", (unsigned long long)f->control_area);
	}
}

static void add_one_file(const struct mapped_file_use *f, struct dnode *root)
{
	dn_role(dn_str(root, "name", f->name[0] ? f->name : NULL), ROLE_NAME);
	if (f->problem[0])
		dn_role(dn_str(root, "problem", f->problem), ROLE_WARNING);
	dn_link(dn_label(dn_hex(root, "control_area", f->control_area, 0), "CONTROL_AREA"),
		"dq 0x%llx", (unsigned long long)f->control_area);
	/* the SEGMENT heads the file's MmSt block on XP..7 (doc/structures.md §9 step 1) */
	dn_link(dn_label(dn_hex(root, "segment", f->segment, 0), "SEGMENT"), "pool 0x%llx",
		(unsigned long long)f->segment);
	dn_link(dn_label(dn_hex(root, "file_object", f->file_object, 0), "FILE_OBJECT"),
		"dq 0x%llx", (unsigned long long)f->file_object);
	dn_label(dn_uint(root, "total_ptes", f->total_ptes), "prototype PTEs");
	dn_label(dn_uint(root, "mmst_bytes", f->prototype_pte_bytes), "MmSt bytes");
	struct dnode *subs = dn_label(dn_array(root, "subsections"), "Subsections");
	for (size_t i = 0; i < f->nranges; i++) {
		struct dnode *o = dn_object(subs, NULL);
		dn_label(dn_hex(o, "subsection_base", f->ranges[i].base, 0), "first PTE");
		dn_label(dn_uint(o, "ptes", f->ranges[i].count), "PTEs");
		dn_link(o, "dq 0x%llx", (unsigned long long)f->ranges[i].base);
	}
	dn_uint(root, "resident", f->resident);
	struct dnode *pages = dn_label(dn_array(root, "pages"), "Resident pages");
	for (size_t i = 0; i < f->npfns; i++) {
		struct dnode *o = dn_object(pages, NULL);
		dn_hex(o, "pfn", f->pfns[i], 0);
		dn_link(o, "pfn 0x%llx", (unsigned long long)f->pfns[i]);
	}
}

/* WinDbg's !memusage flags; a control area is a kernel address, far above. */
#define MEMUSAGE_FLAGS_MAX 0xf
#define SUMMARY_ONLY 0x8
static const struct windbg_flag memusage_flags[] = {
	{ 0x1, "a summary of the modified no-write pages", FLAG_REFUSED,
	  "the page lists' totals (ModifiedNoWrite among them) are in 'memusage 8'", NULL },
	{ 0x2, "the modified no-write pages in detail", FLAG_REFUSED,
	  "the page lists' totals (ModifiedNoWrite among them) are in 'memusage 8'", NULL },
	{ SUMMARY_ONLY, "the general summary alone", FLAG_DONE, NULL, NULL },
};

static int run_memusage(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	uint64_t ca = 0, flags = 0;
	if (argc > 2)
		return arg_extra(err, &cmd_memusage, argv[2]);
	if (argc == 2 && !parse_number(argv[1], &ca))
		return arg_fail(err, &cmd_memusage, argv[1], "WinDbg flags or a control area (a number)");
	bool has_flags = argc == 2 && ca <= MEMUSAGE_FLAGS_MAX;
	if (has_flags && parse_windbg_flags(argv[0], argv[1], WINDBG_FLAGS(memusage_flags), &flags,
					    err) < 0)
		return -1;
	struct pfn_db db;
	struct mapped_files m;
	if (pfn_db_open(d, &db, err) < 0 || mapped_files_scan(&db, &m, err) < 0)
		return -1;
	if (argc == 2 && !has_flags) {
		const struct mapped_file_use *f = mapped_files_by_control_area(&m, ca);
		if (!f) {
			mapped_files_free(&m);
			return kdx_fail(err, "memusage: 0x%llx is not the control area of a mapped "
					"file with resident pages", (unsigned long long)ca);
		}
		doc_set_title(out, "Mapped file %s", f->name[0] ? f->name : "(no name)");
		add_one_file(f, out->root);
	} else {
		doc_set_title(out, "Memory usage: %llu RAM pages, %zu mapped files",
			      (unsigned long long)db.pages, m.count);
		if (has_flags)
			add_windbg_flags(out->root, flags, WINDBG_FLAGS(memusage_flags));
		add_database(&db, out->root);
		add_lists(&db, &m.totals, out->root);
		if (!(flags & SUMMARY_ONLY)) {
			add_mmst(d, &m, out->root);
			add_files(&m, out->root);
		}
	}
	mapped_files_free(&m);
	return 0;
}

const struct command cmd_memusage = {
	.name = "memusage", .usage = "memusage [FLAGS|CONTROL_AREA]",
	.summary = "PFN database page lists, MmSt, and mapped files by resident pages",
	.windbg = "!memusage",
	.run = run_memusage,
};
