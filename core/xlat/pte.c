#include "core/xlat/pte.h"

#include <stdio.h>
#include <string.h>

#include "core/util/builds.h"

#define LIST(a) { a, sizeof a / sizeof a[0] }
#define BIT(name, pos, why) { name, pos, 1, 0, PM_NONE, why }

/* ---- Hardware entries: doc/address-space.md §1.3 (bit layout), 2.2 (Windows bits 9..11,
 * 52..62 of valid entries). Bit 1 keeps the hardware name: Windows calls it
 * Writable (XP/2003) or Dirty1 (Vista on); its own Write is bit 11. */
static const struct pte_bits hw_low[] = {
	BIT("Valid", 0, "present: the CPU uses this entry (P)"),
	BIT("Write", 1, "writable (R/W); Windows: Writable, later Dirty1"),
	BIT("Owner", 2, "user mode may access (U/S); clear: kernel only"),
	BIT("WriteThrough", 3, "write-through caching (PWT)"),
	BIT("CacheDisable", 4, "not cached (PCD)"),
	BIT("Accessed", 5, "the CPU has used this entry (A)"),
};
/* D and G mean something only in an entry that maps a page (a PTE or a
 * large page); in an entry that points at a table the CPU ignores them. */
static const struct pte_bits hw_dirty_page[] = {
	BIT("Dirty", 6, "the page has been written to (D)"),
};
static const struct pte_bits hw_dirty_table[] = {
	BIT("Dirty", 6, "ignored by the CPU here: this entry points at a table, and only the "
	    "entry that maps a page records writes (D)"),
};
static const struct pte_bits hw_bit7_large[] = {
	BIT("LargePage", 7, "PS: maps a large page; the walk ends here"),
};
static const struct pte_bits hw_bit7_pat[] = {
	BIT("PAT", 7, "page attribute table index bit of a 4 KiB page"),
};
static const struct pte_bits hw_global_page[] = {
	BIT("Global", 8, "global: kept in the TLB across CR3 loads (G)"),
};
static const struct pte_bits hw_global_table[] = {
	BIT("Global", 8, "ignored by the CPU here: only the entry that maps a page can be "
	    "global (G)"),
};
static const struct pte_bits hw_mid[] = {
	BIT("CopyOnWrite", 9, "Windows: copy-on-write; a write makes a private copy"),
	BIT("Prototype", 10, "Windows: software bit 10 (Prototype on XP/2003, unused later)"),
	BIT("SoftwareWrite", 11, "Windows: software Write bit; the page may be written"),
};
/* PAE PDPTE: only P, PWT, PCD and the address (doc/address-space.md §1.3). */
static const struct pte_bits hw_pae_pdpte[] = {
	BIT("Valid", 0, "present: the CPU uses this entry (P)"),
	BIT("WriteThrough", 3, "write-through caching (PWT)"),
	BIT("CacheDisable", 4, "not cached (PCD)"),
	{ "PFN", 12, 40, 0, PM_PFN, "frame of the page directory" },
};
static const struct pte_bits frame_x86_4k[] = {
	{ "PFN", 12, 20, 0, PM_PFN, "page frame number: physical address >> 12" },
};
/* 4 MiB PDE: PA 31..22 in bits 31..22, PA 39..32 in bits 20..13 (PSE-36). */
static const struct pte_bits frame_x86_4m[] = {
	BIT("PAT", 12, "page attribute table index bit of a large page"),
	{ "PFNHigh", 13, 8, 20, PM_PFN, "physical address bits 39..32 (PSE-36)" },
	{ "PFN", 22, 10, 10, PM_PFN, "frame of the 4 MiB page" },
};
static const struct pte_bits frame_64_4k[] = {
	{ "PFN", 12, 40, 0, PM_PFN, "page frame number: physical address >> 12" },
};
/* In a large leaf bit 12 is PAT, not address (doc/address-space.md §1.3 masking pitfalls). */
static const struct pte_bits frame_64_2m[] = {
	BIT("PAT", 12, "page attribute table index bit of a large page"),
	{ "PFN", 21, 31, 9, PM_PFN, "frame of the 2 MiB page" },
};
static const struct pte_bits frame_64_1g[] = {
	BIT("PAT", 12, "page attribute table index bit of a large page"),
	{ "PFN", 30, 22, 18, PM_PFN, "frame of the 1 GiB page" },
};

static const struct pte_bits high_pae[] = {
	BIT("NoExecute", 63, "no instruction fetches from this range (XD)"),
};
static const struct pte_bits high_x64_win7[] = {
	{ "SoftwareWsIndex", 52, 11, 0, PM_NONE, "Windows: working-set list index" },
	BIT("NoExecute", 63, "no instruction fetches from this range (XD)"),
};
static const struct pte_bits high_x64_win10_rs5[] = {
	{ "ReservedForSoftware", 52, 4, 0, PM_NONE, "Windows: reserved for software" },
	{ "WsleAge", 56, 4, 0, PM_NONE, "Windows: working-set entry age" },
	{ "WsleProtection", 60, 3, 0, PM_NONE, "Windows: working-set entry protection" },
	BIT("NoExecute", 63, "no instruction fetches from this range (XD)"),
};

