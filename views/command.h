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
	/* argv[0] is the command name. Returns 0, or -1 with err set. */
	int (*run)(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err);
};

/* All commands, in help order. */
const struct command *const *command_all(size_t *count);
/* Exact name first; then, WinDbg style, without a leading '!'. */
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


/* WinDbg's address style: fffff800`00001000 on 64-bit dumps, 80001000 on
 * 32-bit ones. buf holds at least 20 bytes. */
void format_address(const struct dump *d, uint64_t va, char *buf, size_t size);

#endif
