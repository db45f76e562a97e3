/* Synthetic Linux guests, x86_64 and ia32 PAE (tests/gen/linux.c): page tables, QEMU's
 * CPU notes and a VMCOREINFO note, written as QEMU's ELF and flattened
 * kdump files with their truth. */
#ifndef KDX_GEN_LINUX_H
#define KDX_GEN_LINUX_H

#include "tests/gen/gen.h"

#define LINUX_RELEASE "6.1.0-kdx-amd64"
#define LINUX_RELEASE_32 "6.1.0-kdx-686-pae"

struct linux_level {
	const char *name;           /* the kernel's: PGD, PUD, PMD, PTE */
	uint64_t table, entry_address, entry;
	unsigned index;
	bool large;
};

struct linux_xlat {
	uint64_t va;
	const char *region;         /* "direct map", "vmalloc", "vmemmap", "kernel text" */
	struct linux_level level[4];
	int nlevels;
	bool present;
	uint64_t pa;
};

/* Where kdx's layout must place a region (ends inclusive). */
struct linux_region {
	const char *name;
	uint64_t start, end;
};

/* A not-present entry kdx must decode as Linux does (pte's state and
 * fields). */
struct linux_absent {
	uint64_t va;
	const char *state;          /* "swap", "prot-none", "empty" */
	bool swap;
	uint64_t swap_type, swap_offset;
	uint64_t pfn;               /* prot-none: the frame; 0: none */
};

struct linux_guest {
	struct gen_image img;
	char vmcoreinfo[2048];
	struct linux_xlat xl[16];
	struct linux_absent absent[3];
	size_t nxl;
	struct linux_region regions[6];
	size_t nregions;
	uint64_t vmap_start_pa;     /* ia32: the first vmap_area's va_start; 0: none */
};

/* An x86_64 (PAGING_X64) or ia32 PAE (PAGING_PAE) guest. */
int linux_guest_build(struct linux_guest *g, enum paging mode, struct kdx_error *err);
/* DIR/linux-x64.qemu.elf, .flat.kdump and .swapper.qemu.elf (no CPU's CR3
 * usable), DIR/linux-pae.qemu.elf and .swapper.qemu.elf, each with its truth. */
int linux_fixtures_write(const char *dir, struct kdx_error *err);

#endif
