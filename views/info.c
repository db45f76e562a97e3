/* `info`: the dump overview: container, machine, paging, DTB, build, KDBG,
 * processors, bug check with its name and what it usually means. */
#include <string.h>

#include "core/analysis/bugcheck.h"
#include "core/analysis/symbol.h"
#include "core/nt/kdbg.h"
#include "core/nt/pfn.h"
#include "core/nt/pool.h"
#include "core/nt/ustr.h"
#include "core/analysis/tagowner.h"
#include "views/commands.h"
#include "views/vm.h"

static const char *dump_type_name(uint32_t t)
{
	/* doc/dump-format.md 6: DumpType enum. */
	static const char *const names[] = {
		[1] = "full", [2] = "summary", [3] = "header", [4] = "triage",
		[5] = "bitmap-full", [6] = "bitmap-kernel", [7] = "automatic",
		[8] = "rdmp-kernel", [9] = "rdmp-active", [10] = "rdmp-full",
	};
	return t < sizeof names / sizeof names[0] && names[t] ? names[t] : "unknown";
}

/* A driver named by a UNICODE_STRING: its name, and the tag of its
 * allocations, whose blocks the parameter then opens. */
static void driver_param(struct dump *d, struct dnode *decoded, struct dnode *row, uint64_t va)
{
	char name[USTR_MAX];
	uint32_t tag;
	if (!d->kernel || !ustr_read(d, va, name, sizeof name)) {
		dn_null(decoded, "driver");
		dn_link(row, "db 0x%llx", (unsigned long long)va);
		return;
	}
	struct dnode *n = dn_role(dn_str(decoded, "driver", name), ROLE_NAME);
	if (tagowner_driver_tag(d, name, &tag)) {
		char text[5];
		pool_tag_text(tag, text);
		dn_link(n, "poolfind %s", text);
		dn_link(dn_label(dn_str(decoded, "driver_tag", text), "its pool tag"), "poolfind %s",
			text);
		dn_link(row, "poolfind %s", text);
	} else {
		dn_role(dn_label(dn_str(decoded, "driver_tag_why", "none of the 8 tags with the most "
					"live bytes is in its code"), "its pool tag"), ROLE_MUTED);
		dn_link(n, "lm");
		dn_link(row, "lm");
	}
}

/* The Driver Verifier bug checks parameter by parameter, each a link: a
 * pool address opens `pool`, another address its bytes, a driver's name
 * its blocks, a count or flag the verifier's state. */
static void add_decoded(struct dump *d, struct dnode *b, const struct crash_facts *f)
{
	struct bugcheck_decoding dec;
	if (!bugcheck_decode(f->bugcheck_code, f->bugcheck_params, &dec)) {
		dn_label(dn_null(b, "decoded"), "decoded");
		return;
	}
	struct dnode *o = dn_label(dn_object(b, "decoded"), "Decoded");
	dn_role(dn_str(o, "cause", dec.cause), ROLE_DANGER);
	struct dnode *t = dn_label(dn_array(o, "params"), "Parameters");
	/* The module list is read only when a parameter is an address. */
	struct module_list ml = { .count = 0 };
	bool have_modules = false;
	for (int i = 0; i < 4 && !have_modules; i++)
		if (dec.kinds[i] == BUGCHECK_ARG_ADDRESS || dec.kinds[i] == BUGCHECK_ARG_POOL) {
			struct kdx_error merr = { .msg = "" };
			have_modules = d->kernel && modules_read(d, &ml, &merr) == 0;
			break;
		}
	for (int i = 0; i < 4; i++) {
		uint64_t v = f->bugcheck_params[i];
		struct dnode *p = dn_object(t, NULL);
		dn_uint(p, "n", (uint64_t)i + 1);
		dn_role(dn_hex(p, "value", v, 0), ROLE_ADDRESS);
		dn_str(p, "is", dec.params[i] ? dec.params[i] : "reserved");
		const struct module *m = have_modules && dec.kinds[i] != BUGCHECK_ARG_VALUE ?
					 modules_find(&ml, v) : NULL;
		char name[ADDRESS_NAME_MAX];
		if (m)
			address_name(d, m, v, name, sizeof name);
		dn_role(dn_label(dn_str(p, "symbol", m ? name : NULL), "name"), ROLE_NAME);
		switch (dec.kinds[i]) {
		case BUGCHECK_ARG_POOL:
			dn_link(p, "pool 0x%llx", (unsigned long long)v);
			break;
		case BUGCHECK_ARG_ADDRESS:
			dn_link(p, "db 0x%llx", (unsigned long long)v);
			break;
		case BUGCHECK_ARG_DRIVER_NAME:
			driver_param(d, o, p, v);
			break;
		case BUGCHECK_ARG_VALUE:
			dn_link(p, "verifier");
			break;
		}
	}
	if (have_modules)
		modules_free(&ml);
}

