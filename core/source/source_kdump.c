/* Containers read through libkdumpfile 0.5.1: ELF cores (QEMU, virsh,
 * makedumpfile -E), kdump-compressed files and the other formats it opens.
 * 0.5.1 crashes on some hostile files (doc/architecture.md, "libkdumpfile and
 * libaddrxlat"), so ELF and kdump headers are validated here first, and
 * everything but validated ELF is opened once in a forked child before the
 * real open. */
#include "core/source/diskdump.h"
#include "core/source/source.h"
#include "core/util/isolate.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBE_SECONDS 20        /* a child still opening after this is hung */

struct kdump_source {
	kdump_ctx_t *k;
	int fd;
	char format[32];
};

static void kdump_source_free(struct kdump_source *ks)
{
	if (!ks)
		return;
	if (ks->k)
		kdump_free(ks->k);
	if (ks->fd >= 0)
		close(ks->fd);
	free(ks);
}

static void kdump_close(struct source *s)
{
	kdump_source_free(s->priv);
	s->priv = NULL;
}

static const uint8_t *kdump_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	struct kdump_source *ks = s->priv;
	if (!source_has_page(s, pfn))
		return NULL;
	size_t len = KDX_PAGE_SIZE;
	if (kdump_read(ks->k, KDUMP_MACHPHYSADDR, pfn << KDX_PAGE_SHIFT, scratch, &len) !=
	    KDUMP_OK || len != KDX_PAGE_SIZE)
		return NULL;
	return scratch;
}

static const struct source_ops kdump_ops = { .page = kdump_page, .close = kdump_close };

/* ---- ELF validation (doc/architecture.md: what 0.5.1 crashes on) ---- */

/* The fields kdx needs from either ELF class. */
struct elf_header {
	bool is64;
	uint16_t type, machine, phentsize, phnum, shentsize, shnum;
	uint64_t phoff, shoff;
	uint32_t phcount;       /* the real count: phnum, or with PN_XNUM sh_info of section 0 */
};

struct elf_segment {
	uint32_t type;
	uint64_t offset, paddr, filesz;
};

static void load_elf_header(const struct dump_file *f, struct elf_header *h)
{
	if (h->is64) {
		Elf64_Ehdr e;
		memcpy(&e, f->data, sizeof e);
		*h = (struct elf_header){ true, e.e_type, e.e_machine, e.e_phentsize, e.e_phnum,
			e.e_shentsize, e.e_shnum, e.e_phoff, e.e_shoff, 0 };
	} else {
		Elf32_Ehdr e;
		memcpy(&e, f->data, sizeof e);
		*h = (struct elf_header){ false, e.e_type, e.e_machine, e.e_phentsize, e.e_phnum,
			e.e_shentsize, e.e_shnum, e.e_phoff, e.e_shoff, 0 };
	}
}

static struct elf_segment load_segment(const struct dump_file *f, const struct elf_header *h,
				       uint32_t i)
{
	uint64_t at = h->phoff + (uint64_t)i * h->phentsize;
	if (h->is64) {
		Elf64_Phdr p;
		memcpy(&p, f->data + at, sizeof p);
		return (struct elf_segment){ p.p_type, p.p_offset, p.p_paddr, p.p_filesz };
	}
	Elf32_Phdr p;
	memcpy(&p, f->data + at, sizeof p);
	return (struct elf_segment){ p.p_type, p.p_offset, p.p_paddr, p.p_filesz };
}

static int table_in_file(const struct dump_file *f, uint64_t off, uint64_t n, uint64_t entsize)
{
	return n <= UINT64_MAX / entsize && dump_file_has(f, off, n * entsize);
}

