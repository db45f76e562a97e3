/* The user's kdx config directory: $XDG_CONFIG_HOME/kdx, else
 * ~/.config/kdx (the XDG Base Directory Specification). Themes, settings
 * and a user's pooltag.txt are read from there. */
#ifndef KDX_CONFIG_DIR_H
#define KDX_CONFIG_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* False when neither variable is set or the path does not fit. */
bool config_dir(char *buf, size_t size);

#endif
