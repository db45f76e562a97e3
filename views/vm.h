/* The memory summary as document nodes: the `vm` pane, and the `info`
 * pane's summary. */
#ifndef KDX_VIEWS_VM_H
#define KDX_VIEWS_VM_H

#include "views/command.h"

/* Adds "figures" (name, pages, kb) and "warnings" under parent; walks as
 * memsummary_build takes it. Returns whether a figure is left pending. */
bool vm_summary_to_doc(struct dump *d, bool walks, struct dnode *parent);

#endif
