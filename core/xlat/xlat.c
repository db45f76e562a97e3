/* Translation through libaddrxlat (doc/architecture.md, "libkdumpfile and
 * libaddrxlat"): one hand-built translation system per address space, fed
 * page-table pages by a get_page callback over the source, with a
 * direct-mapped VA-page cache in front for hot paths (addrxlat costs ~100 ns
 * a walk). */
#include "core/xlat/xlat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkdumpfile/addrxlat.h>

#include "core/source/notes.h"
#include "core/source/source.h"
#include "core/util/bytes.h"

#define CACHE_SLOTS 4096

struct cache_slot {
	uint64_t vpage;            /* VA >> 12, plus one: 0 marks an empty slot */
	uint64_t ppage;
	enum xlat_reason reason;
};

struct xlat {
	struct source *src;
	const struct paging_desc *mode;
	const char *const *names;   /* the levels' names */
	uint64_t dtb;
	const struct cpu_note *cpu; /* a Linux set-up's registers; NULL: none */
	struct linux_regions linux_map;
	addrxlat_ctx_t *ctx;
	addrxlat_sys_t *sys;
	addrxlat_meth_t meth;
	struct cache_slot cache[CACHE_SLOTS];
};

const char *xlat_reason_name(enum xlat_reason r)
{
	switch (r) {
	case XLAT_NOT_PRESENT: return "not-present";
	case XLAT_NOT_IN_DUMP: return "not-in-dump";
	case XLAT_INVALID: return "invalid";
	default: return NULL;
	}
}

/* A page handed to libaddrxlat: either a pointer into the source's mapping
 * or a copy we must free when the library puts it back. */
static void put_copied_page(const addrxlat_buffer_t *buf)
{
	free(buf->priv);
}

static addrxlat_status get_page(const addrxlat_cb_t *cb, addrxlat_buffer_t *buf)
{
	struct xlat *x = cb->priv;
	uint64_t pfn = buf->addr.addr >> KDX_PAGE_SHIFT;
	uint8_t *scratch = malloc(KDX_PAGE_SIZE);
	if (!scratch)
		return addrxlat_ctx_err(x->ctx, ADDRXLAT_ERR_NOMEM, "out of memory");
	const uint8_t *page = source_page(x->src, pfn, scratch);
	if (!page) {
		free(scratch);
		return addrxlat_ctx_err(x->ctx, ADDRXLAT_ERR_NODATA,
					"page 0x%llx not in dump", (unsigned long long)pfn);
	}
	buf->addr.addr = pfn << KDX_PAGE_SHIFT;
	buf->ptr = page;
	buf->size = KDX_PAGE_SIZE;
	buf->byte_order = ADDRXLAT_LITTLE_ENDIAN;
	if (page == scratch) {
		buf->priv = scratch;
		buf->put_page = put_copied_page;
	} else {
		free(scratch);   /* the library's default put_page is a no-op */
	}
	return ADDRXLAT_OK;
}

static unsigned long read_caps(const addrxlat_cb_t *cb)
{
	(void)cb;
	return ADDRXLAT_CAPS(ADDRXLAT_MACHPHYSADDR);
}

/* What libaddrxlat's Linux set-up asks (xlat_linux_setup): registers from
 * the CPU note, SYMBOL(), SIZE(), OFFSET() and NUMBER() values from
 * VMCOREINFO. A translator of a given DTB never asks. */
static addrxlat_status linux_reg(const addrxlat_cb_t *cb, const char *name, addrxlat_addr_t *val)
{
	const struct xlat *x = cb->priv;
	if (!x->cpu)
		return ADDRXLAT_ERR_NODATA;
	if (strcmp(name, "cr3") == 0)
		*val = x->cpu->cr3;
	else if (strcmp(name, "cr4") == 0)
		*val = x->cpu->cr4;
	else
		return ADDRXLAT_ERR_NODATA;
	return ADDRXLAT_OK;
}

static addrxlat_status vmcoreinfo_value(const addrxlat_cb_t *cb, const char *kind,
					const char *name, const char *elem, addrxlat_addr_t *val)
{
	const struct xlat *x = cb->priv;
	char key[128];
	uint64_t v;
	snprintf(key, sizeof key, "%s(%s%s%s)", kind, name, elem ? "." : "", elem ? elem : "");
	if (!vmcoreinfo_num(&x->src->notes, key, &v))
		return ADDRXLAT_ERR_NODATA;
	*val = v;
	return ADDRXLAT_OK;
}

