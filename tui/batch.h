/* Batch mode: kdx -c 'CMD; CMD' [--json] DUMP. */
#ifndef KDX_BATCH_H
#define KDX_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "core/dump.h"
#include "views/doc/doc.h"

/* Runs the ';'-separated commands, printing text or a JSON array to out and
 * errors to err; verbose (-v) runs `info` as `info -v`. Returns 0 when all
 * succeeded, 1 when any failed. */
int batch_run(struct dump *d, const char *commands, int json, bool verbose, FILE *out, FILE *err);

/* The same commands on a dump that cannot be opened (msg says why): the
 * message to err, and what the header still states (header, or NULL) as
 * text to out; with json, every command's object carries the error and
 * the header's facts ("header"). Returns 2. */
int batch_refused(const char *commands, int json, const char *msg, const struct doc *header,
		  FILE *out, FILE *err);

#endif
