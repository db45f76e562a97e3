/* A source is one dump container: it serves physical pages and states what
 * its header says about the machine. One file per format (source_*.c); the
 * probe in source.c picks the reader. */
#ifndef KDX_SOURCE_H
#define KDX_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/source/dumpfile.h"
#include "core/source/notes.h"
#include "core/xlat/paging.h"

/* A present physical range, in bytes, end exclusive. */
struct phys_range {
	uint64_t start, end;
};

/* What a container's own header states. Fields a format cannot state keep
 * their has_* flag false; dump.c then discovers them from memory. */
struct crash_facts {
	bool has_crash_header;      /* a Windows PAGEDUMP/PAGEDU64 header */
	uint32_t dump_type;         /* DumpType (0 when no crash header) */
	enum machine machine;
	enum paging paging;
	bool has_dtb;
	uint64_t dtb;               /* as stored: not yet masked */
	bool has_build;
	uint32_t build;             /* MinorVersion */
	uint32_t major_version;     /* 0xF free, 0xC checked */
	bool has_kdbg;
	uint64_t kdbg_va;
	uint64_t ps_loaded_module_list;
	uint64_t ps_active_process_head;
	uint64_t pfn_database;
	uint32_t processors;        /* 0 when unknown */
	bool has_bugcheck;
	uint32_t bugcheck_code;
	uint64_t bugcheck_params[4];
	uint64_t system_time;       /* FILETIME, 0 when unknown */
	uint64_t system_uptime;     /* 100 ns units */
	char comment[129];
	bool holds_memory;          /* false for triage and header-only dumps */
};

struct source;

struct source_ops {
	/* Returns the 4 KiB page stored for pfn, or NULL when the dump does not
	 * hold it. May return a pointer into a mapping, or fill scratch and
	 * return it. The result stays valid until the next call with the same
	 * scratch buffer, or until the source is closed. */
	const uint8_t *(*page)(struct source *s, uint64_t pfn, uint8_t *scratch);
	void (*close)(struct source *s);
};

struct source {
	const struct source_ops *ops;
	void *priv;                 /* the reader's state */
	struct dump_file file;    /* the dump, mapped read-only */
	char *path;
	const char *format;         /* "windows-crash-dump", "elf", "kdump", "raw" */
	char description[96];       /* e.g. "64-bit kernel bitmap dump (SDMP)" */
	struct crash_facts facts;
	struct phys_range *ranges;  /* ascending, non-overlapping */
	size_t nranges;
	uint64_t present_pages;     /* pages stored */
	uint64_t ram_pages;         /* pages of RAM, where the container says (a filtered
				       kdump stores fewer); 0: it does not say */
	struct dump_notes notes;    /* a guest dump's CPU notes and VMCOREINFO */
	struct kdx_warnings warnings;
	/* Reader choices where sources disagree (doc/architecture.md), shown by `info -v`. */
	struct kdx_warnings choices;
};

/* Opens path read-only and probes its format. On failure returns -1 with a
 * message naming the file, the offset and what was expected. */
int source_open(const char *path, struct source **out, struct kdx_error *err);
void source_close(struct source *s);

/* What the header of a dump source_open refused still states (a truncated
 * crash dump's machine, build, bug check): false when it states nothing
 * (not a crash dump, or a bad header). */
bool source_read_header(const char *path, struct crash_facts *facts, char *description,
			size_t size);

/* A page of the dump: NULL when the dump lacks it; else scratch, when the
 * page had to be read or decompressed into it, or a pointer into the dump's
 * read-only mapping, valid until source_close. */
const uint8_t *source_page(struct source *s, uint64_t pfn, uint8_t *scratch);
bool source_has_page(const struct source *s, uint64_t pfn);
/* Copies len bytes from physical address pa. Returns the number of bytes
 * copied before the first byte the dump does not hold. */
size_t source_read_phys(struct source *s, uint64_t pa, void *buf, size_t len);

/* Format readers, tried in turn by source_open on s->file. Each returns 1 if
 * it recognises the file and set up s (ops, format, facts, ranges), 0 if the
 * file is not of its format, -1 on an error in a file of its format (having
 * freed whatever it allocated). */
int source_windmp_probe(struct source *s, struct kdx_error *err);
/* A crash dump's header facts and description alone, for a dump whose
 * memory cannot be read: 1 when s->file has a crash header that holds. */
int source_windmp_header(struct source *s);
int source_kdump_probe(struct source *s, struct kdx_error *err);
int source_flat_probe(struct source *s, struct kdx_error *err);
int source_raw_probe(struct source *s, struct kdx_error *err);

/* For readers: record the present ranges (copied; must be ascending). */
int source_set_ranges(struct source *s, const struct phys_range *r, size_t n,
		      struct kdx_error *err);

#endif
