/* The KDBG's own structure offsets and sizes (KDDEBUGGER_DATA64 from
 * Windows Server 2003 on: doc/dump-format.md §8.3) against the built-in
 * layouts. The kernel wrote them, so they choose between the columns that
 * serve one build number (one build can hide several layouts:
 * doc/layouts.md), and where the chosen column still disagrees the KDBG's
 * value is used and the disagreement named in the dump's warnings. */
#ifndef KDX_LAYOUT_KDBG_H
#define KDX_LAYOUT_KDBG_H

#include "core/dump.h"

/* Resolves d->layout once the KDBG and the build are known. */
void dump_layout_resolve(struct dump *d);

#endif
