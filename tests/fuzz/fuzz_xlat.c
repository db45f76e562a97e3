/* libFuzzer: page tables. The input is physical memory (up to 8 pages from
 * PA 0, the last one padded with zeros), the top table at PA 0; in each
 * paging mode a few addresses are walked level by level and translated,
 * every entry met is decoded, and a read crosses pages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/xlat/pte.h"
#include "core/source/source.h"
#include "core/xlat/xlat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAGES 8

static uint8_t memory[MAX_PAGES][KDX_PAGE_SIZE];
static size_t npages;

static const uint8_t *memory_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	(void)s;
	(void)scratch;
	return pfn < npages ? memory[pfn] : NULL;
}

static const struct source_ops memory_ops = { memory_page, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > sizeof memory)
		size = sizeof memory;
	npages = (size + KDX_PAGE_SIZE - 1) / KDX_PAGE_SIZE;
	memset(memory, 0, sizeof memory);
	memcpy(memory, data, size);
	struct phys_range range = { 0, npages * KDX_PAGE_SIZE };
	struct source src = { .ops = &memory_ops, .path = "input", .format = "memory",
			      .ranges = &range, .nranges = npages > 0, .present_pages = npages };
	/* the addresses: a few from the input's first bytes, and fixed ones */
	uint64_t vas[6] = { 0, 0xfffff80000000000ull, 0xc0300000ull, 0x7ffe0000ull };
	for (int i = 0; i < 2; i++)
		vas[4 + i] = size >= 16 ? le_bytes(data + 8 * i, 8) : 0;
	static const enum paging modes[] = { PAGING_X86, PAGING_PAE, PAGING_X64 };
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		struct kdx_error err = { .msg = "" };
		struct xlat *x = xlat_new(&src, modes[m], 0, &err);
		if (!x)
			continue;
		struct pte_context ctx;
		pte_context_init(&ctx, modes[m], true, 19041, pte_format_for(modes[m], true, 19041));
		for (size_t i = 0; i < sizeof vas / sizeof vas[0]; i++) {
			struct walk w;
			uint64_t pa;
			xlat_walk(x, vas[i], &w);
			for (int l = 0; l < w.nlevels; l++) {
				struct pte_decoded dec;
				pte_decode(&ctx, l, w.level[l].entry, &dec);
			}
			xlat_to_phys(x, vas[i], &pa);
			uint8_t buf[64];
			xlat_read(x, vas[i] | 0xfe0, buf, sizeof buf, NULL);
		}
		xlat_free(x);
	}
	return 0;
}