static int check_elf(const struct source *s, struct elf_header *h, struct kdx_error *err)
{
	const struct dump_file *f = &s->file;
	if (f->size < EI_NIDENT)
		return kdx_fail(err, "%s: offset 0x0: file size is %llu: expected at least the "
				"%d-byte ELF identification (truncated ELF)", s->path,
				(unsigned long long)f->size, EI_NIDENT);
	uint8_t cls = f->data[EI_CLASS], data = f->data[EI_DATA];
	if (cls != ELFCLASS32 && cls != ELFCLASS64)
		return kdx_fail(err, "%s: offset 0x%x: ELF class is %u: expected 1 (ELFCLASS32) "
				"or 2 (ELFCLASS64)", s->path, EI_CLASS, cls);
	if (data != ELFDATA2LSB)
		return kdx_fail(err, "%s: offset 0x%x: ELF data encoding is %u: expected 1 "
				"(little-endian, as on x86)", s->path, EI_DATA, data);
	h->is64 = cls == ELFCLASS64;
	size_t ehsize = h->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = h->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t shsize = h->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (f->size < ehsize)
		return kdx_fail(err, "%s: offset 0x0: file size is %llu: expected at least the "
				"%zu-byte ELF header (truncated ELF)", s->path,
				(unsigned long long)f->size, ehsize);
	load_elf_header(f, h);
	if (h->type != ET_CORE)
		return kdx_fail(err, "%s: offset 0x10: ELF type is %u: expected 4 (ET_CORE, a "
				"core dump)", s->path, h->type);
	if (h->machine != EM_386 && h->machine != EM_X86_64)
		return kdx_fail(err, "%s: offset 0x12: ELF machine %u: expected EM_386 (3) or "
				"EM_X86_64 (62)", s->path, h->machine);
	if (h->phentsize != phsize)
		return kdx_fail(err, "%s: offset 0x%x: e_phentsize is %u: expected %zu",
				s->path, h->is64 ? 0x36 : 0x2A, h->phentsize, phsize);
	bool xnum = h->phnum == PN_XNUM;
	if ((h->shoff || h->shnum || xnum) &&
	    (h->shentsize != shsize || !table_in_file(f, h->shoff, h->shnum ? h->shnum : 1, shsize)))
		return kdx_fail(err, "%s: offset 0x%llx: section header table (%u entries of %u "
				"bytes): expected entries of %zu bytes within the file size 0x%llx%s",
				s->path, (unsigned long long)h->shoff, h->shnum, h->shentsize,
				shsize, (unsigned long long)f->size,
				xnum ? " (e_phnum is PN_XNUM: section 0 holds the count)" : "");
	/* PN_XNUM: more headers than e_phnum holds; section 0's sh_info counts them. */
	h->phcount = xnum ? mf_u32(f, h->shoff + (h->is64 ? 44 : 28)) : h->phnum;
	if (h->phcount == 0 || !table_in_file(f, h->phoff, h->phcount, phsize))
		return kdx_fail(err, "%s: offset 0x%llx: program header table of %u entries%s: "
				"expected at least one entry, all within the file size 0x%llx "
				"(truncated ELF)", s->path, (unsigned long long)h->phoff,
				h->phcount, xnum ? " (PN_XNUM: sh_info of section 0)" : "",
				(unsigned long long)f->size);
	for (uint32_t i = 0; i < h->phcount; i++) {
		struct elf_segment p = load_segment(f, h, i);
		if ((p.type == PT_LOAD || p.type == PT_NOTE) &&
		    !dump_file_has(f, p.offset, p.filesz))
			return kdx_fail(err, "%s: offset 0x%llx: segment %u (%s) data 0x%llx + "
					"0x%llx bytes: expected it within the file size 0x%llx "
					"(truncated ELF)", s->path,
					(unsigned long long)(h->phoff + (uint64_t)i * phsize), i,
					p.type == PT_LOAD ? "PT_LOAD" : "PT_NOTE",
					(unsigned long long)p.offset, (unsigned long long)p.filesz,
					(unsigned long long)f->size);
		if (p.type == PT_LOAD && p.paddr > UINT64_MAX - p.filesz)
			return kdx_fail(err, "%s: offset 0x%llx: segment %u p_paddr 0x%llx + 0x%llx "
					"bytes: expected a range below 2^64", s->path,
					(unsigned long long)(h->phoff + (uint64_t)i * phsize), i,
					(unsigned long long)p.paddr, (unsigned long long)p.filesz);
	}
	return 0;
}

/* The PT_NOTE segments' notes (check_elf put their data in the file). */
static void elf_notes(struct source *s, const struct elf_header *h)
{
	for (uint32_t i = 0; i < h->phcount; i++) {
		struct elf_segment p = load_segment(&s->file, h, i);
		if (p.type == PT_NOTE)
			notes_parse(s->file.data + p.offset, p.filesz, &s->notes);
	}
}

