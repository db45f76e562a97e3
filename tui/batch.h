/* Batch mode: kdx -c 'CMD; CMD' [--json] DUMP. */
#ifndef KDX_BATCH_H
#define KDX_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "core/dump.h"

/* Runs the ';'-separated commands, printing text or a JSON array to out and
 * errors to err; verbose (-v) runs `info` as `info -v`. Returns 0 when all
 * succeeded, 1 when any failed. */
int batch_run(struct dump *d, const char *commands, int json, bool verbose, FILE *out, FILE *err);

#endif
