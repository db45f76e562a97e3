/* Per-build structure layouts: the one place kdx keeps the offsets of the
 * kernel structures it reads without symbols. The values live as data in
 * data/layouts/ (doc/layouts.md), one column per build citing its source;
 * scripts/layouts.awk turns them into the structs below. The dump resolves
 * one layout when it opens (d->layout); the dump generator builds its
 * kernels from the same tables, so a wrong offset shows up as a
 * disagreement with the public sources, not as two bugs that cancel. */
#ifndef KDX_PROFILE_H
#define KDX_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/util/error.h"
#include "core/xlat/pte.h"

/* Offset of a field that this build does not have. */
#define PROF_ABSENT 0xffffu

/* A bit field inside the integer that starts at offset. */
struct prof_bits {
	uint16_t offset;
	uint8_t bit, width;
};

/* Where a table's column was taken from: the exact build and the public
 * source (the tables in data/layouts, rows taken_from and source). */
struct layout_origin {
	const char *table, *taken_from, *source;
};

/* The structure types, struct profile and the instances are generated from
 * data/layouts/ by scripts/layouts.awk (doc/layouts.md). */
#include "core/nt/layouts.h"

/* One field of one table, for code that walks the tables by name
 * (--layout FILE, the consistency test). width is the TSV's width for
 * offsets ("4", "ptr", "list", "ustr", "*"), "" for other kinds. */
enum layout_kind {
	LAYOUT_OFF, LAYOUT_SIZE, LAYOUT_BITS, LAYOUT_U8, LAYOUT_U16, LAYOUT_U32, LAYOUT_U64,
	LAYOUT_BOOL,
};
struct layout_field {
	const char *table, *name;
	enum layout_kind kind;
	const char *width;
	size_t table_member;   /* offsetof(struct profile, TABLE) */
	size_t offset;         /* offsetof(struct prof_TABLE, NAME) */
	size_t table_size;     /* sizeof(struct prof_TABLE) */
};
/* Every table's fields, in file order; ends with a NULL table. */
extern const struct layout_field layout_fields[];
/* The size field that bounds f: "X_size" for fields named X_*, else "size"
 * (doc/layouts.md); NULL when the table has none. */
const struct layout_field *layout_bound_of(const struct layout_field *f);
/* The field of that table and name; NULL when there is none. */
const struct layout_field *layout_field_named(const char *table, const char *name);
/* The value of an offset or size field in p's column. */
uint16_t layout_field_value(const struct profile *p, const struct layout_field *f);

/* The bytes of a record of that table to read: its size; where
 * calibration could not find that, up to the end of its furthest known
 * field (16 bytes covers the widest a reader takes, an image name). */
unsigned layout_record_span(const struct profile *p, const char *table, uint16_t size);

/* Where a value of a dump's layout came from. */
enum layout_source {
	LAYOUT_FROM_TABLE,     /* the built-in column (origin[] names build and source) */
	LAYOUT_FROM_FILE,      /* --layout FILE */
	LAYOUT_FROM_KDBG,      /* the KDBG's own offsets and sizes */
	LAYOUT_CALIBRATED,     /* found by checking structures in the dump */
	LAYOUT_UNKNOWN,        /* no layout for this build, or absent in it */
};

/* One invariant of the dump's own structures that calibration tested
 * (core/nt/layout_calib.c): whether the layout passed it, and on how many
 * of the items it tested (processes, threads, processors, modules). */
#define LAYOUT_CHECKS_MAX 32
struct layout_check {
	const char *name, *unit;
	bool run, passed;
	unsigned tested, passing;
};

/* The layout a dump resolves once when it is opened (d->layout): readers
 * use profile and never look one up themselves. */
struct dump_layout {
	const struct profile *profile;         /* NULL: no layout for this build */
	struct profile *patched;               /* owned copy once a file changed it */
	const char *file;                      /* the last --layout FILE, borrowed */
	enum layout_source source[LAYOUT_FIELDS];  /* per layout_fields[] entry */
	/* The KDBG's offsets and sizes against the column (core/nt/layout_kdbg.h):
	 * how many the block holds, how many the column agrees with, how many
	 * fields took the KDBG's value; the first column of the build when the
	 * KDBG chose another. */
	unsigned kdbg_checked, kdbg_agreed, kdbg_patched;
	const struct profile *passed_over;
	/* No column serves the build: profile is the nearest build's column,
	 * whose process, thread, processor and module fields calibration
	 * confirmed, replaced or left unknown (core/nt/layout_calib.h); its
	 * other tables are that column's, unchecked. */
	bool nearest;
	/* The invariants calibration tested on this dump, and how many of
	 * them each field passed (per layout_fields[] entry). */
	struct layout_check check[LAYOUT_CHECKS_MAX];
	unsigned nchecks;
	uint8_t passed[LAYOUT_FIELDS];
};

