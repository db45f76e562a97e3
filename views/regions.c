/* `layout`: the system regions, coloured by kind, with a proportional bar
 * of the address space; `layout REGION [DTB]`: a walk of the region's page
 * tables with counts per entry state and the mapped ranges. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/nt/special_pool.h"
#include "core/xlat/layout.h"
#include "core/xlat/walk.h"
#include "views/commands.h"
#include "views/vtop.h"

#define HEX(v) ((unsigned long long)(v))
#define BAR_WIDTH 64

static const struct {
	enum region_kind kind;
	enum role role;
	char letter;
} kinds[] = {
	{ REGION_USER, ROLE_REGION_USER, 'U' },
	{ REGION_IMAGE, ROLE_REGION_IMAGE, 'I' },
	{ REGION_PAGE_TABLES, ROLE_REGION_PAGE_TABLES, 'T' },
	{ REGION_HYPERSPACE, ROLE_REGION_HYPERSPACE, 'H' },
	{ REGION_CACHE, ROLE_REGION_CACHE, 'C' },
	{ REGION_PAGED_POOL, ROLE_REGION_PAGED_POOL, 'P' },
	{ REGION_NONPAGED_POOL, ROLE_REGION_NONPAGED_POOL, 'N' },
	{ REGION_SYSTEM_PTES, ROLE_REGION_SYSTEM_PTES, 'S' },
	{ REGION_SESSION, ROLE_REGION_SESSION, 'X' },
	{ REGION_PFN, ROLE_REGION_PFN, 'F' },
	{ REGION_HAL, ROLE_REGION_HAL, 'L' },
	{ REGION_DYNAMIC, ROLE_REGION_UNUSED, 'D' },
	{ REGION_SPECIAL_POOL, ROLE_REGION_NONPAGED_POOL, 'V' },
	{ REGION_DIRECT_MAP, ROLE_REGION_CACHE, 'M' },
	{ REGION_VMALLOC, ROLE_REGION_SYSTEM_PTES, 'A' },
	{ REGION_VMEMMAP, ROLE_REGION_PFN, 'E' },
	{ REGION_UNUSED, ROLE_REGION_UNUSED, '-' },
};

static size_t kind_slot(enum region_kind k)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == k)
			return i;
	return sizeof kinds / sizeof kinds[0] - 1;
}

/* "512 GiB", "4 KiB", "1.5 MiB". */
static void human_size(uint64_t bytes, char *buf, size_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	size_t u = 0;
	uint64_t whole = bytes, rem = 0;
	while (whole >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	unsigned tenth = (unsigned)(rem * 10 / 1024);
	if (tenth)
		snprintf(buf, n, "%llu.%u %s", HEX(whole), tenth, units[u]);
	else
		snprintf(buf, n, "%llu %s", HEX(whole), units[u]);
}

/* Size of an inclusive range; a range covering all 2^64 saturates. */
static uint64_t range_size(uint64_t start, uint64_t end)
{
	uint64_t s = end - start + 1;
	return s ? s : UINT64_MAX;
}

static void add_region_fields(struct dnode *o, const struct region *g)
{
	char size[32];
	human_size(range_size(g->start, g->end), size, sizeof size);
	dn_str(o, "name", g->name);
	dn_hex(o, "start", g->start, 0);
	dn_hex(o, "end", g->end, 0);
	dn_flags(dn_hex(o, "size", range_size(g->start, g->end), 0), DN_JSON_ONLY);
	dn_flags(dn_label(dn_str(o, "size_text", size), "size"), DN_RIGHT);
	dn_role(dn_str(o, "kind", region_kind_name(g->kind)), kinds[kind_slot(g->kind)].role);
	dn_str(o, "source", region_source_name(g->source));
	dn_label(dn_str(o, "source_detail", g->source_detail), "from");
	dn_str(o, "description", g->description);
}

/* One bar over [lo, hi]: each cell shows the region covering most of it;
 * every region in the span keeps at least one cell. Its bounds are printed
 * digits wide, the same for every bar, so the bars start in one column. */
static void add_bar(struct dnode *root, const struct region_list *l, uint64_t lo, uint64_t hi,
		    const char *label, int digits)
{
	int cell_region[BAR_WIDTH];
	uint64_t best[BAR_WIDTH] = { 0 };
	uint64_t span = (hi - lo) / BAR_WIDTH + 1;
	for (int c = 0; c < BAR_WIDTH; c++)
		cell_region[c] = -1;
	for (size_t i = 0; i < l->count; i++) {
		const struct region *g = &l->items[i];
		if (g->nested || g->end < lo || g->start > hi)
			continue;
		uint64_t s = g->start < lo ? lo : g->start, e = g->end > hi ? hi : g->end;
		int first = (int)((s - lo) / span), last = (int)((e - lo) / span);
		bool any = false;
		for (int c = first; c <= last && c < BAR_WIDTH; c++) {
			uint64_t cs = lo + (uint64_t)c * span, ce = cs + span - 1;
			uint64_t os = s > cs ? s : cs, oe = e < ce ? e : ce;
			uint64_t overlap = oe - os + 1;
			if (overlap > best[c]) {
				best[c] = overlap;
				cell_region[c] = (int)i;
				any = true;
			}
		}
		if (!any && first < BAR_WIDTH)
			cell_region[first] = (int)i;
	}
	struct dnode *t = dn_text(root);
	dn_span(t, ROLE_LABEL, "%-7s %0*llx ", label, digits, HEX(lo));
	for (int c = 0; c < BAR_WIDTH; c++) {
		if (cell_region[c] < 0) {
			dn_span(t, ROLE_MUTED, ".");
			continue;
		}
		const struct region *g = &l->items[cell_region[c]];
		size_t k = kind_slot(g->kind);
		dspan_link(dn_span(t, kinds[k].role, "%c", kinds[k].letter), "layout %s", g->name);
	}
	dn_span(t, ROLE_LABEL, " %0*llx", digits, HEX(hi));
}

static void add_legend(struct dnode *root)
{
	struct dnode *t = dn_text(root);
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		dn_span(t, kinds[k].role, "%c %s  ", kinds[k].letter, region_kind_name(kinds[k].kind));
}

static void add_self_map(struct dnode *root, const struct self_map *s)
{
	struct dnode *o = dn_label(dn_object(root, "self_map"), "PTE self-map");
	dn_bool(o, "found", s->found);
	dn_label(dn_hex(o, "index", s->index, 0), "slot");
	dn_label(dn_hex(o, "pte_base", s->pte_base, 0), "PTE base");
	dn_label(dn_hex(o, "pde_base", s->pde_base, 0), "PDE base");
	dn_str(o, "source", region_source_name(s->source));
	if (s->kdbg_checked)
		dn_role(dn_label(dn_bool(o, "kdbg_agrees", s->kdbg_agrees), "KDBG PteBase agrees"),
			s->kdbg_agrees ? ROLE_OK : ROLE_DANGER);
	else
		dn_label(dn_null(o, "kdbg_agrees"), "KDBG PteBase agrees");
}

/* The layout, and the special pool where its pages show it. */
static int build(struct dump *d, struct region_list *l, struct special_pool_search *sp,
		 struct kdx_error *err)
{
	memset(sp, 0, sizeof *sp);
	if (layout_build(d, l, err) < 0)
		return -1;
	/* a Linux kernel has neither self-map nor special pool */
	if (!d->os[0] && special_pool_find(d, l, sp, err) < 0) {
		region_list_free(l);
		return -1;
	}
	return 0;
}

static void add_special_pool(struct dnode *root, const struct dump *d,
			     const struct special_pool_search *sp)
{
	struct dnode *o = dn_label(dn_object(root, "special_pool"), "Special pool");
	dn_bool(o, "searched", sp->searched_pool);
	if (sp->searched_pool) {
		dn_uint(o, "pages", sp->pages);
		dn_uint(o, "paged", sp->paged);
		dn_label(dn_str(o, "regions_searched", sp->searched), "regions searched");
		dn_label(dn_uint(o, "checked", sp->checked), "pages read");
		dn_role(dn_bool(o, "truncated", sp->truncated),
			sp->truncated ? ROLE_WARNING : ROLE_NORMAL);
	}
	const char *note = !d->layout.profile ? "no layout for this build: special pool pages "
		"cannot be told" : !sp->searched_pool ? "off: MmVerifierData's Level has no special "
		"pool flag and MmSpecialPoolTag is 0, so kdx did not look for its pages"
		: sp->pages ? "the regions named special-pool span the pages "
		"found; the special pool's own bounds are kernel variables (XP/2003 "
		"MmSpecialPoolStart/End, later the system VA type map) that no KDBG field names"
		: "no special pool page found where this build keeps it: Driver Verifier's special "
		"pool is off, empty, or its pages are not in the dump; its bounds are kernel "
		"variables that no KDBG field names";
	dn_role(dn_str(o, "note", note), sp->pages ? ROLE_NORMAL : ROLE_MUTED);
}

static int run_list(struct dump *d, struct doc *out, struct kdx_error *err)
{
	struct region_list l;
	struct special_pool_search sp;
	if (build(d, &l, &sp, err) < 0)
		return -1;
	doc_set_title(out, "Virtual address layout: %s", l.layout_name);
	struct dnode *root = out->root;
	dn_str(root, "layout", l.layout_name);
	dn_role(dn_label(dn_str(root, "layout_note", l.layout_note), "note"), ROLE_MUTED);
	dn_bool(root, "dynamic", l.dynamic);
	if (l.dynamic) {
		struct dnode *t = dn_text(root);
		dn_span(t, ROLE_WARNING, "System VA is assigned dynamically on this build: regions "
			"named dynamic-N are what the kernel's page directory reveals.");
	}
	const struct paging_desc *m = xlat_mode(d->kernel);
	if (m->va_bits == 48) {
		add_bar(root, &l, 0, 0x7fffffffffffull, "user", 16);
		add_bar(root, &l, 0xffff800000000000ull, UINT64_MAX, "system", 16);
	} else {
		add_bar(root, &l, 0, 0xffffffffu, "4 GiB", 8);
	}
	add_legend(root);
	if (l.warning[0])
		dn_role(dn_str(root, "warning", l.warning), ROLE_WARNING);
	if (!d->os[0])
		add_self_map(root, &l.self_map);
	struct dnode *rows = dn_label(dn_array(root, "regions"), "Regions");
	for (size_t i = 0; i < l.count; i++) {
		const struct region *g = &l.items[i];
		struct dnode *o = dn_object(rows, NULL);
		add_region_fields(o, g);
		dn_flags(dn_bool(o, "nested", g->nested), DN_JSON_ONLY);
		dn_role(o, kinds[kind_slot(g->kind)].role);
		dn_link(o, "layout %s", g->name);
	}
	if (!d->os[0])
		add_special_pool(root, d, &sp);
	region_list_free(&l);
	return 0;
}

/* The entries by state: a Linux kernel's states, or Windows'. */
static void add_counts(struct dnode *root, const struct region_walk *w, bool is_linux)
{
	struct dnode *c = dn_label(dn_object(root, "counts"), "Entries");
	dn_role(dn_uint(c, "valid", w->valid), ROLE_PTE_VALID);
	dn_role(dn_uint(c, "large", w->large), ROLE_PTE_LARGE);
	if (is_linux) {
		dn_role(dn_uint(c, "swap", w->swap), ROLE_PTE_PAGEFILE);
		dn_role(dn_label(dn_uint(c, "prot_none", w->prot_none), "PROT_NONE"),
			ROLE_PTE_TRANSITION);
	} else {
		dn_role(dn_uint(c, "transition", w->transition), ROLE_PTE_TRANSITION);
		dn_role(dn_uint(c, "pagefile", w->pagefile), ROLE_PTE_PAGEFILE);
		dn_role(dn_uint(c, "prototype", w->prototype), ROLE_PTE_PROTOTYPE);
		dn_role(dn_uint(c, "vad", w->vad), ROLE_PTE_PROTOTYPE);
		dn_role(dn_label(dn_uint(c, "demand_zero", w->demand_zero), "demand zero"),
			ROLE_PTE_DEMAND_ZERO);
		dn_role(dn_label(dn_uint(c, "no_access", w->no_access), "no access"),
			ROLE_PTE_NOT_PRESENT);
	}
	dn_role(dn_uint(c, "empty", w->empty), ROLE_PTE_EMPTY);
	dn_label(dn_uint(c, "absent_pages", w->absent_pages), "pages under absent tables");
	dn_label(dn_uint(c, "not_in_dump_pages", w->not_in_dump_pages), "pages under tables not in dump");
	dn_label(dn_uint(c, "tables", w->tables), "tables read");
	dn_role(dn_label(dn_bool(c, "truncated", w->tables_truncated || w->ranges_truncated),
			 "truncated"), w->tables_truncated || w->ranges_truncated ? ROLE_WARNING
										 : ROLE_NORMAL);
}

/* The walk's non-zero not-present entries, each opening its PTE pane in the
 * space walked (space: " DTB" or ""). */
static void add_absent_entries(struct dnode *root, const struct region_walk *w, enum paging mode,
			       bool is_linux, const char *space)
{
	const struct paging_desc *pd = paging_desc(mode);
	const char *const *names = is_linux ? pd->linux_level_names : pd->level_names;
	struct dnode *rows = dn_label(dn_array(root, "not_present"), "Not-present entries");
	for (size_t i = 0; i < w->nabsent; i++) {
		const struct absent_entry *e = &w->absent[i];
		struct dnode *o = dn_object(rows, NULL);
		dn_label(dn_hex(o, "va", e->va, 0), "address");
		dn_str(o, "level", names[e->level]);
		dn_label(dn_hex(o, "entry_address", e->entry_address, 0), "entry address");
		dn_hex(o, "entry", e->raw, pd->entry_size * 2);
		dn_role(dn_str(o, "state", pte_state_name(e->state)), pte_state_role(e->state));
		dn_link(o, "pte 0x%llx%s", HEX(e->va), space);
	}
	if (w->absent_truncated)
		dn_span(dn_text(root), ROLE_WARNING, "only the first %d not-present entries are listed",
			LAYOUT_MAX_ABSENT);
}

/* Builds the `layout REGION [DTB]` document into out (already initialised).
 * dtb 0: the kernel's address space. Cancelling fails (core/util/progress.h). */
static int regions_walk_doc(struct dump *d, const char *region, uint64_t dtb,
			    const struct progress *progress, struct doc *out,
			    struct kdx_error *err)
{
	struct region_list l;
	struct special_pool_search sp;
	if (build(d, &l, &sp, err) < 0)
		return -1;
	const struct region *g = region_find(&l, region);
	if (!g) {
		region_list_free(&l);
		return kdx_fail(err, "layout: %s: no such region (try 'layout')", region);
	}
	struct pte_context ctx;
	layout_pte_context(d, &ctx);
	const struct paging_desc *m = xlat_mode(d->kernel);
	uint64_t top = dtb ? dtb & m->dtb_mask : xlat_dtb(d->kernel);
	struct region_walk w;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char what[48];
	snprintf(what, sizeof what, "walking %s", g->name);
	int r = layout_walk(d->src, &ctx, top, g->start, g->end, progress, what, &w, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r < 0) {
		region_list_free(&l);
		return -1;
	}
	doc_set_title(out, "Region %s: %s", g->name, g->description);
	struct dnode *root = out->root;
	add_region_fields(dn_label(dn_object(root, "region"), "Region"), g);
	dn_label(dn_hex(root, "dtb", top, 0), "DTB");
	add_counts(root, &w, ctx.format && ctx.format->swap.count);
	struct dnode *t = dn_text(root);
	dn_span(t, ROLE_MUTED, "walked %llu tables in %.3f s", HEX(w.tables),
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* Links stay in the address space walked. */
	char space[24] = "";
	if (dtb)
		snprintf(space, sizeof space, " 0x%llx", HEX(top));
	struct dnode *rows = dn_label(dn_array(root, "ranges"), "Mapped ranges");
	for (size_t i = 0; i < w.nranges; i++) {
		const struct mapped_range *mr = &w.ranges[i];
		struct dnode *o = dn_object(rows, NULL);
		dn_link(dn_hex(o, "start", mr->start, 0), "db 0x%llx%s", HEX(mr->start), space);
		dn_hex(o, "end", mr->end, 0);
		dn_uint(o, "pages", mr->pages);
		dn_bool(o, "large", mr->large);
		dn_link(dn_str(o, "open", "pte"), "pte 0x%llx%s", HEX(mr->start), space);
		dn_link(o, "pte 0x%llx%s", HEX(mr->start), space);
		if (mr->large)
			dn_role(o, ROLE_PTE_LARGE);
	}
	add_absent_entries(root, &w, d->paging, d->os[0] != 0, space);
	region_walk_free(&w);
	region_list_free(&l);
	return 0;
}

static int run_layout(struct dump *d, int argc, char **argv, struct doc *out,
		      struct kdx_error *err)
{
	if (!d->kernel)
		return kdx_fail(err, "layout: no kernel page tables known for this dump");
	if (argc == 1)
		return run_list(d, out, err);
	uint64_t dtb = 0;
	if (argc > 3)
		return arg_extra(err, &cmd_layout, argv[3]);
	if (argc == 3 && !parse_number(argv[2], &dtb))
		return arg_fail(err, &cmd_layout, argv[2], "a DTB (a number)");
	return regions_walk_doc(d, argv[1], dtb, d->progress, out, err);
}

const struct command cmd_layout = {
	.name = "layout", .usage = "layout [REGION [DTB]]",
	.summary = "system address-space regions; REGION walks its page tables",
	.windbg = "!vm 20",
	.run = run_layout,
};
