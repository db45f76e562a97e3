/* Mapped files (doc/structures.md §9): per file a FILE_OBJECT named
 * by its SECTION_OBJECT_POINTERS' CONTROL_AREA, the first SUBSECTION right
 * after the control area, and a SEGMENT whose prototype PTEs (inline on
 * XP..7, a separate array on 10) sit behind a pool-header-sized gap, so
 * SubsectionBase is never page aligned. Each prototype PTE is valid (an
 * active page), in transition (a standby page) or in subsection format
 * (not resident; doc/address-space.md §2.4/2.5). XP's subsection encoding rests on
 * an undecided WhichPool convention (§2.3), so XP files are fully
 * resident. Two teaching addresses beside the "prototype" one name a
 * transition and a subsection prototype PTE of the first file (its first
 * pages hold each state whatever the seed), so a decoder following
 * prototypes (§2.1) meets both. */
#include "tests/gen/world_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gen/world_build.h"

static const char *const file_names[] = {
	"\\Windows\\System32\\config\\SOFTWARE",
	"\\Windows\\System32\\config\\SYSTEM",
	"\\ProgramData\\Microsoft\\Search\\Data\\Applications\\Windows\\Windows.edb",
	"\\Windows\\System32\\LogFiles\\WMI\\RtBackup\\EtwRTEventLog.etl",
	"\\Users\\Public\\Documents\\archive.dat",
	"\\Windows\\System32\\catroot2\\edb.log",
};
#define POOL_GAP 0x10u                /* where a pool header would be */
#define FILE_OBJECT_AT 0x200u         /* inside the control-area page */
#define SOP_AT 0x400u
#define NAME_AT 0x440u
enum { MM_READWRITE = 4 };             /* doc/address-space.md §2.7 */

static void kput_ptr(struct world *w, uint64_t va, uint64_t v)
{
	world_kput(w, va, v, w->profile->ptr_size);
}

static void build_file(struct world *w, struct world_file *f, const char *name)
{
	const struct prof_section *S = w->profile->section;
	unsigned ps = w->profile->ptr_size;
	unsigned es = (unsigned)paging_desc(w->profile->paging)->entry_size;
	bool fully_resident = w->profile->paging == PAGING_X86;
	snprintf(f->name, sizeof f->name, "%s", name);
	f->total_ptes = 8 + (unsigned)world_rnd_below(w, WORLD_MAX_FILE_PAGES - 8);

	uint64_t ca_page = world_region_pages(w, "NonPagedPool", 1);
	f->control_area = ca_page + POOL_GAP;
	f->subsection = f->control_area + S->ca_size;
	f->file_object = ca_page + FILE_OBJECT_AT;
	uint64_t seg_page = world_region_pages(w, "PagedPool", 1);
	f->segment = seg_page + POOL_GAP;
	if (S->seg_the_ptes != PROF_ABSENT)
		f->prototype_ptes = f->segment + S->seg_the_ptes;
	else
		f->prototype_ptes = world_region_pages(w, "PagedPool", 1) + POOL_GAP;

	uint64_t fp = f->file_object | (S->ca_file_pointer_fast_ref ? 0x3 : 0);
	kput_ptr(w, f->control_area + S->ca_segment, f->segment);
	world_kput(w, f->control_area + S->ca_number_of_section_references, 1, 4);
	world_kput(w, f->control_area + S->ca_number_of_mapped_views, 1, 4);
	world_kput(w, f->control_area + S->ca_number_of_user_references, 1, 4);
	kput_ptr(w, f->control_area + S->ca_file_pointer, fp);

	kput_ptr(w, f->subsection + S->sub_control_area, f->control_area);
	kput_ptr(w, f->subsection + S->sub_subsection_base, f->prototype_ptes);
	world_kput(w, f->subsection + S->sub_ptes_in_subsection, f->total_ptes, 4);
	world_kput(w, f->subsection + S->sub_number_of_full_sectors, f->total_ptes * 8u, 4);

	kput_ptr(w, f->segment + S->seg_control_area, f->control_area);
	world_kput(w, f->segment + S->seg_total_number_of_ptes, f->total_ptes, 4);
	world_kput(w, f->segment + S->seg_size_of_segment, (uint64_t)f->total_ptes * KDX_PAGE_SIZE, 8);
	world_kput(w, f->segment + S->seg_number_of_committed_pages, f->total_ptes, 4);
	kput_ptr(w, f->segment + S->seg_prototype_pte, f->prototype_ptes);

	/* FILE_OBJECT (Type 5), its SECTION_OBJECT_POINTERS and name (§9) */
	uint64_t sop = ca_page + SOP_AT, text = ca_page + NAME_AT;
	world_kput(w, f->file_object + S->fo_type, 5, 2);
	world_kput(w, f->file_object + S->fo_type + 2, S->fo_size, 2);
	kput_ptr(w, f->file_object + S->fo_section_object_pointer, sop);
	kput_ptr(w, sop, f->control_area);                  /* DataSectionObject */
	size_t n = strlen(name);
	world_kput(w, f->file_object + S->fo_file_name, 2 * n, 2);
	world_kput(w, f->file_object + S->fo_file_name + 2, 2 * n + 2, 2);
	kput_ptr(w, f->file_object + S->fo_file_name + (ps == 8 ? 8 : 4), text);
	for (size_t i = 0; i <= n; i++)
		world_kput(w, text + 2 * i, (uint8_t)name[i], 2);

	unsigned resident = 0;
	for (unsigned i = 0; i < f->total_ptes; i++) {
		uint64_t r = world_rnd_below(w, 100);
		/* The first three pages take each state in turn, so every seed's
		 * files show all three; the rest are drawn. */
		if (i < 3)
			r = i == 0 ? 0 : i == 1 ? 50 : 99;
		enum world_proto_state st = r < 45 ? WP_VALID : r < 60 || fully_resident ?
					    WP_TRANSITION : WP_SUBSECTION;
		f->state[i] = st;
		uint64_t pte;
		if (st == WP_SUBSECTION) {
			pte = world_subsection_pte(w, f->subsection, MM_READWRITE);
		} else {
			f->pfn[i] = world_alloc_user_pages(w, 1);
			world_fill_pattern(w, f->pfn[i]);
			resident++;
			if (st == WP_VALID) {
				f->resident_valid++;
				pte = world_user_valid_pte(w, f->pfn[i]);
			} else {
				f->resident_standby++;
				pte = world_transition_pte(f->pfn[i], MM_READWRITE);
			}
		}
		world_kput(w, f->prototype_ptes + (uint64_t)i * es, pte, es);
	}
	world_kput(w, f->control_area + S->ca_number_of_pfn_references, resident, 4);
}

