/* Loaded kernel modules without symbols: the PsLoadedModuleList ring of
 * LDR_DATA_TABLE_ENTRY records (doc/structures.md §5, KDBG+0x48) and the PE section
 * headers of each mapped image. */
#ifndef KDX_MODULES_H
#define KDX_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"

/* Bounds against a hostile list: no real system loads this many drivers;
 * the PE loader refuses more than 96 sections. */
#define MODULES_MAX 4096u
#define MODULE_MAX_SECTIONS 96u
#define MODULE_NAME_MAX 256u

struct module_section {
	char name[9];               /* IMAGE_SECTION_HEADER.Name, NUL-terminated */
	uint32_t rva, size;         /* VirtualAddress, VirtualSize (clipped to the image) */
	uint32_t characteristics;
	bool code;                  /* IMAGE_SCN_CNT_CODE or IMAGE_SCN_MEM_EXECUTE */
};

struct module {
	uint64_t ldr;               /* the LDR_DATA_TABLE_ENTRY */
	uint64_t base, size, entry_point;
	char name[MODULE_NAME_MAX];       /* BaseDllName, UTF-8 */
	char full_name[MODULE_NAME_MAX];  /* FullDllName, UTF-8 */
	/* The address space its image is read through: the kernel's, or a
	 * session member's for a session image (win32k.sys; doc/address-space.md §5.3). */
	struct xlat *reader;
	bool session_image;
	bool headers_read;          /* the PE headers were in the dump and made sense */
	char headers_note[96];      /* why not, when they were not */
	/* IMAGE_DATA_DIRECTORY entries of the optional header (0 when absent):
	 * the export table and, on PE32+, the exception table (.pdata). */
	uint32_t export_rva, export_size, exception_rva, exception_size;
	struct module_section *sections;
	size_t nsections;
};

struct module_list {
	struct module *items;
	size_t count;
	uint64_t head;              /* &PsLoadedModuleList */
	bool complete;              /* the ring closed at the head */
	struct xlat *session;       /* a session member's address space, or NULL */
	uint32_t session_reader_pid;
	char note[160];             /* where and why the walk stopped early */
};

/* Walks the ring from the head with a bound and a cycle check. Fails only
 * when the head itself cannot be found; a ring that breaks gives the
 * modules read so far and says where it broke in note. An image whose
 * header page the kernel's tables do not map is read through the first
 * session member process's tables. */
int modules_read(struct dump *d, struct module_list *out, struct kdx_error *err);
void modules_free(struct module_list *l);

/* The module whose image holds va, or NULL. */
const struct module *modules_find(const struct module_list *l, uint64_t va);
/* The section of m holding rva, or NULL (headers, gaps). */
const struct module_section *module_section_at(const struct module *m, uint64_t rva);

#endif
