/* Loaded modules: LDR_DATA_TABLE_ENTRY records on PsLoadedModuleList
 * (doc/structures.md §5) and the PE images they name. The PE/COFF
 * offsets below follow Microsoft's "PE
 * Format" specification (DOS header e_lfanew at 0x3C; COFF file header;
 * PE32 / PE32+ optional header with its data directories; section headers;
 * the export directory; x64 RUNTIME_FUNCTION and UNWIND_INFO). */
#include "tests/gen/world_modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gen/world_build.h"
#include "tests/gen/world_pool.h"
#include "tests/gen/world_procs.h"

#define PE_LFANEW 0x80u
#define PE_FILE_HEADER (PE_LFANEW + 4)
#define PE_OPTIONAL (PE_FILE_HEADER + 20)
#define PE_SIZEOF_SECTION 40u
#define DIR_EXPORT 0
#define DIR_EXCEPTION 3
#define SCN_CODE 0x60000020u          /* code, execute, read */
#define SCN_RDATA 0x40000040u         /* initialised data, read */
#define SCN_DATA 0xc0000040u          /* initialised data, read, write */
#define UWOP_PUSH_NONVOL 0
#define UWOP_ALLOC_LARGE 1
#define UWOP_ALLOC_SMALL 2
#define REG_RBX 3
#define REG_RDI 7

/* Page roles inside an image; the kernel's first pages use the same ones. */
enum { PG_HEADERS, PG_EXPORTS, PG_TEXT, PG_PDATA, PG_DATA };
#define FUNCTION_SPACING 0x100u

enum module_kind { MOD_KERNEL, MOD_DRIVER, MOD_TAG, MOD_DEEP, MOD_SESSION };

struct proto_module {
	const char *name;             /* NULL: chosen from a name list by the seed */
	const char *dir;
	enum module_kind kind;
	const char *exports[WORLD_MAX_EXPORTS];   /* sorted, as the export table requires */
};

#define SYSTEM32 "\\SystemRoot\\system32\\"
#define DRIVERS "\\SystemRoot\\system32\\drivers\\"
static const struct proto_module module_set[] = {
	{ "ntoskrnl.exe", SYSTEM32, MOD_KERNEL, { "ExAllocatePoolWithTag", "ExFreePoolWithTag",
	  "IoCreateDevice", "IofCompleteRequest", "KeBugCheckEx", "KeWaitForSingleObject",
	  "ObfDereferenceObject", "PsGetCurrentProcessId" } },
	{ "hal.dll", SYSTEM32, MOD_DRIVER, { "HalReturnToFirmware", "KeQueryPerformanceCounter",
	  "KeStallExecutionProcessor" } },
	{ "kdcom.dll", SYSTEM32, MOD_DRIVER, { "KdD0Transition", "KdReceivePacket",
	  "KdSendPacket" } },
	{ "CLASSPNP.SYS", DRIVERS, MOD_DRIVER, { "ClassInitialize", "ClassReadDriveCapacity" } },
	{ "disk.sys", DRIVERS, MOD_DRIVER, { NULL } },
	{ "fltmgr.sys", DRIVERS, MOD_DRIVER, { "FltRegisterFilter", "FltStartFiltering" } },
	{ "Ntfs.sys", DRIVERS, MOD_DRIVER, { NULL } },
	{ "ndis.sys", DRIVERS, MOD_DRIVER, { "NdisAllocateMemoryWithTagPriority",
	  "NdisFreeMemory" } },
	{ "tcpip.sys", DRIVERS, MOD_DRIVER, { NULL } },
	{ NULL, DRIVERS, MOD_TAG, { NULL } },
	{ NULL, DRIVERS, MOD_DEEP, { NULL } },
	{ "win32k.sys", SYSTEM32, MOD_SESSION, { NULL } },
};
static const char *const tag_driver_names[] = { "xnfilter.sys", "pbmon.sys", "qfsflt.sys",
						 "vsdatant.sys" };
static const char *const deep_driver_names[] = { "avfsflt.sys", "dsfilter.sys", "bdsvr.sys",
						  "snapflt.sys" };
#define INTERNAL_FUNCTIONS 2
#define DEEP_LARGE_FUNCTIONS 3

