#include "core/nt/exports.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"

/* IMAGE_EXPORT_DIRECTORY fields (PE/COFF specification). */
#define EXPORT_DIRECTORY_SIZE 40u
#define EXPORT_NUMBER_OF_FUNCTIONS 20u
#define EXPORT_NUMBER_OF_NAMES 24u
#define EXPORT_ADDRESS_OF_FUNCTIONS 28u
#define EXPORT_ADDRESS_OF_NAMES 32u
#define EXPORT_ADDRESS_OF_ORDINALS 36u
#define EXPORTS_MAX 65536u    /* ordinals are 16 bits */

/* count entries of width bytes at rva of m, malloc'd; NULL when they do
 * not fit the image or are not in the dump. */
static uint8_t *read_array(struct dump *d, const struct module *m, uint64_t rva, uint64_t count,
			   unsigned width)
{
	uint64_t len = count * width;
	if (!count || rva >= m->size || len > m->size - rva)
		return NULL;
	uint8_t *a = malloc(len);
	if (a && xlat_read(d->kernel, m->base + rva, a, len, NULL) != len) {
		free(a);
		a = NULL;
	}
	return a;
}

bool module_nearest_export(struct dump *d, const struct module *m, uint32_t rva, char *name,
			   size_t size, uint32_t *export_rva)
{
	uint8_t dir[EXPORT_DIRECTORY_SIZE];
	if (!m->export_size || m->export_size < EXPORT_DIRECTORY_SIZE || !size ||
	    xlat_read(d->kernel, m->base + m->export_rva, dir, sizeof dir, NULL) != sizeof dir)
		return false;
	uint64_t nfuncs = le_bytes(dir + EXPORT_NUMBER_OF_FUNCTIONS, 4);
	uint64_t nnames = le_bytes(dir + EXPORT_NUMBER_OF_NAMES, 4);
	if (nfuncs > EXPORTS_MAX)
		nfuncs = EXPORTS_MAX;
	if (nnames > EXPORTS_MAX)
		nnames = EXPORTS_MAX;
	uint8_t *funcs = read_array(d, m, le_bytes(dir + EXPORT_ADDRESS_OF_FUNCTIONS, 4), nfuncs, 4);
	uint8_t *names = read_array(d, m, le_bytes(dir + EXPORT_ADDRESS_OF_NAMES, 4), nnames, 4);
	uint8_t *ords = read_array(d, m, le_bytes(dir + EXPORT_ADDRESS_OF_ORDINALS, 4), nnames, 2);
	bool found = false;
	uint32_t best = 0, best_name = 0;
	for (uint64_t i = 0; funcs && names && ords && i < nnames; i++) {
		uint64_t ord = le_bytes(ords + 2 * i, 2);
		if (ord >= nfuncs)
			continue;
		uint32_t f = (uint32_t)le_bytes(funcs + 4 * ord, 4);
		bool forwarder = f >= m->export_rva && f - m->export_rva < m->export_size;
		if (!forwarder && f <= rva && (!found || f > best)) {
			found = true;
			best = f;
			best_name = (uint32_t)le_bytes(names + 4 * i, 4);
		}
	}
	free(funcs);
	free(names);
	free(ords);
	if (!found || best_name >= m->size)
		return false;
	size_t len = size - 1;
	if (len > m->size - best_name)
		len = (size_t)(m->size - best_name);
	memset(name, 0, size);
	xlat_read(d->kernel, m->base + best_name, name, len, NULL);
	for (size_t i = 0; name[i]; i++)
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
			name[i] = '?';
	*export_rva = best;
	return name[0] != 0;
}
