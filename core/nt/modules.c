#include "core/nt/modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/nt/kdbg.h"
#include "core/nt/pe.h"
#include "core/nt/process.h"
#include "core/nt/profile.h"
#include "core/nt/ustr.h"

/* The section table and directories from the image's first page (every
 * section clipped to the module's size). Returns why the headers could not
 * be used, or NULL. */
static const char *read_sections(struct module *m)
{
	uint8_t page[KDX_PAGE_SIZE];
	if (xlat_read(m->reader, m->base, page, sizeof page, NULL) != sizeof page)
		return "the header page is not in the dump";
	struct pe_headers *h = malloc(sizeof *h);
	if (!h)
		return "out of memory";
	const char *bad = pe_read_headers(page, sizeof page, m->size, h);
	if (!bad)
		m->sections = calloc(h->nsections ? h->nsections : 1, sizeof *m->sections);
	if (!bad && !m->sections)
		bad = "out of memory";
	if (!bad) {
		m->export_rva = h->export_rva;
		m->export_size = h->export_size;
		m->exception_rva = h->exception_rva;
		m->exception_size = h->exception_size;
		for (size_t i = 0; i < h->nsections; i++) {
			const struct pe_section *s = &h->sections[i];
			struct module_section *out = &m->sections[m->nsections++];
			memcpy(out->name, s->name, sizeof out->name);
			out->rva = s->rva;
			out->size = s->size;
			out->characteristics = s->characteristics;
			out->code = s->code;
		}
		m->headers_read = true;
	}
	free(h);
	return bad;
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
	if (dump_need_structures(d, "modules", err) < 0)
		return -1;
	const struct profile *p = d->layout.profile;
	const struct prof_ldr *ldr = p->ldr;
	uint8_t rec[0x200];   /* the largest record is 0x138 bytes (§5) */
	unsigned span = layout_record_span(p, "ldr", ldr->size);
	if (span > sizeof rec)
		return kdx_fail(err, "modules: LDR_DATA_TABLE_ENTRY size 0x%x is larger than expected",
				span);
	if (ldr->in_load_order_links == PROF_ABSENT || ldr->dll_base == PROF_ABSENT ||
	    ldr->size_of_image == PROF_ABSENT)
		return kdx_fail(err, "modules: the links, DllBase or SizeOfImage of the loaded-module "
				"entries are unknown for build %u (info -v lists the checks calibration "
				"ran)", d->build);
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
		else if (xlat_read(d->kernel, entry, rec, span, NULL) != span)
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
		if (ldr->entry_point != PROF_ABSENT)
			m->entry_point = le_bytes(rec + ldr->entry_point, ps);
		m->size = le_bytes(rec + ldr->size_of_image, 4);
		if (ldr->base_dll_name != PROF_ABSENT)
			ustr_read(d, entry + ldr->base_dll_name, m->name, sizeof m->name);
		if (ldr->full_dll_name != PROF_ABSENT)
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
