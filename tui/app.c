/* Placeholder until the TUI lands: owned by the TUI work (issue 4). */
#include <stdio.h>

#include "tui.h"

int tui_run(struct dump *d, const struct kdx_options *opt)
{
	(void)d;
	(void)opt;
	fprintf(stderr, "kdx: the interactive explorer is not built yet; use -c 'CMD'\n");
	return 2;
}

int tui_list_themes(void)
{
	return 0;
}