/* The bug check as the header states it: code, name, parameters, what it
 * usually means; NULL when there is none. */
static struct dnode *add_bugcheck_facts(struct dnode *root, const struct crash_facts *f)
{
	if (!f->has_bugcheck) {
		dn_label(dn_null(root, "bugcheck"), "bug check");
		return NULL;
	}
	const struct bugcheck_info *bi = bugcheck_lookup(f->bugcheck_code);
	bool sig = bugcheck_signature(f->bugcheck_code, f->bugcheck_params);
	struct dnode *b = dn_label(dn_object(root, "bugcheck"), "Bug check");
	dn_hex(b, "code", f->bugcheck_code, 8);
	dn_role(dn_str(b, "name", bi ? bi->name : NULL), sig ? ROLE_DANGER : ROLE_WARNING);
	struct dnode *p = dn_array(b, "params");
	for (int i = 0; i < 4; i++)
		dn_hex(p, NULL, f->bugcheck_params[i], 0);
	dn_str(b, "meaning", bi ? bi->meaning : NULL);
	return b;
}

static void add_bugcheck(struct dump *d, struct dnode *root, const struct crash_facts *f)
{
	struct dnode *b = add_bugcheck_facts(root, f);
	if (!b)
		return;
	const char *sig = bugcheck_signature(f->bugcheck_code, f->bugcheck_params);
	if (sig)
		dn_link(dn_role(dn_str(b, "signature", sig), ROLE_DANGER), "stacks" LINK_ROW_MARK "0");
	add_decoded(d, b, f);
}

/* The one line of the overview: the column and the checks it passed, or
 * what calibration left unknown (core/nt/layout_calib.h). */
static void add_layout_line(const struct dump_layout *l, struct dnode *root)
{
	unsigned run = 0, passed = 0, unknown = 0, calibrated = 0;
	for (unsigned i = 0; i < l->nchecks; i++) {
		run += l->check[i].run;
		passed += l->check[i].passed;
	}
	for (size_t i = 0; i < LAYOUT_FIELDS; i++) {
		unknown += l->source[i] == LAYOUT_UNKNOWN && layout_field_value(l->profile, &layout_fields[i]) == PROF_ABSENT;
		calibrated += l->source[i] == LAYOUT_CALIBRATED;
	}
	struct dnode *n;
	if (l->nearest)
		n = dn_strf(root, "layouts", "calibrated from %s (%s): %u of %u checks passed, %u "
			    "fields found, %u unknown", l->profile->name, l->profile->taken_from, passed,
			    run, calibrated, unknown);
	else if (!run)
		n = dn_strf(root, "layouts", "table %s, unchecked: no process list in the dump to "
			    "check it against", l->profile->taken_from);
	else
		n = dn_strf(root, "layouts", "table %s, %u of %u checks passed%s", l->profile->taken_from,
			    passed, run, calibrated ? ", some fields calibrated" : "");
	dn_link(dn_role(n, passed < run || unknown || calibrated ? ROLE_WARNING : ROLE_NORMAL),
		"info -v");
}

