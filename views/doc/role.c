#include "views/doc/role.h"

#include <string.h>

static const char *const names[ROLE_COUNT] = {
#define KDX_ROLE_NAME(id, name) name,
	KDX_ROLES(KDX_ROLE_NAME)
#undef KDX_ROLE_NAME
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? names[r] : "normal";
}

int role_from_name(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}
