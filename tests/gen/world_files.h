/* Mapped files of a generated world, as built: FILE_OBJECT, CONTROL_AREA,
 * its SUBSECTION, the SEGMENT and its prototype PTEs (what the MmSt tag
 * holds), and which pages of each file are resident. */
#ifndef KDX_GEN_WORLD_FILES_H
#define KDX_GEN_WORLD_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "tests/gen/world.h"

#define WORLD_MAX_FILES 6
#define WORLD_MAX_FILE_PAGES 64

enum world_proto_state { WP_SUBSECTION, WP_VALID, WP_TRANSITION };

struct world_file {
	char name[80];                /* FILE_OBJECT.FileName */
	uint64_t file_object, control_area, subsection, segment;
	uint64_t prototype_ptes;      /* VA of the first prototype PTE */
	unsigned total_ptes;
	unsigned resident_valid, resident_standby;
	enum world_proto_state state[WORLD_MAX_FILE_PAGES];
	uint64_t pfn[WORLD_MAX_FILE_PAGES];    /* resident pages only */
};

struct world_files {
	struct world_file files[WORLD_MAX_FILES];
	size_t nfiles;
};

#endif