/* A PT_LOAD's whole pages: physical [start, end) at file offset `offset`. */
struct elf_load {
	uint64_t start, end, offset;
	uint32_t index;         /* its program header */
};

static int cmp_load(const void *a, const void *b)
{
	const struct elf_load *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The whole pages PT_LOAD segments hold, sorted by address. Segments may
 * overlap in physical addresses where they hold the same bytes: QEMU's
 * dump-guest-memory -p writes a PT_LOAD per virtual mapping, each pointing
 * into one copy of RAM, so a page mapped at several addresses is named by
 * several segments at one file offset. Segments that would give one
 * physical address two different file offsets are refused: no choice
 * between them would be the memory. */
static int elf_loads(struct source *s, const struct elf_header *h, struct elf_load **out,
		     size_t *count, struct kdx_error *err)
{
	struct elf_load *l = calloc(h->phcount, sizeof *l);
	if (!l)
		return kdx_fail(err, "%s: out of memory for %u segments", s->path, h->phcount);
	size_t n = 0;
	for (uint32_t i = 0; i < h->phcount; i++) {
		struct elf_segment p = load_segment(&s->file, h, i);
		uint64_t start = (p.paddr + KDX_PAGE_SIZE - 1) & ~(uint64_t)(KDX_PAGE_SIZE - 1);
		uint64_t end = (p.paddr + p.filesz) & ~(uint64_t)(KDX_PAGE_SIZE - 1);
		if (p.type == PT_LOAD && p.paddr <= UINT64_MAX - (KDX_PAGE_SIZE - 1) && start < end)
			l[n++] = (struct elf_load){ start, end, p.offset + (start - p.paddr), i };
	}
	qsort(l, n, sizeof *l, cmp_load);
	/* Any load overlapping l[i] overlaps the one reaching furthest so far,
	 * and loads that overlap share their offset - address: one check each. */
	size_t phsize = h->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr), far = 0;
	for (size_t i = 1; i < n; i++) {
		const struct elf_load *a = &l[far], *b = &l[i];
		if (b->start < a->end && b->offset - b->start != a->offset - a->start) {
			kdx_fail(err, "%s: offset 0x%llx: segment %u holds physical 0x%llx at file "
				 "offset 0x%llx, segment %u at 0x%llx: expected PT_LOAD segments "
				 "that overlap to hold the same bytes", s->path,
				 (unsigned long long)(h->phoff + (uint64_t)b->index * phsize),
				 b->index, (unsigned long long)b->start,
				 (unsigned long long)b->offset, a->index,
				 (unsigned long long)(a->offset + (b->start - a->start)));
			free(l);
			return -1;
		}
		if (b->end > a->end)
			far = i;
	}
	*out = l;
	*count = n;
	return 0;
}

/* The present ranges: the loads, merged. */
static int elf_ranges(struct source *s, const struct elf_load *l, size_t n,
		      struct kdx_error *err)
{
	struct phys_range *r = calloc(n ? n : 1, sizeof *r);
	if (!r)
		return kdx_fail(err, "%s: out of memory for %zu segments", s->path, n);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && l[i].start <= r[m - 1].end) {
			if (l[i].end > r[m - 1].end)
				r[m - 1].end = l[i].end;
		} else {
			r[m++] = (struct phys_range){ l[i].start, l[i].end };
		}
	}
	int rc = source_set_ranges(s, r, m, err);
	free(r);
	return rc;
}

/* ---- ELF read by kdx itself: PN_XNUM files, whose real header count
 * libkdumpfile 0.5.1 does not take from section 0 ---- */

struct elf_source {
	struct flat_extent *ext;    /* the loads merged: sorted, disjoint */
	size_t n;
};

static const uint8_t *elf_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	(void)scratch;
	const struct elf_source *es = s->priv;
	uint64_t pa = pfn << KDX_PAGE_SHIFT;
	const struct flat_extent *e = extent_find(es->ext, es->n, pa);
	return e ? s->file.data + e->file_off + (pa - e->start) : NULL;
}

static void elf_close(struct source *s)
{
	struct elf_source *es = s->priv;
	if (es)
		free(es->ext);
	free(es);
	s->priv = NULL;
}

static const struct source_ops elf_ops = { .page = elf_page, .close = elf_close };

/* The sorted loads as disjoint extents: loads that overlap hold the same
 * bytes (elf_loads), so they merge. */
