/* Commands: every pane is one, and every one works in batch mode. A command
 * parses its arguments and builds a document from the dump. */
#ifndef KDX_COMMAND_H
#define KDX_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "views/doc/doc.h"

struct command {
	const char *name;       /* as typed; "!db" is distinct from "db" */
	const char *usage;      /* "vtop VA [DTB]" */
	const char *summary;    /* one line for help and completion */
	const char *windbg;     /* equivalent WinDbg command, or NULL */
	/* WinDbg names that run this command as they are ("!runaway", "vertarget"),
	 * beyond the name without its '!' that command_find takes anyway. */
	const char *aliases[3];
	bool without_dump;      /* runs without a dump (kdx --build B --arch A -c CMD) */
	bool without_memory;    /* runs on a dump that holds none (triage, header-only) */
	/* argv[0] is the command name. Returns 0, or -1 with err set. */
	int (*run)(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err);
};

/* All commands, in help order. */
const struct command *const *command_all(size_t *count);
/* Exact name first, then an alias; then, WinDbg style, without a leading '!'. */
const struct command *command_find(const char *name);

/* Splits line into words and runs it into out (doc_init is done here).
 * Returns 0, or -1 with err set (out is then still a valid empty doc). */
int command_run(struct dump *d, const char *line, struct doc *out, struct kdx_error *err);

/* word as one word of a command line: quoted when it holds blanks, quotes
 * or backslashes (caller frees). */
char *command_quote(const char *word);

/* Argument helpers. Numbers are hex by default, as in WinDbg; 0x and 0n
 * (decimal) prefixes and ` separators (fffff800`00000000) are accepted. */
bool parse_number(const char *s, uint64_t *v);
/* Parses "L count" or "Lcount" at argv[*i]; advances *i. */
bool parse_length(int argc, char **argv, int *i, uint64_t *count);

/* A command's arguments are wrong: says which word and what was expected
 * there, then the usage: "vtop: zzz: expected a VA (a number) (usage:
 * ...)"; word NULL when one is missing ("vtop: expected a VA"). -1. */
int arg_fail(struct kdx_error *err, const struct command *c, const char *word,
	     const char *expected);
/* A word too many: "lm: m: takes no more arguments (usage: lm)". -1. */
int arg_extra(struct kdx_error *err, const struct command *c, const char *word);
/* c's one argument, a number; what names it ("a PFN") when it is missing,
 * not a number or followed by more. 0, or -1 with err set. */
int number_arg(struct kdx_error *err, const struct command *c, int argc, char **argv,
	       const char *what, uint64_t *v);

/* Rows a scan's table lists in the TUI when the command is not told: the
 * TUI lays out every row of a document before drawing it, and a common
 * pool tag or a loose search finds hundreds of thousands. Batch output
 * (no progress reporter) lists them all. */
#define SCREEN_ROWS 10000u
/* Takes "-limit N" out of argv wherever it is after the command's name;
 * *limit is N (0: all), or without one SCREEN_ROWS in the TUI and 0 in
 * batch mode. Returns the words left, or -1 with err set. */
int take_row_limit(const struct dump *d, const struct command *c, int argc, char **argv,
		   uint64_t *limit, struct kdx_error *err);
/* Under "listed", when a table lists fewer rows than were found: "the
 * first N; -limit 0 lists M more" (more: the rows -limit 0 would add). */
void add_listed(struct dnode *parent, size_t listed, uint64_t more);

/* A flag bit of a WinDbg extension command and what kdx makes of it. */
enum windbg_flag_use {
	FLAG_DONE,      /* kdx does what the flag asks */
	FLAG_NOTE,      /* kdx does not, and says so beside its result */
	FLAG_REFUSED,   /* kdx cannot, and its result would mislead: an error */
};
struct windbg_flag {
	uint64_t bit;
	const char *asks;          /* what WinDbg does: "sort by paged bytes" */
	enum windbg_flag_use use;
	const char *kdx;           /* FLAG_NOTE, FLAG_REFUSED: what kdx does instead */
	const char *link;          /* FLAG_NOTE: a command that shows it, or NULL */
};
#define WINDBG_FLAGS(known) (known), sizeof(known) / sizeof((known)[0])
/* A word made of decimal digits, or 0x/0n and digits: WinDbg flags or an ID
 * rather than a name or a pattern. */
bool is_number_word(const char *s);
/* Parses FLAGS (hex by default, as WinDbg reads them): fails naming a bit
 * no entry of known names, or one kdx refuses. */
int parse_windbg_flags(const char *cmd, const char *text, const struct windbg_flag *known,
		       size_t n, uint64_t *flags, struct kdx_error *err);
/* Under "flags": each set bit, what it asks and what kdx does with it. */
void add_windbg_flags(struct dnode *parent, uint64_t flags, const struct windbg_flag *known,
		      size_t n);

/* WinDbg's address style: fffff800`00001000 on 64-bit dumps, 80001000 on
 * 32-bit ones. buf holds at least 20 bytes. */
void format_address(const struct dump *d, uint64_t va, char *buf, size_t size);

#endif