struct image {
	uint8_t *buf;
	uint64_t pages;
	bool pe64;
};

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t rva_of(const struct world_module *m, uint64_t va)
{
	return (uint32_t)(va - m->base);
}

struct section {
	const char *name;
	uint32_t rva, size, flags;
};

static void write_headers(struct image *im, const struct world_module *m,
			  const struct section *sec, size_t nsec, uint32_t export_size,
			  uint32_t pdata_size)
{
	uint8_t *h = im->buf;
	put(h, 0x5a4d, 2);                                  /* "MZ" */
	put(h + 0x3c, PE_LFANEW, 4);
	memcpy(h + PE_LFANEW, "PE\0\0", 4);
	put(h + PE_FILE_HEADER, im->pe64 ? 0x8664 : 0x14c, 2);
	put(h + PE_FILE_HEADER + 2, nsec, 2);
	put(h + PE_FILE_HEADER + 4, 0x4a5bc000u + (uint32_t)m->size, 4);   /* TimeDateStamp */
	put(h + PE_FILE_HEADER + 16, im->pe64 ? 0xf0 : 0xe0, 2);
	bool dll = strstr(m->name, ".dll") != NULL;
	put(h + PE_FILE_HEADER + 18, (im->pe64 ? 0x22 : 0x102) | (dll ? 0x2000 : 0), 2);
	uint8_t *o = h + PE_OPTIONAL;
	put(o, im->pe64 ? 0x20b : 0x10b, 2);
	put(o + 4, sec[0].size, 4);                         /* SizeOfCode (approximate) */
	put(o + 16, rva_of(m, m->entry_point), 4);
	put(o + 20, PG_TEXT * KDX_PAGE_SIZE, 4);
	if (im->pe64)
		put(o + 24, m->base, 8);
	else
		put(o + 28, m->base, 4);
	put(o + 32, KDX_PAGE_SIZE, 4);                      /* SectionAlignment */
	put(o + 36, 0x200, 4);                              /* FileAlignment */
	put(o + 40, 6, 2);
	put(o + 48, 6, 2);
	put(o + 56, m->size, 4);                            /* SizeOfImage */
	put(o + 60, 0x400, 4);                              /* SizeOfHeaders */
	put(o + 68, 1, 2);                                  /* IMAGE_SUBSYSTEM_NATIVE */
	unsigned dirs = im->pe64 ? 112 : 96;
	put(o + dirs - 4, 16, 4);                           /* NumberOfRvaAndSizes */
	if (export_size) {
		put(o + dirs + 8 * DIR_EXPORT, PG_EXPORTS * KDX_PAGE_SIZE, 4);
		put(o + dirs + 8 * DIR_EXPORT + 4, export_size, 4);
	}
	if (pdata_size) {
		put(o + dirs + 8 * DIR_EXCEPTION, PG_PDATA * KDX_PAGE_SIZE, 4);
		put(o + dirs + 8 * DIR_EXCEPTION + 4, pdata_size, 4);
	}
	uint8_t *s = o + (im->pe64 ? 0xf0 : 0xe0);
	for (size_t i = 0; i < nsec; i++, s += PE_SIZEOF_SECTION) {
		memcpy(s, sec[i].name, strlen(sec[i].name));
		put(s + 8, sec[i].size, 4);
		put(s + 12, sec[i].rva, 4);
		put(s + 16, sec[i].size, 4);
		put(s + 20, sec[i].rva, 4);
		put(s + 36, sec[i].flags, 4);
	}
}

/* The export directory and its arrays in the exports page; returns its size. */
static uint32_t write_exports(struct image *im, const struct world_module *m, size_t nexports)
{
	if (!nexports)
		return 0;
	uint8_t *e = im->buf + PG_EXPORTS * KDX_PAGE_SIZE;
	uint32_t base = PG_EXPORTS * KDX_PAGE_SIZE;
	uint32_t funcs = base + 40, names = funcs + 4 * (uint32_t)nexports;
	uint32_t ords = names + 4 * (uint32_t)nexports, str = ords + 2 * (uint32_t)nexports;
	put(e + 12, str, 4);                                /* Name */
	memcpy(im->buf + str, m->name, strlen(m->name) + 1);
	str += (uint32_t)strlen(m->name) + 1;
	put(e + 16, 1, 4);                                  /* Base */
	put(e + 20, nexports, 4);
	put(e + 24, nexports, 4);
	put(e + 28, funcs, 4);
	put(e + 32, names, 4);
	put(e + 36, ords, 4);
	for (size_t i = 0; i < nexports; i++) {
		const struct world_function *f = &m->functions[i];
		put(im->buf + funcs + 4 * i, rva_of(m, f->start), 4);
		put(im->buf + names + 4 * i, str, 4);
		put(im->buf + ords + 2 * i, i, 2);
		memcpy(im->buf + str, f->name, strlen(f->name) + 1);
		str += (uint32_t)strlen(f->name) + 1;
	}
	return str - base;
}