/* ---- Software entries: doc/address-space.md §2.3 (x86), 2.4 (PAE), 2.5 (x64). */
#define PROTECTION { "Protection", 5, 5, 0, PM_PROTECTION, "MM_* protection of the page" }
#define PROTO_BIT BIT("Prototype", 10, "Windows: prototype PTE format")
#define TRANS_BIT BIT("Transition", 11, "Windows: the page is on a standby or modified list")
#define PF_HIGH32 { "PageFileHigh", 32, 32, 0, PM_PAGEFILE_HIGH, "page index in the page file" }
#define PF_LOW_1 { "PageFileLow", 1, 4, 0, PM_PAGEFILE_LOW, "page file number" }
#define PF_LOW_12 { "PageFileLow", 12, 4, 0, PM_PAGEFILE_LOW, "page file number" }
#define SWIZZLE BIT("SwizzleBit", 4, "Windows 10: set when the entry is not XOR-ed with InvalidPteMask")
#define SWIZZLE_FIELD { "SwizzleBit", 4, 1, 0, PM_SWIZZLE, \
	"Windows 10: set when the offset is not XOR-ed with InvalidPteMask" }
#define TRANS_LOW \
	BIT("Write", 1, "writable when made valid again"), \
	BIT("Owner", 2, "user-mode page"), \
	BIT("WriteThrough", 3, "write-through caching"), \
	BIT("CacheDisable", 4, "not cached")

static const struct pte_bits sw_x86[] = {
	PF_LOW_1, PROTECTION, PROTO_BIT, TRANS_BIT,
	{ "PageFileHigh", 12, 20, 0, PM_PAGEFILE_HIGH, "page index in the page file" },
};
static const struct pte_bits trans_x86[] = {
	TRANS_LOW, PROTECTION, PROTO_BIT, TRANS_BIT,
	{ "PFN", 12, 20, 0, PM_PFN, "frame still holding the page" },
};
static const struct pte_bits proto_x86_xp[] = {
	{ "ProtoAddressLow", 1, 7, 0, PM_PROTO_LOW, "prototype PTE address, low part" },
	BIT("ReadOnly", 8, "the prototype is read-only"),
	BIT("WhichPool", 9, "pool holding the prototype"),
	PROTO_BIT,
	{ "ProtoAddressHigh", 11, 21, 0, PM_PROTO_HIGH, "prototype PTE address, high part" },
};
static const struct pte_bits proto_x86_vista[] = {
	{ "ProtoAddressLow", 1, 8, 0, PM_PROTO_LOW, "prototype PTE address, low part" },
	BIT("ReadOnly", 9, "the prototype is read-only"),
	PROTO_BIT,
	{ "ProtoAddressHigh", 11, 21, 0, PM_PROTO_HIGH, "prototype PTE address, high part" },
};

static const struct pte_bits sw_pae[] = { PF_LOW_1, PROTECTION, PROTO_BIT, TRANS_BIT, PF_HIGH32 };
static const struct pte_bits trans_pae[] = {
	TRANS_LOW, PROTECTION, PROTO_BIT, TRANS_BIT,
	{ "PFN", 12, 26, 0, PM_PFN, "frame still holding the page" },
};
#define PROTO_ADDRESS_32 { "ProtoAddress", 32, 32, 0, PM_PROTO_HIGH, "prototype PTE address" }
static const struct pte_bits proto_pae[] = { PROTO_BIT, PROTO_ADDRESS_32 };
static const struct pte_bits sw_pae_win10[] = {
	BIT("PageFileReserved", 1, "page file space reserved"),
	BIT("PageFileAllocated", 2, "page file space allocated"),
	SWIZZLE_FIELD, PROTECTION, PROTO_BIT, TRANS_BIT, PF_LOW_12, PF_HIGH32,
};
static const struct pte_bits trans_pae_win10[] = {
	BIT("IoTracker", 3, "I/O tracking"), SWIZZLE, PROTECTION, PROTO_BIT, TRANS_BIT,
	{ "PFN", 12, 26, 0, PM_PFN, "frame still holding the page" },
};
static const struct pte_bits proto_pae_win10[] = {
	BIT("ReadOnly", 3, "the prototype is read-only"), SWIZZLE, PROTECTION, PROTO_BIT,
	BIT("Combined", 11, "combined page"), PROTO_ADDRESS_32,
};

#define USED_PTES(pos) { "UsedPageTableEntries", pos, 10, 0, PM_NONE, \
	"entries in use in the page table this entry maps" }