static int elf_extents(struct source *s, const struct elf_load *l, size_t n,
		       struct elf_source *es, struct kdx_error *err)
{
	es->ext = malloc((n ? n : 1) * sizeof *es->ext);
	if (!es->ext)
		return kdx_fail(err, "%s: out of memory for %zu segments", s->path, n);
	es->n = 0;
	for (size_t i = 0; i < n; i++) {
		struct flat_extent *last = es->n ? &es->ext[es->n - 1] : NULL;
		if (last && l[i].start < last->end) {
			if (l[i].end > last->end)
				last->end = l[i].end;
		} else {
			es->ext[es->n++] = (struct flat_extent){ l[i].start, l[i].end, l[i].offset };
		}
	}
	return 0;
}

static int open_elf_here(struct source *s, const struct elf_header *h,
			 const struct elf_load *loads, size_t n, struct kdx_error *err)
{
	struct elf_source *es = calloc(1, sizeof *es);
	if (!es)
		return kdx_fail(err, "%s: out of memory", s->path);
	if (elf_extents(s, loads, n, es, err) < 0 || elf_ranges(s, loads, n, err) < 0) {
		free(es->ext);
		free(es);
		return -1;
	}
	s->priv = es;
	s->ops = &elf_ops;
	s->format = "elf";
	snprintf(s->description, sizeof s->description, "ELF%d dump, %u program headers "
		 "(PN_XNUM)", h->is64 ? 64 : 32, h->phcount);
	s->facts.machine = h->machine == EM_X86_64 ? MACHINE_X64 : MACHINE_X86;
	s->facts.paging = h->machine == EM_X86_64 ? PAGING_X64 : PAGING_UNKNOWN;
	s->facts.holds_memory = true;
	return 1;
}

/* ---- opening through libkdumpfile ---- */

static const char *kdump_detail(kdump_ctx_t *k)
{
	const char *e = kdump_get_err(k);
	return e ? e : "no detail";
}

/* A kdump file without notes (QEMU's dump-guest-memory -z fills only
 * utsname.machine) leaves arch.name unset in 0.5.1; the header still names
 * the machine, and with arch.name set by the caller the pages read right. */
