/* Decoding one page-table entry: the hardware bits by name, the software
 * bits of valid entries, and for not-present leaf entries the Windows
 * software state (transition, page file, prototype, demand zero,
 * VAD-described, no access, empty) or a Linux kernel's (swap entry,
 * PROT_NONE, none). Each format family is a table of bit fields
 * (doc/address-space.md sections 1.3, 1.4, 2 and 8.1). */
#ifndef KDX_PTE_H
#define KDX_PTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/xlat/paging.h"

/* The MMPTE layouts Windows has used (doc/address-space.md §2). */
enum pte_family {
	PTE_FAMILY_X86_XP,          /* x86 non-PAE, XP / 2003 */
	PTE_FAMILY_X86_VISTA,       /* x86 non-PAE, Vista / 7 */
	PTE_FAMILY_PAE,             /* x86 PAE, XP .. 10 1803 (builds before 17763) */
	PTE_FAMILY_PAE_WIN10,       /* x86 PAE, Windows 10 1809 on */
	PTE_FAMILY_X64_WIN7,        /* x64 2003 .. 7 */
	PTE_FAMILY_X64_WIN8,        /* x64 8 / 8.1 */
	PTE_FAMILY_X64_WIN10,       /* x64 Windows 10 before 1809 */
	PTE_FAMILY_X64_WIN10_RS5,   /* x64 Windows 10 1809 and later */
	PTE_FAMILY_LINUX_X64,       /* a Linux kernel, x86_64 (doc/address-space.md §8.1) */
	PTE_FAMILY_LINUX_PAE,       /* a Linux kernel, x86 PAE */
};

/* What a field means to the decoder, beyond its name. */
enum pte_meaning {
	PM_NONE,
	PM_PFN,            /* ORed together: the frame number */
	PM_PROTECTION,
	PM_PAGEFILE_LOW,   /* page file number */
	PM_PAGEFILE_HIGH,  /* page index inside the page file */
	PM_PROTO_LOW,      /* prototype address parts (see struct pte_proto) */
	PM_PROTO_HIGH,
	PM_SWIZZLE,        /* SwizzleBit: 0 means the offset is XOR-ed (doc/address-space.md §2.6) */
	PM_WHICH_POOL,     /* XP/2003 subsection: the pool the SUBSECTION is in */
	PM_SWAP_TYPE,      /* Linux: the swap entry's type */
	/* Linux keeps these inverted in a not-present entry (L1TF); the
	 * field's value is read from the complement. */
	PM_SWAP_OFFSET,    /* the swap entry's offset */
	PM_PFN_INVERTED,   /* a PROT_NONE entry's frame number */
	PM_COUNT,
};

/* A bit field: value = ((raw >> pos) & (2^width - 1)) << shift. */
struct pte_bits {
	const char *name;
	uint8_t pos, width, shift;
	enum pte_meaning meaning;
	const char *explain;        /* one line for people, shown when nonzero */
};

struct pte_bits_list {
	const struct pte_bits *items;
	size_t count;
};

/* What the address of a prototype or subsection PTE is relative to. */
enum pte_address_base {
	PA_FIXED,                   /* base alone */
	PA_PAGED_POOL,              /* XP/2003 prototype: the paged-pool start */
	PA_WHICH_POOL,              /* XP/2003 subsection: by WhichPool (doc/address-space.md §2.3) */
	PA_UNKNOWN,                 /* the fields are known, not the formula */
};

/* How a prototype or subsection PTE encodes a kernel address (doc/address-space.md §2.3-2.5):
 * combined = (High << width(Low)) | Low; address = base + (combined << scale),
 * then sign-extended from sign_bits when sign_bits is nonzero. */
struct pte_proto {
	enum pte_address_base base_kind;
	uint64_t base;              /* fixed part of the address */
	uint8_t scale, sign_bits;
};

struct pte_format {
	enum pte_family family;
	const char *name;           /* "x64 Windows 10 1809+" */
	enum paging mode;
	struct pte_bits_list valid_soft;   /* valid entries: software bits 9..11 */
	struct pte_bits_list valid_high;   /* valid 8-byte entries: bits 52..63 */
	struct pte_bits_list software;     /* MMPTE_SOFTWARE */
	struct pte_bits_list transition;   /* MMPTE_TRANSITION */
	struct pte_bits_list prototype;    /* MMPTE_PROTOTYPE */
	struct pte_bits_list subsection;   /* MMPTE_SUBSECTION, in prototype PTE arrays */
	struct pte_proto proto, sub;
	/* Linux: the not-present entries its kernel writes instead of the
	 * Windows ones above (empty for Windows). */
	struct pte_bits_list swap, prot_none;
};

