/* An opened dump: the source, plus what kdx found out about the machine
 * (paging mode, kernel DTB, KDBG, build) and the kernel address space. */
#ifndef KDX_DUMP_H
#define KDX_DUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/nt/profile.h"
#include "core/xlat/paging.h"
#include "core/util/progress.h"
#include "core/source/source.h"
#include "core/xlat/xlat.h"

struct dump {
	struct source *src;         /* NULL without a dump (--build B --arch A: dt only) */
	enum machine machine;
	enum paging paging;
	bool has_dtb;
	uint64_t dtb;               /* masked top-table physical address */
	uint64_t dtb_raw;           /* as found (header value, with flag bits) */
	const char *dtb_origin;     /* "crash header", "self-map scan", cpu_origin */
	char cpu_origin[48];        /* "QEMU CPU 0 note" */
	const struct cpu_note *dtb_cpu;     /* that CPU's note, NULL otherwise */
	/* The guest kernel a VMCOREINFO note names ("Linux 6.1.0-13-amd64"):
	 * no Windows structures to look for. Empty otherwise. */
	char os[96];
	/* Why libaddrxlat's Linux set-up gave no kernel space; empty when it
	 * did or was not run. */
	char linux_setup_fault[sizeof ((struct kdx_error *)0)->msg];
	bool has_build;
	uint32_t build;
	uint32_t revision;          /* --build B.R: picks among B's columns; 0: the KDBG does */
	bool has_kdbg;
	uint64_t kdbg_va;
	const char *kdbg_origin;    /* "crash header", "signature scan" */
	uint8_t *kdbg;              /* decoded block copy, kdbg_size bytes */
	uint32_t kdbg_size;
	uint32_t processors;
	struct dump_layout layout;  /* structure offsets, resolved once at open */
	struct xlat *kernel;        /* NULL when the DTB is unknown */
	struct kdx_warnings warnings;
	/* Long commands report here; the TUI sets it while one runs, batch
	 * leaves it NULL. */
	const struct progress *progress;
};

/* Opens a dump. Fails (exit status 2 material) only when the container is
 * unreadable; missing KDBG or DTB become warnings and degrade features. */
int dump_open(const char *path, struct dump **out, struct kdx_error *err);
/* The same, with the machine the user says (--arch) for a container that
 * does not say it (a raw image); one that says another machine fails. */
int dump_open_as(const char *path, enum machine machine, struct dump **out,
		 struct kdx_error *err);
void dump_close(struct dump *d);

/* Whether Windows kernel structures can be read: a Windows kernel (not the
 * Linux one a VMCOREINFO names), its page tables and a structure layout.
 * -1 with "WHAT: the real reason" otherwise. */
int dump_need_structures(const struct dump *d, const char *what, struct kdx_error *err);

/* KDBG field at off (size 2, 4 or 8 bytes); false when the block is absent
 * or shorter than off + size. Pointers of 32-bit kernels are truncated. */
bool dump_kdbg_field(const struct dump *d, unsigned off, unsigned size, uint64_t *val);
/* Pointer-sized read through the kernel address space. */
bool dump_read_ptr(struct dump *d, uint64_t va, uint64_t *val);
unsigned dump_ptr_size(const struct dump *d);

#endif
