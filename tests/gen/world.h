/* A generated Windows kernel: the gen_image a dump is written from, plus the
 * ground truth a reader must reproduce from that dump. Built from a profile
 * (core/nt/profile.h) and a seed; everything is deterministic for the pair and
 * addresses, counts and names move with the seed.
 *
 * The truth is in-process here (cmocka tests compare without parsing JSON)
 * and written as JSON by truth.c. */
#ifndef KDX_GEN_WORLD_H
#define KDX_GEN_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/nt/profile.h"
#include "core/xlat/xlat.h"
#include "tests/gen/gen.h"

/* What the prototype PTE a prototype-format entry names decodes to
 * (doc/address-space.md §2.1): valid, transition or subsection. */
struct world_proto_meaning {
	const char *state;            /* pte_state_name(); NULL: no prototype followed */
	bool has_pfn;
	uint64_t pfn;
	bool has_protection;
	unsigned protection;
	bool has_subsection_address;
	uint64_t subsection_address;
};

/* What the last entry of a teaching walk means to a PTE decoder; the field
 * names follow struct pte_decoded (core/xlat/pte.h). */
struct world_pte_meaning {
	const char *state;            /* pte_state_name(): "valid", "large", "transition", ... */
	bool has_pfn;                 /* valid, large, transition: the frame */
	uint64_t pfn;
	bool has_protection;          /* 5-bit MM_* protection */
	unsigned protection;
	bool has_pagefile;            /* PageFileLow and PageFileHigh (page index in the file) */
	uint64_t pagefile_number, pagefile_offset;
	bool has_prototype_address;   /* the prototype PTE's kernel VA */
	uint64_t prototype_address;
	struct world_proto_meaning prototype;
};

/* One teaching address and its walk as built. The walk assumes every page
 * is in the dump; world_walk_in() restricts it to what a format stores.
 * Conventions (core/xlat/xlat.c): a table not in the dump stops the walk at that
 * level with reason XLAT_NOT_IN_DUMP and read = false; a target page not in
 * the dump leaves stopped_at = -1 and pa set, with reason XLAT_NOT_IN_DUMP
 * and page_in_dump = false. walk.dtb is the kernel's top table, or a
 * process's for the process-space cases (lazy system PDE, session space,
 * user pages). */
struct world_xlat {
	const char *kind;             /* "valid-4k-code", "large-2m", "transition", ... */
	struct walk walk;
	struct world_pte_meaning leaf;
	uint8_t bytes[16];            /* first bytes at pa (translated walks only) */
};

/* A kernel variable a KDBG field points at (most fields hold the address of
 * the variable, doc/dump-format.md 8.3). */
struct world_kvar {
	const char *name;             /* "MmPfnDatabase" */
	unsigned kdbg_offset;         /* KDBG_* of the field naming it */
	uint64_t address;
	uint64_t value;               /* the pointer-sized value stored there */
};

/* A system VA range, for the layout pane. */
struct world_region {
	const char *name;             /* "PagedPool", "SystemPtes", ... */
	uint64_t start, end;          /* end exclusive */
};

/* What a corrupt variant broke (kind NULL: nothing). The truth then lists
 * only what a reader can still reach. */
struct world_corruption {
	const char *kind;             /* "cycle", "unmapped-link", "unmapped-pointer",
					 * "huge-count", "bad-tiling" */
	const char *field;            /* "ActiveProcessLinks", "ActiveThreads", ... */
	uint64_t address;             /* of the corrupted field */
	uint64_t value;               /* what it holds now */
	/* Pool variants: what a reader must report. */
	char reason[80];              /* in the reader's note or error; "": none */
	bool reader_fails;            /* the command reading the broken part fails */
	uint64_t broken_page, broken_at;   /* the page whose chain breaks, and where */
	uint64_t tracker_read;        /* tracker entries read of the claimed count */
};

#define WORLD_MAX_XLAT 40
#define WORLD_MAX_KVARS 64
#define WORLD_MAX_REGIONS 16
#define WORLD_MAX_CPUS 4

