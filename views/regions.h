/* The `layout` pane's region walk, callable with a progress callback (the
 * TUI shows progress and cancels; the batch command passes none). */
#ifndef KDX_REGIONS_H
#define KDX_REGIONS_H

#include "../core/layout.h"
#include "command.h"

/* Builds the `layout REGION [DTB]` document into out (already initialised).
 * dtb 0: the kernel's address space. */
int regions_walk_doc(struct dump *d, const char *region, uint64_t dtb,
		     layout_progress_fn progress, void *progress_ctx, struct doc *out,
		     struct kdx_error *err);

#endif
