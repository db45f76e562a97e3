/* What an MmSt pool block holds (doc/structures.md §6.6, §9): a SEGMENT (with its
 * prototype PTEs inline on XP..7) or, on 10, the separate prototype-PTE
 * array a SEGMENT points at; and the mapped file behind it, through the
 * CONTROL_AREA and its FILE_OBJECT. */
#ifndef KDX_MMST_H
#define KDX_MMST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nt/pool.h"
#include "core/nt/ustr.h"

/* Prototype PTEs looked at per file: 1 GiB of mapping. */
#define MMST_MAX_PTES 0x40000u

enum mmst_kind { MMST_UNKNOWN, MMST_SEGMENT, MMST_PROTOTYPE_PTES };

struct mmst_file {
	enum mmst_kind kind;
	uint64_t segment, control_area, file_object, prototype_ptes;
	uint32_t total_ptes;
	uint32_t resident_valid, resident_transition;   /* prototype PTEs' states */
	char name[USTR_MAX];
	char why[96];               /* MMST_UNKNOWN: the check that failed */
};

/* Each block of blocks[0..n) (MmSt blocks from a scan) into files[i]. A
 * prototype-PTE array is recognised by a SEGMENT among the blocks whose
 * PrototypePte names it. */
void mmst_resolve(const struct pool_ctx *c, const struct pool_block *blocks, size_t n,
		  struct mmst_file *files);

#endif
