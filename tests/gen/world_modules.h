/* Loaded modules of a generated world, as built: the PsLoadedModuleList
 * entries and the PE images they describe (headers, sections, export
 * tables; on x64 the exception directory with each function's frame). */
#ifndef KDX_GEN_WORLD_MODULES_H
#define KDX_GEN_WORLD_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/gen/world.h"

#define WORLD_MAX_EXPORTS 8
#define WORLD_MAX_FUNCTIONS 8
#define WORLD_MAX_MODULES 16

struct world_function {
	char name[48];                /* exported name, "" for internal functions */
	uint64_t start, end;          /* VAs, end exclusive */
	uint32_t frame_size;          /* stack bytes of one frame, return address included */
};

struct world_module {
	char name[32];                /* BaseDllName */
	char full_name[80];           /* FullDllName */
	uint64_t base, size, entry_point, ldr;
	bool session_image;           /* mapped in session space (read it with a member's DTB) */
	struct world_function functions[WORLD_MAX_FUNCTIONS];
	size_t nfunctions;
	uint64_t tag_slot;            /* .text bytes reserved for a pool tag constant, or 0 */
	uint32_t data_rva;            /* the .data section, to the image's end */
};

/* One frame of a thread's kernel stack, innermost first: rip is where the
 * function runs (a return address into it), sp its stack pointer after the
 * prologue, frame_size the distance to the caller's sp. */
struct world_frame {
	uint64_t rip, sp;
	size_t module, function;      /* into modules[], functions[] */
	uint32_t frame_size;
};
#define WORLD_MAX_FRAMES 1024
#define WORLD_MAX_THREAD_FRAMES 64

struct world_modules {
	struct world_module modules[WORLD_MAX_MODULES];
	size_t nmodules;
	size_t tag_driver;            /* carries the leaking pool tag in its code */
	size_t deep_driver;           /* its large frames fill the deep thread's stack */
	struct world_frame frames[WORLD_MAX_FRAMES];   /* by thread: world_thread.first_frame */
	size_t nframes;
};

#endif