/* A Linux kernel's format for its paging mode; NULL for one kdx has none
 * for (non-PAE x86). */
const struct pte_format *pte_format_linux(enum paging mode);
/* The family of a paging mode and build (MinorVersion), by the build
 * ranges of doc/address-space.md §2.3-2.5; no build gets the newest family of the mode.
 * NULL for an unknown mode. The one place a family is picked. */
const struct pte_format *pte_format_for(enum paging mode, bool has_build, uint32_t build);
const struct pte_format *pte_format_of(enum pte_family family);

enum pte_state {
	PTE_STATE_VALID, PTE_STATE_LARGE, PTE_STATE_TRANSITION, PTE_STATE_PAGEFILE,
	PTE_STATE_PROTOTYPE, PTE_STATE_DEMAND_ZERO, PTE_STATE_VAD, PTE_STATE_NO_ACCESS,
	PTE_STATE_EMPTY, PTE_STATE_NOT_PRESENT, PTE_STATE_SUBSECTION,
	PTE_STATE_SWAP, PTE_STATE_PROT_NONE,
};
/* JSON names: "valid", "large", "transition", "pagefile", "prototype",
 * "demand-zero", "vad", "no-access", "empty", "not-present", "subsection"
 * (a prototype PTE of a file page that is not resident), and Linux's
 * "swap" and "prot-none". */
const char *pte_state_name(enum pte_state s);

/* MM_* name of a 5-bit protection value (doc/address-space.md §2.7). */
const char *pte_protection_name(unsigned protection);

/* Facts some formats need to finish a decode. */
struct pte_context {
	const struct pte_format *format;
	/* The dump's build has no kdx profile (or the dump states none): the
	 * family was assumed from the build number alone; note says so. */
	bool family_assumed;
	char family_note[128];
	bool has_paged_pool_start;  /* XP/2003 prototype addresses */
	uint64_t paged_pool_start;
	bool has_subsection_bases;  /* XP/2003 subsection addresses */
	uint64_t subsection_base, nonpaged_pool_end;
	uint64_t invalid_pte_mask;  /* Windows 10 swizzling; 0 when unknown */
};

/* Fills the format and family note of ctx: the format of the dump's layout
 * column (its builds.tsv pte_family), else the one of its mode and build
 * era (profile_format NULL: kdx has no column for the build). The other
 * facts are 0. */
void pte_context_init(struct pte_context *ctx, enum paging mode, bool has_build, uint32_t build,
		      const struct pte_format *profile_format);

#define PTE_MAX_FIELDS 24

struct pte_field {
	const struct pte_bits *bits;
	uint64_t value;
};

struct pte_decoded {
	uint64_t raw;
	int level;                  /* 0 = top */
	enum pte_state state;
	const char *format_name;    /* "MMPTE_HARDWARE", "MMPTE_TRANSITION", ... */
	const char *detail;         /* one line naming the case */
	struct pte_field fields[PTE_MAX_FIELDS];
	size_t nfields;
	bool has_flags;             /* valid entries only */
	char flags[12];             /* WinDbg `!pte` letters (doc/address-space.md §1.4) */
	uint64_t page_size;         /* valid leaf: bytes mapped */
	bool has_pfn;
	uint64_t pfn;
	bool has_protection;
	unsigned protection;
	bool has_pagefile;
	uint64_t pagefile_number, pagefile_offset;
	bool has_prototype_address;
	uint64_t prototype_address;
	bool has_subsection_address;
	uint64_t subsection_address;
	bool has_swap;              /* Linux swap entry */
	uint64_t swap_type, swap_offset;
};

/* Decodes raw, found at level (0 = top) of the context's paging mode.
 * Software states are decoded for not-present entries at the last level;
 * a not-present entry higher up is "empty" (zero) or "not-present". */
void pte_decode(const struct pte_context *ctx, int level, uint64_t raw, struct pte_decoded *out);

/* Decodes raw read from a prototype PTE (doc/address-space.md §2.1): valid, transition,
 * page file, demand zero, or with Prototype set a subsection PTE (the file
 * page is not resident) rather than a further indirection. */
void pte_decode_prototype_pte(const struct pte_context *ctx, uint64_t raw,
			      struct pte_decoded *out);

/* The value of the named field, false if the decode has none. */
bool pte_field_value(const struct pte_decoded *d, const char *name, uint64_t *value);

#endif
