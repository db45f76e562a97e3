#include "core/util/config_dir.h"

#include <stdio.h>
#include <stdlib.h>

bool config_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;
	if (xdg && *xdg)
		n = snprintf(buf, size, "%s/kdx", xdg);
	else if (home && *home)
		n = snprintf(buf, size, "%s/.config/kdx", home);
	else
		return false;
	return n > 0 && (size_t)n < size;
}