static addrxlat_status linux_sym(const addrxlat_cb_t *cb, const char *name, addrxlat_addr_t *val)
{
	return vmcoreinfo_value(cb, "SYMBOL", name, NULL, val);
}

static addrxlat_status linux_sizeof(const addrxlat_cb_t *cb, const char *name,
				    addrxlat_addr_t *val)
{
	return vmcoreinfo_value(cb, "SIZE", name, NULL, val);
}

static addrxlat_status linux_offsetof(const addrxlat_cb_t *cb, const char *obj,
				      const char *elem, addrxlat_addr_t *val)
{
	return vmcoreinfo_value(cb, "OFFSET", obj, elem, val);
}

static addrxlat_status linux_num(const addrxlat_cb_t *cb, const char *name, addrxlat_addr_t *val)
{
	return vmcoreinfo_value(cb, "NUMBER", name, NULL, val);
}

/* A translator over src with its context and callbacks; the caller sets
 * up the system. One callback record holds every callback: libaddrxlat
 * 0.5.1 hands a question a record leaves unanswered to the next record
 * with the asking record's pointer instead of the next one's
 * (next_sym_offsetof_cb and its siblings in src/addrxlat/ctx.c, the same
 * upstream today), so with two records chained an unanswered question
 * goes round for ever: it did on ia32, whose Linux set-up asks
 * OFFSET(vmap_area.va_start). */
static struct xlat *xlat_alloc(struct source *src, struct kdx_error *err)
{
	struct xlat *x = calloc(1, sizeof *x);
	if (!x) {
		kdx_fail(err, "out of memory");
		return NULL;
	}
	x->src = src;
	x->ctx = addrxlat_ctx_new();
	x->sys = addrxlat_sys_new();
	addrxlat_cb_t *cb = x->ctx && x->sys ? addrxlat_ctx_add_cb(x->ctx) : NULL;
	if (!cb) {
		xlat_free(x);
		kdx_fail(err, "out of memory for libaddrxlat");
		return NULL;
	}
	cb->priv = x;
	cb->get_page = get_page;
	cb->read_caps = read_caps;
	cb->reg_value = linux_reg;
	cb->sym_value = linux_sym;
	cb->sym_sizeof = linux_sizeof;
	cb->sym_offsetof = linux_offsetof;
	cb->num_value = linux_num;
	return x;
}

struct xlat *xlat_new(struct source *src, enum paging mode, uint64_t dtb, struct kdx_error *err)
{
	const struct paging_desc *d = paging_desc(mode);
	if (!d) {
		kdx_fail(err, "%s: unknown paging mode", src->path);
		return NULL;
	}
	struct xlat *x = xlat_alloc(src, err);
	if (!x)
		return NULL;
	x->mode = d;
	x->names = notes_linux(&src->notes) ? d->linux_level_names : d->level_names;
	x->dtb = dtb & d->dtb_mask;
	/* libaddrxlat's paging forms: the PTE format, the number of address
	 * fields counting the page offset, and their widths in bits, lowest
	 * first (addrxlat.h, addrxlat_paging_form_t). */
	static const addrxlat_paging_form_t forms[] = {
		[PAGING_X86] = { ADDRXLAT_PTE_IA32, 3, { 12, 10, 10 } },
		[PAGING_PAE] = { ADDRXLAT_PTE_IA32_PAE, 4, { 12, 9, 9, 2 } },
		[PAGING_X64] = { ADDRXLAT_PTE_X86_64, 5, { 12, 9, 9, 9, 9 } },
	};
	x->meth.kind = ADDRXLAT_PGT;
	x->meth.target_as = ADDRXLAT_MACHPHYSADDR;
	x->meth.param.pgt.root.as = ADDRXLAT_MACHPHYSADDR;
	x->meth.param.pgt.root.addr = x->dtb;
	x->meth.param.pgt.pte_mask = 0;
	x->meth.param.pgt.pf = forms[mode];
	addrxlat_sys_set_meth(x->sys, ADDRXLAT_SYS_METH_PGT, &x->meth);
	return x;
}

/* ---- a Linux kernel's address space, set up by libaddrxlat itself ---- */

#define LINUX_PAGE_OFFSET_32 0xc0000000ull

