/* ELF notes a guest dump carries (QEMU's dump-guest-memory writes them in
 * its ELF cores' PT_NOTE and in kdump files after the sub-header): each
 * CPU's NT_PRSTATUS and "QEMU" register notes, and the guest kernel's
 * VMCOREINFO text. */
#ifndef KDX_NOTES_H
#define KDX_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOTES_MAX_CPUS 256
/* A VMCOREINFO note longer than this is cut (the kernel's is 4 KiB at most:
 * VMCOREINFO_BYTES). */
#define NOTES_MAX_VMCOREINFO 65536

/* Control registers from a CPU's "QEMU" note (QEMUCPUState). */
struct cpu_note {
	uint64_t cr0, cr3, cr4;
};

struct dump_notes {
	uint32_t prstatus;          /* NT_PRSTATUS notes: one per CPU */
	uint32_t ncpus;             /* "QEMU" notes read, in file order */
	struct cpu_note cpu[NOTES_MAX_CPUS];
	char *vmcoreinfo;           /* NUL-terminated, NULL when absent */
};

/* Reads the notes in p[0..n) (4-byte aligned, as in an ELF core); stops at
 * the first one that does not fit. Appends to what out already holds. */
void notes_parse(const uint8_t *p, uint64_t n, struct dump_notes *out);
void notes_free(struct dump_notes *n);
/* Whether a VMCOREINFO note names a Linux kernel (it has OSRELEASE). */
bool notes_linux(const struct dump_notes *n);

/* The value of KEY=value in the VMCOREINFO text, copied into buf; false
 * when absent. */
bool vmcoreinfo_str(const struct dump_notes *n, const char *key, char *buf, size_t size);
/* The same read as a number: SYMBOL(...), KERNELOFFSET and other
 * addresses are hex, NUMBER(...) and sizes decimal (the kernel's
 * crash_core.c formats). */
bool vmcoreinfo_num(const struct dump_notes *n, const char *key, uint64_t *v);

#endif