static void arch_from_uts(kdump_ctx_t *k, enum machine uts)
{
	const char *arch;
	if (uts != MACHINE_UNKNOWN && kdump_get_string_attr(k, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK)
		kdump_set_string_attr(k, KDUMP_ATTR_ARCH_NAME, uts == MACHINE_X64 ? "x86_64" : "ia32");
}

/* Opens s->path in a fresh context and checks what kdx needs: 4 KiB pages
 * and an x86 machine (uts: what a kdump header's utsname.machine says).
 * Returns 1, 0 when libkdumpfile does not know the format (and `claimed` is
 * false), or -1. */
static int open_context(struct source *s, bool claimed, enum machine uts,
			struct kdump_source **out, struct kdx_error *err)
{
	struct kdump_source *ks = calloc(1, sizeof *ks);
	if (!ks)
		return kdx_fail(err, "%s: out of memory", s->path);
	ks->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (ks->fd < 0) {
		int e = errno;
		free(ks);
		return kdx_fail(err, "%s: cannot open: %s", s->path, strerror(e));
	}
	ks->k = kdump_new();
	if (!ks->k) {
		kdump_source_free(ks);
		return kdx_fail(err, "%s: out of memory for a libkdumpfile context", s->path);
	}
	kdump_status st = kdump_open_fd(ks->k, ks->fd);
	if (st == KDUMP_ERR_NOTIMPL && !claimed) {
		kdump_source_free(ks);
		return 0;
	}
	int rc = 0;
	kdump_num_t page_size = 0;
	const char *arch = NULL, *format = NULL;
	if (st == KDUMP_OK)
		arch_from_uts(ks->k, uts);
	if (st != KDUMP_OK)
		rc = kdx_fail(err, "%s: offset 0x0: libkdumpfile cannot open it: %s (%s): "
			      "expected a readable dump", s->path, kdump_strerror(st),
			      kdump_detail(ks->k));
	else if (kdump_get_number_attr(ks->k, KDUMP_ATTR_PAGE_SIZE, &page_size) != KDUMP_OK ||
		 page_size != KDX_PAGE_SIZE)
		rc = kdx_fail(err, "%s: offset 0x0: arch.page_size is %llu: expected 4096",
			      s->path, (unsigned long long)page_size);
	else if (kdump_get_string_attr(ks->k, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK ||
		 (strcmp(arch, "x86_64") && strcmp(arch, "ia32")))
		rc = kdx_fail(err, "%s: offset 0x0: arch.name is %s: expected x86_64 or ia32",
			      s->path, arch ? arch : "unset");
	if (rc < 0) {
		kdump_source_free(ks);
		return -1;
	}
	if (kdump_get_string_attr(ks->k, KDUMP_ATTR_FILE_FORMAT, &format) != KDUMP_OK)
		format = "libkdumpfile";
	snprintf(ks->format, sizeof ks->format, "%s", strcmp(format, "diskdump") ? format : "kdump");
	*out = ks;
	return 1;
}

/* What the child tells the parent. */
struct probe_report {
	int result;                     /* open_context's return value */
	char msg[sizeof ((struct kdx_error *)0)->msg];
};

struct probe_args {
	struct source *s;
	bool claimed;
	enum machine uts;
};

static void probe(void *arg, void *report)
{
	const struct probe_args *a = arg;
	struct probe_report *rep = report;
	struct kdx_error e = { .msg = "" };
	struct kdump_source *ks = NULL;
	rep->result = open_context(a->s, a->claimed, a->uts, &ks, &e);
	if (rep->result == 1) {
		uint8_t page[KDX_PAGE_SIZE];
		size_t len = sizeof page;
		kdump_read(ks->k, KDUMP_MACHPHYSADDR, 0, page, &len);
		kdump_source_free(ks);
	}
	memcpy(rep->msg, e.msg, sizeof rep->msg);
}

/* Opens and frees the file once in a child, so that a crash or hang inside
 * libkdumpfile costs the child, not kdx. */
static int isolated_probe(struct source *s, bool claimed, enum machine uts,
			  struct kdx_error *err)
{
	struct probe_args args = { s, claimed, uts };
	struct probe_report rep;
	struct isolate_outcome how;
	char what[320];
	snprintf(what, sizeof what, "%s: probing the file", s->path);
	if (isolate_run(probe, &args, &rep, sizeof rep, PROBE_SECONDS, what, &how, err) < 0)
		return -1;
	if (how.end == ISOLATE_TIMED_OUT)
		return kdx_fail(err, "%s: offset 0x0: libkdumpfile did not finish opening this "
				"file within %d s: expected a well-formed dump it can read",
				s->path, PROBE_SECONDS);
	if (how.end == ISOLATE_KILLED)
		return kdx_fail(err, "%s: offset 0x0: libkdumpfile died with signal %d (%s) "
				"opening this file: expected a well-formed dump it can read",
				s->path, how.signal, strsignal(how.signal));
	if (how.end != ISOLATE_DONE)
		return kdx_fail(err, "%s: offset 0x0: the libkdumpfile probe failed: expected a "
				"report from the probing process", s->path);
	rep.msg[sizeof rep.msg - 1] = '\0';
	if (rep.result < 0)
		return kdx_fail(err, "%s", rep.msg);
	return rep.result;
}

static void machine_facts(struct source *s, struct kdump_source *ks, const struct elf_header *elf)
{
	const char *arch = NULL;
	bool x64 = elf ? elf->machine == EM_X86_64 :
		   kdump_get_string_attr(ks->k, KDUMP_ATTR_ARCH_NAME, &arch) == KDUMP_OK &&
		   strcmp(arch, "x86_64") == 0;
	s->facts.machine = x64 ? MACHINE_X64 : MACHINE_X86;
	/* 32-bit: dump.c tells PAE from non-PAE by the page tables. */
	s->facts.paging = x64 ? PAGING_X64 : PAGING_UNKNOWN;
	s->facts.holds_memory = true;
}

/* Present ranges from memory.pagemap, bounded by max_pfn. */
static int pagemap_ranges(struct source *s, struct kdump_source *ks, struct kdx_error *err)
{
	kdump_attr_t attr;
	kdump_num_t max_pfn;
	attr.type = KDUMP_BITMAP;
	if (kdump_get_typed_attr(ks->k, KDUMP_ATTR_MEMORY_PAGEMAP, &attr) != KDUMP_OK ||
	    kdump_get_number_attr(ks->k, "max_pfn", &max_pfn) != KDUMP_OK)
		return kdx_fail(err, "%s: offset 0x0: libkdumpfile gives no memory.pagemap: "
				"expected the map of stored pages (%s)", s->path,
				kdump_detail(ks->k));
	if (max_pfn > (UINT64_MAX >> KDX_PAGE_SHIFT))
		max_pfn = UINT64_MAX >> KDX_PAGE_SHIFT;
	struct phys_range *r = NULL;
	size_t n = 0, cap = 0;
	kdump_addr_t pfn = 0;
	int rc = 0;
	while (rc == 0 && pfn < max_pfn && kdump_bmp_find_set(attr.val.bitmap, &pfn) == KDUMP_OK &&
	       pfn < max_pfn) {
		kdump_addr_t end = pfn;
		if (kdump_bmp_find_clear(attr.val.bitmap, &end) != KDUMP_OK || end > max_pfn)
			end = max_pfn;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct phys_range *grown = realloc(r, ncap * sizeof *grown);
			if (!grown) {
				rc = kdx_fail(err, "%s: out of memory for %zu ranges", s->path, ncap);
				break;
			}
			r = grown;
			cap = ncap;
		}
		r[n++] = (struct phys_range){ pfn << KDX_PAGE_SHIFT, end << KDX_PAGE_SHIFT };
		pfn = end;
	}
	if (rc == 0)
		rc = source_set_ranges(s, r, n, err);
	free(r);
	return rc;
}

/* Opens through libkdumpfile once the checks passed. */
static int open_checked(struct source *s, bool is_elf, const struct elf_header *elf,
			const struct elf_load *loads, size_t nloads, const struct diskdump *dd,
			struct kdx_error *err)
{
	bool is_diskdump = dd->stored != NULL;
	if (!is_elf) {
		int r = isolated_probe(s, is_diskdump, dd->machine, err);
		if (r <= 0)
			return r;
	}
	struct kdump_source *ks = NULL;
	int r = open_context(s, is_elf || is_diskdump, dd->machine, &ks, err);
	if (r <= 0)
		return r;
	s->priv = ks;
	s->ops = &kdump_ops;
	s->format = ks->format;
	const char *desc = NULL;
	if (kdump_get_string_attr(ks->k, "file.description", &desc) != KDUMP_OK)
		desc = ks->format;
	snprintf(s->description, sizeof s->description, "%s (read by libkdumpfile)", desc);
	machine_facts(s, ks, is_elf ? elf : NULL);
	int rc;
	if (is_elf)
		rc = elf_ranges(s, loads, nloads, err);
	else if (is_diskdump) {
		rc = diskdump_ranges(s, dd, err);
	} else {
		rc = pagemap_ranges(s, ks, err);
	}
	if (rc < 0) {
		kdump_close(s);
		s->ops = NULL;
		return -1;
	}
	return 1;
}

int source_kdump_probe(struct source *s, struct kdx_error *err)
{
	const struct dump_file *f = &s->file;
	bool is_elf = f->size >= 4 && memcmp(f->data, ELFMAG, SELFMAG) == 0;
	bool is_diskdump = f->size >= 8 && (memcmp(f->data, "KDUMP   ", 8) == 0 ||
					    memcmp(f->data, "DISKDUMP", 8) == 0);
	struct elf_header elf = { 0 };
	struct elf_load *loads = NULL;
	size_t nloads = 0;
	if (is_elf && (check_elf(s, &elf, err) < 0 || elf_loads(s, &elf, &loads, &nloads, err) < 0))
		return -1;
	if (is_elf)
		elf_notes(s, &elf);
	struct diskdump dd = { 0 };
	struct byte_view view = { &s->file, NULL };
	if (is_diskdump && diskdump_check(&view, s->path, &dd, err) < 0)
		return -1;
	if (is_diskdump)
		diskdump_notes(&view, &dd, &s->notes, &s->warnings);
	int r = is_elf && elf.phnum == PN_XNUM ? open_elf_here(s, &elf, loads, nloads, err) :
		open_checked(s, is_elf, &elf, loads, nloads, &dd, err);
	free(loads);
	diskdump_free(&dd);
	return r;
}
