/* The headers of a PE image as the kernel maps it (the Microsoft PE/COFF
 * specification: IMAGE_DOS_HEADER, IMAGE_NT_HEADERS, the optional header's
 * SizeOfImage and data directories, the section table): the one reader
 * of them, for modules (sections, exports, .pdata) and for the layout's
 * kernel image bounds. It reads a copy of the image's first page, so it
 * never touches the dump itself. */
#ifndef KDX_PE_H
#define KDX_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PE_MAX_SECTIONS 96u

struct pe_section {
	char name[9];               /* Name, NUL-terminated */
	uint32_t rva, size;         /* VirtualAddress, VirtualSize */
	uint32_t characteristics;
	bool code;                  /* IMAGE_SCN_CNT_CODE or IMAGE_SCN_MEM_EXECUTE */
};

struct pe_headers {
	uint32_t size_of_image;     /* 0: the optional header is too short to hold it */
	uint32_t entry_point;       /* AddressOfEntryPoint, an RVA (0: none, or too short) */
	/* A directory past NumberOfRvaAndSizes, past the optional header or
	 * outside the image is left 0. */
	uint32_t export_rva, export_size, exception_rva, exception_size;
	struct pe_section sections[PE_MAX_SECTIONS];
	size_t nsections;
};

/* Reads the headers from the image's first page (len bytes). image_size
 * bounds the directories and sections (0: the header's SizeOfImage).
 * Returns why the headers cannot be used, or NULL. */
const char *pe_read_headers(const uint8_t *page, size_t len, uint64_t image_size,
			    struct pe_headers *out);

#endif
