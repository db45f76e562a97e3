/* The dump generator's model: a synthetic machine's physical memory plus
 * the facts a crash-dump header states, and writers that lay it out in each
 * container format. The world builder (page tables, KDBG, kernel objects)
 * fills a gen_image; container.c writes it; truth.c writes the ground truth.
 * Formats: doc/dump-format.md; no kdx reader code is used to write,
 * so the readers are checked against an independent writer. */
#ifndef KDX_GEN_H
#define KDX_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/xlat/paging.h"
#include "core/source/source.h"

#define GEN_MAX_CPUS 8

struct gen_image {
	enum machine machine;
	enum paging paging;
	uint64_t dtb;                 /* raw DirectoryTableBase to write (flag bits allowed) */
	uint32_t build;               /* MinorVersion */
	uint32_t processors;
	uint64_t kdbg_va;             /* 0: none */
	uint64_t ps_loaded_module_list, ps_active_process_head, pfn_database;
	uint32_t bugcheck_code;
	uint64_t bugcheck_params[4];
	uint64_t system_time, system_uptime;
	char comment[128];

	/* RAM as the machine saw it (the physical memory descriptor): ascending,
	 * page-aligned, non-overlapping byte ranges. Full dumps store all of it. */
	struct phys_range ram[32];
	size_t nram;

	/* Kernel pages a paging-mode ELF core names by virtual address
	 * (GEN_ELF_PAGING, GEN_ELF_XNUM): each gets its own PT_LOAD over the
	 * RAM copy, as QEMU's dump-guest-memory -p writes one per mapping. */
	struct gen_vpage {
		uint64_t va, pa;          /* page-aligned; pa is RAM */
	} vpages[64];
	size_t nvpages;

	/* Page contents, indexed by PFN (NULL: an all-zero RAM page). */
	uint8_t **pages;
	bool *kernel_page;            /* kept in kernel (type 2 / 6 / 8) dumps */
	uint64_t max_pfn;             /* pages[] and kernel_page[] hold max_pfn entries */

	/* What QEMU's ELF notes say (GEN_ELF_QEMU and the kdump files): each
	 * processor's CR3 (0: dtb) and CR4 (0: the paging mode's), and the
	 * guest kernel's VMCOREINFO text (NULL: none). */
	uint64_t cpu_cr3[GEN_MAX_CPUS];
	uint64_t cr4;
	const char *vmcoreinfo;
};

/* Container formats. The Windows ones carry their DumpType value. */
enum gen_format {
	GEN_FULL = 1,                 /* run-based complete dump */
	GEN_SUMMARY = 2,              /* legacy kernel summary dump */
	GEN_TRIAGE = 4,               /* mini dump: header facts, no memory */
	GEN_BITMAP_FULL = 5,          /* FDMP */
	GEN_BITMAP_KERNEL = 6,        /* SDMP */
	GEN_RDMP_KERNEL = 8,          /* RDMP ranges of kernel pages (.dump /k) */
	GEN_RDMP_ACTIVE = 9,          /* RDMP ranges of pages in use (.dump /ka) */
	GEN_RDMP_FULL = 0xA,          /* RDMP ranges of all RAM (.dump /f) */
	GEN_ELF = 100,                /* ELF core, one PT_LOAD per RAM range */
	/* As QEMU's dump-guest-memory -p (paging mode) writes: first a
	 * single-page PT_LOAD per gen_image.vpages entry, p_vaddr its VA and
	 * p_offset inside the RAM copy the per-range PT_LOADs then name, so
	 * segments overlap in physical addresses, always at one file offset. */
	GEN_ELF_PAGING = 110,
	/* The paging form with e_phnum = PN_XNUM: 65536 PT_NULL entries before
	 * the PT_LOADs, the count in section header 0's sh_info (as QEMU writes
	 * more than 65534 segments, which only paging mode gives). */
	GEN_ELF_XNUM = 102,
	/* makedumpfile's kdump-compressed format (its IMPLEMENTATION file), as
	 * QEMU's dump-guest-memory -z writes it once reassembled: the header's
	 * utsname holds only machine "x86_64", pages stored uncompressed. The
	 * filtered one stores the kernel's pages, its first bitmap all RAM. */
	GEN_KDUMP = 103,
	GEN_KDUMP_FILTERED = 104,
	/* The same, pages zlib-compressed (all-zero pages share one copy, as
	 * QEMU writes them), then in makedumpfile's flattened format as QEMU's
	 * dump-guest-memory -z writes it: records of at most 16 KiB cutting
	 * through descriptors and page data, the descriptors' and the pages'
	 * records interleaved, the sub-header written again at the end (as
	 * makedumpfile's update_sub_header does). One flattened file per
	 * compression. */
	GEN_KDUMP_ZLIB = 105,
	GEN_KDUMP_FLAT = 106,
	GEN_KDUMP_FLAT_LZO = 107,
	GEN_KDUMP_FLAT_SNAPPY = 108,
	GEN_KDUMP_FLAT_ZSTD = 109,
	/* The ELF core as QEMU's dump-guest-memory writes it: a PT_NOTE first,
	 * with each CPU's NT_PRSTATUS and "QEMU" register note (CR3 among the
	 * control registers) and the guest's VMCOREINFO when it has one. */
	GEN_ELF_QEMU = 111,
	GEN_RAW = 101,                /* flat image: offset = physical address */
};

/* Sets up an empty machine with the given RAM ranges. */
int gen_image_init(struct gen_image *img, enum paging mode, const struct phys_range *ram,
		   size_t nram);
void gen_image_free(struct gen_image *img);
/* The page at pfn, allocated zeroed on first use; NULL when pfn is not RAM. */
uint8_t *gen_page(struct gen_image *img, uint64_t pfn);
bool gen_is_ram(const struct gen_image *img, uint64_t pfn);
/* Little-endian stores into physical memory (must be RAM). */
void gen_put32(struct gen_image *img, uint64_t pa, uint32_t v);
void gen_put64(struct gen_image *img, uint64_t pa, uint64_t v);
void gen_put_bytes(struct gen_image *img, uint64_t pa, const void *p, size_t n);

/* The offset in a flattened file (data, size) of the byte at reassembled
 * offset want, as the last record that writes it holds it; 0 when none does. */
uint64_t gen_flat_offset(const uint8_t *data, size_t size, uint64_t want);
/* The offset of record index's header in a flattened file with at least
 * that many records. */
uint64_t gen_flat_record(const uint8_t *data, unsigned index);
/* Whether fmt is one of the ELF cores, and how many program headers its
 * file has. */
bool gen_is_elf(enum gen_format fmt);
uint64_t gen_elf_headers(const struct gen_image *img, enum gen_format fmt);
/* Whether fmt is one of the kdump-compressed formats (flattened or not). */
bool gen_is_kdump(enum gen_format fmt);
/* Whether a Windows crash dump of format fmt stores pfn. */
bool gen_stores(const struct gen_image *img, enum gen_format fmt, uint64_t pfn);

/* Writes img to path in the given format. Returns 0, or -1 with a message. */
int gen_write(const struct gen_image *img, enum gen_format fmt, const char *path,
	      struct kdx_error *err);

#endif
