/* The three paging modes kdx translates, described as data so that the
 * walker, the PTE decoder, the layout and the generator share one source.
 * Facts: doc/address-space.md sections 1.1-1.3 and 3.1-3.2. */
#ifndef KDX_PAGING_H
#define KDX_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define KDX_PAGE_SHIFT 12
#define KDX_PAGE_SIZE 4096u

enum machine { MACHINE_UNKNOWN, MACHINE_X86, MACHINE_X64 };
/* The system address-space layout families (doc/address-space.md): XP/2003
 * x86 with fixed regions, Vista+ x86 with dynamic ones, x64 up to 8 and
 * x64 from 8.1 on. */
enum va_layout { VA_LAYOUT_X86_XP, VA_LAYOUT_X86_DYNAMIC, VA_LAYOUT_X64_7, VA_LAYOUT_X64_10 };

enum paging { PAGING_UNKNOWN, PAGING_X86, PAGING_PAE, PAGING_X64 };

/* Bits a present PAE PDPTE keeps clear (doc/address-space.md §1.3): 1-2,
 * 6-8 and 52-63. The SDM reserves bit 5 too, but QEMU guests' PDPTEs carry
 * it (accessed) where Linux wrote P alone. */
#define PAE_PDPTE_RESERVED 0xfff00000000001c6ull

#define PAGING_MAX_LEVELS 4

struct paging_desc {
	enum paging mode;
	const char *name;              /* "x86", "pae", "x64" (JSON values) */
	int levels;                    /* table levels, top first */
	int entry_size;                /* bytes per entry */
	int va_bits;                   /* implemented VA bits (sign-extended above) */
	const char *level_names[PAGING_MAX_LEVELS]; /* entry names: PML4E ... PTE */
	/* A Linux kernel's names for the same levels (its pgtable-2level.h,
	 * -3level.h, _64.h: the P4D folded into the PGD with 4 levels). */
	const char *linux_level_names[PAGING_MAX_LEVELS];
	int shift[PAGING_MAX_LEVELS];  /* VA shift of each level's index */
	int index_bits[PAGING_MAX_LEVELS];
	/* Level (0 = top) at which PS=1 may end the walk, -1 if never; a level
	 * allows a large page iff large_ok has its bit set. */
	unsigned large_ok;
	uint64_t dtb_mask;             /* CR3 -> top table physical address */
	uint64_t pfn_mask;             /* entry -> table/page physical address (4 KiB) */
};

const struct paging_desc *paging_desc(enum paging mode);
const char *machine_name(enum machine m);
/* Index of va at level (0 = top). */
uint64_t paging_index(const struct paging_desc *d, int level, uint64_t va);
/* Size in bytes of the page a leaf at this level maps. */
uint64_t paging_leaf_size(const struct paging_desc *d, int level);
/* Sign-extends an x64 address from bit 47; identity for 32-bit modes. */
uint64_t paging_canonical(const struct paging_desc *d, uint64_t va);
bool paging_is_canonical(const struct paging_desc *d, uint64_t va);

#endif
