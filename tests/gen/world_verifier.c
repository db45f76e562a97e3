/* Driver Verifier (the level flags and _MM_DRIVER_VERIFIER_DATA layout of
 * the profile; special pool pages as ReactOS ntoskrnl/mm/ARM3/special.c
 * lays them out: the page filled with a pattern byte, the POOL_HEADER at
 * its start holding the bytes requested (0x8000: paged) and the pattern in
 * BlockSize, the data ending at the page end aligned down to the header
 * size, and the next page a guard left unmapped; bug check 0xC4 subcode
 * 0x62 as Microsoft's bug check reference gives it: parameter 2 the
 * driver's name, 4 its allocations not freed). */
#include "tests/gen/world_verifier.h"

#include <stdlib.h>
#include <string.h>

#include "core/nt/kdbg.h"
#include "tests/gen/world_build.h"
#include "tests/gen/world_pool.h"

/* The standard settings: special pool, IRQL checking, pool tracking, I/O
 * verification, deadlock detection, DMA checking, security checks,
 * miscellaneous checks, DDI compliance checking. */
#define STANDARD_FLAGS 0x000209bbu
static const char *const standard_flag_names[] = {
	"special pool", "force IRQL checking", "pool tracking", "I/O verification",
	"deadlock detection", "DMA checking", "security checks", "miscellaneous checks",
	"DDI compliance checking", NULL,
};
#define SPECIAL_POOL_PAGED 0x8000u
#define DRIVER_LEFT_ALLOCATIONS 0x62u
#define BUGCHECK_VERIFIER 0xc4u

static bool verifier_on;

void world_set_verifier(bool on)
{
	verifier_on = on;
}

bool world_verifier_on(void)
{
	return verifier_on;
}

/* The index in values[] (the fields after Level) of the counter name. */
static size_t counter(const struct prof_verifier_field *fields, size_t n, const char *name)
{
	size_t i = 1;
	while (i < n && strcmp(fields[i].name, name) != 0)
		i++;
	return i - 1;
}

/* Counters that hold together: what succeeded did not exceed what was
 * tried, the peaks are at least the current figures. */
static void set_counters(struct world *w, struct world_verifier *v,
			 const struct prof_verifier_field *fields, size_t nfields)
{
	for (size_t i = 1; i < nfields; i++)
		v->values[i - 1] = fields[i].size == 8 ? 0x10000 + world_rnd_below(w, 0x1000000) :
				   world_rnd_below(w, 5000);
	static const char *const ordered[][2] = {
		{ "AllocationsSucceeded", "AllocationsAttempted" },
		{ "AllocationsSucceededSpecialPool", "AllocationsSucceeded" },
		{ "CurrentPagedPoolAllocations", "PeakPagedPoolAllocations" },
		{ "CurrentNonPagedPoolAllocations", "PeakNonPagedPoolAllocations" },
		{ "PagedBytes", "PeakPagedBytes" },
		{ "NonPagedBytes", "PeakNonPagedBytes" },
	};
	for (size_t i = 0; i < sizeof ordered / sizeof ordered[0]; i++) {
		size_t a = counter(fields, nfields, ordered[i][0]);
		size_t b = counter(fields, nfields, ordered[i][1]);
		if (v->values[a] > v->values[b]) {
			uint64_t t = v->values[a];
			v->values[a] = v->values[b];
			v->values[b] = t;
		}
	}
}

/* XP/2003 reserve the special pool from the system PTEs (ReactOS
 * MiInitializeSpecialPool): a range of them, named in the truth's regions
 * as SpecialPool; each page then takes one of the free system PTEs the
 * memory summary counted. */
static uint64_t reserve_from_system_ptes(struct world *w)
{
	uint64_t pages = 2 * WORLD_SPECIAL_PAGES + 2;
	uint64_t start = world_region_reserve(w, "SystemPtes", pages);
	w->region[w->nregion++] = (struct world_region){ "SpecialPool", start,
							 start + pages * KDX_PAGE_SIZE };
	struct world_pool *pl = w->pool;
	for (size_t i = 0; i < pl->nvm; i++)
		if (strcmp(pl->vm[i].name, "free_system_ptes") == 0)
			pl->vm[i].pages -= WORLD_SPECIAL_PAGES;
	return start;
}

/* Where a special pool page goes: later builds plan its system VA as
 * regions of their own (world.c: SpecialPool, or on x64 10 the
 * SpecialPoolNonPaged and SpecialPoolPaged slots). */
static const char *special_region(const struct world *w, bool paged)
{
	for (size_t i = 0; i < w->nregion; i++)
		if (strcmp(w->region[i].name, "SpecialPool") == 0)
			return "SpecialPool";
	return paged ? "SpecialPoolPaged" : "SpecialPoolNonPaged";
}

