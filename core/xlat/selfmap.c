#include "core/xlat/selfmap.h"

#include <string.h>

#include "core/util/bytes.h"
#include "core/source/source.h"

const char *region_source_name(enum region_source s)
{
	switch (s) {
	case REGION_FROM_KDBG: return "kdbg";
	case REGION_FROM_FIXED: return "fixed";
	case REGION_FROM_PAGES: return "pages";
	case REGION_FROM_VMCOREINFO: return "vmcoreinfo";
	default: return "page-tables";
	}
}

static bool read_entry(struct source *src, uint64_t pa, unsigned size, uint64_t *v)
{
	uint8_t b[8];
	if (source_read_phys(src, pa, b, size) != size)
		return false;
	*v = le_bytes(b, size);
	return true;
}

/* ---- Self-map: doc/address-space.md §3.1 (fixed bases), 3.2 (formulas), 3.3 (the scan). */

#define X64_SIGN 0xffff000000000000ull

void self_map_bases(enum paging mode, unsigned x64_index, struct self_map *out)
{
	memset(out, 0, sizeof *out);
	out->source = REGION_FROM_FIXED;
	if (mode == PAGING_X86) {
		out->index = 0x300;
		out->pte_base = 0xc0000000u;
		out->pde_base = 0xc0300000u;
		out->pte_space_size = 4u << 20;
	} else if (mode == PAGING_PAE) {
		out->index = 3;
		out->pte_base = 0xc0000000u;
		out->pde_base = 0xc0600000u;
		out->pte_space_size = 8u << 20;
	} else if (mode == PAGING_X64) {
		uint64_t i = x64_index & 0x1ff;
		out->index = (unsigned)i;
		out->pte_base = X64_SIGN | (i << 39);
		out->pde_base = out->pte_base | (i << 30);
		out->ppe_base = out->pde_base | (i << 21);
		out->pxe_base = out->ppe_base | (i << 12);
		out->pte_space_size = 1ull << 39;
	}
}

void layout_find_self_map(struct source *src, enum paging mode, uint64_t dtb,
			  struct self_map *out)
{
	const struct paging_desc *pd = paging_desc(mode);
	uint64_t e;
	memset(out, 0, sizeof *out);
	if (!pd)
		return;
	if (mode == PAGING_X86) {
		self_map_bases(mode, 0, out);
		out->found = read_entry(src, dtb + 0x300 * 4, 4, &e) && (e & 1) &&
			     (e & pd->pfn_mask) == dtb;
		out->matches = out->found;
		return;
	}
	if (mode == PAGING_PAE) {
		self_map_bases(mode, 0, out);
		/* PD3[k] must point at the PD that PDPT[k] selects. */
		uint64_t pdpte[4], pd3;
		bool ok = true;
		for (unsigned k = 0; k < 4 && ok; k++)
			ok = read_entry(src, dtb + 8 * k, 8, &pdpte[k]) && (pdpte[k] & 1);
		for (unsigned k = 0; k < 4 && ok; k++)
			ok = read_entry(src, (pdpte[3] & pd->pfn_mask) + 8 * k, 8, &pd3) &&
			     (pd3 & 1) && (pd3 & pd->pfn_mask) == (pdpte[k] & pd->pfn_mask);
		out->found = ok;
		out->matches = ok;
		return;
	}
	/* x64: the kernel-half slot whose entry maps the PML4 itself, P=1,
	 * R/W=1, PS=0 (MemProcFS's check). */
	uint8_t scratch[KDX_PAGE_SIZE];
	const uint8_t *page = source_page(src, dtb >> KDX_PAGE_SHIFT, scratch);
	if (!page)
		return;
	unsigned matches = 0, index = 0;
	for (unsigned i = 256; i < 512; i++) {
		e = le_bytes(page + 8 * i, 8);
		if ((e & 0x83) != 0x03 || (e & pd->pfn_mask) != dtb)
			continue;
		if (matches++ == 0)
			index = i;
	}
	if (!matches)
		return;
	self_map_bases(mode, index, out);
	out->found = true;
	out->matches = matches;
	out->source = REGION_FROM_PAGE_TABLES;
}

bool self_map_entry_va(const struct self_map *s, enum paging mode, int level, uint64_t va,
		       uint64_t *entry_va)
{
	const struct paging_desc *pd = paging_desc(mode);
	if (!pd || !s->pte_base || level < 0 || level >= pd->levels)
		return false;
	const uint64_t bases[] = { s->pte_base, s->pde_base, s->ppe_base, s->pxe_base };
	uint64_t base = bases[pd->levels - 1 - level];
	if (!base)
		return false;
	uint64_t low = pd->va_bits == 64 ? va : va & ((1ull << pd->va_bits) - 1);
	*entry_va = base + (low >> pd->shift[level]) * (uint64_t)pd->entry_size;
	return true;
}

bool self_map_mapped_va(const struct self_map *s, enum paging mode, uint64_t entry_va,
			uint64_t *va)
{
	const struct paging_desc *pd = paging_desc(mode);
	if (!s->pte_space_size || entry_va < s->pte_base || entry_va - s->pte_base >= s->pte_space_size)
		return false;
	*va = paging_canonical(pd, (entry_va - s->pte_base) / (uint64_t)pd->entry_size
				       << KDX_PAGE_SHIFT);
	return true;
}