/* Function bytes whose prologue matches its frame: x64 push rbx; push rdi;
 * sub rsp, N (the unwind data below says the same), x86 mov edi, edi;
 * push ebp; mov ebp, esp; sub esp, N. A call follows the prologue, so a
 * frame's return address is start + prologue + 5. */
static unsigned write_function(struct image *im, const struct world_module *m,
			       const struct world_function *f, uint32_t alloc)
{
	uint8_t *c = im->buf + rva_of(m, f->start);
	unsigned n = 0;
	if (im->pe64) {
		c[n++] = 0x53;
		c[n++] = 0x57;
		if (alloc <= 128) {
			memcpy(c + n, "\x48\x83\xec", 3);
			c[n + 3] = (uint8_t)alloc;
			n += 4;
		} else {
			memcpy(c + n, "\x48\x81\xec", 3);
			put(c + n + 3, alloc, 4);
			n += 7;
		}
	} else {
		memcpy(c, "\x8b\xff\x55\x8b\xec\x81\xec", 7);
		put(c + 7, alloc, 4);
		n = 11;
	}
	unsigned prologue = n;
	c[n++] = 0xe8;                                      /* call rel32 */
	n += 4;
	c[n++] = 0xc3;
	memset(c + n, 0xcc, (size_t)(rva_of(m, f->end) - rva_of(m, f->start)) - n);
	return prologue;
}

/* RUNTIME_FUNCTION entries, then one UNWIND_INFO per function (x64). */
static uint32_t write_pdata(struct image *im, const struct world_module *m,
			    const uint32_t *alloc, const unsigned *prologue)
{
	uint32_t base = PG_PDATA * KDX_PAGE_SIZE;
	uint32_t info = base + 12 * (uint32_t)m->nfunctions;
	for (size_t i = 0; i < m->nfunctions; i++) {
		const struct world_function *f = &m->functions[i];
		uint8_t *rf = im->buf + base + 12 * i;
		put(rf, rva_of(m, f->start), 4);
		put(rf + 4, rva_of(m, f->end), 4);
		put(rf + 8, info, 4);
		uint8_t *u = im->buf + info;
		u[0] = 1;                                   /* version 1, no flags */
		u[1] = (uint8_t)prologue[i];
		unsigned k = 4;
		if (alloc[i] <= 128) {
			u[k++] = (uint8_t)prologue[i];
			u[k++] = (uint8_t)(UWOP_ALLOC_SMALL | ((alloc[i] / 8 - 1) << 4));
		} else {
			u[k++] = (uint8_t)prologue[i];
			u[k++] = UWOP_ALLOC_LARGE;
			put(u + k, alloc[i] / 8, 2);
			k += 2;
		}
		u[k++] = 2;
		u[k++] = (uint8_t)(UWOP_PUSH_NONVOL | (REG_RDI << 4));
		u[k++] = 1;
		u[k++] = (uint8_t)(UWOP_PUSH_NONVOL | (REG_RBX << 4));
		u[2] = (uint8_t)((k - 4) / 2);              /* CountOfCodes */
		info += (k + 3) & ~3u;
	}
	return 12 * (uint32_t)m->nfunctions;
}

/* Copies an image's pages into the pages that map it under top. */
static void store_image(struct world *w, uint64_t top, const struct world_module *m,
			const struct image *im, uint64_t first_page, uint64_t npages)
{
	for (uint64_t i = first_page; i < first_page + npages; i++)
		gen_put_bytes(&w->img, world_pa(w, top, m->base + i * KDX_PAGE_SIZE),
			      im->buf + i * KDX_PAGE_SIZE, KDX_PAGE_SIZE);
}

