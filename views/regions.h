/* The `layout` pane's region walk, callable with a progress reporter (the
 * command passes the dump's: the TUI's bar, or none in batch). */
#ifndef KDX_REGIONS_H
#define KDX_REGIONS_H

#include "core/xlat/layout.h"
#include "views/command.h"

/* Builds the `layout REGION [DTB]` document into out (already initialised).
 * dtb 0: the kernel's address space. Cancelling fails (core/util/progress.h). */
int regions_walk_doc(struct dump *d, const char *region, uint64_t dtb,
		     const struct progress *progress, struct doc *out, struct kdx_error *err);

#endif
