/* Which driver uses a pool tag: the four tag bytes searched in every loaded
 * module's image pages present in the dump, as they appear in code (a
 * little-endian 32-bit constant). PoolMon /c done offline. */
#ifndef KDX_TAGOWNER_H
#define KDX_TAGOWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/nt/modules.h"

/* Hits kept (all are counted); bytes searched per image and in all (no
 * driver comes near the first, no system near the second; a hostile
 * SizeOfImage or module count is clipped). */
#define TAGOWNER_MAX_CANDIDATES 1024u
#define TAGOWNER_MAX_IMAGE (256ull << 20)
#define TAGOWNER_MAX_TOTAL (2ull << 30)

struct tag_candidate {
	size_t tag;                 /* index into the tags searched for */
	size_t module;              /* index into the module list */
	uint64_t offset;            /* from the image base */
	int section;                /* index into the module's sections, -1: none */
	bool code;
};

struct tag_owner {
	struct tag_candidate *items;   /* code-section hits first, then by module and offset */
	size_t count;
	uint64_t hits;                 /* all hits, kept or not */
	uint64_t searched_bytes, missing_bytes;
	size_t clipped_images;         /* images searched only in part */
};

/* Searches for ntags tags (at most TAGOWNER_MAX_TAGS) in one pass over the
 * images. Fails only on cancel (d->progress) or out of memory. */
#define TAGOWNER_MAX_TAGS 8u
int tagowner_search(struct dump *d, const struct module_list *ml, const uint32_t *tags,
		    size_t ntags, struct tag_owner *out, struct kdx_error *err);
void tagowner_free(struct tag_owner *o);

/* The owner the candidates name for tags[tag]: the module of its first
 * code-section hit, or NULL when no code section holds it. */
const struct module *tagowner_best(const struct module_list *ml, const struct tag_owner *o,
				   size_t tag);

#endif