struct modules_builder {
	struct world *w;
	struct world_modules *M;
	unsigned ps;
	bool pe64;
	uint64_t next_driver_va;      /* 10: drivers follow the kernel in its slot */
};

static uint64_t driver_va(struct modules_builder *b, uint64_t pages)
{
	struct world *w = b->w;
	if (!w->profile->va->self_map_randomized)
		return world_region_reserve(w, "SystemPtes", pages + 1);
	uint64_t va = b->next_driver_va;
	b->next_driver_va += (pages + 16) * KDX_PAGE_SIZE;
	return va;
}

/* Session images sit at a fixed place in session space (doc/address-space.md §5.2:
 * win32k.sys at BF800000 on XP, FFFFF960`00000000 on 7 x64). */
static uint64_t session_image_va(const struct world *w)
{
	uint64_t base = world_region_start(w, "Session");
	return w->img.paging == PAGING_X64 ? base + 0x6000000000ull : base + 0x3800000ull;
}

static void plan_functions(struct modules_builder *b, struct world_module *m,
			   const struct proto_module *pm, uint32_t *alloc)
{
	struct world *w = b->w;
	uint64_t text = m->base + PG_TEXT * KDX_PAGE_SIZE;
	size_t n = 0;
	for (; n < WORLD_MAX_EXPORTS && pm->exports[n]; n++)
		snprintf(m->functions[n].name, sizeof m->functions[n].name, "%s", pm->exports[n]);
	/* the deep driver: three functions with large frames, one small */
	size_t internal = pm->kind == MOD_DEEP ? DEEP_LARGE_FUNCTIONS + 1 : INTERNAL_FUNCTIONS;
	for (size_t i = 0; i < internal && n < WORLD_MAX_FUNCTIONS; i++)
		m->functions[n++].name[0] = '\0';
	m->nfunctions = n;
	for (size_t i = 0; i < n; i++) {
		struct world_function *f = &m->functions[i];
		f->start = text + i * FUNCTION_SPACING;
		f->end = f->start + 0x80;
		if (pm->kind == MOD_DEEP && i < DEEP_LARGE_FUNCTIONS)
			alloc[i] = b->pe64 ? 0x408 + 0x100 * (uint32_t)world_rnd_below(w, 4)
					   : 0x300 + 0x40 * (uint32_t)world_rnd_below(w, 8);
		else
			alloc[i] = b->pe64 ? 0x28 + 0x10 * (uint32_t)world_rnd_below(w, 6)
					   : 0x10 + 4 * (uint32_t)world_rnd_below(w, 16);
		/* return address + saved registers + locals */
		f->frame_size = alloc[i] + (b->pe64 ? 8 + 16 : 4 + 4);
	}
	m->entry_point = m->functions[n - 1].start;
}

