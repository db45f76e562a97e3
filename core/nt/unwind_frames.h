/* Shared by the x64 unwinder (unwind.c) and the x86 EBP chain
 * (unwind_x86.c); not part of unwind.h's interface. */
#ifndef KDX_UNWIND_FRAMES_H
#define KDX_UNWIND_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nt/unwind.h"

/* Appends f to r's frames (cap: their capacity); -1 when out of memory. */
int unwind_push_frame(struct unwind_result *r, size_t *cap, const struct unwind_frame *f);
/* Keeps in best whichever of best and r found more frames (best on a
 * tie, r when best is the first); frees the other. */
void unwind_keep_furthest(struct unwind_result *best, struct unwind_result *r, bool first);
/* Reads a 4-byte stack slot from the kernel's space (ctx: the dump). */
bool unwind_read_kernel_u32(void *ctx, uint64_t va, uint64_t *v);

#endif
