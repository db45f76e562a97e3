/* The user's config directory and settings, and the reading of the small
 * line-based text files kdx takes from there (settings, themes). */
#ifndef KDX_CONFIG_H
#define KDX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util/config_dir.h"
#include "tui/theme.h"

/* Reads a whole small text file (settings, a theme: at most 1 MiB is
 * read); NULL with errno set on failure. Caller frees. */
char *config_read_text(const char *path);

/* Calls each(line, lineno, ctx) for every line of text, on a private copy
 * of the line; lineno counts every line, empty ones too. */
void config_walk_lines(const char *text, void (*each)(char *line, unsigned lineno, void *ctx),
		       void *ctx);

/* User settings from $XDG_CONFIG_HOME/kdx/config: `set NAME = VALUE`. */
struct kdx_config {
	char theme[64];             /* empty: "default" */
	bool mouse;
};
void config_parse(struct kdx_config *c, const char *text, const char *where,
		  struct theme_warnings *w);
/* Reads the user's config file; a missing file is no error. */
void config_load(struct kdx_config *c, struct theme_warnings *w);

#endif