static void build_image(struct modules_builder *b, struct world_module *m,
			const struct proto_module *pm)
{
	struct world *w = b->w;
	bool kernel = pm->kind == MOD_KERNEL;
	uint64_t pages = kernel ? m->size / KDX_PAGE_SIZE : PG_DATA + 1;
	struct image im = { calloc(pages, KDX_PAGE_SIZE), pages, b->pe64 };
	if (!im.buf) {
		fprintf(stderr, "kdx-gen: out of memory for %s\n", m->name);
		abort();
	}
	uint32_t alloc[WORLD_MAX_FUNCTIONS];
	unsigned prologue[WORLD_MAX_FUNCTIONS];
	size_t nexports = 0;
	while (nexports < WORLD_MAX_EXPORTS && pm->exports[nexports])
		nexports++;
	plan_functions(b, m, pm, alloc);
	for (size_t i = 0; i < m->nfunctions; i++)
		prologue[i] = write_function(&im, m, &m->functions[i], alloc[i]);
	uint32_t export_size = write_exports(&im, m, nexports);
	uint32_t pdata_size = b->pe64 ? write_pdata(&im, m, alloc, prologue) : 0;
	if (pm->kind == MOD_TAG)
		m->tag_slot = m->base + PG_TEXT * KDX_PAGE_SIZE + 0xc00 +
			      4 * world_rnd_below(w, 0x80);
	/* .text .edata [.pdata on x64] [the kernel's PAGE code] .data */
	uint32_t data_rva = (uint32_t)(pages - (kernel ? 2 : 1)) * KDX_PAGE_SIZE;
	m->data_rva = data_rva;
	struct section sec[5];
	size_t nsec = 0;
	sec[nsec++] = (struct section){ ".text", PG_TEXT * KDX_PAGE_SIZE, KDX_PAGE_SIZE, SCN_CODE };
	sec[nsec++] = (struct section){ ".edata", PG_EXPORTS * KDX_PAGE_SIZE, KDX_PAGE_SIZE,
					SCN_RDATA };
	if (b->pe64)
		sec[nsec++] = (struct section){ ".pdata", PG_PDATA * KDX_PAGE_SIZE, KDX_PAGE_SIZE,
						SCN_RDATA };
	if (kernel)
		sec[nsec++] = (struct section){ "PAGE", PG_DATA * KDX_PAGE_SIZE,
						data_rva - PG_DATA * KDX_PAGE_SIZE, SCN_CODE };
	sec[nsec++] = (struct section){ ".data", data_rva, (uint32_t)m->size - data_rva, SCN_DATA };
	write_headers(&im, m, sec, nsec, export_size, pdata_size);

	if (kernel) {
		store_image(w, w->dtb, m, &im, 0, PG_DATA);
	} else if (pm->kind == MOD_SESSION) {
		/* code shared by every session, .data private to each */
		uint64_t code = world_alloc_pages(w, PG_DATA);
		for (size_t s = 0; s < w->procs->nsessions; s++) {
			for (uint64_t i = 0; i < PG_DATA; i++)
				world_session_map_page(w, s, m->base + i * KDX_PAGE_SIZE, code + i);
			world_session_map_page(w, s, m->base + PG_DATA * KDX_PAGE_SIZE,
					       world_alloc_pages(w, 1));
			store_image(w, w->procs->sessions[s].member_dtb, m, &im, 0, pages);
		}
	} else {
		uint64_t pfn = world_alloc_pages(w, pages);
		for (uint64_t i = 0; i < pages; i++) {
			uint64_t va = m->base + i * KDX_PAGE_SIZE;
			if (i == PG_DATA)
				world_map_data_page(w, va, pfn + i);
			else
				world_map_code_page(w, va, pfn + i);
		}
		store_image(w, w->dtb, m, &im, 0, pages);
	}
	free(im.buf);
}

static void put_unicode(struct modules_builder *b, uint64_t at, uint64_t *strings,
			const char *s)
{
	struct world *w = b->w;
	size_t n = strlen(s);
	world_kput(w, at, 2 * n, 2);                        /* Length, no NUL */
	world_kput(w, at + 2, 2 * n + 2, 2);                /* MaximumLength */
	world_kput(w, at + (b->ps == 8 ? 8 : 4), *strings, b->ps);
	for (size_t i = 0; i <= n; i++)
		world_kput(w, *strings + 2 * i, (uint8_t)s[i], 2);
	*strings += (2 * n + 2 + 7) & ~7ull;
}

/* One LDR_DATA_TABLE_ENTRY per module on PsLoadedModuleList (§5); 10's
 * kernel records (KLDR) also name the exception directory at 0x10/0x18. */
static void build_ldr(struct modules_builder *b)
{
	struct world *w = b->w;
	const struct prof_ldr *L = w->profile->ldr;
	struct world_modules *M = b->M;
	uint64_t entries = world_region_pages(w, "NonPagedPool", 4);
	uint64_t strings = entries + M->nmodules * ((L->size + 15) & ~15u);
	uint64_t head = w->img.ps_loaded_module_list;
	for (size_t i = 0; i < M->nmodules; i++) {
		struct world_module *m = &M->modules[i];
		uint64_t e = entries + i * ((L->size + 15) & ~15u);
		m->ldr = e;
		uint64_t last = world_kget(w, head + b->ps, b->ps);
		world_kput(w, e + L->in_load_order_links, head, b->ps);
		world_kput(w, e + L->in_load_order_links + b->ps, last, b->ps);
		world_kput(w, last, e, b->ps);
		world_kput(w, head + b->ps, e, b->ps);
		world_kput(w, e + L->dll_base, m->base, b->ps);
		world_kput(w, e + L->entry_point, m->entry_point, b->ps);
		world_kput(w, e + L->size_of_image, m->size, 4);
		put_unicode(b, e + L->full_dll_name, &strings, m->full_name);
		put_unicode(b, e + L->base_dll_name, &strings, m->name);
		world_kput(w, e + L->flags, 0x49104000u, 4);
		if (w->profile->va->self_map_randomized && b->pe64) {
			world_kput(w, e + 0x10, m->base + PG_PDATA * KDX_PAGE_SIZE, 8);
			world_kput(w, e + 0x18, 12 * m->nfunctions, 4);
		}
	}
	world_kvar_refresh(w, "PsLoadedModuleList");
}

