/* Command-line options shared by batch mode and the interactive TUI. */
#ifndef KDX_OPTIONS_H
#define KDX_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

struct kdx_options {
	const char *dump_path;     /* NULL with --demo until resolved */
	bool demo;
	const char *commands;      /* -c 'CMD; CMD' */
	bool json;
	bool verbose;
	const char *theme;         /* --theme NAME, NULL: the user's default */
	const char *pooltag;       /* --pooltag FILE */
	const char *layouts[8];    /* --layout FILE..., applied in order */
	size_t nlayouts;
	const char *first_command; /* --diff A B: "pooldiff B", the pane to open first */
};

#endif
