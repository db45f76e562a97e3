/* The layout tables' rows under the names Microsoft's PDBs give them
 * (data/layouts/pdb.tsv, doc/layouts.md): what `dt TYPE` shows. A type's
 * members are the rows that name it in one layout column, in offset order,
 * with the members of embedded types (_KPROCESS at _EPROCESS.Pcb) under
 * dotted names; rows that are kdx constants, no PDB member, are kept apart
 * under their table names. _KDDEBUGGER_DATA64 comes from core/nt/kdbg.h. */
#ifndef KDX_PDB_TYPE_H
#define KDX_PDB_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nt/profile.h"

/* One line of pdb.tsv (generated into layout_pdb.c). */
struct pdb_name {
	const char *table, *field, *type, *member, *size, *when;
};
extern const struct pdb_name pdb_names[];

struct pdb_member {
	char name[64];                     /* "Pcb.DirectoryTableBase"; a constant's row name */
	const struct layout_field *field;  /* its row; NULL: no table row (origin says why) */
	const char *origin;                /* where a member with no row is defined */
	bool constant;                     /* a kdx constant: value holds it */
	bool absent;                       /* the column has no such field ("-") */
	const char *embeds;                /* the PDB type embedded here, or NULL */
	uint32_t offset;                   /* from the start of the type */
	uint32_t size;                     /* bytes; 0 when not known */
	const char *width;                 /* "ptr" "list" "ustr" "1" "2" "4" "8" "*"; "" for bits */
	uint8_t bit, bits;                 /* a bit field: first bit and count (bits 0: none) */
	uint64_t value;                    /* a constant's value */
};

#define PDB_MAX_MEMBERS 96
struct pdb_layout {
	const char *type;
	bool has_size;
	uint32_t size;
	size_t n;
	struct pdb_member m[PDB_MAX_MEMBERS];
};

/* The members of type in p's column; false when pdb.tsv names no such
 * type. The name is WinDbg's, in any case, with or without "nt!"; out->type
 * is pdb.tsv's spelling. Unknown sizes and absent fields stay as such. */
bool pdb_layout(const struct profile *p, const char *type, struct pdb_layout *out);
/* The types pdb.tsv names, in file order (embedded types included), and
 * _KDDEBUGGER_DATA64, whose fixed offsets are core/nt/kdbg.h's. */
size_t pdb_type_list(const char **out, size_t max);

#endif