/* Special pool pages, each followed by a guard page that stays unmapped. */
static void special_pages(struct world *w, struct world_verifier *v)
{
	uint64_t xp_next = w->profile->build < 6000 ? reserve_from_system_ptes(w) : 0;
	unsigned hdr = w->profile->pool->header_size;
	for (size_t i = 0; i < WORLD_SPECIAL_PAGES; i++) {
		struct world_special *s = &v->special[v->nspecial++];
		s->paged = i == WORLD_SPECIAL_PAGES - 1;
		if (xp_next) {
			s->page = xp_next + KDX_PAGE_SIZE;   /* a guard before the first */
			world_map_data_page(w, s->page, world_alloc_pages(w, 1));
			xp_next += 2 * KDX_PAGE_SIZE;
			s->guard = s->page + KDX_PAGE_SIZE;
		} else {
			const char *region = special_region(w, s->paged);
			s->page = world_region_pages(w, region, 1);
			s->guard = world_region_reserve(w, region, 1);
		}
		s->bytes = 0x20 + world_rnd_below(w, 0x300);
		s->data = (s->page + KDX_PAGE_SIZE - s->bytes) & ~(uint64_t)(hdr - 1);
		s->tag = v->special_pool_tag;
		s->pattern = (uint8_t)(0x10 + world_rnd_below(w, 0xe0));
		for (uint64_t off = 0; off < KDX_PAGE_SIZE; off += 8)
			world_kput(w, s->page + off, 0x0101010101010101ull * s->pattern, 8);
		world_kput(w, s->page, s->bytes | (s->paged ? SPECIAL_POOL_PAGED : 0), 4);
		world_kput(w, s->page + 2, s->pattern, 1);   /* BlockSize: the pattern */
		world_kput(w, s->page + 4, s->tag, 4);
		/* the driver's data: a pointer back at its header */
		world_kput(w, s->data, s->page, w->profile->ptr_size);
	}
}

/* A UNICODE_STRING and its buffer in kernel data. */
static uint64_t unicode_string(struct world *w, const char *s)
{
	unsigned ps = w->profile->ptr_size;
	size_t n = strlen(s);
	uint64_t us = world_data_alloc(w, 2ull * ps + 2 * n + 2);
	uint64_t buf = us + 2ull * ps;
	world_kput(w, us, 2 * n, 2);
	world_kput(w, us + 2, 2 * n + 2, 2);
	world_kput(w, us + ps, buf, ps);
	for (size_t i = 0; i < n; i++)
		world_kput(w, buf + 2 * i, (uint8_t)s[i], 2);
	return us;
}

int world_build_verifier(struct world *w, struct kdx_error *err)
{
	const struct profile *p = w->profile;
	struct prof_verifier_field fields[PROF_VERIFIER_MAX_FIELDS];
	size_t nfields = verifier_layout(p, fields);
	if (!nfields)   /* no layout for this build: the KDBG names no MmVerifierData */
		return 0;
	struct world_verifier *v = calloc(1, sizeof *v);
	if (!v)
		return kdx_fail(err, "%s: out of memory", p->name);
	w->verifier = v;
	v->data = world_data_alloc(w, p->verifier->size);
	world_kput(w, w->kdbg_va + KDBG_MM_VERIFIER_DATA, v->data, 8);
	uint64_t tag_at = world_data_alloc(w, 4);
	world_kput(w, w->kdbg_va + KDBG_MM_SPECIAL_POOL_TAG, tag_at, 8);
	if (!verifier_on)
		return 0;
	v->active = true;
	v->level = STANDARD_FLAGS;
	v->flag_names = standard_flag_names;
	v->special_pool_tag = w->pool->leak_tag;
	set_counters(w, v, fields, nfields);
	world_kput(w, v->data + fields[0].offset, v->level, fields[0].size);
	for (size_t i = 1; i < nfields; i++)
		world_kput(w, v->data + fields[i].offset, v->values[i - 1], fields[i].size);
	world_kput(w, tag_at, v->special_pool_tag, 4);
	special_pages(w, v);
	v->driver = w->pool->leak_owner;
	v->outstanding = w->pool->leak_blocks + v->nspecial;
	w->img.bugcheck_code = BUGCHECK_VERIFIER;
	w->img.bugcheck_params[0] = DRIVER_LEFT_ALLOCATIONS;
	w->img.bugcheck_params[1] = unicode_string(w, v->driver);
	w->img.bugcheck_params[2] = world_data_alloc(w, 0x100);   /* verifier's own entry */
	w->img.bugcheck_params[3] = v->outstanding;
	return 0;
}

void world_verifier_free(struct world *w)
{
	free(w->verifier);
	w->verifier = NULL;
}
