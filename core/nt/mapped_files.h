/* Mapped files from the PFN database (doc/structures.md §9): a page
 * whose PTE is a prototype PTE belongs to the control area whose
 * subsection holds that PTE. The control area is found from the page's
 * OriginalPte (subsection format: the SUBSECTION's address) or, where the
 * prototype PTEs sit inline behind their SEGMENT (XP..7: an MmSt block is
 * pool header + SEGMENT + PTEs), from the SEGMENT in front of the PTE;
 * then CONTROL_AREA -> FilePointer -> FILE_OBJECT -> FileName, with the
 * checks of §9 step 5. */
#ifndef KDX_MAPPED_FILES_H
#define KDX_MAPPED_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nt/pfn.h"
#include "core/nt/ustr.h"

/* A bound against hostile chains: images have one subsection per PE
 * section. */
#define MAPPED_MAX_SUBSECTIONS 96

/* The prototype PTEs one subsection covers. */
struct proto_range {
	uint64_t base;               /* SubsectionBase */
	uint64_t count;              /* PtesInSubsection */
};

struct mapped_file_use {
	uint64_t control_area, segment, file_object;
	char name[3 * USTR_MAX];     /* UTF-8; "" when unreadable */
	char problem[160];           /* why the name is missing, "" if it is not */
	uint64_t total_ptes;         /* SEGMENT.TotalNumberOfPtes */
	uint64_t prototype_pte_bytes; /* its MmSt share: TotalNumberOfPtes x PTE size (step 7) */
	struct proto_range ranges[MAPPED_MAX_SUBSECTIONS];
	size_t nranges;
	uint64_t pages[PFN_LIST_COUNT];   /* resident pages by list */
	uint64_t resident;
	uint64_t *pfns;              /* the resident pages, ascending */
	size_t npfns, cap;
};

struct mapped_files {
	struct mapped_file_use *files;   /* by resident pages, most first */
	size_t count, cap;
	struct pfn_totals totals;    /* of the whole scan */
	uint64_t prototype_pages;    /* pages with PrototypePte set */
	uint64_t unattributed;       /* of those, in no mapped file's subsection */
	uint64_t first_unattributed;
};

/* One pass over the PFN database: the list totals and every mapped file
 * with resident pages. Progress and cancelling as pfn_scan. */
int mapped_files_scan(const struct pfn_db *db, struct mapped_files *out, struct kdx_error *err);
void mapped_files_free(struct mapped_files *m);
/* The file by its control area, NULL if the scan found none. */
const struct mapped_file_use *mapped_files_by_control_area(const struct mapped_files *m,
							   uint64_t control_area);

/* The file one prototype page belongs to, without a scan. Returns 1 and
 * fills out (no pages counted), 0 when no control area is found or the
 * PTE is outside its subsections. */
int mapped_file_of_page(const struct pfn_db *db, const struct pfn_entry *e,
			struct mapped_file_use *out);

#endif
