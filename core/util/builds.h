/* The Windows build numbers at which a reader changes behaviour, in one
 * place: a build kdx has no column for still gets the PTE format, the
 * address-space layout and the pool-type meaning of its era. Sources:
 * doc/address-space.md (PTE formats and VA layouts), doc/structures.md
 * (pool types). */
#ifndef KDX_BUILDS_H
#define KDX_BUILDS_H

enum nt_build {
	NT_BUILD_VISTA = 6000,       /* x86 VA space becomes dynamic; new x86 PTE software
				      * formats; bit 0 of a pool type means paged, not nonpaged */
	NT_BUILD_WIN8 = 9200,        /* x64 PTE software formats of Windows 8 */
	NT_BUILD_WIN81 = 9600,       /* x64 system regions of Windows 8.1 and 10 */
	NT_BUILD_WIN10 = 10240,      /* x64 PTE software formats of Windows 10 */
	NT_BUILD_WIN10_1809 = 17763, /* x64 and PAE PageFileLow moved, PAE swizzle bit
				      * (doc/address-space.md, open question 4) */
	NT_BUILD_WIN11 = 22000,      /* no x86 kernel any more: Windows 11 needs a 64-bit
				      * processor (Microsoft, Windows 11 specifications) */
};

#endif