/* The direct map and kernel text ranges of the system's kernel map. */
static void linux_regions_of(addrxlat_sys_t *sys, struct linux_regions *r)
{
	const addrxlat_map_t *map = addrxlat_sys_get_map(sys, ADDRXLAT_SYS_MAP_KV_PHYS);
	const addrxlat_range_t *range = map ? addrxlat_map_ranges(map) : NULL;
	uint64_t start = 0;
	for (size_t i = 0; range && i < addrxlat_map_len(map); start += range[i].endoff + 1, i++) {
		uint64_t end = start + range[i].endoff;
		/* the larger kernel text range (a one-page one may map the root) */
		if (range[i].meth == ADDRXLAT_SYS_METH_DIRECT) {
			r->has_direct = true;
			r->direct_start = start;
			r->direct_end = end;
		} else if (range[i].meth == ADDRXLAT_SYS_METH_KTEXT &&
			   (!r->has_ktext || end - start > r->ktext_end - r->ktext_start)) {
			r->has_ktext = true;
			r->ktext_start = start;
			r->ktext_end = end;
		}
		if (end == UINT64_MAX)
			break;
	}
}

/* ia32: libaddrxlat ends the direct map below the first vmalloc area
 * (vmap_area_list), past the 8 MiB gap the kernel leaves there
 * (VMALLOC_OFFSET, arch/x86/include/asm/pgtable_32_areas.h); the run the
 * tables map linearly from PAGE_OFFSET ends where low memory does. */
static void linear_run(struct xlat *x, struct linux_regions *r)
{
	uint64_t va = r->direct_start;
	while (va <= r->direct_end) {
		struct walk w;
		xlat_walk(x, va, &w);
		if (w.stopped_at >= 0 || w.reason == XLAT_INVALID || w.pa != va - r->direct_start)
			break;
		uint64_t next = (va | (w.page_size - 1)) + 1;
		if (next <= va)
			break;
		va = next;
	}
	r->has_direct = va > r->direct_start;
	if (r->has_direct && va - 1 < r->direct_end)
		r->direct_end = va - 1;
}

