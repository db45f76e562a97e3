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
#include "core/nt/pool.h"
#include "core/analysis/pooltag.h"

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

/* The owners of the biggest tags of the tracker table (live bytes), those
 * skip says no to left out, all searched in one pass. */
struct searched_owners {
	struct module_list ml;
	bool have_modules;
	uint32_t tags[TAGOWNER_MAX_TAGS];
	const struct module *owner[TAGOWNER_MAX_TAGS];
	size_t ntags;
};
void tagowner_search_biggest(struct dump *d, const struct pool_tracker *t,
			     bool (*skip)(void *ctx, uint32_t tag), void *ctx,
			     struct searched_owners *so);
/* The owner found for tag, or NULL. */
const struct module *tagowner_searched(const struct searched_owners *so, uint32_t tag);

/* A tag's owner as every pane names it, one source for poolused and
 * tagowner: the owner pooltag.txt's line names (e, NULL: no line), else the
 * module whose code holds the tag (found, or NULL). *from says which
 * ("pooltag.txt", "image search"), NULL with the owner when neither. */
const char *tag_owner_name(const struct pooltag_entry *e, const struct module *found,
			   const char **from);

/* The tag of a driver's allocations: among the 8 tracker tags with the
 * most live bytes, the one whose bytes are in that driver's code. False
 * when none is. */
bool tagowner_driver_tag(struct dump *d, const char *driver, uint32_t *tag);

#endif
