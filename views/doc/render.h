/* Batch renderers: plain text and JSON. */
#ifndef KDX_RENDER_H
#define KDX_RENDER_H

#include <stdio.h>

#include "views/doc/doc.h"

void render_text(FILE *out, const struct doc *d);
/* The document's result object only. */
void render_json_value(FILE *out, const struct dnode *n);
void render_json_string(FILE *out, const char *s);

#endif