static uint64_t return_address(const struct world *w, const struct world_function *f)
{
	/* after the prologue's call (write_function) */
	unsigned prologue = w->img.paging == PAGING_X64 ? (f->frame_size - 24 <= 128 ? 6 : 9) : 11;
	return f->start + prologue + 5;
}

static void push_frame(struct world_modules *M, size_t module, size_t function, uint64_t sp,
		       uint32_t size)
{
	if (M->nframes == WORLD_MAX_FRAMES) {
		fprintf(stderr, "kdx-gen: more than %d frames\n", WORLD_MAX_FRAMES);
		abort();
	}
	M->frames[M->nframes++] = (struct world_frame){ 0, sp, module, function, size };
}

/* Writes thread ti's frames (chain: outermost first, n entries) from its
 * InitialStack down and points KernelStack at the innermost: the return
 * addresses (x64, unwound through .pdata) or the EBP chain (x86) let a
 * reader walking from KernelStack find every frame. */
static void lay_out_stack(struct world *w, size_t ti, const struct world_frame *chain, size_t n)
{
	struct world_modules *M = w->modules;
	struct world_thread *t = &w->procs->threads[ti];
	unsigned ps = w->profile->ptr_size;
	bool x64 = w->img.paging == PAGING_X64;
	uint64_t sp = t->initial_stack;
	t->first_frame = M->nframes;
	t->nframes = n;
	for (size_t i = 0; i < n; i++)
		sp -= M->modules[chain[i].module].functions[chain[i].function].frame_size;
	for (size_t i = n; i-- > 0;) {
		const struct world_function *f = &M->modules[chain[i].module].functions[chain[i].function];
		push_frame(M, chain[i].module, chain[i].function, sp, f->frame_size);
		sp += f->frame_size;
	}
	struct world_frame *fr = &M->frames[t->first_frame];
	for (size_t i = 0; i < n; i++) {
		struct world_frame *f = &fr[i];
		f->rip = return_address(w, &M->modules[f->module].functions[f->function]);
		/* the slot just below the caller's frame holds the return into it */
		uint64_t ret = i + 1 < n ? return_address(w,
			&M->modules[fr[i + 1].module].functions[fr[i + 1].function]) : 0;
		uint64_t slot = f->sp + f->frame_size - ps;
		world_kput(w, slot, ret, ps);
		if (!x64) {   /* saved EBP below the return address: the caller's frame pointer */
			uint64_t caller_ebp = i + 1 < n ? fr[i + 1].sp + fr[i + 1].frame_size - 2 * ps : 0;
			world_kput(w, slot - ps, caller_ebp, ps);
		}
	}
	/* KernelStack: the wait's return into the innermost function (x86:
	 * after the saved EBP of that function's frame). */
	t->kernel_stack = fr[0].sp - (x64 ? 8 : 2 * ps);
	world_kput(w, t->kernel_stack + (x64 ? 0 : ps), fr[0].rip, ps);
	if (!x64)
		world_kput(w, t->kernel_stack, fr[0].sp + fr[0].frame_size - 2 * ps, ps);
	world_kput(w, t->ethread + w->profile->kthread->kernel_stack, t->kernel_stack, ps);
}

/* Every thread's kernel stack: two kernel frames (thread start), then a
 * few frames of a driver; the deep-stack thread (doc/scenarios.md §2)
 * instead runs a chain of the deep driver's large frames to within 1 KiB
 * of its limit. */
