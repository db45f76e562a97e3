/* Pool tag descriptions in WinDbg's pooltag.txt format: one tag a line,
 * "TAG - binary - description" (or "TAG - description"); lines starting
 * with "//" or "rem" are comments. */
#ifndef KDX_POOLTAG_H
#define KDX_POOLTAG_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

struct pooltag_entry {
	uint32_t tag;
	char *owner;                /* "nt!mm", "ntfs.sys"; NULL when the line names none */
	char *description;
};

struct pooltag_db {
	struct pooltag_entry *items;
	size_t count;
	char *path;                 /* where it came from; NULL: no file found */
};

int pooltag_load(const char *path, struct pooltag_db *db, struct kdx_error *err);
void pooltag_free(struct pooltag_db *db);
const struct pooltag_entry *pooltag_lookup(const struct pooltag_db *db, uint32_t tag);

/* The process's list: --pooltag FILE when given, else the first of
 * $XDG_CONFIG_HOME/kdx/pooltag.txt (~/.config when unset), the installed
 * data directory and the source tree's data/pooltag.txt that loads. */
const struct pooltag_db *pooltag_default(void);
/* --pooltag FILE: loads it as the process's list now, so that a file that
 * cannot be read or parsed is an error naming it (and the line), not
 * passed over for the default list. */
int pooltag_use(const char *path, struct kdx_error *err);

#endif
