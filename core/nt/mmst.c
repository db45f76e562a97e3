#include "core/nt/mmst.h"

#include <stdio.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/xlat/layout.h"

#define IO_TYPE_FILE 5   /* FILE_OBJECT.Type (§9) */

static uint64_t data_of(const struct pool_ctx *c, const struct pool_block *b)
{
	return b->address + (b->big ? 0 : c->p->pool->header_size);
}

/* The §9 route from a SEGMENT at seg, with the checks dumpfiles.py makes. */
static void segment_file(const struct pool_ctx *c, uint64_t seg, struct mmst_file *f)
{
	struct dump *d = c->d;
	const struct prof_section *S = c->p->section;
	unsigned ps = dump_ptr_size(d);
	uint64_t ca, back, total, size, fp, type;
	const char *why = NULL;
	if (!xlat_read_uint(d->kernel, seg + S->seg_control_area, ps, &ca) ||
	    !xlat_read_uint(d->kernel, ca + S->ca_segment, ps, &back))
		why = "Segment.ControlArea is not a readable CONTROL_AREA";
	else if (back != seg)
		why = "the CONTROL_AREA does not point back at the SEGMENT";
	else if (!xlat_read_uint(d->kernel, seg + S->seg_total_number_of_ptes, 4, &total) ||
		 !xlat_read_uint(d->kernel, seg + S->seg_size_of_segment, 8, &size) ||
		 size != total * KDX_PAGE_SIZE)
		why = "SizeOfSegment is not TotalNumberOfPtes pages";
	else if (!xlat_read_uint(d->kernel, ca + S->ca_file_pointer, ps, &fp))
		why = "CONTROL_AREA.FilePointer is not in the dump";
	if (!why) {
		fp &= ~(uint64_t)(S->ca_file_pointer_fast_ref ? (ps == 8 ? 0xf : 0x7) : 0);
		if (!xlat_read_uint(d->kernel, fp + S->fo_type, 2, &type) || type != IO_TYPE_FILE)
			why = "FilePointer is not a FILE_OBJECT (Type 5)";
	}
	if (why) {
		f->kind = MMST_UNKNOWN;
		snprintf(f->why, sizeof f->why, "%s", why);
		return;
	}
	f->segment = seg;
	f->control_area = ca;
	f->file_object = fp;
	f->total_ptes = (uint32_t)total;
	xlat_read_uint(d->kernel, seg + S->seg_prototype_pte, ps, &f->prototype_ptes);
	ustr_read(d, fp + S->fo_file_name, f->name, sizeof f->name);
}

/* Valid and transition prototype PTEs: the file's resident pages. */
static void count_resident(const struct pool_ctx *c, struct mmst_file *f)
{
	struct pte_context ctx;
	layout_pte_context(c->d, &ctx);
	const struct paging_desc *pd = paging_desc(c->d->paging);
	unsigned es = (unsigned)pd->entry_size;
	for (uint32_t i = 0; ctx.format && i < f->total_ptes && i < MMST_MAX_PTES; i++) {
		uint64_t raw;
		if (!xlat_read_uint(c->d->kernel, f->prototype_ptes + (uint64_t)i * es, es, &raw))
			continue;
		struct pte_decoded dec;
		pte_decode(&ctx, pd->levels - 1, raw, &dec);
		f->resident_valid += dec.state == PTE_STATE_VALID;
		f->resident_transition += dec.state == PTE_STATE_TRANSITION;
	}
}

void mmst_resolve(const struct pool_ctx *c, const struct pool_block *blocks, size_t n,
		  struct mmst_file *files)
{
	for (size_t i = 0; i < n; i++) {
		memset(&files[i], 0, sizeof files[i]);
		files[i].kind = MMST_SEGMENT;
		segment_file(c, data_of(c, &blocks[i]), &files[i]);
	}
	for (size_t i = 0; i < n; i++) {
		if (files[i].kind != MMST_UNKNOWN)
			continue;
		uint64_t data = data_of(c, &blocks[i]);
		for (size_t k = 0; k < n; k++)
			if (files[k].kind == MMST_SEGMENT && files[k].prototype_ptes == data) {
				files[i] = files[k];
				files[i].kind = MMST_PROTOTYPE_PTES;
				break;
			}
	}
	for (size_t i = 0; i < n; i++)
		if (files[i].kind != MMST_UNKNOWN)
			count_resident(c, &files[i]);
}