#define PROTO_ADDRESS_48 { "ProtoAddress", 16, 48, 0, PM_PROTO_HIGH, "prototype PTE address" }
static const struct pte_bits sw_x64_win7[] = {
	PF_LOW_1, PROTECTION, PROTO_BIT, TRANS_BIT, USED_PTES(12),
	BIT("InStore", 22, "the page is in the store (compressed)"), PF_HIGH32,
};
static const struct pte_bits trans_x64[] = {
	TRANS_LOW, PROTECTION, PROTO_BIT, TRANS_BIT,
	{ "PFN", 12, 36, 0, PM_PFN, "frame still holding the page" },
};
static const struct pte_bits proto_x64_win7[] = {
	BIT("ReadOnly", 8, "the prototype is read-only"), PROTO_BIT,
	{ "Protection", 11, 5, 0, PM_PROTECTION, "MM_* protection of the page" },
	PROTO_ADDRESS_48,
};
static const struct pte_bits sw_x64_win8[] = {
	PF_LOW_1, PROTECTION, PROTO_BIT, TRANS_BIT,
	BIT("InStore", 12, "the page is in the store (compressed)"),
	BIT("PageFileReserved", 13, "page file space reserved"),
	BIT("PageFileAllocated", 14, "page file space allocated"),
	USED_PTES(15), PF_HIGH32,
};
static const struct pte_bits proto_x64_win8[] = {
	BIT("DemandFillProto", 1, "demand-fill prototype"),
	BIT("HiberVerifyConverted", 2, "converted for hibernation verification"),
	BIT("ReadOnly", 8, "the prototype is read-only"),
	BIT("Combined", 9, "combined page"), PROTO_BIT,
	{ "Protection", 11, 5, 0, PM_PROTECTION, "MM_* protection of the page" },
	PROTO_ADDRESS_48,
};
static const struct pte_bits sw_x64_win10[] = {
	PF_LOW_1, PROTECTION, PROTO_BIT, TRANS_BIT,
	BIT("PageFileReserved", 12, "page file space reserved"),
	BIT("PageFileAllocated", 13, "page file space allocated"),
	USED_PTES(14), PF_HIGH32,
};
static const struct pte_bits sw_x64_win10_rs5[] = {
	BIT("PageFileReserved", 1, "page file space reserved"),
	BIT("PageFileAllocated", 2, "page file space allocated"),
	BIT("ColdPage", 3, "cold page"), SWIZZLE_FIELD, PROTECTION, PROTO_BIT, TRANS_BIT,
	PF_LOW_12, USED_PTES(16), BIT("ShadowStack", 26, "shadow stack page"), PF_HIGH32,
};
static const struct pte_bits trans_x64_win10_rs5[] = {
	BIT("Write", 1, "writable when made valid again"), BIT("Spare", 2, "spare"),
	BIT("IoTracker", 3, "I/O tracking"), SWIZZLE, PROTECTION, PROTO_BIT, TRANS_BIT,
	{ "PFN", 12, 36, 0, PM_PFN, "frame still holding the page" },
};
static const struct pte_bits proto_x64_win10_rs5[] = {
	BIT("DemandFillProto", 1, "demand-fill prototype"),
	BIT("HiberVerifyConverted", 2, "converted for hibernation verification"),
	BIT("ReadOnly", 3, "the prototype is read-only"), SWIZZLE, PROTECTION, PROTO_BIT,
	BIT("Combined", 11, "combined page"), PROTO_ADDRESS_48,
};

/* ---- A Linux kernel's entries (doc/address-space.md §8.1), by
 * arch/x86/include/asm/pgtable_types.h, pgtable_64.h and pgtable-3level.h
 * of Linux 6.1. Present entries: software bits 9..11 and 58..62. */
static const struct pte_bits linux_soft[] = {
	BIT("Special", 9, "Linux _PAGE_SPECIAL (SOFTW1): a page with no struct page to count"),
	BIT("UffdWp", 10, "Linux _PAGE_UFFD_WP (SOFTW2): write-protected by userfaultfd"),
	BIT("SoftDirty", 11, "Linux _PAGE_SOFT_DIRTY (SOFTW3): written since soft-dirty was "
	    "cleared"),
};
#define LINUX_DEVMAP BIT("Devmap", 58, "Linux _PAGE_DEVMAP (SOFTW4): ZONE_DEVICE memory")
static const struct pte_bits linux_high_x64[] = {
	LINUX_DEVMAP,
	{ "ProtectionKey", 59, 4, 0, PM_NONE, "memory protection key (_PAGE_PKEY_BIT0..3)" },
	BIT("NoExecute", 63, "no instruction fetches from this range (XD)"),
};
static const struct pte_bits linux_high_pae[] = {
	LINUX_DEVMAP,
	BIT("NoExecute", 63, "no instruction fetches from this range (XD)"),
};
/* A swap entry: the type in bits 59..63, the offset inverted in bits
 * 9..58 (pgtable_64.h __swp_type, __swp_offset; PAE's 64-bit entries the
 * same, pgtable-3level.h __pteval_swp_type, __pteval_swp_offset); bits 1..3
 * carry flags of the page swapped out, bit 3 on x86_64 only
 * (pgtable_64_types.h _PAGE_SWP_EXCLUSIVE). */
#define SWP_SOFT_DIRTY BIT("SwpSoftDirty", 1, "_PAGE_SWP_SOFT_DIRTY: soft-dirty, kept across " \
			   "swap and migration")
#define SWP_UFFD_WP BIT("SwpUffdWp", 2, "_PAGE_SWP_UFFD_WP: write-protected by userfaultfd")
#define SWP_OFFSET { "SwapOffset", 9, 50, 0, PM_SWAP_OFFSET, \
	"page index in the swap area (the entry holds it inverted)" }
#define SWP_TYPE { "SwapType", 59, 5, 0, PM_SWAP_TYPE, "swap area by swapon order; the " \
	"highest types are migration, hwpoison and device entries (linux/swap.h)" }
static const struct pte_bits linux_swap_x64[] = {
	SWP_SOFT_DIRTY, SWP_UFFD_WP,
	BIT("SwpExclusive", 3, "_PAGE_SWP_EXCLUSIVE: the anonymous page was exclusive"),
	SWP_OFFSET, SWP_TYPE,
};
static const struct pte_bits linux_swap_pae[] = { SWP_SOFT_DIRTY, SWP_UFFD_WP, SWP_OFFSET, SWP_TYPE };
/* PROT_NONE: present to the kernel, not to the CPU (pgtable.h
 * pte_protnone), with the frame number inverted (pgtable-invert.h). */
