#include "core/nt/modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/nt/kdbg.h"
#include "core/nt/process.h"
#include "core/nt/profile.h"
#include "core/nt/ustr.h"

/* PE image headers: the public Microsoft PE/COFF specification (these offsets are
 * the format's own). */
static const struct {
	unsigned dos_magic, e_lfanew;               /* IMAGE_DOS_HEADER */
	unsigned nt_signature;                      /* "PE\0\0" */
	unsigned number_of_sections, size_of_optional_header;  /* from the NT headers */
	unsigned file_header_end;                   /* signature + IMAGE_FILE_HEADER */
	unsigned section_size;                      /* IMAGE_SECTION_HEADER */
	/* optional header: Magic, then NumberOfRvaAndSizes and DataDirectory
	 * for PE32 (0x10b) and PE32+ (0x20b) */
	unsigned opt_magic, pe32_magic, pe32plus_magic;
	unsigned pe32_dir_count, pe32_dirs, pe32plus_dir_count, pe32plus_dirs;
	unsigned dir_export, dir_exception;         /* DataDirectory indices */
	unsigned sec_virtual_size, sec_virtual_address, sec_characteristics;
	uint32_t scn_cnt_code, scn_mem_execute;
} pe = {
	.dos_magic = 0x5a4d, .e_lfanew = 0x3c, .nt_signature = 0x00004550,
	.number_of_sections = 0x6, .size_of_optional_header = 0x14, .file_header_end = 0x18,
	.section_size = 40, .opt_magic = 0, .pe32_magic = 0x10b, .pe32plus_magic = 0x20b,
	.pe32_dir_count = 92, .pe32_dirs = 96, .pe32plus_dir_count = 108, .pe32plus_dirs = 112,
	.dir_export = 0, .dir_exception = 3, .sec_virtual_size = 8, .sec_virtual_address = 12,
	.sec_characteristics = 36, .scn_cnt_code = 0x20, .scn_mem_execute = 0x20000000,
};

/* The export and exception directories from the optional header at opt
 * (size bytes, inside page); a directory past NumberOfRvaAndSizes, past
 * the optional header or outside the image stays 0. */
static void read_directories(struct module *m, const uint8_t *page, uint64_t opt, uint64_t size)
{
	unsigned magic = (unsigned)le_bytes(page + opt + pe.opt_magic, 2);
	bool plus = magic == pe.pe32plus_magic;
	if (!plus && magic != pe.pe32_magic)
		return;
	uint64_t count_at = plus ? pe.pe32plus_dir_count : pe.pe32_dir_count;
	uint64_t dirs = plus ? pe.pe32plus_dirs : pe.pe32_dirs;
	if (count_at + 4 > size)
		return;
	uint64_t count = le_bytes(page + opt + count_at, 4);
	const unsigned want[2] = { pe.dir_export, pe.dir_exception };
	uint32_t *rva[2] = { &m->export_rva, &m->exception_rva };
	uint32_t *len[2] = { &m->export_size, &m->exception_size };
	for (int i = 0; i < 2; i++) {
		uint64_t at = dirs + 8u * want[i];
		if (want[i] >= count || at + 8 > size)
			continue;
		uint64_t r = le_bytes(page + opt + at, 4), n = le_bytes(page + opt + at + 4, 4);
		if (n && r < m->size && n <= m->size - r) {
			*rva[i] = (uint32_t)r;
			*len[i] = (uint32_t)n;
		}
	}
}

/* The section table from the image's first page; every section is clipped
 * to SizeOfImage. Returns why the headers could not be used, or NULL. */
static const char *read_sections(struct module *m)
{
	uint8_t page[KDX_PAGE_SIZE];
	if (xlat_read(m->reader, m->base, page, sizeof page, NULL) != sizeof page)
		return "the header page is not in the dump";
	if (le_bytes(page, 2) != pe.dos_magic)
		return "no MZ signature at the image base";
	uint64_t nt = le_bytes(page + pe.e_lfanew, 4);
	if (nt + pe.file_header_end > sizeof page)
		return "e_lfanew points past the first page";
	if (le_bytes(page + nt, 4) != pe.nt_signature)
		return "no PE signature at e_lfanew";
	uint64_t count = le_bytes(page + nt + pe.number_of_sections, 2);
	uint64_t table = nt + pe.file_header_end + le_bytes(page + nt + pe.size_of_optional_header, 2);
	if (count > MODULE_MAX_SECTIONS)
		return "more than 96 sections";
	if (table + count * pe.section_size > sizeof page)
		return "the section table runs past the first page";
	read_directories(m, page, nt + pe.file_header_end, table - nt - pe.file_header_end);
	m->sections = calloc(count ? count : 1, sizeof *m->sections);
	if (!m->sections)
		return "out of memory";
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *s = page + table + i * pe.section_size;
		uint64_t rva = le_bytes(s + pe.sec_virtual_address, 4), size = le_bytes(s + pe.sec_virtual_size, 4);
		if (rva >= m->size)
			continue;
		struct module_section *out = &m->sections[m->nsections++];
		memcpy(out->name, s, 8);
		out->name[8] = 0;
		out->rva = (uint32_t)rva;
		out->size = (uint32_t)(size > m->size - rva ? m->size - rva : size);
		out->characteristics = (uint32_t)le_bytes(s + pe.sec_characteristics, 4);
		out->code = out->characteristics & (pe.scn_cnt_code | pe.scn_mem_execute);
	}
	m->headers_read = true;
	return NULL;
}

