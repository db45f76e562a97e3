/* Memory search: fixed bytes, aligned values or a PCRE2 pattern over one
 * address space (a VA range of the kernel's or a process's tables) or over
 * every physical page the dump holds. Pages are read in contiguous runs, so
 * a match crosses a page boundary when the pages are contiguous in the
 * searched space; holes are skipped and counted. Who owns each hit is
 * core/owner.h's question. */
#ifndef KDX_SEARCH_H
#define KDX_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/util/progress.h"

enum search_kind {
	SEARCH_ASCII,         /* -a "text" */
	SEARCH_UTF16,         /* -u "text": UTF-16LE */
	SEARCH_BYTES,         /* -b 41 42 ?? 43 */
	SEARCH_DWORD,         /* -d VALUE: 4-byte aligned */
	SEARCH_QWORD,         /* -q VALUE: 8-byte aligned */
	SEARCH_REGEX,         /* -r /pattern/flags over raw bytes */
	SEARCH_REGEX_UTF16,   /* -ru /pattern/flags over UTF-16LE text */
};

/* PCRE2 bounds per chunk: a hostile pattern fails the chunk (and is
 * reported) instead of hanging; after SEARCH_LIMIT_STOP such chunks the
 * search stops. */
#define SEARCH_MATCH_LIMIT 1000000u
#define SEARCH_DEPTH_LIMIT 10000u
#define SEARCH_LIMIT_STOP 16u
/* Bytes kept so that a match can run on into the next chunk; a regex
 * match longer than this is cut at the chunk end. */
#define SEARCH_CARRY_MAX (64u * 1024u)
/* Hits kept, 65536 (README says so); the scan goes on counting past it.
 * The earlier cap of 2^20, with the hits' document, took a regex matching
 * every byte past 2 GiB. */
#define SEARCH_MAX_HITS (1u << 16)
#define SEARCH_PREVIEW 16u

struct search_pattern;

/* Compiles the pattern once (PCRE2 with JIT where it is available). words
 * are the pattern's words as typed: one text for -a/-u, the bytes for -b,
 * one number for -d/-q, "/pattern/flags" (flags i, m, s, x) for -r/-ru. */
int search_pattern_new(enum search_kind kind, int nwords, char **words,
		       struct search_pattern **out, struct kdx_error *err);
void search_pattern_free(struct search_pattern *p);
/* Literal bytes (-a, -u, -b without ??) are matched by PCRE2's JIT where
 * the platform has one, else by memmem; this switches a literal to memmem,
 * so that bench/search.sh can show the choice still holds. False for a
 * pattern that is not a literal. */
bool search_pattern_memmem(struct search_pattern *p);
/* The pattern as shown ("\"abc\"", "41 42 ?? 43", "/a.b/i"). */
const char *search_pattern_text(const struct search_pattern *p);
/* How it is matched: "memmem", "aligned compare", "PCRE2 JIT", "PCRE2". */
const char *search_pattern_engine(const struct search_pattern *p);

enum search_space { SEARCH_VIRTUAL, SEARCH_PHYSICAL };

struct search_range {
	enum search_space space;
	uint64_t start, end;        /* inclusive */
	uint64_t dtb;               /* virtual: the top table (masked) */
	bool process;               /* virtual: a process's user space */
	uint32_t pid;
	char name[64];              /* as given: "kernel", "paged-pool", "process 4", ... */
};

/* Parses a RANGE at argv[*i]: ADDR L SIZE, ADDR L?SIZE, ADDR ADDR, a
 * layout region name (dashes and case ignored: PagedPool = paged-pool),
 * kernel, process PID, phys. Advances *i. */
int search_range_parse(struct dump *d, int argc, char **argv, int *i, struct search_range *out,
		       struct kdx_error *err);

struct search_hit {
	uint64_t va, pa;
	bool has_va, has_pa;
	uint32_t length;
	uint8_t preview[SEARCH_PREVIEW];
	uint8_t npreview;
};

struct search_result {
	struct search_hit *hits;
	size_t count;                /* kept */
	uint64_t total_hits;         /* found, kept or not */
	uint64_t range_bytes;        /* the range's size */
	uint64_t scanned_bytes;      /* bytes actually searched */
	uint64_t hole_bytes;         /* not present, or mapped but not in the dump */
	uint64_t hole_runs;
	uint64_t limit_chunks;       /* chunks where PCRE2 hit a limit */
	uint64_t cut_matches;        /* regex matches cut at SEARCH_CARRY_MAX */
	bool limit_hit;
	bool stopped;                /* SEARCH_LIMIT_STOP reached */
	bool cancelled;              /* progress said stop; hits so far are kept */
	char note[160];
};

/* Called for each hit as it is found (the TUI shows them arriving). */
typedef void (*search_hit_fn)(void *ctx, const struct search_hit *h, uint64_t total_hits);

/* Runs the search, keeping the first keep hits (0, or more than
 * SEARCH_MAX_HITS: SEARCH_MAX_HITS) and counting all. Cancelled through the
 * dump's progress, it returns 0 with cancelled set and the hits found so far. */
int search_run(struct dump *d, const struct search_pattern *p, const struct search_range *r,
	       size_t keep, search_hit_fn on_hit, void *ctx, struct search_result *out,
	       struct kdx_error *err);
void search_result_free(struct search_result *r);

#endif