static const struct pte_bits linux_prot_none[] = {
	BIT("Write", 1, "writable once access is given back (R/W)"),
	BIT("Owner", 2, "user mode (U/S)"),
	BIT("Accessed", 5, "accessed (A)"),
	BIT("Dirty", 6, "written to (D)"),
	BIT("ProtNone", 8, "Linux _PAGE_PROTNONE (the Global bit): PROT_NONE, or a NUMA hinting "
	    "fault armed"),
	{ "PFN", 12, 40, 0, PM_PFN_INVERTED, "frame of the page (the entry holds it inverted)" },
};

/* MMPTE_SUBSECTION, found only in prototype PTE arrays: doc/address-space.md §2.3 (x86),
 * 2.4 (PAE), 2.5 (x64; Windows 8 and 10 before 1809 are not drawn there,
 * kdx reads them with the Windows 7 positions). */
#define SUB_ADDRESS_32 { "SubsectionAddress", 32, 32, 0, PM_PROTO_HIGH, "SUBSECTION address" }
#define SUB_ADDRESS_48 { "SubsectionAddress", 16, 48, 0, PM_PROTO_HIGH, "SUBSECTION address" }
static const struct pte_bits sub_x86_xp[] = {
	{ "SubsectionAddressLow", 1, 4, 0, PM_PROTO_LOW, "SUBSECTION offset, low part" },
	PROTECTION, PROTO_BIT,
	{ "SubsectionAddressHigh", 11, 20, 0, PM_PROTO_HIGH, "SUBSECTION offset, high part" },
	{ "WhichPool", 31, 1, 0, PM_WHICH_POOL, "pool holding the SUBSECTION" },
};
static const struct pte_bits sub_x86_vista[] = {
	{ "SubsectionAddressLow", 1, 9, 0, PM_PROTO_LOW, "SUBSECTION address, low part" },
	PROTO_BIT,
	{ "SubsectionAddressHigh", 11, 21, 0, PM_PROTO_HIGH, "SUBSECTION address, high part" },
};
static const struct pte_bits sub_pae[] = { PROTECTION, PROTO_BIT, SUB_ADDRESS_32 };
static const struct pte_bits sub_pae_win10[] = { SWIZZLE, PROTECTION, PROTO_BIT, SUB_ADDRESS_32 };
static const struct pte_bits sub_x64[] = { PROTECTION, PROTO_BIT, SUB_ADDRESS_48 };
static const struct pte_bits sub_x64_win10_rs5[] = {
	SWIZZLE, PROTECTION, PROTO_BIT, BIT("ColdPage", 11, "cold page"),
	BIT("ExecutePrivilege", 15, "execute privilege"), SUB_ADDRESS_48,
};

/* Address rules of prototype and subsection PTEs, doc/address-space.md §2.3 (x86), 2.4
 * (PAE), 2.5 (x64). Vista/7 x86 subsection: field widths known, formula
 * not (doc/address-space.md, open question 6), so kdx names the fields and no address. */
#define PROTO_XP { .base_kind = PA_PAGED_POOL, .scale = 2 }
#define PROTO_VISTA { .base_kind = PA_FIXED, .base = 0x80000000u, .scale = 2 }
#define SUB_XP { .base_kind = PA_WHICH_POOL, .scale = 3 }
#define SUB_VISTA { .base_kind = PA_UNKNOWN }
#define ADDRESS_HIGH_DWORD { .base_kind = PA_FIXED }
#define ADDRESS_SIGNED48 { .base_kind = PA_FIXED, .sign_bits = 48 }

