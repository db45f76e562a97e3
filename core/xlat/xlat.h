/* Virtual-to-physical translation of one address space (one DTB), through
 * libaddrxlat, with a small VA-page cache for hot paths. */
#ifndef KDX_XLAT_H
#define KDX_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/xlat/paging.h"

struct source;
struct cpu_note;

enum xlat_reason {
	XLAT_OK,
	XLAT_NOT_PRESENT,   /* an entry on the way has P=0 */
	XLAT_NOT_IN_DUMP,   /* a table or the target page is not stored in the dump */
	XLAT_INVALID,       /* non-canonical or out of the mode's VA range */
};
const char *xlat_reason_name(enum xlat_reason r);   /* JSON: null, "not-present", ... */

struct walk_level {
	const char *name;         /* PML4E, PDPTE, PDE, PTE */
	uint64_t table;           /* physical address of the table */
	uint64_t index;
	uint64_t entry_address;   /* physical */
	uint64_t entry;           /* raw value */
	bool present, large, read; /* read: the entry could be read from the dump */
};

struct walk {
	uint64_t va, dtb;
	const struct paging_desc *mode;
	const char *const *names;  /* the levels' names: the mode's, or a Linux kernel's */
	int nlevels;              /* levels visited, including the one that stopped */
	struct walk_level level[PAGING_MAX_LEVELS];
	enum xlat_reason reason;
	int stopped_at;           /* index into level[], -1 when translated */
	uint64_t pa;              /* valid when reason == XLAT_OK */
	uint64_t page_size;       /* 4 KiB, or the large page size */
	bool page_in_dump;        /* the final page is stored in the dump */
};

struct xlat;

/* dtb is the raw DirectoryTableBase; it is masked per the mode here. */
struct xlat *xlat_new(struct source *src, enum paging mode, uint64_t dtb,
		      struct kdx_error *err);
void xlat_free(struct xlat *x);
uint64_t xlat_dtb(const struct xlat *x);
const struct paging_desc *xlat_mode(const struct xlat *x);

/* What libaddrxlat's Linux set-up found in the kernel's map (ends
 * inclusive). */
struct linux_regions {
	bool set_up;
	bool has_direct, has_ktext;
	uint64_t direct_start, direct_end, ktext_start, ktext_end;
};
/* A Linux kernel's address space as libaddrxlat's own Linux support sets
 * it up: the root, its paging and the regions, plain data that can cross a
 * pipe. */
struct linux_setup {
	enum paging mode;
	uint64_t dtb, pte_mask;
	struct linux_regions regions;
};
/* Runs that set-up (addrxlat_sys_os_init, OS type "linux"), asking the
 * VMCOREINFO note for the symbols, sizes, offsets and numbers it needs:
 * the root is cpu's CR3 when given, else swapper_pg_dir (init_top_pgt)
 * placed through the kernel text mapping and phys_base; ia32 PAE or not as
 * CR4 or the tables say. -1 with a message when it cannot, or when the
 * paging is 5-level. The set-up reads the dump's pages, which may be
 * hostile: core/dump.c runs it in a child (core/util/isolate.h). */
int xlat_linux_setup(struct source *src, enum machine machine, const struct cpu_note *cpu,
		     struct linux_setup *out, struct kdx_error *err);
/* The kernel's translator from a finished set-up. */
struct xlat *xlat_new_linux(struct source *src, const struct linux_setup *s,
			    struct kdx_error *err);
/* NULL unless x was made by xlat_new_linux. */
const struct linux_regions *xlat_linux_regions(const struct xlat *x);

/* Full walk, one record per level (the teaching view). */
void xlat_walk(struct xlat *x, uint64_t va, struct walk *w);
/* Translation only, cached per page. */
enum xlat_reason xlat_to_phys(struct xlat *x, uint64_t va, uint64_t *pa);

/* A run of bytes a read could not deliver. */
struct mem_hole {
	uint64_t address, size;
	enum xlat_reason reason;
};
struct hole_list {
	struct mem_hole *items;
	size_t count, cap;
};
void hole_list_free(struct hole_list *h);

/* Reads len bytes at va (crossing pages). Bytes in holes read as zero and
 * the holes are appended to holes (adjacent holes of one reason merged).
 * Returns the number of bytes actually read. */
size_t xlat_read(struct xlat *x, uint64_t va, void *buf, size_t len, struct hole_list *holes);
/* The size-byte (1 to 8) little-endian integer at va; false when any of its
 * bytes is not readable. */
bool xlat_read_uint(struct xlat *x, uint64_t va, unsigned size, uint64_t *v);
/* The same for physical addresses (the only possible hole: not in dump). */
size_t phys_read(struct source *src, uint64_t pa, void *buf, size_t len, struct hole_list *holes);

#endif
