/* A synthetic Linux x86_64 guest (tests/gen/linux.c): page tables, QEMU's
 * CPU notes and a VMCOREINFO note, written as QEMU's ELF and flattened
 * kdump files with their truth. */
#ifndef KDX_GEN_LINUX_H
#define KDX_GEN_LINUX_H

#include "tests/gen/gen.h"

#define LINUX_RELEASE "6.1.0-kdx-amd64"

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

struct linux_guest {
	struct gen_image img;
	char vmcoreinfo[1024];
	struct linux_xlat xl[16];
	size_t nxl;
};

int linux_guest_build(struct linux_guest *g, struct kdx_error *err);
/* DIR/linux-x64.qemu.elf, DIR/linux-x64.flat.kdump and
 * DIR/linux-x64.swapper.qemu.elf (no CPU's CR3 usable), each with its truth. */
int linux_fixtures_write(const char *dir, struct kdx_error *err);

#endif