/* Windows formats keep the Linux lists empty. */
#define NO_LINUX { 0, 0 }, { 0, 0 }
static const struct pte_format formats[] = {
	{ PTE_FAMILY_X86_XP, "x86 XP/2003", PAGING_X86, LIST(hw_mid), { 0, 0 },
	  LIST(sw_x86), LIST(trans_x86), LIST(proto_x86_xp), LIST(sub_x86_xp), PROTO_XP, SUB_XP,
	  NO_LINUX },
	{ PTE_FAMILY_X86_VISTA, "x86 Vista/7", PAGING_X86, LIST(hw_mid), { 0, 0 },
	  LIST(sw_x86), LIST(trans_x86), LIST(proto_x86_vista), LIST(sub_x86_vista), PROTO_VISTA,
	  SUB_VISTA, NO_LINUX },
	{ PTE_FAMILY_PAE, "x86 PAE XP..10 1803", PAGING_PAE, LIST(hw_mid), LIST(high_pae),
	  LIST(sw_pae), LIST(trans_pae), LIST(proto_pae), LIST(sub_pae), ADDRESS_HIGH_DWORD,
	  ADDRESS_HIGH_DWORD, NO_LINUX },
	{ PTE_FAMILY_PAE_WIN10, "x86 PAE Windows 10 1809+", PAGING_PAE, LIST(hw_mid),
	  LIST(high_pae), LIST(sw_pae_win10), LIST(trans_pae_win10), LIST(proto_pae_win10), LIST(sub_pae_win10),
	  ADDRESS_HIGH_DWORD, ADDRESS_HIGH_DWORD, NO_LINUX },
	{ PTE_FAMILY_X64_WIN7, "x64 2003..7", PAGING_X64, LIST(hw_mid), LIST(high_x64_win7),
	  LIST(sw_x64_win7), LIST(trans_x64), LIST(proto_x64_win7), LIST(sub_x64),
	  ADDRESS_SIGNED48, ADDRESS_SIGNED48, NO_LINUX },
	{ PTE_FAMILY_X64_WIN8, "x64 8/8.1", PAGING_X64, LIST(hw_mid), LIST(high_x64_win7),
	  LIST(sw_x64_win8), LIST(trans_x64), LIST(proto_x64_win8), LIST(sub_x64),
	  ADDRESS_SIGNED48, ADDRESS_SIGNED48, NO_LINUX },
	{ PTE_FAMILY_X64_WIN10, "x64 Windows 10 before 1809", PAGING_X64, LIST(hw_mid),
	  LIST(high_x64_win7), LIST(sw_x64_win10), LIST(trans_x64), LIST(proto_x64_win8),
	  LIST(sub_x64), ADDRESS_SIGNED48, ADDRESS_SIGNED48, NO_LINUX },
	{ PTE_FAMILY_X64_WIN10_RS5, "x64 Windows 10 1809+", PAGING_X64, LIST(hw_mid),
	  LIST(high_x64_win10_rs5), LIST(sw_x64_win10_rs5), LIST(trans_x64_win10_rs5),
	  LIST(proto_x64_win10_rs5), LIST(sub_x64_win10_rs5), ADDRESS_SIGNED48, ADDRESS_SIGNED48,
	  NO_LINUX },
	{ .family = PTE_FAMILY_LINUX_X64, .name = "Linux x86_64", .mode = PAGING_X64,
	  .valid_soft = LIST(linux_soft), .valid_high = LIST(linux_high_x64),
	  .swap = LIST(linux_swap_x64), .prot_none = LIST(linux_prot_none) },
	{ .family = PTE_FAMILY_LINUX_PAE, .name = "Linux x86 PAE", .mode = PAGING_PAE,
	  .valid_soft = LIST(linux_soft), .valid_high = LIST(linux_high_pae),
	  .swap = LIST(linux_swap_pae), .prot_none = LIST(linux_prot_none) },
};

const struct pte_format *pte_format_linux(enum paging mode)
{
	return mode == PAGING_X64 ? pte_format_of(PTE_FAMILY_LINUX_X64) :
	       mode == PAGING_PAE ? pte_format_of(PTE_FAMILY_LINUX_PAE) : NULL;
}

const struct pte_format *pte_format_of(enum pte_family family)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].family == family)
			return &formats[i];
	return NULL;
}

/* The format of the dump's era (core/util/builds.h). */
const struct pte_format *pte_format_for(enum paging mode, bool has_build, uint32_t build)
{
	switch (mode) {
	case PAGING_X86:
		return pte_format_of(has_build && build < NT_BUILD_VISTA ? PTE_FAMILY_X86_XP
							       : PTE_FAMILY_X86_VISTA);
	case PAGING_PAE:
		return pte_format_of(has_build && build < NT_BUILD_WIN10_1809 ? PTE_FAMILY_PAE
								     : PTE_FAMILY_PAE_WIN10);
	case PAGING_X64:
		if (!has_build || build >= NT_BUILD_WIN10_1809)
			return pte_format_of(PTE_FAMILY_X64_WIN10_RS5);
		if (build >= NT_BUILD_WIN10)
			return pte_format_of(PTE_FAMILY_X64_WIN10);
		if (build >= NT_BUILD_WIN8)
			return pte_format_of(PTE_FAMILY_X64_WIN8);
		return pte_format_of(PTE_FAMILY_X64_WIN7);
	default:
		return NULL;
	}
}

void pte_context_init(struct pte_context *ctx, enum paging mode, bool has_build, uint32_t build,
		      const struct pte_format *profile_format)
{
	memset(ctx, 0, sizeof *ctx);
	bool has_profile = profile_format != NULL;
	ctx->format = has_profile ? profile_format : pte_format_for(mode, has_build, build);
	const char *family = ctx->format ? ctx->format->name : "none";
	if (!ctx->format)
		snprintf(ctx->family_note, sizeof ctx->family_note,
			 "no PTE format for this paging mode: software states cannot be decoded");
	else if (!has_build)
		snprintf(ctx->family_note, sizeof ctx->family_note,
			 "the dump states no build: software states decoded as %s, the newest of "
			 "the mode (assumed)", family);
	else if (!has_profile)
		snprintf(ctx->family_note, sizeof ctx->family_note,
			 "build %u has no profile: software states decoded as %s, assumed from "
			 "the build number", build, family);
	else
		snprintf(ctx->family_note, sizeof ctx->family_note, "build %u: %s", build, family);
	ctx->family_assumed = ctx->format && (!has_build || !has_profile);
}

