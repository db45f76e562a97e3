#include "core/xlat/paging.h"

/* doc/address-space.md 1.2 (VA split) and 1.3 (CR3 and entry masks).
 * PFN masks follow MAXPHYADDR 52 for 8-byte entries: software bits 52..62
 * and NX (63) must not leak into addresses (doc/address-space.md §1.3 "masking pitfalls"). */
static const struct paging_desc descs[] = {
	{
		.mode = PAGING_X86, .name = "x86", .levels = 2, .entry_size = 4,
		.va_bits = 32,
		.level_names = { "PDE", "PTE" },
		.linux_level_names = { "PGD", "PTE" },
		.shift = { 22, 12 }, .index_bits = { 10, 10 },
		.large_ok = 1u << 0,
		.dtb_mask = 0xfffff000ull, .pfn_mask = 0xfffff000ull,
	},
	{
		.mode = PAGING_PAE, .name = "pae", .levels = 3, .entry_size = 8,
		.va_bits = 32,
		.level_names = { "PDPTE", "PDE", "PTE" },
		.linux_level_names = { "PGD", "PMD", "PTE" },
		.shift = { 30, 21, 12 }, .index_bits = { 2, 9, 9 },
		.large_ok = 1u << 1,
		.dtb_mask = 0xffffffe0ull, .pfn_mask = 0x000ffffffffff000ull,
	},
	{
		.mode = PAGING_X64, .name = "x64", .levels = 4, .entry_size = 8,
		.va_bits = 48,
		.level_names = { "PML4E", "PDPTE", "PDE", "PTE" },
		.linux_level_names = { "PGD", "PUD", "PMD", "PTE" },
		.shift = { 39, 30, 21, 12 }, .index_bits = { 9, 9, 9, 9 },
		.large_ok = (1u << 1) | (1u << 2),
		.dtb_mask = 0x000ffffffffff000ull, .pfn_mask = 0x000ffffffffff000ull,
	},
};

const struct paging_desc *paging_desc(enum paging mode)
{
	for (unsigned i = 0; i < sizeof descs / sizeof descs[0]; i++)
		if (descs[i].mode == mode)
			return &descs[i];
	return 0;
}

const char *machine_name(enum machine m)
{
	switch (m) {
	case MACHINE_X86: return "x86";
	case MACHINE_X64: return "x64";
	default: return "unknown";
	}
}

uint64_t paging_index(const struct paging_desc *d, int level, uint64_t va)
{
	return (va >> d->shift[level]) & ((1ull << d->index_bits[level]) - 1);
}

uint64_t paging_leaf_size(const struct paging_desc *d, int level)
{
	return 1ull << d->shift[level];
}

uint64_t paging_canonical(const struct paging_desc *d, uint64_t va)
{
	if (d->va_bits >= 64)
		return va;
	if (d->va_bits == 32)
		return va & 0xffffffffull;
	uint64_t sign = 1ull << (d->va_bits - 1);
	uint64_t low = va & ((sign << 1) - 1);
	return (low & sign) ? (low | ~((sign << 1) - 1)) : low;
}

bool paging_is_canonical(const struct paging_desc *d, uint64_t va)
{
	return paging_canonical(d, va) == va;
}
