/* The segment-heap layouts, per build: small const tables rather than
 * columns of data/layouts/, because they describe several structures at
 * once and exist for 19H1+ builds only. Looked up by the profile's name, so
 * a --layout patched copy keeps its build's table. */
#include <string.h>

#include "core/nt/profile.h"

/* win10-x64, 10.0.19045.2965 x64: _HEAP_PAGE_SEGMENT (0x2000 bytes:
 * ListEntry 0x0, Signature 0x10, DescArray[256]), _HEAP_PAGE_RANGE_DESCRIPTOR
 * (0x20: RangeFlags 0x18, UnitSize 0x1f), _HEAP_LFH_SUBSEGMENT (BlockOffsets
 * 0x28, BlockBitmap 0x30), _HEAP_VS_SUBSEGMENT (Size 0x20, Signature 0x22),
 * _HEAP_VS_CHUNK_HEADER 0x10 bytes: Vergilius Project data
 * (novafacing/vergilius-rs headers/bindings-10.0.19045.2965-x64.h). The
 * first chunk at 0x30, Signature = Size ^ 0x2BED and the segment
 * signature key 0xA2E64EADA2E64EAD (builds before 26100): MemProcFS
 * vmm/vmmwinpool.c. */
static const struct prof_segheap segheap_10_x64 = {
	.segment_size = 0x100000, .descriptor_size = 0x20, .first_descriptor = 2,
	.desc_range_flags = 0x18, .desc_unit_size = 0x1f, .segment_signature = 0x10,
	.signature_key = 0xa2e64eada2e64eadull,
	.lfh_block_offsets = 0x28, .lfh_block_bitmap = 0x30,
	.vs_size = 0x20, .vs_signature = 0x22, .vs_first_chunk = 0x30, .vs_chunk_header = 0x10,
	.vs_signature_xor = 0x2bed,
};

static const struct {
	const char *profile;
	const struct prof_segheap *layout;
} segheap_layouts[] = {
	{ "win10-x64", &segheap_10_x64 },
};

const struct prof_segheap *segheap_layout(const struct profile *p)
{
	if (!p || !p->pool->segment_heap)
		return NULL;
	for (size_t i = 0; i < sizeof segheap_layouts / sizeof segheap_layouts[0]; i++)
		if (strcmp(segheap_layouts[i].profile, p->name) == 0)
			return segheap_layouts[i].layout;
	return NULL;
}