struct world {
	const struct profile *profile;
	uint64_t seed;
	struct gen_image img;
	uint64_t dtb;                 /* kernel top table, masked (gen_image.dtb has the flags) */
	unsigned self_map_index;      /* top-level slot (PAE: slot in the fourth PD) */
	uint64_t pte_base, pde_base;
	uint64_t kernel_base, kernel_size;
	uint64_t kdbg_va;
	uint64_t kpcr[WORLD_MAX_CPUS];
	struct world_xlat xlat[WORLD_MAX_XLAT];
	size_t nxlat;
	struct world_kvar kvar[WORLD_MAX_KVARS];
	size_t nkvar;
	struct world_region region[WORLD_MAX_REGIONS];
	size_t nregion;
	struct world_pool *pool;      /* world_pool.h */
	struct world_procs *procs;    /* world_procs.h */
	struct world_modules *modules; /* world_modules.h */
	struct world_pfn *pfn;        /* world_pfn.h */
	struct world_files *files;    /* world_files.h */
	struct world_search *search;  /* world_search.h */
	struct world_verifier *verifier; /* world_verifier.h */
	struct world_corruption corruption;
	/* The demo's machine (world_set_whole_machine): its figures add up. */
	bool whole;
	/* builder state */
	struct builder *build;        /* during world_build() only (world_build.h) */
	bool *used;                   /* PFN already given out */
	uint64_t next_pfn;
	uint64_t rng;
};

/* A profile by name: kdx's columns, and future-x64, a kernel no column
 * knows (tests/gen/future.c); NULL when there is none. */
const struct profile *gen_profile(const char *name);

/* Builds the world of profile p for seed. Returns 0, or -1 with a message. */
/* Why the generator cannot build the kernel of column P, or NULL: columns
 * exist for every kernel the public facts cover, the generator builds a
 * subset (doc/layouts.md). world_build() refuses the others with it. */
const char *world_unbuildable(const struct profile *p);
int world_build(struct world *w, const struct profile *p, uint64_t seed, struct kdx_error *err);
/* kdx-gen --pool-mib (benchmarks): worlds built from now on get this many
 * more bytes of RAM at the top. */
void world_set_extra_ram(uint64_t bytes);
/* The bytes set there; 0 by default. */
uint64_t world_extra_ram(void);
/* kdx-gen --demo: worlds built from now on are a machine of ram_end bytes
 * of RAM (0: the small default) whose figures add up as a real one's do:
 * the tracker sums to the pool usage the memory summary reports, the leak's
 * blocks fill the nonpaged pool, the PFN lists hold the available pages.
 * Only win10-x64 carries the figures it is sized for (doc/scenarios.md §1). */
void world_set_whole_machine(uint64_t ram_end);
void world_free(struct world *w);

/* Whether a dump of format fmt stores the page (raw images store every page
 * below the end of RAM, holes as zeros; triage dumps store none). */
bool world_page_in_dump(const struct world *w, enum gen_format fmt, uint64_t pfn);
uint64_t world_physical_pages(const struct world *w, enum gen_format fmt);
/* The walk a reader of a dump of format fmt must produce for x. */
void world_walk_in(const struct world *w, const struct world_xlat *x, enum gen_format fmt,
		   struct walk *out);
/* The kernel variable of that name, NULL if the world has none. */
const struct world_kvar *world_kvar(const struct world *w, const char *name);

/* Format names on kdx-gen's command line ("full", "bitmap", "kernel", ...)
 * and the file name suffix fixtures use (".full.dmp", ".elf", ...). */
const char *world_format_name(enum gen_format fmt);
const char *world_format_suffix(enum gen_format fmt);
bool world_format_parse(const char *name, enum gen_format *fmt);

/* Writes the ground truth of w as it is stored in a dump of format fmt. */
int truth_write(const struct world *w, enum gen_format fmt, const char *path,
		struct kdx_error *err);

/* Writes the corrupt variants (bad-*.dmp, bad-*.elf and their .expect
 * files) into dir, derived from w's full, kernel bitmap and ELF fixtures,
 * which must already be there. */
int bad_fixtures_write(const char *dir, const struct world *w, struct kdx_error *err);
/* DIR/rootless-PROFILE.elf: w's ELF core without the self-map entries that
 * let kdx find the kernel's root (w is restored after). */
int rootless_fixture_write(const char *dir, struct world *w, struct kdx_error *err);
/* Writes the RDMP variants (bad-rdmp-*.dmp and their .expect files) into
 * dir, derived from w's complete RDMP fixture, which must be there. */
int bad_rdmp_fixtures_write(const char *dir, const struct world *w, struct kdx_error *err);
/* Writes corrupt-*.dmp (kernel bitmap dumps of the profile's world with a
 * list or count broken) and their truth into dir. */
int corrupt_fixtures_write(const char *dir, const struct profile *p, uint64_t seed,
			   struct kdx_error *err);

#endif