/* info -v: per table, where its fields came from; the checks one by one. */
static void add_layout_detail(const struct dump_layout *l, struct dnode *o)
{
	static const char *const kinds[] = {
		[LAYOUT_FROM_TABLE] = "table", [LAYOUT_FROM_FILE] = "file", [LAYOUT_FROM_KDBG] = "KDBG",
		[LAYOUT_CALIBRATED] = "calibrated", [LAYOUT_UNKNOWN] = "unknown",
	};
	struct dnode *t = dn_label(dn_array(o, "tables"), "Fields by source");
	for (size_t i = 0; i < LAYOUT_TABLES; i++) {
		unsigned count[LAYOUT_UNKNOWN + 1] = { 0 };
		for (size_t k = 0; k < LAYOUT_FIELDS; k++) {
			const struct layout_field *f = &layout_fields[k];
			if (strcmp(f->table, l->profile->origin[i].table) == 0 &&
			    (f->kind == LAYOUT_OFF || f->kind == LAYOUT_SIZE || f->kind == LAYOUT_BITS) &&
			    (l->source[k] == LAYOUT_UNKNOWN ||
			     layout_field_value(l->profile, f) != PROF_ABSENT))
				count[l->source[k]]++;
		}
		struct dnode *r = dn_object(t, NULL);
		dn_label(dn_strf(r, "column", "%s%s", l->profile->origin[i].taken_from,
				 l->nearest && !count[LAYOUT_CALIBRATED] && !count[LAYOUT_UNKNOWN] ?
				 " (nearest build, unchecked)" : ""), "column taken from");
		dn_str(r, "structure", l->profile->origin[i].table);
		for (int s = LAYOUT_FROM_TABLE; s <= LAYOUT_UNKNOWN; s++)
			dn_uint(r, kinds[s], count[s]);
	}
	struct dnode *c = dn_label(dn_array(o, "checks"), "Checks of the dump's structures");
	for (unsigned i = 0; i < l->nchecks; i++) {
		struct dnode *r = dn_object(c, NULL);
		dn_str(r, "check", l->check[i].name);
		dn_role(dn_str(r, "result", !l->check[i].run ? "not run" :
			       l->check[i].passed ? "passed" : "failed"),
			!l->check[i].run ? ROLE_MUTED : l->check[i].passed ? ROLE_OK : ROLE_WARNING);
		if (l->check[i].run)
			dn_strf(r, "items", "%u of %u %s", l->check[i].passing, l->check[i].tested,
				l->check[i].unit);
		else
			dn_null(r, "items");
	}
}

/* Which built-in column the structure panes read, and what the KDBG's own
 * offsets and sizes said of it (core/nt/layout_kdbg.h). */
static void add_layout(const struct dump *d, struct dnode *root, bool verbose)
{
	const struct dump_layout *l = &d->layout;
	if (l->profile)
		add_layout_line(l, root);
	else
		dn_null(root, "layouts");
	struct dnode *o = dn_label(dn_object(root, "layout"), "Structure layout");
	if (!l->profile) {
		dn_null(o, "name");
		dn_role(dn_label(dn_str(o, "meaning", d->os[0] ? "a Linux kernel: kdx reads no Linux "
					"structures yet, only its pages and page tables" :
					"unknown build: kdx has no layout for it, so "
					"the panes that read kernel structures are unavailable"), "meaning"),
			d->os[0] ? ROLE_NORMAL : ROLE_WARNING);
		return;
	}
	dn_str(o, "name", l->profile->name);
	dn_str(o, "description", l->profile->description);
	if (l->file)
		dn_label(dn_str(o, "file", l->file), "changed by");
	dn_label(dn_uint(o, "kdbg_checked", l->kdbg_checked), "KDBG offsets");
	dn_label(dn_uint(o, "kdbg_agreed", l->kdbg_agreed), "agreeing");
	struct dnode *p = dn_label(dn_uint(o, "kdbg_patched", l->kdbg_patched), "taken from KDBG");
	if (l->kdbg_patched)
		dn_role(p, ROLE_WARNING);
	if (l->passed_over)
		dn_label(dn_str(o, "passed_over", l->passed_over->name), "chosen over");
	else
		dn_label(dn_null(o, "passed_over"), "chosen over");
	/* Why no KDBG offset checked the column: no KDBG, one too short to hold
	 * them (XP's), or one that left them zero. */
	if (!l->kdbg_checked && !l->nearest)
		dn_str(o, "meaning", !d->has_kdbg ? "no KDBG was read from this dump: the column is "
		       "the build's, unchecked" : d->kdbg_size <= KDBG_OFFSET_KTHREAD_NEXT_PROCESSOR ?
		       "the KDBG holds no structure offsets (it does from Windows Server 2003 on): "
		       "the column is the build's, unchecked" : "the KDBG's structure offsets are "
		       "all zero: the column is the build's, unchecked");
	if (verbose)
		add_layout_detail(l, o);
}

