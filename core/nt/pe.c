#include "core/nt/pe.h"

#include <string.h>

#include "core/util/bytes.h"

/* The format's own offsets (PE/COFF specification). */
enum {
	DOS_MAGIC = 0x5a4d, E_LFANEW = 0x3c, NT_SIGNATURE = 0x00004550,
	/* from the NT headers */
	NUMBER_OF_SECTIONS = 0x6, SIZE_OF_OPTIONAL_HEADER = 0x14, FILE_HEADER_END = 0x18,
	/* optional header: Magic, AddressOfEntryPoint, SizeOfImage, then NumberOfRvaAndSizes and
	 * DataDirectory for PE32 (0x10b) and PE32+ (0x20b) */
	OPT_MAGIC = 0, OPT_ENTRY_POINT = 0x10, OPT_SIZE_OF_IMAGE = 0x38, PE32_MAGIC = 0x10b, PE32PLUS_MAGIC = 0x20b,
	PE32_DIR_COUNT = 92, PE32_DIRS = 96, PE32PLUS_DIR_COUNT = 108, PE32PLUS_DIRS = 112,
	DIR_EXPORT = 0, DIR_EXCEPTION = 3,
	/* IMAGE_SECTION_HEADER */
	SECTION_SIZE = 40, SEC_VIRTUAL_SIZE = 8, SEC_VIRTUAL_ADDRESS = 12, SEC_CHARACTERISTICS = 36,
};
#define SCN_CNT_CODE 0x20u
#define SCN_MEM_EXECUTE 0x20000000u

/* The export and exception directories from the optional header at opt
 * (size bytes). */
static void read_directories(struct pe_headers *h, const uint8_t *opt, uint64_t size,
			     uint64_t image_size)
{
	unsigned magic = (unsigned)le_bytes(opt + OPT_MAGIC, 2);
	bool plus = magic == PE32PLUS_MAGIC;
	if (!plus && magic != PE32_MAGIC)
		return;
	uint64_t count_at = plus ? PE32PLUS_DIR_COUNT : PE32_DIR_COUNT;
	uint64_t dirs = plus ? PE32PLUS_DIRS : PE32_DIRS;
	if (count_at + 4 > size)
		return;
	uint64_t count = le_bytes(opt + count_at, 4);
	const unsigned want[2] = { DIR_EXPORT, DIR_EXCEPTION };
	uint32_t *rva[2] = { &h->export_rva, &h->exception_rva };
	uint32_t *len[2] = { &h->export_size, &h->exception_size };
	for (int i = 0; i < 2; i++) {
		uint64_t at = dirs + 8u * want[i];
		if (want[i] >= count || at + 8 > size)
			continue;
		uint64_t r = le_bytes(opt + at, 4), n = le_bytes(opt + at + 4, 4);
		if (n && r < image_size && n <= image_size - r) {
			*rva[i] = (uint32_t)r;
			*len[i] = (uint32_t)n;
		}
	}
}

const char *pe_read_headers(const uint8_t *page, size_t len, uint64_t image_size,
			    struct pe_headers *out)
{
	memset(out, 0, sizeof *out);
	if (len < E_LFANEW + 4 || le_bytes(page, 2) != DOS_MAGIC)
		return "no MZ signature at the image base";
	uint64_t nt = le_bytes(page + E_LFANEW, 4);
	if (nt + FILE_HEADER_END > len)
		return "e_lfanew points past the first page";
	if (le_bytes(page + nt, 4) != NT_SIGNATURE)
		return "no PE signature at e_lfanew";
	uint64_t opt = nt + FILE_HEADER_END;
	uint64_t opt_size = le_bytes(page + nt + SIZE_OF_OPTIONAL_HEADER, 2);
	uint64_t count = le_bytes(page + nt + NUMBER_OF_SECTIONS, 2);
	uint64_t table = opt + opt_size;
	if (table > len)
		return "the optional header runs past the first page";
	if (opt_size >= OPT_ENTRY_POINT + 4)
		out->entry_point = (uint32_t)le_bytes(page + opt + OPT_ENTRY_POINT, 4);
	if (opt_size >= OPT_SIZE_OF_IMAGE + 4)
		out->size_of_image = (uint32_t)le_bytes(page + opt + OPT_SIZE_OF_IMAGE, 4);
	if (!image_size)
		image_size = out->size_of_image;
	if (count > PE_MAX_SECTIONS)
		return "more than 96 sections";
	if (table + count * SECTION_SIZE > len)
		return "the section table runs past the first page";
	read_directories(out, page + opt, opt_size, image_size);
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *s = page + table + i * SECTION_SIZE;
		uint64_t rva = le_bytes(s + SEC_VIRTUAL_ADDRESS, 4), size = le_bytes(s + SEC_VIRTUAL_SIZE, 4);
		if (rva >= image_size)
			continue;
		struct pe_section *o = &out->sections[out->nsections++];
		memcpy(o->name, s, 8);
		o->name[8] = 0;
		o->rva = (uint32_t)rva;
		o->size = (uint32_t)(size > image_size - rva ? image_size - rva : size);
		o->characteristics = (uint32_t)le_bytes(s + SEC_CHARACTERISTICS, 4);
		o->code = o->characteristics & (SCN_CNT_CODE | SCN_MEM_EXECUTE);
	}
	return NULL;
}