static bool xlat_to_phys_ok(struct xlat *x, uint64_t va)
{
	uint64_t pa;
	return xlat_to_phys(x, va, &pa) == XLAT_OK;
}

/* The address space of the first process that belongs to a session, made
 * once per list; false when there is none. */
static bool session_reader(struct dump *d, struct module_list *l)
{
	if (l->session)
		return true;
	struct process_list pl;
	struct kdx_error e;
	if (process_list_read(d, &pl, &e) < 0)
		return false;
	for (size_t i = 0; i < pl.count && !l->session; i++)
		if (pl.processes[i].session_space) {
			l->session = xlat_new(d->src, d->paging, pl.processes[i].dtb_raw, &e);
			l->session_reader_pid = pl.processes[i].pid;
		}
	process_list_free(&pl);
	return l->session != NULL;
}

static bool seen_before(const struct module_list *l, uint64_t ldr)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].ldr == ldr)
			return true;
	return false;
}

int modules_read(struct dump *d, struct module_list *l, struct kdx_error *err)
{
	memset(l, 0, sizeof *l);
	const struct profile *p = d->layout.profile;
	if (!p || !d->kernel)
		return kdx_fail(err, "modules: no structure layout or kernel page tables for this dump");
	const struct prof_ldr *ldr = p->ldr;
	uint8_t rec[0x200];   /* the largest record is 0x120 bytes (§5) */
	if (ldr->size > sizeof rec)
		return kdx_fail(err, "modules: LDR_DATA_TABLE_ENTRY size 0x%x is larger than expected",
				ldr->size);
	if (!d->has_kdbg || !dump_kdbg_field(d, KDBG_PS_LOADED_MODULE_LIST, 8, &l->head) || !l->head)
		return kdx_fail(err, "modules: KDBG PsLoadedModuleList (+0x%x) is not in the dump",
				KDBG_PS_LOADED_MODULE_LIST);
	uint64_t link;
	if (!dump_read_ptr(d, l->head, &link))
		return kdx_fail(err, "modules: PsLoadedModuleList at 0x%llx is not in the dump: "
				"expected a LIST_ENTRY", (unsigned long long)l->head);
	l->items = calloc(64, sizeof *l->items);
	if (!l->items)
		return kdx_fail(err, "modules: out of memory");
	size_t cap = 64;
	uint64_t prev = l->head;
	for (;;) {
		if (link == l->head) {
			l->complete = true;
			break;
		}
		uint64_t entry = link - ldr->in_load_order_links, back;
		const char *why = NULL;
		if (l->count == MODULES_MAX)
			why = "more than 4096 modules";
		else if (seen_before(l, entry))
			why = "the ring loops back to an entry already read";
		else if (xlat_read(d->kernel, entry, rec, ldr->size, NULL) != ldr->size)
			why = "the entry is not in the dump";
		else if (dump_read_ptr(d, link + dump_ptr_size(d), &back) && back != prev)
			why = "its Blink does not point back at the entry before";
		if (why) {
			snprintf(l->note, sizeof l->note, "stopped at 0x%llx after %zu modules: %s",
				 (unsigned long long)link, l->count, why);
			break;
		}
		if (l->count == cap) {
			struct module *n = realloc(l->items, 2 * cap * sizeof *n);
			if (!n) {
				snprintf(l->note, sizeof l->note, "out of memory after %zu modules", l->count);
				break;
			}
			l->items = n;
			cap *= 2;
		}
		unsigned ps = dump_ptr_size(d);
		struct module *m = &l->items[l->count++];
		memset(m, 0, sizeof *m);
		m->ldr = entry;
		m->base = le_bytes(rec + ldr->dll_base, ps);
		m->entry_point = le_bytes(rec + ldr->entry_point, ps);
		m->size = le_bytes(rec + ldr->size_of_image, 4);
		ustr_read(d, entry + ldr->base_dll_name, m->name, sizeof m->name);
		ustr_read(d, entry + ldr->full_dll_name, m->full_name, sizeof m->full_name);
		m->reader = d->kernel;
		const char *bad = m->base && m->size ? read_sections(m) :
				  "DllBase or SizeOfImage is 0";
		if (bad && !xlat_to_phys_ok(d->kernel, m->base) && session_reader(d, l)) {
			m->reader = l->session;
			m->session_image = true;
			bad = read_sections(m);
		}
		if (bad)
			snprintf(m->headers_note, sizeof m->headers_note, "%s", bad);
		prev = link;
		link = le_bytes(rec + ldr->in_load_order_links, ps);
	}
	return 0;
}

void modules_free(struct module_list *l)
{
	xlat_free(l->session);
	l->session = NULL;
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].sections);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

const struct module *modules_find(const struct module_list *l, uint64_t va)
{
	for (size_t i = 0; i < l->count; i++)
		if (va >= l->items[i].base && va - l->items[i].base < l->items[i].size)
			return &l->items[i];
	return NULL;
}

const struct module_section *module_section_at(const struct module *m, uint64_t rva)
{
	for (size_t i = 0; i < m->nsections; i++)
		if (rva >= m->sections[i].rva && rva - m->sections[i].rva < m->sections[i].size)
			return &m->sections[i];
	return NULL;
}