static void build_stacks(struct world *w)
{
	struct world_modules *M = w->modules;
	const struct world_module *nt = &M->modules[0], *dd = &M->modules[M->deep_driver];
	size_t nt_first = nt->nfunctions - INTERNAL_FUNCTIONS;
	for (size_t ti = 0; ti < w->procs->nthreads; ti++) {
		const struct world_thread *t = &w->procs->threads[ti];
		struct world_frame chain[WORLD_MAX_THREAD_FRAMES];
		size_t n = 0;
		uint64_t room = t->initial_stack - t->stack_limit - 0x40;  /* the wait's slots */
		for (size_t k = 0; k < INTERNAL_FUNCTIONS; k++) {
			chain[n] = (struct world_frame){ .module = 0, .function = nt_first + k };
			room -= nt->functions[nt_first + k].frame_size;
			n++;
		}
		if (ti == w->procs->deep_thread) {
			for (size_t k = 0; n < WORLD_MAX_THREAD_FRAMES; k++) {
				size_t fi = k % DEEP_LARGE_FUNCTIONS;
				if (dd->functions[fi].frame_size > room)
					fi = DEEP_LARGE_FUNCTIONS;  /* the small one tops it up */
				if (dd->functions[fi].frame_size > room)
					break;
				room -= dd->functions[fi].frame_size;
				chain[n++] = (struct world_frame){ .module = M->deep_driver, .function = fi };
			}
		} else {
			for (uint64_t k = 1 + world_rnd_below(w, 3); k > 0; k--) {
				size_t mi = 1 + world_rnd_below(w, M->nmodules - 1);
				const struct world_module *m = &M->modules[mi];
				if (m->session_image || mi == M->deep_driver)
					mi = 0, m = nt;
				chain[n++] = (struct world_frame){ .module = mi,
					.function = world_rnd_below(w, m->nfunctions) };
			}
		}
		lay_out_stack(w, ti, chain, n);
	}
}

int world_build_modules(struct world *w, struct kdx_error *err)
{
	struct world_modules *M = calloc(1, sizeof *M);
	if (!M)
		return kdx_fail(err, "%s: out of memory", w->profile->name);
	w->modules = M;
	struct modules_builder b = { .w = w, .M = M, .ps = w->profile->ptr_size,
		.pe64 = w->profile->machine == MACHINE_X64,
		.next_driver_va = w->kernel_base + 0x2000000 };
	const char *tag_name = tag_driver_names[world_rnd_below(w, 4)];
	const char *deep_name = deep_driver_names[world_rnd_below(w, 4)];
	for (size_t i = 0; i < sizeof module_set / sizeof module_set[0]; i++) {
		const struct proto_module *pm = &module_set[i];
		struct world_module *m = &M->modules[M->nmodules];
		const char *name = pm->kind == MOD_TAG ? tag_name :
				   pm->kind == MOD_DEEP ? deep_name : pm->name;
		snprintf(m->name, sizeof m->name, "%s", name);
		snprintf(m->full_name, sizeof m->full_name, "%s%s", pm->dir, name);
		if (pm->kind == MOD_TAG)
			M->tag_driver = M->nmodules;
		if (pm->kind == MOD_DEEP)
			M->deep_driver = M->nmodules;
		uint64_t pages = PG_DATA + 1;
		if (pm->kind == MOD_KERNEL) {
			m->base = w->kernel_base;
			m->size = w->kernel_size;
		} else {
			m->base = pm->kind == MOD_SESSION ? session_image_va(w) : driver_va(&b, pages);
			m->size = pages * KDX_PAGE_SIZE;
		}
		m->session_image = pm->kind == MOD_SESSION;
		M->nmodules++;
		build_image(&b, m, pm);
	}
	build_ldr(&b);
	build_stacks(w);
	return 0;
}

/* The pool builder picks the leaking tag; its bytes go into the tag
 * driver's code as a 4-byte constant, and that driver is the owner. */
void world_modules_place_tag(struct world *w)
{
	if (!w->pool || !w->modules)
		return;
	struct world_module *m = &w->modules->modules[w->modules->tag_driver];
	world_kput(w, m->tag_slot, w->pool->leak_tag, 4);
	w->pool->leak_owner = m->name;
}

void world_modules_free(struct world *w)
{
	free(w->modules);
	w->modules = NULL;
}
