#include "core/analysis/symbol.h"

#include <stdio.h>

#include "core/nt/exports.h"
#include "core/nt/unwind.h"

/* The longest export name kept; longer ones are cut. */
#define EXPORT_NAME_MAX 64u

void address_name(struct dump *d, const struct module *m, uint64_t va, char *buf, size_t size)
{
	uint64_t rva = va - m->base;
	char name[EXPORT_NAME_MAX];
	uint32_t export_rva;
	struct runtime_function f;
	bool found = rva <= UINT32_MAX &&
		     module_nearest_export(d, m, (uint32_t)rva, name, sizeof name, &export_rva);
	/* An export below the start of the function that holds va names
	 * another function; where no function is known, one in another
	 * section names something else (data named after code). */
	if (found && unwind_find_function(d, m, (uint32_t)rva, &f))
		found = export_rva >= f.begin;
	else if (found)
		found = module_section_at(m, rva) &&
			module_section_at(m, rva) == module_section_at(m, export_rva);
	if (found)
		snprintf(buf, size, "%s!%s+0x%llx", m->name, name,
			 (unsigned long long)(rva - export_rva));
	else
		snprintf(buf, size, "%s+0x%llx", m->name, (unsigned long long)rva);
}
