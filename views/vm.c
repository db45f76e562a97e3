/* `vm [FLAGS]`: WinDbg !vm's figures, each as pages and KB, with the
 * warnings; WinDbg's flags are answered one by one. */
#include "views/vm.h"

#include "core/analysis/memsummary.h"
#include "core/util/percent.h"
#include "views/commands.h"

bool vm_summary_to_doc(struct dump *d, bool walks, struct dnode *parent)
{
	struct mem_summary s;
	memsummary_build(d, walks, &s);
	bool pending = false;
	struct dnode *w = dn_array(parent, "warnings");
	for (size_t i = 0; i < s.nwarnings; i++)
		dn_link(dn_role(dn_str(w, NULL, s.warnings[i]), ROLE_DANGER), "poolused" LINK_ROW_MARK "0");
	struct dnode *t = dn_label(dn_array(parent, "figures"), "Figures");
	for (size_t i = 0; i < s.count; i++) {
		const struct mem_figure *f = &s.figures[i];
		struct dnode *o = dn_object(t, NULL);
		dn_flags(dn_str(o, "name", f->name), DN_JSON_ONLY);
		dn_label(dn_str(o, "label", f->label), "figure");
		dn_flags(dn_bool(o, "pending", f->pending), DN_JSON_ONLY);
		pending |= f->pending;
		if (f->has) {
			struct dnode *pg = dn_uint(o, "pages", f->pages);
			dn_uint(o, "kb", f->pages * (KDX_PAGE_SIZE / 1024));
			if (f->percent_of >= 0 && s.figures[f->percent_of].has &&
			    s.figures[f->percent_of].pages) {
				unsigned pct = percent_of(f->pages, s.figures[f->percent_of].pages);
				dn_role(pg, pct > 95 ? ROLE_DANGER : pct > 80 ? ROLE_WARNING : ROLE_OK);
				dn_label(dn_strf(o, "share", "%u%%", pct), "of max");
			} else {
				dn_label(dn_str(o, "share", ""), "of max");
			}
		} else {
			dn_role(dn_null(o, "pages"), ROLE_MUTED);
			dn_role(dn_null(o, "kb"), ROLE_MUTED);
			dn_label(dn_str(o, "share", ""), "of max");
		}
		dn_role(dn_str(o, "source", f->source), ROLE_MUTED);
	}
	/* WinDbg's "N pool allocations have failed" counts kernel variables
	 * that no KDBG field or table in data/layouts names. */
	dn_role(dn_label(dn_null(parent, "pool_allocation_failures"), "pool allocations failed"),
		ROLE_MUTED);
	dn_role(dn_label(dn_str(parent, "pool_allocation_failures_source",
				"unavailable without symbols: no KDBG field names the counters"),
			 "  why"), ROLE_MUTED);
	if (s.has_paging_files)
		dn_label(dn_uint(parent, "paging_files", s.paging_files), "paging files");
	else
		dn_label(dn_null(parent, "paging_files"), "paging files");
	return pending;
}

#define SESSIONS 0x4
static const struct windbg_flag vm_flags[] = {
	{ 0x1, "omit the per-process statistics (kdx shows none)", FLAG_DONE, NULL, NULL },
	{ 0x2, "memory management thread stacks", FLAG_NOTE,
	  "not implemented; kf THREAD unwinds a thread's stack", "stacks" },
	{ SESSIONS, "terminal server (session) memory usage", FLAG_NOTE,
	  "the sessions are listed below with their pool bounds; each one's pool and commit "
	  "usage is not implemented", NULL },
	{ 0x8, "the page file write log", FLAG_NOTE, "not implemented", NULL },
	{ 0x10, "working set owner thread stacks", FLAG_NOTE, "not implemented", NULL },
	{ 0x20, "kernel virtual address usage", FLAG_NOTE, "that is `layout`", "layout" },
};

static int run_vm(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	uint64_t flags = 0;
	if (argc > 2)
		return arg_extra(err, &cmd_vm, argv[2]);
	if (argc == 2 && parse_windbg_flags(argv[0], argv[1], WINDBG_FLAGS(vm_flags), &flags,
					    err) < 0)
		return -1;
	if (d->os[0])
		return dump_need_structures(d, "vm", err);
	if (!d->has_kdbg)
		return kdx_fail(err, "vm: no KDBG in this dump: the memory variables are unknown");
	doc_set_title(out, "Virtual memory usage");
	if (argc == 2)
		add_windbg_flags(out->root, flags, WINDBG_FLAGS(vm_flags));
	vm_summary_to_doc(d, true, out->root);
	if (flags & SESSIONS) {
		char *session[] = { "session", NULL };
		if (cmd_session.run(d, 1, session, out, err) < 0)
			return -1;
		doc_set_title(out, "Virtual memory usage and sessions");
	}
	return 0;
}

const struct command cmd_vm = {
	.name = "vm", .usage = "vm [FLAGS]",
	.summary = "memory summary: available pages, pool usage and maximum, PTEs, commit",
	.windbg = "!vm",
	.run = run_vm,
};
