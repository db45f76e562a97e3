/* The prompt's line editor (: commands, / filters, a pane's question). */
#ifndef KDX_PROMPT_H
#define KDX_PROMPT_H

#include "tui/app.h"

/* Opens the prompt of kind with initial text, the cursor at its end. */
void prompt_open(struct app *a, enum prompt_kind kind, const char *initial);
/* A key while the prompt is open: an editing key, else typed text. */
void prompt_key(struct app *a, int key);

#endif
