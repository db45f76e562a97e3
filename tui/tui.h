/* The interactive explorer. */
#ifndef KDX_TUI_H
#define KDX_TUI_H

#include "core/dump.h"
#include "tui/options.h"

/* Runs the TUI on an opened dump until the user quits. Returns the process
 * exit status. */
int tui_run(struct dump *d, const struct kdx_options *opt);

/* --list-themes: prints every theme with where it comes from; exit status. */
int tui_list_themes(void);

#endif
