/* Running a library call that hostile input may crash or hang in a forked
 * child with a time limit: what it found comes back through a pipe as a
 * fixed-size report, so a crash or a hang costs the child, not kdx. Used
 * for libkdumpfile's open (core/source/source_kdump.c) and libaddrxlat's
 * Linux set-up (core/dump.c). */
#ifndef KDX_ISOLATE_H
#define KDX_ISOLATE_H

#include <stddef.h>

#include "core/util/error.h"

enum isolate_end {
	ISOLATE_DONE,        /* the report is filled */
	ISOLATE_TIMED_OUT,   /* the child was still working after the limit */
	ISOLATE_KILLED,      /* the child died of another signal */
	ISOLATE_NO_REPORT,   /* the child exited without a whole report */
};

struct isolate_outcome {
	enum isolate_end end;
	int signal;          /* ISOLATE_KILLED: which */
};

/* work(arg, report) runs in a child that has seconds to finish; report
 * (size bytes) is what it filled. -1 with a message naming what (a
 * subject for "cannot fork to ...") when no child could be started. */
int isolate_run(void (*work)(void *arg, void *report), void *arg, void *report, size_t size,
		unsigned seconds, const char *what, struct isolate_outcome *how,
		struct kdx_error *err);

#endif