static int run_info(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	bool verbose = false, walks = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (strcmp(argv[i], "-w") == 0)
			walks = true;
		else
			return arg_fail(err, &cmd_info, argv[i], "-v or -w");
	}
	const struct source *s = d->src;
	const struct crash_facts *f = &s->facts;
	struct dnode *r = out->root;
	doc_set_title(out, "Dump overview");
	dn_str(r, "file", s->path);
	dn_str(r, "format", s->format);
	dn_str(r, "description", s->description);
	if (f->has_crash_header) {
		dn_label(dn_uint(r, "dump_type", f->dump_type), "dump type");
		dn_label(dn_str(r, "dump_type_name", dump_type_name(f->dump_type)), "dump type name");
	} else {
		dn_label(dn_null(r, "dump_type"), "dump type");
		dn_label(dn_null(r, "dump_type_name"), "dump type name");
	}
	dn_str(r, "machine", d->machine == MACHINE_UNKNOWN ? NULL : machine_name(d->machine));
	/* A Linux guest (VMCOREINFO): said plainly, not as a Windows kernel not found. */
	if (d->os[0])
		dn_label(dn_strf(r, "kernel", "%s: no Windows kernel; %s", d->os, d->has_dtb ?
				 "page-level panes work" : "only physical views work"), "kernel");
	else
		dn_flags(dn_label(dn_null(r, "kernel"), "kernel"), DN_JSON_ONLY);
	const struct paging_desc *pd = paging_desc(d->paging);
	dn_str(r, "paging", pd ? pd->name : NULL);
	if (d->has_dtb) {
		dn_link(dn_label(dn_hex(r, "cr3", d->dtb, 0), "CR3 (DTB)"), "!dq 0x%llx",
			(unsigned long long)d->dtb);
		dn_label(dn_str(r, "cr3_origin", d->dtb_origin), "CR3 from");
	} else {
		dn_label(dn_null(r, "cr3"), "CR3 (DTB)");
	}
	if (d->has_build)
		dn_uint(r, "build", d->build);
	else
		dn_null(r, "build");
	if (d->has_kdbg) {
		dn_link(dn_label(dn_hex(r, "kdbg", d->kdbg_va, 0), "KDBG"), "dq 0x%llx",
			(unsigned long long)d->kdbg_va);
		dn_label(dn_str(r, "kdbg_origin", d->kdbg_origin), "KDBG from");
		dn_label(dn_hex(r, "kdbg_size", d->kdbg_size, 0), "KDBG size");
	} else if (f->has_kdbg) {
		/* The header states where it is even when the dump cannot show it. */
		dn_label(dn_hex(r, "kdbg", f->kdbg_va, 0), "KDBG");
		dn_role(dn_label(dn_str(r, "kdbg_origin", "crash header (block not readable)"),
				 "KDBG from"), ROLE_WARNING);
	} else {
		dn_label(dn_null(r, "kdbg"), "KDBG");
	}
	if (d->processors)
		dn_uint(r, "processors", d->processors);
	else
		dn_null(r, "processors");
	add_bugcheck(d, r, f);
	dn_label(dn_uint(r, "physical_pages", s->present_pages), "physical pages");
	/* A filtered dump (makedumpfile -d 31) stores fewer pages than the RAM it maps. */
	if (s->ram_pages)
		dn_label(dn_uint(r, "ram_pages", s->ram_pages), "RAM pages");
	else
		dn_flags(dn_label(dn_null(r, "ram_pages"), "RAM pages"), DN_JSON_ONLY);
	if (!f->holds_memory)
		dn_role(dn_label(dn_str(r, "memory", "this dump holds no full memory: only its "
					"header facts can be shown"), "memory"), ROLE_WARNING);
	if (f->comment[0])
		dn_str(r, "comment", f->comment);
	/* O(1) by default: what walks the page tables fills in on request. */
	if (d->has_kdbg &&
	    vm_summary_to_doc(d, walks, dn_label(dn_object(r, "memory"), "Memory summary")) &&
	    !walks)
		doc_set_refine(out, "info%s -w", verbose ? " -v" : "");
	add_layout(d, r, verbose);
	/* What reading the dump met, apart from the memory summary's own. */
	struct dnode *w = dn_label(dn_array(r, "warnings"), "dump warnings");
	for (size_t i = 0; i < d->warnings.count; i++)
		dn_role(dn_str(w, NULL, d->warnings.items[i]), ROLE_WARNING);
	if (verbose) {
		struct dnode *c = dn_label(dn_array(r, "reader_choices"), "reader choices");
		for (size_t i = 0; i < s->choices.count; i++)
			dn_str(c, NULL, s->choices.items[i]);
		struct pfn_db db;
		if (pfn_db_open(d, &db, NULL) == 0)
			dn_strf(c, NULL, "PFN database 0x%llx: %s", (unsigned long long)db.base,
				db.base_origin);
		struct dnode *rg = dn_label(dn_array(r, "ranges"), "Physical ranges");
		for (size_t i = 0; i < s->nranges; i++) {
			struct dnode *o = dn_object(rg, NULL);
			dn_link(dn_hex(o, "start", s->ranges[i].start, 0), "!db 0x%llx",
				(unsigned long long)s->ranges[i].start);
			dn_hex(o, "end", s->ranges[i].end, 0);
			dn_uint(o, "pages", (s->ranges[i].end - s->ranges[i].start) / KDX_PAGE_SIZE);
		}
	}
	return 0;
}