int xlat_linux_setup(struct source *src, enum machine machine, const struct cpu_note *cpu,
		     struct linux_setup *out, struct kdx_error *err)
{
	struct xlat *x = xlat_alloc(src, err);
	if (!x)
		return -1;
	x->cpu = cpu;
	addrxlat_opt_t opts[5];
	unsigned n = 0;
	uint64_t phys_base;
	addrxlat_opt_arch(&opts[n++], machine == MACHINE_X64 ? "x86_64" : "ia32");
	addrxlat_opt_os_type(&opts[n++], "linux");
	if (machine == MACHINE_X64 && vmcoreinfo_num(&src->notes, "NUMBER(phys_base)", &phys_base))
		addrxlat_opt_phys_base(&opts[n++], phys_base);
	addrxlat_fulladdr_t root = { cpu ? cpu->cr3 : 0, ADDRXLAT_MACHPHYSADDR };
	/* ia32: libaddrxlat places swapper_pg_dir only through a direct map it
	 * bounds by reading vmap_area_list; the default PAGE_OFFSET (the 3G/1G
	 * split) places it here. */
	uint64_t swapper = 0;
	bool has_root = cpu || (machine == MACHINE_X86 &&
		vmcoreinfo_num(&src->notes, "SYMBOL(swapper_pg_dir)", &swapper) &&
		swapper >= LINUX_PAGE_OFFSET_32);
	if (!cpu && has_root)
		root.addr = swapper - LINUX_PAGE_OFFSET_32;
	if (has_root)
		addrxlat_opt_rootpgt(&opts[n++], &root);
	if (cpu && machine == MACHINE_X86)
		addrxlat_opt_phys_bits(&opts[n++], cpu->cr4 & 0x20 ? 52 : 32);     /* CR4.PAE */
	addrxlat_status st = addrxlat_sys_os_init(x->sys, x->ctx, n, opts);
	const addrxlat_meth_t *m = st == ADDRXLAT_OK ?
		addrxlat_sys_get_meth(x->sys, ADDRXLAT_SYS_METH_PGT) : NULL;
	if (m && m->kind == ADDRXLAT_PGT) {
		root = m->param.pgt.root;
		st = root.as == ADDRXLAT_NOADDR ? ADDRXLAT_ERR_NODATA :
		     addrxlat_fulladdr_conv(&root, ADDRXLAT_MACHPHYSADDR, x->ctx, x->sys);
	} else if (st == ADDRXLAT_OK) {
		st = ADDRXLAT_ERR_NOMETH;
	}
	enum paging mode = !m ? PAGING_UNKNOWN :
		m->param.pgt.pf.pte_format == ADDRXLAT_PTE_X86_64 &&
		m->param.pgt.pf.nfields == 5 ? PAGING_X64 :
		m->param.pgt.pf.pte_format == ADDRXLAT_PTE_IA32_PAE ? PAGING_PAE :
		m->param.pgt.pf.pte_format == ADDRXLAT_PTE_IA32 ? PAGING_X86 : PAGING_UNKNOWN;
	if (st != ADDRXLAT_OK || mode == PAGING_UNKNOWN) {
		const char *why = addrxlat_ctx_get_err(x->ctx);
		kdx_fail(err, "libaddrxlat's Linux set-up: %s", st != ADDRXLAT_OK ?
			 (why ? why : "no detail") :
			 "a paging form kdx does not read (5-level paging?)");
		xlat_free(x);
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->mode = mode;
	out->dtb = root.addr & paging_desc(mode)->dtb_mask;
	out->pte_mask = m->param.pgt.pte_mask;
	out->regions.set_up = true;
	linux_regions_of(x->sys, &out->regions);
	if (machine == MACHINE_X86 && out->regions.has_direct) {
		x->mode = paging_desc(mode);
		x->names = x->mode->linux_level_names;
		x->dtb = out->dtb;
		x->meth = *m;
		x->meth.param.pgt.root = (addrxlat_fulladdr_t){ x->dtb, ADDRXLAT_MACHPHYSADDR };
		linear_run(x, &out->regions);
	}
	xlat_free(x);
	return 0;
}

struct xlat *xlat_new_linux(struct source *src, const struct linux_setup *s, struct kdx_error *err)
{
	struct xlat *x = xlat_new(src, s->mode, s->dtb, err);
	if (!x)
		return NULL;
	x->names = x->mode->linux_level_names;
	x->meth.param.pgt.pte_mask = s->pte_mask;
	x->linux_map = s->regions;
	return x;
}

const struct linux_regions *xlat_linux_regions(const struct xlat *x)
{
	return x->linux_map.set_up ? &x->linux_map : NULL;
}

void xlat_free(struct xlat *x)
{
	if (!x)
		return;
	if (x->sys)
		addrxlat_sys_decref(x->sys);
	if (x->ctx)
		addrxlat_ctx_decref(x->ctx);
	free(x);
}

uint64_t xlat_dtb(const struct xlat *x) { return x->dtb; }
const struct paging_desc *xlat_mode(const struct xlat *x) { return x->mode; }

static bool entry_large(const struct paging_desc *d, int level, uint64_t entry)
{
	return (d->large_ok & (1u << level)) && (entry & 0x80);
}

void xlat_walk(struct xlat *x, uint64_t va, struct walk *w)
{
	const struct paging_desc *d = x->mode;
	memset(w, 0, sizeof *w);
	w->va = va;
	w->dtb = x->dtb;
	w->mode = d;
	w->names = x->names;
	w->stopped_at = -1;
	w->page_size = KDX_PAGE_SIZE;
	if (!paging_is_canonical(d, va)) {
		w->reason = XLAT_INVALID;
		return;
	}
	addrxlat_step_t st = { .ctx = x->ctx, .sys = x->sys, .meth = &x->meth };
	addrxlat_status s = addrxlat_launch(&st, va);
	if (s != ADDRXLAT_OK) {
		w->reason = XLAT_INVALID;
		return;
	}
	int level = 0;
	while (s == ADDRXLAT_OK && st.remain > 1 && level < d->levels) {
		struct walk_level *l = &w->level[level];
		l->name = x->names[level];
		l->table = st.base.addr;
		l->index = st.idx[st.remain - 1];
		l->entry_address = l->table + l->index * st.elemsz;
		w->nlevels = level + 1;
		s = addrxlat_step(&st);
		if (s == ADDRXLAT_OK || s == ADDRXLAT_ERR_NOTPRESENT) {
			l->read = true;
			l->entry = st.raw.pte;
			l->present = l->entry & 1;
			l->large = l->present && entry_large(d, level, l->entry);
		}
		if (s != ADDRXLAT_OK) {
			w->stopped_at = level;
			w->reason = s == ADDRXLAT_ERR_NOTPRESENT ? XLAT_NOT_PRESENT : XLAT_NOT_IN_DUMP;
			addrxlat_ctx_clear_err(x->ctx);
			return;
		}
		if (l->large)
			w->page_size = paging_leaf_size(d, level);
		level++;
	}
	if (st.remain == 1)
		s = addrxlat_step(&st);
	if (s != ADDRXLAT_OK) {
		w->stopped_at = w->nlevels - 1;
		w->reason = XLAT_NOT_IN_DUMP;
		addrxlat_ctx_clear_err(x->ctx);
		return;
	}
	w->pa = st.base.addr;
	w->page_in_dump = source_has_page(x->src, w->pa >> KDX_PAGE_SHIFT);
	w->reason = w->page_in_dump ? XLAT_OK : XLAT_NOT_IN_DUMP;
}

enum xlat_reason xlat_to_phys(struct xlat *x, uint64_t va, uint64_t *pa)
{
	uint64_t vpage = va >> KDX_PAGE_SHIFT;
	struct cache_slot *slot = &x->cache[vpage % CACHE_SLOTS];
	if (slot->vpage != vpage + 1) {
		struct walk w;
		xlat_walk(x, va & ~(uint64_t)(KDX_PAGE_SIZE - 1), &w);
		slot->vpage = vpage + 1;
		slot->reason = w.reason;
		/* A page the tables map but the dump lacks still has an address. */
		slot->ppage = w.stopped_at < 0 && w.reason != XLAT_INVALID ?
			w.pa >> KDX_PAGE_SHIFT : 0;
	}
	*pa = (slot->ppage << KDX_PAGE_SHIFT) | (va & (KDX_PAGE_SIZE - 1));
	return slot->reason;
}

void hole_list_free(struct hole_list *h)
{
	free(h->items);
	memset(h, 0, sizeof *h);
}

static void add_hole(struct hole_list *h, uint64_t addr, uint64_t size, enum xlat_reason r)
{
	if (!h)
		return;
	if (h->count) {
		struct mem_hole *last = &h->items[h->count - 1];
		if (last->reason == r && last->address + last->size == addr) {
			last->size += size;
			return;
		}
	}
	if (h->count == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		struct mem_hole *n = realloc(h->items, cap * sizeof *n);
		if (!n)
			return;   /* the bytes still read as zero; only the report is short */
		h->items = n;
		h->cap = cap;
	}
	h->items[h->count++] = (struct mem_hole){ addr, size, r };
}

/* Shared page loop of the virtual and physical readers. */
static size_t read_pages(struct source *src, struct xlat *x, uint64_t addr, void *buf,
			 size_t len, struct hole_list *holes)
{
	uint8_t scratch[KDX_PAGE_SIZE];
	size_t done = 0, got = 0;
	while (done < len) {
		uint64_t cur = addr + done;
		size_t off = cur & (KDX_PAGE_SIZE - 1);
		size_t n = KDX_PAGE_SIZE - off;
		if (n > len - done)
			n = len - done;
		uint64_t pa = cur;
		enum xlat_reason r = x ? xlat_to_phys(x, cur, &pa) : XLAT_OK;
		const uint8_t *page = NULL;
		if (r == XLAT_OK) {
			page = source_page(src, pa >> KDX_PAGE_SHIFT, scratch);
			if (!page)
				r = XLAT_NOT_IN_DUMP;
		}
		if (page) {
			memcpy((uint8_t *)buf + done, page + (pa & (KDX_PAGE_SIZE - 1)), n);
			got += n;
		} else {
			memset((uint8_t *)buf + done, 0, n);
			add_hole(holes, cur, n, r);
		}
		done += n;
		if (done < len && addr + done < addr) {
			/* Past the top of the address space: no bytes there. */
			memset((uint8_t *)buf + done, 0, len - done);
			add_hole(holes, addr + done, len - done, XLAT_INVALID);
			break;
		}
	}
	return got;
}

size_t xlat_read(struct xlat *x, uint64_t va, void *buf, size_t len, struct hole_list *holes)
{
	return read_pages(x->src, x, va, buf, len, holes);
}

bool xlat_read_uint(struct xlat *x, uint64_t va, unsigned size, uint64_t *v)
{
	uint8_t b[8];
	if (size > sizeof b || xlat_read(x, va, b, size, NULL) != size)
		return false;
	*v = le_bytes(b, size);
	return true;
}

size_t phys_read(struct source *src, uint64_t pa, void *buf, size_t len, struct hole_list *holes)
{
	return read_pages(src, NULL, pa, buf, len, holes);
}
