/* One name per code or data address, the same in every pane (stack, kf,
 * search owners, poolrefs, tagowner, info's bug check parameters), the
 * way WinDbg names an address without symbols: "module!Export+0x1a" when
 * a named export starts at or below it within the same function (on x64,
 * the RUNTIME_FUNCTION that covers it) or, where no table says where the
 * function starts, within the same section; else "module+0x1a0b". */
#ifndef KDX_SYMBOL_H
#define KDX_SYMBOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/nt/modules.h"

/* Room for any name: the module's name, an export's and the offset. */
#define ADDRESS_NAME_MAX (MODULE_NAME_MAX + 96u)

/* va's name inside m (which holds it) in buf. */
void address_name(struct dump *d, const struct module *m, uint64_t va, char *buf, size_t size);

#endif
