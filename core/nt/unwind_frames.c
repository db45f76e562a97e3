/* The frame list both unwinders build (unwind_frames.h). */
#include "core/nt/unwind_frames.h"

#include <stdlib.h>

int unwind_push_frame(struct unwind_result *r, size_t *cap, const struct unwind_frame *f)
{
	if (r->count == *cap) {
		size_t n = *cap ? 2 * *cap : 64;
		struct unwind_frame *g = realloc(r->frames, n * sizeof *g);
		if (!g)
			return -1;
		r->frames = g;
		*cap = n;
	}
	r->frames[r->count++] = *f;
	return 0;
}

/* Keeps in best whichever of best and r found more frames (best on a
 * tie, r when best is the first). */
void unwind_keep_furthest(struct unwind_result *best, struct unwind_result *r, bool first)
{
	if (first || r->count > best->count) {
		unwind_result_free(best);
		*best = *r;
	} else {
		unwind_result_free(r);
	}
}