const char *pte_state_name(enum pte_state s)
{
	static const char *const names[] = {
		[PTE_STATE_VALID] = "valid", [PTE_STATE_LARGE] = "large",
		[PTE_STATE_TRANSITION] = "transition", [PTE_STATE_PAGEFILE] = "pagefile",
		[PTE_STATE_PROTOTYPE] = "prototype", [PTE_STATE_DEMAND_ZERO] = "demand-zero",
		[PTE_STATE_VAD] = "vad", [PTE_STATE_NO_ACCESS] = "no-access",
		[PTE_STATE_EMPTY] = "empty", [PTE_STATE_NOT_PRESENT] = "not-present",
		[PTE_STATE_SUBSECTION] = "subsection", [PTE_STATE_SWAP] = "swap",
		[PTE_STATE_PROT_NONE] = "prot-none",
	};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

/* doc/address-space.md §2.7: low 3 bits the access, bits 3..4 the cache/guard modifier;
 * a modifier alone is a special value. */
const char *pte_protection_name(unsigned protection)
{
	static const char *const names[32] = {
		"MM_ZERO_ACCESS", "MM_READONLY", "MM_EXECUTE", "MM_EXECUTE_READ",
		"MM_READWRITE", "MM_WRITECOPY", "MM_EXECUTE_READWRITE", "MM_EXECUTE_WRITECOPY",
		"MM_NOCACHE", "MM_NOCACHE|MM_READONLY", "MM_NOCACHE|MM_EXECUTE",
		"MM_NOCACHE|MM_EXECUTE_READ", "MM_NOCACHE|MM_READWRITE",
		"MM_NOCACHE|MM_WRITECOPY", "MM_NOCACHE|MM_EXECUTE_READWRITE",
		"MM_NOCACHE|MM_EXECUTE_WRITECOPY",
		"MM_DECOMMIT", "MM_GUARDPAGE|MM_READONLY", "MM_GUARDPAGE|MM_EXECUTE",
		"MM_GUARDPAGE|MM_EXECUTE_READ", "MM_GUARDPAGE|MM_READWRITE",
		"MM_GUARDPAGE|MM_WRITECOPY", "MM_GUARDPAGE|MM_EXECUTE_READWRITE",
		"MM_GUARDPAGE|MM_EXECUTE_WRITECOPY",
		"MM_NOACCESS", "MM_WRITECOMBINE|MM_READONLY", "MM_WRITECOMBINE|MM_EXECUTE",
		"MM_WRITECOMBINE|MM_EXECUTE_READ", "MM_WRITECOMBINE|MM_READWRITE",
		"MM_WRITECOMBINE|MM_WRITECOPY", "MM_WRITECOMBINE|MM_EXECUTE_READWRITE",
		"MM_OUTSWAPPED_KSTACK",
	};
	return protection < 32 ? names[protection] : "invalid";
}

static uint64_t bits_value(const struct pte_bits *b, uint64_t raw)
{
	uint64_t mask = b->width >= 64 ? ~0ull : (1ull << b->width) - 1;
	return ((raw >> b->pos) & mask) << b->shift;
}

/* Values a decode collects from the meaning-tagged fields it extracted. */
struct meanings {
	uint64_t value[PM_COUNT];
	bool seen[PM_COUNT];
	uint8_t low_width;          /* width of PM_PROTO_LOW */
};

static void add_list(struct pte_decoded *out, struct pte_bits_list l, uint64_t raw,
		     struct meanings *m)
{
	for (size_t i = 0; i < l.count && out->nfields < PTE_MAX_FIELDS; i++) {
		const struct pte_bits *b = &l.items[i];
		bool inverted = b->meaning == PM_SWAP_OFFSET || b->meaning == PM_PFN_INVERTED;
		uint64_t v = bits_value(b, inverted ? ~raw : raw);
		out->fields[out->nfields++] = (struct pte_field){ b, v };
		if (b->meaning == PM_NONE)
			continue;
		m->value[b->meaning] |= v;
		m->seen[b->meaning] = true;
		if (b->meaning == PM_PROTO_LOW)
			m->low_width = b->width;
	}
}

#define LIST_OF(a) ((struct pte_bits_list)LIST(a))

/* doc/address-space.md §1.4: C G L D A N T U/K W/R E V. A PAE PDPTE has only P, PWT and
 * PCD: its other letters are '-', never a K, R or E it cannot mean. */
static void windbg_flags(uint64_t raw, bool large, bool has_nx, bool pdpte, char out[12])
{
	if (pdpte) {
		snprintf(out, 12, "-----%c%c---V", raw & 0x10 ? 'N' : '-', raw & 0x08 ? 'T' : '-');
		return;
	}
	out[0] = raw & 0x200 ? 'C' : '-';
	out[1] = raw & 0x100 ? 'G' : '-';
	out[2] = large ? 'L' : '-';
	out[3] = raw & 0x40 ? 'D' : '-';
	out[4] = raw & 0x20 ? 'A' : '-';
	out[5] = raw & 0x10 ? 'N' : '-';
	out[6] = raw & 0x08 ? 'T' : '-';
	out[7] = raw & 0x04 ? 'U' : 'K';
	out[8] = raw & 0x02 ? 'W' : 'R';
	out[9] = has_nx && (raw >> 63) ? '-' : 'E';
	out[10] = 'V';
	out[11] = 0;
}

static void decode_hardware(const struct pte_format *f, const struct paging_desc *pd,
			    int level, uint64_t raw, struct pte_decoded *out)
{
	struct meanings m = { 0 };
	bool last = level == pd->levels - 1;
	bool large = !last && (pd->large_ok & (1u << level)) && (raw & 0x80);
	bool wide = pd->entry_size == 8;
	bool pdpte = pd->mode == PAGING_PAE && level == 0;
	bool maps_page = large || last;
	out->format_name = f->swap.count ? "present" : "MMPTE_HARDWARE";
	out->state = large ? PTE_STATE_LARGE : PTE_STATE_VALID;
	out->page_size = large ? paging_leaf_size(pd, level) : last ? KDX_PAGE_SIZE : 0;
	if (pdpte) {
		out->detail = "page-directory-pointer entry: selects one of 4 page directories";
		add_list(out, LIST_OF(hw_pae_pdpte), raw, &m);
	} else {
		out->detail = large ? "large page: the walk ends here"
			: last ? "valid page" : "valid: points at the next table";
		add_list(out, LIST_OF(hw_low), raw, &m);
		add_list(out, maps_page ? LIST_OF(hw_dirty_page) : LIST_OF(hw_dirty_table), raw, &m);
		if (last)
			add_list(out, LIST_OF(hw_bit7_pat), raw, &m);
		else
			add_list(out, LIST_OF(hw_bit7_large), raw, &m);
		add_list(out, maps_page ? LIST_OF(hw_global_page) : LIST_OF(hw_global_table), raw,
			 &m);
		add_list(out, f->valid_soft, raw, &m);
		if (!wide)
			add_list(out, large ? LIST_OF(frame_x86_4m) : LIST_OF(frame_x86_4k), raw, &m);
		else if (!large)
			add_list(out, LIST_OF(frame_64_4k), raw, &m);
		else if (pd->shift[level] == 30)
			add_list(out, LIST_OF(frame_64_1g), raw, &m);
		else
			add_list(out, LIST_OF(frame_64_2m), raw, &m);
		add_list(out, f->valid_high, raw, &m);
	}
	out->has_pfn = true;
	out->pfn = m.value[PM_PFN];
	out->has_flags = true;
	windbg_flags(raw, large, wide, pdpte, out->flags);
}

static bool all_ones(uint64_t v, const struct pte_bits_list l, enum pte_meaning which)
{
	for (size_t i = 0; i < l.count; i++)
		if (l.items[i].meaning == which)
			return v == ((1ull << l.items[i].width) - 1);
	return false;
}

static void finish_protection(struct pte_decoded *out, const struct meanings *m)
{
	out->has_protection = m->seen[PM_PROTECTION];
	out->protection = (unsigned)m->value[PM_PROTECTION];
}

/* The kernel address a prototype or subsection entry names; false with
 * why when the decode lacks a fact it needs. */
static bool named_address(const struct pte_context *ctx, const struct pte_proto *p,
			  const struct meanings *m, uint64_t *addr, const char **why)
{
	uint64_t combined = (m->value[PM_PROTO_HIGH] << m->low_width) | m->value[PM_PROTO_LOW];
	uint64_t offset = combined << p->scale, a;
	switch (p->base_kind) {
	case PA_UNKNOWN:
		*why = "the address formula of this build is not known (doc/address-space.md, open question 6)";
		return false;
	case PA_PAGED_POOL:
		if (!ctx->has_paged_pool_start) {
			*why = "the address is relative to the paged-pool start, which is unknown";
			return false;
		}
		a = ctx->paged_pool_start + offset;
		break;
	case PA_WHICH_POOL:
		if (!ctx->has_subsection_bases) {
			*why = "the address is relative to MmSubsectionBase or MmNonPagedPoolEnd, "
			       "which are unknown";
			return false;
		}
		/* The public sources leave the WhichPool convention open
		 * (doc/address-space.md §2.3); kdx follows
		 * ReactOS MiSubsectionPteToSubsection: WhichPool = PagedPool (1). */
		a = m->value[PM_WHICH_POOL] ? ctx->subsection_base + offset
					    : ctx->nonpaged_pool_end - offset;
		break;
	default:
		a = p->base + offset;
		break;
	}
	if (p->sign_bits && (a >> (p->sign_bits - 1)) & 1)
		a |= ~0ull << p->sign_bits;
	*addr = ctx->format->mode == PAGING_X64 ? a : a & 0xffffffffu;
	return true;
}

static void decode_prototype(const struct pte_context *ctx, uint64_t raw, struct pte_decoded *out)
{
	const struct pte_format *f = ctx->format;
	struct meanings m = { 0 };
	const char *why;
	out->format_name = "MMPTE_PROTOTYPE";
	out->state = PTE_STATE_PROTOTYPE;
	/* The Protection field of a prototype-format entry is not the page's
	 * protection (doc/address-space.md, open question 9): the prototype PTE decides. */
	add_list(out, f->prototype, raw, &m);
	if (!named_address(ctx, &f->proto, &m, &out->prototype_address, &why)) {
		out->detail = why;
		return;
	}
	out->detail = "prototype: the page is described by the prototype PTE at this address";
	out->has_prototype_address = true;
}

static void decode_subsection(const struct pte_context *ctx, uint64_t raw, struct pte_decoded *out)
{
	const struct pte_format *f = ctx->format;
	struct meanings m = { 0 };
	const char *why;
	out->format_name = "MMPTE_SUBSECTION";
	out->state = PTE_STATE_SUBSECTION;
	add_list(out, f->subsection, raw, &m);
	finish_protection(out, &m);
	if (!named_address(ctx, &f->sub, &m, &out->subsection_address, &why)) {
		out->detail = why;
		return;
	}
	out->detail = "subsection: a file page not in memory; the SUBSECTION says where in the file";
	out->has_subsection_address = true;
}

/* doc/address-space.md §2.1: the classification order for a not-present entry. */
static void decode_software(const struct pte_context *ctx, uint64_t raw, struct pte_decoded *out)
{
	const struct pte_format *f = ctx->format;
	struct meanings sw = { 0 };
	struct pte_decoded as_software = { .raw = raw };
	add_list(&as_software, f->software, raw, &sw);
	uint64_t high = sw.value[PM_PAGEFILE_HIGH];
	if (sw.seen[PM_SWIZZLE] && !sw.value[PM_SWIZZLE])
		high ^= ctx->invalid_pte_mask >> 32;
	bool lookup = all_ones(high, f->software, PM_PAGEFILE_HIGH);

	if (raw & 0x400 && !lookup) {
		decode_prototype(ctx, raw, out);
		return;
	}
	if (raw & 0x800 && !(raw & 0x400)) {
		struct meanings m = { 0 };
		out->format_name = "MMPTE_TRANSITION";
		out->state = PTE_STATE_TRANSITION;
		out->detail = "transition: the page is still in memory, on a standby or modified list";
		add_list(out, f->transition, raw, &m);
		finish_protection(out, &m);
		out->has_pfn = true;
		out->pfn = m.value[PM_PFN];
		return;
	}
	memcpy(out->fields, as_software.fields, sizeof out->fields);
	out->nfields = as_software.nfields;
	out->format_name = "MMPTE_SOFTWARE";
	finish_protection(out, &sw);
	if (lookup) {
		out->state = PTE_STATE_VAD;
		out->detail = "Proto: VAD: the VAD covering the address describes the page";
	} else if (out->protection == 0x10) {
		out->state = PTE_STATE_NO_ACCESS;
		out->detail = "decommitted (MM_DECOMMIT)";
	} else if (out->protection == 0) {
		out->state = PTE_STATE_NO_ACCESS;
		out->detail = "no access: a free system PTE or a list link, not a usable page";
	} else if (high == 0 && sw.value[PM_PAGEFILE_LOW] == 0) {
		out->state = PTE_STATE_DEMAND_ZERO;
		out->detail = "demand zero: a zeroed page is supplied on first touch";
	} else {
		out->state = PTE_STATE_PAGEFILE;
		out->detail = "paged out: in the page file";
		out->has_pagefile = true;
		out->pagefile_number = sw.value[PM_PAGEFILE_LOW];
		out->pagefile_offset = high;
	}
}

/* Linux: a not-present entry that is not none is PROT_NONE or a swap
 * entry (a migration or device entry too), at any level: a PMD can hold
 * them for a huge page. */
static void decode_linux(const struct pte_format *f, uint64_t raw, struct pte_decoded *out)
{
	struct meanings m = { 0 };
	if (raw & 0x100) {
		out->state = PTE_STATE_PROT_NONE;
		out->format_name = "PROT_NONE";
		out->detail = "a page in memory the CPU may not touch (mprotect PROT_NONE, or "
			      "NUMA balancing's hinting fault)";
		add_list(out, f->prot_none, raw, &m);
		out->has_pfn = true;
		out->pfn = m.value[PM_PFN_INVERTED];
		return;
	}
	out->state = PTE_STATE_SWAP;
	out->format_name = "swap entry";
	out->detail = "the page is in a swap area, or being migrated";
	add_list(out, f->swap, raw, &m);
	out->has_swap = true;
	out->swap_type = m.value[PM_SWAP_TYPE];
	out->swap_offset = m.value[PM_SWAP_OFFSET];
}

void pte_decode(const struct pte_context *ctx, int level, uint64_t raw, struct pte_decoded *out)
{
	const struct paging_desc *pd = paging_desc(ctx->format->mode);
	bool is_linux = ctx->format->swap.count > 0;
	memset(out, 0, sizeof *out);
	out->raw = raw;
	out->level = level;
	if (raw & 1) {
		decode_hardware(ctx->format, pd, level, raw, out);
	} else if (raw == 0) {
		out->state = PTE_STATE_EMPTY;
		out->format_name = is_linux ? "none" : "zero";
		out->detail = is_linux ? "nothing mapped here (pte_none)" :
			"never touched or no table yet (the VAD decides)";
	} else if (is_linux) {
		decode_linux(ctx->format, raw, out);
	} else if (level == pd->levels - 1) {
		decode_software(ctx, raw, out);
	} else if (!(raw & 0x400)) {
		/* Page tables are pageable: a not-present upper entry holds the
		 * same software formats, for the table below it. */
		decode_software(ctx, raw, out);
		if (out->state == PTE_STATE_PAGEFILE)
			out->detail = "paged out: the page table below is in the page file";
		else if (out->state == PTE_STATE_TRANSITION)
			out->detail = "transition: the page table below is still in memory, on a "
				      "standby or modified list";
	} else {
		struct meanings m = { 0 };
		out->state = PTE_STATE_NOT_PRESENT;
		out->format_name = "MMPTE_HARDWARE";
		out->detail = "not present: the table below is not in memory";
		add_list(out, LIST_OF(hw_low), raw, &m);
		add_list(out, LIST_OF(hw_dirty_table), raw, &m);
	}
}

void pte_decode_prototype_pte(const struct pte_context *ctx, uint64_t raw,
			      struct pte_decoded *out)
{
	const struct paging_desc *pd = paging_desc(ctx->format->mode);
	int leaf = pd->levels - 1;
	if (raw & 1 || raw == 0 || !(raw & 0x400)) {
		pte_decode(ctx, leaf, raw, out);
		return;
	}
	memset(out, 0, sizeof *out);
	out->raw = raw;
	out->level = leaf;
	decode_subsection(ctx, raw, out);
}

bool pte_field_value(const struct pte_decoded *d, const char *name, uint64_t *value)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (strcmp(d->fields[i].bits->name, name) == 0) {
			*value = d->fields[i].value;
			return true;
		}
	return false;
}