bool info_header_doc(const char *path, struct doc *out)
{
	struct crash_facts f;
	char description[96];
	if (!source_read_header(path, &f, description, sizeof description))
		return false;
	doc_init(out, "info");
	doc_set_title(out, "What the header of %s states", path);
	struct dnode *r = out->root;
	dn_span(dn_text(r), ROLE_WARNING, "The dump cannot be read; its header states:");
	dn_str(r, "file", path);
	dn_str(r, "description", description);
	dn_label(dn_uint(r, "dump_type", f.dump_type), "dump type");
	dn_str(r, "machine", machine_name(f.machine));
	const struct paging_desc *pd = paging_desc(f.paging);
	dn_str(r, "paging", pd ? pd->name : NULL);
	if (f.has_dtb)
		dn_label(dn_hex(r, "dtb", f.dtb, 0), "DirectoryTableBase");
	else
		dn_label(dn_null(r, "dtb"), "DirectoryTableBase");
	if (f.has_build)
		dn_uint(r, "build", f.build);
	else
		dn_null(r, "build");
	if (f.has_kdbg)
		dn_label(dn_hex(r, "kdbg", f.kdbg_va, 0), "KDBG");
	else
		dn_label(dn_null(r, "kdbg"), "KDBG");
	dn_uint(r, "processors", f.processors);
	add_bugcheck_facts(r, &f);
	if (f.comment[0])
		dn_str(r, "comment", f.comment);
	return true;
}

const struct command cmd_info = {
	.name = "info", .usage = "info [-v] [-w]",
	.summary = "dump overview: format, machine, paging, CR3, build, KDBG, bug check; "
		   "-w counts the figures that walk page tables",
	.windbg = "vertarget; .bugcheck", .aliases = { "vertarget", ".bugcheck" },
	.without_memory = true,
	.run = run_info,
};