/* Whether p's column serves a kernel of that machine, paging and build. */
bool profile_serves(const struct profile *p, enum machine m, enum paging pg, uint32_t build);
/* The first column serving the build (the dump's choice among several is
 * the KDBG's: core/nt/layout_kdbg.h). */
const struct profile *profile_select(enum machine m, enum paging p, bool has_build, uint32_t build);
/* Whether p's column serves that machine and build; any paging mode when pg
 * is PAGING_UNKNOWN (kdx --build B --arch A, without a dump). */
bool profile_serves_build(const struct profile *p, enum machine m, enum paging pg, uint32_t build);
/* Among the columns serving the build, the one a revision picks: the latest
 * taken from a revision not above it, else the earliest (doc/layouts.md). */
const struct profile *profile_for_revision(enum machine m, enum paging pg, uint32_t build,
					   uint32_t revision);
/* For a build no column serves: the column of that machine and paging
 * whose build is nearest (the newer on a tie); NULL when there is none. */
const struct profile *profile_nearest(enum machine m, enum paging pg, uint32_t build);
void dump_layout_init(struct dump_layout *l, const struct profile *p);
/* Applies a table file in the data/layouts format (doc/layouts.md), one
 * table or several each under its header: the column named like the dump's
 * layout, or the only column. */
int dump_layout_load(struct dump_layout *l, const char *path, struct kdx_error *err);
/* The same from an open stream; path names it in messages. */
int dump_layout_read(struct dump_layout *l, FILE *fp, const char *path, struct kdx_error *err);
/* Sets one offset or size field of the dump's layout, recording where the
 * value came from; fails (and keeps the old value) when the table's
 * offsets would then fall outside its sizes. */
int dump_layout_set(struct dump_layout *l, const struct layout_field *f, uint16_t value,
		    enum layout_source source, struct kdx_error *err);
/* Makes one offset or size field unknown for this dump (PROF_ABSENT,
 * LAYOUT_UNKNOWN): what calibration could not find. */
int dump_layout_forget(struct dump_layout *l, const struct layout_field *f, struct kdx_error *err);
void dump_layout_free(struct dump_layout *l);

/* The segment-heap layout of p's build (table segheap: the page segment,
 * its range descriptors, LFH and VS subsegments); NULL for classic pools or
 * a segment-heap build whose column is empty. */
const struct prof_segheap *segheap_layout(const struct profile *p);

/* One field of _MM_DRIVER_VERIFIER_DATA (KDBG MmVerifierData, table
 * verifier), named as the PDB names it. */
struct prof_verifier_field {
	const char *name;
	uint16_t offset;
	uint8_t size;
};
#define PROF_VERIFIER_MAX_FIELDS 48
/* p's build's fields, Level first, then the counters in offset order;
 * returns the count, 0 when the build has no layout. */
size_t verifier_layout(const struct profile *p,
		       struct prof_verifier_field out[PROF_VERIFIER_MAX_FIELDS]);

/* The profiles, in a fixed order; NULL-terminated. */
extern const struct profile *const kdx_profiles[];

const struct profile *profile_by_name(const char *name);

/* The value of a bit field of the structure at buf. */
uint64_t prof_get_bits(const uint8_t *buf, struct prof_bits b);
/* The field of size bytes (1, 2, 4, 8) at off in the structure buf holds,
 * len bytes of it read (crash's OFFSET() idea): false, and *v 0, when the
 * build has no such field (PROF_ABSENT) or it does not lie inside len.
 * field_u32 keeps the low 32 bits (IDs, counters). */
bool field_u64(const uint8_t *buf, size_t len, uint16_t off, unsigned size, uint64_t *v);
bool field_u32(const uint8_t *buf, size_t len, uint16_t off, unsigned size, uint32_t *v);

#endif
