/* A module's export directory (IMAGE_EXPORT_DIRECTORY, the PE/COFF
 * specification), read from the dump: the names kdx gives code addresses
 * (core/analysis/symbol.h). */
#ifndef KDX_EXPORTS_H
#define KDX_EXPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/nt/modules.h"

/* The export of m nearest at or below rva, with its name in name (size
 * bytes); false when the image has no export table or no named export
 * there. Arrays are read with bounds on their counts and the name's
 * length. */
bool module_nearest_export(struct dump *d, const struct module *m, uint32_t rva, char *name,
			   size_t size, uint32_t *export_rva);

#endif