static const struct world_xlat *find_teaching(const struct world *w, const char *kind)
{
	for (size_t i = 0; i < w->nxlat; i++)
		if (strcmp(w->xlat[i].kind, kind) == 0)
			return &w->xlat[i];
	fprintf(stderr, "kdx-gen: no teaching address %s\n", kind);
	abort();
}

/* A prototype-format PTE in the kernel's user page table, at the page after
 * after pages past the "prototype" teaching address, naming the first of f's
 * prototype PTEs in state st (when the file has one). */
static void teach_file_prototype(struct world *w, const struct world_file *f,
				 enum world_proto_state st, const char *kind, uint64_t after)
{
	unsigned es = (unsigned)paging_desc(w->profile->paging)->entry_size;
	unsigned i = 0;
	while (i < f->total_ptes && f->state[i] != st)
		i++;
	if (i == f->total_ptes)
		return;
	const struct world_xlat *base = find_teaching(w, "prototype");
	uint64_t va = base->walk.va + after * KDX_PAGE_SIZE;
	int lvl = base->walk.stopped_at;
	uint64_t proto = f->prototype_ptes + (uint64_t)i * es;
	world_map_entry(w, w->dtb, va, lvl, world_prototype_pte(w, proto), true);
	struct world_xlat *x = world_teach(w, kind, w->dtb, va, lvl, 0);
	x->leaf.state = "prototype";
	x->leaf.has_prototype_address = true;
	x->leaf.prototype_address = proto;
	struct world_proto_meaning *m = &x->leaf.prototype;
	m->has_protection = true;
	m->protection = MM_READWRITE;
	if (st == WP_SUBSECTION) {
		m->state = "subsection";
		m->has_subsection_address = true;
		m->subsection_address = f->subsection;
	} else {
		m->state = "transition";
		m->has_pfn = true;
		m->pfn = f->pfn[i];
	}
}

int world_build_files(struct world *w, struct kdx_error *err)
{
	struct world_files *F = calloc(1, sizeof *F);
	if (!F)
		return kdx_fail(err, "%s: out of memory", w->profile->name);
	w->files = F;
	F->nfiles = 4 + world_rnd_below(w, 3);
	for (size_t i = 0; i < F->nfiles; i++)
		build_file(w, &F->files[i], file_names[i]);
	teach_file_prototype(w, &F->files[0], WP_TRANSITION, "prototype-transition", 2);
	teach_file_prototype(w, &F->files[0], WP_SUBSECTION, "prototype-subsection", 3);
	return 0;
}

void world_files_free(struct world *w)
{
	free(w->files);
	w->files = NULL;
}
